"""The K-means start: K-means step by step, the hand-off of its clusters to EM, other starts
compared, and K-means as the hard-assignment limit of EM."""

import numpy as np
import streamlit as st

from em_data import InputError, check_for_fit
from em_models.mixture import starts_figures as starts
from em_models.mixture.fits import fit_trace
from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.settings import COVARIANCE_LABELS, INIT_LABELS, convergence_settings
from em_models.mixture.starts import nearest_center
from em_models.mixture.stepper import stepping_view
from em_models.mixture.typed_start import typed_key, typed_start_editor
from em_models.mixture.work import work
from em_ui import links
from em_ui.budget import WORK_BUDGET, beyond_budget
from em_ui.data_sources import choose_data, left_out_of_link
from em_ui.engine import data_key
from em_ui.progress import FitProgress
from em_ui.state import keep
from em_ui.tables import show_table
from em_ui.text import literal
from em_viz.colors import MAX_COMPONENTS

KEY = "kstart"
TYPED = "Your typed start"
# The same start before the student has changed its table: the means it is filled with.
UNTYPED = "Quantile means (not typed)"
# The starts compared: every engine start but "given", then the student's own.
COMPARED = ("kmeans", "k-means++", "random", "random_from_data")
N_RUNS = len(COMPARED) + 1
PLOT_CONFIG = {"displaylogo": False}
# How the hand-off reads each cluster's spread, for the covariance types other than full.
SHAPES = {
    "tied": "With tied covariances the clusters share one spread, pooled over all of them.",
    "diag": "With diagonal covariances only each column's variance is kept.",
    "spherical": "With spherical covariances each cluster keeps the average of its columns' "
    "variances.",
}

link = links.start(KEY)
st.title("The K-means start")
st.write(
    "EM has to begin somewhere. A common choice is to run K-means first: it splits the points "
    "into K clusters, and each cluster's share, centre and spread become the first mixture "
    "θ₀. Watch K-means find its clusters, see exactly how they become θ₀, then let EM carry on."
)

loaded = choose_data(KEY)

columns = list(loaded.columns)
chosen = columns[:2]
if len(columns) > 1:
    # The key names the columns: other data get a fresh choice (see the "Your own data" page).
    chosen = st.multiselect(
        "Columns (one or two)",
        columns,
        default=columns[:2],
        max_selections=2,
        key=keep(f"{KEY}.{'|'.join(columns)}.columns"),
        bind=links.bind(f"{KEY}.{'|'.join(columns)}.columns"),
        help="This page fits one or two columns, so the pictures show everything K-means "
        "and EM see.",
    )
    if not chosen:
        st.warning("Choose one or two columns.")
        link.stop(left_out=left_out_of_link(KEY))
X = np.ascontiguousarray(loaded.values[:, [columns.index(c) for c in chosen]])
X.flags.writeable = False  # our own copy, fixed from here: em_ui hashes it once per run

with st.sidebar:
    st.header("Model")
    k_max = max(1, min(MAX_COMPONENTS, X.shape[0]))
    n_components = int(
        st.number_input(
            "Number of components K",
            min_value=1,
            max_value=k_max,
            value=min(loaded.suggested_k, k_max),
            step=1,
            key=keep(f"{KEY}.k"),
            bind=links.bind(f"{KEY}.k"),
            help="How many clusters K-means makes, and how many Gaussians EM fits.",
        )
    )
    covariance_type = "full"
    if X.shape[1] > 1:
        covariance_type = st.selectbox(
            "Covariance type",
            COVARIANCE_TYPES,
            format_func=COVARIANCE_LABELS.get,
            key=keep(f"{KEY}.covariance"),
            bind=links.bind(f"{KEY}.covariance", COVARIANCE_LABELS.get),
            help="The shape each cluster's spread is given at the hand-off, and kept by EM.",
        )
    seed = int(
        st.number_input(
            "Seed",
            min_value=0,
            max_value=2**31 - 2,
            value=0,
            step=1,
            key=keep(f"{KEY}.k_seed"),
            bind=links.bind(f"{KEY}.k_seed"),
            help="Chooses K-means's first centres (and the random starts below); the same seed "
            "gives the same run.",
        )
    )
    with st.expander("Stopping rule and ridge"):
        conv = convergence_settings(KEY)

