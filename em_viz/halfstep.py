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

A run that started from K-means can be seen from the K-means steps on (``kmeans=True``, the
page's choice). The engine records S + 1 Lloyd steps c_0 … c_S (the seeds c_0, then the
centres after each average); the K-means phase is ``2·(S + 1)`` half-steps before EM's:

=========  ====================  ==============  =====================================
h          label                 centres shown   points coloured by
=========  ====================  ==============  =====================================
0          "Seeds"               c_0             nothing yet (grey)
2s + 1     "Assign s+1"          c_s (unmoved)   their nearest centre of c_s
2s, s ≥ 1  "Update s"            c_s (moved)     the clusters averaged: nearest of c_{s−1}
=========  ====================  ==============  =====================================

Then EM's half-steps follow, shifted by ``2·(S + 1)``; EM's start is the hand-off,
"Hand-off": the curves show θ_0, read off the last assignment, whose colours the points keep until
E-step 1. The shift is even, so an assignment sits where an E-step would, and an update
where an M-step would.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Literal

from em_core import Trace

HalfStepKind = Literal["seeds", "assign", "update", "start", "E", "M"]


@dataclass(frozen=True)
class HalfStep:
    """One half-step of a run.

    Attributes
    ----------
    index : int
        h, from 0 to ``n_half_steps(trace, kmeans=…) − 1``.
    kind : {"seeds", "assign", "update", "start", "E", "M"}
        The first three are K-means's; "start" is the hand-off when they come first.
    params_index : int or None
        t such that the curves show ``trace.snapshots[t]``; None in the K-means phase.
    resp_index : int or None
        t such that the points are coloured by the responsibilities of
        ``trace.snapshots[t]``; None at the start, before any E-step.
    label : str
        "Start", "E-step 3", "M-step 3", "Assign 2", …
    centers_index : int or None
        The K-means step s whose centres c_s are drawn (K-means phase only).
    labels_index : int or None
        The K-means step s whose centres c_s the points' colours are the nearest of: the
        hard assignment on screen (K-means phase and the hand-off; None at the seeds).
    """

    index: int
    kind: HalfStepKind
    params_index: int | None
    resp_index: int | None
    label: str
    centers_index: int | None = None
    labels_index: int | None = None

    @property
    def in_kmeans(self) -> bool:
        """Whether this half-step belongs to the K-means phase (no mixture yet)."""
        return self.params_index is None


def kmeans_half_steps(trace: Trace, *, kmeans: bool = True) -> int:
    """How many half-steps the K-means phase adds before EM's: ``2·len(kmeans_steps)``,
    or 0 when ``kmeans`` is False.

    Raises
    ------
    ValueError
        If ``kmeans`` is asked for a run that did not start from K-means steps.
    """
    if not kmeans:
        return 0
    steps = getattr(trace.start, "kmeans_steps", ())
    if not steps:
        raise ValueError(
            "This run did not start from K-means, so it has no K-means steps to show; only "
            "a K-means start can be stepped from its seeds."
        )
    return 2 * len(steps)


def n_half_steps(trace: Trace, *, kmeans: bool = False) -> int:
    """The number of half-steps of ``trace``: ``2·n_iter + 2``, plus the K-means phase's
    when ``kmeans``."""
    return kmeans_half_steps(trace, kmeans=kmeans) + 2 * trace.n_iter + 2


def half_step(trace: Trace, h: int, *, kmeans: bool = False) -> HalfStep:
    """Half-step ``h`` of ``trace``.

    Parameters
    ----------
    trace : Trace
    h : int
        From 0 to ``n_half_steps(trace, kmeans=kmeans) − 1``.
    kmeans : bool, default False
        Whether the run is seen from its K-means steps on (see the module's docstring).

    Returns
    -------
    HalfStep

    Raises
    ------
    ValueError
        If ``h`` is outside that range.
    """
    h = operator.index(h)
    offset = kmeans_half_steps(trace, kmeans=kmeans)
    last = n_half_steps(trace, kmeans=kmeans) - 1
    if not 0 <= h <= last:
        first = "Seeds" if kmeans else "Start"
        raise ValueError(
            f"Half-step h={h} does not exist: this run has {trace.n_iter} iterations, "
            f"so h goes from 0 ({first}) to {last} (E-step {trace.n_iter + 1})."
        )
    if h < offset:
        s, odd = divmod(h, 2)
        if h == 0:
            return HalfStep(0, "seeds", None, None, "Seeds", 0, None)
        if odd:
            return HalfStep(h, "assign", None, None, f"Assign {s + 1}", s, s)
        return HalfStep(h, "update", None, None, f"Update {s}", s, s - 1)
    if h == offset:
        if kmeans:
            return HalfStep(h, "start", 0, None, "Hand-off", None, offset // 2 - 1)
        return HalfStep(0, "start", 0, None, "Start")
    t, odd = divmod(h - offset, 2)
    if odd:
        return HalfStep(h, "E", t, t, f"E-step {t + 1}")
    return HalfStep(h, "M", t, t - 1, f"M-step {t}")


def em_index(trace: Trace, h: int, *, kmeans: bool = False) -> int | None:
    """EM's own number of half-step ``h`` (as on a page that starts at EM's start): ``h``
    less the K-means phase, or None within it."""
    em = h - kmeans_half_steps(trace, kmeans=kmeans)
    return em if em >= 0 else None


def m_step_source(half: HalfStep) -> int:
    """t such that the M-step on screen, or the next one, goes from θ_t to θ_{t+1}: the
    M-step's own source at an M-step, else the parameters on screen."""
    if half.params_index is None:
        raise ValueError(f"{half.label} is a K-means half-step: there is no M-step yet.")
    return half.params_index - 1 if half.kind == "M" else half.params_index


def half_steps(trace: Trace, *, kmeans: bool = False) -> tuple[HalfStep, ...]:
    """Every half-step of ``trace``, in order."""
    return tuple(
        half_step(trace, h, kmeans=kmeans) for h in range(n_half_steps(trace, kmeans=kmeans))
    )


def describe(half: HalfStep) -> str:
    """One plain sentence telling a student what changed at this half-step."""
    if half.kind == "seeds":
        return (
            "K-means seeds: K centres picked among the points by k-means++ (each next one far "
            "from those already picked); no point is assigned yet."
        )
    if half.kind == "assign":
        return (
            f"K-means {half.label.lower()}: every point now wears the colour of its nearest "
            "centre; the centres have not moved."
        )
    if half.kind == "update":
        return (
            f"K-means {half.label.lower()}: each centre moved to the average of the points of "
            f"its colour; the colours are still those of assign {half.labels_index + 1}."
        )
    if half.kind == "start" and half.labels_index is not None:
        return (
            "Hand-off: K-means's clusters become EM's first parameters θ₀ — each weight is "
            "its cluster's share of the points, each mean its centre, each covariance its "
            "points' spread (plus the ridge). The colours are still the hard clusters; "
            "EM's first E-step makes them soft."
        )
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
