"""Opening a prepared run: a trace file (``python -m em_core fit … > run.json``, or the app's
own export) read, checked and recomputed, ready for the stepping view.

The file is read by :func:`em_core.trace_json.read_trace` and the run recomputed from its
start by :func:`em_core.trace_json.replay`, which refuses a file whose iterations are not
what EM gives: the view then shows the engine's own numbers. The checked run, or the reason a
file was refused, is kept per file content in a store shared by the sessions (a class opening
the teacher's file pays once), bounded by what its runs really hold (see :mod:`em_ui.store`).
Every refusal stops the page with its reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from em_core import Trace
from em_core.trace_json import MAX_TRACE_BYTES, PreparedRun, TraceFileError, read_trace, replay
from em_ui.budget import WORK_BUDGET, beyond_budget, work
from em_ui.store import BoundedStore
from em_ui.text import literal
from em_viz.colors import MAX_COMPONENTS
from em_viz.exports import START_WORDS

# The browser's uploader counts in MB of 1,000,000 bytes, as the trace reader's limit is
# written: one limit, in one unit, on the uploader and in the reader's message.
MAX_UPLOAD_MB = MAX_TRACE_BYTES // 1_000_000


# The opened runs' bound: the costliest 16 MB trace (one column, K = 1, about 100,000
# iterations) holds 77 MiB once read and run again; an ordinary one, under a MiB.
OPENED_RUNS_BYTES = 96 * 2**20


@dataclass(frozen=True, eq=False)
class OpenedRun:
    """A checked trace file: its data and column names, and the engine's run."""

    file_id: str
    X: np.ndarray
    columns: tuple[str, ...]
    trace: Trace


@st.cache_resource(show_spinner=False)
def opened_runs() -> BoundedStore:
    """The checked runs (or the reasons a file was refused) by file content, for every
    session, within :data:`OPENED_RUNS_BYTES`."""
    return BoundedStore(OPENED_RUNS_BYTES)


def _too_much_work(run: PreparedRun) -> str | None:
    n, d = run.X.shape
    seconds = work(n, d, run.n_components, max_iter=run.n_iter, init="given")
    if seconds <= WORK_BUDGET:
        return None
    return (
        f"Checking this run means running EM again: {n:,} points in {d} columns × K = "
        f"{run.n_components} × {run.n_iter} iterations would use {beyond_budget(seconds)} "
        "on this server. Prepare the run on fewer points or with fewer iterations."
    )


def open_prepared(key: str) -> OpenedRun:
    """The uploader, then the checked run of the file chosen; stops the page with a message
    while there is no file, or when the file cannot be opened."""
    file = st.file_uploader(
        "A trace file (.json)",
        type=["json"],
        key=f"{key}.upload",
        max_upload_size=MAX_UPLOAD_MB,
        help="What `python -m em_core fit data.csv … --with-data > run.json` prints, or the "
        "Trace (JSON) of Export this run on any page.",
    )
    if file is None:
        st.info("Choose a trace file to begin; nothing is stored after you leave.")
        st.stop()
    raw = file.getvalue()
    file_id = hashlib.blake2b(raw, digest_size=12).hexdigest()
    store = opened_runs()
    opened = store.get(file_id)
    if opened is None:
        opened = _open(file_id, raw)
        store.put(file_id, opened)
    if isinstance(opened, str):
        st.error(literal(file.name) + opened)
        st.stop()
    return opened


def _open(file_id: str, raw: bytes) -> OpenedRun | str:
    """The checked run of a file, or why it cannot be opened (to follow the file's name)."""
    try:
        with st.spinner("Reading the file…"):
            run = read_trace(raw)
        run.require_data()
    except TraceFileError as error:
        return f" cannot be opened: {literal(str(error))}"
    if run.n_components > MAX_COMPONENTS:
        return (
            f" holds a run with K = {run.n_components} components; the app draws at most "
            f"{MAX_COMPONENTS}."
        )
    too_large = _too_much_work(run)
    if too_large:
        return f": {too_large}"
    try:
        with st.spinner("Running EM again from the file's start, to check every iteration…"):
            trace = replay(run)
    except TraceFileError as error:
        return f" cannot be opened: {literal(str(error))}"
    return OpenedRun(file_id, run.X, run.columns, trace)


def describe(opened: OpenedRun) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    trace, (n, d) = opened.trace, opened.X.shape
    model, start = trace.model, trace.start
    names = ", ".join(literal(c) for c in opened.columns[:6])
    more = f" and {d - 6} more" if d > 6 else ""
    seed = "" if start.seed is None else f" (seed {start.seed})"
    how = START_WORDS[start.method]
    ridge = (
        f"ridge {model.ridge:g} of each column's variance"
        if model.ridge is not None
        else f"ridge {model.reg_covar:g} in data units"
    )
    return (
        f"{n:,} points in {d} column{'s' if d > 1 else ''} ({names}{more}); "
        f"K = {trace.final.params.n_components}, {model.covariance_type} covariances, "
        f"started from {how}{seed}, {ridge}, tol = {trace.tol:g}, max_iter = "
        f"{trace.max_iter}. EM run again from that start gives every iteration in the file."
    )
