"""The EM engine against its contract (TESTING.md part B, items 1, 3–8, 11–13).

scikit-learn comparisons are in test_against_sklearn.py, degenerate data and scale in
test_degenerate.py, restarts and model selection in test_selection.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import (
    RANDOM_INITS,
    WORKED_MEANS,
    WORKED_SIGMAS,
    WORKED_WEIGHTS,
    WORKED_X,
    assert_same_snapshot,
    assert_same_trace,
    blobs,
    matching,
    outlier_collapse_problem,
    snapshots_finite,
)
from hypothesis import event, given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal, norm

import em_core
from em_core import StopReason
from em_models.mixture.engine import e_step, fit, m_step
from em_models.mixture.gaussian import (
    COVARIANCE_TYPES,
    Parameters,
    from_full,
    weighted_log_prob,
    whitening,
)

REPO = Path(__file__).resolve().parents[1]


def random_parameters(rng: np.random.Generator, n_components: int, n_features: int, kind: str):
    """Random, well-conditioned parameters of any covariance type."""
    weights = rng.dirichlet(np.ones(n_components))
    means = rng.normal(scale=3.0, size=(n_components, n_features))
    a = rng.normal(size=(n_components, n_features, n_features))
    full = a @ np.swapaxes(a, 1, 2) + 0.5 * np.eye(n_features)
    if kind == "tied":
        full = np.broadcast_to(full[0], full.shape)
    return Parameters(weights, means, from_full(full, kind), kind)


# ---------------------------------------------------------------------------------------------
# 1. The worked example


def worked_start() -> Parameters:
    return Parameters(
        WORKED_WEIGHTS,
        np.array(WORKED_MEANS)[:, None],
        (np.array(WORKED_SIGMAS) ** 2)[:, None, None],
        "full",
    )


def test_worked_example_one_iteration_matches_scipy_and_the_article():
    trace = fit(WORKED_X, 2, init="given", params=worked_start(), reg_covar=0.0, max_iter=1, tol=0)
    before, after = trace.snapshots

    # Independent reference: the E- and M-step written out with scipy.stats.norm.
    x, mu, sigma, pi = WORKED_X, np.array(WORKED_MEANS), np.array(WORKED_SIGMAS), 0.5
    joint = pi * norm.pdf(x[:, None], mu, sigma)  # (n, K)
    resp = joint / joint.sum(axis=1, keepdims=True)
    nk = resp.sum(axis=0)
    mu_new = resp.T @ x / nk
    sigma_new = np.sqrt((resp * (x[:, None] - mu_new) ** 2).sum(axis=0) / nk)
    pi_new = nk / nk.sum()
    ll_before = np.log(joint.sum(axis=1)).sum()
    ll_after = np.log((pi_new * norm.pdf(x[:, None], mu_new, sigma_new)).sum(axis=1)).sum()

    np.testing.assert_allclose(after.params.means.ravel(), mu_new, rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(after.params.covariances.ravel()), sigma_new, rtol=1e-12)
    np.testing.assert_allclose(after.params.weights, pi_new, rtol=1e-12)
    np.testing.assert_allclose(after.stats, nk, rtol=1e-12)
    assert before.log_likelihood == pytest.approx(ll_before, abs=1e-10)
    assert after.log_likelihood == pytest.approx(ll_after, abs=1e-10)

    # The article's numbers, to the digits it (and TESTING.md) gives.
    assert round(before.log_likelihood, 4) == -10.5475
    assert round(after.log_likelihood, 4) == -8.5682
    assert after.params.means[1, 0] == pytest.approx(8.8333, abs=1e-4)
    assert np.sqrt(after.params.covariances[0, 0, 0]) == pytest.approx(0.40825, abs=1e-5)
    assert np.sqrt(after.params.covariances[1, 0, 0]) == pytest.approx(0.62361, abs=1e-5)
    assert after.params.weights == pytest.approx([0.5, 0.5], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# 3. Log density


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 3])
def test_weighted_log_prob_matches_scipy_logpdf(kind, n_features):
    rng = np.random.default_rng(n_features)
    params = random_parameters(rng, 3, n_features, kind)
    X = rng.normal(scale=4.0, size=(50, n_features))
    got = weighted_log_prob(np.ascontiguousarray(X.T), params, whitening(params))
    full = params.full_covariances()
    for k in range(params.n_components):
        expected = np.log(params.weights[k]) + multivariate_normal.logpdf(
            X, params.means[k], full[k]
        )
        np.testing.assert_allclose(got[k], expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_e_step_log_likelihood_and_resp_match_scipy(kind):
    rng = np.random.default_rng(7)
    params = random_parameters(rng, 3, 2, kind)
    X = rng.normal(scale=4.0, size=(40, 2))
    full = params.full_covariances()
    joint = np.stack(
        [
            np.log(params.weights[k]) + multivariate_normal.logpdf(X, params.means[k], full[k])
            for k in range(3)
        ],
        axis=1,
    )
    result = e_step(X, params)
    assert result.log_likelihood == pytest.approx(logsumexp(joint, axis=1).sum(), rel=1e-12)
    np.testing.assert_allclose(
        result.resp, np.exp(joint - logsumexp(joint, axis=1, keepdims=True)), atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# 4. Monotone log-likelihood


@st.composite
def em_problems(draw):
    """Well-conditioned data (a few blobs through a mild random linear map) and a start."""
    n_samples = draw(st.integers(5, 60))
    n_features = draw(st.integers(1, 3))
    n_blobs = draw(st.integers(1, 4))
    separation = draw(st.floats(0.0, 8.0))
    data_seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(data_seed)
    centres = rng.normal(scale=separation, size=(n_blobs, n_features))
    mixing = np.eye(n_features) + 0.4 * rng.uniform(-1, 1, size=(n_features, n_features))
    scale = 10.0 ** draw(st.floats(-2.0, 2.0))
    X = scale * (
        centres[rng.integers(0, n_blobs, n_samples)]
        + rng.normal(size=(n_samples, n_features)) @ mixing
    )
    n_components = draw(st.integers(1, min(4, n_samples // 2)))
    init = draw(st.sampled_from(RANDOM_INITS))
    init_seed = draw(st.integers(0, 2**32 - 1))
    return X, n_components, init, init_seed


def assert_non_decreasing(trace, n_samples):
    ll = trace.log_likelihoods
    # ℓ is a sum of n_samples log densities; rounding scales with the size of those terms,
    # so the tolerance is 1e-10 of |ℓ| (or of n_samples when the terms cancel to near 0).
    scale = np.maximum(np.maximum(np.abs(ll[:-1]), np.abs(ll[1:])), n_samples)
    drops = ll[:-1] - ll[1:]
    assert np.all(drops <= 1e-10 * scale), (ll, trace.message)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@settings(max_examples=40, deadline=None)
@given(problem=em_problems())
def test_log_likelihood_never_decreases_without_ridge(kind, problem):
    X, n_components, init, init_seed = problem
    trace = fit(
        X,
        n_components,
        covariance_type=kind,
        init=init,
        rng=init_seed,
        reg_covar=0.0,
        tol=0.0,
        max_iter=40,
    )
    event(f"stop: {trace.stop_reason.value}")
    # A run that fails (a component collapses with no ridge) still has a valid prefix.
    assert snapshots_finite(trace)
    assert_non_decreasing(trace, X.shape[0])


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_a_large_ridge_can_make_the_log_likelihood_decrease(kind):
    """With a ridge the M-step no longer maximises the expected complete-data log-likelihood
    (it returns Σ_k + reg_covar·I, not Σ_k), so EM's guarantee is gone. On the worked example
    with reg_covar equal to the data variance, ℓ falls by more than 0.1 in the first iteration.
    The app shows this as a dip in the curve; it is the ridge, not a bug."""
    variance = float(WORKED_X.var())
    trace = fit(WORKED_X, 2, covariance_type=kind, reg_covar=variance, tol=0.0, max_iter=5)
    ll = trace.log_likelihoods
    assert ll[1] < ll[0] - 0.1
    # Without the ridge the same start only climbs.
    plain = fit(WORKED_X, 2, covariance_type=kind, reg_covar=0.0, tol=0.0, max_iter=5)
    assert_non_decreasing(plain, WORKED_X.shape[0])


# ---------------------------------------------------------------------------------------------
# 5. Invariants at every snapshot


def check_invariants(X, trace):
    lower, upper = X.min(axis=0), X.max(axis=0)
    slack = 1e-9 * (upper - lower + 1.0)
    assert snapshots_finite(trace)
    for snapshot in trace.snapshots:
        result = e_step(X, snapshot.params)
        resp = result.resp
        assert np.all(np.isfinite(resp))
        assert np.all(resp >= 0.0)
        assert np.all(resp <= 1.0)
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
        assert result.log_likelihood == pytest.approx(snapshot.log_likelihood, rel=1e-12)
        params = snapshot.params
        assert np.all(params.weights >= 0.0)
        assert params.weights.sum() == pytest.approx(1.0, abs=1e-12)
        full = params.full_covariances()
        # symmetric to rounding: (D·r) Dᵀ is not bit-symmetric, and Cholesky reads one triangle
        np.testing.assert_allclose(
            full, np.swapaxes(full, 1, 2), rtol=1e-14, atol=1e-15 * np.abs(full).max()
        )
        assert np.all(np.linalg.eigvalsh(full) > 0.0)
        assert np.all(params.means >= lower - slack)
        assert np.all(params.means <= upper + slack)
        if snapshot.stats is not None:
            assert np.all(np.isfinite(snapshot.stats))
            assert snapshot.stats.sum() == pytest.approx(X.shape[0], rel=1e-12)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", RANDOM_INITS)
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: blobs(0, n_features=2), id="blobs2d"),
        pytest.param(lambda: blobs(1, n_features=3, n_per_blob=15), id="blobs3d"),
        pytest.param(lambda: WORKED_X[:, None], id="worked"),
        pytest.param(lambda: np.random.default_rng(3).standard_t(2, size=(80, 2)), id="heavy"),
    ],
)
def test_invariants_hold_at_every_snapshot(kind, init, data):
    X = data()
    trace = fit(X, 3 if X.shape[0] > 6 else 2, covariance_type=kind, init=init, tol=1e-6)
    assert not trace.failed, trace.message
    check_invariants(X, trace)


# ---------------------------------------------------------------------------------------------
# 6. Closed forms of the M-step


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("reg_covar", [0.0, 0.25])
def test_one_component_gives_sample_mean_and_biased_covariance(kind, reg_covar):
    X = blobs(4, n_features=3, n_per_blob=30)
    params, nk = m_step(X, np.ones((X.shape[0], 1)), kind, reg_covar)
    sample_cov = np.cov(X, rowvar=False, bias=True) + reg_covar * np.eye(3)  # 1/N, not 1/(N−1)
    np.testing.assert_allclose(params.means[0], X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(nk, [X.shape[0]])
    np.testing.assert_allclose(params.weights, [1.0])
    expected = {
        "full": sample_cov[None],
        "tied": sample_cov,
        "diag": np.diag(sample_cov)[None],
        "spherical": np.array([np.diag(sample_cov).mean()]),
    }[kind]
    np.testing.assert_allclose(params.covariances, expected, rtol=1e-12)


@pytest.mark.parametrize("reg_covar", [0.0, 1e-3])
def test_tied_diag_spherical_relate_to_full_as_in_sklearn(reg_covar):
    """scikit-learn's test_suffstat_sk_{tied,diag,spherical}: from the same responsibilities,
    diag is the diagonal of the full covariances, spherical the mean of diag, and tied the
    N_k-weighted average of the full covariances."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(70, 3)) @ rng.normal(size=(3, 3))
    resp = rng.dirichlet(np.ones(4), size=70)
    full, nk = m_step(X, resp, "full", reg_covar)
    tied, _ = m_step(X, resp, "tied", reg_covar)
    diag, _ = m_step(X, resp, "diag", reg_covar)
    spherical, _ = m_step(X, resp, "spherical", reg_covar)
    np.testing.assert_allclose(nk, resp.sum(axis=0), rtol=1e-13)
    for other in (tied, diag, spherical):
        np.testing.assert_allclose(other.means, full.means, rtol=1e-13)
        np.testing.assert_allclose(other.weights, full.weights, rtol=1e-13)
    np.testing.assert_allclose(
        diag.covariances, np.diagonal(full.covariances, axis1=1, axis2=2), rtol=1e-12
    )
    np.testing.assert_allclose(spherical.covariances, diag.covariances.mean(axis=1), rtol=1e-12)
    weighted = (nk[:, None, None] * full.covariances).sum(axis=0) / nk.sum()
    np.testing.assert_allclose(tied.covariances, weighted, rtol=1e-12)


