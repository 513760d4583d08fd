"""Choosing K: the best fit at every K, scored by BIC and AIC, any of them replayed."""

import streamlit as st

from em_data import InputError, check_for_fit
from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.fits import select_n_components
from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.selection_figures import (
    best_k,
    is_nearly_collapsed,
    parameter_count_table,
    selection_figure,
    selection_table,
)
from em_models.mixture.settings import COVARIANCE_LABELS, INIT_LABELS
from em_models.mixture.stepper import stepping_view
from em_models.mixture.sweep import SweepProgress, SweepStopped, sweep_over_budget
from em_ui import links
from em_ui.controls import is_narrow
from em_ui.data_sources import choose_columns, choose_data, left_out_of_link
from em_ui.state import keep
from em_ui.tables import show_table
from em_ui.text import literal

KEY = "choose"
MAX_K = 10
DEFAULT_RANGE = (1, 6)
DEFAULT_STARTS = 5


def _as_range(value) -> tuple[int, int]:
    """The range of K, or the default one when there is none: a new session, or the
    browser's Back to an address without one (the slider then gives its lowest value)."""
    if isinstance(value, tuple | list) and len(value) == 2:
        return int(value[0]), int(value[1])
    return DEFAULT_RANGE


link = links.start(KEY)
st.title("Choosing K")
st.write(
    "More components always fit the data at least as well, so the log-likelihood alone "
    "cannot choose K. BIC and AIC charge each K for its parameters: the best K is the one "
    "with the lowest score. For every K in the range, the page searches for the best fit "
    "it can find (many starts, each run to a tight tolerance) and scores it."
)

loaded = choose_data(KEY)

chosen, X = choose_columns(KEY, loaded)

highest = max(2, min(MAX_K, X.shape[0]))
with st.sidebar:
    st.header("Sweep")
    range_key = f"{KEY}.k_range"
    low, high = _as_range(st.session_state.get(range_key))
    st.session_state[range_key] = (min(low, highest), min(high, highest))
    k_range = st.slider(
        "Range of K",
        min_value=1,
        max_value=highest,
        key=keep(range_key),
        bind=links.bind(range_key),
        help="Every K in this range gets its own search.",
    )
    k_low, k_high = _as_range(k_range)
    if st.session_state.get(f"{KEY}.n_init") is None:  # new, or emptied by the student
        st.session_state[f"{KEY}.n_init"] = DEFAULT_STARTS
    n_init = st.number_input(
        "Starts of each kind per K",
        min_value=1,
        max_value=10,
        value=None,  # the default comes through session state (see em_models.mixture.settings)
        step=1,
        key=keep(f"{KEY}.n_init"),
        bind=links.bind(f"{KEY}.n_init"),
        help="At each K the search starts EM from this many K-means starts, as many "
        "sets of random data points and as many k-means++ seedings (up to eight times as "
        "many on fewer than 1,200 points), plus the three best fits of K − 1 with one "
        "component split in two (one start per component). The best starts of each kind "
        "run on, the three best are run to a tight tolerance and the highest "
        "log-likelihood is kept.",
    )
    covariance_type = "full"
    if X.shape[1] > 1:
        covariance_type = st.selectbox(
            "Covariance type",
            COVARIANCE_TYPES,
            format_func=COVARIANCE_LABELS.get,
            key=keep(f"{KEY}.covariance_type"),
            bind=links.bind(f"{KEY}.covariance_type", COVARIANCE_LABELS.get),
            help="What shapes the Gaussians may take; it changes the parameter count p.",
        )
n_init = DEFAULT_STARTS if n_init is None else n_init  # Back to an address without it
ks = tuple(range(int(k_low), int(k_high) + 1))

try:
    check_for_fit(X, ks[-1], columns=chosen)
except InputError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out_of_link(KEY))

too_large = sweep_over_budget(*X.shape, ks, n_init=int(n_init))
if too_large:
    st.error(too_large)
    link.stop(left_out=left_out_of_link(KEY))

progress = SweepProgress(ks)
stopped = None
try:
    rows = select_n_components(
        X,
        ks,
        n_init=int(n_init),
        covariance_type=covariance_type,
        progress=progress,
        on_row=progress.row_done,
    )
