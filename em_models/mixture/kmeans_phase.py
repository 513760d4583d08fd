r"""The K-means phase of a stepping view: what a K-means half-step shows and says.

A run that starts from K-means can be stepped from its seeds (see :mod:`em_viz.halfstep`,
``kmeans=True``). At those half-steps there is no mixture and no log-likelihood yet: the
points wear a hard assignment, the centres c_k move, and what falls is the within-cluster
sum of squares W = Σ_n ‖x_n − c_(label n)‖².

The half-steps. The engine records S + 1 Lloyd steps c_0 … c_S (the seeds c_0, then the
centres after each average); seen from its seeds (``kmeans=True``, the page's choice), a run
has ``2·(S + 1)`` K-means half-steps before EM's (:mod:`em_viz.halfstep`):

=========  ====================  ==============  =====================================
h          label                 centres shown   points coloured by
=========  ====================  ==============  =====================================
0          "Seeds"               c_0             nothing yet (grey)
2s + 1     "Assign s+1"          c_s (unmoved)   their nearest centre of c_s
2s, s ≥ 1  "Update s"            c_s (moved)     the clusters averaged: nearest of c_{s−1}
=========  ====================  ==============  =====================================

Then EM's half-steps follow, shifted by ``2·(S + 1)``; EM's start is the hand-off,
"Hand-off": the curves show θ_0, read off the last assignment, whose colours the points keep
until E-step 1. The E-step button makes an assignment, the M-step button an update and the
hand-off (:func:`button_kind`).

Symbols: c_k → ``step.centers[k]`` of a :class:`em_models.mixture.starts.KMeansStep`; the label of
x_n is the
index of its nearest centre; n_k is the number of points with label k. Indices passed in are
Python's (from 0); tables and formulas print them from 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from em_core import Trace
from em_models.mixture.figures import HOVER_RESP_MAX_POINTS
from em_models.mixture.starts import KMeansStep, nearest_center
from em_models.mixture.tables import rounded_change
from em_viz import halfstep
from em_viz.colors import blend, point_symbols
from em_viz.halfstep import HalfStep
from em_viz.view import ButtonKind, ButtonPhase, Note

KINDS = ("seeds", "assign", "update")


def kmeans_steps(trace: Trace) -> tuple[KMeansStep, ...]:
    """The Lloyd steps the engine recorded for the start of ``trace`` (seeds first)."""
    return trace.start.kmeans_steps


# ---------------------------------------------------------------------------------------
# The half-steps of a mixture's run, from its K-means seeds when the page asks


def kmeans_half_steps(trace: Trace, *, kmeans: bool = True) -> int:
    """How many half-steps the K-means phase adds before EM's: ``2·len(kmeans_steps)``,
    or 0 when ``kmeans`` is False.

    Raises
    ------
    ValueError
        If ``kmeans`` is asked for a run that did not start from K-means steps.
    """
    if not kmeans:
        return 0
    steps = getattr(trace.start, "kmeans_steps", ())
    if not steps:
        raise ValueError(
            "This run did not start from K-means, so it has no K-means steps to show; only "
            "a K-means start can be stepped from its seeds."
        )
    return 2 * len(steps)


def n_half_steps(trace: Trace, *, kmeans: bool = False) -> int:
    """The number of half-steps of ``trace``: EM's, plus the K-means phase's when
    ``kmeans``."""
    return kmeans_half_steps(trace, kmeans=kmeans) + halfstep.n_half_steps(trace)


def half_step(trace: Trace, h: int, *, kmeans: bool = False) -> HalfStep:
    """Half-step ``h`` of a mixture's run ``trace``, from its K-means seeds when ``kmeans``
    (see the module's docstring; without ``kmeans``, EM's :func:`em_viz.halfstep.half_step`).

    Raises
    ------
    ValueError
        If ``h`` is not from 0 to ``n_half_steps(trace, kmeans=kmeans) − 1``.
    """
    offset = kmeans_half_steps(trace, kmeans=kmeans)
    last = n_half_steps(trace, kmeans=kmeans)
    h = halfstep.check_index(h, trace, last, "Seeds" if kmeans else "Start")
    if h >= offset:
        em = halfstep.half_step(trace, h - offset)
        label = "Hand-off" if kmeans and em.kind == "start" else em.label
        return dataclasses.replace(em, index=h, label=label)
    s, odd = divmod(h, 2)
    if h == 0:
        return HalfStep(0, "seeds", None, None, "Seeds")
    if odd:
        return HalfStep(h, "assign", None, None, f"Assign {s + 1}")
    return HalfStep(h, "update", None, None, f"Update {s}")


def half_steps(trace: Trace, *, kmeans: bool = False) -> tuple[HalfStep, ...]:
    """Every half-step of ``trace``, in order."""
    n = n_half_steps(trace, kmeans=kmeans)
    return tuple(half_step(trace, h, kmeans=kmeans) for h in range(n))


def in_kmeans(half: HalfStep) -> bool:
    """Whether ``half`` belongs to the K-means phase (no mixture yet)."""
    return half.kind in KINDS


def is_hand_off(half: HalfStep) -> bool:
    """Whether ``half`` is the hand-off: EM's start, after a K-means phase."""
    return half.kind == "start" and half.index > 0


