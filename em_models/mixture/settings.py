"""Widgets for the settings of a run, each with one line on what it does to EM."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.work import restarts_within_budget
from em_ui.budget import seconds_allowed
from em_ui.links import bind
from em_ui.state import keep

INIT_LABELS = {
    "kmeans": "K-means",
    "k-means++": "k-means++ seeds",
    "random": "Random responsibilities",
    "random_from_data": "Random data points",
}
COVARIANCE_LABELS = {
    "full": "full — each Gaussian any shape and tilt",
    "diag": "diag — axis-aligned ellipses",
    "spherical": "spherical — circles, one spread each",
    "tied": "tied — one shared shape for all",
}


# Restarts by default: enough to find the best optimum on the classic data sets, fewer as
# the data grow so that a default fit stays within a few seconds, and never more than the
# work budget of one request allows (em_ui.budget).
RESTART_BUDGET = 100_000  # points × restarts
MAX_DEFAULT_RESTARTS = 10
DEFAULT_MAX_ITER = 100
MAX_COMPONENTS = 10


def default_restarts(n_samples: int, n_features: int = 1, n_components: int = 2) -> int:
    """The default number of restarts (10 up to 10,000 rows, fewer beyond, within the budget).

    Parameters
    ----------
    n_samples, n_features : int
        The size of the data.
    n_components : int, default 2
        The K the page suggests; the default iteration limit and the K-means start are
        assumed.

    Returns
    -------
    int
        At least 1, even when one run is already over the budget (the page then says so).
    """
    fitting = restarts_within_budget(
        n_samples, n_features, n_components, max_iter=DEFAULT_MAX_ITER, init="kmeans"
    )
    return max(1, min(MAX_DEFAULT_RESTARTS, RESTART_BUDGET // max(n_samples, 1), fitting))


@dataclass(frozen=True)
class Convergence:
    """When a run stops, and the ridge: relative (``ridge``, a fraction of each column's
    variance) or in data units (``reg_covar``); the other is None."""

    tol: float
    reg_covar: float | None
    max_iter: int
    ridge: float | None = None


@dataclass(frozen=True)
class Model:
    """What is fitted, and from where it starts."""

    n_components: int
    covariance_type: str
    init: str
    seed: int
    n_init: int


def _number(value: float) -> str:
    return f"{value:g}"


def convergence_settings(
    key: str,
    *,
    reg_covar: float | None = None,
    ridge: float = 1e-6,
    max_iter: int = DEFAULT_MAX_ITER,
) -> Convergence:
    """Tolerance, ridge and iteration limit.

    The ridge is relative to each column's variance (default ``ridge``), so the answer does
    not depend on the data's units; a page that passes ``reg_covar`` gets the ridge in
    squared data units instead, starting at that value.
    """
    tol = st.select_slider(
        "Tolerance (tol)",
        options=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10],
        value=1e-3,
        format_func=_number,
        key=keep(f"{key}.tol"),
        bind=bind(f"{key}.tol", _number),
        help="EM stops once the mean log-likelihood per point changes by less than this "
        "between two iterations.",
    )
    options = [0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    if reg_covar is None:
        amount = st.select_slider(
            "Ridge, as a fraction of each column's variance",
            options=options,
            value=ridge,
            format_func=_number,
            key=keep(f"{key}.ridge"),
            bind=bind(f"{key}.ridge", _number),
            help="Each M-step adds this fraction of each column's variance to that column's "
            "variance in every Gaussian, so none can shrink onto a single point; being "
            "relative, it gives the same answer in any units. 0 means plain EM.",
        )
    else:
        amount = st.select_slider(
            "Ridge added to each variance (reg_covar)",
            options=options,
            value=reg_covar,
            format_func=_number,
            key=keep(f"{key}.reg_covar"),
            bind=bind(f"{key}.reg_covar", _number),
            help="Added to the diagonal of every covariance in each M-step, in squared data "
            "units, so no Gaussian can shrink onto a single point. 0 means plain EM.",
        )
    limit = st.number_input(
        "Iteration limit (max_iter)",
        min_value=1,
        max_value=500,
        value=max_iter,
        step=10,
        key=keep(f"{key}.max_iter"),
        bind=bind(f"{key}.max_iter"),
        help="EM stops after this many iterations even if not converged.",
    )
    if reg_covar is None:
        return Convergence(float(tol), None, int(limit), ridge=float(amount))
    return Convergence(float(tol), float(amount), int(limit))


def model_settings(
    key: str,
    *,
    n_features: int,
    default_k: int = 2,
    default_n_init: int = 1,
) -> Model:
    """Number of components, covariance type, initialisation, seed and restarts.

    K starts at ``default_k`` (a data set's suggestion) and the restarts at
    ``default_n_init``; each moves to a new default when that default changes; in between,
    the student's choice stays. K goes up to ``MAX_COMPONENTS`` whatever the data: a K the
    data cannot have is refused by the page with its reason (`em_data.check_for_fit`), never
    fitted as another K.
    """
    n_init_key, suggested_n_init_key = f"{key}.n_init", f"{key}.suggested_n_init"
    if st.session_state.get(suggested_n_init_key) != default_n_init:
        st.session_state[suggested_n_init_key] = default_n_init
        st.session_state[n_init_key] = default_n_init
    if st.session_state.get(n_init_key) is None:  # emptied by the student
        st.session_state[n_init_key] = default_n_init
    k_key, suggested_key = f"{key}.n_components", f"{key}.suggested_k"
    if st.session_state.get(suggested_key) != default_k:
        st.session_state[suggested_key] = default_k
        st.session_state[k_key] = default_k
    k = int(st.session_state.get(k_key) or default_k)
    st.session_state[k_key] = min(max(k, 1), MAX_COMPONENTS)
    # K and the restarts take their defaults through session state, not the widget's own
    # (value=None): a link leaves out a value equal to the widget's default, so that must
    # not be one a student can choose.
    k = st.number_input(
        "Number of components K",
        min_value=1,
        max_value=MAX_COMPONENTS,
        value=None,
        step=1,
        key=keep(k_key),
        bind=bind(k_key),
        help="How many Gaussians the mixture has.",
    )
    covariance = "full"
    if n_features > 1:
        covariance = st.selectbox(
            "Covariance type",
            COVARIANCE_TYPES,
            format_func=COVARIANCE_LABELS.get,
            key=keep(f"{key}.covariance_type"),
            bind=bind(f"{key}.covariance_type", COVARIANCE_LABELS.get),
            help="What shapes the Gaussians may take; fewer shapes, fewer parameters.",
        )
    init = st.selectbox(
        "Start from",
        list(INIT_LABELS),
        format_func=INIT_LABELS.get,
        key=keep(f"{key}.init"),
        bind=bind(f"{key}.init", INIT_LABELS.get),
        help="How the first parameters are chosen. K-means is the usual choice; the random "
        "starts show how EM can end in different places.",
    )
    seed = st.number_input(
        "Seed",
        min_value=0,
        max_value=2**31 - 2,
        value=0,
        step=1,
        key=keep(f"{key}.seed"),
        bind=bind(f"{key}.seed"),
        help="The same seed gives the same start, so a run can be repeated exactly.",
    )
    n_init = st.number_input(
        "Restarts",
        min_value=1,
        max_value=20,
        value=None,
        step=1,
        key=keep(n_init_key),
        bind=bind(n_init_key),
        help="Run EM from this many starts and show the one with the highest likelihood; "
        "guards against a poor local optimum. The default is 10 for up to 10,000 points, "
        "fewer for more. The server is shared, so one fit may use about "
        f"{seconds_allowed():.0f} seconds of one processor: a larger one (many points, "
        "columns, components, iterations and restarts together) is refused before it "
        "starts, with what to reduce.",
    )
    # Empty (None) after the browser's Back or Forward to an address without them: an
    # address without a setting means its default.
    k = default_k if k is None else k
    n_init = default_n_init if n_init is None else n_init
    return Model(int(k), str(covariance), str(init), int(seed), int(n_init))
