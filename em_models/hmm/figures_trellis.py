"""The trellis panel of the hidden Markov model's chart: states × time for a window of steps.

At each node (step t, state k) two triangles: α̂_t(k) above, filled and pointing right
(the forward pass, left to right), β̂_t(k) below, open and pointing left (the backward
pass, right to left); a triangle's area is its share of the column. Between columns, the
edges j → k are bands whose thickness is ξ_t(j, k), the probability that the chain went
from j to k there. Under the nodes, the
observations, and under them γ_t: a stack per step split by the states' posteriors.

Coordinates: step t (from 0) is drawn at x = t + 1; state k (from 0) at y = K − k, so
state 1 is on top; the observations at y = OBS_Y and γ's stacks from GAMMA_BASE up by γ.
Each function returns plotly dictionaries: the static traces once; the dynamic ones once
with what never changes (where each node, band and stack stands, its colour, its hover's
name: a :class:`Grid` fixes them), and their frame updates per half-step with the numbers
alone, since every frame is sent at every click: heights to a thousandth of a row and marker
sizes to a tenth of a pixel (about a tenth of a pixel either way), hover values to DIGITS
significant digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.window import Window, WindowPosteriors
from em_viz.colors import component_colors, with_alpha
from em_viz.contrast import dark_twin, needs_casing

OBS_Y = 0.35
GAMMA_BASE = -1.05  # the γ stacks stand on this line and reach GAMMA_BASE + 1
GAMMA_HALF_WIDTH = 0.35  # a step's γ stack is 0.7 steps wide
NODE_OFFSET = 0.2  # α̂ above the state's row, β̂ below it
BAND_GAP = 0.32  # the bands start and end this far (in steps) from the nodes
MIN_MARKER_PX, MAX_MARKER_PX = 3.0, 11.0
ALPHA_SYMBOL, BETA_SYMBOL = "triangle-right", "triangle-left-open"  # the passes' directions
EDGE_MAX = 0.34  # ξ = 1 is a band this thick (in state rows)
EDGE_HIDDEN = 1e-3  # thinner bands are not drawn (no pixel would show them)
SKELETON_COLOR = "#d5d9e0"
# Hover points' heights and values (None where not drawn)
Hover = tuple[list[float | None], list[float | None]]
# The hover's values: 4 significant digits, trailing zeros dropped (d3's format, as plotly's
# hover templates write numbers).
DIGITS = 4
VALUE_FORMAT = f".{DIGITS}~g"


def state_y(n_states: int) -> NDArray[np.float64]:
    """The height of each state's row: state 1 on top."""
    return np.arange(n_states, 0, -1, dtype=np.float64)


def _marker_sizes(shares: NDArray[np.float64]) -> list[float]:
    """Marker widths whose areas grow with the shares (0 … 1)."""
    size = MIN_MARKER_PX + (MAX_MARKER_PX - MIN_MARKER_PX) * np.sqrt(np.clip(shares, 0, 1))
    return np.round(size, 1).tolist()  # a tenth of a pixel


