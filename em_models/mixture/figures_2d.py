"""Two features at a time: the data, each component's covariance ellipses and the mixture's
contours, one animation frame per half-step.

For data with more than two features the picture is the *marginal* of the two chosen
columns: component k's ellipse is drawn from μ_k and the 2×2 block of Σ_k for those columns,
and the contours are those of the marginal mixture density. The points' colours still come
from the responsibilities of the full model, computed on every feature.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture import kmeans_phase
from em_models.mixture.figures import (
    COLOUR_NOTE,
    check_trace,
    covered_range,
    kmeans_note,
    marginal,
    point_hovertemplate,
    point_styles,
    weighted_densities,
)
from em_models.mixture.gaussian import Parameters
from em_viz.colors import GREY, POINT_OUTLINE, SYMBOLS, component_colors, with_alpha
from em_viz.figures_common import (
    TITLE_CHARS,
    animated_figure,
    as_features,
    base_layout,
    component_legend,
    points_legend,
    round_sig,
    round_to_scale,
    sample_note,
    sample_rows,
    user_text,
)
from em_viz.halfstep import HalfStep

CONTOUR_GRID = 50
# The data panel's width over its height, about, in the wide and the narrow layout.
PLOT_ASPECT = {False: 1.8, True: 0.95}
# x and y share one scale when the data then fill at least this much of the panel's width
# (or height); data much wider than tall would otherwise be a thin strip.
EQUAL_SCALE_FILL = 0.4
ELLIPSE_POINTS = 73  # every 5°, the first point repeated to close the curve
N_STDS = (1, 2)


def ellipse_points(
    mean2: ArrayLike, cov2: ArrayLike, n_std: float, n_points: int = 100
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The ellipse {p : (p − μ)ᵀ Σ⁻¹ (p − μ) = n_std²} of a 2-D Gaussian, as a closed curve.

    With Σ = V diag(λ) Vᵀ (eigendecomposition), the ellipse is μ + n_std · V diag(√λ) u for
    u on the unit circle: its axes lie along the eigenvectors, with half-lengths n_std·√λ.

    Parameters
    ----------
    mean2 : array-like of shape (2,)
    cov2 : array-like of shape (2, 2)
        A symmetric positive semi-definite matrix.
    n_std : float
        The Mahalanobis radius: 1 for the 1σ ellipse, 2 for the 2σ one.
    n_points : int, default 100
        The number of points; the last equals the first.

    Returns
    -------
    x, y : arrays of shape (n_points,)
    """
    mean2 = np.asarray(mean2, dtype=np.float64)
    cov2 = np.asarray(cov2, dtype=np.float64)
    if mean2.shape != (2,) or cov2.shape != (2, 2):
        raise ValueError(
            f"Expected a mean of shape (2,) and a covariance of shape (2, 2); "
            f"got {mean2.shape} and {cov2.shape}."
        )
    eigenvalues, eigenvectors = np.linalg.eigh((cov2 + cov2.T) / 2)
    if eigenvalues[0] < -1e-12 * max(abs(eigenvalues[1]), 1.0):
        raise ValueError("The covariance is not positive semi-definite; it has no ellipse.")
    angles = np.linspace(0.0, 2.0 * np.pi, n_points)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    points = (
        mean2[:, None] + n_std * (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ circle
    )
    return points[0], points[1]


def scatter_figure(
    X: ArrayLike,
    trace: Trace,
    h: int,
    *,
    dims: tuple[int, int] = (0, 1),
    frame_duration_ms: int = 600,
    max_points: int = 1000,
    true_params: Parameters | None = None,
    column_names: Sequence[str] | None = None,
    rng_seed: int = 0,
    narrow: bool = False,
    kmeans: bool = False,
) -> go.Figure:
    """The fitted mixture at half-step ``h`` over two columns of the data, animated.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), n_features ≥ 2
        The data the trace was fitted to.
    trace : Trace
    h : int
        The half-step on screen (see :mod:`em_viz.halfstep`); the slider starts there.
    dims : (int, int), default (0, 1)
        The columns on the x and y axes.
    frame_duration_ms : int, default 600
        How long Play shows each half-step.
    max_points : int, default 1000
        At most this many points are drawn, chosen at random; a note says so.
    true_params : Parameters, optional
        The mixture that generated synthetic data: its 1σ and 2σ ellipses, dotted grey.
    column_names : sequence of str, optional
        Names of all of X's columns, for the axis titles and hover text (default "x1",
        "x2", …); shown literally, whatever characters they hold.
    rng_seed : int, default 0
        Seeds the choice of the points drawn.
    narrow : bool, default False
        The layout for a container narrower than about 700 px (a phone): the
        log-likelihood panel below the data instead of beside them.
    kmeans : bool, default False
        Step the run from its K-means seeds (see :mod:`em_models.mixture.kmeans_phase`): the K-means
        half-steps show the centres and the points in their clusters' colours, and no
        mixture.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: contours of the mixture, the points, for each component one 1σ ellipse and
        one 2σ ellipse (named "component k (1σ)", "component k (2σ)"), the means, then
        with ``kmeans`` the K-means centres.
        One frame per half-step, named ``"0"``, ``"1"``, …; the figure's data are frame h.
    """
    X = as_features(X)
    dims = _check_input(X, trace, h, dims, kmeans)
    raw_names = _column_names(column_names, X.shape[1])
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(rng_seed))
    shown = X if rows is None else X[rows]
    ranges = tuple(covered_range(X[:, dim], trace, dim) for dim in dims)
    gx, gy, mesh = _contour_grid(*ranges)
    names = [user_text(name) for name in raw_names]
    traces, dynamic = _traces(shown, trace, dims, names, (gx, gy), true_params, kmeans=kmeans)
    equal = equal_scales(*ranges, narrow=narrow)
    circles_stretched = not equal and trace.model.covariance_type == "spherical"
    titles = [user_text(raw, TITLE_CHARS[narrow]) for raw in raw_names]
    return animated_figure(
        traces,
        dynamic,
        _frame_builder(X, rows, shown, trace, dims, mesh, kmeans=kmeans),
        trace,
        h,
        _layout(X.shape, dims, ranges, titles, equal=equal),
        frame_duration_ms,
        notes=_notes(shown.shape[0], X.shape[0], kmeans=kmeans, stretched=circles_stretched),
        narrow=narrow,
        halves=kmeans_phase.half_steps(trace, kmeans=kmeans),
    )


