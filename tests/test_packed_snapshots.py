"""A finished run keeps its snapshots packed (em_core.em.Snapshots): each parameter field
stacked over the iterations. Every snapshot read back holds the numbers the run recorded,
field by field, for each model; and the packed arrays are shared, not one small array each."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_same_values
from hmm_helpers import EISNER_MODEL, EISNER_START, ICE_CREAM

import em_models.hmm.engine
import em_models.ppca.engine
from em_core.em import Snapshot, Snapshots, run_em
from em_models.hmm.starts import HMMStart

RNG = np.random.default_rng(7)
BLOBS = np.concatenate([RNG.normal(-2, 1, (60, 2)), RNG.normal(3, 0.5, (40, 2))])


def mixture(covariance_type: str):
    return lambda callback: em_models.mixture.engine.fit(
        BLOBS, 3, covariance_type=covariance_type, rng=1, tol=0, max_iter=12, callback=callback
    )


def ppca(callback):
    X = RNG.normal(size=(80, 4)) * [4, 2, 1, 0.5]
    return em_models.ppca.engine.fit(X, 2, rng=0, tol=0, max_iter=12, callback=callback)


def hmm_gaussian(callback):
    X = np.concatenate([RNG.normal(0, 1, 50), RNG.normal(5, 1, 50), RNG.normal(0, 1, 50)])
    return em_models.hmm.engine.fit(X, 2, rng=0, tol=0, max_iter=12, callback=callback)


def hmm_categorical_with_end(callback):
    start = HMMStart("given", None, EISNER_START)
    return run_em(ICE_CREAM, EISNER_MODEL, start, tol=0, max_iter=12, callback=callback)


RUNS = {
    "mixture full": mixture("full"),
    "mixture diag": mixture("diag"),
    "ppca": ppca,
    "hmm gaussian": hmm_gaussian,
    "hmm categorical with end": hmm_categorical_with_end,
}


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS.keys())
def test_packed_snapshots_hold_what_the_run_recorded(run) -> None:
    recorded: list[Snapshot] = []
    trace = run(lambda s: recorded.append(s) if isinstance(s, Snapshot) else None)
    assert isinstance(trace.snapshots, Snapshots)
    assert len(trace.snapshots) == len(recorded) == 13
    for t, (mine, kept) in enumerate(zip(recorded, trace.snapshots, strict=True)):
        assert_same_values(mine, kept, f"snapshot {t}")
        assert_same_values(mine, trace.snapshots[t], f"snapshot {t}")  # built again
        assert_same_values(mine, trace.snapshots[t - len(recorded)], f"snapshot {t}")
    for mine, kept in zip(recorded[3:9:2], trace.snapshots[3:9:2], strict=True):
        assert_same_values(mine, kept)
    with pytest.raises(IndexError):
        trace.snapshots[len(recorded)]
    np.testing.assert_array_equal(trace.log_likelihoods, [s.log_likelihood for s in recorded])
    # One stacked array per field, not one small array per snapshot.
    first = trace.snapshots[1].params
    array = next(v for v in vars(first).values() if isinstance(v, np.ndarray))
    name = next(k for k, v in vars(first).items() if v is array)
    assert array.base is not None
    assert getattr(trace.snapshots[2].params, name).base is array.base


def test_fields_that_do_not_stack_are_kept_as_they_are() -> None:
    a, b = np.zeros(2), np.ones(3)
    a.setflags(write=False)
    b.setflags(write=False)
    snapshots = Snapshots(
        [Snapshot(0, a, -2.0, None), Snapshot(1, b, -1.0, "x"), Snapshot(2, b, -0.5, None)]
    )
    assert [s.params is p for s, p in zip(snapshots, (a, b, b), strict=True)] == [True] * 3
    assert [s.stats for s in snapshots] == [None, "x", None]
    assert [s.log_likelihood for s in snapshots] == [-2.0, -1.0, -0.5]
