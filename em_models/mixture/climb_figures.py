"""Figures for why EM climbs: the E-step's lower bound under ℓ, and ascent paths over ℓ.

:func:`bound_figure` draws ℓ as a function of one mean μ_k (every other parameter held)
with the lower bounds L_0, …, L_t that the E-steps of an EM run on that mean built; the
last is drawn strongest, with the point where it touches ℓ and the M-step's jump to its
top. :func:`paths_figure` draws the contours of ℓ(μ₁, μ₂) with EM's path and gradient
ascent's path from the same start. The numbers come from :mod:`em_models.mixture.bound`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_models.mixture.bound import (
    MeanPath,
    along_mean,
    bound_of_means,
    log_likelihood_of_means,
    with_means,
)
from em_models.mixture.engine import e_step
from em_models.mixture.gaussian import Parameters
from em_viz.colors import MIXTURE_COLOR, PALETTE, with_alpha
from em_viz.contrast import cased_figure
from em_viz.figures_common import LEGEND_ROW_PX, MIN_NARROW_PX, legend_rows
from em_viz.style import LEGEND_UNDER_PLOT, TEMPLATE, TOOLBAR_PX

EM_COLOR = PALETTE[2]  # orange
BOUND_COLOR = PALETTE[3]  # purple: apart from ℓ's black and the M-step's orange
GRADIENT_COLOR = PALETTE[9]  # blue
DATA_COLOR = "#8c8c8c"
# Earlier bounds fade: the one before the last at this opacity, older ones fainter.
EARLIER_ALPHA = 0.45
HEIGHT_PX = 400
NARROW_PX = MIN_NARROW_PX - 72  # the narrowest plot's width: the container less the margins
# The title sits under the band of plotly's tool bar, the plot under the title.
MARGIN = {"l": 60, "r": 12, "t": TOOLBAR_PX + 36, "b": 56}
# The contours cover ℓ from its highest value on the grid down to a few times as far below
# as the start (so a flat top still gets its contours), within these limits.
CONTOUR_DEPTHS = (6.0, 40.0)
START_DEPTHS = 3.0
N_CONTOURS = 20


def _sub(i: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(i))


def _mean_name(k: int) -> str:
    """The name of the mean μ_k of component k (0-based): μ₁, μ₂, …"""
    return f"μ{_sub(k + 1)}"


def _layout(title: str, traces: list[Any]) -> dict[str, Any]:
    """Title, legend and size; the legend gets the rows it needs on the narrowest screen."""
    rows = legend_rows(
        [t if isinstance(t, dict) else t.to_plotly_json() for t in traces], NARROW_PX
    )
    return {
        "template": TEMPLATE,
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": TOOLBAR_PX},
            "font": {"size": 15},
        },
        "legend": LEGEND_UNDER_PLOT,
        "margin": {**MARGIN, "b": MARGIN["b"] + LEGEND_ROW_PX * rows},
        "height": HEIGHT_PX + TOOLBAR_PX + LEGEND_ROW_PX * rows,
        "hovermode": "closest",
    }


def bound_figure(
    X: ArrayLike, path: MeanPath, params: Parameters, k: int, t: int, grid: ArrayLike
) -> go.Figure:
    """ℓ(μ_k) and the lower bounds of E-steps 0 … t of an EM run that moves only μ_k.

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)
    path : MeanPath
        From :func:`em_models.mixture.bound.em_mean_path` with ``components=(k,)``.
    params : Parameters
        The start; its other parameters are held.
    k : int
        The component whose mean moves.
    t : int
        The last E-step drawn, 0 ≤ t < ``path.n_steps`` (its M-step is drawn too).
    grid : array-like of shape (n_values,)
        The values of μ_k along the x-axis.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    grid = np.asarray(grid, dtype=np.float64)
    if not 0 <= t < path.n_steps:
        raise ValueError(f"t must be between 0 and {path.n_steps - 1}; got {t}.")
    name = _mean_name(k)
    ell = log_likelihood_of_means(X, params, along_mean(params, k, grid))
    top, bottom = float(ell.max()), float(ell.min())
    # Room at the bottom for the data points, drawn as ticks just above the axis.
    y_range = [bottom - 0.1 * (top - bottom), top + 0.08 * (top - bottom)]
    # A bound is cut where it falls more than ℓ's span below the axis.
    cut = y_range[0] - (top - bottom)
    traces = [
        _data_ticks(X, bottom - 0.06 * (top - bottom)),
        _ell_curve(grid, ell, name),
        *(
            _bound_curve(X, with_means(params, path.means[s]), k, grid, s, t, cut)
            for s in range(t + 1)
        ),
        _m_step(X, path, params, k, t),
    ]
    fig = go.Figure([go.Scatter(**trace) for trace in traces])
    fig.update_layout(
        **_layout(f"ℓ and the bound of E-step {t + 1}, as {name} moves", traces),
        xaxis={"title": {"text": f"{name}, the other parameters held"}},
        yaxis={"title": {"text": "log-likelihood"}, "range": y_range},
    )
    return cased_figure(fig)


