"""The mixture's view (em_models.mixture.view) against the protocol of em_viz.view and against
the pieces it is made of: the same figures, ℓ, notes, tables and formulas the stepping view
showed before, at the same half-steps, and the K-means phase where the page asks for it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.formulas
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
import em_models.mixture.tables
import em_models.mixture.view
import em_viz
from em_data.datasets import load_dataset
from em_models.mixture import kmeans_phase
from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.kmeans_phase import em_index, half_step, n_half_steps
from em_models.mixture.notes import run_notes
from em_models.mixture.view import BUTTON_HELP, FORMULAS, PARAMETERS, RESPONSIBILITIES, MixtureView
from em_viz import view
from em_viz.halfstep import m_step_source

WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
FAITHFUL = np.asarray(load_dataset("faithful").values)


@pytest.fixture(scope="module")
def worked():
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)
    return MixtureView(WORKED_X, trace, column_names=("x",))


@pytest.fixture(scope="module")
def faithful():
    trace = fit(FAITHFUL, 2, rng=0)
    return MixtureView(FAITHFUL, trace, column_names=("eruptions", "waiting"), kmeans=True)


def test_the_view_offers_what_the_protocol_asks(worked, faithful):
    members = [
        name
        for name, value in vars(view.StepView).items()
        if not name.startswith("_") and (callable(value) or isinstance(value, property))
    ]
    members += list(view.StepView.__annotations__)
    assert {"figure", "summary", "picks", "tab", "label", "run_key", "n_half_steps"} <= set(members)
    for v in (worked, faithful):
        for name in members:
            assert hasattr(v, name), name


def test_half_steps_and_labels_are_the_half_step_models(worked, faithful):
    assert worked.n_half_steps == n_half_steps(worked.trace) == 6
    assert [worked.label(h) for h in range(6)] == [
        h.label for h in em_models.mixture.kmeans_phase.half_steps(worked.trace)
    ]
    assert worked.button_kinds == (None, "E", "M", "E", "M", "E")
    assert worked.button_phases == (view.ButtonPhase(0, BUTTON_HELP),)
    offset = em_models.mixture.kmeans_phase.kmeans_half_steps(faithful.trace)
    assert faithful.n_half_steps == offset + n_half_steps(faithful.trace)
    assert faithful.label(0) == "Seeds"
    assert faithful.label(offset) == "Hand-off"
    assert faithful.button_phases == kmeans_phase.button_phases(offset, BUTTON_HELP)
    assert len(faithful.button_kinds) == faithful.n_half_steps
    assert faithful.button_kinds[offset:] == worked_like(faithful.n_half_steps - offset)


def worked_like(n: int) -> tuple:
    """EM's kinds over n half-steps from its start, with the start reached as an M-step
    (the hand-off) when there is a K-means phase before it."""
    return ("M", *(("E", "M") * n))[:n]


def test_the_mixture_buttons_speak_of_responsibilities_and_gaussians():
    assert "responsibility r_nk" in BUTTON_HELP["e"]
    assert "each Gaussian" in BUTTON_HELP["m"]


def test_the_run_key_follows_the_run_not_the_object():
    again = [MixtureView(FAITHFUL, fit(FAITHFUL, 2, rng=0)) for _ in range(2)]
    assert again[0].run_key == again[1].run_key
    others = [
        MixtureView(FAITHFUL, fit(FAITHFUL, 2, rng=1)),  # another start
        MixtureView(FAITHFUL, fit(FAITHFUL, 2, rng=0, ridge=1e-3)),  # another ridge
        MixtureView(FAITHFUL, fit(FAITHFUL, 2, rng=0, max_iter=500)),  # another setting
        MixtureView(FAITHFUL, fit(FAITHFUL, 2, rng=0), kmeans=True),  # another phase
    ]
    keys = {v.run_key for v in others} | {again[0].run_key}
    assert len(keys) == 5


def test_the_summary_is_l_with_its_change_the_sentence_the_notes_and_the_rule(worked):
    trace = worked.trace
    start = worked.summary(0)
    assert start.metric.label == "Log-likelihood ℓ(θ₀)"
    assert start.metric.value == "−10.5475"
    assert start.metric.delta is None
    assert start.description == em_models.mixture.view.describe(half_step(trace, 0))
    m1 = worked.summary(2)
    assert m1.metric.label == "Log-likelihood ℓ(θ₁)"
    assert m1.metric.value == "−8.5682"
    change = trace.snapshots[1].log_likelihood - trace.snapshots[0].log_likelihood
    assert float(m1.metric.delta) == pytest.approx(change, rel=1e-3)
    assert m1.metric.delta_color == "normal"
    last = worked.n_half_steps - 1
    assert list(worked.summary(last).notes) == run_notes(trace, last, WORKED_X)
    assert worked.summary(last).caption == em_viz.tolerance_note(trace)


def test_a_kmeans_half_step_is_summed_up_by_w(faithful):
    summary = faithful.summary(2)
    half = faithful.half(2)
    assert summary.metric.label == "Within-cluster sum of squares W"
    w = kmeans_phase.within_ss(FAITHFUL, faithful.trace, half)
    assert float(summary.metric.value) == pytest.approx(w, rel=1e-5)
    assert summary.metric.delta_color == "inverse"  # W falling is good
    assert summary.description == em_models.mixture.view.describe(half)
    assert summary.caption == kmeans_phase.STOPPING_RULE
    # From the hand-off on, EM's numbers, at EM's own half-step.
    offset = em_models.mixture.kmeans_phase.kmeans_half_steps(faithful.trace)
    assert faithful.summary(offset + 2).metric.label == "Log-likelihood ℓ(θ₁)"


def test_tables_are_those_of_em_at_the_same_half_step(faithful):
    offset = em_models.mixture.kmeans_phase.kmeans_half_steps(faithful.trace)
    trace = faithful.trace
    values, _, changes = faithful.tab(PARAMETERS, offset + 3, {})
    pd.testing.assert_frame_equal(
        pd.concat([values.frame, changes.frame.drop(columns="component")], axis=1),
        em_models.mixture.tables.parameter_table(
            trace, 3, X=FAITHFUL, column_names=("eruptions", "waiting")
        ),
    )
    (table,) = faithful.tab(RESPONSIBILITIES, offset + 1, {})
    np.testing.assert_allclose(
        table.frame[["r_n1", "r_n2"]].to_numpy(),
        e_step(FAITHFUL[:200], trace.snapshots[0].params).resp,
        rtol=1e-12,
    )
    caption, table = faithful.tab(PARAMETERS, 2, {})
    assert isinstance(caption, view.Caption)
    assert "c (waiting)" in table.frame.columns


def blocks_of(blocks, kind):
    return [b for b in blocks if isinstance(b, kind)]


def test_the_formulas_tab_asks_for_its_picks_and_writes_the_chosen_ones(worked):
    trace = worked.trace
    picks = {p.name: p for p in worked.picks(FORMULAS, 2)}
    assert (picks["point"].low, picks["point"].high, picks["point"].noun) == (1, 6, None)
    assert (picks["e_component"].high, picks["e_component"].noun) == (2, "component")
    assert worked.picks(PARAMETERS, 2) == []
    chosen = {"point": 4, "e_component": 2, "m_component": 1}
    blocks = worked.tab(FORMULAS, 2, chosen)  # M-step 1: from r(θ₀) to θ₁
    rows = [name for row in blocks_of(blocks, view.PickRow) for name in row.names]
    assert sorted(rows) == sorted(picks)  # every pick has its place
    latex = [b.text for b in blocks_of(blocks, view.Latex)]
    assert latex[0] == em_models.mixture.formulas.responsibility_formula(
        WORKED_X[3], trace.snapshots[1].params, 3, 1
    )
    resp = e_step(WORKED_X, trace.snapshots[0].params).resp
    assert latex[1:] == em_models.mixture.formulas.m_step_formulas(
        WORKED_X, resp, 0, trace.snapshots[1].params, reg_covar=trace.model.ridge_diagonal
    )
    end = worked.tab(FORMULAS, worked.n_half_steps - 1, chosen)
    assert any("The run ends here" in n.text for n in blocks_of(end, view.Note))


def test_the_kmeans_formulas_tab(faithful):
    picks = {p.name: p for p in faithful.picks(FORMULAS, 2)}
    assert picks["m_component"].noun == "cluster"
    blocks = faithful.tab(FORMULAS, 2, {"point": 3, "m_component": 2})
    latex = [b.text for b in blocks_of(blocks, view.Latex)]
    half = faithful.half(2)
    assert latex == [
        em_models.mixture.formulas.kmeans_assignment_formula(FAITHFUL[2], faithful.trace, half, 2),
        em_models.mixture.formulas.kmeans_update_formula(FAITHFUL, faithful.trace, half, 1),
    ]
    # At an assignment there is no update to write out.
    assert (
        len(blocks_of(faithful.tab(FORMULAS, 1, {"point": 1, "m_component": 1}), view.Latex)) == 1
    )


def test_the_figure_is_the_one_the_stepping_view_drew(worked, faithful):
    assert (
        worked.figure(3, narrow=False).to_dict()
        == em_models.mixture.figures_1d.density_figure(
            WORKED_X, worked.trace, 3, column_name="x"
        ).to_dict()
    )
    narrow = faithful.figure(1, narrow=True).to_dict()
    assert (
        narrow
        == em_models.mixture.figures_2d.scatter_figure(
            FAITHFUL,
            faithful.trace,
            1,
            column_names=("eruptions", "waiting"),
            narrow=True,
            kmeans=True,
        ).to_dict()
    )


def test_em_index_and_the_m_step_source(faithful, worked):
    offset = em_models.mixture.kmeans_phase.kmeans_half_steps(faithful.trace)
    assert em_index(faithful.trace, offset - 1, kmeans=True) is None
    assert em_index(faithful.trace, offset + 3, kmeans=True) == 3
    assert em_index(worked.trace, 4) == 4
    trace = worked.trace
    assert [m_step_source(half_step(trace, h)) for h in range(6)] == [0, 0, 0, 1, 1, 2]
    with pytest.raises(ValueError, match="comes before EM's start"):
        m_step_source(faithful.half(1))
