"""One feature: the mixture's density curves over the data, one animation frame per half-step.

Each component k is drawn as its weighted density π_k N(x | μ_k, σ_k), so the components'
curves add up to the mixture density p(x) = Σ_k π_k N(x | μ_k, σ_k), drawn dark and dashed.
A curve is drawn only where it stands clear of the axis: a component's on its own grid,
between the two points where it falls to :data:`FLOOR` of the axis's height (about a
pixel), with the same number of points in every frame so the animation morphs each curve
smoothly into the next; the mixture on a fixed grid, left out where it is below the floor.
So no curve runs along the zero line, where a dashed mixture would draw a row of dashes.
The data sit in a strip just below
zero, each point coloured by its responsibilities (see :func:`em_viz.colors.blend`).
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
    point_hovertemplate,
    point_styles,
    weighted_densities,
)
from em_models.mixture.gaussian import Parameters
from em_viz.colors import (
    GREY,
    MIXTURE_COLOR,
    POINT_OUTLINE,
    SYMBOLS,
    component_colors,
    with_alpha,
)
from em_viz.figures_common import (
    TITLE_CHARS,
    animated_figure,
    as_features,
    base_layout,
    component_legend,
    nice_ticks,
    points_legend,
    round_sig,
    sample_note,
    sample_rows,
    user_text,
)
from em_viz.halfstep import HalfStep

GRID_POINTS = 200
COMPONENT_POINTS = 121
# A curve ends where it falls to this fraction of the y-axis's top: under a pixel.
FLOOR = 1 / 400
MAX_HISTOGRAM_BINS = 80
# The strip of data points occupies this band below zero, as fractions of the y-axis top.
STRIP = (0.025, 0.105)
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def density_figure(
    X: ArrayLike,
    trace: Trace,
    h: int,
    *,
    frame_duration_ms: int = 600,
    max_points: int = 500,
    true_params: Parameters | None = None,
    rng_seed: int = 0,
    column_name: str | None = None,
    narrow: bool = False,
    kmeans: bool = False,
) -> go.Figure:
    """The fitted 1-D mixture at half-step ``h``, animated over every half-step.

    Parameters
    ----------
    X : array-like of shape (n_samples, 1)
        The data the trace was fitted to.
    trace : Trace
    h : int
        The half-step on screen (see :mod:`em_viz.halfstep`); the slider starts there.
    frame_duration_ms : int, default 600
        How long Play shows each half-step.
    max_points : int, default 500
        At most this many points are drawn, chosen at random; then a histogram of all the
        data is drawn behind the curves and a note says how many are shown.
    true_params : Parameters, optional
        The mixture that generated synthetic data, drawn as dashed grey curves.
    rng_seed : int, default 0
        Seeds the choice of the points drawn and their jitter.
    narrow : bool, default False
        The layout for a container narrower than about 700 px (a phone): the
        log-likelihood panel below the data instead of beside them.
    column_name : str, optional
        The x-axis title (default "x"), shown literally, whatever characters it holds.
    kmeans : bool, default False
        Step the run from its K-means seeds (see :mod:`em_models.mixture.kmeans_phase`): the K-means
        half-steps show the centres (crosses on the axis) and the points in their clusters'
        colours, and no curve.

    Returns
    -------
    plotly.graph_objects.Figure
        One frame per half-step, named ``"0"``, ``"1"``, …; the figure's data are frame h.
    """
    X = as_features(X)
    _check_input(X, trace, h, kmeans)
    x = X[:, 0]
    rng = np.random.default_rng(rng_seed)
    rows = sample_rows(x.size, max_points, rng)
    shown = X if rows is None else X[rows]
    x_range = covered_range(x, trace, 0)
    # Rounded as it is sent, so each curve is the density at the x the browser draws it at.
    grid = np.array(round_sig(np.linspace(*x_range, GRID_POINTS)))
    curves = [weighted_densities(grid, snapshot.params) for snapshot in trace.snapshots]
    static, static_tops = _static_traces(x, rows, true_params, grid)
    curves_top = max(float(c.sum(axis=0).max()) for c in curves)
    top = max([curves_top, *static_tops]) * 1.08  # headroom, fixed for every frame
    low, high = STRIP
    jitter = -top * (low + (high - low) * rng.uniform(size=shown.shape[0]))
    moving = _moving_traces(shown, jitter, grid, trace.final.params.n_components, kmeans=kmeans)
    dynamic = list(range(len(static), len(static) + len(moving)))
    points = next(t for t in moving if t["name"] == "data points")
    lines = [t for t in moving if t["name"].startswith("component ")]
    keys = [component_legend(t, symbol) for t, symbol in zip(lines, SYMBOLS, strict=False)]
    notes = [kmeans_note(kmeans), COLOUR_NOTE, sample_note(shown.shape[0], x.size) or ""]
    return animated_figure(
        [*static, *moving, points_legend(points), *keys],
        dynamic,
        _frame_builder(X, rows, shown, trace, curves, FLOOR * top, kmeans=kmeans),
        trace,
        h,
        _layout(X.shape, column_name, x_range, top, narrow=narrow),
        frame_duration_ms,
        notes=notes,
        narrow=narrow,
        halves=kmeans_phase.half_steps(trace, kmeans=kmeans),
    )


def _check_input(X: NDArray[np.float64], trace: Trace, h: int, kmeans: bool) -> None:
    """Check that X has one feature, that the trace is X's and that it has half-step h."""
    if X.shape[1] != 1:
        raise ValueError(
            f"density_figure draws one feature but X has {X.shape[1]}; "
            "use scatter_figure for two or more."
        )
    check_trace(X, trace)
    kmeans_phase.half_step(trace, h, kmeans=kmeans)  # raises for an h the run does not have


