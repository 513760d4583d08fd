"""The hidden Markov model's figures: valid plotly, a frame per half-step, the trellis's and
the M-step panels' numbers equal to the engine's, and the three sections' figures (raw α's
underflowing, the mixture as an HMM that forgets, γ's states against Viterbi's path)."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hmm_helpers import EISNER_MODEL, EISNER_START, ICE_CREAM

from em_core.em import run_em
from em_models.hmm import figures_mstep as mstep
from em_models.hmm import figures_trellis as trellis
from em_models.hmm.datasets import CASINO_FACES, CASINO_TRANSMAT, load_sequence, simulate_casino
from em_models.hmm.emissions import CategoricalEmissions
from em_models.hmm.engine import HMM, fit
from em_models.hmm.figures_mstep import cell_color
from em_models.hmm.figures_sections import (
    decoding_figure,
    first_zero,
    forgetting_figure,
    scaling_figure,
    unscaled_forward,
)
from em_models.hmm.forward_backward import xi_at
from em_models.hmm.params import HMMParams
from em_models.hmm.starts import HMMStart
from em_models.hmm.view import HMMView
from em_models.hmm.viterbi import posterior_states, viterbi
from em_models.mixture import engine as mixture
from em_viz.colors import component_colors
from em_viz.contrast import CASING_NAME

FRAME_BUDGET_BYTES = 12 * 1024


@pytest.fixture(scope="module")
def eisner() -> HMMView:
    trace = run_em(ICE_CREAM, EISNER_MODEL, HMMStart("given", None, EISNER_START), max_iter=10)
    return HMMView(
        ICE_CREAM, trace, state_names=["cold", "hot"], symbols=["1", "2", "3"], step="day"
    )


def _dynamic(fig, h):
    """What frame h updates, by trace: every dynamic trace but the casings under faint lines,
    those the frame leaves out (their values never change, so the figure's trace holds them)
    with nothing."""
    frame = next(f for f in fig.frame_dicts if f["name"] == str(h))
    updates = dict(zip(frame["traces"], frame["data"], strict=True))
    dynamic = sorted({i for f in fig.frame_dicts for i in f["traces"]})
    dynamic = [i for i in dynamic if fig.data[i].name != CASING_NAME]
    return {i: updates.get(i, {}) for i in dynamic}


def _merged(base: dict, update: dict) -> dict:
    out = dict(base)
    for key, value in update.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = _merged(out[key], value) if both else value
    return out


def _drawn(fig, h) -> list[dict]:
    """What each trace a frame updates draws at half-step h: the figure's trace with the
    frame merged in, as plotly.js merges it."""
    data = fig.to_dict()["data"]
    return [_merged(data[i], update) for i, update in _dynamic(fig, h).items()]


@pytest.mark.parametrize("narrow", [False, True])
def test_the_chart_is_valid_plotly_with_a_frame_per_half_step(eisner, narrow) -> None:
    fig = eisner.figure(3, narrow=narrow)
    go.Figure(fig.to_dict())  # validates every value
    names = [f["name"] for f in fig.frame_dicts]
    assert names == [str(h) for h in range(eisner.n_half_steps)]
    assert fig.layout.meta["half_step"] == 3
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2", "xaxis3", "yaxis3", "xaxis4", "yaxis4"):
        assert fig.layout[axis].title.text, axis
    assert "All 33 days" in fig.layout.annotations[0].text


def test_the_e_step_frame_draws_the_engines_posteriors(eisner) -> None:
    fig = eisner.figure(0, narrow=False)
    fb = EISNER_MODEL.forward_backward(eisner.data, eisner.trace.snapshots[1].params)
    drawn = _drawn(fig, 3)  # E-step 2: the posteriors of θ₁
    K, T = 2, 33
    top = trellis.GAMMA_BASE + np.cumsum(fb.gamma, axis=1)  # each state's stack's top
    edges = [d + side * trellis.GAMMA_HALF_WIDTH for d in range(1, T + 1) for side in (-1, 1)]
    for k in range(K):  # the last state's trace first: each state's share is drawn over it
        stack = drawn[2 + K + (K - 1 - k)]
        assert (stack["fill"], stack["line"]["shape"]) == ("toself", "hv")
        assert stack["fillcolor"] == component_colors(K)[k]
        # over day t at the top of state k's stack, at the base between days, and back
        assert stack["x"] == [pytest.approx(e) for e in (*edges, edges[0])]
        heights = np.reshape(stack["y"][:-1], (T, 2))
        np.testing.assert_allclose(heights[:, 0], top[:, k], atol=5e-4)
        np.testing.assert_allclose(heights[:, 1], trellis.GAMMA_BASE)
        assert stack["y"][-1] == trellis.GAMMA_BASE
    hover = drawn[2 + 2 * K]  # one trace of hover points: the bands', then the stacks'
    n_bands = (T - 1) * K * K
    bars = {key: hover[key][n_bands:] for key in ("x", "y", "text", "customdata")}
    assert bars["x"] == [t + 1 for t in range(T)] * K  # state by state
    np.testing.assert_allclose(np.reshape(bars["y"], (K, T)).T, top - fb.gamma / 2, atol=5e-4)
    hover_value = "%{text} = %{customdata:.4~g}<extra></extra>"
    assert (bars["text"][T + 1], hover["hovertemplate"]) == ("γ₂(2)", hover_value)
    assert bars["customdata"][T + 1] == float(f"{fb.gamma[1, 1]:.4g}")
    xi = xi_at(fb, eisner.trace.snapshots[1].params.transmat, 1)  # into day 2
    assert len(hover["x"]) == n_bands + K * T
    assert hover["text"][0] == "ξ₂(1→1)"
    assert hover["customdata"][0] == float(f"{xi[0, 0]:.4g}")
    half = trellis.EDGE_MAX * xi[0, 0] / 2  # the band 1 → 1 into day 2, state 1 on top
    x0, x1 = 1 + trellis.BAND_GAP, 2 - trellis.BAND_GAP
    assert drawn[2]["x"][:5] == [pytest.approx(v) if v else v for v in (x0, x1, x1, x0, None)]
    assert drawn[2]["y"][:5] == [
        pytest.approx(v, abs=5e-4) if v else v
        for v in (2 - half, 2 - half, 2 + half, 2 + half, None)
    ]
    alpha = drawn[0]
    assert (alpha["text"][1], alpha["hovertemplate"]) == ("α̂₁(2)", hover_value)
    assert alpha["customdata"][1] == float(f"{fb.alpha[0, 1]:.4g}")
    assert (alpha["x"][1], alpha["y"][1]) == (1, pytest.approx(1 + trellis.NODE_OFFSET))
    assert alpha["marker"]["size"][1] == pytest.approx(
        trellis.MIN_MARKER_PX
        + (trellis.MAX_MARKER_PX - trellis.MIN_MARKER_PX) * np.sqrt(fb.alpha[0, 1]),
        abs=0.05,
    )
    start = _drawn(fig, 0)  # no E-step yet: no triangle, band or stack
    assert [start[i]["visible"] for i in range(2 * K + 3)] == [False] * (2 * K + 3)
    assert all(drawn[i]["visible"] for i in range(2 * K + 3))


def _casino() -> HMMView:
    """The page's casino: 300 rolls from a random start (seed 0), the first 36 drawn."""
    rolls = load_sequence("casino").values - 1
    trace = fit(rolls, 2, emission="categorical", init="random", rng=0, tol=1e-4)
    return HMMView(rolls, trace, symbols=[str(v) for v in range(1, 7)], step="roll")


def test_what_every_frame_would_repeat_is_in_the_trace_alone(eisner) -> None:
    """Where the trellis's nodes stand is the same in every frame of a whole pass, so no
    frame sends it; scrubbing through a pass hides some nodes at some frames, so there the
    frames say where they stand."""
    K = 2
    fig = eisner.figure(0, narrow=False)
    nodes = [i for i in range(len(fig.data)) if fig.data[i].mode == "markers"][4:6]  # α̂, β̂
    for frame in fig.frame_dicts:
        updates = dict(zip(frame["traces"], frame["data"], strict=True))
        assert all("y" not in updates[i] and "marker" in updates[i] for i in nodes)
    drawn = _drawn(fig, 5)
    assert drawn[0]["y"][:2] == [K + trellis.NODE_OFFSET, K - 1 + trellis.NODE_OFFSET]
    scan = HMMView(ICE_CREAM, eisner.trace, step="day", scan=("forward", 3))
    scrubbed = scan.figure(0, narrow=False)
    assert _drawn(scrubbed, 1)[0]["y"][3 * K] is None  # α̂ of day 4: not yet reached
    assert _drawn(scrubbed, 2)[0]["y"][3 * K] == K + trellis.NODE_OFFSET  # M-step: all


def test_a_frame_carries_only_the_numbers_of_its_half_step(eisner) -> None:
    """Where the trellis's nodes, bands and bars stand, their colours and their hover's
    names are in the chart's traces once; a frame gives its half-step's heights, sizes and
    values, so a click's chart stays small (it was about 25 KiB a frame)."""
    K = 2
    for view in (eisner, _casino()):
        fig = view.figure(0, narrow=False)
        for frame in fig.frame_dicts:
            # α̂, β̂, the bands, γ's stacks, the hover points
            for update in frame["data"][: 2 * K + 3]:
                assert set(update) <= {"type", "visible", "y", "marker", "customdata"}
                assert set(update.get("marker", {})) <= {"size"}
        frames = json.loads(pio.to_json(fig, validate=False))["frames"]  # as sent
        per_frame = len(json.dumps(frames, separators=(",", ":"))) / len(frames)
        assert per_frame < FRAME_BUDGET_BYTES, (view.step, per_frame)


def test_the_m_step_frame_turns_counts_into_the_new_a(eisner) -> None:
    fig = eisner.figure(0, narrow=False)
    new = eisner.trace.snapshots[1].params
    K = 2
    a_cells, b_cells = _tables(_drawn(fig, 2), K, (K + 1, 3))  # A has an end column
    a_new = np.column_stack([new.transmat, new.endprob])
    assert [u["fillcolor"] for u in a_cells[:-1]] == [cell_color(v) for v in a_new.ravel()]
    assert a_cells[-1]["text"][0].startswith("0.8 → <b>0.876</b><br>12.9 / 14.7")
    assert a_cells[-1]["hovertext"][:3] == ["a(1, 1)", "a(1, 2)", "a(1, end)"]
    assert a_cells[-1]["hovertemplate"] == mstep.HOVER_UPDATE
    counts = eisner.trace.snapshots[1].stats
    moves_out = counts.transitions[0].sum() + counts.ends[0]
    assert a_cells[-1]["customdata"][0] == [
        0.875741,
        0.8,
        float(f"{counts.transitions[0, 0]:.6g}"),
        float(f"{moves_out:.6g}"),
    ]
    assert b_cells[0]["fillcolor"] == cell_color(0.676502)
    assert b_cells[-1]["hovertext"][0] == "b(1, 1)"
    assert b_cells[-1]["customdata"][0][:2] == [0.676502, 0.7]
    e_step, _ = _tables(_drawn(fig, 1), K, (K + 1, 3))
    assert e_step[-1]["text"][0] == "0.8"  # an E-step leaves A alone
    assert (e_step[-1]["customdata"][0], e_step[-1]["hovertemplate"]) == (0.8, mstep.HOVER_VALUE)
    assert e_step[0]["fillcolor"] == cell_color(0.8)


def _tables(drawn: list[dict], K: int, columns) -> tuple[list[dict], list[dict]]:
    """A's and the emission table's traces (a cell each, then the numbers): the ones that
    follow the trellis's α̂, β̂, bands, γ stacks and hover points."""
    tables = drawn[2 * K + 3 :]
    a_end = K * columns[0] + 1
    return tables[:a_end], tables[a_end : a_end + K * columns[1] + 1]


def test_cells_are_coloured_as_a_heatmap_on_the_cell_scale() -> None:
    """Plotly's heatmap mixes the scale's ends linearly in RGB."""
    assert cell_color(0.0) == "#ffffff"
    assert cell_color(1.0) == "#7fb2e5"
    assert cell_color(0.5) == "#bfd8f2"  # (191, 216.5 to even, 242)
    assert cell_color(2.0) == cell_color(1.0)


def test_a_long_sequence_shows_a_window_and_says_so() -> None:
    rolls, _ = simulate_casino(2_000, 3)
    trace = fit(rolls - 1, 2, emission="categorical", init="random", max_iter=3)
    view = HMMView(rolls - 1, trace, window_start=500, window_length=30, step="roll")
    fig = view.figure(1, narrow=False)
    assert fig.layout.annotations[0].text == "Rolls 500–529 of 2,000; the window is a view option"
    assert fig.layout.xaxis.range == (500 - 0.6, 529 + 0.6)
    hover = _drawn(fig, 1)[2 * 2 + 2]  # the hover points, after α̂, β̂, bands and stacks
    gamma_x, gamma_y = hover["x"][-2 * 30 :], hover["y"][-2 * 30 :]  # γ's, after the bands'
    assert sorted(set(gamma_x)) == list(range(500, 530))  # a stack per step
    assert all(y is not None for y in gamma_y)


@pytest.mark.parametrize(
    ("name", "emission", "columns"),
    [("geyser", "gaussian", 2), ("earthquakes", "poisson", 1), ("geyser", "gaussian", 1)],
)
def test_curves_for_gaussian_and_poisson_states(name, emission, columns) -> None:
    sequence = load_sequence(name)
    values = sequence.values[:, :columns]
    trace = fit(values, 2, emission=emission, max_iter=3)
    view = HMMView(values, trace, column_names=sequence.columns, step=sequence.step)
    fig = view.figure(2, narrow=True)
    go.Figure(fig.to_dict())
    curves = _drawn(fig, 2)[-6:-2]  # the last two are ℓ so far and its ring
    assert all(c["x"] for c in curves)  # at an M-step, new (solid) and old (dotted)
    assert _drawn(fig, 1)[-3]["x"] == []  # no old curve at an E-step
    if emission == "poisson":
        rate = trace.snapshots[1].params.emissions.rates[0, 0]
        peak = int(np.floor(rate))
        assert np.argmax(curves[0]["y"]) == peak


def test_scaling_the_raw_alphas_underflow_on_a_long_sequence() -> None:
    log_b = EISNER_MODEL.family.log_prob(ICE_CREAM, EISNER_START.emissions)
    totals = unscaled_forward(EISNER_START.startprob, EISNER_START.transmat, np.exp(log_b))
    # with the end state, p(data) = Σ_k α_T(k) e_k; here every e_k is 0.1
    assert totals[-1] * 0.1 == pytest.approx(9.12756e-19, rel=1e-5)
    assert first_zero(totals) is None
    rolls, _ = simulate_casino(1_000, 7)
    casino = HMMParams(
        np.array([1.0, 0.0]), np.array(CASINO_TRANSMAT), CategoricalEmissions(CASINO_FACES)
    )
    model = HMM(EISNER_MODEL.family.__class__(6))
    data = model.prepare(rolls - 1)
    fb = model.forward_backward(data, casino)
    ll = fb.log_likelihood
    b = np.exp(model.family.log_prob(data.emission_data, casino.emissions))
    raw = unscaled_forward(casino.startprob, casino.transmat, b)
    zero = first_zero(raw)
    assert zero is not None
    assert np.all(raw[zero:] == 0)
    scaled = np.cumsum(fb.log_scale)
    np.testing.assert_allclose(np.log(raw[:200]), scaled[:200], rtol=1e-12)
    assert scaled[zero] / np.log(10) < -323  # below double precision's smallest number
    assert np.isfinite(ll)
    ice_fb = EISNER_MODEL.forward_backward(EISNER_MODEL.prepare(ICE_CREAM), EISNER_START)
    fig = scaling_figure((totals, ice_fb.log_scale), (raw, fb.log_scale))
    go.Figure(fig.to_dict())
    marks = [t for t in fig.data if t.mode == "markers+text"]
    assert marks
    assert marks[0].x[0] == zero + 1


def test_forgetting_the_mixture_is_an_hmm_with_equal_rows() -> None:
    values = load_sequence("geyser").values
    hmm = fit(values, 2, emission="gaussian", max_iter=50)
    mix = mixture.fit(values, 2, rng=0)
    weights = mix.final.params.weights
    fig = forgetting_figure(
        hmm.final.params.transmat, hmm.final.log_likelihood, weights, mix.final.log_likelihood
    )
    go.Figure(fig.to_dict())
    for row in fig.data[1].z:
        np.testing.assert_allclose(row, weights, atol=1e-6)
    assert hmm.final.log_likelihood > mix.final.log_likelihood
    assert f"ℓ = {mix.final.log_likelihood:.2f}".replace("-", "−") in fig.layout.annotations[1].text


def test_decoding_marks_where_gamma_and_viterbi_differ() -> None:
    rolls = load_sequence("casino")
    X = rolls.values - 1
    trace = fit(X, 2, emission="categorical", init="random", max_iter=30)
    data = trace.model.prepare(X)
    fb = trace.model.forward_backward(data, trace.final.params)
    best = posterior_states(fb.gamma)
    path = viterbi(trace.model, data, trace.final.params).states
    fig = decoding_figure(best, path, 2, step="roll")
    go.Figure(fig.to_dict())
    marks = fig.data[-1]
    assert list(marks.x) == (np.flatnonzero(best != path) + 1).tolist()
    assert fig.layout.title.text
    assert fig.layout.xaxis.title.text
