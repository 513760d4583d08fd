"""The engine against scikit-learn's GaussianMixture from the same start (TESTING.md B2, B12).

scikit-learn is a test-only dependency: it is the reference, never imported by em_core.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import blobs, sklearn_precisions
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, from_full
from em_models.mixture.selection import aic, bic, n_parameters
from em_models.mixture.starts import initialise

# sklearn warns that a run stopped by max_iter "did not converge": here that is the point.
no_convergence_warning = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.{ConvergenceWarning.__name__}"
)

ITERATIONS = (1, 2, 5, 10)


def sklearn_from_start(X, start: Parameters, reg_covar: float, max_iter: int) -> GaussianMixture:
    return GaussianMixture(
        n_components=start.n_components,
        covariance_type=start.covariance_type,
        weights_init=np.array(start.weights),
        means_init=np.array(start.means),
        precisions_init=sklearn_precisions(np.array(start.covariances), start.covariance_type),
        reg_covar=reg_covar,
        max_iter=max_iter,
        tol=0.0,
        n_init=1,
        init_params="random_from_data",  # cheap; every parameter is overridden by *_init
        random_state=0,
    ).fit(X)


@no_convergence_warning
@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_features", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_k_iterations_equal_sklearn(kind, n_features, seed):
    X = blobs(seed, n_features=n_features, n_per_blob=30)
    reg_covar = [1e-6, 1e-3, 0.1][seed]
    start = initialise(
        X, 3, method=["kmeans", "random", "random_from_data"][seed], covariance_type=kind, rng=seed
    ).params
    ours = fit(
        X,
        3,
        covariance_type=kind,
        init="given",
        params=start,
        reg_covar=reg_covar,
        tol=0.0,
        max_iter=max(ITERATIONS),
    )
    assert ours.n_iter == max(ITERATIONS), ours.message
    for k in ITERATIONS:
        reference = sklearn_from_start(X, start, reg_covar, k)
        assert reference.n_iter_ == k
        snapshot = ours.snapshots[k]
        np.testing.assert_allclose(
            snapshot.params.weights, reference.weights_, rtol=1e-8, atol=1e-10
        )
        np.testing.assert_allclose(snapshot.params.means, reference.means_, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(
            snapshot.params.covariances, reference.covariances_, rtol=1e-8, atol=1e-10
        )
        # sklearn's score is the mean log-likelihood per sample of its current parameters
        assert snapshot.log_likelihood / X.shape[0] == pytest.approx(reference.score(X), rel=1e-10)


@no_convergence_warning
@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_worked_example_equals_sklearn(kind):
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    full = np.ones((2, 1, 1))
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], from_full(full, kind), kind)
    ours = fit(
        X, 2, covariance_type=kind, init="given", params=start, reg_covar=0.0, tol=0.0, max_iter=3
    )
    for k in (1, 2, 3):
        reference = sklearn_from_start(X, start, 0.0, k)
        np.testing.assert_allclose(ours.snapshots[k].params.means, reference.means_, rtol=1e-10)
        np.testing.assert_allclose(
            ours.snapshots[k].params.covariances, reference.covariances_, rtol=1e-10
        )


def our_parameters(model: GaussianMixture) -> Parameters:
    return Parameters(model.weights_, model.means_, model.covariances_, model.covariance_type)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize(("n_components", "n_features"), [(1, 1), (2, 2), (3, 3), (4, 2)])
def test_n_parameters_bic_aic_match_sklearn(kind, n_components, n_features):
    X = blobs(n_components + n_features, n_features=n_features, n_per_blob=40)
    model = GaussianMixture(n_components, covariance_type=kind, random_state=0).fit(X)
    params = our_parameters(model)
    log_likelihood = e_step(X, params).log_likelihood
    assert log_likelihood / X.shape[0] == pytest.approx(model.score(X), rel=1e-12)
    p = n_parameters(n_components, n_features, kind)
    assert p == model._n_parameters()
    assert bic(log_likelihood, p, X.shape[0]) == pytest.approx(model.bic(X), rel=1e-12)
    assert aic(log_likelihood, p) == pytest.approx(model.aic(X), rel=1e-12)


def test_n_parameters_rejects_an_unknown_type():
    with pytest.raises(ValueError, match="Unknown covariance_type"):
        n_parameters(2, 2, "banded")
