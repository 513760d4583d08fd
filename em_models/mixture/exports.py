"""What a Gaussian mixture's run exports (the functions are in :mod:`em_viz.exports`, the
trace file in :mod:`em_core.trace_json`): its trace as JSON, the final parameters and the
responsibilities as CSV, the animation as HTML, and the scikit-learn code of the run."""

from __future__ import annotations

import numpy as np

from em_core import Trace
from em_core.trace_json import dumps
from em_models.mixture.gaussian import Parameters
from em_models.mixture.trace import trace_to_json
from em_viz import exports
from em_viz.exports import ANIMATION_HELP, ExportFile, ExportNote

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
            exports.JSON_NAME,
            "json",
        ),
        ExportFile(
            "Final parameters (CSV)",
            lambda: exports.parameters_csv(trace, columns),
            "em-parameters.csv",
            "parameters",
        ),
        ExportFile(
            "Responsibilities (CSV)",
            lambda: exports.responsibilities_csv(X, trace, columns),
            "em-responsibilities.csv",
            "responsibilities",
            "Each point's responsibilities under the final parameters.",
        ),
        ExportFile(
            "Animation (HTML)",
            lambda: exports.animation_html(
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
    return ExportNote(
        heading, exports.likelihood_timing_note(trace), code=exports.sklearn_code(trace)
    )
