"""EM beyond mixtures: probabilistic PCA, stepped in the same view as the mixtures."""

import numpy as np
import streamlit as st

from em_data import load_dataset
from em_data.synthetic import elongated_cloud
from em_models.ppca import exports
from em_models.ppca.fits import fit_ppca
from em_models.ppca.view import PPCAView
from em_ui import links
from em_ui.data_sources import choose_columns, choose_data, left_out_of_link
from em_ui.exports import export_section
from em_ui.state import keep
from em_ui.stepper import Extras, stepping_view
from em_ui.text import literal
from em_viz.exports import file_stem

KEY = "ppca"
SOURCES = {"cloud": "An elongated cloud", "faithful": "Old Faithful", "other": "Other data"}
CLOUD_POINTS = 200
# Every point is drawn with its segment, and its coordinates are tabulated.
MAX_ROWS = 20_000
# Beyond this the formulas' matrices stop being readable.
MAX_LATENT = 5


def _number(value: float) -> str:
    return f"{value:g}"


link = links.start(KEY)
st.title("EM beyond mixtures: probabilistic PCA")
st.write(
    "Probabilistic PCA explains each point as a point on a line through the mean (a plane, "
    "with two latent dimensions), x = W z + μ, plus round noise of variance σ². Here the "
    "missing data are the points' coordinates z along that line: the E-step fills in their "
    "expected values E[z], and once they are filled in the M-step finds W and σ² in closed "
    "form, as the responsibilities did for the Gaussians of a mixture."
)

source = st.radio(
    "Points to fit",
    list(SOURCES),
    format_func=SOURCES.get,
    horizontal=True,
    key=keep(f"{KEY}.kind"),
    bind=links.bind(f"{KEY}.kind", SOURCES.get),
)
labels = None
if source == "cloud":
    X = elongated_cloud(CLOUD_POINTS, rng=np.random.default_rng(0)).values
    columns: tuple[str, ...] = ("x1", "x2")
    st.caption(
        f"{CLOUD_POINTS} points drawn from probabilistic PCA itself: W is a vector of length "
        "2.5 at 35°, and the noise σ = 0.8."
    )
elif source == "faithful":
    faithful = load_dataset("faithful")
    X, columns = np.asarray(faithful.values), tuple(faithful.columns)
    st.caption(faithful.description)
else:
    loaded = choose_data(KEY)
    chosen, X = choose_columns(KEY, loaded)
    columns, labels = tuple(chosen), loaded.labels

n_samples, n_features = X.shape
left_out = left_out_of_link(KEY) if source == "other" else None
if n_features < 2:
    st.warning("Probabilistic PCA needs at least two columns: with one there is no line to find.")
    link.stop(left_out=left_out)
if n_samples > MAX_ROWS:
    st.warning(
        f"These data have {n_samples:,} rows; this lesson draws and tabulates every point, so it "
        f"takes at most {MAX_ROWS:,}. Choose smaller data."
    )
    link.stop(left_out=left_out)

left, middle, right = st.columns(3)
if n_features == 2:
    n_latent = 1
    left.markdown("**q = 1**: one latent dimension, a line")
else:
    n_latent = int(
        left.number_input(
            "Latent dimensions q",
            min_value=2,
            max_value=min(n_features - 1, MAX_LATENT),
            value=2,
            key=keep(f"{KEY}.q"),
            bind=links.bind(f"{KEY}.q"),
            help="The chart shows the first two latent coordinates of every point.",
        )
    )
seed = int(
    middle.number_input(
        "Seed of the random start",
        min_value=0,
        max_value=2**31 - 2,
        value=0,
        key=keep(f"{KEY}.seed"),
        bind=links.bind(f"{KEY}.seed"),
        help="EM starts from a random W (and σ² the data's variance per column).",
    )
)
tol = right.select_slider(
    "Tolerance (tol)",
    options=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
    value=1e-3,
    format_func=_number,
    key=keep(f"{KEY}.tol"),
    bind=links.bind(f"{KEY}.tol", _number),
    help="EM stops once the mean log-likelihood per point changes by less than this.",
)

try:
    trace = fit_ppca(X, n_latent, seed=seed, tol=tol, max_iter=200)
except ValueError as error:  # data the model cannot fit: say why, in the engine's words
    st.error(literal(str(error)))
    link.stop(left_out=left_out)

view = PPCAView(X, trace, column_names=columns, labels=labels if n_latent > 1 else None)
extras = Extras(
    png_name=lambda h: file_stem("em", "ppca", view.label(h)),
    footer=lambda: export_section(
        KEY,
        exports.CAPTION,
        exports.files(X, trace, columns=columns, figure=lambda: view.figure(0, narrow=False)),
    ),
)
stepping_view(view, key=KEY, extras=extras)
link.finish(left_out=left_out)
