"""The hidden Markov model as an EM model (Baum–Welch): :class:`HMM` implements
:class:`em_core.model.EMModel`, and :func:`fit` fits one from a chosen start.

The missing data are the states z_1 … z_T. The E-step is the scaled forward–backward pass
(:mod:`em_models.hmm.forward_backward`): posteriors γ_t(k), expected transitions Σ_t ξ_t(j, k)
and ℓ. The M-step is closed-form:

π_k = Σ_sequences γ_1(k) / n_sequences,
A_jk = Σ_t ξ_t(j, k) / Σ_k' Σ_t ξ_t(j, k')  (with an end state: / Σ_t γ_t(j), and
e_j = Σ_sequences γ_T(j) / Σ_t γ_t(j)),

and the emissions' own formulas with γ as weights (:mod:`em_models.hmm.emissions`). A zero
in π or A stays zero: no path through it has any probability, so it gets no expected count.

Each snapshot's ``stats`` are the :class:`Counts` that produced its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core import em
from em_core.em import Snapshot, Trace, check_stopping
from em_core.model import Failure, StopReason
from em_models.hmm.emissions import (
    Categorical,
    CategoricalEmissions,
    EmissionFamily,
    Gaussian,
    GaussianEmissions,
    Poisson,
    PoissonEmissions,
    frozen,
)
from em_models.hmm.forward_backward import (
    ForwardBackward,
    Layout,
    ZeroLikelihood,
    forward_backward,
    make_layout,
)
from em_models.hmm.params import HMMParams
from em_models.hmm.sequences import Sequences, as_sequences
from em_models.hmm.starts import initialise
from em_models.mixture.engine import EMPTY_NK

EMISSIONS = ("categorical", "gaussian", "poisson")
_PARAMETER_TYPES = {
    "categorical": CategoricalEmissions,
    "gaussian": GaussianEmissions,
    "poisson": PoissonEmissions,
}


@dataclass(frozen=True, eq=False)
class HMMData:
    """The data as the half-steps use them.

    Attributes
    ----------
    X : array of shape (n_observations, n_features)
    lengths : tuple of int
    layout : Layout
        Where each sequence starts and ends, and the chunks of the scans.
    emission_data : the family's own layout of X (symbols, counts, transposed values)
    """

    X: NDArray[np.float64]
    lengths: tuple[int, ...]
    layout: Layout
    emission_data: Any


@dataclass(frozen=True, eq=False)
class Counts:
    """The expected counts an M-step turned into parameters (a snapshot's ``stats``).

    Attributes
    ----------
    occupancy : array of shape (n_states,)
        Σ_t γ_t(k), the expected number of observations each state emitted.
    starts : array of shape (n_states,)
        Σ_sequences γ_1(k).
    transitions : array of shape (n_states, n_states)
        Σ_t ξ_t(j, k).
    ends : array of shape (n_states,) or None
        Σ_sequences γ_T(k), with an end state.
    """

    occupancy: NDArray[np.float64]
    starts: NDArray[np.float64]
    transitions: NDArray[np.float64]
    ends: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        for name in ("occupancy", "starts", "transitions"):
            object.__setattr__(self, name, frozen(getattr(self, name)))
        if self.ends is not None:
            object.__setattr__(self, "ends", frozen(self.ends))


@dataclass(frozen=True, eq=False)
class Statistics:
    """What the E-step hands the M-step: the expected counts and the emissions' sufficient
    statistics (categorical: expected symbol counts per state; Poisson: expected sums of the
    counts; Gaussian: the mixture's N_k, weighted means and scatter). Their size does not
    grow with the length of the sequences."""

    counts: Counts
    emissions: Any


def _divide(counts: NDArray[np.float64], totals: NDArray[np.float64]) -> NDArray[np.float64]:
    """counts / totals along the last axis of counts; a total of 0 leaves zeros."""
    safe = np.where(totals > 0, totals, 1.0)
    return counts / (safe[:, None] if counts.ndim == 2 else safe)


@dataclass(frozen=True, eq=False)
class HMM:
    """A hidden Markov model's settings, the model :func:`em_core.em.run_em` fits.

    Attributes
    ----------
    family : Categorical, Gaussian or Poisson
        The emissions and their settings.
    end_state : bool
        Whether each state has a probability of ending the sequence.
    """

    family: EmissionFamily
    end_state: bool = False
    name: ClassVar[str] = "hidden Markov model"

    @property
    def penalised(self) -> bool:
        return self.family.penalised

    def prepare(self, X: Sequences | ArrayLike) -> HMMData:
        values, lengths = as_sequences(X)
        return HMMData(values, lengths, make_layout(lengths), self.family.prepare(values))

    def n_observations(self, data: HMMData) -> int:
        return data.X.shape[0]

    def forward_backward(self, data: HMMData, params: HMMParams) -> ForwardBackward:
        """The scaled forward–backward pass on ``params``: α, β, γ, ξ's sums and ℓ (what the
        views draw; the E-step reduces it to the M-step's statistics)."""
        log_b = self.family.log_prob(data.emission_data, params.emissions)
        return forward_backward(
            log_b, params.startprob, params.transmat, params.endprob, data.layout
        )

    def e_step(self, data: HMMData, params: HMMParams) -> tuple[Statistics, float]:
        """The E-step: the forward–backward pass, handed on as the expected counts (starts,
        transitions, ends, visits) and the emissions' own sufficient statistics."""
        fb = self.forward_backward(data, params)
        layout, gamma = data.layout, fb.gamma
        counts = Counts(
            occupancy=np.ones(len(gamma)) @ gamma,  # gamma.sum(axis=0), ten times faster
            starts=gamma[layout.starts].sum(axis=0),
            transitions=fb.xi_sum,
            ends=gamma[layout.ends].sum(axis=0) if self.end_state else None,
        )
        emissions = self.family.statistics(data.emission_data, gamma)
        return Statistics(counts, emissions), fb.log_likelihood

    def m_step(self, data: HMMData, stats: Statistics) -> tuple[HMMParams, Counts]:
        """The M-step from the statistics alone: every row of counts divided by its total."""
        counts = stats.counts
        leaving = counts.transitions.sum(axis=1)
        if counts.ends is not None:
            leaving = leaving + counts.ends
        params = HMMParams(
            startprob=counts.starts / counts.starts.sum(),
            transmat=_divide(counts.transitions, leaving),
            emissions=self.family.maximise(stats.emissions, counts.occupancy),
            endprob=None if counts.ends is None else _divide(counts.ends, leaving),
        )
        return params, counts

    def check(
        self, data: HMMData, params: HMMParams, counts: Counts, iteration: int
    ) -> Failure | None:
        """An emptied state, a state nothing leaves, or a collapsed Gaussian, or None."""
        empty = np.flatnonzero(counts.occupancy < EMPTY_NK)
        if empty.size:
            k = int(empty[0])
            return Failure(
                StopReason.EMPTIED,
                f"State {k + 1} lost all its observations in the M-step of iteration "
                f"{iteration} (its expected number of visits fell to "
                f"{counts.occupancy[k]:.2g}); try fewer states or another start.",
                k,
            )
        rows = params.transmat.sum(axis=1)
        if params.endprob is not None:
            rows = rows + params.endprob
        stuck = np.flatnonzero(rows < 0.5)
        if stuck.size:
            k = int(stuck[0])
            return Failure(
                StopReason.EMPTIED,
                f"In the M-step of iteration {iteration} state {k + 1} was only ever the last "
                "state of a sequence, so nothing says where it goes next; try fewer states, "
                "another start, or an end state.",
                k,
            )
        return self.family.check(data.emission_data, params.emissions, iteration)

    def start_problem(
        self, data: HMMData, params: HMMParams, error: Exception | None
    ) -> str | None:
        """What is wrong with starting parameters, in words, or None."""
        if not isinstance(params.emissions, _PARAMETER_TYPES[self.family.kind]):
            return f"The starting emissions are not {self.family.kind}."
        if (params.endprob is not None) != self.end_state:
            have = "has" if params.endprob is not None else "has no"
            return f"The start {have} end probabilities, but the model {_end_words(self)}."
        problem = params.problem() or self.family.start_problem(
            data.emission_data, params.emissions
        )
        if problem is not None or error is None:
            return problem
        if isinstance(error, ZeroLikelihood):
            if error.position is not None:
                return (
                    f"No state can emit observation {error.position + 1} "
                    f"({_observation(data, error.position)}) under the starting parameters; "
                    "give every state some probability of it."
                )
            return (
                "The observations have probability zero under the starting parameters: the "
                "zeros among the start, transition or end probabilities rule out every path "
                "through the states."
            )
        return (
            "The E-step on the starting parameters failed (an emission density overflowed or "
            "a covariance is not positive definite); start nearer the data."
        )


def _end_words(model: HMM) -> str:
    return "has an end state" if model.end_state else "has no end state"


def _observation(data: HMMData, position: int) -> str:
    return ", ".join(f"{v:g}" for v in data.X[position])


def make_family(
    X: NDArray[np.float64],
    emission: str,
    *,
    n_symbols: int | None = None,
    covariance_type: str = "full",
    ridge: float | None = None,
    reg_covar: float | None = None,
) -> EmissionFamily:
    """The emission family for these observations (shape (n_observations, n_features))."""
    if emission == "categorical":
        return Categorical(int(X.max()) + 1 if n_symbols is None else n_symbols)
    if emission == "poisson":
        return Poisson()
    if emission == "gaussian":
        return Gaussian.for_data(X, covariance_type, ridge=ridge, reg_covar=reg_covar)
    raise ValueError(
        f"Unknown emission {emission!r}; choose one of " + ", ".join(map(repr, EMISSIONS)) + "."
    )


def fit(
    X: Sequences | ArrayLike,
    n_states: int,
    *,
    emission: str = "gaussian",
    covariance_type: str = "full",
    n_symbols: int | None = None,
    end_state: bool = False,
    init: str = "mixture",
    params: HMMParams | None = None,
    rng: np.random.Generator | int | None = 0,
    ridge: float | None = None,
    reg_covar: float | None = None,
    tol: float = 1e-3,
    max_iter: int = 100,
    callback: Callable[[Snapshot], object] | None = None,
) -> Trace:
    """Fit a hidden Markov model by Baum–Welch and return the whole trace.

    Parameters
    ----------
    X : Sequences, or array-like of shape (n_observations,) or (n_observations, n_features)
        The observations (an array is one sequence).
    n_states : int
    emission : {"categorical", "gaussian", "poisson"}, default "gaussian"
    covariance_type, ridge, reg_covar : the Gaussian emissions' settings, as for the mixture
        (:func:`em_models.mixture.engine.fit`).
    n_symbols : int, optional
        The categorical alphabet's size (default: the largest symbol + 1).
    end_state : bool, default False
    init : {"mixture", "random", "given"}, default "mixture"
        How to choose θ_0 (see :mod:`em_models.hmm.starts`); "given" takes ``params``.
    rng : numpy.random.Generator or int or None, default 0
    tol, max_iter, callback : see :func:`em_core.em.run_em`.

    Returns
    -------
    Trace
        Its ``model`` is the :class:`HMM`, its ``start`` an :class:`em_models.hmm.starts.HMMStart`.
    """
    check_stopping(tol, max_iter)
    values, _ = as_sequences(X)
    family = make_family(
        values,
        emission,
        n_symbols=n_symbols,
        covariance_type=covariance_type,
        ridge=ridge,
        reg_covar=reg_covar,
    )
    model = HMM(family, end_state)
    data = model.prepare(X)
    start = initialise(model, data, n_states, init, rng=rng, params=params)
    return em.run_em(X, model, start, tol=tol, max_iter=max_iter, callback=callback)
