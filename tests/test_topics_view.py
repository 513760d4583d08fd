"""The topic models' view and chart, without a browser: what each half-step shows is the
engine's numbers, LDA's curve is called a bound, and the figures are valid plotly."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from em_models.topics import figures
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.inner_loop import inner_loop
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.plsa.exports import files as plsa_files
from em_models.topics.view import TopicsView
from em_viz.colors import blend
from em_viz.halfstep import half_step

BARS = make_bars(60, seed=1).corpus
RIVERS = corpus_from_text("\n".join(RIVERS_AND_MONEY))


def run(model: str, corpus, k: int):
    if model == "lda":
        return lda.fit(corpus, k, alpha=0.1, eta=0.1, rng=0, tol=1e-4, max_iter=12)
    return plsa.fit(corpus, k, rng=0, tol=1e-4, max_iter=12)


def document_words(fig: go.Figure):
    return next(t for t in fig.data if t.name == figures.DOCUMENT_TRACE)


CASES = [(m, c, k) for m in ("plsa", "lda") for c, k in ((BARS, 10), (RIVERS, 2))]


@pytest.mark.parametrize(("model", "corpus", "k"), CASES)
@pytest.mark.parametrize("narrow", [False, True])
def test_every_half_steps_figure_is_valid_plotly_with_its_frames(model, corpus, k, narrow):
    trace = run(model, corpus, k)
    view = TopicsView(corpus, trace, document=3)
    for h in (0, 1, view.n_half_steps - 1):
        fig = view.figure(h, narrow=narrow)
        spec = fig.to_dict()
        go.Figure(spec)  # validates data, layout and frames
        assert spec["layout"]["meta"]["half_step"] == h
        assert spec["layout"]["title"]["text"].endswith(view.label(h)) or view.label(h) in str(
            spec["layout"]["title"]
        )


def test_plsas_e_step_colours_the_document_by_its_words_posteriors():
    trace = run("plsa", BARS, 10)
    view = TopicsView(BARS, trace, document=2)
    fig = view.figure(3, narrow=False)  # E-step 2, computed from θ_1
    words = document_words(fig)
    pairs = slice(BARS.indptr[2], BARS.indptr[3])
    posteriors = plsa.pair_posteriors(BARS, trace.snapshots[1].params)[pairs]
    assert list(words.marker.color) == blend(posteriors)
    # Before the first E-step nothing is coloured yet.
    start = document_words(view.figure(0, narrow=False))
    assert set(start.marker.color) == {figures.NO_E_STEP}


def test_ldas_mixes_move_at_the_e_step_and_the_inner_loop_ends_where_the_engine_did():
    trace = run("lda", RIVERS, 2)
    view = TopicsView(RIVERS, trace, document=0)
    steps = view.steps
    gamma = trace.snapshots[1].params.doc_topic
    mixes = steps.mixes(half_step(trace, 1))  # E-step 1 has moved γ …
    np.testing.assert_allclose(mixes, gamma / gamma.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(steps.mixes(half_step(trace, 2)), mixes)  # … M-step 1 keeps it
    sweeps = np.asarray(trace.snapshots[1].stats)
    for d in range(RIVERS.n_documents):
        loop = inner_loop(steps, 0, d)
        assert loop.stopped == sweeps[d]
        np.testing.assert_allclose(loop.gamma[int(sweeps[d])], gamma[d])
    np.testing.assert_allclose(loop.gamma[0], trace.snapshots[0].params.doc_topic[-1])
    # The counts of sweeps are whole numbers, written so (the packed trace keeps floats).
    took = f"took from {int(sweeps.min())} to {int(sweeps.max())} sweeps a document"
    assert took in view.summary(1).description


def test_plsas_mixes_move_at_the_m_step_only():
    trace = run("plsa", RIVERS, 2)
    steps = TopicsView(RIVERS, trace).steps
    np.testing.assert_array_equal(
        steps.mixes(half_step(trace, 1)), trace.snapshots[0].params.doc_topic
    )
    np.testing.assert_array_equal(
        steps.mixes(half_step(trace, 2)), trace.snapshots[1].params.doc_topic
    )


def test_ldas_curve_is_named_a_bound_everywhere_and_plsas_a_log_likelihood():
    lda_view = TopicsView(RIVERS, run("lda", RIVERS, 2))
    fig = lda_view.figure(2, narrow=False)
    assert fig.layout.yaxis2.title.text == "evidence lower bound"
    on_curve = [t for t in fig.data if t.yaxis == "y2"]
    assert on_curve
    for trace in on_curve:
        assert "ℓ" not in (trace.name or "")
        assert not any("ℓ" in text for text in trace.hovertext or ())
    assert lda_view.summary(2).metric.label == "Evidence lower bound ELBO(θ₁)"
    assert "ℓ" not in lda_view.summary(2).caption
    plsa_view = TopicsView(RIVERS, run("plsa", RIVERS, 2))
    assert plsa_view.figure(2, narrow=False).layout.yaxis2.title.text == "log-likelihood ℓ(θ)"
    assert plsa_view.summary(2).metric.label == "Log-likelihood ℓ(θ₁)"


def test_each_cell_is_drawn_once_in_the_shade_of_its_value():
    values = np.array([0.0, 0.01, 0.05, 0.12, 0.2, 0.2])
    xs = np.arange(values.size, dtype=float)
    frame = figures.shade_frame(xs, np.zeros_like(xs), values, scale=0.2)
    centres = {}
    for level, shade in enumerate(frame, start=1):
        corners = [x for x in shade["x"] if x is not None]
        if len(corners) == 3:  # a shade no cell has: a path of no area
            continue
        for left in corners[::4]:  # four corners a rectangle
            centres[round(left + figures.CELL_HALF, 6)] = level
    expected = {i: int(v / 0.2 * figures.SHADES) for i, v in enumerate(values)}
    assert centres == {i: level for i, level in expected.items() if level > 0}


def test_the_exports_hold_the_animation_when_the_page_gives_its_chart():
    trace = run("plsa", RIVERS, 2)
    view = TopicsView(RIVERS, trace)
    names = [f.file_name for f in plsa_files(RIVERS, trace)]
    assert "em-plsa-animation.html" not in names
    with_chart = plsa_files(RIVERS, trace, figure=lambda: view.figure(0, narrow=False))
    animation = next(f for f in with_chart if f.file_name == "em-plsa-animation.html")
    assert "Plotly" in animation.make()
