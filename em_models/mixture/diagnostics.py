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

# The two signs of a component held up by the ridge (:func:`nearly_collapsed`): its smallest
# variance at most this many ridges (the ridge at least half of it), or an effective count
# within this margin of one point short of what its covariance needs.
RIDGE_DOMINATES = 2.0
FEW_POINTS_MARGIN = 0.5


def points_needed(covariance_type: str, n_features: int) -> int | None:
    """The fewest points a component's own covariance can be non-singular with (None for a
    tied covariance, which all components share)."""
    return {"full": n_features + 1, "diag": 2, "spherical": 2, "tied": None}[covariance_type]


@dataclass(frozen=True)
class NearCollapse:
    """A component held up by the ridge: without it, its covariance would be singular or the
    likelihood unbounded (see :func:`nearly_collapsed`).

    Attributes
    ----------
    component : int
        0-based.
    nk : float or None
        Its effective count N_k (None for a start given by the user).
    needed : int or None
        The fewest points its covariance can be non-singular with
        (:func:`points_needed`; None for a tied covariance).
    ridge_ratio : float or None
        Its smallest variance divided by the ridge along that direction (the smallest
        eigenvalue of D^(-1/2) Σ_k D^(-1/2), D the ridge's diagonal); None with no ridge.
        The points' own spread is ``ridge_ratio − 1`` ridges.
    """

    component: int
    nk: float | None
    needed: int | None
    ridge_ratio: float | None

    @property
    def few_points(self) -> bool:
        """Fewer points than a covariance of its own needs (N_k ≤ needed − ½)."""
        return (
            self.nk is not None
            and self.needed is not None
            and self.nk <= self.needed - 1 + FEW_POINTS_MARGIN
        )

    @property
    def ridge_dominated(self) -> bool:
        """Along some direction the ridge adds at least as much variance as its points."""
        return self.ridge_ratio is not None and self.ridge_ratio <= RIDGE_DOMINATES

    @property
    def held_by_ridge(self) -> bool:
        return self.few_points or self.ridge_dominated


def held_by_ridge(trace: Trace) -> bool:
    """Whether a component of the run's last snapshot is held up by the ridge
    (:func:`nearly_collapsed`): the run ended on a collapse, not on an optimum."""
    return bool(nearly_collapsed(trace.final, trace.model.ridge_diagonal))


def nearly_collapsed(snapshot: Snapshot, ridge_diagonal: np.ndarray) -> list[NearCollapse]:
    """The components of ``snapshot`` that are held up by the ridge: nearly collapsed.

    Without the ridge, such a component's covariance would be singular or the likelihood
    unbounded: it owns too few points for a covariance of its own (N_k ≤ d + ½ for a full
    covariance, about one point per dimension; N_k ≤ 1.5 for a diagonal or spherical one),
    or along some direction its points spread no more than the ridge adds (its smallest
    variance at most 2 × the ridge). Its likelihood is then set by the ridge, not by the
    data, and grows without bound as the ridge shrinks. A component of a few points that
    spread well beyond the ridge (two galaxies 86 km/s apart, with a ridge of 21 km²/s²) is
    a real optimum and is not flagged. This one rule serves the stepping view's warning, the
    search behind choosing K and the restarts' choice of their best run.

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
    needed = points_needed(params.covariance_type, params.n_features)
    found = []
    for k in range(params.n_components):
        nk = None if counts is None else float(counts[k])
        item = NearCollapse(k, nk, needed, ratios[k])
        if item.held_by_ridge:
            found.append(item)
    return found
