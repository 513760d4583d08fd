r"""Probabilistic PCA seen one half-step at a time: figures, formulas and sentences.

Symbols as in :mod:`em_models.ppca.engine`: W → ``loadings``, σ² → ``noise_variance``, μ → ``mean``,
E[z_n] → ``latent_means[n]``. Half-steps as in :mod:`em_viz.halfstep`: at half-step h the
model drawn is ``trace.snapshots[half.params_index]`` and the latent coordinates are those
of the E-step on ``trace.snapshots[half.resp_index]`` (none at the start).

- Two columns and q = 1 (:func:`projection_figure`): the points; the line μ + s·w (the
  principal subspace); the ellipses of C = WWᵀ + σ²I; and each point's segment to its foot
  μ + W E[z_n], the point as the model sees it along the line. At an E-step the feet slide
  along the line that has not moved; at an M-step the line turns and stretches, carrying
  the feet at the coordinates E[z_n] it was fitted to.
- More columns and q ≥ 2 (:func:`latent_figure`): every point at its E[z_n] in the latent
  plane (the first two latent coordinates), around the prior's circles; the points move at
  each E-step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture.figures_2d import ELLIPSE_POINTS, ellipse_points, equal_scales
from em_models.mixture.formulas import number
from em_models.ppca.engine import (
    PPCAParameters,
    closed_form,
    e_step,
    log_likelihood,
    noise_variance_parts,
)
from em_viz.colors import GREY, POINT_OUTLINE, component_colors, with_alpha
from em_viz.figures_common import (
    TITLE_CHARS,
    animated_figure,
    as_features,
    base_layout,
    padded_range,
    round_sig,
    sample_note,
    sample_rows,
    user_text,
)
from em_viz.halfstep import HalfStep, half_step

# Each shows with at least 3:1 on white (WCAG 2.1, 1.4.11): the line 4.3:1, a segment
# 3.3:1 where it crosses no other, the 2σ ellipse 3.2:1, the best line 3.3:1.
LINE_COLOR = "#d9480f"
SEGMENT_COLOR = "rgba(28,126,214,0.85)"
OUTER_ELLIPSE_ALPHA = 0.8
BEST_COLOR = "#868e96"
N_STDS = (1, 2)
# The data panel reaches at most this fraction of the data's span beyond them on each side
# for the model's ellipses (a random start can be far wider than the data).
MAX_REACH = 0.5


def ppca_params(trace: Trace, t: int) -> PPCAParameters:
    """θ_t of a probabilistic-PCA trace."""
    params = trace.snapshots[t].params
    if not isinstance(params, PPCAParameters):
        raise ValueError("This trace is not of probabilistic PCA; its parameters have no W.")
    return params


def _check(X: NDArray[np.float64], trace: Trace) -> None:
    if ppca_params(trace, 0).n_features != X.shape[1]:
        raise ValueError(
            f"The trace was fitted to {ppca_params(trace, 0).n_features}-column data but X "
            f"has {X.shape[1]} columns; pass the data the trace was fitted to."
        )


def latent_coordinates(X: NDArray[np.float64], trace: Trace) -> Callable[[int], NDArray]:
    """E[z_n] of every row of ``X`` under θ_t, shape (n_samples, n_latent), for any t (each
    computed once, by the engine's E-step)."""

    @functools.cache
    def coordinates(t: int) -> NDArray[np.float64]:
        return e_step(X, ppca_params(trace, t)).latent_means

    return coordinates


def _names(column_names: Sequence[str] | None, n_features: int) -> list[str]:
    if column_names is None:
        return [f"x{j + 1}" for j in range(n_features)]
    names = [str(name) for name in column_names]
    if len(names) != n_features:
        raise ValueError(f"{len(names)} column names for {n_features} columns.")
    return names


def _range(values: NDArray[np.float64], reach: Sequence[float]) -> tuple[float, float]:
    """The data's range, widened to ``reach`` (the model's extent) by at most MAX_REACH of
    the data's span on each side, then padded."""
    low, high = float(values.min()), float(values.max())
    span = high - low
    return padded_range(
        max(min(low, reach[0]), low - MAX_REACH * span),
        min(max(high, reach[1]), high + MAX_REACH * span),
    )


def _digits(values: NDArray[np.float64]) -> int:
    """Significant digits that resolve a thousandth of the span of ``values``."""
    span = float(values.max() - values.min())
    size = float(np.abs(values).max())
    if not span > 0:
        return 4
    return max(4, 3 + int(np.ceil(np.log10(size / span))))


def best_likelihood_trace(X: NDArray[np.float64], trace: Trace) -> dict[str, Any]:
    """A dashed level on the ℓ panel at the maximum (from the closed form): where EM is
    heading."""
    best = log_likelihood(X, closed_form(X, ppca_params(trace, 0).n_latent))
    return {
        "type": "scatter",
        "xaxis": "x2",
        "yaxis": "y2",
        "name": "maximum of ℓ",
        "x": [0, trace.n_iter],
        "y": [best, best],
        "mode": "lines",
        "line": {"color": BEST_COLOR, "width": 1.5, "dash": "dash"},
        "hovertext": [f"the maximum of ℓ (closed form): {best:.6g}"] * 2,
        "hoverinfo": "text",
        "showlegend": False,
    }


def projection_figure(
    X: ArrayLike,
    trace: Trace,
    h: int,
    *,
    column_names: Sequence[str] | None = None,
    frame_duration_ms: int = 600,
    max_points: int = 1000,
    rng_seed: int = 0,
    narrow: bool = False,
) -> go.Figure:
    """Probabilistic PCA with q = 1 on two columns at half-step ``h``, animated.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2)
        The data the trace was fitted to.
    trace : Trace
        A run of :class:`em_models.ppca.engine.PPCA` with ``n_latent = 1``.
    h : int
        The half-step on screen.
    column_names : sequence of str, optional
        The two columns' names (default "x1", "x2"), shown literally.
    frame_duration_ms : int, default 600
    max_points : int, default 1000
        At most this many points are drawn, chosen at random; a note says so.
    rng_seed : int, default 0
        Seeds the choice of the points drawn.
    narrow : bool, default False
        The layout for a phone: the log-likelihood panel below the data.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the maximum-likelihood line (dotted), the segments with their feet, the
        line, the 1σ and 2σ ellipses of C, the data points, μ; then the ℓ panel with the
        maximum of ℓ dashed. One frame per half-step of the window, named ``"0"``, ``"1"``, ….
    """
    X = as_features(X)
    _check_projection(X, trace, h)
    names = _names(column_names, 2)
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(rng_seed))
    scene = _projection_scene(X, trace, rows)
    layout, notes = _projection_layout(X, scene, names, narrow=narrow)
    return animated_figure(
        _projection_traces(X, trace, scene, names, rows),
        [1, 2, 3, 4],  # the segments, the line and the two ellipses
        functools.partial(_projection_frame, trace, scene),
        trace,
        h,
        layout,
        frame_duration_ms,
        notes=notes,
        narrow=narrow,
    )


