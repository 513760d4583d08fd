"""``python -m em_core fit FILE --model ppca``: probabilistic PCA from the command line.

::

    python -m em_core fit data.csv --model ppca -q 1 --seed 0
    python -m em_core fit data.csv --model ppca -q 2 --init-params start.json

The trace is printed as one JSON object (its fields are listed in the README); errors are
one line ``error: …`` with exit status 2, as for every model (:mod:`em_core.cli`, which
reads the file and dispatches through :mod:`em_models.registry`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.cli import read_start_file
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES
from em_models.ppca.engine import fit
from em_models.ppca.trace import trace_to_json

# The options of this model alone (the command line refuses them with another model), with
# the values that say "not given".
OPTIONS = {"n_latent": ("-q/--n-latent", None)}


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``fit``'s options of probabilistic PCA to ``parser``."""
    parser.add_argument(
        "-q",
        "--n-latent",
        type=int,
        default=None,
        help="latent dimension of --model ppca (default 1, or as many as --init-params gives)",
    )


def read_start(
    path: Path,
    n_features: int,
    noise_key: str = "noise_variance",
    noise_text: str = "σ²",
    noise_value: Callable[[Any], Any] = float,
) -> tuple[NDArray[np.float64], Any]:
    """W (key ``loadings``, n_features × q) and, optionally, the noise (key ``noise_key``,
    described as ``noise_text``, read by ``noise_value``) from a JSON file: σ² here, and
    factor analysis's ψ (:mod:`em_models.fa.cli`), one per column."""
    document = read_start_file(path)
    if not isinstance(document, dict) or "loadings" not in document:
        raise ValueError(
            f"--init-params {path} must be a JSON object with the key 'loadings' (W, "
            f"{n_features} rows of q numbers) and optionally '{noise_key}' ({noise_text})."
        )
    try:
        loadings = np.asarray(document["loadings"], dtype=np.float64)
        noise = document.get(noise_key)
        noise = None if noise is None else noise_value(noise)
    except (TypeError, ValueError) as error:
        raise ValueError(f"--init-params {path}: {error}") from None
    if loadings.ndim != 2 or loadings.shape[0] != n_features:
        raise ValueError(
            f"--init-params {path}: 'loadings' has shape {loadings.shape}; give W as "
            f"{n_features} rows (one per column of the data) of q numbers."
        )
    return loadings, noise


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """Fit probabilistic PCA as the options say; the JSON document to print."""
    loadings, noise = (None, None)
    if args.init_params is not None:
        loadings, noise = read_start(args.init_params, X.shape[1])
    n_latent = args.n_latent
    if n_latent is None:
        n_latent = 1 if loadings is None else loadings.shape[1]
    trace = fit(
        X,
        n_latent,
        rng=args.seed,
        loadings=loadings,
        noise_variance=noise,
        tol=args.tol,
        max_iter=args.max_iter,
    )
    with_data = args.with_data or X.size <= DATA_BY_DEFAULT_MAX_VALUES
    return trace_to_json(trace, X, columns, number, with_data=with_data)