@dataclass(frozen=True, eq=False)
class Grid:
    """Where the trellis draws: the window's nodes and the edges the chain may take.

    Attributes
    ----------
    n_states : int
    window : Window
    edges : array of shape (n_edges, 3)
        (i, j, k): the edge j → k into the window's step i (from 0), sorted by j, i, k.
        Only edges with A_jk > 0 at the start (a zero stays zero) into a step that does not
        begin a sequence (no edge enters it).
    """

    n_states: int
    window: Window
    edges: NDArray[np.intp]

    @property
    def nodes(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(window index i, state k) of every node, step by step."""
        i, k = np.divmod(np.arange(len(self.window) * self.n_states), self.n_states)
        return i, k


def trellis_grid(
    n_states: int, window: Window, allowed: NDArray[np.bool_], first_steps: set[int]
) -> Grid:
    """The trellis's nodes and edges: ``allowed[j, k]`` whether A_jk > 0; ``first_steps``
    the steps (from 0) that begin a sequence."""
    entered = [i for i, t in enumerate(window.steps) if i > 0 and t not in first_steps]
    j, k = np.nonzero(allowed)
    edges = sorted(
        ((i, a, b) for a, b in zip(j.tolist(), k.tolist(), strict=True) for i in entered),
        key=lambda edge: (edge[1], edge[0], edge[2]),
    )
    return Grid(n_states, window, np.array(edges, dtype=np.intp).reshape(-1, 3))


def _edge_ends(grid: Grid) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Each edge's x at its start and end (BAND_GAP from the nodes) and its rows' heights."""
    y = state_y(grid.n_states)
    i, j, k = grid.edges.T
    x0 = grid.window.start + i + BAND_GAP  # step t − 1 is drawn at x = t
    return x0, x0 + 1 - 2 * BAND_GAP, y[j], y[k]


def trellis_static(
    grid: Grid, observations: Sequence[str], state_names: Sequence[str]
) -> list[dict[str, Any]]:
    """The trellis's skeleton (every edge the chain may take, every node) and the row of
    observations: traces that never change."""
    x0, x1, y0, y1 = _edge_ends(grid)
    gaps = np.full_like(x0, np.nan)
    steps = [t + 1 for t in grid.window.steps]
    # labels longer than a character alternate up and down, so neighbours never overlap
    lift = 0.12 if max(map(len, observations)) > 1 else 0.0
    obs_y = [OBS_Y + (lift if t % 2 else -lift) for t in steps]
    return [
        {
            "type": "scatter",
            "x": _with_gaps(np.column_stack([x0, x1, gaps]), 3),
            "y": _with_gaps(np.column_stack([y0, y1, gaps]), 3),
            "mode": "lines",
            "line": {"color": SKELETON_COLOR, "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": steps,
            "y": obs_y,
            "mode": "text",
            "text": list(observations),
            "textfont": {"size": 11, "color": "#222"},
            "hovertext": [f"x{_sub(t)} = {o}" for t, o in zip(steps, observations, strict=True)],
            "hoverinfo": "text",
            "showlegend": False,
        },
        *(
            _legend_entry(name, "square", color)
            for color, name in zip(component_colors(grid.n_states), state_names, strict=True)
        ),
        _legend_entry("α̂ forward (above)", ALPHA_SYMBOL, "#555"),
        _legend_entry("β̂ backward (below)", BETA_SYMBOL, "#555"),
    ]


def _with_gaps(values: NDArray, decimals: int) -> list[float | None]:
    """The values row by row, rounded, with NaN as None (a gap in a line, a point not
    drawn)."""
    flat = np.round(np.asarray(values, dtype=np.float64).ravel(), decimals)
    return [None if v != v else v for v in flat.tolist()]


def _legend_entry(name: str, symbol: str, color: str) -> dict[str, Any]:
    """A legend swatch alone (the traces drawn take their colours from their states)."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": symbol, "size": 11, "color": color, "line": {"width": 1.5}},
        "name": name,
        "hoverinfo": "skip",
    }


def _hover(names: Sequence[str]) -> dict[str, Any]:
    """Each point's hover: its name (its ``text``, never drawn), then its value as the frame
    gives it (``customdata``, to DIGITS significant digits)."""
    return {
        "text": list(names),
        "hovertemplate": f"%{{text}} = %{{customdata:{VALUE_FORMAT}}}<extra></extra>",
    }


def trellis_dynamic(grid: Grid) -> list[dict[str, Any]]:
    """The traces the frames update, in the order of :func:`trellis_frame`: α̂, β̂, one
    band trace per source state j, a γ trace per state (the last first), then one trace of
    hover points, the bands' then the stacks'. What never changes is here: where each node,
    band and stack stands, its colour and its hover's name; the frames give the values."""
    bands, band_x, band_names = _band_traces(grid)
    stacks, gamma_x, gamma_names = _gamma_traces(grid)
    hover = {
        "type": "scatter",
        "mode": "markers",
        "x": [*band_x, *gamma_x],
        "marker": {"size": 9, "color": "rgba(0,0,0,0)"},
        **_hover([*band_names, *gamma_names]),
        "showlegend": False,
    }
    return [*_node_traces(grid), *bands, *stacks, hover]


def _node_traces(grid: Grid) -> list[dict[str, Any]]:
    """The nodes' triangles, in their states' colours: a filled one's edge white (apart from
    its neighbours), or its colour's darker twin where that colour shows under 3:1 on white;
    an open one is drawn in the darker twin (:func:`em_viz.contrast.with_casings`)."""
    colors = component_colors(grid.n_states)
    edges = [dark_twin(c) if needs_casing(c) else "white" for c in colors]
    i, k = grid.nodes
    steps, k = grid.window.start + i + 1, k.tolist()
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "x": steps.tolist(),
            "marker": {
                "symbol": symbol,
                "line": {"width": width, "color": [edges[kk] for kk in k]},
                "color": [colors[kk] for kk in k],
            },
            **_hover([f"{name}{_sub(t)}({kk + 1})" for t, kk in zip(steps, k, strict=True)]),
            "showlegend": False,
        }
        # the open triangle is its outline, 1.5 px; the filled one's edge 1 px
        for symbol, name, width in ((ALPHA_SYMBOL, "α̂", 1), (BETA_SYMBOL, "β̂", 1.5))
    ]


