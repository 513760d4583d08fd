r"""The lesson on components that collapse or empty: its prepared starts, the step the engine
refused, and the charts of σ_k, ℓ and N_k against the iteration.

Both prepared cases fit K = 3 Gaussians to the worked example's six points 1.5, 2, 2.5, 8, 9,
9.5 from a given start (``tests/test_collapse_cases.py`` checks what each does):

- :data:`COLLAPSE_START`, μ = (2, 8.5, 9.5), σ = (1, 1, 1), π = (⅓, ⅓, ⅓): with no ridge,
  component 3 takes 9 and 9.5 from component 2, which shrinks onto the point 8 alone; the
  engine refuses the M-step of iteration 12, where σ₂² would be about 7×10⁻¹⁷.
- :data:`EMPTY_START`, μ = (2, 9, 5.25), σ = (1, 1, 0.55), π = (0.35, 0.35, 0.3): component 3
  starts in the gap between the two groups, where no point is; with tol = 0 its N_3 falls
  below the engine's 10⁻⁶ and the run stops as emptied.

Symbols as in :mod:`em_core`: π_k → ``weights[k]``, μ_k → ``means[k]``, σ_k² →
``covariances[k, 0, 0]``, N_k → ``nk[k]``. No streamlit here; the refused step is recomputed
with the engine's own :func:`em_models.mixture.engine.e_step` and
:func:`em_models.mixture.engine.m_step`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_core import Trace
from em_core.likelihood_change import decreases
from em_models.mixture.engine import EMPTY_NK, e_step, failed_component, m_step
from em_models.mixture.gaussian import Parameters, robust_scale, variance_floor
from em_viz.colors import component_colors
from em_viz.contrast import cased_figure
from em_viz.style import TEMPLATE

COLLAPSE_START = Parameters(np.full(3, 1 / 3), [[2.0], [8.5], [9.5]], np.ones((3, 1, 1)), "full")
EMPTY_START = Parameters(
    [0.35, 0.35, 0.3], [[2.0], [9.0], [5.25]], np.array([1.0, 1.0, 0.55**2])[:, None, None], "full"
)
SQRT_2PI = math.sqrt(2.0 * math.pi)
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
REFUSED_SYMBOL = "x-thin-open"
HEIGHT = 380


def readable(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, as 7.94 × 10⁶ when tiny or huge."""
    value = float(value)
    if value == 0 or not math.isfinite(value) or 1e-3 <= abs(value) < 1e5:
        return f"{value:.{digits}g}".replace("-", "−").replace("inf", "∞")
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa.replace('-', '−')} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def start_text(start: Parameters) -> str:
    """The start in words: μ = (2, 8.5, 9.5), σ = (1, 1, 1), π = (0.333, 0.333, 0.333)."""

    def numbers(values: np.ndarray) -> str:
        return "(" + ", ".join(f"{v:.3g}" for v in values) + ")"

    sigma = np.sqrt(start.full_covariances()[:, 0, 0])
    return f"μ = {numbers(start.means[:, 0])}, σ = {numbers(sigma)}, π = {numbers(start.weights)}"


@dataclass(frozen=True, eq=False)
class RefusedStep:
    """The M-step after a trace's last snapshot, which the engine refused.

    Attributes
    ----------
    params : Parameters
        What that M-step gave (with the trace's ridge).
    nk : array of shape (n_components,)
        N_k of the E-step before it.
    component : int
        The component that failed, 0-based.
    point : float
        The data value nearest its mean (1-D data).
    """

    params: Parameters
    nk: np.ndarray
    component: int
    point: float

    @property
    def variance(self) -> float:
        return float(self.params.full_covariances()[self.component, 0, 0])

    @property
    def sigma(self) -> float:
        return math.sqrt(max(self.variance, 0.0))

    @property
    def weight(self) -> float:
        return float(self.params.weights[self.component])

    @property
    def peak(self) -> float:
        """π_k N(μ_k | μ_k, σ_k²) = π_k / (σ_k √(2π)): the term at the point it sits on."""
        return self.weight / (self.sigma * SQRT_2PI) if self.sigma > 0 else math.inf


def refused_step(X: np.ndarray, trace: Trace) -> RefusedStep | None:
    """Recompute the M-step the engine refused when ``trace`` collapsed or emptied.

    Parameters
    ----------
    X : array of shape (n_samples, 1)
        The data of the trace.
    trace : Trace

    Returns
    -------
    RefusedStep or None
        None when the run did not fail by a collapse or an emptied component.
    """
    k = failed_component(trace)
    if k is None:
        return None
    resp = e_step(X, trace.final.params).resp
    with np.errstate(divide="ignore", invalid="ignore"):
        params, nk = m_step(X, resp, trace.model.covariance_type, trace.model.ridge_diagonal)
    x = np.asarray(X, dtype=np.float64).reshape(len(X), -1)[:, 0]
    point = float(x[np.argmin(np.abs(x - params.means[k, 0]))])
    return RefusedStep(params, np.asarray(nk), k, point)


