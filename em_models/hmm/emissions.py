"""What each state emits: categorical symbols, Gaussian values, or Poisson counts.

Each family is two small classes: the parameters (immutable, read-only arrays), and the
family itself, which holds the settings (for Gaussians, the covariance type and the ridge)
and does the work: check and lay out the data, log b_t(k) for every observation and state,
the closed-form M-step from the posteriors γ, and the test for a collapsed state.

The Gaussian family reuses the mixture's own code (:mod:`em_models.mixture.gaussian`): its
densities,
its M-step formulas with the ridge, and its floor for a collapsed variance, so a hidden
Markov model whose transitions forget the past gives exactly the mixture's numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.model import Failure, StopReason
from em_models.mixture.gaussian import (
    Parameters,
    Statistics,
    check_covariance_type,
    covariance_shape,
    maximise,
    robust_scale,
    smallest_variances,
    sufficient_statistics,
    variance_floor,
    weighted_log_prob,
    whitening,
)
from em_models.mixture.starts import resolve_ridge


def frozen(a: ArrayLike) -> NDArray[np.float64]:
    out = np.array(a, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


def _divide_rows(counts: NDArray[np.float64], totals: NDArray[np.float64]) -> NDArray:
    """counts / totals row by row; a row with total 0 stays 0 (an emptied state)."""
    return counts / np.where(totals > 0, totals, 1.0)[:, None]


def _whole_numbers(X: NDArray[np.float64], what: str) -> NDArray[np.intp]:
    wrong = (X < 0) | (np.round(X) != X)
    if wrong.any():
        bad = X[wrong][0]
        raise ValueError(f"{what} must be whole numbers ≥ 0; the data contain {bad:g}.")
    return X.astype(np.intp)


# --- categorical -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CategoricalEmissions:
    """probs[k, m] = p(symbol m | state k); each row sums to 1."""

    probs: NDArray[np.float64]

    def __post_init__(self) -> None:
        object.__setattr__(self, "probs", frozen(self.probs))

    @property
    def n_states(self) -> int:
        return self.probs.shape[0]


@dataclass(frozen=True)
class Categorical:
    """Symbols 0 … n_symbols − 1, one column of whole numbers."""

    n_symbols: int
    kind: ClassVar[str] = "categorical"
    penalised: ClassVar[bool] = False

    def prepare(self, X: NDArray[np.float64]) -> NDArray[np.intp]:
        if X.shape[1] != 1:
            raise ValueError(f"Symbols come one a step, in one column; the data have {X.shape[1]}.")
        symbols = _whole_numbers(X[:, 0], "Symbols")
        if symbols.max() >= self.n_symbols:
            raise ValueError(
                f"The data contain the symbol {symbols.max()}, but the model has only "
                f"{self.n_symbols} symbols (0 to {self.n_symbols - 1})."
            )
        return symbols

    def log_prob(self, symbols: NDArray[np.intp], em: CategoricalEmissions) -> NDArray:
        with np.errstate(divide="ignore"):
            return np.log(em.probs.T)[symbols]

    def statistics(self, symbols: NDArray[np.intp], gamma: NDArray[np.float64]) -> NDArray:
        """Σ_t γ_t(k) [x_t = m]: each state's expected count of each symbol."""
        return np.stack(
            [np.bincount(symbols, weights=g, minlength=self.n_symbols) for g in gamma.T]
        )

    def maximise(self, counts: NDArray, occupancy: NDArray) -> CategoricalEmissions:
        return CategoricalEmissions(_divide_rows(counts, occupancy))

    def estimate(
        self, symbols: NDArray[np.intp], gamma: NDArray[np.float64], occupancy: NDArray
    ) -> CategoricalEmissions:
        return self.maximise(self.statistics(symbols, gamma), occupancy)

    def check(self, data: Any, em: CategoricalEmissions, iteration: int) -> Failure | None:
        return None

    def start_problem(self, data: Any, em: CategoricalEmissions) -> str | None:
        if em.probs.shape[1] != self.n_symbols:
            return f"The emission table has {em.probs.shape[1]} symbols, not {self.n_symbols}."
        return probability_problem(em.probs, "emission probabilities")


