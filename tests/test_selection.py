"""Restarts and choosing the number of components (TESTING.md B12 and the brief's extras).

BIC/AIC against scikit-learn are in test_against_sklearn.py; here are the formulas, the
restarts' bookkeeping and the choice of K.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import assert_same_trace, two_blobs

from em_models.mixture.engine import fit
from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.selection import aic, bic, fit_restarts, n_parameters, select_n_components

# Six points where, without a ridge and with tol=0, every run with four or more components
# ends with a component collapsed onto a point.
SIX_POINTS = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0])


def restarts_with_some_failures():
    """Seed 13: of eight K-means restarts with no ridge, five collapse; the run with the highest
    last log-likelihood is one of the failed ones (collapsing raises ℓ)."""
    rng = np.random.default_rng(13)
    X = np.concatenate([rng.normal(size=12), [8.0, 8.0001], rng.normal(size=6) + 4])
    return X, fit_restarts(X, 4, n_init=8, seed=13, reg_covar=0.0, max_iter=200)


def test_every_restart_is_kept_and_reproducible_from_its_seed():
    X, restarts = restarts_with_some_failures()
    assert len(restarts.traces) == len(restarts.seeds) == 8
    assert len(set(restarts.seeds)) == 8
    for seed, trace in zip(restarts.seeds, restarts.traces, strict=True):
        assert trace.start.seed == seed
        assert_same_trace(trace, fit(X, 4, rng=seed, reg_covar=0.0, max_iter=200))


def test_best_index_is_the_highest_final_log_likelihood_among_runs_that_did_not_fail():
    _, restarts = restarts_with_some_failures()
    failed = np.array([t.failed for t in restarts.traces])
    finals = np.array([t.final.log_likelihood for t in restarts.traces])
    assert failed.any()
    assert not failed.all()
    # the test means something: a failed run has the highest ℓ of all
    assert failed[int(np.argmax(finals))]
    expected = int(np.argmax(np.where(failed, -np.inf, finals)))
    assert restarts.best_index == expected
    assert restarts.best is restarts.traces[expected]
    assert not restarts.best.failed


def test_when_every_restart_fails_there_is_no_best():
    restarts = fit_restarts(SIX_POINTS, 6, n_init=3, seed=0, reg_covar=0.0, tol=0.0, max_iter=500)
    assert all(t.failed for t in restarts.traces)
    assert restarts.best_index is None
    assert restarts.best is None


def test_same_seed_same_restarts():
    X = two_blobs()
    a = fit_restarts(X, 2, n_init=3, seed=5, init="random")
    b = fit_restarts(X, 2, n_init=3, seed=5, init="random")
    assert a.seeds == b.seeds
    assert a.best_index == b.best_index
    for ta, tb in zip(a.traces, b.traces, strict=True):
        assert_same_trace(ta, tb)


@pytest.mark.parametrize("n_init", [0, -1, 1.5])
def test_bad_number_of_restarts_raises(n_init):
    with pytest.raises(ValueError, match=r"n_init \(the number of restarts\) must be ≥ 1"):
        fit_restarts(SIX_POINTS, 2, n_init=n_init)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_bic_picks_two_components_on_two_well_separated_blobs(kind):
    X = two_blobs(seed=3)
    rows = select_n_components(X, range(1, 6), n_init=3, covariance_type=kind)
    assert [row.n_components for row in rows] == [1, 2, 3, 4, 5]
    scores = [row.bic for row in rows]
    assert all(score is not None and math.isfinite(score) for score in scores)
    assert rows[int(np.argmin(scores))].n_components == 2


def test_selection_rows_are_the_best_restart_with_its_scores():
    X = two_blobs(seed=4)
    rows = select_n_components(X, [1, 2, 3], n_init=2, covariance_type="diag", seed=7)
    for row in rows:
        best = row.best
        assert not best.failed
        assert not row.collapsed
        assert row.log_likelihood == best.final.log_likelihood
        assert row.n_parameters == n_parameters(row.n_components, 2, "diag")
        assert row.bic == pytest.approx(
            -2 * row.log_likelihood + row.n_parameters * math.log(X.shape[0])
        )
        assert row.aic == pytest.approx(-2 * row.log_likelihood + 2 * row.n_parameters)
        # two seeds for each of three start methods, plus one split per component of K − 1
        assert row.n_runs >= 6


def test_a_number_of_components_whose_runs_all_fail_has_no_scores():
    rows = select_n_components(SIX_POINTS, [2, 6], n_init=2, reg_covar=0.0)
    assert rows[0].bic is not None
    assert rows[1].log_likelihood is None
    assert rows[1].bic is None
    assert rows[1].aic is None
    assert rows[1].n_parameters == n_parameters(6, 1, "full")


@pytest.mark.parametrize(
    ("kind", "n_components", "n_features", "expected"),
    [
        # (K − 1) weights + K·d means + covariance entries
        ("full", 3, 2, 2 + 6 + 3 * 3),
        ("tied", 3, 2, 2 + 6 + 3),
        ("diag", 3, 2, 2 + 6 + 6),
        ("spherical", 3, 2, 2 + 6 + 3),
        ("full", 1, 1, 0 + 1 + 1),
        ("full", 2, 3, 1 + 6 + 2 * 6),
    ],
)
def test_parameter_counts(kind, n_components, n_features, expected):
    assert n_parameters(n_components, n_features, kind) == expected


def test_bic_and_aic_formulas():
    assert bic(-10.0, 5, 100) == pytest.approx(20.0 + 5 * math.log(100))
    assert aic(-10.0, 5) == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("n_per_blob", "kmeanspp"),
    # 2 × 60 points: ⌈1200 / 120⌉ = 10 times the seeds, at most 8; 2 × 200: 3 times;
    # 2 × 600 and more: the seeds of the other kinds
    [(60, 8 * 3), (200, 3 * 3), (600, 3), (2000, 3)],
)
def test_small_data_get_more_k_means_plus_plus_starts(n_per_blob, kmeanspp):
    """At K = 1 there is nothing to split, so the starts are K-means, k-means++ and random
    data points; below 1,200 points the search draws more k-means++ seeds."""
    X = two_blobs(seed=1, n_per_blob=n_per_blob)
    (row,) = select_n_components(X, [1], n_init=3)
    assert row.n_runs == 3 + kmeanspp + 3