def smallest_sigma_floor(X: np.ndarray, means: np.ndarray) -> float:
    """The smallest σ the engine accepts for a component at ``means`` (1-D data): below it,
    the M-step is refused as a collapse."""
    floor = variance_floor(np.asarray(means, dtype=np.float64), robust_scale(X))
    return float(np.sqrt(floor.max()))


def peak_table(trace: Trace, component: int, refused: RefusedStep | None) -> pd.DataFrame:
    """σ_k and π_k / (σ_k √(2π)) at every snapshot, and at the refused step last."""
    rows = []
    for snapshot in trace.snapshots:
        sigma = float(np.sqrt(snapshot.params.full_covariances()[component, 0, 0]))
        weight = float(snapshot.params.weights[component])
        peak = weight / (sigma * SQRT_2PI)
        rows.append((f"θ{snapshot.iteration}", readable(weight), readable(sigma), readable(peak)))
    if refused is not None:
        rows.append(
            (
                "refused step",
                readable(refused.weight),
                readable(refused.sigma),
                readable(refused.peak),
            )
        )
    return pd.DataFrame(
        rows,
        columns=["parameters", "πₖ", "σₖ", "πₖ / (σₖ √(2π))"],
    )


def _layout(title: str, y_title: str, *, log_y: bool) -> dict[str, Any]:
    return {
        "template": TEMPLATE,
        "height": HEIGHT,
        "margin": {"l": 70, "r": 20, "t": 40, "b": 40},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "xaxis": {"title": {"text": "iteration t"}, "dtick": 1, "rangemode": "tozero"},
        "yaxis": {"title": {"text": y_title}, "type": "log" if log_y else "linear"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        "hovermode": "closest",
    }


def sigma_figure(X: np.ndarray, trace: Trace, refused: RefusedStep | None) -> go.Figure:
    """σ_k of every component against the iteration (log scale), the refused step's σ_k as
    a cross, the smallest σ the engine accepts as a dashed line, and the floor the ridge
    sets, √(what it adds to σ_k²), as a dotted one."""
    colors = component_colors(trace.final.params.n_components)
    last = trace.snapshots[-1].iteration + (1 if refused is not None else 0)
    floor = smallest_sigma_floor(X, trace.final.params.means)
    data = [
        *_sigma_curves(trace, colors),
        _level(floor, last, f"smallest σ accepted ({readable(floor, 1)})", "#555", "dash"),
    ]
    if trace.model.reg_covar > 0:
        held = float(np.sqrt(trace.model.reg_covar))
        data.append(
            _level(held, last, f"floor set by the ridge ({readable(held, 2)})", "#d62728", "dot")
        )
    if refused is not None and refused.sigma > 0:
        data.append(_refused_sigma(refused, colors[refused.component], last))
    layout = _layout("Each component's spread σₖ", "σₖ (log scale)", log_y=True)
    return cased_figure(go.Figure({"data": data, "layout": layout}))


def _sigma_curves(trace: Trace, colors: list[str]) -> list[dict[str, Any]]:
    """σ_k of every snapshot against its iteration, one line per component."""
    iterations = [s.iteration for s in trace.snapshots]
    sigmas = np.sqrt(np.array([s.params.full_covariances()[:, 0, 0] for s in trace.snapshots]))
    return [
        {
            "type": "scatter",
            "x": iterations,
            "y": sigmas[:, k].tolist(),
            "mode": "lines+markers",
            "name": f"σ{k + 1}",
            "line": {"color": color, "width": 2},
            "hovertemplate": f"θ%{{x}}: σ{k + 1} = %{{y:.3g}}<extra></extra>",
        }
        for k, color in enumerate(colors)
    ]


def _level(value: float, last: int, name: str, color: str, dash: str) -> dict[str, Any]:
    """A thin horizontal line at ``value`` from iteration 0 to ``last``."""
    return {
        "type": "scatter",
        "x": [0, last],
        "y": [value, value],
        "mode": "lines",
        "name": name,
        "line": {"color": color, "width": 1, "dash": dash},
        "hoverinfo": "skip",
    }


def _refused_sigma(refused: RefusedStep, color: str, last: int) -> dict[str, Any]:
    """The σ_k the refused M-step gave its failed component, as a cross at ``last``."""
    k = refused.component
    return {
        "type": "scatter",
        "x": [last],
        "y": [refused.sigma],
        "mode": "markers",
        "name": f"refused step: σ{k + 1} = {readable(refused.sigma, 2)}",
        "marker": {
            "symbol": REFUSED_SYMBOL,
            "size": 14,
            "color": color,
            "line": {"width": 3, "color": color},
        },
        "hovertemplate": f"refused M-step: σ{k + 1} = %{{y:.3g}}<extra></extra>",
    }


def likelihood_figure(trace: Trace, refused_ll: float | None) -> go.Figure:
    """ℓ(θ_t) against the iteration, and the ℓ of the refused step as a cross."""
    iterations = [s.iteration for s in trace.snapshots]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": iterations,
            "y": trace.log_likelihoods.tolist(),
            "mode": "lines+markers",
            "name": "ℓ(θₜ)",
            "line": {"color": "#3b5bdb", "width": 2},
            "hovertemplate": "θ%{x}: ℓ = %{y:.4f}<extra></extra>",
        }
    ]
    if refused_ll is not None:
        data.append(
            {
                "type": "scatter",
                "x": [iterations[-1] + 1],
                "y": [refused_ll],
                "mode": "markers",
                "name": f"refused step: ℓ = {refused_ll:.2f}",
                "marker": {
                    "symbol": REFUSED_SYMBOL,
                    "size": 14,
                    "color": "#d62728",
                    "line": {"width": 3, "color": "#d62728"},
                },
                "hovertemplate": "refused M-step: ℓ = %{y:.4f}<extra></extra>",
            }
        )
    drops = decreases(trace)
    if drops:
        data.append(
            {
                "type": "scatter",
                "x": drops,
                "y": [trace.snapshots[t].log_likelihood for t in drops],
                "mode": "markers",
                "name": "ℓ fell (the ridge)",
                "marker": {"color": "#d62728", "size": 8},
                "hovertemplate": "θ%{x}: ℓ fell, to %{y:.4f}<extra></extra>",
            }
        )
    layout = _layout("The log-likelihood ℓ", "ℓ(θₜ)", log_y=False)
    return cased_figure(go.Figure({"data": data, "layout": layout}))


