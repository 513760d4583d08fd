"""Predict before you step: the quiz of the 1-D stepping view, as pure pieces.

Before a half-step the student says what it will do; the step runs; the guess is drawn beside
what happened and scored.

- Before an M-step (the view shows E-step t+1, h odd, the curves at θ_t): where each mean
  μ_k will be in θ_{t+1}. The student may guess some means and leave others (no guess, not
  scored), and may guess that a mean stays where it is. A guessed mean is right when it is
  within :func:`mean_tolerance` of μ_k of θ_{t+1}: a quarter of how far that mean really
  moves, and never less than half a percent of the chart's width (so that a mean that barely
  moves can be guessed, by "stays" or a slider close to it).
- Before an E-step (h even, the curves at θ_t): which component will claim a chosen point
  x_n, i.e. have the largest responsibility r_nk(θ_t) for it (ties: each of them claims it).

Here are the questions, the scoring, the sentences that report it with the run's numbers,
and the marks drawn over :func:`em_models.mixture.figures_1d.density_figure`;
``em_models/mixture/quiz_widgets.py`` holds the widgets.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture.engine import e_step
from em_models.mixture.figures import covered_range
from em_models.mixture.figures_1d import STRIP
from em_models.mixture.gaussian import Parameters
from em_viz.colors import component_colors, text_color
from em_viz.contrast import with_casings
from em_viz.figures_common import as_features
from em_viz.halfstep import HalfStep

# A guessed mean is right within this share of how far the mean really moves …
TOLERANCE_OF_MOVE = 0.25
# … or within this share of the chart's x range, if that is more (a floor of at least five
# of the sliders' steps, see mean_scale, for a mean that barely moves).
TOLERANCE_FLOOR_SHARE = 0.005
# The guess lines and the new means reach these heights, as shares of the y axis's top, so
# that their labels stand apart when the guess is close.
GUESS_TOP, TRUTH_TOP, POINT_TOP = 0.80, 0.93, 0.62
MARK_COLOR = "#222222"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def mu(k: int) -> str:
    """μ_k for component index ``k`` (0-based), as "μ₁"."""
    return f"μ{str(k + 1).translate(SUBSCRIPTS)}"


@dataclass(frozen=True)
class Question:
    """What the student is asked at the half-step on screen.

    Attributes
    ----------
    kind : {"M", "E"}
        "M": where the means go in the M-step that follows; "E": which component the
        E-step that follows gives a chosen point to.
    h : int
        The half-step on screen when asked; the answer is half-step ``h + 1``.
    t : int
        The curves on screen show θ_t.
    step_label : str
        The half-step that answers it, "M-step 2" or "E-step 3".
    """

    kind: Literal["M", "E"]
    h: int
    t: int
    step_label: str


def theta(trace: Trace, t: int) -> Parameters:
    """θ_t of ``trace``."""
    return trace.snapshots[t].params


def question(trace: Trace, half: HalfStep) -> Question | None:
    """The question at the half-step ``half`` on screen; None in a K-means phase and at the
    run's last half-step, which no step follows."""
    t = half.params_index
    if t is None:
        return None
    if half.kind == "E":
        return None if t == trace.n_iter else Question("M", half.index, t, f"M-step {t + 1}")
    return Question("E", half.index, t, f"E-step {t + 1}")


def question_id(trace: Trace, q: Question) -> str:
    """Names question ``q`` of this run, so that its widgets start afresh for a new one: the
    same half-step of another run (other data, K or start) is another question."""
    digest = hashlib.sha1(np.ascontiguousarray(theta(trace, 0).means).tobytes())
    digest.update(np.asarray(trace.log_likelihoods).tobytes())
    return f"{q.kind}{q.h}.{digest.hexdigest()[:10]}"


