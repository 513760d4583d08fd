"""Gaussian building blocks of the mixture: parameters, log densities, the sufficient
statistics an E-step hands the M-step, and the M-step formulas.

Notation (Bishop, *Pattern Recognition and Machine Learning*, ch. 9) and the names used here:

==========  ===========================  =========================================
symbol      name                         shape
==========  ===========================  =========================================
x_n         ``X[n]``                     ``X`` is (n_samples, n_features)
π_k         ``weights[k]``               (n_components,)
μ_k         ``means[k]``                 (n_components, n_features)
Σ_k         ``covariances[k]``           depends on ``covariance_type`` (below)
r_nk        ``resp[n, k]``               (n_samples, n_components)
N_k         ``nk[k]`` = Σ_n r_nk         (n_components,)
x̄_k         ``Statistics.means[k]``      (n_components, n_features)
S_k         ``Statistics.scatter[k]``    depends on ``covariance_type`` (:class:`Statistics`)
==========  ===========================  =========================================

``covariance_type`` has scikit-learn's meaning and storage:

- ``"full"``: each component has its own matrix, (n_components, n_features, n_features);
- ``"tied"``: all components share one matrix, (n_features, n_features);
- ``"diag"``: each component has a diagonal matrix, stored as (n_components, n_features);
- ``"spherical"``: each component has σ_k² I, stored as (n_components,).

Internally the data are held transposed, ``XT`` of shape (n_features, n_samples), and
per-component arrays as (n_components, n_samples): every elementwise pass then runs along
the long, contiguous axis, which is what makes the engine faster than a row-major layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
LOG_2PI = float(np.log(2.0 * np.pi))
# Added to N_k before dividing by it, as scikit-learn does, so an empty component cannot
# divide by zero.
NK_EPS = 10.0 * np.finfo(np.float64).eps


def _frozen(a: ArrayLike) -> NDArray[np.float64]:
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def check_covariance_type(covariance_type: str) -> None:
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"Unknown covariance_type {covariance_type!r}; choose one of "
            + ", ".join(repr(t) for t in COVARIANCE_TYPES)
            + "."
        )


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple:
    """The shape in which ``covariance_type`` stores its covariances."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


