"""Factor analysis's runs on *Open a prepared run*: the trace document (its writer is
:mod:`em_models.fa.trace`) checked back into numbers, and the run recomputed from the file's
start and compared with every iteration.

The file's start is its ``iterations[0]`` (W and ψ, with μ the mean of the data as fitted);
EM runs again from it with the file's ``standardise``, ``tol`` and ``max_iter``, and the file
is refused unless every iteration, the number of iterations and the reason for stopping agree
with the engine's within :data:`em_core.trace_json.REPLAY_RTOL` of each number's scale.
:func:`show` steps through it in factor analysis's own view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import Snapshot, Trace
from em_core.model import StopReason
from em_core.trace_json import (
    MAX_COLUMNS,
    MAX_ROWS,
    NO_DATA,
    TraceFileError,
    _array,
    _columns,
    _data,
    _fields,
    _init,
    _iterations,
    _number,
    _status,
    _text,
    _whole,
    check_replayed,
    replay_checked,
)
from em_models.fa.engine import (
    START_METHODS,
    FactorAnalysis,
    FAParameters,
    FAStart,
    max_factors,
)
from em_models.ppca.prepared import latent_cost

NAME = "fa"
FIELDS = (
    "model",
    "n_factors",
    "n_features",
    "n_samples",
    "columns",
    "standardise",
    "init",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "mean",
    "iterations",
    "communalities",
)
ITERATION_FIELDS = ("iteration", "loadings", "noise_variances", "log_likelihood")


@dataclass(frozen=True, eq=False)
class FARun:
    """A factor-analysis trace that passed :func:`read`: the data (None without ``data``),
    the settings, and the file's iterations (θ with μ the file's ``mean``)."""

    X: NDArray[np.float64] | None
    columns: tuple[str, ...]
    n_factors: int
    standardise: bool
    method: str
    seed: int | None
    tol: float
    max_iter: int
    status: StopReason
    mean: NDArray[np.float64]
    recorded: tuple[Snapshot, ...]
    model_name = NAME

    @property
    def n_iter(self) -> int:
        return len(self.recorded) - 1

    def require_data(self) -> NDArray[np.float64]:
        if self.X is None:
            raise TraceFileError(NO_DATA)
        return self.X


def read(document: Any) -> FARun:
    """A factor-analysis trace document, every field checked; :class:`TraceFileError`
    saying what is wrong and where."""
    document = _fields(document, "The trace", FIELDS, ("data",))
    n_samples = _whole(document["n_samples"], "n_samples", low=2, high=MAX_ROWS)
    d = _whole(document["n_features"], "n_features", low=3, high=MAX_COLUMNS)
    q = _whole(document["n_factors"], "n_factors", low=1, high=max_factors(d))
    columns = _columns(document, d)
    if not isinstance(document["standardise"], bool):
        raise TraceFileError("standardise must be true or false.")
    X = _data(document["data"], n_samples, d) if "data" in document else None
    method, seed = _init(document, (*START_METHODS, "given"))
    n_iter = _whole(document["n_iter"], "n_iter")
    status = _status(document)
    _text(document["message"], "message")
    _array(document["communalities"], "communalities", (d,))
    mean = _array(document["mean"], "mean", (d,))
    iterations = _iterations(document, n_iter)
    recorded = tuple(_snapshot(entry, t, mean, q) for t, entry in enumerate(iterations))
    return FARun(
        X,
        columns,
        q,
        document["standardise"],
        method,
        seed,
        _number(document["tol"], "tol"),
        _whole(document["max_iter"], "max_iter", low=n_iter),
        status,
        mean,
        recorded,
    )


def _snapshot(entry: Any, t: int, mean: NDArray[np.float64], q: int) -> Snapshot:
    where = f"iterations[{t}]"
    entry = _fields(entry, where, ITERATION_FIELDS)
    if _whole(entry["iteration"], f"{where}.iteration") != t:
        raise TraceFileError(f"{where}.iteration must be {t}.")
    loadings = _array(entry["loadings"], f"{where}.loadings", (mean.size, q))
    noise = _array(entry["noise_variances"], f"{where}.noise_variances", (mean.size,))
    if not np.all(noise > 0):
        raise TraceFileError(f"{where}.noise_variances must all be > 0.")
    log_likelihood = _number(entry["log_likelihood"], f"{where}.log_likelihood", low=None)
    return Snapshot(t, FAParameters(mean, loadings, noise), log_likelihood, None)


def limit(run: FARun) -> str | None:
    """Nothing to refuse: the view draws any run the engine replays."""
    return None


def cost(run: FARun) -> tuple[float, str]:
    """Probabilistic PCA's estimate, for q factors."""
    return latent_cost(run, run.n_factors)


def replay(run: FARun) -> Trace:
    """EM run again from the file's start and settings; :class:`TraceFileError` unless every
    iteration agrees with the file's."""
    X = run.require_data()
    model = FactorAnalysis(run.n_factors, run.standardise, run.columns)
    try:
        data = model.prepare(X)
    except ValueError as error:
        raise TraceFileError(f"The data cannot be fitted: {error}") from None
    scale = data.variances
    check_replayed("mean", run.mean, data.mean, np.sqrt(scale))
    first = run.recorded[0].params
    start = FAParameters(data.mean, first.loadings, first.noise_variances)

    def compare(mine: Snapshot, theirs: Snapshot, where: str) -> None:
        check_replayed(
            f"{where}loadings",
            mine.params.loadings,
            theirs.params.loadings,
            np.sqrt(scale)[:, None],
        )
        check_replayed(
            f"{where}noise_variances",
            mine.params.noise_variances,
            theirs.params.noise_variances,
            scale,
        )
        check_replayed(
            f"{where}log_likelihood", mine.log_likelihood, theirs.log_likelihood, X.shape[0]
        )

    record = FAStart(start, run.method, run.seed)
    return replay_checked(run, X, model, record, compare)


def describe(opened) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    from em_ui.text import literal

    run, trace = opened.run, opened.trace
    n, d = run.X.shape
    names = ", ".join(literal(c) for c in run.columns[:6])
    more = f" and {d - 6} more" if d > 6 else ""
    seed = "" if run.seed is None else f" (seed {run.seed})"
    how = {"pca": "PCA loadings", "random": "a random W", "given": "a given W"}[run.method]
    scaled = "standardised" if run.standardise else "as given"
    return (
        f"Factor analysis: {n:,} points in {d} columns ({names}{more}), {scaled}; "
        f"q = {run.n_factors} factor{'s' if run.n_factors > 1 else ''}, started from {how}"
        f"{seed}, tol = {trace.tol:g}, max_iter = {trace.max_iter}. EM run again from that "
        "start gives every iteration in the file."
    )


def show(opened, key: str) -> None:
    """The stepping view of the run, in factor analysis's own view."""
    from em_models.fa.view import FAView
    from em_ui.stepper import stepping_view

    stepping_view(FAView(opened.X, opened.trace, column_names=opened.columns), key=key)
