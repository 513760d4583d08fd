"""The half-steps of an EM run, every model's: the start, then E-step t and M-step t.

A trace with ``n_iter`` iterations holds the parameters θ_0 … θ_{n_iter}. Stepping through
it half a step at a time gives ``2·n_iter + 2`` half-steps h = 0, 1, …:

=========  =================  =================  =======================================
h          label              parameters drawn   what the E-step computed, shown
=========  =================  =================  =======================================
0          "Start"            θ_0                nothing yet
2t + 1     "E-step t+1"       θ_t (unmoved)      from θ_t, just computed
2t, t ≥ 1  "M-step t"         θ_t (moved)        from θ_{t−1}, what the M-step used
=========  =================  =================  =======================================

The last half-step, h = 2·n_iter + 1, is the E-step the engine ran on the final parameters to
measure their log-likelihood and test convergence.

A view may show a run through half-steps of its own (the Gaussian mixture's K-means phase,
:mod:`em_models.mixture.kmeans_phase`, comes before EM's); it declares which step button reaches
each
of them (``button_kinds``, :mod:`em_viz.view`). :func:`button_kind` is EM's: the E-step
button reaches an E-step, the M-step button an M-step.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from em_core import Trace
from em_viz.view import ButtonKind


@dataclass(frozen=True)
class HalfStep:
    """One half-step of a run.

    Attributes
    ----------
    index : int
        h, from 0 to ``n_half_steps − 1``.
    kind : str
        EM's are "start", "E" and "M"; a view may have kinds of its own (the mixture's
        K-means phase: "seeds", "assign", "update").
    params_index : int or None
        t such that the parameters drawn are ``trace.snapshots[t]``; None before EM's start.
    resp_index : int or None
        t such that what the E-step computed (a mixture's responsibilities, PPCA's latent
        coordinates) is that of ``trace.snapshots[t]``; None before the first E-step.
    label : str
        "Start", "E-step 3", "M-step 3", …
    """

    index: int
    kind: str
    params_index: int | None
    resp_index: int | None
    label: str


def n_half_steps(trace: Trace) -> int:
    """The number of half-steps of ``trace``: ``2·n_iter + 2``."""
    return 2 * trace.n_iter + 2


def check_index(h: int, trace: Trace, n_half: int, first: str = "Start") -> int:
    """``h`` as an int when it is one of the ``n_half`` half-steps of ``trace``, whose first
    is named ``first``.

    Raises
    ------
    ValueError
        If it is not.
    """
    h = operator.index(h)
    last = n_half - 1
    if not 0 <= h <= last:
        raise ValueError(
            f"Half-step h={h} does not exist: this run has {trace.n_iter} iterations, "
            f"so h goes from 0 ({first}) to {last} (E-step {trace.n_iter + 1})."
        )
    return h


def half_step(trace: Trace, h: int) -> HalfStep:
    """Half-step ``h`` of ``trace`` (see the module's docstring).

    Raises
    ------
    ValueError
        If ``h`` is not from 0 to ``n_half_steps(trace) − 1``.
    """
    h = check_index(h, trace, n_half_steps(trace))
    if h == 0:
        return HalfStep(0, "start", 0, None, "Start")
    t, odd = divmod(h, 2)
    if odd:
        return HalfStep(h, "E", t, t, f"E-step {t + 1}")
    return HalfStep(h, "M", t, t - 1, f"M-step {t}")


def half_steps(trace: Trace) -> tuple[HalfStep, ...]:
    """Every half-step of ``trace``, in order."""
    return tuple(half_step(trace, h) for h in range(n_half_steps(trace)))


def button_kind(half: HalfStep) -> ButtonKind | None:
    """Which step button reaches an EM half-step from the one before: "E" an E-step, "M" an
    M-step, None the start."""
    return half.kind if half.kind in ("E", "M") else None


def m_step_source(half: HalfStep) -> int:
    """t such that the M-step on screen, or the next one, goes from θ_t to θ_{t+1}: the
    M-step's own source at an M-step, else the parameters on screen."""
    if half.params_index is None:
        raise ValueError(f"{half.label} comes before EM's start: there is no M-step yet.")
    return half.params_index - 1 if half.kind == "M" else half.params_index
