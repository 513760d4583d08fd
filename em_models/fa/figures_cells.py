"""The lower panels of factor analysis's chart: Ψ as a bar per variable, and the covariances
C = WWᵀ + Ψ and S with their difference as three grids of cells.

Every shape that moves is a scatter trace (a bar or a cell is a filled outline), so that a
step moves the chart without redrawing it (see the README's "In the browser"): the bars are
one path of rectangles whose heights the frames change, a grid is one trace per cell whose
colour the frames change, then one trace of the cells' numbers and hovers. What is the same
at every half-step is in the chart alone, not in its frames (each click sends them all): the
bars' places, the variables' names in the hovers, and the whole of S, whose cells are the
layout's rectangles (the browser's quick update would drop the fill of a filled trace that
no frame names). The frames' numbers carry the digits the chart shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_viz.figures_common import round_sig, user_text

BAR_COLOR = "#d9480f"
BAR_HALF = 0.32  # a bar's half width, in variables
CELL_HALF = 0.48  # a cell's half width: a thin white gap between cells
CELL_FONT = {"size": 11, "color": "#222"}
# Light ends, so dark text stays readable on every cell: blue for negative, red for positive.
NEGATIVE, POSITIVE = (106, 159, 212), (224, 122, 95)
# The difference C − S is coloured on this scale (it saturates beyond): what is left unfitted.
DIFFERENCE_SCALE = 0.25
# Above this many variables (or on a phone) the cells hold no numbers; their hovers do.
MAX_CELL_TEXT = 7
HOVER_DIGITS = 4  # significant digits of a cell's value in its hover
ZERO_LINE = {"zeroline": True, "zerolinecolor": "#444", "zerolinewidth": 1.5}


def _g(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace("-", "−")


# --- Ψ, a bar per variable --------------------------------------------------------------


def bar_traces(axes: str, names: Sequence[str]) -> list[dict[str, Any]]:
    """Ψ's bars (one path of filled rectangles) and their values (text over each bar), on
    the axes ``axes`` ("3"), at their places; the frames give their heights and values."""
    where = {"xaxis": f"x{axes}", "yaxis": f"y{axes}", "showlegend": False}
    x: list[float | None] = []
    for i in range(len(names)):
        x += [i - BAR_HALF, i + BAR_HALF, i + BAR_HALF, i - BAR_HALF, i - BAR_HALF, None]
    return [
        {
            "type": "scatter",
            "name": "ψ",
            "x": x,
            "mode": "lines",
            "fill": "toself",
            "fillcolor": "rgba(217,72,15,0.55)",
            "line": {"color": BAR_COLOR, "width": 1},
            "hoverinfo": "skip",
            **where,
        },
        {
            "type": "scatter",
            "name": "ψ values",
            "mode": "markers+text",
            "textposition": "top center",
            "textfont": CELL_FONT,
            "marker": {"size": 18, "color": "rgba(0,0,0,0)"},  # catches the hover
            "x": list(range(len(names))),
            "hovertext": [user_text(name) for name in names],
            "hovertemplate": "ψ of %{hovertext} = %{y:.4~g}<extra></extra>",
            **where,
        },
    ]


def variance_line(n_features: int, variance: float, axes: str) -> dict[str, Any]:
    """Each variable's own variance (1 for standardised columns), dotted: ψ_i there means the
    factors explain nothing of variable i."""
    return {
        "type": "scatter",
        "name": "each variable's variance",
        "x": [-0.5, n_features - 0.5],
        "y": [variance, variance],
        "mode": "lines",
        "line": {"color": "#868e96", "width": 1, "dash": "dot"},
        "hoverinfo": "skip",
        "showlegend": False,
        "xaxis": f"x{axes}",
        "yaxis": f"y{axes}",
    }


def bars_frame(psi: NDArray[np.float64]) -> list[dict[str, Any]]:
    """The bars at heights ``psi`` and their values."""
    y: list[float | None] = []
    heights = round_sig(psi, 4)
    for value in heights:
        y += [0, 0, value, value, 0, None]
    return [{"y": y}, {"y": heights, "text": [_psi_text(v) for v in psi]}]


def _psi_text(value: float) -> str:
    return f"{value:.2g}" if value < 0.01 else _g(value)


def bar_axes(names: Sequence[str], top: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bars' axes: a variable per tick, numbered as in the grids; ψ from 0 (the zero
    line drawn) to ``top``."""
    n = len(names)
    x = {
        "range": [-0.6, n - 0.4],
        "tickvals": list(range(n)),
        "ticktext": [str(i + 1) for i in range(n)],
        "showgrid": False,
        "zeroline": False,
        "title": {"text": "variable", "standoff": 2},
    }
    y = {
        "range": [-0.06 * top, 1.18 * top],
        "title": {"text": "ψ, the noise variance"},
        **ZERO_LINE,
    }
    return x, y


