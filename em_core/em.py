"""The EM driver: runs any model through :class:`em_core.model.EMModel` and records the trace
of immutable snapshots.

Snapshot 0 holds the starting parameters θ_0; snapshot t holds the parameters after t
M-steps, the total log-likelihood ℓ(θ_t) = Σ_n log p(x_n | θ_t), and the ``stats`` the model's
M-step recorded about the expectations that produced them. The expectations themselves are
never stored: the model's E-step recomputes them for any snapshot, so the trace's memory does
not grow with the number of samples.

One iteration is an E-step (expectations and ℓ from θ_t) and an M-step (θ_{t+1} from them).
The run stops when the mean log-likelihood per sample changes by less than ``tol`` between
two snapshots (converged), at ``max_iter`` iterations, when a half-step overflows
(numerical), or when the model's check finds a degenerate state (failed; the trace up to
the last valid snapshot is kept).

This module knows no particular model; the Gaussian mixture is :mod:`em_models.mixture.engine`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.likelihood_change import Change, classify_change
from em_core.model import EMModel, Failure, Start, StopReason
from em_core.packing import pack

# Data spread beyond this cannot be squared in float64 without overflow.
MAX_ABS_VALUE = 1e150


_CHANGE_WORDS = {
    Change.INCREASE: "",
    Change.FLAT: " (float rounding: ℓ did not change)",
    Change.RIDGE_DECREASE: " (a decrease, caused by the ridge)",
    Change.NUMERICAL_DECREASE: " (a decrease: numerical trouble)",
}


def _iterations(n: int) -> str:
    return f"{n} iteration" + ("" if n == 1 else "s")


def convergence_change(before: float, after: float, n_samples: int) -> float:
    """|ℓ_after − ℓ_before| / N: the change the stopping rule compares with ``tol``.

    The one place this number is computed, so every message that quotes it agrees.
    """
    return abs(after - before) / n_samples


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The parameters after ``iteration`` M-steps, with their log-likelihood.

    Attributes
    ----------
    iteration : int
    params : the model's parameters
        θ_t, immutable (for a mixture, :class:`em_models.mixture.gaussian.Parameters`).
    log_likelihood : float
        Total log-likelihood ℓ(θ_t) of these parameters over all samples.
    stats : the model's stats, or None
        What the M-step that produced these parameters recorded about its expectations (for
        a mixture, the effective counts N_k, an array of shape (n_components,)); for θ_0, the
        start record's ``stats`` (None for user-given parameters).
    """

    iteration: int
    params: Any
    log_likelihood: float
    stats: Any = None

    def __post_init__(self) -> None:
        if isinstance(self.stats, np.ndarray) and self.stats.flags.writeable:
            stats = np.array(self.stats, dtype=np.float64)
            stats.setflags(write=False)
            object.__setattr__(self, "stats", stats)


class Snapshots(Sequence[Snapshot]):
    """A run's snapshots kept compactly: each parameter field, the log-likelihoods and the
    stats stacked over all iterations (see :mod:`em_core.packing`).

    ``snapshots[t]`` builds snapshot t afresh, its arrays read-only views of the stacked ones;
    two builds of one t are equal in every number but are not the same object.
    """

    def __init__(self, snapshots: Sequence[Snapshot]) -> None:
        if not snapshots:
            raise ValueError("A run has at least one snapshot.")
        self._length = len(snapshots)
        self._columns = tuple(
            pack([getattr(s, name) for s in snapshots])
            for name in ("iteration", "params", "log_likelihood", "stats")
        )

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int | slice) -> Any:  # a slice gives a tuple
        if isinstance(index, slice):
            return tuple(self[t] for t in range(*index.indices(self._length)))
        t = range(self._length)[index]  # negative indices; IndexError beyond the run
        return Snapshot(*(column[t] for column in self._columns))

    def __iter__(self) -> Iterator[Snapshot]:
        return (self[t] for t in range(self._length))

    def __repr__(self) -> str:
        return f"<{self._length} snapshots>"


