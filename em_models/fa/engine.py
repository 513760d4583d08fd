"""Factor analysis fitted by EM (Rubin and Thayer, 1982; Bishop, *PRML* §12.2.4).

The model: x = W z + μ + ε with z ~ N(0, I_q) and ε ~ N(0, Ψ), Ψ diagonal, so that
x ~ N(μ, C) with C = W Wᵀ + Ψ. It is probabilistic PCA with one noise variance per variable
instead of one for all, and EM is the same two steps with Ψ in place of σ² I.

==============  ==============================  =====================================
symbol          name                            shape
==============  ==============================  =====================================
x_n             ``X[n]``                        (n_samples, n_features), as fitted
μ               ``mean``                        (n_features,), the sample mean
W               ``loadings``                    (n_features, n_factors)
Ψ = diag(ψ)     ``noise_variances``             (n_features,)
C = WWᵀ + Ψ     ``covariance()``                (n_features, n_features)
M = I + WᵀΨ⁻¹W  (inside the E-step)             (n_factors, n_factors), by Cholesky
E[z_n]          ``latent_means[n]``             M⁻¹ WᵀΨ⁻¹ (x_n − μ)
Cov[z_n]        ``latent_covariance``           M⁻¹, the same for every n
Σ_n (x_n−x̄) E[z_n]ᵀ   ``sum_xz``                (n_features, n_factors)
Σ_n E[z_n z_nᵀ]       ``sum_zz``                (n_factors, n_factors)
==============  ==============================  =====================================

The E-step hands the M-step sufficient statistics (:class:`FAStatistics`), whose size does
not grow with N: the sums above, Cov[z], and for Ψ the E[z] of the data's principal axes
scaled by their spread, which stand in for the points. Both half-steps then take time
independent of N (the data's SVD is taken once per run).

The data are fitted as given or standardised (``standardise``: each column centred and
divided by its standard deviation, divisor N, so that S is the correlation matrix, as factor
analysts usually fit); the parameters are then in standardised units. μ is the sample mean
(its maximum whatever W and Ψ are). Only q × q matrices are factorised: the d × d covariance
C is never inverted, nor factorised; ℓ uses the matrix determinant lemma and Woodbury's
identity (:func:`_quadratic`).

A Heywood case (one variable explained entirely by the factors: its ψ_i heads for 0, where
the maximum lies on the boundary) stops the run as ``collapsed`` once ψ_i falls below
:data:`HEYWOOD_FRACTION` of that variable's variance, with the variable named and the
number: no floor holds ψ_i up silently. Above that limit the run goes on, and
:func:`communalities` shows how close a variable is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import Snapshot, Trace, as_data, run_em
from em_core.model import Failure, StopReason

LOG_2PI = float(np.log(2.0 * np.pi))
# ψ_i below this fraction of its variable's variance is a Heywood case: the run stops there.
# Scale-free, and far below what EM reaches in ordinary runs: on Harman's census data, where
# the maximum has ψ_population = 0, EM's ψ_population is still 7e-5 of its variance after
# 20,000 iterations (tests/test_fa_oracles.py).
HEYWOOD_FRACTION = 1e-6
# A column whose spread is below this fraction of its size is constant up to rounding.
CONSTANT_FRACTION = 1e-12
START_METHODS = ("pca", "random")


def _frozen(a: ArrayLike) -> NDArray[np.float64]:
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class FAParameters:
    """θ = {μ, W, Ψ} of factor analysis; arrays are read-only.

    Attributes
    ----------
    mean : array of shape (n_features,)
    loadings : array of shape (n_features, n_factors)
        W.
    noise_variances : array of shape (n_features,)
        ψ, the diagonal of Ψ: each variable's own noise variance (its uniqueness).
    """

    mean: NDArray[np.float64]
    loadings: NDArray[np.float64]
    noise_variances: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name in ("mean", "loadings", "noise_variances"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        d = self.mean.shape[0] if self.mean.ndim == 1 else -1
        if self.loadings.ndim != 2 or self.loadings.shape[0] != d:
            raise ValueError(
                f"W must have one row per variable ({d}); got shape {self.loadings.shape}."
            )
        if self.noise_variances.shape != (d,):
            raise ValueError(
                f"Ψ must hold one noise variance per variable ({d}); got shape "
                f"{self.noise_variances.shape}."
            )

    @property
    def n_features(self) -> int:
        return self.mean.shape[0]

    @property
    def n_factors(self) -> int:
        return self.loadings.shape[1]

    def covariance(self) -> NDArray[np.float64]:
        """C = W Wᵀ + Ψ, the model's covariance of x, shape (n_features, n_features)."""
        return self.loadings @ self.loadings.T + np.diag(self.noise_variances)


