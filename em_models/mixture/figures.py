"""The Gaussian mixture's pieces of its figures: densities and marginals from the engine's
parameters, the points coloured by their responsibilities, and the axis ranges and notes of
the mixture's charts.

The animation they are drawn in is every model's (:mod:`em_viz.figures_common`); the colours
of the K-means phase's hard assignments are
:func:`em_models.mixture.kmeans_phase.hard_point_styles`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture.engine import e_step
from em_models.mixture.gaussian import Parameters, weighted_log_prob, whitening
from em_viz.colors import blend, component_colors, point_symbols
from em_viz.figures_common import as_features, padded_range

COLOUR_NOTE = "a point's colour: its likeliest component; paler: less sure"
# Above this many points the hover text leaves out the responsibilities: they would be
# repeated in every frame and make the figure heavy.
HOVER_RESP_MAX_POINTS = 300


def check_trace(X: NDArray[np.float64], trace: Trace) -> None:
    """Raise if ``trace`` was not fitted to data with ``X``'s number of features."""
    if trace.final.params.n_features != X.shape[1]:
        raise ValueError(
            f"The trace was fitted to {trace.final.params.n_features}-feature data but X has "
            f"{X.shape[1]} features; pass the data the trace was fitted to."
        )
    component_colors(trace.final.params.n_components)  # raises when there are too many to colour


def covered_range(values: NDArray[np.float64], trace: Trace, dim: int) -> tuple[float, float]:
    """An axis range covering the data, every mean of the run, and two standard deviations
    around the final means (so tails and 2σ ellipses are not cut off), along column ``dim``.
    The tails may widen the data's range by at most half of it on each side."""
    means = np.array([s.params.means[:, dim] for s in trace.snapshots])
    final = trace.final.params
    spread = 2.0 * np.sqrt(final.full_covariances()[:, dim, dim])
    low, high = float(min(values.min(), means.min())), float(max(values.max(), means.max()))
    reach = 0.5 * (high - low)
    tail_low = float((final.means[:, dim] - spread).min())
    tail_high = float((final.means[:, dim] + spread).max())
    return padded_range(
        max(min(low, tail_low), low - reach), min(max(high, tail_high), high + reach)
    )


def weighted_densities(points: ArrayLike, params: Parameters) -> NDArray[np.float64]:
    """π_k N(x | μ_k, Σ_k) at each point, shape (n_components, n_points).

    Evaluated by the engine's own log densities (Cholesky, log space), then exponentiated.
    """
    XT = np.ascontiguousarray(as_features(points).T)
    with np.errstate(under="ignore"):
        return np.exp(weighted_log_prob(XT, params, whitening(params)))


def marginal(params: Parameters, dims: Sequence[int]) -> Parameters:
    """The mixture of the columns ``dims`` alone: means and covariance blocks of those dims.

    A marginal of a Gaussian is the Gaussian of the corresponding sub-vector, so the
    marginal mixture keeps the weights and takes the sub-blocks.
    """
    index = np.asarray(dims)
    full = params.full_covariances()
    return Parameters(params.weights, params.means[:, index], full[:, index][:, :, index], "full")


def point_styles(
    X_shown: NDArray[np.float64], trace: Trace
) -> Callable[[int | None], dict[str, Any]]:
    """The frame update of the points for a ``HalfStep.resp_index``: t colours them by
    r(θ_t), None is the grey start. Each is computed when first asked for, then kept.

    When few points are drawn, their hover text also lists r_n1 … r_nK (3 decimals; "—"
    before the first E-step).
    """
    n = X_shown.shape[0]
    with_hover = n <= HOVER_RESP_MAX_POINTS
    styles: dict[int | None, dict[str, Any]] = {}

    def style(t: int | None) -> dict[str, Any]:
        if t not in styles:
            if t is None:
                marker = {
                    "color": blend(None, n_points=n),
                    "symbol": point_symbols(None, n_points=n),
                }
                styles[t] = {"marker": marker}
                if with_hover:
                    styles[t]["customdata"] = [["—"] * trace.final.params.n_components] * n
            else:
                resp = e_step(X_shown, trace.snapshots[t].params).resp
                styles[t] = {"marker": {"color": blend(resp), "symbol": point_symbols(resp)}}
                if with_hover:
                    styles[t]["customdata"] = [[f"{r:.3f}" for r in row] for row in resp.tolist()]
        return styles[t]

    return style


def point_hovertemplate(coordinates: str, n_components: int, n_points: int) -> str:
    """Hover text of a data point: its coordinates, then r_n1 … r_nK when few are drawn."""
    lines = [coordinates]
    if n_points <= HOVER_RESP_MAX_POINTS:
        lines += [f"r<sub>n{k + 1}</sub> = %{{customdata[{k}]}}" for k in range(n_components)]
    return "<br>".join(lines) + "<extra></extra>"


def kmeans_note(kmeans: bool) -> str:
    """The figure's note on the K-means phase, or "" when the run is seen from EM's start."""
    return "K-means and hand-off; colour: nearest centre (×)" if kmeans else ""
