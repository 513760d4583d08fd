"""Choosing K: BIC and AIC against K with the best of each marked, the best log-likelihood
per K beside them, and the tables of the sweep and of the parameter count.

Both criteria are scikit-learn's, lower is better: BIC = −2ℓ + p log N, AIC = −2ℓ + 2p.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.selection import SelectionRow
from em_viz.colors import PALETTE
from em_viz.contrast import cased_figure
from em_viz.figures_common import LEGEND_ROW_PX, MIN_NARROW_PX, MIN_WIDE_PX, legend_rows
from em_viz.style import LEGEND_UNDER_PLOT, TEMPLATE

BIC_COLOR, AIC_COLOR, LL_COLOR = PALETTE[0], PALETTE[1], "#222222"
MARGIN = {"l": 70, "r": 20, "t": 30, "b": 60}


def is_nearly_collapsed(row: SelectionRow) -> bool:
    """Whether the row's best fit has a nearly collapsed component (about one point, or
    held up by the ridge; :func:`em_models.mixture.diagnostics.nearly_collapsed`)."""
    best = row.best
    return best is not None and bool(nearly_collapsed(best.final, best.model.ridge_diagonal))


def best_k(rows: Sequence[SelectionRow], score: str) -> int | None:
    """The K with the lowest ``score`` ("bic" or "aic"), None if no K has one."""
    scored = [row for row in rows if getattr(row, score) is not None]
    return min(scored, key=lambda row: getattr(row, score)).n_components if scored else None


def selection_figure(rows: Sequence[SelectionRow], *, narrow: bool = False) -> go.Figure:
    """BIC and AIC against K (the lowest of each ringed), and ℓ against K beside them.

    Parameters
    ----------
    rows : sequence of SelectionRow
        From :func:`em_models.mixture.selection.select_n_components`.
    narrow : bool, default False
        Put the log-likelihood panel under the criteria instead of beside them.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if narrow:
        fig = make_subplots(rows=2, cols=1, vertical_spacing=0.18)
        ll_cell = {"row": 2, "col": 1}
    else:
        fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.12)
        ll_cell = {"row": 1, "col": 2}
    for score, name, color in (("bic", "BIC", BIC_COLOR), ("aic", "AIC", AIC_COLOR)):
        for trace in _criterion(rows, score, name, color):
            fig.add_trace(trace, row=1, col=1)
    for trace in _best_log_likelihoods(rows):
        fig.add_trace(trace, **ll_cell)
    _style(fig, ll_cell, narrow=narrow)
    return cased_figure(fig)


def _criterion(rows: Sequence[SelectionRow], score: str, name: str, color: str) -> list[go.Scatter]:
    """The criterion ``score`` against K, and a ring on its lowest (if any K has one)."""
    ks = [row.n_components for row in rows]
    traces = [
        go.Scatter(
            x=ks,
            y=[getattr(row, score) for row in rows],
            mode="lines+markers",
            name=name,
            line={"color": color, "width": 2.5},
            hovertemplate=f"K = %{{x}}<br>{name} = %{{y:,.2f}}<extra></extra>",
        )
    ]
    k = best_k(rows, score)
    if k is not None:
        traces.append(
            go.Scatter(
                x=[k],
                y=[getattr(rows[ks.index(k)], score)],
                mode="markers",
                name=f"lowest {name}: K = {k}",
                marker={"size": 18, "symbol": "circle-open", "color": color, "line": {"width": 3}},
                hovertemplate=f"lowest {name}: K = %{{x}}<extra></extra>",
            )
        )
    return traces


def _best_log_likelihoods(rows: Sequence[SelectionRow]) -> list[go.Scatter]:
    """The best ℓ against K, and a cross on each K whose best fit is nearly collapsed."""
    traces = [
        go.Scatter(
            x=[row.n_components for row in rows],
            y=[row.log_likelihood for row in rows],
            mode="lines+markers",
            name="best log-likelihood ℓ",
            line={"color": LL_COLOR, "width": 2},
            hovertemplate="K = %{x}<br>ℓ = %{y:,.2f}<extra></extra>",
        )
    ]
    collapsed = [row for row in rows if is_nearly_collapsed(row)]
    if collapsed:
        traces.append(
            go.Scatter(
                x=[row.n_components for row in collapsed],
                y=[row.log_likelihood for row in collapsed],
                mode="markers",
                name="nearly collapsed",
                marker={"size": 14, "symbol": "x", "color": "#c0392b"},
                hovertemplate="K = %{x}: nearly collapsed<extra></extra>",
            )
        )
    return traces


def _style(fig: go.Figure, ll_cell: dict[str, int], *, narrow: bool) -> None:
    """The axes' titles, and the legend under both panels with the rows it needs."""
    fig.update_xaxes(title_text="number of components K", dtick=1)
    fig.update_yaxes(title_text="criterion (lower is better)", row=1, col=1)
    fig.update_yaxes(title_text="best log-likelihood ℓ (higher is better)", **ll_cell)
    # Each y title stands clear of its tick labels, however wide the values make them.
    fig.update_yaxes(automargin=True)
    # The legend under both panels, below the last x title, with the rows it needs at the
    # narrowest width of its layout.
    narrowest = (MIN_NARROW_PX if narrow else MIN_WIDE_PX) - MARGIN["l"] - MARGIN["r"]
    rows = legend_rows([t.to_plotly_json() for t in fig.data], narrowest)
    fig.update_layout(
        template=TEMPLATE,
        height=(620 if narrow else 420) + LEGEND_ROW_PX * rows,
        margin={**MARGIN, "b": MARGIN["b"] + LEGEND_ROW_PX * rows},
        legend=LEGEND_UNDER_PLOT,
    )


def selection_table(rows: Sequence[SelectionRow]) -> pd.DataFrame:
    """One line per K: p, ℓ, BIC, AIC, and whether the best fit is nearly collapsed."""
    return pd.DataFrame(
        {
            "K": [row.n_components for row in rows],
            "parameters p": [row.n_parameters for row in rows],
            "best log-likelihood ℓ": [row.log_likelihood for row in rows],
            "BIC": [row.bic for row in rows],
            "AIC": [row.aic for row in rows],
            "nearly collapsed": ["yes" if is_nearly_collapsed(row) else "" for row in rows],
        }
    )


def parameter_count_table(n_components: int, n_features: int) -> pd.DataFrame:
    """How p is made for each covariance type, with its value at this K and d."""
    k, d = n_components, n_features
    shared = (k - 1) + k * d
    parts = {
        "full": ("K · d(d+1)/2", k * d * (d + 1) // 2),
        "tied": ("d(d+1)/2", d * (d + 1) // 2),
        "diag": ("K · d", k * d),
        "spherical": ("K", k),
    }
    return pd.DataFrame(
        {
            "covariance type": list(parts),
            "weights": ["K − 1"] * 4,
            "means": ["K · d"] * 4,
            "covariances": [formula for formula, _ in parts.values()],
            f"p at K = {k}, d = {d}": [shared + count for _, count in parts.values()],
        }
    )
