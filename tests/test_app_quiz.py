"""Predict before you step, on the worked example (AppTest): the quiz asks before each
half-step, "Check my guess" scores the guess against a SciPy reference of the step and takes
the step, the step buttons take it without a score, a guess made for a half-step the run has
left is not scored, and the score lasts across pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.stats import norm
from stepping import press
from streamlit.testing.v1 import AppTest

from em_models.mixture.quiz import responsibility_text

APP = str(Path(__file__).resolve().parents[1] / "app.py")
WORKED = "em_models/mixture/lessons/worked_example.py"
KEY = "worked"
X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])


def first_step():
    """Responsibilities of the article's start and the means of M-step 1, with SciPy."""
    dens = np.stack([norm.pdf(X, 2, 1), norm.pdf(X, 9, 1)], axis=1)
    resp = dens / dens.sum(axis=1, keepdims=True)
    return resp, resp.T @ X / resp.sum(axis=0)


def open_worked() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(WORKED)
    at.run()
    assert not at.exception, at.exception
    return at


def quiz_on(at: AppTest) -> AppTest:
    at.toggle(key=f"{KEY}.quiz.on").set_value(True).run()
    assert not at.exception, at.exception
    return at


def h(at: AppTest) -> int:
    return int(at.select_slider(key=f"{KEY}.h").value)


def widget(elements, suffix: str):
    """The one widget of the question on screen whose key ends in ``suffix``."""
    (found,) = [e for e in elements if e.key and e.key.endswith(suffix)]
    return found


def question_text(at: AppTest) -> str:
    (text,) = [m.value for m in at.markdown if m.value.startswith("**Before ")]
    return text


def score_text(at: AppTest) -> str:
    (caption,) = [c.value for c in at.caption if "Score this session" in c.value]
    return caption[caption.index("Score this session") :]


def check(at: AppTest) -> AppTest:
    at.button(key=f"{KEY}.quiz.check").click().run()
    assert not at.exception, at.exception
    return at


def quiz_marks(at: AppTest) -> list[dict]:
    """The quiz's labelled marks on the chart (its lines and rings; the chart's own traces
    have names, the marks none)."""
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{KEY}.chart")]
    spec = json.loads(chart.proto.spec)
    return [t for t in spec["data"] if not t.get("name") and t.get("text")]


def test_the_quiz_is_off_until_switched_on() -> None:
    at = open_worked()
    assert at.toggle(key=f"{KEY}.quiz.on").value is False
    assert not [b for b in at.button if b.key == f"{KEY}.quiz.check"]
    assert quiz_marks(at) == []


def test_a_guessed_component_is_scored_and_the_e_step_taken() -> None:
    resp, _ = first_step()
    at = quiz_on(open_worked())
    assert "Before E-step 1: which component will claim point" in question_text(at)
    # The suggested point is the most disputed one; choose point 3 (x = 2.5) instead.
    widget(at.number_input, ".point").set_value(3).run()
    assert "point 3?" in [m["text"][-1] for m in quiz_marks(at)]
    assert at.button(key=f"{KEY}.quiz.check").disabled  # no component chosen yet
    widget(at.radio, ".claim").set_value(2).run()
    check(at)
    assert h(at) == 1  # the E-step was taken
    (warning,) = at.warning
    r = responsibility_text(resp[2, 0])
    assert f"E-step 1 gave point 3 (x = 2.5) to component 1, r = {r}" in warning.value
    assert f"You said component 2, whose responsibility is {responsibility_text(resp[2, 1])}" in (
        warning.value
    )
    assert score_text(at) == "Score this session: 0 of 1 right (0%)."
    ring = [m for m in quiz_marks(at) if m["text"][-1].startswith("point 3:")]
    assert ring[0]["text"][-1] == "point 3:<br>you said 2, EM gave 1"


def test_guessed_means_are_scored_against_the_m_step() -> None:
    _, new_means = first_step()
    at = quiz_on(open_worked())
    press(at, f"{KEY}.e")  # the step buttons step without a score
    assert h(at) == 1
    assert score_text(at) == "Score this session: nothing checked yet."
    assert "Before M-step 1: where will each mean be?" in question_text(at)
    mu_1, mu_2 = widget(at.slider, ".mu0"), widget(at.slider, ".mu1")
    assert (mu_1.value, mu_2.value) == (2.0, 9.0)  # they start at the means on screen
    assert quiz_marks(at) == []  # no guess yet, no dashed line
    widget(at.checkbox, ".stay0").check()
    mu_2.set_value(8.8).run()
    assert widget(at.slider, ".mu0").disabled  # "stays" guesses where μ₁ is now
    assert sorted(m["x"][0] for m in quiz_marks(at)) == [2.0, 8.8]  # the dashed guesses
    check(at)
    assert h(at) == 2
    (success,) = at.success
    assert success.value.startswith("M-step 1: 2 of 2 guessed means right.")
    assert "μ₁ stayed at 2.00 (it moved by 5.0×10⁻⁸); you said it stays" in success.value
    assert f"μ₂ moved from 9.00 to {new_means[1]:.2f}; you said 8.80, 0.03 away, within 0.05" in (
        success.value
    )
    assert score_text(at) == "Score this session: 2 of 2 right (100%)."
    truths = [m for m in quiz_marks(at) if m["text"][-1].startswith("new μ")]
    np.testing.assert_allclose(sorted(m["x"][0] for m in truths), new_means, rtol=1e-6)
    # The next half-step asks the next question; the answer goes once the view moves on.
    press(at, f"{KEY}.e")
    assert not at.success
    assert "Before M-step 2" in question_text(at)


