"""``python -m em_core fit FILE --model plsa`` and the ``topics`` command (both topic models'
command line is :mod:`em_models.topics.cli_common`; this part adds ``topics`` once)."""

from __future__ import annotations

import argparse

from em_models.topics.cli_common import N_TOPICS_OPTION, add_commands, add_shared_options, run

OPTIONS = N_TOPICS_OPTION


def add_options(parser: argparse.ArgumentParser) -> None:
    add_shared_options(parser)


__all__ = ["OPTIONS", "add_commands", "add_options", "run"]
