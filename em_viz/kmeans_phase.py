r"""The K-means phase of a stepping view: what a K-means half-step shows and says.

A run that starts from K-means can be stepped from its seeds (see :mod:`em_viz.halfstep`,
``kmeans=True``). At those half-steps there is no mixture and no log-likelihood yet: the
points wear a hard assignment, the centres c_k move, and what falls is the within-cluster
sum of squares W = Σ_n ‖x_n − c_(label n)‖².

Symbols: c_k → ``step.centers[k]`` of a :class:`em_core.KMeansStep`; the label of x_n is the
index of its nearest centre; n_k is the number of points with label k. Indices passed in are
Python's (from 0); tables and formulas print them from 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from em_core import KMeansStep, Trace, nearest_center
from em_viz.halfstep import HalfStep
from em_viz.status import Note
from em_viz.tables import rounded_change


def kmeans_steps(trace: Trace) -> tuple[KMeansStep, ...]:
    """The Lloyd steps the engine recorded for the start of ``trace`` (seeds first)."""
    return trace.start.kmeans_steps


def centers(trace: Trace, half: HalfStep) -> NDArray[np.float64] | None:
    """The centres drawn at ``half``, shape (n_components, n_features); None outside the
    K-means phase."""
    if half.centers_index is None:
        return None
    return kmeans_steps(trace)[half.centers_index].centers


def hard_labels(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> NDArray[np.intp] | None:
    """The cluster of each point at ``half`` (shape (n_samples,)), or None where no
    assignment is on screen (the seeds, and EM from its first E-step on).

    At an update the labels are those the average was taken over: the nearest of the
    previous centres, with K-means's rule for a cluster left empty applied as the engine
    applies it (the point farthest from its centre moves to the empty cluster).
    """
    if half.labels_index is None:
        return None
    steps = kmeans_steps(trace)
    previous = steps[half.labels_index].centers
    labels = nearest_center(X, previous)
    if half.kind == "update":
        counts = np.bincount(labels, minlength=previous.shape[0])
        for k in np.flatnonzero(counts == 0):
            labels[int(_squared_distances(X, previous).min(axis=1).argmax())] = k
    return labels


def emptied_clusters(X: NDArray[np.float64], trace: Trace, half: HalfStep) -> list[int]:
    """The clusters (from 0) that the assignment before this update left empty, which
    K-means refilled with the farthest point; empty at every other half-step."""
    if half.kind != "update":
        return []
    previous = kmeans_steps(trace)[half.labels_index].centers
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
    if not half.in_kmeans or labels is None:
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
    before = centers(trace, previous) if previous is not None and previous.in_kmeans else c
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
            f"Cluster {k + 1} had no points after assign {half.labels_index + 1}, so "
            "K-means moved its centre onto the point farthest from its nearest centre.",
        )
        for k in emptied_clusters(X, trace, half)
    ]
    steps = kmeans_steps(trace)
    if half.kind == "assign" and half.centers_index == len(steps) - 1:
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


def button_phases(n_kmeans: int) -> list[dict]:
    """How the step buttons are named over a run with ``n_kmeans`` K-means half-steps before
    EM's (see :func:`em_ui.controls.step_controls`): Assign and Update, then Hand-off, then
    EM's own names from the hand-off on."""
    kmeans_help = {
        "e": "K-means: give every point to its nearest centre. The centres stay; the points "
        "change colour.",
        "m": "K-means: move each centre to the average of the points of its colour. The "
        "colours stay; the centres move.",
        "next": "An assignment and an update together.",
        "reset": "Back to the K-means seeds.",
    }
    return [
        {"from": 0, "labels": {"e": "Assign", "m": "Update"}, "help": kmeans_help},
        {
            "from": n_kmeans - 1,
            "labels": {"e": "Assign", "m": "Hand-off"},
            "help": {
                **kmeans_help,
                "m": "Turn the clusters into EM's first parameters θ₀: each cluster's share, "
                "centre and spread.",
            },
        },
        {"from": n_kmeans, "labels": {}, "help": {"reset": "Back to the K-means seeds."}},
    ]


def _names(column_names: Sequence[str] | None, n_features: int) -> list[str]:
    if column_names is None:
        return ["x"] if n_features == 1 else [f"x{j + 1}" for j in range(n_features)]
    return [str(name) for name in column_names]