def test_m_step_means_are_the_weighted_averages():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 2))
    resp = rng.dirichlet(np.ones(3), size=30)
    params, nk = m_step(X, resp, "full", 0.0)
    for k in range(3):
        np.testing.assert_allclose(params.means[k], np.average(X, axis=0, weights=resp[:, k]))
        diff = X - params.means[k]
        expected = (resp[:, k, None] * diff).T @ diff / nk[k]
        np.testing.assert_allclose(params.covariances[k], expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# 7. History


@pytest.mark.parametrize("init", RANDOM_INITS)
def test_max_iter_zero_records_the_initialisation_alone(init):
    X = blobs(2)
    trace = fit(X, 3, init=init, max_iter=0, rng=5)
    assert trace.n_iter == 0
    assert len(trace.snapshots) == 1
    assert trace.stop_reason is StopReason.MAX_ITER
    start = trace.snapshots[0]
    assert start.iteration == 0
    assert_same_snapshot(start, trace.snapshots[-1])
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(
            getattr(start.params, name), getattr(trace.start.params, name)
        )
    assert start.log_likelihood == pytest.approx(e_step(X, start.params).log_likelihood, rel=1e-14)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_length_is_n_iter_plus_one_and_iterations_are_numbered(kind, init):
    trace = fit(blobs(3), 3, covariance_type=kind, init=init)
    assert len(trace.snapshots) == trace.n_iter + 1
    assert [s.iteration for s in trace.snapshots] == list(range(trace.n_iter + 1))
    assert trace.converged
    assert trace.stop_reason is StopReason.CONVERGED
    assert "Converged" in trace.message


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_stepping_by_hand_equals_the_recorded_run(kind):
    X = blobs(6, n_features=2, n_per_blob=25)
    reg_covar = 1e-4
    trace = fit(
        X, 3, covariance_type=kind, init="random", rng=2, reg_covar=reg_covar, tol=0.0, max_iter=8
    )
    assert trace.n_iter == 8
    params = trace.snapshots[0].params
    for k in range(1, trace.n_iter + 1):
        result = e_step(X, params)
        assert result.log_likelihood == pytest.approx(
            trace.snapshots[k - 1].log_likelihood, rel=1e-12
        )
        params, nk = m_step(X, result.resp, kind, reg_covar)
        recorded = trace.snapshots[k]
        for name in ("weights", "means", "covariances"):
            np.testing.assert_allclose(
                getattr(params, name), getattr(recorded.params, name), rtol=1e-12, atol=1e-12
            )
        np.testing.assert_allclose(nk, recorded.stats, rtol=1e-12)
        np.testing.assert_allclose(result.nk, recorded.stats, rtol=1e-12)


def test_a_run_stopped_by_max_iter_has_a_complete_history():
    X = blobs(8)
    trace = fit(X, 3, init="random", tol=0.0, max_iter=4)
    assert trace.stop_reason is StopReason.MAX_ITER
    assert not trace.converged
    assert not trace.failed
    assert trace.n_iter == 4
    assert len(trace.snapshots) == 5
    assert "max_iter = 4" in trace.message
    assert snapshots_finite(trace)
    assert all(s.stats is not None for s in trace.snapshots[1:])


def test_a_failed_run_keeps_its_history_and_says_why():
    X, start = outlier_collapse_problem()
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0, tol=0.0, max_iter=50)
    assert trace.failed
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failure.part == 1
    assert trace.n_iter == 2
    assert len(trace.snapshots) == 3
    assert snapshots_finite(trace)
    assert "Component 2 collapsed in the M-step of iteration 3" in trace.message
    assert "Add a ridge" in trace.message  # names the fix


