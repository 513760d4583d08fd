"""The prepared cases of the page on collapsing components (issue 10): what the engine does
with them, checked against SciPy's normal density where a number is at stake."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from em_core import Change, Snapshot, StopReason
from em_core.likelihood_change import decreases, trace_change
from em_data import load_dataset
from em_models.mixture.collapse_figures import (
    COLLAPSE_START,
    EMPTY_START,
    SQRT_2PI,
    counts_figure,
    likelihood_figure,
    peak_table,
    readable,
    refused_log_likelihood,
    refused_step,
    ridge_outcomes_table,
    sigma_figure,
    smallest_sigma_floor,
)
from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.engine import EMPTY_NK, fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.starts import DEFAULT_RIDGE

X = np.asarray(load_dataset("worked_example").values)
x = X[:, 0]


def collapse_run(**settings):
    return fit(X, 3, init="given", params=COLLAPSE_START, **settings)


def empty_run(**settings):
    return fit(X, 3, init="given", params=EMPTY_START, **settings)


def scipy_log_likelihood(snapshot) -> float:
    sigma = np.sqrt(snapshot.params.full_covariances()[:, 0, 0])
    density = snapshot.params.weights * norm.pdf(x[:, None], snapshot.params.means[:, 0], sigma)
    return float(np.log(density.sum(axis=1)).sum())


def scipy_m_step(snapshot):
    """One E-step and M-step by hand with scipy's density, no ridge: (N_k, μ_k, σ_k²)."""
    sigma = np.sqrt(snapshot.params.full_covariances()[:, 0, 0])
    density = snapshot.params.weights * norm.pdf(x[:, None], snapshot.params.means[:, 0], sigma)
    resp = density / density.sum(axis=1, keepdims=True)
    nk = resp.sum(axis=0)
    mu = resp.T @ x / nk
    var = (resp * (x[:, None] - mu) ** 2).sum(axis=0) / nk
    return nk, mu, var


# ---------------------------------------------------------------------------------------------
# The collapse


@pytest.mark.parametrize("settings", [{"ridge": 0.0}, {"reg_covar": 0.0}])
def test_without_a_ridge_component_2_collapses_onto_the_point_8(settings):
    trace = collapse_run(tol=1e-3, max_iter=100, **settings)
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failure.part == 1
    assert trace.n_iter == 11
    assert trace.message.startswith("Component 2 collapsed in the M-step of iteration 12")
    sigma_2 = np.sqrt([s.params.covariances[1, 0, 0] for s in trace.snapshots])
    assert sigma_2[0] == 1.0
    assert sigma_2[-1] < 0.12
    assert np.all(np.diff(sigma_2[3:]) < 0)  # falling at every step from θ3 on
    # EM never lowers ℓ, and the kept ℓ are scipy's
    lls = trace.log_likelihoods
    assert np.all(np.diff(lls) > 0)
    np.testing.assert_allclose(lls, [scipy_log_likelihood(s) for s in trace.snapshots], rtol=1e-10)
    assert trace.final.params.means[1, 0] == pytest.approx(8.0, abs=0.02)


def test_the_collapse_happens_at_every_tolerance_up_to_the_default():
    for tol in (1e-3, 1e-4, 1e-8, 0.0):
        trace = collapse_run(ridge=0.0, tol=tol, max_iter=500)
        assert trace.stop_reason is StopReason.COLLAPSED, tol
        assert trace.n_iter == 11


@pytest.mark.parametrize("tol", [1e-1, 1e-2])
def test_a_loose_tolerance_stops_the_run_before_the_collapse(tol):
    """Documented on the page: ℓ barely moves between θ1 and θ2, and a loose tol takes that
    for convergence, while the collapse is still ahead."""
    trace = collapse_run(ridge=0.0, tol=tol)
    assert trace.stop_reason is StopReason.CONVERGED
    assert trace.n_iter == 2
    assert trace.change(2) < 1e-2