try:
    check_for_fit(X, n_components, columns=chosen)
except InputError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out_of_link(KEY))
# Five runs, each charged as a K-means start (the dearest).
seconds = work(*X.shape, n_components, max_iter=conv.max_iter, n_init=N_RUNS)
if seconds > WORK_BUDGET:
    st.error(
        f"This page runs EM from {N_RUNS} starts: on {X.shape[0]:,} points in "
        f"{X.shape[1]} column(s) with K = {n_components} and up to {conv.max_iter} "
        f"iterations each, that would use {beyond_budget(seconds)} on the shared server, "
        "so it was not started. Choose a smaller K, fewer iterations, or fewer points."
    )
    link.stop(left_out=left_out_of_link(KEY))

options = {
    "covariance_type": covariance_type,
    "seed": seed,
    "tol": conv.tol,
    "ridge": conv.ridge,
    "reg_covar": conv.reg_covar,
    "max_iter": conv.max_iter,
}
progress = FitProgress(n_init=N_RUNS, max_iter=conv.max_iter)
try:
    trace = fit_trace(X, n_components, init="kmeans", progress=progress, **options)
except ValueError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out_of_link(KEY))

# 1. K-means, step by step
st.header("1. K-means finds K clusters")
steps = trace.start.kmeans_steps
st.write(
    "K-means starts from K centres picked among the points (k-means++: each next one far "
    "from those already picked). Then it repeats two moves: give every point to its "
    "nearest centre, and move each centre to the average of its points. The sum of squared "
    "distances from the points to their centres, W, can only go down; K-means stops when no "
    "point changes cluster."
)
st.write(
    "Step through it below, one move at a time: **Assign** recolours the points, **Update** "
    "moves the crosses. After the last assignment, the **Hand-off** draws the first "
    "Gaussians θ₀ from the clusters (section 2 has their numbers), and from there the same "
    "buttons, slider and ▶ Play carry on with EM's E-steps and M-steps."
)
stepping_view(X, trace, key=KEY, column_names=tuple(chosen), kmeans=True)
link.finish(left_out=left_out_of_link(KEY))
n_updates = len(steps) - 1
st.caption(
    f"This run's K-means took {n_updates} update{'s' if n_updates != 1 else ''} after the "
    "seeds, then EM "
    f"{trace.n_iter} iteration{'s' if trace.n_iter != 1 else ''}."
)

# 2. The hand-off
st.header("2. The hand-off: clusters become θ₀")
labels = nearest_center(X, steps[-1].centers)
counts = np.bincount(labels, minlength=n_components)
st.write(
    "K-means gives every point one cluster, with no doubt. EM's first parameters are read "
    "straight off those hard labels: each weight π is the cluster's share of the points, "
    "each mean μ is the cluster's centre, and each covariance is the spread of the cluster's "
    "own points about that centre, plus the small ridge. From θ₀ on, EM's E-step replaces "
    "the hard labels by responsibilities between 0 and 1."
)
if covariance_type in SHAPES:
    st.caption(SHAPES[covariance_type])
handed = starts.handoff_parameters(
    X, labels, n_components, covariance_type, trace.model.ridge_diagonal
)
show_table(starts.parameters_table(handed, counts=counts, column_names=chosen))
difference = starts.relative_difference(handed, trace.snapshots[0].params)
if difference.max() <= 1e-12:
    st.caption(
        "These numbers are computed on this page from the labels alone; they agree with the "
        f"θ₀ the engine starts EM from to {difference.max():.1g} relative (float rounding)."
    )
else:
    odd = ", ".join(str(k + 1) for k in np.flatnonzero(difference > 1e-12))
    st.info(
        f"Component(s) {odd}: the cluster's points have almost no spread of their own, so "
        "the engine starts that Gaussian with the spread of the whole data instead (a "
        "Gaussian squeezed onto a point or a line would be singular). The table shows the "
        "cluster's own numbers; EM starts from the engine's."
    )