class _Projection(NamedTuple):
    """What the projection figure's frames and layout share."""

    shown: NDArray[np.float64]  # the points drawn
    mean: NDArray[np.float64]  # μ, the same at every step
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    reach: float  # how far the line is drawn each way from μ
    digits: list[int]  # significant digits of the segments' ends, per column
    coordinates: Callable[[int], NDArray[np.float64]]  # E[z_n] of the points drawn under θ_t


def _check_projection(X: NDArray[np.float64], trace: Trace, h: int) -> None:
    if X.shape[1] != 2:
        raise ValueError("projection_figure draws two columns; use latent_figure for more.")
    _check(X, trace)
    if ppca_params(trace, 0).n_latent != 1:
        raise ValueError("projection_figure draws one latent dimension (q = 1).")
    half_step(trace, h)  # raises for an h the run does not have


def _projection_scene(
    X: NDArray[np.float64], trace: Trace, rows: NDArray[np.intp] | None
) -> _Projection:
    shown = X if rows is None else X[rows]
    mean = ppca_params(trace, 0).mean
    # The panel covers the data and, within reason, the final model's 2σ ellipse.
    spread = 2.0 * np.sqrt(np.diag(ppca_params(trace, trace.n_iter).covariance()))
    x_range = _range(X[:, 0], (mean[0] - spread[0], mean[0] + spread[0]))
    y_range = _range(X[:, 1], (mean[1] - spread[1], mean[1] + spread[1]))
    return _Projection(
        shown=shown,
        mean=mean,
        x_range=x_range,
        y_range=y_range,
        # The line is drawn far enough each way to cross the whole panel.
        reach=float(np.hypot(x_range[1] - x_range[0], y_range[1] - y_range[0])),
        # Enough digits to place a segment's ends to a thousandth of the data's span,
        # however far from 0 the data sit.
        digits=[_digits(X[:, j]) for j in range(2)],
        coordinates=latent_coordinates(shown, trace),
    )


