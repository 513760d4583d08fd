"""The sweep over K on the Choosing K page: its work against the budget, and its progress bar.

The search at each K (:mod:`em_models.mixture.search`) runs ``FIRST_ITERATIONS`` iterations from
each
of its starts: ``n_init`` K-means starts, as many sets of random data points, the k-means++
seedings (more on small data: :func:`em_models.mixture.search.kmeanspp_seeds`) and K − 1 splits of
each of the ``N_POLISH`` fits polished at K − 1. ``N_CONTINUE`` runs of each of those four
kinds of start go on up to ``SCREEN_MAX_ITER`` iterations, and ``N_POLISH`` are run again
for up to ``POLISH_MAX_ITER`` from their starts. Its work is counted in
:mod:`em_ui.budget`'s seconds from those limits (:func:`sweep_runs`).

That estimate is pessimistic: measured sweeps (``benchmarks/bench_requests.py``) used
0.11–0.28 of it, their runs stopping where they converge, well before the limits they are
charged. So the budget is held while the sweep runs, and the estimate only keeps out what
could not finish anyway:

- Before the start, a sweep is refused only when its estimate is over ``ESTIMATE_FACTOR`` (4)
  times the budget: at the measured 0.11–0.28 of it, a sweep estimated at 120 s takes
  13–34 s, so what is accepted mostly finishes within the budget, and the rest is stopped
  there.
- While it runs, :class:`SweepProgress` reads the script thread's CPU time
  (:func:`time.thread_time`; with one BLAS thread that is the fit's whole cost) at every
  snapshot and K-means step, and stops the sweep with :class:`SweepStopped` once it has
  used more than the budget, keeping the rows of the Ks finished. Between two readings the
  sweep does one EM iteration or Lloyd step (and, at a run's start, the run's setup), so it
  overruns the budget by less than one run's worth, which that run's estimate bounds: the
  longest run, a polishing run of up to ``POLISH_MAX_ITER`` iterations at the largest K, is
  at most a third of the sweep's estimate (``N_POLISH`` of them are charged), so at most
  40 s, and one of its iterations far less (4 ms estimated on 100,000 × 2 points at K = 6).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import streamlit as st

from em_core import Snapshot
from em_models.mixture.search import (
    FIRST_ITERATIONS,
    N_CONTINUE,
    N_POLISH,
    POLISH_MAX_ITER,
    SCREEN_MAX_ITER,
    START_METHODS,
    kmeanspp_seeds,
)
from em_models.mixture.selection import SelectionRow
from em_models.mixture.starts import KMeansStep
from em_models.mixture.work import work
from em_ui.budget import WORK_BUDGET, beyond_budget

UPDATE_EVERY_S = 0.2  # also the longest a stop waits
ESTIMATE_FACTOR = 4.0  # a sweep's estimate may be this many budgets (see the docstring)


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


def _span(ks: Sequence[int]) -> str:
    return f"K = {ks[0]}" if len(ks) == 1 else f"K = {ks[0]} to {ks[-1]}"


def sweep_over_budget(
    n_samples: int, n_features: int, ks: Sequence[int], *, n_init: int
) -> str | None:
    """A message for the student when the sweep's estimate is over ``ESTIMATE_FACTOR``
    budgets, else None."""
    seconds = sweep_work(n_samples, n_features, ks, n_init=n_init)
    if seconds <= ESTIMATE_FACTOR * WORK_BUDGET:
        return None
    columns = f"{n_features} column" + ("" if n_features == 1 else "s")
    starts = f"{n_init} start" + ("" if n_init == 1 else "s")
    return (
        "This sweep is too large for the shared server, so it was not started: "
        f"{n_samples:,} points in {columns}, {_span(ks)}, with {starts} of each kind at "
        f"every K, would use {beyond_budget(seconds)}. Use a shorter "
        "range of K, fewer starts, fewer columns, or a sample of the data."
    )


class SweepStopped(Exception):
    """The sweep used up the budget; ``rows`` are those of the Ks it finished."""

    def __init__(self, ks: Sequence[int], rows: Sequence[SelectionRow]) -> None:
        super().__init__("the sweep used up the budget")
        self.ks, self.rows = list(ks), tuple(rows)

    def message(self) -> str:
        """What the student is told: the Ks finished, why the others were not, and what to
        reduce for them."""
        done, rest = self.ks[: len(self.rows)], self.ks[len(self.rows) :]
        finished = f"finished {_span(done)}" if done else "finished no K"
        return (
            f"This sweep was stopped: it used the {WORK_BUDGET:.0f} seconds of one processor "
            f"that one request may use, and {finished}"
            + (", shown below" if done else "")
            + f". To reach {_span(rest)}, use a shorter range of K, fewer starts, fewer columns, "
            "or a sample of the data."
        )


class SweepProgress:
    """A progress bar for the sweep, K by K, and the sweep's budget; drawing it is also where
    a stopped run ends.

    Pass the instance as the sweep's ``progress`` (every snapshot) and its :meth:`row_done`
    as ``on_row``. At every snapshot it reads ``cpu_clock`` (default
    :func:`time.thread_time`) and raises :class:`SweepStopped` once the sweep has used more
    than ``WORK_BUDGET`` seconds since this was made.
    """

    def __init__(
        self,
        ks: Sequence[int],
        *,
        clock: Callable[[], float] = time.monotonic,
        cpu_clock: Callable[[], float] = time.thread_time,
    ) -> None:
        self.ks = list(ks)
        self.rows: list[SelectionRow] = []
        self._clock, self._cpu_clock = clock, cpu_clock
        self._cpu_at_start = cpu_clock()
        self._shown_at = clock()
        self._bar = st.progress(0.0, text=self._text())

    @property
    def done(self) -> int:
        """How many Ks are finished."""
        return len(self.rows)

    def _text(self, extra: str = "") -> str:
        if self.done == len(self.ks):
            return "Sweep done."
        k = self.ks[self.done]
        return f"Searching K = {k} ({self.done + 1} of {len(self.ks)}){extra}"

    def __call__(self, snapshot: Snapshot | KMeansStep) -> None:
        if self._cpu_clock() - self._cpu_at_start > WORK_BUDGET:
            raise SweepStopped(self.ks, self.rows)
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
        self.rows.append(row)
        self._bar.progress(self.done / len(self.ks), text=self._text())

    def clear(self) -> None:
        self._bar.empty()
