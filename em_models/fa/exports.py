"""What a run of factor analysis exports: its trace as JSON (the format of
``python -m em_core fit --model fa``), and the final parameters and the factor scores as CSV
(numbers only, as every model's: :mod:`em_viz.exports`), and the animation as HTML.

Pure: data and traces in, strings and :class:`em_viz.exports.ExportFile` entries out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import Trace
from em_core.trace_json import dumps
from em_models.fa import trace as trace_file
from em_models.fa.engine import communalities, e_step
from em_viz.exports import ANIMATION_HELP, ExportFile, csv_text, figure_html, header_name

CAPTION = (
    "Each file is made when you press its button. The JSON file is what "
    "`python -m em_core fit FILE --model fa` writes, and Open a prepared run opens it. The "
    "parameters are in the units fitted (standardised columns unless the run fitted them "
    "as given)."
)


def files(
    X: NDArray[np.float64],
    trace: Trace,
    *,
    columns: tuple[str, ...],
    figure: Callable[[], go.Figure] | None = None,
) -> list[ExportFile]:
    """The run's files, for data ``X`` as given and the names of its ``columns``;
    ``figure()`` is the view's chart from the start of the run (with it, the animation)."""
    title = f"EM for factor analysis: q = {trace.final.params.n_factors}"
    made = [
        ExportFile(
            "Trace (JSON)",
            lambda: dumps(trace_file.write(trace, X, columns)),
            "em-fa-run.json",
            "json",
        ),
        ExportFile(
            "Final parameters (CSV)",
            lambda: parameters_csv(trace, columns),
            "em-fa-parameters.csv",
            "parameters",
        ),
        ExportFile(
            "Factor scores (CSV)",
            lambda: scores_csv(X, trace, columns),
            "em-fa-scores.csv",
            "scores",
            "Each point's factor scores E[z] under the final parameters.",
        ),
    ]
    if figure is None:
        return made
    return [
        *made,
        ExportFile(
            "Animation (HTML)",
            lambda: figure_html(figure(), title),
            "em-fa-animation.html",
            "html",
            ANIMATION_HELP,
        ),
    ]


def parameters_csv(trace: Trace, column_names: Sequence[str]) -> str:
    """The final parameters in one row: μ, W (by variable, then factor), ψ, the
    communalities and ℓ. Every header starts with a word of ours."""
    params = trace.final.params
    names = [header_name(c) for c in column_names]
    header = [
        "iteration",
        *[f"mean of {n}" for n in names],
        *[f"loading {k + 1} of {n}" for n in names for k in range(params.n_factors)],
        *[f"noise variance of {n}" for n in names],
        *[f"communality of {n}" for n in names],
        "log-likelihood",
    ]
    row = [
        trace.final.iteration,
        *params.mean,
        *np.ravel(params.loadings),
        *params.noise_variances,
        *communalities(params),
        trace.final.log_likelihood,
    ]
    return csv_text(header, np.array([row], dtype=np.float64))


def scores_csv(X: NDArray[np.float64], trace: Trace, column_names: Sequence[str]) -> str:
    """Each point with its factor scores E[z_n] under the final parameters: the point's
    number, its values as given, one column per factor."""
    z = e_step(X, trace.final.params, standardise=trace.model.standardise).latent_means
    header = [
        "point",
        *[f"value of {header_name(c)}" for c in column_names],
        *[f"factor score {k + 1}" for k in range(z.shape[1])],
    ]
    return csv_text(
        header, np.column_stack([np.arange(1, X.shape[0] + 1), X, z]), data_columns=X.shape[1]
    )
