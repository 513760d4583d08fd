"""Settings and an uploaded file that survive a visit to another page.

Streamlit forgets a widget's value at the end of a run that does not draw the widget (another
page was shown, or only a fragment of its page ran), so a student who opens another page and
comes back would find every setting at its default, and code reading the value would fail. A
widget made with ``key=keep("page.name")`` is remembered: :func:`keep` notes its value on
every run of its page, and :func:`keep_widget_values`, which the router calls before every
page, writes each remembered value back into session state, where Streamlit keeps it.

Only widgets whose value may be set through session state can be kept (not buttons, file
uploaders, data editors or charts). A file uploader's file is kept apart: :func:`keep_file`
holds the last file of an uploader in the session, so a page that finds its uploader empty
on coming back uses :func:`kept_file`. Kept files are bounded all together
(``KEPT_FILES_BYTES`` for every session of the server): beyond it the least recently used
are let go (their bytes dropped, their name and size kept to say so), and a session's file
goes with the session.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import streamlit as st

_VALUES = "em_ui.kept_values"
KEPT_FILES_BYTES = 128 * 2**20  # the uploads of a class at once (each is at most 16 MB)


def keep(key: str) -> str:
    """Remember the widget ``key`` across pages; returns ``key``."""
    values = st.session_state.setdefault(_VALUES, {})
    values[key] = st.session_state.get(key, values.get(key))
    return key


def keep_widget_values() -> None:
    """Write every remembered widget value back, so that no page run drops it."""
    values = st.session_state.get(_VALUES, {})
    for key in values:
        if key in st.session_state:
            values[key] = st.session_state[key]
        if values[key] is not None:
            st.session_state[key] = values[key]


@dataclass(eq=False)
class KeptFile:
    """An uploaded file kept for its session: ``raw`` is None once it was let go."""

    file_id: str
    name: str
    size: int
    raw: bytes | None


# Every session's kept file, least recently used first, held weakly: session state holds
# the file itself, so a file goes when its session ends.
_kept: OrderedDict[str, weakref.ref[KeptFile]] = OrderedDict()
_kept_lock = threading.Lock()


def _let_go_beyond_the_bound(newest: KeptFile) -> None:
    """Drop the bytes of the least recently used files until all fit in the bound."""
    live = [f for f in (ref() for ref in _kept.values()) if f is not None and f.raw is not None]
    total = sum(f.size for f in live)
    for file in live:
        if total <= KEPT_FILES_BYTES or file is newest:
            break
        file.raw = None
        total -= file.size
    _kept.clear()
    _kept.update((f.file_id, weakref.ref(f)) for f in live if f.raw is not None)


def keep_file(key: str, file_id: str, name: str, raw: bytes) -> KeptFile:
    """Keep the file of the uploader ``key`` for this session (its last file only)."""
    kept = st.session_state.get(f"{key}.kept")
    with _kept_lock:
        if kept is None or kept.file_id != file_id or kept.raw is None:
            kept = KeptFile(file_id, name, len(raw), raw)
            st.session_state[f"{key}.kept"] = kept
            _kept[file_id] = weakref.ref(kept)
            _let_go_beyond_the_bound(kept)
        elif file_id in _kept:
            _kept.move_to_end(file_id)
    return kept


def kept_file(key: str) -> KeptFile | None:
    """The file last kept for the uploader ``key`` in this session, if any (its ``raw`` is
    None when it was let go); using it makes it the most recently used."""
    kept = st.session_state.get(f"{key}.kept")
    with _kept_lock:
        if kept is not None and kept.file_id in _kept:
            _kept.move_to_end(kept.file_id)
    return kept


def forget_file(key: str) -> None:
    """Forget the file kept for the uploader ``key`` in this session."""
    kept = st.session_state.pop(f"{key}.kept", None)
    if kept is not None:
        with _kept_lock:
            _kept.pop(kept.file_id, None)