# ---------------------------------------------------------------------------------------------
# 8. Log-sum-exp


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("distance", [40.0, 1e4])
def test_a_point_far_from_every_component_gets_finite_responsibilities(kind, distance):
    full = np.array([[[1.0, 0.3], [0.3, 1.0]], [[1.0, 0.3], [0.3, 1.0]]])
    params = Parameters([0.3, 0.7], [[0.0, 0.0], [3.0, 0.0]], from_full(full, kind), kind)
    # distance standard deviations (≥ 1 after whitening) beyond both components
    X = np.array([[0.0, 0.0], [3.0, 0.0], [-distance * 2.0, -distance * 2.0]])
    result = e_step(X, params)
    assert np.all(np.isfinite(result.resp))
    assert np.isfinite(result.log_likelihood)
    np.testing.assert_allclose(result.resp.sum(axis=1), 1.0, atol=1e-14)
    assert np.all((result.resp >= 0.0) & (result.resp <= 1.0))
    # The far point lies on component 1's side: it should be almost entirely component 1's.
    assert result.resp[2, 0] > 0.99


def test_a_point_1e4_sigma_away_in_1d_matches_the_closed_form():
    """Two unit components at 0 and 1; a point at −1e4 has log-odds of exactly
    (μ₂² − μ₁² − 2x(μ₂ − μ₁))/2 = 1e4 + 0.5 for component 1: r₂ = e^(−10000.5) underflows to
    zero, r₁ is one, and log p(x) = log ½ + log N(x | 0, 1)."""
    params = Parameters([0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[1.0]]], "full")
    result = e_step(np.array([[-1e4]]), params)
    np.testing.assert_allclose(result.resp, [[1.0, 0.0]])
    expected = np.log(0.5) + norm.logpdf(-1e4)  # the other term is e^(−1e4) times smaller
    assert result.log_likelihood == pytest.approx(expected, rel=1e-14)


