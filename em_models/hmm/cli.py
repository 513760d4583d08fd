"""``python -m em_core fit FILE --model hmm``: a hidden Markov model from the command line.

::

    python -m em_core fit icecream.csv --model hmm --init-params eisner.json --max-iter 10
    python -m em_core fit quakes.csv --model hmm --emission poisson --n-states 3 --tol 1e-12
    python -m em_core fit rolls.csv --model hmm --emission categorical --start random --seed 4
    python -m em_core fit days.csv --model hmm --emission gaussian --lengths 40,25,60

FILE's rows are the observations in time order, one sequence after another when
``--lengths`` says how many belong to each. Categorical observations are symbols: whole
numbers in one column, each distinct value a symbol (the start file's ``symbols`` may name
more, in the order of its table's columns). The trace is printed as one JSON object (its
fields are listed in the README, and :mod:`em_models.hmm.trace`); errors are one line
``error: …`` with exit status 2, as for every model (:mod:`em_core.cli`).
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
from em_models.hmm.engine import EMISSIONS, fit
from em_models.hmm.sequences import Sequences
from em_models.hmm.trace import EMISSION_FIELDS, params_from_json, trace_to_json
from em_models.mixture.gaussian import COVARIANCE_TYPES

# The options of this model alone (the command line refuses them with another model), with
# the values that say "not given".
OPTIONS = {
    "n_states": ("--n-states", None),
    "emission": ("--emission", None),
    "emission_covariance": ("--emission-covariance", None),
    "end_state": ("--end-state", False),
    "start": ("--start", None),
    "lengths": ("--lengths", None),
}
STARTS = ("mixture", "random")
DEFAULT_STATES = 2


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``fit``'s options of the hidden Markov model to ``parser``."""
    group = parser.add_argument_group("--model hmm (a hidden Markov model)")
    group.add_argument(
        "--n-states",
        type=int,
        default=None,
        help=f"number of hidden states (default {DEFAULT_STATES}, or as many as "
        "--init-params gives)",
    )
    group.add_argument(
        "--emission",
        choices=EMISSIONS,
        default=None,
        help="what each state emits: symbols, measurements or counts (default gaussian, or "
        "the family of --init-params)",
    )
    group.add_argument(
        "--emission-covariance",
        choices=COVARIANCE_TYPES,
        default=None,
        help="the Gaussian states' covariance type (default full)",
    )
    group.add_argument(
        "--end-state",
        action="store_true",
        help="each state may also end the sequence (implied by an 'endprob' in --init-params)",
    )
    group.add_argument(
        "--start",
        choices=STARTS,
        default=None,
        help="θ₀ from a mixture fitted to the observations (default; not categorical) or "
        "random from --seed (default for categorical); --init-params gives θ₀ itself",
    )
    group.add_argument(
        "--lengths",
        default=None,
        metavar="N1,N2,…",
        help="several sequences one after another in FILE: how many rows each has "
        "(default: one sequence)",
    )


def parse_lengths(text: str | None, n_rows: int, path: Path) -> tuple[int, ...]:
    """``--lengths 40,25,60`` as whole numbers ≥ 1 adding up to the number of rows."""
    if text is None:
        return (n_rows,)
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isascii() and part.isdigit() and int(part) >= 1 for part in parts):
        raise ValueError(
            "--lengths takes whole numbers ≥ 1 separated by commas, such as 40,25,60; got "
            f"{text[:40]!r}."
        )
    lengths = tuple(int(part) for part in parts)
    if sum(lengths) != n_rows:
        raise ValueError(
            f"--lengths add up to {sum(lengths):,} observations, but {path} has {n_rows:,} "
            "rows; give one length per sequence, adding up to the number of rows."
        )
    return lengths


def check_observations(X: NDArray[np.float64], emission: str, path: Path) -> None:
    """Symbols must be whole numbers in one column, counts whole numbers ≥ 0."""
    if emission == "gaussian":
        return
    if emission == "categorical" and X.shape[1] != 1:
        raise ValueError(
            f"--emission categorical takes one column of symbols; {path} has {X.shape[1]} columns."
        )
    wrong = np.round(X) != X
    if emission == "poisson":
        wrong |= X < 0
    if wrong.any():
        row, column = (int(i) for i in np.argwhere(wrong)[0])
        what = (
            "symbols written as whole numbers (such as 1 to 6 for a die)"
            if emission == "categorical"
            else "counts, whole numbers ≥ 0"
        )
        raise ValueError(
            f"--emission {emission} takes {what}; observation {row + 1} of {path} is "
            f"{X[row, column]:g}. Use --emission gaussian for measurements."
        )


