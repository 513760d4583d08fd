"""The answer does not depend on the data's units, one outlier does not block a fit, and every
message about a bad start names the real problem (engine and command line)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from engine_helpers import same_partition
from test_cli import assert_one_line_error, ok_json, run

import em_models.mixture.diagnostics
import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.starts
from em_data import load_dataset
from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters

TRANSFORMS = {
    "offset-1e8": lambda X: X + 1e8,
    "scale-1e-8": lambda X: X * 1e-8,
    "scale-1e8": lambda X: X * 1e8,
    "scale-1e-4": lambda X: X * 1e-4,
}


def faithful() -> np.ndarray:
    return np.array(load_dataset("faithful").values)


def labels(X, trace):
    return e_step(X, trace.final.params).resp.argmax(axis=1)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("name", TRANSFORMS)
def test_default_settings_give_the_same_clustering_in_other_units(kind, name):
    """Old Faithful at K = 2 with every default: the same two clusters in any units (with an
    absolute ridge of 1e-6 the clusters merged from a scale of 1e-4 down)."""
    X = faithful()
    reference = fit(X, 2, covariance_type=kind)
    assert not reference.failed
    moved = TRANSFORMS[name](X)
    trace = fit(moved, 2, covariance_type=kind)
    assert not trace.failed, trace.message
    assert trace.n_iter == reference.n_iter
    assert same_partition(labels(moved, trace), labels(X, reference))
    assert len(set(labels(X, reference).tolist())) == 2


def test_the_relative_ridge_is_a_fraction_of_each_columns_variance():
    X = faithful()
    trace = fit(X, 2)
    np.testing.assert_allclose(trace.model.ridge_diagonal, 1e-6 * X.var(axis=0))
    assert trace.model.ridge == 1e-6
    absolute = fit(X, 2, reg_covar=1e-3)
    np.testing.assert_array_equal(absolute.model.ridge_diagonal, [1e-3, 1e-3])
    assert absolute.model.ridge is None
    with pytest.raises(ValueError, match="not both"):
        fit(X, 2, ridge=1e-6, reg_covar=1e-6)


def test_a_constant_column_with_a_relative_ridge_is_refused_with_the_reason():
    X = np.column_stack([np.arange(10.0), np.full(10, 3.0)])
    with pytest.raises(ValueError, match="Column 2 has the same value in every row"):
        fit(X, 1)
    assert not fit(X, 1, reg_covar=1e-6).failed


@pytest.mark.parametrize("name", ["offset-1e8", "scale-1e-8", "scale-1e8"])
def test_the_command_line_default_is_scale_free(tmp_path, name):
    X = faithful()
    reference = fit(X, 2)
    moved = TRANSFORMS[name](X)
    path = tmp_path / "moved.npy"
    np.save(path, moved)
    document = ok_json(run("fit", path, "-k", 2))
    assert document["status"] == "converged"
    assert document["ridge"] == 1e-6
    last = document["iterations"][-1]
    params = Parameters(last["weights"], last["means"], last["covariances"], "full")
    assert same_partition(e_step(moved, params).resp.argmax(axis=1), labels(X, reference))


def test_the_command_line_refuses_both_ridges(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, faithful())
    assert_one_line_error(
        run("fit", path, "--ridge", "1e-6", "--reg-covar", "1e-6"), "not allowed with"
    )


# ---------------------------------------------------------------------------------------------
# One outlier


@pytest.mark.parametrize("outlier", [1e6, 1e7, 1e8])
@pytest.mark.parametrize("k", [2, 3])
def test_one_far_outlier_does_not_block_the_fit(outlier, k):
    """One value of 1e8 among 200 standard-normal points stopped every K ≥ 2 fit with a false
    "not positive definite" (1e6–1e7: "collapsed"). Now it fits, and the outlier's component
    is flagged as nearly collapsed."""
    X = np.concatenate([np.random.default_rng(0).normal(size=200), [outlier]])
    trace = fit(X, k)
    assert not trace.failed, trace.message
    found = labels(X[:, None], trace)
    assert np.sum(found == found[-1]) == 1  # the outlier alone in its component
    flagged = {c.component for c in nearly_collapsed(trace.final, trace.model.ridge_diagonal)}
    assert int(found[-1]) in flagged


# ---------------------------------------------------------------------------------------------
# Messages about bad starts name the real problem


WORKED = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])


def start(weights=(0.5, 0.5), means=(2.0, 9.0), sigmas=(1.0, 1.0)):
    variances = [[[s * s]] for s in sigmas]
    with np.errstate(over="ignore"):  # σ = 1e200 squares to inf, as a page would compute it
        variances = [[[float(np.float64(s) * np.float64(s))]] for s in sigmas]
    return Parameters(list(weights), [[m] for m in means], variances, "full")


BAD_STARTS = [
    pytest.param(
        {"weights": (-0.5, 1.5)}, r"Every starting weight must be positive; π_1 = -0\.5", id="neg"
    ),
    pytest.param({"weights": (0.5, 0.6)}, r"must sum to 1; they sum to 1\.1", id="sum"),
    pytest.param({"means": (2.0, 1e308)}, r"starting mean lies 1e\+308 from the middle", id="mu"),
    pytest.param(
        {"sigmas": (1.0, 1e-150)}, r"component 2 is too small to compute with", id="tiny-sigma"
    ),
    pytest.param(
        {"sigmas": (1.0, 1e200)},
        r"starting covariances contain a value too large for double precision",
        id="huge-sigma",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_STARTS)
def test_a_bad_start_names_the_real_problem(change, message):
    with pytest.raises(ValueError, match=message):
        fit(WORKED, 2, init="given", params=start(**change))


@pytest.mark.parametrize(("change", "message"), BAD_STARTS)
def test_the_command_line_names_the_real_problem_of_a_bad_start(tmp_path, change, message):
    params = start(**change)
    document = {
        "weights": params.weights.tolist(),
        "means": params.means.tolist(),
        "covariances": params.covariances.tolist(),
    }
    path = tmp_path / "start.json"
    # inf is not JSON: write a number that overflows to it when read
    path.write_text(json.dumps(document).replace("Infinity", "1e400"))
    data = tmp_path / "worked.csv"
    data.write_text("\n".join(map(str, WORKED)) + "\n")
    line = assert_one_line_error(run("fit", data, "--init-params", path))
    assert __import__("re").search(message, line), line


def test_a_file_named_npy_that_is_not_one_says_so(tmp_path):
    path = tmp_path / "data.npy"
    path.write_text("1,2\n3,4\n")
    line = assert_one_line_error(run("fit", path, "-k", 1), "is not a NumPy .npy file")
    assert "pickled" not in line


def test_the_default_ridge_is_the_engines_everywhere():
    assert em_models.mixture.starts.DEFAULT_RIDGE == 1e-6
