"""``python -m em_core`` for a Gaussian mixture: ``fit`` (``--model mixture``, the default)
with the mixture's own options, and ``select``, the table of ℓ, BIC and AIC per number of
components (a command of the mixture's own).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.cli import CommandLineError, number, print_json, read_data, read_start_file
from em_core.em import Trace
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, covariance_shape, from_full
from em_models.mixture.selection import fit_restarts, select_n_components
from em_models.mixture.trace import trace_to_json

RANDOM_INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")
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


def shared_options(sub: argparse.ArgumentParser, *, n_init: int, n_init_help: str) -> None:
    """The options ``fit`` and ``select`` share: the covariance type, the ridge, restarts."""
    sub.add_argument(
        "--covariance-type", choices=COVARIANCE_TYPES, default="full", help="default full"
    )
    ridge = sub.add_mutually_exclusive_group()
    ridge.add_argument(
        "--ridge",
        type=float,
        default=None,
        help="ridge added to each variance, as a fraction of that column's variance "
        "(default 1e-6; the answer does not depend on the data's units)",
    )
    ridge.add_argument(
        "--reg-covar",
        type=float,
        default=None,
        help="the ridge in squared data units instead, as scikit-learn's reg_covar",
    )
    sub.add_argument("--n-init", type=int, default=n_init, help=n_init_help)


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``fit``'s options of a mixture to ``parser``."""
    parser.add_argument(
        "-k",
        "--n-components",
        type=int,
        default=None,
        help="number of components (default 2, or as many as --init-params gives)",
    )
    parser.add_argument(
        "--init",
        choices=RANDOM_INIT_METHODS,
        default=None,
        help="how to choose the start (default kmeans)",
    )
    shared_options(parser, n_init=1, n_init_help="restarts from different seeds (default 1)")


def add_commands(commands: argparse._SubParsersAction, common: Callable) -> None:
    """Add ``select`` (``common(sub)`` adds FILE and the options every command has)."""
    sub = commands.add_parser(
        "select",
        help="compare numbers of components by BIC and AIC",
        description="Search for the best fit at each K = k-min … k-max (many starts, "
        "the K − 1 fit split, runs converged tightly) and tabulate log-likelihood, BIC, AIC.",
    )
    common(sub)
    shared_options(
        sub,
        n_init=10,
        n_init_help="seeds per start method: K-means, k-means++, random data points (default 10)",
    )
    sub.add_argument("--k-min", type=int, default=1, help="default 1")
    sub.add_argument("--k-max", type=int, default=8, help="default 8")
    sub.set_defaults(run=run_select)


