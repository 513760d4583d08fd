"""Figures and tables about where EM starts: the K-means start and its hand-off, starts
compared side by side, and K-means as the hard-assignment limit of EM.

Symbols and names as in :mod:`em_core`: π_k → ``weights[k]``, μ_k → ``means[k]``,
Σ_k → ``covariances[k]``; a K-means step t (:class:`em_core.KMeansStep`) holds the centres
c_k after t averages and the within-cluster sum of squares W = Σ_n ‖x_n − c_(label n)‖².

Step 0 of a K-means start is its k-means++ seeds. At each step the points wear the colour
of their nearest centre: the assignment that the next average is taken over.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import KMeansStep, Parameters, Trace, e_step, nearest_center
from em_viz.colors import MIXTURE_COLOR, POINT_OUTLINE, blend, component_colors
from em_viz.figures_2d import ellipse_points
from em_viz.figures_common import (
    padded_range,
    play_pause,
    sample_rows,
    user_text,
    weighted_densities,
)
from em_viz.style import TEMPLATE

# At most this many points are drawn in the K-means animation (a random sample beyond).
MAX_ANIMATED_POINTS = 1500
MAX_THUMBNAIL_POINTS = 800
FRAME_MS = 700
KMEANS_HEIGHT_PX = 600
# Play / Pause, then the step's line, above the plot; the slider below it.
TOP_PX = 84
TITLE_TOP_PX = 50
BOTTOM_PX = 90
THUMBNAIL_HEIGHT_PX = 250
# A thumbnail's title is wrapped at this many characters a line (it is narrow).
THUMBNAIL_TITLE_CHARS = 16
# The data panel above, the sum-of-squares panel below (fractions of the plot's height).
DATA_DOMAIN = (0.36, 1.0)
INERTIA_DOMAIN = (0.0, 0.2)
LIMIT_TICKS = (2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)
START_COLORS = ("#0077bb", "#ee7733", "#009988", "#cc3311", "#aa4499", "#555555")


def _discrete_colorscale(colors: Sequence[str]) -> list[list]:
    """A colour scale on which the integer k (with cmin −½, cmax K − ½) is ``colors[k]``."""
    n = len(colors)
    scale = []
    for k, color in enumerate(colors):
        scale += [[k / n, color], [(k + 1) / n, color]]
    return scale


def kmeans_assignments(X: NDArray[np.float64], steps: Sequence[KMeansStep]) -> list[NDArray]:
    """The hard assignment at each K-means step: each point's nearest centre of that step.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    steps : sequence of KMeansStep

    Returns
    -------
    list of arrays of shape (n_samples,), one per step
    """
    return [nearest_center(X, step.centers) for step in steps]


def _step_title(step: KMeansStep, settled: int | None) -> str:
    """The line naming a step, short enough for a phone's width; ``settled`` is the step
    after which no point changed cluster (None if K-means stopped at its limit first)."""
    t = step.iteration
    seeds = ", seeds" if t == 0 else ""
    end = " — no point moved" if t == settled else ""
    return f"Step {t}{seeds}: W = {step.inertia:.5g}{end}"


def _title(text: str) -> dict[str, Any]:
    """The step's line, under Play and Pause, across the whole width."""
    return {
        "text": text,
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": TITLE_TOP_PX, "l": 8},
        "font": {"size": 14, "color": "#222"},
    }


