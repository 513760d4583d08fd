"""The look every figure shares: the font and a small light template.

The template's axis settings apply to every axis of a figure (x, x2, y, y2, …).

The template is written out rather than taken from plotly's "plotly_white": that one is
about 10 kB of JSON, sent with every redraw, and takes plotly longer to build than the
figure itself.
"""

from __future__ import annotations

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
