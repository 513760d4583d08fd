"""Pieces every model's figures share: sampling, rounding, the layout and the animation.

An animated figure here is a list of traces, some of them *dynamic*. A half-step h has a
frame, named ``str(h)``, holding only what changes in the dynamic traces (a curve's ``y``, the
points' colours, the ring on the log-likelihood); static traces (histogram, true components,
the ℓ curve) are never repeated. The figure's own data are the frame of the half-step on
screen, and Play / Pause run the frames in the browser (each frame naming its half-step in
the title) without rerunning any Python.

When every half-step's frame fits in a budget (see :func:`frame_window`), the figure holds
them all, each whole, and says so (``layout.meta.every_half_step``): the browser can then
show any half-step by animating to its frame, and the chart need not be sent again when the
student steps (see :mod:`em_ui.stepper`). A longer run gets the half-steps from the one on
screen on, as many as fit, each with only what changed since the one before (all Play
needs); the page's own slider reaches every half-step.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core.em import Trace
from em_viz.colors import GREY
from em_viz.contrast import with_casings
from em_viz.halfstep import HalfStep, half_steps
from em_viz.loglik import (
    likelihood_axes,
    likelihood_marker,
    likelihood_so_far,
    likelihood_traces,
)
from em_viz.style import TEMPLATE

# The note's second part when Play holds only part of the run: the page's half-step slider
# (under the chart) reaches the rest.
SLIDER_NOTE = "the slider below reaches every half-step"
SIGNIFICANT_DIGITS = 5
TRANSITION_MS = 150
# Frames of one figure: at most this many, and at most about this many bytes of JSON.
MAX_FRAMES = 60
FRAME_BUDGET_BYTES = 1_000_000
# Layout, in CSS pixels. Wide (a container of about 700 px or more): the data on the
# left, the log-likelihood panel on the right. Narrow (a phone): the ℓ panel below the
# data, full width. Above the plot, from the top: Play / Pause with the title beside them,
# one line per note, then the legend's rows (as many as the narrowest container of the
# layout needs, so that a wider one never overlaps).
MARGIN = {"l": 64, "r": 16, "b": 56}
NARROW_MARGIN = {"l": 64, "r": 12, "b": 52}
MIN_WIDE_PX = 700  # the narrowest container the wide layout is made for
MIN_NARROW_PX = 340
WIDE_HEIGHT_PX = 510  # the whole wide figure, unless the header needs more
MIN_PLOT_PX = 260
NARROW_DATA_PX = 280
NARROW_GAP_PX = 80  # the data panel's tick labels and axis title, and a space
NARROW_LIKELIHOOD_PX = 150
LIKELIHOOD_WIDTH = 0.26  # of the wide plot's width
TITLE_ROW_PX = 40
TITLE_INDENT_PX = 176  # Play and Pause sit left of the title
NOTE_LINE_PX = 16
NOTE_FONT_PX = 12
LEGEND_ROW_PX = 30  # measured in Chromium with a subscript in an entry
# Plotly's legend: an entry takes its symbol (40 px) and its text; text is measured at
# 7.5 px a character (13 px type, a little wider than most fonts' average).
LEGEND_ENTRY_PX = 40
CHAR_PX = 7.5
NOTE_CHAR_PX = 6.8
# The longest axis title (a column's name is cut there, with "…"), narrow and wide.
TITLE_CHARS = {True: 34, False: 60}


# ---------------------------------------------------------------------------------------
# Numbers


def round_sig(values: ArrayLike, digits: int = SIGNIFICANT_DIGITS) -> list:
    """``values`` rounded to ``digits`` significant digits, as (nested) Python lists.

    Frames are sent to the browser as JSON text; 0.40824829046386296 costs 19 characters
    where 0.40825 costs 7. Lists rather than arrays, because plotly would encode arrays in
    binary and keep every digit. NaN becomes None (a gap in a line).
    """
    a = np.asarray(values, dtype=np.float64)
    out = np.zeros_like(a)
    magnitude = np.abs(a)
    finite = np.isfinite(a) & (magnitude > 1e-300)
    decimals = digits - 1 - np.floor(np.log10(magnitude, where=finite, out=np.ones_like(a)))
    decimals = np.where(finite, decimals, 0.0)
    up = finite & (decimals >= 0)
    down = finite & (decimals < 0)
    # Dividing an integer by an exact power of ten gives the double nearest the decimal, so
    # its repr is short; the same for multiplying when rounding to tens or more.
    scale_up = 10.0 ** decimals[up]
    out[up] = np.round(a[up] * scale_up) / scale_up
    scale_down = 10.0 ** (-decimals[down])
    out[down] = np.round(a[down] / scale_down) * scale_down
    nan = np.isnan(a)
    if nan.any():
        return np.where(nan, None, out).tolist()
    return out.tolist()


def round_to_scale(
    values: ArrayLike, scale: float, *, floor: float = 1e-6, digits: int = SIGNIFICANT_DIGITS
) -> list:
    """``values`` for display on a scale reaching ``scale``: those below ``floor · scale``
    become 0 (no pixel could show them) and the rest keep ``digits`` significant digits."""
    a = np.asarray(values, dtype=np.float64)
    return round_sig(np.where(np.abs(a) < floor * scale, 0.0, a), digits)


def nice_ticks(top: float, n_ticks: int = 5) -> list[float]:
    """Round tick values from 0 to ``top`` (about ``n_ticks`` of them)."""
    if not top > 0:
        return [0.0]
    raw = top / n_ticks
    power = 10.0 ** np.floor(np.log10(raw))
    step = power * min((m for m in (1, 2, 2.5, 5, 10) if m * power >= raw), default=10)
    return round_sig(np.arange(0.0, top + 1e-12 * top, step), 6)


def padded_range(low: float, high: float, fraction: float = 0.06) -> tuple[float, float]:
    """[low, high] widened by ``fraction`` of its span on each side (by 1 if it is empty)."""
    span = high - low
    pad = fraction * span if span > 0 else 1.0
    return float(low - pad), float(high + pad)


# ---------------------------------------------------------------------------------------
# Data and model


def user_text(text: object, max_chars: int | None = None) -> str:
    """``text`` from the user (a column name) made safe to put into figure text, so that
    plotly shows it literally; longer than ``max_chars``, it is cut and ends in "…".

    Plotly reads figure text as a small HTML dialect (``<a href>``, ``<b>``, ``<br>`` and
    entities) and replaces ``%{…}`` by values in hover text and titles. The characters that
    start those are written as entities plotly decodes (its own list lacks ``&quot;``, so
    quotes are numeric), and a zero-width space parts ``%`` from ``{``.
    """
    text = str(text)
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    escaped = html.escape(text, quote=False).replace('"', "&#34;").replace("'", "&#39;")
    return escaped.replace("%{", "%\u200b{")


def as_features(X: ArrayLike) -> NDArray[np.float64]:
    """``X`` as a float array of shape (n_samples, n_features); a 1-D array is one feature."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, n_features); got shape {X.shape}.")
    return X