def communalities(params: FAParameters) -> NDArray[np.float64]:
    """Each variable's share of its modelled variance that the factors explain,
    h_i² / (h_i² + ψ_i) with h_i² = Σ_k w_ik²: 1 for a Heywood case. On standardised data
    at the maximum, h_i² + ψ_i = 1 and this is the communality as tables print it."""
    common = np.sum(params.loadings**2, axis=1)
    return common / (common + params.noise_variances)


@dataclass(frozen=True, eq=False)
class FAEStep:
    """The expectations of the factors of every point under one set of parameters (for a
    view: the factor scores); the model's own E-step hands the M-step :class:`FAStatistics`.

    Attributes
    ----------
    latent_means : array of shape (n_samples, n_factors)
        E[z_n] = M⁻¹ WᵀΨ⁻¹ (x_n − μ).
    latent_covariance : array of shape (n_factors, n_factors)
        Cov[z_n] = M⁻¹, the same for every point; E[z_n z_nᵀ] = Cov[z_n] + E[z_n] E[z_n]ᵀ.
    """

    latent_means: NDArray[np.float64]
    latent_covariance: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class FAStatistics:
    """What the model's E-step hands its M-step: sufficient statistics, whose size does not
    grow with the number of points (no per-point E[z_n]).

    E[z_n] = (x_n − μ)ᵀ K is linear in the point (K = Ψ⁻¹ W M⁻¹), so with c_n = x_n − x̄
    (Σ_n c_n = 0) the rows r_i of any R with RᵀR = Σ_n c_n c_nᵀ stand in for the points:
    Σ_n c_n E[z_n]ᵀ = Rᵀ R K, and every sum of squares over the points is one over the rows
    plus N times that of the mean's own E[z].

    Attributes
    ----------
    sum_xz : array of shape (n_features, n_factors)
        Σ_n (x_n − x̄) E[z_n]ᵀ.
    sum_zz : array of shape (n_factors, n_factors)
        Σ_n E[z_n z_nᵀ] = N M⁻¹ + Σ_n E[z_n] E[z_n]ᵀ.
    latent_covariance : array of shape (n_factors, n_factors)
        Cov[z_n] = M⁻¹.
    scatter_root : array of shape (min(n_samples, n_features), n_features)
        R: the data's principal axes, each scaled by √N times its spread (the same array in
        every E-step of a run).
    root_latent_means : array of shape (min(n_samples, n_features), n_factors)
        The E[z] of each row of R taken as a point about x̄: they stand in for the E[z_n].
    mean_latent : array of shape (n_factors,)
        The E[z] of x̄: 0 when μ is the sample mean.
    n_samples : int
    """

    sum_xz: NDArray[np.float64]
    sum_zz: NDArray[np.float64]
    latent_covariance: NDArray[np.float64]
    scatter_root: NDArray[np.float64]
    root_latent_means: NDArray[np.float64]
    mean_latent: NDArray[np.float64]
    n_samples: int