def test_untouched_sliders_are_no_guess_and_score_nothing() -> None:
    at = quiz_on(open_worked())
    press(at, f"{KEY}.e")
    # Nothing moved, nothing ticked: nothing to check (it scored 2 of 2 before).
    assert at.button(key=f"{KEY}.quiz.check").disabled
    assert score_text(at) == "Score this session: nothing checked yet."
    assert any("is no guess and is not scored" in c.value for c in at.caption)
    # A slider moved and put back where it started is no guess either.
    widget(at.slider, ".mu1").set_value(8.5).run()
    assert not at.button(key=f"{KEY}.quiz.check").disabled
    widget(at.slider, ".mu1").set_value(9.0).run()
    assert at.button(key=f"{KEY}.quiz.check").disabled
    # One mean guessed: only it is scored, and the page says the other was not.
    widget(at.slider, ".mu1").set_value(8.85).run()
    check(at)
    (success,) = at.success
    assert success.value.startswith("M-step 1: 1 of 1 guessed mean right.")
    assert "μ₁ stayed at 2.00 (it moved by 5.0×10⁻⁸); you made no guess for it: not scored." in (
        success.value
    )
    assert score_text(at) == "Score this session: 1 of 1 right (100%)."


def test_a_wrong_guess_of_a_mean_scores_nothing_for_it() -> None:
    at = quiz_on(open_worked())
    press(at, f"{KEY}.e")
    widget(at.checkbox, ".stay0").check()
    widget(at.slider, ".mu1").set_value(8.9).run()
    check(at)
    (warning,) = at.warning
    assert "M-step 1: 1 of 2 guessed means right." in warning.value
    # 3% of the chart's width (0.30) let 8.90 score; now the tolerance is a quarter of μ₂'s
    # move of 0.17, or the floor of 0.05, which is larger.
    assert "you said 8.90, 0.07 away, more than 0.05: missed" in warning.value
    assert score_text(at) == "Score this session: 1 of 2 right (50%)."


def test_a_guess_for_a_half_step_the_run_has_left_is_not_scored() -> None:
    at = quiz_on(open_worked())
    widget(at.radio, ".claim").set_value(1).run()
    # The slider moves the run on in the same rerun as the click: the guess was about h = 0.
    at.select_slider(key=f"{KEY}.h").set_value(3)
    check(at)
    assert h(at) == 3
    assert [t.value for t in at.toast] == [
        "The run moved to another half-step before the guess was checked; nothing was scored."
    ]
    assert score_text(at) == "Score this session: nothing checked yet."


def test_the_score_and_the_switch_last_across_pages() -> None:
    at = quiz_on(open_worked())
    assert "claim point 4?" in question_text(at)  # x = 8, nearest μ₂ = 9
    widget(at.radio, ".claim").set_value(2).run()
    check(at)
    assert score_text(at) == "Score this session: 1 of 1 right (100%)."
    at.switch_page("em_models/mixture/lessons/your_data.py")
    at.run()
    assert not at.exception, at.exception
    at.switch_page(WORKED)
    at.run()
    assert at.toggle(key=f"{KEY}.quiz.on").value is True
    assert score_text(at) == "Score this session: 1 of 1 right (100%)."
    at.button(key=f"{KEY}.quiz.reset").click().run()
    assert score_text(at) == "Score this session: nothing checked yet."


def test_the_last_half_step_asks_nothing() -> None:
    at = quiz_on(open_worked())
    press(at, f"{KEY}.end")
    assert "The run ends here: there is no next step to predict." in [m.value for m in at.markdown]
    assert not [b for b in at.button if b.key == f"{KEY}.quiz.check"]


def test_on_the_k_means_page_the_quiz_starts_at_the_hand_off() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("em_models/mixture/lessons/kmeans_start.py")
    at.run()
    at.selectbox(key="kstart.dataset").set_value("Lake acidity (155 × 1)").run()
    at.toggle(key="kstart.quiz.on").set_value(True).run()
    assert not at.exception, at.exception
    slider = at.select_slider(key="kstart.h")
    labels = list(slider.options)  # as the slider shows them
    hand_off = next(i for i, label in enumerate(labels) if label.startswith("Hand-off"))
    assert hand_off > 0
    for h in (0, hand_off - 1):  # the K-means phase asks nothing
        at.select_slider(key="kstart.h").set_value(h).run()
        assert "it starts at the hand-off" in " ".join(m.value for m in at.markdown)
        assert not [b for b in at.button if b.key == "kstart.quiz.check"]
    at.select_slider(key="kstart.h").set_value(hand_off).run()
    assert question_text(at).startswith("**Before E-step 1: which component will claim point")
    widget(at.radio, ".claim").set_value(1).run()
    at.button(key="kstart.quiz.check").click().run()
    assert not at.exception, at.exception
    assert int(at.select_slider(key="kstart.h").value) == hand_off + 1
    assert labels[hand_off + 1] == "E-step 1"
    assert [*at.success, *at.warning][0].value.startswith("E-step 1 gave point")