# --- Poisson -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PoissonEmissions:
    """rates[k, i]: the mean count of feature i in state k (features independent)."""

    rates: NDArray[np.float64]

    def __post_init__(self) -> None:
        rates = np.asarray(self.rates, dtype=np.float64)
        object.__setattr__(self, "rates", frozen(rates[:, None] if rates.ndim == 1 else rates))

    @property
    def n_states(self) -> int:
        return self.rates.shape[0]


@dataclass(frozen=True, eq=False)
class _Counts:
    X: NDArray[np.float64]  # (n_observations, n_features), whole numbers
    log_factorial: NDArray[np.float64]  # (n_observations,): Σ_i log x_ti!


@dataclass(frozen=True)
class Poisson:
    """Counts: whole numbers ≥ 0 in one or more columns."""

    kind: ClassVar[str] = "poisson"
    penalised: ClassVar[bool] = False

    def prepare(self, X: NDArray[np.float64]) -> _Counts:
        counts = _whole_numbers(X, "Counts")
        values, inverse = np.unique(counts, return_inverse=True)
        table = np.array([math.lgamma(v + 1.0) for v in values])
        return _Counts(X, table[inverse.reshape(counts.shape)].sum(axis=1))

    def log_prob(self, data: _Counts, em: PoissonEmissions) -> NDArray[np.float64]:
        """Σ_i (x_ti log λ_ki − λ_ki − log x_ti!); a rate of 0 gives only zeros."""
        zero = em.rates <= 0
        log_rates = np.log(np.where(zero, 1.0, em.rates))
        out = data.X @ log_rates.T - em.rates.sum(axis=1) - data.log_factorial[:, None]
        if zero.any():
            out[((data.X > 0).astype(np.float64) @ zero.T) > 0] = -np.inf
        return out

    def statistics(self, data: _Counts, gamma: NDArray) -> NDArray[np.float64]:
        """Σ_t γ_t(k) x_t: each state's expected sum of the counts."""
        return gamma.T @ data.X

    def maximise(self, sums: NDArray, occupancy: NDArray) -> PoissonEmissions:
        return PoissonEmissions(_divide_rows(sums, occupancy))

    def estimate(self, data: _Counts, gamma: NDArray, occupancy: NDArray) -> PoissonEmissions:
        return self.maximise(self.statistics(data, gamma), occupancy)

    def check(self, data: Any, em: PoissonEmissions, iteration: int) -> Failure | None:
        return None

    def start_problem(self, data: _Counts, em: PoissonEmissions) -> str | None:
        if em.rates.shape[1] != data.X.shape[1]:
            return f"The rates have {em.rates.shape[1]} columns, the data {data.X.shape[1]}."
        if not np.all(np.isfinite(em.rates)) or np.any(em.rates < 0):
            return "Every state's rate must be a finite number ≥ 0."
        return None


# --- Gaussian ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GaussianEmissions:
    """Each state's mean and covariance, stored as the mixture stores them."""

    means: NDArray[np.float64]
    covariances: NDArray[np.float64]
    covariance_type: str

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        object.__setattr__(self, "means", frozen(self.means))
        object.__setattr__(self, "covariances", frozen(self.covariances))
        K, d = self.means.shape
        if self.covariances.shape != covariance_shape(self.covariance_type, K, d):
            raise ValueError(
                f"'{self.covariance_type}' covariances for {K} states in {d} dimensions have "
                f"shape {covariance_shape(self.covariance_type, K, d)}, not "
                f"{self.covariances.shape}."
            )

    @property
    def n_states(self) -> int:
        return self.means.shape[0]

    def as_mixture(self) -> Parameters:
        """The mixture's parameters with every weight 1, so log π_k adds nothing."""
        return Parameters(
            np.ones(self.n_states), self.means, self.covariances, self.covariance_type
        )


@dataclass(frozen=True, eq=False)
class _Values:
    XT: NDArray[np.float64]  # (n_features, n_observations), C-contiguous
    scale: NDArray[np.float64]  # (n_features,), each feature's robust spread


