"""Tables for display: the parameters at a half-step, and the points' responsibilities.

Column names use the maths: μ, σ (per feature), the correlations ρ, π, N_k, Δ for the change
since the previous half-step, and r_nk. Components and points are numbered from 1, as in
the formulas; they are ordinary columns, so the tables read the same with the index hidden.

:func:`column_formats` says how each column is written on screen (a printf-style format, as
Streamlit's number columns take, and a width in pixels that fits every value whole).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture.engine import e_step
from em_models.mixture.figures import check_trace
from em_models.mixture.gaussian import Parameters
from em_viz.figures_common import as_features
from em_viz.halfstep import half_step
from em_viz.number_formats import decimals, key_number


def parameter_table(
    trace: Trace,
    h: int,
    *,
    X: ArrayLike | None = None,
    column_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per component: μ, σ or the variances, π, N_k and the change Δ.

    Parameters
    ----------
    trace : Trace
    h : int
        The half-step on screen.
    X : array-like of shape (n_samples, n_features), optional
        Only needed for N_k at the last half-step (the E-step on the final parameters, whose
        counts the trace does not store); without it that column is NaN there.
    column_names : sequence of str, optional
        Names of the features (default "x1", "x2", …; unused with one feature).

    Returns
    -------
    pandas.DataFrame
        Columns ``component``, then for one feature ``μ, σ, π, N_k, Δμ, Δσ, Δπ``; for d
        features ``μ[name]`` …, ``σ[name]`` … (standard deviations, √ of Σ_k's diagonal),
        for full and tied covariances with up to ``CORRELATION_MAX_FEATURES`` features the
        correlations ``ρ[a, b]`` of every pair (what tilts the ellipses; with d features Σ_k
        is these σ and ρ: Σ_ab = ρ_ab σ_a σ_b), then ``π``, ``N_k``, and a Δ column for each
        parameter. N_k is Σ_n r_nk of the responsibilities shown at this half-step (NaN at
        the start, before any E-step). Δ is the change from the previous half-step's
        parameters, rounded to the digits the parameter is shown with
        (:func:`rounded_change`): exactly 0 at the start, at E-steps, which move no curve,
        and wherever a move is smaller than the parameter's last digit.
    """
    half = half_step(trace, h)
    params = trace.snapshots[half.params_index].params
    previous = trace.snapshots[half_step(trace, h - 1).params_index].params if h > 0 else params
    n_features = params.n_features
    names = _names(column_names, n_features)

    table: dict[str, NDArray | list] = {"component": list(range(1, params.n_components + 1))}
    now, before = _columns(params, names), _columns(previous, names)
    table.update(now)  # μ, σ (and ρ), π
    table["N_k"] = _nk(trace, half.resp_index, X)
    for name, value in now.items():
        table[f"Δ{name}"] = rounded_change(value - before[name], value)
    return pd.DataFrame(table)


