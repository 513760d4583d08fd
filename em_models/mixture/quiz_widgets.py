"""Predict before you step: the quiz panel of the 1-D stepping view.

With the quiz on, the view asks before every half-step what it will do (where each mean
goes before an M-step, which component claims a point before an E-step; see
:mod:`em_models.mixture.quiz`). "Check my guess" scores the guess against the run and then takes the
step itself, by moving the view's half-step (in session state under ``h_key``) on by one as
the half-step slider does (the step buttons then follow it). A step taken with the step
buttons or the slider scores nothing: the next half-step simply asks the next question.

Before an M-step each mean has a slider, which starts at the mean on screen, and a "stays"
box: a slider moved is a guess, "stays" ticked guesses the mean on screen, and a mean with
neither is no guess and is not scored ("Check my guess" waits for at least one guess).

The score is the session's, kept across pages and reruns; the switch too is the session's,
so the quiz stays on from page to page.

:func:`quiz_marks` is called before the view draws its chart, :func:`quiz_panel` under it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from em_core import Trace
from em_models.mixture import quiz
from em_ui.text import literal
from em_viz.halfstep import HalfStep

ON = "em_models.mixture.quiz_widgets.on"
SCORE = "em_models.mixture.quiz_widgets.score"


def is_on(X: np.ndarray) -> bool:
    """Whether the quiz is on for data ``X`` (it asks about 1-D runs only)."""
    return X.shape[1] == 1 and bool(st.session_state.get(ON, False))


def _prefix(key: str, trace: Trace, q: quiz.Question) -> str:
    """The keys of the widgets of question ``q``: new widgets, with their defaults, for
    every new question."""
    return f"{key}.quiz.{quiz.question_id(trace, q)}"


def _default_means(X: np.ndarray, trace: Trace, q: quiz.Question) -> list[float]:
    """Where the mean sliders start: the means on screen, on the sliders' steps."""
    low, high, step = quiz.mean_scale(X, trace)
    means = quiz.theta(trace, q.t).means[:, 0]
    return [float(np.clip(round(m / step) * step, low, high)) for m in means]


def _guessed_means(
    X: np.ndarray, trace: Trace, q: quiz.Question, prefix: str
) -> list[float | None]:
    """Per mean: the mean on screen when "stays" is ticked, the slider's value when it was
    moved from where it starts, else None (no guess)."""
    now = quiz.theta(trace, q.t).means[:, 0]
    guesses = []
    for k, default in enumerate(_default_means(X, trace, q)):
        value = float(st.session_state.get(f"{prefix}.mu{k}", default))
        if st.session_state.get(f"{prefix}.stay{k}", False):
            guesses.append(float(now[k]))
        else:
            guesses.append(None if value == default else value)
    return guesses


def _chosen_point(X: np.ndarray, trace: Trace, q: quiz.Question, prefix: str) -> int:
    """The point asked about, 0-based: the student's choice, else a disputed one."""
    n = st.session_state.get(f"{prefix}.point")
    return int(n) - 1 if n is not None else quiz.suggested_point(X, trace, q)


def _fresh_answer(
    key: str, trace: Trace, half: HalfStep
) -> quiz.MeansAnswer | quiz.PointAnswer | None:
    """The answer just checked, while the view shows the half-step that answered it; it is
    forgotten as soon as the view shows another."""
    stored = st.session_state.get(f"{key}.quiz.answer")
    if stored is None:
        return None
    qid, answer = stored
    if half.index == answer.question.h + 1 and quiz.question_id(trace, answer.question) == qid:
        return answer
    del st.session_state[f"{key}.quiz.answer"]
    return None


def quiz_marks(
    fig: go.Figure, X: np.ndarray, trace: Trace, half: HalfStep, *, key: str
) -> go.Figure:
    """``fig`` with the quiz's marks: the answer just checked beside the truth, and the
    guess being made for the next step. Unchanged when the quiz is off or X is not 1-D."""
    if not is_on(X):
        return fig
    marks = []
    answer = _fresh_answer(key, trace, half)
    if isinstance(answer, quiz.MeansAnswer):
        marks += quiz.mean_marks(fig, answer.guesses, answer)
    elif isinstance(answer, quiz.PointAnswer):
        marks += quiz.point_marks(fig, answer.n, answer.x, answer)
    q = quiz.question(trace, half)
    if q is not None:
        prefix = _prefix(key, trace, q)
        if q.kind == "M":
            marks += quiz.mean_marks(fig, _guessed_means(X, trace, q, prefix))
        else:
            n = _chosen_point(X, trace, q, prefix)
            marks += quiz.point_marks(fig, n, float(X[n, 0]))
    return quiz.add_marks(fig, marks)