# --- C, S and C − S, a grid of cells each ----------------------------------------------


def cell_color(value: float, scale: float) -> str:
    """A cell's colour: white at 0, blue below, red above, full at ±``scale``."""
    share = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    end = np.array(POSITIVE if value > 0 else NEGATIVE)
    mixed = 255 + (end - 255) * share
    return "#{:02x}{:02x}{:02x}".format(*np.round(mixed).astype(int).tolist())


def lower(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The cells on and below the diagonal of an n × n grid, row by row: a symmetric
    matrix's every entry once."""
    return np.tril_indices(n)


def _cell_outline(r: int, c: int) -> tuple[list[float], list[float]]:
    """A cell's square, corner by corner."""
    left, right, top, bottom = c - CELL_HALF, c + CELL_HALF, r - CELL_HALF, r + CELL_HALF
    return [left, right, right, left, left], [top, top, bottom, bottom, top]


def _numbers_trace(
    axes: str, symbol: str, names: Sequence[str], *, numbers: bool
) -> dict[str, Any]:
    """A grid's cells' numbers (when ``numbers``) and hovers, named "symbol(row, column)"."""
    rows, cols = lower(len(names))
    return {
        "type": "scatter",
        "mode": "markers+text" if numbers else "markers",
        "x": cols.tolist(),
        "y": rows.tolist(),
        "marker": {"size": 22, "color": "rgba(0,0,0,0)"},
        "textfont": CELL_FONT,
        "hovertext": [
            f"{symbol}({user_text(names[r])}, {user_text(names[c])})"
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        ],
        "hovertemplate": f"%{{hovertext}} = %{{customdata:.{HOVER_DIGITS}g}}<extra></extra>",
        "xaxis": f"x{axes}",
        "yaxis": f"y{axes}",
        "showlegend": False,
    }


def grid_traces(
    axes: str, symbol: str, names: Sequence[str], *, numbers: bool = True
) -> list[dict[str, Any]]:
    """A symmetric d × d matrix on the axes ``axes``, its lower triangle: a filled square
    per cell, row by row (the frames colour it), then the hovers, with the numbers written
    in the cells when ``numbers`` (the frames give them)."""
    rows, cols = lower(len(names))
    cells = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "y": y,
            "fill": "toself",
            "line": {"width": 0},
            "hoverinfo": "skip",
            "xaxis": f"x{axes}",
            "yaxis": f"y{axes}",
            "showlegend": False,
        }
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        for x, y in [_cell_outline(r, c)]
    ]
    return [*cells, _numbers_trace(axes, symbol, names, numbers=numbers)]


def grid_frame(
    matrix: NDArray[np.float64], scale: float, *, numbers: bool = True
) -> list[dict[str, Any]]:
    """A grid's colours and, with ``numbers``, the numbers in its cells (the hovers always
    hold them) for the symmetric ``matrix``: ``numbers`` as the grid's traces were made."""
    values = np.asarray(matrix, dtype=float)[lower(matrix.shape[0])]
    hover: dict[str, Any] = {"customdata": round_sig(values, HOVER_DIGITS)}
    if numbers:
        hover["text"] = [_g(v) for v in values.tolist()]
    return [*({"fillcolor": cell_color(v, scale)} for v in values.tolist()), hover]


def fixed_grid(
    axes: str,
    symbol: str,
    names: Sequence[str],
    matrix: NDArray[np.float64],
    scale: float,
    *,
    numbers: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A grid that no step changes (S), drawn once: its cells as the layout's rectangles,
    and its numbers' trace (as :func:`grid_traces` draws it, with :func:`grid_frame`'s
    values)."""
    rows, cols = lower(len(names))
    values = np.asarray(matrix, dtype=float)[rows, cols]
    cells = [
        {
            "type": "rect",
            "xref": f"x{axes}",
            "yref": f"y{axes}",
            "x0": c - CELL_HALF,
            "x1": c + CELL_HALF,
            "y0": r - CELL_HALF,
            "y1": r + CELL_HALF,
            "fillcolor": cell_color(v, scale),
            "line": {"width": 0},
            "layer": "below",
        }
        for r, c, v in zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True)
    ]
    trace = _numbers_trace(axes, symbol, names, numbers=numbers)
    return cells, {**trace, **grid_frame(matrix, scale, numbers=numbers)[-1]}


def grid_axes(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A grid's axes: the variables by number, rows top first, no grid lines."""
    ticks = {"tickvals": list(range(n)), "ticktext": [str(i + 1) for i in range(n)]}
    common = {"showgrid": False, "zeroline": False, "showline": False, "ticks": "", **ticks}
    return {"range": [-0.5, n - 0.5], **common}, {"range": [n - 0.5, -0.5], **common}
