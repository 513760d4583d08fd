"""A progress bar for long fits, which is also how a long fit is stopped.

:class:`FitProgress` is the per-iteration callback a page passes to the engine. After the
first second of a fit it shows, at most a few times a second, the runs done, the current
iteration and ℓ in an ``st.progress`` bar. Every ``st.*`` call is also where Streamlit ends
a script whose run was asked to stop (the Stop button, a widget changed, the tab closed):
it raises there, and the exception unwinds out of the engine's loop between two iterations.
"""

from __future__ import annotations

import time

import streamlit as st

from em_core import Snapshot

SHOW_AFTER_S = 1.0  # a fit shorter than this shows no bar (the spinner covers it)
UPDATE_EVERY_S = 0.2  # also the longest a stop waits, once the bar is shown


class FitProgress:
    """Callback for :func:`em_models.mixture.engine.fit` and
    :func:`em_models.mixture.selection.fit_restarts` that draws progress.

    Parameters
    ----------
    n_init : int
        The number of runs (restarts) in the request.
    max_iter : int
        The iteration limit of each run.
    clock : callable, optional
        Seconds, for tests; :func:`time.monotonic` by default.
    """

    def __init__(self, *, n_init: int, max_iter: int, clock=time.monotonic) -> None:
        self.n_init, self.max_iter, self._clock = n_init, max_iter, clock
        self._started = clock()
        self._shown_at: float | None = None
        self._bar = None
        self.run = 0  # 1-based run under way
        self.calls = 0
        self._in_start_steps = False

    def __call__(self, snapshot: object) -> None:
        self.calls += 1
        # A run starts with its start's own steps (the mixture's K-means), if it has any, then
        # θ_0: whatever is not a snapshot is such a step, named by its ``phase``.
        start_step = not isinstance(snapshot, Snapshot)
        first_start_step = start_step and snapshot.iteration == 1
        start_without_steps = (
            not start_step and snapshot.iteration == 0 and not self._in_start_steps
        )
        if first_start_step or start_without_steps:
            self.run += 1
        self._in_start_steps = start_step
        now = self._clock()
        if now - self._started < SHOW_AFTER_S:
            return
        if self._shown_at is not None and now - self._shown_at < UPDATE_EVERY_S:
            return
        self._shown_at = now
        runs = f"Run {self.run} of {self.n_init} · " if self.n_init > 1 else ""
        if start_step:
            done = (self.run - 1) / self.n_init
            text = f"{runs}{snapshot.phase}, step {snapshot.iteration}"
        else:
            done = (self.run - 1 + snapshot.iteration / max(self.max_iter, 1)) / self.n_init
            text = (
                f"{runs}iteration {snapshot.iteration} of at most {self.max_iter} · "
                f"ℓ = {snapshot.log_likelihood:,.2f}"
            )
        if self._bar is None:
            self._bar = st.progress(min(done, 1.0), text=text)
        else:
            self._bar.progress(min(done, 1.0), text=text)

    def clear(self) -> None:
        """Remove the bar once the fit is over."""
        if self._bar is not None:
            self._bar.empty()
