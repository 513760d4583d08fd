"""Probabilistic PCA fitted by EM (Tipping and Bishop, 1999; Bishop, *PRML* §12.2.2).

The model: x = W z + μ + ε with z ~ N(0, I_q) and ε ~ N(0, σ² I_d), so that
x ~ N(μ, C) with C = W Wᵀ + σ² I_d. The missing data are each point's latent coordinate z_n:
once the E-step has filled in their expectations, the M-step for W and σ² is closed-form.

==============  ==============================  =====================================
symbol          name                            shape
==============  ==============================  =====================================
x_n             ``X[n]``                        ``X`` is (n_samples, n_features)
μ               ``mean``                        (n_features,), the sample mean
W               ``loadings``                    (n_features, n_latent)
σ²              ``noise_variance``              float
C = WWᵀ + σ²I   ``covariance()``                (n_features, n_features)
M = WᵀW + σ²I   (inside the E-step)             (n_latent, n_latent)
E[z_n]          ``latent_means[n]``             (n_samples, n_latent), M⁻¹ Wᵀ (x_n − μ)
Cov[z_n]        ``latent_covariance``           (n_latent, n_latent), σ² M⁻¹ for every n
Σ_n (x_n−μ) E[z_n]ᵀ   ``sum_xz``                (n_features, n_latent)
Σ_n E[z_n z_nᵀ]       ``sum_zz``                (n_latent, n_latent)
R, RᵀR = N S          ``scatter_root``          (min(n_samples, n_features), n_features)
==============  ==============================  =====================================

μ is fixed at the sample mean (its maximum-likelihood value whatever W and σ² are). M is
diagonalised through the SVD of W (never formed from WᵀW), Σ E[z_n z_nᵀ] is factorised by
Cholesky and solved against, and S's eigenvalues come from the SVD of the centred data. The
maximum-likelihood solution is also known in closed form (:func:`closed_form`), which is
where EM is heading.

The model's E-step (:meth:`PPCA.e_step`) hands the M-step sufficient statistics
(:class:`PPCAStatistics`), whose size does not grow with N: the two sums above, Cov[z_n],
and for σ² the E[z] of the rows of R, the data's principal axes each scaled by its spread
(:func:`noise_residual` says why they stand in for the points). The module's own
:func:`e_step` keeps each point's E[z_n], for the views that draw them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Snapshot, Trace, as_data, run_em
from em_core.model import Failure, StopReason

LOG_2PI = float(np.log(2.0 * np.pi))
EPS = float(np.finfo(np.float64).eps)
# The most the data's largest variance may exceed the maximum-likelihood σ²: beyond this,
# EM's ℓ and W carry rounding errors larger than its steps (ℓ falls, σ² collapses).
MAX_VARIANCE_RATIO = 1e15


def _frozen(a: ArrayLike) -> NDArray[np.float64]:
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def _cho_solve(lower: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """A⁻¹ b from A's lower Cholesky factor: two triangular solves, no inverse."""
    return np.linalg.solve(lower.T, np.linalg.solve(lower, b))


@dataclass(frozen=True, eq=False)
class PPCAParameters:
    """θ = {μ, W, σ²} of probabilistic PCA; arrays are read-only.

    Attributes
    ----------
    mean : array of shape (n_features,)
    loadings : array of shape (n_features, n_latent)
        W; its columns span the principal subspace.
    noise_variance : float
        σ².
    """

    mean: NDArray[np.float64]
    loadings: NDArray[np.float64]
    noise_variance: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _frozen(self.mean))
        object.__setattr__(self, "loadings", _frozen(self.loadings))
        object.__setattr__(self, "noise_variance", float(self.noise_variance))
        if self.mean.ndim != 1 or self.loadings.ndim != 2:
            raise ValueError(
                f"mean must be a vector and W a matrix; got shapes {self.mean.shape} and "
                f"{self.loadings.shape}."
            )
        if self.loadings.shape[0] != self.mean.shape[0]:
            raise ValueError(
                f"W has {self.loadings.shape[0]} rows but the data have "
                f"{self.mean.shape[0]} columns; W must be (n_features, n_latent)."
            )

    @property
    def n_features(self) -> int:
        return self.mean.shape[0]

    @property
    def n_latent(self) -> int:
        return self.loadings.shape[1]

    def covariance(self) -> NDArray[np.float64]:
        """C = W Wᵀ + σ² I, the model's covariance of x, shape (n_features, n_features)."""
        W = self.loadings
        return W @ W.T + self.noise_variance * np.eye(self.n_features)


