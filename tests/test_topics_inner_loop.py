"""LDA's inner loop scrubbed sweep by sweep: every number of its chart and table is a plain
recomputation of the loop from the run's state (one document at a time, SciPy's digamma),
and the loop ends where the engine's E-step did."""

from __future__ import annotations

import numpy as np
import pytest
from casing_helpers import uncased
from scipy.special import digamma

from em_models.topics.corpus import make_bars
from em_models.topics.inner_loop import inner_loop, inner_loop_figure, inner_loop_table
from em_models.topics.lda import engine as lda
from em_models.topics.steps import TopicSteps

CORPUS = make_bars(50, words_per_document=40, seed=4).corpus
TRACE = lda.fit(CORPUS, 6, alpha=0.1, eta=0.1, rng=1, tol=1e-4, max_iter=4)


def plain_history(t: int):
    """Each document's γ after every sweep and its mean |Δγ| at each, written out."""
    params, model = TRACE.snapshots[t].params, TRACE.model
    elog = digamma(params.topic_word) - digamma(params.topic_word.sum(1))[:, None]
    beta, counts = np.exp(elog), CORPUS.dense()
    paths, changes = [], []
    for d, row in enumerate(counts):
        ids = np.flatnonzero(row)
        g = params.doc_topic[d].copy()
        path, change = [g], []
        for _ in range(model.inner_max_iter):
            e = np.exp(digamma(g) - digamma(g.sum()))
            new = e * ((row[ids] / (e @ beta[:, ids] + lda.EPS)) @ beta[:, ids].T) + model.alpha
            change.append(np.mean(np.abs(new - g)))
            g = new
            path.append(g)
            if change[-1] < model.inner_tol:
                break
        paths.append(np.array(path))
        changes.append(np.array(change))
    return paths, changes


@pytest.mark.parametrize("t", [0, 2])
@pytest.mark.parametrize("d", [0, 7])
def test_every_sweeps_numbers_are_the_loop_recomputed_and_it_ends_where_the_engine_did(t, d):
    loop = inner_loop(TopicSteps(CORPUS, TRACE), t, d)
    paths, changes = plain_history(t)
    lengths = np.array([c.size for c in changes])
    assert loop.n_sweeps == lengths.max()
    assert loop.stopped == lengths[d] == TRACE.snapshots[t + 1].stats[d]
    np.testing.assert_allclose(loop.gamma[: lengths[d] + 1], paths[d], rtol=1e-10)
    after = np.tile(paths[d][-1], (loop.n_sweeps - lengths[d] + 1, 1))  # stopped: stays
    np.testing.assert_allclose(loop.gamma[lengths[d] :], after, rtol=1e-10)
    np.testing.assert_allclose(loop.gamma[-1], TRACE.snapshots[t + 1].params.doc_topic[d])
    np.testing.assert_allclose(loop.change[: lengths[d]], changes[d], rtol=1e-8)
    assert np.isnan(loop.change[lengths[d] :]).all()
    for s in range(1, loop.n_sweeps + 1):
        ran = [c[s - 1] for c in changes if c.size >= s]
        assert loop.going[s - 1] == len(ran)
        assert loop.mean_change[s - 1] == pytest.approx(np.mean(ran), rel=1e-8)


def test_the_chart_and_its_table_hold_the_same_numbers_and_mark_the_chosen_sweep():
    loop = inner_loop(TopicSteps(CORPUS, TRACE), 1, 3)
    table = inner_loop_table(loop)
    assert len(table) == loop.n_sweeps + 1
    for narrow in (False, True):
        fig = inner_loop_figure(loop, 4, narrow=narrow)
        change = next(tr for tr in uncased(fig) if tr.name == "document 4")
        np.testing.assert_allclose(np.array(change.y, dtype=float), loop.change)
        gammas = [tr for tr in uncased(fig) if tr.hovertemplate.startswith("topic ")]
        assert len(gammas) == 6
        for z, tr in enumerate(gammas):
            np.testing.assert_allclose(tr.y, loop.gamma[:, z])
            np.testing.assert_allclose(table[f"γ topic {z + 1}"], np.round(loop.gamma[:, z], 4))
        assert fig.layout.yaxis.type == "log"
        marks = [s for s in fig.layout.shapes if s.x0 == s.x1]
        assert [s.x0 for s in marks] == [4, 4]
    shown = [float(v) for v in table["Mean |Δγ|, document 4"][1 : loop.stopped + 1]]
    np.testing.assert_allclose(shown, loop.change[: loop.stopped], rtol=5e-3)
    assert table["Documents going"].tolist() == [loop.going[0], *loop.going.tolist()]
