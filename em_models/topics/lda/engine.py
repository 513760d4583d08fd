"""Latent Dirichlet allocation by variational EM, in the form of scikit-learn's batch
``LatentDirichletAllocation``: variational Bayes over the topics, with α and η fixed.

Each document d has a topic mix θ_d ~ Dirichlet(α), each topic k a word distribution
β_k ~ Dirichlet(η). The variational posterior is q(θ_d) = Dirichlet(γ_d),
q(β_k) = Dirichlet(λ_k) and q(z_dn) = φ_dn. The E-step is itself a loop: for each document,
φ ∝ exp(E[log θ_d] + E[log β]) and γ_d = α + Σ_w n(d, w) φ_dw alternate until γ_d changes by
less than ``inner_tol`` on average (at most ``inner_max_iter`` sweeps), all documents at once
over the nonzero pairs. It hands the M-step the expected topic–word counts Σ_d n(d, w) φ_dwk
(topics × words), and the M-step sets λ = η + those counts.

The curve is the evidence lower bound (ELBO) on log p(words | α, η), scikit-learn's
``_approx_bound``: a bound, not the log-likelihood. Unlike scikit-learn, which draws each
document's γ afresh at every E-step, the E-step starts from the γ of the previous one (the
parameters carry it), so every step of the loop, and the M-step, can only raise the bound: it
never decreases from one iteration to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Trace, run_em
from em_models.topics.common import (
    TopicParameters,
    TopicStart,
    check_n_topics,
    in_model_words,
    shape_problem,
    table,
)
from em_models.topics.corpus import Corpus, as_corpus
from em_models.topics.plsa.engine import topic_word_sums
from em_models.topics.special import dirichlet_expectation, gammaln

EPS = np.finfo(np.float64).eps  # scikit-learn's guard on φ's normaliser
INNER_MAX_ITER = 100
INNER_TOL = 1e-3


@dataclass(frozen=True)
class LDAExpectations:
    """The E-step's result: the expected topic–word counts for the M-step, each document's γ
    where the inner loop stopped, and how many sweeps each document took."""

    topic_word_counts: NDArray[np.float64]
    doc_topic: NDArray[np.float64]
    sweeps: NDArray[np.int64]


def _pair_sums(weights: NDArray[np.float64], starts: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.add.reduceat(weights, starts, axis=0)


def update_documents(
    corpus: Corpus,
    exp_elog_beta: NDArray[np.float64],
    alpha: float,
    gamma: NDArray[np.float64],
    max_iter: int = INNER_MAX_ITER,
    tol: float = INNER_TOL,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The E-step's inner loop from each document's ``gamma``: the γ where each document
    stopped and its number of sweeps (scikit-learn's ``_update_doc_distribution``, all
    documents at once; a document stops once the mean |change| of its γ is below ``tol``).

    The sweep runs over the pairs of the documents still going; those that stopped are
    dropped from its arrays once they are half of them."""
    gamma = np.array(gamma, dtype=np.float64)
    exp_theta = np.exp(dirichlet_expectation(gamma))
    sweeps = np.zeros(corpus.n_documents, dtype=np.int64)
    current = np.arange(corpus.n_documents)
    live = np.ones(current.size, dtype=bool)
    pairs = _Pairs(corpus, exp_elog_beta, current)
    for sweep in range(1, max_iter + 1):
        theta = exp_theta[current]
        norm = np.einsum("ik,ik->i", theta[pairs.owner], pairs.beta) + EPS
        new = theta * _pair_sums(pairs.beta * (pairs.counts / norm)[:, None], pairs.starts)
        new += alpha
        going_now = np.flatnonzero(live)
        docs, new = current[going_now], new[going_now]
        change = np.abs(new - gamma[docs]).mean(axis=1)
        gamma[docs] = new
        exp_theta[docs] = np.exp(dirichlet_expectation(new))
        sweeps[docs] = sweep
        live[going_now[change < tol]] = False
        n_live = np.count_nonzero(live)
        if n_live == 0:
            break
        if n_live <= current.size // 2:
            current = current[live]
            live = np.ones(current.size, dtype=bool)
            pairs = _Pairs(corpus, exp_elog_beta, current)
    return gamma, sweeps