def _data_ticks(X: NDArray[np.float64], height: float) -> dict[str, Any]:
    """The data points, as ticks at ``height``."""
    return {
        "x": X[:, 0],
        "y": np.full(len(X), height),
        "mode": "markers",
        "marker": {"symbol": "line-ns", "size": 14, "line": {"width": 2, "color": DATA_COLOR}},
        "name": "data points",
        "showlegend": False,
        "hovertemplate": "x = %{x}<extra></extra>",
    }


def _ell_curve(grid: NDArray[np.float64], ell: NDArray[np.float64], name: str) -> dict[str, Any]:
    """ℓ along the mean ``name``."""
    return {
        "x": grid,
        "y": ell,
        "mode": "lines",
        "line": {"color": MIXTURE_COLOR, "width": 3},
        "name": f"ℓ({name})",
        "hovertemplate": f"{name} = %{{x:.3f}}<br>ℓ = %{{y:.4f}}<extra></extra>",
    }


def _bound_curve(
    X: NDArray[np.float64],
    current: Parameters,
    k: int,
    grid: NDArray[np.float64],
    s: int,
    t: int,
    cut: float,
) -> dict[str, Any]:
    """The bound L_s that E-step s builds at ``current``, along μ_k, cut below ``cut``: the
    last (s = t) strong, the earlier ones dotted and fainter the older they are."""
    resp = e_step(X, current).resp
    bound = bound_of_means(X, current, resp, along_mean(current, k, grid))
    name = _mean_name(k)
    last = s == t
    alpha = 1.0 if last else EARLIER_ALPHA * 0.6 ** (t - 1 - s)
    return {
        "x": grid,
        "y": np.where(bound >= cut, bound, np.nan),
        "mode": "lines",
        "line": {
            "color": with_alpha(BOUND_COLOR, alpha),
            "width": 3 if last else 1.5,
            "dash": "solid" if last else "dot",
        },
        "name": f"bound L{_sub(s)}" if last else "earlier bounds",
        "legendgroup": "earlier" if not last else "current",
        "showlegend": last or s == t - 1,
        "hovertemplate": f"{name} = %{{x:.3f}}<br>L{_sub(s)} = %{{y:.4f}}<extra></extra>",
    }


def _m_step(
    X: NDArray[np.float64], path: MeanPath, params: Parameters, k: int, t: int
) -> dict[str, Any]:
    """M-step t + 1: from where the bound touches ℓ up to the bound's top, then to the new ℓ."""
    name = _mean_name(k)
    before, after = path.means[t, k, 0], path.means[t + 1, k, 0]
    current = with_means(params, path.means[t])
    top = bound_of_means(X, current, e_step(X, current).resp, along_mean(current, k, [after]))[0]
    return {
        "x": [before, after, after],
        "y": [path.log_likelihoods[t], top, path.log_likelihoods[t + 1]],
        "mode": "lines+markers",
        "line": {"color": EM_COLOR, "width": 2, "dash": "dash"},
        "marker": {
            "size": [11, 11, 11],
            "color": ["white", EM_COLOR, EM_COLOR],
            "line": {"width": 2, "color": EM_COLOR},
            "symbol": ["circle", "triangle-up", "circle"],
        },
        "name": "M-step",
        "customdata": ["touches ℓ here", "top of the bound", "new ℓ"],
        "hovertemplate": f"{name} = %{{x:.4f}}<br>%{{customdata}}: %{{y:.4f}}<extra></extra>",
    }


