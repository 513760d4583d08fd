"""Contrast against the white plot (WCAG 2.1), and the dark casing of a faint line.

WCAG 2.1's success criterion 1.4.11 (non-text contrast) asks 3:1 between a graphic's parts
that carry meaning (a curve, an ellipse, a bar's edge) and what is next to them, here the
white plot; text asks 4.5:1 (1.4.3), or 3:1 when large (24 px, or 18.66 px bold). Two of the
palette's colours are lighter than 3:1 on white, and cannot be darkened without bringing
components' colours closer for colour-blind vision (see :mod:`em_viz.colors`). So a line in
one of them is drawn over a *casing*, as a road on a map: the same line, a little wider, in a
dark grey, just beneath it, whose edges show against the white while the line keeps its
component's colour. A filled area stacked on the one before it (``fill: "tonexty"``) cannot
have a trace slipped in under it, so its outline is drawn in the casing's grey instead; so
is the edge of an area filled in such a colour with no line of its own, or of a bar.

A marker in such a colour gets an edge of its own in the casing's grey; an edge, an open
marker (drawn by its outline alone) or a shape with no inside (a tick) in such a colour is
drawn in its darker twin of the same hue (:data:`em_viz.colors.TEXT_COLORS`), so that a ring
keeps its component's hue. Many lines of one style that overlap (a run's curves) can share
one casing (:func:`shared_casing`), so that their colour runs unbroken where they touch.

:func:`with_casings` adds the casings to a figure's traces and, for an animated figure, to
its frames (which update traces by their index): the indices are moved past the casings,
and each frame's update of a cased line's geometry is repeated for its casing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_viz.colors import PALETTE, START_COLORS, text_color

MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 2.1, 1.4.11: a graphic's meaningful parts
MIN_TEXT_CONTRAST = 4.5  # 1.4.3: text
MIN_LARGE_TEXT_CONTRAST = 3.0  # text of 24 px, or 18.66 px bold
CASING_COLOR = "#444444"  # 9.7:1 on white
CASING_EXTRA_PX = 1.6  # the casing's width over the line's: 0.8 px each side
CASING_NAME = "casing"
# The edge of a filled area or a bar in a colour under 3:1, instead of a casing.
OUTLINE = {"color": CASING_COLOR, "width": 1}
DEFAULT_LINE_PX = 2.0  # plotly's width of a scatter line
# plotly.js's named dashes, in multiples of max(line width, 3) px (its Drawing.dashStyle):
# the casing, wider, gets them in pixels, so that its dashes lie under the line's.
DASHES = {
    "dot": (1, 1),
    "dash": (3, 3),
    "longdash": (5, 5),
    "dashdot": (3, 1, 1, 1),
    "longdashdot": (5, 2, 1, 2),
}
# What a casing repeats of its line, from the figure and from a frame's update.
_SHARED = ("x", "y", "xaxis", "yaxis", "visible", "connectgaps", "legendgroup", "opacity")
NAMED = {"white": "#ffffff", "black": "#000000"}
_RGBA = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


# ---------------------------------------------------------------------------------------
# Contrast


def parse_color(color: str) -> tuple[float, float, float, float]:
    """``"#rrggbb"``, ``"#rgb"``, ``"rgb(r, g, b)"``, ``"rgba(r, g, b, a)"``, ``"white"`` or
    ``"black"`` → (r, g, b, a), channels 0–255 and a 0–1. Raises ValueError for anything else
    (another named colour)."""
    text = NAMED.get(color.strip().lower(), color.strip().lower())
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        value = int(text[1:], 16)
        return float(value >> 16), float((value >> 8) & 0xFF), float(value & 0xFF), 1.0
    match = _RGBA.fullmatch(text)
    if match is None:
        raise ValueError(f"Not a colour this module reads: {color!r}.")
    r, g, b, a = match.groups()
    return float(r), float(g), float(b), 1.0 if a is None else float(a)


def on_white(color: str) -> str:
    """``color`` as it shows on white: a translucent colour mixed with white, as ``#rrggbb``."""
    r, g, b, a = parse_color(color)
    return "#" + "".join(f"{round(255 + a * (c - 255)):02x}" for c in (r, g, b))


