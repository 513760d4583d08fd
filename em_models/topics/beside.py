"""pLSA beside LDA on the same documents: each model's final topics and the chosen
document's mix, so a student sees what the Dirichlet priors change."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import streamlit as st

from em_core import Trace
from em_models.topics.corpus import Corpus
from em_models.topics.steps import TopicSteps
from em_viz.halfstep import half_step, n_half_steps


def smoothness(topics: np.ndarray) -> float:
    """The smallest word probability in any topic: 0 when some topic rules a word out."""
    return float(topics.min())


def mix_table(corpus: Corpus, traces: Mapping[str, Trace], d: int, names) -> pd.DataFrame:
    """Document ``d``'s topic mix under each model at the end of its run."""
    rows = {}
    for model, trace in traces.items():
        steps = TopicSteps(corpus, trace)
        mixes = steps.mixes(half_step(trace, n_half_steps(trace) - 1))
        rows[names[model]] = [f"{p:.3f}" for p in mixes[d]]
    k = len(next(iter(rows.values())))
    return pd.DataFrame(rows, index=[f"Topic {z + 1}" for z in range(k)])


def section(corpus: Corpus, traces: Mapping[str, Trace], d: int, names) -> None:
    """Both models' final topics (their most likely words) and document ``d``'s mix."""
    st.write(
        "The same documents, the same number of topics, the same seed. pLSA fits each "
        "probability as it is, so a topic may give a word almost nothing, and a short "
        "document's mix follows its few words wherever they lead. LDA's priors (here α = η "
        "as chosen, or 1/K when the page shows pLSA) pull every topic toward all words a "
        "little and every mix toward the others: smoother topics, and short documents less "
        "overfitted. Topic numbers are each run's own: topic 1 of one is not topic 1 of the "
        "other."
    )
    columns = st.columns(len(traces))
    for column, (model, trace) in zip(columns, traces.items(), strict=True):
        steps = TopicSteps(corpus, trace)
        topics = steps.topics(trace.n_iter)
        order = np.argsort(-topics, axis=1, kind="stable")[:, :5]
        frame = pd.DataFrame(
            {
                f"Topic {z + 1}": [
                    f"{corpus.vocabulary[w]} {topics[z, w]:.3f}" for w in order[z].tolist()
                ]
                for z in range(topics.shape[0])
            }
        )
        with column:
            st.markdown(f"**{names[model]}**, {trace.n_iter} iterations")
            st.dataframe(frame, hide_index=True)
            st.caption(f"Smallest probability of a word in a topic: {smoothness(topics):.2g}.")
    st.markdown(f"**Document {d + 1}'s topic mix at the end of each run**")
    st.table(mix_table(corpus, traces, d, names))
