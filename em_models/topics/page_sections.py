"""The topic models' page's sections under the stepping view that draw widgets of their own:
LDA's inner loop scrubbed sweep by sweep (the numbers and the chart are
:mod:`em_models.topics.inner_loop`'s)."""

from __future__ import annotations

import streamlit as st

from em_models.topics.inner_loop import inner_loop, inner_loop_figure, inner_loop_table
from em_models.topics.view import TopicsView, theta
from em_ui.controls import is_narrow
from em_ui.tables import show_table
from em_viz.halfstep import half_step


def inner_loop_section(view: TopicsView, h: int, *, key: str) -> None:
    """LDA's inner loop of the E-step on screen at half-step ``h`` (or the last E-step before
    it), for the view's document: a slider over its sweeps, the chart and its table. Nothing
    is computed while the section is closed."""
    section = st.expander("LDA's inner loop, sweep by sweep", key=f"{key}.inner", on_change="rerun")
    if not section.open:
        return
    with section:
        t = half_step(view.trace, h).resp_index
        if t is None:
            st.write("No E-step has run yet: step to E-step 1 to scrub its inner loop.")
            return
        loop = inner_loop(view.steps, t, view.document)
        sweep_key = f"{key}.sweep"
        if st.session_state.get(sweep_key, 0) > loop.n_sweeps:
            st.session_state[sweep_key] = loop.n_sweeps
        sweep = st.slider("Sweep of the inner loop", 0, loop.n_sweeps, 0, key=sweep_key)
        d = view.document + 1
        gamma = loop.gamma[sweep]
        mix = ", ".join(f"{p:.3f}" for p in (gamma / gamma.sum()).tolist())
        moved = (
            "sweep 0 is where it starts: the γ of the previous E-step"
            if sweep == 0
            else f"its mean |Δγ| at this sweep: {loop.change[sweep - 1]:.3g}"
            if sweep <= loop.stopped
            else f"it had stopped, after sweep {loop.stopped}"
        )
        st.markdown(
            f"**E-step {t + 1}'s inner loop, document {d}, after sweep {sweep}** "
            f"(the topics of {theta(t)} held fixed)"
        )
        st.plotly_chart(
            inner_loop_figure(loop, sweep, narrow=is_narrow(key)),
            key=f"{key}.inner_chart",
            theme=None,
            config={"displaylogo": False},
        )
        limit = view.trace.model.inner_max_iter
        why = (
            f"at the limit of {limit} sweeps, its mean |Δγ| still above tol = {loop.tol:g}"
            if loop.change[loop.stopped - 1] >= loop.tol
            else f"once its mean |Δγ| fell below tol = {loop.tol:g}"
        )
        st.write(
            f"Document {d}'s mix E[θ] after sweep {sweep}: ({mix}); {moved}. It stopped "
            f"after {loop.stopped} sweep{'s' if loop.stopped != 1 else ''}, {why}; "
            f"{int(loop.going[-1])} of {int(loop.going[0])} documents ran the last sweep, "
            f"sweep {loop.n_sweeps}. The outer loop's E-step is all of these sweeps; its "
            "M-step then moves the topics once."
        )
        st.caption("The chart's numbers, a row per sweep:")
        show_table(inner_loop_table(loop))
