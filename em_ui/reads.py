"""Reading the numbers a person uploads or pastes, once per content, and stoppable.

Every reading is kept by a hash of its content (blake2b), whether it gave numbers or an
error, in one store shared by every session (the arrays are read-only): a rerun (a toggled
switch, another K) or another session with the same file reads nothing again. The store
(:class:`em_ui.store.BoundedStore`) holds at most :data:`READS_BYTES`, counting what each
reading really holds (its numbers, names or message, and its objects); the least recently
used go first. It holds no input, only its hash.

Streamlit's ``st.cache_data`` did this before and does not fit: it bounds its entries by
count, not bytes (twenty 16 MB files held about 1.2 GiB), keeps no error (a file that failed
was read again at every rerun, 19 s for 16 MB of blank lines), and gives each session its
own copy of the numbers.

A reading not in the store runs with the script run's stop check (Streamlit's own, which
ends the run at a widget's change or a closed tab, see :mod:`em_ui.progress`): the reader
calls it every 32,768 characters, and a stopped reading keeps nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from em_data import InputError, NumericTable, read_pasted, read_table
from em_ui.store import BoundedStore

# The largest file's numbers (16 MB of one-digit values: 8 million floats, 61 MiB) fit,
# with room for a class's smaller files and errors.
READS_BYTES = 80 * 2**20

Key = tuple[str, bytes]  # what was read ("file" or "paste") and its content's hash


@dataclass(frozen=True, eq=False)
class Reading:
    """What reading one content gave: numbers and their column names, or an error's
    problem, line and column. It holds its key, so that the store counts it too."""

    key: Key
    values: np.ndarray | None
    columns: tuple[str, ...] = ()
    error: tuple[str, int | None, int | None] | None = None


@st.cache_resource(show_spinner=False)
def readings() -> BoundedStore:
    """The one store of readings in this server process."""
    return BoundedStore(READS_BYTES)


def _read(
    kind: str, content: bytes, read: Callable[[Callable[[], None]], NumericTable]
) -> tuple[np.ndarray, tuple[str, ...]]:
    key = (kind, hashlib.blake2b(content, digest_size=16).digest())
    store = readings()
    reading = store.get(key)
    if reading is None:
        try:  # a stop passes through and keeps nothing
            table = read(get_run_yield_check() or (lambda: None))
            reading = Reading(key, table.values, tuple(table.columns))
        except InputError as error:
            reading = Reading(key, None, error=(error.problem, error.line, error.column))
        store.put(key, reading)
    if reading.error is not None:
        raise InputError(*reading.error)
    return reading.values, reading.columns


def read_upload(raw: bytes) -> tuple[np.ndarray, tuple[str, ...]]:
    """The numbers of an uploaded file (read-only) and their column names; raises
    `InputError` with the reader's message, read once per content."""
    return _read("file", raw, lambda stop_check: read_table(raw, stop_check=stop_check))


def read_paste(text: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """The numbers of a paste box's text, as :func:`read_upload` for a file."""
    content = text.encode("utf-8", "surrogatepass")  # a pasted str may hold lone surrogates
    return _read("paste", content, lambda stop_check: read_pasted(text, stop_check=stop_check))