@dataclass(frozen=True, eq=False)
class Trace:
    """A whole EM run: every snapshot, the model and its start, and why it stopped.

    Attributes
    ----------
    snapshots : sequence of Snapshot
        ``snapshots[t]`` is θ_t; there are ``n_iter + 1`` of them. A run keeps them as
        :class:`Snapshots`; any sequence will do (a tuple, in tests).
    model : EMModel
        The model and its settings (for a mixture,
        :class:`em_models.mixture.engine.GaussianMixture`,
        with its covariance type and ridge).
    start : Start
        The start record: θ_0 and how it was chosen (for a mixture,
        :class:`em_models.mixture.starts.Initialisation`).
    n_samples : int
    tol : float
    max_iter : int
    stop_reason : StopReason
    message : str
        One sentence for a person: why the run stopped.
    failure : Failure or None
        The degenerate state the model's check found, if that stopped the run.
    """

    snapshots: Sequence[Snapshot]
    model: EMModel
    start: Start
    n_samples: int
    tol: float
    max_iter: int
    stop_reason: StopReason
    message: str
    failure: Failure | None = None

    @property
    def n_iter(self) -> int:
        return len(self.snapshots) - 1

    def change(self, t: int) -> float:
        """The stopping rule's |ℓ_t − ℓ_{t−1}| / N between snapshots t − 1 and t."""
        before, after = self.snapshots[t - 1].log_likelihood, self.snapshots[t].log_likelihood
        return convergence_change(before, after, self.n_samples)

    @property
    def converged(self) -> bool:
        return self.stop_reason is StopReason.CONVERGED

    @property
    def failed(self) -> bool:
        return self.stop_reason in (
            StopReason.COLLAPSED,
            StopReason.EMPTIED,
            StopReason.NUMERICAL,
        )

    @property
    def final(self) -> Snapshot:
        return self.snapshots[-1]

    @property
    def log_likelihoods(self) -> NDArray[np.float64]:
        return np.array([s.log_likelihood for s in self.snapshots])