# ---------------------------------------------------------------------------------------------
# 11. Reproducibility and symmetry


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_same_seed_same_run(kind, init):
    X = blobs(9)
    a = fit(X, 3, covariance_type=kind, init=init, rng=123)
    b = fit(X, 3, covariance_type=kind, init=init, rng=123)
    assert_same_trace(a, b)
    assert a.start.seed == 123
    if init != "random_from_data":  # different seed, different start (almost surely)
        c = fit(X, 3, covariance_type=kind, init=init, rng=124, max_iter=0)
        assert not np.array_equal(c.snapshots[0].params.means, a.snapshots[0].params.means)


def test_a_generator_is_accepted_and_advanced():
    X = blobs(9)
    rng = np.random.default_rng(0)
    first = fit(X, 3, init="random", rng=rng, max_iter=0)
    second = fit(X, 3, init="random", rng=rng, max_iter=0)
    assert first.start.seed is None
    assert not np.array_equal(first.snapshots[0].params.means, second.snapshots[0].params.means)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_permuting_rows_changes_nothing_for_a_given_start(kind):
    X = blobs(10, n_features=2, n_per_blob=20)
    start = fit(X, 3, covariance_type=kind, init="random_from_data", rng=1, max_iter=0).final.params
    order = np.random.default_rng(0).permutation(X.shape[0])
    a = fit(X, 3, covariance_type=kind, init="given", params=start, tol=0.0, max_iter=15)
    b = fit(X[order], 3, covariance_type=kind, init="given", params=start, tol=0.0, max_iter=15)
    assert a.n_iter == b.n_iter == 15
    for sa, sb in zip(a.snapshots, b.snapshots, strict=True):
        assert_same_snapshot(sa, sb, rtol=1e-9, atol=1e-10)
    # The responsibilities are the same rows, reordered.
    np.testing.assert_allclose(
        e_step(X[order], b.final.params).resp, e_step(X, a.final.params).resp[order], atol=1e-10
    )


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_permuting_components_of_the_start_permutes_the_result(kind):
    X = blobs(12, n_features=2, n_per_blob=20)
    start = fit(X, 3, covariance_type=kind, init="random_from_data", rng=4, max_iter=0).final.params
    perm = np.array([2, 0, 1])
    covariances = start.covariances if kind == "tied" else start.covariances[perm]
    permuted = Parameters(start.weights[perm], start.means[perm], covariances, kind)
    a = fit(X, 3, covariance_type=kind, init="given", params=start, tol=0.0, max_iter=15)
    b = fit(X, 3, covariance_type=kind, init="given", params=permuted, tol=0.0, max_iter=15)
    final_a, final_b = a.final.params, b.final.params
    np.testing.assert_allclose(final_b.weights, final_a.weights[perm], rtol=1e-9)
    np.testing.assert_allclose(final_b.means, final_a.means[perm], rtol=1e-9, atol=1e-10)
    expected = final_a.covariances if kind == "tied" else final_a.covariances[perm]
    np.testing.assert_allclose(final_b.covariances, expected, rtol=1e-9, atol=1e-10)
    assert b.final.log_likelihood == pytest.approx(a.final.log_likelihood, rel=1e-12)
    # and the matching found from the means alone is that permutation
    np.testing.assert_array_equal(matching(final_b.means, final_a.means), perm)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("init", RANDOM_INITS)
