"""The EM loop, and the trace of immutable snapshots it records.

Snapshot 0 holds the initial parameters; snapshot t holds the parameters after t M-steps,
the total log-likelihood ℓ(θ_t) = Σ_n log Σ_k π_k N(x_n | μ_k, Σ_k) of those parameters,
and the effective counts N_k of the E-step whose responsibilities produced them.
Responsibilities are never stored: :func:`e_step` recomputes them for any snapshot, so the
trace's memory does not grow with the number of samples.

One iteration is an E-step (responsibilities from θ_t) and an M-step (θ_{t+1} from them).
The run stops when the mean log-likelihood per sample changes by less than ``tol`` between
two snapshots (converged), at ``max_iter`` iterations, or when a component collapses or
empties (failed; the trace up to the last valid snapshot is kept).

The ridge, added to every covariance's diagonal in each M-step, is by default relative:
``ridge`` times each feature's variance, so the same data in other units get the same
answer. scikit-learn's absolute form, ``reg_covar`` in squared data units, is available
instead. Every other threshold (collapse, emptiness) is scale-free too.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.gaussian import (
    Parameters,
    check_covariance_type,
    estimate_parameters,
    normalise_log_prob,
    robust_scale,
    smallest_variances,
    variance_floor,
    weighted_log_prob,
    whitening,
)
from em_core.init import Initialisation, KMeansStep, initialise, resolve_ridge
from em_core.likelihood_change import Change, classify_change

# A component whose effective count N_k falls below this has emptied: its mean would be
# 0/0. A millionth of a sample is no sample at all.
EMPTY_NK = 1e-6
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


class StopReason(enum.StrEnum):
    """Why a run stopped."""

    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    COLLAPSED = "collapsed"
    EMPTIED = "emptied"
    NUMERICAL = "numerical"


@dataclass(frozen=True, eq=False)
class Snapshot(Parameters):
    """The parameters after ``iteration`` M-steps, with their log-likelihood.

    Attributes
    ----------
    iteration : int
    log_likelihood : float
        Total log-likelihood ℓ(θ) of these parameters over all samples.
    nk : array of shape (n_components,) or None
        Effective counts N_k of the responsibilities that produced these parameters; None
        for user-given starting parameters.
    """

    iteration: int
    log_likelihood: float
    nk: NDArray[np.float64] | None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.nk is not None:
            nk = np.array(self.nk, dtype=np.float64)
            nk.setflags(write=False)
            object.__setattr__(self, "nk", nk)


@dataclass(frozen=True, eq=False)
class Trace:
    """A whole EM run: every snapshot, the settings, and why it stopped.

    Attributes
    ----------
    snapshots : tuple of Snapshot
        ``snapshots[t]`` is θ_t; there are ``n_iter + 1`` of them.
    init : Initialisation
        How θ_0 was chosen (with the K-means steps, if K-means chose it).
    n_samples : int
    ridge_diagonal : array of shape (n_features,)
        What each M-step added to each feature's variance, in squared data units.
    ridge : float or None
        The relative ridge (a fraction of each feature's variance), or None when the
        absolute ``reg_covar`` was given.
    tol : float
    max_iter : int
    stop_reason : StopReason
    message : str
        One sentence for a person: why the run stopped.
    failed_component : int or None
        The component that collapsed or emptied, if the run failed.
    """

    snapshots: tuple[Snapshot, ...]
    init: Initialisation
    n_samples: int
    ridge_diagonal: NDArray[np.float64]
    ridge: float | None
    tol: float
    max_iter: int
    stop_reason: StopReason
    message: str
    failed_component: int | None = None

    def __post_init__(self) -> None:
        diagonal = np.array(self.ridge_diagonal, dtype=np.float64)
        diagonal.setflags(write=False)
        object.__setattr__(self, "ridge_diagonal", diagonal)

    @property
    def n_iter(self) -> int:
        return len(self.snapshots) - 1

    @property
    def reg_covar(self) -> float:
        """The largest amount the ridge added to a variance (in 1-D, the amount)."""
        return float(self.ridge_diagonal.max())

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
    def covariance_type(self) -> str:
        return self.final.covariance_type

    @property
    def log_likelihoods(self) -> NDArray[np.float64]:
        return np.array([s.log_likelihood for s in self.snapshots])


@dataclass(frozen=True, eq=False)
class EStep:
    """Responsibilities of one set of parameters.

    Attributes
    ----------
    resp : array of shape (n_samples, n_components)
        r_nk, each row sums to one.
    nk : array of shape (n_components,)
    log_likelihood : float
        Total log-likelihood of the parameters the E-step used.
    """

    resp: NDArray[np.float64]
    nk: NDArray[np.float64]
    log_likelihood: float


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
    spread = np.abs(X - X.mean(axis=0)).max()
    if spread > MAX_ABS_VALUE:
        raise ValueError(
            f"The data spread over about {spread:.0e}, too wide to square in double precision; "
            "rescale them (for example divide by a power of ten) and fit again."
        )
    return X


def _e_step(XT: NDArray[np.float64], params: Parameters) -> tuple[NDArray[np.float64], float]:
    """Responsibilities (n_components, n_samples) and total log-likelihood of ``params``."""
    weighted = weighted_log_prob(XT, params, whitening(params))
    return normalise_log_prob(weighted)


def e_step(X: ArrayLike, params: Parameters) -> EStep:
    """The E-step: r_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters (a Snapshot is one)

    Returns
    -------
    EStep
    """
    XT = np.ascontiguousarray(as_data(X).T)
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        resp, log_likelihood = _e_step(XT, params)
    return EStep(resp.T, resp.sum(axis=1), log_likelihood)


def m_step(
    X: ArrayLike, resp: ArrayLike, covariance_type: str, reg_covar: ArrayLike = 1e-6
) -> tuple[Parameters, NDArray[np.float64]]:
    """The M-step: weighted means, covariances (plus ``reg_covar`` on the diagonal), weights.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float or array of shape (n_features,), default 1e-6
        Added to the diagonal, in squared data units (one amount per feature, or one for all).

    Returns
    -------
    params : Parameters
    nk : array of shape (n_components,)
    """
    check_covariance_type(covariance_type)
    XT = np.ascontiguousarray(as_data(X).T)
    resp_T = np.ascontiguousarray(np.asarray(resp, dtype=np.float64).T)
    if resp_T.shape[1] != XT.shape[1]:
        raise ValueError(f"resp has {resp_T.shape[1]} rows but X has {XT.shape[1]} samples.")
    return estimate_parameters(XT, resp_T, covariance_type, reg_covar)


def _check_options(n_components: int, n_samples: int, tol: float, max_iter: int) -> None:
    if not isinstance(n_components, int | np.integer) or n_components < 1:
        raise ValueError(f"n_components must be a whole number ≥ 1; got {n_components!r}.")
    if n_components > n_samples:
        raise ValueError(
            f"n_components={n_components} is more than the {n_samples} samples; "
            "choose fewer components or give more data."
        )
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be ≥ 0; got {tol!r}.")
    if not isinstance(max_iter, int | np.integer) or max_iter < 0:
        raise ValueError(f"max_iter must be a whole number ≥ 0; got {max_iter!r}.")


def _failure(
    params: Parameters, nk: NDArray[np.float64], scale: NDArray[np.float64], iteration: int
) -> tuple[StopReason, int, str] | None:
    """Why the parameters from the M-step of ``iteration`` cannot be used, or None."""
    empty = np.flatnonzero(nk < EMPTY_NK)
    if empty.size:
        k = int(empty[0])
        return (
            StopReason.EMPTIED,
            k,
            f"Component {k + 1} lost all its points in the M-step of iteration {iteration} "
            f"(N_{k + 1} = {nk[k]:.2g}); try fewer components or another start.",
        )
    small = smallest_variances(params)
    bad = np.flatnonzero(~(small > variance_floor(params.means, scale)))
    if bad.size:
        k = int(bad[0])
        return (
            StopReason.COLLAPSED,
            k,
            f"Component {k + 1} collapsed in the M-step of iteration {iteration}: its variance "
            f"shrank to {max(small[k], 0.0):.2g}, so the likelihood could grow without bound. "
            "Add a ridge, use fewer components, or start elsewhere.",
        )
    return None


def _bad_start(params: Parameters, scale: NDArray[np.float64], error: Exception | None) -> str:
    """What is wrong with starting parameters the first E-step could not use, in words."""
    small = smallest_variances(params)
    floor = variance_floor(params.means, scale)
    low = np.flatnonzero(~(small > floor))
    if low.size:
        k = int(low[0])
        if small[k] <= 0:
            return (
                f"The starting covariance of component {k + 1} is not positive definite (its "
                f"smallest variance is {small[k]:.2g}); give each component a positive "
                "variance or add a ridge."
            )
        return (
            f"The starting covariance of component {k + 1} is too small to compute with: its "
            f"smallest variance, {small[k]:.2g}, is below {floor[k]:.2g}, the least that double "
            "precision resolves for these data; start with a larger variance or add a ridge."
        )
    if isinstance(error, np.linalg.LinAlgError):
        return (
            "The starting covariances are not positive definite; give each component a "
            "positive variance or add a ridge."
        )
    return (
        "The E-step on the starting parameters overflowed: the starting means or covariances "
        "are too far from the scale of the data (their largest mean is "
        f"{np.abs(params.means).max():.2g}, their largest variance "
        f"{np.abs(params.covariances).max():.2g}); start nearer the data."
    )


def run_em(
    X: ArrayLike,
    init: Initialisation,
    *,
    tol: float = 1e-3,
    ridge: float | None = None,
    reg_covar: float | None = None,
    max_iter: int = 100,
    callback: Callable[[Snapshot], object] | None = None,
) -> Trace:
    """Run EM from the initial parameters in ``init`` and record every iteration.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init : Initialisation
        From :func:`em_core.init.initialise`.
    tol : float, default 1e-3
        Stop when the mean log-likelihood per sample changes by less than this.
    ridge : float, optional
        The relative ridge: each M-step adds ``ridge`` times each feature's variance to that
        feature's variance in every covariance. The default, 1e-6, applies when neither
        ``ridge`` nor ``reg_covar`` is given; 0 means plain EM.
    reg_covar : float, optional
        scikit-learn's absolute ridge instead, in squared data units (give one of the two).
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
    """
    X = as_data(X)
    n_samples = X.shape[0]
    _check_options(init.params.n_components, n_samples, tol, max_iter)
    diagonal, relative = resolve_ridge(X, ridge=ridge, reg_covar=reg_covar)
    XT = np.ascontiguousarray(X.T)
    scale = robust_scale(X)
    snapshots: list[Snapshot] = []
    params, nk = init.params, init.nk
    reason, failed, message = StopReason.MAX_ITER, None, ""
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for iteration in range(max_iter + 1):
            try:
                # A start that is singular up to rounding (the covariance of collinear data
                # with no ridge) can pass Cholesky by luck and record a meaningless ℓ: judge
                # it by the same floor as every M-step.
                floor = variance_floor(params.means, scale)
                if iteration == 0 and not np.all(smallest_variances(params) > floor):
                    raise ValueError(_bad_start(params, scale, None))
                resp, log_likelihood = _e_step(XT, params)
            except (np.linalg.LinAlgError, FloatingPointError) as error:
                if iteration == 0:
                    raise ValueError(_bad_start(params, scale, error)) from None
                reason = StopReason.NUMERICAL
                message = (
                    f"The E-step on the parameters of iteration {iteration} overflowed; "
                    "the run stopped there."
                )
                break
            snapshots.append(
                Snapshot(
                    params.weights,
                    params.means,
                    params.covariances,
                    params.covariance_type,
                    iteration,
                    log_likelihood,
                    nk,
                )
            )
            if callback is not None:
                callback(snapshots[-1])
            if iteration > 0:
                before = snapshots[-2].log_likelihood
                change = convergence_change(before, log_likelihood, n_samples)
                if change < tol:
                    kind = classify_change(
                        before, log_likelihood, n_samples, bool(np.any(diagonal > 0))
                    )
                    reason = StopReason.CONVERGED
                    message = (
                        f"Converged after {_iterations(iteration)}: E-step {iteration + 1} "
                        "checked the final parameters and found that the mean log-likelihood "
                        f"per point changed by {change:.2g}{_CHANGE_WORDS[kind]}, less than "
                        f"tol = {tol:g}."
                    )
                    break
            if iteration == max_iter:
                message = (
                    f"Stopped at the iteration limit (max_iter = {max_iter}) without "
                    f"converging; E-step {iteration + 1} measured the final parameters."
                )
                break
            try:
                new_params, nk = estimate_parameters(XT, resp, params.covariance_type, diagonal)
            except FloatingPointError:
                reason = StopReason.NUMERICAL
                message = f"The M-step of iteration {iteration + 1} overflowed; run stopped."
                break
            problem = _failure(new_params, nk, scale, iteration + 1)
            if problem is not None:
                reason, failed, message = problem
                break
            params = new_params
    return Trace(
        snapshots=tuple(snapshots),
        init=init,
        n_samples=n_samples,
        ridge_diagonal=diagonal,
        ridge=relative,
        tol=float(tol),
        max_iter=int(max_iter),
        stop_reason=reason,
        message=message,
        failed_component=failed,
    )


def fit(
    X: ArrayLike,
    n_components: int,
    *,
    covariance_type: str = "full",
    init: str = "kmeans",
    params: Parameters | None = None,
    rng: np.random.Generator | int | None = 0,
    tol: float = 1e-3,
    ridge: float | None = None,
    reg_covar: float | None = None,
    max_iter: int = 100,
    callback: Callable[[Snapshot | KMeansStep], object] | None = None,
) -> Trace:
    """Fit a Gaussian mixture by EM and return the whole trace.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}, default "full"
    init : {"kmeans", "k-means++", "random", "random_from_data", "given"}, default "kmeans"
        How to choose θ_0; "given" takes ``params``.
    params : Parameters, optional
        Starting parameters for ``init="given"``.
    rng : numpy.random.Generator or int or None, default 0
        Randomness for the initialisation; an int seeds a new Generator.
    tol, ridge, reg_covar, max_iter, callback : see :func:`run_em` (by default a relative
        ridge of 1e-6 of each feature's variance). The callback also sees each step of a
        K-means start (a :class:`em_core.init.KMeansStep`), so a long start can be stopped too.

    Returns
    -------
    Trace
    """
    X = as_data(X)
    check_covariance_type(covariance_type)
    _check_options(n_components, X.shape[0], tol, max_iter)
    start = initialise(
        X,
        n_components,
        method=init,
        covariance_type=covariance_type,
        ridge=ridge,
        reg_covar=reg_covar,
        rng=rng,
        params=params,
        callback=callback,
    )
    return run_em(
        X,
        start,
        tol=tol,
        ridge=ridge,
        reg_covar=reg_covar,
        max_iter=max_iter,
        callback=callback,
    )