def sample_rows(
    n_samples: int, max_points: int, rng: np.random.Generator
) -> NDArray[np.intp] | None:
    """Sorted indices of ``max_points`` rows chosen at random, or None to show them all."""
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1; got {max_points}.")
    if n_samples <= max_points:
        return None
    return np.sort(rng.choice(n_samples, size=max_points, replace=False))


def sample_note(n_shown: int, n_total: int) -> str | None:
    """ "showing 500 of 1,000,000 points, at random", or None when all are shown."""
    if n_shown >= n_total:
        return None
    return f"showing {n_shown:,} of {n_total:,} points, at random"


def points_legend(points: dict[str, Any]) -> dict[str, Any]:
    """The legend's entry for the coloured ``points`` trace, which it takes out of the
    legend: a grey swatch, the same at every half-step (plotly would draw the colour of the
    first point, which changes, and which the browser's quick update leaves as it was)."""
    points["showlegend"] = False
    points["legendgroup"] = "data points"
    return {
        "type": "scatter",
        "name": points["name"],
        "legendgroup": "data points",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {**points["marker"], "color": GREY},
        "hoverinfo": "skip",
    }


def component_legend(line: dict[str, Any], symbol: int) -> dict[str, Any]:
    """The legend's entry for a component's ``line`` trace, which it takes out of the legend:
    its line with the marker of the component's points (:data:`em_viz.colors.SYMBOLS`), so
    that the legend says which colour and which shape are the component's. Listed before the
    other entries, as the component's line was."""
    line["showlegend"] = False
    return {
        "type": "scatter",
        "name": line["name"],
        "legendgroup": line["legendgroup"],
        "legendrank": 1,
        "x": [None],
        "y": [None],
        "mode": "lines+markers",
        "line": line["line"],
        "marker": {"symbol": symbol, "size": 9, "color": line["line"]["color"]},
        "hoverinfo": "skip",
    }


