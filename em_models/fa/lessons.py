"""The numbers of factor analysis's three lessons under its stepping view, pure:

- the Heywood case: the run carried on far past its stopping rule, from the same start, with
  the smallest ψ (as a share of its variable's variance) and ℓ at a few iterations;
- the rotation: the loadings turned, with C and ℓ unchanged, and varimax's turn;
- factor analysis beside probabilistic PCA (its closed-form maximum) on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from em_core import Trace
from em_models.fa import engine, rotation
from em_models.fa.engine import FAParameters
from em_models.ppca import engine as ppca

LONG_RUN = 3000
MILESTONES = (0, 1, 3, 10, 30, 100, 300, 1000, 3000)


def long_run(X: NDArray[np.float64], trace: Trace) -> Trace:
    """EM from the run's own start for :data:`LONG_RUN` iterations, ignoring tol (it stops
    early only at a Heywood limit)."""
    start = trace.snapshots[0].params
    return engine.fit(
        X,
        start.n_factors,
        standardise=trace.model.standardise,
        loadings=start.loadings,
        noise_variances=start.noise_variances,
        columns=trace.model.columns,
        tol=0.0,
        max_iter=LONG_RUN,
    )


def smallest_share(params: FAParameters, variances: NDArray[np.float64]) -> int:
    """The variable whose ψ is the smallest share of its variance."""
    return int(np.argmin(params.noise_variances / variances))


def heywood_table(long: Trace, i: int) -> pd.DataFrame:
    """ψ of variable ``i`` and ℓ along the long run, with ℓ's gain in that iteration."""
    ll = long.log_likelihoods
    rows = [t for t in MILESTONES if t <= long.n_iter]
    return pd.DataFrame(
        {
            "iteration": rows,
            "ψ": [long.snapshots[t].params.noise_variances[i] for t in rows],
            "ℓ": [ll[t] for t in rows],
            "gain of ℓ in that iteration": [np.nan if t == 0 else ll[t] - ll[t - 1] for t in rows],
        }
    )


@dataclass(frozen=True)
class Turned:
    """The loadings turned by an angle, and what did not change."""

    loadings: NDArray[np.float64]
    covariance_change: float  # the largest |entry| of (W R)(W R)ᵀ + Ψ − C
    log_likelihood: float


def turned(X: NDArray[np.float64], trace: Trace, degrees: float) -> Turned:
    """The final loadings turned by ``degrees`` in the plane of factors 1 and 2."""
    params = trace.final.params
    W = params.loadings @ rotation.plane_rotation(params.n_factors, degrees)
    other = FAParameters(params.mean, W, params.noise_variances)
    change = float(np.abs(other.covariance() - params.covariance()).max())
    ll = engine.log_likelihood(X, other, standardise=trace.model.standardise)
    return Turned(W, change, ll)


def loadings_table(
    names: tuple[str, ...], W: NDArray[np.float64], varimax: NDArray[np.float64]
) -> pd.DataFrame:
    table = pd.DataFrame({"variable": list(names)})
    for k in range(W.shape[1]):
        table[f"turned w{k + 1}"] = W[:, k]
    for k in range(W.shape[1]):
        table[f"varimax w{k + 1}"] = varimax[:, k]
    return table


@dataclass(frozen=True)
class Beside:
    """Probabilistic PCA's maximum on the same (standardised) data and q."""

    noise_variance: float
    log_likelihood: float


def ppca_beside(X_fitted: NDArray[np.float64], n_factors: int) -> Beside:
    """σ² and ℓ at probabilistic PCA's maximum (Tipping and Bishop's closed form)."""
    params = ppca.closed_form(X_fitted, n_factors)
    return Beside(float(params.noise_variance), float(ppca.log_likelihood(X_fitted, params)))