def _static_traces(
    x: NDArray[np.float64],
    rows: NDArray[np.intp] | None,
    true_params: Parameters | None,
    grid: NDArray[np.float64],
) -> tuple[list[dict], list[float]]:
    """The traces no frame changes, behind the curves, with the top of each: the histogram
    of all the data when only some points are drawn, and the true components if known."""
    traces: list[dict] = []
    tops: list[float] = []
    if rows is not None:
        bars, bars_top = _histogram(x)
        traces.append(bars)
        tops.append(bars_top)
    if true_params is not None:
        truth, truth_top = _true_components(true_params, grid)
        traces.append(truth)
        tops.append(truth_top)
    return traces, tops


def _moving_traces(
    shown: NDArray[np.float64],
    jitter: NDArray[np.float64],
    grid: NDArray[np.float64],
    n_components: int,
    *,
    kmeans: bool,
) -> list[dict]:
    """The traces the frames update: each component's curve, the mixture's, the points and
    (with ``kmeans``) the K-means centres."""
    colors = component_colors(n_components)
    traces = [
        *(_component_trace(k, color) for k, color in enumerate(colors)),
        _mixture_trace(grid),
        _points_trace(shown, jitter, n_components),
    ]
    if kmeans:
        traces.append(_centres_trace(colors))
    return traces


def _component_trace(k: int, color: str) -> dict:
    """Component k's curve, filled down to the axis; the frames draw it."""
    return {
        "type": "scatter",
        "name": f"component {k + 1}",
        "legendgroup": f"component {k + 1}",
        "mode": "lines",
        "line": {"color": color, "width": 3},
        "fill": "tozeroy",
        "fillcolor": with_alpha(color, 0.14),
        "hovertemplate": f"component {k + 1}<br>x = %{{x:.4g}}<br>"
        f"π<sub>{k + 1}</sub>N(x | μ<sub>{k + 1}</sub>, σ<sub>{k + 1}</sub>) = "
        "%{y:.4g}<extra></extra>",
    }


def _mixture_trace(grid: NDArray[np.float64]) -> dict:
    """The mixture density p(x), dark and dashed, on the fixed grid; the frames set its y."""
    return {
        "type": "scatter",
        "name": "mixture p(x)",
        "x": grid.tolist(),
        "mode": "lines",
        "line": {"color": MIXTURE_COLOR, "width": 1.6, "dash": "dash"},
        "hovertemplate": "mixture<br>x = %{x:.4g}<br>p(x) = %{y:.4g}<extra></extra>",
    }


