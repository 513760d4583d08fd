"""The look every figure shares: the font, a small light template, and the chart's tool bar.

The template's axis settings apply to every axis of a figure (x, x2, y, y2, …).

The template is written out rather than taken from plotly's "plotly_white": that one is
about 10 kB of JSON, sent with every redraw, and takes plotly longer to build than the
figure itself.
"""

from __future__ import annotations

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
    ``factor`` (presenter mode: text a class can read from the back of the room)."""
    layout = _scaled(fig.layout.to_plotly_json(), factor)
    font = layout.setdefault("font", {})
    font.setdefault("size", FONT["size"] * factor)  # the template's size, which it overrides
    fig.update_layout(layout)
    for frame in getattr(fig, "frame_dicts", ()):  # an em_viz animated figure's own frames
        if "layout" in frame:
            frame["layout"] = _scaled(frame["layout"], factor)
    return fig


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