def read_hmm_start(path: Path) -> dict[str, Any]:
    """The start file's JSON object (its fields are an iteration's: :mod:`em_models.hmm.trace`)."""
    document = read_start_file(path)
    if not isinstance(document, dict):
        raise ValueError(f"--init-params {path} must be a JSON object; {_start_keys()}.")
    return document


def _start_keys() -> str:
    families = "; ".join(
        f"{' and '.join(map(repr, fields))} ({kind})" for kind, fields in EMISSION_FIELDS.items()
    )
    return "give 'startprob', 'transmat', optionally 'endprob', and the emissions: " + families


def start_emission(start: dict[str, Any], path: Path) -> str:
    """The emission family a start file's fields give."""
    kinds = [kind for kind, fields in EMISSION_FIELDS.items() if fields[0] in start]
    if len(kinds) != 1:
        raise ValueError(f"--init-params {path} must give one family's emissions; {_start_keys()}.")
    return kinds[0]


def as_codes(
    x: NDArray[np.float64], symbols: Sequence[float] | None, path: Path, start: Path | None
) -> tuple[NDArray[np.float64], tuple[float, ...]]:
    """Each symbol's code 0 … M − 1 among ``symbols`` (default: the distinct values in
    increasing order), shape (n_observations, 1), and the symbols."""
    if symbols is None:
        values, codes = np.unique(x, return_inverse=True)
        return codes.astype(np.float64)[:, None], tuple(float(v) for v in values)
    values = np.asarray(symbols, dtype=np.float64)
    if values.ndim != 1 or np.unique(values).size != values.size:
        raise ValueError(f"--init-params {start}: 'symbols' must be a list of distinct numbers.")
    where = {float(v): m for m, v in enumerate(values)}
    unknown = [float(v) for v in np.unique(x) if float(v) not in where]
    if unknown:
        raise ValueError(
            f"{path} has the symbol {unknown[0]:g}, which the 'symbols' of --init-params "
            "do not include."
        )
    return np.array([[where[float(v)]] for v in x], dtype=np.float64), tuple(map(float, values))


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Sequence[str], number: Callable
) -> dict[str, Any]:
    """Fit a hidden Markov model as the options say; the JSON document to print."""
    path = args.file
    start = None if args.init_params is None else read_hmm_start(args.init_params)
    emission = args.emission or "gaussian"
    if start is not None:
        given = start_emission(start, args.init_params)
        if args.emission not in (None, given):
            raise ValueError(
                f"--init-params {args.init_params} gives {given} emissions, not "
                f"--emission {args.emission}."
            )
        emission = given
        if args.start is not None:
            raise ValueError("--init-params gives the start itself; leave out --start.")
    if args.start == "mixture" and emission == "categorical":
        raise ValueError(
            "A mixture cannot tell the states of categorical symbols apart (each observation "
            "is one symbol); use --start random, or --init-params."
        )
    if args.emission_covariance is not None and emission != "gaussian":
        raise ValueError("--emission-covariance is for --emission gaussian only.")
    covariance_type = args.emission_covariance or "full"
    lengths = parse_lengths(args.lengths, X.shape[0], path)
    check_observations(X, emission, path)
    observations, symbols = X, None
    if emission == "categorical":
        named = None if start is None else start.get("symbols")
        observations, symbols = as_codes(X[:, 0], named, path, args.init_params)
    params = None
    if start is not None:
        params = params_from_json(
            start,
            f"--init-params {args.init_params}",
            emission,
            covariance_type=covariance_type,
            n_features=X.shape[1],
            n_symbols=None if symbols is None else len(symbols),
        )
    n_states = args.n_states
    if n_states is None:
        n_states = DEFAULT_STATES if params is None else params.n_states
    _check_states(n_states, X.shape[0], path)
    init = "given" if params is not None else args.start
    if init is None:
        init = "random" if emission == "categorical" else "mixture"
    data = Sequences(observations, lengths)
    trace = fit(
        data,
        n_states,
        emission=emission,
        covariance_type=covariance_type,
        n_symbols=None if symbols is None else len(symbols),
        end_state=args.end_state or (params is not None and params.endprob is not None),
        init=init,
        params=params,
        rng=args.seed,
        tol=args.tol,
        max_iter=args.max_iter,
    )
    with_data = args.with_data or X.size <= DATA_BY_DEFAULT_MAX_VALUES
    return trace_to_json(trace, data, columns, number, symbols=symbols, with_data=with_data)


def _check_states(n_states: int, n_observations: int, path: Path) -> None:
    if n_states < 1:
        raise ValueError(f"--n-states must be a whole number ≥ 1; got {n_states}.")
    if n_states > n_observations:
        raise ValueError(
            f"--n-states {n_states} is more than the {n_observations:,} observations in "
            f"{path}; choose --n-states {n_observations} or less."
        )
