"""Figures and tables about where EM starts: the K-means start and its hand-off, starts
compared side by side, and K-means as the hard-assignment limit of EM.

Symbols and names as in :mod:`em_core`: π_k → ``weights[k]``, μ_k → ``means[k]``,
Σ_k → ``covariances[k]``. The K-means steps themselves are stepped in the stepping view
(see :mod:`em_models.mixture.kmeans_phase`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import Trace
from em_models.mixture.engine import e_step
from em_models.mixture.figures import weighted_densities
from em_models.mixture.figures_2d import ellipse_points
from em_models.mixture.gaussian import Parameters
from em_viz.colors import MIXTURE_COLOR, POINT_OUTLINE, START_COLORS, blend, component_colors
from em_viz.contrast import CASED_COLORS, cased_figure
from em_viz.figures_common import padded_range, sample_rows, user_text
from em_viz.style import TEMPLATE

MAX_THUMBNAIL_POINTS = 800
THUMBNAIL_HEIGHT_PX = 250
# A thumbnail's title is wrapped at this many characters a line (it is narrow).
THUMBNAIL_TITLE_CHARS = 16
LIMIT_TICKS = (2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)


# ---------------------------------------------------------------------------------------
# The hand-off


def handoff_parameters(
    X: NDArray[np.float64],
    labels: NDArray[np.intp],
    n_components: int,
    covariance_type: str,
    ridge_diagonal: NDArray[np.float64],
) -> Parameters:
    """θ₀ read off hard labels, as a student would compute it by hand.

    π_k = n_k / N (the cluster's share), μ_k = the cluster's mean, and Σ_k = the cluster's
    own spread, Σ_(n in k) (x_n − μ_k)(x_n − μ_k)ᵀ / n_k, plus the ridge on the diagonal —
    kept whole (``full``), shared (``tied``: the scatter of all clusters over N), on the
    diagonal only (``diag``) or as its diagonal's mean (``spherical``).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    labels : array of shape (n_samples,)
        The cluster of each point, 0 … n_components − 1.
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}
    ridge_diagonal : array of shape (n_features,)
        What each M-step adds to each feature's variance (``trace.model.ridge_diagonal``).

    Returns
    -------
    Parameters
    """
    X = np.asarray(X, dtype=np.float64)
    n_samples = X.shape[0]
    counts = np.bincount(labels, minlength=n_components)
    if np.any(counts == 0):
        empty = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(f"Cluster {empty + 1} has no points, so it has no mean.")
    means = np.stack([X[labels == k].mean(axis=0) for k in range(n_components)])
    scatter = np.stack(
        [(X[labels == k] - means[k]).T @ (X[labels == k] - means[k]) for k in range(n_components)]
    )
    ridge = np.diag(ridge_diagonal)
    if covariance_type == "tied":
        covariances = scatter.sum(axis=0) / n_samples + ridge
    else:
        full = scatter / counts[:, None, None] + ridge
        diagonals = np.diagonal(full, axis1=1, axis2=2)
        covariances = {
            "full": full,
            "diag": diagonals,
            "spherical": diagonals.mean(axis=1),
        }[covariance_type]
    return Parameters(counts / n_samples, means, covariances, covariance_type)


def relative_difference(a: Parameters, b: Parameters) -> NDArray[np.float64]:
    """For each component, the largest difference between ``a`` and ``b`` in its weight,
    mean and covariance, each relative to the size of the quantity (shape (n_components,))."""
    out = np.zeros(a.n_components)
    for get in (
        lambda p: p.weights[:, None],
        lambda p: p.means,
        lambda p: p.full_covariances().reshape(p.n_components, -1),
    ):
        first, second = get(a), get(b)
        scale = np.maximum(np.abs(first).max(axis=1), np.abs(second).max(axis=1))
        scale = np.where(scale > 0, scale, 1.0)
        out = np.maximum(out, np.abs(first - second).max(axis=1) / scale)
    return out


def parameters_table(
    params: Parameters,
    *,
    counts: Sequence[int] | None = None,
    column_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per component: the points it got (if given), π, μ and σ per column, and the
    correlation for full and tied covariances in two dimensions."""
    d = params.n_features
    names = list(column_names) if column_names else [f"x{j + 1}" for j in range(d)]
    full = params.full_covariances()
    table: dict[str, Any] = {"component": [k + 1 for k in range(params.n_components)]}
    if counts is not None:
        table["points n_k"] = list(counts)
    table["π = n_k / N" if counts is not None else "π"] = params.weights
    for j, name in enumerate(names):
        table[f"μ ({name})" if d > 1 else "μ"] = params.means[:, j]
    for j, name in enumerate(names):
        table[f"σ ({name})" if d > 1 else "σ"] = np.sqrt(full[:, j, j])
    if d == 2 and params.covariance_type in ("full", "tied"):
        table["correlation"] = full[:, 0, 1] / np.sqrt(full[:, 0, 0] * full[:, 1, 1])
    return pd.DataFrame(table)


