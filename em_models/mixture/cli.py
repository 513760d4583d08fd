"""``python -m em_core fit FILE`` for a Gaussian mixture (``--model mixture``, the default).

Its options are the command's own (:func:`em_core.cli.build_parser`, shared with ``select``)
and its run is :func:`em_core.cli.run_mixture_fit`, where they live today.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.cli import run_mixture_fit

# The options of this model alone (the command line refuses them with another model), with
# the values that say "not given".
OPTIONS = {
    "n_components": ("-k/--n-components", None),
    "covariance_type": ("--covariance-type", "full"),
    "init": ("--init", None),
    "ridge": ("--ridge", None),
    "reg_covar": ("--reg-covar", None),
    "n_init": ("--n-init", 1),
}
# --with-data is every model's: each writes its data into the trace when asked (or when they
# are small), so that Open a prepared run can run it again.


def add_options(parser: argparse.ArgumentParser) -> None:
    """Nothing to add: the mixture's options are the command's own."""


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """Fit a mixture as the options say; the JSON document to print."""
    return run_mixture_fit(args, X, tuple(columns), number)
