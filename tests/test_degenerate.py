"""Degenerate data and extreme scales, each with its documented outcome (TESTING.md B9, B10).

Every outcome is one of: a finite fit, a failed run that says which component failed and keeps
its history, or a ValueError whose message says how to fix the input. Never NaN.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import (
    RANDOM_INITS,
    blobs,
    far_component_problem,
    outlier_collapse_problem,
    same_partition,
    snapshots_finite,
)

from em_core import StopReason
from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters

SINGULAR_START = r"covariance of component \d is (not positive definite|too small to compute)"

# ---------------------------------------------------------------------------------------------
# Constant data and too few distinct rows


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_constant_data_one_component_with_a_ridge_is_the_point_and_the_ridge(kind):
    X = np.full((10, 2), 3.0)
    trace = fit(X, 1, covariance_type=kind, reg_covar=1e-6)
    assert trace.converged
    assert snapshots_finite(trace)
    np.testing.assert_allclose(trace.final.params.means, [[3.0, 3.0]])
    np.testing.assert_allclose(
        trace.final.params.full_covariances(), [1e-6 * np.eye(2)], atol=1e-20
    )


def test_constant_data_one_component_without_a_ridge_raises():
    with pytest.raises(ValueError, match=r"not positive definite.*add a ridge"):
        fit(np.full((10, 2), 3.0), 1, reg_covar=0.0)


@pytest.mark.parametrize("init", [*RANDOM_INITS, "given"])
def test_constant_data_two_components_raise_about_distinct_rows(init):
    params = Parameters([0.5, 0.5], [[3.0], [4.0]], [[[1.0]], [[1.0]]], "full")
    with pytest.raises(ValueError, match=r"only 1 distinct rows, too few for 2 components"):
        fit(np.full(10, 3.0), 2, init=init, params=params if init == "given" else None)


@pytest.mark.parametrize("init", RANDOM_INITS)
def test_more_components_than_distinct_points_raises_naming_the_fix(init):
    X = np.repeat([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0]], 10, axis=0)
    with pytest.raises(ValueError, match=r"only 3 distinct rows.*choose fewer components"):
        fit(X, 4, init=init)
    # as many components as distinct points is allowed (with a ridge)
    trace = fit(X, 3, init=init, reg_covar=1e-3)
    assert snapshots_finite(trace)


# ---------------------------------------------------------------------------------------------
# Duplicated rows


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_half_the_rows_duplicated_fits_finite(kind, init):
    base = blobs(21, n_per_blob=20)
    X = np.concatenate([base, base[::2]])  # a third of the rows are copies of others
    trace = fit(X, 3, covariance_type=kind, init=init, rng=1)
    assert not trace.failed, trace.message
    assert snapshots_finite(trace)
    assert np.all(np.isfinite(e_step(X, trace.final.params).resp))


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_duplicating_every_row_doubles_the_log_likelihood_and_changes_nothing_else(kind):
    X = blobs(22, n_per_blob=20)
    start = fit(X, 3, covariance_type=kind, init="random_from_data", max_iter=0).final.params
    once = fit(X, 3, covariance_type=kind, init="given", params=start, tol=0.0, max_iter=10)
    twice = fit(
        np.concatenate([X, X]),
        3,
        covariance_type=kind,
        init="given",
        params=start,
        tol=0.0,
        max_iter=10,
    )
    for a, b in zip(once.snapshots, twice.snapshots, strict=True):
        np.testing.assert_allclose(b.params.means, a.params.means, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            b.params.covariances, a.params.covariances, rtol=1e-10, atol=1e-12
        )
        np.testing.assert_allclose(b.params.weights, a.params.weights, rtol=1e-10)
        assert b.log_likelihood == pytest.approx(2.0 * a.log_likelihood, rel=1e-10)


# ---------------------------------------------------------------------------------------------
# A component that collapses, and one that empties


def test_a_component_collapsing_onto_an_outlier_is_reported_and_the_trace_kept():
    X, start = outlier_collapse_problem()
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0, tol=0.0, max_iter=100)
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failed
    assert not trace.converged
    assert trace.failure.part == 1
    assert trace.message.startswith("Component 2 collapsed in the M-step of iteration 3")
    assert len(trace.snapshots) == 3  # θ_0, θ_1, θ_2: everything before the collapse
    assert snapshots_finite(trace)
    # Component 2 was closing in on the outlier: the last kept snapshot shows it.
    assert trace.final.params.means[1, 0] == pytest.approx(30.0, abs=0.1)
    assert trace.final.params.covariances[1, 0, 0] < 1.0


def test_the_same_outlier_with_a_ridge_converges():
    X, start = outlier_collapse_problem()
    trace = fit(X, 2, init="given", params=start, reg_covar=1e-3, tol=1e-8)
    assert trace.converged, trace.message
    assert snapshots_finite(trace)
    # the ridge is the floor under the outlier's variance
    assert trace.final.params.covariances[1, 0, 0] == pytest.approx(1e-3, rel=1e-6)
    assert trace.final.stats[1] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_an_emptied_component_is_reported(kind):
    X, start = far_component_problem()
    covariances = {
        "full": start.covariances,
        "tied": start.covariances[0],
        "diag": start.covariances[:, 0],
        "spherical": start.covariances[:, 0, 0],
    }[kind]
    start = Parameters(start.weights, start.means, covariances, kind)
    trace = fit(X, 2, covariance_type=kind, init="given", params=start, max_iter=100)
    assert trace.stop_reason is StopReason.EMPTIED
    assert trace.failed
    assert trace.failure.part == 1
    assert trace.message.startswith("Component 2 lost all its points in the M-step of iteration 1")
    assert "fewer components" in trace.message
    assert len(trace.snapshots) == 1  # the start alone, which is valid
    assert snapshots_finite(trace)


# ---------------------------------------------------------------------------------------------
# Collinear data with full covariances


def collinear_data():
    t = np.random.default_rng(1).normal(size=60)
    return {
        # exactly on a line through integers: the data covariance is singular to the last bit
        "integer": np.c_[np.arange(20.0), 2.0 * np.arange(20.0)],
        # on a line with rounding: the data covariance is singular up to rounding
        "random": np.c_[t, 0.3 * t + 1.0],
    }


@pytest.mark.parametrize("name", ["integer", "random"])
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_collinear_data_with_a_ridge_fit_finite(name, init):
    X = collinear_data()[name]
    trace = fit(X, 2, covariance_type="full", init=init, reg_covar=1e-6)
    assert not trace.failed, trace.message
    assert snapshots_finite(trace)
    # the ridge is the floor under every eigenvalue (up to eigvalsh's rounding, ε·largest)
    eigenvalues = np.linalg.eigvalsh(trace.final.params.covariances)
    assert np.all(eigenvalues >= 1e-6 - 1e-12 * eigenvalues.max())


@pytest.mark.parametrize("name", ["integer", "random"])
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_collinear_data_without_a_ridge_raise_a_clear_error(name, init):
    """Documented behaviour: with no ridge, every start the engine builds for collinear data
    has a singular covariance (no cluster has a covariance of its own, and the fallback, the
    covariance of the whole data, is singular too), so fit raises before iterating."""
    with pytest.raises(ValueError, match=SINGULAR_START):
        fit(collinear_data()[name], 2, covariance_type="full", init=init, reg_covar=0.0)


def test_collinear_data_from_a_given_start_report_collapse():
    """A given start with proper covariances gets one iteration; then both components flatten
    onto the line and the run stops as COLLAPSED with its start kept."""
    X = collinear_data()["integer"]
    start = Parameters([0.5, 0.5], [[5.0, 10.0], [15.0, 30.0]], [np.eye(2) * 25.0] * 2, "full")
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0)
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failure.part == 0
    assert "Component 1 collapsed in the M-step of iteration 1" in trace.message
    assert len(trace.snapshots) == 1
    assert snapshots_finite(trace)


# ---------------------------------------------------------------------------------------------
# Scale


def standardised_problem():
    X = blobs(30, n_features=2, n_per_blob=40, separation=5.0)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def labels_of(X, kind, reg_covar):
    trace = fit(X, 3, covariance_type=kind, reg_covar=reg_covar, rng=0, tol=1e-6)
    assert not trace.failed, trace.message
    assert snapshots_finite(trace)
    return e_step(X, trace.final.params).resp.argmax(axis=1)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    ("transform", "reg_covar"),
    [
        pytest.param(lambda Z: Z + 1e8, 1e-6, id="offset-1e8"),
        pytest.param(lambda Z: Z * 1e8, 1e-6, id="scale-1e8"),
        pytest.param(lambda Z: Z * 1e8 + 1e8, 1e-6, id="scale-and-offset-1e8"),
        # reg_covar is in squared data units, as in scikit-learn: data of spread 1e-8 need a
        # ridge scaled by their variance (1e-16), or none.
        pytest.param(lambda Z: Z * 1e-8, 1e-6 * 1e-16, id="scale-1e-8"),
        pytest.param(lambda Z: Z * 1e-8, 0.0, id="scale-1e-8-no-ridge"),
    ],
)
def test_scale_and_offset_give_the_same_clustering(kind, transform, reg_covar):
    Z = standardised_problem()
    reference = labels_of(Z, kind, 1e-6)
    assert len(set(reference.tolist())) == 3
    assert same_partition(labels_of(transform(Z), kind, reg_covar), reference)


def test_a_ridge_in_the_wrong_units_swamps_tiny_data():
    """Documented pitfall: the default ridge, 1e-6, is 1e10 times the variance of data of spread
    1e-8, so every covariance becomes ≈ 1e-6·I and the components cannot tell points apart."""
    Z = standardised_problem() * 1e-8
    trace = fit(Z, 3, reg_covar=1e-6, rng=0)
    np.testing.assert_allclose(
        trace.final.params.covariances, [1e-6 * np.eye(2)] * 3, rtol=1e-6, atol=1e-15
    )


@pytest.mark.parametrize("scale", [1e200, -1e200, 1e160])
def test_data_too_wide_to_square_raise_a_clean_error(scale):
    with pytest.raises(ValueError, match=r"too wide to square in double precision; rescale"):
        fit(standardised_problem() * scale, 2)


def test_a_given_start_below_the_collapse_floor_is_refused():
    """The start is judged like every M-step: a variance below 1e-12 of the data's spread
    counts as collapsed, even if Cholesky happens to accept it, and the message says so."""
    X = np.linspace(0.0, 10.0, 30)
    tiny = 1e-14 * X.var()
    start = Parameters([0.5, 0.5], [[2.0], [8.0]], [[[1.0]], [[tiny]]], "full")
    with pytest.raises(ValueError, match=r"component 2 is too small to compute with: its"):
        fit(X, 2, init="given", params=start, reg_covar=0.0)
