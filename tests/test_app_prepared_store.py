"""Open a prepared run keeps each file's checked run, or the reason it was refused, in a
store shared by the sessions and bounded by what its runs really hold (AppTest)."""

from __future__ import annotations

import numpy as np
import pytest
from pages import PREPARED, open_page, upload_prepared_run

import em_models.mixture.engine
import em_ui.prepared
from em_core.trace_json import dumps
from em_models.mixture.trace import trace_to_json
from em_ui.prepared import opened_runs

X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def trace_file(seed: int) -> bytes:
    trace = em_models.mixture.engine.fit(X, 2, init="random", rng=seed, tol=0, max_iter=30)
    return dumps(trace_to_json(trace, X, ["x"])).encode()


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """The size of every file the page reads from now on, with the store emptied."""
    opened_runs.clear()
    sizes: list[int] = []
    real = em_ui.prepared.read_trace

    def counted(raw: bytes):
        sizes.append(len(raw))
        return real(raw)

    monkeypatch.setattr(em_ui.prepared, "read_trace", counted)
    return sizes


def test_the_opened_runs_stay_within_the_store_s_bytes_least_recently_used_first(reads):
    files = [trace_file(seed) for seed in (1, 2, 3)]
    at = upload_prepared_run(open_page(PREPARED, timeout=120), files[0])
    assert not at.error, [e.value for e in at.error]
    store = opened_runs()
    assert len(store) == 1
    store.max_bytes = int(2.5 * store.bytes)  # room for two runs of this size, not three
    for raw in files[1:]:
        at = upload_prepared_run(at, raw)
        assert not at.error, [e.value for e in at.error]
    assert len(store) == 2
    assert store.bytes <= store.max_bytes
    assert len(reads) == 3
    at = upload_prepared_run(at, files[2])  # kept: not read again
    assert len(reads) == 3
    at = upload_prepared_run(at, files[0])  # let go: read again
    assert len(reads) == 4
    assert not at.error


def test_a_refused_file_is_read_once_however_often_the_page_runs(reads):
    raw = b'{"a": "' + b"\\\\" * 1000 + b'"}'
    at = upload_prepared_run(open_page(PREPARED, timeout=120), raw, name="bad.json")
    for _ in range(2):
        at.run()
    assert [e.value for e in at.error] == [
        "bad.json cannot be opened: The trace has fields a trace does not have: 'a'."
    ]
    assert reads == [len(raw)]
