"""The topic models against independent answers: ℓ and the bound never decrease
(Hypothesis); pLSA's M-step is the numerical maximiser of the expected complete-data
log-likelihood; pLSA's fixed point is one of scikit-learn's NMF with the Kullback–Leibler
loss; one batch step of scikit-learn's LatentDirichletAllocation gives LDA's topics; the bound
is scikit-learn's; LDA finds the bars."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.decomposition._lda import _dirichlet_expectation_2d

from em_models.topics import special
from em_models.topics.common import TopicParameters
from em_models.topics.corpus import from_counts, make_bars
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa

# LDA's step is compared with scikit-learn's private ``_em_step`` (and the bound with
# ``_approx_bound``): private functions may change, so the comparison holds for this version.
SKLEARN_VERSION = "1.9.1"


@st.composite
def count_matrices(draw):
    n_docs = draw(st.integers(2, 6))
    n_words = draw(st.integers(2, 7))
    cells = st.integers(0, 6)
    counts = np.array(
        draw(
            st.lists(
                st.lists(cells, min_size=n_words, max_size=n_words),
                min_size=n_docs,
                max_size=n_docs,
            )
        ),
        dtype=float,
    )
    counts[:, draw(st.integers(0, n_words - 1))] += 1  # no empty document
    return counts


@settings(max_examples=40, deadline=None)
@given(count_matrices(), st.integers(1, 4), st.integers(0, 2**16))
def test_plsa_log_likelihood_never_decreases(counts, n_topics, seed) -> None:
    trace = plsa.fit(counts, n_topics, rng=seed, tol=0.0, max_iter=25)
    lls = np.array([s.log_likelihood for s in trace.snapshots])
    assert np.all(np.diff(lls) >= -1e-10 * np.abs(lls[:-1]))


@settings(max_examples=20, deadline=None)
@given(
    count_matrices(),
    st.integers(1, 4),
    st.integers(0, 2**16),
    st.sampled_from([0.05, 0.5, 2.0]),
    st.sampled_from([0.01, 0.3, 1.0]),
)
def test_lda_bound_never_decreases(counts, n_topics, seed, alpha, eta) -> None:
    trace = lda.fit(
        counts, n_topics, alpha=alpha, eta=eta, rng=seed, tol=0.0, max_iter=10, inner_tol=1e-8
    )
    bounds = np.array([s.log_likelihood for s in trace.snapshots])
    assert np.all(np.diff(bounds) >= -1e-9 * np.abs(bounds[:-1]))


def test_plsa_m_step_is_the_numerical_maximiser_of_the_expected_complete_log_likelihood() -> None:
    counts = np.array([[3.0, 0, 1, 2], [0, 2, 4, 1], [1, 1, 0, 5]])
    corpus = from_counts(counts)
    model = plsa.PLSA()
    theta = plsa.random_start(corpus, 2, seed=1).params
    statistics, _ = model.e_step(corpus, theta)
    ours, _ = model.m_step(corpus, statistics)
    n_dz, n_zw = statistics.doc_topic_counts, statistics.topic_word_counts

    def negative_q(free):  # rows on the simplex through softmax
        a, b = free[: n_dz.size].reshape(n_dz.shape), free[n_dz.size :].reshape(n_zw.shape)
        log_dz = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
        log_zw = b - np.log(np.exp(b).sum(axis=1, keepdims=True))
        return -(np.sum(n_dz * log_dz) + np.sum(n_zw * log_zw))

    found = scipy.optimize.minimize(
        negative_q, np.zeros(n_dz.size + n_zw.size), method="BFGS", options={"gtol": 1e-10}
    ).x
    a, b = found[: n_dz.size].reshape(n_dz.shape), found[n_dz.size :].reshape(n_zw.shape)
    best_dz = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    best_zw = np.exp(b) / np.exp(b).sum(axis=1, keepdims=True)
    assert np.allclose(ours.doc_topic, best_dz, atol=1e-6)
    assert np.allclose(ours.topic_word, best_zw, atol=1e-6)


def test_scikit_learns_kl_nmf_does_not_move_plsas_converged_factors() -> None:
    """pLSA maximises Σ n log (W H) with W = n(d) P(z | d), H = P(w | z): NMF's KL loss."""
    counts = make_bars(12, words_per_document=40, seed=3).corpus.dense()
    trace = plsa.fit(counts, 3, rng=0, tol=0.0, max_iter=6000)
    params = trace.final.params
    W = counts.sum(axis=1, keepdims=True) * params.doc_topic
    H = np.array(params.topic_word)
    nmf = NMF(3, beta_loss="kullback-leibler", solver="mu", init="custom", max_iter=1, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Maximum number of iterations 1 reached"
        W_after = nmf.fit_transform(counts, W=W.copy(), H=H.copy())
    assert np.max(np.abs(W_after - W) / W.max()) < 1e-8
    assert np.max(np.abs(nmf.components_ - H) / H.max()) < 1e-8
    # NMF's divergence Σ n log(n / WH) − n + WH equals Σ n log(n / n(d)) − ℓ.
    positive = counts > 0
    row = counts.sum(axis=1, keepdims=True) * np.ones_like(counts)
    constant = np.sum(counts[positive] * np.log(counts[positive] / row[positive]))
    divergence = nmf.reconstruction_err_**2 / 2
    assert divergence == pytest.approx(constant - trace.final.log_likelihood, rel=1e-9)


def sklearn_psi(x):
    """scikit-learn's ψ: its asymptotic series stops at the x⁻⁶ term (error up to ~3e-9)."""
    x = np.array(x, dtype=np.float64)
    result = np.zeros_like(x)
    while (small := x < 6).any():
        result[small] -= 1 / x[small]
        x[small] += 1
    r = 1 / x
    result += np.log(x) - 0.5 * r
    r = r * r
    return result - r * (1 / 12 - r * (1 / 120 - r / 252))


def sklearn_one_step(counts, lam, gamma_seed):
    """scikit-learn's batch LDA: one E-step (γ drawn from ``gamma_seed``) and M-step from λ."""
    k = lam.shape[0]
    model = LatentDirichletAllocation(k, learning_method="batch", random_state=0)
    X = scipy.sparse.csr_matrix(counts)
    model._init_latent_vars(X.shape[1], dtype=np.float64)
    model.components_ = np.array(lam)
    model.exp_dirichlet_component_ = np.exp(_dirichlet_expectation_2d(model.components_))
    model.random_state_ = np.random.RandomState(gamma_seed)
    model._em_step(X, total_samples=X.shape[0], batch_update=True)
    return model


@pytest.mark.parametrize("with_sklearn_psi", [True, False], ids=["its psi", "our psi"])
def test_one_lda_step_is_one_batch_step_of_scikit_learn(monkeypatch, with_sklearn_psi) -> None:
    assert sklearn.__version__ == SKLEARN_VERSION
    corpus = make_bars(100, seed=3).corpus
    k = 10
    lam = lda.random_start(corpus, k, seed=5).params.topic_word
    gamma = np.random.RandomState(7).gamma(100.0, 0.01, (corpus.n_documents, k))
    if with_sklearn_psi:
        monkeypatch.setattr(special, "digamma", sklearn_psi)
    model = lda.LDA(1 / k, 1 / k)
    expectations, _ = model.e_step(corpus, TopicParameters(gamma, lam))
    ours, _ = model.m_step(corpus, expectations)
    theirs = sklearn_one_step(corpus.dense(), lam, 7).components_
    gap = np.max(np.abs(ours.topic_word - theirs) / theirs)
    # The same arithmetic gives the same topics to rounding; our ψ is exact to 1e-14 and
    # scikit-learn's to about 3e-9, which the step carries into λ at about 1e-7.
    assert gap < (1e-12 if with_sklearn_psi else 1e-6)


def test_the_bound_is_scikit_learns_approximate_bound() -> None:
    assert sklearn.__version__ == SKLEARN_VERSION
    corpus = make_bars(50, seed=4).corpus
    start = lda.random_start(corpus, 10, seed=2).params
    model = LatentDirichletAllocation(10, doc_topic_prior=0.3, topic_word_prior=0.2)
    model.components_ = np.array(start.topic_word)
    model.doc_topic_prior_, model.topic_word_prior_ = 0.3, 0.2
    X = scipy.sparse.csr_matrix(corpus.dense())
    theirs = model._approx_bound(X, np.array(start.doc_topic), sub_sampling=False)
    ours = lda.bound(corpus, start.doc_topic, start.topic_word, 0.3, 0.2)
    assert ours == pytest.approx(theirs, rel=1e-8)


def matched_distances(fitted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Each true topic's total-variation distance to the fitted topic matched to it (the
    matching that minimises the total)."""
    cost = np.abs(fitted[:, None, :] - truth[None, :, :]).sum(axis=2) / 2
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols]


def test_lda_finds_the_bars() -> None:
    """Two starts, the better bound kept. Threshold 0.1: a fitted topic within 0.1 of a bar
    puts at least 90% of its probability on that bar's five cells, while a topic that merged
    two bars or split one is at least 0.4 from every bar (two bars share at most one cell of
    five); the bars' sampling noise with 200 documents of 100 words leaves about 0.05."""
    bars = make_bars(200, words_per_document=100, seed=0)
    runs = [lda.fit(bars.corpus, 10, alpha=1.0, rng=seed, tol=1e-5) for seed in (0, 1)]
    best = max(runs, key=lambda run: run.final.log_likelihood)
    distances = matched_distances(lda.topics(best.final.params), bars.topics)
    assert distances.max() < 0.1
