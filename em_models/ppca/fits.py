"""Probabilistic PCA's fits, kept in the store of finished fits every page shares."""

from __future__ import annotations

import numpy as np

from em_core import Trace
from em_models.ppca import engine
from em_ui.engine import data_key, stored


def fit_ppca(
    X: np.ndarray,
    n_latent: int,
    *,
    seed: int = 0,
    tol: float = 1e-3,
    max_iter: int = 100,
) -> Trace:
    """One run of probabilistic PCA of ``X`` by EM from a random W (see
    :func:`em_models.ppca.engine.fit`), kept per data (by :func:`em_ui.engine.data_key`) and
    settings."""
    return stored(
        ("ppca", data_key(X), n_latent, (seed, tol, max_iter)),
        lambda: engine.fit(X, n_latent, rng=seed, tol=tol, max_iter=max_iter),
    )
