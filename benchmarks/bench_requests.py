"""The pages' most expensive accepted requests: estimated against measured CPU seconds.

Each request is run as the page runs it (``em_models.mixture.selection.fit_restarts`` for Your own
data and
Restarts, ``em_models.mixture.selection.select_n_components`` for Choosing K), with one BLAS thread
as on the
server (``em_ui.budget.use_one_blas_thread``), and timed by ``time.process_time`` (the
process's CPU time, so other load on the machine barely matters). The fits sit at the
budget's edge: the most iterations (up to the page's 500) or restarts (up to 20) the budget
accepts, with tol = 0 so that every run goes on to its limit, the most the request can cost
(the page's sweeps stop where they converge, as on the page). The sweeps are those a teacher
would run on the classic data sets with the page's five starts, and the largest a classic
data set allows (Old Faithful, K = 1 to 10, ten starts).

    .venv/bin/python benchmarks/bench_requests.py

Target: every request accepted costs at most about the budget (30 s of one core): a fit
within 0.5× to 1.1× of its estimate (measured / estimated). A sweep is charged every run's
iteration limit and stops where it converges, so it costs less (0.1× to 0.3× here).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

import em_models.mixture.selection
import em_models.mixture.sweep

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from em_data import load_dataset
from em_data.synthetic import make_mixture, random_components
from em_models.mixture import work as mixture_work
from em_models.mixture.sweep import sweep_over_budget, sweep_work
from em_ui import budget

MAX_ITER, MAX_RESTARTS = 500, 20  # the pages' limits


def synthetic(n: int, d: int, seed: int = 15110) -> np.ndarray:
    """A mixture of three Gaussians, as Your own data generates it."""
    rng = np.random.default_rng(seed)
    weights, means, covariances = random_components(3, d, rng)
    sample = make_mixture(n, weights=weights, means=means, covariances=covariances, rng=rng)
    return np.asarray(sample.values)


def at_the_edge(n: int, d: int, k: int, init: str, n_init: int) -> int:
    """The most iterations (up to the page's 500) the budget accepts for this request."""
    accepted = [
        m
        for m in range(1, MAX_ITER + 1)
        if mixture_work.over_budget(n, d, k, max_iter=m, n_init=n_init, init=init) is None
    ]
    return max(accepted)


def most_restarts(n: int, d: int, k: int, init: str, max_iter: int) -> int:
    return min(
        MAX_RESTARTS, mixture_work.restarts_within_budget(n, d, k, max_iter=max_iter, init=init)
    )


def fits(name: str, X: np.ndarray, k: int, init: str, n_init: int, max_iter: int):
    n, d = X.shape
    label = f"{name}: {n:,} × {d}, K = {k}, {init}, {n_init} × {max_iter} iterations"
    estimate = mixture_work.work(n, d, k, max_iter=max_iter, n_init=n_init, init=init)

    def run() -> None:
        em_models.mixture.selection.fit_restarts(
            X, k, n_init=n_init, init=init, tol=0.0, max_iter=max_iter
        )

    return label, estimate, run


def sweep(name: str, ks: range, n_init: int = 5):
    X = np.asarray(load_dataset(name).values)
    label = f"Choosing K: {name} ({X.shape[0]} × {X.shape[1]}), K = {ks[0]} to {ks[-1]}, "
    label += f"{n_init} starts"
    assert sweep_over_budget(*X.shape, ks, n_init=n_init) is None, label
    return (
        label,
        sweep_work(*X.shape, ks, n_init=n_init),
        lambda: em_models.mixture.selection.select_n_components(X, ks, n_init=n_init),
    )


def requests() -> list:
    big2, big1, upload = synthetic(1_000_000, 2), synthetic(1_000_000, 1), synthetic(100_000, 2)
    wide = np.random.default_rng(0).normal(size=(200_000, 8))  # a 16 MB upload's size
    small = synthetic(10_000, 2)
    n, d = big2.shape
    return [
        fits("Your own data", big2, 10, "random", 1, at_the_edge(n, d, 10, "random", 1)),
        fits("Your own data", big2, 10, "kmeans", 1, at_the_edge(n, d, 10, "kmeans", 1)),
        fits("Your own data", big1, 10, "kmeans", 1, at_the_edge(1_000_000, 1, 10, "kmeans", 1)),
        fits("Your own data", big2, 2, "kmeans", 1, at_the_edge(n, d, 2, "kmeans", 1)),
        fits("Restarts", wide, 10, "kmeans", most_restarts(200_000, 8, 10, "kmeans", 100), 100),
        fits("Restarts", upload, 5, "kmeans", 20, at_the_edge(100_000, 2, 5, "kmeans", 20)),
        fits("Restarts", small, 10, "random_from_data", 20, MAX_ITER),
        sweep("faithful", range(1, 9)),
        sweep("galaxies", range(1, 11)),
        sweep("iris", range(1, 11)),
        sweep("geyser", range(1, 11)),
        sweep("faithful", range(1, 11), n_init=10),
    ]


def main() -> None:
    budget.use_one_blas_thread()
    print(
        f"{os.cpu_count()} logical cores, load average {os.getloadavg()[0]:.1f}, "
        f"NumPy {np.__version__}; one BLAS thread; budget {budget.WORK_BUDGET:.0f} s\n"
    )
    print("| request | estimated CPU s | measured CPU s | measured / estimated |")
    print("|---|---:|---:|---:|")
    ratios, worst = [], 0.0
    for label, estimate, run in requests():
        start = time.process_time()
        run()
        seconds = time.process_time() - start
        ratios.append(seconds / estimate)
        worst = max(worst, seconds)
        print(
            f"| {label} | {estimate:.1f} | {seconds:.1f} | {seconds / estimate:.2f} |", flush=True
        )
    print(
        f"\nmeasured / estimated from {min(ratios):.2f} to {max(ratios):.2f}; the costliest "
        f"request took {worst:.1f} s of CPU; load average after {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
