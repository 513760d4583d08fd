"""Why EM climbs: the lower bound each E-step builds, and the log-likelihood along the means.

For any responsibilities r (each row summing to one) and any parameters θ,

    ℓ(θ) = Σ_n log Σ_k π_k N(x_n | μ_k, Σ_k)
         ≥ L(θ; r) = Σ_n Σ_k r_nk log(π_k N(x_n | μ_k, Σ_k)) − Σ_n Σ_k r_nk log r_nk,

by Jensen's inequality (log is concave), with equality when r is the E-step of θ. The
M-step maximises L(·; r) over θ, so ℓ(θ_new) ≥ L(θ_new; r) ≥ L(θ; r) = ℓ(θ).

Here only the means move; weights and covariances stay as given. ``means`` arrays of shape
(n_values, n_components, n_features) hold one set of means per row, so ℓ and L can be drawn
along a line or over a grid in one call. Names as in :mod:`em_models.mixture.gaussian`: π_k →
``weights[k]``, μ_k → ``means[k]``, Σ_k → ``covariances[k]``, r_nk → ``resp[n, k]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import as_data, convergence_change
from em_models.mixture.engine import e_step, m_step
from em_models.mixture.gaussian import LOG_2PI, Parameters

# A path whose means leave the data by more than this many data spreads has diverged.
DIVERGED_SPREADS = 1e3


@dataclass(frozen=True, eq=False)
class _Held:
    """What stays fixed while only the means move: the weights and covariances, factored."""

    inverse_chol: NDArray[np.float64]  # L_k⁻¹ with Σ_k = L_k L_kᵀ, (K, d, d)
    precision: NDArray[np.float64]  # Σ_k⁻¹, (K, d, d)
    const: NDArray[np.float64]  # log π_k − ½ log|Σ_k| − d/2 log 2π, (K,)


def _held(params: Parameters) -> _Held:
    chol = np.linalg.cholesky(params.full_covariances())
    inverse = np.linalg.solve(chol, np.broadcast_to(np.eye(params.n_features), chol.shape))
    half_log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    const = np.log(params.weights) - half_log_det - 0.5 * params.n_features * LOG_2PI
    return _Held(inverse, np.einsum("kji,kjl->kil", inverse, inverse), const)


def _log_joint(X: NDArray[np.float64], held: _Held, means: NDArray[np.float64]):
    """log π_k + log N(x_n | μ_k, Σ_k) for each set of means: shape (n_values, n_samples, K)."""
    diff = X[None, :, None, :] - means[:, None, :, :]  # (m, n, K, d)
    # y = L_k⁻¹ (x_n − μ_k), so |y|² = (x_n − μ_k)ᵀ Σ_k⁻¹ (x_n − μ_k)
    y = np.einsum("kij,mnkj->mnki", held.inverse_chol, diff)
    return held.const - 0.5 * np.square(y).sum(axis=-1)


def _log_sum_exp(joint: NDArray[np.float64]) -> NDArray[np.float64]:
    """log Σ_k exp(joint) over the last axis, without overflow."""
    largest = joint.max(axis=-1, keepdims=True)
    return np.log(np.exp(joint - largest).sum(axis=-1)) + largest[..., 0]


def _as_means(params: Parameters, means: ArrayLike) -> NDArray[np.float64]:
    means = np.asarray(means, dtype=np.float64)
    if means.ndim == 2:
        means = means[None]
    if means.shape[1:] != params.means.shape:
        raise ValueError(
            f"means must have shape (n_values, {params.n_components}, {params.n_features}); "
            f"got {means.shape}."
        )
    return means


def log_likelihood_of_means(
    X: ArrayLike, params: Parameters, means: ArrayLike
) -> NDArray[np.float64]:
    """ℓ for each set of means, the weights and covariances of ``params`` held.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters
        Gives the weights and covariances.
    means : array-like of shape (n_values, n_components, n_features)

    Returns
    -------
    array of shape (n_values,)
    """
    joint = _log_joint(as_data(X), _held(params), _as_means(params, means))
    return _log_sum_exp(joint).sum(axis=-1)


def bound_of_means(
    X: ArrayLike, params: Parameters, resp: ArrayLike, means: ArrayLike
) -> NDArray[np.float64]:
    """The lower bound L(θ; r) for each set of means, r and the rest of ``params`` held.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters
        Gives the weights and covariances.
    resp : array-like of shape (n_samples, n_components)
        The responsibilities r that build the bound (rows sum to one).
    means : array-like of shape (n_values, n_components, n_features)

    Returns
    -------
    array of shape (n_values,)
    """
    resp = np.asarray(resp, dtype=np.float64)
    joint = _log_joint(as_data(X), _held(params), _as_means(params, means))
    return (resp * joint).sum(axis=(-1, -2)) + entropy(resp)


def entropy(resp: ArrayLike) -> float:
    """−Σ_n Σ_k r_nk log r_nk, with 0 · log 0 = 0."""
    resp = np.asarray(resp, dtype=np.float64)
    positive = resp[resp > 0]
    return float(-(positive * np.log(positive)).sum())


def lower_bound(X: ArrayLike, params: Parameters, resp: ArrayLike) -> float:
    """L(θ; r) = Σ_n Σ_k r_nk log(π_k N(x_n | μ_k, Σ_k)) − Σ_n Σ_k r_nk log r_nk.

    The expected complete-data log-likelihood plus the entropy of the responsibilities. It is
    at most ℓ(θ) for any r, and equals ℓ(θ) when r is the E-step of θ.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters
    resp : array-like of shape (n_samples, n_components)

    Returns
    -------
    float
    """
    return float(bound_of_means(X, params, resp, params.means)[0])


def with_means(params: Parameters, means: ArrayLike) -> Parameters:
    """``params`` with its means replaced."""
    return Parameters(params.weights, means, params.covariances, params.covariance_type)


def along_mean(params: Parameters, k: int, values: ArrayLike) -> NDArray[np.float64]:
    """Sets of means that differ from ``params.means`` only in μ_k, which takes each value.

    Parameters
    ----------
    params : Parameters
    k : int
        The component whose mean moves.
    values : array-like of shape (n_values,) in 1-D, or (n_values, n_features)

    Returns
    -------
    array of shape (n_values, n_components, n_features)
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1, params.n_features)
    means = np.repeat(params.means[None], len(values), axis=0)
    means[:, k] = values
    return means