def mean_scale(X: ArrayLike, trace: Trace) -> tuple[float, float, float]:
    """The chart's x range, widened to round ``step``s, and the step: ``(low, high, step)``
    for the sliders that place the guessed means on the chart's scale."""
    low, high = covered_range(as_features(X)[:, 0], trace, 0)
    decimals = -math.floor(math.log10((high - low) / 500))
    step = 10.0**-decimals
    return (
        round(math.floor(low / step) * step, max(decimals, 0)),
        round(math.ceil(high / step) * step, max(decimals, 0)),
        step,
    )


def slider_decimals(step: float) -> int:
    """The decimals of a slider whose step is ``step`` (a power of ten)."""
    return max(0, -math.floor(math.log10(step) + 1e-9))


def tolerance_floor(X: ArrayLike, trace: Trace) -> float:
    """The least tolerance of a guessed mean: ``TOLERANCE_FLOOR_SHARE`` of the chart's range."""
    low, high = covered_range(as_features(X)[:, 0], trace, 0)
    return TOLERANCE_FLOOR_SHARE * (high - low)


def mean_tolerance(X: ArrayLike, trace: Trace, q: Question) -> NDArray[np.float64]:
    """How near each guessed mean must be to count, for the M-step that answers ``q``:
    ``TOLERANCE_OF_MOVE`` of how far μ_k moves in it, or :func:`tolerance_floor` if more."""
    _check_kind(q, "M")
    move = np.abs(theta(trace, q.t + 1).means[:, 0] - theta(trace, q.t).means[:, 0])
    return np.maximum(TOLERANCE_OF_MOVE * move, tolerance_floor(X, trace))


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return ("0" if float(text) == 0 else text).replace("-", "−")


