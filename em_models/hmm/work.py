"""The work of a Baum–Welch request, in estimated seconds of one core, checked by the page
against the shared server's budget before a fit starts.

One iteration (an E-step, forward and backward over every step, and an M-step) costs

    iteration = 2 ms + T × (200 + 15 K²) ns

for T observations and K states: the K² is the transition matrix each step of each pass
multiplies by (and ξ's K × K sums), the 200 ns the emissions' densities, the scaling and
the M-step's weighted sums per step. Measured on this project's machine with one BLAS
thread (T = 1,000 to 100,000, K = 2, 4 and 6; categorical, Poisson and 2-D Gaussian
emissions cost about the same), the estimate falls short of a measurement by at most 10 %
(at T = 1,000, where the fixed part dominates) and is above the others, by up to 12 % at
T = 100,000::

    PYTHONPATH=. .venv/bin/python -c "import time, numpy as np; \
    from threadpoolctl import threadpool_limits; from em_models.hmm.engine import fit; \
    threadpool_limits(1); X = np.random.default_rng(0).integers(0, 6, 100_000); \
    t = time.perf_counter(); fit(X, 6, emission='categorical', init='random', \
    max_iter=10, tol=0); print((time.perf_counter() - t) / 11)"

(68 ms an iteration at T = 100,000, K = 6, with the machine's load average at 3.5; the
estimate says 76 ms.) A start from a fitted mixture costs that
mixture's fit, which the page estimates with the mixture's own budget.
"""

from __future__ import annotations

ITERATION_S = 2e-3
PER_STEP_S = 200e-9
PER_STEP_PAIR_S = 15e-9


def iteration_seconds(n_observations: int, n_states: int) -> float:
    """One Baum–Welch iteration on T = ``n_observations`` steps with K = ``n_states``."""
    return ITERATION_S + n_observations * (PER_STEP_S + PER_STEP_PAIR_S * n_states**2)


def baum_welch_seconds(n_observations: int, n_states: int, max_iter: int) -> float:
    """Up to ``max_iter`` iterations and the last E-step that checks them."""
    return (max_iter + 1) * iteration_seconds(n_observations, n_states)