@dataclass(frozen=True, eq=False)
class PPCAEStep:
    """The expectations of the latent coordinates under one set of parameters, point by point
    (:func:`e_step`, for the views); the model's own E-step hands :class:`PPCAStatistics`.

    Attributes
    ----------
    latent_means : array of shape (n_samples, n_latent)
        E[z_n] = M⁻¹ Wᵀ (x_n − μ).
    latent_covariance : array of shape (n_latent, n_latent)
        Cov[z_n] = σ² M⁻¹, the same for every point; E[z_n z_nᵀ] = Cov[z_n] + E[z_n] E[z_n]ᵀ.
    sum_xz : array of shape (n_features, n_latent)
        Σ_n (x_n − μ) E[z_n]ᵀ.
    sum_zz : array of shape (n_latent, n_latent)
        Σ_n E[z_n z_nᵀ].
    n_samples : int
    """

    latent_means: NDArray[np.float64]
    latent_covariance: NDArray[np.float64]
    sum_xz: NDArray[np.float64]
    sum_zz: NDArray[np.float64]
    n_samples: int

    def latent_second_moment(self, n: int) -> NDArray[np.float64]:
        """E[z_n z_nᵀ] of point ``n``, shape (n_latent, n_latent)."""
        z = self.latent_means[n]
        return self.latent_covariance + np.outer(z, z)


@dataclass(frozen=True, eq=False)
class PPCAStatistics:
    """What the model's E-step hands its M-step: the sufficient statistics, whose size does
    not grow with the number of points (no per-point E[z_n]).

    Attributes
    ----------
    sum_xz : array of shape (n_features, n_latent)
        Σ_n (x_n − μ) E[z_n]ᵀ.
    sum_zz : array of shape (n_latent, n_latent)
        Σ_n E[z_n z_nᵀ].
    latent_covariance : array of shape (n_latent, n_latent)
        Cov[z_n] = σ² M⁻¹, the same for every point.
    scatter_root : array of shape (min(n_samples, n_features), n_features)
        R with RᵀR = Σ_n (x_n − x̄)(x_n − x̄)ᵀ: the data's principal axes, each scaled by √N
        times its spread (the same array in every E-step of a run).
    root_latent_means : array of shape (min(n_samples, n_features), n_latent)
        M⁻¹ Wᵀ r_i of each row r_i of R: they stand in for the E[z_n] in σ²
        (:func:`noise_residual`).
    mean_latent : array of shape (n_latent,)
        M⁻¹ Wᵀ (x̄ − μ), the E[z] of the data's mean: 0 when μ is the sample mean.
    n_samples : int
    """

    sum_xz: NDArray[np.float64]
    sum_zz: NDArray[np.float64]
    latent_covariance: NDArray[np.float64]
    scatter_root: NDArray[np.float64]
    root_latent_means: NDArray[np.float64]
    mean_latent: NDArray[np.float64]
    n_samples: int