def centers_index(half: HalfStep) -> int | None:
    """The K-means step s whose centres c_s are drawn at ``half`` (K-means phase only)."""
    return half.index // 2 if in_kmeans(half) else None


def labels_index(half: HalfStep) -> int | None:
    """The K-means step s whose centres c_s the points' colours are the nearest of at
    ``half``: the hard assignment on screen (the K-means phase and the hand-off; None at
    the seeds and from EM's first E-step on)."""
    if half.kind == "assign":
        return half.index // 2
    if half.kind == "update" or is_hand_off(half):
        return half.index // 2 - 1
    return None


def em_index(trace: Trace, h: int, *, kmeans: bool = False) -> int | None:
    """EM's own number of half-step ``h`` (as on a page that starts at EM's start): ``h``
    less the K-means phase, or None within it."""
    em = h - kmeans_half_steps(trace, kmeans=kmeans)
    return em if em >= 0 else None


def button_kind(half: HalfStep) -> ButtonKind | None:
    """Which step button reaches ``half`` from the half-step before: the E-step button an
    assignment, the M-step button an update and the hand-off, and EM's own after them."""
    if half.kind == "assign":
        return "E"
    if half.kind == "update" or is_hand_off(half):
        return "M"
    return halfstep.button_kind(half)


def describe(half: HalfStep) -> str:
    """One plain sentence telling a student what changed at a K-means half-step or at the
    hand-off."""
    if half.kind == "seeds":
        return (
            "K-means seeds: K centres picked among the points by k-means++ (each next one far "
            "from those already picked); no point is assigned yet."
        )
    if half.kind == "assign":
        return (
            f"K-means {half.label.lower()}: every point now wears the colour of its nearest "
            "centre; the centres have not moved."
        )
    if half.kind == "update":
        return (
            f"K-means {half.label.lower()}: each centre moved to the average of the points of "
            f"its colour; the colours are still those of assign {labels_index(half) + 1}."
        )
    if is_hand_off(half):
        return (
            "Hand-off: K-means's clusters become EM's first parameters θ₀ — each weight is "
            "its cluster's share of the points, each mean its centre, each covariance its "
            "points' spread (plus the ridge). The colours are still the hard clusters; "
            "EM's first E-step makes them soft."
        )
    raise ValueError(f"{half.label} is not a K-means half-step or the hand-off.")


# ---------------------------------------------------------------------------------------
# What a K-means half-step shows


def centers(trace: Trace, half: HalfStep) -> NDArray[np.float64] | None:
    """The centres drawn at ``half``, shape (n_components, n_features); None outside the
    K-means phase."""
    s = centers_index(half)
    if s is None:
        return None
    return kmeans_steps(trace)[s].centers


