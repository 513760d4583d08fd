"""Your own data: a classic data set, an upload, pasted numbers or a synthetic mixture."""

import pandas as pd
import streamlit as st

from em_models.mixture.engine import e_step
from em_models.mixture.fits import fit_restarts, fit_trace
from em_models.mixture.fitting import fit_options, fit_settings, with_progress
from em_models.mixture.stepper import stepping_view
from em_ui import links
from em_ui.data_sources import choose_columns, choose_data, choose_view_axes, left_out_of_link
from em_ui.engine import data_key
from em_ui.state import keep

KEY = "data"

link = links.start(KEY)
st.title("Your own data")
st.write(
    "Bring a file, paste numbers, pick a classic data set or generate a mixture, then step "
    "through EM exactly as in the worked example. One column gives the Gaussians as curves "
    "over the points (over a histogram of them too, beyond 500 points); two or more give a "
    "scatter with the Gaussians drawn as ellipses."
)

loaded = choose_data(KEY)

chosen, X = choose_columns(KEY, loaded)
X.flags.writeable = False  # our own copy, fixed from here: em_ui hashes it once per run

model, conv = fit_settings(KEY, X, suggested_k=loaded.suggested_k, columns=chosen)

dims = choose_view_axes(KEY, loaded, chosen)

options = fit_options(model, conv)
if model.n_init == 1:
    trace = with_progress(
        X.shape[0],
        model,
        conv,
        lambda progress: fit_trace(X, model.n_components, progress=progress, **options),
    )
else:
    restarts = with_progress(
        X.shape[0],
        model,
        conv,
        lambda progress: fit_restarts(
            X, model.n_components, n_init=model.n_init, progress=progress, **options
        ),
    )

if model.n_init > 1:
    table = pd.DataFrame(
        {
            "run": range(1, model.n_init + 1),
            "seed": restarts.seeds,
            "final log-likelihood": [t.final.log_likelihood for t in restarts.traces],
            "iterations": [t.n_iter for t in restarts.traces],
            "stopped because": [t.stop_reason.value for t in restarts.traces],
        }
    )
    if restarts.best_index is None:
        st.error("Every restart failed; add a ridge or choose fewer components.")
    best = restarts.best_index or 0
    agreement = restarts.summary()
    (st.caption if len(restarts.optima()) <= 1 else st.info)(agreement)
    st.dataframe(table, hide_index=True)
    # New restarts (other data or settings) start on their best run.
    restarts_id = (data_key(X), model, conv)
    if st.session_state.get(f"{KEY}.restarts_id") != restarts_id:
        st.session_state[f"{KEY}.restarts_id"] = restarts_id
        st.session_state[f"{KEY}.run"] = best
    mark = f" (best of the {model.n_init})"  # of these runs: a wider search may find more
    run_label = lambda i: f"run {i + 1}" + (mark if i == restarts.best_index else "")  # noqa: E731
    run = st.selectbox(
        "Run to step through",
        range(model.n_init),
        index=None,  # its default is the best run, set above (a link must name run 1)
        key=keep(f"{KEY}.run"),
        bind=links.bind(f"{KEY}.run", run_label),
        format_func=run_label,
    )
    if run is None:  # emptied by the student
        run = best
    trace = restarts.traces[run]

truth = loaded.true_params if len(chosen) == len(loaded.columns) else None
stepping_view(X, trace, key=KEY, column_names=tuple(chosen), true_params=truth, dims=dims)
link.finish(left_out=left_out_of_link(KEY))

if loaded.labels is not None:
    st.header(f"Clusters against the known {loaded.label_name}")
    st.caption(
        "The labels were not used in the fit; each point goes to its most responsible Gaussian."
    )
    found = e_step(X, trace.final.params).resp.argmax(axis=1) + 1
    st.dataframe(
        pd.crosstab(
            pd.Series(loaded.labels, name=loaded.label_name), pd.Series(found, name="component")
        )
    )