def _line(params: PPCAParameters, scene: _Projection) -> dict[str, list]:
    """The ends of the line μ + s·w, far enough each way to cross the whole panel."""
    w = params.loadings[:, 0]
    ends = scene.mean + np.outer([-1.0, 1.0], w) * scene.reach / float(np.linalg.norm(w))
    return {"x": round_sig(ends[:, 0]), "y": round_sig(ends[:, 1])}


def _projection_traces(
    X: NDArray[np.float64],
    trace: Trace,
    scene: _Projection,
    names: Sequence[str],
    rows: NDArray[np.intp] | None,
) -> list[dict[str, Any]]:
    """The traces, the moving ones without their values. The points over the lines; the
    traces that move (segments, line, ellipses) side by side, which the browser's quick
    update needs to keep them in this order."""
    hover = f"{user_text(names[0])} = %{{x:.4g}}<br>{user_text(names[1])} = %{{y:.4g}}"
    return [
        _best_line_trace(_line(closed_form(X, 1), scene)),
        _segments_trace(),
        _line_trace(),
        *(_ellipse_trace(n_std) for n_std in N_STDS),
        _points_trace(scene.shown, _point_numbers(X.shape[0], rows), hover),
        _mean_trace(scene.mean, hover),
        best_likelihood_trace(X, trace),
    ]


def _best_line_trace(line: dict[str, list]) -> dict[str, Any]:
    """The maximum-likelihood line (from the closed form), dotted."""
    return {
        "type": "scatter",
        "name": "best line",
        **line,
        "mode": "lines",
        "line": {"color": BEST_COLOR, "width": 1.2, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _segments_trace() -> dict[str, Any]:
    """Each point's segment to its foot: one path, however many points (a marker at each
    foot would be an SVG element each, and slow every redraw)."""
    return {
        "type": "scatter",
        "name": "x<sub>n</sub> → foot μ + W E[z<sub>n</sub>]",
        "mode": "lines",
        "line": {"color": SEGMENT_COLOR, "width": 1.2},
        "hoverinfo": "skip",
    }


def _line_trace() -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": "line μ + W z",
        "mode": "lines",
        "line": {"color": LINE_COLOR, "width": 2.5},
        "hoverinfo": "skip",
    }


def _ellipse_trace(n_std: int) -> dict[str, Any]:
    """The ellipse of C at ``n_std`` standard deviations: 1σ solid, in the legend; 2σ
    dashed and paler."""
    return {
        "type": "scatter",
        "name": f"C = WWᵀ + σ²I ({n_std}σ)",
        "legendgroup": "C",
        "showlegend": n_std == 1,
        "mode": "lines",
        "line": {
            "color": LINE_COLOR if n_std == 1 else with_alpha(LINE_COLOR, OUTER_ELLIPSE_ALPHA),
            "width": 1.5 if n_std == 1 else 1,
            "dash": "solid" if n_std == 1 else "dash",
        },
        "hoverinfo": "skip",
    }


def _point_numbers(n_samples: int, rows: NDArray[np.intp] | None) -> NDArray[np.intp]:
    """The numbers (from 1) of the points drawn."""
    return (np.arange(n_samples) if rows is None else rows) + 1


def _points_trace(
    shown: NDArray[np.float64], numbers: NDArray[np.intp], hover: str
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": "data points",
        "x": round_sig(shown[:, 0], 8),
        "y": round_sig(shown[:, 1], 8),
        "customdata": numbers,
        "mode": "markers",
        "marker": {
            "size": 7 if shown.shape[0] <= 100 else 5,
            "color": GREY,
            "line": POINT_OUTLINE,
        },
        "hovertemplate": f"point %{{customdata}}<br>{hover}<extra></extra>",
    }


def _mean_trace(mean: NDArray[np.float64], hover: str) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": "μ",
        "x": round_sig(mean[:1]),
        "y": round_sig(mean[1:]),
        "mode": "markers",
        "marker": {
            "symbol": "x",
            "size": 13,
            "color": "#222",
            "line": {"width": 1.5, "color": "white"},
        },
        "hovertemplate": f"μ, the mean<br>{hover}<extra></extra>",
    }


