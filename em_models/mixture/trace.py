"""A Gaussian mixture's run as JSON, both ways: the document ``python -m em_core fit`` prints
and the app exports, and the reader and replay that open such a file again (the checks every
model's trace shares are in :mod:`em_core.trace_json`).

The document (described field by field in the README, "fit output: the trace") holds the
settings, every iteration's parameters and log-likelihood and, when asked for, the data
(``data``, N × d), so that a run can be recomputed anywhere. :func:`trace_to_json` writes it,
for the command line and the app alike. :func:`read_document` checks every field's type, shape
and range, and :func:`replay` recomputes the run from its recorded start and settings,
refusing it unless every iteration in the file is what EM gives on its data (a trace without
data is read, but cannot be replayed). So what the app then shows is the engine's own run,
never numbers taken on trust from a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import Snapshot, Trace, run_em
from em_core.model import StopReason
from em_core.trace_json import (
    MAX_COLUMNS,
    MAX_ROWS,
    NO_DATA,
    TraceFileError,
    _array,
    _data,
    _fields,
    _kind,
    _number,
    _text,
    _whole,
    check_replayed,
    finite_number,
    stopping_fields,
)
from em_models import registry
from em_models.mixture.engine import GaussianMixture, failed_component
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, from_full
from em_models.mixture.starts import INIT_METHODS, Initialisation

__all__ = ["PreparedRun", "read_document", "replay", "trace_to_json", "write"]


# How θ_0 was chosen: the engine's initialisations, or "split", the best fit with one
# component fewer with a component split in two (em_models.mixture.search, behind Choosing K).
START_METHODS = (*INIT_METHODS, "split")


TRACE_FIELDS = (
    "n_components",
    "n_features",
    "n_samples",
    "columns",
    "covariance_type",
    "init",
    "ridge",
    "reg_covar",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "failed_component",
    "iterations",
)


# The model's name (``"mixture"``, which a mixture's trace leaves out), the data, and what
# ``python -m em_core fit --n-init N`` writes beside the best run (read and ignored).
OPTIONAL_FIELDS = ("model", "data", "restarts", "best_restart")


ITERATION_FIELDS = ("iteration", "weights", "means", "covariances", "log_likelihood", "nk")


def trace_to_json(
    trace: Trace, X: NDArray[np.float64], columns: Sequence[str], *, with_data: bool = True
) -> dict[str, Any]:
    """The trace of a Gaussian mixture fitted to ``X``, as plain JSON types.

    Covariances are always full (K, d, d) matrices; ``data`` is ``X`` itself, so the
    document is enough to recompute the run (:func:`replay`); without it (``with_data``
    false) the document records the run but cannot recompute it.

    Parameters
    ----------
    trace : Trace
        A run of :func:`em_models.mixture.engine.fit` (its model a
        :class:`em_models.mixture.engine.GaussianMixture`).
    X : array of shape (n_samples, n_features)
        The data the run was fitted to.
    columns : sequence of str
        The names of X's columns.
    with_data : bool, default True
        Whether the document carries ``data``.

    Returns
    -------
    dict
    """
    X = np.asarray(X, dtype=np.float64)
    final, failed = trace.final.params, failed_component(trace)
    if X.shape != (trace.n_samples, final.n_features) or len(columns) != final.n_features:
        raise ValueError(
            f"The data ({X.shape}) or the {len(columns)} column names do not match the trace "
            f"({trace.n_samples} samples, {final.n_features} features)."
        )
    document = {
        "n_components": final.n_components,
        "n_features": final.n_features,
        "n_samples": trace.n_samples,
        "columns": [str(c) for c in columns],
        "covariance_type": trace.model.covariance_type,
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        "ridge": trace.model.ridge,
        "reg_covar": trace.model.ridge_diagonal.tolist(),
        **stopping_fields(trace),
        "failed_component": None if failed is None else failed + 1,
        "iterations": [
            {
                "iteration": snapshot.iteration,
                "weights": snapshot.params.weights.tolist(),
                "means": snapshot.params.means.tolist(),
                "covariances": snapshot.params.full_covariances().tolist(),
                "log_likelihood": finite_number(snapshot.log_likelihood),
                "nk": None if snapshot.stats is None else snapshot.stats.tolist(),
            }
            for snapshot in trace.snapshots
        ],
    }
    if with_data:
        document["data"] = X.tolist()
    return document


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A trace file that passed :func:`read_trace`: the data, the settings, the start and
    the iterations the file records (to be checked by :func:`replay`).

    Attributes
    ----------
    X : array of shape (n_samples, n_features), or None
        None when the file has no data (:meth:`require_data` says so).
    n_samples : int
    columns : tuple of str
    model : GaussianMixture
        The covariance type and the ridge (resolved on ``X``, or the file's ``reg_covar``
        when it has no data).
    start : Initialisation
        θ_0 with how the file says it was chosen (method and seed).
    tol : float
    max_iter : int
    recorded : tuple of Snapshot
        The file's iterations.
    status : StopReason
        Why the file says the run stopped.
    failed_component : int or None
        The 0-based component the file says collapsed or emptied.
    """

    X: NDArray[np.float64] | None
    n_samples: int
    columns: tuple[str, ...]
    model: GaussianMixture
    start: Initialisation
    tol: float
    max_iter: int
    recorded: tuple[Snapshot, ...]
    status: StopReason
    failed_component: int | None

    @property
    def model_name(self) -> str:
        """The registered model whose run this is (:mod:`em_models.registry`)."""
        return registry.DEFAULT_MODEL

    @property
    def n_components(self) -> int:
        return self.start.params.n_components

    @property
    def n_iter(self) -> int:
        return len(self.recorded) - 1

    def require_data(self) -> NDArray[np.float64]:
        """The data; :class:`TraceFileError` naming the way to get them when the file has
        none."""
        if self.X is None:
            raise TraceFileError(NO_DATA)
        return self.X