# 3. Starts compared
st.header("3. Other starts on the same data")
st.write(
    f"The same data and K = {n_components}, from five starts: K-means (above), the "
    "k-means++ seeds alone (each point to its nearest seed, no K-means steps), random "
    "responsibilities (every mean near the middle of the data), K random data points as "
    "means, and means you type. Until you type, that table holds the quantiles 1/(2K), "
    f"3/(2K), … of each column, and the comparison calls it “{UNTYPED}”. Different starts "
    "can climb to different optima, at different speeds."
)
with st.expander("Type your own start", expanded=False):
    st.caption(
        "One row per component. The weights start equal."
        + (
            " Give σ for every row, or leave the σ column empty to start each Gaussian "
            "with the spread of the whole data."
            if X.shape[1] == 1
            else " Each Gaussian starts with the spread of the whole data."
        )
    )
    typed = typed_start_editor(
        KEY, X, n_components, covariance_type, trace.model.ridge_diagonal, chosen
    )

runs = {INIT_LABELS["kmeans"]: trace}
problems = []
for init in COMPARED[1:]:
    try:
        runs[INIT_LABELS[init]] = fit_trace(
            X, n_components, init=init, progress=progress, **options
        )
    except ValueError as error:
        problems.append(f"{INIT_LABELS[init]}: {error}")
edits = st.session_state.get(typed_key(KEY, data_key(X), n_components)) or {}
typed_name = TYPED if edits.get("edited_rows") else UNTYPED
if typed is not None:
    try:
        runs[typed_name] = fit_trace(
            X,
            n_components,
            init="given",
            _params=typed,
            progress=progress,
            **options,
        )
    except ValueError as error:
        problems.append(f"{typed_name}: {error}")
progress.clear()
for problem in problems:
    st.error(literal(problem))
if typed is None:
    st.caption("Your typed start is left out until its table is complete (see above).")

st.plotly_chart(
    starts.likelihood_curves_figure(runs), key=f"{KEY}.curves", theme=None, config=PLOT_CONFIG
)
st.caption(
    "ℓ after each iteration t of each run (t = 0 is the start; the axis begins at the "
    "lowest ℓ after one iteration, the table has every start's ℓ)."
)
# ℓ to four decimals, as the stepping view writes it: starts on the same peak can end a few
# thousandths apart, which the table's usual five significant digits would hide.
st.dataframe(
    starts.compare_table(runs),
    hide_index=True,
    column_config={
        name: st.column_config.NumberColumn(name, format="%.4f")
        for name in ("ℓ at the start", "final ℓ")
    },
)
best = max(t.final.log_likelihood for t in runs.values())
leaders = [name for name, t in runs.items() if t.final.log_likelihood == best]
st.caption(
    f"Highest final ℓ: {best:.4f} ({literal(', '.join(leaders))}). A run stops once ℓ per "
    "point changes by less than tol between two iterations: usually on a peak, but a run "
    "that starts on a flat stretch (random responsibilities put every mean near the middle "
    "of the data, where EM moves slowly at first) can stop there too. Lower tol to see "
    "whether a run was still climbing."
)

st.markdown("**The final fit of each start**")
thumb_columns = st.columns(len(runs))
for column, (name, run) in zip(thumb_columns, runs.items(), strict=True):
    column.plotly_chart(
        starts.fit_thumbnail(X, run, name),
        key=f"{KEY}.thumb.{name}",
        theme=None,
        config={"displayModeBar": False},
    )

# 4. The hard limit
st.header("4. K-means is EM with the doubt taken out")
st.write(
    "Give every Gaussian the same weight and the same round spread σ, hold them fixed, and "
    "let σ shrink: each point's responsibilities tend to 1 for its nearest mean and 0 for "
    "the others, so the E-step becomes K-means's assignment and the M-step's new means "
    "become K-means's averages. Below, two "
    "Gaussians at μ₁ = 0 and μ₂ = 1 and four points: as σ shrinks, every point's "
    "responsibility snaps to 0 or 1 (the point halfway stays at ½)."
)
st.plotly_chart(
    starts.hard_limit_figure([0.1, 0.4, 0.5, 0.7], (0.0, 1.0), np.geomspace(2.0, 0.01, 120)),
    key=f"{KEY}.limit",
    theme=None,
    config=PLOT_CONFIG,
)
