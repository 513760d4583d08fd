"""The engine calls of the pages: finished fits are kept and shared, new ones can be stopped.

A page hands each call its data and settings; the call keys the fit itself. A finished fit is
kept in one store shared by every session, keyed by the data's fingerprint (a short hash of
their numbers, see :func:`data_key`) and the settings, and bounded by the bytes its fits
really hold, objects and all (see :mod:`em_ui.store`; the least recently used go first, and a
fit larger than the whole store is not kept). The fingerprint of a read-only array is
remembered, so the several calls of one script run on the same array (and a page that names
its data with :func:`data_key`) hash it once; a writable array, which could change between
two calls, is hashed at every call. A fit that is not in the store runs outside any Streamlit
cache, with the page's per-iteration ``progress`` callback: a callback that draws (see
:mod:`em_ui.progress`) is where a stopped script run ends the fit, and an element drawn
inside ``st.cache_data`` could not be replayed on a later hit. A stopped fit stores nothing.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import streamlit as st

from em_core import Snapshot
from em_ui.store import BoundedStore

Progress = Callable[[Snapshot], object] | None
# The store's bound, on what its fits really hold (em_ui.store.held_bytes): a mixture's
# snapshot of K = 10 Gaussians on one column holds about 1 KB, so the 20 restarts × 500 iterations
# of
# that K on galaxies hold about 10 MiB.
STORE_BYTES = 256 * 2**20


def fingerprint(X: np.ndarray) -> str:
    """A short content hash of the numbers and their shape (the same for equal arrays, of
    any memory layout); it hashes the numbers in place, without a copy of C-ordered float64
    data (about 18 ms for a million points in two columns)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    digest = hashlib.blake2b(digest_size=12)
    digest.update(X.data)
    digest.update(str(X.shape).encode())
    return digest.hexdigest()


# The last read-only array keyed in this thread (a Streamlit script run has its own), held
# so that its id cannot be taken by another array, with its layout and fingerprint.
_last_keyed = threading.local()


def data_key(X: np.ndarray) -> str:
    """The data's key in the store of finished fits, and the name a page gives its data in
    session state or a widget key (so that other data get fresh choices): their fingerprint.

    A read-only array is taken not to change, so its key is remembered by identity and
    layout for the next call in the same thread: the fit calls and the page of one script
    run hash a million points once, not at every call. A writable array could have changed
    since the last call, so it is hashed every time: a page that wants its data hashed once
    makes its own array read-only (``X.flags.writeable = False``).
    """
    if not isinstance(X, np.ndarray) or X.flags.writeable:
        return fingerprint(X)
    layout = (X.shape, X.strides, X.dtype)
    last = getattr(_last_keyed, "entry", None)
    if last is not None and last[0] is X and last[1] == layout:
        return last[2]
    key = fingerprint(X)
    _last_keyed.entry = (X, layout, key)
    return key


@st.cache_resource(show_spinner=False)
def finished_fits() -> BoundedStore:
    """The one store of finished fits in this server process."""
    return BoundedStore(STORE_BYTES)


def stored(key: Hashable, compute: Callable[[], Any]) -> Any:
    """The finished fit ``key`` from the store of finished fits, or ``compute()`` kept there.

    Every model's page keeps its fits here, under a key that starts with the model's name and
    holds :func:`data_key` of its data and every setting the fit depends on; a fit larger than
    the whole store is returned and not kept.
    """
    store = finished_fits()
    result = store.get(key)
    if result is None:
        result = compute()  # an exception (a stop, a bad setting) stores nothing
        store.put(key, result)
    return result
