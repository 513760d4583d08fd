"""The parameters of a hidden Markov model: start π, transitions A, optional end e, emissions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.emissions import Emissions, frozen, probability_problem


@dataclass(frozen=True, eq=False)
class HMMParams:
    """θ = {π, A, e, emissions}; arrays are read-only.

    Attributes
    ----------
    startprob : array of shape (n_states,)
        π_k = p(z_1 = k).
    transmat : array of shape (n_states, n_states)
        A_jk = p(z_{t+1} = k | z_t = j).
    emissions : CategoricalEmissions, GaussianEmissions or PoissonEmissions
    endprob : array of shape (n_states,) or None
        e_k = p(the sequence stops after state k); then each row of [A | e] sums to 1.
        None: no end state (each row of A sums to 1).
    """

    startprob: NDArray[np.float64]
    transmat: NDArray[np.float64]
    emissions: Emissions
    endprob: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "startprob", frozen(self.startprob))
        object.__setattr__(self, "transmat", frozen(self.transmat))
        if self.endprob is not None:
            object.__setattr__(self, "endprob", frozen(self.endprob))
        K = self.startprob.shape[0]
        shapes = [self.startprob.shape, self.transmat.shape, (self.emissions.n_states,)]
        expected = [(K,), (K, K), (K,)]
        if self.endprob is not None:
            shapes.append(self.endprob.shape)
            expected.append((K,))
        if self.startprob.ndim != 1 or shapes != expected:
            raise ValueError(
                f"Inconsistent shapes for {K} states: start {self.startprob.shape}, "
                f"transitions {self.transmat.shape}, emissions for {self.emissions.n_states} "
                "states" + ("" if self.endprob is None else f", end {self.endprob.shape}") + "."
            )

    @property
    def n_states(self) -> int:
        return self.startprob.shape[0]

    def problem(self) -> str | None:
        """A sentence if π, A (with e) are not probabilities, else None."""
        if self.endprob is None:
            rows, name = self.transmat, "transitions"
        else:
            rows, name = np.column_stack([self.transmat, self.endprob]), "transitions and end"
        return probability_problem(self.startprob[None, :], "start probabilities") or (
            probability_problem(rows, name)
        )
