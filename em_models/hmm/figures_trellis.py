"""The trellis panel of the hidden Markov model's chart: states × time for a window of steps.

At each node (step t, state k) two triangles: α̂_t(k) above, filled and pointing right
(the forward pass, left to right), β̂_t(k) below, open and pointing left (the backward
pass, right to left); a triangle's area is its share of the column. Between columns, the
edges j → k are bands whose thickness is ξ_t(j, k), the probability that the chain went
from j to k there. Under the nodes, the
observations, and under them γ_t: a bar per step split by the states' posteriors.

Coordinates: step t (from 0) is drawn at x = t + 1; state k (from 0) at y = K − k, so
state 1 is on top; the observations at y = OBS_Y and γ's bars from GAMMA_BASE up by γ.
Each function returns plotly dictionaries: the static traces once, the dynamic ones' frame
updates per half-step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.window import Window, WindowPosteriors
from em_viz.colors import component_colors, with_alpha

OBS_Y = 0.35
GAMMA_BASE = -1.05  # the γ bars stand on this line and reach GAMMA_BASE + 1
NODE_OFFSET = 0.2  # α̂ above the state's row, β̂ below it
BAND_GAP = 0.32  # the bands start and end this far (in steps) from the nodes
MIN_MARKER_PX, MAX_MARKER_PX = 3.0, 11.0
ALPHA_SYMBOL, BETA_SYMBOL = "triangle-right", "triangle-left-open"  # the passes' directions
EDGE_MAX = 0.34  # ξ = 1 is a band this thick (in state rows)
EDGE_HIDDEN = 1e-3  # thinner bands are not drawn (no pixel would show them)
SKELETON_COLOR = "#d5d9e0"


def state_y(n_states: int) -> NDArray[np.float64]:
    """The height of each state's row: state 1 on top."""
    return np.arange(n_states, 0, -1, dtype=np.float64)


def _marker_sizes(shares: NDArray[np.float64]) -> list[float]:
    """Marker widths whose areas grow with the shares (0 … 1)."""
    size = MIN_MARKER_PX + (MAX_MARKER_PX - MIN_MARKER_PX) * np.sqrt(np.clip(shares, 0, 1))
    return np.round(size, 2).tolist()


def _g(value: float) -> str:
    return f"{value:.4g}".replace("-", "−")


def trellis_static(
    n_states: int,
    window: Window,
    observations: Sequence[str],
    allowed: NDArray[np.bool_],
    state_names: Sequence[str],
    first_steps: set[int],
) -> list[dict[str, Any]]:
    """The trellis's skeleton (every edge the chain may take, every node) and the row of
    observations: traces that never change.

    ``allowed[j, k]``: whether A_jk > 0 (a zero stays zero, so its edge is never drawn);
    ``first_steps``: steps (from 0) that begin a sequence (no edge enters them).
    """
    y = state_y(n_states)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for t in window.steps:
        if t == window.start or t in first_steps:
            continue
        for j, k in zip(*np.nonzero(allowed), strict=True):
            xs += [t + BAND_GAP, t + 1 - BAND_GAP, None]
            ys += [float(y[j]), float(y[k]), None]
    steps = [t + 1 for t in window.steps]
    # labels longer than a character alternate up and down, so neighbours never overlap
    lift = 0.12 if max(map(len, observations)) > 1 else 0.0
    obs_y = [OBS_Y + (lift if t % 2 else -lift) for t in steps]
    return [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
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
            for color, name in zip(component_colors(n_states), state_names, strict=True)
        ),
        _legend_entry("α̂ forward (above)", ALPHA_SYMBOL, "#555"),
        _legend_entry("β̂ backward (below)", BETA_SYMBOL, "#555"),
    ]


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