def max_factors(n_features: int) -> int:
    """The most factors d variables can identify: the largest q whose parameters, d q + d
    less q(q − 1)/2 for W's rotation, are no more than the d(d + 1)/2 variances and
    covariances (0 when none can, d ≤ 2)."""
    q = 0
    while q + 1 < n_features and parameter_count(n_features, q + 1) <= covariance_count(n_features):
        q += 1
    return q


def parameter_count(n_features: int, n_factors: int) -> int:
    """d q + d − q(q − 1)/2: W up to rotation, and Ψ."""
    return n_features * n_factors + n_features - n_factors * (n_factors - 1) // 2


def covariance_count(n_features: int) -> int:
    """d(d + 1)/2, the distinct entries of a d × d covariance."""
    return n_features * (n_features + 1) // 2


def check_n_factors(n_factors: int, n_samples: int, n_features: int) -> None:
    """Refuse a number of factors the data cannot support, with the counts."""
    if isinstance(n_factors, bool) or not isinstance(n_factors, int | np.integer) or n_factors < 1:
        raise ValueError(
            f"q (the number of factors) must be a whole number ≥ 1; got {n_factors!r}."
        )
    if n_features < 3:
        raise ValueError(
            f"Factor analysis needs at least three columns: with {n_features}, even one factor "
            f"has {parameter_count(n_features, 1)} parameters, more than the "
            f"{covariance_count(n_features)} variances and covariances of the data."
        )
    params, entries = parameter_count(n_features, n_factors), covariance_count(n_features)
    if params > entries:
        raise ValueError(
            f"q = {n_factors} factors for {n_features} variables have {params} parameters "
            f"({n_features * n_factors} loadings + {n_features} noise variances − "
            f"{n_factors * (n_factors - 1) // 2} for the rotation of W), more than the "
            f"{entries} variances and covariances the data have: choose q ≤ "
            f"{max_factors(n_features)}."
        )
    if n_samples < 2:
        raise ValueError("Factor analysis needs at least two rows: one row has no spread.")


def column_names(n_features: int, columns: Sequence[str] | None) -> tuple[str, ...]:
    """The variables' names for messages: ``columns``, or "column 1", "column 2", …."""
    if columns is None:
        return tuple(f"column {j + 1}" for j in range(n_features))
    if len(columns) != n_features:
        raise ValueError(f"{len(columns)} column names for {n_features} columns.")
    return tuple(str(name) for name in columns)


@dataclass(frozen=True, eq=False)
class FAData:
    """The data of one run, as :meth:`FactorAnalysis.prepare` leaves them.

    Attributes
    ----------
    X : array of shape (n_samples, n_features)
        The data as fitted (standardised when the model says so).
    mean : array of shape (n_features,)
    centred : array of shape (n_samples, n_features)
        X − μ.
    variances : array of shape (n_features,)
        The diagonal of S (divisor N): each variable's variance, the scale of its ψ.
    scatter_root : array of shape (min(n_samples, n_features), n_features)
        R with RᵀR = Σ_n (x_n − x̄)(x_n − x̄)ᵀ, from the SVD of the centred data
        (:attr:`FAStatistics.scatter_root`).
    """

    X: NDArray[np.float64]
    mean: NDArray[np.float64]
    centred: NDArray[np.float64]
    variances: NDArray[np.float64]
    scatter_root: NDArray[np.float64]


