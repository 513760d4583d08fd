"""One classifier of log-likelihood changes, used by the ℓ panel, the tolerance note, the
engine's message and the view's notes; near-collapse flagged; the messages read right."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from engine_helpers import WORKED_X, outlier_collapse_problem

from em_core import Change, classify_change
from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.notes import run_notes
from em_viz.halfstep import n_half_steps
from em_viz.loglik import likelihood_axes, likelihood_traces, tolerance_note
from em_viz.status import likelihood_delta_text


def mixture(seed=1):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, 300), rng.normal(6, 1, 300)])[:, None]


def with_likelihoods(trace, values):
    """The trace with its ℓ values replaced (to put rounding noise where a test needs it)."""
    snapshots = tuple(
        dataclasses.replace(s, log_likelihood=float(v))
        for s, v in zip(trace.snapshots, values, strict=True)
    )
    return dataclasses.replace(trace, snapshots=snapshots)


@pytest.fixture(scope="module")
def noisy_flat():
    """A converged run whose ℓ then wobbles by float rounding (±6e-15 relative), as in the
    synthetic 1-D mixture of the issue (−657.9210541063, "↓ −0.0000")."""
    X = mixture()
    first = fit(X, 2, tol=0.0, max_iter=300)
    trace = fit(X, 2, init="given", params=first.final.params, tol=0.0, max_iter=5)
    base = trace.log_likelihoods[0]
    wobble = np.array([0.0, -4.0, 3.0, -2.0, -5.0, 1.0]) * 1e-15 * abs(base)
    return X, with_likelihoods(trace, base + wobble)


def test_the_classifier():
    assert classify_change(-100.0, -99.0, 10, ridge=False) is Change.INCREASE
    assert classify_change(-657.92, -657.92 - 6e-13, 600, ridge=True) is Change.FLAT
    assert classify_change(-100.0, -100.1, 10, ridge=True) is Change.RIDGE_DECREASE
    assert classify_change(-100.0, -100.1, 10, ridge=False) is Change.NUMERICAL_DECREASE
    # rounding scales with N: ℓ near 0 is a sum of large terms that cancel
    assert classify_change(1e-3, 1e-3 - 1e-10, 1000, ridge=False) is Change.FLAT


def test_rounding_noise_is_no_decrease_anywhere(noisy_flat):
    X, trace = noisy_flat
    assert np.any(np.diff(trace.log_likelihoods) < 0)  # the noise does go down
    traces = likelihood_traces(trace)
    assert not [t for t in traces if t.get("name") == "ℓ decreased"]
    assert len(traces) == 3  # the line, ℓ so far and the ring, no red segment
    assert "±0 (float rounding)" in traces[0]["hovertext"][2]
    for t in range(1, len(trace.snapshots)):
        assert likelihood_delta_text(trace, t) == "±0 (rounding)"
    h = n_half_steps(trace) - 1
    texts = " ".join(note.text for note in run_notes(trace, h, X))
    assert "went down" not in texts
    assert "(float rounding: ℓ did not change)" in tolerance_note(trace)


def test_a_flat_run_never_repeats_an_axis_label(noisy_flat):
    _, trace = noisy_flat
    y = likelihood_axes(trace, (0.6, 1.0))["yaxis2"]
    ticks = y.get("tickvals")
    assert ticks is not None
    assert len(ticks) == 1
    low, high = y["range"]
    assert low < trace.log_likelihoods.min() <= trace.log_likelihoods.max() < high


def test_a_normal_run_labels_its_ticks_finely_enough():
    trace = fit(mixture(), 2)
    y = likelihood_axes(trace, (0.6, 1.0))["yaxis2"]
    assert "tickvals" not in y
    decimals = int(re.fullmatch(r",\.(\d+)f", y["tickformat"])[1])
    span = np.ptp(trace.log_likelihoods)
    assert 10.0**-decimals <= span / 5


def test_a_ridge_decrease_is_reported_with_its_cause():
    variance = float(WORKED_X.var())
    trace = fit(WORKED_X, 2, reg_covar=variance, tol=0.0, max_iter=5)
    drops = [t for t in range(1, 6) if np.diff(trace.log_likelihoods)[t - 1] < 0]
    assert drops
    traces = likelihood_traces(trace)
    legend = [t for t in traces if t.get("name") == "ℓ decreased"]
    assert legend
    assert legend[0]["x"] == drops
    assert "the ridge" in legend[0]["hovertext"][0]
    notes = run_notes(trace, n_half_steps(trace) - 1, WORKED_X[:, None])
    assert any(n.level == "warning" and "the ridge" in n.text for n in notes)
    assert likelihood_delta_text(trace, drops[0]).startswith("-")


def test_the_status_and_the_caption_quote_the_same_change():
    trace = fit(mixture(), 2)
    assert trace.converged
    number = f"{trace.change(trace.n_iter):.2g}"
    assert f"changed by {number}" in trace.message
    assert f"was {number}" in tolerance_note(trace)


def test_messages_say_what_the_last_e_step_is_and_never_1_iterations():
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)
    assert trace.converged
    n = trace.n_iter
    assert trace.message.startswith(f"Converged after {n} iterations: E-step {n + 1} checked")
    one = fit(np.array([1.0, 5.0]), 2)
    assert one.n_iter == 1
    assert one.message.startswith("Converged after 1 iteration: E-step 2 checked")
    assert "1 iterations" not in one.message
    limited = fit(WORKED_X, 2, max_iter=1, tol=0.0)
    assert "E-step 2 measured the final parameters" in limited.message


def test_a_two_point_fit_is_flagged_not_green():
    """Two rows, K = 2: each component sits on one point with its variance at the ridge and
    ℓ > 0; the last half-step warns instead of a green "Converged"."""
    X = np.array([[1.0], [5.0]])
    trace = fit(X, 2)
    assert trace.converged
    assert trace.final.log_likelihood > 0
    flagged = nearly_collapsed(trace.final, trace.model.ridge_diagonal)
    assert {c.component for c in flagged} == {0, 1}
    assert all(c.few_points and c.held_by_ridge for c in flagged)
    notes = run_notes(trace, n_half_steps(trace) - 1, X)
    assert [n.level for n in notes] == ["warning", "warning"]  # one for both components
    assert notes[1].text.startswith("Components 1 and 2 have nearly collapsed.")
    assert "fewer components, a larger ridge, or another start" in notes[1].text


def test_a_healthy_fit_gets_a_success_and_no_collapse():
    X = mixture()
    trace = fit(X, 2)
    assert nearly_collapsed(trace.final, trace.model.ridge_diagonal) == []
    notes = run_notes(trace, n_half_steps(trace) - 1, X)
    assert [n.level for n in notes] == ["success"]
    assert run_notes(trace, 0, X) == []


def test_a_failed_run_says_so_at_every_half_step():
    X, start = outlier_collapse_problem()
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0, tol=0.0, max_iter=50)
    assert trace.failed
    for h in (0, n_half_steps(trace) - 1):
        notes = run_notes(trace, h, X)
        assert notes[0].level == "error"
        assert "collapsed" in notes[0].text


def test_near_collapse_with_an_absolute_ridge_of_zero_uses_the_count_alone():
    X = np.array([[0.0], [0.1], [0.2], [9.0]])
    trace = fit(X, 2, reg_covar=1e-3)
    flagged = nearly_collapsed(trace.final, np.zeros(1))
    assert [c.component for c in flagged] == [int(np.argmin(trace.final.stats))]
    assert flagged[0].ridge_ratio is None
