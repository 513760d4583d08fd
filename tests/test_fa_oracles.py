"""Factor analysis by EM against published and independent answers.

- scikit-learn's FactorAnalysis (test-only) is not EM but an SVD-based fixed-point method;
  it maximises the same likelihood, so at convergence its W Wᵀ + Ψ (``get_covariance``) and
  N × ``score`` (its ℓ) must be ours, on data with a well-identified optimum. W itself is
  free up to a rotation, so it is never compared.
- Harman's census data (12 tracts × 5 variables), standardised, two factors: the published
  maximum-likelihood communalities, with population a Heywood case that EM creeps toward.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import FactorAnalysis

from em_core.model import StopReason
from em_data import load_dataset
from em_models.fa import engine as fa
from em_models.fa.census import PUBLISHED_COMMUNALITIES, load_census


def iris_species(name: str) -> np.ndarray:
    """One species of the iris data. (All 150 flowers with one factor are a Heywood case,
    petal length's ψ heading for 0, and two factors have more parameters than four
    variables' covariance: within a species the optimum is well identified.)"""
    iris = load_dataset("iris")
    return iris.values[np.asarray(iris.labels) == name]


def drawn(seed: int, n_samples: int = 500, n_features: int = 8, n_factors: int = 2):
    """Data drawn from the model, with a known W, Ψ and an offset."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_features, n_factors))
    psi = rng.uniform(0.2, 1.0, size=n_features)
    z = rng.normal(size=(n_samples, n_factors))
    return z @ W.T + rng.normal(size=(n_samples, n_features)) * np.sqrt(psi) + 5.0


CASES = [
    pytest.param(lambda: iris_species("versicolor"), 1, id="iris-versicolor-q1"),
    pytest.param(lambda: iris_species("virginica"), 1, id="iris-virginica-q1"),
    pytest.param(lambda: drawn(1), 2, id="drawn-d8-q2"),
    pytest.param(lambda: drawn(5, n_features=10, n_factors=3), 3, id="drawn-d10-q3"),
]


@pytest.mark.parametrize("standardise", [True, False], ids=["standardised", "raw"])
@pytest.mark.parametrize(("make", "n_factors"), CASES)
def test_the_maximum_is_scikit_learns(make, n_factors, standardise):
    X = make()
    trace = fa.fit(X, n_factors, standardise=standardise, tol=1e-14, max_iter=3000)
    assert trace.stop_reason is StopReason.CONVERGED
    fitted = (X - X.mean(axis=0)) / X.std(axis=0) if standardise else X
    theirs = FactorAnalysis(n_factors, tol=1e-13, max_iter=100_000, svd_method="lapack")
    theirs.fit(fitted)
    ours = trace.final.params.covariance()
    np.testing.assert_allclose(ours, theirs.get_covariance(), rtol=0, atol=1e-6 * abs(ours).max())
    their_ll = fitted.shape[0] * theirs.score(fitted)
    assert trace.final.log_likelihood == pytest.approx(their_ll, rel=1e-6)


def test_harmans_census_data_population_is_a_heywood_case_em_creeps_toward():
    X, columns = load_census()
    trace = fa.fit(X, 2, standardise=True, columns=columns, tol=0, max_iter=20_000)
    # EM never reaches ψ_population = 0: the run is not stopped as a Heywood case yet, and
    # ψ_population is still falling at its last iteration.
    assert trace.stop_reason is StopReason.MAX_ITER
    psi = np.array([s.params.noise_variances[0] for s in trace.snapshots[-1000:]])
    assert np.all(np.diff(psi) < 0)
    assert fa.HEYWOOD_FRACTION < psi[-1] < 1e-4
    h2 = fa.communalities(trace.final.params)
    # Population's communality is about 0.9999 after 20,000 iterations, on its way to 1.
    assert 0.9999 < h2[0] < 1.0
    # The others, rounded to three decimals, are the published values.
    np.testing.assert_array_equal(np.round(h2[1:], 3), PUBLISHED_COMMUNALITIES[1:])
    assert np.all(np.diff(trace.log_likelihoods) >= 0)