def _projection_frame(trace: Trace, scene: _Projection, half: HalfStep) -> list[dict[str, Any]]:
    """What the segments, the line and the two ellipses show at ``half``."""
    params = ppca_params(trace, half.params_index)
    cov = params.covariance()
    shapes = []
    for n_std in N_STDS:
        ex, ey = ellipse_points(scene.mean, cov, n_std, ELLIPSE_POINTS)
        shapes.append({"x": round_sig(ex), "y": round_sig(ey)})
    return [_segments(params, scene, half.resp_index), _line(params, scene), *shapes]


def _segments(params: PPCAParameters, scene: _Projection, t: int | None) -> dict[str, list]:
    """Each point's segment to its foot μ + W E[z_n], E[z_n] from the E-step on θ_t (none
    before the first E-step): one path, the segments parted by gaps."""
    segments: dict[str, list] = {"x": [], "y": []}
    if t is None:
        return segments
    foot = scene.mean + scene.coordinates(t) @ params.loadings.T
    gaps = np.full(scene.shown.shape[0], np.nan)
    for j, axis in enumerate("xy"):
        ends = np.stack([scene.shown[:, j], foot[:, j], gaps], axis=1).ravel()
        segments[axis] = round_sig(ends, scene.digits[j])
    return segments


def _projection_layout(
    X: NDArray[np.float64], scene: _Projection, names: Sequence[str], *, narrow: bool
) -> tuple[dict[str, Any], list[str]]:
    """The data panel's axes (one scale for both when it fits) and the notes."""
    x_range, y_range = scene.x_range, scene.y_range
    layout = base_layout(uirevision=f"em_viz.ppca.projection_figure {X.shape}")
    titles = [user_text(name, TITLE_CHARS[narrow]) for name in names]
    layout["xaxis"] = {"title": {"text": titles[0]}, "range": list(x_range), "zeroline": False}
    layout["yaxis"] = {"title": {"text": titles[1]}, "range": list(y_range), "zeroline": False}
    notes = [
        "segment: from a point to its foot on the line; dotted grey: the best line (closed form)",
        sample_note(scene.shown.shape[0], X.shape[0]) or "",
    ]
    if equal_scales(x_range, y_range, narrow=narrow):
        layout["yaxis"] |= {"scaleanchor": "x", "scaleratio": 1}
    else:
        notes.insert(1, "x and y have different scales, so right angles and circles look skewed")
    return layout, notes


def latent_figure(
    X: ArrayLike,
    trace: Trace,
    h: int,
    *,
    labels: Sequence[str] | None = None,
    frame_duration_ms: int = 600,
    max_points: int = 1000,
    rng_seed: int = 0,
    narrow: bool = False,
) -> go.Figure:
    """The points in the latent plane, at their E[z_n] (first two coordinates), animated.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the trace was fitted to.
    trace : Trace
        A run of :class:`em_models.ppca.engine.PPCA` with ``n_latent ≥ 2``.
    h : int
        The half-step on screen.
    labels : sequence of str, optional
        A known group for each row (iris's species): the points are coloured by it. Shown
        literally.
    frame_duration_ms, max_points, rng_seed, narrow : as :func:`projection_figure`.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the prior's 1σ and 2σ circles, then the points (one trace per group), then
        the ℓ panel with the maximum of ℓ dashed.
    """
    X = as_features(X)
    _check_latent(X, trace, h)
    rows = sample_rows(X.shape[0], max_points, np.random.default_rng(rng_seed))
    n_shown = X.shape[0] if rows is None else rows.size
    group_names, groups = _groups(labels, X.shape[0], rows, n_shown)
    colors = component_colors(len(group_names)) if labels is not None else [GREY]
    members = [np.flatnonzero(groups == g) for g in range(len(group_names))]
    numbers = _point_numbers(X.shape[0], rows)
    coordinates = latent_coordinates(X if rows is None else X[rows], trace)
    traces = [
        _prior_trace(),
        *(
            _group_trace(name, color, numbers[index], n_shown)
            for name, color, index in zip(group_names, colors, members, strict=True)
        ),
        best_likelihood_trace(X, trace),
    ]
    notes = [
        "each point at its expected latent coordinates; dotted: the prior's 1σ and 2σ circles",
        sample_note(n_shown, X.shape[0]) or "",
    ]
    return animated_figure(
        traces,
        list(range(1, 1 + len(members))),  # a trace per group
        functools.partial(_latent_frame, coordinates, members),
        trace,
        h,
        _latent_layout(X, _latent_range(coordinates, trace)),
        frame_duration_ms,
        notes=notes,
        narrow=narrow,
    )


