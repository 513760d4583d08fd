"""The topic models' engines (pLSA by exact EM, LDA by variational EM) and their corpora:
the counts kept as nonzero pairs, the bars, the rivers-and-money documents, the tokenizer's
messages, ψ and log Γ, and each half-step against a plain dense or per-document version."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special

from em_core.model import StopReason
from em_models.topics import corpus as corpora
from em_models.topics.common import TopicParameters
from em_models.topics.corpus import (
    RIVERS_AND_MONEY,
    bars_topics,
    corpus_from_text,
    from_counts,
    make_bars,
    tokenize,
)
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.special import digamma, gammaln

RIVERS = "\n".join(RIVERS_AND_MONEY)


def small_counts(seed: int = 0, shape=(6, 9)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.5, size=shape).astype(float)
    counts[:, 0] += 1  # no empty document
    return counts


def test_digamma_and_log_gamma_agree_with_scipy_over_twelve_decades() -> None:
    x = np.logspace(-6, 6, 4001)
    assert np.allclose(digamma(x), scipy.special.digamma(x), rtol=1e-12, atol=1e-12)
    assert np.allclose(gammaln(x), scipy.special.gammaln(x), rtol=1e-12, atol=1e-11)


def test_a_corpus_keeps_the_nonzero_pairs_of_its_counts() -> None:
    counts = small_counts()
    corpus = from_counts(counts)
    assert corpus.n_pairs == np.count_nonzero(counts)
    assert np.array_equal(corpus.dense(), counts)
    assert np.array_equal(corpus.lengths, counts.sum(axis=1))
    assert np.array_equal(counts[corpus.doc_ids, corpus.word_ids], corpus.counts)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (np.ones(4), "got 1 dimension."),
        (np.ones((1, 4)), "at least 2 documents and 2 words; the counts have 1 row and 4"),
        (np.array([[1.0, 2], [-1, 3]]), "finite numbers ≥ 0"),
        (np.array([[1.0, np.nan], [1, 3]]), "finite numbers ≥ 0"),
        (np.array([[1.0, 2], [0, 0], [1, 1]]), "Document 2 (row 2) has no words"),
    ],
)
def test_counts_that_make_no_corpus_are_refused_with_the_reason(counts, message) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        from_counts(counts)


def test_the_bars_are_the_grids_five_rows_and_five_columns() -> None:
    topics = bars_topics().reshape(10, 5, 5)
    assert np.allclose(topics.sum(axis=(1, 2)), 1)
    for i in range(5):
        assert np.allclose(topics[i][i], 0.2)
        assert topics[i].sum() == pytest.approx(1)
        assert np.allclose(topics[5 + i][:, i], 0.2)


def test_the_bars_corpus_is_drawn_from_its_seed() -> None:
    one, again, other = make_bars(30, seed=4), make_bars(30, seed=4), make_bars(30, seed=5)
    assert np.array_equal(one.corpus.dense(), again.corpus.dense())
    assert not np.array_equal(one.corpus.dense(), other.corpus.dense())
    assert np.all(one.corpus.lengths == 100)
    assert one.corpus.vocabulary[:6] == ("r1c1", "r1c2", "r1c3", "r1c4", "r1c5", "r2c1")


def test_the_tokenizer_keeps_letters_in_lower_case_without_stop_words() -> None:
    assert tokenize("The River's BANK, 2024: café-au-lait!") == [
        "river",
        "s",
        "bank",
        "café",
        "au",
        "lait",
    ]


def test_the_rivers_and_money_corpus_shares_the_word_bank() -> None:
    corpus = corpus_from_text(RIVERS)
    assert corpus.n_documents == 12
    bank = corpus.vocabulary.index("bank")
    assert np.all(corpus.dense()[:, bank] >= 1)
    assert list(corpus.vocabulary) == sorted(corpus.vocabulary)


def test_paragraphs_are_documents_when_asked() -> None:
    corpus = corpus_from_text("river water\nflows\n\n  \nbank money\n", by="paragraph")
    assert corpus.n_documents == 2
    assert corpus.dense().sum(axis=1).tolist() == [3, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The text is empty: write or paste documents, one per line."),
        ("  \n\n \t\n", "The text is empty"),
        ("one river bank", "The text is a single document; a topic model compares documents"),
        ("river bank\nthe of and\n123 456", "Documents 2, 3 have no words once numbers"),
        ("bank\nbank", "The documents use a single word"),
    ],
)
def test_text_that_makes_no_corpus_gets_a_message(text, message) -> None:
    with pytest.raises(ValueError, match=message):
        corpus_from_text(text)


def test_a_vocabulary_over_the_limit_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(corpora, "MAX_VOCABULARY", 10)
    with pytest.raises(ValueError, match="use 49 different words; the most this app takes is 10"):
        corpus_from_text(RIVERS)


def test_too_many_documents_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(corpora, "MAX_DOCUMENTS", 5)
    with pytest.raises(ValueError, match="The text has 12 documents; the most this app takes is 5"):
        corpus_from_text(RIVERS)


# ---------------------------------------------------------------------------------------------
# pLSA


def dense_plsa_e_step(counts: np.ndarray, params: TopicParameters):
    """The E-step over the whole documents × words × topics array, for small cases."""
    joint = params.doc_topic[:, None, :] * params.topic_word.T[None, :, :]
    total = joint.sum(axis=2)
    expected = counts[:, :, None] * joint / total[:, :, None]
    ll = np.sum(counts[counts > 0] * np.log(total[counts > 0]))
    return expected.sum(axis=1), expected.sum(axis=0).T, ll


def test_the_plsa_e_step_is_the_dense_one_over_the_nonzero_pairs() -> None:
    counts = small_counts(1)
    corpus = from_counts(counts)
    params = plsa.random_start(corpus, 3, seed=2).params
    statistics, ll = plsa.PLSA().e_step(corpus, params)
    doc_topic, topic_word, dense_ll = dense_plsa_e_step(counts, params)
    assert ll == pytest.approx(dense_ll, rel=1e-12)
    assert ll == pytest.approx(plsa.log_likelihood(corpus, params), rel=1e-12)
    assert np.allclose(statistics.doc_topic_counts, doc_topic, rtol=1e-12)
    assert np.allclose(statistics.topic_word_counts, topic_word, rtol=1e-12)
    posteriors = plsa.pair_posteriors(corpus, params)
    assert posteriors.shape == (corpus.n_pairs, 3)
    assert np.allclose(posteriors.sum(axis=1), 1)


def test_the_plsa_m_step_normalises_the_expected_counts() -> None:
    corpus = from_counts(small_counts(2))
    model = plsa.PLSA()
    statistics, _ = model.e_step(corpus, plsa.random_start(corpus, 2, seed=0).params)
    params, n_z = model.m_step(corpus, statistics)
    assert np.allclose(params.doc_topic.sum(axis=1), 1)
    assert np.allclose(params.topic_word.sum(axis=1), 1)
    assert np.allclose(params.doc_topic * corpus.lengths[:, None], statistics.doc_topic_counts)
    assert n_z.sum() == pytest.approx(corpus.n_tokens)


def test_a_plsa_run_is_seeded_and_climbs() -> None:
    counts = small_counts(3)
    one, again = plsa.fit(counts, 2, rng=5, tol=1e-4), plsa.fit(counts, 2, rng=5, tol=1e-4)
    assert one.converged
    assert np.array_equal(one.final.params.topic_word, again.final.params.topic_word)
    lls = [s.log_likelihood for s in one.snapshots]
    assert np.all(np.diff(lls) >= -1e-9 * abs(lls[0]))
    assert "per word" in one.message
    assert "per point" not in one.message


def test_a_plsa_topic_that_no_document_uses_is_flagged_empty() -> None:
    counts = small_counts(4)
    doc_topic = np.tile([0.5, 0.5, 0.0], (counts.shape[0], 1))
    topic_word = np.random.default_rng(0).dirichlet(np.ones(counts.shape[1]), size=3)
    trace = plsa.fit(counts, doc_topic=doc_topic, topic_word=topic_word)
    assert trace.stop_reason is StopReason.EMPTIED
    assert trace.n_iter == 0
    assert trace.failure.part == 2
    assert trace.message.startswith("Topic 3 lost all its words in the M-step of iteration 1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, t: (d[:, :1], t), r"P\(z \| d\) has shape \(6, 1\); expected 6 × 2"),
        (lambda d, t: (d * 2, t), r"Each row of the start's P\(z \| d\) must add up to 1"),
        (lambda d, t: (d, np.eye(2, 9)), "gives probability 0 to the word 'w3' in document 1"),
    ],
)
def test_a_plsa_start_that_cannot_be_used_is_refused(change, message) -> None:
    counts = small_counts(5)
    counts[0, 2] = 1
    start = plsa.random_start(from_counts(counts), 2, seed=0).params
    doc_topic, topic_word = change(np.array(start.doc_topic), np.array(start.topic_word))
    with pytest.raises(ValueError, match=message):
        plsa.fit(counts, doc_topic=doc_topic, topic_word=topic_word)


def bank_topics(posteriors_of_bank: np.ndarray) -> np.ndarray:
    return posteriors_of_bank.argmax(axis=1)


def test_plsa_gives_bank_the_topic_of_its_document() -> None:
    """The best of eight starts by ℓ (twelve short documents have many local maxima)."""
    corpus = corpus_from_text(RIVERS)
    runs = [plsa.fit(corpus, 2, rng=seed, tol=1e-9, max_iter=500) for seed in range(8)]
    trace = max(runs, key=lambda run: run.final.log_likelihood)
    posteriors = plsa.pair_posteriors(corpus, trace.final.params)
    bank = posteriors[corpus.word_ids == corpus.vocabulary.index("bank")]
    topics = bank_topics(bank)
    assert topics.tolist() == [topics[0]] * 6 + [1 - topics[0]] * 6
    assert bank.max(axis=1).min() > 0.9


# ---------------------------------------------------------------------------------------------
# LDA


def per_document_inner_loop(counts, exp_elog_beta, alpha, gamma, max_iter, tol):
    """The inner loop one document at a time, as scikit-learn writes it."""
    gamma = np.array(gamma)
    sweeps = np.zeros(len(counts), dtype=int)
    for d, row in enumerate(counts):
        ids = np.flatnonzero(row)
        cnts, beta = row[ids], exp_elog_beta[:, ids]
        g = gamma[d]
        e = np.exp(digamma(g) - digamma(g.sum()))
        for sweep in range(1, max_iter + 1):
            last = g
            norm = e @ beta + lda.EPS
            g = e * ((cnts / norm) @ beta.T) + alpha
            e = np.exp(digamma(g) - digamma(g.sum()))
            sweeps[d] = sweep
            if np.mean(np.abs(last - g)) < tol:
                break
        gamma[d] = g
    return gamma, sweeps


@pytest.mark.parametrize("tol", [1e-1, 1e-3, 1e-8])
def test_the_inner_loop_over_all_documents_at_once_is_the_per_document_one(tol) -> None:
    bars = make_bars(40, words_per_document=30, seed=1)
    corpus = bars.corpus
    start = lda.random_start(corpus, 10, seed=3).params
    exp_elog_beta = np.exp(digamma(start.topic_word) - digamma(start.topic_word.sum(1))[:, None])
    ours = lda.update_documents(corpus, exp_elog_beta, 0.1, start.doc_topic, 100, tol)
    theirs = per_document_inner_loop(corpus.dense(), exp_elog_beta, 0.1, start.doc_topic, 100, tol)
    assert np.array_equal(ours[1], theirs[1])
    assert np.allclose(ours[0], theirs[0], rtol=1e-12)
    assert len(set(ours[1])) > 1 or tol == 1e-1


def test_the_lda_m_step_adds_eta_to_the_expected_counts_and_keeps_gamma() -> None:
    corpus = make_bars(20, seed=2).corpus
    model = lda.LDA(0.5, 0.2)
    expectations, _ = model.e_step(corpus, lda.random_start(corpus, 4, seed=0).params)
    params, sweeps = model.m_step(corpus, expectations)
    assert np.allclose(params.topic_word, 0.2 + expectations.topic_word_counts)
    assert np.array_equal(params.doc_topic, expectations.doc_topic)
    assert expectations.topic_word_counts.sum() == pytest.approx(corpus.n_tokens, rel=1e-9)
    assert np.array_equal(sweeps, expectations.sweeps)
    assert sweeps.min() >= 1


def test_an_lda_run_is_labelled_a_bound_and_its_start_is_checked() -> None:
    corpus = make_bars(20, seed=2).corpus
    trace = lda.fit(corpus, 3, rng=0, tol=1e-4)
    assert "evidence lower bound per word" in trace.message
    assert "log-likelihood" not in trace.message
    start = lda.random_start(corpus, 3, seed=0).params
    bad = np.array(start.topic_word)
    bad[0, 0] = 0.0
    with pytest.raises(ValueError, match="The start's λ must hold finite numbers > 0"):
        lda.fit(corpus, doc_topic=start.doc_topic, topic_word=bad)
    with pytest.raises(ValueError, match="alpha must be a number > 0"):
        lda.LDA(0.0, 1.0)


def test_lda_gives_bank_the_topic_of_its_document() -> None:
    """Flat priors (α = η = 1) suit twelve short documents: every start separates them."""
    corpus = corpus_from_text(RIVERS)
    trace = lda.fit(corpus, 2, alpha=1.0, eta=1.0, rng=0, tol=1e-9, max_iter=300)
    gamma = trace.final.params.doc_topic
    mix = gamma / gamma.sum(axis=1, keepdims=True)
    sides = mix.argmax(axis=1)
    assert sides.tolist() == [sides[0]] * 6 + [1 - sides[0]] * 6
    beta = lda.topics(trace.final.params)
    bank = corpus.vocabulary.index("bank")
    phi = mix[:, :, None] * beta[None, :, bank : bank + 1]
    assert np.array_equal(phi[..., 0].argmax(axis=1), sides)
