"""The lower bound behind EM's climb, and ascent on the means (em_models.mixture.bound)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal, norm

import em_models.mixture.bound
import em_models.mixture.engine
import em_models.mixture.gaussian
from em_models.mixture.bound import (
    along_mean,
    bound_of_means,
    em_mean_path,
    gradient_path,
    log_likelihood_of_means,
    lower_bound,
    mean_gradient,
    with_means,
)
from em_models.mixture.engine import e_step, fit, m_step
from em_models.mixture.gaussian import Parameters

X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
START = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")


def scipy_log_likelihood(x, weights, means, sigmas):
    """ℓ of a 1-D mixture, by scipy, independently of the engine."""
    logs = [
        np.log(w) + norm.logpdf(x, m, s) for w, m, s in zip(weights, means, sigmas, strict=True)
    ]
    return float(logsumexp(np.stack(logs, axis=1), axis=1).sum())


def start_and_snapshots():
    """The article's start and the first few snapshots of the engine's run from it."""
    trace = fit(X, 2, init="given", params=START, reg_covar=0.0, tol=0.0, max_iter=4)
    return list(trace.snapshots)


@pytest.mark.parametrize("snapshot", start_and_snapshots(), ids=lambda s: f"t{s.iteration}")
@pytest.mark.parametrize("k", [0, 1])
def test_bound_touches_below_and_peaks_at_the_m_step(snapshot, k):
    log_likelihood, snapshot = snapshot.log_likelihood, snapshot.params
    resp = e_step(X, snapshot).resp
    current = snapshot.means[k, 0]
    # touches ℓ at the current value
    assert lower_bound(X, snapshot, resp) == pytest.approx(log_likelihood, abs=1e-10)
    # lies below ℓ on a grid
    grid = np.linspace(-5.0, 16.0, 841)
    means = along_mean(snapshot, k, grid)
    ell = log_likelihood_of_means(X, snapshot, means)
    bound = bound_of_means(X, snapshot, resp, means)
    assert np.all(bound <= ell + 1e-10)
    # peaks where the engine's M-step puts this mean (others held)
    new_mean = m_step(X, resp, "full", reg_covar=0.0)[0].means[k, 0]
    # The bound is a parabola in one mean (its covariance held): fit one through values far
    # apart and read its vertex (a search by values cannot resolve a flat top to 1e-8).
    around = current + np.linspace(-3.0, 3.0, 7)
    values = bound_of_means(X, snapshot, resp, along_mean(snapshot, k, around))
    a, b, c = np.polyfit(around - current, values, 2)
    np.testing.assert_allclose(np.polyval([a, b, c], around - current), values, atol=1e-9)
    assert a < 0
    peak = current - b / (2 * a)
    assert peak == pytest.approx(new_mean, abs=1e-8)
    assert grid[np.argmax(bound)] == pytest.approx(new_mean, abs=grid[1] - grid[0])


def test_log_likelihood_of_means_matches_scipy_and_the_engine():
    rng = np.random.default_rng(3)
    means = rng.uniform(-3, 14, size=(20, 2, 1))
    values = log_likelihood_of_means(X, START, means)
    for m, value in zip(means, values, strict=True):
        expected = scipy_log_likelihood(X[:, 0], [0.5, 0.5], m[:, 0], [1.0, 1.0])
        assert value == pytest.approx(expected, rel=1e-12)
        assert value == pytest.approx(e_step(X, with_means(START, m)).log_likelihood, rel=1e-12)


def test_bound_is_the_expected_complete_log_likelihood_plus_entropy_by_scipy():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(30, 2))
    cov = np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, -0.1], [-0.1, 0.7]]])
    params = Parameters([0.3, 0.7], [[0.0, 0.0], [1.0, -1.0]], cov, "full")
    resp = rng.dirichlet([1.0, 1.0], size=30)
    expected = sum(
        resp[:, k]
        @ (np.log(params.weights[k]) + multivariate_normal(params.means[k], cov[k]).logpdf(data))
        for k in range(2)
    ) - np.sum(resp * np.log(resp))
    assert lower_bound(data, params, resp) == pytest.approx(expected, rel=1e-12)
    # any responsibilities give a bound below ℓ; the E-step's give ℓ itself
    ell = e_step(data, params).log_likelihood
    assert lower_bound(data, params, resp) < ell
    assert lower_bound(data, params, e_step(data, params).resp) == pytest.approx(ell, abs=1e-10)


def test_a_point_owned_by_one_component_adds_no_entropy():
    resp = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert em_models.mixture.bound.entropy(resp) == pytest.approx(np.log(2.0))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-4.0, 14.0),
    st.floats(-4.0, 14.0),
    st.floats(0.3, 3.0),
    st.floats(0.3, 3.0),
    st.floats(0.1, 0.9),
)
def test_gradient_matches_finite_differences(m1, m2, s1, s2, w):
    params = Parameters([w, 1 - w], [[m1], [m2]], [[[s1**2]], [[s2**2]]], "full")
    gradient = mean_gradient(X, params)
    h = 1e-5
    for k in range(2):
        up, down = along_mean(params, k, [params.means[k, 0] + h, params.means[k, 0] - h])
        ell_up, ell_down = log_likelihood_of_means(X, params, np.stack([up, down]))
        numeric = (ell_up - ell_down) / (2 * h)
        assert gradient[k, 0] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_gradient_in_two_dimensions_matches_finite_differences():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(25, 2))
    cov = np.array([[[1.0, 0.4], [0.4, 1.5]], [[0.6, 0.0], [0.0, 0.4]]])
    params = Parameters([0.4, 0.6], [[0.5, 0.0], [-0.5, 1.0]], cov, "full")
    gradient, h = mean_gradient(data, params), 1e-6
    for k in range(2):
        for i in range(2):
            step = np.zeros((2, 2))
            step[k, i] = h
            ell = log_likelihood_of_means(data, params, np.stack([params.means + step]))
            ell_back = log_likelihood_of_means(data, params, np.stack([params.means - step]))
            assert gradient[k, i] == pytest.approx((ell - ell_back)[0] / (2 * h), rel=1e-6)


def test_em_on_the_means_never_decreases_and_matches_the_engine_first_mean_step():
    path = em_mean_path(X, START, tol=0.0, max_iter=20)
    assert np.all(np.diff(path.log_likelihoods) >= -1e-12)
    # the first step's means are the engine's first M-step means (the means do not depend on σ)
    first = fit(X, 2, init="given", params=START, reg_covar=0.0, max_iter=1).snapshots[1].params
    np.testing.assert_allclose(path.means[1], first.means, atol=1e-12)
    # only the chosen mean moves
    one = em_mean_path(X, START, components=(1,), tol=0.0, max_iter=5)
    np.testing.assert_array_equal(one.means[:, 0], np.full((6, 1), 2.0))
    assert one.means[-1, 1, 0] == pytest.approx(53 / 6, abs=1e-6)


def test_paths_stop_by_the_engines_rule():
    tol = 1e-6
    for path in (em_mean_path(X, START, tol=tol), gradient_path(X, START, step_size=0.1, tol=tol)):
        assert path.converged
        changes = np.abs(np.diff(path.log_likelihoods)) / len(X)
        assert changes[-1] < tol
        assert np.all(changes[:-1] >= tol)
        assert path.log_likelihoods[-1] == pytest.approx(-10.5058476, abs=1e-4)


def test_gradient_step_of_sigma_squared_over_nk_is_the_em_step():
    # With well-separated groups (N_k = 3, σ = 1), the step 1/3 is EM's mean update.
    em = em_mean_path(X, START, tol=0.0, max_iter=1)
    gd = gradient_path(X, START, step_size=1 / 3, tol=0.0, max_iter=1)
    np.testing.assert_allclose(gd.means[1], em.means[1], atol=1e-6)


def test_too_large_a_step_is_reported_not_converged():
    path = gradient_path(X, START, step_size=5.0, tol=1e-6, max_iter=200)
    assert not path.converged
    assert path.diverged or path.n_steps == 200


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="step_size"):
        gradient_path(X, START, step_size=0.0)
    with pytest.raises(ValueError, match="tol"):
        em_mean_path(X, START, tol=-1.0)
    with pytest.raises(ValueError, match="means must have shape"):
        log_likelihood_of_means(X, START, np.zeros((3, 1, 1)))


@pytest.mark.parametrize("sigma", [1.0, 3.5])
def test_each_paths_log_likelihoods_are_the_engines(sigma):
    params = Parameters([0.5, 0.5], [[5.0], [6.0]], [[[sigma**2]], [[sigma**2]]], "full")
    for path in (
        em_mean_path(X, params, tol=1e-8),
        gradient_path(X, params, step_size=0.3, tol=1e-8),
    ):
        engine = [e_step(X, with_means(params, m)).log_likelihood for m in path.means]
        np.testing.assert_allclose(path.log_likelihoods, engine, rtol=1e-12)