def refused_log_likelihood(X: np.ndarray, refused: RefusedStep) -> float | None:
    """ℓ of the refused parameters, or None where the engine cannot evaluate it."""
    try:
        return float(e_step(X, refused.params).log_likelihood)
    except (FloatingPointError, np.linalg.LinAlgError, ValueError):
        return None


def counts_figure(trace: Trace, refused: RefusedStep | None) -> go.Figure:
    """N_k of every E-step against the iteration (log scale), with the engine's emptiness
    threshold as a dashed line; the refused step's N_k as crosses."""
    iterations = [s.iteration for s in trace.snapshots if s.stats is not None]
    counts = np.array([s.stats for s in trace.snapshots if s.stats is not None])
    colors = component_colors(trace.final.params.n_components)
    data: list[dict[str, Any]] = []
    last = (iterations[-1] if iterations else 0) + 1
    for k, color in enumerate(colors):
        x, y = list(iterations), counts[:, k].tolist() if counts.size else []
        if refused is not None:
            x, y = [*x, last], [*y, float(refused.nk[k])]
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines+markers",
                "name": f"N{k + 1}",
                "line": {"color": color, "width": 2},
                "hovertemplate": f"E-step before θ%{{x}}: N{k + 1} = %{{y:.3g}}<extra></extra>",
            }
        )
    if refused is not None:
        k = refused.component
        data.append(
            {
                "type": "scatter",
                "x": [last],
                "y": [float(refused.nk[k])],
                "mode": "markers",
                "name": f"refused step: N{k + 1} = {readable(refused.nk[k], 2)}",
                "marker": {
                    "symbol": REFUSED_SYMBOL,
                    "size": 14,
                    "color": colors[k],
                    "line": {"width": 3, "color": colors[k]},
                },
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [1, last],
            "y": [EMPTY_NK, EMPTY_NK],
            "mode": "lines",
            "name": f"emptied below Nₖ = {readable(EMPTY_NK, 1)}",
            "line": {"color": "#555", "width": 1, "dash": "dash"},
            "hoverinfo": "skip",
        }
    )
    layout = _layout("Points each component owns, Nₖ", "Nₖ (log scale)", log_y=True)
    return cased_figure(go.Figure({"data": data, "layout": layout}))


def ridge_outcomes_table(runs: list[tuple[float, Trace]]) -> pd.DataFrame:
    """One row per ridge: what the same start ends with.

    Parameters
    ----------
    runs : list of (ridge, Trace)
        The relative ridge and the run made with it (1-D data).

    Returns
    -------
    pandas.DataFrame
        The ridge, what it adds to every σ², the engine's status, the iterations, the
        smallest σ_k and ℓ of the last valid snapshot, and how often ℓ fell.
    """
    rows = []
    for ridge, trace in runs:
        sigma = np.sqrt(trace.final.params.full_covariances()[:, 0, 0])
        rows.append(
            (
                readable(ridge, 1),
                readable(trace.model.reg_covar),
                str(trace.stop_reason),
                trace.n_iter,
                readable(float(sigma.min())),
                f"{trace.final.log_likelihood:.3f}".replace("-", "−"),
                len(decreases(trace)),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "ridge",
            "added to σ²",
            "status",
            "iterations",
            "smallest σₖ",
            "ℓ at the end",
            "times ℓ fell",
        ],
    )
