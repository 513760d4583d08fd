"""``python -m em_core fit FILE --model ppca``: probabilistic PCA from the command line.

::

    python -m em_core fit data.csv --model ppca -q 1 --seed 0
    python -m em_core fit data.csv --model ppca -q 2 --init-params start.json

The trace is printed as one JSON object (its fields are listed in the README); errors are
one line ``error: …`` with exit status 2, as for the mixture (:mod:`em_core.cli`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import Trace
from em_core.ppca import closed_form, fit, log_likelihood

# Options of the mixture that mean nothing here, with the values that say "not given".
MIXTURE_ONLY = {
    "n_components": ("-k/--n-components", None),
    "covariance_type": ("--covariance-type", "full"),
    "init": ("--init", None),
    "ridge": ("--ridge", None),
    "reg_covar": ("--reg-covar", None),
    "n_init": ("--n-init", 1),
    "with_data": ("--with-data", False),
}


def read_ppca_start(path: Path, n_features: int) -> tuple[NDArray[np.float64], float | None]:
    """W (key ``loadings``, n_features × q) and, optionally, σ² (``noise_variance``) from a
    JSON file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"--init-params {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or "loadings" not in document:
        raise ValueError(
            f"--init-params {path} must be a JSON object with the key 'loadings' (W, "
            f"{n_features} rows of q numbers) and optionally 'noise_variance' (σ²)."
        )
    try:
        loadings = np.asarray(document["loadings"], dtype=np.float64)
        noise = document.get("noise_variance")
        noise = None if noise is None else float(noise)
    except (TypeError, ValueError) as error:
        raise ValueError(f"--init-params {path}: {error}") from None
    if loadings.ndim != 2 or loadings.shape[0] != n_features:
        raise ValueError(
            f"--init-params {path}: 'loadings' has shape {loadings.shape}; give W as "
            f"{n_features} rows (one per column of the data) of q numbers."
        )
    return loadings, noise


def ppca_trace_to_json(
    trace: Trace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """The trace of probabilistic PCA as plain JSON types, with the closed-form maximum."""
    final = trace.final.params
    best = closed_form(X, final.n_latent)
    return {
        "model": "ppca",
        "n_latent": final.n_latent,
        "n_features": final.n_features,
        "n_samples": trace.n_samples,
        "columns": list(columns),
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        "tol": trace.tol,
        "max_iter": trace.max_iter,
        "converged": trace.converged,
        "n_iter": trace.n_iter,
        "status": trace.stop_reason.value,
        "message": trace.message,
        "mean": final.mean.tolist(),
        "iterations": [
            {
                "iteration": snapshot.iteration,
                "loadings": snapshot.params.loadings.tolist(),
                "noise_variance": number(snapshot.params.noise_variance),
                "log_likelihood": number(snapshot.log_likelihood),
            }
            for snapshot in trace.snapshots
        ],
        "maximum": {
            "loadings": best.loadings.tolist(),
            "noise_variance": number(best.noise_variance),
            "log_likelihood": number(log_likelihood(X, best)),
        },
    }


def run_fit_ppca(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """Fit probabilistic PCA as the options say; the JSON document to print."""
    for name, (flag, unset) in MIXTURE_ONLY.items():
        if getattr(args, name) != unset:
            raise ValueError(f"{flag} is an option of the mixture; leave it out with --model ppca.")
    loadings, noise = (None, None)
    if args.init_params is not None:
        loadings, noise = read_ppca_start(args.init_params, X.shape[1])
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
    return ppca_trace_to_json(trace, X, columns, number)