def _band_traces(grid: Grid) -> tuple[list[dict[str, Any]], list[float], list[str]]:
    """A band trace per source state j; where the bands' hover points stand (at their
    middles) and their names."""
    x0, x1, _, _ = _edge_ends(grid)
    i, j, k = grid.edges.T
    gaps = np.full_like(x0, np.nan)
    bands = [
        {
            "type": "scatter",
            "mode": "lines",
            # the band's four corners, then a gap: "toself" closes each part on its own
            "x": _with_gaps(np.column_stack([x0, x1, x1, x0, gaps])[j == source], 3),
            "fill": "toself",
            "fillcolor": with_alpha(color, 0.45),
            "line": {"width": 0, "color": color},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for source, color in enumerate(component_colors(grid.n_states))
    ]
    steps = (grid.window.start + i + 1).tolist()
    names = [f"ξ{_sub(t)}({a + 1}→{b + 1})" for t, a, b in zip(steps, j, k, strict=True)]
    return bands, np.round((x0 + x1) / 2, 3).tolist(), names


def _gamma_traces(grid: Grid) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """γ's stacks; where their hover points stand, state by state, and their names. State
    k's trace fills from the
    strip's base up to γ_t(1) + … + γ_t(k); the last state's is drawn first and state 1's
    last, so each shows its own share. Its line steps ("hv") over each step's top, back to
    the base between steps, and returns along the base: two heights a step."""
    steps = np.asarray([t + 1 for t in grid.window.steps], dtype=np.float64)
    edges = np.column_stack([steps - GAMMA_HALF_WIDTH, steps + GAMMA_HALF_WIDTH]).ravel()
    x = _with_gaps(np.append(edges, edges[0]), 3)
    colors = component_colors(grid.n_states)
    stacks = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "fill": "toself",
            "fillcolor": colors[k],
            "line": {"width": 0, "shape": "hv", "color": colors[k]},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for k in reversed(range(grid.n_states))
    ]
    k = np.repeat(np.arange(grid.n_states), len(steps)).tolist()
    x = np.tile(steps, grid.n_states).astype(int).tolist()
    return stacks, x, [f"γ{_sub(t)}({kk + 1})" for t, kk in zip(x, k, strict=True)]


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def trellis_frame(
    grid: Grid, post: WindowPosteriors, shown: tuple[int, int, int] | None = None
) -> list[dict[str, Any]]:
    """The frame update of the dynamic traces for one E-step's posteriors.

    ``shown`` = (last α̂ step, first β̂ step, first γ step), from 0: the part of each pass a
    scrub through the passes has filled (None: all of it); the rest is not drawn.
    """
    window = grid.window
    a_last, b_first, g_first = shown or (window.stop - 1, window.start, window.start)
    steps = np.arange(window.start, window.stop)
    beta_share = post.beta / post.beta.sum(axis=1, keepdims=True)
    bands, (band_y, band_values) = _bands(grid, post, steps >= g_first)
    stacks, (gamma_y, gamma_values) = _gamma_stacks(post, steps >= g_first)
    return [
        _node_markers(grid, post.alpha, post.alpha, steps <= a_last, NODE_OFFSET),
        _node_markers(grid, post.beta, beta_share, steps >= b_first, -NODE_OFFSET),
        *bands,
        *stacks,
        {"y": [*band_y, *gamma_y], "customdata": [*band_values, *gamma_values]},
    ]


