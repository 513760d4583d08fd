"""The prepared local-optimum case of the "Restarts and local optima" page, at engine level.

On iris with K = 3 (full covariances, K-means start, the engine's default stopping rule and
relative ridge), the K-means start of seed 0 converges to a clearly worse optimum than the
best of ten restarts drawn from seed 0. scikit-learn is the oracle that the higher value is
a real optimum of the same model and not an artefact of the engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

import em_models.mixture.diagnostics
import em_models.mixture.engine
import em_models.mixture.selection
from em_data import load_dataset

K = 3
N_INIT = 10


@pytest.fixture(scope="module")
def iris() -> np.ndarray:
    return np.asarray(load_dataset("iris").values)


def test_one_kmeans_start_is_stuck_where_restarts_climb_higher(iris) -> None:
    single = em_models.mixture.engine.fit(iris, K, covariance_type="full", init="kmeans", rng=0)
    restarts = em_models.mixture.selection.fit_restarts(
        iris, K, n_init=N_INIT, seed=0, init="kmeans"
    )
    assert single.converged
    assert not single.failed
    assert restarts.best is not None
    assert restarts.best.converged
    gap = restarts.best.final.log_likelihood - single.final.log_likelihood
    # Not a matter of the stopping rule: far more than the tolerance allows (tol × N).
    assert gap > 100 * single.tol * single.n_samples
    assert single.final.log_likelihood == pytest.approx(-202.25, abs=0.01)
    assert restarts.best.final.log_likelihood == pytest.approx(-180.22, abs=0.01)


def test_the_restarts_separate_the_stuck_run_from_the_others(iris) -> None:
    restarts = em_models.mixture.selection.fit_restarts(
        iris, K, n_init=N_INIT, seed=0, init="kmeans"
    )
    optima = restarts.optima()
    assert len(optima) == 2
    best, worse = optima
    assert restarts.best_index in best.runs
    assert len(best.runs) == N_INIT - 1
    # The stuck run of the restarts is the first one (the page replays it), and it stopped
    # where the single start of seed 0 did.
    assert worse.runs == (0,)
    single = em_models.mixture.engine.fit(iris, K, rng=0)
    assert worse.log_likelihood == pytest.approx(single.final.log_likelihood, abs=0.3)


def test_the_stuck_run_converged_and_did_not_merely_stop_early(iris) -> None:
    # Continued with a tolerance a million times tighter, the stuck run stays far below.
    single = em_models.mixture.engine.fit(iris, K, rng=0, tol=1e-9, max_iter=2000)
    assert single.converged
    restarts = em_models.mixture.selection.fit_restarts(iris, K, n_init=N_INIT, seed=0)
    assert restarts.best.final.log_likelihood - single.final.log_likelihood > 20


def test_scikit_learn_reaches_both_optima_of_the_same_model(iris) -> None:
    # The oracle: the same model fitted by scikit-learn, from the two end points, stays at
    # (very nearly) the same log-likelihood, so both are stationary points of ℓ.
    single = em_models.mixture.engine.fit(iris, K, rng=0, tol=1e-9, max_iter=2000)
    best = em_models.mixture.selection.fit_restarts(
        iris, K, n_init=N_INIT, seed=0, tol=1e-9, max_iter=2000
    ).best
    for trace in (single, best):
        params = trace.final.params
        gm = GaussianMixture(
            K,
            covariance_type="full",
            weights_init=params.weights,
            means_init=params.means,
            precisions_init=np.linalg.inv(params.covariances),
            reg_covar=float(np.max(trace.model.ridge_diagonal)),
            tol=1e-10,
            max_iter=500,
        ).fit(iris)
        total = gm.score(iris) * iris.shape[0]
        assert total == pytest.approx(trace.final.log_likelihood, abs=0.05)


def test_the_stuck_run_splits_setosa_as_the_page_says(iris) -> None:
    # The page's explanation: K-means put two of three centres among the setosa flowers,
    # and the stuck run ends with two Gaussians on setosa and one on the other two species,
    # while the best run gives setosa one Gaussian of its own.
    data = load_dataset("iris")
    labels = np.asarray(data.labels)
    restarts = em_models.mixture.selection.fit_restarts(iris, K, n_init=N_INIT, seed=0)
    stuck, best = restarts.traces[0], restarts.best
    setosa_petals = iris[labels == "setosa", 2]
    centres = stuck.start.kmeans_steps[-1].centers[:, 2]
    assert np.sum(centres <= setosa_petals.max()) == 2
    for trace, setosa_components in ((stuck, 2), (best, 1)):
        found = em_models.mixture.engine.e_step(iris, trace.final.params).resp.argmax(axis=1)
        on_setosa = set(found[labels == "setosa"])
        assert len(on_setosa) == setosa_components
        assert not on_setosa & set(found[labels != "setosa"])


# --------------------------------------------------------------------------------------------
# Which run is the best, and what the sentence under the restarts claims


def test_a_run_held_up_by_the_ridge_is_never_the_best_while_another_is_not():
    """Two copies of the point 3 between two clusters: five k-means++ starts put a component
    on them, where only the ridge holds its variance up and ℓ is the highest of all. The
    best run is the highest of the others, as the search behind choosing K decides."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 20), rng.normal(6, 1, 20), [3.0, 3.0]])
    restarts = em_models.mixture.selection.fit_restarts(
        X, K, n_init=N_INIT, seed=0, init="k-means++"
    )
    held = [em_models.mixture.diagnostics.held_by_ridge(t) for t in restarts.traces]
    finals = [t.final.log_likelihood for t in restarts.traces]
    assert any(held)
    assert held[int(np.argmax(finals))]
    best = restarts.best
    assert not em_models.mixture.diagnostics.held_by_ridge(best)
    assert best.final.log_likelihood == max(f for f, h in zip(finals, held, strict=True) if not h)
    summary = restarts.summary()
    assert f"ℓ = {max(finals):.2f}, was reached by {sum(held)} of them, but with a component " in (
        summary
    )
    assert f"the best of these runs is run {restarts.best_index + 1}, ℓ = " in summary


def test_the_restarts_say_what_they_searched_when_a_wider_search_finds_more():
    """Old Faithful with K = 3: ten K-means starts (Your own data's defaults) reach at most
    ℓ = −1119.89, while the search behind Choosing K finds −1114.44 for the same model. The
    sentence under the restarts must not call −1119.89 the best."""
    X = np.asarray(load_dataset("faithful").values)
    restarts = em_models.mixture.selection.fit_restarts(X, K, n_init=N_INIT, seed=0)
    (row,) = em_models.mixture.selection.select_n_components(X, [K], n_init=5)
    highest = restarts.optima()[0].log_likelihood
    assert highest == pytest.approx(-1119.89, abs=0.01)
    assert row.log_likelihood == pytest.approx(-1114.44, abs=0.01)
    summary = restarts.summary()
    assert "the highest, ℓ = -1119.89, was reached by 6 of them." in summary
    assert summary.endswith("Other starts may reach a higher optimum.")
    assert "the best" not in summary
