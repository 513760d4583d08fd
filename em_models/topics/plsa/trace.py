"""The trace file of a pLSA run (the topic models share :mod:`em_models.topics.files`)."""

from __future__ import annotations

from typing import Any

from em_core.em import Trace
from em_core.trace_json import finite_number
from em_models.topics import files
from em_models.topics.corpus import Corpus, as_corpus


def write(trace: Trace, X: Any, columns: Any = None) -> dict[str, Any]:
    """The trace as the JSON document the export writes, with the counts ``X`` (a
    :class:`Corpus` or a count matrix; ``columns`` is unused: the corpus names its words)."""
    corpus: Corpus = as_corpus(X)
    return files.write(files.PLSA, trace, corpus, finite_number)
