"""What pLSA and LDA share: the parameters' two tables, the start record, the checks of a
given start, and the run's message in the words of the model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Trace
from em_models.topics.corpus import Corpus

START_METHODS = ("random", "given")
MAX_TOPICS = 50


@dataclass(frozen=True, eq=False)
class TopicParameters:
    """A topic model's parameters: a documents × topics table and a topics × words table
    (pLSA: P(z | d) and P(w | z); LDA: the Dirichlet parameters γ and λ), read-only."""

    doc_topic: NDArray[np.float64]
    topic_word: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name in ("doc_topic", "topic_word"):
            array = np.array(getattr(self, name), dtype=np.float64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def n_topics(self) -> int:
        return self.topic_word.shape[0]


@dataclass(frozen=True)
class TopicStart:
    """θ_0 and how it was chosen: ``method`` "random" (with its ``seed``) or "given"."""

    params: TopicParameters
    method: str
    seed: int | None = None
    stats: Any = None


def check_n_topics(n_topics: Any) -> int:
    if isinstance(n_topics, bool) or not isinstance(n_topics, int | np.integer):
        raise ValueError(f"The number of topics must be a whole number; got {n_topics!r}.")
    if not 1 <= n_topics <= MAX_TOPICS:
        raise ValueError(f"The number of topics must be from 1 to {MAX_TOPICS}; got {n_topics}.")
    return int(n_topics)


def table(value: ArrayLike, name: str, shape: tuple[int, int]) -> NDArray[np.float64]:
    """``value`` as a float table of ``shape`` with finite entries ≥ 0; ``ValueError``."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a table of numbers.") from None
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}; expected {shape[0]} × {shape[1]}.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite numbers ≥ 0.")
    return array


def shape_problem(corpus: Corpus, params: TopicParameters) -> str | None:
    """Why the tables do not fit the corpus, or None."""
    k = params.n_topics
    expected = {
        "doc_topic": (corpus.n_documents, k),
        "topic_word": (k, corpus.n_words),
    }
    for name, shape in expected.items():
        actual = getattr(params, name).shape
        if actual != shape:
            return (
                f"The start's {name} has shape {actual}; this corpus of "
                f"{corpus.n_documents} documents and {corpus.n_words} words needs {shape}."
            )
    return None


def in_model_words(trace: Trace, value: str) -> Trace:
    """The run with its message speaking of words (the observations are words) and, for a
    bound, of the bound rather than the log-likelihood."""
    message = trace.message.replace("per point", "per word")
    if value == "bound":
        message = message.replace("mean log-likelihood", "evidence lower bound").replace(
            "ℓ did not change", "the bound did not change"
        )
    return replace(trace, message=message)
