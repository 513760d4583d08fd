"""The hidden Markov model against outside answers: hmmlearn iteration by iteration, the
published fit of the earthquake counts, the Gaussian mixture it becomes when its transitions
forget the past, and ℓ never decreasing."""

from __future__ import annotations

import numpy as np
import pytest
from hmmlearn import hmm
from hypothesis import given, settings
from hypothesis import strategies as st

from em_core.em import run_em
from em_models.hmm.datasets import load_sequence
from em_models.hmm.emissions import (
    Categorical,
    CategoricalEmissions,
    Gaussian,
    GaussianEmissions,
    Poisson,
    PoissonEmissions,
)
from em_models.hmm.engine import HMM
from em_models.hmm.params import HMMParams
from em_models.hmm.sequences import Sequences
from em_models.hmm.starts import HMMStart
from em_models.mixture import engine as mixture
from em_models.mixture.gaussian import Parameters

LENGTHS = (40, 25, 60)
N_ITER = 6


def _chain(rng: np.random.Generator, K: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.dirichlet(np.full(K, 2.0)), rng.dirichlet(np.ones(K), size=K) * 0.5 + 0.5 * np.eye(K)


def _ours(X, model: HMM, start: HMMParams):
    trace = run_em(
        Sequences(X, LENGTHS), model, HMMStart("given", None, start), tol=0, max_iter=N_ITER
    )
    assert trace.n_iter == N_ITER, trace.message
    return trace


def _theirs(oracle, X) -> list[tuple[float, dict]]:
    """hmmlearn's ℓ before each update and the parameters after it, one iteration a fit."""
    steps = []
    for _ in range(N_ITER):
        oracle.fit(X, LENGTHS)
        steps.append((oracle.monitor_.history[0], _state(oracle)))
    return steps


def _state(oracle) -> dict:
    names = ["startprob_", "transmat_", "emissionprob_", "means_", "_covars_", "lambdas_"]
    return {name: np.array(getattr(oracle, name)) for name in names if hasattr(oracle, name)}


def _compare(trace, steps, emissions_of) -> None:
    for t, (ll, expected) in enumerate(steps):
        assert trace.snapshots[t].log_likelihood == pytest.approx(ll, rel=1e-9)
        params = trace.snapshots[t + 1].params
        got = {"startprob_": params.startprob, "transmat_": params.transmat}
        got.update(emissions_of(params.emissions))
        for name, value in got.items():
            np.testing.assert_allclose(value, expected[name], rtol=1e-9, atol=1e-12, err_msg=name)


def test_categorical_matches_hmmlearn_iteration_by_iteration() -> None:
    rng = np.random.default_rng(0)
    K, M = 3, 4
    startprob, transmat = _chain(rng, K)
    probs = rng.dirichlet(np.ones(M), size=K)
    X = rng.integers(0, M, size=(sum(LENGTHS), 1))
    oracle = hmm.CategoricalHMM(K, n_iter=1, init_params="", params="ste", tol=-np.inf)
    oracle.startprob_, oracle.transmat_, oracle.emissionprob_ = startprob, transmat, probs
    oracle.n_features = M
    steps = _theirs(oracle, X)
    trace = _ours(
        X, HMM(Categorical(M)), HMMParams(startprob, transmat, CategoricalEmissions(probs))
    )
    _compare(trace, steps, lambda em: {"emissionprob_": em.probs})


@pytest.mark.parametrize("n_features", [1, 2])
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_gaussian_matches_hmmlearn_iteration_by_iteration(covariance_type, n_features) -> None:
    rng = np.random.default_rng(1)
    K = 3
    startprob, transmat = _chain(rng, K)
    centres = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 4.0]])[:, :n_features]
    truth = rng.integers(0, K, size=sum(LENGTHS))
    X = centres[truth] + rng.normal(size=(sum(LENGTHS), n_features))
    means = centres + rng.normal(scale=0.5, size=centres.shape)
    covariances = {
        "full": np.broadcast_to(np.eye(n_features) * 1.5, (K, n_features, n_features)),
        "diag": np.full((K, n_features), 1.5),
        "spherical": np.full(K, 1.5),
        "tied": np.eye(n_features) * 1.5,
    }[covariance_type]
    oracle = hmm.GaussianHMM(
        K,
        covariance_type,
        n_iter=1,
        init_params="",
        params="stmc",
        covars_prior=0.0,
        means_prior=0.0,
        means_weight=0.0,
        tol=-np.inf,
    )
    oracle.startprob_, oracle.transmat_, oracle.means_ = startprob, transmat, means
    oracle.covars_ = covariances
    steps = _theirs(oracle, X)
    model = HMM(Gaussian(covariance_type, np.zeros(n_features), 0.0))
    start = HMMParams(startprob, transmat, GaussianEmissions(means, covariances, covariance_type))
    _compare(
        _ours(X, model, start),
        steps,
        lambda em: {"means_": em.means, "_covars_": _hmmlearn_storage(em)},
    )


