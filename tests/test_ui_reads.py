"""The store of readings (em_ui.reads): every upload and paste is read once per content,
whether it gave numbers or an error; the store is bounded by the bytes it really holds; a
stopped reading keeps nothing."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import em_data.reader
import em_ui.reads
from em_data import InputError
from em_ui.reads import READS_BYTES, Reading, read_paste, read_upload
from em_ui.store import BoundedStore, held_bytes


class ReaderSpy:
    """A fresh store for the test, and a count of the files and pastes actually read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, max_bytes: int = READS_BYTES) -> None:
        self.store = BoundedStore(max_bytes)
        self.files = self.pastes = 0
        decode, check_text = em_data.reader.decode, em_data.reader.check_text

        def counted_decode(*args, **kwargs):
            self.files += 1
            return decode(*args, **kwargs)

        def counted_check_text(*args, **kwargs):
            self.pastes += 1
            return check_text(*args, **kwargs)

        monkeypatch.setattr(em_ui.reads, "readings", lambda: self.store)
        monkeypatch.setattr(em_data.reader, "decode", counted_decode)
        monkeypatch.setattr(em_data.reader, "check_text", counted_check_text)


def test_a_file_is_read_once_and_its_numbers_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = ReaderSpy(monkeypatch)
    values, columns = read_upload(b"a,b\n1,2\n3,4\n")
    again, columns_again = read_upload(b"a,b\n1,2\n3,4\n")
    assert spy.files == 1
    assert again is values  # one read-only array for every session
    assert not values.flags.writeable
    np.testing.assert_array_equal(values, [[1, 2], [3, 4]])
    assert columns == columns_again == ("a", "b")


@pytest.mark.parametrize(
    ("read", "content", "place", "problem"),
    [
        pytest.param(read_upload, b"x" + b"\n" * 100_000 + b"y", (100_001, 1), "'y'", id="file"),
        pytest.param(read_paste, "1 2\n" * 1_000 + "1 x\n", (1_001, 2), "'x'", id="paste"),
    ],
)
def test_an_error_is_kept_and_said_again_without_reading(
    monkeypatch: pytest.MonkeyPatch, read, content, place: tuple[int, int], problem: str
) -> None:
    spy = ReaderSpy(monkeypatch)
    for _ in range(3):
        with pytest.raises(InputError) as caught:
            read(content)
        assert (caught.value.line, caught.value.column) == place
        assert str(caught.value) == (
            f"Line {place[0]}, column {place[1]}: {problem} is not a number. Every cell must "
            "be a plain number such as 3.2 or -1e3."
        )
    assert spy.files + spy.pastes == 1


def test_a_paste_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = ReaderSpy(monkeypatch)
    text = "\n" * 200_000 + "1 2 3"
    for _ in range(3):
        values, columns = read_paste(text)
    assert spy.pastes == 1
    np.testing.assert_array_equal(values[:, 0], [1, 2, 3])
    assert columns == ("x",)


def test_a_file_and_a_paste_of_the_same_text_are_two_readings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = ReaderSpy(monkeypatch)
    text = "1 2 3"  # a file's line of three values, a paste's three rows
    assert read_upload(text.encode())[0].shape == (1, 3)
    assert read_paste(text)[0].shape == (3, 1)
    assert (spy.files, spy.pastes) == (1, 1)


def test_a_pasted_lone_surrogate_is_refused_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    ReaderSpy(monkeypatch)
    with pytest.raises(InputError, match="U\\+D800"):
        read_paste("1\n\ud800\n")


class _List:
    """A store that keeps every reading in a list and finds none."""

    def __init__(self) -> None:
        self.values: list[Reading] = []

    def get(self, key) -> None:
        return None

    def put(self, key, value: Reading) -> None:
        self.values.append(value)


def test_a_reading_is_counted_at_what_it_really_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes the store counts for its readings (em_ui.store.held_bytes) are at least the
    bytes they leave allocated (traced once the reader's own garbage is gone), for small
    readings, where the objects weigh most against the numbers, and for errors."""
    kept = _List()
    monkeypatch.setattr(em_ui.reads, "readings", lambda: kept)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(300):
            read_upload(f"first,second\n{i},1\n2,{i}\n".encode())
            with pytest.raises(InputError):
                read_upload(f"x\n{i}\n{i}kg\n".encode())
        gc.collect()
        allocated = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept.values) == 600
    counted = sum(held_bytes(reading) for reading in kept.values)
    assert allocated <= counted <= 1.25 * allocated, (allocated, counted)


def test_the_largest_file_the_reader_accepts_fits_in_the_store() -> None:
    # 16 MB of one-digit values: the most numbers a file can hold (8,000,000 floats).
    n_values = 16_000_000 // 2
    values = np.zeros((n_values // 8, 8))
    reading = Reading(("file", bytes(16)), values, tuple(f"x{j}" for j in range(1, 9)))
    assert held_bytes(reading) <= READS_BYTES


class _Stop(Exception):
    pass


@pytest.mark.parametrize(
    ("read", "content", "shape"),
    [
        pytest.param(read_upload, b"1,2,3,4,5,6,7,8,9\n" * 20_000, (20_000, 9), id="file"),
        pytest.param(read_paste, "1 2\n" * 100_000, (100_000, 2), id="paste"),
    ],
)
def test_a_stopped_reading_keeps_nothing_and_is_read_again(
    monkeypatch: pytest.MonkeyPatch, read, content, shape: tuple[int, int]
) -> None:
    """The script run's stop check (here one that stops at its third call) ends the reading
    between two chunks; nothing is kept, and the next run reads the content afresh."""
    spy = ReaderSpy(monkeypatch)
    calls = []

    def stop_at_third_call() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise _Stop

    monkeypatch.setattr(em_ui.reads, "get_run_yield_check", lambda: stop_at_third_call)
    with pytest.raises(_Stop):
        read(content)
    assert len(spy.store) == 0
    monkeypatch.setattr(em_ui.reads, "get_run_yield_check", lambda: None)  # outside a run
    values, _ = read(content)
    assert len(spy.store) == 1
    assert values.shape == shape