def prepare_data(
    X: ArrayLike, n_factors: int, standardise: bool, columns: Sequence[str] | None
) -> FAData:
    """Check the data and the number of factors; the data as fitted, with their constants."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(
            f"The data must be a table of shape (n_samples, n_features); got shape {X.shape}."
        )
    X = as_data(X)
    names = column_names(X.shape[1], columns)
    check_n_factors(n_factors, *X.shape)
    mean = X.mean(axis=0)
    centred = X - mean
    spread = np.sqrt(np.mean(centred**2, axis=0))
    size = np.maximum(np.abs(X).max(axis=0), np.finfo(np.float64).tiny)
    constant = np.flatnonzero(spread <= CONSTANT_FRACTION * size)
    if constant.size:
        raise ValueError(
            f"The column “{names[constant[0]]}” has the same value in every row (up to "
            "rounding): it has no variance to share with the factors; leave it out."
        )
    if standardise:
        X = centred / spread
        mean, centred = np.zeros(X.shape[1]), X
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    root = singular[:, None] * axes
    return FAData(X, mean, centred, np.mean(centred**2, axis=0), root)


@functools.cache
def _identity(n: int) -> NDArray[np.float64]:
    """I_n, read-only, made once (an iteration asks for it twice)."""
    return _frozen(np.eye(n))


def _inverse(matrix: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """A⁻¹ and log det A of a small symmetric positive definite A, through its Cholesky
    factor L (A⁻¹ = L⁻ᵀ L⁻¹); ``LinAlgError`` when A is not positive definite."""
    lower = np.linalg.cholesky(matrix)
    lower_inverse = np.linalg.solve(lower, _identity(matrix.shape[0]))
    return lower_inverse.T @ lower_inverse, 2.0 * float(np.log(np.diag(lower)).sum())


@dataclass(frozen=True, eq=False)
class _Posterior:
    """The posterior of z given x under θ, as the E-step uses it.

    With W̃ = Ψ^-½ W: M = I + W̃ᵀW̃ = L Lᵀ (Cholesky, q × q), Cov[z | x] = M⁻¹ = L⁻ᵀL⁻¹, and
    E[z | x] = (x − μ)ᵀ K with K = Ψ⁻¹ W M⁻¹ (d × q): no d × d matrix is formed.
    """

    gain: NDArray[np.float64]  # K
    covariance: NDArray[np.float64]  # M⁻¹
    log_det: float  # log det C = log det Ψ + log det M (the matrix determinant lemma)

    @classmethod
    def of(cls, params: FAParameters) -> _Posterior:
        scale = 1.0 / np.sqrt(params.noise_variances)
        loadings = params.loadings * scale[:, None]
        covariance, log_det_m = _inverse(_identity(params.n_factors) + loadings.T @ loadings)
        log_det = float(np.log(params.noise_variances).sum()) + log_det_m
        return cls((loadings * scale[:, None]) @ covariance, covariance, log_det)


def _quadratic(
    centred: NDArray[np.float64], latent: NDArray[np.float64], params: FAParameters
) -> float:
    """Σ_n (x_n − μ)ᵀ C⁻¹ (x_n − μ) over the rows of ``centred`` (x_n − μ), with their E[z]
    ``latent``: by Woodbury, each is ‖Ψ^-½ (x − μ − W E[z])‖² + ‖E[z]‖², two sums of squares
    that keep their digits when a ψ_i is tiny beside its variable's spread."""
    residuals = (centred - latent @ params.loadings.T) / np.sqrt(params.noise_variances)
    return float((residuals**2).sum() + (latent**2).sum())


def statistics(data: FAData, params: FAParameters) -> tuple[FAStatistics, float]:
    """The model's E-step: the sufficient statistics and ℓ = Σ_n log N(x_n | μ, WWᵀ + Ψ),
    both from the rows of R and the mean (:class:`FAStatistics`), in time independent of N.

    With x_n − μ = c_n + δ (δ = x̄ − μ, Σ_n c_n = 0), Σ_n (x_n − μ)ᵀ C⁻¹ (x_n − μ) =
    Σ_i r_iᵀ C⁻¹ r_i + N δᵀ C⁻¹ δ.
    """
    posterior = _Posterior.of(params)
    root, n_samples = data.scatter_root, data.X.shape[0]
    root_latent = root @ posterior.gain
    offset = data.mean - params.mean
    mean_latent = offset @ posterior.gain
    quadratic = _quadratic(root, root_latent, params) + n_samples * _quadratic(
        offset[None, :], mean_latent[None, :], params
    )
    d = params.n_features
    ll = -0.5 * (n_samples * (d * LOG_2PI + posterior.log_det) + quadratic)
    stats = FAStatistics(
        sum_xz=root.T @ root_latent,
        sum_zz=n_samples * (posterior.covariance + np.outer(mean_latent, mean_latent))
        + root_latent.T @ root_latent,
        latent_covariance=posterior.covariance,
        scatter_root=root,
        root_latent_means=root_latent,
        mean_latent=mean_latent,
        n_samples=n_samples,
    )
    return stats, ll


