"""Shared pieces of the hidden Markov model's tests: Eisner's ice-cream start, and references
that compute the E-step the slow, obvious way (every path written out; the forward pass in
log space)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import logsumexp

from em_models.hmm.emissions import Categorical, CategoricalEmissions
from em_models.hmm.engine import HMM
from em_models.hmm.params import HMMParams

ICE_CREAM_DAYS = "2 3 3 2 3 2 3 2 2 3 1 3 3 1 1 1 2 1 1 1 3 1 2 1 1 1 2 3 3 2 3 2 2"
ICE_CREAM = np.array(ICE_CREAM_DAYS.split(), dtype=np.intp) - 1  # symbols 0, 1, 2
# States 0 = cold, 1 = hot; stay .8, switch .1, stop .1.
EISNER_START = HMMParams(
    startprob=np.array([0.5, 0.5]),
    transmat=np.array([[0.8, 0.1], [0.1, 0.8]]),
    emissions=CategoricalEmissions(np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])),
    endprob=np.array([0.1, 0.1]),
)
EISNER_MODEL = HMM(Categorical(3), end_state=True)


def every_path(log_b, startprob, transmat, endprob, lengths):
    """ℓ, γ, Σξ, the best path and its log probability, by writing out every path of every
    sequence (K^T of them: small cases only)."""
    b = np.exp(log_b)
    K = startprob.size
    stop = np.ones(K) if endprob is None else endprob
    gamma, xi = np.zeros_like(b), np.zeros((K, K))
    ll, best_log, best_path, start = 0.0, 0.0, [], 0
    for n in lengths:
        rows = slice(start, start + n)
        paths = np.array(list(itertools.product(range(K), repeat=n)))
        steps = np.arange(n)
        joint = startprob[paths[:, 0]] * stop[paths[:, -1]] * b[rows][steps, paths].prod(axis=1)
        for t in range(1, n):
            joint = joint * transmat[paths[:, t - 1], paths[:, t]]
        total = joint.sum()
        ll += np.log(total)
        for t in range(n):
            gamma[start + t] = np.bincount(paths[:, t], weights=joint, minlength=K) / total
        for t in range(1, n):
            np.add.at(xi, (paths[:, t - 1], paths[:, t]), joint / total)
        best = int(joint.argmax())
        best_log += np.log(joint[best])
        best_path += paths[best].tolist()
        start += n
    return ll, gamma, xi, np.array(best_path), best_log


def log_forward(log_b, startprob, transmat):
    """ℓ of one sequence by the forward pass in log space (no scaling)."""
    with np.errstate(divide="ignore"):
        log_a, log_alpha = np.log(transmat), np.log(startprob) + log_b[0]
    for t in range(1, log_b.shape[0]):
        log_alpha = logsumexp(log_alpha[:, None] + log_a, axis=0) + log_b[t]
    return float(logsumexp(log_alpha))