def test_the_refused_step_is_the_m_step_after_the_last_snapshot_and_is_unbounded():
    trace = collapse_run(ridge=0.0)
    refused = refused_step(X, trace)
    nk, mu, var = scipy_m_step(trace.final)
    assert refused.component == 1
    assert refused.point == 8.0
    np.testing.assert_allclose(refused.nk, nk, rtol=1e-9)
    assert refused.params.means[1, 0] == pytest.approx(mu[1], rel=1e-12)
    assert refused.variance == pytest.approx(var[1], rel=1e-6)
    # far below the smallest σ the engine accepts, and a peak of millions
    assert refused.sigma < 1e-2 * smallest_sigma_floor(X, refused.params.means)
    assert refused.peak == pytest.approx(refused.weight / (refused.sigma * SQRT_2PI))
    assert refused.peak > 1e6
    assert refused.weight == pytest.approx(1 / 6, rel=1e-4)
    # ℓ of the refused parameters: far above every kept one, and scipy's
    ll = refused_log_likelihood(X, refused)
    assert ll > trace.final.log_likelihood + 10
    sigma = np.sqrt(refused.params.full_covariances()[:, 0, 0])
    density = refused.params.weights * norm.pdf(x[:, None], refused.params.means[:, 0], sigma)
    assert ll == pytest.approx(np.log(density.sum(axis=1)).sum(), rel=1e-9)


def test_the_peak_grows_as_sigma_shrinks_in_the_table():
    trace = collapse_run(ridge=0.0)
    refused = refused_step(X, trace)
    table = peak_table(trace, 1, refused)
    assert len(table) == trace.n_iter + 2
    assert table["parameters"].iloc[-1] == "refused step"
    assert table.iloc[-1, 3] == readable(refused.peak)
    first = trace.snapshots[0]
    assert table.iloc[0, 3] == readable(first.params.weights[1] / (1.0 * SQRT_2PI))


def test_with_the_default_ridge_the_run_converges_but_the_component_sits_on_the_point():
    trace = collapse_run()  # the engine's default: a relative ridge of 1e-6
    assert trace.model.ridge == DEFAULT_RIDGE
    assert not trace.failed
    assert trace.stop_reason is StopReason.CONVERGED
    assert refused_step(X, trace) is None
    floor = DEFAULT_RIDGE * x.var()
    # σ₂² is the ridge itself: the point 8 alone, held up by the ridge
    assert trace.final.params.covariances[1, 0, 0] == pytest.approx(floor, rel=1e-3)
    flagged = nearly_collapsed(trace.final, trace.model.ridge_diagonal)
    assert [item.component for item in flagged] == [1]
    assert flagged[0].held_by_ridge
    assert flagged[0].few_points


def test_the_ridge_sets_the_likelihood_a_smaller_ridge_a_larger_l():
    ends = [collapse_run(ridge=r).final.log_likelihood for r in (1e-8, 1e-6, 1e-4)]
    assert ends[0] > ends[1] > ends[2]
    # the gain is about −½ log of the ridge's ratio: log 10 for a hundredfold ridge
    assert ends[0] - ends[1] == pytest.approx(np.log(10.0), rel=0.05)


@pytest.mark.parametrize("ridge", [1e-8, 1e-6, 1e-4, 1e-2, 1e-1, 1.0])
def test_no_ridge_lets_the_run_collapse_and_every_variance_is_at_least_the_ridge(ridge):
    trace = collapse_run(ridge=ridge, tol=1e-6, max_iter=300)
    assert not trace.failed, trace.message
    added = ridge * x.var()
    for snapshot in trace.snapshots[1:]:
        assert np.all(snapshot.params.covariances[:, 0, 0] >= added * (1 - 1e-12))