def mean_gradient(X: ArrayLike, params: Parameters) -> NDArray[np.float64]:
    """∂ℓ/∂μ_k = Σ_n r_nk Σ_k⁻¹ (x_n − μ_k), with r the E-step of ``params``.

    Returns
    -------
    array of shape (n_components, n_features)
    """
    X = as_data(X)
    return _gradient(X, _held(params), params.means, e_step(X, params).resp)


def _gradient(X, held: _Held, means, resp) -> NDArray[np.float64]:
    weighted = resp.T @ X - resp.sum(axis=0)[:, None] * means  # Σ_n r_nk (x_n − μ_k)
    return np.einsum("kij,kj->ki", held.precision, weighted)


@dataclass(frozen=True, eq=False)
class MeanPath:
    """The means visited by an ascent that moves only the means.

    Attributes
    ----------
    means : array of shape (n_steps + 1, n_components, n_features)
        ``means[t]`` after t steps; ``means[0]`` is the start.
    log_likelihoods : array of shape (n_steps + 1,)
    converged : bool
        Whether the last step changed ℓ per point by less than ``tol`` (the engine's rule).
    diverged : bool
        Whether the means ran away from the data (a step size too large).
    tol : float
    """

    means: NDArray[np.float64]
    log_likelihoods: NDArray[np.float64]
    converged: bool
    diverged: bool
    tol: float

    @property
    def n_steps(self) -> int:
        return len(self.log_likelihoods) - 1


def _ascend(X, params: Parameters, step, *, tol: float, max_iter: int) -> MeanPath:
    """Apply ``step(means, resp) -> means`` until ℓ per point changes by less than ``tol``.

    ``resp`` is the E-step of ``means`` (the rest of ``params`` held), computed once per
    step for ℓ and the step alike.
    """
    X = as_data(X)
    if not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol must be ≥ 0; got {tol!r}.")
    held = _held(params)
    centre, spread = X.mean(axis=0), X.std(axis=0).max() or 1.0

    def e_step_of(means: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
        joint = _log_joint(X, held, means[None])[0]
        log_p = _log_sum_exp(joint)
        return np.exp(joint - log_p[:, None]), float(log_p.sum())

    means = [np.array(params.means)]
    resp, value = e_step_of(means[0])
    values = [value]
    converged = diverged = False
    for _ in range(max_iter):
        new_means = step(means[-1], resp)
        if not np.all(np.abs(new_means - centre) <= DIVERGED_SPREADS * spread):
            diverged = True
            break
        means.append(new_means)
        resp, value = e_step_of(new_means)
        values.append(value)
        if convergence_change(values[-2], values[-1], X.shape[0]) < tol:
            converged = True
            break
    return MeanPath(np.array(means), np.array(values), converged, diverged, float(tol))


def em_mean_path(
    X: ArrayLike,
    params: Parameters,
    *,
    components: tuple[int, ...] | None = None,
    tol: float = 1e-3,
    max_iter: int = 100,
) -> MeanPath:
    """EM that updates only the means of ``components`` (all, by default), the rest held.

    Each step is an E-step and the M-step's weighted means, μ_k = Σ_n r_nk x_n / N_k, taken
    from :func:`em_models.mixture.engine.m_step`. With weights and covariances held this maximises
    the bound
    over those means.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters
        The start.
    components : tuple of int, optional
    tol : float, default 1e-3
        Stop when ℓ per point changes by less than this, as :func:`em_models.mixture.engine.fit`
        does.
    max_iter : int, default 100

    Returns
    -------
    MeanPath
    """
    X = as_data(X)
    moving = list(range(params.n_components) if components is None else components)

    def step(current: NDArray[np.float64], resp: NDArray[np.float64]) -> NDArray[np.float64]:
        updated, _ = m_step(X, resp, "full", reg_covar=0.0)
        means = np.array(current)
        means[moving] = updated.means[moving]
        return means

    return _ascend(X, params, step, tol=tol, max_iter=max_iter)


def gradient_path(
    X: ArrayLike,
    params: Parameters,
    *,
    step_size: float,
    tol: float = 1e-3,
    max_iter: int = 1000,
) -> MeanPath:
    """Plain gradient ascent on the means: μ ← μ + step_size · ∂ℓ/∂μ, the rest held.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : Parameters
        The start.
    step_size : float
        A fixed step, > 0, in squared data units per unit of ℓ.
    tol : float, default 1e-3
        Stop when ℓ per point changes by less than this (EM's rule).
    max_iter : int, default 1000

    Returns
    -------
    MeanPath
    """
    if not step_size > 0:
        raise ValueError(f"step_size must be > 0; got {step_size!r}.")
    X = as_data(X)
    held = _held(params)
    return _ascend(
        X,
        params,
        lambda means, resp: means + step_size * _gradient(X, held, means, resp),
        tol=tol,
        max_iter=max_iter,
    )


__all__ = [
    "MeanPath",
    "along_mean",
    "bound_of_means",
    "em_mean_path",
    "entropy",
    "gradient_path",
    "log_likelihood_of_means",
    "lower_bound",
    "mean_gradient",
    "with_means",
]