# ---------------------------------------------------------------------------------------
# Starts compared


def _iterations(trace: Trace) -> list[int]:
    return [s.iteration for s in trace.snapshots]


def likelihood_curves_figure(runs: Mapping[str, Trace]) -> go.Figure:
    """Every run's log-likelihood ℓ(θ_t) against the iteration t, one line per start."""
    data = [
        {
            "type": "scatter",
            "x": _iterations(trace),
            "y": trace.log_likelihoods.tolist(),
            "mode": "lines+markers",
            "name": user_text(name),
            "line": {"color": START_COLORS[i % len(START_COLORS)], "width": 2},
            "marker": {"size": 4},
            "hovertemplate": f"{user_text(name)}<br>t = %{{x}}: ℓ = %{{y:.6g}}<extra></extra>",
        }
        for i, (name, trace) in enumerate(runs.items())
    ]
    values = np.concatenate([t.log_likelihoods for t in runs.values()])
    # The first iterations of a poor start can lie far below: the axis starts at the lowest
    # ℓ after the first iteration of any run, so the ends stay apart (a run's ℓ(θ₀) may lie
    # below the axis; the table gives every number).
    later = [t.log_likelihoods[1:] for t in runs.values() if t.n_iter >= 1]
    low = float(np.concatenate(later).min()) if later else float(values.min())
    high = float(values.max())
    layout = {
        "template": TEMPLATE,
        "height": 420,
        "margin": {"l": 88, "r": 16, "t": 16, "b": 160},
        "xaxis": {"title": {"text": "iteration t", "standoff": 6}, "rangemode": "tozero"},
        "yaxis": {
            "title": {"text": "log-likelihood ℓ(θₜ)", "standoff": 12},
            "range": padded_range(low, high),
        },
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        "hovermode": "closest",
    }
    return cased_figure(go.Figure(data=data, layout=layout))


def compare_table(runs: Mapping[str, Trace]) -> pd.DataFrame:
    """One row per start: ℓ(θ₀), the iterations run, the final ℓ and why the run stopped."""
    return pd.DataFrame(
        {
            "start": list(runs),
            "ℓ at the start": [t.snapshots[0].log_likelihood for t in runs.values()],
            "iterations": [t.n_iter for t in runs.values()],
            "final ℓ": [t.final.log_likelihood for t in runs.values()],
            "stopped because": [t.stop_reason.value for t in runs.values()],
        }
    )


def fit_thumbnail(
    X: NDArray[np.float64],
    trace: Trace,
    title: str,
    *,
    dims: tuple[int, int] = (0, 1),
    max_points: int = MAX_THUMBNAIL_POINTS,
) -> go.Figure:
    """A small picture of a run's final fit: in 1-D the mixture's density and its
    components over a histogram of the data; in 2-D the points coloured by their likeliest
    component with each component's 1σ ellipse."""
    X = np.asarray(X, dtype=np.float64)
    final = trace.final.params
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(0))
    shown = X if rows is None else X[rows]
    if X.shape[1] == 1:
        data = [_histogram(shown[:, 0]), *_density_curves(X[:, 0], final)]
    else:
        data = [_points(shown, final, dims), *_ellipses(final, dims)]
    layout = _thumbnail_layout(title, trace.final.log_likelihood, two_d=X.shape[1] > 1)
    return cased_figure(go.Figure(data=data, layout=layout))


def _histogram(x: NDArray[np.float64]) -> dict[str, Any]:
    """The 1-D data as a histogram, on the scale of a density."""
    return {
        "type": "histogram",
        "x": x.tolist(),
        "histnorm": "probability density",
        "marker": {"color": "#d9dde3"},
        "hoverinfo": "skip",
    }


def _density_curves(x: NDArray[np.float64], final: Parameters) -> list[dict[str, Any]]:
    """Each component's weighted density over the range of ``x``, then the mixture's."""
    colors = component_colors(final.n_components)
    low, high = padded_range(float(x.min()), float(x.max()))
    grid = np.linspace(low, high, 200)
    densities = weighted_densities(grid[:, None], final)
    curves = [(densities[k], colors[k], 1.5) for k in range(final.n_components)]
    curves.append((densities.sum(axis=0), MIXTURE_COLOR, 2))
    return [
        {
            "type": "scatter",
            "x": grid.tolist(),
            "y": y.tolist(),
            "mode": "lines",
            "line": {"color": color, "width": width},
            "hoverinfo": "skip",
        }
        for y, color, width in curves
    ]