def as_data(X: ArrayLike) -> NDArray[np.float64]:
    """Check the data and return them as a float64 array of shape (n_samples, n_features).

    A 1-D array is read as one feature.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(
            f"The data must be a table of shape (n_samples, n_features); got shape {X.shape}."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("The data contain NaN or infinite values; remove or replace them.")
    with np.errstate(over="ignore", invalid="ignore"):  # the mean of ±1e308 overflows
        spread = np.abs(X - X.mean(axis=0)).max()
    if not spread <= MAX_ABS_VALUE:
        raise ValueError(
            f"The data run from {X.min():.3g} to {X.max():.3g}, too wide to square in double "
            "precision; rescale them (for example divide by a power of ten) and fit again."
        )
    return X


def check_stopping(tol: float, max_iter: int) -> None:
    """Refuse a ``tol`` or ``max_iter`` the stopping rule cannot use, in words."""
    StoppingRule(tol, max_iter)


@dataclass(frozen=True)
class StoppingRule:
    """When a run stops: at ``max_iter`` iterations, or when the mean log-likelihood per
    observation changed by less than ``tol`` between two snapshots.

    ``decide`` is asked after each E-step, which measures ℓ of the parameters just made; it
    returns the reason and the sentence for a person, or None to go on.
    """

    tol: float
    max_iter: int

    def __post_init__(self) -> None:
        if not np.isfinite(self.tol) or self.tol < 0:
            raise ValueError(f"tol must be ≥ 0; got {self.tol!r}.")
        if not isinstance(self.max_iter, int | np.integer) or self.max_iter < 0:
            raise ValueError(f"max_iter must be a whole number ≥ 0; got {self.max_iter!r}.")

    def decide(
        self, iteration: int, lls: list[float], n_observations: int, penalised: bool
    ) -> tuple[StopReason, str] | None:
        """Whether to stop once ℓ(θ_iteration) = ``lls[-1]`` is known."""
        if iteration > 0:
            before, after = lls[-2], lls[-1]
            change = convergence_change(before, after, n_observations)
            if change < self.tol:
                kind = classify_change(before, after, n_observations, penalised)
                return StopReason.CONVERGED, (
                    f"Converged after {_iterations(iteration)}: E-step {iteration + 1} "
                    "checked the final parameters and found that the mean log-likelihood "
                    f"per point changed by {change:.2g}{_CHANGE_WORDS[kind]}, less than "
                    f"tol = {self.tol:g}."
                )
        if iteration == self.max_iter:
            return StopReason.MAX_ITER, (
                f"Stopped at the iteration limit (max_iter = {self.max_iter}) without "
                f"converging; E-step {iteration + 1} measured the final parameters."
            )
        return None


def run_em(
    X: ArrayLike,
    model: EMModel,
    start: Start,
    *,
    tol: float = 1e-3,
    max_iter: int = 100,
    callback: Callable[[Snapshot], object] | None = None,
) -> Trace:
    """Run EM on ``model`` from ``start.params`` and record every iteration.

    Parameters
    ----------
    X : the data, in the form the model reads
        For the mixture and probabilistic PCA an array of shape (n_samples, n_features);
        ``model.prepare`` checks them.
    model : EMModel
        The model and its settings (see :mod:`em_core.model`).
    start : Start
        θ_0 as ``start.params`` and its ``stats``; kept in the trace.
    tol : float, default 1e-3
        Stop when the mean log-likelihood per sample changes by less than this.
    max_iter : int, default 100
        The most iterations (E-step plus M-step) to run; 0 records the start alone.
    callback : callable, optional
        Called as ``callback(snapshot)`` with each snapshot as soon as it is recorded (θ_0
        first), between iterations. An exception it raises stops the run there and
        propagates: no trace is returned, so a caller can stop a long fit (a page that
        was closed, a Stop button) without leaving half a run anywhere.

    Returns
    -------
    Trace

    Raises
    ------
    ValueError
        For unusable data, ``tol`` or ``max_iter``, or a start the model refuses (with the
        model's sentence saying why).
    """
    rule = StoppingRule(tol, max_iter)
    data = model.prepare(X)
    n_observations = model.n_observations(data)
    snapshots: list[Snapshot] = []
    params, stats = start.params, start.stats
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for iteration in itertools.count():
            try:
                expectations, log_likelihood = _e_step(model, data, params, iteration)
                snapshots.append(Snapshot(iteration, params, log_likelihood, stats))
                if callback is not None:
                    callback(snapshots[-1])
                lls = [snapshot.log_likelihood for snapshot in snapshots[-2:]]
                stop = rule.decide(iteration, lls, n_observations, bool(model.penalised))
                if stop is not None:
                    raise _Stopped(*stop)
                params, stats = _m_step(model, data, expectations, iteration + 1)
            except _Stopped as stopped:
                reason, message, failure = stopped.args
                break
    return Trace(
        snapshots=Snapshots(snapshots),
        model=model,
        start=start,
        n_samples=n_observations,
        tol=float(tol),
        max_iter=int(max_iter),
        stop_reason=reason,
        message=message,
        failure=failure,
    )


class _Stopped(Exception):
    """The run stops here: ``args`` are the reason, its sentence and the model's
    :class:`Failure` (or None)."""

    def __init__(self, reason: StopReason, message: str, failure: Failure | None = None):
        super().__init__(reason, message, failure)


def _e_step(model: EMModel, data: Any, params: Any, iteration: int) -> tuple[Any, float]:
    """The model's E-step on θ_iteration; before the first, the model's check of the start.

    A start the model refuses raises ``ValueError`` with its sentence; a later E-step that
    overflows or cannot factorise raises :class:`_Stopped`.
    """
    try:
        if iteration == 0:
            problem = model.start_problem(data, params, None)
            if problem is not None:
                raise ValueError(problem)
        return model.e_step(data, params)
    except (np.linalg.LinAlgError, FloatingPointError) as error:
        if iteration == 0:
            raise ValueError(model.start_problem(data, params, error)) from None
        raise _Stopped(
            StopReason.NUMERICAL,
            f"The E-step on the parameters of iteration {iteration} overflowed; "
            "the run stopped there.",
        ) from None


def _m_step(model: EMModel, data: Any, expectations: Any, iteration: int) -> tuple[Any, Any]:
    """The model's M-step of ``iteration`` and its check of the new parameters; raises
    :class:`_Stopped` when it overflows or the check finds a degenerate state."""
    try:
        params, stats = model.m_step(data, expectations)
    except FloatingPointError:
        raise _Stopped(
            StopReason.NUMERICAL, f"The M-step of iteration {iteration} overflowed; run stopped."
        ) from None
    failure = model.check(data, params, stats, iteration)
    if failure is not None:
        raise _Stopped(failure.reason, failure.message, failure)
    return params, stats
