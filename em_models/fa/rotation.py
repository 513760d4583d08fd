"""Factor analysis's loadings turned: the same C = WWᵀ + Ψ from W R for any rotation R, and
varimax's choice among them (Kaiser, 1958).

Pure NumPy. Factors are defined only up to rotation: with R orthogonal, (W R)(W R)ᵀ = WWᵀ,
so C, and with it ℓ, do not change. Varimax picks the R that makes each factor's squared
loadings as spread out as can be (a few large, the rest near 0), which is easier to name.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def plane_rotation(n_factors: int, degrees: float) -> NDArray[np.float64]:
    """The q × q rotation turning factors 1 and 2 by ``degrees`` counter-clockwise (the
    others stay); q = 1 has none but the identity."""
    R = np.eye(n_factors)
    if n_factors >= 2:
        a = np.deg2rad(degrees)
        R[:2, :2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
    return R


def varimax(
    loadings: ArrayLike, *, gamma: float = 1.0, max_iter: int = 100, tol: float = 1e-6
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Varimax: the orthogonal R that maximises the variance of each factor's squared
    loadings, by Kaiser's iteration of SVDs; returns (W R, R).

    The same iteration, tolerance and stopping rule as scikit-learn's
    ``FactorAnalysis(rotation="varimax")`` (tests/test_fa_view.py compares them).
    """
    W = np.asarray(loadings, dtype=np.float64)
    p, k = W.shape
    R = np.eye(k)
    total = 0.0
    for _ in range(max_iter):
        turned = W @ R
        target = turned**3 - (gamma / p) * turned @ np.diag(np.sum(turned**2, axis=0))
        u, s, vh = np.linalg.svd(W.T @ target)
        R = u @ vh
        previous, total = total, float(np.sum(s))
        if total < previous * (1 + tol):
            break
    return W @ R, R


def rotation_angle(R: NDArray[np.float64]) -> tuple[float, bool]:
    """The angle in degrees by which a 2 × 2 orthogonal R turns factors 1 and 2, and
    whether it also flips factor 2 (det R = −1)."""
    flipped = bool(np.linalg.det(R[:2, :2]) < 0)
    first = R[:2, 0]
    return float(np.rad2deg(np.arctan2(first[1], first[0]))), flipped
