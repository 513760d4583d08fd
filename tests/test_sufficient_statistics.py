"""What a model's E-step hands its M-step: sufficient statistics, not per-point expectations.

For the Gaussian mixture and probabilistic PCA: the M-step from the statistics of a run's
E-step gives the run's next parameters, and the same parameters as the module's own M-step
from the per-point expectations (responsibilities, E[z_n]); it needs no pass over the data
(it runs with the points taken away); and the statistics' size does not grow with N.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from em_models.hmm import engine as hmm
from em_models.mixture import engine as mixture
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, Statistics
from em_models.ppca import engine as ppca


def blobs(n_samples: int, seed: int = 0) -> np.ndarray:
    """Two 2-D clusters, half the points each."""
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    return np.concatenate(
        [rng.normal([0.0, 0.0], 1.0, (half, 2)), rng.normal([4.0, 1.0], 0.5, (n_samples - half, 2))]
    )


def array_sizes(stats: object) -> int:
    """The number of floats in the arrays a statistics object holds."""
    fields = (getattr(stats, f.name) for f in dataclasses.fields(stats))
    return sum(np.asarray(value).size for value in fields if isinstance(value, np.ndarray))


def assert_same_mixture(mine: Parameters, theirs: Parameters) -> None:
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name), err_msg=name)


# ---------------------------------------------------------------------------------------------
# The Gaussian mixture


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_the_mixtures_m_step_from_the_statistics_is_the_m_step_from_the_responsibilities(
    covariance_type,
):
    X = blobs(120)
    trace = mixture.fit(X, 3, covariance_type=covariance_type, tol=0.0, max_iter=6)
    model = trace.model
    data = model.prepare(X)
    no_points = dataclasses.replace(data, XT=np.empty((X.shape[1], 0)))
    for before, after in itertools.pairwise(trace.snapshots):
        stats, ll = model.e_step(data, before.params)
        assert isinstance(stats, Statistics)
        assert ll == before.log_likelihood
        params, nk = model.m_step(no_points, stats)  # the points are not needed
        assert_same_mixture(params, after.params)
        np.testing.assert_array_equal(nk, after.stats)
        resp = mixture.e_step(X, before.params).resp
        by_hand, nk_by_hand = mixture.m_step(X, resp, covariance_type, model.ridge_diagonal)
        assert_same_mixture(params, by_hand)
        np.testing.assert_array_equal(nk, nk_by_hand)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_the_mixtures_statistics_do_not_grow_with_the_data(covariance_type):
    sizes = set()
    for n_samples in (40, 4000):
        X = blobs(n_samples)
        trace = mixture.fit(X, 2, covariance_type=covariance_type, max_iter=2)
        stats, _ = trace.model.e_step(trace.model.prepare(X), trace.final.params)
        sizes.add(array_sizes(stats))
    assert len(sizes) == 1, sizes


def test_the_mixtures_scatter_is_taken_about_the_weighted_means():
    """With the data 10⁸ from the origin, Σ r x xᵀ − N μ μᵀ would lose every digit of a unit
    variance (each term is 10¹⁶, rounded to units); the centred scatter keeps them."""
    X = blobs(200)
    model = mixture.GaussianMixture.for_data(X, "full")
    params = mixture.fit(X, 2, max_iter=3).final.params
    shifted = Parameters(params.weights, params.means + 1e8, params.covariances, "full")
    here, _ = model.e_step(model.prepare(X), params)
    far, _ = model.e_step(model.prepare(X + 1e8), shifted)
    np.testing.assert_allclose(far.nk, here.nk, rtol=1e-6)
    np.testing.assert_allclose(far.means - 1e8, here.means, atol=1e-6)
    np.testing.assert_allclose(far.scatter, here.scatter, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Probabilistic PCA


def with_outlier(value: float) -> np.ndarray:
    """100 × 3 normal points scaled by diag(3, 2, 1), the first value set to ``value``."""
    X = np.random.default_rng(0).standard_normal((100, 3)) * [3.0, 2.0, 1.0]
    X[0, 0] = value
    return X


PPCA_CASES = [
    pytest.param(lambda: with_outlier(1.0), 1, id="plain-q1"),
    pytest.param(lambda: with_outlier(1.0), 2, id="plain-q2"),
    pytest.param(lambda: with_outlier(1.0) * 1e-8 + 1e8 * 1e-8, 1, id="small-offset-q1"),
    pytest.param(lambda: with_outlier(1.0) + 1e8, 2, id="offset-1e8-q2"),
    pytest.param(lambda: with_outlier(1e6), 1, id="outlier-q1"),
    pytest.param(
        lambda: np.random.default_rng(1).normal(size=(5, 8)), 2, id="fewer-rows-than-columns"
    ),
]


@pytest.mark.parametrize(("make", "q"), PPCA_CASES)
def test_ppcas_m_step_from_the_statistics_is_the_m_step_from_each_points_expectations(make, q):
    X = make()
    trace = ppca.fit(X, q, tol=0.0, max_iter=5)
    model = trace.model
    data = model.prepare(X)
    no_points = dataclasses.replace(data, X=np.empty((0, X.shape[1])))
    for before, after in itertools.pairwise(trace.snapshots):
        stats, ll = model.e_step(data, before.params)
        assert isinstance(stats, ppca.PPCAStatistics)
        assert ll == before.log_likelihood
        params, _ = model.m_step(no_points, stats)  # the points are not needed
        np.testing.assert_array_equal(params.loadings, after.params.loadings)
        assert params.noise_variance == after.params.noise_variance
        by_hand = ppca.m_step(X, ppca.e_step(X, before.params), data.mean)
        np.testing.assert_array_equal(params.loadings, by_hand.loadings)
        assert params.noise_variance == pytest.approx(by_hand.noise_variance, rel=1e-12)


def test_ppcas_residual_from_the_statistics_holds_for_a_mean_other_than_the_datas():
    """E[z_n] is taken about θ's μ; σ² about the data's mean: the statistics carry the E[z]
    of the data's mean, so a start whose μ is not the sample mean gets the same σ²."""
    X = with_outlier(1.0)
    model = ppca.PPCA(2)
    data = model.prepare(X)
    rng = np.random.default_rng(3)
    params = ppca.PPCAParameters(
        data.mean + np.array([0.5, -1.0, 2.0]), rng.normal(size=(3, 2)), 0.8
    )
    stats, _ = model.e_step(data, params)
    expectations = ppca.e_step(X, params)
    loadings = rng.normal(size=(3, 2))
    residual, _ = ppca.noise_variance_parts(X, expectations, loadings, data.mean)
    assert np.linalg.norm(stats.mean_latent) > 0.1
    assert ppca.noise_residual(stats, loadings) == pytest.approx(residual, rel=1e-12)


