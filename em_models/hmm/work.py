"""The work of a Baum–Welch request, in estimated seconds of one core, checked by the page
against the shared server's budget before a fit starts.

One iteration (an E-step, forward and backward over every step, and an M-step) costs

    iteration = 1.5 ms + T × (140 + 1.2 K³) ns

for T observations and K states: the K³ is the forward–backward's first stage, which runs
each chunk from every one of the K states (K rows times the K × K transition matrix each
step), the 140 ns the emissions' densities, the other two stages, the scaling, ξ's sums and
the M-step's weighted sums per step. Measured on this project's machine with one BLAS
thread (T = 1,000 to 100,000, K = 2, 4 and 6; categorical, Poisson and 2-D Gaussian
emissions cost about the same; two runs), the estimate fell short of a measurement by at
most 1 % (T = 10,000, K = 6) and was above the others, by up to 23 % at T = 100,000 (and by
more at T = 1,000, where the fixed part dominates)::

    PYTHONPATH=. .venv/bin/python -c "import time, numpy as np; \
    from threadpoolctl import threadpool_limits; from em_models.hmm.engine import fit; \
    threadpool_limits(1); X = np.random.default_rng(0).integers(0, 6, 100_000); \
    t = time.perf_counter(); fit(X, 6, emission='categorical', init='random', \
    max_iter=10, tol=0); print((time.perf_counter() - t) / 11)"

(34 to 37 ms an iteration at T = 100,000, K = 6, with the machine's load average at 2;
the estimate says 41 ms.) A start from a fitted mixture costs that
mixture's fit, which the page estimates with the mixture's own budget.
"""

from __future__ import annotations

ITERATION_S = 1.5e-3
PER_STEP_S = 140e-9
PER_STEP_CUBE_S = 1.2e-9


def iteration_seconds(n_observations: int, n_states: int) -> float:
    """One Baum–Welch iteration on T = ``n_observations`` steps with K = ``n_states``."""
    return ITERATION_S + n_observations * (PER_STEP_S + PER_STEP_CUBE_S * n_states**3)


def baum_welch_seconds(n_observations: int, n_states: int, max_iter: int) -> float:
    """Up to ``max_iter`` iterations and the last E-step that checks them."""
    return (max_iter + 1) * iteration_seconds(n_observations, n_states)
