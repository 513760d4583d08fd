"""The sweep over K on the Choosing K page: its work against the budget, and its progress bar.

The search at each K (:mod:`em_core.search`) runs ``FIRST_ITERATIONS`` iterations from each
of its starts: ``n_init`` K-means starts, as many sets of random data points, the k-means++
seedings (more on small data: :func:`em_core.search.kmeanspp_seeds`) and K − 1 splits of
each of the ``N_POLISH`` fits polished at K − 1. ``N_CONTINUE`` runs of each of those four
kinds of start go on up to ``SCREEN_MAX_ITER`` iterations, and ``N_POLISH`` are run again
for up to ``POLISH_MAX_ITER`` from their starts. Its work is counted in
:mod:`em_ui.budget`'s seconds from those limits (:func:`sweep_runs`).
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
from em_ui.budget import WORK_BUDGET, beyond_budget, work

UPDATE_EVERY_S = 0.2  # also the longest a stop waits


def sweep_runs(n_samples: int, n_components: int, *, n_init: int) -> list[tuple[int, int, str]]:
    """The runs of the search at one K, as (how many, iteration limit, start): the screening
    runs of every start, the continuations of the best of each kind, and the polishing."""
    others = n_init + kmeanspp_seeds(n_init, n_samples) + N_POLISH * (n_components - 1)
    kinds = len(START_METHODS) + (n_components > 1)  # the splits are a kind of their own
    return [
        (n_init, FIRST_ITERATIONS, "kmeans"),
        (others, FIRST_ITERATIONS, "other"),
        (N_CONTINUE * kinds, SCREEN_MAX_ITER - FIRST_ITERATIONS, "given"),
        (N_POLISH, POLISH_MAX_ITER, "given"),
    ]


def sweep_work(n_samples: int, n_features: int, ks: Sequence[int], *, n_init: int) -> float:
    """The work of a sweep over ``ks`` in estimated seconds of one core (em_ui.budget), every
    run charged its iteration limit."""
    return sum(
        work(n_samples, n_features, k, max_iter=max_iter, n_init=runs, init=init)
        for k in ks
        for runs, max_iter, init in sweep_runs(n_samples, k, n_init=n_init)
    )


def sweep_over_budget(
    n_samples: int, n_features: int, ks: Sequence[int], *, n_init: int
) -> str | None:
    """A message for the student when the sweep is over the budget, else None."""
    seconds = sweep_work(n_samples, n_features, ks, n_init=n_init)
    if seconds <= WORK_BUDGET:
        return None
    columns = f"{n_features} column" + ("" if n_features == 1 else "s")
    return (
        "This sweep is too large for the shared server, so it was not started: "
        f"{n_samples:,} points in {columns}, K = {min(ks)} to {max(ks)}, with {n_init} "
        f"starts of each kind at every K, would use {beyond_budget(seconds)}. Use a shorter "
        "range of K, fewer starts, fewer columns, or a sample of the data."
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