def _points_trace(
    shown: NDArray[np.float64], jitter: NDArray[np.float64], n_components: int
) -> dict:
    """The points drawn, in the strip below zero at heights ``jitter``, grey here; the
    frames colour them."""
    n_shown = shown.shape[0]
    return {
        "type": "scatter",
        "name": "data points",
        "x": round_sig(shown[:, 0], 8),
        "y": round_sig(jitter, 3),
        "mode": "markers",
        "marker": {
            "size": 8 if n_shown <= 100 else 5,
            "opacity": 0.85,
            "line": POINT_OUTLINE,
            "color": GREY,
        },
        "hovertemplate": point_hovertemplate("x = %{x:.4g}", n_components, n_shown),
    }


def _centres_trace(colors: Sequence[str]) -> dict:
    """The K-means centres, crosses on the axis in their clusters' colours."""
    return {
        "type": "scatter",
        "name": "K-means centres",
        "mode": "markers",
        "marker": {
            "symbol": "x",
            "size": 15,
            "color": colors,
            "line": {"width": 1.5, "color": "white"},
        },
        "hovertemplate": "centre %{text}<br>x = %{x:.4g}<extra></extra>",
    }


def _frame_builder(
    X: NDArray[np.float64],
    rows: NDArray[np.intp] | None,
    shown: NDArray[np.float64],
    trace: Trace,
    curves: Sequence[NDArray[np.float64]],
    floor: float,
    *,
    kmeans: bool,
) -> Callable[[HalfStep], list[dict]]:
    """The updates of the moving traces (see :func:`_moving_traces`) at a half-step."""
    points = point_styles(shown, trace)
    hard_points = kmeans_phase.hard_point_styles(X, rows, trace)
    model = _model_frames(trace, curves, floor)
    n_components = trace.final.params.n_components
    no_model = [*({"x": [], "y": []} for _ in range(n_components)), {"y": []}]

    def frame_of(half: HalfStep) -> list[dict]:
        hard = kmeans_phase.labels_index(half) is not None
        colours = hard_points(half) if hard else points(half.resp_index)
        if not kmeans:
            return [*model(half.params_index), colours]
        centres = kmeans_phase.centers(trace, half)
        if centres is None:
            return [*model(half.params_index), colours, {"x": [], "y": [], "text": []}]
        centres_update = {
            "x": round_sig(centres[:, 0]),
            "y": [0.0] * n_components,
            "text": [str(k + 1) for k in range(n_components)],
        }
        return [*no_model, colours, centres_update]

    return frame_of


def _model_frames(
    trace: Trace, curves: Sequence[NDArray[np.float64]], floor: float
) -> Callable[[int], list[dict]]:
    """The updates of the components' and the mixture's curves for θ_t, by t (cached: an
    M-step and the E-step after it share them); ``curves[t]`` are θ_t's on the grid."""
    n_components = trace.final.params.n_components

    @functools.cache
    def model(t: int) -> list[dict]:
        params = trace.snapshots[t].params
        return [
            *(_component_curve(params, k, floor) for k in range(n_components)),
            {"y": _above_floor(curves[t].sum(axis=0), floor)},
        ]

    return model


def _layout(
    shape: tuple[int, ...],
    column_name: str | None,
    x_range: Sequence[float],
    top: float,
    *,
    narrow: bool,
) -> dict:
    """The data panel's axes: x, and the density from the strip of points up to ``top``."""
    # Zoom and pan survive reruns (another half-step, another speed) but not other data.
    layout = base_layout(uirevision=f"em_models.mixture.figures_1d.density_figure {shape}")
    layout["xaxis"] = {
        "title": {"text": user_text(column_name or "x", TITLE_CHARS[narrow])},
        "range": list(x_range),
        "zeroline": False,
    }
    layout["yaxis"] = {
        **density_ticks(top),
        "range": [-top * (STRIP[1] + 0.025), top],
        "zeroline": True,
        "zerolinecolor": "#999",
        "fixedrange": False,
    }
    layout["bargap"] = 0
    return layout


