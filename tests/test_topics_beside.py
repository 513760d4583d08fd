"""pLSA beside LDA: the topics matched one to one at the smallest total distance (as SciPy's
Hungarian method finds it), each drawn image or bar holding its run's numbers, and the line
on what the priors changed saying what the numbers say."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import entropy

from em_models.topics import beside
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.steps import TopicSteps


@pytest.mark.parametrize("k", [1, 2, 5, 9])
def test_the_matching_is_the_hungarian_methods(k):
    rng = np.random.default_rng(k)
    for _ in range(5):
        a, b = rng.dirichlet(np.ones(12), size=k), rng.dirichlet(np.ones(12), size=k)
        cost = 0.5 * np.abs(a[:, None] - b[None]).sum(axis=2)
        rows, columns = linear_sum_assignment(cost)
        order = beside.match_topics(a, b)
        assert sorted(order.tolist()) == list(range(k))
        assert cost[np.arange(k), order].sum() == pytest.approx(cost[rows, columns].sum())
    shuffled = rng.permutation(k)
    np.testing.assert_array_equal(beside.match_topics(a, a[shuffled]), np.argsort(shuffled))


def test_entropies_are_scipys_in_bits():
    rows = np.random.default_rng(0).dirichlet(np.ones(6), size=4)
    rows[0] = [0.5, 0.5, 0, 0, 0, 0]
    np.testing.assert_allclose(beside.entropy_bits(rows), entropy(rows, base=2, axis=1))


def final_topics(corpus, k):
    runs = [plsa.fit(corpus, k, rng=0, tol=1e-3, max_iter=30)]
    runs.append(lda.fit(corpus, k, rng=0, tol=1e-3, max_iter=30))
    return runs, [TopicSteps(corpus, t).topics(t.n_iter) for t in runs]


@pytest.mark.parametrize("narrow", [False, True])
def test_each_image_is_its_runs_topic_under_the_topic_it_is_matched_with(narrow):
    corpus = make_bars(60, seed=3).corpus
    _, (a, b) = final_topics(corpus, 10)
    order = beside.match_topics(a, b)
    fig = beside.beside_figure(corpus, {"pLSA": a, "LDA": b}, order, narrow=narrow)
    images = [t for t in fig.data if t.type == "heatmap"]
    assert len(images) == 20
    titles = [note.text for note in fig.layout.annotations]
    for z in range(10):
        mine = next(t for t in images if t.hovertemplate.startswith(f"pLSA topic {z + 1},"))
        theirs = next(t for t in images if t.hovertemplate.startswith(f"LDA topic {order[z] + 1},"))
        np.testing.assert_array_equal(mine.z, a[z].reshape(5, 5))
        np.testing.assert_array_equal(theirs.z, b[order[z]].reshape(5, 5))
        assert mine.xaxis != theirs.xaxis
        distance = 0.5 * np.abs(a[z] - b[order[z]]).sum()
        assert f"LDA {order[z] + 1}<br>TV {distance:.2f}" in titles
        assert f"pLSA {z + 1}" in titles
    assert max(t.zmax for t in images) == pytest.approx(max(a.max(), b.max()))


def test_a_texts_topics_are_bars_of_their_likeliest_words_and_the_line_follows_the_numbers():
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    runs, (a, b) = final_topics(corpus, 2)
    order = beside.match_topics(a, b)
    fig = beside.beside_figure(corpus, {"pLSA": a, "LDA": b}, order, narrow=False)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 4
    top = np.argsort(-a[0], kind="stable")[:5]
    assert list(bars[0].y) == [corpus.vocabulary[w] for w in top]
    np.testing.assert_allclose(bars[0].x, a[0][top])
    table = beside.top_words_table(corpus, a, [1, 2])
    assert table["Topic 1"][0] == f"{corpus.vocabulary[top[0]]} {a[0, top[0]]:.3f}"
    values = [
        beside.measures(corpus, t, beside.final_mixes(corpus, r))
        for t, r in zip((a, b), runs, strict=True)
    ]
    assert values[0]["smallest"] == a.min()
    short = np.argsort(corpus.lengths, kind="stable")[:3]  # a quarter of 12 documents
    mixes = beside.final_mixes(corpus, runs[1])[short]  # the mixes the page's tables show
    assert values[1]["short_mix_entropy"] == pytest.approx(entropy(mixes, base=2, axis=1).mean())
    text = beside.measures_text(["pLSA", "LDA"], values)
    smoother = values[1]["topic_entropy"] > values[0]["topic_entropy"]
    assert f"pLSA {values[0]['topic_entropy']:.2f} bits" in text
    assert ("LDA's topics smoother here" in text) == smoother
    assert ("not smoother" in text) == (not smoother)
    flipped = beside.measures_text(["LDA", "pLSA"], values[::-1])
    assert ("LDA's topics smoother here" in flipped) == smoother
