"""What every page that fits a student's data does before and around the fit: the model and
stopping-rule settings in the sidebar, the checks that stop the page with a reason (data that
cannot be fitted with these settings, a request over the work budget), and the fit itself
with its spinner, its progress bar and a readable error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import streamlit as st

from em_data import InputError, check_for_fit
from em_models.mixture.settings import (
    Convergence,
    Model,
    convergence_settings,
    default_restarts,
    model_settings,
)
from em_models.mixture.work import over_budget
from em_ui.progress import FitProgress
from em_ui.text import literal

Result = TypeVar("Result")


def fit_settings(
    key: str, X: np.ndarray, *, suggested_k: int, columns: list[str]
) -> tuple[Model, Convergence]:
    """The sidebar's settings for fitting ``X``; stops the page, saying why, when ``X`` cannot
    be fitted with them or the request is over the work budget."""
    with st.sidebar:
        st.header("Model")
        model = model_settings(
            key,
            n_features=X.shape[1],
            default_k=suggested_k,
            default_n_init=default_restarts(*X.shape, suggested_k),
        )
        with st.expander("Stopping rule and ridge"):
            conv = convergence_settings(key)
    try:
        check_for_fit(X, model.n_components, columns=columns)
    except InputError as error:
        st.error(literal(str(error)))
        st.stop()
    too_large = over_budget(
        *X.shape, model.n_components, max_iter=conv.max_iter, n_init=model.n_init, init=model.init
    )
    if too_large:
        st.error(too_large)
        st.stop()
    return model, conv


def fit_options(model: Model, conv: Convergence) -> dict:
    """The keyword arguments of :func:`em_models.mixture.fits.fit_trace` and ``fit_restarts`` that
    the
    settings give (all but the data, K and the number of restarts)."""
    return {
        "covariance_type": model.covariance_type,
        "init": model.init,
        "seed": model.seed,
        "tol": conv.tol,
        "ridge": conv.ridge,
        "reg_covar": conv.reg_covar,
        "max_iter": conv.max_iter,
    }


def with_progress(
    n_samples: int, model: Model, conv: Convergence, fit: Callable[[FitProgress], Result]
) -> Result:
    """Run ``fit(progress)`` under a spinner; a fit of more than a second draws its progress,
    which is also where a stop (Stop, a changed widget, a closed tab) ends it between two
    iterations. An engine error stops the page with its message."""
    progress = FitProgress(n_init=model.n_init, max_iter=conv.max_iter)
    starts = f", {model.n_init} starts" if model.n_init > 1 else ""
    try:
        with st.spinner(
            f"Running EM on {n_samples:,} points (at most {conv.max_iter} iterations{starts})…",
            show_time=True,
        ):
            result = fit(progress)
    except ValueError as error:
        st.error(literal(str(error)))
        st.stop()
    progress.clear()
    return result