def _symmetric_of_type(full: NDArray[np.float64], kind: str, where: str) -> NDArray[np.float64]:
    """The covariances stored as ``kind``, after checking that the full matrices are such
    matrices (symmetric; equal for tied; diagonal for diag; σ² I for spherical)."""
    size = float(np.abs(full).max(initial=0.0))
    tiny = 1e-12 * size
    if not np.all(np.abs(full - full.transpose(0, 2, 1)) <= tiny):
        raise TraceFileError(f"{where} must be symmetric matrices.")
    d = full.shape[1]
    off = full[:, ~np.eye(d, dtype=bool)]
    if kind == "tied" and not np.all(np.abs(full - full[0]) <= tiny):
        raise TraceFileError(f"{where}: 'tied' covariances must be one matrix for all components.")
    if kind in ("diag", "spherical") and not np.all(np.abs(off) <= tiny):
        raise TraceFileError(f"{where}: '{kind}' covariances must be diagonal matrices.")
    diagonals = np.diagonal(full, axis1=1, axis2=2)
    if kind == "spherical" and not np.all(np.abs(diagonals - diagonals[:, :1]) <= tiny):
        raise TraceFileError(f"{where}: 'spherical' covariances must be σ² times the identity.")
    # Spherical: the first diagonal entry, which the writer repeated exactly.
    return diagonals[:, 0].copy() if kind == "spherical" else from_full(full, kind)


