"""``python -m em_core fit FILE --model fa``: factor analysis from the command line.

::

    python -m em_core fit census.csv --model fa --n-factors 2
    python -m em_core fit data.csv --model fa --n-factors 1 --scale raw --factor-start random
    python -m em_core fit data.csv --model fa --init-params start.json

The trace is printed as one JSON object (:mod:`em_models.fa.trace` lists its fields); errors
are one line ``error: …`` with exit status 2, as for every model (:mod:`em_core.cli`, which
reads the file and dispatches through :mod:`em_models.registry`). A Heywood case is a result,
not an error: the trace ends at the last valid iteration with status "collapsed" and a
message naming the variable.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES
from em_models.fa.engine import START_METHODS, fit
from em_models.fa.trace import trace_to_json
from em_models.ppca.cli import read_start

# The options of this model alone (the command line refuses them with another model), with
# the values that say "not given".
OPTIONS = {
    "n_factors": ("--n-factors", None),
    "scale": ("--scale", None),
    "factor_start": ("--factor-start", None),
}
SCALES = ("standardised", "raw")


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``fit``'s options of factor analysis to ``parser``."""
    group = parser.add_argument_group("--model fa (factor analysis)")
    group.add_argument(
        "--n-factors",
        type=int,
        default=None,
        help="number of factors q of --model fa (default 1, or as many as --init-params gives)",
    )
    group.add_argument(
        "--scale",
        choices=SCALES,
        default=None,
        help="fit the columns standardised (the correlation matrix; the default) or as given",
    )
    group.add_argument(
        "--factor-start",
        choices=START_METHODS,
        default=None,
        help="W's start: PCA loadings (default) or random (seeded by --seed)",
    )


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """Fit factor analysis as the options say; the JSON document to print."""
    loadings, noise = (None, None)
    if args.init_params is not None:
        d = X.shape[1]
        loadings, noise = read_start(
            args.init_params, d, "noise_variances", f"ψ, {d} numbers", _noise_variances
        )
    n_factors = args.n_factors
    if n_factors is None:
        n_factors = 1 if loadings is None else loadings.shape[1]
    trace = fit(
        X,
        n_factors,
        standardise=args.scale != "raw",
        init=args.factor_start or "pca",
        rng=args.seed,
        loadings=loadings,
        noise_variances=noise,
        columns=columns,
        tol=args.tol,
        max_iter=args.max_iter,
    )
    with_data = args.with_data or X.size <= DATA_BY_DEFAULT_MAX_VALUES
    return trace_to_json(trace, X, columns, number, with_data=with_data)


def _noise_variances(value: Any) -> NDArray[np.float64]:
    """ψ of a start file, one per column; W and ψ are in the units fitted (standardised
    unless --scale raw)."""
    return np.asarray(value, dtype=np.float64)
