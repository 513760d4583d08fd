"""Choosing the starting parameters θ_0 of Baum–Welch.

Methods (``method=``):

- ``"given"``: parameters supplied by the caller (the ice-cream example starts this way).
- ``"random"``: seeded; π and every row of A drawn from a flat Dirichlet; categorical
  emission rows too; Gaussian means at distinct random observations, each covariance the
  data's; Poisson rates halfway between random observations and the mean count.
- ``"mixture"``: the states' emissions from a mixture fitted to the observations as if they
  were independent (Gaussian: K-means, then the Gaussian mixture's EM; Poisson: K-means on
  the counts, then a Poisson mixture's EM), its weights as π, and A = ½ I + ½ 1 πᵀ (each
  state stays with probability ½, else moves as the mixture's weights say). A mixture of
  categorical symbols cannot tell its components apart (each observation is one symbol), so
  categorical models start from "random" or "given" parameters.

With an end state, each state ends with probability 1 / (mean sequence length) (random
and mixture starts) and the rest of its row is scaled to fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.emissions import (
    CategoricalEmissions,
    Emissions,
    GaussianEmissions,
    PoissonEmissions,
)
from em_models.hmm.params import HMMParams
from em_models.mixture import engine as mixture
from em_models.mixture.gaussian import estimate_parameters, normalise_log_prob
from em_models.mixture.starts import kmeans, kmeans_plusplus

if TYPE_CHECKING:
    from em_models.hmm.engine import HMM, HMMData

INIT_METHODS = ("mixture", "random", "given")
# The Poisson mixture behind a "mixture" start stops when ℓ per observation changes by less.
MIXTURE_TOL = 1e-8
MIXTURE_MAX_ITER = 500


@dataclass(frozen=True, eq=False)
class HMMStart:
    """How θ_0 was chosen (the start record of :func:`em_core.em.run_em`).

    Attributes
    ----------
    method : str
    seed : int or None
        The integer seed, when the randomness came from one.
    params : HMMParams
        θ_0.
    """

    method: str
    seed: int | None
    params: HMMParams

    @property
    def stats(self) -> None:
        return None


def _rng(rng: np.random.Generator | int | None) -> tuple[np.random.Generator, int | None]:
    if isinstance(rng, np.random.Generator):
        return rng, None
    return np.random.default_rng(rng), rng


def _chain(
    startprob: NDArray[np.float64],
    transmat: NDArray[np.float64],
    emissions: Emissions,
    model: HMM,
    data: HMMData,
) -> HMMParams:
    """θ_0 with an end probability of 1 / (mean length) when the model has an end state."""
    if not model.end_state:
        return HMMParams(startprob, transmat, emissions)
    stop = min(1.0, len(data.lengths) / data.X.shape[0])
    K = startprob.size
    return HMMParams(startprob, transmat * (1.0 - stop), emissions, np.full(K, stop))


def random_start(model: HMM, data: HMMData, n_states: int, rng: np.random.Generator) -> HMMParams:
    """π and the rows of A from a flat Dirichlet, and random emissions (module docstring)."""
    K, X = n_states, data.X
    startprob = rng.dirichlet(np.ones(K))
    transmat = rng.dirichlet(np.ones(K), size=K)
    kind = model.family.kind
    if kind == "categorical":
        emissions = CategoricalEmissions(rng.dirichlet(np.ones(model.family.n_symbols), size=K))
    else:
        _check_rows(X, K)
        picked = X[rng.choice(X.shape[0], size=K, replace=False)]
        if kind == "poisson":
            emissions = PoissonEmissions(0.5 * (picked + X.mean(axis=0)))
        else:
            emissions = _gaussian_around(model, data, picked)
    return _chain(startprob, transmat, emissions, model, data)


def _gaussian_around(model: HMM, data: HMMData, means: NDArray[np.float64]) -> GaussianEmissions:
    """Every state with the data's covariance (plus the ridge), at the given means."""
    XT = data.emission_data.XT
    whole, _ = estimate_parameters(
        XT,
        np.ones((means.shape[0], XT.shape[1])),
        model.family.covariance_type,
        model.family.ridge_diagonal,
    )
    return GaussianEmissions(means, whole.covariances, model.family.covariance_type)