def _scientific(value: float) -> str:
    """``2.5×10⁻⁸``."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def responsibility_text(r: float) -> str:
    """A responsibility with three decimals, except where they would round it to 0 or 1:
    "2.5×10⁻⁸", "1 − 2.5×10⁻⁸"."""
    if r < 5e-4:
        return "0" if r == 0 else _scientific(r)
    if 1 - r < 5e-4:
        return "1" if r == 1 else f"1 − {_scientific(1 - r)}"
    return f"{r:.3f}"


def _check_kind(q: Question, kind: str) -> None:
    if q.kind != kind:
        raise ValueError(f"The question before {q.step_label} is not about an {kind}-step.")


@dataclass(frozen=True, eq=False)
class MeansAnswer:
    """The guessed means of an M-step beside the real ones.

    Attributes
    ----------
    question : Question
    guesses, before, truth, tolerance : arrays of shape (n_components,)
        The guessed μ_k (NaN where no guess was made), μ_k in θ_t, μ_k in θ_{t+1}, and how
        near each guess must be (:func:`mean_tolerance`).
    decimals : int
        The decimals the sliders show, to write the numbers with.
    """

    question: Question
    guesses: NDArray[np.float64]
    before: NDArray[np.float64]
    truth: NDArray[np.float64]
    tolerance: NDArray[np.float64]
    decimals: int

    @property
    def guessed(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.guesses)

    @property
    def right(self) -> NDArray[np.bool_]:
        return self.guessed & (np.abs(self.guesses - self.truth) <= self.tolerance)

    @property
    def marks(self) -> int:
        return int(self.right.sum())

    @property
    def out_of(self) -> int:
        return int(self.guessed.sum())


def check_means(
    X: ArrayLike, trace: Trace, q: Question, guesses: Sequence[float | None]
) -> MeansAnswer:
    """Score ``guesses`` (per component a mean, or None for no guess) for the M-step that
    answers ``q``; at least one mean must be guessed."""
    _check_kind(q, "M")
    K = theta(trace, q.t).n_components
    values = np.array([np.nan if g is None else float(g) for g in guesses], dtype=np.float64)
    if values.size != K or np.isinf(values).any():
        raise ValueError(f"Give one finite guess or None per component: {K} in all.")
    if np.isnan(values).all():
        raise ValueError("Guess at least one mean: no mean was guessed.")
    return MeansAnswer(
        q,
        values,
        np.array(theta(trace, q.t).means[:, 0]),
        np.array(theta(trace, q.t + 1).means[:, 0]),
        mean_tolerance(X, trace, q),
        slider_decimals(mean_scale(X, trace)[2]),
    )


@dataclass(frozen=True, eq=False)
class PointAnswer:
    """The component guessed to claim point ``n`` beside the responsibilities the E-step gave.

    Attributes
    ----------
    question : Question
    n : int
        The point, 0-based.
    x : float
    guess : int
        The component guessed, 0-based.
    resp : array of shape (n_components,)
        r_nk(θ_t) for k = 1 … K.
    """

    question: Question
    n: int
    x: float
    guess: int
    resp: NDArray[np.float64]

    @property
    def claimed(self) -> int:
        """The component with the largest responsibility (the first, if tied)."""
        return int(np.argmax(self.resp))

    @property
    def right(self) -> bool:
        return bool(self.resp[self.guess] == self.resp.max())

    @property
    def marks(self) -> int:
        return int(self.right)

    @property
    def out_of(self) -> int:
        return 1


def check_point(X: ArrayLike, trace: Trace, q: Question, n: int, guess: int) -> PointAnswer:
    """Score the guess that component ``guess`` claims point ``n`` (both 0-based) in the
    E-step that answers ``q``."""
    _check_kind(q, "E")
    X = as_features(X)
    params = theta(trace, q.t)
    K = params.n_components
    if not 0 <= n < X.shape[0] or not 0 <= guess < K:
        raise ValueError(f"Choose a point from 1 to {X.shape[0]} and a component from 1 to {K}.")
    resp = e_step(X[n : n + 1], params).resp[0]
    return PointAnswer(q, int(n), float(X[n, 0]), int(guess), np.array(resp))


def suggested_point(X: ArrayLike, trace: Trace, q: Question, *, sample: int = 1000) -> int:
    """A point worth asking about before the E-step that answers ``q``: among at most
    ``sample`` points drawn with the seed ``q.h``, the one whose largest responsibility under
    θ_t is the smallest (the most disputed). 0-based."""
    X = as_features(X)
    rows = np.arange(X.shape[0])
    if rows.size > sample:
        rows = np.sort(np.random.default_rng(q.h).choice(rows, sample, replace=False))
    resp = e_step(X[rows], theta(trace, q.t)).resp
    return int(rows[np.argmin(resp.max(axis=1))])


def scoring_rule(X: ArrayLike, trace: Trace) -> str:
    """The scoring rule, with this chart's floor of the tolerance."""
    floor = tolerance_floor(X, trace)
    decimals = slider_decimals(mean_scale(X, trace)[2])
    return (
        "A mean you guess scores 1 when your guess is within a quarter of the distance that "
        f"mean really moves in the M-step, or within {_number(floor, decimals)} (half a percent "
        "of the chart's width) if that is more, so that a mean that barely moves can be "
        'guessed too. A mean whose slider you leave where it starts, with "stays" unticked, '
        "is no guess and is not scored. A guessed component scores 1 when the E-step gives "
        "the point its largest responsibility."
    )


def _apart(a: float, b: float, decimals: int) -> int:
    """At least ``decimals``, and enough that ``a`` and ``b`` do not read the same when they
    differ (a distance beside its tolerance)."""
    while a != b and _number(a, decimals) == _number(b, decimals) and decimals < 12:
        decimals += 1
    return decimals


