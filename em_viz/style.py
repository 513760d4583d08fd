"""The look every figure shares: the font, a small light template, and the chart's tool bar.

The template's axis settings apply to every axis of a figure (x, x2, y, y2, …).

The template is written out rather than taken from plotly's "plotly_white": that one is
about 10 kB of JSON, sent with every redraw, and takes plotly longer to build than the
figure itself.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import plotly.graph_objects as go

FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13, "color": "#222"}
GRID_COLOR = "#e8ebf0"
AXIS_LINE_COLOR = "#b9bec8"
_AXIS = {
    "gridcolor": GRID_COLOR,
    "linecolor": AXIS_LINE_COLOR,
    "showline": True,
    "zerolinecolor": GRID_COLOR,
    "ticks": "outside",
    "tickcolor": AXIS_LINE_COLOR,
    "ticklen": 4,
    # Plain numbers, and powers of ten (1.5×10⁸) beyond 10⁴ or below 10⁻⁴; never plotly's
    # SI prefixes, whose "μ" (micro) would read as a mean.
    "exponentformat": "power",
    "minexponent": 4,
    "separatethousands": True,
}
TEMPLATE = {
    "layout": {
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"font": {"family": FONT["family"], "size": 13}, "align": "left"},
    }
}


def enlarge_fonts(fig: go.Figure, factor: float) -> go.Figure:
    """``fig`` with every font size, in its layout and in its animation frames, times
    ``factor`` (presenter mode: text a class can read from the back of the room), and its
    left margin and the gap before the ℓ panel, where y axes' labels are, as
    much wider."""
    layout = _scaled(fig.layout.to_plotly_json(), factor)
    font = layout.setdefault("font", {})
    font.setdefault("size", FONT["size"] * factor)  # the template's size, which it overrides
    # The left margin holds the y axis's tick labels and title: it grows with them (plotly.js
    # pushes an axis title that has no room onto the tick labels).
    margin = layout.get("margin", {})
    if isinstance(margin.get("l"), int | float):
        margin["l"] = round(margin["l"] * factor)
    _widen_likelihood_gap(layout, factor)
    fig.update_layout(layout)
    for frame in getattr(fig, "frame_dicts", ()):  # an em_viz animated figure's own frames
        if "layout" in frame:
            frame["layout"] = _scaled(frame["layout"], factor)
    return fig


def enlarge_chart_text(fig: go.Figure, factor: float) -> go.Figure:
    """``fig`` with the text its traces write on the chart (a grid's numbers, labels at
    points) times ``factor``, in its data and in its animation frames (presenter mode on a
    screen whose chart has room for it in its cells)."""
    for trace in fig.data:
        size = getattr(trace, "textfont", None) and trace.textfont.size
        if isinstance(size, int | float):
            trace.textfont.size = size * factor
    for frame in getattr(fig, "frame_dicts", ()):
        for trace in frame.get("data", ()):  # a frame that names a trace's text size
            text = trace.get("textfont")
            if isinstance(text, dict) and isinstance(text.get("size"), int | float):
                trace["textfont"] = {**text, "size": text["size"] * factor}
    return fig


def _widen_likelihood_gap(layout: dict[str, Any], factor: float) -> None:
    """The gap between the ℓ panel (``xaxis2``, see
    :func:`em_viz.figures_common.panel_layout`) and the panel left of it in its row, which
    holds ℓ's tick labels and title, times ``factor``: the ℓ panel gives up the width."""
    likelihood = layout.get("xaxis2", {})
    rows = layout.get("yaxis2", {}).get("domain", [0, 1])
    if "domain" not in likelihood:
        return
    start, end = likelihood["domain"]
    ends = [
        axis["domain"][1]
        for name, axis in layout.items()
        if name.startswith("xaxis")
        and name != "xaxis2"
        and "domain" in axis
        and axis["domain"][1] <= start
        and _meets(_row(layout, name, axis), rows)
    ]
    if ends:  # a panel beside it (a narrow figure has ℓ under the data)
        wider = min(start + (start - max(ends)) * (factor - 1), (start + end) / 2)
        likelihood["domain"] = [wider, end]
        # Its iterations' labels, larger on a narrower panel, as far apart for their size.
        if isinstance(likelihood.get("dtick"), int):
            spread = factor * (end - start) / (end - wider)
            likelihood["dtick"] = math.ceil(likelihood["dtick"] * spread)