def density_ticks(top: float) -> dict:
    """The density axis's title, tick values and tick labels for an axis reaching ``top``.

    Densities are in units of 1/x, so they can be tiny (velocities in km/s) or huge. Far
    from 1 the labels are scaled by a power of ten that the title states, "density (×10⁻⁴)",
    so every label is a short plain number (no SI prefix: a "μ" would read as a mean).
    """
    values = nice_ticks(top)
    exponent = 0
    if top > 0 and not 0.1 <= top < 1e4:
        exponent = int(np.floor(np.log10(values[-1] if len(values) > 1 else top)))
    scaled = round_sig(np.asarray(values) / 10.0**exponent, 6)
    title = "density"
    if exponent:
        title += f" (×10{str(exponent).translate(SUPERSCRIPTS)})"
    return {
        "title": {"text": title},
        "tickvals": values,
        "ticktext": [f"{v:g}" for v in scaled],
    }


def _component_curve(params: Parameters, k: int, floor: float) -> dict[str, list]:
    """Component k's curve π_k N(x | μ_k, σ_k) on its own grid, as a frame update of its
    ``x`` and ``y``: from where it rises above ``floor`` to where it falls back to it.

    π_k N(μ_k ± dσ_k) = peak · exp(−d²/2) equals ``floor`` at d = √(2 ln(peak / floor)). A
    component whose peak is under twice the floor would be a line along the axis: it is
    left out (its y are None).
    """
    sd = float(np.sqrt(params.full_covariances()[k, 0, 0]))
    peak = float(params.weights[k]) / (sd * np.sqrt(2 * np.pi))
    reach = np.sqrt(2 * np.log(max(peak / floor, 2.0)))
    x = np.array(round_sig(params.means[k, 0] + sd * reach * np.linspace(-1, 1, COMPONENT_POINTS)))
    y = weighted_densities(x, params)[k]
    return {"x": x.tolist(), "y": round_sig(y if peak >= 2 * floor else np.full_like(y, np.nan))}


def _above_floor(y: NDArray[np.float64], floor: float) -> list:
    """``y`` for display, None (a gap) where it and both its neighbours are below ``floor``:
    each stretch of the curve ends with its first point under the floor, on the axis."""
    above = y >= floor
    near = above.copy()
    near[1:] |= above[:-1]
    near[:-1] |= above[1:]
    return round_sig(np.where(near, y, np.nan))


def _histogram(x: NDArray[np.float64]) -> tuple[dict, float]:
    """A density-normalised histogram of all the data, as bars (static: not in frames)."""
    low, high = float(x.min()), float(x.max())
    edges = np.histogram_bin_edges(x, bins="auto", range=(low, high))
    if edges.size - 1 > MAX_HISTOGRAM_BINS:
        edges = np.linspace(low, high, MAX_HISTOGRAM_BINS + 1)
    density, edges = np.histogram(x, bins=edges, density=True)
    bars = {
        "type": "bar",
        "name": f"histogram of all {x.size:,} points",
        "x": round_sig((edges[:-1] + edges[1:]) / 2),
        "y": round_sig(density),
        "width": round_sig(np.diff(edges)),
        "marker": {"color": "rgba(120,120,120,0.22)", "line": {"width": 0}},
        "hovertemplate": "x ≈ %{x:.4g}<br>density %{y:.4g}<extra>histogram</extra>",
    }
    return bars, float(density.max())


def _true_components(true_params: Parameters, grid: NDArray[np.float64]) -> tuple[dict, float]:
    """The generating components π_k N(x | μ_k, σ_k), dashed grey, as one static trace."""
    if true_params.n_features != 1:
        raise ValueError(
            f"true_params has {true_params.n_features} features; the density figure needs 1."
        )
    curves = weighted_densities(grid, true_params)
    gap = np.full(1, np.nan)
    xs = np.concatenate([np.concatenate([grid, gap]) for _ in curves])
    ys = np.concatenate([np.concatenate([c, gap]) for c in curves])
    truth = {
        "type": "scatter",
        "name": "true components",
        "x": round_sig(xs),
        "y": round_sig(ys),
        "mode": "lines",
        "line": {"color": "#555", "width": 1.5, "dash": "dash"},
        "hovertemplate": "true component<br>x = %{x:.4g}<br>πN = %{y:.4g}<extra></extra>",
    }
    return truth, float(curves.max())