def _check_latent(X: NDArray[np.float64], trace: Trace, h: int) -> None:
    _check(X, trace)
    if ppca_params(trace, 0).n_latent < 2:
        raise ValueError("latent_figure draws a latent plane: it needs q ≥ 2.")
    half_step(trace, h)  # raises for an h the run does not have


def _groups(
    labels: Sequence[str] | None, n_samples: int, rows: NDArray[np.intp] | None, n_shown: int
) -> tuple[list[str], NDArray[np.intp]]:
    """The groups' names (as figure text) and the group of each point drawn: one group,
    "data points", without labels."""
    if labels is None:
        return ["data points"], np.zeros(n_shown, dtype=int)
    if len(labels) != n_samples:
        raise ValueError(f"{len(labels)} labels for {n_samples} rows.")
    chosen = np.asarray(labels, dtype=object)
    if rows is not None:
        chosen = chosen[rows]
    names, groups = np.unique(chosen.astype(str), return_inverse=True)
    return [user_text(name) for name in names], groups


def _latent_range(coordinates: Callable[[int], NDArray[np.float64]], trace: Trace) -> list[float]:
    """One range for both axes, covering every E-step's coordinates and the prior's 2σ
    circle."""
    extent = max(
        2.0, *(float(np.abs(coordinates(t)[:, :2]).max()) for t in range(trace.n_iter + 1))
    )
    return list(padded_range(-extent, extent, 0.05))


