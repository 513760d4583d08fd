"""What a Gaussian mixture's run exports (the trace file is written by
:mod:`em_models.mixture.trace`; what every model's files share is in :mod:`em_viz.exports`):
its trace as JSON, the final parameters and the responsibilities as CSV, the animation as HTML,
and the scikit-learn code of the run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from em_core import Trace
from em_core.trace_json import dumps
from em_models.mixture.engine import e_step
from em_models.mixture.figures_1d import density_figure
from em_models.mixture.figures_2d import scatter_figure
from em_models.mixture.gaussian import Parameters
from em_models.mixture.trace import trace_to_json
from em_viz.exports import (
    ANIMATION_HELP,
    JSON_NAME,
    ExportFile,
    ExportNote,
    csv_text,
    figure_html,
    header_name,
)
from em_viz.figures_common import SLIDER_NOTE

_FILE_NOTE = "the app steps through every half-step"
CAPTION = (
    "Each file is made when you press its button. The JSON file holds the data, the "
    "settings and every iteration: it opens under Explore → Open a prepared run, and "
    "`python -m em_core fit` writes the same format. The chart's own tool bar (top right "
    "of the chart) saves it as a PNG."
)


def default_columns(n_features: int) -> tuple[str, ...]:
    """The names the reader gives headerless columns: ``x``, or ``x1, x2, …``."""
    return ("x",) if n_features == 1 else tuple(f"x{j + 1}" for j in range(n_features))


def files(
    X: np.ndarray,
    trace: Trace,
    *,
    columns: tuple[str, ...],
    true_params: Parameters | None = None,
    dims: tuple[int, int] = (0, 1),
) -> list[ExportFile]:
    """The run's files (``true_params`` and ``dims`` as the stepping view draws them)."""
    return [
        ExportFile(
            "Trace (JSON)",
            lambda: dumps(trace_to_json(trace, X, columns)),
            JSON_NAME,
            "json",
        ),
        ExportFile(
            "Final parameters (CSV)",
            lambda: parameters_csv(trace, columns),
            "em-parameters.csv",
            "parameters",
        ),
        ExportFile(
            "Responsibilities (CSV)",
            lambda: responsibilities_csv(X, trace, columns),
            "em-responsibilities.csv",
            "responsibilities",
            "Each point's responsibilities under the final parameters.",
        ),
        ExportFile(
            "Animation (HTML)",
            lambda: animation_html(
                X, trace, column_names=columns, dims=dims, true_params=true_params
            ),
            "em-animation.html",
            "html",
            ANIMATION_HELP,
        ),
    ]


def sklearn_note(trace: Trace) -> ExportNote:
    """The same run in scikit-learn: its code, and when its log-likelihood is measured."""
    heading = "The same run in scikit-learn"
    if trace.n_iter == 0:
        return ExportNote(
            heading, "This run has no iteration (max_iter = 0): there is nothing to reproduce."
        )
    return ExportNote(heading, likelihood_timing_note(trace), code=sklearn_code(trace))


def parameters_csv(trace: Trace, column_names: Sequence[str]) -> str:
    """The final parameters, one row per component: its weight, mean, and covariance matrix
    entries (variances, then each covariance once).

    Every header starts with a word of ours ("mean of …"), so a column named ``=1+1`` cannot
    become a formula; every other cell is a number.
    """
    params: Parameters = trace.final.params
    names = [header_name(c) for c in column_names]
    d = params.n_features
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    header = [
        "component",
        "weight",
        *[f"mean of {n}" for n in names],
        *[f"variance of {n}" for n in names],
        *[f"covariance of {names[i]} and {names[j]}" for i, j in pairs],
    ]
    full = params.full_covariances()
    rows = np.column_stack(
        [
            np.arange(1, params.n_components + 1),
            params.weights,
            params.means,
            np.diagonal(full, axis1=1, axis2=2),
            *[full[:, i, j] for i, j in pairs],
        ]
    )
    return csv_text(header, rows)