def _check_rows(X: NDArray[np.float64], n_states: int) -> None:
    if n_states > X.shape[0]:
        raise ValueError(
            f"{n_states} states need at least {n_states} observations to start from; the data "
            f"have {X.shape[0]}."
        )


def mixture_start(model: HMM, data: HMMData, n_states: int, rng: np.random.Generator) -> HMMParams:
    """Emissions and π from a fitted mixture, A = ½ I + ½ 1 πᵀ (module docstring)."""
    kind = model.family.kind
    if kind == "categorical":
        raise ValueError(
            "A mixture cannot tell the states of categorical symbols apart (each observation "
            "is a single symbol); start from random or given parameters instead."
        )
    _check_rows(data.X, n_states)
    if kind == "gaussian":
        resp = _gaussian_mixture(model, data, n_states, rng)
    else:
        resp = _poisson_mixture(model, data, n_states, rng)
    occupancy = resp.sum(axis=0)
    weights = occupancy / occupancy.sum()
    emissions = model.family.estimate(data.emission_data, resp, occupancy)
    transmat = 0.5 * np.eye(n_states) + 0.5 * weights[None, :]
    return _chain(weights, transmat, emissions, model, data)


def _gaussian_mixture(
    model: HMM, data: HMMData, n_states: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """The responsibilities (n_observations, n_states) of a Gaussian mixture's fit."""
    family = model.family
    ridge = (
        {"ridge": family.ridge}
        if family.ridge is not None
        else {"reg_covar": float(family.ridge_diagonal.max())}
    )
    trace = mixture.fit(data.X, n_states, covariance_type=family.covariance_type, rng=rng, **ridge)
    return mixture.e_step(data.X, trace.final.params).resp


def _poisson_mixture(
    model: HMM, data: HMMData, n_states: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """The responsibilities of a Poisson mixture fitted by EM from K-means's clusters."""
    XT = np.ascontiguousarray(data.X.T)
    _, labels = kmeans(XT, kmeans_plusplus(XT, n_states, rng))
    resp = np.eye(n_states)[labels]
    before = -np.inf
    for _ in range(MIXTURE_MAX_ITER):
        occupancy = resp.sum(axis=0)
        rates = model.family.estimate(data.emission_data, resp, occupancy)
        with np.errstate(divide="ignore"):
            weighted = (
                model.family.log_prob(data.emission_data, rates).T
                + np.log(occupancy / occupancy.sum())[:, None]
            )
        resp_T, ll = normalise_log_prob(np.ascontiguousarray(weighted))
        resp = resp_T.T
        if ll - before < MIXTURE_TOL * data.X.shape[0]:
            break
        before = ll
    return resp


def initialise(
    model: HMM,
    data: HMMData,
    n_states: int,
    method: str = "mixture",
    *,
    rng: np.random.Generator | int | None = 0,
    params: HMMParams | None = None,
) -> HMMStart:
    """θ_0 by ``method`` (see the module docstring), as a start record for the driver."""
    if not isinstance(n_states, int | np.integer) or n_states < 1:
        raise ValueError(f"n_states must be a whole number ≥ 1; got {n_states!r}.")
    if method not in INIT_METHODS:
        raise ValueError(
            f"Unknown start {method!r}; choose one of " + ", ".join(map(repr, INIT_METHODS)) + "."
        )
    if method == "given":
        if params is None:
            raise ValueError('A "given" start needs the starting parameters.')
        if params.n_states != n_states:
            raise ValueError(
                f"The starting parameters have {params.n_states} states, not {n_states}."
            )
        return HMMStart("given", None, params)
    generator, seed = _rng(rng)
    make = random_start if method == "random" else mixture_start
    return HMMStart(method, seed, make(model, data, n_states, generator))