def read_start(path: Path, covariance_type: str) -> Parameters:
    """Starting parameters from a JSON file with keys ``weights``, ``means``, ``covariances``.

    ``means`` is K×d (a flat list of K numbers when d = 1); ``covariances`` is either K full
    d×d matrices or the storage of ``covariance_type`` (tied d×d, diag K×d, spherical K).
    """
    document = read_start_file(path)
    keys = ("weights", "means", "covariances")
    if not isinstance(document, dict) or any(key not in document for key in keys):
        raise CommandLineError(
            f"--init-params {path} must be a JSON object with keys 'weights', 'means' and "
            "'covariances'."
        )
    try:
        weights, means, covariances = (np.asarray(document[k], dtype=np.float64) for k in keys)
    except (TypeError, ValueError) as error:
        raise CommandLineError(f"--init-params {path}: {error}") from None
    if means.ndim == 1:
        means = means[:, None]
    if means.ndim != 2:
        raise CommandLineError(
            f"--init-params {path}: 'means' must be a list of K points (K×d); got shape "
            f"{means.shape}."
        )
    n_components, n_features = means.shape
    full_shape = (n_components, n_features, n_features)
    own_shape = covariance_shape(covariance_type, n_components, n_features)
    if covariances.shape == full_shape and own_shape != full_shape:
        covariances = from_full(covariances, covariance_type)
    elif covariances.shape != own_shape:
        raise CommandLineError(
            f"--init-params {path}: 'covariances' has shape {covariances.shape}; for "
            f"{n_components} components in {n_features} dimensions give {n_components} full "
            f"{n_features}×{n_features} matrices {full_shape} or the '{covariance_type}' "
            f"storage {own_shape}."
        )
    return Parameters(weights, means, covariances, covariance_type)


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: tuple[str, ...], number: Callable
) -> dict[str, Any]:
    """Fit a Gaussian mixture as the options say; the JSON document to print (the mixture's
    ``fit``, :mod:`em_models.mixture.cli`)."""
    with_data = args.with_data or X.size <= DATA_BY_DEFAULT_MAX_VALUES

    def document_of(trace: Trace) -> dict[str, Any]:
        return trace_to_json(trace, X, columns, with_data=with_data)

    options = {
        "covariance_type": args.covariance_type,
        "tol": args.tol,
        "ridge": args.ridge,
        "reg_covar": args.reg_covar,
        "max_iter": args.max_iter,
    }
    if args.init_params is not None:
        if args.init is not None:
            raise CommandLineError("--init-params gives the start itself; leave out --init.")
        if args.n_init != 1:
            raise CommandLineError(
                "--init-params gives one fixed start, so restarts would all be the same run; "
                "leave out --n-init."
            )
        start = read_start(args.init_params, args.covariance_type)
        n_components = start.n_components if args.n_components is None else args.n_components
        trace = fit(X, n_components, init="given", params=start, rng=None, **options)
        return document_of(trace)
    n_components = 2 if args.n_components is None else args.n_components
    init = args.init or "kmeans"
    if args.n_init == 1:
        return document_of(fit(X, n_components, init=init, rng=args.seed, **options))
    restarts = fit_restarts(
        X, n_components, n_init=args.n_init, seed=args.seed, init=init, **options
    )
    best = restarts.best_index
    # If every run failed there is no best; show the first, whose status says why.
    document = document_of(restarts.traces[0 if best is None else best])
    document["restarts"] = [
        {
            "seed": seed,
            "final_log_likelihood": number(trace.final.log_likelihood),
            "n_iter": trace.n_iter,
            "status": trace.stop_reason.value,
        }
        for seed, trace in zip(restarts.seeds, restarts.traces, strict=True)
    ]
    document["best_restart"] = best
    return document


def run_select(args: argparse.Namespace) -> None:
    """``select``: print the table of ℓ, BIC and AIC per K."""
    if args.k_min < 1 or args.k_max < args.k_min:
        raise CommandLineError(
            f"need 1 ≤ --k-min ≤ --k-max; got --k-min {args.k_min} and --k-max {args.k_max}."
        )
    X, columns = read_data(args.file)
    if args.k_max > X.shape[0]:
        raise CommandLineError(
            f"--k-max {args.k_max} is more than the {X.shape[0]} samples; "
            f"choose --k-max {X.shape[0]} or less."
        )
    rows = select_n_components(
        X,
        range(args.k_min, args.k_max + 1),
        n_init=args.n_init,
        seed=args.seed,
        covariance_type=args.covariance_type,
        ridge=args.ridge,
        reg_covar=args.reg_covar,
    )

    def best_by(score: str) -> int | None:
        scored = [row for row in rows if getattr(row, score) is not None]
        return min(scored, key=lambda row: getattr(row, score)).n_components if scored else None

    def optional(value: float | None) -> float | None:
        return None if value is None else number(value)

    print_json(
        {
            "n_samples": X.shape[0],
            "n_features": X.shape[1],
            "columns": list(columns),
            "covariance_type": args.covariance_type,
            "n_init": args.n_init,
            "seed": args.seed,
            "rows": [
                {
                    "n_components": row.n_components,
                    "n_parameters": row.n_parameters,
                    "log_likelihood": optional(row.log_likelihood),
                    "bic": optional(row.bic),
                    "aic": optional(row.aic),
                }
                for row in rows
            ],
            "best_bic": best_by("bic"),
            "best_aic": best_by("aic"),
        }
    )
