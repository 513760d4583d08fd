"""``python -m em_core fit FILE --model lda`` (both topic models' command line is
:mod:`em_models.topics.cli_common`)."""

from __future__ import annotations

import argparse

from em_models.topics.cli_common import (
    LDA_OPTIONS,
    N_TOPICS_OPTION,
    add_lda_options,
    add_shared_options,
    run,
)

OPTIONS = {**N_TOPICS_OPTION, **LDA_OPTIONS}


def add_options(parser: argparse.ArgumentParser) -> None:
    add_shared_options(parser)
    add_lda_options(parser)


__all__ = ["OPTIONS", "add_options", "run"]