def responsibilities_csv(X: NDArray[np.float64], trace: Trace, column_names: Sequence[str]) -> str:
    """Each point with its responsibilities r_nk under the final parameters (the E-step the
    engine ran on them last): the point's number, its values, one column per component."""
    resp = e_step(X, trace.final.params).resp
    header = [
        "point",
        *[f"value of {header_name(c)}" for c in column_names],
        *[f"responsibility of component {k + 1}" for k in range(resp.shape[1])],
    ]
    rows = np.column_stack([np.arange(1, X.shape[0] + 1), X, resp])
    return csv_text(header, rows, data_columns=X.shape[1])


def animation_html(
    X: NDArray[np.float64],
    trace: Trace,
    *,
    column_names: Sequence[str] | None = None,
    dims: tuple[int, int] = (0, 1),
    true_params: Parameters | None = None,
) -> str:
    """The view's animated chart from the start of the run, as a standalone HTML page with
    plotly.js inside (it plays with no network) and its Play / Pause buttons.

    The frames are those the app's chart holds from the start (the whole run, or as much of
    it as the frame budget allows, which the chart's note then says).
    """
    if X.shape[1] == 1:
        fig = density_figure(
            X,
            trace,
            0,
            true_params=true_params,
            column_name=column_names[0] if column_names else None,
        )
    else:
        fig = scatter_figure(
            X, trace, 0, dims=dims, true_params=true_params, column_names=column_names
        )
    for note in fig.layout.annotations:
        if note.text and SLIDER_NOTE in note.text:
            note.text = note.text.replace(SLIDER_NOTE, _FILE_NOTE)
    params = trace.final.params
    title = (
        f"EM for a Gaussian mixture: K = {params.n_components}, "
        f"{trace.model.covariance_type} covariances, {trace.n_samples:,} points"
    )
    return figure_html(fig, title)


_PRECISIONS = {  # precisions_init from the file's full covariances, unscaled and scaled
    "full": ("np.linalg.inv(covariances)", "np.linalg.inv(covariances / np.outer(scale, scale))"),
    "tied": (
        "np.linalg.inv(covariances[0])",
        "np.linalg.inv(covariances[0] / np.outer(scale, scale))",
    ),
    "diag": (
        "1 / np.diagonal(covariances, axis1=1, axis2=2)",
        "scale**2 / np.diagonal(covariances, axis1=1, axis2=2)",
    ),
    "spherical": ("1 / covariances[:, 0, 0]", None),
}


_SCALED_BACK = {
    "full": "gm.covariances_ * np.outer(scale, scale)",
    "tied": "gm.covariances_ * np.outer(scale, scale)",
    "diag": "gm.covariances_ * scale**2",
}


# How θ_0 was chosen (em_models.mixture.trace.START_METHODS), in words.
START_WORDS = {
    "kmeans": "K-means",
    "k-means++": "k-means++ seeds",
    "random": "random responsibilities",
    "random_from_data": "random data points",
    "given": "given parameters",
    "split": "the best fit with one component fewer, a component split in two",
}