def test_a_large_ridge_lets_l_fall_and_the_classifier_says_so():
    trace = collapse_run(ridge=1e-2, tol=1e-6, max_iter=300)
    lls = np.array([scipy_log_likelihood(s) for s in trace.snapshots])
    scipy_falls = [t for t in range(1, lls.size) if lls[t] < lls[t - 1] - 1e-9 * abs(lls[t])]
    assert scipy_falls, "the ridge of 1e-2 should make ℓ fall at some iteration"
    assert decreases(trace) == scipy_falls
    assert all(trace_change(trace, t) is Change.RIDGE_DECREASE for t in scipy_falls)
    # and the variances are biased upward by exactly the ridge
    own = scipy_m_step(trace.snapshots[-2])[2]
    assert trace.final.params.covariances[0, 0, 0] == pytest.approx(
        own[0] + 1e-2 * x.var(), rel=1e-6
    )


def test_the_ridge_table_has_one_row_per_ridge_with_the_engine_status():
    runs = [(r, collapse_run(ridge=r)) for r in (0.0, 1e-6, 1e-2)]
    table = ridge_outcomes_table(runs)
    assert table["status"].tolist() == ["collapsed", "converged", "converged"]
    assert table["ridge"].tolist() == ["0", "1 × 10⁻⁶", "0.01"]
    assert table["iterations"].tolist() == [t.n_iter for _, t in runs]


# ---------------------------------------------------------------------------------------------
# The emptying component


@pytest.mark.parametrize("settings", [{"ridge": 0.0}, {}, {"ridge": 1e-2}])
def test_component_3_empties_and_the_engine_stops_keeping_the_run(settings):
    trace = empty_run(tol=0.0, max_iter=100, **settings)
    assert trace.stop_reason is StopReason.EMPTIED
    assert trace.failed
    assert trace.failure.part == 2
    assert trace.n_iter == 3
    assert trace.message.startswith("Component 3 lost all its points in the M-step of iteration 4")
    assert "fewer components or another start" in trace.message
    counts = np.array([s.stats[2] for s in trace.snapshots[1:]])
    assert np.all(np.diff(counts) < 0)
    assert np.all(counts >= EMPTY_NK)
    refused = refused_step(X, trace)
    assert refused.nk[2] < EMPTY_NK
    # scipy agrees on the count the engine refused
    assert refused.nk[2] == pytest.approx(scipy_m_step(trace.final)[0][2], rel=1e-6)


def test_with_a_tolerance_the_same_start_converges_with_a_useless_component():
    trace = empty_run(tol=1e-3)
    assert trace.stop_reason is StopReason.CONVERGED
    assert trace.final.params.weights[2] < 1e-5


def test_the_figures_mark_the_refused_step():
    trace = collapse_run(ridge=0.0)
    refused = refused_step(X, trace)
    sigma_fig = sigma_figure(X, trace, refused)
    crosses = [t for t in sigma_fig.data if t.name.startswith("refused step")]
    assert len(crosses) == 1
    assert crosses[0].x == (trace.n_iter + 1,)
    assert crosses[0].y[0] == pytest.approx(refused.sigma)
    ll_fig = likelihood_figure(trace, refused_log_likelihood(X, refused))
    assert any(t.name.startswith("refused step") for t in ll_fig.data)
    empty = empty_run(tol=0.0)
    counts = counts_figure(empty, refused_step(X, empty))
    line = next(t for t in counts.data if t.name.startswith("emptied below"))
    assert line.y == (EMPTY_NK, EMPTY_NK)
    # no refused step, no cross
    healthy = collapse_run()
    assert not any(t.name.startswith("refused") for t in sigma_figure(X, healthy, None).data)


def test_with_a_ridge_the_sigma_chart_draws_the_floor_it_sets_and_sigma_2_lies_on_it():
    trace = collapse_run()
    floor = next(t for t in sigma_figure(X, trace, None).data if t.name.startswith("floor"))
    assert floor.y[0] == pytest.approx(np.sqrt(DEFAULT_RIDGE * x.var()))
    assert np.sqrt(trace.final.params.covariances[1, 0, 0]) == pytest.approx(floor.y[0], rel=1e-3)
    assert not any(
        t.name.startswith("floor") for t in sigma_figure(X, collapse_run(ridge=0.0), None).data
    )


