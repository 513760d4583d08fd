"""Stores shared by every session, bounded by the bytes their values really hold.

:func:`held_bytes` counts a value the way the interpreter holds it: every object reachable
from it (tuples, lists, dicts, a dataclass's or any object's fields, an array's base), each
once, at ``sys.getsizeof`` (an array that owns its numbers counts its buffer; a view counts
its header and its base once). A stored fit is mostly small objects: a snapshot of ten
Gaussians on one column holds about 1 KB, of which its numbers are under a third.
:class:`BoundedStore` keeps values by key and lets the least recently used go beyond its
bytes.

A value is stored after the computation that built it, which freed far more than it keeps
(a fit's temporaries between its snapshots); the C allocator keeps what was freed for the
thread that freed it, so :meth:`BoundedStore.put` gives it back to the system
(:func:`release_freed_memory`): under twenty fits at once the server's memory otherwise
stayed about 50 MiB above what its values and sessions hold.
"""

from __future__ import annotations

import ctypes
import enum
import gc
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np

# Objects every value shares with the rest of the program, which storing a value does not
# keep alive: constants, enum members, classes, functions and modules.
_SHARED = (type(None), bool, enum.Enum, type, types.FunctionType, types.ModuleType)
_MANAGED_DICT = 1 << 4  # Py_TPFLAGS_MANAGED_DICT: the instance's fields live beside it


def _c_malloc_trim():
    """glibc's ``malloc_trim``, or None under a C library without it (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _c_malloc_trim()


def release_freed_memory() -> None:
    """Give back to the system the memory the C allocator keeps after it was freed (every
    arena's free pages; the call lets go of the interpreter's lock while it runs)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def held_bytes(value: object) -> int:
    """The bytes of every object reachable from ``value``, each counted once."""
    seen: set[int] = set()
    pending = [value]
    total = 0
    while pending:
        obj = pending.pop()
        if id(obj) in seen or isinstance(obj, _SHARED):
            continue
        seen.add(id(obj))
        parts = _parts(obj)
        total += sys.getsizeof(obj) + _field_array_bytes(obj, parts)
        pending.extend(parts)
    return total


def _parts(obj: object) -> list[object]:
    """The objects ``obj`` refers to (through the collector's own view, which reads an
    object's fields without building its ``__dict__``); an array's numbers are in its base."""
    if isinstance(obj, np.ndarray):
        return [] if obj.base is None else [obj.base]
    return gc.get_referents(obj)


def _field_array_bytes(obj: object, parts: list[object]) -> int:
    """The array in which Python (3.11 on) keeps an instance's fields until its ``__dict__``
    is asked for: one pointer per field and a short prefix, beside the object, so
    ``sys.getsizeof`` leaves it out."""
    if not type(obj).__flags__ & _MANAGED_DICT or any(isinstance(p, dict) for p in parts):
        return 0
    n_fields = len(parts) - 1  # the referents are the type and the fields' values
    return -(-8 * (n_fields + 2) // 16) * 16


class BoundedStore:
    """Values by key, within ``max_bytes`` as :func:`held_bytes` counts them; the least
    recently used go first, and a value larger than the whole store is not kept.

    Values are shared by every session, so they must not change once stored (traces are
    frozen, with read-only arrays).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: Hashable, value: object) -> None:
        """Keep ``value`` (unless it is larger than the whole store), then give back the
        memory freed while it was built and by the values it pushed out."""
        self._keep(key, value, held_bytes(value))
        release_freed_memory()

    def _keep(self, key: Hashable, value: object, size: int) -> None:
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]

    @property
    def bytes(self) -> int:
        """The bytes the stored values hold."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
