"""The M-step panels of the hidden Markov model's chart: the transitions A and the emissions.

At the start and at an E-step they show the parameters on screen, θ_t. At M-step t they
show the expected counts of E-step t turning into θ_t: each cell of A reads
"old → new" over "Σξ / Σγ" (the expected number of moves j → k over the expected number
of moves out of j), and the emission table the same with Σ_{t: x_t = v} γ_t(k) over
Σ_t γ_t(k). Gaussian and Poisson emissions are drawn as each state's curve (or, with two
columns, its ellipse at two standard deviations): the new solid, the old dotted.

A is on the axes x3/y3 and the emissions on x4/y4; a table's cells are filled squares
(scatter traces, which a step moves without redrawing the chart) written in dark text on a
light scale, so every number stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.emissions import CategoricalEmissions, GaussianEmissions, PoissonEmissions
from em_models.hmm.engine import Counts
from em_models.hmm.params import HMMParams
from em_viz.colors import component_colors
from em_viz.style import CLASS_NUMBERS

# White to a light blue: dark text stays readable on every cell (contrast ≥ 7:1).
CELL_SCALE = [[0.0, "#ffffff"], [1.0, "#7fb2e5"]]
CELL_FONT_PX = 11
CELL_FONT = {"size": CELL_FONT_PX, "color": "#222"}
CELL_HALF = 0.49  # a cell's half width: a thin white gap between cells
# Cells wider than this many columns (or taller than this many rows) hold the new value only.
ROOM_FOR_COUNTS = 4
CURVE_POINTS = 161


def _g(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}".replace("-", "−")


def transition_rows(params: HMMParams) -> NDArray[np.float64]:
    """[A | e]: A's rows, with the end probabilities as a last column when there are any."""
    if params.endprob is None:
        return np.asarray(params.transmat)
    return np.column_stack([params.transmat, params.endprob])


def transition_counts(counts: Counts) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The M-step's numerators Σ_t ξ_t(j, k) (and Σ γ_T(j) for the end) and denominators,
    the expected number of moves out of each state j."""
    numerators = (
        counts.transitions
        if counts.ends is None
        else np.column_stack([counts.transitions, counts.ends])
    )
    return numerators, numerators.sum(axis=1)


def emission_counts(emissions: CategoricalEmissions, occupancy: NDArray) -> NDArray:
    """Σ_{t: x_t = v} γ_t(k): the new table times Σ_t γ_t(k) (the M-step divided them)."""
    return emissions.probs * occupancy[:, None]


def cell_texts(
    new: NDArray, old: NDArray | None, numerators: NDArray | None, denominators: NDArray | None
) -> list[list[str]]:
    """What each cell says: the value; at an M-step "old → new" and, where there is room,
    "numerator / denominator" under it."""
    rows, cols = new.shape
    roomy = rows <= ROOM_FOR_COUNTS and cols <= ROOM_FOR_COUNTS
    texts = []
    for j in range(rows):
        row = []
        for k in range(cols):
            if old is None:
                row.append(_g(new[j, k]))
                continue
            text = (
                f"{_g(old[j, k])} → <b>{_g(new[j, k])}</b>" if roomy else f"<b>{_g(new[j, k])}</b>"
            )
            if roomy and numerators is not None:
                text += f"<br>{_g(numerators[j, k])} / {_g(denominators[j])}"
            row.append(text)
        texts.append(row)
    return texts


def cell_names(symbol: str, n_rows: int, columns: Sequence[str]) -> list[str]:
    """Each cell's name in its hover, row by row: "a(1, 2)"."""
    return [f"{symbol}({j + 1}, {column})" for j in range(n_rows) for column in columns]


# The hover of a cell: its name (the trace's ``hovertext``, set once), then the numbers the
# frame gives in ``customdata`` (new; at an M-step [new, old, numerator, denominator]).
HOVER_DIGITS = 6


def _number(field: str) -> str:
    return f"%{{{field}:.{HOVER_DIGITS}~g}}"