def _hmmlearn_storage(em: GaussianEmissions) -> np.ndarray:
    """hmmlearn keeps spherical variances once per feature."""
    if em.covariance_type == "spherical":
        return np.repeat(em.covariances[:, None], em.means.shape[1], axis=1)
    return em.covariances


def test_poisson_matches_hmmlearn_iteration_by_iteration() -> None:
    rng = np.random.default_rng(2)
    K = 3
    startprob, transmat = _chain(rng, K)
    rates = np.array([[2.0, 9.0], [7.0, 1.0], [15.0, 5.0]])
    X = rng.poisson(rates[rng.integers(0, K, size=sum(LENGTHS))])
    start_rates = rates * rng.uniform(0.6, 1.4, size=rates.shape)
    oracle = hmm.PoissonHMM(K, n_iter=1, init_params="", params="stl", tol=-np.inf)
    oracle.startprob_, oracle.transmat_, oracle.lambdas_ = startprob, transmat, start_rates
    steps = _theirs(oracle, X)
    start = HMMParams(startprob, transmat, PoissonEmissions(start_rates))
    _compare(_ours(X, HMM(Poisson()), start), steps, lambda em: {"lambdas_": em.rates})


def test_the_published_earthquake_fit() -> None:
    """Zucchini & MacDonald, 3-state Poisson HMM, start distribution estimated:
    −log L = 328.5275, λ = 13.134, 19.713, 29.710 (the check that the 107 counts are right)."""
    counts = load_sequence("earthquakes").values
    assert counts.shape == (107, 1)
    transmat = np.full((3, 3), 0.1) + 0.7 * np.eye(3)
    start = HMMParams(np.ones(3) / 3, transmat, PoissonEmissions(np.array([10.0, 20.0, 30.0])))
    trace = run_em(counts, HMM(Poisson()), HMMStart("given", None, start), tol=1e-12, max_iter=500)
    assert trace.converged
    assert -trace.final.log_likelihood == pytest.approx(328.5275, abs=5e-5)
    rates = trace.final.params.emissions.rates.ravel()
    assert rates == pytest.approx([13.134, 19.713, 29.710], abs=5e-4)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_transitions_that_forget_give_the_mixture(covariance_type) -> None:
    """Every row of A equal to the weights and π = the weights: the mixture's ℓ and
    responsibilities, to rounding."""
    rng = np.random.default_rng(4)
    x = load_sequence("geyser").values
    weights = rng.dirichlet(np.ones(3))
    fitted = mixture.fit(x, 3, covariance_type=covariance_type, max_iter=3).final.params
    params = Parameters(weights, fitted.means, fitted.covariances, covariance_type)
    expected = mixture.e_step(x, params)
    forgetful = HMMParams(
        weights,
        np.tile(weights, (3, 1)),
        GaussianEmissions(fitted.means, fitted.covariances, covariance_type),
    )
    model = HMM(Gaussian.for_data(x, covariance_type))
    fb = model.forward_backward(model.prepare(x), forgetful)
    ll = fb.log_likelihood
    assert ll == pytest.approx(expected.log_likelihood, rel=1e-13)
    np.testing.assert_allclose(fb.gamma, expected.resp, rtol=1e-11, atol=1e-14)


def _random_model(draw_seed: int, family: str):
    rng = np.random.default_rng(draw_seed)
    K = int(rng.integers(1, 4))
    lengths = tuple(int(n) for n in rng.integers(1, 30, size=int(rng.integers(1, 4))))
    N = sum(lengths)
    startprob, transmat = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), size=K)
    if family == "categorical":
        X = rng.integers(0, 3, size=N)
        return (
            HMM(Categorical(3)),
            X,
            lengths,
            HMMParams(startprob, transmat, CategoricalEmissions(rng.dirichlet(np.ones(3), size=K))),
        )
    if family == "poisson":
        X = rng.poisson(rng.uniform(0.5, 20), size=N)
        return (
            HMM(Poisson()),
            X,
            lengths,
            HMMParams(startprob, transmat, PoissonEmissions(rng.uniform(0.5, 20, size=K))),
        )
    X = rng.normal(size=(N, 2)) * [1.0, 10.0] + rng.integers(0, 3, size=(N, 1)) * 2.0
    means = X[rng.choice(N, size=K)]
    covariances = np.tile(np.diag(X.var(axis=0)) + np.eye(2), (K, 1, 1))
    return (
        HMM(Gaussian("full", np.zeros(2), 0.0)),
        X,
        lengths,
        HMMParams(startprob, transmat, GaussianEmissions(means, covariances, "full")),
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), family=st.sampled_from(["categorical", "poisson", "gaussian"])
)
def test_the_log_likelihood_never_decreases(seed, family) -> None:
    model, X, lengths, start = _random_model(seed, family)
    trace = run_em(Sequences(X, lengths), model, HMMStart("given", None, start), tol=0, max_iter=15)
    ll = trace.log_likelihoods
    assert np.all(np.diff(ll) >= -1e-10 * np.maximum(1.0, np.abs(ll[1:])))