def _row(layout: dict[str, Any], name: str, axis: dict[str, Any]) -> Any:
    """The vertical domain of the x axis ``name``'s panel: that of the y axis it is anchored
    to (by default the y axis of its own number)."""
    anchor = axis.get("anchor") or name.replace("xaxis", "y")
    return layout.get(anchor.replace("y", "yaxis", 1), {}).get("domain", [0, 1])


def _meets(a: Any, b: Any) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


# A trace whose ``meta`` is this writes numbers a class reads off the chart (a table's
# cells): presenter mode draws them at least as large as the numbers beside the chart.
CLASS_NUMBERS = "numbers the class reads"


def enlarge_class_numbers(fig: go.Figure, size_px: float) -> go.Figure:
    """``fig`` with the text of its :data:`CLASS_NUMBERS` traces at least ``size_px``."""
    for trace in fig.data:
        if getattr(trace, "meta", None) == CLASS_NUMBERS:
            trace.textfont.size = max(trace.textfont.size or 0, round(size_px, 1))
    return fig


def _scaled(value: Any, factor: float, *, font: bool = False) -> Any:
    """``value`` (plotly JSON) with the ``size`` of every font (a dict under a key ending in
    "font": font, tickfont, …) times ``factor``."""
    if isinstance(value, list | tuple):
        return [_scaled(item, factor) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _scaled(item, factor, font=key.endswith("font")) for key, item in value.items()}
    if font and isinstance(out.get("size"), int | float):
        out["size"] = out["size"] * factor
    title = out.get("title")
    if isinstance(title, dict) and isinstance(title.get("pad"), dict) and "l" in title["pad"]:
        # A title indented past buttons drawn in the larger font (Play and Pause).
        title["pad"] = {**title["pad"], "l": title["pad"]["l"] * factor}
    return out


# A horizontal legend at the bottom of the figure, under the plot and its x title (the figure's
# bottom margin makes room for its rows), so that on a narrow screen it never covers a curve.
LEGEND_UNDER_PLOT = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
}

# The band at the top of a chart where plotly's tool bar shows on hover (25 px high, 2 px
# from the top, in Chromium): a title or a legend below it is never covered.
TOOLBAR_PX = 32


def chart_config(filename: str) -> dict[str, Any]:
    """The plotly config of the view's chart: the tool bar (shown on hover) keeps its
    camera button, which saves the chart as a PNG named ``filename``.png at twice the
    screen's resolution."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def least_height_in_rows(fig: go.Figure, factor: float) -> int:
    """The least height ``fig`` may be drawn at with its type ``factor`` times larger
    (presenter mode): a figure whose panels stand in rows (the HMM's tables under its
    trellis) needs its plot ``factor`` times as tall as its own, as the gaps between its rows,
    fractions of the plot, hold axis titles and headings that grow with the type; 0 for a
    figure whose panels all stand in one row."""
    rows = {
        tuple(axis["domain"])
        for name, axis in fig.layout.to_plotly_json().items()
        if name.startswith("yaxis") and "domain" in axis
    }
    if all(_meets(a, b) for a, b in itertools.combinations(rows, 2)):
        return 0
    margin = fig.layout.margin
    return round(margin.t + margin.b + (fig.layout.height - margin.t - margin.b) * factor)


def with_height(fig: go.Figure, height: int) -> go.Figure:
    """``fig`` drawn ``height`` pixels tall: its plot area takes the difference, and what sits
    above or below the plot (Play and Pause, the notes, the legend), placed in the plot's
    own units, stays as many pixels from the plot's edge."""
    margin = fig.layout.margin
    old = fig.layout.height - margin.t - margin.b
    new = height - margin.t - margin.b
    if new <= 0 or old <= 0:
        return fig

    def moved(y: float | None) -> float | None:
        if y is None or 0 <= y <= 1:
            return y
        return 1 + (y - 1) * old / new if y > 1 else y * old / new

    fig.layout.height = height
    fig.layout.legend.y = moved(fig.layout.legend.y)
    for note in fig.layout.annotations:
        if note.yref == "paper":
            note.y = moved(note.y)
    for menu in fig.layout.updatemenus:
        menu.y = moved(menu.y)
    return fig