def _mean_line(answer: MeansAnswer, k: int) -> str:
    """What μ_k did in the M-step and how its guess did, in one sentence."""
    before, truth, guess = answer.before[k], answer.truth[k], answer.guesses[k]
    move, tol = abs(truth - before), answer.tolerance[k]
    d = answer.decimals
    if _number(before, d) == _number(truth, d):
        moved = f"{mu(k)} stayed at {_number(truth, d)}" + (
            f" (it moved by {_scientific(move)})" if move > 0 else ""
        )
    else:
        moved = f"{mu(k)} moved from {_number(before, d)} to {_number(truth, d)}"
    if not answer.guessed[k]:
        return f"{moved}; you made no guess for it: not scored."
    off = abs(guess - truth)
    d = _apart(off, tol, d)
    said = "it stays" if guess == before else _number(guess, d)
    distance = _scientific(off) if 0 < off < 0.5 * 10.0**-d else _number(off, d)
    verdict = (
        f"within {_number(tol, d)}: right"
        if answer.right[k]
        else f"more than {_number(tol, d)}: missed"
    )
    return f"{moved}; you said {said}, {distance} away, {verdict}."


def feedback(answer: MeansAnswer | PointAnswer) -> list[str]:
    """What happened and how the guess did, one sentence a line, with the run's numbers."""
    label = answer.question.step_label
    if isinstance(answer, MeansAnswer):
        lines = [_mean_line(answer, k) for k in range(answer.truth.size)]
        noun = "mean" if answer.out_of == 1 else "means"
        return [f"{label}: {answer.marks} of {answer.out_of} guessed {noun} right.", *lines]
    r = answer.resp
    others = ", ".join(
        f"component {k + 1}: {responsibility_text(r[k])}"
        for k in np.argsort(-r, kind="stable")
        if k != answer.claimed
    )
    x = f"{answer.x:.4g}".replace("-", "−")
    claim = (
        f"{label} gave point {answer.n + 1} (x = {x}) to component {answer.claimed + 1}, "
        f"r = {responsibility_text(r[answer.claimed])}" + (f" ({others})." if others else ".")
    )
    if answer.right:
        verdict = f"You said component {answer.guess + 1}: right."
    else:
        verdict = (
            f"You said component {answer.guess + 1}, whose responsibility is "
            f"{responsibility_text(r[answer.guess])}: missed."
        )
    return [claim, verdict]


@dataclass(frozen=True)
class Score:
    """The session's running score: ``right`` marks of ``asked``."""

    right: int = 0
    asked: int = 0

    def add(self, answer: MeansAnswer | PointAnswer) -> Score:
        return Score(self.right + answer.marks, self.asked + answer.out_of)

    def text(self) -> str:
        if not self.asked:
            return "Score this session: nothing checked yet."
        share = self.right / self.asked
        return f"Score this session: {self.right} of {self.asked} right ({share:.0%})."


# ---------------------------------------------------------------------------------------
# Marks on the chart


def _top(fig: go.Figure) -> float:
    """The top of the density axis of a :func:`em_models.mixture.figures_1d.density_figure`."""
    return float(fig.layout.yaxis.range[1])


def _text_position(fig: go.Figure, x: float) -> str:
    """Where a label over ``x`` goes: centred, or towards the middle near either edge of
    the chart, so that it stays on the chart."""
    low, high = fig.layout.xaxis.range
    share = (x - low) / (high - low)
    return "top left" if share > 0.6 else "top right" if share < 0.4 else "top center"


def _line(
    fig: go.Figure, x: float, height: float, color: str, *, dash: str, text: str, hover: str
) -> dict:
    """A vertical line from 0 to ``height`` at ``x`` with ``text`` over its top."""
    return {
        "type": "scatter",
        "x": [x, x],
        "y": [0.0, height],
        "mode": "lines+markers+text",
        "line": {"color": color, "width": 2.5, "dash": dash},
        "marker": {"symbol": "triangle-down", "size": [0, 10], "color": color},
        "text": ["", text],
        "textposition": _text_position(fig, x),
        "textfont": {"color": text_color(color), "size": 13},
        "cliponaxis": False,
        "showlegend": False,
        "hovertemplate": f"{hover}<extra></extra>",
    }


