"""What a topic model's run exports: its trace as JSON (the format of
``python -m em_core fit --model plsa`` or ``lda``), each topic's word probabilities and each
document's topic mix as CSV (numbers only, as every model's: :mod:`em_viz.exports`), and the
page's chart as an HTML animation.

Pure: corpora and traces in, strings and :class:`em_viz.exports.ExportFile` entries out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from em_core import Trace
from em_core.trace_json import dumps
from em_models.topics import files as trace_files
from em_models.topics.corpus import Corpus, as_corpus
from em_viz.exports import ANIMATION_HELP, ExportFile, csv_text, figure_html, header_name


def export_files(
    spec: trace_files.Spec, X, trace: Trace, figure: Callable[[], go.Figure] | None = None
) -> list[ExportFile]:
    """The run's files for the counts ``X`` (a :class:`Corpus` or a count matrix), with the
    animation when ``figure()`` (the page's chart from the start of the run) is given."""
    corpus = as_corpus(X)
    name = spec.name
    files = [
        ExportFile(
            "Trace (JSON)",
            lambda: dumps(trace_files.write(spec, trace, corpus, float)),
            f"em-{name}-run.json",
            "json",
        ),
        ExportFile(
            "Topics (CSV)",
            lambda: topics_csv(trace, corpus),
            f"em-{name}-topics.csv",
            "topics",
            "Each topic's probability of each word at the final iteration.",
        ),
        ExportFile(
            "Documents' topics (CSV)",
            lambda: documents_csv(trace),
            f"em-{name}-documents.csv",
            "documents",
            "Each document's share of each topic at the final iteration.",
        ),
    ]
    if figure is not None:
        model = "LDA" if name == "lda" else "pLSA"
        title = f"EM for topics: {model}, K = {trace.final.params.n_topics}"
        files.append(
            ExportFile(
                "Animation (HTML)",
                lambda: figure_html(figure(), title),
                f"em-{name}-animation.html",
                "html",
                ANIMATION_HELP,
            )
        )
    return files


def _rows(table: np.ndarray) -> np.ndarray:
    return table / table.sum(axis=1, keepdims=True)


def topics_csv(trace: Trace, corpus: Corpus) -> str:
    """One row per topic: its number, then its probability of each word."""
    params = trace.final.params
    header = ["topic", *[f"probability of {header_name(w)}" for w in corpus.vocabulary]]
    numbers = np.arange(1, params.n_topics + 1)[:, None]
    return csv_text(header, np.hstack([numbers, _rows(params.topic_word)]))


def documents_csv(trace: Trace) -> str:
    """One row per document: its number, then its share of each topic."""
    params = trace.final.params
    header = ["document", *[f"share of topic {k + 1}" for k in range(params.n_topics)]]
    numbers = np.arange(1, params.doc_topic.shape[0] + 1)[:, None]
    return csv_text(header, np.hstack([numbers, _rows(params.doc_topic)]))