def luminance_of_rgb(rgb: ArrayLike) -> NDArray[np.float64]:
    """WCAG 2.1's relative luminance (0 black, 1 white) of sRGB channels 0–255, the last
    axis red, green, blue: one colour or every pixel of an image."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def relative_luminance(color: str) -> float:
    """WCAG 2.1's relative luminance of an opaque colour (0 black, 1 white)."""
    return float(luminance_of_rgb(parse_color(on_white(color))[:3]))


def contrast_ratio(color: str, background: str = "#ffffff") -> float:
    """WCAG 2.1's contrast ratio (L₁ + 0.05) / (L₂ + 0.05) of two colours, the lighter's
    luminance on top: 1 (none) to 21 (black on white). A translucent colour is taken as it
    shows on white."""
    high, low = sorted((relative_luminance(color), relative_luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The charts' line colours lighter than 3:1 on white, which get a casing.
CASED_COLORS = frozenset(
    c for c in (*PALETTE, *START_COLORS) if contrast_ratio(c) < MIN_GRAPHIC_CONTRAST
)
_CASED_RGB = frozenset(parse_color(c)[:3] for c in CASED_COLORS)


_PALETTE_RGB = frozenset(parse_color(c)[:3] for c in (*PALETTE, *START_COLORS))


def needs_outline(fill: object) -> bool:
    """Whether an area filled in ``fill`` gets a dark edge: a palette colour (opaque or
    translucent) that shows on white with less than 3:1."""
    return (
        isinstance(fill, str)
        and _rgb_or_none(fill) in _PALETTE_RGB
        and contrast_ratio(fill) < MIN_GRAPHIC_CONTRAST
    )


def needs_casing(color: object) -> bool:
    """Whether a line in ``color`` (opaque or translucent) gets a casing."""
    return isinstance(color, str) and _rgb_or_none(color) in _CASED_RGB


_TWINS = {parse_color(c)[:3]: text_color(c) for c in PALETTE}


def dark_twin(color: str) -> str:
    """The outline of a marker in ``color``, a colour under 3:1 on white: its darker twin of
    the same hue (:data:`em_viz.colors.TEXT_COLORS`, 4.5:1), or the casing's grey for a colour
    with none."""
    return _TWINS.get(_rgb_or_none(color), CASING_COLOR)


def _rgb_or_none(color: str) -> tuple[float, float, float] | None:
    try:
        return parse_color(color)[:3]
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------
# Casings


def with_casings(
    data: Sequence[Mapping[str, Any]], frames: Sequence[Mapping[str, Any]] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The traces ``data``, each line in a colour of :data:`CASED_COLORS` with its casing
    just before it, and the animation ``frames`` with their trace indices moved to match.

    A line is a scatter trace drawn with ``"lines"`` whose colour needs a casing in the
    figure or in any frame's update. Its casing repeats its geometry (x, y, axes, gaps,
    visibility, dash) in :data:`CASING_COLOR`, :data:`CASING_EXTRA_PX` wider; it has no
    hover and no legend entry, and shares the line's ``legendgroup`` (one is given to a
    line in the legend that has none), so a click on the legend hides both. A translucent
    line is made opaque, in the colour it shows on white, so that the casing does not show
    through it. A line that fills to the trace before it (``tonexty``, ``tonextx``) is not
    cased but outlined in the casing's colour. Frames: each update of a cased line's x, y,
    visibility or dash is repeated for its casing.

    Parameters
    ----------
    data : list of dict
        Plotly traces (with their ``type``).
    frames : list of dict
        Frames with ``traces`` (indices into ``data``) and ``data`` (their updates).

    Returns
    -------
    (list of dict, list of dict)
        The traces and the frames, new dictionaries (those given are not changed).
    """
    updates: dict[int, list[Mapping[str, Any]]] = {}
    for frame in frames:
        for i, update in zip(frame["traces"], frame["data"], strict=True):
            updates.setdefault(i, []).append(update)
    traces: list[dict[str, Any]] = []
    index: list[int] = []  # where each trace of ``data`` is now
    cased: dict[int, Mapping[str, Any]] = {}  # each cased line's ``line``
    for i, trace in enumerate(data):
        trace = dict(trace)
        drawn = (trace, *updates.get(i, ()))
        if _is_line(trace) and any(needs_casing(_line_color(t)) for t in drawn):
            if str(trace.get("fill", "")).startswith("tonext"):
                trace["line"] = {**trace["line"], "color": CASING_COLOR}
            else:
                trace = _opaque(trace)
                if trace.get("showlegend", True) and not trace.get("legendgroup"):
                    trace["legendgroup"] = f"cased line {i}"
                traces.append(_casing(trace))
                cased[i] = trace.get("line", {})
        elif _is_area(trace) and any(needs_outline(t.get("fillcolor")) for t in drawn):
            trace["line"] = {**trace.get("line", {}), **OUTLINE}
        elif trace.get("type") in ("bar", "histogram") and needs_casing(_marker_color(trace)):
            trace["marker"] = {**trace["marker"], "line": dict(OUTLINE)}
        if _has_markers(trace):
            trace["marker"] = marker_apart(trace.get("marker", {}), _line_color(trace))
        index.append(len(traces))
        traces.append(trace)
    return traces, [_frame(frame, index, cased) for frame in frames]


def _is_line(trace: Mapping[str, Any]) -> bool:
    """A scatter trace drawn with lines (plotly draws lines when no mode is given) that
    are not 0 wide."""
    line = trace.get("line", {})
    return (
        trace.get("type", "scatter") in ("scatter", "scattergl")
        and "lines" in trace.get("mode", "lines")
        and line.get("width", DEFAULT_LINE_PX) > 0
    )


def _is_area(trace: Mapping[str, Any]) -> bool:
    """A scatter trace that fills an area."""
    return trace.get("type", "scatter") in ("scatter", "scattergl") and trace.get(
        "fill", "none"
    ) not in ("none", "")


def _has_markers(trace: Mapping[str, Any]) -> bool:
    """A scatter trace drawn with markers."""
    return trace.get("type", "scatter") in ("scatter", "scattergl") and "markers" in trace.get(
        "mode", ""
    )


def _is_open(symbol: object) -> bool:
    """Whether plotly draws the marker ``symbol`` (a name or its number) by its outline alone,
    in the marker's colour: an "-open" name, or a number with 100 added."""
    if isinstance(symbol, str) and not symbol.isdigit():
        return "-open" in symbol
    return isinstance(symbol, int | float | str) and int(symbol) % 200 >= 100


def _each(value: object, change: Any) -> object:
    """``change`` applied to ``value``, or to each of a list of values."""
    return [change(v) for v in value] if isinstance(value, list | tuple) else change(value)


def marker_apart(marker: Mapping[str, Any], line_color: object = None) -> dict[str, Any]:
    """``marker`` drawn apart from the white: an open marker in a colour under 3:1 in its
    :func:`dark_twin`; an edge in such a colour in its twin; a filled marker in such a colour
    with no edge (plotly's default), or a faint one (white), with an edge in the casing's
    grey. ``line_color`` is the
    trace's line colour, the marker's when it has none of its own."""
    out = dict(marker)
    color = out.get("color", line_color)
    twin = _each(color, lambda c: dark_twin(c) if needs_casing(c) else c)
    symbols = out.get("symbol", "circle")
    if twin != color and any(map(_is_open, symbols if isinstance(symbols, list) else [symbols])):
        out["color"] = color = twin
    edge = out.get("line", {})
    width, edge_color = edge.get("width", 0), edge.get("color", _edge_default(out, line_color))
    if width and needs_casing(edge_color):
        out["line"] = {**edge, "color": dark_twin(edge_color)}
    elif (not width or _faint(edge_color)) and any(
        needs_casing(c) for c in (color if isinstance(color, list | tuple) else [color])
    ):
        out["line"] = {**edge, "color": CASING_COLOR, "width": width or OUTLINE["width"]}
    return out


def _edge_default(marker: Mapping[str, Any], line_color: object) -> object:
    """plotly's colour of a marker's edge when none is given: the trace's line's colour when
    it differs from the marker's, white for markers of many sizes (a bubble chart), its
    default grey otherwise."""
    if isinstance(line_color, str) and marker.get("color", line_color) != line_color:
        return line_color
    return "#ffffff" if isinstance(marker.get("size"), list | tuple) else CASING_COLOR


def _faint(color: object) -> bool:
    """A colour under 3:1 on white (a white edge, say)."""
    return isinstance(color, str) and contrast_ratio(color) < MIN_GRAPHIC_CONTRAST


def _marker_color(trace: Mapping[str, Any]) -> object:
    marker = trace.get("marker")
    return marker.get("color") if isinstance(marker, Mapping) else None


def _line_color(trace: Mapping[str, Any]) -> object:
    line = trace.get("line")
    return line.get("color") if isinstance(line, Mapping) else None


def _opaque(trace: dict[str, Any]) -> dict[str, Any]:
    """``trace`` with its line's colour as it shows on white (a casing would show through a
    translucent one)."""
    color = _line_color(trace)
    if needs_casing(color):
        trace["line"] = {**trace["line"], "color": on_white(color)}
    return trace


def _casing(trace: Mapping[str, Any]) -> dict[str, Any]:
    """The casing drawn just beneath the line ``trace``."""
    casing = {key: trace[key] for key in ("type", *_SHARED) if key in trace}
    return {
        **casing,
        "name": CASING_NAME,
        "mode": "lines",
        "line": _casing_line(trace.get("line", {})),
        "hoverinfo": "skip",
        "showlegend": False,
    }


def shared_casing(lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One casing beneath all of ``lines``, lines of one width and dash (the runs that
    reached one optimum, say): their geometry joined, a gap between one line and the next.
    Drawn before all of them, it leaves their colour unbroken where they touch or overlap,
    dark on the outside alone, where a casing each would draw each line's edges across the
    lines beneath it."""
    x: list[float | None] = []
    y: list[float | None] = []
    for line in lines:
        x += [*np.asarray(line["x"], dtype=float).tolist(), None]
        y += [*np.asarray(line["y"], dtype=float).tolist(), None]
    return {**_casing({**lines[0], "x": x[:-1], "y": y[:-1]}), "connectgaps": False}


def _casing_line(line: Mapping[str, Any]) -> dict[str, Any]:
    """The casing's ``line``: the line's shape and dash, wider and dark."""
    width = float(line.get("width", DEFAULT_LINE_PX))
    out = {key: line[key] for key in ("shape", "smoothing", "simplify") if key in line}
    out.update(color=CASING_COLOR, width=round(width + CASING_EXTRA_PX, 2))
    if line.get("dash", "solid") != "solid":
        out["dash"] = dash_px(line["dash"], width)
    return out


def dash_px(dash: str, width: float) -> str:
    """A line's ``dash`` in pixels, as plotly.js draws it for a line ``width`` wide."""
    if dash not in DASHES:
        return dash  # already in pixels (or percent), whatever the width
    unit = max(width, 3.0)
    return ",".join(f"{m * unit:g}px" for m in DASHES[dash])


def _frame(
    frame: Mapping[str, Any], index: Sequence[int], cased: Mapping[int, Mapping[str, Any]]
) -> dict[str, Any]:
    """``frame`` with its indices moved past the casings, and its updates of a cased line's
    geometry repeated for the casing (the trace just before it; ``cased`` holds each cased
    line's ``line`` in the figure)."""
    traces, data = [], []
    for i, update in zip(frame["traces"], frame["data"], strict=True):
        if i in cased:
            update = _opaque(dict(update))
            shared = {key: update[key] for key in ("type", *_SHARED) if key in update}
            if "line" in update and update["line"].keys() & {"dash", "width"}:
                shared["line"] = _casing_line({**cased[i], **update["line"]})
            if shared.keys() - {"type"}:
                traces.append(index[i] - 1)
                data.append(shared)
        traces.append(index[i])
        data.append(update)
    return {**frame, "traces": traces, "data": data}


def cased_figure(fig: go.Figure) -> go.Figure:
    """A chart with no animation frames as :func:`with_casings` draws it: the same figure,
    each faint line over its casing."""
    data, _ = with_casings([trace.to_plotly_json() for trace in fig.data])
    return go.Figure(data=data, layout=fig.layout)
