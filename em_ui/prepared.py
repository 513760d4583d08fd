"""Opening a prepared run: a trace file (``python -m em_core fit … > run.json``, or the app's
own export) read, checked and recomputed, ready for the stepping view.

The file is read by :func:`em_core.trace_json.read_trace`, which hands it to the ``prepared``
part of the model it names (:mod:`em_models.registry`); that part recomputes the run from its
start (``replay``), refusing a file whose iterations are not what EM gives, and draws it in
the model's own stepping view: the view shows the engine's own numbers. The checked run, or
the reason a file was refused, is kept per file content in a store shared by the sessions (a
class opening the teacher's file pays once), bounded by what its runs really hold (see
:mod:`em_ui.store`).
Every refusal stops the page with its reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import streamlit as st

from em_core import Trace
from em_core.trace_json import MAX_TRACE_BYTES, TraceFileError, read_trace
from em_models import registry
from em_ui.budget import WORK_BUDGET, beyond_budget
from em_ui.store import BoundedStore
from em_ui.text import literal

# The browser's uploader counts in MB of 1,000,000 bytes, as the trace reader's limit is
# written: one limit, in one unit, on the uploader and in the reader's message.
MAX_UPLOAD_MB = MAX_TRACE_BYTES // 1_000_000


# The opened runs' bound: the costliest 16 MB trace (one column, K = 1, about 100,000
# iterations) holds 77 MiB once read and run again; an ordinary one, under a MiB.
OPENED_RUNS_BYTES = 96 * 2**20


@dataclass(frozen=True, eq=False)
class OpenedRun:
    """A checked trace file: the model's name, its checked run (the data and the settings
    the file holds), and the engine's run."""

    file_id: str
    model: str
    run: Any
    trace: Trace

    @property
    def X(self) -> np.ndarray:
        return self.run.X

    @property
    def columns(self) -> tuple[str, ...]:
        return self.run.columns


@st.cache_resource(show_spinner=False)
def opened_runs() -> BoundedStore:
    """The checked runs (or the reasons a file was refused) by file content, for every
    session, within :data:`OPENED_RUNS_BYTES`."""
    return BoundedStore(OPENED_RUNS_BYTES)


def _too_much_work(part: ModuleType, run: Any) -> str | None:
    seconds, size = part.cost(run)
    if seconds <= WORK_BUDGET:
        return None
    return (
        f"Checking this run means running EM again: {size} would use "
        f"{beyond_budget(seconds)} on this server. Prepare the run on fewer points or with "
        "fewer iterations."
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
    part = registry.part(run.model_name, "prepared")
    refusal = part.limit(run)
    if refusal:
        return refusal
    too_large = _too_much_work(part, run)
    if too_large:
        return f": {too_large}"
    try:
        with st.spinner("Running EM again from the file's start, to check every iteration…"):
            trace = part.replay(run)
    except TraceFileError as error:
        return f" cannot be opened: {literal(str(error))}"
    return OpenedRun(file_id, run.model_name, run, trace)


def describe(opened: OpenedRun) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    return registry.part(opened.model, "prepared").describe(opened)


def show(opened: OpenedRun, key: str) -> None:
    """The stepping view of the run, in its model's own view."""
    registry.part(opened.model, "prepared").show(opened, key)