def likelihood_surface(X: ArrayLike, params: Parameters, values: ArrayLike) -> NDArray[np.float64]:
    """ℓ(μ₁, μ₂) on the grid ``values`` × ``values`` (rows: μ₂; columns: μ₁)."""
    values = np.asarray(values, dtype=np.float64)
    mu_1, mu_2 = np.meshgrid(values, values)
    means = np.stack([mu_1.ravel(), mu_2.ravel()], axis=1)[:, :, None]
    return log_likelihood_of_means(X, params, means).reshape(mu_1.shape)


def paths_figure(
    surface: ArrayLike, values: ArrayLike, em: MeanPath, gradient: MeanPath, step_size: float
) -> go.Figure:
    """Contours of ℓ(μ₁, μ₂) with EM's path and gradient ascent's path over them.

    Parameters
    ----------
    surface : array of shape (n_values, n_values)
        From :func:`likelihood_surface`.
    values : array-like of shape (n_values,)
        The grid of μ₁ (x) and μ₂ (y).
    em, gradient : MeanPath
        Two-component, 1-D paths from the same start.
    step_size : float
        Gradient ascent's step, for the legend.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    traces = [
        _contours(np.asarray(surface, dtype=np.float64), values, em.log_likelihoods[0]),
        _path_line(gradient, f"gradient ascent, step {step_size:g}", GRADIENT_COLOR, "square"),
        _path_line(em, "EM", EM_COLOR, "circle"),
        _start_mark(em.means[0, :, 0]),
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        **_layout("ℓ(μ₁, μ₂) with σ and π held, and two ways up", traces),
        xaxis={"title": {"text": "μ₁"}, "constrain": "domain"},
        yaxis={"title": {"text": "μ₂"}, "scaleanchor": "x", "constrain": "domain"},
    )
    return cased_figure(fig)


def _contours(surface: NDArray[np.float64], values: ArrayLike, start: float) -> go.Contour:
    """The contours of ℓ, from its top down to a few times as far below as ℓ at the start."""
    top = float(surface.max())
    depth = float(np.clip(START_DEPTHS * (top - start), *CONTOUR_DEPTHS))
    return go.Contour(
        x=values,
        y=values,
        z=np.maximum(surface, top - depth),
        contours={"start": top - depth, "end": top, "size": depth / N_CONTOURS},
        colorscale="Greys",
        opacity=0.5,
        line={"width": 0.6, "color": "#9aa0aa"},
        colorbar={"title": {"text": "ℓ", "side": "top"}, "thickness": 12, "len": 0.8},
        hovertemplate="μ₁ = %{x:.2f}, μ₂ = %{y:.2f}<br>ℓ = %{z:.3f}<extra></extra>",
        name="ℓ(μ₁, μ₂)",
        showlegend=False,
    )


def _path_line(path: MeanPath, name: str, color: str, symbol: str) -> go.Scatter:
    """A path over (μ₁, μ₂), each step's ℓ in its hover note."""
    steps = np.arange(path.n_steps + 1)
    return go.Scatter(
        x=path.means[:, 0, 0],
        y=path.means[:, 1, 0],
        mode="lines+markers",
        line={"color": color, "width": 2},
        marker={"size": 7, "color": color, "symbol": symbol},
        name=f"{name}: {_steps_words(path)}",
        customdata=np.stack([steps, path.log_likelihoods], axis=1),
        hovertemplate=f"{name}, step %{{customdata[0]}}<br>μ₁ = %{{x:.4f}}, "
        "μ₂ = %{y:.4f}<br>ℓ = %{customdata[1]:.5f}<extra></extra>",
    )


def _start_mark(start: NDArray[np.float64]) -> go.Scatter:
    """The start (μ₁, μ₂), where both paths begin."""
    return go.Scatter(
        x=[start[0]],
        y=[start[1]],
        mode="markers",
        marker={"size": 12, "color": "white", "line": {"width": 2, "color": MIXTURE_COLOR}},
        name="start",
        hovertemplate="start: μ₁ = %{x}, μ₂ = %{y}<extra></extra>",
    )


def _steps_words(path: MeanPath) -> str:
    """How the path ended, in a few words."""
    if path.converged:
        return f"{path.n_steps} step" + ("" if path.n_steps == 1 else "s")
    if path.diverged:
        return f"ran away after {path.n_steps} steps"
    return f"not converged in {path.n_steps} steps"
