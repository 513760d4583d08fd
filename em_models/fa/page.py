"""EM beyond mixtures: factor analysis, stepped in the same view as every model (the page
body). Harman's census data by default, iris, or the student's own; then three short lessons
under the view: the Heywood case, turning the factors, and probabilistic PCA beside it."""

import numpy as np
import streamlit as st

from em_data import load_dataset
from em_models.fa import exports, lessons
from em_models.fa.census import PUBLISHED_COMMUNALITIES, load_census
from em_models.fa.engine import max_factors
from em_models.fa.fits import fit_fa, long_run
from em_models.fa.page_sections import beside_ppca, heywood_section, rotation_section
from em_models.fa.view import FAView
from em_ui import links
from em_ui.data_sources import choose_columns, choose_data, left_out_of_link
from em_ui.exports import export_section
from em_ui.state import keep
from em_ui.stepper import Extras, stepping_view
from em_ui.text import literal
from em_viz.exports import file_stem

KEY = "fa"
SOURCES = {"census": "Harman's census (12 tracts)", "iris": "Iris", "other": "Other data"}
STARTS = {"pca": "PCA loadings", "random": "Random loadings"}
# Every point is drawn and tabulated, and C and S are grids of d × d cells.
MAX_ROWS = 20_000
MAX_COLUMNS = 10
MAX_ITER = 1000


def _number(value: float) -> str:
    return f"{value:g}"


link = links.start(KEY)
st.title("EM beyond mixtures: factor analysis")
st.write(
    "Factor analysis explains several measured variables by a few hidden factors: "
    "x = W z + μ + ε, where z holds each point's factor scores and ε is noise of its own "
    "variance ψᵢ for each variable (probabilistic PCA has one σ² for all). The missing data "
    "are the scores z: the E-step fills in their expected values E[z], and the M-step then "
    "finds the loadings W and the noise variances Ψ in closed form."
)

source = st.radio(
    "Data",
    list(SOURCES),
    format_func=SOURCES.get,
    horizontal=True,
    key=keep(f"{KEY}.kind"),
    bind=links.bind(f"{KEY}.kind", SOURCES.get),
)
labels = None
if source == "census":
    X, columns = load_census()
    st.caption(
        "Harman's census data: 12 tracts of Los Angeles, five variables (total population, "
        "median school years, total employment, professional services, median house value). "
        "The published fit with two factors has a communality of 1.000 for Population."
    )
elif source == "iris":
    iris = load_dataset("iris")
    X, columns, labels = np.asarray(iris.values), tuple(iris.columns), iris.labels
    st.caption(iris.description)
else:
    loaded = choose_data(KEY)
    chosen, X = choose_columns(KEY, loaded)
    columns, labels = tuple(chosen), loaded.labels

n_samples, n_features = X.shape
left_out = left_out_of_link(KEY) if source == "other" else None
most = max_factors(n_features)
if most < 1:
    st.warning(
        f"Factor analysis needs at least three columns; these data have {n_features}. Choose "
        "more columns."
    )
    link.stop(left_out=left_out)
if n_features > MAX_COLUMNS or n_samples > MAX_ROWS:
    st.warning(
        f"These data have {n_samples:,} rows and {n_features} columns; this lesson draws every "
        f"point and every covariance, so it takes at most {MAX_ROWS:,} rows and "
        f"{MAX_COLUMNS} columns. Choose fewer."
    )
    link.stop(left_out=left_out)

left, middle, right = st.columns(3)
n_factors = int(
    left.number_input(
        "Factors q",
        min_value=1,
        max_value=most,
        value=min(2, most),
        key=keep(f"{KEY}.q"),
        bind=links.bind(f"{KEY}.q"),
        help=f"At most {most} for {n_features} variables: more would have more parameters "
        "than the data have variances and covariances.",
    )
)
tol = middle.select_slider(
    "Tolerance (tol)",
    options=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
    value=1e-3,
    format_func=_number,
    key=keep(f"{KEY}.tol"),
    bind=links.bind(f"{KEY}.tol", _number),
    help="EM stops once the mean log-likelihood per point changes by less than this.",
)
start = right.radio(
    "Start from",
    list(STARTS),
    format_func=STARTS.get,
    key=keep(f"{KEY}.start"),
    bind=links.bind(f"{KEY}.start", STARTS.get),
    help="Where EM begins. PCA loadings: W from the data's principal axes, the same every "
    "time. Random loadings: W drawn at random, a different start for each seed. Either way "
    "Ψ starts at each variable's variance.",
)
seed = 0
if start == "random":
    seed = int(
        right.number_input(
            "Seed",
            min_value=0,
            max_value=2**31 - 2,
            value=0,
            key=keep(f"{KEY}.seed"),
            bind=links.bind(f"{KEY}.seed"),
            help="The same seed gives the same random start; change it to try another.",
        )
    )

try:
    trace = fit_fa(X, n_factors, columns=columns, init=start, seed=seed, tol=tol, max_iter=MAX_ITER)
except ValueError as error:  # data the model cannot fit: say why, in the engine's words
    st.error(literal(str(error)))
    link.stop(left_out=left_out)

st.caption(
    "The columns are standardised (each divided by its standard deviation), as factor "
    "analysts usually fit them: S is then the correlation matrix, and each variable's "
    "variance is 1."
)
view = FAView(X, trace, column_names=columns, labels=labels if n_factors <= 2 else None)
extras = Extras(
    png_name=lambda h: file_stem("em", "fa", view.label(h)),
    footer=lambda: export_section(
        KEY,
        exports.CAPTION,
        exports.files(X, trace, columns=columns, figure=lambda: view.figure(0, narrow=False)),
    ),
)
stepping_view(view, key=KEY, extras=extras)

published = PUBLISHED_COMMUNALITIES if source == "census" and n_factors == 2 else None
heywood_section(view, long_run(X, trace), published)
rotation_section(view, key=KEY)
beside_ppca(view, lessons.ppca_beside(view.fitted, n_factors))
link.finish(left_out=left_out)
