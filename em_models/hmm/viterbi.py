"""Decoding the states: the most likely sequence (Viterbi) and the most likely state at each
step (from the posteriors γ). The two can differ: the states that are each most likely need
not make a likely path, or even a possible one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.engine import HMM, HMMData
from em_models.hmm.params import HMMParams


@dataclass(frozen=True, eq=False)
class Decoding:
    """The most likely path of every sequence.

    Attributes
    ----------
    states : array of shape (n_observations,)
        The state (0-based) at each step.
    log_prob : float
        log p(x, path) summed over the sequences: the joint probability of the observations
        and the path.
    """

    states: NDArray[np.intp]
    log_prob: float


def viterbi(model: HMM, data: HMMData, params: HMMParams) -> Decoding:
    """The Viterbi path, in log space: δ_t(k) = max_j (δ_{t−1}(j) + log A_jk) + log b_t(k)."""
    log_b = model.family.log_prob(data.emission_data, params.emissions)
    with np.errstate(divide="ignore"):
        log_a, log_pi = np.log(params.transmat), np.log(params.startprob)
        log_end = None if params.endprob is None else np.log(params.endprob)
    states = np.empty(data.X.shape[0], dtype=np.intp)
    total = 0.0
    for start, end in zip(data.layout.starts, data.layout.ends, strict=True):
        path, best = _one_sequence(log_b[start : end + 1], log_pi, log_a, log_end)
        states[start : end + 1] = path
        total += best
    return Decoding(states, total)


def _one_sequence(
    log_b: NDArray[np.float64],
    log_pi: NDArray[np.float64],
    log_a: NDArray[np.float64],
    log_end: NDArray[np.float64] | None,
) -> tuple[NDArray[np.intp], float]:
    T, K = log_b.shape
    back = np.empty((T, K), dtype=np.intp)
    delta = log_pi + log_b[0]
    for t in range(1, T):
        scores = delta[:, None] + log_a
        back[t] = scores.argmax(axis=0)
        delta = scores[back[t], np.arange(K)] + log_b[t]
    if log_end is not None:
        delta = delta + log_end
    path = np.empty(T, dtype=np.intp)
    path[-1] = int(delta.argmax())
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(delta[path[-1]])


def posterior_states(gamma: NDArray[np.float64]) -> NDArray[np.intp]:
    """The most likely state at each step, argmax_k γ_t(k), shape (n_observations,)."""
    return gamma.argmax(axis=1)