def _prior_trace() -> dict[str, Any]:
    """The prior N(0, I)'s 1σ and 2σ circles, dotted, as one path."""
    angles = np.linspace(0.0, 2.0 * np.pi, ELLIPSE_POINTS)
    circle_x, circle_y = [], []
    for n_std in N_STDS:
        circle_x += [*(n_std * np.cos(angles)), None]
        circle_y += [*(n_std * np.sin(angles)), None]
    return {
        "type": "scatter",
        "name": "prior N(0, I): 1σ, 2σ",
        "x": round_sig(np.array(circle_x, dtype=float)),
        "y": round_sig(np.array(circle_y, dtype=float)),
        "mode": "lines",
        "line": {"color": BEST_COLOR, "width": 1, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _group_trace(name: str, color: str, numbers: NDArray[np.intp], n_shown: int) -> dict[str, Any]:
    """One group's points, without their coordinates (the frames give them)."""
    return {
        "type": "scatter",
        "name": name,
        "customdata": numbers,
        "mode": "markers",
        "marker": {
            "size": 7 if n_shown <= 100 else 6,
            "color": color,
            "opacity": 0.85,
            "line": POINT_OUTLINE,
        },
        "hovertemplate": "point %{customdata}<br>E[z₁] = %{x:.3g}<br>"
        "E[z₂] = %{y:.3g}<extra></extra>",
    }


def _latent_frame(
    coordinates: Callable[[int], NDArray[np.float64]],
    members: Sequence[NDArray[np.intp]],
    half: HalfStep,
) -> list[dict[str, Any]]:
    """Each group's points at their E[z_n] of the E-step at ``half`` (none before the
    first)."""
    if half.resp_index is None:
        return [{"x": [], "y": []} for _ in members]
    z = coordinates(half.resp_index)
    return [{"x": round_sig(z[index, 0]), "y": round_sig(z[index, 1])} for index in members]


def _latent_layout(X: NDArray[np.float64], axis_range: list[float]) -> dict[str, Any]:
    """The latent plane's axes: one scale for both, through 0."""
    layout = base_layout(uirevision=f"em_viz.ppca.latent_figure {X.shape}")
    layout["xaxis"] = {"title": {"text": "E[z₁]"}, "range": axis_range, "zeroline": True}
    layout["yaxis"] = {
        "title": {"text": "E[z₂]"},
        "range": axis_range,
        "zeroline": True,
        "scaleanchor": "x",
        "scaleratio": 1,
    }
    return layout


# ---------------------------------------------------------------------------------------
# Sentences and formulas


def describe(half: HalfStep, n_latent: int) -> str:
    """One plain sentence telling a student what changed at this half-step."""
    if half.kind == "start":
        return (
            "Start: a random guess W₀ (a line through the mean μ when q = 1) and a noise "
            "variance σ₀²; no E-step has run, so no point has a latent coordinate yet."
        )
    if half.kind == "E":
        where = (
            "its foot μ + W E[zₙ] slid along the line, which has not moved"
            if n_latent == 1
            else "the points moved in the latent plane; W and σ² have not changed"
        )
        return (
            f"{half.label}: each point's expected latent coordinate E[zₙ] was recomputed from "
            f"W and σ²; {where}."
        )
    moved = (
        "the line turned and stretched so that the feet, held at their coordinates, came as "
        "close as they can to their points"
        if n_latent == 1
        else "W turned and stretched to fit the coordinates held from the E-step"
    )
    return (
        f"{half.label}: {moved}; σ² became what is left: the mean squared distance from the "
        f"points to their feet per dimension, plus the feet's own uncertainty. The latent "
        f"coordinates are still those of E-step {half.params_index}."
    )


def _pmatrix(values: ArrayLike) -> str:
    """A vector (as a column) or a matrix, four significant digits an entry."""
    a = np.atleast_1d(np.asarray(values, dtype=np.float64))
    rows = a[:, None] if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(number(v) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def e_step_formula(x_n: ArrayLike, params: PPCAParameters, n_index: int) -> str:
    r"""E[z_n] = M⁻¹ Wᵀ (x_n − μ) with M = WᵀW + σ²I, with every value written out, and the
    foot μ + W E[z_n].

    Parameters
    ----------
    x_n : array-like of shape (n_features,)
    params : PPCAParameters
        The parameters the E-step uses.
    n_index : int
        The point's row, from 0 (printed from 1).

    Returns
    -------
    str
        An ``aligned`` LaTeX block.
    """
    x = np.asarray(x_n, dtype=np.float64).ravel()
    if x.size != params.n_features:
        raise ValueError(f"x_n has {x.size} values but the model has {params.n_features}.")
    n = n_index + 1
    W, noise, mean = params.loadings, params.noise_variance, params.mean
    result = e_step(x[None, :], params)
    z, cov = result.latent_means[0], result.latent_covariance
    projected = W.T @ (x - mean)
    M = W.T @ W + noise * np.eye(params.n_latent)
    if params.n_latent == 1:
        w = W[:, 0]
        lines = [
            rf"M &= w^\top w + \sigma^2 = {number(w @ w)} + {number(noise)} = {number(M[0, 0])}",
            rf"\mathbb{{E}}[z_{{{n}}}] &= \frac{{w^\top (x_{{{n}}} - \mu)}}{{M}} = "
            rf"\frac{{{number(projected[0])}}}{{{number(M[0, 0])}}} = {number(z[0])}",
            rf"\operatorname{{Cov}}[z_{{{n}}}] &= \frac{{\sigma^2}}{{M}} = {number(cov[0, 0])}",
        ]
    else:
        lines = [
            rf"M &= W^\top W + \sigma^2 I = {_pmatrix(M)}",
            rf"\mathbb{{E}}[z_{{{n}}}] &= M^{{-1}} W^\top (x_{{{n}}} - \mu) = M^{{-1}} "
            rf"{_pmatrix(projected)} = {_pmatrix(z)}",
            rf"\operatorname{{Cov}}[z_{{{n}}}] &= \sigma^2 M^{{-1}} = {_pmatrix(cov)}",
        ]
    lines.insert(
        0,
        rf"x_{{{n}}} &= {_pmatrix(x)}, \quad \mu = {_pmatrix(mean)}, \quad "
        rf"W = {_pmatrix(W)}, \quad \sigma^2 = {number(noise)}",
    )
    lines.append(rf"\text{{foot: }} \mu + W\, \mathbb{{E}}[z_{{{n}}}] &= {_pmatrix(mean + W @ z)}")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def m_step_formulas(X: ArrayLike, before: PPCAParameters, after: PPCAParameters) -> list[str]:
    r"""The M-step from the E-step on ``before`` to ``after``: W from the two sums, then σ²
    from the new W, with the numbers.

    Returns
    -------
    list of str
        Two ``aligned`` LaTeX blocks, W's and σ²'s.
    """
    X = as_features(X)
    expectations = e_step(X, before)
    residual, spread = noise_variance_parts(X, expectations, after.loadings, after.mean)
    n_samples, n_features = X.shape
    w_formula = (
        r"\begin{aligned} W_{\text{new}} &= \Bigl(\sum_{n} (x_n - \mu)\, \mathbb{E}[z_n]^\top"
        r"\Bigr) \Bigl(\sum_{n} \mathbb{E}[z_n z_n^\top]\Bigr)^{-1} \\ "
        rf"&= {_pmatrix(expectations.sum_xz)} {_pmatrix(expectations.sum_zz)}^{{-1}} "
        rf"= {_pmatrix(after.loadings)} \end{{aligned}}"
    )
    noise_formula = (
        r"\begin{aligned} \sigma^2_{\text{new}} &= \frac{1}{N d} \sum_n "
        r"\mathbb{E}\,\lVert x_n - \mu - W_{\text{new}} z_n \rVert^2 \\ "
        r"&= \frac{1}{N d} \Bigl( \sum_n \lVert x_n - \mu - W_{\text{new}}\, \mathbb{E}[z_n] "
        r"\rVert^2 + N \operatorname{tr}\bigl(W_{\text{new}} \operatorname{Cov}[z]\, "
        r"W_{\text{new}}^\top\bigr) \Bigr) \\ "
        rf"&= \frac{{{number(residual)} + {number(spread)}}}{{{n_samples} \times {n_features}}}"
        rf" = {number(after.noise_variance)} \end{{aligned}}"
    )
    return [w_formula, noise_formula]


# ---------------------------------------------------------------------------------------
# Tables


def parameter_table(
    trace: Trace, h: int, *, column_names: Sequence[str] | None = None
) -> pd.DataFrame:
    """The parameters drawn at half-step ``h``: one row per column of the data.

    Returns
    -------
    pandas.DataFrame
        Columns ``column`` (the data's column names, as given), ``μ``, then ``w1`` … ``wq``
        (the columns of W), then ``σ²`` (the same on every row: the noise is round).
    """
    params = ppca_params(trace, half_step(trace, h).params_index)
    table = pd.DataFrame({"column": _names(column_names, params.n_features), "μ": params.mean})
    for j in range(params.n_latent):
        table[f"w{j + 1}"] = params.loadings[:, j]
    table["σ²"] = params.noise_variance
    return table


def latent_table(X: ArrayLike, trace: Trace, h: int) -> pd.DataFrame:
    """Each point's expected latent coordinates at half-step ``h`` (NaN before the first
    E-step), and its squared distance to its foot on the subspace.

    Returns
    -------
    pandas.DataFrame
        Columns ``point`` (from 1), ``E[z1]`` … ``E[zq]``, ``‖x − foot‖²``.
    """
    X = as_features(X)
    _check(X, trace)
    half = half_step(trace, h)
    params = ppca_params(trace, half.params_index)
    table = pd.DataFrame({"point": np.arange(1, X.shape[0] + 1)})
    if half.resp_index is None:
        z = np.full((X.shape[0], params.n_latent), np.nan)
        distance = np.full(X.shape[0], np.nan)
    else:
        z = latent_coordinates(X, trace)(half.resp_index)
        distance = ((X - params.mean - z @ params.loadings.T) ** 2).sum(axis=1)
    for j in range(params.n_latent):
        table[f"E[z{j + 1}]"] = z[:, j]
    table["‖x − foot‖²"] = distance
    return table