HOVER_VALUE = f"%{{hovertext}} = {_number('customdata')}<extra></extra>"
HOVER_UPDATE = (
    f"%{{hovertext}} = {_number('customdata[0]')}<br>was {_number('customdata[1]')}"
    f"<br>= {_number('customdata[2]')} / {_number('customdata[3]')}<extra></extra>"
)


def hover_numbers(
    new: NDArray, old: NDArray | None, numerators: NDArray | None, denominators: NDArray | None
) -> dict[str, Any]:
    """Every cell's full story, whatever the room: the hover template and its numbers, to
    the HOVER_DIGITS significant digits it writes."""
    new = np.asarray(new, dtype=float)
    if old is None or numerators is None or denominators is None:
        return {"customdata": _digits(new.ravel()), "hovertemplate": HOVER_VALUE}
    parts = np.stack(
        [new, old, numerators, np.broadcast_to(np.asarray(denominators)[:, None], new.shape)],
        axis=-1,
    ).reshape(-1, 4)
    return {"customdata": [_digits(row) for row in parts], "hovertemplate": HOVER_UPDATE}


def _digits(values: NDArray) -> list[float]:
    return [float(f"{v:.{HOVER_DIGITS}g}") for v in np.asarray(values, dtype=float).tolist()]


def cell_color(value: float) -> str:
    """The colour of a cell holding ``value`` (0 … 1) on CELL_SCALE, as a heatmap mixes it."""
    low, high = (np.array(_rgb(color)) for _, color in CELL_SCALE)
    mixed = low + (high - low) * min(max(value, 0.0), 1.0)
    return "#{:02x}{:02x}{:02x}".format(*np.round(mixed).astype(int).tolist())


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def cell_axes(labels: Sequence[str], title: str, *, rows: bool) -> dict[str, Any]:
    """A table's axis: a cell per label (rows top first), no grid."""
    n = len(labels)
    return {
        "range": [n - 0.5, -0.5] if rows else [-0.5, n - 0.5],
        "tickvals": list(range(n)),
        "ticktext": list(labels),
        "showgrid": False,
        "zeroline": False,
        "title": {"text": title, **({"standoff": 2} if rows else {})},
    }


def cell_traces(
    axes: str, symbol: str, n_rows: int, columns: Sequence[str]
) -> list[dict[str, Any]]:
    """A table of probabilities on axes ``axes`` ("3" or "4"): a filled square per cell,
    row by row (the frames colour it), then the cells' numbers and hovers, named
    "symbol(j, column)" (numbers a class reads: presenter mode enlarges them to its
    screen). Scatter traces alone, so a step moves them without redrawing the chart. (One
    trace per row with a stepped fill gradient would be fewer traces, but plotly.js cannot
    animate a gradient: Play's transitions fail on it.)"""
    half = CELL_HALF
    where = {"xaxis": f"x{axes}", "yaxis": f"y{axes}", "showlegend": False}
    rows, cols = np.divmod(np.arange(n_rows * len(columns)), len(columns))
    cells = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": [c - half, c + half, c + half, c - half],
            "y": [r - half, r - half, r + half, r + half],
            "fill": "toself",
            "line": {"width": 0},
            "hoverinfo": "skip",
            **where,
        }
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    ]
    numbers = {
        "type": "scatter",
        "mode": "markers+text",
        "x": cols.tolist(),
        "y": rows.tolist(),
        "marker": {"size": 30, "color": "rgba(0,0,0,0)"},  # catches the hover
        "textfont": dict(CELL_FONT),
        "hovertext": cell_names(symbol, n_rows, columns),
        "meta": CLASS_NUMBERS,
        **where,
    }
    return [*cells, numbers]


def cells_frame(
    new: NDArray,
    old: NDArray | None = None,
    numerators: NDArray | None = None,
    denominators: NDArray | None = None,
) -> list[dict[str, Any]]:
    """A table's frame update: each cell's colour (rows top first), then the numbers."""
    return [
        *({"fillcolor": cell_color(v)} for v in np.asarray(new, dtype=float).ravel().tolist()),
        {
            "text": _flat(cell_texts(new, old, numerators, denominators)),
            **hover_numbers(new, old, numerators, denominators),
        },
    ]


