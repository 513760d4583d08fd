"""pLSA beside LDA on the same documents: each model's final topics matched topic to topic
and drawn in two rows (the bars: each topic a 5 × 5 image; a text: its likeliest words with
a bar each), what the Dirichlet priors changed measured on the two runs, and the tables of
the same numbers.

The matching pairs each topic of the first run with one of the second's so that the total
of their total-variation distances, ½ Σ_w |P(w | z) − P(w | z')|, is smallest (exact, by
dynamic programming over the subsets of the second run's topics: K ≤ 10 here).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from em_core import Trace
from em_models.topics.corpus import Corpus
from em_models.topics.figures import image_side
from em_models.topics.fits import DEFAULT_PRIOR
from em_models.topics.steps import TopicSteps
from em_viz.contrast import cased_figure
from em_viz.figures_common import user_text
from em_viz.halfstep import half_step, n_half_steps

BAR_WORDS = 5  # a text topic's words drawn
GAP_PX = 48  # between rows of panels: room for a title of two lines
PER_ROW = {"image": (10, 5), "words": (5, 2)}  # topics a row, wide and narrow


def tv_distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Total-variation distance between each topic of ``a`` and each of ``b`` (K × K)."""
    return 0.5 * np.abs(a[:, None, :] - b[None, :, :]).sum(axis=2)


def match_topics(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.int64]:
    """``order`` such that topic z of ``a`` is matched with topic ``order[z]`` of ``b``, the
    sum of their distances (:func:`tv_distances`) smallest."""
    cost = tv_distances(a, b)
    k = cost.shape[0]
    best = np.full(1 << k, np.inf)  # best[used]: the rows 0 … popcount(used) − 1 placed
    best[0] = 0.0
    choice = np.zeros(1 << k, dtype=np.int64)
    for used in range(1 << k):
        row = used.bit_count()
        if row == k or not np.isfinite(best[used]):
            continue
        for column in range(k):
            if not used >> column & 1:
                after = used | 1 << column
                if best[used] + cost[row, column] < best[after]:
                    best[after], choice[after] = best[used] + cost[row, column], column
    order, used = [], (1 << k) - 1
    for _ in range(k):
        order.append(int(choice[used]))
        used &= ~(1 << order[-1])
    return np.array(order[::-1], dtype=np.int64)


