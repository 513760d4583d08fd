"""``python -m em_core fit FILE --model ppca``, run as a person would, in a subprocess."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.decomposition import PCA
from test_cli import assert_one_line_error, ok_json, run

from em_data import load_dataset
from em_models.ppca import engine as ppca

PPCA_KEYS = {
    "model",
    "n_latent",
    "n_features",
    "n_samples",
    "columns",
    "init",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "mean",
    "iterations",
    "maximum",
    "data",
}
ITERATION_KEYS = {"iteration", "loadings", "noise_variance", "log_likelihood"}


@pytest.fixture
def faithful_csv(tmp_path):
    path = tmp_path / "faithful.csv"
    data = load_dataset("faithful")
    lines = [",".join(data.columns), *(",".join(map(repr, row)) for row in data.values.tolist())]
    path.write_text("\n".join(lines) + "\n")
    return path, data.values


def test_fit_prints_the_trace_and_the_maximum(faithful_csv):
    path, X = faithful_csv
    document = ok_json(run("fit", path, "--model", "ppca", "-q", "1", "--seed", "3"))
    assert set(document) == PPCA_KEYS
    assert document["model"] == "ppca"
    assert (document["n_latent"], document["n_features"], document["n_samples"]) == (1, 2, 272)
    assert document["columns"] == ["eruptions", "waiting"]
    np.testing.assert_array_equal(document["data"], X)
    assert document["init"] == {"method": "random", "seed": 3}
    assert len(document["iterations"]) == document["n_iter"] + 1
    assert all(set(it) == ITERATION_KEYS for it in document["iterations"])
    np.testing.assert_allclose(document["mean"], X.mean(axis=0))
    # The same run as the engine's.
    trace = ppca.fit(X, 1, rng=3)
    assert document["status"] == trace.stop_reason.value
    assert document["message"] == trace.message
    for it, snapshot in zip(document["iterations"], trace.snapshots, strict=True):
        np.testing.assert_allclose(it["loadings"], snapshot.params.loadings, rtol=1e-12)
        assert it["log_likelihood"] == pytest.approx(snapshot.log_likelihood, rel=1e-12)
    # The maximum is scikit-learn's PCA once its divisor N − 1 is put back to N.
    n = X.shape[0]
    reference = PCA(n_components=1).fit(X)
    best = document["maximum"]
    assert best["noise_variance"] * n / (n - 1) == pytest.approx(reference.noise_variance_)
    W = np.array(best["loadings"])
    C = W @ W.T + best["noise_variance"] * np.eye(2)
    np.testing.assert_allclose(C * n / (n - 1), reference.get_covariance(), rtol=1e-9)
    assert document["iterations"][-1]["log_likelihood"] <= best["log_likelihood"]


def test_a_given_w_starts_the_run_and_sets_q(tmp_path, faithful_csv):
    path, _ = faithful_csv
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"loadings": [[1.0], [5.0]], "noise_variance": 2.0}))
    document = ok_json(run("fit", path, "--model", "ppca", "--init-params", start, "--max-iter", 3))
    assert document["init"] == {"method": "given", "seed": None}
    assert document["n_latent"] == 1
    first = document["iterations"][0]
    assert first["loadings"] == [[1.0], [5.0]]
    assert first["noise_variance"] == 2.0


def test_the_mixture_output_is_unchanged_by_the_new_options(faithful_csv):
    path, _ = faithful_csv
    plain = ok_json(run("fit", path, "-k", 2))
    explicit = ok_json(run("fit", path, "-k", 2, "--model", "mixture"))
    assert plain == explicit
    assert "model" not in plain


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["-q", "2"], ["q = 2 leaves no dimension for the noise in 2-column data"]),
        (["-q", "0"], ["must be a whole number ≥ 1; got 0"]),
        (["-k", "2"], ["-k/--n-components is an option of the mixture"]),
        (["--ridge", "1e-3"], ["--ridge is an option of the mixture"]),
        (["--n-init", "4"], ["--n-init is an option of the mixture"]),
        (["--covariance-type", "diag"], ["--covariance-type is an option of the mixture"]),
    ],
)
def test_bad_options_are_one_line_errors(faithful_csv, options, fragments):
    path, _ = faithful_csv
    assert_one_line_error(run("fit", path, "--model", "ppca", *options), *fragments)


def test_q_without_ppca_is_refused(faithful_csv):
    path, _ = faithful_csv
    assert_one_line_error(run("fit", path, "-q", "1"), "-q/--n-latent", "--model ppca")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{", "is not valid JSON"),
        ('{"means": [1, 2]}', "with the key 'loadings'"),
        ('{"loadings": [1, 2, 3]}', "'loadings' has shape (3,)"),
        ('{"loadings": [[0], [0]]}', "linearly dependent"),
        ('{"loadings": [[1], [2]], "noise_variance": -1}', "σ² must be positive"),
    ],
)
def test_a_bad_start_file_is_a_one_line_error(tmp_path, faithful_csv, content, fragment):
    path, _ = faithful_csv
    start = tmp_path / "start.json"
    start.write_text(content)
    assert_one_line_error(run("fit", path, "--model", "ppca", "--init-params", start), fragment)


def test_one_column_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("1\n2\n3\n5\n")
    assert_one_line_error(run("fit", path, "--model", "ppca"), "at least two columns")


def extreme(value: float | None = None) -> np.ndarray:
    """100 × 3 normal points scaled by diag(3, 2, 1), the first value set to ``value``."""
    X = np.random.default_rng(0).standard_normal((100, 3)) * [3.0, 2.0, 1.0]
    if value is not None:
        X[0, 0] = value
    return X


def write_csv(path, X):
    path.write_text("\n".join(",".join(map(repr, row)) for row in X.tolist()) + "\n")
    return path


@pytest.mark.parametrize("q", ["1", "2"])
def test_one_far_outlier_fits(tmp_path, q):
    """One value of 1e8 was refused as "on a line" (q = 1) or "on a 2-dimensional subspace"."""
    X = extreme(1e8)
    document = ok_json(run("fit", write_csv(tmp_path / "x.csv", X), "--model", "ppca", "-q", q))
    assert document["status"] == "converged"
    n = X.shape[0]
    reference = PCA(n_components=int(q), svd_solver="full").fit(X)
    maximum = document["maximum"]["noise_variance"]
    assert maximum * n / (n - 1) == pytest.approx(reference.noise_variance_, rel=1e-9)
    assert document["iterations"][-1]["log_likelihood"] <= document["maximum"]["log_likelihood"]


@pytest.mark.parametrize("suffix", ["csv", "npy"])
@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.where(extreme() > 0, 1e308, -1e308), "The data run from -1e+308 to 1e+308, too wide"),
        (np.where(np.arange(300).reshape(100, 3) == 4, 1e200, extreme()), "to 1e+200, too wide"),
    ],
    ids=["pm-1e308", "one-1e200"],
)
def test_values_too_large_to_square_are_one_line_naming_their_range(tmp_path, suffix, X, message):
    """±1e308 gave NumPy's "Eigenvalues did not converge", one 1e200 "The starting W, μ or σ²
    contains NaN or infinite values" (and a .npy file of ±1e308 an overflow warning first)."""
    path = tmp_path / f"x.{suffix}"
    if suffix == "npy":
        np.save(path, X)
    else:
        write_csv(path, X)
    line = assert_one_line_error(run("fit", path, "--model", "ppca"), message)
    assert "square in double precision; rescale them" in line
