"""The stand-in view of a topic model's run until the topic models have a page: one line
describing it and a table of each topic's most likely words at the final iteration."""

from __future__ import annotations

import numpy as np

TOP_WORDS = 8


def top_words(topic_word: np.ndarray, vocabulary: tuple[str, ...], n: int = TOP_WORDS):
    """Each topic's ``n`` most likely words, most likely first."""
    order = np.argsort(-topic_word, axis=1, kind="stable")[:, :n]
    return [[vocabulary[j] for j in row] for row in order]


def describe_run(title: str, opened) -> str:
    from em_ui.text import literal

    run, trace = opened.run, opened.trace
    corpus = run.require_data()
    seed = "" if run.seed is None else f" (seed {run.seed})"
    return (
        f"{title}: {corpus.n_documents:,} documents over {corpus.n_words:,} words "
        f"({', '.join(literal(w) for w in corpus.vocabulary[:6])}"
        f"{' …' if corpus.n_words > 6 else ''}); K = {trace.final.params.n_topics} topics, "
        f"started from a {run.method} start{seed}, tol = {trace.tol:g}, max_iter = "
        f"{trace.max_iter}. EM run again from that start gives every iteration in the file."
    )


def show_topics(opened, key: str) -> None:
    import streamlit as st

    trace = opened.trace
    words = top_words(trace.final.params.topic_word, opened.run.vocabulary)
    st.caption(trace.message)
    st.table({f"Topic {k + 1}": row for k, row in enumerate(words)})