def as_ppca_data(X: ArrayLike) -> NDArray[np.float64]:
    """Check data for probabilistic PCA: a finite table with at least two columns, whose
    spread can be squared in double precision."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(
            f"The data must be a table of shape (n_samples, n_features); got shape {X.shape}."
        )
    if X.shape[1] < 2:
        raise ValueError(
            "Probabilistic PCA needs at least two columns: with one there is no direction to find."
        )
    return as_data(X)  # finite, and not too wide to square (naming the data's range)


def check_n_latent(n_latent: int, n_samples: int, n_features: int) -> None:
    """Refuse a latent dimension the data cannot support, saying why."""
    if isinstance(n_latent, bool) or not isinstance(n_latent, int | np.integer) or n_latent < 1:
        raise ValueError(f"q (the latent dimension) must be a whole number ≥ 1; got {n_latent!r}.")
    if n_latent >= n_features:
        raise ValueError(
            f"q = {n_latent} leaves no dimension for the noise in {n_features}-column data: "
            f"choose q < {n_features}."
        )
    if n_samples < n_latent + 2:
        raise ValueError(
            f"Too few rows: {n_samples} points span at most {max(n_samples - 1, 0)} "
            f"dimension(s), so q = {n_latent} would leave no noise to measure; probabilistic "
            f"PCA with q = {n_latent} needs at least {n_latent + 2} rows."
        )


def _principal_axes(X: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The eigenvalues of S = (1/N) Σ_n (x_n − x̄)(x_n − x̄)ᵀ, largest first (all d of them), and
    its leading eigenvectors as columns (min(N, d) of them).

    They come from the singular values of the centred data, s² / N, not from S itself: an
    eigenvalue of S is found to about 10⁻¹⁶ of the largest, a singular value's square to
    10⁻¹⁶ of its own size, so a small noise variance beside one far outlier keeps its digits.
    """
    singular, rows = _centred_svd(X)
    return _eigenvalues(singular, *X.shape), rows.T


