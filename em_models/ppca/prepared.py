"""Probabilistic PCA's runs on *Open a prepared run*: the trace document (its writer is
:mod:`em_models.ppca.trace`) checked back into numbers, the run recomputed from the file's
start and compared with every iteration, and the run drawn in :class:`PPCAView`.

The file's start is its ``iterations[0]`` (W and σ², with μ the data's mean, as every start
has); EM runs again from it with the file's ``tol`` and ``max_iter``, and the file is refused
unless every iteration, the number of iterations and the reason for stopping agree with the
engine's within :data:`em_core.trace_json.REPLAY_RTOL` of each number's scale.
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
from em_models.ppca.engine import PPCA, PPCAParameters, PPCAStart, mean_variance

NAME = "ppca"
FIELDS = (
    "model",
    "n_latent",
    "n_features",
    "n_samples",
    "columns",
    "init",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "mean",
    "iterations",
    "maximum",
)
ITERATION_FIELDS = ("iteration", "loadings", "noise_variance", "log_likelihood")


@dataclass(frozen=True, eq=False)
class PPCARun:
    """A probabilistic-PCA trace that passed :func:`read`: the data (None without
    ``data``), the settings, and the file's iterations (θ with μ the file's ``mean``)."""

    X: NDArray[np.float64] | None
    columns: tuple[str, ...]
    n_latent: int
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


def read(document: Any) -> PPCARun:
    """A probabilistic-PCA trace document, every field checked; :class:`TraceFileError`
    saying what is wrong and where."""
    document = _fields(document, "The trace", FIELDS, ("data",))
    n_samples = _whole(document["n_samples"], "n_samples", low=2, high=MAX_ROWS)
    d = _whole(document["n_features"], "n_features", low=2, high=MAX_COLUMNS)
    q = _whole(document["n_latent"], "n_latent", low=1, high=d - 1)
    columns = _columns(document, d)
    X = _data(document["data"], n_samples, d) if "data" in document else None
    method, seed = _init(document, ("random", "given"))
    n_iter = _whole(document["n_iter"], "n_iter")
    status = _status(document)
    _text(document["message"], "message")
    _fields(document["maximum"], "maximum", ("loadings", "noise_variance", "log_likelihood"))
    mean = _array(document["mean"], "mean", (d,))
    iterations = _iterations(document, n_iter)
    recorded = tuple(_snapshot(entry, t, mean, q) for t, entry in enumerate(iterations))
    return PPCARun(
        X,
        columns,
        q,
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
    noise = _number(entry["noise_variance"], f"{where}.noise_variance")
    if noise <= 0:
        raise TraceFileError(f"{where}.noise_variance must be > 0.")
    log_likelihood = _number(entry["log_likelihood"], f"{where}.log_likelihood", low=None)
    return Snapshot(t, PPCAParameters(mean, loadings, noise), log_likelihood, None)


def limit(run: PPCARun) -> str | None:
    """The view draws any number of columns and latent dimensions: nothing to refuse."""
    return None


def cost(run: PPCARun) -> tuple[float, str]:
    return latent_cost(run, run.n_latent)


def latent_cost(run: Any, q: int) -> tuple[float, str]:
    """The estimated seconds of running EM again on a run of q latent dimensions (an
    iteration costs about what a mixture's of q components does: N × d × q), and the run's
    size in words; factor analysis's too (:mod:`em_models.fa.prepared`)."""
    from em_models.mixture.work import work

    n, d = run.X.shape
    seconds = work(n, d, q, max_iter=run.n_iter, init="given")
    return seconds, f"{n:,} points in {d} columns × q = {q} × {run.n_iter} iterations"


def replay(run: PPCARun) -> Trace:
    """EM run again from the file's start and settings; :class:`TraceFileError` unless every
    iteration agrees with the file's."""
    X = run.require_data()
    scale = mean_variance(X)
    check_replayed("mean", run.mean, X.mean(axis=0), np.sqrt(scale))
    first = run.recorded[0].params
    start = PPCAParameters(X.mean(axis=0), first.loadings, first.noise_variance)

    def compare(mine: Snapshot, theirs: Snapshot, where: str) -> None:
        check_replayed(
            f"{where}loadings", mine.params.loadings, theirs.params.loadings, np.sqrt(scale)
        )
        check_replayed(
            f"{where}noise_variance",
            mine.params.noise_variance,
            theirs.params.noise_variance,
            scale,
        )
        check_replayed(
            f"{where}log_likelihood", mine.log_likelihood, theirs.log_likelihood, X.shape[0]
        )

    record = PPCAStart(start, run.method, run.seed)
    return replay_checked(run, X, PPCA(run.n_latent), record, compare)


def describe(opened) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    from em_ui.text import literal

    run, trace = opened.run, opened.trace
    n, d = run.X.shape
    names = ", ".join(literal(c) for c in run.columns[:6])
    more = f" and {d - 6} more" if d > 6 else ""
    seed = "" if run.seed is None else f" (seed {run.seed})"
    how = "a random W" if run.method == "random" else "a given W"
    return (
        f"Probabilistic PCA: {n:,} points in {d} columns ({names}{more}); q = {run.n_latent} "
        f"latent dimension{'s' if run.n_latent > 1 else ''}, started from {how}{seed}, tol = "
        f"{trace.tol:g}, max_iter = {trace.max_iter}. EM run again from that start gives "
        "every iteration in the file."
    )


def show(opened, key: str) -> None:
    """The stepping view of the run, in probabilistic PCA's own view."""
    from em_models.ppca.view import PPCAView
    from em_ui.stepper import stepping_view

    stepping_view(PPCAView(opened.X, opened.trace, column_names=opened.columns), key=key)
