"""Cached calls into the engine: the only place pages run EM.

Arrays are not hashed on every rerun: a page passes the data with a leading underscore
(skipped by the cache) together with ``data_id``, a short fingerprint of the data
computed once when they were loaded.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

import em_core
from em_core import Parameters, Restarts, Trace


def fingerprint(X: np.ndarray) -> str:
    """A short content hash of the data, to key caches and detect a change of data."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    return hashlib.blake2b(X.tobytes() + str(X.shape).encode(), digest_size=12).hexdigest()


@st.cache_data(show_spinner=False, max_entries=200)
def fit_trace(
    _X: np.ndarray,
    data_id: str,
    n_components: int,
    *,
    covariance_type: str = "full",
    init: str = "kmeans",
    _params: Parameters | None = None,
    params_id: tuple = (),
    seed: int = 0,
    tol: float = 1e-3,
    ridge: float | None = None,
    reg_covar: float | None = None,
    max_iter: int = 100,
) -> Trace:
    """One EM run (see :func:`em_core.fit`; the ridge is relative unless ``reg_covar`` is
    given); cached per data and settings."""
    return em_core.fit(
        _X,
        n_components,
        covariance_type=covariance_type,
        init=init,
        params=_params,
        rng=seed,
        tol=tol,
        ridge=ridge,
        reg_covar=reg_covar,
        max_iter=max_iter,
    )


@st.cache_data(show_spinner=False, max_entries=50)
def fit_restarts(
    _X: np.ndarray,
    data_id: str,
    n_components: int,
    *,
    n_init: int,
    covariance_type: str = "full",
    init: str = "kmeans",
    seed: int = 0,
    tol: float = 1e-3,
    ridge: float | None = None,
    reg_covar: float | None = None,
    max_iter: int = 100,
) -> Restarts:
    """Several EM runs from different starts (see :func:`em_core.fit_restarts`)."""
    return em_core.fit_restarts(
        _X,
        n_components,
        n_init=n_init,
        seed=seed,
        covariance_type=covariance_type,
        init=init,
        tol=tol,
        ridge=ridge,
        reg_covar=reg_covar,
        max_iter=max_iter,
    )