class _Pairs:
    """The pairs of the documents ``current``: their counts, exp(E[log β]) at their words
    (pairs × topics), each pair's place in ``current`` and where each document starts."""

    def __init__(self, corpus: Corpus, exp_elog_beta: NDArray[np.float64], current) -> None:
        lengths = np.diff(corpus.indptr)[current]
        if current.size == corpus.n_documents:
            chosen = slice(None)
        else:
            firsts = corpus.indptr[current]
            offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            chosen = np.repeat(firsts, lengths) + offsets
        self.counts = corpus.counts[chosen]
        self.beta = exp_elog_beta.T[corpus.word_ids[chosen]]
        self.owner = np.repeat(np.arange(current.size), lengths)
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])


def expected_counts(
    corpus: Corpus, exp_elog_beta: NDArray[np.float64], gamma: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Σ_d n(d, w) φ_dwk with φ from γ and λ: the topics × words counts the M-step adds to η."""
    exp_theta = np.exp(dirichlet_expectation(gamma))[corpus.doc_ids]
    beta = exp_elog_beta.T[corpus.word_ids]
    norm = np.einsum("ik,ik->i", exp_theta, beta) + EPS
    return topic_word_sums(corpus, exp_theta * (corpus.counts / norm)[:, None]) * exp_elog_beta


def _dirichlet_terms(prior: float, posterior: NDArray[np.float64]) -> float:
    """E[log p(x | prior) − log q(x | posterior)] summed over Dirichlet rows."""
    size = posterior.shape[1]
    score = np.sum((prior - posterior) * dirichlet_expectation(posterior))
    score += np.sum(gammaln(posterior) - gammaln(np.array(prior)))
    score += np.sum(gammaln(np.array(prior * size)) - gammaln(posterior.sum(axis=1)))
    return float(score)


def bound(
    corpus: Corpus, gamma: NDArray[np.float64], lam: NDArray[np.float64], alpha: float, eta: float
) -> float:
    """The evidence lower bound at γ and λ with φ at its best (scikit-learn's
    ``_approx_bound`` with no subsampling)."""
    terms = (
        dirichlet_expectation(gamma)[corpus.doc_ids] + dirichlet_expectation(lam).T[corpus.word_ids]
    )
    top = terms.max(axis=1)
    log_norm = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
    words = float(corpus.counts @ log_norm)
    return words + _dirichlet_terms(alpha, gamma) + _dirichlet_terms(eta, lam)


@dataclass(frozen=True)
class LDA:
    """LDA's model for :func:`em_core.em.run_em`: the priors α (on each document's topic mix)
    and η (on each topic's words), and the inner loop's limits."""

    alpha: float
    eta: float
    inner_max_iter: int = INNER_MAX_ITER
    inner_tol: float = INNER_TOL
    name = "LDA"
    penalised = False

    def __post_init__(self) -> None:
        for name in ("alpha", "eta", "inner_tol"):
            value = getattr(self, name)
            if not (isinstance(value, float | int) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a number > 0; got {value!r}.")
        if not 1 <= self.inner_max_iter <= 10_000:
            raise ValueError("inner_max_iter must be from 1 to 10,000.")

    def prepare(self, X: Corpus | ArrayLike) -> Corpus:
        return as_corpus(X)

    def n_observations(self, corpus: Corpus) -> int:
        return max(1, round(corpus.n_tokens))

    def e_step(self, corpus: Corpus, params: TopicParameters) -> tuple[LDAExpectations, float]:
        exp_elog_beta = np.exp(dirichlet_expectation(params.topic_word))
        gamma, sweeps = update_documents(
            corpus, exp_elog_beta, self.alpha, params.doc_topic, self.inner_max_iter, self.inner_tol
        )
        counts = expected_counts(corpus, exp_elog_beta, gamma)
        elbo = bound(corpus, gamma, params.topic_word, self.alpha, self.eta)
        return LDAExpectations(counts, gamma, sweeps), elbo

    def m_step(
        self, corpus: Corpus, expectations: LDAExpectations
    ) -> tuple[TopicParameters, NDArray[np.int64]]:
        params = TopicParameters(expectations.doc_topic, self.eta + expectations.topic_word_counts)
        return params, expectations.sweeps

    def check(self, corpus, params, stats, iteration) -> None:
        """Nothing degenerates: λ ≥ η > 0 and γ ≥ α > 0 always."""
        return None

    def start_problem(
        self, corpus: Corpus, params: TopicParameters, error: Exception | None
    ) -> str | None:
        if error is not None:
            return "The start cannot be used: the bound overflows at it."
        problem = shape_problem(corpus, params)
        if problem is not None:
            return problem
        for name, rows in (("γ", params.doc_topic), ("λ", params.topic_word)):
            if not np.all(np.isfinite(rows)) or not np.all(rows > 0):
                return f"The start's {name} must hold finite numbers > 0."
        return None


def random_start(corpus: Corpus, n_topics: int, seed: int) -> TopicStart:
    """λ and γ drawn from Gamma(100, 1/100), as scikit-learn draws them, seeded."""
    rng = np.random.RandomState(seed)
    lam = rng.gamma(100.0, 0.01, (n_topics, corpus.n_words))
    gamma = rng.gamma(100.0, 0.01, (corpus.n_documents, n_topics))
    return TopicStart(TopicParameters(gamma, lam), "random", seed)


def given_start(corpus: Corpus, doc_topic: ArrayLike, topic_word: ArrayLike) -> TopicStart:
    """θ_0 as given: γ (documents × topics) and λ (topics × words)."""
    k = np.shape(topic_word)[0] if np.ndim(topic_word) == 2 else 0
    params = TopicParameters(
        table(doc_topic, "γ", (corpus.n_documents, k)), table(topic_word, "λ", (k, corpus.n_words))
    )
    return TopicStart(params, "given")


def topics(params: TopicParameters) -> NDArray[np.float64]:
    """Each topic's expected word distribution, E[β_k] = λ_k / Σ λ_k."""
    return params.topic_word / params.topic_word.sum(axis=1, keepdims=True)


def document_topics(params: TopicParameters) -> NDArray[np.float64]:
    """Each document's expected topic mix, E[θ_d] = γ_d / Σ γ_d."""
    return params.doc_topic / params.doc_topic.sum(axis=1, keepdims=True)


def fit(
    X: Corpus | ArrayLike,
    n_topics: int | None = None,
    *,
    alpha: float | None = None,
    eta: float | None = None,
    rng: int = 0,
    doc_topic: ArrayLike | None = None,
    topic_word: ArrayLike | None = None,
    inner_max_iter: int = INNER_MAX_ITER,
    inner_tol: float = INNER_TOL,
    tol: float = 1e-6,
    max_iter: int = 200,
) -> Trace:
    """LDA by variational EM on the counts ``X``; α and η default to 1 / K, as scikit-learn's."""
    corpus = as_corpus(X)
    if topic_word is not None and doc_topic is not None:
        start = given_start(corpus, doc_topic, topic_word)
    elif topic_word is None and doc_topic is None:
        start = random_start(corpus, check_n_topics(n_topics), int(rng))
    else:
        raise ValueError("Give both tables of the start, γ and λ, or neither.")
    k = start.params.n_topics
    model = LDA(
        1.0 / k if alpha is None else alpha,
        1.0 / k if eta is None else eta,
        inner_max_iter,
        inner_tol,
    )
    return in_model_words(run_em(corpus, model, start, tol=tol, max_iter=max_iter), "bound")
