"""The hidden Markov model's runs on *Open a prepared run*: the trace document checked back
into numbers (:func:`em_models.hmm.trace.parse`, with the settings and the stopping fields
checked here), Baum–Welch run again from the file's start and compared with every iteration,
and the run drawn in :class:`em_models.hmm.view.HMMView`.

The file's start is its ``iterations[0]``; EM runs again from it with the file's emission
family, end state, ridge, ``tol`` and ``max_iter``, and the file is refused unless every
iteration (π, A, the end probabilities, the emissions, ℓ and the occupancy Σγ), the number
of iterations and the reason for stopping agree with the engine's within
:data:`em_core.trace_json.REPLAY_RTOL` of each number's scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core import em
from em_core.em import Snapshot, Trace
from em_core.model import StopReason
from em_core.trace_json import NO_DATA, TraceFileError, check_replayed
from em_models.hmm.engine import HMM, make_family
from em_models.hmm.params import HMMParams
from em_models.hmm.sequences import Sequences
from em_models.hmm.starts import HMMStart
from em_models.hmm.trace import HMMRun, parse
from em_models.hmm.work import baum_welch_seconds
from em_models.mixture.gaussian import to_full

NAME = "hmm"
START_METHODS = ("mixture", "random", "given")
START_WORDS = {"mixture": "a fitted mixture", "random": "a random θ₀", "given": "a given θ₀"}


@dataclass(frozen=True, eq=False)
class PreparedHMM:
    """A hidden Markov model's trace that passed :func:`read`.

    ``X`` is what the engine fits (categorical: each symbol's code 0 … M − 1), or None
    without ``data``; ``symbols`` the values the codes stand for, as text."""

    parsed: HMMRun
    X: NDArray[np.float64] | None
    symbols: tuple[str, ...] | None
    method: str
    seed: int | None
    tol: float
    max_iter: int
    status: StopReason
    failed_state: int | None
    model_name = NAME

    @property
    def columns(self) -> tuple[str, ...]:
        return self.parsed.columns

    @property
    def n_states(self) -> int:
        return self.parsed.params[0].n_states

    @property
    def n_iter(self) -> int:
        return len(self.parsed.params) - 1

    def require_data(self) -> NDArray[np.float64]:
        if self.X is None:
            raise TraceFileError(NO_DATA)
        return self.X


def read(document: Any) -> PreparedHMM:
    """A hidden Markov model's trace document, every field checked; :class:`TraceFileError`
    saying what is wrong and where."""
    parsed = parse(document)
    n_iter = _whole(document, "n_iter", 0)
    if len(parsed.params) != n_iter + 1:
        raise TraceFileError(f"iterations must be a list of n_iter + 1 = {n_iter + 1:,} entries.")
    init = document.get("init")
    if not isinstance(init, dict) or init.get("method") not in START_METHODS:
        raise TraceFileError("init.method must be one of " + ", ".join(START_METHODS) + ".")
    seed = init.get("seed")
    if seed is not None:
        seed = _whole(init, "seed", 0)
    values = tuple(r.value for r in StopReason)
    if document.get("status") not in values:
        raise TraceFileError("status must be one of " + ", ".join(values) + ".")
    status = StopReason(document["status"])
    failed = document.get("failed_state")
    if failed is not None:
        failed = _whole(document, "failed_state", 1) - 1
    tol = document.get("tol")
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not tol >= 0:
        raise TraceFileError("tol must be a number ≥ 0.")
    for t, ll in enumerate(parsed.log_likelihoods):
        if not np.isfinite(ll):
            raise TraceFileError(f"iterations[{t}].log_likelihood must be a finite number.")
    X, symbols = _codes(parsed)
    return PreparedHMM(
        parsed,
        X,
        symbols,
        init["method"],
        seed,
        float(tol),
        max(_whole(document, "max_iter", 1), n_iter),
        status,
        failed,
    )


def _whole(document: dict, name: str, low: int) -> int:
    value = document.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise TraceFileError(f"{name} must be a whole number ≥ {low}.")
    return value


def _codes(parsed: HMMRun) -> tuple[NDArray[np.float64] | None, tuple[str, ...] | None]:
    """Categorical data as each symbol's code among ``symbols``; other data as they are."""
    if parsed.symbols is None:
        return parsed.X, None
    names = tuple(f"{v:g}" for v in parsed.symbols)
    if parsed.X is None:
        return None, names
    where = {v: m for m, v in enumerate(parsed.symbols)}
    unknown = [v for v in np.unique(parsed.X) if float(v) not in where]
    if unknown:
        raise TraceFileError(f"data hold the symbol {unknown[0]:g}, which symbols do not list.")
    codes = np.array([[where[float(v)]] for v in parsed.X[:, 0]], dtype=np.float64)
    return codes, names


def limit(run: PreparedHMM) -> str | None:
    """Why the app cannot draw the run (to follow the file's name), or None."""
    from em_viz.colors import MAX_COMPONENTS

    if run.n_states <= MAX_COMPONENTS:
        return None
    return f" holds a run with {run.n_states} states; the app draws at most {MAX_COMPONENTS}."


def cost(run: PreparedHMM) -> tuple[float, str]:
    """The estimated seconds of running Baum–Welch again, and the run's size in words."""
    T = run.X.shape[0]
    seconds = baum_welch_seconds(T, run.n_states, run.n_iter)
    return seconds, f"{T:,} observations × {run.n_states} states × {run.n_iter} iterations"


def replay(run: PreparedHMM) -> Trace:
    """Baum–Welch run again from the file's start and settings; :class:`TraceFileError`
    unless every iteration agrees with the file's."""
    X, parsed = run.require_data(), run.parsed
    document = parsed.document
    gaussian = parsed.emission == "gaussian"
    ridge = {}
    if gaussian:
        ridge = (
            {"ridge": document.get("ridge")}
            if document.get("ridge") is not None
            else {"reg_covar": (document.get("reg_covar") or [0.0])[0]}
        )
    try:
        family = make_family(
            X,
            parsed.emission,
            n_symbols=None if run.symbols is None else len(run.symbols),
            covariance_type=parsed.covariance_type or "full",
            **ridge,
        )
    except (TypeError, ValueError) as error:
        raise TraceFileError(f"The settings cannot be used on the data: {error}") from None
    if gaussian and not np.allclose(
        family.ridge_diagonal, document.get("reg_covar"), rtol=1e-9, atol=0.0
    ):
        raise TraceFileError(
            "reg_covar is not ridge × each column's variance in data: the data are not those "
            "the run was fitted to."
        )
    scales = _scales(X)

    def check(snapshot: Snapshot) -> None:
        t = snapshot.iteration
        if t >= len(parsed.params):
            raise TraceFileError(
                f"EM on these data goes on past iteration {run.n_iter}, where the file stops "
                f"({run.status.value}): the file does not follow from its data and settings."
            )
        _compare_iteration(run, t, snapshot, scales)

    model = HMM(family, parsed.end_state)
    start = HMMStart(run.method, run.seed, parsed.params[0])
    data = Sequences(X, parsed.lengths)
    try:
        trace = em.run_em(data, model, start, tol=run.tol, max_iter=run.max_iter, callback=check)
    except TraceFileError:
        raise
    except ValueError as error:  # the engine refused the data or the start
        raise TraceFileError(f"The start (iterations[0]) cannot be used: {error}") from None
    if trace.n_iter != run.n_iter or trace.stop_reason is not run.status:
        raise TraceFileError(
            f"EM on these data stops after {trace.n_iter} iterations ({trace.stop_reason.value})"
            f", but the file records {run.n_iter} ({run.status.value})."
        )
    failure = trace.failure
    if (None if failure is None else failure.part) != run.failed_state:
        raise TraceFileError("failed_state is not the state EM finds failing.")
    return trace


def _scales(X: NDArray[np.float64]) -> dict[str, Any]:
    span = np.ptp(X, axis=0)
    span[span == 0] = 1.0
    return {
        "probability": 1.0,
        "rates": span,
        "means": span,
        "covariances": np.outer(span, span),
        "log_likelihood": float(X.shape[0]),
        "occupancy": 1.0,
    }


def _numbers(params: HMMParams) -> dict[str, Any]:
    emissions = params.emissions
    numbers = {"startprob": params.startprob, "transmat": params.transmat}
    if params.endprob is not None:
        numbers["endprob"] = params.endprob
    if hasattr(emissions, "probs"):
        numbers["probs"] = emissions.probs
    elif hasattr(emissions, "rates"):
        numbers["rates"] = emissions.rates
    else:
        K, d = emissions.means.shape
        numbers["means"] = emissions.means
        numbers["covariances"] = to_full(emissions.covariances, emissions.covariance_type, K, d)
    return numbers


def _compare_iteration(run: PreparedHMM, t: int, snapshot: Snapshot, scales: dict) -> None:
    parsed = run.parsed
    mine, theirs = _numbers(parsed.params[t]), _numbers(snapshot.params)
    if mine.keys() != theirs.keys():
        raise TraceFileError(f"iterations[{t}] does not have the fields EM computes.")
    pairs = [(name, mine[name], theirs[name], scales.get(name, 1.0)) for name in mine]
    pairs.append(
        (
            "log_likelihood",
            parsed.log_likelihoods[t],
            snapshot.log_likelihood,
            scales["log_likelihood"],
        )
    )
    recorded = parsed.document["iterations"][t].get("occupancy")
    computed = None if snapshot.stats is None else snapshot.stats.occupancy
    if (recorded is None) != (computed is None):
        raise TraceFileError(f"iterations[{t}].occupancy is not what EM computes.")
    if computed is not None:
        try:
            recorded = np.asarray(recorded, dtype=np.float64)
        except (TypeError, ValueError):
            raise TraceFileError(f"iterations[{t}].occupancy must be a list of numbers.") from None
        if recorded.shape != computed.shape:
            raise TraceFileError(f"iterations[{t}].occupancy must have one number per state.")
        pairs.append(("occupancy", recorded, computed, 1.0))
    for name, a, b, scale in pairs:
        check_replayed(f"iterations[{t}].{name}", a, b, scale)


def describe(opened) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    from em_ui.text import literal

    run, trace = opened.run, opened.trace
    parsed = run.parsed
    T, d = run.X.shape
    names = ", ".join(literal(c) for c in run.columns[:6])
    n_seq = len(parsed.lengths)
    sequences = f" in {n_seq} sequences" if n_seq > 1 else ""
    end = ", with an end state" if parsed.end_state else ""
    seed = "" if run.seed is None else f" (seed {run.seed})"
    return (
        f"A hidden Markov model: {T:,} observations{sequences} in {d} "
        f"column{'s' if d > 1 else ''} ({names}); {run.n_states} states, {parsed.emission} "
        f"emissions{end}, started from {START_WORDS[run.method]}{seed}, tol = {trace.tol:g}, "
        f"max_iter = {trace.max_iter}. EM run again from that start gives every iteration in "
        "the file."
    )


def show(opened, key: str) -> None:
    """The stepping view of the run, in the hidden Markov model's own view."""
    from em_models.hmm.view import HMMView
    from em_ui.stepper import stepping_view

    run = opened.run
    view = HMMView(
        run.X,
        opened.trace,
        lengths=run.parsed.lengths,
        symbols=run.symbols,
        column_names=run.columns,
    )
    stepping_view(view, key=key)
