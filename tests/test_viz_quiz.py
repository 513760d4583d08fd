"""em_models.mixture.quiz: the questions asked before each half-step, their scores against the run,
the
sentences that report them, and the marks drawn over the 1-D chart.

The true new means and responsibilities come from a SciPy reference of one EM step; the
chart's scale from the figure that em_models.mixture.figures_1d.density_figure draws.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.stats import norm

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
from em_core import Trace
from em_models.mixture import quiz
from em_models.mixture.engine import e_step, fit
from em_models.mixture.figures_1d import STRIP
from em_models.mixture.gaussian import Parameters
from em_viz.colors import PALETTE, TEXT_COLORS
from em_viz.contrast import CASING_NAME

WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def worked_trace(means=(2.0, 9.0), sigmas=(1.0, 1.0)) -> Trace:
    start = Parameters(
        [0.5, 0.5], np.array(means)[:, None], (np.array(sigmas) ** 2)[:, None, None], "full"
    )
    return fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)


def reference_step(x, means, sigmas, weights):
    """Responsibilities of θ and the means of the M-step from them, written out with SciPy."""
    dens = np.stack(
        [w * norm.pdf(x, m, s) for m, s, w in zip(means, sigmas, weights, strict=True)], axis=1
    )
    resp = dens / dens.sum(axis=1, keepdims=True)
    return resp, resp.T @ x / resp.sum(axis=0)


def ask(trace: Trace, h: int) -> quiz.Question:
    q = quiz.question(trace, em_models.mixture.kmeans_phase.half_step(trace, h))
    assert q is not None
    return q


@pytest.fixture(scope="module")
def worked() -> Trace:
    return worked_trace()


def test_every_half_step_but_the_last_asks_about_the_one_after_it(worked) -> None:
    last = em_models.mixture.kmeans_phase.n_half_steps(worked) - 1
    for h in range(last):
        q = ask(worked, h)
        after = em_models.mixture.kmeans_phase.half_step(worked, h + 1)
        assert (q.kind, q.h, q.step_label) == (after.kind, h, after.label)
        assert q.t == em_models.mixture.kmeans_phase.half_step(worked, h).params_index
    assert quiz.question(worked, em_models.mixture.kmeans_phase.half_step(worked, last)) is None


def test_no_question_in_the_k_means_phase() -> None:
    trace = fit(WORKED_X, 2, init="kmeans", rng=0)
    first = em_models.mixture.kmeans_phase.half_step(trace, 0, kmeans=True)
    assert first.params_index is None
    assert quiz.question(trace, first) is None


def chart_width(trace: Trace) -> float:
    low, high = em_models.mixture.figures_1d.density_figure(WORKED_X, trace, 1).layout.xaxis.range
    return high - low


def test_a_guessed_mean_is_scored_against_the_m_steps_real_mean() -> None:
    # From μ = (4, 7), σ = (2, 2) both means move far in M-step 1.
    trace = worked_trace(means=(4.0, 7.0), sigmas=(2.0, 2.0))
    _, new_means = reference_step(WORKED_X[:, 0], (4.0, 7.0), (2.0, 2.0), (0.5, 0.5))
    q = ask(trace, 1)  # E-step 1 on screen: M-step 1 next
    tolerance = 0.25 * np.abs(new_means - [4.0, 7.0])  # a quarter of each move, the larger
    assert np.all(tolerance > 0.005 * chart_width(trace))
    np.testing.assert_allclose(quiz.mean_tolerance(WORKED_X, trace, q), tolerance, rtol=1e-9)
    near = new_means + np.array([0.9, -0.9]) * tolerance
    answer = quiz.check_means(WORKED_X, trace, q, near)
    np.testing.assert_allclose(answer.truth, new_means, rtol=1e-12)
    np.testing.assert_array_equal(answer.before, [4.0, 7.0])
    assert answer.right.tolist() == [True, True]
    assert (answer.marks, answer.out_of) == (2, 2)
    far = new_means + np.array([1.1, 0.0]) * tolerance
    answer = quiz.check_means(WORKED_X, trace, q, far)
    assert answer.right.tolist() == [False, True]
    assert (answer.marks, answer.out_of) == (1, 2)
    # Where the means are now ("stays") is far off for both: the tolerance is no wider.
    assert quiz.check_means(WORKED_X, trace, q, [4.0, 7.0]).marks == 0


def test_a_mean_not_guessed_is_not_scored(worked) -> None:
    q = ask(worked, 1)
    answer = quiz.check_means(WORKED_X, worked, q, [None, 8.8])
    assert answer.guessed.tolist() == [False, True]
    assert answer.right.tolist() == [False, True]
    assert (answer.marks, answer.out_of) == (1, 1)
    with pytest.raises(ValueError, match="Guess at least one mean"):
        quiz.check_means(WORKED_X, worked, q, [None, None])
    # No dashed line for a mean not guessed; the new mean is drawn all the same.
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1)
    assert [m["text"][1] for m in quiz.mean_marks(fig, [None, 8.8])] == ["your μ₂"]
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 2)
    texts = [m["text"][1] for m in quiz.mean_marks(fig, answer.guesses, answer)]
    assert texts == ["new μ₁", "your μ₂ ✓", "new μ₂"]


def test_on_the_worked_example_stays_is_right_for_mu_1_only(worked) -> None:
    # M-step 1 moves μ₁ from 2 by 5×10⁻⁸ and μ₂ from 9 to 8.83: the tolerance is the floor,
    # half a percent of the chart's width (0.05), for both.
    _, new_means = reference_step(WORKED_X[:, 0], (2.0, 9.0), (1.0, 1.0), (0.5, 0.5))
    assert 0 < new_means[0] - 2.0 < 1e-7
    q = ask(worked, 1)
    floor = 0.005 * chart_width(worked)
    assert floor == pytest.approx(0.0498, abs=1e-4)
    assert 0.25 * (9.0 - new_means[1]) < floor
    np.testing.assert_allclose(quiz.mean_tolerance(WORKED_X, worked, q), [floor, floor])
    stays = quiz.check_means(WORKED_X, worked, q, [2.0, 9.0])
    assert stays.right.tolist() == [True, False]
    assert quiz.feedback(stays) == [
        "M-step 1: 1 of 2 guessed means right.",
        "μ₁ stayed at 2.00 (it moved by 5.0×10⁻⁸); you said it stays, 5.0×10⁻⁸ away, "
        "within 0.05: right.",
        f"μ₂ moved from 9.00 to 8.83; you said it stays, {9 - new_means[1]:.2f} away, "
        "more than 0.05: missed.",
    ]
    assert quiz.check_means(WORKED_X, worked, q, [None, 8.80]).right.tolist() == [False, True]
    assert quiz.check_means(WORKED_X, worked, q, [None, 8.75]).right.tolist() == [False, False]
    # Later M-steps move both means by less than the floor: "stays" is right for each.
    later = quiz.check_means(WORKED_X, worked, ask(worked, 3), quiz.theta(worked, 1).means[:, 0])
    assert later.right.tolist() == [True, True]


def test_the_sliders_cover_the_chart_in_steps_the_floor_spans(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1)
    low, high = fig.layout.xaxis.range
    assert quiz.tolerance_floor(WORKED_X, worked) == pytest.approx(0.005 * (high - low))
    slider_low, slider_high, step = quiz.mean_scale(WORKED_X, worked)
    assert slider_low <= low < slider_low + step
    assert slider_high - step < high <= slider_high
    assert step <= (high - low) / 500 < 10 * step
    assert quiz.tolerance_floor(WORKED_X, worked) >= 2.5 * step  # a guess can land within it
    assert "within 0.05 (half a percent of the chart's width)" in quiz.scoring_rule(
        WORKED_X, worked
    )


def test_the_claimed_component_is_the_one_with_the_largest_responsibility() -> None:
    trace = worked_trace(means=(3.0, 8.0), sigmas=(2.0, 1.5))
    resp, _ = reference_step(WORKED_X[:, 0], (3.0, 8.0), (2.0, 1.5), (0.5, 0.5))
    q = ask(trace, 0)
    for n in range(WORKED_X.shape[0]):
        best = int(np.argmax(resp[n]))
        answer = quiz.check_point(WORKED_X, trace, q, n, best)
        np.testing.assert_allclose(answer.resp, resp[n], rtol=1e-10, atol=1e-300)
        assert answer.claimed == best
        assert answer.right
        assert answer.marks == 1
        wrong = quiz.check_point(WORKED_X, trace, q, n, 1 - best)
        assert not wrong.right
        assert (wrong.marks, wrong.out_of) == (0, 1)


def test_a_tie_counts_for_either_component() -> None:
    X = np.array([[0.0], [1.0], [2.0]])
    start = Parameters([0.5, 0.5], [[0.0], [2.0]], [[[1.0]], [[1.0]]], "full")
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0)
    q = ask(trace, 0)
    assert quiz.check_point(X, trace, q, 1, 0).right
    assert quiz.check_point(X, trace, q, 1, 1).right


def test_a_question_refuses_the_wrong_kind_of_guess(worked) -> None:
    with pytest.raises(ValueError, match="not about an M-step"):
        quiz.check_means(WORKED_X, worked, ask(worked, 0), [2.0, 9.0])
    with pytest.raises(ValueError, match="not about an E-step"):
        quiz.check_point(WORKED_X, worked, ask(worked, 1), 0, 0)
    with pytest.raises(ValueError, match="one finite guess or None per component"):
        quiz.check_means(WORKED_X, worked, ask(worked, 1), [2.0])
    with pytest.raises(ValueError, match="from 1 to 6"):
        quiz.check_point(WORKED_X, worked, ask(worked, 0), 6, 0)


def test_the_suggested_point_is_the_most_disputed(worked) -> None:
    trace = worked_trace(means=(3.0, 8.0), sigmas=(2.0, 1.5))
    resp, _ = reference_step(WORKED_X[:, 0], (3.0, 8.0), (2.0, 1.5), (0.5, 0.5))
    assert quiz.suggested_point(WORKED_X, trace, ask(trace, 0)) == int(np.argmin(resp.max(1)))
    # Among many points only a sample is searched, but the choice is a real, disputed point.
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(0, 1, 3000), rng.normal(4, 1, 3000)])[:, None]
    big = fit(X, 2, init="kmeans", rng=0, max_iter=3)
    n = quiz.suggested_point(X, big, ask(big, 2))
    resp = e_step(X, quiz.theta(big, 1)).resp
    assert resp[n].max() < np.quantile(resp.max(axis=1), 0.01)


def test_feedback_quotes_the_runs_numbers(worked) -> None:
    _, new_means = reference_step(WORKED_X[:, 0], (2.0, 9.0), (1.0, 1.0), (0.5, 0.5))
    answer = quiz.check_means(WORKED_X, worked, ask(worked, 1), [2.0, 8.0])
    lines = quiz.feedback(answer)
    assert lines[0] == "M-step 1: 1 of 2 guessed means right."
    assert lines[2] == (
        f"μ₂ moved from 9.00 to {new_means[1]:.2f}; you said 8.00, "
        f"{new_means[1] - 8:.2f} away, more than 0.05: missed."
    )
    wide = worked_trace(means=(4.0, 7.0), sigmas=(2.0, 2.0))
    resp, _ = reference_step(WORKED_X[:, 0], (4.0, 7.0), (2.0, 2.0), (0.5, 0.5))
    assert 0.01 < resp[2, 1] < 0.99
    claim, verdict = quiz.feedback(quiz.check_point(WORKED_X, wide, ask(wide, 0), 2, 1))
    assert claim == (
        f"E-step 1 gave point 3 (x = 2.5) to component 1, r = {resp[2, 0]:.3f} "
        f"(component 2: {resp[2, 1]:.3f})."
    )
    assert verdict == f"You said component 2, whose responsibility is {resp[2, 1]:.3f}: missed."


@pytest.mark.parametrize(
    ("r", "text"),
    [(0.5, "0.500"), (0.0, "0"), (1.0, "1"), (2.5e-8, "2.5×10⁻⁸"), (1 - 2.5e-8, "1 − 2.5×10⁻⁸")],
)
def test_a_responsibility_never_rounds_to_a_false_0_or_1(r, text) -> None:
    assert quiz.responsibility_text(r) == text


def test_the_score_adds_every_mark(worked) -> None:
    score = quiz.Score()
    assert "nothing checked yet" in score.text()
    score = score.add(quiz.check_means(WORKED_X, worked, ask(worked, 1), [2.0, 0.7]))
    score = score.add(quiz.check_point(WORKED_X, worked, ask(worked, 0), 0, 0))
    assert (score.right, score.asked) == (2, 3)
    assert score.text() == "Score this session: 2 of 3 right (67%)."


def marks_of(fig: go.Figure, first: int) -> list:
    """The marks added after trace ``first``, without the casings under the faint ones."""
    return [t for t in fig.data[first:] if t.name != CASING_NAME]


def test_guess_and_truth_are_drawn_in_the_components_colours(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(
        WORKED_X, worked, 2
    )  # M-step 1: the answer of question h=1
    n_traces, top = len(fig.data), fig.layout.yaxis.range[1]
    answer = quiz.check_means(WORKED_X, worked, ask(worked, 1), [2.4, 7.5])
    quiz.add_marks(fig, quiz.mean_marks(fig, answer.guesses, answer))
    guess_1, truth_1, guess_2, truth_2 = marks_of(fig, n_traces)
    for line, x, color, dash in [
        (guess_1, 2.4, PALETTE[0], "dash"),
        (truth_1, answer.truth[0], PALETTE[0], "solid"),
        (guess_2, 7.5, PALETTE[1], "dash"),
        (truth_2, answer.truth[1], PALETTE[1], "solid"),
    ]:
        assert list(line.x) == [x, x]
        assert (line.line.color, line.line.dash) == (color, dash)
        assert line.y[0] == 0
        assert 0 < line.y[1] < top
    assert (guess_1.text[1], guess_2.text[1]) == ("your μ₁ ✗", "your μ₂ ✗")
    assert truth_2.text[1] == "new μ₂"
    go.Figure(fig.to_dict())  # plotly validates every mark


def test_the_marks_belong_to_the_half_step_on_screen_only(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1)
    n_traces = len(fig.data)
    before = {frame.name: (tuple(frame.traces), len(frame.data)) for frame in fig.frames}
    quiz.add_marks(fig, quiz.mean_marks(fig, [2.0, 9.0]))
    added = list(range(n_traces, len(fig.data)))
    assert len(marks_of(fig, n_traces)) == 2
    assert len(added) == 3  # and the casing under component 1's cyan line
    for frame in fig.frames:
        traces, size = before[frame.name]
        assert tuple(frame.traces) == (*traces, *added)
        assert len(frame.data) == size + 3
        # shown in their own half-step's frame (the chart may come back to it), else hidden
        shown = frame.name == "1"
        assert [d.visible for d in frame.data[-3:]] == [shown] * 3


def test_the_chosen_point_is_ringed_in_the_strip_of_points(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0)
    n_traces, top = len(fig.data), fig.layout.yaxis.range[1]
    quiz.add_marks(fig, quiz.point_marks(fig, 3, 8.0))
    (ring,) = marks_of(fig, n_traces)
    assert ring.x[0] == 8.0
    assert -top * STRIP[1] < ring.y[0] < -top * STRIP[0]
    assert ring.text[-1] == "point 4?"

    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1)
    answer = quiz.check_point(WORKED_X, worked, ask(worked, 0), 3, 0)
    quiz.add_marks(fig, quiz.point_marks(fig, 3, 8.0, answer))
    guessed, ring = marks_of(fig, n_traces)
    # the guess: component 1, in its darker twin (an open square shows by its outline alone)
    assert guessed.marker.color == TEXT_COLORS[0]
    assert ring.marker.color == PALETTE[1]  # the E-step gave it to component 2
    assert ring.text[-1] == "point 4:<br>you said 1, EM gave 2"


def test_the_question_id_changes_with_the_run(worked) -> None:
    other = worked_trace(means=(3.0, 8.0))
    q = ask(worked, 1)
    assert quiz.question_id(worked, q) == quiz.question_id(worked_trace(), q)
    assert quiz.question_id(worked, q) != quiz.question_id(other, ask(other, 1))
    assert quiz.question_id(worked, q) != quiz.question_id(worked, ask(worked, 3))
