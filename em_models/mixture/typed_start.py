"""A start the student types: the K means (and, in 1-D, optionally the K spreads σ).

The weights start equal. Without σ, every component starts with the covariance of the
whole data plus the ridge (as the "random data points" start does), so only the means are
the student's choice. :func:`typed_start` reads the table; :func:`typed_start_editor` is the
widget.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st
from numpy.typing import NDArray

from em_models.mixture.gaussian import Parameters, from_full
from em_ui.engine import data_key
from em_ui.text import literal


def default_means(X: NDArray[np.float64], n_components: int) -> NDArray[np.float64]:
    """K means spread along the data: the quantiles 1/(2K), 3/(2K), … of each column,
    rounded to three significant digits (a start a person might type)."""
    quantiles = (np.arange(n_components) + 0.5) / n_components
    means = np.quantile(X, quantiles, axis=0)
    return np.array([[float(f"{v:.3g}") for v in row] for row in means])


def typed_start(
    table: NDArray[np.float64],
    X: NDArray[np.float64],
    covariance_type: str,
    ridge_diagonal: NDArray[np.float64],
) -> Parameters:
    """Starting parameters from a typed table.

    Parameters
    ----------
    table : array of shape (n_components, n_features) or, in 1-D, (n_components, 2)
        The means, one row per component; in 1-D a second column of σ, all empty (NaN) for
        "means only".
    X : array of shape (n_samples, n_features)
    covariance_type : str
    ridge_diagonal : array of shape (n_features,)
        Added to the whole data's covariance when no σ is given.

    Returns
    -------
    Parameters

    Raises
    ------
    ValueError
        With what to fix: an empty or non-number mean, some σ given but not all, σ ≤ 0.
    """
    table = np.asarray(table, dtype=np.float64)
    n_components, n_features = table.shape[0], X.shape[1]
    means, sigmas = table[:, :n_features], None
    if table.shape[1] > n_features:
        sigma_column = table[:, n_features]
        if not np.all(np.isnan(sigma_column)):
            sigmas = sigma_column
    if not np.all(np.isfinite(means)):
        row = int(np.flatnonzero(~np.all(np.isfinite(means), axis=1))[0])
        raise ValueError(f"Row {row + 1}: type a number for every mean.")
    if sigmas is not None:
        if np.any(np.isnan(sigmas)):
            raise ValueError(
                "Give every σ, or leave them all empty to start each Gaussian with the spread "
                "of the whole data."
            )
        bad = np.flatnonzero(~(np.isfinite(sigmas) & (sigmas > 0)))
        if bad.size:
            k = int(bad[0])
            raise ValueError(
                f"Row {k + 1}: σ = {sigmas[k]:g}; a spread must be a number greater than 0."
            )
        covariances = (sigmas**2)[:, None, None]
    else:
        whole = np.atleast_2d(np.cov(X, rowvar=False, bias=True)) + np.diag(ridge_diagonal)
        covariances = np.broadcast_to(whole, (n_components, n_features, n_features))
    weights = np.full(n_components, 1.0 / n_components)
    return Parameters(weights, means, from_full(covariances, covariance_type), covariance_type)


def same_rows(means: NDArray[np.float64]) -> tuple[int, int] | None:
    """The first two components (1-based) typed with the same mean, or None."""
    for i in range(means.shape[0]):
        for j in range(i + 1, means.shape[0]):
            if np.array_equal(means[i], means[j]):
                return i + 1, j + 1
    return None


def typed_key(key: str, data_id: str, n_components: int) -> str:
    """The widget key of the typed start's table for these data and K."""
    return f"{key}.typed.{data_id}.{n_components}"


def typed_start_editor(
    key: str,
    X: NDArray[np.float64],
    n_components: int,
    covariance_type: str,
    ridge_diagonal: NDArray[np.float64],
    column_names: Sequence[str],
) -> Parameters | None:
    """The editable table of a typed start; returns its parameters, or None after saying
    what is wrong with it. Its widget key names the data (:func:`em_ui.engine.data_key`)
    and K, so edits made for other data or another K never carry over."""
    one_d = X.shape[1] == 1
    names = ["μ"] if one_d else [f"μ ({name})" for name in column_names]
    frame = pd.DataFrame(default_means(X, n_components), columns=names)
    if one_d:
        frame["σ"] = np.nan
    edited = st.data_editor(
        frame,
        key=typed_key(key, data_key(X), n_components),
        hide_index=True,
        num_rows="fixed",
        # A grid's header is plain text, the column's own name (no markdown to escape).
        column_config={name: st.column_config.NumberColumn(format="%.4g") for name in names}
        | ({"σ": st.column_config.NumberColumn("σ (optional)", format="%.4g")} if one_d else {}),
    )
    try:
        params = typed_start(
            edited.to_numpy(dtype=float, na_value=np.nan), X, covariance_type, ridge_diagonal
        )
    except ValueError as error:
        st.error(f"Your start is not used yet. {literal(str(error))}")
        return None
    twins = same_rows(params.means)
    if twins is not None and (
        not one_d or np.allclose(*params.covariances[[twins[0] - 1, twins[1] - 1]])
    ):
        st.warning(
            f"Components {twins[0]} and {twins[1]} start identical, so every E-step gives them "
            "the same responsibilities and every M-step the same parameters: EM can never "
            "pull them apart. Move one of the means."
        )
    return params