def maximise(mean: NDArray[np.float64], stats: FAStatistics) -> FAParameters:
    """The M-step from the statistics alone: W = [Σ (x_n − x̄) E[z_n]ᵀ] [Σ E[z_n z_nᵀ]]⁻¹ and
    Ψ = diag(S − W Σ E[z_n] (x_n − x̄)ᵀ / N) for the new W; μ = x̄ (``mean``) carried over.

    Ψ's diagonal is computed as the equal sum of squares, ψ_i = (1/N) Σ_n E[(x_ni − x̄_i −
    w_iᵀ z_n)²] = (1/N) [Σ_n (x_ni − x̄_i − w_iᵀ E[z_n])² + N w_iᵀ Cov[z] w_i], the first
    sum over the rows of R (plus N times the mean's term): no digits are lost when ψ_i is
    tiny beside S_ii (a Heywood case), where S_ii − (W Σ E[z](x − x̄)ᵀ)_ii / N cancels.
    """
    loadings = stats.sum_xz @ _inverse(stats.sum_zz)[0]
    residuals = stats.scatter_root - stats.root_latent_means @ loadings.T
    residual = (residuals**2).sum(axis=0) + stats.n_samples * (loadings @ stats.mean_latent) ** 2
    spread = ((loadings @ stats.latent_covariance) * loadings).sum(axis=1)
    return FAParameters(mean, loadings, residual / stats.n_samples + spread)


def heywood(
    params: FAParameters, variances: NDArray[np.float64], names: Sequence[str], iteration: int
) -> Failure | None:
    """A :class:`Failure` naming the variable whose ψ_i fell below :data:`HEYWOOD_FRACTION`
    of its variance (the lowest, if several did), or None."""
    ratios = params.noise_variances / variances
    i = int(np.argmin(ratios))
    if ratios[i] >= HEYWOOD_FRACTION:
        return None
    return Failure(
        StopReason.COLLAPSED,
        f"Heywood case in the M-step of iteration {iteration}: the noise variance of "
        f"“{names[i]}” fell to {params.noise_variances[i]:.3g}, {ratios[i]:.2g} of that "
        f"variable's variance {variances[i]:.3g}, below the limit of {HEYWOOD_FRACTION:g}. "
        "The factors explain this variable (almost) entirely, so EM drives its noise "
        "variance toward 0, which it approaches without reaching. Fit fewer factors, or "
        "leave the variable out.",
        part=i,
    )


def failure(
    data: FAData, params: FAParameters, names: Sequence[str], iteration: int
) -> Failure | None:
    """Why the parameters from the M-step of ``iteration`` cannot be used, or None."""
    if not (np.all(np.isfinite(params.loadings)) and np.all(np.isfinite(params.noise_variances))):
        return Failure(
            StopReason.NUMERICAL,
            f"The M-step of iteration {iteration} produced values that are not finite numbers; "
            "the run stopped there.",
        )
    return heywood(params, data.variances, names, iteration)


def start_problem(data: FAData, params: FAParameters, names: Sequence[str]) -> str | None:
    """Why ``params`` cannot start EM on ``data``, or None."""
    W, noise = params.loadings, params.noise_variances
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(noise))):
        return "The starting W or Ψ contains NaN or infinite values."
    low = np.flatnonzero(~(noise > HEYWOOD_FRACTION * data.variances))
    if low.size:
        i = low[0]
        return (
            f"The starting noise variance of “{names[i]}” is {noise[i]:.3g}; every ψ must be "
            f"above {HEYWOOD_FRACTION:g} of its variable's variance ({data.variances[i]:.3g})."
        )
    singular = np.linalg.svd(W / np.sqrt(data.variances)[:, None], compute_uv=False)
    if not singular[-1] > 1e-10 * max(singular[0], 1.0):
        return (
            "The columns of the starting W are linearly dependent (or zero): EM would keep "
            "them so; start from independent columns."
        )
    return None