# ---------------------------------------------------------------------------------------
# Layout and animation


def base_layout(*, uirevision: str) -> dict[str, Any]:
    """Layout shared by the animated figures: white template, legend on top."""
    return {
        "template": TEMPLATE,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0)",
        },
        "hovermode": "closest",
        "uirevision": uirevision,
    }


def legend_rows(traces: Sequence[Mapping[str, Any]], width_px: float) -> int:
    """How many rows plotly's horizontal legend of ``traces`` takes in ``width_px``.

    Plotly puts the entries on one row when they fit; otherwise it gives every entry the
    width of the widest and fills rows of as many as fit.
    """
    widths = [
        LEGEND_ENTRY_PX + CHAR_PX * len(re.sub(r"<[^>]+>", "", str(t.get("name", ""))))
        for t in traces
        if t.get("showlegend", True) and t.get("name")
    ]
    if not widths or sum(widths) <= width_px:
        return 1 if widths else 0
    per_row = max(1, int(width_px // max(widths)))
    return math.ceil(len(widths) / per_row)


def note_lines(notes: Sequence[str], *, narrow: bool) -> list[str]:
    """The notes above the plot, one a line; in the narrow layout each part of a note
    (parts are separated by "; ") gets a line of its own."""
    if not narrow:
        return [n for n in notes if n]
    return [part for n in notes if n for part in n.split("; ")]


def frame_window(
    h: int,
    n_half_steps: int,
    frame_bytes: int,
    *,
    max_frames: int = MAX_FRAMES,
    budget_bytes: int = FRAME_BUDGET_BYTES,
) -> range:
    """The half-steps that get an animation frame.

    The whole run when it fits in ``max_frames`` frames of ``frame_bytes`` each within
    ``budget_bytes``; otherwise those Play runs from ``h`` on, as many as fit, never fewer
    than two (or one, at the last half-step).
    """
    if not 0 <= h < n_half_steps:
        raise ValueError(f"h = {h} is not one of the {n_half_steps} half-steps.")
    size = max(2, min(max_frames, budget_bytes // max(frame_bytes, 1)))
    if n_half_steps <= size:
        return range(n_half_steps)
    return range(h, min(n_half_steps, h + size))


def frame_title(label: str) -> dict[str, Any]:
    """The figure's title naming the half-step shown, which every frame sets anew: at the
    top, right of Play and Pause."""
    return {
        "text": f"<b>{label}</b>",
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"l": TITLE_INDENT_PX, "t": 12},
        "font": {"size": 17, "color": "#222"},
    }


def play_pause(names: Sequence[str], frame_duration_ms: int, *, y: float = 1.0) -> dict[str, Any]:
    """Play / Pause buttons (a plotly ``updatemenus`` entry) over the frames ``names``, their
    top left corner at the plot's left edge and at height ``y`` (paper coordinates). They
    stay clear of the top right corner, where plotly's own tool bar shows.

    Play runs the frames in order, the first being the half-step on screen, and resumes from
    wherever Pause stopped it.
    """
    if frame_duration_ms < 0:
        raise ValueError(f"frame_duration_ms must be ≥ 0; got {frame_duration_ms}.")
    play = {
        "label": "▶ Play",
        "method": "animate",
        "args": [
            list(names),
            {
                "frame": {"duration": frame_duration_ms, "redraw": True},
                "fromcurrent": True,
                "mode": "immediate",
                "transition": {
                    "duration": min(TRANSITION_MS, frame_duration_ms // 2),
                    "easing": "cubic-in-out",
                },
            },
        ],
    }
    pause = {
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [
            [None],
            {
                "frame": {"duration": 0, "redraw": False},
                "mode": "immediate",
                "transition": {"duration": 0},
            },
        ],
    }
    return {
        "type": "buttons",
        "direction": "left",
        "buttons": [play, pause],
        "showactive": False,
        "x": 0,
        "xanchor": "left",
        "y": y,
        "yanchor": "top",
        "font": {"size": 13},
    }


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``update``, nested dictionaries merged as plotly.js merges a
    frame into a trace."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def panel_layout(
    layout: Mapping[str, Any],
    likelihood: Mapping[str, Any],
    traces: Sequence[Mapping[str, Any]],
    notes: Sequence[str],
    log_likelihoods: NDArray[np.float64],
    *,
    narrow: bool,
) -> dict[str, Any]:
    """Size, margins and the two panels' axes, so that nothing overlaps at any width of
    the layout's range of containers.

    Wide: the data on the left, the ℓ panel on the right (a quarter of the width), apart by
    room for ℓ's tick labels and axis title. Narrow: the ℓ panel below the data, both at
    full width. Above the plot: Play / Pause and the title, the notes, the legend.

    Parameters
    ----------
    layout : dict
        With ``xaxis`` and ``yaxis`` for the data panel.
    likelihood : dict
        ``xaxis2`` and ``yaxis2`` of the ℓ panel (their domains are set here).
    traces : list of dict
        Every trace, for the legend's rows.
    notes : list of str
    log_likelihoods : array of shape (n_iter + 1,)
        The values on the ℓ axis, for the width of its labels.
    narrow : bool

    Returns
    -------
    dict
        ``height``, ``margin``, ``legend``, ``annotations`` (the notes) and the four axes.
    """
    margin = _side_margins(likelihood, log_likelihoods, narrow=narrow)
    lines = note_lines(notes, narrow=narrow)
    width = (MIN_NARROW_PX if narrow else MIN_WIDE_PX) - margin["l"] - margin["r"]
    rows = legend_rows(traces, width)
    margin["t"] = TITLE_ROW_PX + NOTE_LINE_PX * len(lines) + LEGEND_ROW_PX * rows + 8
    if narrow:
        plot, axes = _narrow_axes(layout, likelihood)
    else:
        plot = max(MIN_PLOT_PX, WIDE_HEIGHT_PX - margin["t"] - margin["b"])
        axes = _wide_axes(layout, likelihood, log_likelihoods, width)
    return {
        "margin": {**margin, "autoexpand": False},
        "height": plot + margin["t"] + margin["b"],
        **axes,
        "legend": {**layout.get("legend", {}), "y": 1 + (LEGEND_ROW_PX * rows + 8) / plot},
        "annotations": _note_annotations(lines, margin["t"], plot),
    }


def _side_margins(
    likelihood: Mapping[str, Any], log_likelihoods: NDArray[np.float64], *, narrow: bool
) -> dict[str, int]:
    """The left, right and bottom margins. Narrow, ℓ's tick labels and title sit in the left
    margin, under the data's, so it is as wide as they need."""
    margin = dict(NARROW_MARGIN if narrow else MARGIN)
    if narrow:
        margin["l"] = max(
            margin["l"], round(likelihood_label_px(log_likelihoods, likelihood["yaxis2"]) + 40)
        )
    return margin


def _narrow_axes(
    layout: Mapping[str, Any], likelihood: Mapping[str, Any]
) -> tuple[int, dict[str, Any]]:
    """The plot's height and the four axes, the ℓ panel below the data, both full width."""
    plot = NARROW_DATA_PX + NARROW_GAP_PX + NARROW_LIKELIHOOD_PX
    return plot, {
        "xaxis": {**layout["xaxis"], "domain": [0.0, 1.0]},
        "yaxis": {
            **layout["yaxis"],
            "domain": [(NARROW_LIKELIHOOD_PX + NARROW_GAP_PX) / plot, 1.0],
        },
        "xaxis2": {**likelihood["xaxis2"], "domain": [0.0, 1.0]},
        "yaxis2": {**likelihood["yaxis2"], "domain": [0.0, NARROW_LIKELIHOOD_PX / plot]},
    }


def _wide_axes(
    layout: Mapping[str, Any],
    likelihood: Mapping[str, Any],
    log_likelihoods: NDArray[np.float64],
    width: float,
) -> dict[str, Any]:
    """The four axes, the ℓ panel right of the data in a plot ``width`` wide, apart by room
    for ℓ's tick labels and its axis title."""
    gap = (likelihood_label_px(log_likelihoods, likelihood["yaxis2"]) + 44) / width
    return {
        "xaxis": {**layout["xaxis"], "domain": [0.0, 1.0 - LIKELIHOOD_WIDTH - gap]},
        "yaxis": dict(layout["yaxis"]),
        "xaxis2": {**likelihood["xaxis2"], "domain": [1.0 - LIKELIHOOD_WIDTH, 1.0]},
        "yaxis2": dict(likelihood["yaxis2"]),
    }


def _note_annotations(lines: Sequence[str], top_px: float, plot: float) -> list[dict[str, Any]]:
    """The notes, one a line, under the title row in a top margin of ``top_px``."""
    return [
        {
            "text": line,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 1 + (top_px - TITLE_ROW_PX - NOTE_LINE_PX * i) / plot,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "align": "left",
            "font": {"size": NOTE_FONT_PX, "color": "#555"},
        }
        for i, line in enumerate(lines)
    ]


def likelihood_label_px(values: NDArray[np.float64], axis: Mapping[str, Any]) -> float:
    """About how wide the ℓ axis's tick labels are: its widest value, in its format."""
    match = re.fullmatch(r",?\.(\d+)f", str(axis.get("tickformat", "")))
    decimals = int(match[1]) if match else 3
    widest = max(len(f"{v:,.{decimals}f}") for v in (float(values.min()), float(values.max())))
    return CHAR_PX * widest


def _place_header(layout: dict[str, Any]) -> None:
    """Play / Pause at the top left of the figure, above the notes and the legend."""
    margin, height = layout["margin"], layout["height"]
    plot = height - margin["t"] - margin["b"]
    layout["updatemenus"][0]["y"] = 1 + (margin["t"] - 6) / plot


def animated_figure(
    traces: Sequence[dict[str, Any]],
    dynamic: Sequence[int],
    frame_of: Callable[[HalfStep], Sequence[dict[str, Any]]],
    trace: Trace,
    h: int,
    layout: dict[str, Any],
    frame_duration_ms: int,
    *,
    notes: Sequence[str] = (),
    narrow: bool = False,
    halves: Sequence[HalfStep] | None = None,
) -> go.Figure:
    """Assemble an animated figure: the data, the log-likelihood beside them (or below them
    when ``narrow``), a title naming the half-step, Play / Pause, the notes, and a frame for
    each half-step of
    :func:`frame_window` (each frame also sets the title, and ``layout.meta.half_step``).
    When the window is the whole run, every frame is whole and ``layout.meta`` says
    ``every_half_step``; otherwise frame h is whole and each later frame updates only the
    traces that changed since the frame before it.

    Parameters
    ----------
    traces : list of dict
        The data panel's traces as plotly dicts (with their ``type``); dynamic ones without
        the values that change.
    dynamic : list of int
        Positions in ``traces`` of the traces the frames update.
    frame_of : callable
        ``frame_of(half)[i]`` is what trace ``dynamic[i]`` shows at that half-step. Called
        only for the half-steps that get a frame.
    trace : Trace
    h : int
        The half-step on screen: the figure's data and title are its frame's.
    layout : dict
        With ``xaxis`` and ``yaxis`` for the data panel.
    frame_duration_ms : int
    notes : sequence of str
        Short notes shown above the plot, one a line (see :func:`note_lines`).
    narrow : bool
        The layout for a container narrower than about 700 px (see :func:`panel_layout`).
    halves : sequence of HalfStep, optional
        The view's half-steps, when they are not EM's alone (:func:`em_viz.halfstep.half_steps`);
        the mixture's view adds its K-means phase before them.

    Returns
    -------
    plotly.graph_objects.Figure
        Built from plain dictionaries without plotly's per-value validation, which would
        take longer than everything else on a click (the tests validate these figures).
    """
    halves = half_steps(trace) if halves is None else tuple(halves)
    data = [dict(t) for t in (*traces, *likelihood_traces(trace))]
    # ℓ so far and the ring on ℓ are the last two traces
    dynamic = [*dynamic, len(data) - 2, len(data) - 1]
    types = [data[i]["type"] for i in dynamic]
    current = _full_frame(frame_of, trace, types, halves[h])
    window = frame_window(h, len(halves), _cased_frame_bytes(data, dynamic, current))
    every = len(window) == len(halves)  # any half-step is one whole frame away
    full = {
        i: current if i == h else _full_frame(frame_of, trace, types, halves[i]) for i in window
    }
    frames = [_frame(halves, i, dynamic, full, every=every, h=h) for i in window]
    for i, update in zip(dynamic, current, strict=True):
        data[i] = _merge(data[i], update)
    layout = {
        **layout,
        **_frame_layout(halves, h, every=every),
        **panel_layout(
            layout,
            _likelihood_axes(trace, traces),
            data,
            _window_notes(halves, window, notes),
            trace.log_likelihoods,
            narrow=narrow,
        ),
    }
    layout["updatemenus"] = [play_pause([str(i) for i in window if i >= h], frame_duration_ms, y=0)]
    _place_header(layout)
    data, frames = with_casings(data, frames)  # faint lines on a dark casing
    return AnimatedFigure(data, layout, frames)


def _cased_frame_bytes(
    data: Sequence[dict[str, Any]], dynamic: Sequence[int], updates: Sequence[dict[str, Any]]
) -> int:
    """The bytes of JSON of a whole frame of ``updates`` to the traces ``dynamic``, with
    what it repeats for the casings of its faint lines (see :mod:`em_viz.contrast`)."""
    _, (frame,) = with_casings(data, [{"traces": list(dynamic), "data": list(updates)}])
    return len(json.dumps(frame["data"], separators=(",", ":")))


def _full_frame(
    frame_of: Callable[[HalfStep], Sequence[dict[str, Any]]],
    trace: Trace,
    types: Sequence[str],
    half: HalfStep,
) -> list[dict[str, Any]]:
    """Everything the dynamic traces (of plotly ``types``) show at ``half``: the data
    panel's (``frame_of``), then ℓ so far and the ring on ℓ."""
    updates = [*frame_of(half), likelihood_so_far(trace, half), likelihood_marker(trace, half)]
    if len(updates) != len(types):
        raise ValueError(f"{len(updates) - 2} frame updates for {len(types) - 2} dynamic traces.")
    return [{"type": kind, **u} for kind, u in zip(types, updates, strict=True)]


def _frame(
    halves: Sequence[HalfStep],
    i: int,
    dynamic: Sequence[int],
    full: Mapping[int, Sequence[dict[str, Any]]],
    *,
    every: bool,
    h: int,
) -> dict[str, Any]:
    """The animation frame of half-step ``i``, from the ``full`` frames of the window."""
    keep = list(range(len(dynamic)))
    if i > h and not every:
        # Play reaches this frame only from the one before it, so what did not change
        # since then is left out: the colours at an M-step, the curves at an E-step.
        keep = [j for j in keep if full[i][j] != full[i - 1][j]]
    return {
        "name": str(i),
        "traces": [dynamic[j] for j in keep],
        "data": [full[i][j] for j in keep],
        "layout": _frame_layout(halves, i, every=every),
    }


def _frame_layout(halves: Sequence[HalfStep], i: int, *, every: bool) -> dict[str, Any]:
    """What frame ``i`` sets in the layout: the title naming its half-step, and the meta."""
    return {
        "title": frame_title(halves[i].label),
        "meta": {"half_step": i, "every_half_step": every},
    }


def _window_notes(halves: Sequence[HalfStep], window: range, notes: Sequence[str]) -> Sequence[str]:
    """The notes, after one saying which half-steps Play holds when it stops before the end
    of the run."""
    if window.stop < len(halves):
        return [
            f"Play holds {halves[window[0]].label} … {halves[window[-1]].label}; " + SLIDER_NOTE,
            *notes,
        ]
    return notes


def _likelihood_axes(trace: Trace, traces: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The ℓ panel's axes, reaching also the values of the data panel's traces drawn on it
    (such as the maximum of ℓ)."""
    also = [y for t in traces if t.get("yaxis") == "y2" for y in t.get("y", ())]
    return likelihood_axes(trace, (0.0, 1.0), also=also)


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose animation frames stay the plain dictionaries they were built as.

    Plotly validates the frames given to a figure one value at a time, even when told not
    to (~10 µs a string: the colours of 3,000 points in 17 frames take half a second). Here
    the frames are kept as they are, in :attr:`frame_dicts` (change them there), and
    :meth:`to_dict` (what ``st.plotly_chart`` sends) holds them. ``frames`` gives a copy of
    them as validated ``go.Frame`` objects, for reading. Like the data and layout (built
    without plotly's per-value checks too), the frames are checked by the tests: a round
    trip through ``go.Figure(fig.to_dict())`` validates everything.
    """

    def __init__(
        self, data: Sequence[dict[str, Any]], layout: dict[str, Any], frames: list[dict[str, Any]]
    ) -> None:
        super().__init__(data=data, layout=layout, _validate=False)
        self._frame_dicts = frames

    @property
    def frame_dicts(self) -> list[dict[str, Any]]:
        """The frames as plain dictionaries (``name``, ``traces``, ``data``, ``layout``)."""
        return self._frame_dicts

    @property
    def frames(self) -> tuple[go.Frame, ...]:
        return tuple(go.Frame(frame) for frame in self._frame_dicts)

    def to_dict(self) -> dict[str, Any]:
        """The figure as plotly JSON. The frames' contents are shared, not copied (a copy
        takes longer than sending them): read them, or change them in :attr:`frame_dicts`."""
        spec = super().to_dict()
        if self._frame_dicts:
            spec["frames"] = [dict(frame) for frame in self._frame_dicts]
        return spec
