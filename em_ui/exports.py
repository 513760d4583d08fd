"""The "Export this run" section under the stepping view: the trace as JSON (it opens in the
engine and on the page *Open a prepared run*), the final parameters and the responsibilities
as CSV, the animation as a standalone HTML file, and the scikit-learn code of the run.

The section is lazy (its content runs only while it is open) and every file is made only
when its button is pressed (``st.download_button`` with a function as its data), so stepping
costs nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from em_core import Parameters, Trace
from em_core.cli_ppca import ppca_trace_to_json
from em_core.trace_json import dumps, finite_number, trace_to_json
from em_viz import exports


def default_columns(n_features: int) -> tuple[str, ...]:
    """The names the reader gives headerless columns: ``x``, or ``x1, x2, …``."""
    return ("x",) if n_features == 1 else tuple(f"x{j + 1}" for j in range(n_features))


# A file's kind (from its name) gives its media type and its button's icon.
_KINDS = {
    "json": ("application/json", ":material/data_object:"),
    "csv": ("text/csv", ":material/table:"),
    "html": ("text/html", ":material/slideshow:"),
}
_ANIMATION_HELP = (
    "The chart from the start of the run with Play and Pause, in one file that needs no "
    "network (plotly.js is inside): for slides."
)


@dataclass(frozen=True)
class _File:
    """One download button: its label, the function that makes the file, the file's name,
    the last part of the button's key, and its help."""

    label: str
    make: Callable[[], str]
    file_name: str
    key: str
    help: str | None = None


def _files_section(key: str, caption: str, files: list[_File]):
    """The "Export this run" expander with ``caption`` and a row of buttons for ``files``;
    the expander to add to, or None while it is closed (nothing is made then)."""
    section = st.expander(
        "Export this run", icon=":material/download:", key=f"{key}.export", on_change="rerun"
    )
    if not section.open:
        return None
    with section:
        st.caption(caption)
        with st.container(horizontal=True):
            for file in files:
                mime, icon = _KINDS[file.file_name.rsplit(".", 1)[1]]
                st.download_button(
                    file.label,
                    file.make,
                    file_name=file.file_name,
                    mime=mime,
                    on_click="ignore",
                    key=f"{key}.export.{file.key}",
                    icon=icon,
                    help=file.help,
                )
    return section


def export_section(
    X: np.ndarray,
    trace: Trace,
    *,
    key: str,
    column_names: tuple[str, ...] | None = None,
    true_params: Parameters | None = None,
    dims: tuple[int, int] = (0, 1),
) -> None:
    """An expander offering the run's files (see the module docstring).

    Parameters are those of :func:`em_ui.stepper.stepping_view`; ``key`` prefixes the
    widgets' keys (``f"{key}.export"`` is the expander's).
    """
    columns = tuple(column_names) if column_names else default_columns(X.shape[1])
    section = _files_section(
        key,
        "Each file is made when you press its button. The JSON file holds the data, the "
        "settings and every iteration: it opens under Explore → Open a prepared run, and "
        "`python -m em_core fit` writes the same format. The chart's own tool bar (top right "
        "of the chart) saves it as a PNG.",
        [
            _File(
                "Trace (JSON)",
                lambda: dumps(trace_to_json(trace, X, columns)),
                exports.JSON_NAME,
                "json",
            ),
            _File(
                "Final parameters (CSV)",
                lambda: exports.parameters_csv(trace, columns),
                "em-parameters.csv",
                "parameters",
            ),
            _File(
                "Responsibilities (CSV)",
                lambda: exports.responsibilities_csv(X, trace, columns),
                "em-responsibilities.csv",
                "responsibilities",
                "Each point's responsibilities under the final parameters.",
            ),
            _File(
                "Animation (HTML)",
                lambda: exports.animation_html(
                    X, trace, column_names=columns, dims=dims, true_params=true_params
                ),
                "em-animation.html",
                "html",
                _ANIMATION_HELP,
            ),
        ],
    )
    if section is None:
        return
    with section:
        st.markdown("**The same run in scikit-learn**")
        if trace.n_iter == 0:
            st.caption("This run has no iteration (max_iter = 0): there is nothing to reproduce.")
            return
        st.code(exports.sklearn_code(trace), language="python")
        st.caption(exports.likelihood_timing_note(trace))


def ppca_export_section(
    X: np.ndarray,
    trace: Trace,
    *,
    key: str,
    columns: tuple[str, ...],
    figure: Callable[[], go.Figure],
) -> None:
    """The same section for a run of probabilistic PCA: its trace as JSON (the format of
    ``python -m em_core fit --model ppca``), the final parameters and the latent coordinates
    as CSV, and the animation (``figure()``, the view's chart from the start) as HTML."""
    title = f"EM for probabilistic PCA: q = {trace.final.params.n_latent}"
    _files_section(
        key,
        "Each file is made when you press its button. The JSON file is what "
        "`python -m em_core fit FILE --model ppca` writes; Open a prepared run opens mixture "
        "runs only. The chart's own tool bar (top right of the chart) saves it as a PNG.",
        [
            _File(
                "Trace (JSON)",
                lambda: dumps(ppca_trace_to_json(trace, X, columns, finite_number)),
                "em-ppca-run.json",
                "json",
            ),
            _File(
                "Final parameters (CSV)",
                lambda: exports.ppca_parameters_csv(trace, columns),
                "em-ppca-parameters.csv",
                "parameters",
            ),
            _File(
                "Latent coordinates (CSV)",
                lambda: exports.latent_csv(X, trace, columns),
                "em-ppca-latent.csv",
                "latent",
                "Each point's latent coordinates E[z] under the final parameters.",
            ),
            _File(
                "Animation (HTML)",
                lambda: exports.figure_html(figure(), title),
                "em-ppca-animation.html",
                "html",
                _ANIMATION_HELP,
            ),
        ],
    )
