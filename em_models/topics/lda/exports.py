"""The *Export this run* files of a LDA run (:mod:`em_models.topics.exports_common`)."""

from __future__ import annotations

from em_core import Trace
from em_models.topics import files as trace_files
from em_models.topics.exports_common import export_files
from em_viz.exports import ExportFile

CAPTION = (
    "Each file is made when you press its button. The JSON file is what "
    "`python -m em_core fit FILE --model lda` writes, and Open a prepared run opens it. "
    "The chart's own tool bar (top right of the chart) saves it as a PNG."
)


def files(X, trace: Trace, figure=None, **_: object) -> list[ExportFile]:
    """The run's files for the counts ``X`` (a corpus or a count matrix); with ``figure()``
    (the page's chart from the start), its animation too."""
    return export_files(trace_files.LDA, X, trace, figure)
