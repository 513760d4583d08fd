"""Benchmark the hidden Markov model's Baum–Welch iteration against hmmlearn's compiled one.

One sequence of n observations (default 100,000) drawn from a K = 3 state HMM, categorical
(4 symbols) and Gaussian (one feature, full covariances); both sides start from the same
parameters and run the same iterations, in the same process, the sides alternating.

    .venv/bin/python benchmarks/bench_hmm.py                 # n = 100,000, K = 3
    .venv/bin/python benchmarks/bench_hmm.py --n 10000 --repeats 9
    .venv/bin/python benchmarks/bench_hmm.py --blas-threads 0   # BLAS's own thread count

What is timed (``ms/it`` = best of ``--repeats`` of ``--iters`` iterations, divided by the
iterations):

- ``engine E+M``: this project's E-step (scaled forward–backward, a chunked associative
  scan) and M-step, on data prepared once (as :func:`em_core.em.run_em` does);
- ``engine run_em``: the whole driver call, preparing the data and keeping the trace;
- ``hmmlearn log`` / ``hmmlearn scaling``: ``fit`` with ``n_iter`` iterations,
  ``init_params=""`` and ``tol=-inf`` (so it runs them all), with its default log-space
  forward–backward and with its scaled one.

BLAS runs on one thread by default (``--blas-threads 1``), as the app's server sets it; the
load average is printed, because on a shared machine the numbers move with it. The largest
relative difference between the two sides' parameters after the run is printed too.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from hmmlearn import hmm
from threadpoolctl import threadpool_limits

from em_core.em import run_em
from em_models.hmm.emissions import (
    Categorical,
    CategoricalEmissions,
    Gaussian,
    GaussianEmissions,
)
from em_models.hmm.engine import HMM
from em_models.hmm.params import HMMParams
from em_models.hmm.starts import HMMStart

TRANSMAT = np.array([[0.90, 0.05, 0.05], [0.10, 0.80, 0.10], [0.05, 0.15, 0.80]])
SYMBOL_PROBS = np.array([[0.6, 0.2, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1], [0.1, 0.1, 0.2, 0.6]])
MEANS = np.array([[-2.0], [0.0], [3.0]])


def simulate(n: int, rng: np.random.Generator) -> np.ndarray:
    states = np.empty(n, dtype=np.intp)
    states[0] = 0
    draws = rng.random(n)
    cumulative = TRANSMAT.cumsum(axis=1)
    for t in range(1, n):
        states[t] = min(int(np.searchsorted(cumulative[states[t - 1]], draws[t])), 2)
    return states


def cases(n: int) -> dict[str, tuple]:
    rng = np.random.default_rng(0)
    states = simulate(n, rng)
    symbols = (rng.random(n)[:, None] > SYMBOL_PROBS.cumsum(axis=1)[states]).sum(axis=1)
    values = MEANS[states] + rng.normal(size=(n, 1))
    startprob = np.array([0.5, 0.3, 0.2])
    transmat = np.full((3, 3), 0.2) + 0.4 * np.eye(3)
    probs = np.array([[0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]])
    categorical = HMMParams(startprob, transmat, CategoricalEmissions(probs))
    gaussian = HMMParams(
        startprob, transmat, GaussianEmissions(MEANS + 0.5, np.full((3, 1, 1), 2.0), "full")
    )
    oracle_cat = {
        "cls": hmm.CategoricalHMM,
        "kwargs": {"params": "ste"},
        "set": {"emissionprob_": probs},
    }
    oracle_gauss = {
        "cls": hmm.GaussianHMM,
        "kwargs": {"covariance_type": "full", "covars_prior": 0.0, "params": "stmc"},
        "set": {"means_": MEANS + 0.5, "covars_": np.full((3, 1, 1), 2.0)},
    }
    return {
        "categorical": (symbols[:, None], HMM(Categorical(4)), categorical, oracle_cat),
        "gaussian": (values, HMM(Gaussian("full", np.zeros(1), 0.0)), gaussian, oracle_gauss),
    }


def best_of(repeats: int, run, *args) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run(*args)
        best = min(best, time.perf_counter() - start)
    return best


def engine_iterations(X, model, params, iters):
    data = model.prepare(X)
    for _ in range(iters):
        stats, _ = model.e_step(data, params)
        params, _ = model.m_step(data, stats)
    return params


def oracle(spec, params: HMMParams, implementation: str, iters: int):
    model = spec["cls"](
        3,
        n_iter=iters,
        init_params="",
        tol=-np.inf,
        implementation=implementation,
        **spec["kwargs"],
    )
    model.startprob_, model.transmat_ = params.startprob, params.transmat
    for name, value in spec["set"].items():
        setattr(model, name, value)
    if spec["cls"] is hmm.CategoricalHMM:
        model.n_features = 4
    return model


def difference(ours: HMMParams, theirs) -> float:
    pairs = [(ours.startprob, theirs.startprob_), (ours.transmat, theirs.transmat_)]
    if isinstance(ours.emissions, CategoricalEmissions):
        pairs.append((ours.emissions.probs, theirs.emissionprob_))
    else:
        pairs += [
            (ours.emissions.means, theirs.means_),
            (ours.emissions.covariances, theirs._covars_),
        ]
    return max(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))) for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blas-threads", type=int, default=1, help="0: BLAS's own default")
    args = parser.parse_args()
    import hmmlearn

    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"NumPy {np.__version__}, hmmlearn {hmmlearn.__version__}, "
        f"BLAS threads {args.blas_threads or 'default'}; n = {args.n:,}, K = 3, "
        f"{args.iters} iterations, best of {args.repeats}\n"
    )
    print(
        "| emissions | engine E+M ms/it | engine run_em ms/it | hmmlearn log ms/it | "
        "hmmlearn scaling ms/it | engine / scaling | engine / log | max rel. diff |"
    )
    print("|---|---|---|---|---|---|---|---|")
    limits = threadpool_limits(args.blas_threads) if args.blas_threads else None
    for name, case in cases(args.n).items():
        print(measure(name, *case, args.iters, args.repeats))
    if limits is not None:
        limits.restore_original_limits()
    print(f"\nload average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def measure(name, X, model, params, spec, iters: int, reps: int) -> str:
    """One row of the table."""
    engine_iterations(X[:1000], model, params, 1)  # warm up
    ours = best_of(reps, engine_iterations, X, model, params, iters) / iters
    start = HMMStart("given", None, params)
    whole = best_of(reps, lambda: run_em(X, model, start, tol=0, max_iter=iters)) / iters
    timed = {}
    for implementation in ("log", "scaling"):
        fitted = oracle(spec, params, implementation, iters)
        timed[implementation] = best_of(reps, _refit, fitted, X, spec, params) / iters
    final = engine_iterations(X, model, params, iters)
    diff = difference(final, _refit(oracle(spec, params, "scaling", iters), X, spec, params))
    return (
        f"| {name} | {ours * 1e3:.1f} | {whole * 1e3:.1f} | {timed['log'] * 1e3:.1f} | "
        f"{timed['scaling'] * 1e3:.1f} | {ours / timed['scaling']:.2f} | "
        f"{ours / timed['log']:.2f} | {diff:.1e} |"
    )


def _refit(model, X, spec, params):
    """Reset hmmlearn's parameters to the start (a fit changes them) and fit."""
    model.startprob_, model.transmat_ = params.startprob, params.transmat
    for name, value in spec["set"].items():
        setattr(model, name, value)
    return model.fit(X)


if __name__ == "__main__":
    main()
