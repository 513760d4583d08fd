"""The reader's cost (TESTING.md A.9): time linear in the input and memory a small multiple
of it, for adversarial inputs too. A pattern that backtracks across cells or lines turns a
56-byte file into minutes of a frozen server; these inputs did exactly that."""

from __future__ import annotations

import contextlib
import time
import tracemalloc

import numpy as np
import pytest

from benchmarks.bench_reader import FAMILIES, MEMORY_FLOOR, MEMORY_RATIO, read
from em_data import InputError, _table, read_pasted, read_table

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


# Files whose lines are mostly not data: each once took a call of Python per line (18.8 s for
# 16 MiB of newlines, 5.8 times an ordinary file). The reader now takes any run of data, blank
# and comment lines in one regular-expression call, so the lines read one at a time in Python
# are the bad line alone, however many lines come before it.
_N_LINES = 200_000
_MOSTLY_NOT_DATA = {
    "blank lines": ("x" + "\n" * _N_LINES + "y", "'y' is not a number", 1),
    "blank lines, CRLF": ("x" + "\r\n" * _N_LINES + "y", "'y' is not a number", 1),
    "blank lines, CR": ("x" + "\r" * _N_LINES + "y", "'y' is not a number", 1),
    "whitespace-only lines": ("x\n" + " \t\xa0\n" * _N_LINES + "y", "'y' is not a number", 1),
    "comment lines": ("x\n" + "# 1.5, 2,5\n" * _N_LINES + "y", "'y' is not a number", 1),
    "newlines, then one number": ("\n" * _N_LINES + "1", None, 1),
    "rows between blank lines": ("\ufeff" + "1\n\n" * _N_LINES, None, _N_LINES),
    "rows between comments": ("x\n" + "1.5\n# c\n \n" * _N_LINES, None, _N_LINES),
    "decimal commas between comments": ("a;b\n" + "# 1.0\n1,5;2\n" * _N_LINES, None, _N_LINES),
}


@pytest.mark.parametrize("family", sorted(_MOSTLY_NOT_DATA))
def test_lines_that_are_not_data_cost_no_python_call_each(
    family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, error, n_rows = _MOSTLY_NOT_DATA[family]
    calls = {"lines": 0}
    real_is_content, real_add_line = _table.is_content, _table._Builder.add_line

    def is_content(line: str) -> bool:
        calls["lines"] += 1
        return real_is_content(line)

    def add_line(builder, number: int, line: str) -> None:
        calls["lines"] += 1
        real_add_line(builder, number, line)

    monkeypatch.setattr(_table, "is_content", is_content)
    monkeypatch.setattr(_table._Builder, "add_line", add_line)
    if error is None:
        table = read_table(text.encode())
        assert table.values.shape[0] == n_rows
        assert set(np.unique(table.values)) <= {1.0, 1.5, 2.0}
    else:
        with pytest.raises(InputError, match=error) as caught:
            read_table(text.encode())
        assert caught.value.line == text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert calls["lines"] <= 3, f"{family}: {calls['lines']:,} lines read one at a time"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("x\n" + "1\n\n# 1\n" * 30_000 + "1e309\n", 90_002, id="too large"),
        pytest.param("x\n" + "1\n \n" * 30_000 + "1e-400\n", 60_002, id="too small"),
        pytest.param("x\n\n1\n# c\n\n1e309\n" + "1\n" * 30_000, 6, id="early, among comments"),
    ],
)
def test_a_number_out_of_range_is_placed_on_its_line_among_blank_lines(
    text: str, line: int
) -> None:
    with pytest.raises(InputError, match="too") as caught:
        read_table(text.encode())
    assert (caught.value.line, caught.value.column) == (line, 1)


def test_the_first_decimal_mark_is_placed_on_its_line_among_comments() -> None:
    text = "a;b\n" + "# 1.0\n\n1;2\n" * 20_000 + "1,5;2\n" + "1;2\n" * 10 + "1.5;2\n"
    with pytest.raises(InputError) as caught:
        read_table(text.encode())
    assert "uses '.' as its decimal mark, but line 60002 uses ','" in str(caught.value)


# The stop check: a page passes the check that ends its script run (a closed tab, a changed
# widget), so reading a large file stops as a fit does.
_STOP_CHECK_CHARS = 1 << 15
_LONG_INPUTS = {
    "ordinary": ("file", "1,2,3,4,5,6,7,8,9\n" * 60_000),
    "blank lines": ("file", "x" + "\n" * 1_000_000 + "y"),
    "comment lines": ("file", "x\n" + "# note\n" * 150_000 + "1\n"),
    "paste: a table": ("paste", "1 2\n" * 250_000),
    "paste: one line": ("paste", "1 " * 1_000_000),
}


def _read(kind: str, text: str, stop_check) -> None:
    if kind == "file":
        read_table(text.encode(), stop_check=stop_check)
    else:
        read_pasted(text, stop_check=stop_check)


@pytest.mark.parametrize("family", sorted(_LONG_INPUTS))
def test_the_reader_calls_its_stop_check_at_least_every_32_kib(family: str) -> None:
    kind, text = _LONG_INPUTS[family]
    calls = []
    with contextlib.suppress(InputError):
        _read(kind, text, lambda: calls.append(1))
    assert len(calls) >= len(text) // _STOP_CHECK_CHARS


class _Stop(Exception):
    pass


@pytest.mark.parametrize("family", sorted(_LONG_INPUTS))
def test_a_stop_check_that_raises_ends_the_reading(family: str) -> None:
    kind, text = _LONG_INPUTS[family]
    calls = []

    def stop_after_three() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise _Stop

    with pytest.raises(_Stop):
        _read(kind, text, stop_after_three)
    assert len(calls) == 3
