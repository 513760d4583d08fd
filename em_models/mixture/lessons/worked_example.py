"""The article's worked example: six points, a mixture of Gaussians, one half-step at a time."""

import numpy as np
import pandas as pd
import streamlit as st

from em_data import load_dataset
from em_models.mixture.fits import fit_trace
from em_models.mixture.gaussian import Parameters
from em_models.mixture.settings import INIT_LABELS, convergence_settings
from em_models.mixture.starts import INIT_METHODS
from em_models.mixture.stepper import stepping_view
from em_ui import links
from em_ui.state import keep
from em_ui.text import literal

KEY = "worked"
ARTICLE = "article"
OWN = "own"
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six")
# Weights typed with two decimals (⅓ as 0.33) sum to 1 within this much per weight: such a
# sum is rounding, and the weights are rescaled without a word.
WEIGHT_ROUNDING = 0.005
OWN_LEFT_OUT = (
    "Starting values typed in the table cannot travel in a link: whoever opens it starts from "
    "the table as it first appears."
)
START_LABELS = {
    ARTICLE: "The article's start: μ = (2, 9), σ = (1, 1), π = (½, ½)",
    OWN: "My own starting values",
    **INIT_LABELS,
}

data = load_dataset("worked_example")
X = np.asarray(data.values)


def own_start(n_components: int) -> Parameters | str:
    """An editable table of μ, σ, π per component: the start it holds, or what is wrong."""
    if n_components == 2:
        default = pd.DataFrame({"μ": [2.0, 9.0], "σ": [1.0, 1.0], "π": [0.5, 0.5]})
    else:
        default = pd.DataFrame(
            {
                "μ": np.round(np.linspace(X.min(), X.max(), n_components), 2),
                "σ": np.ones(n_components),
                "π": np.full(n_components, 1 / n_components),  # exact: sums to 1
            }
        )
    table = st.data_editor(
        default,
        key=f"{KEY}.own.{n_components}",
        hide_index=True,
        num_rows="fixed",
        # Narrow columns, so that the three fit the sidebar; the headers' help names them.
        column_config={
            name: st.column_config.NumberColumn(name, format="%.4g", width="small", help=what)
            for name, what in (
                ("μ", "The mean of each Gaussian."),
                ("σ", "The spread of each Gaussian (its standard deviation)."),
                ("π", "The weight of each Gaussian: the share of the points it expects."),
            )
        },
    )
    values = table[["μ", "σ", "π"]].to_numpy(dtype=float, na_value=np.nan)
    mu, sigma, pi = values.T
    if not np.all(np.isfinite(values)):
        return "Fill in every cell of the starting values with a number."
    if np.any(sigma <= 0) or np.any(pi <= 0):
        return "Every σ and every π of the starting values must be greater than 0."
    if abs(pi.sum() - 1) > WEIGHT_ROUNDING * n_components:
        st.info(f"The weights sum to {pi.sum():.4g}; they are rescaled to sum to 1.")
    return Parameters(pi / pi.sum(), mu[:, None], (sigma**2)[:, None, None], "full")


link = links.start(KEY)
with st.sidebar:
    st.header("Start")
    start = st.selectbox(
        "Start from",
        list(START_LABELS),
        format_func=START_LABELS.get,
        key=keep(f"{KEY}.start"),
        bind=links.bind(f"{KEY}.start", START_LABELS.get),
        help="Where EM begins. The article's start reproduces its numbers exactly.",
    )
    n_components = 2
    if start != ARTICLE:
        n_components = int(
            st.number_input(
                "Number of components K",
                min_value=1,
                max_value=X.shape[0],
                value=2,
                step=1,
                key=keep(f"{KEY}.n_components"),
                bind=links.bind(f"{KEY}.n_components"),
                help="How many Gaussians the mixture has.",
            )
        )
    seed = 0
    if start in INIT_METHODS:
        seed = int(
            st.number_input(
                "Seed",
                min_value=0,
                max_value=2**31 - 2,
                value=0,
                step=1,
                key=keep(f"{KEY}.seed"),
                bind=links.bind(f"{KEY}.seed"),
                help="The same seed gives the same start.",
            )
        )
    # The start's own values sit under the choice of start, so that the chart comes first
    # in the page.
    params: Parameters | str | None = None
    if start == ARTICLE:
        params = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    elif start == OWN:
        st.subheader("Starting values")
        params = own_start(n_components)
    with st.expander("Stopping rule and ridge"):
        conv = convergence_settings(KEY, reg_covar=0.0, max_iter=100)

left_out = OWN_LEFT_OUT if start == OWN else None
gaussians = f"{NUMBER_WORDS[n_components - 1]} Gaussian" + ("s" if n_components > 1 else "")
st.title(f"Worked example: six points, {gaussians}")
values = [f"{value:g}" for value in X[:, 0]]
# One paragraph, written once the run is known (it quotes the article's numbers): the
# buttons and the top of the chart stay in the first screen of a 1280×720 laptop.
about = (
    f"The data are {', '.join(values[:-1])} and {values[-1]}, and the mixture has {gaussians}. "
    "Step through EM one half at a time: the E-step recolours the points, the M-step moves "
    "the curves."
)
intro = st.empty()
intro.write(about)
if isinstance(params, str):
    st.error(f"{params} (They are in the sidebar, under Start.)")
    link.stop(left_out=left_out)

init = "given" if params is not None else start
try:
    trace = fit_trace(
        X,
        n_components,
        init=init,
        _params=params,
        seed=seed,
        tol=conv.tol,
        reg_covar=conv.reg_covar,
        max_iter=conv.max_iter,
    )
except ValueError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out)

if start == ARTICLE and trace.n_iter >= 1:
    after_one = trace.snapshots[1].params
    mean_2 = after_one.means[1, 0]
    spread_1, spread_2 = np.sqrt(after_one.full_covariances()[:, 0, 0])
    intro.write(
        f"{about} From the article's start, after one full iteration the second mean is "
        f"{mean_2:.2f} and the spreads σ have shrunk from 1 to {spread_1:.2f} and "
        f"{spread_2:.2f}."
    )

stepping_view(X, trace, key=KEY, column_names=data.columns)
link.finish(left_out=left_out)
