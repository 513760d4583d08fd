"""The lower panels of factor analysis's chart: Ψ as a bar per variable, and the covariances
C = WWᵀ + Ψ and S with their difference as three grids of cells.

Every shape is a scatter trace (a bar or a cell is a filled outline), so that a step moves
the chart without redrawing it (see the README's "In the browser"): the bars are one path of
rectangles whose heights the frames change, a grid is one trace per cell whose colour the
frames change, then one trace of the cells' numbers and hovers. S never changes: its cells
are in every frame all the same, since the browser's quick update drops the fill of a
filled trace no frame names.
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
ZERO_LINE = {"zeroline": True, "zerolinecolor": "#444", "zerolinewidth": 1.5}


def _g(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace("-", "−")


# --- Ψ, a bar per variable --------------------------------------------------------------


def bar_traces(axes: str) -> list[dict[str, Any]]:
    """Ψ's bars (one path of filled rectangles) and their values (text over each bar), on
    the axes ``axes`` ("3"); the frames give both."""
    where = {"xaxis": f"x{axes}", "yaxis": f"y{axes}", "showlegend": False}
    return [
        {
            "type": "scatter",
            "name": "ψ",
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
            "hovertemplate": "%{hovertext}<extra></extra>",
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


def bars_frame(psi: NDArray[np.float64], names: Sequence[str]) -> list[dict[str, Any]]:
    """The bars at heights ``psi`` and their values."""
    x: list[float | None] = []
    y: list[float | None] = []
    for i, value in enumerate(round_sig(psi, 4)):
        x += [i - BAR_HALF, i + BAR_HALF, i + BAR_HALF, i - BAR_HALF, i - BAR_HALF, None]
        y += [0.0, 0.0, value, value, 0.0, None]
    return [
        {"x": x, "y": y},
        {
            "x": list(range(len(psi))),
            "y": round_sig(psi, 4),
            "text": [_psi_text(v) for v in psi],
            "hovertext": [
                f"ψ of {user_text(name)} = {v:.4g}" for name, v in zip(names, psi, strict=True)
            ],
        },
    ]


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


def grid_traces(
    axes: str, symbol: str, names: Sequence[str], *, numbers: bool = True
) -> list[dict[str, Any]]:
    """A symmetric d × d matrix on the axes ``axes``, its lower triangle: a filled square
    per cell, row by row (the frames colour it), then the hovers, with the numbers written
    in the cells when ``numbers``."""
    where = {"xaxis": f"x{axes}", "yaxis": f"y{axes}", "showlegend": False}
    rows, cols = lower(len(names))
    half = CELL_HALF
    cells = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [c - half, c + half, c + half, c - half, c - half],
            "y": [r - half, r - half, r + half, r + half, r - half],
            "fill": "toself",
            "line": {"width": 0},
            "hoverinfo": "skip",
            **where,
        }
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    ]
    numbers = {
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
        "hovertemplate": "%{hovertext} = %{customdata:.4g}<extra></extra>",
        **where,
    }
    return [*cells, numbers]


def grid_frame(
    matrix: NDArray[np.float64], scale: float, *, numbers: bool = True
) -> list[dict[str, Any]]:
    """A grid's colours and, with ``numbers``, the numbers in its cells (the hovers always
    hold them) for the symmetric ``matrix``: ``numbers`` as the grid's traces were made."""
    matrix = np.asarray(matrix, dtype=float)
    values = matrix[lower(matrix.shape[0])]
    hover = {"customdata": round_sig(values, 6)}
    if numbers:
        hover["text"] = [_g(v) for v in values.tolist()]
    return [*({"fillcolor": cell_color(v, scale)} for v in values.tolist()), hover]


def grid_axes(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A grid's axes: the variables by number, rows top first, no grid lines."""
    ticks = {"tickvals": list(range(n)), "ticktext": [str(i + 1) for i in range(n)]}
    common = {"showgrid": False, "zeroline": False, "showline": False, "ticks": "", **ticks}
    return {"range": [-0.5, n - 0.5], **common}, {"range": [n - 0.5, -0.5], **common}
