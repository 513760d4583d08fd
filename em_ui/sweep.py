"""The sweep over K on the Choosing K page: its work against the budget, and its progress bar.

The search at each K (:mod:`em_core.search`) runs ``FIRST_ITERATIONS`` iterations from each
of its starts: ``n_init`` K-means starts, as many sets of random data points, the k-means++
seedings (more on small data: :func:`em_core.search.kmeanspp_seeds`) and K − 1 splits of
each of the ``N_POLISH`` fits polished at K − 1. ``N_CONTINUE`` runs of each of those four
kinds of start go on up to ``SCREEN_MAX_ITER`` iterations, and ``N_POLISH`` are run again
for up to ``POLISH_MAX_ITER``. Its work is counted in :mod:`em_ui.budget`'s units from those
limits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import streamlit as st

from em_core import SelectionRow, Snapshot
from em_core.init import KMeansStep
from em_core.search import (
    FIRST_ITERATIONS,
    N_CONTINUE,
    N_POLISH,
    POLISH_MAX_ITER,
    SCREEN_MAX_ITER,
    START_METHODS,
    kmeanspp_seeds,
)
from em_ui.budget import WORK_BUDGET, seconds_allowed, work

UPDATE_EVERY_S = 0.2  # also the longest a stop waits


def sweep_work(n_samples: int, n_features: int, ks: Sequence[int], *, n_init: int) -> float:
    """The work of a sweep over ``ks``, in the units of :data:`em_ui.budget.WORK_BUDGET`."""
    first, more = FIRST_ITERATIONS, SCREEN_MAX_ITER - FIRST_ITERATIONS
    others = n_init + kmeanspp_seeds(n_init, n_samples)  # random data points and k-means++
    total = 0.0
    for k in ks:
        size = (n_samples, n_features, k)
        splits = N_POLISH * (k - 1)
        total += work(*size, max_iter=first, n_init=n_init, init="kmeans")
        total += work(*size, max_iter=first, n_init=others + splits, init="other")
        kinds = len(START_METHODS) + (k > 1)
        total += work(*size, max_iter=more, n_init=N_CONTINUE * kinds, init="given")
        total += work(*size, max_iter=POLISH_MAX_ITER, n_init=N_POLISH, init="given")
    return total


def sweep_over_budget(
    n_samples: int, n_features: int, ks: Sequence[int], *, n_init: int
) -> str | None:
    """A message for the student when the sweep is over the budget, else None."""
    ratio = sweep_work(n_samples, n_features, ks, n_init=n_init) / WORK_BUDGET
    if ratio <= 1:
        return None
    times = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}"
    columns = f"{n_features} column" + ("" if n_features == 1 else "s")
    return (
        "This sweep is too large for the shared server, so it was not started: "
        f"{n_samples:,} points in {columns}, K = {min(ks)} to {max(ks)}, with {n_init} "
        f"starts of each kind at every K, is about {times} times the work one request may "
        f"use (about {seconds_allowed():.0f} seconds of one processor). Use a shorter range "
        "of K, fewer starts, fewer columns, or a sample of the data."
    )


class SweepProgress:
    """A progress bar for the sweep, K by K; drawing it is also where a stopped run ends.

    Pass the instance as the sweep's ``progress`` (every snapshot) and its :meth:`row_done`
    as ``on_row``.
    """

    def __init__(self, ks: Sequence[int], *, clock=time.monotonic) -> None:
        self.ks = list(ks)
        self.done = 0
        self._clock = clock
        self._shown_at = clock()
        self._bar = st.progress(0.0, text=self._text())

    def _text(self, extra: str = "") -> str:
        if self.done == len(self.ks):
            return "Sweep done."
        k = self.ks[self.done]
        return f"Searching K = {k} ({self.done + 1} of {len(self.ks)}){extra}"

    def __call__(self, snapshot: Snapshot | KMeansStep) -> None:
        now = self._clock()
        if now - self._shown_at < UPDATE_EVERY_S:
            return
        self._shown_at = now
        extra = (
            ""
            if isinstance(snapshot, KMeansStep)
            else f" · iteration {snapshot.iteration}, ℓ = {snapshot.log_likelihood:,.2f}"
        )
        self._bar.progress(self.done / len(self.ks), text=self._text(extra))

    def row_done(self, row: SelectionRow) -> None:
        self.done += 1
        self._bar.progress(self.done / len(self.ks), text=self._text())

    def clear(self) -> None:
        self._bar.empty()