except ValueError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out_of_link(KEY))
except SweepStopped as stop:  # over the budget: the Ks finished, not kept in the store
    stopped, rows = stop, stop.rows
progress.clear()
if stopped is not None:
    st.warning(stopped.message())
    if not rows:
        link.stop(left_out=left_out_of_link(KEY))

best_bic, best_aic = best_k(rows, "bic"), best_k(rows, "aic")
if best_bic is None:
    st.error("Every run failed at every K; try a smaller range of K.")
    link.stop(left_out=left_out_of_link(KEY))
summary = ("Of the Ks finished, lowest" if stopped is not None else "Lowest") + (
    f" BIC at **K = {best_bic}**, lowest AIC at **K = {best_aic}**"
)
st.markdown(summary + (" — they agree." if best_bic == best_aic else "."))
st.plotly_chart(selection_figure(rows, narrow=is_narrow(KEY)), key=f"{KEY}.criteria", theme=None)
show_table(selection_table(rows))
if any(is_nearly_collapsed(row) for row in rows):
    st.warning(
        "Nearly collapsed (✕ on the chart): at these K the best fit found has a component "
        "held up by the ridge: it owns too few points for a covariance of its own (about one "
        "per dimension), or its points spread no more than the ridge adds. Without the ridge "
        "its covariance would be singular, so its log-likelihood, and with it BIC and AIC, "
        "depends on the ridge more than on the data."
    )

with st.expander("How the scores are made, and their sign"):
    st.markdown(
        "With ℓ the best log-likelihood at that K, p the number of free parameters and N the "
        f"number of points (here N = {X.shape[0]:,}):\n\n"
        "- **BIC** = −2ℓ + p·log N\n"
        "- **AIC** = −2ℓ + 2p\n\n"
        "**Lower is better here**, as in scikit-learn. The R package mclust reports BIC the "
        "other way round, 2ℓ − p·log N, where **higher is better**: the same numbers with "
        "the sign flipped. BIC's charge per parameter grows with N, so it usually picks a "
        "smaller K than AIC."
    )
    st.markdown(
        "p counts K − 1 weights (they sum to one), K·d means and the covariances' free "
        f"entries (d = {X.shape[1]} columns here):"
    )
    st.table(parameter_count_table(ks[-1], X.shape[1]), hide_index=True)

st.header("Replay the best fit of any K")
by_k = {row.n_components: row for row in rows if row.best is not None}
k_key = f"{KEY}.replay_k"
if st.session_state.get(k_key) not in by_k:
    st.session_state[k_key] = best_bic


def _replay_label(k: int) -> str:
    return (
        f"K = {k}"
        + (" (lowest BIC)" if k == best_bic else "")
        + (" (lowest AIC)" if k == best_aic else "")
    )


replay_k = st.selectbox(
    "K to replay",
    list(by_k),
    index=None,  # its default is the lowest BIC, set above (a link must name the first K)
    key=keep(k_key),
    bind=links.bind(k_key, _replay_label),
    format_func=_replay_label,
    help="Step through the run that found this K's best fit, from its start.",
)
if replay_k is None:  # emptied by the student
    replay_k = best_bic
row = by_k[replay_k]
trace = row.best
start = (
    f"the best fit with K = {replay_k - 1}, one component split in two"
    if trace.start.method == "split"
    else f"{INIT_LABELS[trace.start.method]} (seed {trace.start.seed})"
)
st.caption(f"This run started from {start} and took {trace.n_iter} iterations.")
for c in nearly_collapsed(trace.final, trace.model.ridge_diagonal):
    reasons = []
    if c.few_points:
        reasons.append(f"it owns N_k = {c.nk:.2f} points, too few for a covariance of its own")
    if c.ridge_dominated:
        reasons.append(f"its smallest variance is {c.ridge_ratio:.3g} times the ridge")
    st.warning(
        f"Nearly collapsed: component {c.component + 1} of this fit — "
        + " and ".join(reasons)
        + "."
    )
stepping_view(X, trace, key=KEY, column_names=tuple(chosen), true_params=None)
link.finish(left_out=left_out_of_link(KEY))