def read_document(document: Any) -> PreparedRun:
    """The run of a Gaussian mixture in a parsed trace file, every field checked."""
    document = _fields(document, "The trace", TRACE_FIELDS, OPTIONAL_FIELDS)
    n_samples = _whole(document["n_samples"], "n_samples", low=1, high=MAX_ROWS)
    n_features = _whole(document["n_features"], "n_features", low=1, high=MAX_COLUMNS)
    n_components = _whole(document["n_components"], "n_components", low=1, high=n_samples)
    kind = document["covariance_type"]
    if kind not in COVARIANCE_TYPES:
        raise TraceFileError(
            f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; it is {_kind(kind)}"
            + (f" {kind[:40]!r}." if isinstance(kind, str) else ".")
        )
    columns = document["columns"]
    if not isinstance(columns, list) or len(columns) != n_features:
        raise TraceFileError(
            f"columns must be a list of {n_features} names; it is {_kind(columns)}."
        )
    columns = tuple(_text(name, f"columns[{j}]") for j, name in enumerate(columns))

    X = _data(document["data"], n_samples, n_features) if "data" in document else None

    init = _fields(document["init"], "init", ("method", "seed"))
    if init["method"] not in START_METHODS:
        raise TraceFileError(f"init.method must be one of {', '.join(START_METHODS)}.")
    seed = None if init["seed"] is None else _whole(init["seed"], "init.seed")

    reg_covar = _array(document["reg_covar"], "reg_covar", (n_features,))
    if np.any(reg_covar < 0):
        raise TraceFileError("reg_covar must be ≥ 0 for every column.")
    if document["ridge"] is None:
        if np.any(reg_covar != reg_covar[0]):
            raise TraceFileError(
                "reg_covar differs between columns, but ridge is null: a ridge in data units "
                "(reg_covar) is one amount for every column."
            )
        options = {"reg_covar": float(reg_covar[0])}
    else:
        options = {"ridge": _number(document["ridge"], "ridge")}
    model = _model(X, kind, reg_covar, options)

    tol = _number(document["tol"], "tol")
    n_iter = _whole(document["n_iter"], "n_iter")
    max_iter = _whole(document["max_iter"], "max_iter", low=n_iter)
    status_value = document["status"]
    if status_value not in tuple(reason.value for reason in StopReason):
        raise TraceFileError(
            "status must be one of " + ", ".join(reason.value for reason in StopReason) + "."
        )
    status = StopReason(status_value)
    if document["converged"] is not (status is StopReason.CONVERGED):
        raise TraceFileError("converged must be true exactly when status is 'converged'.")
    _text(document["message"], "message")
    failed = document["failed_component"]
    if failed is not None:
        failed = _whole(failed, "failed_component", low=1, high=n_components) - 1

    iterations = document["iterations"]
    if not isinstance(iterations, list) or len(iterations) != n_iter + 1:
        raise TraceFileError(
            f"iterations must be a list of n_iter + 1 = {n_iter + 1:,} entries; it is "
            f"{_kind(iterations)}."
        )
    recorded = tuple(
        _snapshot(entry, t, kind, n_components, n_features) for t, entry in enumerate(iterations)
    )
    first = recorded[0]
    start = Initialisation(init["method"], seed, first.params, first.stats)
    return PreparedRun(X, n_samples, columns, model, start, tol, max_iter, recorded, status, failed)


def _model(
    X: NDArray[np.float64] | None, kind: str, reg_covar: NDArray[np.float64], options: dict
) -> GaussianMixture:
    """The mixture's settings: the ridge resolved on the data and checked against the
    file's ``reg_covar``, or, with no data, the file's ``reg_covar`` as it is."""
    if X is None:
        return GaussianMixture(kind, reg_covar, options.get("ridge"))
    try:
        model = GaussianMixture.for_data(X, kind, **options)
    except ValueError as error:
        raise TraceFileError(f"ridge: {error}") from None
    if not np.allclose(model.ridge_diagonal, reg_covar, rtol=1e-9, atol=0.0):
        raise TraceFileError(
            "reg_covar is not ridge × each column's variance in data: the data are not "
            "those the run was fitted to."
        )
    return model


