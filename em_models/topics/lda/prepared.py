"""LDA runs on *Open a prepared run*: the trace read back (:mod:`em_models.topics.files`),
EM run again from the file's start and checked against every iteration. :func:`show`
steps it in the topic models' view."""

from __future__ import annotations

from typing import Any

from em_core.em import Trace
from em_models.topics import files
from em_models.topics.lda.engine import LDA

# The charts colour at most this many topics.
MAX_DRAWN_TOPICS = 10


def read(document: Any) -> files.TopicRun:
    return files.read(files.LDA, document)


def limit(run: files.TopicRun) -> str | None:
    k = run.recorded[0].params.n_topics
    if k > MAX_DRAWN_TOPICS:
        return f"The run has {k} topics; the app draws at most {MAX_DRAWN_TOPICS}."
    return None


def cost(run: files.TopicRun) -> tuple[float, str]:
    return files.cost(run, sweeps=10)


def replay(run: files.TopicRun) -> Trace:
    return files.replay(run, LDA(**run.settings))


def describe(opened) -> str:
    from em_models.topics.views import describe_run

    return describe_run("LDA", opened)


def show(opened, key: str) -> None:
    """The stepping view of the run, in the topic models' own view."""
    from em_models.topics.view import TopicsView
    from em_ui.stepper import stepping_view

    stepping_view(TopicsView(opened.run.require_data(), opened.trace), key=key)
