"""The hidden Markov model's trace file: the document ``python -m em_core fit --model hmm``
prints and the page's export writes (its fields are listed in the README), and
:func:`parse`, which checks such a document back into numbers.

*Open a prepared run* does not open these runs yet, so this codec has no ``read`` or
``replay`` (the trace reader, :mod:`em_core.trace_json`, names the page that steps them).

Categorical observations are symbols: the engine sees each one's code 0 … M − 1 and the
document gives the values they stand for (``symbols``, the columns of ``probs``) and the
data as given. An iteration's parameters have the fields a start file
(``--init-params``) has: ``startprob``, ``transmat``, ``endprob`` (null without an end
state) and the emissions, ``probs`` (categorical), ``rates`` (Poisson) or ``means`` and
``covariances`` (Gaussian; full K × d × d matrices whatever the covariance type).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Trace
from em_core.trace_json import TraceFileError, finite_number, stopping_fields
from em_models.hmm.emissions import (
    CategoricalEmissions,
    GaussianEmissions,
    PoissonEmissions,
    probability_problem,
)
from em_models.hmm.engine import EMISSIONS
from em_models.hmm.params import HMMParams
from em_models.hmm.sequences import Sequences, as_sequences
from em_models.mixture.gaussian import COVARIANCE_TYPES, from_full, to_full

EMISSION_FIELDS = {
    "categorical": ("probs",),
    "poisson": ("rates",),
    "gaussian": ("means", "covariances"),
}


def params_to_json(params: HMMParams) -> dict[str, Any]:
    """θ as plain JSON types (the fields of an iteration, and of a start file)."""
    em = params.emissions
    if isinstance(em, CategoricalEmissions):
        emissions = {"probs": em.probs.tolist()}
    elif isinstance(em, PoissonEmissions):
        emissions = {"rates": em.rates.tolist()}
    else:
        full = to_full(em.covariances, em.covariance_type, *em.means.shape)
        emissions = {"means": em.means.tolist(), "covariances": full.tolist()}
    return {
        "startprob": params.startprob.tolist(),
        "transmat": params.transmat.tolist(),
        "endprob": None if params.endprob is None else params.endprob.tolist(),
        **emissions,
    }


def trace_to_json(
    trace: Trace,
    data: Sequences | ArrayLike,
    columns: Sequence[str],
    number: Callable[[float], float],
    *,
    symbols: Sequence[float] | None = None,
    with_data: bool = True,
) -> dict[str, Any]:
    """The trace as plain JSON types.

    ``data`` are the observations the engine fitted (categorical: the symbols' codes), with
    their lengths; ``symbols`` the value each code stands for (default: the codes).
    """
    X, lengths = as_sequences(data)
    family = trace.model.family
    kind = family.kind
    if kind == "categorical":
        values = np.arange(family.n_symbols) if symbols is None else np.asarray(symbols)
        symbols_json = [_symbol(v) for v in values]
        given = [[symbols_json[int(code)]] for code in X[:, 0]]
    else:
        symbols_json, given = None, X.tolist()
    gaussian = kind == "gaussian"
    failure = trace.failure
    document = {
        "model": "hmm",
        "n_states": trace.final.params.n_states,
        "n_features": X.shape[1],
        "n_observations": X.shape[0],
        "lengths": list(lengths),
        "columns": [str(c) for c in columns],
        "emission": kind,
        "symbols": symbols_json,
        "covariance_type": family.covariance_type if gaussian else None,
        "ridge": family.ridge if gaussian else None,
        "reg_covar": family.ridge_diagonal.tolist() if gaussian else None,
        "end_state": trace.model.end_state,
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        **stopping_fields(trace),
        "failed_state": None if failure is None or failure.part is None else failure.part + 1,
        "iterations": [
            {
                "iteration": snapshot.iteration,
                **params_to_json(snapshot.params),
                "log_likelihood": number(snapshot.log_likelihood),
                "occupancy": None if snapshot.stats is None else snapshot.stats.occupancy.tolist(),
            }
            for snapshot in trace.snapshots
        ],
    }
    if with_data:
        document["data"] = given
    return document


def _symbol(value: float) -> int | float:
    """A symbol as JSON writes it: a whole number without its ``.0``."""
    value = float(value)
    return int(value) if value.is_integer() else value


def write(
    trace: Trace,
    data: Sequences | ArrayLike,
    columns: Sequence[str],
    *,
    symbols: Sequence[float] | None = None,
) -> dict[str, Any]:
    """The trace as the JSON document the export writes (every number finite, the data in)."""
    return trace_to_json(trace, data, columns, finite_number, symbols=symbols)


# ---------------------------------------------------------------------------------------------
# Reading back


@dataclass(frozen=True, eq=False)
class HMMRun:
    """A trace document checked back into numbers (see :func:`parse`).

    Attributes
    ----------
    X : array of shape (n_observations, n_features), or None without ``data``
        As given (categorical: the symbols' values, not their codes).
    lengths : tuple of int
    columns : tuple of str
    emission : str
    symbols : tuple of float or None
    covariance_type : str or None
    end_state : bool
    params : tuple of HMMParams
        θ_0 … θ_T.
    log_likelihoods : tuple of float
    document : Mapping
        The document itself, for its other fields (settings, status, message).
    """

    X: NDArray[np.float64] | None
    lengths: tuple[int, ...]
    columns: tuple[str, ...]
    emission: str
    symbols: tuple[float, ...] | None
    covariance_type: str | None
    end_state: bool
    params: tuple[HMMParams, ...]
    log_likelihoods: tuple[float, ...]
    document: Mapping[str, Any]


def parse(document: Any) -> HMMRun:
    """A hidden Markov model's trace document, every array checked against the settings;
    :class:`em_core.trace_json.TraceFileError` saying what is wrong and where."""
    if not isinstance(document, dict) or document.get("model") != "hmm":
        raise TraceFileError('The document is not a hidden Markov model\'s run ("model": "hmm").')
    emission = _choice(document, "emission", EMISSIONS)
    gaussian = emission == "gaussian"
    covariance_type = _choice(document, "covariance_type", COVARIANCE_TYPES) if gaussian else None
    n_features = _count(document, "n_features")
    lengths = tuple(_count(document, "lengths", n) for n in _list(document, "lengths"))
    symbols = None
    if emission == "categorical":
        symbols = tuple(float(v) for v in _floats(document.get("symbols"), "symbols", 1))
    X = None
    if document.get("data") is not None:
        X = _floats(document["data"], "data", 2, (sum(lengths), n_features))
    iterations = _list(document, "iterations")
    params = tuple(
        params_from_json(
            entry,
            f"iterations[{t}]",
            emission,
            covariance_type=covariance_type,
            n_features=n_features,
            n_symbols=None if symbols is None else len(symbols),
        )
        for t, entry in enumerate(iterations)
    )
    return HMMRun(
        X,
        lengths,
        tuple(str(c) for c in _list(document, "columns")),
        emission,
        symbols,
        covariance_type,
        bool(document.get("end_state")),
        params,
        tuple(float(entry.get("log_likelihood")) for entry in iterations),
        document,
    )


def params_from_json(
    entry: Any,
    where: str,
    emission: str,
    *,
    covariance_type: str | None = "full",
    n_features: int | None = None,
    n_symbols: int | None = None,
) -> HMMParams:
    """θ from an iteration's fields (or a start file's), checked: the shapes agree, π and
    the rows of A (with e) and of the emission table are probabilities, rates ≥ 0."""
    if not isinstance(entry, dict):
        raise TraceFileError(f"{where} must be a JSON object with {_names(emission)}.")
    missing = [k for k in ("startprob", "transmat", *EMISSION_FIELDS[emission]) if k not in entry]
    if missing:
        raise TraceFileError(f"{where} lacks {', '.join(map(repr, missing))} ({_names(emission)}).")
    startprob = _floats(entry["startprob"], f"{where}.startprob", 1)
    K = startprob.size
    transmat = _floats(entry["transmat"], f"{where}.transmat", 2, (K, K))
    endprob = entry.get("endprob")
    if endprob is not None:
        endprob = _floats(endprob, f"{where}.endprob", 1, (K,))
    try:
        params = HMMParams(
            startprob,
            transmat,
            _emissions(entry, where, emission, K, covariance_type, n_features, n_symbols),
            endprob,
        )
    except ValueError as error:
        raise TraceFileError(f"{where}: {error}") from None
    problem = params.problem()
    if problem is None and emission == "categorical":
        problem = probability_problem(params.emissions.probs, "emission probabilities")
    if problem is None and emission == "poisson" and np.any(params.emissions.rates < 0):
        problem = "Every state's rate must be ≥ 0."
    if problem is not None:
        raise TraceFileError(f"{where}: {problem}")
    return params


def _emissions(entry, where, emission, K, covariance_type, n_features, n_symbols):
    if emission == "categorical":
        probs = _floats(entry["probs"], f"{where}.probs", 2)
        if probs.shape[0] != K or (n_symbols is not None and probs.shape[1] != n_symbols):
            wanted = "M" if n_symbols is None else str(n_symbols)
            raise TraceFileError(
                f"{where}.probs has shape {_shape(probs.shape)}; give {K} rows (one per state) "
                f"of {wanted} probabilities (one per symbol)."
            )
        return CategoricalEmissions(probs)
    if emission == "poisson":
        rates = _floats(entry["rates"], f"{where}.rates", None)
        rates = rates[:, None] if rates.ndim == 1 else rates
        _expect(rates, f"{where}.rates", (K, n_features or rates.shape[-1]), "rates")
        return PoissonEmissions(rates)
    means = _floats(entry["means"], f"{where}.means", None)
    means = means[:, None] if means.ndim == 1 else means
    d = n_features or means.shape[-1]
    _expect(means, f"{where}.means", (K, d), "means")
    covariances = _floats(entry["covariances"], f"{where}.covariances", None)
    kind = covariance_type or "full"
    if covariances.shape == (K, d, d):
        covariances = _full_to(covariances, kind)
    return GaussianEmissions(means, covariances, kind)


def _full_to(full: NDArray[np.float64], kind: str) -> NDArray[np.float64]:
    """Full matrices as ``kind`` stores them (spherical: the first diagonal entry, which the
    writer repeated exactly)."""
    if kind == "spherical":
        return np.diagonal(full, axis1=1, axis2=2)[:, 0].copy()
    return from_full(full, kind)


def _expect(array: NDArray, where: str, shape: tuple[int, ...], what: str) -> None:
    if array.shape != shape:
        raise TraceFileError(
            f"{where} has shape {_shape(array.shape)}; give {shape[0]} rows (one per state) of "
            f"{shape[1]} {what} (one per column of the data)."
        )


def _names(emission: str) -> str:
    return "'startprob', 'transmat', " + ", ".join(f"'{k}'" for k in EMISSION_FIELDS[emission])


def _shape(shape: tuple[int, ...]) -> str:
    return " × ".join(map(str, shape)) or "a single number"


def _floats(value: Any, where: str, ndim: int | None, shape: tuple[int, ...] | None = None):
    """``value`` as a float64 array of ``ndim`` dimensions (or ``shape``), all finite."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise TraceFileError(f"{where} must be a list of numbers (rows of equal length).") from None
    if array.size == 0 or (ndim is not None and array.ndim != ndim):
        rows = "rows of " * ((ndim or 1) - 1)
        raise TraceFileError(f"{where} must be a list of {rows}numbers.")
    if shape is not None and array.shape != shape:
        raise TraceFileError(f"{where} has shape {_shape(array.shape)}; expected {_shape(shape)}.")
    if not np.all(np.isfinite(array)):
        raise TraceFileError(f"{where} holds a number that is not finite.")
    return array


def _list(document: dict, name: str) -> list:
    value = document.get(name)
    if not isinstance(value, list) or not value:
        raise TraceFileError(f"{name} must be a list with at least one item.")
    return value


def _count(document: dict, name: str, value: Any = None) -> int:
    value = document.get(name) if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TraceFileError(f"{name} must hold whole numbers ≥ 1.")
    return value


def _choice(document: dict, name: str, choices: Sequence[str]) -> str:
    value = document.get(name)
    if value not in choices:
        raise TraceFileError(f"{name} must be one of {', '.join(map(repr, choices))}.")
    return value
