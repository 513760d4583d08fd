"""The work one request may ask of the shared server, checked before a fit starts.

A class shares one machine, so no single fit may hold a processor for long. Every fit in the
app's process uses one BLAS thread (:func:`use_one_blas_thread`, called by ``app.py``): the
sessions of a class already keep the cores busy side by side, and more threads only add
CPU time. The work of a request is its CPU time on one core, in seconds, as each model's own cost
model estimates it (the Gaussian mixture's: :mod:`em_models.mixture.work`; the hidden
Markov model's: :mod:`em_models.hmm.work`); a request over :data:`WORK_BUDGET` is refused with
:func:`beyond_budget`'s words.

Nothing here imports streamlit, so the benchmarks and the tests use the same numbers as the
page.
"""

from __future__ import annotations

import functools
import math

from threadpoolctl import threadpool_limits

WORK_BUDGET = 30.0  # seconds of one core that one request may use


@functools.cache
def use_one_blas_thread() -> None:
    """Limit every BLAS library loaded in this process to one thread, once (the budget is
    calibrated so; the command line keeps BLAS's default)."""
    threadpool_limits(1, user_api="blas")


def seconds_allowed() -> float:
    """The seconds of one core a request may use."""
    return WORK_BUDGET


def beyond_budget(seconds: float) -> str:
    """How much work over the budget ``seconds`` is, in words that cannot contradict
    themselves: both numbers are rounded up, so work over the budget never reads as the
    budget itself or as "1.0 times" it."""
    tenths = math.ceil(seconds / WORK_BUDGET * 10) / 10
    shown = f"{math.ceil(tenths):,}" if tenths >= 10 else f"{tenths:.1f}"
    return (
        f"up to about {math.ceil(seconds):,} seconds of one processor, about {shown} times "
        f"the {WORK_BUDGET:.0f} seconds one request may use"
    )
