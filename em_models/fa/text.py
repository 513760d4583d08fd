r"""Factor analysis in words and formulas: what each half-step did, the formulas with the
live numbers, and the tables the view shows.

Symbols as in :mod:`em_models.fa.engine`. The data are the standardised columns when the
run standardised them (as the page always does): x_n below is the point as fitted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from em_models.fa.engine import FAParameters, communalities, e_step, prepare_data
from em_models.mixture.formulas import number
from em_viz.halfstep import HalfStep

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def short(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant digits with a true minus sign, as "6.2 × 10⁻⁷"
    below a thousandth."""
    if value != 0 and abs(value) < 1e-3:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}".replace("-", "−")
    return f"{value:.{digits}g}".replace("-", "−")


def describe(half: HalfStep, n_factors: int) -> str:
    """One plain sentence telling a student what changed at this half-step."""
    if half.kind == "start":
        return (
            "Start: W from the data's leading principal axes and each ψ the variance of its "
            "variable; no E-step has run, so no point has factor scores yet."
        )
    points = "each point moved to its new scores" if n_factors <= 2 else "the scores changed"
    if half.kind == "E":
        return (
            f"{half.label}: each point's expected factor scores E[zₙ] were recomputed from W "
            f"and Ψ; {points}. The arrows, the bars and C have not moved."
        )
    return (
        f"{half.label}: the loadings turned and stretched to fit the scores of E-step "
        f"{half.params_index}, and each ψᵢ became what the new loadings leave unexplained of "
        "its variable, so the bars grew or shrank and C moved toward S. The points keep "
        "their scores."
    )


def fitted_data(X: ArrayLike, params: FAParameters, standardise: bool) -> NDArray[np.float64]:
    """The data as the run fitted them (standardised when it standardised them)."""
    return prepare_data(X, params.n_factors, standardise, None).X


def _pmatrix(values: ArrayLike) -> str:
    a = np.atleast_1d(np.asarray(values, dtype=np.float64))
    rows = a[:, None] if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(number(v) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def e_step_formula(x_n: ArrayLike, params: FAParameters, n_index: int) -> str:
    r"""E[z_n] = M⁻¹ WᵀΨ⁻¹ (x_n − μ) with M = I + WᵀΨ⁻¹W, every value written out."""
    x = np.asarray(x_n, dtype=np.float64).ravel()
    n = n_index + 1
    W, psi, mean = params.loadings, params.noise_variances, params.mean
    M = np.eye(params.n_factors) + W.T @ (W / psi[:, None])
    projected = W.T @ ((x - mean) / psi)
    z = np.linalg.solve(M, projected)
    lines = [
        rf"x_{{{n}}} &= {_pmatrix(x)}^\top, \quad \psi = {_pmatrix(psi)}^\top",
        rf"M &= I + W^\top \Psi^{{-1}} W = {_pmatrix(M)}",
        rf"W^\top \Psi^{{-1}} (x_{{{n}}} - \mu) &= {_pmatrix(projected)}",
        rf"\mathbb{{E}}[z_{{{n}}}] &= M^{{-1}} W^\top \Psi^{{-1}} (x_{{{n}}} - \mu) = "
        rf"{_pmatrix(z)}",
        rf"\operatorname{{Cov}}[z_{{{n}}}] &= M^{{-1}} = {_pmatrix(np.linalg.inv(M))}",
    ]
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def m_step_formulas(
    X_fitted: NDArray[np.float64], before: FAParameters, after: FAParameters, i: int
) -> list[str]:
    r"""W from the E-step's two sums, then ψ_i of variable ``i`` from the new W."""
    n_samples = X_fitted.shape[0]
    centred = X_fitted - X_fitted.mean(axis=0)
    result = e_step(X_fitted, before, standardise=False)
    z, cov = result.latent_means, result.latent_covariance
    sum_xz = centred.T @ z
    sum_zz = n_samples * cov + z.T @ z
    w = after.loadings[i]
    residual = float(np.sum((centred[:, i] - z @ w) ** 2))
    spread = float(n_samples * w @ cov @ w)
    w_formula = (
        r"\begin{aligned} W_{\text{new}} &= \Bigl(\sum_n (x_n - \mu)\, \mathbb{E}[z_n]^\top"
        r"\Bigr) \Bigl(\sum_n \mathbb{E}[z_n z_n^\top]\Bigr)^{-1} \\ "
        rf"&= {_pmatrix(sum_xz)} {_pmatrix(sum_zz)}^{{-1}} = {_pmatrix(after.loadings)}"
        r" \end{aligned}"
    )
    psi_formula = (
        rf"\begin{{aligned}} \psi_{{{i + 1}}} &= \frac{{1}}{{N}} \sum_n \mathbb{{E}}\bigl"
        rf"[(x_{{n{i + 1}}} - \mu_{{{i + 1}}} - w_{{{i + 1}}}^\top z_n)^2\bigr] \\ "
        rf"&= \frac{{1}}{{N}} \Bigl( \sum_n (x_{{n{i + 1}}} - \mu_{{{i + 1}}} - "
        rf"w_{{{i + 1}}}^\top \mathbb{{E}}[z_n])^2 + N\, w_{{{i + 1}}}^\top "
        rf"\operatorname{{Cov}}[z]\, w_{{{i + 1}}} \Bigr) \\ "
        rf"&= \frac{{{number(residual)} + {number(spread)}}}{{{n_samples}}} = "
        rf"{number(after.noise_variances[i])} \end{{aligned}}"
    )
    return [w_formula, psi_formula]


def parameter_table(params: FAParameters, names: Sequence[str]) -> pd.DataFrame:
    """One row per variable: its loadings, ψ and communality."""
    table = pd.DataFrame({"variable": list(names)})
    for k in range(params.n_factors):
        table[f"w{k + 1}"] = params.loadings[:, k]
    table["ψ"] = params.noise_variances
    table["communality"] = communalities(params)
    return table


def scores_table(z: NDArray[np.float64] | None, n_samples: int, n_factors: int) -> pd.DataFrame:
    """Each point's factor scores (NaN before the first E-step)."""
    table = pd.DataFrame({"point": np.arange(1, n_samples + 1)})
    values = np.full((n_samples, n_factors), np.nan) if z is None else z
    for k in range(n_factors):
        table[f"E[z{k + 1}]"] = values[:, k]
    return table
