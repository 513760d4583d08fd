"""The stepping view every page shares: controls, the animated chart, the log-likelihood,
parameter and responsibility tables, and the formulas with live numbers.

A page computes a :class:`em_core.Trace` (through :mod:`em_ui.engine`) and calls
:func:`stepping_view`. The position in the run is one integer in session state, the
half-step ``h`` (see :mod:`em_viz.halfstep`); every control only moves ``h``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import em_viz
from em_core import Parameters, Trace, e_step
from em_ui.controls import step_controls
from em_ui.exports import export_section
from em_ui.links import link_half_step
from em_ui.quiz import quiz_marks, quiz_panel
from em_ui.state import keep
from em_ui.tables import show_table
from em_ui.text import literal
from em_viz import kmeans_phase
from em_viz.exports import chart_config, file_stem
from em_viz.status import likelihood_delta_text, run_notes

TABS = ("Parameters", "Responsibilities", "Formulas with these numbers")


def _h_key(key: str) -> str:
    return f"{key}.h"


def reset_when_changed(key: str, run_id: tuple, what_changed: str = "The settings") -> None:
    """Start the run again from half-step 0 when ``run_id`` (data, K, start, …) changes,
    and say so when that moved the student back."""
    id_key, h_key = f"{key}.run_id", _h_key(key)
    previous = st.session_state.get(id_key)
    if previous != run_id:
        st.session_state[id_key] = run_id
        if previous is not None and st.session_state.get(h_key, 0) > 0:
            st.toast(f"{what_changed} changed, so the run starts again from the beginning.")
        st.session_state[h_key] = 0


@st.fragment
def stepping_view(
    X: np.ndarray,
    trace: Trace,
    *,
    key: str,
    column_names: tuple[str, ...] | None = None,
    true_params: Parameters | None = None,
    dims: tuple[int, int] = (0, 1),
    kmeans: bool = False,
) -> None:
    """Draw the whole stepping view for ``trace`` fitted to ``X``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    trace : Trace
    key : str
        Prefix of every widget key and of the session state of this view (one per page).
    column_names : names of X's columns, for labels.
    true_params : the generating parameters, drawn for comparison (synthetic data).
    dims : the two columns the 2-D view shows when X has two or more.
    kmeans : step the run from its K-means seeds, through the hand-off, into EM (a run that
        started from K-means; see :mod:`em_viz.halfstep`).

    The view is a fragment: its controls rerun only the view, not the page around it.
    """
    h_key = _h_key(key)
    last = em_viz.n_half_steps(trace, kmeans=kmeans) - 1
    offset = em_viz.kmeans_half_steps(trace, kmeans=kmeans)
    st.session_state.setdefault(h_key, 0)
    st.session_state[h_key] = min(int(st.session_state[h_key]), last)

    # Buttons, chart, then the slider under the chart as on a video player: the buttons and
    # the chart fit on one screen, and the buttons stay in view when the page scrolls.
    chart_key = f"{key}.chart"
    labels = [half.label for half in em_viz.half_steps(trace, kmeans=kmeans)]
    h_bind = link_half_step(h_key, labels)  # the half-step a link names, before it is drawn
    narrow = step_controls(
        key,
        h_key=h_key,
        last=last,
        chart_key=chart_key,
        phases=kmeans_phase.button_phases(offset) if kmeans else (),
    )
    h = int(st.session_state[h_key])
    half = em_viz.half_step(trace, h, kmeans=kmeans)
    if X.shape[1] == 1:
        fig = em_viz.density_figure(
            X,
            trace,
            h,
            true_params=true_params,
            column_name=column_names[0] if column_names else None,
            narrow=narrow,
            kmeans=kmeans,
        )
    else:
        fig = em_viz.scatter_figure(
            X,
            trace,
            h,
            dims=dims,
            true_params=true_params,
            column_names=column_names,
            narrow=narrow,
            kmeans=kmeans,
        )
    fig = quiz_marks(fig, X, trace, half, key=key)
    # theme=None: the figure's own template, not Streamlit's restyling of it in the browser.
    # The tool bar's camera saves the chart as a PNG named after the page and half-step.
    config = chart_config(file_stem("em", key, half.label))
    st.plotly_chart(fig, key=chart_key, theme=None, config=config)
    st.select_slider(
        "Half-step",
        options=list(range(last + 1)),
        key=keep(h_key),
        bind=h_bind,
        format_func=lambda i: labels[i],
        label_visibility="collapsed",
        help="Drag to any recorded half-step. Each iteration is an E-step then an M-step"
        + ("; before them, each K-means step is an assignment then an update." if kmeans else "."),
    )
    quiz_panel(X, trace, half, key=key, h_key=h_key)
    if half.in_kmeans:
        _kmeans_half_step(X, trace, half, key=key, column_names=column_names)
        export_section(
            X, trace, key=key, column_names=column_names, true_params=true_params, dims=dims
        )
        return

    row = st.container(horizontal=True, gap="large")
    with row:
        _likelihood_metric(trace, half)
    notes = row.container(width="stretch")
    notes.markdown(em_viz.describe(half))
    h -= offset  # EM's own half-step, for what follows
    for note in run_notes(trace, h, X):
        getattr(notes, note.level)(literal(note.text))
    notes.caption(em_viz.tolerance_note(trace))

    # Only the open tab is computed and sent, so a click does not redraw hidden tables.
    tab_params, tab_resp, tab_formulas = st.tabs(list(TABS), key=f"{key}.tab", on_change="rerun")
    if tab_params.open:
        with tab_params:
            show_table(em_viz.parameter_table(trace, h, X=X, column_names=column_names))
    if tab_resp.open:
        with tab_resp:
            show_table(em_viz.responsibility_table(X, trace, h, column_names=column_names))
    if tab_formulas.open:
        with tab_formulas:
            _formulas(X, trace, h, key=key)
    export_section(X, trace, key=key, column_names=column_names, true_params=true_params, dims=dims)


def _formulas(X: np.ndarray, trace: Trace, h: int, *, key: str) -> None:
    """The E-step for a chosen point, and the M-step for a chosen component, written out
    one under the other at the full width (the written-out sums are long)."""
    half = em_viz.half_step(trace, h)
    K = trace.final.params.n_components
    st.markdown("**E-step** for one point")
    point_col, component_col = st.columns(2)
    n = point_col.number_input(
        "Point number n",
        min_value=1,
        max_value=int(X.shape[0]),
        value=1,
        step=1,
        key=f"{key}.point",
    )
    k = component_col.selectbox(
        "Component k",
        range(1, K + 1),
        key=f"{key}.e_component",
        format_func=lambda i: f"component {i}",
    )
    params = trace.snapshots[half.params_index].params
    st.latex(em_viz.responsibility_formula(X[int(n) - 1], params, int(n) - 1, int(k) - 1))
    st.caption("Uses the parameters on screen; the E-step that follows them gives these values.")

    st.markdown("**M-step** for one component")
    k_m = st.columns(2)[0].selectbox(
        "Component",
        range(1, K + 1),
        key=f"{key}.m_component",
        format_func=lambda i: f"component {i}",
    )
    source = half.params_index if half.kind != "M" else half.params_index - 1
    if source + 1 >= len(trace.snapshots):
        st.info("The run ends here: there is no further M-step to write out.")
        return
    resp = e_step(X, trace.snapshots[source].params).resp
    new_params = trace.snapshots[source + 1].params
    for line in em_viz.m_step_formulas(
        X, resp, int(k_m) - 1, new_params, reg_covar=trace.model.ridge_diagonal
    ):
        st.latex(line)
    st.caption(f"The M-step from the responsibilities of θ{source} to θ{source + 1}.")


def _kmeans_half_step(
    X: np.ndarray, trace: Trace, half, *, key: str, column_names: tuple[str, ...] | None
) -> None:
    """Under the chart at a K-means half-step: W and its change, what the half-step did,
    the notes, and the tabs with the centres, the assignment and its arithmetic."""
    previous = em_viz.half_step(trace, half.index - 1, kmeans=True) if half.index else None
    row = st.container(horizontal=True, gap="large")
    label, value, delta = kmeans_phase.metric(X, trace, half, previous)
    row.metric(
        label,
        value,
        delta=delta,
        delta_color="inverse",
        width="content",
        help="W = Σₙ ‖xₙ − c(n)‖², the sum of squared distances from the points to the "
        "centres of their clusters: what K-means lowers. There is no mixture yet, so no ℓ.",
    )
    notes = row.container(width="stretch")
    notes.markdown(em_viz.describe(half))
    for note in kmeans_phase.notes(X, trace, half):
        getattr(notes, note.level)(literal(note.text))
    notes.caption(kmeans_phase.STOPPING_RULE)

    tab_params, tab_resp, tab_formulas = st.tabs(list(TABS), key=f"{key}.tab", on_change="rerun")
    if tab_params.open:
        with tab_params:
            st.caption("K-means has no mixture yet: its parameters are the K centres c_k.")
            show_table(
                kmeans_phase.centres_table(X, trace, half, previous, column_names=column_names)
            )
    if tab_resp.open:
        with tab_resp:
            st.caption(
                "K-means has no responsibilities: each point belongs wholly to one cluster, "
                "the one whose centre is nearest."
            )
            show_table(kmeans_phase.assignment_table(X, trace, half, column_names=column_names))
    if tab_formulas.open:
        with tab_formulas:
            _kmeans_formulas(X, trace, half, key=key)


def _kmeans_formulas(X: np.ndarray, trace: Trace, half, *, key: str) -> None:
    """The assignment of a chosen point to the centres on screen, and at an update the
    average that made a chosen centre."""
    K = trace.final.params.n_components
    st.markdown("**Assignment** of one point")
    n = st.columns(2)[0].number_input(
        "Point number n",
        min_value=1,
        max_value=int(X.shape[0]),
        value=1,
        step=1,
        key=f"{key}.point",
    )
    st.latex(em_viz.kmeans_assignment_formula(X[int(n) - 1], trace, half, int(n) - 1))
    st.caption("Distances to the centres on screen: the nearest gives the point its cluster.")
    if half.kind != "update":
        return
    st.markdown("**Update** of one centre")
    k = st.columns(2)[0].selectbox(
        "Cluster",
        range(1, K + 1),
        key=f"{key}.m_component",
        format_func=lambda i: f"cluster {i}",
    )
    line = em_viz.kmeans_update_formula(X, trace, half, int(k) - 1)
    if line is None:
        st.info(
            f"Cluster {k} had no points, so K-means put its centre on the point farthest "
            "from its nearest centre instead of taking an average."
        )
    else:
        st.latex(line)
        st.caption(
            f"The average of the points of K-means assign {half.labels_index + 1}: "
            "the centre on screen."
        )


def _likelihood_metric(trace: Trace, half) -> None:
    """The log-likelihood of the parameters on screen, and its change since the last ones."""
    t = half.params_index
    value = trace.snapshots[t].log_likelihood
    delta = likelihood_delta_text(trace, t)
    rounding = delta is not None and not delta.startswith(("+", "-"))
    st.metric(
        f"Log-likelihood ℓ(θ{t})".translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")),
        f"{value:.4f}".replace("-", "−"),
        delta=delta,
        # A change that is only float rounding gets no arrow and no colour.
        delta_color="off" if rounding else "normal",
        delta_arrow="off" if rounding else "auto",
        width="content",
        help="ℓ(θ) = Σₙ log Σₖ πₖ N(xₙ | μₖ, Σₖ), the log of the probability of all the "
        "data under the parameters drawn.",
    )