def mean_marks(
    fig: go.Figure, guesses: Sequence[float | None], answer: MeansAnswer | None = None
) -> list[dict]:
    """The guessed means (None: no guess, no line) as dashed lines in their components'
    colours; with ``answer``, the real new means beside them as solid lines, and a tick or a
    cross by each guess."""
    colors, top = component_colors(len(guesses)), _top(fig)
    marks = []
    for k, (guess, color) in enumerate(zip(guesses, colors, strict=True)):
        if guess is not None and not np.isnan(guess):
            verdict = "" if answer is None else (" ✓" if answer.right[k] else " ✗")
            marks.append(
                _line(
                    fig,
                    float(guess),
                    GUESS_TOP * top,
                    color,
                    dash="dash",
                    text=f"your {mu(k)}{verdict}",
                    hover=f"your guess for {mu(k)}: {guess:.4g}",
                )
            )
        if answer is not None:
            truth = float(answer.truth[k])
            marks.append(
                _line(
                    fig,
                    truth,
                    TRUTH_TOP * top,
                    color,
                    dash="solid",
                    text=f"new {mu(k)}",
                    hover=f"{mu(k)} after {answer.question.step_label}: {truth:.4g}",
                )
            )
    return marks


def point_marks(fig: go.Figure, n: int, x: float, answer: PointAnswer | None = None) -> list[dict]:
    """Point ``n`` (0-based) ringed in the strip of points, with a dotted line up to its
    label; with ``answer``, the ring in the colour of the component that claimed it and a
    square in the colour of the one guessed."""
    top = _top(fig)
    strip = -top * (STRIP[0] + STRIP[1]) / 2
    ring, label = MARK_COLOR, f"point {n + 1}?"
    marks = []
    if answer is not None:
        colors = component_colors(answer.resp.size)
        ring = colors[answer.claimed]
        label = f"point {n + 1}:<br>you said {answer.guess + 1}, EM gave {answer.claimed + 1}"
        marks.append(
            {
                "type": "scatter",
                "x": [x],
                "y": [strip],
                "mode": "markers",
                # An open symbol is drawn in the marker's colour.
                "marker": {"symbol": "square-open", "size": 30, "color": colors[answer.guess]},
                "cliponaxis": False,
                "showlegend": False,
                "hovertemplate": f"your guess: component {answer.guess + 1}<extra></extra>",
            }
        )
    marks.append(
        {
            "type": "scatter",
            "x": [x, x, x],
            "y": [strip, 0.0, POINT_TOP * top],
            "mode": "lines+markers+text",
            "line": {"color": MARK_COLOR, "width": 1.5, "dash": "dot"},
            "marker": {
                "symbol": ["circle-open", "circle", "circle"],
                "size": [22, 0, 0],
                "color": ring,
                "line": {"width": 3},
            },
            "text": ["", "", label],
            "textposition": _text_position(fig, x),
            "textfont": {"color": MARK_COLOR, "size": 13},
            "cliponaxis": False,
            "showlegend": False,
            "hovertemplate": f"point {n + 1}: x = {x:.4g}<extra></extra>",
        }
    )
    return marks


def add_marks(fig: go.Figure, marks: list[dict]) -> go.Figure:
    """Draw ``marks`` over the data panel of ``fig`` at the half-step it shows, and hide them
    in the animation's other frames (they belong to that half-step only); that half-step's
    own frame shows them again, however the chart left it. In place; returns ``fig``."""
    if not marks:
        return fig
    marks, _ = with_casings(marks)  # a faint line on a dark casing
    first = len(fig.data)
    fig.add_traces([{**m, "xaxis": "x", "yaxis": "y"} for m in marks])
    shown = str(fig.layout.meta["half_step"])
    indices = list(range(first, first + len(marks)))
    for frame in fig.frame_dicts:  # an em_viz.figures_common.AnimatedFigure's frames
        visible = frame["name"] == shown
        frame["traces"] = [*frame["traces"], *indices]
        frame["data"] = [*frame["data"], *({"type": m["type"], "visible": visible} for m in marks)]
    return fig
