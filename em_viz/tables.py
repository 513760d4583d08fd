"""Tables for display: the parameters at a half-step, and the points' responsibilities.

Column names use the maths: μ, σ (one feature) or σ² per feature, π, N_k, Δ for the change
since the previous half-step, and r_nk. Components and points are numbered from 1, as in
the formulas; they are ordinary columns, so the tables read the same with the index hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from em_core import Parameters, Trace, e_step
from em_viz.figures_common import as_features, check_trace
from em_viz.halfstep import half_step


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
        features ``μ[name]`` …, ``σ²[name]`` … (the diagonal of Σ_k), ``π``, ``N_k``, and a
        Δ column for each. N_k is Σ_n r_nk of the responsibilities shown at this half-step
        (NaN at the start, before any E-step). Δ is the change from the previous half-step's
        parameters: zero at the start and at E-steps, which move no curve.
    """
    half = half_step(trace, h)
    params = trace.snapshots[half.params_index]
    previous = trace.snapshots[half_step(trace, h - 1).params_index] if h > 0 else params
    n_features = params.n_features
    names = _names(column_names, n_features)

    table: dict[str, NDArray | list] = {"component": list(range(1, params.n_components + 1))}
    now, before = _columns(params, names), _columns(previous, names)
    table.update(now)  # μ, σ (or σ² per feature), π
    table["N_k"] = _nk(trace, half.resp_index, X)
    for name, value in now.items():
        table[f"Δ{name}"] = value - before[name]
    return pd.DataFrame(table)


def _columns(params: Parameters, names: list[str]) -> dict[str, NDArray[np.float64]]:
    variances = np.diagonal(params.full_covariances(), axis1=1, axis2=2)
    if len(names) == 1:
        return {"μ": params.means[:, 0], "σ": np.sqrt(variances[:, 0]), "π": params.weights}
    columns = {f"μ[{name}]": params.means[:, j] for j, name in enumerate(names)}
    columns |= {f"σ²[{name}]": variances[:, j] for j, name in enumerate(names)}
    columns["π"] = params.weights
    return columns


def _nk(trace: Trace, resp_index: int | None, X: ArrayLike | None) -> NDArray[np.float64]:
    """N_k of the responsibilities r(θ_t), t = ``resp_index``.

    The trace stores them with θ_{t+1}, the parameters they produced; the final E-step's
    are recomputed from X when it is given.
    """
    n_components = trace.final.n_components
    if resp_index is None:
        return np.full(n_components, np.nan)
    if resp_index + 1 < len(trace.snapshots):
        nk = trace.snapshots[resp_index + 1].nk
        if nk is not None:
            return np.array(nk)
    if X is None:
        return np.full(n_components, np.nan)
    return e_step(as_features(X), trace.snapshots[resp_index]).nk


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
        the r columns hold None at the start, before the first E-step.
    """
    X = as_features(X)
    check_trace(X, trace)
    half = half_step(trace, h)
    rows = X[:max_rows]
    names = _names(column_names, X.shape[1])
    table: dict[str, object] = {"n": np.arange(1, rows.shape[0] + 1)}
    for j, name in enumerate(names):
        table[name] = rows[:, j]
    n_components = trace.final.n_components
    if half.resp_index is None:
        for k in range(n_components):
            table[f"r_n{k + 1}"] = [None] * rows.shape[0]
    else:
        resp = e_step(rows, trace.snapshots[half.resp_index]).resp
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
