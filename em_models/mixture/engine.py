"""The Gaussian mixture as an EM model: :class:`GaussianMixture` implements
:class:`em_core.model.EMModel`, and :func:`fit` fits one from a chosen start.

The parameters are :class:`em_models.mixture.gaussian.Parameters` θ = {π_k, μ_k, Σ_k}. The
model's E-step computes the responsibilities r_nk and hands the M-step their sufficient
statistics (:class:`em_models.mixture.gaussian.Statistics`: N_k, the weighted means x̄_k and
the scatter S_k about them), whose size does not grow with the data; the M-step only turns
them into parameters. Each snapshot's ``stats`` are the effective counts N_k = Σ_n r_nk of
the E-step that produced its parameters. A run's start record is an
:class:`em_models.mixture.starts.Initialisation`. The module's own :func:`e_step` and
:func:`m_step` work with the responsibilities themselves, for the views that show them.

The ridge, added to every covariance's diagonal in each M-step, is by default relative:
``ridge`` times each feature's variance, so the same data in other units get the same
answer. scikit-learn's absolute form, ``reg_covar`` in squared data units, is available
instead. Every other threshold (collapse, emptiness) is scale-free too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core import em
from em_core.em import Snapshot, Trace, as_data, check_stopping
from em_core.model import Failure, StopReason
from em_models.mixture.gaussian import (
    Parameters,
    Statistics,
    check_covariance_type,
    estimate_parameters,
    maximise,
    normalise_log_prob,
    robust_scale,
    smallest_variances,
    sufficient_statistics,
    variance_floor,
    weighted_log_prob,
    whitening,
)
from em_models.mixture.starts import KMeansStep, initialise, resolve_ridge

# A component whose effective count N_k falls below this has emptied: its mean would be
# 0/0. A millionth of a sample is no sample at all.
EMPTY_NK = 1e-6


@dataclass(frozen=True)
class _Data:
    """The data as the half-steps use them: transposed, and each feature's robust spread."""

    XT: NDArray[np.float64]  # (n_features, n_samples), C-contiguous
    scale: NDArray[np.float64]  # (n_features,)


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A Gaussian mixture's settings, the model :func:`em_core.em.run_em` fits.

    Attributes
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}
    ridge_diagonal : array of shape (n_features,)
        What each M-step adds to each feature's variance, in squared data units.
    ridge : float or None
        The relative ridge (a fraction of each feature's variance) that gave
        ``ridge_diagonal``, or None when the absolute ``reg_covar`` was given.
    """

    covariance_type: str
    ridge_diagonal: NDArray[np.float64]
    ridge: float | None = None
    name: ClassVar[str] = "Gaussian mixture"

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        diagonal = np.array(self.ridge_diagonal, dtype=np.float64)
        diagonal.setflags(write=False)
        object.__setattr__(self, "ridge_diagonal", diagonal)

    @classmethod
    def for_data(
        cls,
        X: ArrayLike,
        covariance_type: str = "full",
        *,
        ridge: float | None = None,
        reg_covar: float | None = None,
    ) -> GaussianMixture:
        """The model for these data, the ridge resolved as
        :func:`em_models.mixture.starts.resolve_ridge`
        does (a relative ridge of 1e-6 when neither ``ridge`` nor ``reg_covar`` is given)."""
        diagonal, relative = resolve_ridge(as_data(X), ridge=ridge, reg_covar=reg_covar)
        return cls(covariance_type, diagonal, relative)

    @property
    def reg_covar(self) -> float:
        """The largest amount the ridge adds to a variance (in 1-D, the amount)."""
        return float(self.ridge_diagonal.max())

    @property
    def penalised(self) -> bool:
        return bool(np.any(self.ridge_diagonal > 0))

    def prepare(self, X: ArrayLike) -> _Data:
        X = as_data(X)
        return _Data(np.ascontiguousarray(X.T), robust_scale(X))

    def n_observations(self, data: _Data) -> int:
        return data.XT.shape[1]

    def e_step(self, data: _Data, params: Parameters) -> tuple[Statistics, float]:
        """The sufficient statistics of the responsibilities under ``params``, and ℓ(params)."""
        resp, log_likelihood = _e_step(data.XT, params)
        return sufficient_statistics(data.XT, resp, self.covariance_type), log_likelihood

    def m_step(self, data: _Data, stats: Statistics) -> tuple[Parameters, NDArray[np.float64]]:
        """θ from the statistics alone (no pass over the data), and the counts N_k."""
        return maximise(stats, self.ridge_diagonal)

    def check(
        self, data: _Data, params: Parameters, nk: NDArray[np.float64], iteration: int
    ) -> Failure | None:
        """An emptied or collapsed component in the M-step of ``iteration``, or None."""
        empty = np.flatnonzero(nk < EMPTY_NK)
        if empty.size:
            k = int(empty[0])
            return Failure(
                StopReason.EMPTIED,
                f"Component {k + 1} lost all its points in the M-step of iteration {iteration} "
                f"(N_{k + 1} = {nk[k]:.2g}); try fewer components or another start.",
                k,
            )
        small = smallest_variances(params)
        bad = np.flatnonzero(~(small > variance_floor(params.means, data.scale)))
        if bad.size:
            k = int(bad[0])
            return Failure(
                StopReason.COLLAPSED,
                f"Component {k + 1} collapsed in the M-step of iteration {iteration}: its "
                f"variance shrank to {max(small[k], 0.0):.2g}, so the likelihood could grow "
                "without bound. Add a ridge, use fewer components, or start elsewhere.",
                k,
            )
        return None

    def start_problem(self, data: _Data, params: Parameters, error: Exception | None) -> str | None:
        """What is wrong with starting parameters, in words, or None.

        A start that is singular up to rounding (the covariance of collinear data with no
        ridge) can pass Cholesky by luck and record a meaningless ℓ: it is judged by the
        same floor as every M-step.
        """
        n_samples = data.XT.shape[1]
        if params.n_components > n_samples:
            return _too_many(params.n_components, n_samples)
        small = smallest_variances(params)
        floor = variance_floor(params.means, data.scale)
        low = np.flatnonzero(~(small > floor))
        if low.size:
            k = int(low[0])
            if small[k] <= 0:
                return (
                    f"The starting covariance of component {k + 1} is not positive definite "
                    f"(its smallest variance is {small[k]:.2g}); give each component a "
                    "positive variance or add a ridge."
                )
            return (
                f"The starting covariance of component {k + 1} is too small to compute with: "
                f"its smallest variance, {small[k]:.2g}, is below {floor[k]:.2g}, the least "
                "that double precision resolves for these data; start with a larger variance "
                "or add a ridge."
            )
        if error is None:
            return None
        if isinstance(error, np.linalg.LinAlgError):
            return (
                "The starting covariances are not positive definite; give each component a "
                "positive variance or add a ridge."
            )
        return (
            "The E-step on the starting parameters overflowed: the starting means or "
            "covariances are too far from the scale of the data (their largest mean is "
            f"{np.abs(params.means).max():.2g}, their largest variance "
            f"{np.abs(params.covariances).max():.2g}); start nearer the data."
        )


def failed_component(trace: Trace) -> int | None:
    """The component (0-based) that collapsed or emptied, if that stopped the run."""
    return None if trace.failure is None else trace.failure.part


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


def _e_step(XT: NDArray[np.float64], params: Parameters) -> tuple[NDArray[np.float64], float]:
    """Responsibilities (n_components, n_samples) and total log-likelihood of ``params``."""
    weighted = weighted_log_prob(XT, params, whitening(params))
    return normalise_log_prob(weighted)


def e_step(X: ArrayLike, params: Parameters) -> EStep:
    """The E-step: r_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters (a snapshot's are ``snapshot.params``)

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


def _too_many(n_components: int, n_samples: int) -> str:
    return (
        f"n_components={n_components} is more than the {n_samples} samples; "
        "choose fewer components or give more data."
    )


def _check_n_components(n_components: int, n_samples: int) -> None:
    if not isinstance(n_components, int | np.integer) or n_components < 1:
        raise ValueError(f"n_components must be a whole number ≥ 1; got {n_components!r}.")
    if n_components > n_samples:
        raise ValueError(_too_many(n_components, n_samples))


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
    tol, max_iter, callback : see :func:`em_core.em.run_em`. The callback also sees each
        step of a K-means start (a :class:`em_models.mixture.starts.KMeansStep`), so a long start
        can
        be stopped too.
    ridge : float, optional
        The relative ridge: each M-step adds ``ridge`` times each feature's variance to that
        feature's variance in every covariance. The default, 1e-6, applies when neither
        ``ridge`` nor ``reg_covar`` is given; 0 means plain EM.
    reg_covar : float, optional
        scikit-learn's absolute ridge instead, in squared data units (give one of the two).

    Returns
    -------
    Trace
        Its ``model`` is the :class:`GaussianMixture`, its ``start`` the
        :class:`em_models.mixture.starts.Initialisation`.
    """
    X = as_data(X)
    check_covariance_type(covariance_type)
    _check_n_components(n_components, X.shape[0])
    check_stopping(tol, max_iter)
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
    model = GaussianMixture.for_data(X, covariance_type, ridge=ridge, reg_covar=reg_covar)
    # Through the module, so a test can watch every run the app starts.
    return em.run_em(X, model, start, tol=tol, max_iter=max_iter, callback=callback)
