"""Restarts and local optima: the same model fitted from many starts, and where each run ends."""

import numpy as np
import streamlit as st

from em_data import load_dataset
from em_models.mixture.fits import fit_restarts
from em_models.mixture.fitting import fit_options, fit_settings, with_progress
from em_models.mixture.restarts_figures import (
    kept_phrase,
    leaderboard_table,
    optimum_letter,
    optimum_of_runs,
    restart_curves_figure,
)
from em_models.mixture.stepper import stepping_view
from em_ui import links
from em_ui.data_sources import (
    choose_data,
    choose_view_axes,
    columns_key,
    left_out_of_link,
)
from em_ui.engine import data_key
from em_ui.state import keep
from em_ui.tables import show_table

KEY = "restarts"


# The prepared case: on iris with K = 3 (full covariances, K-means start, default stopping
# rule and ridge), the first of ten starts drawn from seed 0 ends well below the other nine
# (tests/test_local_optima.py checks it).
CASE = {
    f"{KEY}.source": "dataset",
    f"{KEY}.dataset": "iris",
    f"{KEY}.n_components": 3,
    f"{KEY}.covariance_type": "full",
    f"{KEY}.init": "kmeans",
    f"{KEY}.seed": 0,
    f"{KEY}.n_init": 10,
    f"{KEY}.tol": 1e-3,
    f"{KEY}.ridge": 1e-6,
    f"{KEY}.max_iter": 100,
    f"{columns_key(KEY, load_dataset('iris').columns)}.x": "Petal.Length",
    f"{columns_key(KEY, load_dataset('iris').columns)}.y": "Petal.Width",
}
CASE_PENDING = f"{KEY}.case_pending"


def show_case() -> None:
    """Set the prepared case's data and settings (before the widgets are drawn)."""
    st.session_state.update(CASE)
    st.session_state[CASE_PENDING] = True


def pick_run_from_chart() -> None:
    """Replay the run whose curve (or star) was clicked: each point carries its run number."""
    points = st.session_state[f"{KEY}.curves"].selection.points
    runs = [point["customdata"][0] for point in points if point.get("customdata")]
    if runs:
        st.session_state[f"{KEY}.run"] = int(runs[0]) - 1


link = links.start(KEY)
st.title("Restarts and local optima")
st.write(
    "EM only ever climbs, so where it ends depends on where it starts: a run can stop on a "
    "lower hill of the likelihood, a local optimum, and never see the higher one. Running EM "
    "from several starts and keeping the run that ends highest is the usual guard, though a "
    "higher hill may still lie where no start went. Below, every run's "
    "log-likelihood is drawn against the iteration; runs that ended at the same place share "
    "a colour and a letter."
)
st.button(
    "Show me a case",
    on_click=show_case,
    key=f"{KEY}.case",
    help="Iris with K = 3 and ten K-means starts: one of them gets stuck on a worse optimum.",
)

loaded = choose_data(KEY)

X = np.ascontiguousarray(loaded.values)
X.flags.writeable = False  # fixed from here: em_ui hashes it once per run
columns = list(loaded.columns)

model, conv = fit_settings(KEY, X, suggested_k=loaded.suggested_k, columns=columns)
restarts = with_progress(
    X.shape[0],
    model,
    conv,
    lambda progress: fit_restarts(
        X,
        model.n_components,
        n_init=model.n_init,
        progress=progress,
        **fit_options(model, conv),
    ),
)

if model.n_init == 1:
    st.info("One start has nothing to compare with: raise Restarts in the sidebar.")
elif restarts.best_index is None:
    st.error("Every start failed; add a ridge or choose fewer components.")
else:
    (st.caption if len(restarts.optima()) == 1 else st.info)(restarts.summary())

st.plotly_chart(
    restart_curves_figure(restarts),
    key=f"{KEY}.curves",
    theme=None,
    config={"displaylogo": False},
    on_select=pick_run_from_chart,
    selection_mode="points",
)
kept = "" if restarts.best is None else f"; the star (★) marks {kept_phrase(restarts)}"
st.caption(
    f"Each line is one run, from its start (iteration 0) to where it stopped{kept}. Other "
    "starts may climb higher. Two runs share an optimum when their final ℓ differ by at most "
    "twice the tolerance per point (their curves may still differ on the way). Click a line "
    "to replay its run below."
)
show_table(leaderboard_table(restarts))

# New restarts (other data or settings) start on the run kept; the prepared case on a
# run of its worst optimum, the one the others escaped.
groups = optimum_of_runs(restarts)
restarts_id = (data_key(X), model, conv)
if st.session_state.get(f"{KEY}.restarts_id") != restarts_id:
    st.session_state[f"{KEY}.restarts_id"] = restarts_id
    st.session_state[f"{KEY}.run"] = restarts.best_index or 0
if st.session_state.pop(CASE_PENDING, False):
    worst = restarts.optima()[-1].runs[0] if restarts.optima() else 0
    st.session_state[f"{KEY}.run"] = worst
    st.session_state[f"{KEY}.case_id"] = restarts_id
if st.session_state.get(f"{KEY}.case_id") == restarts_id and len(restarts.optima()) > 1:
    best_optimum, stuck_optimum = restarts.optima()[0], restarts.optima()[-1]
    stuck = stuck_optimum.runs[0] + 1
    st.info(
        f"**The case.** Run {stuck}'s K-means start put two of its three centres among the "
        "setosa flowers and kept them there, so EM began with two Gaussians sharing setosa "
        "and one covering versicolor and virginica together. It climbed to the top of that "
        "hill and stopped: from there, every small change of the parameters lowers ℓ, and "
        f"EM only climbs. The other {len(best_optimum.runs)} starts reach a hill "
        f"{best_optimum.log_likelihood - stuck_optimum.log_likelihood:.2f} higher in ℓ, with "
        "one Gaussian for setosa and two for the overlapping species. "
        f"Run {stuck} is on screen below: step through it (the petal columns show the split "
        "most clearly), then pick the run marked ★ and compare."
    )


def _run_label(run: int) -> str:
    group = groups[run]
    where = "failed" if group is None else f"optimum {optimum_letter(group)}"
    kept = ", ★" if run == restarts.best_index else ""
    return f"run {run + 1} ({where}{kept})"


st.header("Replay a run")
run = st.selectbox(
    "Run to step through",
    range(model.n_init),
    index=None,  # its default is the run kept, set above (a link must name run 1)
    key=keep(f"{KEY}.run"),
    bind=links.bind(f"{KEY}.run", _run_label),
    format_func=_run_label,
    help="Any run can be stepped through half-step by half-step, from its start.",
)

if run is None:  # emptied by the student
    run = restarts.best_index or 0
dims = choose_view_axes(KEY, loaded, columns)

stepping_view(
    X,
    restarts.traces[run],
    key=KEY,
    column_names=tuple(columns),
    true_params=loaded.true_params,
    dims=dims,
)
link.finish(left_out=left_out_of_link(KEY))