@dataclass(frozen=True)
class FactorAnalysis:
    """Factor analysis with ``n_factors`` (q) factors, as an EM model
    (:class:`em_core.model.EMModel`): :func:`em_core.em.run_em` fits it.

    ``standardise`` fits each column centred and divided by its standard deviation;
    ``columns`` names the variables in messages (None: "column 1", …).
    """

    n_factors: int
    standardise: bool = True
    columns: tuple[str, ...] | None = None
    name = "factor analysis"
    penalised = False

    def prepare(self, X: ArrayLike) -> FAData:
        return prepare_data(X, self.n_factors, self.standardise, self.columns)

    def names(self, n_features: int) -> tuple[str, ...]:
        return column_names(n_features, self.columns)

    def n_observations(self, data: FAData) -> int:
        return data.X.shape[0]

    def e_step(self, data: FAData, params: FAParameters) -> tuple[FAStatistics, float]:
        return statistics(data, params)

    def m_step(self, data: FAData, expectations: FAStatistics) -> tuple[FAParameters, None]:
        return maximise(data.mean, expectations), None

    def check(
        self, data: FAData, params: FAParameters, stats: None, iteration: int
    ) -> Failure | None:
        return failure(data, params, self.names(data.X.shape[1]), iteration)

    def start_problem(
        self, data: FAData, params: FAParameters, error: Exception | None
    ) -> str | None:
        d = data.X.shape[1]
        if error is not None:
            return (
                "The E-step on the starting parameters failed: W and Ψ are too far from the "
                f"scale of the data (largest |W| entry {np.abs(params.loadings).max():.2g}, "
                f"smallest ψ {params.noise_variances.min():.2g}); start nearer the data."
            )
        if params.loadings.shape != (d, self.n_factors):
            return (
                f"The starting W has shape {params.loadings.shape}; for these data and "
                f"q = {self.n_factors} it must be ({d}, {self.n_factors})."
            )
        return start_problem(data, params, self.names(d))


def start(
    data: FAData,
    n_factors: int,
    *,
    method: str = "pca",
    rng: np.random.Generator | int | None = 0,
    loadings: ArrayLike | None = None,
    noise_variances: ArrayLike | None = None,
) -> FAParameters:
    """θ_0 on prepared data: μ the sample mean, Ψ each variable's variance (or given), and W
    from ``method`` (or given).

    "pca": W = U_q (Λ_q − σ² I)^½ from S's leading eigenvectors and eigenvalues, σ² the mean
    of the others (probabilistic PCA's maximum); "random": standard normal entries, each row
    times its variable's standard deviation over √q, so the start has the data's scale in
    any units.
    """
    if method not in START_METHODS:
        raise ValueError(f"The start must be one of {', '.join(START_METHODS)}; got {method!r}.")
    n_samples, d = data.X.shape
    if loadings is not None:
        W = np.asarray(loadings, dtype=np.float64)
        if W.shape != (d, n_factors):
            raise ValueError(
                f"The starting W must have shape (n_features, q) = ({d}, {n_factors}); got "
                f"{W.shape}."
            )
    elif method == "random":
        W = np.random.default_rng(rng).standard_normal((d, n_factors))
        W *= np.sqrt(data.variances)[:, None] / np.sqrt(n_factors)
    else:
        _, singular, rows = np.linalg.svd(data.centred, full_matrices=False)
        values = np.zeros(d)
        values[: singular.size] = singular**2 / n_samples
        noise = values[n_factors:].mean()
        W = rows[:n_factors].T * np.sqrt(np.maximum(values[:n_factors] - noise, 0.0))
    psi = data.variances if noise_variances is None else noise_variances
    psi = np.asarray(psi, dtype=np.float64)
    if psi.shape != (d,):
        raise ValueError(f"The starting Ψ must hold {d} noise variances; got shape {psi.shape}.")
    return FAParameters(data.mean, W, psi)


