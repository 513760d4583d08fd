"""pLSA by exact EM: P(z | d) and P(w | z) from a document–word count matrix.

ℓ = Σ_{d,w} n(d, w) log Σ_z P(z | d) P(w | z). The E-step gives each nonzero (d, w) pair
its posterior over topics, P(z | d, w) ∝ P(z | d) P(w | z), and hands the M-step the
expected counts n(d, z) = Σ_w n(d, w) P(z | d, w) and n(z, w) = Σ_d n(d, w) P(z | d, w):
tables the size of the parameters, not of the pairs. The M-step normalises them:
P(z | d) = n(d, z) / n(d), P(w | z) = n(z, w) / n(z). Every array is over the nonzero pairs
(pairs × topics at most), never documents × words × topics. A topic whose expected count
falls to nothing is an empty topic: the run stops there, as a mixture's emptied component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Trace, run_em
from em_core.model import Failure, StopReason
from em_models.topics.common import (
    TopicParameters,
    TopicStart,
    check_n_topics,
    in_model_words,
    shape_problem,
    table,
)
from em_models.topics.corpus import Corpus, as_corpus

# A topic whose expected number of words n(z) falls below this is empty.
EMPTY_TOPIC_WORDS = 1e-9
ROW_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PLSAStatistics:
    """The E-step's expected counts: n(d, z) (documents × topics) and n(z, w)."""

    doc_topic_counts: NDArray[np.float64]
    topic_word_counts: NDArray[np.float64]


def pair_joint(corpus: Corpus, params: TopicParameters) -> NDArray[np.float64]:
    """P(z | d) P(w | z) for each nonzero pair (pairs × topics)."""
    return params.doc_topic[corpus.doc_ids] * params.topic_word.T[corpus.word_ids]


def pair_posteriors(corpus: Corpus, params: TopicParameters) -> NDArray[np.float64]:
    """P(z | d, w) for each nonzero pair (pairs × topics): which topic each word of each
    document is thought to come from (the views' per-document posteriors)."""
    joint = pair_joint(corpus, params)
    return joint / joint.sum(axis=1, keepdims=True)


def log_likelihood(corpus: Corpus, params: TopicParameters) -> float:
    """ℓ = Σ n(d, w) log Σ_z P(z | d) P(w | z)."""
    return float(corpus.counts @ np.log(pair_joint(corpus, params).sum(axis=1)))


def topic_word_sums(corpus: Corpus, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ over the pairs of each word of ``weights`` (pairs × topics): a topics × words table."""
    return np.stack(
        [
            np.bincount(corpus.word_ids, weights=column, minlength=corpus.n_words)
            for column in weights.T
        ]
    )


@dataclass(frozen=True)
class PLSA:
    """pLSA's model for :func:`em_core.em.run_em` (no settings but the number of topics,
    which the start's tables carry)."""

    name = "pLSA"
    penalised = False

    def prepare(self, X: Corpus | ArrayLike) -> Corpus:
        return as_corpus(X)

    def n_observations(self, corpus: Corpus) -> int:
        return max(1, round(corpus.n_tokens))

    def e_step(self, corpus: Corpus, params: TopicParameters) -> tuple[PLSAStatistics, float]:
        joint = pair_joint(corpus, params)
        total = joint.sum(axis=1)
        ll = float(corpus.counts @ np.log(total))
        expected = joint * (corpus.counts / total)[:, None]
        statistics = PLSAStatistics(
            np.add.reduceat(expected, corpus.indptr[:-1], axis=0),
            topic_word_sums(corpus, expected),
        )
        return statistics, ll

    def m_step(
        self, corpus: Corpus, statistics: PLSAStatistics
    ) -> tuple[TopicParameters, NDArray[np.float64]]:
        n_dz, n_zw = statistics.doc_topic_counts, statistics.topic_word_counts
        n_z = n_zw.sum(axis=1)
        safe = np.where(n_z > 0, n_z, 1.0)  # an empty topic is the check's to report
        params = TopicParameters(n_dz / n_dz.sum(axis=1, keepdims=True), n_zw / safe[:, None])
        return params, n_z

    def check(
        self, corpus: Corpus, params: TopicParameters, n_z: NDArray[np.float64], iteration: int
    ) -> Failure | None:
        empty = np.flatnonzero(n_z < EMPTY_TOPIC_WORDS)
        if empty.size == 0:
            return None
        k = int(empty[0])
        return Failure(
            StopReason.EMPTIED,
            f"Topic {k + 1} lost all its words in the M-step of iteration {iteration} "
            f"(n(z) = {n_z[k]:.2g}); try fewer topics or another start.",
            k,
        )

    def start_problem(
        self, corpus: Corpus, params: TopicParameters, error: Exception | None
    ) -> str | None:
        if error is not None:
            return "The start cannot be used: its probabilities overflow."
        problem = shape_problem(corpus, params)
        if problem is not None:
            return problem
        for name, rows in (("P(z | d)", params.doc_topic), ("P(w | z)", params.topic_word)):
            if not np.all(np.isfinite(rows)) or np.any(rows < 0):
                return f"The start's {name} must hold finite probabilities ≥ 0."
            if np.any(np.abs(rows.sum(axis=1) - 1) > ROW_SUM_TOLERANCE):
                return f"Each row of the start's {name} must add up to 1."
        zero = np.flatnonzero(pair_joint(corpus, params).sum(axis=1) <= 0)
        if zero.size:
            d, w = corpus.doc_ids[zero[0]], corpus.word_ids[zero[0]]
            return (
                f"The start gives probability 0 to the word {corpus.vocabulary[w]!r} in "
                f"document {d + 1}, which uses it: ℓ would be −∞."
            )
        return None


def random_start(corpus: Corpus, n_topics: int, seed: int) -> TopicStart:
    """P(z | d) and P(w | z) drawn from flat Dirichlet distributions, seeded."""
    rng = np.random.default_rng(seed)
    params = TopicParameters(
        rng.dirichlet(np.ones(n_topics), size=corpus.n_documents),
        rng.dirichlet(np.ones(corpus.n_words), size=n_topics),
    )
    return TopicStart(params, "random", seed)


def given_start(corpus: Corpus, doc_topic: ArrayLike, topic_word: ArrayLike) -> TopicStart:
    """θ_0 as given: P(z | d) (documents × topics) and P(w | z) (topics × words)."""
    k = np.shape(topic_word)[0] if np.ndim(topic_word) == 2 else 0
    params = TopicParameters(
        table(doc_topic, "P(z | d)", (corpus.n_documents, k)),
        table(topic_word, "P(w | z)", (k, corpus.n_words)),
    )
    return TopicStart(params, "given")


def fit(
    X: Corpus | ArrayLike,
    n_topics: int | None = None,
    *,
    rng: int = 0,
    doc_topic: ArrayLike | None = None,
    topic_word: ArrayLike | None = None,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> Trace:
    """pLSA by EM on the counts ``X`` (a :class:`Corpus` or documents × words counts) from
    a random start (seed ``rng``) with ``n_topics`` topics, or from the given tables."""
    corpus = as_corpus(X)
    if topic_word is not None and doc_topic is not None:
        start = given_start(corpus, doc_topic, topic_word)
    elif topic_word is None and doc_topic is None:
        start = random_start(corpus, check_n_topics(n_topics), int(rng))
    else:
        raise ValueError("Give both tables of the start, P(z | d) and P(w | z), or neither.")
    trace = run_em(corpus, PLSA(), start, tol=tol, max_iter=max_iter)
    return in_model_words(trace, "log_likelihood")