def kmeans_figure(
    X: NDArray[np.float64],
    steps: Sequence[KMeansStep],
    *,
    dims: tuple[int, int] = (0, 1),
    column_names: Sequence[str] | None = None,
    max_points: int = MAX_ANIMATED_POINTS,
) -> go.Figure:
    """The K-means start as an animation: one frame per Lloyd step.

    Above, the points coloured by their nearest centre and the centres (crosses in 2-D,
    vertical lines in 1-D) with their paths; below, the within-cluster sum of squares W
    against the step, a ring on the step shown. Play / Pause and a slider of the steps are in
    the figure; every frame is named ``str(step.iteration)``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    steps : sequence of KMeansStep
        ``trace.start.kmeans_steps`` of a K-means start.
    dims : the two columns drawn when X has two or more.
    column_names : names of X's columns, for the axis titles.
    max_points : at most this many points are drawn (a random sample, the same every time).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if not steps:
        raise ValueError("There are no K-means steps to draw: the start was not K-means.")
    X = np.asarray(X, dtype=np.float64)
    one_d = X.shape[1] == 1
    n_components = steps[0].centers.shape[0]
    colors = component_colors(n_components)
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(0))
    shown = X if rows is None else X[rows]
    labels = kmeans_assignments(shown, steps)
    names = list(column_names) if column_names else [f"x{j + 1}" for j in range(X.shape[1])]
    dx, dy = (0, 0) if one_d else dims
    x = shown[:, dx]
    y = np.random.default_rng(1).uniform(0.1, 0.9, shown.shape[0]) if one_d else shown[:, dy]
    last = steps[-1].iteration
    settled = None
    if len(steps) > 1 and np.array_equal(
        nearest_center(X, steps[-1].centers), nearest_center(X, steps[-2].centers)
    ):
        settled = last

    points = {
        "type": "scatter",
        "x": x.tolist(),
        "y": y.tolist(),
        "mode": "markers",
        "name": "points",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {
            "size": 6 if shown.shape[0] <= 500 else 4,
            "color": labels[0].tolist(),
            "colorscale": _discrete_colorscale(colors),
            "cmin": -0.5,
            "cmax": n_components - 0.5,
            "line": POINT_OUTLINE,
        },
    }
    paths = [
        {
            "type": "scatter",
            "x": [s.centers[k, dx] for s in steps],
            "y": [0.5] * len(steps) if one_d else [s.centers[k, dy] for s in steps],
            "mode": "lines",
            "line": {"color": colors[k], "width": 1.5, "dash": "dot"},
            "showlegend": False,
            "hoverinfo": "skip",
        }
        for k in range(n_components)
    ]

    def centres(step: KMeansStep) -> list[dict[str, Any]]:
        out = []
        for k in range(n_components):
            cx = float(step.centers[k, dx])
            if one_d:
                out.append({"x": [cx, cx], "y": [0.0, 1.0]})
            else:
                out.append({"x": [cx], "y": [float(step.centers[k, dy])]})
        return out

    centre_traces = [
        {
            "type": "scatter",
            "mode": "lines" if one_d else "markers",
            "name": f"centre {k + 1}",
            "showlegend": False,
            "line": {"color": colors[k], "width": 4},
            "marker": {
                "symbol": "x",
                "size": 17,
                "color": colors[k],
                "line": {"color": MIXTURE_COLOR, "width": 1.5},
            },
            "hovertemplate": f"centre {k + 1}<extra></extra>",
            **place,
        }
        for k, place in enumerate(centres(steps[0]))
    ]
    inertia = [s.inertia for s in steps]
    inertia_line = {
        "type": "scatter",
        "x": [s.iteration for s in steps],
        "y": inertia,
        "mode": "lines+markers",
        "line": {"color": MIXTURE_COLOR, "width": 1.5},
        "marker": {"size": 5, "color": MIXTURE_COLOR},
        "xaxis": "x2",
        "yaxis": "y2",
        "showlegend": False,
        "hovertemplate": "step %{x}: W = %{y:.6g}<extra></extra>",
    }
    ring = {
        "type": "scatter",
        "x": [steps[0].iteration],
        "y": [inertia[0]],
        "mode": "markers",
        "marker": {
            "size": 14,
            "color": "rgba(0,0,0,0)",
            "line": {"color": "#cc3311", "width": 2.5},
        },
        "xaxis": "x2",
        "yaxis": "y2",
        "showlegend": False,
        "hoverinfo": "skip",
    }
    data = [points, *paths, *centre_traces, inertia_line, ring]
    dynamic = [0, *range(1 + n_components, 1 + 2 * n_components), len(data) - 1]
    frames = [
        {
            "name": str(step.iteration),
            "data": [
                {"marker": {"color": labels[i].tolist()}},
                *centres(step),
                {"x": [step.iteration], "y": [step.inertia]},
            ],
            "traces": dynamic,
            "layout": {"title": _title(_step_title(step, settled))},
        }
        for i, step in enumerate(steps)
    ]
    frame_names = [f["name"] for f in frames]
    slider = {
        "active": 0,
        "x": 0,
        "len": 1,
        "y": 0,
        "yanchor": "top",
        "pad": {"t": 48, "b": 4},
        "currentvalue": {"prefix": "step ", "font": {"size": 13}},
        "steps": [
            {
                "label": name,
                "method": "animate",
                "args": [
                    [name],
                    {"mode": "immediate", "frame": {"duration": 0, "redraw": True}},
                ],
            }
            for name in frame_names
        ],
    }
    x_values = np.concatenate([x, [c for s in steps for c in s.centers[:, dx]]])
    plot_px = KMEANS_HEIGHT_PX - TOP_PX - BOTTOM_PX
    layout = {
        "template": TEMPLATE,
        "height": KMEANS_HEIGHT_PX,
        "margin": {"l": 64, "r": 16, "t": TOP_PX, "b": BOTTOM_PX},
        "title": _title(_step_title(steps[0], settled)),
        "showlegend": False,
        "hovermode": "closest",
        "uirevision": "kmeans",
        "updatemenus": [play_pause(frame_names, FRAME_MS, y=1.0 + (TOP_PX - 4) / plot_px)],
        "sliders": [slider],
        "xaxis": {
            "domain": [0, 1],
            "anchor": "y",
            "range": padded_range(float(x_values.min()), float(x_values.max())),
            "title": {"text": user_text(names[dx], 60)},
        },
        "yaxis": {
            "domain": list(DATA_DOMAIN),
            "anchor": "x",
            "automargin": True,
            **(
                {"visible": False, "range": [-0.05, 1.05]}
                if one_d
                else {"title": {"text": user_text(names[dy], 40)}}
            ),
        },
        "xaxis2": {
            "domain": [0, 1],
            "anchor": "y2",
            "title": {"text": "K-means step", "standoff": 4},
            "dtick": 1 if last <= 20 else None,
            "range": [-0.5, last + 0.5],
        },
        "yaxis2": {
            "domain": list(INERTIA_DOMAIN),
            "anchor": "x2",
            "title": {"text": "W", "standoff": 6},
            "automargin": True,
            "exponentformat": "power",
        },
    }
    # Play starts at the step on screen; the ring, centres and colours of step 0 are the
    # figure's own data, so the first frame repeats them (plotly needs it to go back).
    return go.Figure(data=data, layout=layout, frames=frames)


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
    return go.Figure(data=data, layout=layout)


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
    title_lines = textwrap.wrap(title, THUMBNAIL_TITLE_CHARS) or [""]
    colors = component_colors(final.n_components)
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(0))
    shown = X if rows is None else X[rows]
    data: list[dict[str, Any]] = []
    if X.shape[1] == 1:
        x = X[:, 0]
        low, high = padded_range(float(x.min()), float(x.max()))
        grid = np.linspace(low, high, 200)
        densities = weighted_densities(grid[:, None], final)
        data.append(
            {
                "type": "histogram",
                "x": x.tolist() if rows is None else shown[:, 0].tolist(),
                "histnorm": "probability density",
                "marker": {"color": "#d9dde3"},
                "hoverinfo": "skip",
            }
        )
        data += [
            {
                "type": "scatter",
                "x": grid.tolist(),
                "y": densities[k].tolist(),
                "mode": "lines",
                "line": {"color": colors[k], "width": 1.5},
                "hoverinfo": "skip",
            }
            for k in range(final.n_components)
        ]
        data.append(
            {
                "type": "scatter",
                "x": grid.tolist(),
                "y": densities.sum(axis=0).tolist(),
                "mode": "lines",
                "line": {"color": MIXTURE_COLOR, "width": 2},
                "hoverinfo": "skip",
            }
        )
    else:
        index = list(dims)
        resp = e_step(shown, final).resp
        data.append(
            {
                "type": "scatter",
                "x": shown[:, dims[0]].tolist(),
                "y": shown[:, dims[1]].tolist(),
                "mode": "markers",
                "marker": {"size": 4, "color": blend(resp), "line": {"width": 0}},
                "hoverinfo": "skip",
            }
        )
        full = final.full_covariances()
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
    layout = {
        "template": TEMPLATE,
        "height": THUMBNAIL_HEIGHT_PX,
        "margin": {
            "l": 36 if X.shape[1] > 1 else 14,
            "r": 14,
            "t": 12 + 17 * (len(title_lines) + 1),
            "b": 28,
        },
        "title": {
            "text": "<br>".join(f"<b>{user_text(line)}</b>" for line in title_lines)
            + f"<br>final ℓ = {trace.final.log_likelihood:.6g}",
            "x": 0,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "font": {"size": 13},
        },
        "showlegend": False,
        "xaxis": {"nticks": 3, "tickangle": 0, "tickfont": {"size": 10}},
        "yaxis": {"nticks": 4, "showticklabels": X.shape[1] > 1},
    }
    return go.Figure(data=data, layout=layout)


# ---------------------------------------------------------------------------------------
# K-means as the hard limit of EM


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
    mid = 0.5 * (means[0] + means[1])
    data = [
        {
            "type": "scatter",
            "x": sigmas.tolist(),
            "y": resp[:, n].tolist(),
            "mode": "lines",
            "name": f"x = {x:g}"
            + (
                " (nearer μ₁)"
                if abs(x - means[0]) < abs(x - means[1])
                else " (nearer μ₂)"
                if x != mid
                else " (halfway)"
            ),
            "line": {"color": START_COLORS[n % len(START_COLORS)], "width": 2.5},
            "hovertemplate": "σ = %{x:.3g}: r = %{y:.3f}<extra></extra>",
        }
        for n, x in enumerate(points)
    ]
    layout = {
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
    return go.Figure(data=data, layout=layout)
