"""Factor analysis's fits, kept in the store of finished fits every page shares."""

from __future__ import annotations

import numpy as np

from em_core import Trace
from em_models.fa import engine, lessons
from em_ui.engine import data_key, stored


def fit_fa(
    X: np.ndarray,
    n_factors: int,
    *,
    columns: tuple[str, ...],
    init: str = "pca",
    seed: int = 0,
    tol: float = 1e-3,
    max_iter: int = 1000,
) -> Trace:
    """One run of factor analysis of ``X`` (standardised) by EM from the start ``init``:
    "pca" (the data's principal axes) or "random" (a W drawn from ``seed``); kept per data
    and settings."""
    return stored(
        ("fa", data_key(X), n_factors, tuple(columns), (init, seed, tol, max_iter)),
        lambda: engine.fit(
            X, n_factors, init=init, rng=seed, columns=columns, tol=tol, max_iter=max_iter
        ),
    )


def long_run(X: np.ndarray, trace: Trace) -> Trace:
    """The run carried on from its start for :data:`em_models.fa.lessons.LONG_RUN`
    iterations (:func:`em_models.fa.lessons.long_run`), kept per data and start."""
    start = trace.snapshots[0].params
    key = ("fa-long", data_key(X), start.loadings.tobytes(), start.noise_variances.tobytes())
    return stored(key, lambda: lessons.long_run(X, trace))
