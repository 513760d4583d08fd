"""The reader's cost (TESTING.md A.9): time linear in the input and memory a small multiple
of it, for adversarial inputs too. A pattern that backtracks across cells or lines turns a
56-byte file into minutes of a frozen server; these inputs did exactly that."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from benchmarks.bench_reader import FAMILIES, MEMORY_FLOOR, MEMORY_RATIO, read
from em_data import InputError, read_pasted, read_table

TIME_LIMIT = 2.0  # seconds: generous for 64 KiB; a backtracking pattern takes minutes


@pytest.mark.parametrize("size", [1 << 10, 1 << 16])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_adversarial_input_is_read_in_linear_time_and_memory(family: str, size: int) -> None:
    kind, data = FAMILIES[family](size)
    started = time.perf_counter()
    read(kind, data)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT, f"{family}: {elapsed:.2f} s for {len(data):,} bytes"
    tracemalloc.start()
    try:
        read(kind, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= MEMORY_RATIO * len(data) + MEMORY_FLOOR, f"{family}: peak {peak:,} bytes"


@pytest.mark.parametrize("k", [14, 200])
def test_no_break_spaces_at_cell_edges(k: int) -> None:
    # The 56-byte file (k = 14) took 71 s; every line but the last is valid.
    raw = ("1\n" + "\xa01\xa0\n" * k + "x\n").encode("cp1252")
    started = time.perf_counter()
    with pytest.raises(InputError, match="'x' is not a number") as caught:
        read_table(raw)
    assert time.perf_counter() - started < TIME_LIMIT
    assert (caught.value.line, caught.value.column) == (k + 2, 1)
    table = read_table(("1\n" + "\xa01\xa0\n" * k).encode("cp1252"))
    np.testing.assert_array_equal(table.values, np.ones((k + 1, 1)))


def test_a_run_of_no_break_spaces() -> None:
    raw = ("1\n1" + "\xa0" * 16_000 + "x\n").encode("cp1252")  # took 4-9 s
    started = time.perf_counter()
    with pytest.raises(InputError, match="16,002 characters long") as caught:
        read_table(raw)
    assert time.perf_counter() - started < TIME_LIMIT
    assert (caught.value.line, caught.value.column) == (2, 1)


def test_a_million_values_on_one_pasted_line_fit_in_memory() -> None:
    text = "1 " * 1_000_000  # 2 MB, within the paste limit; it took 818 MiB
    tracemalloc.start()
    try:
        table = read_pasted(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.values.shape == (1_000_000, 1)
    assert (table.values == 1.0).all()
    assert peak <= MEMORY_RATIO * len(text), f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize(
    ("tail", "match", "column"),
    [
        pytest.param(" x", "'x' is not a number", 200_001, id="bad last value"),
        pytest.param(' "7', "opens a quote", 200_001, id="unclosed quote"),
        pytest.param(" 1e309", "too large", 200_001, id="too large"),
        pytest.param(" 1 # note", "comment", 200_002, id="comment"),
    ],
)
def test_a_long_pasted_line_places_its_problem(tail: str, match: str, column: int) -> None:
    # Long enough to be split into many windows: the column counts across them.
    text = "12.5 " * 199_999 + "12.5" + tail
    with pytest.raises(InputError, match=match) as caught:
        read_pasted(text)
    assert (caught.value.line, caught.value.column) == (1, column)


def test_a_long_pasted_line_with_quotes_and_no_break_spaces() -> None:
    values = np.arange(60_000) / 8
    text = ", ".join(f'"\xa0{value!r}\xa0"' for value in values.tolist())
    np.testing.assert_array_equal(read_pasted(text).values[:, 0], values)
    with pytest.raises(InputError, match="more than 59,999 values"):
        read_pasted(text, max_rows=59_999)
