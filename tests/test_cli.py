"""``python -m em_core``, run as a person would: in a subprocess, reading files, printing JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import WORKED_X, two_blobs
from scipy.stats import norm

import em_models.mixture.engine
import em_models.mixture.selection
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES, TraceFileError, read_trace
from em_models.mixture.trace import replay

REPO = Path(__file__).resolve().parents[1]

TRACE_KEYS = {
    "n_components",
    "n_features",
    "n_samples",
    "columns",
    "covariance_type",
    "init",
    "ridge",
    "reg_covar",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "failed_component",
    "iterations",
    "data",
}
ITERATION_KEYS = {"iteration", "weights", "means", "covariances", "log_likelihood", "nk"}


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "em_core", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _reject_constant(name: str):
    raise AssertionError(f"non-strict JSON: {name}")


def ok_json(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout, parse_constant=_reject_constant)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def worked_csv(tmp_path):
    path = tmp_path / "worked.csv"
    path.write_text("\n".join(str(x) for x in WORKED_X) + "\n")
    return path


@pytest.fixture
def worked_start(tmp_path):
    path = tmp_path / "start.json"
    path.write_text(
        json.dumps({"weights": [0.5, 0.5], "means": [[2], [9]], "covariances": [[[1]], [[1]]]})
    )
    return path


def test_fit_reproduces_the_worked_example(worked_csv, worked_start):
    trace = ok_json(
        run("fit", worked_csv, "--init-params", worked_start, "--reg-covar", 0, "--max-iter", 1)
    )
    assert set(trace) == TRACE_KEYS
    assert trace["n_components"] == 2
    assert trace["n_features"] == 1
    assert trace["n_samples"] == 6
    assert trace["columns"] == ["x"]
    assert trace["init"] == {"method": "given", "seed": None}
    assert trace["reg_covar"] == [0.0]  # the amount added to each column's variance
    assert trace["ridge"] is None  # given in data units, not relative
    assert trace["status"] == "max_iter"
    assert trace["converged"] is False
    assert trace["failed_component"] is None
    assert trace["n_iter"] == 1
    before, after = trace["iterations"]
    assert set(before) == set(after) == ITERATION_KEYS
    assert before["nk"] is None
    assert before["iteration"] == 0
    assert after["iteration"] == 1
    # the article's numbers, against an independent computation
    expected_before = np.log(0.5 * norm.pdf(WORKED_X, 2, 1) + 0.5 * norm.pdf(WORKED_X, 9, 1)).sum()
    assert before["log_likelihood"] == pytest.approx(expected_before, abs=1e-12)
    assert round(before["log_likelihood"], 4) == -10.5475
    assert round(after["log_likelihood"], 4) == -8.5682
    assert after["means"][1][0] == pytest.approx(8.8333, abs=1e-4)
    assert np.sqrt(after["covariances"][0][0][0]) == pytest.approx(0.40825, abs=1e-5)
    assert np.sqrt(after["covariances"][1][0][0]) == pytest.approx(0.62361, abs=1e-5)
    assert sum(after["nk"]) == pytest.approx(6.0)


def test_fit_of_an_npy_file_equals_the_engine_and_writes_full_covariances(tmp_path):
    X = two_blobs(seed=1, n_per_blob=30, n_features=3)
    path = tmp_path / "blobs.npy"
    np.save(path, X)
    trace = ok_json(
        run("fit", path, "-k", 3, "--covariance-type", "diag", "--seed", 4, "--init", "random")
    )
    expected = em_models.mixture.engine.fit(X, 3, covariance_type="diag", init="random", rng=4)
    assert trace["columns"] == ["x1", "x2", "x3"]
    assert trace["init"] == {"method": "random", "seed": 4}
    assert trace["covariance_type"] == "diag"
    assert trace["n_iter"] == expected.n_iter
    assert trace["status"] == expected.stop_reason.value
    assert trace["message"] == expected.message
    assert len(trace["iterations"]) == expected.n_iter + 1
    for snapshot, ours in zip(expected.snapshots, trace["iterations"], strict=True):
        # JSON floats round-trip exactly
        assert ours["weights"] == snapshot.params.weights.tolist()
        assert ours["means"] == snapshot.params.means.tolist()
        assert ours["log_likelihood"] == snapshot.log_likelihood
        covariances = np.array(ours["covariances"])
        assert covariances.shape == (3, 3, 3)  # always full matrices
        np.testing.assert_array_equal(covariances, snapshot.params.full_covariances())


def test_fit_of_a_one_dimensional_npy_file(tmp_path):
    path = tmp_path / "worked.npy"
    np.save(path, WORKED_X)
    trace = ok_json(run("fit", path))
    assert trace["n_features"] == 1
    assert trace["n_samples"] == 6
    assert trace["init"] == {"method": "kmeans", "seed": 0}
    assert trace["converged"] is True


def test_fit_of_a_csv_with_a_header(tmp_path):
    X = two_blobs(seed=2, n_per_blob=20)
    path = tmp_path / "blobs.csv"
    path.write_text(
        "height;weight\r\n" + "".join(f"{float(a)!r};{float(b)!r}\r\n" for a, b in X),
        encoding="utf-8",
    )
    trace = ok_json(run("fit", path, "--covariance-type", "tied"))
    assert trace["columns"] == ["height", "weight"]
    assert trace["n_samples"] == 40
    assert trace["covariance_type"] == "tied"
    final = trace["iterations"][-1]
    covariances = np.array(final["covariances"])
    np.testing.assert_array_equal(covariances[0], covariances[1])  # tied, expanded per component
    expected = em_models.mixture.engine.fit(X, 2, covariance_type="tied")
    assert final["log_likelihood"] == expected.final.log_likelihood


def test_init_params_in_the_types_own_storage(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text(" ".join(f"{x}" for x in WORKED_X).replace(" ", "\n"))
    own = tmp_path / "spherical.json"
    own.write_text(json.dumps({"weights": [0.5, 0.5], "means": [2, 9], "covariances": [1, 1]}))
    trace = ok_json(
        run("fit", path, "--init-params", own, "--covariance-type", "spherical", "--reg-covar", 0)
    )
    assert trace["iterations"][0]["covariances"] == [[[1.0]], [[1.0]]]
    assert round(trace["iterations"][0]["log_likelihood"], 4) == -10.5475
    assert trace["n_components"] == 2  # taken from the parameters


def test_restarts_print_the_best_run_and_every_run(tmp_path):
    X = two_blobs(seed=5, n_per_blob=25)
    path = tmp_path / "blobs.npy"
    np.save(path, X)
    document = ok_json(run("fit", path, "-k", 3, "--n-init", 4, "--seed", 9, "--init", "random"))
    expected = em_models.mixture.selection.fit_restarts(X, 3, n_init=4, seed=9, init="random")
    assert set(document) == TRACE_KEYS | {"restarts", "best_restart"}
    assert document["best_restart"] == expected.best_index
    assert [r["seed"] for r in document["restarts"]] == list(expected.seeds)
    for entry, trace in zip(document["restarts"], expected.traces, strict=True):
        assert set(entry) == {"seed", "final_log_likelihood", "n_iter", "status"}
        assert entry["final_log_likelihood"] == trace.final.log_likelihood
        assert entry["n_iter"] == trace.n_iter
        assert entry["status"] == trace.stop_reason.value
    assert document["init"]["seed"] == expected.seeds[expected.best_index]
    assert document["n_iter"] == expected.best.n_iter
    assert document["iterations"][-1]["log_likelihood"] == expected.best.final.log_likelihood


def test_a_failed_run_is_a_result_with_its_reason(tmp_path):
    X = np.concatenate([np.linspace(-2.0, 2.0, 20), [30.0]])
    path = tmp_path / "outlier.npy"
    np.save(path, X)
    start = tmp_path / "start.json"
    start.write_text(
        json.dumps({"weights": [0.9, 0.1], "means": [0, 20], "covariances": [[[4]], [[100]]]})
    )
    trace = ok_json(
        run("fit", path, "--init-params", start, "--reg-covar", 0, "--tol", 0, "--max-iter", 50)
    )
    assert trace["status"] == "collapsed"
    assert trace["failed_component"] == 2  # 1-based
    assert trace["message"].startswith("Component 2 collapsed in the M-step of iteration 3")
    assert len(trace["iterations"]) == 3


@pytest.fixture(scope="module")
def large_npy(tmp_path_factory):
    """One value more than the command line writes into a trace unasked: 50,001 × 2."""
    assert DATA_BY_DEFAULT_MAX_VALUES == 100_000  # the size the README states
    X = two_blobs(seed=3, n_per_blob=25_000)
    X = np.concatenate([X, [[0.5, 0.5]]])
    path = tmp_path_factory.mktemp("large") / "large.npy"
    np.save(path, X)
    return path, X


def test_a_large_fit_leaves_the_data_out_unless_asked(large_npy):
    path, X = large_npy
    options = ("-k", 2, "--max-iter", 2, "--tol", 0)
    without = ok_json(run("fit", path, *options))
    assert set(without) == TRACE_KEYS - {"data"}
    assert without["n_samples"] == 50_001
    expected = em_models.mixture.engine.fit(X, 2, max_iter=2, tol=0)
    assert without["iterations"][-1]["log_likelihood"] == expected.final.log_likelihood
    # Asked for, the data come back exactly (the shortest text of each double reads back).
    document = ok_json(run("fit", path, *options, "--with-data"))
    assert set(document) == TRACE_KEYS
    np.testing.assert_array_equal(np.array(document["data"]), X)
    assert document["iterations"] == without["iterations"]


def test_data_up_to_the_stated_size_are_written_unasked(tmp_path, large_npy):
    _, X = large_npy
    path = tmp_path / "limit.npy"
    np.save(path, X[:50_000])  # 100,000 numbers exactly
    document = ok_json(run("fit", path, "-k", 2, "--max-iter", 1))
    np.testing.assert_array_equal(np.array(document["data"]), X[:50_000])


def test_a_trace_without_data_is_read_but_says_it_cannot_be_recomputed(large_npy):
    path, X = large_npy
    result = run("fit", path, "-k", 2, "--max-iter", 2, "--tol", 0, "--seed", 1)
    prepared = read_trace(result.stdout.encode())
    assert prepared.X is None
    assert prepared.n_samples == 50_001
    assert prepared.columns == ("x1", "x2")
    expected = em_models.mixture.engine.fit(X, 2, max_iter=2, tol=0, rng=1)
    for mine, theirs in zip(prepared.recorded, expected.snapshots, strict=True):
        np.testing.assert_array_equal(mine.params.means, theirs.params.means)
        assert mine.log_likelihood == theirs.log_likelihood
    np.testing.assert_array_equal(prepared.model.ridge_diagonal, expected.model.ridge_diagonal)
    with pytest.raises(TraceFileError, match="has no data") as caught:
        replay(prepared)
    assert "python -m em_core fit … --with-data > run.json" in str(caught.value)


@pytest.mark.parametrize("model", ["mixture", "ppca", "hmm"])
def test_with_data_is_every_models_option(worked_csv, tmp_path, model):
    # Every model writes its data on request, so that Open a prepared run can run it again.
    path = tmp_path / "two.csv"
    path.write_text("".join(f"{x},{2 * x + (x % 3)}\n" for x in range(1, 13)))
    given = worked_csv if model == "hmm" else path
    document = ok_json(run("fit", given, "--model", model, "--with-data"))
    assert document["data"]


def test_select_picks_two_components_on_two_blobs(tmp_path):
    path = tmp_path / "blobs.csv"
    path.write_text(
        "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in two_blobs(seed=6, n_per_blob=40))
    )
    table = ok_json(run("select", path, "--k-min", 1, "--k-max", 4, "--n-init", 3))
    assert table["n_samples"] == 80
    assert table["covariance_type"] == "full"
    assert [row["n_components"] for row in table["rows"]] == [1, 2, 3, 4]
    for row in table["rows"]:
        assert set(row) == {"n_components", "n_parameters", "log_likelihood", "bic", "aic"}
        assert row["n_parameters"] == em_models.mixture.selection.n_parameters(
            row["n_components"], 2, "full"
        )
    assert table["best_bic"] == 2
    best = min(table["rows"], key=lambda row: row["bic"])
    assert best["n_components"] == 2


def test_select_gives_null_scores_when_every_run_fails(tmp_path):
    path = tmp_path / "six.npy"
    np.save(path, np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0]))
    table = ok_json(
        run(
            "select",
            path,
            "--k-max",
            6,
            "--n-init",
            2,
            "--reg-covar",
            0,
        )
    )
    scores = {row["n_components"]: row["bic"] for row in table["rows"]}
    assert scores[1] is not None
    assert scores[6] is None
    assert table["rows"][-1]["log_likelihood"] is None
    assert table["best_bic"] in scores


def test_help_exits_zero():
    result = run("fit", "--help")
    assert result.returncode == 0
    assert "--init-params" in result.stdout


# ---------------------------------------------------------------------------------------------
# Bad inputs: exit 2, one line on stderr, no traceback


def test_missing_file(tmp_path):
    assert_one_line_error(run("fit", tmp_path / "nope.csv"), "cannot read", "nope.csv")


def test_png_bytes_named_csv(tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)))
    assert_one_line_error(run("fit", path), "not a text table of numbers")


def test_more_components_than_samples(worked_csv):
    assert_one_line_error(run("fit", worked_csv, "-k", 7), "n_components=7", "6 samples")


def test_select_k_max_beyond_the_samples(worked_csv):
    assert_one_line_error(run("select", worked_csv), "--k-max 8", "6 samples")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--tol", "-1"], "tol must be ≥ 0"),
        (["--reg-covar=-1e-6"], "reg_covar"),
        # argparse reads "-1e-6" after a space as an option, not a number: still one line
        (["--reg-covar", "-1e-6"], "--reg-covar: expected one argument"),
        (["--max-iter", "-1"], "max_iter"),
        (["-k", "0"], "n_components"),
        (["-k", "two"], "invalid int value: 'two'"),
        (["--covariance-type", "banded"], "invalid choice: 'banded'"),
        (["--init", "kmeans++"], "invalid choice: 'kmeans++'"),
        (["--n-init", "0"], "n_init"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_bad_options(worked_csv, options, fragment):
    assert_one_line_error(run("fit", worked_csv, *options), fragment)


def test_no_command_and_unsupported_suffix(tmp_path):
    assert_one_line_error(run(), "required")
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK\x03\x04")
    assert_one_line_error(run("fit", path), "unsupported file type '.xlsx'")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"weights": [1]}', "keys 'weights', 'means' and 'covariances'"),
        ('{"weights": [0.5, 0.5], "means": [2, 9], "covariances": [1, 1, 1]}', "has shape (3,)"),
        ('{"weights": [0.5, 0.5], "means": [2, 9], "covariances": [[[1]], [[-1]]]}', "positive"),
        ('{"weights": [0.5, 0.7], "means": [2, 9], "covariances": [[[1]], [[1]]]}', "sum to 1"),
        ('{"weights": [0.5, 0.5], "means": [2, "a"], "covariances": [1, 1]}', "could not convert"),
    ],
)
def test_bad_init_params(tmp_path, worked_csv, content, fragment):
    path = tmp_path / "start.json"
    path.write_text(content)
    assert_one_line_error(run("fit", worked_csv, "--init-params", path), fragment)


def test_init_params_conflicts(worked_csv, worked_start):
    assert_one_line_error(
        run("fit", worked_csv, "--init-params", worked_start, "--init", "random"), "--init"
    )
    assert_one_line_error(
        run("fit", worked_csv, "--init-params", worked_start, "--n-init", 3), "--n-init"
    )
    assert_one_line_error(
        run("fit", worked_csv, "--init-params", worked_start, "-k", 3), "3 components", "2"
    )


def test_tied_start_from_unequal_full_matrices(tmp_path, worked_csv):
    path = tmp_path / "start.json"
    path.write_text(
        json.dumps({"weights": [0.5, 0.5], "means": [2, 9], "covariances": [[[1]], [[2]]]})
    )
    assert_one_line_error(
        run("fit", worked_csv, "--init-params", path, "--covariance-type", "tied"),
        "same matrix for every component",
    )


@pytest.mark.parametrize(
    ("array", "fragment"),
    [
        (np.array([1, "a"], dtype=object), "holds Python objects, not an array of numbers"),
        (np.array([1 + 2j, 3]), "real numbers"),
        (np.zeros((3, 2, 2)), "1-D or 2-D"),
        (np.array([1.0, np.nan, 3.0]), "NaN or infinite"),
        (np.array([1.0, 2.0]) * 1e200, "too wide to square"),
    ],
)
def test_bad_npy_files(tmp_path, array, fragment):
    path = tmp_path / "bad.npy"
    np.save(path, array, allow_pickle=True)
    assert_one_line_error(run("fit", path, "-k", 1), fragment)


def test_truncated_npy_and_text_errors(tmp_path):
    path = tmp_path / "empty.npy"
    path.write_bytes(b"")
    assert_one_line_error(run("fit", path), "is not a NumPy .npy file")
    text = tmp_path / "words.csv"
    text.write_text("a,b\n1,x\n")
    assert_one_line_error(run("fit", text))
