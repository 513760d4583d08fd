"""With three topics each document's mix is a point in a triangle: its place is the mix's
barycentric coordinates, the corners are named by their topics, and the points move with the
half-steps as the engine's mixes do."""

from __future__ import annotations

import numpy as np
import pytest

from em_models.topics import simplex
from em_models.topics.corpus import make_bars
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.view import TopicsView
from em_viz.halfstep import half_step

BARS = make_bars(40, seed=2).corpus
STACKED = ("tozeroy", "tonexty")  # the stacked bars' fills, each topic's down to the one before


def barycentric(xy: np.ndarray) -> np.ndarray:
    """The weights of the three corners that give the places ``xy`` (solved, not assumed)."""
    corners = simplex.CORNERS
    system = np.vstack([corners.T, np.ones(3)])  # x, y and "the weights add to 1"
    rhs = np.vstack([np.asarray(xy).T, np.ones(len(xy))])
    return np.linalg.solve(system, rhs).T


def named(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_a_place_is_the_mixs_barycentric_coordinates():
    mixes = np.random.default_rng(0).dirichlet(np.ones(3), size=50)
    np.testing.assert_allclose(barycentric(simplex.positions(mixes)), mixes, atol=1e-12)
    np.testing.assert_allclose(simplex.positions(np.eye(3)), simplex.CORNERS)
    np.testing.assert_allclose(simplex.positions([[1.0, 1.0, 1.0]]), [simplex.CORNERS.mean(0)])


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_the_points_are_each_half_steps_mixes_and_the_corners_name_the_topics(model):
    if model == "lda":
        trace = lda.fit(BARS, 3, alpha=0.1, eta=0.1, rng=0, tol=1e-3, max_iter=6)
    else:
        trace = plsa.fit(BARS, 3, rng=0, tol=1e-3, max_iter=6)
    view = TopicsView(BARS, trace, document=4)
    for h in range(view.n_half_steps):
        fig = view.figure(h, narrow=h % 2 == 1)
        mixes = view.steps.mixes(half_step(trace, h))
        points = named(fig, "documents' mixes")
        xy = np.column_stack([points.x, points.y])
        np.testing.assert_allclose(barycentric(xy), mixes, atol=2e-3)
        assert list(points.customdata) == list(range(1, BARS.n_documents + 1))
        ring = named(fig, simplex.CHOSEN)
        np.testing.assert_allclose(barycentric([[ring.x[0], ring.y[0]]])[0], mixes[4], atol=2e-3)
        assert ring.hovertext[0].startswith("document 5: topic 1 ")
        topics = view.steps.topics(half_step(trace, h).params_index)
        corners = named(fig, "the topics' corners")
        for z, text in enumerate(corners.text):
            best = BARS.vocabulary[int(np.argmax(topics[z]))]
            assert text.startswith(f"<b>{z + 1}</b> {best}")
        assert not any(t.xaxis == "x4" and t.fill in STACKED for t in fig.data)  # no bars


def test_other_numbers_of_topics_keep_the_stacked_bars():
    trace = plsa.fit(BARS, 4, rng=0, tol=1e-3, max_iter=3)
    fig = TopicsView(BARS, trace).figure(1, narrow=False)
    assert sum(t.xaxis == "x4" and t.fill in STACKED for t in fig.data) == 4
    assert not any(t.name == simplex.CHOSEN for t in fig.data)
