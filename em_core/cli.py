"""Command-line interface to the engine: fit a mixture, or choose the number of components.

::

    python -m em_core fit data.csv -k 2 --covariance-type full --seed 0
    python -m em_core fit data.npy --init-params start.json --reg-covar 0
    python -m em_core select data.csv --k-min 1 --k-max 8 --n-init 10
    python -m em_core fit big.npy -k 3 --with-data > run.json
    python -m em_core fit data.csv --model ppca -q 1

``fit`` prints the whole trace as one JSON object (the schema of :mod:`em_core.trace_json`,
which the app's export writes too and its page *Open a prepared run* reads). The trace
carries the data, which *Open a prepared run* needs to recompute the run, when
``--with-data`` is given or the data are at most
:data:`em_core.trace_json.DATA_BY_DEFAULT_MAX_VALUES` numbers (N × d). ``select`` prints a
table of log-likelihood, BIC and AIC per number of components. ``fit --model NAME`` fits
another registered model (:mod:`em_models.registry`: each model with a ``cli`` part adds its
options and prints its own trace), the Gaussian mixture by default.
FILE is ``.csv`` or ``.txt`` (read by ``em_data.reader.read_table``) or ``.npy`` (read with
``allow_pickle=False``).

Every problem (a file that cannot be read, a bad option, data the engine refuses) prints one
line ``error: …`` on stderr and exits with status 2. A run that starts but fails (a component
collapses or empties) is a result, not an error: its trace is printed with its ``status``
and ``message``, and the exit status is 0. The JSON is strict (no NaN or Infinity).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from em_core.em import Trace, as_data
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES, trace_to_json
from em_models import registry
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, covariance_shape, from_full
from em_models.mixture.selection import fit_restarts, select_n_components

RANDOM_INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")
TEXT_SUFFIXES = (".csv", ".txt")
# The text reader refuses larger files; reading one byte more than this is enough to know.
MAX_TEXT_BYTES = 16_000_000
EXIT_ERROR = 2
NPY_MAGIC = b"\x93NUMPY"


class CommandLineError(Exception):
    """A problem to report on one line, with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, not the usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"error: {_one_line(message)}\n")


def _one_line(text: object) -> str:
    return " ".join(str(text).split()) or "unknown error"


# ---------------------------------------------------------------------------------------------
# Reading


def _column_names(n_features: int) -> tuple[str, ...]:
    """The names em_data gives headerless columns: ``x``, or ``x1, x2, …``."""
    return ("x",) if n_features == 1 else tuple(f"x{j + 1}" for j in range(n_features))


def read_data(path: Path) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """The numbers in ``path`` as (n_samples, n_features) float64, and their column names."""
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_SUFFIXES, ".npy"):
        raise CommandLineError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; give a .csv, .txt or .npy file."
        )
    try:
        if suffix == ".npy":
            with path.open("rb") as handle:
                magic = handle.read(len(NPY_MAGIC))
            if magic != NPY_MAGIC:
                raise CommandLineError(
                    f"{path} is not a NumPy .npy file (it does not start with the .npy "
                    "header); save the array with numpy.save, or give a .csv or .txt file."
                )
            array = np.load(path, allow_pickle=False)
        else:
            with path.open("rb") as handle:
                raw = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as error:
        raise CommandLineError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, EOFError) as error:  # a damaged file, or one holding Python objects
        if "pickle" in str(error):
            raise CommandLineError(
                f"{path} holds Python objects, not an array of numbers; save a numeric array."
            ) from None
        raise CommandLineError(f"{path} is not a readable .npy array: {error}") from None
    if suffix == ".npy":
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            kind = getattr(array, "dtype", type(array).__name__)
            raise CommandLineError(f"{path}: expected an array of real numbers, got {kind}.")
        if array.ndim not in (1, 2):
            raise CommandLineError(
                f"{path}: expected a 1-D or 2-D array (n_samples, n_features), got shape "
                f"{array.shape}."
            )
        X = as_data(array)
        return X, _column_names(X.shape[1])
    if len(raw) > MAX_TEXT_BYTES:
        raise CommandLineError(
            f"{path} is larger than {MAX_TEXT_BYTES // 10**6} MB, the most the text "
            "reader accepts; save the numbers as .npy instead."
        )
    from em_data.reader import read_table  # imported here: the engine does not need em_data

    table = read_table(raw)  # raises em_data.reader.InputError, a ValueError, with the reason
    return np.asarray(table.values, dtype=np.float64), tuple(table.columns)


