"""A run's values of one kind (parameters, stats, log-likelihoods) kept compactly.

A run makes one small parameters object per iteration: a frozen dataclass of a few arrays of
about ten numbers each. Kept as they are, each array costs far more in Python objects than
in numbers. :func:`pack` turns the values of every iteration into one column: arrays of one
shape stacked into one read-only array, scalars of one type into one array, dataclasses field
by field (nested ones too); anything else stays a list. ``column[t]`` rebuilds value t, whose
arrays are read-only views of the stacked ones, equal in every number to the value packed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

_SCALARS = (float, int, np.float64, np.int64)


@dataclasses.dataclass(frozen=True, eq=False)
class Stacked:
    """Arrays of one shape and dtype, stacked along a first axis; ``[t]`` is a view."""

    values: np.ndarray

    def __getitem__(self, t: int) -> Any:
        return self.values[t]


@dataclasses.dataclass(frozen=True, eq=False)
class Scalars:
    """Numbers of one type in one array; ``[t]`` gives the number back as that type."""

    values: np.ndarray
    kind: type

    def __getitem__(self, t: int) -> Any:
        return self.kind(self.values[t])


@dataclasses.dataclass(frozen=True, eq=False)
class Same:
    """One object for every t (a covariance type, a None)."""

    value: Any

    def __getitem__(self, t: int) -> Any:
        return self.value


@dataclasses.dataclass(frozen=True, eq=False)
class Fields:
    """Dataclasses of one class, each field packed as a column; ``[t]`` builds the object
    without its ``__post_init__`` (its arrays were checked and frozen when first made)."""

    cls: type
    columns: dict[str, Any]

    def __getitem__(self, t: int) -> Any:
        obj = object.__new__(self.cls)
        for name, column in self.columns.items():
            object.__setattr__(obj, name, column[t])
        return obj


@dataclasses.dataclass(frozen=True, eq=False)
class Listed:
    """Values that do not pack, kept as they are."""

    values: tuple[Any, ...]

    def __getitem__(self, t: int) -> Any:
        return self.values[t]


def pack(values: Sequence[Any]) -> Stacked | Scalars | Same | Fields | Listed:
    """One column holding ``values`` (at least one)."""
    first = values[0]
    if all(v is first for v in values):
        return Same(first)
    kind = type(first)
    if any(type(v) is not kind for v in values):
        return Listed(tuple(values))
    if kind is np.ndarray:
        return _stacked(values)
    if kind in _SCALARS:
        return _scalars(values, kind)
    if dataclasses.is_dataclass(kind) and all(_plain(v) for v in values):
        names = [field.name for field in dataclasses.fields(kind)]
        return Fields(kind, {name: pack([getattr(v, name) for v in values]) for name in names})
    return Listed(tuple(values))


def _stacked(values: Sequence[np.ndarray]) -> Stacked | Listed:
    first = values[0]
    if any(v.shape != first.shape or v.dtype != first.dtype for v in values):
        return Listed(tuple(values))
    stacked = np.stack(values)
    stacked.setflags(write=False)
    return Stacked(stacked)


def _scalars(values: Sequence[Any], kind: type) -> Scalars | Listed:
    dtype = np.int64 if issubclass(kind, int | np.integer) else np.float64
    try:
        array = np.array(values, dtype=dtype)
    except OverflowError:  # a Python int beyond 64 bits
        return Listed(tuple(values))
    array.setflags(write=False)
    return Scalars(array, kind)


def _plain(obj: Any) -> bool:
    """Whether ``obj`` holds its dataclass fields and nothing else (no cached attributes)."""
    names = {field.name for field in dataclasses.fields(obj)}
    return getattr(obj, "__dict__", None) is not None and set(vars(obj)) == names
