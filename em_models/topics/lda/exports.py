"""The *Export this run* files of a LDA run (:mod:`em_models.topics.exports_common`)."""

from __future__ import annotations

from em_core import Trace
from em_models.topics import files as trace_files
from em_models.topics.exports_common import export_files
from em_viz.exports import ExportFile

CAPTION = (
    "Each file is made when you press its button. The JSON file is what "
    "`python -m em_core fit FILE --model lda` writes, and Open a prepared run opens it."
)


def files(X, trace: Trace, **_: object) -> list[ExportFile]:
    """The run's files for the counts ``X`` (a corpus or a count matrix)."""
    return export_files(trace_files.LDA, X, trace)
