"""The mixture's fits for its pages: one run, restarts, and the sweep over K, each kept in the
store of finished fits every page shares (:func:`em_ui.engine.stored`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from em_core import Trace
from em_models.mixture import engine, selection
from em_models.mixture.gaussian import Parameters
from em_models.mixture.selection import Restarts, SelectionRow
from em_ui.engine import Progress, data_key, fingerprint, stored

Sweep = tuple[SelectionRow, ...]


def fit_trace(
    X: np.ndarray,
    n_components: int,
    *,
    covariance_type: str = "full",
    init: str = "kmeans",
    _params: Parameters | None = None,
    seed: int = 0,
    tol: float = 1e-3,
    ridge: float | None = None,
    reg_covar: float | None = None,
    max_iter: int = 100,
    progress: Progress = None,
) -> Trace:
    """One EM run of ``X`` (see :func:`em_models.mixture.engine.fit`; the ridge is relative unless
    ``reg_covar`` is given), kept per data (by :func:`data_key`) and settings (given starting
    parameters ``_params`` by their content); ``progress`` is called after each iteration of
    a new fit."""
    params_id = None
    if _params is not None:
        arrays = (_params.weights, _params.means, _params.covariances)
        params_id = fingerprint(np.concatenate([np.ravel(a) for a in arrays]))
    settings = (covariance_type, init, params_id, seed, tol, ridge, reg_covar, max_iter)
    return stored(
        ("trace", data_key(X), n_components, settings),
        lambda: engine.fit(
            X,
            n_components,
            covariance_type=covariance_type,
            init=init,
            params=_params,
            rng=seed,
            tol=tol,
            ridge=ridge,
            reg_covar=reg_covar,
            max_iter=max_iter,
            callback=progress,
        ),
    )


def fit_restarts(
    X: np.ndarray,
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
    progress: Progress = None,
) -> Restarts:
    """Several EM runs of ``X`` from different starts (see
    :func:`em_models.mixture.selection.fit_restarts`),
    kept per data (by :func:`data_key`) and settings; ``progress`` is called after each
    iteration of every new run."""
    settings = (n_init, covariance_type, init, seed, tol, ridge, reg_covar, max_iter)
    return stored(
        ("restarts", data_key(X), n_components, settings),
        lambda: selection.fit_restarts(
            X,
            n_components,
            n_init=n_init,
            seed=seed,
            covariance_type=covariance_type,
            init=init,
            tol=tol,
            ridge=ridge,
            reg_covar=reg_covar,
            max_iter=max_iter,
            callback=progress,
        ),
    )


def select_n_components(
    X: np.ndarray,
    n_components_range: tuple[int, ...],
    *,
    n_init: int,
    covariance_type: str = "full",
    seed: int = 0,
    ridge: float | None = None,
    reg_covar: float | None = None,
    progress: Progress = None,
    on_row: Callable[[SelectionRow], object] | None = None,
) -> Sweep:
    """The best fit at each K of ``X`` with its BIC and AIC (see
    :func:`em_models.mixture.selection.select_n_components`), kept per data (by :func:`data_key`)
    and settings;
    ``progress`` sees every snapshot and ``on_row`` each K done
    of a new sweep."""
    settings = (tuple(n_components_range), n_init, covariance_type, seed, ridge, reg_covar)
    return stored(
        ("sweep", data_key(X), settings),
        lambda: selection.select_n_components(
            X,
            n_components_range,
            n_init=n_init,
            seed=seed,
            covariance_type=covariance_type,
            ridge=ridge,
            reg_covar=reg_covar,
            callback=progress,
            on_row=on_row,
        ),
    )
