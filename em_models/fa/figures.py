"""Factor analysis seen one half-step at a time: the animated chart.

Symbols as in :mod:`em_models.fa.engine`: W → ``loadings``, ψ → ``noise_variances``,
E[z_n] → ``latent_means[n]``. Half-steps as in :mod:`em_viz.halfstep`: at half-step h the
parameters drawn are ``trace.snapshots[half.params_index]`` and the factor scores those of
the E-step on ``trace.snapshots[half.resp_index]`` (none at the start).

Panels (:func:`factor_figure`):

- the factor space (x/y): each variable's loadings as an arrow from 0 to its row of W, with
  the unit circle (an arrow reaching it: the factors explain all of that standardised
  variable), and every point at its factor scores E[z_n]. With q = 2 this is the factor
  plane; with q = 1 the factor is the horizontal axis, each variable's arrow on a row of its
  own and the points on the row under them; with q ≥ 3 the first two factors are drawn and
  the points are left out;
- ℓ (x2/y2), as on every page;
- Ψ (x3/y3): a bar per variable from the zero line, and the variables' variance dotted;
- C = WWᵀ + Ψ (x4/y4), S (x5/y5) and C − S (x6/y6), a grid of cells each.

The E-step moves the points; the M-step turns and stretches the arrows, moves the bars and
recolours C and C − S.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.fa import figures_cells as cells
from em_models.fa.engine import FAParameters, e_step
from em_models.fa.labels import name_places
from em_viz.colors import GREY, POINT_OUTLINE, component_colors
from em_viz.contrast import cased_figure
from em_viz.figures_common import (
    animated_figure,
    as_features,
    base_layout,
    padded_range,
    round_sig,
    user_text,
)
from em_viz.halfstep import HalfStep, half_step
from em_viz.style import with_height

ARROW_COLOR = "#1c7ed6"
CIRCLE_COLOR = "#868e96"
HEAD = 0.07  # an arrowhead's length, as a share of the factor panel's range
WIDE_HEIGHT_PX = 720
# Narrow, from the top: the factor panel, a gap, Ψ, a gap, the grids, a gap, ℓ.
NARROW_SECTIONS_PX = (250, 70, 120, 80, 110, 60, 140)
HEADING_FONT = {"size": 13, "color": "#222"}
MAX_POINTS = 1000
RANGE_PAD = 0.04  # the factor panel's margin beyond its reach, a share of its range
POINT_DIGITS = 3  # a point's scores, as its hover writes them (under a pixel off)
ARROW_DECIMALS = 3  # the arrows' paths, to a thousandth of a loading (under a pixel)


def fa_params(trace: Trace, t: int) -> FAParameters:
    """θ_t of a factor-analysis trace."""
    params = trace.snapshots[t].params
    if not isinstance(params, FAParameters):
        raise ValueError("This trace is not of factor analysis; its parameters have no Ψ.")
    return params


def factor_scores(X: NDArray[np.float64], trace: Trace) -> Callable[[int], NDArray[np.float64]]:
    """E[z_n] of every row of ``X`` under θ_t, for any t (each computed once)."""
    standardise = trace.model.standardise

    @functools.cache
    def scores(t: int) -> NDArray[np.float64]:
        return e_step(X, fa_params(trace, t), standardise=standardise).latent_means

    return scores


def sample_covariance(X: NDArray[np.float64], standardise: bool) -> NDArray[np.float64]:
    """S with divisor N, of the data as fitted: the correlation matrix when standardised."""
    centred = X - X.mean(axis=0)
    if standardise:
        centred = centred / np.sqrt(np.mean(centred**2, axis=0))
    return centred.T @ centred / X.shape[0]


@dataclass(frozen=True)
class Scene:
    """What the chart's frames and layout share."""

    names: tuple[str, ...]
    n_factors: int
    sample: NDArray[np.float64]  # S
    scores: Callable[[int], NDArray[np.float64]]
    members: tuple[NDArray[np.intp], ...]  # the points drawn, group by group
    reach: float  # the factor panel's half range
    scale: float  # the colour scale of C and S
    numbers: bool = True  # the grids' cells hold their numbers (not on a phone)

    @property
    def points(self) -> bool:
        return self.n_factors <= 2