@dataclass(frozen=True, eq=False)
class Gaussian:
    """Real values in one or more columns, with the mixture's covariance types and ridge.

    ``ridge_diagonal`` is what each M-step adds to each feature's variance (see
    :func:`em_models.mixture.starts.resolve_ridge`; :meth:`for_data` makes it relative to the data).
    """

    covariance_type: str
    ridge_diagonal: NDArray[np.float64]
    ridge: float | None = None
    kind: ClassVar[str] = "gaussian"

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        object.__setattr__(self, "ridge_diagonal", frozen(self.ridge_diagonal))

    @classmethod
    def for_data(
        cls, X: NDArray[np.float64], covariance_type: str = "full", **ridge: float | None
    ) -> Gaussian:
        """``ridge=`` (relative, 1e-6 by default) or ``reg_covar=`` (absolute)."""
        diagonal, relative = resolve_ridge(X, **ridge)
        return cls(covariance_type, diagonal, relative)

    @property
    def penalised(self) -> bool:
        return bool(np.any(self.ridge_diagonal > 0))

    def prepare(self, X: NDArray[np.float64]) -> _Values:
        if X.shape[1] != self.ridge_diagonal.size:
            raise ValueError(
                f"The model was set up for {self.ridge_diagonal.size} columns; the data have "
                f"{X.shape[1]}."
            )
        return _Values(np.ascontiguousarray(X.T), robust_scale(X))

    def log_prob(self, data: _Values, em: GaussianEmissions) -> NDArray[np.float64]:
        params = em.as_mixture()
        return np.ascontiguousarray(weighted_log_prob(data.XT, params, whitening(params)).T)

    def statistics(self, data: _Values, gamma: NDArray) -> Statistics:
        """The mixture's sufficient statistics under the states' posteriors: N_k, the
        weighted means and the scatter about them."""
        return sufficient_statistics(data.XT, np.ascontiguousarray(gamma.T), self.covariance_type)

    def maximise(self, stats: Statistics, occupancy: NDArray) -> GaussianEmissions:
        params, _ = maximise(stats, self.ridge_diagonal)
        return GaussianEmissions(params.means, params.covariances, self.covariance_type)

    def estimate(self, data: _Values, gamma: NDArray, occupancy: NDArray) -> GaussianEmissions:
        return self.maximise(self.statistics(data, gamma), occupancy)

    def check(self, data: _Values, em: GaussianEmissions, iteration: int) -> Failure | None:
        small = smallest_variances(em.as_mixture())
        bad = np.flatnonzero(~(small > variance_floor(em.means, data.scale)))
        if not bad.size:
            return None
        k = int(bad[0])
        return Failure(
            StopReason.COLLAPSED,
            f"State {k + 1} collapsed in the M-step of iteration {iteration}: its variance "
            f"shrank to {max(small[k], 0.0):.2g}, so the likelihood could grow without bound. "
            "Add a ridge, use fewer states, or start elsewhere.",
            k,
        )

    def start_problem(self, data: _Values, em: GaussianEmissions) -> str | None:
        if em.means.shape[1] != data.XT.shape[0]:
            return f"The means have {em.means.shape[1]} columns, the data {data.XT.shape[0]}."
        small = smallest_variances(em.as_mixture())
        low = np.flatnonzero(~(small > variance_floor(em.means, data.scale)))
        if low.size:
            k = int(low[0])
            return (
                f"The starting covariance of state {k + 1} is not positive definite or too "
                f"small to compute with (its smallest variance is {small[k]:.2g}); give each "
                "state a larger variance or add a ridge."
            )
        return None


# Rows of probabilities may add up to 1 within this much (numbers typed or read from a file).
SUM_TOL = 1e-8


def probability_problem(rows: NDArray[np.float64], name: str) -> str | None:
    """A sentence if a row of ``rows`` (shape (n, m)) is not a probability distribution."""
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        return f"The {name} must be finite numbers ≥ 0."
    sums = rows.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOL)
    if not bad.size:
        return None
    which = "" if rows.shape[0] == 1 else f" (row {int(bad[0]) + 1})"
    return f"The {name}{which} add up to {sums[bad[0]]:.6g}, not 1."


EmissionFamily = Categorical | Gaussian | Poisson
Emissions = CategoricalEmissions | GaussianEmissions | PoissonEmissions
