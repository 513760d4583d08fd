"""LDA runs on *Open a prepared run*: the trace read back (:mod:`em_models.topics.files`),
EM run again from the file's start and checked against every iteration. The limit on the
topics drawn and the stepping view are both topic models'
(:mod:`em_models.topics.prepared_common`)."""

from __future__ import annotations

from typing import Any

from em_core.em import Trace
from em_models.topics import files
from em_models.topics.lda.engine import LDA
from em_models.topics.prepared_common import limit, show


def read(document: Any) -> files.TopicRun:
    return files.read(files.LDA, document)


def cost(run: files.TopicRun) -> tuple[float, str]:
    return files.cost(run, sweeps=10)


def replay(run: files.TopicRun) -> Trace:
    return files.replay(run, LDA(**run.settings))


def describe(opened) -> str:
    from em_models.topics.views import describe_run

    return describe_run("LDA", opened)


__all__ = ["cost", "describe", "limit", "read", "replay", "show"]