def entropy_bits(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row's entropy in bits (rows adding to 1)."""
    logs = np.log2(rows, where=rows > 0, out=np.zeros_like(rows))
    return -(rows * logs).sum(axis=1)


def final_mixes(corpus: Corpus, trace: Trace) -> NDArray[np.float64]:
    return TopicSteps(corpus, trace).mixes(half_step(trace, n_half_steps(trace) - 1))


def measures(corpus: Corpus, topics: NDArray[np.float64], mixes: NDArray[np.float64]) -> dict:
    """What the priors change, on one run: the topics' mean entropy, the smallest
    probability of a word, and the mean entropy of the mixes of the shortest quarter of the
    documents (a mix that follows a few words wherever they lead has little entropy)."""
    short = np.argsort(corpus.lengths, kind="stable")[: max(1, corpus.n_documents // 4)]
    return {
        "topic_entropy": float(entropy_bits(topics).mean()),
        "smallest": float(topics.min()),
        "short_mix_entropy": float(entropy_bits(mixes[short]).mean()),
    }


def beside_figure(
    corpus: Corpus,
    topics: Mapping[str, NDArray[np.float64]],
    order: NDArray[np.int64],
    *,
    narrow: bool,
) -> go.Figure:
    """Both runs' topics a row of panels per model (``topics``: the model's name to its
    final topics, in the order of the rows), the second's topic ``order[z]`` under the
    first's topic z, with its own number and its distance to it."""
    names, (first, second) = list(topics), list(topics.values())
    second = second[order]
    tables, distances = (first, second), 0.5 * np.abs(first - second).sum(axis=1)
    vocabulary = corpus.vocabulary
    k, side = first.shape[0], image_side(corpus)
    per_row = PER_ROW["image" if side else "words"][int(narrow)]
    chunks = [range(s, min(s + per_row, k)) for s in range(0, k, per_row)]
    columns = min(per_row, k)
    panel = (85 if narrow else 95) if side else 150
    height = 2 * len(chunks) * (panel + GAP_PX) - GAP_PX + 40  # 40: the margins
    fig = make_subplots(
        2 * len(chunks), columns, vertical_spacing=GAP_PX / (height - 40),
        horizontal_spacing=0.02 if side else 0.12,
        subplot_titles=[
            _title(names, order, distances, i, z) if z < k else ""
            for chunk in chunks for i in (0, 1) for z in range(chunk.start, chunk.start + columns)
        ],
    )  # fmt: skip
    top = max(float(t.max()) for t in tables)
    for c, chunk in enumerate(chunks):
        for i, table in enumerate(tables):
            for j, z in enumerate(chunk):
                row, col = 2 * c + i + 1, j + 1
                if side:
                    fig.add_heatmap(
                        z=table[z].reshape(side, side), zmin=0, zmax=top, colorscale="Blues",
                        showscale=False, row=row, col=col, hovertemplate=(
                            f"{names[i]} topic {(z if i == 0 else order[z]) + 1}, row %{{y}}, "
                            "column %{x}: "
                            "%{z:.3f}<extra></extra>"
                        ), x=list(range(1, side + 1)), y=list(range(1, side + 1)),
                    )  # fmt: skip
                else:
                    order = np.argsort(-table[z], kind="stable")[:BAR_WORDS]
                    fig.add_bar(
                        x=table[z][order], y=[user_text(vocabulary[w], 14) for w in order],
                        orientation="h", marker={"color": "rgba(33,102,172,0.6)"},
                        row=row, col=col, showlegend=False,
                        hovertemplate="%{y}: %{x:.3f}<extra></extra>",
                    )  # fmt: skip
    if side:
        fig.update_xaxes(showticklabels=False, ticks="", showgrid=False, constrain="domain")
        fig.update_yaxes(showticklabels=False, ticks="", showgrid=False, autorange="reversed")
        for index in range(1, 2 * len(chunks) * columns + 1):
            fig.layout[
                f"xaxis{'' if index == 1 else index}"
            ].scaleanchor = f"y{'' if index == 1 else index}"
    else:
        fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
        fig.update_xaxes(range=[0, top * 1.05], showticklabels=False)
    fig.update_annotations(font={"size": 11})
    fig.update_layout(
        height=height,
        margin={"t": 30, "l": 10, "r": 10, "b": 10},
        template="plotly_white",
        showlegend=False,
    )
    return cased_figure(fig)


def _title(names, order, distances, i: int, z: int) -> str:
    """A panel's title: the first run's topic number, or the second's with its distance."""
    if i == 0:
        return f"{names[0]} {z + 1}"
    return f"{names[1]} {order[z] + 1}<br>TV {distances[z]:.2f}"


def top_words_table(corpus: Corpus, topics: NDArray[np.float64], numbers) -> pd.DataFrame:
    """A column per topic (named by ``numbers``): its likeliest words with probabilities."""
    order = np.argsort(-topics, axis=1, kind="stable")[:, :BAR_WORDS]
    return pd.DataFrame(
        {
            f"Topic {n}": [f"{corpus.vocabulary[w]} {topics[z, w]:.3f}" for w in order[z].tolist()]
            for z, n in enumerate(numbers)
        }
    )


def measures_text(names: list[str], values: list[dict]) -> str:
    """One line on what the priors changed, with the runs' numbers; the comparisons' words
    follow the numbers."""
    (a, b), (x, y) = names, values
    lda_first = a == "LDA"
    smoother = (x if lda_first else y)["topic_entropy"] > (y if lda_first else x)["topic_entropy"]
    spread = (x if lda_first else y)["short_mix_entropy"] > (y if lda_first else x)[
        "short_mix_entropy"
    ]
    return (
        f"Mean entropy of a topic: {a} {x['topic_entropy']:.2f} bits, {b} "
        f"{y['topic_entropy']:.2f} (LDA's topics {'smoother' if smoother else 'not smoother'} "
        f"here); smallest probability of a word: {a} {x['smallest']:.2g}, {b} "
        f"{y['smallest']:.2g}; mean entropy of the mixes of the shortest quarter of the "
        f"documents: {a} {x['short_mix_entropy']:.2f} bits, {b} {y['short_mix_entropy']:.2f} "
        f"(LDA's mixes {'more' if spread else 'not more'} spread here)."
    )


def section(corpus: Corpus, traces: Mapping[str, Trace], d: int, names, *, narrow: bool) -> None:
    """Both models' final topics matched and drawn, what the priors changed, the topics'
    tables and document ``d``'s mix under both."""
    st.write(
        "The same documents, the same number of topics, the same seed. pLSA fits each "
        "probability as it is, so a topic may give a word almost nothing, and a short "
        "document's mix follows its few words wherever they lead. LDA's priors (here α = η "
        f"as chosen, or {DEFAULT_PRIOR:g} when the page shows pLSA) pull every topic toward "
        "all words a little and every mix toward the others. Each topic of the second run is "
        "drawn under the topic of the first it is closest to (matched one to one, the total "
        "of their total-variation distances TV smallest); it keeps its own number."
    )
    (first, a), (second, b) = traces.items()
    label = [names[first], names[second]]
    topics = [TopicSteps(corpus, t).topics(t.n_iter) for t in (a, b)]
    order = match_topics(*topics)
    st.plotly_chart(
        beside_figure(corpus, dict(zip(label, topics, strict=True)), order, narrow=narrow),
        key="topics.beside_chart",
        theme=None,
        config={"displaylogo": False},
    )
    mixes = [final_mixes(corpus, t) for t in (a, b)]
    values = [measures(corpus, t, m) for t, m in zip(topics, mixes, strict=True)]
    st.write(measures_text(label, values))
    st.caption("The same topics as tables, each topic's five likeliest words:")
    columns = st.columns(2)
    shown = [(topics[0], range(1, len(order) + 1)), (topics[1][order], (order + 1).tolist())]
    for column, name, trace, (table, numbers) in zip(columns, label, (a, b), shown, strict=True):
        with column:
            st.markdown(f"**{name}**, {trace.n_iter} iterations")
            st.dataframe(top_words_table(corpus, table, numbers), hide_index=True)
    rows = [f"{label[0]} {z + 1} · {label[1]} {order[z] + 1}" for z in range(len(order))]
    frame = pd.DataFrame({label[0]: mixes[0][d], label[1]: mixes[1][d][order]}, index=rows).map(
        lambda p: f"{p:.3f}"
    )
    st.markdown(f"**Document {d + 1}'s topic mix at the end of each run**")
    st.table(frame)
