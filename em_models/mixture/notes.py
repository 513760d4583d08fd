"""What the mixture's stepping view says under the chart: the stop status, each real decrease
of ℓ with its cause, and the components that nearly collapsed, with their reasons."""

from __future__ import annotations

import numpy as np

from em_core.em import Trace
from em_core.likelihood_change import decreases
from em_models.mixture.diagnostics import NearCollapse, nearly_collapsed
from em_viz.halfstep import half_step, n_half_steps
from em_viz.loglik import explain_decrease
from em_viz.status import SUBSCRIPTS
from em_viz.view import Note


def _listed(items: list[str]) -> str:
    """Items joined as in a sentence: "1", "1 and 2", "1, 2 and 3"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _near_collapse_reasons(item: NearCollapse, X: np.ndarray, trace: Trace) -> str:
    """Why a component counts as nearly collapsed, as one clause ("it owns about one point …")."""
    k = item.component + 1
    sub = str(k).translate(SUBSCRIPTS)
    reasons = []
    if item.few_points and item.nk <= 1.5:
        mean = trace.final.params.means[item.component]
        nearest = X[np.argmin(np.square(X - mean).sum(axis=1))]
        where = ", ".join(f"{v:.4g}" for v in nearest)
        reasons.append(
            f"it owns about one point (N{sub} = {item.nk:.2f}), the one at "
            + (f"x = {where}" if X.shape[1] == 1 else f"({where})")
        )
    elif item.few_points:
        reasons.append(
            f"it owns only N{sub} = {item.nk:.2f} points, too few for a covariance of its "
            f"own in {X.shape[1]} dimensions"
        )
    if item.ridge_dominated:
        reasons.append(
            f"its points spread no more than the ridge adds (its smallest variance is "
            f"{item.ridge_ratio:.3g} × the ridge)"
        )
    return ", and ".join(reasons)


def _near_collapse_note(collapsed: list[NearCollapse], X: np.ndarray, trace: Trace) -> Note:
    """One warning for every nearly collapsed component, naming each with its reasons."""
    advice = "Try fewer components, a larger ridge, or another start (seed)."
    if len(collapsed) == 1:
        (item,) = collapsed
        return Note(
            "warning",
            f"Component {item.component + 1} has nearly collapsed: "
            f"{_near_collapse_reasons(item, X, trace)}. It describes single points rather "
            f"than a cluster, and its likelihood says little. {advice}",
        )
    names = _listed([str(item.component + 1) for item in collapsed])
    each = " ".join(
        f"Component {item.component + 1}: {_near_collapse_reasons(item, X, trace)}."
        for item in collapsed
    )
    return Note(
        "warning",
        f"Components {names} have nearly collapsed. {each} They describe single points "
        f"rather than clusters, and their likelihood says little. {advice}",
    )


def run_notes(trace: Trace, h: int, X: np.ndarray) -> list[Note]:
    """What the view must say at half-step ``h``.

    Parameters
    ----------
    trace : Trace
    h : int
        The half-step on screen.
    X : array of shape (n_samples, n_features)
        The data the trace was fitted to.

    Returns
    -------
    list of Note
        In order: the stop status (at the last half-step, or at every half-step when the run
        failed); each real decrease of ℓ up to the parameters on screen, with its cause; and,
        where the final parameters are on screen, one warning naming the nearly collapsed
        components, each with its reasons, and what to try. A converged run with a nearly
        collapsed component is a warning, not a success.
    """
    half = half_step(trace, h)
    last = n_half_steps(trace) - 1
    on_final = half.params_index == trace.n_iter
    collapsed = nearly_collapsed(trace.final, trace.model.ridge_diagonal) if on_final else []
    notes: list[Note] = []
    if trace.failed:
        notes.append(Note("error", trace.message))
    elif h == last:
        text = trace.message
        if not trace.converged:
            notes.append(Note("info", text))
        elif collapsed:
            names = _listed([str(c.component + 1) for c in collapsed])
            plural = "s" if len(collapsed) > 1 else ""
            notes.append(
                Note(
                    "warning",
                    text + f" But component{plural} {names} nearly collapsed, so this is not a "
                    "fit to trust (below).",
                )
            )
        else:
            notes.append(Note("success", text))
    for t in decreases(trace):
        if t <= half.params_index:
            notes.append(Note("warning", explain_decrease(trace, t)))
    X = np.asarray(X, dtype=np.float64).reshape(X.shape[0], -1)
    if collapsed:
        notes.append(_near_collapse_note(collapsed, X, trace))
    return notes