def _snapshot(entry: Any, t: int, kind: str, n_components: int, n_features: int) -> Snapshot:
    where = f"iterations[{t}]"
    entry = _fields(entry, where, ITERATION_FIELDS)
    if _whole(entry["iteration"], f"{where}.iteration") != t:
        raise TraceFileError(f"{where}.iteration must be {t}.")
    weights = _array(entry["weights"], f"{where}.weights", (n_components,))
    if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-9:
        raise TraceFileError(f"{where}.weights must be ≥ 0 and add up to 1.")
    means = _array(entry["means"], f"{where}.means", (n_components, n_features))
    full = _array(
        entry["covariances"], f"{where}.covariances", (n_components, n_features, n_features)
    )
    covariances = _symmetric_of_type(full, kind, f"{where}.covariances")
    log_likelihood = _number(entry["log_likelihood"], f"{where}.log_likelihood", low=None)
    nk = entry["nk"]
    if nk is not None:
        nk = _array(nk, f"{where}.nk", (n_components,))
        if np.any(nk < 0):
            raise TraceFileError(f"{where}.nk must be ≥ 0.")
    params = Parameters(weights, means, covariances, kind)
    return Snapshot(t, params, log_likelihood, nk)


def replay(run: PreparedRun, *, callback: Callable[[Snapshot], object] | None = None) -> Trace:
    """Run EM again from the file's start and settings, and check it against the file.

    Parameters
    ----------
    run : PreparedRun
    callback : callable, optional
        Given each snapshot once it has been checked (for a progress bar, or to stop).

    Returns
    -------
    Trace
        The engine's own run, equal to the file's iterations within :data:`REPLAY_RTOL`.

    Raises
    ------
    TraceFileError
        When the file has no data, the start cannot be used on the data, or an iteration,
        the number of iterations or the reason for stopping is not what EM gives.
    """
    recorded, X = run.recorded, run.require_data()
    span = np.ptp(X, axis=0)
    span[span == 0] = 1.0
    n = X.shape[0]

    def check(snapshot: Snapshot) -> None:
        t = snapshot.iteration
        if t >= len(recorded):
            raise TraceFileError(
                f"EM on these data goes on past iteration {run.n_iter}, where the file stops "
                f"({run.status.value}): the file does not follow from its data and settings."
            )
        _compare(recorded[t], snapshot, span, n)
        if callback is not None:
            callback(snapshot)

    try:
        trace = run_em(X, run.model, run.start, tol=run.tol, max_iter=run.max_iter, callback=check)
    except TraceFileError:
        raise
    except ValueError as error:  # the engine refused the start
        raise TraceFileError(f"The start (iterations[0]) cannot be used: {error}") from None
    if trace.n_iter != run.n_iter or trace.stop_reason is not run.status:
        raise TraceFileError(
            f"EM on these data stops after {trace.n_iter} iterations ({trace.stop_reason.value})"
            f", but the file records {run.n_iter} ({run.status.value})."
        )
    if failed_component(trace) != run.failed_component:
        raise TraceFileError("failed_component is not the component EM finds failing.")
    return trace


def _compare(recorded: Snapshot, computed: Snapshot, span: NDArray[np.float64], n: int) -> None:
    """Refuse ``recorded`` unless it is ``computed`` within :data:`REPLAY_RTOL` of each
    number's scale (the data's span for means, its square for covariances)."""
    a, b = recorded.params, computed.params
    pairs = [
        ("weights", a.weights, b.weights, 1.0),
        ("means", a.means, b.means, span),
        ("covariances", a.full_covariances(), b.full_covariances(), np.outer(span, span)),
        ("log_likelihood", recorded.log_likelihood, computed.log_likelihood, float(n)),
    ]
    if recorded.stats is not None or computed.stats is not None:
        if recorded.stats is None or computed.stats is None:
            raise TraceFileError(f"iterations[{recorded.iteration}].nk should not be null.")
        pairs.append(("nk", recorded.stats, computed.stats, 1.0))
    for name, mine, theirs, scale in pairs:
        check_replayed(f"iterations[{recorded.iteration}].{name}", mine, theirs, scale)


# The name the registry's ``trace`` part offers.
write = trace_to_json