def split_changes(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A :func:`parameter_table` as two narrower tables that fit a laptop's column: the
    parameters with N_k, and their changes Δ; each starts with the ``component`` column."""
    changes = [name for name in table.columns if str(name).startswith("Δ")]
    return table.drop(columns=changes), table[["component", *changes]]


# Correlations are listed for every pair of up to this many features (6 pairs for 4).
CORRELATION_MAX_FEATURES = 4


def _columns(params: Parameters, names: list[str]) -> dict[str, NDArray[np.float64]]:
    covariances = params.full_covariances()
    sigmas = np.sqrt(np.diagonal(covariances, axis1=1, axis2=2))
    if len(names) == 1:
        return {"μ": params.means[:, 0], "σ": sigmas[:, 0], "π": params.weights}
    columns = {f"μ[{name}]": params.means[:, j] for j, name in enumerate(names)}
    columns |= {f"σ[{name}]": sigmas[:, j] for j, name in enumerate(names)}
    if params.covariance_type in ("full", "tied") and len(names) <= CORRELATION_MAX_FEATURES:
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                rho = covariances[:, a, b] / (sigmas[:, a] * sigmas[:, b])
                columns[f"ρ[{names[a]}, {names[b]}]"] = rho
    columns["π"] = params.weights
    return columns


def _nk(trace: Trace, resp_index: int | None, X: ArrayLike | None) -> NDArray[np.float64]:
    """N_k of the responsibilities r(θ_t), t = ``resp_index``.

    The trace stores them with θ_{t+1}, the parameters they produced; the final E-step's
    are recomputed from X when it is given.
    """
    n_components = trace.final.params.n_components
    if resp_index is None:
        return np.full(n_components, np.nan)
    if resp_index + 1 < len(trace.snapshots):
        nk = trace.snapshots[resp_index + 1].stats
        if nk is not None:
            return np.array(nk)
    if X is None:
        return np.full(n_components, np.nan)
    return e_step(as_features(X), trace.snapshots[resp_index].params).nk


def responsibility_table(
    X: ArrayLike,
    trace: Trace,
    h: int,
    max_rows: int = 200,
    *,
    column_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The first ``max_rows`` points with the responsibilities they wear at half-step ``h``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    trace : Trace
    h : int
    max_rows : int, default 200
    column_names : sequence of str, optional
        Names of the features (default "x" for one feature, else "x1", "x2", …).

    Returns
    -------
    pandas.DataFrame
        Columns ``n`` (numbered from 1), the point's value(s), then ``r_n1`` … ``r_nK``;
        the r columns hold NaN at the start, before the first E-step (shown as a dash).
    """
    X = as_features(X)
    check_trace(X, trace)
    half = half_step(trace, h)
    rows = X[:max_rows]
    names = _names(column_names, X.shape[1])
    table: dict[str, object] = {"n": np.arange(1, rows.shape[0] + 1)}
    for j, name in enumerate(names):
        table[name] = rows[:, j]
    n_components = trace.final.params.n_components
    if half.resp_index is None:
        for k in range(n_components):
            table[f"r_n{k + 1}"] = np.full(rows.shape[0], np.nan)
    else:
        resp = e_step(rows, trace.snapshots[half.resp_index].params).resp
        for k in range(n_components):
            table[f"r_n{k + 1}"] = resp[:, k]
    return pd.DataFrame(table)


def _names(column_names: Sequence[str] | None, n_features: int) -> list[str]:
    if column_names is None:
        return ["x"] if n_features == 1 else [f"x{j + 1}" for j in range(n_features)]
    names = [str(name) for name in column_names]
    if len(names) != n_features:
        raise ValueError(f"{len(names)} column names for {n_features} features.")
    return names


# ---------------------------------------------------------------------------------------
# How the columns are written on screen


def rounded_change(change: ArrayLike, parameter: ArrayLike) -> NDArray[np.float64]:
    """A change Δ rounded to the decimals its parameter is shown with: a move smaller than
    the parameter's last shown digit is 0 exactly (and never −0)."""
    places = decimals(np.concatenate([np.ravel(parameter), np.ravel(change)]))
    return np.round(np.asarray(change, dtype=np.float64), places) + 0.0


# ---------------------------------------------------------------------------------------
# The numbers a class reads off the projector (presenter mode, beside the chart)


def _vector(values: ArrayLike) -> str:
    return ", ".join(key_number(v) for v in np.ravel(values))


def key_parameters(params: Parameters) -> pd.DataFrame:
    """One short row per component, each number to ``KEY_DIGITS`` significant digits: k, π,
    μ and σ (a vector's entries side by side, in the data's column order), and ρ when two
    features are correlated (full and tied covariances)."""
    covariances = params.full_covariances()
    sigmas = np.sqrt(np.diagonal(covariances, axis1=1, axis2=2))
    table = {
        "k": [str(k) for k in range(1, params.n_components + 1)],
        "π": [key_number(w) for w in params.weights],
        "μ": [_vector(m) for m in params.means],
        "σ": [_vector(s) for s in sigmas],
    }
    if params.n_features == 2 and params.covariance_type in ("full", "tied"):
        rho = covariances[:, 0, 1] / (sigmas[:, 0] * sigmas[:, 1])
        table["ρ"] = [key_number(r) for r in rho]
    return pd.DataFrame(table)