def _centred_svd(X: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The singular values s and right singular vectors (as rows) of the centred data."""
    _, singular, rows = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    return singular, rows


def _eigenvalues(singular: NDArray[np.float64], n_samples: int, n_features: int) -> NDArray:
    """S's d eigenvalues s² / N from the centred data's singular values (zeros beyond N)."""
    values = np.zeros(n_features)
    values[: singular.size] = (singular / np.sqrt(n_samples)) ** 2
    return values


def noise_floor(X: NDArray[np.float64]) -> float:
    """The smallest variance the data can show in double precision, in their squared units.

    Storing, centring and decomposing the data each err by about ε = 2.2 × 10⁻¹⁶ of the
    values' own size (an offset counts), so an eigenvalue of S below ε² ‖X‖²_F / N is
    rounding; the floor allows max(N, d)² times that, as NumPy's ``matrix_rank`` does for a
    singular value. It scales with the data, so it means the same in any units.
    """
    n_samples, n_features = X.shape
    largest = float(np.abs(X).max())
    if largest == 0:
        return 0.0
    # ‖X‖_F² / N computed on X / max|x|, so that no square overflows. Values of 1e165 and
    # more overflow the floor itself to inf, and rightly: the spread em_core.em.as_data lets
    # through (at most 1e150) is then a few units of their rounding.
    mean_square = float(np.sum((X / largest) ** 2)) / n_samples
    with np.errstate(over="ignore"):
        return (max(n_samples, n_features) * EPS * largest) ** 2 * mean_square


def check_noise(X: NDArray[np.float64], n_latent: int) -> None:
    """Refuse data whose maximum-likelihood σ² is zero: they lie on a q-dimensional subspace.

    σ², the mean of the d − q eigenvalues of S left to the noise, is compared with the data's
    rounding (:func:`noise_floor`), not with the largest eigenvalue: one far outlier makes
    the largest huge without making the others zero. Then σ² must be within
    :data:`MAX_VARIANCE_RATIO` of the largest eigenvalue, which such an outlier can break.
    """
    _check_noise(X, _principal_axes(X)[0], n_latent)


def _check_noise(X: NDArray[np.float64], values: NDArray[np.float64], n_latent: int) -> None:
    """:func:`check_noise` given S's eigenvalues ``values``, largest first."""
    floor = noise_floor(X)
    noise = values[n_latent:].mean()
    if values[0] <= floor:
        raise ValueError("Every column is constant: there is no spread for PCA to describe.")
    if noise <= floor:
        raise ValueError(
            f"The points lie on a {n_latent}-dimensional subspace (up to rounding), so the "
            f"noise variance σ² would shrink to 0 and the likelihood grow without bound; "
            f"choose q below {n_latent}."
            if n_latent > 1
            else "The points lie on a line (up to rounding), so the noise variance σ² would "
            "shrink to 0 and the likelihood grow without bound: there is nothing to fit."
        )
    if values[0] > MAX_VARIANCE_RATIO * noise:
        raise ValueError(_too_wide_a_range(X, values[0], noise, n_latent))


def _too_wide_a_range(X: NDArray[np.float64], largest: float, noise: float, n_latent: int) -> str:
    """Why the largest variance is too far above σ², naming the row that makes it if one does."""
    message = (
        f"The data's largest variance, {largest:.3g}, is {largest / noise:.2g} times the noise "
        f"variance σ² = {noise:.3g} that q = {n_latent} leaves: more than the "
        f"{MAX_VARIANCE_RATIO:.0e} that double precision can follow."
    )
    distances = np.linalg.norm(X - X.mean(axis=0), axis=1)
    row = int(distances.argmax())
    n_samples = X.shape[0]
    if (distances[row] / np.sqrt(n_samples)) ** 2 < 0.5 * largest:
        return f"{message} Rescale the columns that spread the most, or choose other columns."
    away = distances[row] * n_samples / (n_samples - 1)  # from the mean of the other rows
    return (
        f"{message} Row {row + 1} alone makes most of it: it lies {away:.3g} from the mean "
        "of the other rows. If it is an outlier, remove it and fit again."
    )


def closed_form(X: ArrayLike, n_latent: int) -> PPCAParameters:
    """The maximum-likelihood parameters, without EM (Tipping and Bishop, 1999, eq. 7–8).

    With S's eigenvalues λ_1 ≥ … ≥ λ_d (divisor N) and eigenvectors U: σ² is the mean of the
    d − q smallest eigenvalues and W = U_q (Λ_q − σ² I)^½ (up to a rotation, which changes
    nothing in C).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_latent : int
        q.

    Returns
    -------
    PPCAParameters
    """
    X = as_ppca_data(X)
    check_n_latent(n_latent, *X.shape)
    check_noise(X, n_latent)
    values, vectors = _principal_axes(X)
    noise = float(values[n_latent:].mean())
    loadings = vectors[:, :n_latent] * np.sqrt(np.clip(values[:n_latent] - noise, 0.0, None))
    return PPCAParameters(X.mean(axis=0), loadings, noise)


@dataclass(frozen=True, eq=False)
class _LatentPrecision:
    """M = WᵀW + σ² I as Vᵀ diag(values) V, from the SVD W = U diag(D) V: values = D² + σ².

    Forming WᵀW would square W's condition number: with one far outlier both columns of W can
    lean towards it (W is free up to a rotation), and σ² then drowns in WᵀW's rounding.
    """

    left: NDArray[np.float64]  # U, shape (n_features, n_latent)
    singular: NDArray[np.float64]  # D, shape (n_latent,)
    values: NDArray[np.float64]
    rotation: NDArray[np.float64]  # V, shape (n_latent, n_latent)

    def latent_means(self, centred: NDArray[np.float64]) -> NDArray[np.float64]:
        """M⁻¹ Wᵀ c for each row c of ``centred``, as Vᵀ diag(D / (D² + σ²)) Uᵀ c."""
        return ((centred @ self.left) * (self.singular / self.values)) @ self.rotation

    def log_det(self) -> float:
        return float(np.log(self.values).sum())

    def inverse(self) -> NDArray[np.float64]:
        return (self.rotation.T / self.values) @ self.rotation


def _posterior(
    X: ArrayLike, params: PPCAParameters
) -> tuple[NDArray[np.float64], _LatentPrecision, NDArray[np.float64]]:
    """X − μ, M = WᵀW + σ² I (diagonalised) and E[z_n] = M⁻¹ Wᵀ (x_n − μ).

    With W = U diag(D) V: M⁻¹ Wᵀ = Vᵀ diag(D / (D² + σ²)) Uᵀ.
    """
    centred = np.asarray(X, dtype=np.float64) - params.mean
    U, D, V = np.linalg.svd(params.loadings, full_matrices=False)
    precision = _LatentPrecision(U, D, D**2 + params.noise_variance, V)
    return centred, precision, precision.latent_means(centred)


def _log_density(
    centred: NDArray[np.float64],
    precision: _LatentPrecision,
    latent_means: NDArray[np.float64],
    params: PPCAParameters,
) -> NDArray[np.float64]:
    """log N(x_n | μ, C) from the E-step's own quantities.

    With e_n = E[z_n]: (x − μ)ᵀ C⁻¹ (x − μ) = ‖x − μ − W e_n‖² / σ² + ‖e_n‖² (Woodbury), and
    log det C = (d − q) log σ² + log det M (the determinant lemma). Both quadratic terms are
    sums of squares, so ℓ keeps its digits when σ² is tiny next to the spread, where a
    Cholesky factor of C itself (condition number λ_max/σ²) would lose them.
    """
    noise = params.noise_variance
    d, q = params.n_features, params.n_latent
    residuals = centred - latent_means @ params.loadings.T
    log_det = (d - q) * np.log(noise) + precision.log_det()
    quadratic = (residuals**2).sum(axis=1) / noise + (latent_means**2).sum(axis=1)
    return -0.5 * (d * LOG_2PI + log_det + quadratic)


def log_density(X: ArrayLike, params: PPCAParameters) -> NDArray[np.float64]:
    """log N(x_n | μ, WWᵀ + σ² I) of every point, shape (n_samples,)."""
    return _log_density(*_posterior(X, params), params)


def log_likelihood(X: ArrayLike, params: PPCAParameters) -> float:
    """ℓ = Σ_n log N(x_n | μ, W Wᵀ + σ² I)."""
    return float(log_density(X, params).sum())


def e_step(X: ArrayLike, params: PPCAParameters) -> PPCAEStep:
    """The E-step: E[z_n] = M⁻¹ Wᵀ (x_n − μ) and Cov[z_n] = σ² M⁻¹, with M = WᵀW + σ² I.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    params : PPCAParameters

    Returns
    -------
    PPCAEStep
    """
    return _expectations(*_posterior(X, params), params)


def _expectations(
    centred: NDArray[np.float64],
    precision: _LatentPrecision,
    latent_means: NDArray[np.float64],
    params: PPCAParameters,
) -> PPCAEStep:
    latent_covariance = params.noise_variance * precision.inverse()
    n_samples = centred.shape[0]
    return PPCAEStep(
        latent_means=latent_means,
        latent_covariance=latent_covariance,
        sum_xz=centred.T @ latent_means,
        sum_zz=n_samples * latent_covariance + latent_means.T @ latent_means,
        n_samples=n_samples,
    )


def _statistics(
    data: PPCAData,
    centred: NDArray[np.float64],
    precision: _LatentPrecision,
    latent_means: NDArray[np.float64],
    params: PPCAParameters,
) -> PPCAStatistics:
    """The model's E-step output: :func:`_expectations`' sums, without the per-point E[z_n]."""
    per_point = _expectations(centred, precision, latent_means, params)
    return PPCAStatistics(
        sum_xz=per_point.sum_xz,
        sum_zz=per_point.sum_zz,
        latent_covariance=per_point.latent_covariance,
        scatter_root=data.scatter_root,
        root_latent_means=precision.latent_means(data.scatter_root),
        mean_latent=precision.latent_means((data.mean - params.mean)[None])[0],
        n_samples=per_point.n_samples,
    )


def _squared_distances(
    points: NDArray[np.float64], latents: NDArray[np.float64], loadings: NDArray[np.float64]
) -> float:
    """Σ_i ‖p_i − W e_i‖² over the rows p_i of ``points`` and e_i of ``latents``."""
    return float(np.sum((points - latents @ loadings.T) ** 2))


def _spread(
    n_samples: int, latent_covariance: NDArray[np.float64], loadings: NDArray[np.float64]
) -> float:
    """N tr(W Cov[z] Wᵀ), the feet's own uncertainty."""
    return n_samples * float(np.sum((loadings @ latent_covariance) * loadings))


def noise_variance_parts(
    X: ArrayLike,
    expectations: PPCAEStep,
    loadings: NDArray[np.float64],
    mean: NDArray[np.float64],
) -> tuple[float, float]:
    """The two sums σ² is made of, for the new W: σ² = (residual + spread) / (N d).

    Bishop's eq. 12.57, σ² = (1/Nd) Σ_n E‖x_n − μ − W z_n‖², splits into the squared
    distance from each point to its foot, Σ_n ‖x_n − μ − W E[z_n]‖² (``residual``), and
    the feet's own uncertainty, N tr(W Cov[z] Wᵀ) (``spread``). Both are sums of squares, so
    no digits are lost when the noise is tiny next to the data's spread (the textbook's
    three terms, Σ‖x_n − μ‖² − 2 Σ E[z_n]ᵀWᵀ(x_n − μ) + Σ tr(E[z_n z_nᵀ] WᵀW), cancel).
    The model's M-step finds the same residual without the points (:func:`noise_residual`).
    """
    centred = np.asarray(X, dtype=np.float64) - mean
    residual = _squared_distances(centred, expectations.latent_means, loadings)
    return residual, _spread(expectations.n_samples, expectations.latent_covariance, loadings)


def noise_residual(stats: PPCAStatistics, loadings: NDArray[np.float64]) -> float:
    """Σ_n ‖x_n − μ − W E[z_n]‖² for a new W, from the statistics alone.

    E[z_n] = M⁻¹Wᵀ(x_n − μ) is linear in the point, so with c_n = x_n − x̄ and ē the E[z] of
    x̄, x_n − μ − W E[z_n] = B c_n − W ē with B = I − W M⁻¹Wᵀ (for the M-step's μ = x̄).
    As Σ_n c_n = 0, the sum is Σ_n ‖B c_n‖² + N ‖W ē‖², and Σ_n ‖B c_n‖² = Σ_i ‖B r_i‖² for
    the rows r_i of any R with RᵀR = Σ_n c_n c_nᵀ: the rows stand in for the points. Here
    they are the data's principal axes, each scaled by √N times its spread, so the sum keeps
    the digits of the per-point one (:func:`noise_variance_parts`): no terms cancel.
    """
    residual = _squared_distances(stats.scatter_root, stats.root_latent_means, loadings)
    return residual + stats.n_samples * float(np.sum((loadings @ stats.mean_latent) ** 2))


def _loadings(sum_xz: NDArray[np.float64], sum_zz: NDArray[np.float64]) -> NDArray[np.float64]:
    """W = [Σ (x_n − μ) E[z_n]ᵀ] [Σ E[z_n z_nᵀ]]⁻¹."""
    # W Σ E[zzᵀ] = Σ (x − μ) E[z]ᵀ; Σ E[zzᵀ] is symmetric positive definite (it holds N σ² M⁻¹).
    lower = np.linalg.cholesky(sum_zz)
    return _cho_solve(lower, sum_xz.T).T


def m_step(X: ArrayLike, expectations: PPCAEStep, mean: NDArray[np.float64]) -> PPCAParameters:
    """The M-step: W = [Σ (x_n − μ) E[z_n]ᵀ] [Σ E[z_n z_nᵀ]]⁻¹, and σ² for the new W
    (:func:`noise_variance_parts`). The model's own M-step is :func:`maximise`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the E-step saw.
    expectations : PPCAEStep
    mean : array of shape (n_features,)
        μ, carried over unchanged (the sample mean is its maximum whatever W and σ²).

    Returns
    -------
    PPCAParameters
    """
    loadings = _loadings(expectations.sum_xz, expectations.sum_zz)
    residual, spread = noise_variance_parts(X, expectations, loadings, mean)
    n_samples, n_features = expectations.n_samples, loadings.shape[0]
    return PPCAParameters(mean, loadings, (residual + spread) / (n_samples * n_features))


def maximise(stats: PPCAStatistics, mean: NDArray[np.float64]) -> PPCAParameters:
    """The model's M-step, from the E-step's statistics alone: W as :func:`m_step` finds it,
    σ² = (:func:`noise_residual` + N tr(W Cov[z] Wᵀ)) / (N d).

    ``mean`` is μ, carried over unchanged: the data's mean x̄.
    """
    loadings = _loadings(stats.sum_xz, stats.sum_zz)
    spread = _spread(stats.n_samples, stats.latent_covariance, loadings)
    noise = (noise_residual(stats, loadings) + spread) / (stats.n_samples * loadings.shape[0])
    return PPCAParameters(mean, loadings, noise)


def mean_variance(X: NDArray[np.float64]) -> float:
    """tr(S) / d: the data's variance per column, the scale of W Wᵀ and σ²."""
    return float(X.var(axis=0).mean())


def start_problem(params: PPCAParameters, variance: float, floor: float) -> str | None:
    """Why ``params`` cannot start EM on data of variance per column ``variance`` and noise
    floor ``floor`` (:func:`noise_floor`), or None."""
    W, noise = params.loadings, params.noise_variance
    if not (np.all(np.isfinite(W)) and np.isfinite(noise) and np.all(np.isfinite(params.mean))):
        return "The starting W, μ or σ² contains NaN or infinite values."
    if not noise > floor:
        return (
            f"The starting noise variance σ² must be positive and above {floor:.3g}, the "
            f"smallest variance these data show in double precision; got {noise:.3g}."
        )
    singular = np.linalg.svd(W, compute_uv=False)
    if not singular[-1] > 1e-10 * max(singular[0], np.sqrt(variance)):
        return (
            "The columns of the starting W are linearly dependent (or zero): EM would keep "
            "them so and never find the best subspace; start from independent columns."
        )
    return None


def failure(params: PPCAParameters, floor: float, iteration: int) -> Failure | None:
    """Why the parameters from the M-step of ``iteration`` cannot be used, or None.

    ``floor`` is the smallest variance the data show in double precision (:func:`noise_floor`).
    """
    if not (np.all(np.isfinite(params.loadings)) and np.isfinite(params.noise_variance)):
        return Failure(
            StopReason.NUMERICAL,
            f"The M-step of iteration {iteration} produced values that are not finite numbers; "
            "the run stopped there.",
        )
    if params.noise_variance <= floor:
        return Failure(
            StopReason.COLLAPSED,
            f"The noise variance σ² shrank to {max(params.noise_variance, 0.0):.2g} in the "
            f"M-step of iteration {iteration}: the points lie (almost) on a "
            f"{params.n_latent}-dimensional subspace, so the likelihood has no maximum; "
            "choose a smaller q.",
        )
    return None


def start(
    X: ArrayLike,
    n_latent: int,
    *,
    rng: np.random.Generator | int | None = 0,
    loadings: ArrayLike | None = None,
    noise_variance: float | None = None,
) -> PPCAParameters:
    """θ_0: μ the sample mean, W random (or given), σ² the variance per column (or given).

    A random W has columns of length √v in random directions, with v = tr(S)/d the data's
    variance per column: the start has the data's scale, and no column so short that EM
    would begin beside the saddle point W = 0 (where ℓ is flat and the stopping rule could
    end the run before it has moved).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_latent : int
        q.
    rng : numpy.random.Generator or int or None, default 0
        Randomness for W when it is not given; an int seeds a new Generator.
    loadings : array-like of shape (n_features, n_latent), optional
        A given W; its columns must be linearly independent (EM keeps dependent ones so).
    noise_variance : float, optional
        A given σ² > 0.

    Returns
    -------
    PPCAParameters
    """
    X = as_ppca_data(X)
    n_samples, n_features = X.shape
    check_n_latent(n_latent, n_samples, n_features)
    check_noise(X, n_latent)
    variance = mean_variance(X)
    if loadings is None:
        W = np.random.default_rng(rng).standard_normal((n_features, n_latent))
        W *= np.sqrt(variance) / np.linalg.norm(W, axis=0)
    else:
        W = np.asarray(loadings, dtype=np.float64)
        if W.shape != (n_features, n_latent):
            raise ValueError(
                f"The starting W must have shape (n_features, q) = ({n_features}, {n_latent}); "
                f"got {W.shape}."
            )
    noise = variance if noise_variance is None else noise_variance
    params = PPCAParameters(X.mean(axis=0), W, noise)
    problem = start_problem(params, variance, noise_floor(X))
    if problem is not None:
        raise ValueError(problem)
    return params


@dataclass(frozen=True, eq=False)
class PPCAStart:
    """How θ_0 was chosen: ``method`` "random" (with ``seed`` when an integer gave it) or
    "given"; ``stats`` is None (θ_0 came from no E-step)."""

    params: PPCAParameters
    method: str
    seed: int | None
    stats: None = None


@dataclass(frozen=True, eq=False)
class PPCAData:
    """The data of one run, as :meth:`PPCA.prepare` leaves them for the half-steps.

    Attributes
    ----------
    X : array of shape (n_samples, n_features)
    mean : array of shape (n_features,)
        μ, the sample mean.
    variance : float
        tr(S)/d, the scale of a random start.
    noise_floor : float
        The smallest variance the data show in double precision (:func:`noise_floor`): σ² at
        or below it has collapsed.
    scatter_root : array of shape (min(n_samples, n_features), n_features)
        R = diag(s) Vᵀ from the SVD of the centred data, so RᵀR = Σ_n (x_n − x̄)(x_n − x̄)ᵀ
        (:attr:`PPCAStatistics.scatter_root`).
    """

    X: NDArray[np.float64]
    mean: NDArray[np.float64]
    variance: float
    noise_floor: float
    scatter_root: NDArray[np.float64]


@dataclass(frozen=True)
class PPCA:
    """Probabilistic PCA with ``n_latent`` (q) latent dimensions, as an EM model
    (:class:`em_core.model.EMModel`): :func:`em_core.em.run_em` fits it."""

    n_latent: int
    name = "probabilistic PCA"
    penalised = False

    def prepare(self, X: NDArray[np.float64]) -> PPCAData:
        X = as_ppca_data(X)
        check_n_latent(self.n_latent, *X.shape)
        singular, rows = _centred_svd(X)
        _check_noise(X, _eigenvalues(singular, *X.shape), self.n_latent)
        root = _frozen(singular[:, None] * rows)
        return PPCAData(X, X.mean(axis=0), mean_variance(X), noise_floor(X), root)

    def n_observations(self, data: PPCAData) -> int:
        return data.X.shape[0]

    def e_step(self, data: PPCAData, params: PPCAParameters) -> tuple[PPCAStatistics, float]:
        """The sufficient statistics of the latent coordinates under ``params``, and ℓ."""
        posterior = _posterior(data.X, params)
        ll = float(_log_density(*posterior, params).sum())
        return _statistics(data, *posterior, params), ll

    def m_step(self, data: PPCAData, stats: PPCAStatistics) -> tuple[PPCAParameters, None]:
        """θ from the statistics alone (no pass over the data)."""
        return maximise(stats, data.mean), None

    def check(
        self, data: PPCAData, params: PPCAParameters, stats: None, iteration: int
    ) -> Failure | None:
        return failure(params, data.noise_floor, iteration)

    def start_problem(
        self, data: PPCAData, params: PPCAParameters, error: Exception | None
    ) -> str | None:
        if error is None:
            if params.loadings.shape != (data.X.shape[1], self.n_latent):
                return (
                    f"The starting W has shape {params.loadings.shape}; for these data and "
                    f"q = {self.n_latent} it must be ({data.X.shape[1]}, {self.n_latent})."
                )
            return start_problem(params, data.variance, data.noise_floor)
        return (
            "The E-step on the starting parameters failed: W and σ² are too far from the "
            f"scale of the data (largest |W| entry {np.abs(params.loadings).max():.2g}, "
            f"σ² = {params.noise_variance:.2g}); start nearer the data."
        )


def fit(
    X: ArrayLike,
    n_latent: int,
    *,
    rng: np.random.Generator | int | None = 0,
    loadings: ArrayLike | None = None,
    noise_variance: float | None = None,
    tol: float = 1e-3,
    max_iter: int = 100,
    callback: Callable[[Snapshot], object] | None = None,
) -> Trace:
    """Fit probabilistic PCA by EM and return the whole trace.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_latent : int
        q, the latent dimension: 1 ≤ q < n_features.
    rng, loadings, noise_variance : see :func:`start` (a given W makes the start "given").
    tol, max_iter, callback : see :func:`em_core.em.run_em`.

    Returns
    -------
    Trace
        ``snapshot.params`` is a :class:`PPCAParameters`; ``trace.start`` a
        :class:`PPCAStart`.
    """
    params = start(X, n_latent, rng=rng, loadings=loadings, noise_variance=noise_variance)
    seed = int(rng) if isinstance(rng, int | np.integer) and loadings is None else None
    record = PPCAStart(params, "random" if loadings is None else "given", seed)
    return run_em(X, PPCA(n_latent), record, tol=tol, max_iter=max_iter, callback=callback)