def read_start(path: Path, covariance_type: str) -> Parameters:
    """Starting parameters from a JSON file with keys ``weights``, ``means``, ``covariances``.

    ``means`` is K×d (a flat list of K numbers when d = 1); ``covariances`` is either K full
    d×d matrices or the storage of ``covariance_type`` (tied d×d, diag K×d, spherical K).
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandLineError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandLineError(f"--init-params {path} is not valid JSON: {error}") from None
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


# ---------------------------------------------------------------------------------------------
# Writing


def _number(value: float) -> float:
    value = float(value)
    if not math.isfinite(value):  # the engine records finite numbers only; guard the JSON
        raise CommandLineError(f"internal error: a non-finite number ({value}) in the result.")
    return value


def _print_json(document: dict[str, Any]) -> None:
    try:
        text = json.dumps(document, allow_nan=False, ensure_ascii=False)
    except ValueError:  # NaN or infinity slipped into an array
        raise CommandLineError("internal error: a non-finite number in the result.") from None
    sys.stdout.write(text + "\n")


# ---------------------------------------------------------------------------------------------
# Commands


def _refuse_options_of_other_models(args: argparse.Namespace) -> None:
    """An option another model owns (its cli's ``OPTIONS``), given with ``--model``, is an
    error naming that model."""
    for model in registry.with_part("cli"):
        if model.name == args.model:
            continue
        for name, (flag, unset) in registry.part(model, "cli").OPTIONS.items():
            if getattr(args, name) != unset:
                raise CommandLineError(
                    f"{flag} is an option of the {model.name} model (--model {model.name}); "
                    f"leave it out with --model {args.model}."
                )


def _run_fit(args: argparse.Namespace) -> None:
    _refuse_options_of_other_models(args)
    X, columns = read_data(args.file)
    _print_json(registry.part(args.model, "cli").run(args, X, columns, _number))


def run_mixture_fit(
    args: argparse.Namespace, X: NDArray[np.float64], columns: tuple[str, ...], number
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


def _run_select(args: argparse.Namespace) -> None:
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
        return None if value is None else _number(value)

    _print_json(
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m em_core",
        description="Fit Gaussian mixtures by EM and print every iteration as JSON.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{fit,select}")

    def run_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--init",
            choices=RANDOM_INIT_METHODS,
            default=None,
            help="how to choose the start (default kmeans)",
        )
        sub.add_argument("--max-iter", type=int, default=100, help="default 100")
        sub.add_argument(
            "--tol",
            type=float,
            default=1e-3,
            help="stop when the mean log-likelihood per sample changes by less (default 1e-3)",
        )

    def common(sub: argparse.ArgumentParser, n_init_default: int, one_run: bool) -> None:
        sub.add_argument("file", type=Path, metavar="FILE", help=".csv, .txt or .npy")
        sub.add_argument(
            "--covariance-type", choices=COVARIANCE_TYPES, default="full", help="default full"
        )
        if one_run:
            run_options(sub)
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
        sub.add_argument("--seed", type=int, default=0, help="default 0")
        sub.add_argument(
            "--n-init",
            type=int,
            default=n_init_default,
            help=f"restarts from different seeds (default {n_init_default})"
            if one_run
            else "seeds per start method: K-means, k-means++, random data points (default 10)",
        )

    fit_parser = commands.add_parser(
        "fit", help="fit one mixture and print its trace", description="Fit one mixture."
    )
    common(fit_parser, n_init_default=1, one_run=True)
    fit_parser.add_argument(
        "-k",
        "--n-components",
        type=int,
        default=None,
        help="number of components (default 2, or as many as --init-params gives)",
    )
    fit_parser.add_argument(
        "--init-params",
        type=Path,
        default=None,
        metavar="PARAMS.json",
        help="start from these weights, means and covariances (implies init 'given')",
    )
    fit_parser.add_argument(
        "--with-data",
        action="store_true",
        help="write the data into the trace, as 'Open a prepared run' needs (done unasked for "
        f"at most {DATA_BY_DEFAULT_MAX_VALUES:,} numbers, N × d)",
    )
    models = registry.with_part("cli")
    fit_parser.add_argument(
        "--model",
        choices=[model.name for model in models],
        default=registry.DEFAULT_MODEL,
        help="the model: "
        + ", ".join(f"{model.name} ({model.title})" for model in models)
        + f"; default {registry.DEFAULT_MODEL}",
    )
    for model in models:
        registry.part(model, "cli").add_options(fit_parser)
    fit_parser.set_defaults(run=_run_fit)

    select_parser = commands.add_parser(
        "select",
        help="compare numbers of components by BIC and AIC",
        description="Search for the best fit at each K = k-min … k-max (many starts, "
        "the K − 1 fit split, runs converged tightly) and tabulate log-likelihood, BIC, AIC.",
    )
    common(select_parser, n_init_default=10, one_run=False)
    select_parser.add_argument("--k-min", type=int, default=1, help="default 1")
    select_parser.add_argument("--k-max", type=int, default=8, help="default 8")
    select_parser.set_defaults(run=_run_select)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, or 2 after printing ``error: …``)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandLineError, ValueError, OSError, ImportError, MemoryError) as error:
        # ValueError covers the engine's refusals and em_data's InputError.
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # never a traceback for a person at a terminal
        print(f"error: unexpected {type(error).__name__}: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    return 0