def test_initial_means_are_distinct(kind, init):
    # Only four distinct rows, each repeated: a careless sampler would pick a row twice.
    base = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    X = np.repeat(base, [30, 2, 2, 1], axis=0)
    for seed in range(10):
        means = fit(X, 4, covariance_type=kind, init=init, rng=seed, max_iter=0).final.params.means
        distances = np.linalg.norm(means[:, None] - means[None], axis=2)
        assert np.all(distances[~np.eye(4, dtype=bool)] > 0.0), (seed, means)


# ---------------------------------------------------------------------------------------------
# 12. Bad options


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_components": 0}, r"n_components must be a whole number ≥ 1; got 0"),
        ({"n_components": -2}, r"n_components must be a whole number ≥ 1"),
        ({"n_components": 2.5}, r"n_components must be a whole number"),
        ({"n_components": 7}, r"n_components=7 is more than the 6 samples.*fewer components"),
        ({"tol": -1e-3}, r"tol must be ≥ 0"),
        ({"tol": float("nan")}, r"tol must be ≥ 0"),
        ({"reg_covar": -1e-6}, r"reg_covar \(the ridge\) must be ≥ 0"),
        ({"reg_covar": float("inf")}, r"reg_covar \(the ridge\) must be ≥ 0"),
        ({"max_iter": -1}, r"max_iter must be a whole number ≥ 0"),
        ({"max_iter": 1.5}, r"max_iter must be a whole number"),
        ({"covariance_type": "ful"}, r"Unknown covariance_type 'ful'; choose one of 'full'"),
        ({"init": "kmeans++"}, r"Unknown init method 'kmeans\+\+'; choose one of"),
        ({"init": "given"}, r'init="given" needs starting parameters'),
    ],
)
def test_bad_options_raise_value_error_with_a_message(options, message):
    arguments = {"n_components": 2} | options
    with pytest.raises(ValueError, match=message):
        fit(WORKED_X, **arguments)


