"""The stepping model every page shares: a run seen one half-step at a time.

A trace with ``n_iter`` iterations holds the parameters θ_0 … θ_{n_iter}. Stepping through
it half a step at a time gives ``2·n_iter + 2`` half-steps h = 0, 1, …:

=========  =================  ==============  =====================================
h          label              curves show     points coloured by
=========  =================  ==============  =====================================
0          "Start"            θ_0             nothing yet (grey)
2t + 1     "E-step t+1"       θ_t (unmoved)   r(θ_t), the responsibilities just computed
2t, t ≥ 1  "M-step t"         θ_t (moved)     r(θ_{t−1}), the ones the M-step used
=========  =================  ==============  =====================================

The last half-step, h = 2·n_iter + 1, is the E-step the engine ran on the final parameters to
measure their log-likelihood and test convergence.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Literal

from em_core import Trace

HalfStepKind = Literal["start", "E", "M"]


@dataclass(frozen=True)
class HalfStep:
    """One half-step of a run.

    Attributes
    ----------
    index : int
        h, from 0 to ``2·n_iter + 1``.
    kind : {"start", "E", "M"}
    params_index : int
        t such that the curves show ``trace.snapshots[t]``.
    resp_index : int or None
        t such that the points are coloured by the responsibilities of
        ``trace.snapshots[t]``; None at the start, before any E-step.
    label : str
        "Start", "E-step 3", "M-step 3", …
    """

    index: int
    kind: HalfStepKind
    params_index: int
    resp_index: int | None
    label: str


def n_half_steps(trace: Trace) -> int:
    """The number of half-steps of ``trace``: ``2·n_iter + 2``."""
    return 2 * trace.n_iter + 2


def half_step(trace: Trace, h: int) -> HalfStep:
    """Half-step ``h`` of ``trace``.

    Parameters
    ----------
    trace : Trace
    h : int
        From 0 to ``n_half_steps(trace) − 1``.

    Returns
    -------
    HalfStep

    Raises
    ------
    ValueError
        If ``h`` is outside that range.
    """
    h = operator.index(h)
    last = n_half_steps(trace) - 1
    if not 0 <= h <= last:
        raise ValueError(
            f"Half-step h={h} does not exist: this run has {trace.n_iter} iterations, "
            f"so h goes from 0 (Start) to {last} (E-step {trace.n_iter + 1})."
        )
    if h == 0:
        return HalfStep(0, "start", 0, None, "Start")
    t, odd = divmod(h, 2)
    if odd:
        return HalfStep(h, "E", t, t, f"E-step {t + 1}")
    return HalfStep(h, "M", t, t - 1, f"M-step {t}")


def half_steps(trace: Trace) -> tuple[HalfStep, ...]:
    """Every half-step of ``trace``, in order."""
    return tuple(half_step(trace, h) for h in range(n_half_steps(trace)))


def describe(half: HalfStep) -> str:
    """One plain sentence telling a student what changed at this half-step."""
    if half.kind == "start":
        return (
            "Start: these are the initial guesses θ₀ for the Gaussians; no E-step has run "
            "yet, so no point is assigned to any of them."
        )
    if half.kind == "E":
        return (
            f"{half.label}: each point's colour now shows how much each Gaussian explains it; "
            "the curves have not moved."
        )
    return (
        f"{half.label}: each Gaussian moved to the weighted mean and spread of the points it "
        f"explains, and its weight became its share of them; the colours are still those of "
        f"E-step {half.params_index}."
    )