def test_ppcas_statistics_do_not_grow_with_the_data():
    sizes = set()
    for n_samples in (30, 3000):
        X = np.random.default_rng(n_samples).normal(size=(n_samples, 4)) * [4.0, 2.0, 1.0, 0.5]
        trace = ppca.fit(X, 2, max_iter=2)
        stats, _ = trace.model.e_step(trace.model.prepare(X), trace.final.params)
        sizes.add(array_sizes(stats))
    assert len(sizes) == 1, sizes


HMM_CASES = [
    ("categorical", lambda rng, n: rng.integers(0, 3, size=n)),
    ("poisson", lambda rng, n: rng.poisson(4.0, size=(n, 2))),
    ("gaussian", lambda rng, n: rng.normal(size=(n, 2)) + 1e8),
]


@pytest.mark.parametrize(("emission", "draw"), HMM_CASES, ids=[c[0] for c in HMM_CASES])
def test_the_hmms_m_step_from_the_statistics_is_the_m_step_from_the_posteriors(emission, draw):
    """The counts and the emissions' statistics give what the posteriors γ of the
    forward–backward pass give, summed over every time step; the data are not read."""
    X = draw(np.random.default_rng(3), 200)
    trace = hmm.fit(X, 2, emission=emission, init="random", tol=0.0, max_iter=3, end_state=True)
    model, params = trace.model, trace.snapshots[1].params
    data = model.prepare(X)
    stats, ll = model.e_step(data, params)
    fb = model.forward_backward(data, params)
    assert ll == fb.log_likelihood
    emptied = dataclasses.replace(data, X=None, emission_data=None)
    new, counts = model.m_step(emptied, stats)
    expected = model.family.estimate(data.emission_data, fb.gamma, counts.occupancy)
    for name in ("startprob", "transmat", "endprob"):
        np.testing.assert_array_equal(getattr(new, name), getattr(trace.snapshots[2].params, name))
    for field in dataclasses.fields(expected):
        np.testing.assert_array_equal(
            getattr(new.emissions, field.name), getattr(expected, field.name)
        )


@pytest.mark.parametrize(("emission", "draw"), HMM_CASES, ids=[c[0] for c in HMM_CASES])
def test_the_hmms_statistics_do_not_grow_with_the_sequence(emission, draw):
    sizes = set()
    for n in (50, 5000):
        X = draw(np.random.default_rng(n), n)
        trace = hmm.fit(X, 2, emission=emission, init="random", max_iter=2)
        stats, _ = trace.model.e_step(trace.model.prepare(X), trace.final.params)
        sizes.add(array_sizes(stats))
    assert len(sizes) == 1, sizes