def _check(X: np.ndarray, trace: Trace, q: quiz.Question, key: str, h_key: str) -> None:
    """Score the guess, keep the answer to show it, and take the step ("Check my guess")."""
    if st.session_state.get(h_key) != q.h:
        st.toast(
            "The run moved to another half-step before the guess was checked; nothing was scored."
        )
        return
    prefix = _prefix(key, trace, q)
    if q.kind == "M":
        guesses = _guessed_means(X, trace, q, prefix)
        if all(guess is None for guess in guesses):
            return
        answer = quiz.check_means(X, trace, q, guesses)
    else:
        claim = st.session_state.get(f"{prefix}.claim")
        if claim is None:
            return
        answer = quiz.check_point(X, trace, q, _chosen_point(X, trace, q, prefix), claim - 1)
    st.session_state[SCORE] = st.session_state.get(SCORE, quiz.Score()).add(answer)
    st.session_state[f"{key}.quiz.answer"] = (quiz.question_id(trace, q), answer)
    st.session_state[h_key] = q.h + 1


def _switch(key: str) -> None:
    st.session_state[ON] = st.session_state[f"{key}.quiz.on"]


def quiz_panel(X: np.ndarray, trace: Trace, half: HalfStep, *, key: str, h_key: str) -> None:
    """The quiz's switch with the session's score and, with the quiz on, the answer just
    checked, the next question with "Check my guess", and the scoring rule. Nothing for
    2-D data."""
    if X.shape[1] != 1:
        return
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.toggle(
            "Predict before you step",
            value=bool(st.session_state.get(ON, False)),
            key=f"{key}.quiz.on",
            on_change=_switch,
            args=(key,),
            help="A quiz: before each half-step, guess what it will do; then see your guess "
            "beside what EM did, and keep score.",
        )
        if is_on(X):
            st.caption(_score().text(), width="content")
            if _score().asked:
                st.button(
                    "Start the score again",
                    key=f"{key}.quiz.reset",
                    type="tertiary",
                    on_click=lambda: st.session_state.pop(SCORE, None),
                )
    if not is_on(X):
        return
    with st.container(border=True, key=f"{key}.quiz"):
        answer = _fresh_answer(key, trace, half)
        if answer is not None:
            box = st.success if answer.marks == answer.out_of else st.warning
            box("\n\n".join(literal(line) for line in quiz.feedback(answer)))
        q = quiz.question(trace, half)
        if half.params_index is None:
            st.write("The quiz asks about EM's steps: it starts at the hand-off.")
        elif q is None:
            st.write("The run ends here: there is no next step to predict.")
        else:
            _ask(X, trace, q, key, h_key)
        st.caption(quiz.scoring_rule(X, trace))


def _score() -> quiz.Score:
    return st.session_state.get(SCORE, quiz.Score())


def _ask(X: np.ndarray, trace: Trace, q: quiz.Question, key: str, h_key: str) -> None:
    """The question ``q``'s widgets and its "Check my guess" button."""
    prefix = _prefix(key, trace, q)
    ready = True
    if q.kind == "M":
        st.markdown(
            f"**Before {q.step_label}: where will each mean be?** Move a slider, or tick "
            '"stays", for each mean you guess; the dashed lines on the chart follow your '
            "guesses. A mean you leave untouched is no guess and is not scored."
        )
        low, high, step = quiz.mean_scale(X, trace)
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
        with row:
            for k, default in enumerate(_default_means(X, trace, q)):
                stays = bool(st.session_state.get(f"{prefix}.stay{k}", False))
                with st.container(width=220, gap="small"):
                    st.slider(
                        f"{quiz.mu(k)} after {q.step_label}",
                        min_value=low,
                        max_value=high,
                        value=default,
                        step=step,
                        format=f"%.{quiz.slider_decimals(step)}f",
                        key=f"{prefix}.mu{k}",
                        disabled=stays,
                    )
                    st.checkbox(
                        f"{quiz.mu(k)} stays",
                        key=f"{prefix}.stay{k}",
                        help=f"Your guess: {quiz.mu(k)} stays where it is now.",
                    )
        ready = any(guess is not None for guess in _guessed_means(X, trace, q, prefix))
    else:
        n = _chosen_point(X, trace, q, prefix)
        st.markdown(
            f"**Before {q.step_label}: which component will claim point {n + 1}?** "
            "It is ringed on the chart; choose another point if you like."
        )
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
        with row:
            st.number_input(
                "Point n",
                min_value=1,
                max_value=int(X.shape[0]),
                value=quiz.suggested_point(X, trace, q) + 1,
                step=1,
                key=f"{prefix}.point",
                width=160,
            )
            K = quiz.theta(trace, q.t).n_components
            st.radio(
                "Component",
                list(range(1, K + 1)),
                index=None,
                horizontal=True,
                key=f"{prefix}.claim",
                format_func=lambda k: f"component {k}",
            )
        ready = st.session_state.get(f"{prefix}.claim") is not None
    row.button(
        "Check my guess",
        key=f"{key}.quiz.check",
        type="primary",
        disabled=not ready,
        on_click=_check,
        args=(X, trace, q, key, h_key),
        help=f"Scores your guess, then takes {q.step_label}. The step buttons above take it "
        "without a score.",
    )