def factor_figure(
    X: ArrayLike,
    trace: Trace,
    h: int,
    *,
    column_names: Sequence[str],
    labels: Sequence[str] | None = None,
    narrow: bool = False,
    frame_duration_ms: int = 600,
) -> go.Figure:
    """Factor analysis at half-step ``h``, animated (see the module's docstring).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the trace was fitted to, as given.
    trace : Trace
        A run of :class:`em_models.fa.engine.FactorAnalysis`.
    h : int
    column_names : sequence of str
        The variables' names, shown literally.
    labels : sequence of str, optional
        A known group per row (iris's species), to colour the points; not fitted.
    narrow : bool
        The layout for a phone: the panels one under the other.
    frame_duration_ms : int
    """
    X = as_features(X)
    half_step(trace, h)  # raises for an h the run does not have
    scene = _scene(X, trace, column_names, labels, narrow=narrow)
    sample_cells, sample_numbers = cells.fixed_grid(
        "5", "S", scene.names, scene.sample, scene.scale, numbers=scene.numbers
    )
    static, dynamic = _traces(scene, labels, X.shape[0], sample_numbers)
    fig = animated_figure(
        [*static, *dynamic],
        list(range(len(static), len(static) + len(dynamic))),
        functools.partial(_frame, trace, scene),
        trace,
        h,
        {**_layout(scene, trace), "shapes": sample_cells},
        frame_duration_ms,
        notes=_notes(scene),
        narrow=narrow,
    )
    return _arrange(fig, narrow=narrow)


def _scene(
    X: NDArray[np.float64],
    trace: Trace,
    column_names: Sequence[str],
    labels: Sequence[str] | None,
    *,
    narrow: bool,
) -> Scene:
    names = tuple(str(name) for name in column_names)
    first = fa_params(trace, 0)
    if len(names) != first.n_features or X.shape[1] != first.n_features:
        raise ValueError(
            f"The trace has {first.n_features} variables; got {X.shape[1]} columns and "
            f"{len(names)} names."
        )
    q = first.n_factors
    scores = factor_scores(X, trace)
    shown = np.arange(min(X.shape[0], MAX_POINTS))
    groups = np.zeros(X.shape[0], dtype=int)
    if labels is not None:
        groups = np.unique(np.asarray(labels, dtype=str), return_inverse=True)[1]
    members = tuple(shown[groups[shown] == g] for g in range(int(groups.max()) + 1))
    extent = max(
        float(np.abs(fa_params(trace, t).loadings[:, :2]).max()) for t in trace_range(trace)
    )
    if q <= 2:
        extent = max(extent, *(float(np.abs(scores(t)).max()) for t in trace_range(trace)))
    sample = sample_covariance(X, trace.model.standardise)
    scale = float(np.abs(sample).max())
    numbers = not narrow and len(names) <= cells.MAX_CELL_TEXT
    return Scene(names, q, sample, scores, members, max(1.05, extent), scale, numbers)


def trace_range(trace: Trace) -> range:
    return range(trace.n_iter + 1)


