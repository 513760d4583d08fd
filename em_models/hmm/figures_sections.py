"""Figures of the hidden Markov model page's three short sections.

1. Why scaling is needed (:func:`scaling_figure`): the forward recursion without scaling,
   α_t = (α_{t−1} A) ∘ b_t in float64, gives p(x_1 … x_t) = Σ_k α_t(k); drawn as log10 of
   it against t beside the scaled pass's Σ_{s ≤ t} log10 c_s. On a long sequence the raw
   values reach 0 (double precision ends near 10⁻³²⁴) and the raw line stops there.
2. The mixture as an HMM that forgets (:func:`forgetting_figure`): the learned A beside
   the matrix whose rows are all the mixture's weights, with the ℓ of each.
3. The most likely state per step against the most likely path (:func:`decoding_figure`),
   the steps where they differ marked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_models.hmm.figures_mstep import CELL_FONT, CELL_SCALE
from em_viz.colors import component_colors
from em_viz.contrast import cased_figure
from em_viz.style import TEMPLATE

RAW_COLOR, SCALED_COLOR, ZERO_COLOR = "#0077bb", "#222222", "#cc3311"
LOG10_E = float(np.log10(np.e))


def unscaled_forward(
    startprob: NDArray[np.float64], transmat: NDArray[np.float64], emission: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Σ_k α_t(k) = p(x_1 … x_t) for every t by the unscaled recursion in float64, exactly
    as a program without scaling computes it (it reaches 0 when the values underflow).

    ``emission``: b_t(k), shape (n_steps, n_states).
    """
    totals = np.empty(emission.shape[0])
    alpha = startprob * emission[0]
    totals[0] = alpha.sum()
    for t in range(1, emission.shape[0]):
        alpha = (alpha @ transmat) * emission[t]
        totals[t] = alpha.sum()
    return totals


def first_zero(totals: NDArray[np.float64]) -> int | None:
    """The first step (from 0) where the unscaled p(x_1 … x_t) is 0, or None."""
    zeros = np.flatnonzero(totals == 0)
    return int(zeros[0]) if zeros.size else None


def _scaling_panel(
    totals: NDArray, log_scale: NDArray, axes: str, name: str
) -> list[dict[str, Any]]:
    steps = np.arange(1, totals.size + 1)
    with np.errstate(divide="ignore"):
        raw = np.log10(totals)
    raw_y = [None if not np.isfinite(v) else round(float(v), 4) for v in raw]
    scaled = np.cumsum(log_scale) * LOG10_E
    traces = [
        {
            "type": "scatter",
            "xaxis": f"x{axes}",
            "yaxis": f"y{axes}",
            "x": steps.tolist(),
            "y": np.round(scaled, 4).tolist(),
            "mode": "lines",
            "line": {"color": SCALED_COLOR, "width": 2, "dash": "dot"},
            "name": "scaled: Σ log₁₀ cₜ",
            "showlegend": axes == "",
        },
        {
            "type": "scatter",
            "xaxis": f"x{axes}",
            "yaxis": f"y{axes}",
            "x": steps.tolist(),
            "y": raw_y,
            "mode": "lines",
            "line": {"color": RAW_COLOR, "width": 3},
            "name": "unscaled: log₁₀ Σₖ αₜ(k) in float64",
            "showlegend": axes == "",
        },
    ]
    zero = first_zero(totals)
    if zero is not None:
        traces.append(
            {
                "type": "scatter",
                "xaxis": f"x{axes}",
                "yaxis": f"y{axes}",
                "x": [zero + 1],
                "y": [round(float(scaled[zero]), 4)],
                "mode": "markers+text",
                "marker": {"symbol": "x", "size": 12, "color": ZERO_COLOR},
                "text": [f"{name} {zero + 1}: the raw α's are all 0"],
                "textposition": "top left",
                "name": "where float64 gives 0",
                "showlegend": False,
            }
        )
    return traces


def scaling_figure(
    short: tuple[NDArray, NDArray],
    long: tuple[NDArray, NDArray],
    *,
    names: tuple[str, str] = ("day", "roll"),
    titles: tuple[str, str] = ("Ice cream, 33 days", "A long sequence"),
) -> go.Figure:
    """Two panels, each log10 p(x_1 … x_t) against t: unscaled (float64) and scaled.

    ``short`` and ``long``: (unscaled totals from :func:`unscaled_forward`, log c_t of the
    engine's scaled pass) of each sequence.
    """
    data = [
        *_scaling_panel(*short, "", names[0]),
        *_scaling_panel(*long, "2", names[1]),
    ]
    layout = {
        "template": TEMPLATE,
        "title": {"text": "Why the forward pass is scaled: p(x₁ … xₜ) shrinks with every step"},
        "xaxis": {"domain": [0, 0.42], "title": {"text": f"{names[0]} t"}},
        "yaxis": {"title": {"text": "log₁₀ p(x₁ … xₜ)"}},
        "xaxis2": {"domain": [0.55, 1], "anchor": "y2", "title": {"text": f"{names[1]} t"}},
        "yaxis2": {"anchor": "x2", "title": {"text": "log₁₀ p(x₁ … xₜ)"}},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 420,
        "margin": {"t": 70, "b": 110, "l": 70, "r": 20},
        "annotations": [
            _panel_title(titles[0], 0.0),
            _panel_title(titles[1], 0.55),
        ],
    }
    return cased_figure(go.Figure(data=data, layout=layout))


