"""The objective EM climbs: the total log-likelihood ℓ(θ_t) = Σ_n log Σ_k π_k N(x_n | μ_k, Σ_k)
of every snapshot, and the convergence test the engine applies to it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from em_core import Trace
from em_viz.colors import MIXTURE_COLOR
from em_viz.figures_common import FONT
from em_viz.halfstep import half_step

LINE_COLOR = "#3b5bdb"
DROP_COLOR = "#d62728"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# A drop smaller than this, relative to |ℓ|, is float rounding, not a real decrease.
ROUNDING_RTOL = 1e-9


def log_likelihood_figure(trace: Trace, h: int) -> go.Figure:
    """ℓ(θ_t) against the iteration t, with the snapshot on screen at half-step ``h`` ringed.

    A decrease between consecutive snapshots is drawn in red, with a hover note saying how
    big it is and what it means.

    Parameters
    ----------
    trace : Trace
    h : int
        The half-step on screen; its parameters θ_t are highlighted.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    half = half_step(trace, h)
    values = trace.log_likelihoods
    iterations = np.arange(values.size)
    change = np.concatenate([[np.nan], np.diff(values)])
    hover = [
        f"iteration {t}<br>ℓ(θ{str(t).translate(SUBSCRIPTS)}) = {v:.6g}"
        + ("" if t == 0 else f"<br>change {c:+.3g}")
        for t, v, c in zip(iterations, values, change, strict=True)
    ]
    fig = go.Figure()
    fig.add_scatter(
        x=iterations,
        y=values,
        mode="lines+markers",
        name="ℓ(θ)",
        line={"color": LINE_COLOR, "width": 2},
        marker={"size": 6, "color": LINE_COLOR},
        hovertext=hover,
        hoverinfo="text",
        showlegend=False,
    )
    drops = np.flatnonzero(change < 0)
    if drops.size:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for t in drops:
            xs += [t - 1, t, None]
            ys += [values[t - 1], values[t], None]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": DROP_COLOR, "width": 3},
            hoverinfo="skip",
            showlegend=False,
        )
        fig.add_scatter(
            x=drops,
            y=values[drops],
            mode="markers",
            name="ℓ decreased",
            marker={"size": 10, "color": DROP_COLOR, "symbol": "triangle-down"},
            hovertext=[_drop_note(trace, int(t)) for t in drops],
            hoverinfo="text",
            showlegend=True,
        )
    t = half.params_index
    fig.add_scatter(
        x=[t],
        y=[values[t]],
        mode="markers",
        name=f"on screen ({half.label})",
        marker={
            "size": 16,
            "color": "rgba(0,0,0,0)",
            "line": {"width": 2.5, "color": MIXTURE_COLOR},
        },
        hovertext=[f"on screen: θ{str(t).translate(SUBSCRIPTS)} ({half.label})"],
        hoverinfo="text",
        showlegend=False,
    )
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        height=300,
        margin={"l": 70, "r": 15, "t": 30, "b": 50},
        legend={
            "x": 1,
            "xanchor": "right",
            "y": 0.02,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        uirevision="em_viz.log_likelihood_figure",
        xaxis={
            "title": {"text": "iteration t"},
            "tickformat": "d",
            "dtick": max(1, int(np.ceil(values.size / 10))),
            "range": [-0.5, max(values.size - 0.5, 1.5)],
        },
        yaxis={"title": {"text": "log-likelihood ℓ(θ)"}, "tickformat": ".4~g"},
    )
    return fig


def _drop_note(trace: Trace, t: int) -> str:
    """Hover note for a decrease from snapshot t − 1 to snapshot t."""
    before, after = trace.snapshots[t - 1].log_likelihood, trace.snapshots[t].log_likelihood
    drop = before - after
    head = f"ℓ went down by {drop:.3g} from iteration {t - 1} to {t}"
    if drop <= ROUNDING_RTOL * max(1.0, abs(before)):
        return head + ":<br>float rounding, not a real decrease."
    if trace.reg_covar > 0:
        return (
            head + ".<br>Plain EM never lowers ℓ; the ridge reg_covar added to<br>"
            "the covariances moves the M-step off the exact maximum."
        )
    return head + ".<br>Plain EM never lowers ℓ: this is numerical trouble."


def tolerance_note(trace: Trace) -> str:
    """One sentence: the engine's convergence test, with the last change's value.

    The engine stops when the mean log-likelihood per point changes by less than ``tol``
    between two snapshots: |ℓ_t/N − ℓ_{t−1}/N| < tol.
    """
    n, tol = trace.n_samples, trace.tol
    test = f"EM stops when |ℓₜ/N − ℓₜ₋₁/N| < tol = {tol:g}, with N = {n:,} points"
    last = trace.n_iter
    if last == 0:
        return test + "; no iteration has run yet, so there is no change to test."
    change = abs(trace.snapshots[last].log_likelihood - trace.snapshots[last - 1].log_likelihood)
    change /= n
    sub = str(last).translate(SUBSCRIPTS)
    previous = str(last - 1).translate(SUBSCRIPTS)
    measured = f"; the last change, from ℓ{previous} to ℓ{sub}, was {change:.2g}"
    if trace.converged:
        return test + measured + ", below tol, so the run converged."
    if trace.failed:
        return test + measured + f", but the run stopped early ({trace.stop_reason.value})."
    return test + measured + f", not below tol: the run stopped at max_iter = {trace.max_iter}."