@dataclass(frozen=True, eq=False)
class Parameters:
    """The parameters θ = {π_k, μ_k, Σ_k} of a Gaussian mixture; arrays are read-only.

    Attributes
    ----------
    weights : array of shape (n_components,)
    means : array of shape (n_components, n_features)
    covariances : array, shape given by ``covariance_type`` (see the module docstring)
    covariance_type : {"full", "tied", "diag", "spherical"}
    """

    weights: NDArray[np.float64]
    means: NDArray[np.float64]
    covariances: NDArray[np.float64]
    covariance_type: str

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        for name in ("weights", "means", "covariances"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n_components, n_features = self.means.shape
        expected = covariance_shape(self.covariance_type, n_components, n_features)
        if self.weights.shape != (n_components,) or self.covariances.shape != expected:
            raise ValueError(
                f"Inconsistent shapes: weights {self.weights.shape}, means {self.means.shape}, "
                f"covariances {self.covariances.shape}; '{self.covariance_type}' covariances for "
                f"{n_components} components in {n_features} dimensions have shape {expected}."
            )

    @property
    def n_components(self) -> int:
        return self.means.shape[0]

    @property
    def n_features(self) -> int:
        return self.means.shape[1]

    def full_covariances(self) -> NDArray[np.float64]:
        """Every component's covariance as a full matrix, shape (n_components, d, d)."""
        return to_full(self.covariances, self.covariance_type, self.n_components, self.n_features)


def to_full(
    covariances: NDArray[np.float64], covariance_type: str, n_components: int, n_features: int
) -> NDArray[np.float64]:
    """Expand covariances stored for ``covariance_type`` into (n_components, d, d) matrices."""
    eye = np.eye(n_features)
    if covariance_type == "full":
        return np.array(covariances)
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return covariances[:, :, None] * eye
    return covariances[:, None, None] * eye


def from_full(full: ArrayLike, covariance_type: str) -> NDArray[np.float64]:
    """Reduce full (n_components, d, d) matrices to the storage of ``covariance_type``.

    For ``tied`` all matrices must be equal; for ``diag`` and ``spherical`` the off-diagonal
    entries are dropped (``spherical`` takes the mean of the diagonal).
    """
    full = np.asarray(full, dtype=np.float64)
    if covariance_type == "full":
        return full
    if covariance_type == "tied":
        if not np.allclose(full, full[0]):
            raise ValueError("Tied covariances must be the same matrix for every component.")
        return full[0]
    diagonals = np.diagonal(full, axis1=1, axis2=2)
    return diagonals.copy() if covariance_type == "diag" else diagonals.mean(axis=1)


# Float64 resolves a value x only to about eps·|x|: a spread below this multiple of that
# resolution, at a component's location, is rounding noise rather than a variance.
RESOLUTION = 1e3 * float(np.finfo(np.float64).eps)
# A variance below this fraction of the data's own (robust) spread is a collapse, whatever
# the units: with no ridge the likelihood grows without bound as it shrinks.
COLLAPSE_RTOL = 1e-12


def robust_scale(X: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each feature's spread, shape (n_features,): 1.4826 × the median absolute deviation
    (the standard deviation for normal data, and unmoved by a few outliers), or the
    standard deviation where more than half the values are equal; 0 for a constant column."""
    median = np.median(X, axis=0)
    mad = 1.4826 * np.median(np.abs(X - median), axis=0)
    return np.where(mad > 0, mad, X.std(axis=0))


def variance_floor(means: NDArray[np.float64], scale: NDArray[np.float64]) -> NDArray[np.float64]:
    """The smallest eigenvalue each component's covariance may have, shape (n_components,).

    Scale-free and local: the rounding limit at the component's own location, (RESOLUTION ·
    max_j |μ_kj|)², plus COLLAPSE_RTOL times the squared robust spread of the data's tightest
    feature (so one far outlier, which inflates the variance, raises no component's floor).
    """
    positive = scale[scale > 0]
    spread = float(positive.min()) if positive.size else 0.0
    location = np.abs(means).max(axis=1)
    return (RESOLUTION * location) ** 2 + COLLAPSE_RTOL * spread**2


def smallest_variances(params: Parameters) -> NDArray[np.float64]:
    """The smallest eigenvalue of each component's covariance, shape (n_components,)."""
    cov, kind = params.covariances, params.covariance_type
    if kind == "spherical":
        return cov.copy()
    if kind == "diag":
        return cov.min(axis=1)
    smallest = np.linalg.eigvalsh(cov)[..., 0]
    return np.full(params.n_components, smallest) if kind == "tied" else smallest


@dataclass(frozen=True)
class Whitening:
    """Per-component maps W_k with (x − μ_k)ᵀ Σ_k⁻¹ (x − μ_k) = ‖W_k (x − μ_k)‖².

    For full and tied covariances W = L⁻¹ where Σ = L Lᵀ (Cholesky), so log|Σ|^(-1/2) is
    minus the sum of the logs of L's diagonal: no inverse and no determinant is formed.
    For diag and spherical W is 1/σ elementwise.
    """

    maps: NDArray[np.float64]  # full (K,d,d), tied (d,d), diag (K,d), spherical (K,)
    half_log_det_precision: NDArray[np.float64]  # (K,) = −½ log|Σ_k|


def whitening(params: Parameters) -> Whitening:
    """Cholesky-based whitening maps of ``params``; raises ``np.linalg.LinAlgError`` if a
    covariance is not positive definite."""
    cov, kind, n_components = params.covariances, params.covariance_type, params.n_components
    if kind in ("full", "tied"):
        chol = np.linalg.cholesky(cov)  # raises LinAlgError unless positive definite
        stack = chol[None] if kind == "tied" else chol
        # L⁻¹ for every component in one batched call. (One small LAPACK call per component,
        # through SciPy's own BLAS, cost milliseconds each in the app's server, where that
        # library's threads compete with NumPy's for the two cores.)
        eye = np.broadcast_to(np.eye(params.n_features), stack.shape)
        maps = np.linalg.solve(stack, eye)
        half_log_det = -np.log(np.diagonal(stack, axis1=1, axis2=2)).sum(axis=1)
        if kind == "tied":
            return Whitening(maps[0], np.full(n_components, half_log_det[0]))
        return Whitening(maps, half_log_det)
    if np.any(cov <= 0):
        raise np.linalg.LinAlgError("a variance is not positive")
    if kind == "diag":
        return Whitening(1.0 / np.sqrt(cov), -0.5 * np.log(cov).sum(axis=1))
    return Whitening(1.0 / np.sqrt(cov), -0.5 * params.n_features * np.log(cov))


def weighted_log_prob(
    XT: NDArray[np.float64], params: Parameters, white: Whitening, out: NDArray | None = None
) -> NDArray[np.float64]:
    """log π_k + log N(x_n | μ_k, Σ_k) for every component and sample.

    Parameters
    ----------
    XT : array of shape (n_features, n_samples)
        The data, transposed.
    params, white : the mixture and its :func:`whitening`.
    out : optional array of shape (n_components, n_samples) to write into.

    Returns
    -------
    array of shape (n_components, n_samples)
    """
    n_features, n_samples = XT.shape
    kind = params.covariance_type
    if out is None:
        out = np.empty((params.n_components, n_samples))
    const = np.log(params.weights) + white.half_log_det_precision - 0.5 * n_features * LOG_2PI
    buffer = np.empty(n_samples)
    for k in range(params.n_components):
        row, mean = out[k], params.means[k]
        if kind in ("full", "tied"):
            w = white.maps[k] if kind == "full" else white.maps
            # y = W x − W μ, the same algebra as scikit-learn's X @ prec_chol − μ @ prec_chol
            y, shift = w @ XT, w @ mean
            np.subtract(y[0], shift[0], out=row)
            np.square(row, out=row)
            for i in range(1, n_features):
                np.subtract(y[i], shift[i], out=buffer)
                row += np.square(buffer, out=buffer)
        else:
            scale = white.maps[k] if kind == "diag" else np.full(n_features, white.maps[k])
            for i in range(n_features):
                target = row if i == 0 else buffer
                np.subtract(XT[i], mean[i], out=target)
                target *= scale[i]
                np.square(target, out=target)
                if i:
                    row += buffer
        row *= -0.5
        row += const[k]
    return out


def normalise_log_prob(weighted: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """Turn log π_k N(x_n | θ_k), shape (n_components, n_samples), into responsibilities
    *in place* by the log-sum-exp trick, and return them with the total log-likelihood.

    r_nk = exp(a_nk − m_n) / Σ_j exp(a_nj − m_n) with m_n = max_j a_nj, so a point far from
    every component still gets finite responsibilities, and
    log p(x_n) = m_n + log Σ_j exp(a_nj − m_n).
    """
    largest = weighted.max(axis=0)
    weighted -= largest
    resp = np.exp(weighted, out=weighted)
    total = resp.sum(axis=0)
    resp /= total
    return resp, float(np.log(total).sum() + largest.sum())


@dataclass(frozen=True, eq=False)
class Statistics:
    """The sufficient statistics of a mixture's E-step: all the M-step needs; arrays read-only.

    Their size does not depend on the number of samples. They are the stable form: weighted
    means and the scatter about them, not Σ_n r_nk x_n x_nᵀ − N_k μ_k μ_kᵀ, whose two terms
    cancel to rounding when the data sit far from the origin (an offset of 1e8).

    Attributes
    ----------
    nk : array of shape (n_components,)
        N_k = Σ_n r_nk, the effective counts.
    means : array of shape (n_components, n_features)
        x̄_k = Σ_n r_nk x_n / (N_k + NK_EPS), the weighted means.
    scatter : array, shape given by ``covariance_type``
        S_k = Σ_n r_nk (x_n − x̄_k)(x_n − x̄_k)ᵀ, stored as the covariance type needs it:
        ``"full"`` every S_k, (n_components, n_features, n_features); ``"tied"`` their sum
        Σ_k S_k, (n_features, n_features); ``"diag"`` and ``"spherical"`` their diagonals,
        (n_components, n_features) (σ_k² is the mean over the features of S_k,jj / N_k plus
        each feature's own ridge, so the diagonal is kept, not only its trace).
    covariance_type : {"full", "tied", "diag", "spherical"}
    """

    nk: NDArray[np.float64]
    means: NDArray[np.float64]
    scatter: NDArray[np.float64]
    covariance_type: str

    def __post_init__(self) -> None:
        # Read-only views, not copies: the statistics are made afresh by every E-step.
        for name in ("nk", "means", "scatter"):
            view = np.asarray(getattr(self, name), dtype=np.float64).view()
            view.setflags(write=False)
            object.__setattr__(self, name, view)


def sufficient_statistics(
    XT: NDArray[np.float64], resp: NDArray[np.float64], covariance_type: str
) -> Statistics:
    """The E-step's summary of the data under responsibilities ``resp``: N_k, x̄_k and S_k.

    Parameters
    ----------
    XT : array of shape (n_features, n_samples)
    resp : array of shape (n_components, n_samples)
    covariance_type : str
        Which storage of S_k (see :class:`Statistics`).

    Returns
    -------
    Statistics
    """
    n_features = XT.shape[0]
    nk = resp.sum(axis=1)
    means = (resp @ XT.T) / (nk + NK_EPS)[:, None]
    n_components = means.shape[0]
    if covariance_type in ("full", "tied"):
        scatter = np.empty((n_components, n_features, n_features))
        for k in range(n_components):
            diff = XT - means[k][:, None]
            scatter[k] = (diff * resp[k]) @ diff.T
        if covariance_type == "tied":
            scatter = scatter.sum(axis=0)
    else:
        scatter = np.empty((n_components, n_features))
        for k in range(n_components):
            diff = XT - means[k][:, None]
            scatter[k] = np.square(diff, out=diff) @ resp[k]
    return Statistics(nk, means, scatter, covariance_type)


def maximise(stats: Statistics, reg_covar: ArrayLike) -> tuple[Parameters, NDArray[np.float64]]:
    """The M-step from the sufficient statistics: π_k = N_k / N, μ_k = x̄_k,
    Σ_k = S_k / N_k + reg_covar·I (tied: Σ_k S_k / N; spherical: the mean of the diagonal).

    Parameters
    ----------
    stats : Statistics
    reg_covar : float or array of shape (n_features,)
        Added to the diagonal of every covariance (the ridge).

    Returns
    -------
    params : Parameters
    nk : array of shape (n_components,), the effective counts N_k (without the guard).
    """
    kind, scatter = stats.covariance_type, stats.scatter
    n_features = stats.means.shape[1]
    nk = stats.nk + NK_EPS
    if kind == "full":
        covariances = scatter / nk[:, None, None]
        covariances[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    elif kind == "tied":
        covariances = scatter / nk.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    else:
        variances = scatter / nk[:, None] + reg_covar
        covariances = variances if kind == "diag" else variances.mean(axis=1)
    weights = nk / nk.sum()
    return Parameters(weights, stats.means, covariances, kind), stats.nk


def estimate_parameters(
    XT: NDArray[np.float64], resp: NDArray[np.float64], covariance_type: str, reg_covar: ArrayLike
) -> tuple[Parameters, NDArray[np.float64]]:
    """The M-step from responsibilities: :func:`maximise` of their :func:`sufficient_statistics`.

    N_k = Σ_n r_nk,  μ_k = Σ_n r_nk x_n / N_k,
    Σ_k = Σ_n r_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar·I,  π_k = N_k / N.

    Parameters
    ----------
    XT : array of shape (n_features, n_samples)
    resp : array of shape (n_components, n_samples)
    covariance_type : str
    reg_covar : float or array of shape (n_features,)
        Added to the diagonal of every covariance (the ridge).

    Returns
    -------
    params : Parameters
    nk : array of shape (n_components,), the effective counts Σ_n r_nk (without the guard).
    """
    return maximise(sufficient_statistics(XT, resp, covariance_type), reg_covar)