def _panel_title(text: str, x: float) -> dict[str, Any]:
    return {
        "text": f"<b>{text}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": x,
        "y": 1.0,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
    }


def forgetting_figure(
    transmat: NDArray[np.float64],
    hmm_log_likelihood: float,
    weights: NDArray[np.float64],
    mixture_log_likelihood: float,
) -> go.Figure:
    """The HMM's learned A beside the A of the mixture seen as an HMM (every row its
    weights: the next state does not depend on this one), each titled with its ℓ."""
    K = transmat.shape[0]
    labels = [str(k) for k in range(1, K + 1)]
    equal = np.tile(weights, (K, 1))
    data = []
    for axes, matrix in (("", transmat), ("2", equal)):
        data.append(
            {
                "type": "heatmap",
                "xaxis": f"x{axes}",
                "yaxis": f"y{axes}",
                "x": labels,
                "y": labels,
                "z": np.round(matrix, 6).tolist(),
                "text": [[f"{v:.3g}" for v in row] for row in matrix],
                "texttemplate": "%{text}",
                "textfont": CELL_FONT,
                "zmin": 0,
                "zmax": 1,
                "colorscale": CELL_SCALE,
                "showscale": False,
                "hovertemplate": "from %{y} to %{x}: %{z}<extra></extra>",
                "xgap": 2,
                "ygap": 2,
            }
        )
    heat_y = {"type": "category", "autorange": "reversed", "title": {"text": "from state j"}}
    heat_x = {"type": "category", "title": {"text": "to state k"}}
    layout = {
        "template": TEMPLATE,
        "title": {"text": "The transitions an HMM learns, and those of a mixture"},
        "xaxis": {**heat_x, "domain": [0, 0.42]},
        "yaxis": heat_y,
        "xaxis2": {**heat_x, "domain": [0.58, 1], "anchor": "y2"},
        "yaxis2": {**heat_y, "anchor": "x2"},
        "height": 380,
        "margin": {"t": 100, "b": 60, "l": 70, "r": 20},
        "annotations": [
            _panel_title(f"HMM: ℓ = {hmm_log_likelihood:.2f}".replace("-", "−"), 0.0),
            _panel_title(
                f"Mixture (rows = weights): ℓ = {mixture_log_likelihood:.2f}".replace("-", "−"),
                0.58,
            ),
        ],
    }
    return cased_figure(go.Figure(data=data, layout=layout))


def decoding_figure(
    posterior: NDArray[np.intp],
    viterbi: NDArray[np.intp],
    n_states: int,
    *,
    truth: NDArray[np.intp] | None = None,
    step: str = "step",
    state_names: Sequence[str] | None = None,
) -> go.Figure:
    """A row per decoding (and the truth, when known): each step coloured by its state;
    a mark above the steps where the posterior's state and Viterbi's differ."""
    rows = [("most likely state (γ)", posterior), ("most likely path (Viterbi)", viterbi)]
    if truth is not None:
        rows.append(("true state", truth))
    colors = component_colors(n_states)
    names = state_names or [str(k) for k in range(1, n_states + 1)]
    steps = np.arange(1, posterior.size + 1)
    data: list[dict[str, Any]] = []
    for k in range(n_states):
        xs, ys = [], []
        for label, states in rows:
            picked = steps[states == k]
            xs += picked.tolist()
            ys += [label] * picked.size
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "markers",
                "marker": {
                    "symbol": "line-ns",
                    "size": 18,
                    "line": {"width": 3, "color": colors[k]},
                },
                "name": f"state {names[k]}",
                "hovertemplate": f"{step} %{{x}}: state {names[k]}<extra>%{{y}}</extra>",
            }
        )
    differ = steps[posterior != viterbi]
    data.append(
        {
            "type": "scatter",
            "x": differ.tolist(),
            "y": ["they differ"] * differ.size,
            "mode": "markers",
            "marker": {"symbol": "triangle-down", "size": 9, "color": "#cc3311"},
            "name": f"differ ({differ.size} {step}s)",
            "hovertemplate": f"{step} %{{x}}: the two decodings differ<extra></extra>",
        }
    )
    order = ["they differ", *(label for label, _ in rows)]
    layout = {
        "template": TEMPLATE,
        "title": {"text": f"Each {step}'s most likely state, and the most likely path"},
        "xaxis": {"title": {"text": f"{step} t"}},
        "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
        "legend": {"orientation": "h", "y": -0.35},
        "height": 300,
        "margin": {"t": 60, "b": 110, "l": 190, "r": 20},
    }
    return cased_figure(go.Figure(data=data, layout=layout))