# ---------------------------------------------------------------------------------------------
# What counts as held up by the ridge: without it, the covariance would be singular or the
# likelihood unbounded (too few points for a covariance of its own, or a spread the ridge
# dominates); a few points that spread well beyond the ridge are a real optimum.


def snapshot(covariances, nk):
    """A two-component snapshot with the given full covariances and effective counts."""
    covariances = np.asarray(covariances, dtype=np.float64)
    params = Parameters(
        np.array([0.5, 0.5]), np.zeros((2, covariances.shape[-1])), covariances, "full"
    )
    return Snapshot(5, params, -10.0, np.asarray(nk, dtype=np.float64))


def flagged(snap, ridge) -> list[int]:
    return [c.component for c in nearly_collapsed(snap, np.asarray(ridge, dtype=np.float64))]


def test_two_points_that_spread_far_beyond_the_ridge_are_not_a_collapse():
    """Two galaxies 86 km/s apart: variance 43² = 1849 km²/s² against a ridge of 21 km²/s²,
    about 88 ridges. Without the ridge the variance is the same, so nothing holds it up."""
    ridge = 21.0
    snap = snapshot([[[1849.0 + ridge]], [[1e6]]], [2.0, 80.0])
    assert flagged(snap, [ridge]) == []
    # the same two points as close as the ridge is wide are held up by it
    close = snapshot([[[0.9 * ridge + ridge]], [[1e6]]], [2.0, 80.0])
    (item,) = nearly_collapsed(close, np.array([ridge]))
    assert item.component == 0
    assert item.ridge_dominated
    assert not item.few_points


@pytest.mark.parametrize(
    ("spread", "held"), [(0.0, True), (1.0, True), (1.1, False), (87.0, False)]
)
def test_a_spread_the_ridge_dominates_is_held_up_by_it(spread, held):
    """The points' own smallest variance, in ridges: at most one ridge, the ridge at least
    half of the component's variance, and it is held up by the ridge."""
    ridge = np.array([2.0, 0.5])
    cov = np.diag(ridge * (1.0 + spread))
    cov[0, 0] += 100.0  # wide along the first axis: only the thinnest direction counts
    snap = snapshot([cov, np.eye(2) * 100], [30.0, 30.0])
    assert flagged(snap, ridge) == ([0] if held else [])


@pytest.mark.parametrize(
    ("covariance_type", "n_features", "nk", "held"),
    [
        ("full", 1, 1.5, True),
        ("full", 1, 1.9, False),  # two points on a line: a variance of their own
        ("full", 2, 2.4, True),  # two points in a plane: a singular covariance
        ("full", 2, 2.6, False),
        ("full", 4, 4.5, True),  # about one point per dimension
        ("full", 4, 5.5, False),
        ("diag", 3, 1.5, True),
        ("diag", 3, 1.9, False),
        ("spherical", 3, 1.5, True),
        ("tied", 3, 1.0, False),  # a shared covariance is never too few points
    ],
)
def test_too_few_points_for_a_covariance_of_its_own_is_held_up_by_the_ridge(
    covariance_type, n_features, nk, held
):
    wide = 100.0 * np.eye(n_features)  # far above the ridge in every direction
    covariances = {
        "full": np.stack([wide, wide]),
        "tied": wide,
        "diag": np.full((2, n_features), 100.0),
        "spherical": np.full(2, 100.0),
    }[covariance_type]
    params = Parameters(
        np.array([0.5, 0.5]), np.zeros((2, n_features)), covariances, covariance_type
    )
    snap = Snapshot(5, params, -10.0, np.array([nk, 50.0]))
    found = nearly_collapsed(snap, np.ones(n_features))
    assert [c.component for c in found] == ([0] if held else [])
    assert all(c.few_points and not c.ridge_dominated for c in found)
