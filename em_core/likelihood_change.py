"""The one classifier of a change of the log-likelihood ℓ between two snapshots.

EM never lowers ℓ, so a change is an increase; flat (within float rounding of ℓ, a sum of N
rounded terms); a decrease caused by the ridge, which moves each M-step off the exact
maximum; or, with no ridge, a decrease from numerical trouble. Every place that reports a
decrease asks :func:`classify_change` (for a run, :func:`trace_change` and :func:`decreases`),
so they all agree.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # em_core.em imports this module
    from em_core.em import Trace

# Rounding of ℓ: a relative 1e-12 of |ℓ|, and at least 1e-12 per sample (ℓ is a sum of N
# terms whose own sizes, not their sum, set the rounding error).
FLAT_RTOL = 1e-12


class Change(enum.StrEnum):
    """How ℓ changed from one snapshot to the next."""

    INCREASE = "increase"
    FLAT = "flat"
    RIDGE_DECREASE = "ridge decrease"
    NUMERICAL_DECREASE = "numerical decrease"

    @property
    def is_decrease(self) -> bool:
        return self in (Change.RIDGE_DECREASE, Change.NUMERICAL_DECREASE)


def flat_tolerance(before: float, after: float, n_samples: int) -> float:
    """The largest |ℓ_after − ℓ_before| that float rounding alone can explain."""
    return FLAT_RTOL * max(abs(before), abs(after), float(n_samples))


def classify_change(before: float, after: float, n_samples: int, ridge: bool) -> Change:
    """Classify the change of ℓ from ``before`` to ``after``.

    Parameters
    ----------
    before, after : float
        Total log-likelihoods of two consecutive snapshots.
    n_samples : int
    ridge : bool
        Whether the M-step added a ridge (reg_covar > 0).

    Returns
    -------
    Change
    """
    delta = after - before
    if abs(delta) <= flat_tolerance(before, after, n_samples):
        return Change.FLAT
    if delta > 0:
        return Change.INCREASE
    return Change.RIDGE_DECREASE if ridge else Change.NUMERICAL_DECREASE


def trace_change(trace: Trace, t: int) -> Change:
    """How ℓ changed from snapshot t − 1 to snapshot t of ``trace`` (t ≥ 1)."""
    return classify_change(
        trace.snapshots[t - 1].log_likelihood,
        trace.snapshots[t].log_likelihood,
        trace.n_samples,
        trace.model.penalised,
    )


def decreases(trace: Trace) -> list[int]:
    """The snapshots t where ℓ really decreased from t − 1 (rounding excluded)."""
    return [t for t in range(1, len(trace.snapshots)) if trace_change(trace, t).is_decrease]
