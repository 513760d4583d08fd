"""What a run of probabilistic PCA exports: its trace as JSON (the format of
``python -m em_core fit --model ppca``), the final parameters and the latent coordinates as
CSV (numbers only, as the mixture's: :mod:`em_viz.exports`), and the animation as HTML.

Pure: data and traces in, strings and :class:`em_viz.exports.ExportFile` entries out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import Trace
from em_core.trace_json import dumps
from em_models.ppca import trace as trace_file
from em_models.ppca.engine import e_step
from em_viz.exports import ANIMATION_HELP, ExportFile, csv_text, figure_html, header_name

CAPTION = (
    "Each file is made when you press its button. The JSON file is what "
    "`python -m em_core fit FILE --model ppca` writes; Open a prepared run opens mixture "
    "runs only. The chart's own tool bar (top right of the chart) saves it as a PNG."
)


def files(
    X: NDArray[np.float64],
    trace: Trace,
    *,
    columns: tuple[str, ...],
    figure: Callable[[], go.Figure],
) -> list[ExportFile]:
    """The run's files; ``figure()`` is the view's chart from the start of the run."""
    title = f"EM for probabilistic PCA: q = {trace.final.params.n_latent}"
    return [
        ExportFile(
            "Trace (JSON)",
            lambda: dumps(trace_file.write(trace, X, columns)),
            "em-ppca-run.json",
            "json",
        ),
        ExportFile(
            "Final parameters (CSV)",
            lambda: parameters_csv(trace, columns),
            "em-ppca-parameters.csv",
            "parameters",
        ),
        ExportFile(
            "Latent coordinates (CSV)",
            lambda: latent_csv(X, trace, columns),
            "em-ppca-latent.csv",
            "latent",
            "Each point's latent coordinates E[z] under the final parameters.",
        ),
        ExportFile(
            "Animation (HTML)",
            lambda: figure_html(figure(), title),
            "em-ppca-animation.html",
            "html",
            ANIMATION_HELP,
        ),
    ]


def parameters_csv(trace: Trace, column_names: Sequence[str]) -> str:
    """The final parameters of probabilistic PCA in one row: μ, W (by data column, then
    latent dimension), σ² and ℓ. Every header starts with a word of ours."""
    params = trace.final.params
    names = [header_name(c) for c in column_names]
    q = params.n_latent
    header = [
        "iteration",
        *[f"mean of {n}" for n in names],
        *[f"loading {k + 1} of {n}" for n in names for k in range(q)],
        "noise variance",
        "log-likelihood",
    ]
    row = [
        trace.final.iteration,
        *params.mean,
        *np.ravel(params.loadings),
        params.noise_variance,
        trace.final.log_likelihood,
    ]
    return csv_text(header, np.array([row], dtype=np.float64))


def latent_csv(X: NDArray[np.float64], trace: Trace, column_names: Sequence[str]) -> str:
    """Each point with its latent coordinates E[z_n] under the final parameters: the point's
    number, its values, one column per latent dimension."""
    z = e_step(X, trace.final.params).latent_means
    header = [
        "point",
        *[f"value of {header_name(c)}" for c in column_names],
        *[f"latent coordinate {k + 1}" for k in range(z.shape[1])],
    ]
    return csv_text(
        header, np.column_stack([np.arange(1, X.shape[0] + 1), X, z]), data_columns=X.shape[1]
    )
