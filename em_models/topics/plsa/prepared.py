"""pLSA runs on *Open a prepared run*: the trace read back (:mod:`em_models.topics.files`),
EM run again from the file's start and checked against every iteration. The limit on the
topics drawn and the stepping view are both topic models'
(:mod:`em_models.topics.prepared_common`)."""

from __future__ import annotations

from typing import Any

from em_core.em import Trace
from em_models.topics import files
from em_models.topics.plsa.engine import PLSA
from em_models.topics.prepared_common import limit, show


def read(document: Any) -> files.TopicRun:
    return files.read(files.PLSA, document)


def cost(run: files.TopicRun) -> tuple[float, str]:
    return files.cost(run, sweeps=1)


def replay(run: files.TopicRun) -> Trace:
    return files.replay(run, PLSA())


def describe(opened) -> str:
    from em_models.topics.views import describe_run

    return describe_run("pLSA", opened)


__all__ = ["cost", "describe", "limit", "read", "replay", "show"]
