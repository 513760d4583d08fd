"""The topic models' fits, kept in the store of finished fits every page shares."""

from __future__ import annotations

from em_core import Trace
from em_models.topics.corpus import Corpus
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_ui.engine import stored

# The page's α = η. On the bars with K = 10, 0.1 or less stalls with nearly flat topics from
# every seed tried (0–3, tol 1e-4: total variation to the true topics 0.62–0.66, the bound
# still within a dozen iterations); 0.5 finds them (≈ 0.07 from three seeds of four).
DEFAULT_PRIOR = 0.5


def corpus_key(corpus: Corpus) -> tuple:
    return (corpus.indptr.tobytes(), corpus.word_ids.tobytes(), corpus.counts.tobytes())


def fit_topics(
    model: str,
    corpus: Corpus,
    n_topics: int,
    *,
    seed: int = 0,
    tol: float = 1e-4,
    max_iter: int = 100,
    alpha: float | None = None,
    eta: float | None = None,
) -> Trace:
    """One run of pLSA or LDA (``model`` "plsa" or "lda") on ``corpus``, kept per corpus and
    settings; α and η (LDA) default to 1 / K."""
    key = (model, corpus_key(corpus), corpus.vocabulary, n_topics, seed, tol, max_iter, alpha, eta)
    if model == "lda":
        compute = lambda: lda.fit(  # noqa: E731
            corpus, n_topics, alpha=alpha, eta=eta, rng=seed, tol=tol, max_iter=max_iter
        )
    else:
        compute = lambda: plsa.fit(corpus, n_topics, rng=seed, tol=tol, max_iter=max_iter)  # noqa: E731
    return stored(key, compute)