def _flat(rows: list[list[str]]) -> list[str]:
    return [text for row in rows for text in row]


def transition_columns(n_states: int, end: bool) -> list[str]:
    return [str(k) for k in range(1, n_states + 1)] + (["end"] if end else [])


def transitions_frame(
    after: HMMParams, before: HMMParams | None, counts: Counts | None
) -> list[dict[str, Any]]:
    """A at the parameters on screen, or (with ``before`` and ``counts``) at an M-step."""
    new = transition_rows(after)
    if before is None or counts is None:
        return cells_frame(new)
    numerators, denominators = transition_counts(counts)
    return cells_frame(new, transition_rows(before), numerators, denominators)


def categorical_frame(
    after: HMMParams, before: HMMParams | None, counts: Counts | None
) -> list[dict[str, Any]]:
    """The emission table b_k(v) at the parameters on screen, or at an M-step."""
    new = after.emissions.probs
    if before is None or counts is None:
        return cells_frame(new)
    numerators = emission_counts(after.emissions, counts.occupancy)
    return cells_frame(new, before.emissions.probs, numerators, counts.occupancy)


# --- Gaussian and Poisson emissions: a curve per state, the old one dotted ---------------


def curve_traces(n_states: int) -> list[dict[str, Any]]:
    """K solid curves (the parameters on screen) then K dotted ones (before the M-step)."""
    colors = component_colors(n_states)
    return [
        {
            "type": "scatter",
            "xaxis": "x4",
            "yaxis": "y4",
            "mode": "lines",
            "line": {"color": color, "width": width, "dash": dash},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for dash, width in (("solid", 2.5), ("dot", 1.5))
        for color in colors
    ]


def gaussian_curves(emissions: GaussianEmissions, grid: NDArray) -> list[dict[str, Any]]:
    """Each state's density over ``grid`` (one column), or its ellipse (two columns)."""
    if emissions.means.shape[1] == 1:
        variances = emissions.as_mixture().full_covariances()[:, 0, 0]
        out = []
        for mean, var in zip(emissions.means[:, 0], variances, strict=True):
            density = np.exp(-0.5 * (grid - mean) ** 2 / var) / math.sqrt(2 * math.pi * var)
            out.append({"x": np.round(grid, 5).tolist(), "y": np.round(density, 6).tolist()})
        return out
    return [
        ellipse(m[:2], c[:2, :2])
        for m, c in zip(emissions.means, emissions.as_mixture().full_covariances(), strict=True)
    ]


def ellipse(mean: NDArray, covariance: NDArray, n_sd: float = 2.0) -> dict[str, Any]:
    """The ellipse at ``n_sd`` standard deviations around ``mean``."""
    values, vectors = np.linalg.eigh(covariance)
    angle = np.linspace(0, 2 * np.pi, 73)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    points = mean[:, None] + vectors @ (n_sd * np.sqrt(np.maximum(values, 0))[:, None] * circle)
    return {"x": np.round(points[0], 5).tolist(), "y": np.round(points[1], 5).tolist()}


def poisson_curves(emissions: PoissonEmissions, top: int) -> list[dict[str, Any]]:
    """Each state's probabilities of the counts 0 … top (of the first column)."""
    counts = np.arange(top + 1)
    log_factorial = np.array([math.lgamma(c + 1.0) for c in counts])
    out = []
    for rate in emissions.rates[:, 0]:
        if rate <= 0:
            probs = (counts == 0).astype(float)
        else:
            probs = np.exp(counts * math.log(rate) - rate - log_factorial)
        out.append({"x": counts.tolist(), "y": np.round(probs, 6).tolist()})
    return out


def curves_frame(after: HMMParams, before: HMMParams | None, draw) -> list[dict[str, Any]]:
    """Solid curves of the parameters on screen; dotted ones of those before the M-step,
    empty except at an M-step. ``draw(emissions)`` gives a curve per state."""
    solid = draw(after.emissions)
    dotted = draw(before.emissions) if before is not None else [{"x": [], "y": []}] * len(solid)
    return [*solid, *dotted]