def hard_labels(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> NDArray[np.intp] | None:
    """The cluster of each point at ``half`` (shape (n_samples,)), or None where no
    assignment is on screen (the seeds, and EM from its first E-step on).

    At an update the labels are those the average was taken over: the nearest of the
    previous centres, with K-means's rule for a cluster left empty applied as the engine
    applies it (the point farthest from its centre moves to the empty cluster).
    """
    s = labels_index(half)
    if s is None:
        return None
    previous = kmeans_steps(trace)[s].centers
    labels = nearest_center(X, previous)
    if half.kind == "update":
        counts = np.bincount(labels, minlength=previous.shape[0])
        for k in np.flatnonzero(counts == 0):
            labels[int(_squared_distances(X, previous).min(axis=1).argmax())] = k
    return labels


def hard_point_styles(
    X: NDArray[np.float64], rows: NDArray[np.intp] | None, trace: Trace
) -> Callable[[HalfStep], dict[str, Any]]:
    """The frame update of the points at a half-step with a hard assignment on screen (the
    K-means phase and the hand-off): each point in its cluster's colour, no responsibilities
    in the hover text. ``rows`` are the rows of ``X`` drawn (None: all)."""
    n = X.shape[0] if rows is None else rows.size
    n_components = trace.final.params.n_components
    with_hover = n <= HOVER_RESP_MAX_POINTS
    styles: dict[int, dict[str, Any]] = {}

    def style(half: HalfStep) -> dict[str, Any]:
        if half.index not in styles:
            labels = hard_labels(X, trace, half)
            shown = labels if rows is None else labels[rows]
            owners = np.eye(n_components)[shown]
            marker = {"color": blend(owners), "symbol": point_symbols(owners)}
            styles[half.index] = {"marker": marker}
            if with_hover:
                styles[half.index]["customdata"] = [["—"] * n_components] * n
        return styles[half.index]

    return style


def emptied_clusters(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> list[int]:
    """The clusters (from 0) that the assignment before this update left empty, which
    K-means refilled with the farthest point; empty at every other half-step."""
    if half.kind != "update":
        return []
    previous = kmeans_steps(trace)[labels_index(half)].centers
    labels = nearest_center(X, previous)
    counts = np.bincount(labels, minlength=previous.shape[0])
    return np.flatnonzero(counts == 0).tolist()


def _squared_distances(X: NDArray[np.float64], centres: NDArray[np.float64]) -> NDArray:
    """‖x_n − c_k‖², shape (n_samples, n_components), from differences."""
    X = np.asarray(X, dtype=np.float64)
    return np.square(X[:, None, :] - centres[None, :, :]).sum(axis=2)


def within_ss(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> float | None:
    """W at ``half``: the sum of squared distances from the points to the centres of their
    colours; None at the seeds (no point is assigned yet) and outside the K-means phase.

    At an assignment it is the W the engine recorded for those centres (up to float
    rounding: it is computed here the same way at every half-step, so that a half-step that
    moves nothing changes W by exactly 0); at an update, the new centres with the labels the
    average was taken over.
    """
    labels = hard_labels(X, trace, half)
    if not in_kmeans(half) or labels is None:
        return None
    c = centers(trace, half)
    return float(np.square(np.asarray(X, dtype=np.float64) - c[labels]).sum())


def metric(
    X: NDArray[np.float64], trace: Trace, half: HalfStep, previous: HalfStep | None
) -> tuple[str, str, str | None]:
    """The metric of a K-means half-step: its label, W as text, and the change of W since
    ``previous`` (None where either has no W, or nothing changed)."""
    w = within_ss(X, trace, half)
    if w is None:
        return "Within-cluster sum of squares W", "—", None
    before = within_ss(X, trace, previous) if previous is not None else None
    delta = None
    if before is not None and before != w:
        delta = f"{w - before:+.4g}"
    return "Within-cluster sum of squares W", f"{w:.6g}", delta


def centres_table(
    X: NDArray[np.float64],
    trace: Trace,
    half: HalfStep,
    previous: HalfStep | None,
    *,
    column_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per cluster: its centre, its points n_k (not at the seeds: no point is
    assigned yet) and each coordinate's move Δ since ``previous``, rounded as the centre is
    shown (0 at the seeds and at an assignment)."""
    c = centers(trace, half)
    before = centers(trace, previous) if previous is not None and in_kmeans(previous) else c
    names = _names(column_names, c.shape[1])
    labels = hard_labels(X, trace, half)
    table: dict[str, object] = {"cluster": np.arange(1, c.shape[0] + 1)}
    for j, name in enumerate(names):
        table[_named("c", name, len(names))] = c[:, j]
    if labels is not None:
        table["n_k"] = np.bincount(labels, minlength=c.shape[0])
    for j, name in enumerate(names):
        table[_named("Δc", name, len(names))] = rounded_change(c[:, j] - before[:, j], c[:, j])
    return pd.DataFrame(table)


def _named(symbol: str, column: str, n_columns: int) -> str:
    """``c`` with one column, ``c (waiting)`` with several."""
    return symbol if n_columns == 1 else f"{symbol} ({column})"


def assignment_table(
    X: NDArray[np.float64],
    trace: Trace,
    half: HalfStep,
    max_rows: int = 200,
    *,
    column_names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The first ``max_rows`` points: their values, their cluster (from the first
    assignment on) and their squared distance to each centre on screen."""
    X = np.asarray(X, dtype=np.float64)
    rows = X[:max_rows]
    names = _names(column_names, X.shape[1])
    table: dict[str, object] = {"n": np.arange(1, rows.shape[0] + 1)}
    for j, name in enumerate(names):
        table[name] = rows[:, j]
    labels = hard_labels(X, trace, half)
    table["cluster"] = np.full(rows.shape[0], np.nan) if labels is None else labels[:max_rows] + 1.0
    distances = _squared_distances(rows, centers(trace, half))
    for k in range(distances.shape[1]):
        table[f"‖x−c{k + 1}‖²"] = distances[:, k]
    return pd.DataFrame(table)


def settled(X: NDArray[np.float64], trace: Trace) -> bool:
    """Whether K-means stopped because its last assignment changed no point's cluster
    (rather than at its limit of steps)."""
    steps = kmeans_steps(trace)
    return len(steps) > 1 and bool(
        np.array_equal(nearest_center(X, steps[-1].centers), nearest_center(X, steps[-2].centers))
    )


def notes(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> list[Note]:
    """What the view says at a K-means half-step: a cluster left empty and refilled (at an
    update), and how K-means ended (at its last assignment)."""
    out = [
        Note(
            "info",
            f"Cluster {k + 1} had no points after assign {labels_index(half) + 1}, so "
            "K-means moved its centre onto the point farthest from its nearest centre.",
        )
        for k in emptied_clusters(X, trace, half)
    ]
    steps = kmeans_steps(trace)
    if half.kind == "assign" and centers_index(half) == len(steps) - 1:
        n_steps = len(steps) - 1
        plural = "s" if n_steps != 1 else ""
        if settled(X, trace):
            out.append(
                Note(
                    "success",
                    f"No point changed cluster: K-means stops after {n_steps} update{plural}. "
                    "Next, the hand-off turns these clusters into EM's θ₀.",
                )
            )
        elif n_steps:
            out.append(
                Note(
                    "info",
                    f"K-means stopped at its limit of {n_steps} update{plural} with points "
                    "still changing cluster; the hand-off uses this assignment.",
                )
            )
    return out


STOPPING_RULE = (
    "K-means stops when an assignment changes no point's cluster (or at its limit of "
    "steps); W never rises from one half-step to the next."
)


def button_phases(n_kmeans: int, em_help: Mapping[str, str]) -> tuple[ButtonPhase, ...]:
    """How the step buttons are named over a run with ``n_kmeans`` K-means half-steps before
    EM's: Assign and Update, then Hand-off (from the last assignment), then EM's own names
    and the model's ``em_help`` from the hand-off on, where Reset still goes back to the
    seeds."""
    kmeans_help = {
        "e": "K-means: give every point to its nearest centre. The centres stay; the points "
        "change colour.",
        "m": "K-means: move each centre to the average of the points of its colour. The "
        "colours stay; the centres move.",
        "next": "An assignment and an update together.",
        "reset": "Back to the K-means seeds.",
    }
    hand_off = (
        "Turn the clusters into EM's first parameters θ₀: each cluster's share, centre and spread."
    )
    return (
        ButtonPhase(0, kmeans_help, {"e": "Assign", "m": "Update"}),
        ButtonPhase(n_kmeans - 1, {**kmeans_help, "m": hand_off}, {"e": "Assign", "m": "Hand-off"}),
        ButtonPhase(n_kmeans, {**em_help, "reset": "Back to the K-means seeds."}),
    )


def _names(column_names: Sequence[str] | None, n_features: int) -> list[str]:
    if column_names is None:
        return ["x"] if n_features == 1 else [f"x{j + 1}" for j in range(n_features)]
    return [str(name) for name in column_names]