def _traces(
    scene: Scene, labels: Sequence[str] | None, n_samples: int, sample_numbers: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The static traces (the unit circle, the variance line) and the dynamic ones, in the
    order :func:`_frame` updates them. S never changes (its cells are the layout's), but
    its numbers' trace is dynamic, with nothing to update: the browser's quick update
    empties a panel that holds no trace it moves."""
    d = len(scene.names)
    names = list(scene.names)
    static = [
        _circle(scene.n_factors),
        cells.variance_line(d, float(np.mean(np.diag(scene.sample))), "3"),
    ]
    dynamic = [
        *_point_traces(scene, labels, n_samples),
        _arrows_trace(),
        _arrow_names_trace(scene.names, scene.n_factors),
        *cells.bar_traces("3", names),
        *cells.grid_traces("4", "C", names, numbers=scene.numbers),
        sample_numbers,
        *cells.grid_traces("6", "C − S", names, numbers=scene.numbers),
    ]
    return static, dynamic


def _circle(n_factors: int) -> dict[str, Any]:
    """The unit circle (q ≥ 2) or the lines at ±1 (q = 1): a loading vector reaching it
    explains its whole standardised variable."""
    if n_factors == 1:
        x, y = [-1, -1, None, 1, 1], [-0.5, 1e3, None, -0.5, 1e3]
    else:
        angles = np.linspace(0.0, 2.0 * np.pi, 97)
        x, y = round_sig(np.cos(angles), 4), round_sig(np.sin(angles), 4)
    return {
        "type": "scatter",
        "name": "length 1 (ψ = 0)",
        "x": x,
        "y": y,
        "mode": "lines",
        "line": {"color": CIRCLE_COLOR, "width": 1, "dash": "dot"},
        "hoverinfo": "skip",
    }


def _point_traces(
    scene: Scene, labels: Sequence[str] | None, n_samples: int
) -> list[dict[str, Any]]:
    """A trace of points per group (none when q ≥ 3)."""
    if not scene.points:
        return []
    if labels is None:
        group_names, colors = ["points at E[z]"], [GREY]
    else:
        group_names = [user_text(g) for g in np.unique(np.asarray(labels, dtype=str))]
        colors = component_colors(len(group_names))
    hover = "E[z₁] = %{x:.3g}" + ("<br>E[z₂] = %{y:.3g}" if scene.n_factors == 2 else "")
    return [
        {
            "type": "scatter",
            "name": name,
            "customdata": (index + 1).tolist(),
            **({"y": [0] * index.size} if scene.n_factors == 1 else {}),
            "mode": "markers",
            "marker": {
                "size": 8 if n_samples <= 100 else 6,
                "color": color,
                "opacity": 0.85,
                "line": POINT_OUTLINE,
            },
            "hovertemplate": f"point %{{customdata}}<br>{hover}<extra></extra>",
        }
        for name, color, index in zip(group_names, colors, scene.members, strict=True)
    ]


def _arrows_trace() -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": "loadings (a row of W)",
        "mode": "lines",
        "line": {"color": ARROW_COLOR, "width": 2.5},
        "hoverinfo": "skip",
    }


def _arrow_names_trace(names: Sequence[str], n_factors: int) -> dict[str, Any]:
    """The variables' names at their arrows' tips, whose hovers say the loadings: w₁ is
    the tip's x, w₂ its y (q = 2), and the customdata the rest (q ≥ 3)."""
    loadings = ["%{x:.3~g}"]
    if n_factors >= 2:
        loadings.append("%{y:.3~g}")
    loadings += [f"%{{customdata[{k}]:.3~g}}" for k in range(n_factors - 2)]
    w = loadings[0] if n_factors == 1 else f"({', '.join(loadings)})"
    return {
        "type": "scatter",
        "name": "variables",
        "mode": "markers+text",
        "text": [user_text(name, 16) for name in names],
        "hovertext": [user_text(name) for name in names],
        "textfont": {"size": 12, "color": "#0b4f8a"},
        "cliponaxis": False,  # a name near the panel's edge is drawn whole
        "marker": {"size": 6, "color": ARROW_COLOR},
        "hovertemplate": f"%{{hovertext}}: w = {w}<extra></extra>",
        "showlegend": False,
    }


def _frame(trace: Trace, scene: Scene, half: HalfStep) -> list[dict[str, Any]]:
    """What the dynamic traces show at ``half``."""
    params = fa_params(trace, half.params_index)
    model = params.covariance()
    difference = model - scene.sample
    return [
        *_points_frame(scene, half.resp_index),
        *_arrows_frame(scene, params.loadings),
        *cells.bars_frame(params.noise_variances),
        *cells.grid_frame(model, scene.scale, numbers=scene.numbers),
        {},  # S's numbers, as they are
        *cells.grid_frame(difference, cells.DIFFERENCE_SCALE * scene.scale, numbers=scene.numbers),
    ]


def _points_frame(scene: Scene, t: int | None) -> list[dict[str, Any]]:
    if not scene.points:
        return []
    if t is None:  # no E-step yet: no points (with q = 1 their y is the trace's)
        empty = {"x": []} if scene.n_factors == 1 else {"x": [], "y": []}
        return [dict(empty) for _ in scene.members]
    z = scene.scores(t)
    if scene.n_factors == 1:
        return [{"x": round_sig(z[index, 0], POINT_DIGITS)} for index in scene.members]
    return [
        {"x": round_sig(z[index, 0], POINT_DIGITS), "y": round_sig(z[index, 1], POINT_DIGITS)}
        for index in scene.members
    ]


def _arrows_frame(scene: Scene, loadings: NDArray[np.float64]) -> list[dict[str, Any]]:
    """Each variable's arrow (its shaft and head in one path) and its name at the tip."""
    d = loadings.shape[0]
    if scene.n_factors == 1:
        tips = np.column_stack([loadings[:, 0], np.arange(1, d + 1)])
        bases = np.column_stack([np.zeros(d), tips[:, 1]])
        places = [_corner(x, 1.0) for x in tips[:, 0].tolist()]
    else:
        tips, bases = loadings[:, :2], np.zeros((d, 2))
        places = name_places(
            tips, [user_text(n, 16) for n in scene.names], _half_range(scene.reach)
        )
    x: list[float | None] = []
    y: list[float | None] = []
    for base, tip in zip(bases, tips, strict=True):
        for stroke in (_head(base, tip, scene), [base, tip]):
            if not stroke:
                continue
            x += [*(float(point[0]) for point in stroke), None]
            y += [*(float(point[1]) for point in stroke), None]
    names = {"x": round_sig(tips[:, 0]), "y": round_sig(tips[:, 1]), "textposition": places}
    if scene.n_factors >= 3:
        names["customdata"] = round_sig(loadings[:, 2:], POINT_DIGITS)
    return [{"x": _path(x), "y": _path(y)}, names]


def _path(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(v, ARROW_DECIMALS) + 0.0 for v in values]


def _half_range(reach: float) -> float:
    """Half the factor panel's range, for its points and arrows within ±``reach``."""
    return reach * (1.0 + 2.0 * RANGE_PAD)


def _corner(x: float, y: float) -> str:
    """The text position away from the origin, for a tip at (x, y)."""
    return ("top " if y >= 0 else "bottom ") + ("right" if x >= 0 else "left")


def _head(base: NDArray, tip: NDArray, scene: Scene) -> list[NDArray]:
    """An arrowhead at ``tip``, one stroke from a wing through the tip to the other wing
    (none for an arrow too short to hold one)."""
    direction = tip - base
    length = float(np.hypot(*direction))
    size = HEAD * scene.reach
    if length < 1.5 * size:
        return []
    unit = direction / length
    normal = np.array([-unit[1], unit[0]])
    back = tip - size * unit
    return [back + 0.5 * size * normal, tip, back - 0.5 * size * normal]


def _notes(scene: Scene) -> list[str]:
    first = (
        "arrows: each variable's loadings; dots: each point's factor scores E[z]"
        if scene.points
        else f"arrows: each variable's loadings on factors 1 and 2 of {scene.n_factors}"
    )
    return [
        first,
        f"grids: C − S coloured to ±{cells.DIFFERENCE_SCALE * scene.scale:.2g}; "
        "variables by number as under Ψ",
    ]


def _layout(scene: Scene, trace: Trace) -> dict[str, Any]:
    d = len(scene.names)
    axis_range = list(padded_range(-scene.reach, scene.reach, RANGE_PAD))
    layout = base_layout(uirevision=f"em_models.fa.figures {d} {scene.n_factors}")
    layout["xaxis"] = {"title": {"text": "factor 1"}, "range": axis_range, "zeroline": True}
    if scene.n_factors == 1:
        layout["yaxis"] = {
            "range": [-0.7, d + 0.7],
            "tickvals": list(range(d + 1)),
            "ticktext": ["points", *(str(i + 1) for i in range(d))],
            "showgrid": False,
            "zeroline": False,
        }
    else:
        layout["yaxis"] = {
            "title": {"text": "factor 2"},
            "range": axis_range,
            "zeroline": True,
            "scaleanchor": "x",
            "scaleratio": 1,
        }
    top = max(1.0, *(float(fa_params(trace, t).noise_variances.max()) for t in trace_range(trace)))
    layout["xaxis3"], layout["yaxis3"] = cells.bar_axes(scene.names, top)
    for axes in ("4", "5", "6"):
        layout[f"xaxis{axes}"], layout[f"yaxis{axes}"] = cells.grid_axes(d)
    for axes in ("3", "4", "5", "6"):
        layout[f"xaxis{axes}"]["anchor"] = f"y{axes}"
        layout[f"yaxis{axes}"]["anchor"] = f"x{axes}"
    return layout


def domains(narrow: bool) -> dict[str, tuple[float, float]]:
    """Where the panels sit. Wide: the factor space, Ψ and ℓ on top, the three grids under
    them. Narrow: one under the other (factor space, Ψ, the grids side by side, ℓ)."""
    if narrow:
        edges = np.cumsum((0, *NARROW_SECTIONS_PX)) / sum(NARROW_SECTIONS_PX)
        y, y3, grids, y2 = [(float(1 - edges[i + 1]), float(1 - edges[i])) for i in (0, 2, 4, 6)]
        xs = {"xaxis": (0.0, 1.0), "xaxis3": (0.0, 1.0), "xaxis2": (0.0, 1.0)}
        xs |= {"xaxis4": (0.0, 0.3), "xaxis5": (0.35, 0.65), "xaxis6": (0.7, 1.0)}
    else:
        y = y2 = y3 = (0.5, 1.0)
        grids = (0.0, 0.33)
        xs = {"xaxis": (0.0, 0.36), "xaxis3": (0.47, 0.67), "xaxis2": (0.79, 1.0)}
        xs |= {"xaxis4": (0.04, 0.3), "xaxis5": (0.39, 0.65), "xaxis6": (0.74, 1.0)}
    ys = {"yaxis": y, "yaxis2": y2, "yaxis3": y3}
    ys |= {"yaxis4": grids, "yaxis5": grids, "yaxis6": grids}
    return {**xs, **ys}


HEADINGS = (
    ("C = WWᵀ + Ψ", "xaxis4", "yaxis4"),
    ("S, the data's", "xaxis5", "yaxis5"),
    ("C − S", "xaxis6", "yaxis6"),
)
NARROW_HEADINGS = ("C", "S", "C − S")


def _arrange(fig: go.Figure, *, narrow: bool) -> go.Figure:
    """The chart's height, the panels' places (:func:`domains`) and their headings."""
    margin = fig.layout.margin
    height = sum(NARROW_SECTIONS_PX) + margin.t + margin.b if narrow else WIDE_HEIGHT_PX
    fig = with_height(fig, height)
    place = domains(narrow)
    headings = [
        {
            "text": f"<b>{text}</b>",
            "xref": "paper",
            "yref": "paper",
            "x": place[x][0],
            "y": place[y][1],
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": dict(HEADING_FONT),
        }
        for (wide, x, y), short in zip(HEADINGS, NARROW_HEADINGS, strict=True)
        for text in [short if narrow else wide]
    ]
    fig.update_layout(
        {name: {"domain": list(span)} for name, span in place.items()},
        annotations=[*fig.layout.annotations, *headings],
    )
    return fig


def rotation_figure(
    names: Sequence[str], turned: NDArray[np.float64], varimax: NDArray[np.float64]
) -> go.Figure:
    """The loadings of factors 1 and 2 turned by the slider's angle (solid arrows, named)
    beside varimax's (dotted), in the unit circle."""
    scene = Scene(tuple(names), 2, np.eye(1), factor_scores, (), 1.05, 1.0)
    arrows, tips = _arrows_frame(scene, turned)
    dotted = _arrows_frame(scene, varimax)[0]
    reach = max(1.05, float(np.abs(turned[:, :2]).max()), float(np.abs(varimax[:, :2]).max()))
    axis_range = list(padded_range(-reach, reach, 0.04))
    data = [
        _circle(2),
        {**_arrows_trace(), **arrows, "name": "turned loadings"},
        {**_arrow_names_trace(names, 2), **tips},
        {
            **_arrows_trace(),
            **dotted,
            "name": "varimax",
            "line": {"color": "#d9480f", "width": 1.5, "dash": "dot"},
        },
    ]
    layout = {
        **base_layout(uirevision="em_models.fa.rotation"),
        "height": 380,
        "margin": {"l": 56, "r": 12, "t": 40, "b": 48},
        "legend": {**base_layout(uirevision="")["legend"], "y": 1.12},
        "xaxis": {"title": {"text": "factor 1"}, "range": axis_range, "zeroline": True},
        "yaxis": {
            "title": {"text": "factor 2"},
            "range": axis_range,
            "zeroline": True,
            "scaleanchor": "x",
            "scaleratio": 1,
        },
    }
    return cased_figure(go.Figure(data=data, layout=layout))