def _check_input(
    X: NDArray[np.float64], trace: Trace, h: int, dims: Sequence[int], kmeans: bool
) -> tuple[int, int]:
    """``dims`` as two ints, after checking X, the trace, the columns and the half-step."""
    n_features = X.shape[1]
    if n_features < 2:
        raise ValueError("scatter_figure needs two or more features; use density_figure for one.")
    check_trace(X, trace)
    dims = _check_dims(dims, n_features)
    kmeans_phase.half_step(trace, h, kmeans=kmeans)  # raises for an h the run does not have
    return dims


def _contour_grid(
    x_range: Sequence[float], y_range: Sequence[float]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The contours' x and y, and their mesh of shape (CONTOUR_GRID², 2)."""
    # Rounded as they are sent, so z is the density at the points the browser draws it at.
    gx = np.array(round_sig(np.linspace(*x_range, CONTOUR_GRID)))
    gy = np.array(round_sig(np.linspace(*y_range, CONTOUR_GRID)))
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    return gx, gy, mesh


def _traces(
    shown: NDArray[np.float64],
    trace: Trace,
    dims: tuple[int, int],
    names: Sequence[str],
    grid: tuple[NDArray[np.float64], NDArray[np.float64]],
    true_params: Parameters | None,
    *,
    kmeans: bool,
) -> tuple[list[dict], list[int]]:
    """The figure's traces, and the indices of those the frames update: the contours, the
    points, the ellipses, the means and (with ``kmeans``) the centres."""
    n_components = trace.final.params.n_components
    colors = component_colors(n_components)
    coordinates = f"{names[dims[0]]} = %{{x:.4g}}<br>{names[dims[1]]} = %{{y:.4g}}"
    static = [] if true_params is None else [_true_ellipses(true_params, dims)]
    points = _points_trace(shown, dims, coordinates, n_components)
    means = _crosses_trace(
        "means μ<sub>k</sub>", colors, f"mean of component %{{text}}<br>{coordinates}"
    )
    moving = [
        points,
        *_ellipse_traces(colors),
        {**means, "text": [str(k + 1) for k in range(n_components)]},
    ]
    if kmeans:
        moving.append(
            _crosses_trace("K-means centres", colors, f"centre %{{text}}<br>{coordinates}")
        )
    ones = [t for t in moving if t.get("showlegend") and t["name"].endswith("(1σ)")]
    keys = [component_legend(t, symbol) for t, symbol in zip(ones, SYMBOLS, strict=False)]
    traces = [_contour_trace(*grid), *static, *moving, points_legend(points), *keys]
    return traces, [0, *range(1 + len(static), 1 + len(static) + len(moving))]


def _contour_trace(gx: NDArray[np.float64], gy: NDArray[np.float64]) -> dict:
    """The mixture density's contours over the grid; the frames set their z."""
    return {
        "type": "contour",
        "name": "mixture density",
        "x": gx.tolist(),
        "y": gy.tolist(),
        "showlegend": False,
        "showscale": False,
        "ncontours": 9,
        "contours": {"coloring": "lines", "showlabels": False},
        "colorscale": [[0.0, "#c8c8c8"], [1.0, "#404040"]],
        "line": {"width": 1},
        "hoverinfo": "skip",
    }


def _points_trace(
    shown: NDArray[np.float64], dims: tuple[int, int], coordinates: str, n_components: int
) -> dict:
    """The points drawn, grey here; the frames colour them."""
    n_shown = shown.shape[0]
    return {
        "type": "scatter",
        "name": "data points",
        "x": round_sig(shown[:, dims[0]], 8),
        "y": round_sig(shown[:, dims[1]], 8),
        "mode": "markers",
        "marker": {
            "size": 8 if n_shown <= 100 else 6,
            "opacity": 0.8,
            "line": POINT_OUTLINE,
            "color": GREY,
        },
        "hovertemplate": point_hovertemplate(coordinates, n_components, n_shown),
    }


def _ellipse_traces(colors: Sequence[str]) -> list[dict]:
    """Each component's 1σ ellipse (solid, in the legend) and 2σ ellipse (dashed); the frames
    draw them."""
    return [
        {
            "type": "scatter",
            "name": f"component {k + 1} ({n_std}σ)",
            "legendgroup": f"component {k + 1}",
            "showlegend": n_std == 1,
            "mode": "lines",
            "line": {
                "color": color if n_std == 1 else with_alpha(color, 0.7),
                "width": 2.5 if n_std == 1 else 1.5,
                "dash": "solid" if n_std == 1 else "dash",
            },
            "hoverinfo": "skip",
        }
        for k, color in enumerate(colors)
        for n_std in N_STDS
    ]


def _crosses_trace(name: str, colors: Sequence[str], hover: str) -> dict:
    """One cross per component in its colour (the means, or the K-means centres); ``hover``
    names the cross, and the coordinates follow."""
    return {
        "type": "scatter",
        "name": name,
        "mode": "markers",
        "marker": {
            "symbol": "x",
            "size": 14,
            "color": colors,
            "line": {"width": 1.5, "color": "white"},
        },
        "hovertemplate": f"{hover}<extra></extra>",
    }


def _frame_builder(
    X: NDArray[np.float64],
    rows: NDArray[np.intp] | None,
    shown: NDArray[np.float64],
    trace: Trace,
    dims: tuple[int, int],
    mesh: NDArray[np.float64],
    *,
    kmeans: bool,
) -> Callable[[HalfStep], list[dict]]:
    """The updates of the dynamic traces (see :func:`_traces`) at a half-step."""
    points = point_styles(shown, trace)
    hard_points = kmeans_phase.hard_point_styles(X, rows, trace)
    model = _model_frames(trace, dims, mesh)
    n_components = trace.final.params.n_components
    no_model = [{"visible": False}, *({"x": [], "y": []} for _ in range(2 * n_components + 1))]

    def frame_of(half: HalfStep) -> list[dict]:
        hard = kmeans_phase.labels_index(half) is not None
        colours = hard_points(half) if hard else points(half.resp_index)
        if not kmeans:
            contour, *shapes = model(half.params_index)
            return [contour, colours, *shapes]
        centres = kmeans_phase.centers(trace, half)
        if centres is None:
            contour, *shapes = model(half.params_index)
            return [{**contour, "visible": True}, colours, *shapes, {"x": [], "y": [], "text": []}]
        contour, *shapes = no_model
        centres_update = {
            "x": round_sig(centres[:, dims[0]]),
            "y": round_sig(centres[:, dims[1]]),
            "text": [str(k + 1) for k in range(n_components)],
        }
        return [contour, colours, *shapes, centres_update]

    return frame_of


def _model_frames(
    trace: Trace, dims: tuple[int, int], mesh: NDArray[np.float64]
) -> Callable[[int], list[dict]]:
    """The updates of the contours, the ellipses and the means for θ_t, by t (cached: an
    M-step and the E-step after it share them)."""
    marginals = [marginal(snapshot.params, dims) for snapshot in trace.snapshots]

    @functools.cache
    def model(t: int) -> list[dict]:
        density = weighted_densities(mesh, marginals[t]).sum(axis=0)
        return _model_update(marginals[t], density, (CONTOUR_GRID, CONTOUR_GRID))

    return model


def _layout(
    shape: tuple[int, ...],
    dims: tuple[int, int],
    ranges: Sequence[Sequence[float]],
    titles: Sequence[str],
    *,
    equal: bool,
) -> dict:
    """The data panel's axes, with one scale for x and y when ``equal``."""
    # Zoom and pan survive reruns (another half-step, another speed) but not other data.
    layout = base_layout(uirevision=f"em_models.mixture.figures_2d.scatter_figure {shape} {dims}")
    for axis, dim, axis_range in zip(("xaxis", "yaxis"), dims, ranges, strict=True):
        layout[axis] = {
            "title": {"text": titles[dim]},
            "range": list(axis_range),
            "zeroline": False,
        }
    if equal:  # a unit of y as long as a unit of x: circles are round, angles true
        layout["yaxis"] |= {"scaleanchor": "x", "scaleratio": 1}
    return layout


def _notes(n_shown: int, n_samples: int, *, kmeans: bool, stretched: bool) -> list[str]:
    """The notes under the chart; ``stretched``: spherical components on unequal scales."""
    notes = [
        kmeans_note(kmeans),
        "ellipses: 1σ solid, 2σ dashed; grey contours: the mixture density",
        COLOUR_NOTE,
        sample_note(n_shown, n_samples) or "",
    ]
    if stretched:
        notes.insert(1, "x and y have different scales, so the circles look like ellipses")
    return notes


def equal_scales(
    x_range: Sequence[float], y_range: Sequence[float], *, narrow: bool = False
) -> bool:
    """Whether the data panel should give x and y one scale, so that a circle is drawn
    round: yes unless the data would then fill less than ``EQUAL_SCALE_FILL`` of the
    panel's width or height (columns in very different units)."""
    data_aspect = (x_range[1] - x_range[0]) / (y_range[1] - y_range[0])
    ratio = data_aspect / PLOT_ASPECT[narrow]
    return min(ratio, 1 / ratio) >= EQUAL_SCALE_FILL


def _model_update(
    params: Parameters, density: NDArray[np.float64], shape: tuple[int, int]
) -> list[dict]:
    """Frame updates of the model's traces for one snapshot: the contours' z, each
    component's 1σ and 2σ ellipses, and the means."""
    # The contour levels lie between a tenth and all of the peak: a thousandth of it and
    # four digits draw the same lines, at a fraction of the payload.
    z = round_to_scale(density.reshape(shape), float(density.max()), floor=1e-3, digits=4)
    updates: list[dict] = [{"z": z}]
    for mean, cov in zip(params.means, params.covariances, strict=True):
        for n_std in N_STDS:
            x, y = ellipse_points(mean, cov, n_std, ELLIPSE_POINTS)
            updates.append({"x": round_sig(x), "y": round_sig(y)})
    updates.append({"x": round_sig(params.means[:, 0]), "y": round_sig(params.means[:, 1])})
    return updates


def _true_ellipses(true_params: Parameters, dims: tuple[int, int]) -> dict:
    """The generating components' 1σ and 2σ ellipses, dotted grey, as one static trace."""
    if max(dims) >= true_params.n_features:
        raise ValueError(
            f"true_params has {true_params.n_features} features; dims {dims} needs more."
        )
    truth = marginal(true_params, dims)
    xs: list[NDArray[np.float64]] = []
    ys: list[NDArray[np.float64]] = []
    for mean, cov in zip(truth.means, truth.covariances, strict=True):
        for n_std in N_STDS:
            x, y = ellipse_points(mean, cov, n_std, ELLIPSE_POINTS)
            xs += [x, np.full(1, np.nan)]
            ys += [y, np.full(1, np.nan)]
    return {
        "type": "scatter",
        "name": "true components",
        "x": round_sig(np.concatenate(xs)),
        "y": round_sig(np.concatenate(ys)),
        "mode": "lines",
        "line": {"color": "#555", "width": 1.2, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _check_dims(dims: Sequence[int], n_features: int) -> tuple[int, int]:
    if len(dims) != 2 or dims[0] == dims[1] or not all(0 <= int(d) < n_features for d in dims):
        raise ValueError(
            f"dims must be two different column indices between 0 and {n_features - 1}; "
            f"got {tuple(dims)}."
        )
    return int(dims[0]), int(dims[1])


def _column_names(column_names: Sequence[str] | None, n_features: int) -> list[str]:
    if column_names is None:
        return [f"x{j + 1}" for j in range(n_features)]
    names = [str(name) for name in column_names]
    if len(names) != n_features:
        raise ValueError(f"{len(names)} column names for {n_features} columns.")
    return names