def sklearn_code(trace: Trace, *, json_name: str = JSON_NAME) -> str:
    """Python code that fits scikit-learn's ``GaussianMixture`` from the same start, ridge,
    ``max_iter`` and ``tol`` as ``trace``, on the data of the trace's JSON export
    (``json_name``), and ends with ``weights``, ``means`` and ``covariances`` in this app's
    storage for the covariance type.

    scikit-learn's ``reg_covar`` is one amount for every column. When the run's ridge
    differs between columns (a relative ridge on columns of different variances), the code
    fits on the columns divided by their standard deviations, where the ridge is the same
    for every column, and scales the result back (the same fit for full, tied and diag
    covariances; a spherical ridge is the mean of the columns' amounts).

    scikit-learn's ``tol`` compares the mean log-likelihood per point as this app's does, but
    it measures ℓ in the E-step that starts an iteration, before that iteration's M-step: it
    learns that ℓ(θ_t) has settled only in iteration t + 1. So ``max_iter`` is the run's
    number of iterations, and scikit-learn stops at the same θ_t (warning that it did not
    converge); see :func:`likelihood_timing_note`.
    """
    if trace.n_iter == 0:
        raise ValueError(
            "The run has no iteration, so there is nothing for scikit-learn to reproduce: its "
            "fit needs at least one."
        )
    start = trace.snapshots[0].params
    model = trace.model
    kind = model.covariance_type
    diagonal = model.ridge_diagonal
    scaled = bool(np.any(diagonal != diagonal[0])) and kind != "spherical"
    reg_covar = model.ridge if scaled else float(diagonal.mean())
    precisions = _PRECISIONS[kind][1 if scaled else 0]
    seed = "" if trace.start.seed is None else f", seed {trace.start.seed}"
    lines = [
        f"# scikit-learn's GaussianMixture on the run saved as {json_name}: the same data,",
        "# the same start θ₀, ridge, max_iter and tol. Download that file first (Trace, JSON).",
        "import json",
        "",
        "import numpy as np",
        "from sklearn.mixture import GaussianMixture",
        "",
        f'with open("{json_name}", encoding="utf-8") as file:',
        "    run = json.load(file)",
        f'X = np.array(run["data"])  # {_count(trace.n_samples, "point")} × '
        f"{_count(start.n_features, 'column')}",
        f'start = run["iterations"][0]  # θ₀, from {START_WORDS[trace.start.method]}{seed}',
        'weights = np.array(start["weights"])',
        'means = np.array(start["means"])',
        'covariances = np.array(start["covariances"])  # K full d × d matrices',
        "",
    ]
    if scaled:
        lines += [
            f"# The app adds {model.ridge:g} × each column's variance to that column's variance;",
            "# reg_covar is one amount for all columns. On columns divided by their standard",
            "# deviations the two are the same: fit there, then scale back.",
            "scale = X.std(axis=0)",
        ]
    lines += [
        "gm = GaussianMixture(",
        f"    n_components={start.n_components},",
        f'    covariance_type="{kind}",',
        "    weights_init=weights,",
        f"    means_init={'means / scale' if scaled else 'means'},",
        f"    precisions_init={precisions},",
        f"    reg_covar={reg_covar!r},",
        f"    max_iter={trace.n_iter},  # the app's run: {trace.n_iter} iterations "
        f"({trace.stop_reason.value})",
        f"    tol={trace.tol!r},",
        '    init_params="random_from_data",  # not used: the start above replaces it',
        "    random_state=0,",
        f").fit({'X / scale' if scaled else 'X'})",
        "weights = gm.weights_",
        f"means = {'gm.means_ * scale' if scaled else 'gm.means_'}",
        f"covariances = {_SCALED_BACK[kind] if scaled else 'gm.covariances_'}",
        "print(weights, means, covariances, sep='\\n')",
    ]
    return "\n".join(lines) + "\n"


def likelihood_timing_note(trace: Trace) -> str:
    """When each tool evaluates the log-likelihood, and why max_iter is the run's length."""
    t = trace.n_iter
    return (
        "Both tools stop when the mean log-likelihood per point changes by less than tol, "
        "but they measure it at different moments. This app runs an E-step on θₜ, computes "
        "ℓ(θₜ), and stops there, keeping θₜ. scikit-learn computes ℓ in the E-step that "
        "begins each iteration, then runs that iteration's M-step before it tests tol: it "
        "learns that ℓ(θₜ) has settled only in iteration t + 1, one M-step later, and keeps "
        f"θₜ₊₁. So the code sets max_iter = {t}, this run's number of iterations: scikit-learn "
        f"then stops at the same θ{_subscript(t)} and warns that it did not converge (its "
        f"lower_bound_ is ℓ(θ{_subscript(max(t - 1, 0))})/N, one iteration behind)."
    )


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, in the plural unless n is 1: "1 column", "6 points"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
