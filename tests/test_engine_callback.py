"""The engine's per-iteration callback: what a page uses to show progress and to stop a fit.

The callback sees every K-means step of the start and every snapshot as it is recorded; an
exception it raises ends the run between two iterations, propagates, and leaves nothing behind
(no trace, no changed data).
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_same_values

import em_models.mixture.engine
import em_models.mixture.selection
import em_models.mixture.starts
from em_models.mixture.starts import KMeansStep


class Stop(Exception):
    """What a page's callback raises when the fit must end (Streamlit raises its own)."""


def data(n: int = 2_000, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(-2, 1, (n // 2, 2)), rng.normal(3, 0.5, (n // 2, 2))])


def test_callback_sees_every_snapshot_in_order():
    X = data()
    seen = []
    trace = em_models.mixture.engine.fit(X, 3, rng=4, tol=1e-8, max_iter=60, callback=seen.append)
    steps = [s for s in seen if isinstance(s, KMeansStep)]
    seen = [s for s in seen if not isinstance(s, KMeansStep)]
    # The K-means start's Lloyd steps come first (its step 0 is the seeding, not a step).
    assert [s.iteration for s in steps] == [s.iteration for s in trace.start.kmeans_steps[1:]]
    assert [s.iteration for s in seen] == list(range(trace.n_iter + 1))
    for mine, kept in zip(seen, trace.snapshots, strict=True):  # the run keeps them packed
        assert_same_values(mine, kept)
    # The callback changes nothing: the same fit without it gives the same numbers.
    plain = em_models.mixture.engine.fit(X, 3, rng=4, tol=1e-8, max_iter=60)
    np.testing.assert_array_equal(trace.log_likelihoods, plain.log_likelihoods)


def test_an_exception_in_the_callback_stops_the_run_between_iterations():
    X = data()
    before = X.copy()
    calls = []

    def stop_at_five(snapshot):
        if isinstance(snapshot, KMeansStep):
            return
        calls.append(snapshot.iteration)
        if snapshot.iteration == 5:
            raise Stop

    # tol = 0 and 500 iterations: without the stop this run would go on to the limit.
    with pytest.raises(Stop):
        em_models.mixture.engine.fit(X, 4, rng=0, tol=0.0, max_iter=500, callback=stop_at_five)
    assert calls == [0, 1, 2, 3, 4, 5]  # no E-step or M-step ran after the stop
    np.testing.assert_array_equal(X, before)
    # Nothing was left half-done: the same fit afterwards matches one never interrupted.
    again = em_models.mixture.engine.fit(X, 4, rng=0, tol=0.0, max_iter=8)
    assert again.n_iter == 8
    assert np.all(np.diff(again.log_likelihoods) > -1e-9 * abs(again.log_likelihoods[0]))


def test_restarts_pass_the_callback_to_every_run_and_stop_with_it():
    X = data(500)
    seen = []
    restarts = em_models.mixture.selection.fit_restarts(
        X, 2, n_init=3, seed=2, tol=0.0, max_iter=40, callback=seen.append
    )
    seen = [s for s in seen if not isinstance(s, KMeansStep)]
    assert len(seen) == sum(t.n_iter + 1 for t in restarts.traces)
    assert [s.iteration for s in seen].count(0) == 3  # a new run starts at θ_0

    calls = []

    def stop_in_second_run(snapshot):
        if isinstance(snapshot, KMeansStep):
            return
        calls.append(snapshot.iteration)
        if calls.count(0) == 2 and snapshot.iteration == 2:
            raise Stop

    with pytest.raises(Stop):
        em_models.mixture.selection.fit_restarts(
            X, 2, n_init=3, seed=2, tol=0.0, max_iter=40, callback=stop_in_second_run
        )
    first = restarts.traces[0].n_iter + 1
    assert len(calls) == first + 3  # the first run whole, then θ_0, θ_1, θ_2 of the second


def test_a_long_k_means_start_stops_at_the_callback_too():
    X = data(4_000)
    steps = []

    def stop_at_second_step(step):
        assert isinstance(step, KMeansStep), "no EM snapshot before the start is chosen"
        steps.append(step.iteration)
        if step.iteration == 2:
            raise Stop

    with pytest.raises(Stop):
        em_models.mixture.engine.fit(X, 6, rng=3, callback=stop_at_second_step)
    assert steps == [1, 2]
