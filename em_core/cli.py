"""Command-line interface to the engine: fit any registered model, and the models' own
commands (the Gaussian mixture's ``select`` chooses its number of components).

::

    python -m em_core fit data.csv -k 2 --covariance-type full --seed 0
    python -m em_core fit data.npy --init-params start.json --reg-covar 0
    python -m em_core select data.csv --k-min 1 --k-max 8 --n-init 10
    python -m em_core fit big.npy -k 3 --with-data > run.json
    python -m em_core fit data.csv --model ppca -q 1
    python -m em_core fit census.csv --model fa --n-factors 2

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

from em_core.em import as_data
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES
from em_models import registry

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


# ---------------------------------------------------------------------------------------------
# Writing


def read_start_file(path: Path) -> Any:
    """The JSON value in ``--init-params PATH``; a one-line ValueError when it cannot be read
    or is not JSON (each model checks its own keys)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"--init-params {path} is not valid JSON: {error}") from None


def number(value: float) -> float:
    value = float(value)
    if not math.isfinite(value):  # the engine records finite numbers only; guard the JSON
        raise CommandLineError(f"internal error: a non-finite number ({value}) in the result.")
    return value


def print_json(document: dict[str, Any]) -> None:
    try:
        text = json.dumps(document, allow_nan=False, ensure_ascii=False)
    except ValueError:  # NaN or infinity slipped into an array
        raise CommandLineError("internal error: a non-finite number in the result.") from None
    sys.stdout.write(text + "\n")


# ---------------------------------------------------------------------------------------------
# Commands


def _refuse_options_of_other_models(args: argparse.Namespace) -> None:
    """An option only other models own (in their cli's ``OPTIONS``; several models may share
    one), given with ``--model``, is an error naming those models."""
    owners: dict[str, tuple[str, list[str]]] = {}
    for model in registry.with_part("cli"):
        for name, (flag, unset) in registry.part(model, "cli").OPTIONS.items():
            if getattr(args, name) != unset:
                owners.setdefault(name, (flag, []))[1].append(model.name)
    for flag, models in owners.values():
        if args.model not in models:
            names = " or ".join(models)
            raise CommandLineError(
                f"{flag} is an option of the {names} model{'s' if len(models) > 1 else ''} "
                f"(--model {names}); leave it out with --model {args.model}."
            )


def _run_fit(args: argparse.Namespace) -> None:
    _refuse_options_of_other_models(args)
    X, columns = read_data(args.file)
    print_json(registry.part(args.model, "cli").run(args, X, columns, number))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m em_core",
        description="Fit a model by EM and print every iteration as JSON.",
    )
    models = registry.with_part("cli")
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("file", type=Path, metavar="FILE", help=".csv, .txt or .npy")
        sub.add_argument("--seed", type=int, default=0, help="default 0")

    fit_parser = commands.add_parser(
        "fit", help="fit one model and print its trace", description="Fit one model by EM."
    )
    common(fit_parser)
    fit_parser.add_argument("--max-iter", type=int, default=100, help="default 100")
    fit_parser.add_argument(
        "--tol",
        type=float,
        default=1e-3,
        help="stop when the mean log-likelihood per observation changes by less (default 1e-3)",
    )
    fit_parser.add_argument(
        "--init-params",
        type=Path,
        default=None,
        metavar="PARAMS.json",
        help="start from these parameters (the model's own keys; see the README)",
    )
    fit_parser.add_argument(
        "--with-data",
        action="store_true",
        help="write the data into the trace, as 'Open a prepared run' needs (done unasked for "
        f"at most {DATA_BY_DEFAULT_MAX_VALUES:,} numbers, N × d)",
    )
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
    for model in models:  # a model's commands of its own (the mixture's ``select``)
        module = registry.part(model, "cli")
        if hasattr(module, "add_commands"):
            module.add_commands(commands, common)
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