def test_bad_data_raise_value_error():
    with pytest.raises(ValueError, match=r"NaN or infinite"):
        fit(np.array([1.0, np.nan, 3.0]), 1)
    with pytest.raises(ValueError, match=r"NaN or infinite"):
        fit(np.array([1.0, np.inf, 3.0]), 1)
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\)"):
        fit(np.zeros((2, 2, 2)), 1)
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\)"):
        fit(np.zeros((0, 2)), 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Parameters([0.5, 0.5], [[2.0], [9.0]], [1.0, 1.0], "full"),
            r"Inconsistent shapes.*'full' covariances for 2 components in 1 dimensions",
        ),
        (
            lambda: Parameters([0.5, 0.5, 0.0], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full"),
            r"Inconsistent shapes",
        ),
        (
            lambda: Parameters([0.5, 0.5], [[2.0], [9.0]], [[1.0]], "diag-ish"),
            r"Unknown covariance_type",
        ),
    ],
)
def test_malformed_parameters_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    ("params", "kind", "message"),
    [
        (
            Parameters([1 / 3] * 3, [[2.0], [5.0], [9.0]], [[[1.0]]] * 3, "full"),
            "full",
            r"starting parameters have 3 components in 1 dimensions; the fit asks for 2",
        ),
        (
            Parameters([0.5, 0.5], [[2.0, 0.0], [9.0, 0.0]], [np.eye(2)] * 2, "full"),
            "full",
            r"the data have 1 features",
        ),
        (
            Parameters([0.5, 0.5], [[2.0], [9.0]], [[1.0], [1.0]], "diag"),
            "full",
            r"starting parameters are 'diag' but the fit asks for 'full'",
        ),
        (
            Parameters([0.5, 0.6], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full"),
            "full",
            r"weights must sum to 1; they sum to 1\.1",
        ),
        (
            Parameters([1.0, 0.0], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full"),
            "full",
            r"Every starting weight must be positive; π_2 = 0\.",
        ),
        (
            Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[-1.0]]], "full"),
            "full",
            r"positive definite",
        ),
        (
            Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[0.0]]], "full"),
            "full",
            r"positive definite",
        ),
        (
            Parameters([0.5, 0.5], [[2.0], [9.0]], [1.0, 0.0], "spherical"),
            "spherical",
            r"positive definite",
        ),
        (
            Parameters([0.5, 0.5], [[2.0], [np.nan]], [[[1.0]], [[1.0]]], "full"),
            "full",
            r"starting means contain NaN",
        ),
    ],
)
def test_bad_given_parameters_raise(params, kind, message):
    with pytest.raises(ValueError, match=message):
        fit(WORKED_X, 2, covariance_type=kind, init="given", params=params)


