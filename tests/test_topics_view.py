"""The topic models' view and chart, without a browser: what each half-step shows is the
engine's numbers, LDA's curve is called a bound, and the figures are valid plotly."""

from __future__ import annotations

import functools
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from test_topics_shades import drawn_levels

from em_models.topics import figures
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.fits import DEFAULT_PRIOR
from em_models.topics.inner_loop import inner_loop
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.plsa.exports import files as plsa_files
from em_models.topics.shades import SHADES
from em_models.topics.view import TopicsView
from em_viz.colors import blend
from em_viz.figures_common import FRAME_BUDGET_BYTES, MAX_FRAMES
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


@functools.cache
def page_run(model: str, tol: float = 1e-3):
    """A run on the page's bars (300 documents, K = 10) with the page's settings."""
    corpus = make_bars(300, seed=0).corpus
    if model == "lda":
        prior = DEFAULT_PRIOR
        return corpus, lda.fit(corpus, 10, alpha=prior, eta=prior, rng=0, tol=tol, max_iter=100)
    return corpus, plsa.fit(corpus, 10, rng=0, tol=tol, max_iter=100)


def frame_bytes(frame: dict) -> int:
    return len(json.dumps(frame, separators=(",", ":")))


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_the_bars_runs_hold_a_whole_frame_of_every_half_step_within_the_budget(model) -> None:
    """At the page's settings every half-step of the bars is a frame of the chart (so the
    step buttons move it without a new chart), and any half-step's whole frame, of this run
    or of a longer one, is small enough for sixty of them to fit in the budget."""
    corpus, trace = page_run(model)
    view = TopicsView(corpus, trace)
    fig = view.figure(0, narrow=False)
    assert fig.layout.meta["every_half_step"] is True
    assert len(fig.frame_dicts) == view.n_half_steps > 40
    most = FRAME_BUDGET_BYTES // MAX_FRAMES
    assert max(frame_bytes(frame) for frame in fig.frame_dicts) <= most
    corpus, longer = page_run(model, tol=1e-5)
    longer_view = TopicsView(corpus, longer)
    assert longer_view.n_half_steps > MAX_FRAMES
    for h in range(0, longer_view.n_half_steps, 17):
        fig = longer_view.figure(h, narrow=h % 2 == 1)
        (frame,) = [f for f in fig.frame_dicts if f["name"] == str(h)]  # whole: Play's first
        assert frame_bytes(frame) <= most


def computed_frame(fig: go.Figure, h: int) -> dict[int, dict]:
    """What frame h sets in each trace it updates, its base frame's first, as plotly.js
    computes a frame."""
    frames = {frame["name"]: frame for frame in fig.frame_dicts}
    frame = frames[str(h)]
    chain = [frame]
    while "baseframe" in chain[-1]:
        chain.append(frames[chain[-1]["baseframe"]])
    updates: dict[int, dict] = {}
    for each in reversed(chain):
        updates.update(zip(each["traces"], each["data"], strict=True))
    return updates


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_an_e_steps_frame_holds_what_it_changes_on_the_whole_frame_before(model) -> None:
    """An E-step leaves the topics as they were: its frame names the frame before it (the
    start's or an M-step's, which are whole) as its base, holds only the traces that change,
    and with its base sets every moving trace as a fresh chart of that half-step draws it."""
    trace = run(model, BARS, 10)
    view = TopicsView(BARS, trace, document=1)
    fig = view.figure(0, narrow=False)
    whole = len(fig.frame_dicts[0]["traces"])
    for h in range(view.n_half_steps):
        frame = fig.frame_dicts[h]
        if h % 2:
            assert frame["baseframe"] == str(h - 1)
            assert 0 < len(frame["traces"]) < whole / 2
        else:
            assert "baseframe" not in frame
            assert len(frame["traces"]) == whole
        fresh = view.figure(h, narrow=False).to_dict()["data"]
        for i, update in computed_frame(fig, h).items():
            assert holds(fresh[i], update), (h, i)


def holds(trace: dict, update: dict) -> bool:
    """Whether ``trace`` has every value ``update`` sets (nested dictionaries in part)."""
    return all(
        holds(trace.get(key, {}), value) if isinstance(value, dict) else trace.get(key) == value
        for key, value in update.items()
    )


def shown_levels(values: np.ndarray, scale: float) -> np.ndarray:
    return np.minimum(np.floor(values / scale * SHADES), SHADES).astype(int)


@pytest.mark.parametrize("model", ["plsa", "lda"])
def test_each_frame_draws_the_runs_numbers(model) -> None:
    """Every frame's table and images shade each cell by its probability (the darkest shade
    from the largest probability of the run on), its hovers say the probabilities to three
    significant digits, and its stacked bars are the documents' mixes to a thousandth."""
    trace = run(model, BARS, 10)
    view = TopicsView(BARS, trace)
    fig = view.figure(0, narrow=False)
    data = fig.to_dict()["data"]
    topics = [view.steps.topics(t) for t in range(trace.n_iter + 1)]
    scale = max(float(t.max()) for t in topics)
    for h in range(view.n_half_steps):
        half = half_step(trace, h)
        values = topics[half.params_index]
        panels: dict[str, list] = {"x": [], "x3": [], "x4": []}
        hovers = None
        for i, update in computed_frame(fig, h).items():
            axis = data[i].get("xaxis", "x")
            if data[i].get("fill") and axis in panels:
                panels[axis].append(update)
            elif axis == "x" and "customdata" in update:
                hovers = update["customdata"]
        table = drawn_levels(panels["x"], values.shape)
        np.testing.assert_array_equal(table, shown_levels(values, scale))
        images = drawn_levels(panels["x3"], (11, 29))  # two rows of five 5 × 5 images
        for z in range(10):
            top, left = (z // 5) * 6, (z % 5) * 6
            image = images[top : top + 5, left : left + 5].ravel()
            np.testing.assert_array_equal(image, shown_levels(values[z], scale))
        np.testing.assert_allclose(hovers, values.ravel(), rtol=5e-3)
        tops = np.cumsum(view.steps.mixes(half)[: figures.MAX_DOCUMENTS], axis=1)
        drawn = np.array([bar["y"][:-1] for bar in panels["x4"]]).T / figures.MIX_UNITS
        np.testing.assert_allclose(drawn, tops, atol=0.5 / figures.MIX_UNITS + 1e-12)


def test_the_exports_hold_the_animation_when_the_page_gives_its_chart():
    trace = run("plsa", RIVERS, 2)
    view = TopicsView(RIVERS, trace)
    names = [f.file_name for f in plsa_files(RIVERS, trace)]
    assert "em-plsa-animation.html" not in names
    with_chart = plsa_files(RIVERS, trace, figure=lambda: view.figure(0, narrow=False))
    animation = next(f for f in with_chart if f.file_name == "em-plsa-animation.html")
    assert "Plotly" in animation.make()