@dataclass(frozen=True, eq=False)
class FAStart:
    """How θ_0 was chosen: ``method`` "pca", "random" (with ``seed`` when an integer gave
    it) or "given"; ``stats`` is None (θ_0 came from no E-step)."""

    params: FAParameters
    method: str
    seed: int | None
    stats: None = None


def e_step(X: ArrayLike, params: FAParameters, *, standardise: bool = True) -> FAEStep:
    """Every point's factor scores: E[z_n] and Cov[z_n] on data ``X`` as given (standardised
    first if ``standardise``, as the fit was).

    Returns
    -------
    FAEStep
        ``latent_means[n]`` is E[z_n].
    """
    data = prepare_data(X, params.n_factors, standardise, None)
    posterior = _Posterior.of(params)
    return FAEStep((data.X - params.mean) @ posterior.gain, posterior.covariance)


def log_likelihood(X: ArrayLike, params: FAParameters, *, standardise: bool = True) -> float:
    """ℓ = Σ_n log N(x_n | μ, W Wᵀ + Ψ) of ``X`` (standardised first if ``standardise``),
    point by point."""
    data = prepare_data(X, params.n_factors, standardise, None)
    posterior = _Posterior.of(params)
    centred = data.X - params.mean
    quadratic = _quadratic(centred, centred @ posterior.gain, params)
    d, n_samples = params.n_features, data.X.shape[0]
    return -0.5 * (n_samples * (d * LOG_2PI + posterior.log_det) + quadratic)


def fit(
    X: ArrayLike,
    n_factors: int,
    *,
    standardise: bool = True,
    init: str = "pca",
    rng: np.random.Generator | int | None = 0,
    loadings: ArrayLike | None = None,
    noise_variances: ArrayLike | None = None,
    columns: Sequence[str] | None = None,
    tol: float = 1e-3,
    max_iter: int = 100,
    callback: Callable[[Snapshot], object] | None = None,
) -> Trace:
    """Fit factor analysis by EM and return the whole trace.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_factors : int
        q ≥ 1, with d q + d − q(q − 1)/2 ≤ d(d + 1)/2 (:func:`max_factors`).
    standardise : bool, default True
        Fit the standardised columns (S is then the correlation matrix); the parameters,
        a given start included, are in standardised units.
    init : {"pca", "random"}, default "pca"
        W's start when ``loadings`` is not given (:func:`start`).
    rng : numpy.random.Generator or int or None, default 0
        Randomness for the "random" start; an int seeds a new Generator.
    loadings, noise_variances : array-like, optional
        A given W (n_features, q), making the start "given", and a given ψ (n_features,).
    columns : sequence of str, optional
        The variables' names, for the messages (a Heywood case names its variable).
    tol, max_iter, callback : see :func:`em_core.em.run_em`.

    Returns
    -------
    Trace
        ``snapshot.params`` is a :class:`FAParameters`; ``trace.start`` a :class:`FAStart`;
        ``trace.model`` the :class:`FactorAnalysis`.
    """
    names = None if columns is None else tuple(str(c) for c in columns)
    model = FactorAnalysis(n_factors, standardise, names)
    data = model.prepare(X)
    params = start(
        data, n_factors, method=init, rng=rng, loadings=loadings, noise_variances=noise_variances
    )
    method = "given" if loadings is not None else init
    seed = int(rng) if isinstance(rng, int | np.integer) and method == "random" else None
    record = FAStart(params, method, seed)
    return run_em(X, model, record, tol=tol, max_iter=max_iter, callback=callback)