def test_not_positive_definite_2d_and_asymmetric_given_covariances_raise():
    X = blobs(0, n_features=2, n_per_blob=5)
    indefinite = np.array([[[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])
    params = Parameters([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], indefinite, "full")
    with pytest.raises(ValueError, match=r"positive definite"):
        fit(X, 2, init="given", params=params)
    asymmetric = np.array([[[1.0, 0.5], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]])
    params = Parameters([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], asymmetric, "full")
    with pytest.raises(ValueError, match=r"symmetric"):
        fit(X, 2, init="given", params=params)


def test_parameters_are_read_only():
    trace = fit(WORKED_X, 2)
    with pytest.raises(ValueError, match="read-only"):
        trace.final.params.means[0, 0] = 1.0


# ---------------------------------------------------------------------------------------------
# 13. Warnings are errors; the engine stays free of the UI


def test_warnings_are_errors_in_this_suite(pytestconfig):
    assert "error" in pytestconfig.getini("filterwarnings")
    with pytest.raises(RuntimeWarning, match="overflow"):
        np.exp(np.float64(1000.0))


def test_importing_the_engine_loads_neither_streamlit_nor_plotly():
    code = (
        "import em_core, sys; "
        "assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('streamlit', 'plotly')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert em_core.__all__  # and the package itself imported here too