def _node_markers(
    grid: Grid, values: NDArray, shares: NDArray, keep: NDArray, dy: float
) -> dict[str, Any]:
    """Each node's triangle: its height (none where the pass has not reached it), its size
    and its value."""
    i, k = grid.nodes
    y = np.where(keep[i], state_y(grid.n_states)[k] + dy, np.nan)
    return {
        "y": _with_gaps(y, 3),
        "marker": {"size": _marker_sizes(shares[i, k])},
        "customdata": _values(values[i, k], keep[i]),
    }


def _values(values: NDArray, keep: NDArray) -> list[float | None]:
    """The values to the digits the hover writes (None where not drawn)."""
    return [
        float(f"{v:.{DIGITS}g}") if kept else None
        for v, kept in zip(values.tolist(), keep.tolist(), strict=True)
    ]


def _bands(grid: Grid, post: WindowPosteriors, keep: NDArray) -> tuple[list[dict[str, Any]], Hover]:
    """One trace per source state j: a filled band from (t − 1, j) to (t, k) of thickness
    EDGE_MAX · ξ_t(j, k) (none below EDGE_HIDDEN, which no pixel would show); and the
    heights and values of the bands' hover points, at their middles."""
    i, j, k = grid.edges.T
    xi = post.xi[i, j, k]
    drawn = keep[i] & (xi >= EDGE_HIDDEN)
    half = np.where(drawn, EDGE_MAX * xi / 2, 0.0)
    _, _, y0, y1 = _edge_ends(grid)
    corners = np.column_stack(
        [y0 - half, y1 - half, y1 + half, y0 + half, np.full_like(y0, np.nan)]
    )
    bands = [{"y": _with_gaps(corners[j == source], 3)} for source in range(grid.n_states)]
    middle = np.where(drawn, (y0 + y1) / 2, np.nan)
    return bands, (_with_gaps(middle, 3), _values(xi, drawn))


def _gamma_stacks(post: WindowPosteriors, keep: NDArray) -> tuple[list[dict[str, Any]], Hover]:
    """γ_t(k) stacked, state 1 at the bottom of each step's stack: the tops Σ_{l≤k} γ_t(l)
    above GAMMA_BASE, the last state's first (at the base where not shown; see
    :func:`_gamma_traces`); and the heights and values of the hover points, at the shares'
    middles."""
    gamma = post.gamma
    shown = np.broadcast_to(keep[:, None], gamma.shape)
    top = np.where(shown, GAMMA_BASE + np.cumsum(gamma, axis=1), GAMMA_BASE)
    base = np.full(len(gamma), GAMMA_BASE)
    stacks = [
        {"y": _with_gaps(np.append(np.column_stack([top[:, k], base]), GAMMA_BASE), 3)}
        for k in reversed(range(gamma.shape[1]))
    ]
    middles = _with_gaps(np.where(shown, top - gamma / 2, np.nan).T, 3)
    return stacks, (middles, _values(gamma.T.ravel(), shown.T.ravel()))


def trellis_axes(n_states: int, window: Window, state_names: Sequence[str], step: str) -> dict:
    """The trellis panel's axes: steps along x, the states' rows, x_t and γ_t along y."""
    y = state_y(n_states)
    return {
        "xaxis": {
            "title": {"text": f"{step} t"},
            "range": [window.start + 0.4, window.stop + 0.6],
            "tickformat": "d",
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": "state", "standoff": 4},
            "tickvals": [*y.tolist(), OBS_Y, GAMMA_BASE + 0.5],
            "ticktext": [*state_names, "xₜ", "γₜ"],
            "range": [GAMMA_BASE - 0.1, n_states + 0.5],
            "showgrid": False,
            "zeroline": False,
        },
    }
