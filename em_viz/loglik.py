"""The objective EM climbs: the total log-likelihood ℓ(θ_t) = Σ_n log Σ_k π_k N(x_n | μ_k, Σ_k)
of every snapshot, and the convergence test the engine applies to it.

ℓ is drawn as a panel beside the data in the animated figures (see
:func:`em_viz.figures_common.animated_figure`), so its ring moves with every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from em_core import Change, Trace
from em_core.likelihood_change import decreases, trace_change
from em_viz.colors import MIXTURE_COLOR
from em_viz.halfstep import HalfStep, half_step

LINE_COLOR = "#3b5bdb"
FUTURE_COLOR = "#b4bfe6"  # ℓ of the half-steps still to come: the line's colour, paler
DROP_COLOR = "#d62728"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# Tick labels carry at most this many decimals; a run flatter than that gets one tick.
MAX_DECIMALS = 10
# The ℓ panel's range reaches this fraction of ℓ's span beyond its lowest and highest value.
RANGE_PAD = 0.08
PANEL_AXES = {"xaxis": "x2", "yaxis": "y2"}  # every trace of the ℓ panel is drawn on them


def likelihood_traces(trace: Trace) -> list[dict[str, Any]]:
    """The ℓ panel's traces, drawn on the axes x2/y2: ℓ(θ_t) against the iteration t for the
    whole run, pale and dotted (the part still to come), any decrease in red (with a hover
    note on its size and meaning), then ℓ up to the snapshot on screen in full colour, and
    last a ring round that snapshot; :func:`likelihood_so_far` and
    :func:`likelihood_marker` move the last two from frame to frame.

    Parameters
    ----------
    trace : Trace

    Returns
    -------
    list of dict
        Plotly traces; the last two are at θ_0.
    """
    marker_size = 6 if trace.log_likelihoods.size <= 60 else 3
    return [
        _whole_run(trace, marker_size),
        *_decreases(trace),
        _so_far(trace, marker_size),
        _ring(trace),
    ]


def _whole_run(trace: Trace, marker_size: int) -> dict[str, Any]:
    """ℓ of the whole run, pale and dotted, with a hover note on each change."""
    values = trace.log_likelihoods
    iterations = np.arange(values.size)
    return {
        "type": "scatter",
        **PANEL_AXES,
        "name": "ℓ(θ)",
        "x": iterations.tolist(),
        "y": values.tolist(),
        "mode": "lines+markers",
        "line": {"color": FUTURE_COLOR, "width": 2, "dash": "dot"},
        "marker": {"size": marker_size, "color": FUTURE_COLOR},
        "hovertext": [
            f"iteration {t}<br>ℓ(θ{_sub(t)}) = {v:.6g}" + _change_note(trace, t)
            for t, v in zip(iterations.tolist(), values.tolist(), strict=True)
        ],
        "hoverinfo": "text",
        "showlegend": False,
    }


def _decreases(trace: Trace) -> list[dict[str, Any]]:
    """Each real decrease of ℓ as a red segment, and a red mark with its note; none if ℓ
    never went down."""
    values = trace.log_likelihoods
    drops = np.array(decreases(trace), dtype=int)
    if not drops.size:
        return []
    xs: list[float | None] = []
    ys: list[float | None] = []
    for t in drops.tolist():
        xs += [t - 1, t, None]
        ys += [float(values[t - 1]), float(values[t]), None]
    segments = {
        "type": "scatter",
        **PANEL_AXES,
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": {"color": DROP_COLOR, "width": 3},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    marks = {
        "type": "scatter",
        **PANEL_AXES,
        "name": "ℓ decreased",
        "x": drops.tolist(),
        "y": values[drops].tolist(),
        "mode": "markers",
        "marker": {"size": 10, "color": DROP_COLOR, "symbol": "triangle-down"},
        "hovertext": [explain_decrease(trace, t, line_break="<br>") for t in drops.tolist()],
        "hoverinfo": "text",
        "showlegend": True,
    }
    return [segments, marks]


def _so_far(trace: Trace, marker_size: int) -> dict[str, Any]:
    """ℓ in full colour up to θ_0 (:func:`likelihood_so_far` moves it)."""
    return {
        "type": "scatter",
        **PANEL_AXES,
        "name": "ℓ so far",
        "mode": "lines+markers",
        "line": {"color": LINE_COLOR, "width": 2},
        "marker": {"size": marker_size, "color": LINE_COLOR},
        "hoverinfo": "skip",
        "showlegend": False,
        **likelihood_so_far(trace, half_step(trace, 0)),
    }


def _ring(trace: Trace) -> dict[str, Any]:
    """The ring round θ_0 (:func:`likelihood_marker` moves it)."""
    return {
        "type": "scatter",
        **PANEL_AXES,
        "name": "on screen",
        "mode": "markers",
        "marker": {
            "size": 16,
            "color": "rgba(0,0,0,0)",
            "line": {"width": 2.5, "color": MIXTURE_COLOR},
        },
        "hoverinfo": "text",
        "showlegend": False,
        **likelihood_marker(trace, half_step(trace, 0)),
    }


def likelihood_so_far(trace: Trace, half: HalfStep) -> dict[str, Any]:
    """The frame update of ℓ so far: ℓ(θ_0) … ℓ(θ_t) for the parameters on screen (nothing
    in the K-means phase, which has no ℓ); the rest of the run stays pale."""
    t = half.params_index
    if t is None:
        return {"x": [], "y": []}
    return {"x": list(range(t + 1)), "y": trace.log_likelihoods[: t + 1].tolist()}


def likelihood_marker(trace: Trace, half: HalfStep) -> dict[str, Any]:
    """The ring's frame update: it sits on ℓ(θ_t) of the parameters on screen (none in the
    K-means phase, which has no ℓ)."""
    t = half.params_index
    if t is None:
        return {"x": [], "y": [], "hovertext": []}
    return {
        "x": [t],
        "y": [float(trace.log_likelihoods[t])],
        "hovertext": [f"on screen: θ{_sub(t)} ({half.label})"],
    }


def likelihood_axes(
    trace: Trace, domain: tuple[float, float], also: Sequence[float] = ()
) -> dict[str, Any]:
    """Layout of the axes x2 and y2 of the ℓ panel, which spans ``domain`` of the width.

    The tick labels carry as many decimals as the range of ℓ needs, so that a run whose ℓ
    barely changes does not label every tick with the same rounded number. The range of ℓ
    covers the run's ℓ and the values ``also`` drawn on the panel, fixed rather than
    autoranged: it must not follow the ring, which moves (and the browser moves it without
    redrawing the axes).
    """
    values = np.concatenate([trace.log_likelihoods, np.asarray(also, dtype=float)])
    values = values[np.isfinite(values)]
    span = float(values.max() - values.min())
    needed = np.inf if span <= 0 else -np.floor(np.log10(span / 5))
    y_axis: dict[str, Any] = {}
    if needed > MAX_DECIMALS:
        # ℓ does not change at any precision a label can show: one tick, not several that
        # all read the same.
        middle = float(values.mean())
        pad = max(1.0, 1e-9 * abs(middle))
        y_axis = {"range": [middle - pad, middle + pad], "tickvals": [middle]}
        decimals = int(np.clip(-np.floor(np.log10(pad / 5)), 0, MAX_DECIMALS))
    else:
        decimals = int(max(needed, 0))
        pad = RANGE_PAD * span
        y_axis = {"range": [float(values.min()) - pad, float(values.max()) + pad]}
    return {
        "xaxis2": {
            "domain": list(domain),
            "anchor": "y2",
            "title": {"text": "iteration t"},
            "tickformat": "d",
            "dtick": max(1, int(np.ceil(values.size / 8))),
            "range": [-0.5, max(values.size - 0.5, 1.5)],
        },
        "yaxis2": {
            "anchor": "x2",
            "title": {"text": "log-likelihood ℓ(θ)", "standoff": 6},
            "tickformat": f",.{decimals}f",
            **y_axis,
        },
    }


def _sub(t: int) -> str:
    return str(t).translate(SUBSCRIPTS)


def _change_note(trace: Trace, t: int) -> str:
    """Hover text on the change of ℓ into snapshot t, as the shared classifier sees it."""
    if t == 0:
        return ""
    kind = trace_change(trace, t)
    if kind is Change.FLAT:
        return "<br>change ±0 (float rounding)"
    change = trace.snapshots[t].log_likelihood - trace.snapshots[t - 1].log_likelihood
    return f"<br>change {change:+.3g}"


def explain_decrease(trace: Trace, t: int, *, line_break: str = " ") -> str:
    """One or two sentences on a real decrease of ℓ from snapshot t − 1 to snapshot t: by how
    much, and its cause (the ridge, or numerical trouble). ``line_break`` separates them
    ("<br>" in a hover note)."""
    before, after = trace.snapshots[t - 1].log_likelihood, trace.snapshots[t].log_likelihood
    head = f"ℓ went down by {before - after:.3g} from iteration {t - 1} to {t}."
    if trace_change(trace, t) is Change.RIDGE_DECREASE:
        return (
            head + line_break + "Plain EM never lowers ℓ; here the ridge added to the "
            "covariances pulls each M-step off the exact maximum. A smaller ridge makes it rarer."
        )
    return head + line_break + "Plain EM never lowers ℓ, and there is no ridge: this is "
    "numerical trouble."


def tolerance_note(trace: Trace, t: int | None = None) -> str:
    """One sentence: the engine's convergence test, with the change it measured at θ_t (by
    default the last snapshot), so that a half-step of the run never tells its end.

    The engine stops when the mean log-likelihood per point changes by less than ``tol``
    between two snapshots: |ℓ_t − ℓ_{t−1}| / N < tol. The change quoted is
    :meth:`em_core.Trace.change`, the very number the engine compared with tol.
    """
    n, tol = trace.n_samples, trace.tol
    test = f"EM stops when |ℓₜ/N − ℓₜ₋₁/N| < tol = {tol:g}, with N = {n:,} points"
    last = trace.n_iter
    t = last if t is None else t
    if last == 0:
        return test + "; no iteration has run yet, so there is no change to test."
    if t == 0:
        return test + "; ℓ₀ is the first value, so there is no change to test yet."
    change = trace.change(t)
    kind = trace_change(trace, t)
    sub = _sub(t)
    previous = _sub(t - 1)
    if kind is Change.FLAT:
        size = f"{change:.2g} (float rounding: ℓ did not change)"
    elif kind.is_decrease:
        size = f"a decrease of {change:.2g}"
    else:
        size = f"{change:.2g}"
    if t < last:
        return test + f"; the change from ℓ{previous} to ℓ{sub} was {size}: EM goes on."
    measured = f"; the last change, from ℓ{previous} to ℓ{sub}, was {size}"
    if trace.converged:
        return test + measured + ", below tol, so the run converged."
    if trace.failed:
        return test + measured + f", but the run stopped early ({trace.stop_reason.value})."
    return test + measured + f", not below tol: the run stopped at max_iter = {trace.max_iter}."
