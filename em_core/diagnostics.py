"""What a finished run says about itself: how ℓ changed between snapshots, and which
components are nearly collapsed.

EM never lowers the log-likelihood ℓ. A change between two snapshots is therefore one of:

- an increase;
- flat: within float rounding of ℓ (a sum of N terms, each rounded), so no change at all;
- a decrease caused by the ridge, which moves each M-step off the exact maximum;
- a decrease with no ridge: numerical trouble.

Every place that reports a decrease asks :func:`classify_change`, so they all agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from em_core.em import Snapshot, Trace
from em_core.likelihood_change import Change, classify_change

# A variance within this factor of the ridge is held up by the ridge, not by the data.
RIDGE_FACTOR = 100.0
# A component whose effective count is at most this owns about one point.
FEW_POINTS = 1.5


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


@dataclass(frozen=True)
class NearCollapse:
    """A component that sits on about one point or is held up by the ridge.

    Attributes
    ----------
    component : int
        0-based.
    nk : float or None
        Its effective count N_k (None for a start given by the user).
    ridge_ratio : float or None
        Its smallest variance divided by the ridge along that direction (the smallest
        eigenvalue of D^(-1/2) Σ_k D^(-1/2), D the ridge's diagonal); None with no ridge.
    """

    component: int
    nk: float | None
    ridge_ratio: float | None

    @property
    def few_points(self) -> bool:
        return self.nk is not None and self.nk <= FEW_POINTS

    @property
    def held_by_ridge(self) -> bool:
        return self.ridge_ratio is not None and self.ridge_ratio <= RIDGE_FACTOR


def nearly_collapsed(snapshot: Snapshot, ridge_diagonal: np.ndarray) -> list[NearCollapse]:
    """The components of ``snapshot`` that have nearly collapsed.

    A component is nearly collapsed when it owns about one point (N_k ≤ 1.5) or when its
    covariance is held up by the ridge (an eigenvalue within 100 × the ridge). Both mean
    that the fit describes single points rather than clusters.

    Parameters
    ----------
    snapshot : Snapshot
        Of a Gaussian mixture.
    ridge_diagonal : array of shape (n_features,)
        What the M-step added to each feature's variance (``trace.model.ridge_diagonal``).

    Returns
    -------
    list of NearCollapse
    """
    ridge = np.asarray(ridge_diagonal, dtype=np.float64)
    params, counts = snapshot.params, snapshot.stats
    ratios: list[float | None] = [None] * params.n_components
    if np.all(ridge > 0):
        scale = 1.0 / np.sqrt(ridge)
        whitened = params.full_covariances() * scale[:, None] * scale[None, :]
        ratios = np.linalg.eigvalsh(whitened)[:, 0].tolist()
    found = []
    for k in range(params.n_components):
        nk = None if counts is None else float(counts[k])
        item = NearCollapse(k, nk, ratios[k])
        if item.few_points or item.held_by_ridge:
            found.append(item)
    return found
