"""LDA's inner loop, sweep by sweep: one E-step of variational EM run again from the
engine's state with the topics held fixed, keeping what each sweep did (the engine keeps only
where each document stopped and how many sweeps it took), and its chart and table.

A sweep updates every document still going, as :func:`em_models.topics.lda.engine.
update_documents` does: γ_d ← α + Σ_w n(d, w) φ_dw, with φ from the γ before the sweep; a
document stops once the mean |Δγ_d| of a sweep (over its topics) is below the inner tol.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from em_models.topics.lda import engine as lda
from em_models.topics.special import dirichlet_expectation
from em_models.topics.steps import TopicSteps
from em_viz.colors import component_colors, text_color
from em_viz.contrast import cased_figure


@dataclass(frozen=True, eq=False)
class InnerLoop:
    """E-step ``t`` + 1's inner loop (on θ_t) for document ``document`` (from 0).

    ``gamma[s]`` is the document's γ after s sweeps (row 0: where it starts);
    ``change[s - 1]`` its mean |Δγ| at sweep s (NaN once it has stopped); ``mean_change[s - 1]``
    the mean of that change over the documents that ran sweep s, ``going[s - 1]`` how many
    they were; ``stopped`` the document's own number of sweeps.
    """

    t: int
    document: int
    gamma: NDArray[np.float64]
    change: NDArray[np.float64]
    mean_change: NDArray[np.float64]
    going: NDArray[np.int64]
    stopped: int
    tol: float

    @property
    def n_sweeps(self) -> int:
        return self.change.size


def inner_loop(steps: TopicSteps, t: int, document: int) -> InnerLoop:
    """The inner loop of E-step t + 1 from the run's θ_t, every sweep kept."""
    params = steps.trace.snapshots[t].params
    model = steps.trace.model
    beta = np.exp(dirichlet_expectation(params.topic_word))
    gamma = np.array(params.doc_topic)
    live = np.ones(gamma.shape[0], dtype=bool)
    path, change, mean_change, going = [gamma[document].copy()], [], [], []
    for _ in range(model.inner_max_iter):
        new, _ = lda.update_documents(steps.corpus, beta, model.alpha, gamma, 1, model.inner_tol)
        moved = np.abs(new - gamma).mean(axis=1)
        gamma[live] = new[live]
        change.append(moved[document] if live[document] else np.nan)
        mean_change.append(moved[live].mean())
        going.append(np.count_nonzero(live))
        path.append(gamma[document].copy())
        live &= moved >= model.inner_tol
        if not live.any():
            break
    change = np.array(change)
    return InnerLoop(
        t,
        document,
        np.array(path),
        change,
        np.array(mean_change),
        np.array(going),
        int(np.count_nonzero(~np.isnan(change))),
        model.inner_tol,
    )


def inner_loop_table(loop: InnerLoop) -> pd.DataFrame:
    """A row per sweep (0: the start): the document's change and γ, and the documents still
    going with their mean change; the chart's text alternative."""
    d = loop.document + 1
    frame = pd.DataFrame(
        {
            "Sweep": np.arange(loop.n_sweeps + 1),
            f"Mean |Δγ|, document {d}": [np.nan, *loop.change],
            "Mean |Δγ|, all documents going": [np.nan, *loop.mean_change],
            "Documents going": [loop.going[0], *loop.going],
        }
    )
    for z in range(loop.gamma.shape[1]):
        frame[f"γ topic {z + 1}"] = np.round(loop.gamma[:, z], 4)
    for column in frame.columns[1:3]:
        frame[column] = frame[column].map(lambda v: "" if np.isnan(v) else f"{v:.3g}")
    return frame


def inner_loop_figure(loop: InnerLoop, sweep: int, *, narrow: bool) -> go.Figure:
    """Left (narrow: top): each sweep's mean |Δγ| on a log axis, the document's and the mean
    over the documents going, with the inner tol; right: the document's γ per topic. The
    chosen ``sweep`` is marked on both."""
    rows, cols = (2, 1) if narrow else (1, 2)
    fig = make_subplots(rows, cols, vertical_spacing=0.2, horizontal_spacing=0.12)
    sweeps = np.arange(1, loop.n_sweeps + 1)
    d = loop.document + 1
    for name, values, style in (
        (f"document {d}", loop.change, {"color": "#111", "width": 2}),
        ("mean over the documents going", loop.mean_change, {"color": "#888", "dash": "dot"}),
    ):
        fig.add_scatter(
            x=sweeps, y=values, name=name, mode="lines", line=style, row=1, col=1,
            hovertemplate="sweep %{x}: %{y:.3g}<extra></extra>",
        )  # fmt: skip
    fig.add_hline(y=loop.tol, line={"dash": "dash", "color": "#888", "width": 1}, row=1, col=1)
    fig.add_annotation(  # at log10(tol): a log axis places annotations by exponent
        x=loop.n_sweeps, y=np.log10(loop.tol), text=f"tol = {loop.tol:g}", showarrow=False,
        xanchor="right", yanchor="top", font={"color": "#555", "size": 11}, row=1, col=1,
    )  # fmt: skip
    colors = component_colors(loop.gamma.shape[1])
    second = (2, 1) if narrow else (1, 2)
    top = loop.gamma.max(axis=0)
    for z in range(loop.gamma.shape[1]):
        # Topics far below the largest γ sit on the floor α together: only the others named,
        # where their γ is largest.
        text = [""] * (loop.n_sweeps + 1)
        if top[z] >= 0.05 * top.max():
            text[int(np.argmax(loop.gamma[:, z]))] = f"topic {z + 1}"
        fig.add_scatter(
            x=np.arange(loop.n_sweeps + 1), y=loop.gamma[:, z], showlegend=False,
            mode="lines+text", line={"color": colors[z], "width": 2}, text=text,
            textposition="top right", textfont={"color": text_color(colors[z])},
            row=second[0], col=second[1],
            hovertemplate=f"topic {z + 1}, sweep %{{x}}: γ = %{{y:.4g}}<extra></extra>",
        )  # fmt: skip
    for row, col in ((1, 1), second):
        fig.add_vline(x=sweep, line={"color": "#111", "width": 1.5}, row=row, col=col)
    fig.update_yaxes(
        type="log", dtick=1, title_text="mean |Δγ|", exponentformat="power", row=1, col=1
    )
    fig.update_yaxes(title_text=f"γ of document {d}", row=second[0], col=second[1])
    fig.update_xaxes(title_text="sweep", range=[-0.5, loop.n_sweeps + 0.5])
    fig.update_layout(
        margin={"t": 20, "l": 10, "r": 10, "b": 40},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        template="plotly_white",
        height=560 if narrow else 360,
    )
    return cased_figure(fig)