def _points(shown: NDArray[np.float64], final: Parameters, dims: tuple[int, int]) -> dict[str, Any]:
    """The points on the two columns ``dims``, coloured by their responsibilities."""
    resp = e_step(shown, final).resp
    return {
        "type": "scatter",
        "x": shown[:, dims[0]].tolist(),
        "y": shown[:, dims[1]].tolist(),
        "mode": "markers",
        "marker": {"size": 4, "color": blend(resp), "line": POINT_OUTLINE},
        "hoverinfo": "skip",
    }


def _ellipses(final: Parameters, dims: tuple[int, int]) -> list[dict[str, Any]]:
    """Each component's 1σ ellipse on the two columns ``dims``."""
    index = list(dims)
    colors = component_colors(final.n_components)
    full = final.full_covariances()
    data = []
    for k in range(final.n_components):
        ex, ey = ellipse_points(final.means[k, index], full[k][np.ix_(index, index)], 1.0)
        data.append(
            {
                "type": "scatter",
                "x": ex.tolist(),
                "y": ey.tolist(),
                "mode": "lines",
                "line": {"color": colors[k], "width": 2},
                "hoverinfo": "skip",
            }
        )
    return data


def _thumbnail_layout(title: str, final_ll: float, *, two_d: bool) -> dict[str, Any]:
    """The thumbnail's layout: its title wrapped to its width, with the final ℓ under it."""
    title_lines = textwrap.wrap(title, THUMBNAIL_TITLE_CHARS) or [""]
    return {
        "template": TEMPLATE,
        "height": THUMBNAIL_HEIGHT_PX,
        "margin": {
            "l": 36 if two_d else 14,
            "r": 14,
            "t": 12 + 17 * (len(title_lines) + 1),
            "b": 28,
        },
        "title": {
            "text": "<br>".join(f"<b>{user_text(line)}</b>" for line in title_lines)
            + f"<br>final ℓ = {final_ll:.6g}",
            "x": 0,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "font": {"size": 13},
        },
        "showlegend": False,
        "xaxis": {"nticks": 3, "tickangle": 0, "tickfont": {"size": 10}},
        "yaxis": {"nticks": 4, "showticklabels": two_d},
    }


# ---------------------------------------------------------------------------------------
# K-means as the hard limit of EM


# Lines told apart by colour alone, each named in the legend, whose short line has no casing:
# the starts' colours with 3:1 on white.
HARD_LIMIT_COLORS = tuple(c for c in START_COLORS if c not in CASED_COLORS)


def hard_limit_figure(
    points: Sequence[float], means: tuple[float, float], sigmas: Sequence[float]
) -> go.Figure:
    """The responsibility of component 1 for each of ``points`` as two equal-weight 1-D
    Gaussians at ``means``, both of spread σ, narrow from large σ to small (left to right).

    Parameters
    ----------
    points : the 1-D points followed.
    means : (μ₁, μ₂).
    sigmas : the σ values drawn, any order; the axis is logarithmic and reversed.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    points = np.asarray(points, dtype=np.float64)
    sigmas = np.sort(np.asarray(sigmas, dtype=np.float64))[::-1]
    resp = np.array(
        [
            e_step(
                points[:, None],
                Parameters([0.5, 0.5], [[means[0]], [means[1]]], [[[s * s]], [[s * s]]], "full"),
            ).resp[:, 0]
            for s in sigmas
        ]
    )
    data = [
        {
            "type": "scatter",
            "x": sigmas.tolist(),
            "y": resp[:, n].tolist(),
            "mode": "lines",
            "name": f"x = {x:g}" + _nearer(x, means),
            "line": {"color": HARD_LIMIT_COLORS[n % len(HARD_LIMIT_COLORS)], "width": 2.5},
            "hovertemplate": "σ = %{x:.3g}: r = %{y:.3f}<extra></extra>",
        }
        for n, x in enumerate(points)
    ]
    return cased_figure(go.Figure(data=data, layout=_hard_limit_layout()))


def _nearer(x: float, means: tuple[float, float]) -> str:
    """Which mean the point ``x`` is nearer, in brackets after its name."""
    if abs(x - means[0]) < abs(x - means[1]):
        return " (nearer μ₁)"
    return " (nearer μ₂)" if x != 0.5 * (means[0] + means[1]) else " (halfway)"


def _hard_limit_layout() -> dict[str, Any]:
    """σ on a reversed log axis, the responsibility from 0 to 1, the legend underneath."""
    return {
        "template": TEMPLATE,
        "height": 380,
        "margin": {"l": 64, "r": 16, "t": 16, "b": 150},
        "xaxis": {
            "type": "log",
            "autorange": "reversed",
            "tickvals": LIMIT_TICKS,
            "ticktext": [f"{v:g}" for v in LIMIT_TICKS],
            "title": {"text": "σ of both Gaussians (shrinking →)"},
        },
        "yaxis": {"range": [-0.05, 1.05], "title": {"text": "responsibility of μ₁"}},
        # Under the axis title at any width: the legend's rows count up from the bottom.
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        "hovermode": "closest",
    }