def trellis_dynamic(n_states: int) -> list[dict[str, Any]]:
    """The traces the frames update, in the order of :func:`trellis_frame`: α̂, β̂, one
    band trace per source state j, the bands' hover points, one γ bar trace per state."""
    colors = component_colors(n_states)
    markers = [
        {
            "type": "scatter",
            "mode": "markers",
            "marker": {"symbol": symbol, "line": {"width": 1.5}},
            "hoverinfo": "text",
            "showlegend": False,
        }
        for symbol in (ALPHA_SYMBOL, BETA_SYMBOL)
    ]
    bands = [
        {
            "type": "scatter",
            "mode": "lines",
            "fill": "toself",
            "fillcolor": with_alpha(color, 0.45),
            "line": {"width": 0, "color": color},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for color in colors
    ]
    band_hover = {
        "type": "scatter",
        "mode": "markers",
        "marker": {"size": 9, "color": "rgba(0,0,0,0)"},
        "hoverinfo": "text",
        "showlegend": False,
    }
    bars = [
        {
            "type": "bar",
            "width": 0.7,
            "marker": {"color": color, "line": {"width": 0}},
            "hoverinfo": "text",
            "showlegend": False,
        }
        for color in colors
    ]
    return [*markers, *bands, band_hover, *bars]


def _sub(t: int) -> str:
    return str(t).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def empty_trellis(n_states: int) -> list[dict[str, Any]]:
    """The frame update before any E-step: nothing computed yet."""
    markers = [{"x": [], "y": [], "marker": {"size": [], "color": []}, "hovertext": []}] * 2
    bands = [{"x": [], "y": []}] * n_states
    return [*markers, *bands, {"x": [], "y": [], "hovertext": []}, *empty_bars(n_states)]


def empty_bars(n_states: int) -> list[dict[str, Any]]:
    return [{"x": [], "y": [], "base": [], "hovertext": []}] * n_states


def trellis_frame(
    post: WindowPosteriors, shown: tuple[int, int, int] | None = None
) -> list[dict[str, Any]]:
    """The frame update of the dynamic traces for one E-step's posteriors.

    ``shown`` = (last α̂ step, first β̂ step, first γ step), from 0: the part of each pass a
    scrub through the passes has filled (None: all of it).
    """
    window = post.window
    a_last, b_first, g_first = shown or (window.stop - 1, window.start, window.start)
    steps = np.arange(window.start, window.stop)
    beta_share = post.beta / post.beta.sum(axis=1, keepdims=True)
    return [
        _node_markers(post.alpha, post.alpha, steps <= a_last, steps, NODE_OFFSET, "α̂"),
        _node_markers(post.beta, beta_share, steps >= b_first, steps, -NODE_OFFSET, "β̂"),
        *_bands(post, steps >= max(g_first, window.start + 1)),
        *_gamma_bars(post, steps >= g_first),
    ]


def _node_markers(
    values: NDArray, shares: NDArray, keep: NDArray, steps: NDArray, dy: float, symbol: str
) -> dict[str, Any]:
    K = values.shape[1]
    y = state_y(K)
    colors = component_colors(K)
    t_idx, k_idx = np.nonzero(np.broadcast_to(keep[:, None], values.shape))
    return {
        "x": (steps[t_idx] + 1).tolist(),
        "y": (y[k_idx] + dy).tolist(),
        "marker": {
            "size": _marker_sizes(shares[t_idx, k_idx]),
            "color": [colors[k] for k in k_idx.tolist()],
        },
        "hovertext": [
            f"{symbol}{_sub(int(steps[t]) + 1)}({k + 1}) = {_g(values[t, k])}"
            for t, k in zip(t_idx.tolist(), k_idx.tolist(), strict=True)
        ],
    }


def _bands(post: WindowPosteriors, keep: NDArray) -> list[dict[str, Any]]:
    """One trace per source state j: a filled band from (t − 1, j) to (t, k) of thickness
    EDGE_MAX · ξ_t(j, k); and the hover points at the bands' middles."""
    K = post.xi.shape[1]
    y = state_y(K)
    traces = []
    hover_x: list[float] = []
    hover_y: list[float] = []
    hover_text: list[str] = []
    for j in range(K):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for i, t in enumerate(post.window.steps):
            if not keep[i]:
                continue
            for k in range(K):
                xi = float(post.xi[i, j, k])
                if xi < EDGE_HIDDEN:
                    continue
                half = EDGE_MAX * xi / 2
                x0, x1 = t + BAND_GAP, t + 1 - BAND_GAP
                y0, y1 = float(y[j]), float(y[k])
                xs += [x0, x1, x1, x0, x0, None]
                ys += [round(v, 4) for v in (y0 - half, y1 - half, y1 + half, y0 + half, y0 - half)]
                ys.append(None)
                hover_x.append(round((x0 + x1) / 2, 3))
                hover_y.append((y0 + y1) / 2)
                hover_text.append(f"ξ{_sub(t + 1)}({j + 1}→{k + 1}) = {_g(xi)}")
        traces.append({"x": xs, "y": ys})
    return [*traces, {"x": hover_x, "y": hover_y, "hovertext": hover_text}]


def _gamma_bars(post: WindowPosteriors, keep: NDArray) -> list[dict[str, Any]]:
    """γ_t(k) as stacked bars: state 1 at the bottom of each step's bar."""
    steps = np.arange(post.window.start, post.window.stop)[keep]
    gamma = post.gamma[keep]
    below = np.cumsum(gamma, axis=1) - gamma
    return [
        {
            "x": (steps + 1).tolist(),
            "y": np.round(gamma[:, k], 5).tolist(),
            "base": np.round(GAMMA_BASE + below[:, k], 5).tolist(),
            "hovertext": [
                f"γ{_sub(int(t) + 1)}({k + 1}) = {_g(g)}"
                for t, g in zip(steps, gamma[:, k], strict=True)
            ],
        }
        for k in range(gamma.shape[1])
    ]


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
