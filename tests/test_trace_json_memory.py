"""The trace reader's memory on hostile files, and its structure check against a plain
reading of JSON strings (brackets inside a string do not count, a quote escaped by an odd
run of backslashes does not end one)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from em_core.trace_json import MAX_TRACE_BYTES, TraceFileError, _containers, read_trace

# What reading any trace of the largest size may add to the server's memory.
PEAK_BOUND_MIB = 200


@pytest.mark.parametrize("escape", [b"\\\\", b"\\n", b'\\"', b"\\u0041"])
def test_a_16_mib_string_of_escapes_is_read_within_the_memory_bound(escape):
    # A pattern over whole strings kept a backtracking record per escape: 1,105 MiB for the
    # first three, 373 MiB for the last.
    raw = b'{"a":"' + escape * ((MAX_TRACE_BYTES - 8) // len(escape)) + b'"}'
    assert MAX_TRACE_BYTES - 8 < len(raw) <= MAX_TRACE_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(TraceFileError, match="fields a trace does not have: 'a'"):
            read_trace(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / 2**20 < PEAK_BOUND_MIB


def plain_reading(text: str) -> tuple[int, int]:
    """Arrays and objects opened outside strings, and their deepest nesting, one character at
    a time."""
    opened = level = deepest = backslashes = 0
    inside = False
    for char in text:
        if char == '"' and backslashes % 2 == 0:
            inside = not inside
        elif not inside and char in "[{":
            opened, level = opened + 1, level + 1
            deepest = max(deepest, level)
        elif not inside and char in "]}":
            level -= 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return opened, deepest


def containers_and_depth(value) -> tuple[int, int]:
    if isinstance(value, list | dict):
        children = [
            containers_and_depth(v) for v in (value.values() if isinstance(value, dict) else value)
        ]
        return 1 + sum(c for c, _ in children), 1 + max((d for _, d in children), default=0)
    return 0, 0


TRICKY = st.text(alphabet='"\\[]{}a é😀\n', max_size=12)
values = st.recursive(
    st.none() | st.integers() | TRICKY,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TRICKY, children, max_size=3),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(min_value=1, max_value=9), st.booleans())
def test_the_structure_check_counts_what_json_holds_across_its_slices(value, slice_chars, ascii):
    text = json.dumps(value, ensure_ascii=ascii)
    assert _containers(text, slice_chars) == containers_and_depth(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='"\\[]{}a é😀', max_size=60), st.integers(min_value=1, max_value=9))
def test_the_structure_check_reads_any_text_as_a_plain_reading_does(text, slice_chars):
    assert _containers(text, slice_chars) == plain_reading(text)
