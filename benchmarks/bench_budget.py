"""Calibrate the work budget of one request (em_ui/budget.py) on this machine.

Times whole fits as the page runs them (``em_models.mixture.engine.fit``, tol = 0 so every run goes
to its
iteration limit, standard-normal data so K-means uses all its Lloyd iterations) across N, K,
d and the start, each with one BLAS thread, and prints for each the CPU seconds (of the one
thread doing the work, so other load on the machine barely matters) against the seconds
``em_models.mixture.work.work`` estimates. The estimate should stay above the measure, but not far.

Then it runs the costliest request the budget accepts (the request of the grid measured
highest against its estimate, scaled up to the budget) alone, and two and three of them at
once in threads, as concurrent sessions of one Streamlit server run, and prints their wall
times. ``benchmarks/bench_requests.py`` runs the pages' own largest requests.

    .venv/bin/python benchmarks/bench_budget.py           # grid, worst request, 1-3 at once
    .venv/bin/python benchmarks/bench_budget.py --quick   # grid only, smaller sizes
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

import em_models.mixture.engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from em_models.mixture import work as mixture_work
from em_ui import budget

# (N, K, d, max_iter, init): each fit a few seconds at most.
GRID = [
    (1_000_000, 10, 1, 10, "kmeans"),
    (1_000_000, 10, 2, 20, "random"),
    (1_000_000, 2, 2, 60, "kmeans"),
    (1_000_000, 1, 2, 100, "random_from_data"),
    (300_000, 5, 5, 10, "kmeans"),
    (100_000, 10, 2, 40, "random"),
    (100_000, 3, 10, 20, "kmeans"),
    (20_000, 10, 20, 10, "kmeans"),
    (5_000, 10, 50, 20, "random"),
    (50_000, 3, 50, 10, "random_from_data"),
    (10_000, 5, 1, 200, "kmeans"),
    (1_000, 10, 8, 200, "random"),
    (272, 8, 2, 500, "random"),
    (82, 3, 1, 500, "kmeans"),
]
QUICK = [(n // 10, k, d, it, init) for n, k, d, it, init in GRID if n >= 10_000]
QUICK += [case for case in GRID if case[0] < 10_000]


def data(n: int, d: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, d))


def timed_fit(
    X: np.ndarray, k: int, max_iter: int, init: str, n_init: int = 1, clock=time.thread_time
) -> float:
    """Seconds of ``clock`` for the fit: by default the CPU time of this thread, which with
    one BLAS thread is the fit's whole use of one core, however busy the machine is."""
    start = clock()
    for seed in range(n_init):
        em_models.mixture.engine.fit(X, k, rng=seed, tol=0.0, max_iter=max_iter, init=init)
    return clock() - start


def grid(cases) -> list[tuple[tuple, float]]:
    print("| N | K | d | max_iter | start | CPU seconds | estimated | measured / estimated |")
    print("|---:|---:|---:|---:|---|---:|---:|---:|")
    rows = []
    for n, k, d, max_iter, init in cases:
        X = data(n, d)
        seconds = min(timed_fit(X, k, max_iter, init) for _ in range(2 if n < 500_000 else 1))
        estimate = mixture_work.work(n, d, k, max_iter=max_iter, init=init)
        rows.append(((n, k, d, init), seconds / estimate))
        print(
            f"| {n:,} | {k} | {d} | {max_iter} | {init} | {seconds:.2f} | {estimate:.2f} | "
            f"{seconds / estimate:.2f} |",
            flush=True,
        )
    return rows


def worst_request(n: int, k: int, d: int, init: str) -> tuple[int, int]:
    """Restarts and max_iter at the budget for this N, K, d (most restarts first)."""
    for n_init in range(20, 0, -1):
        fitting = [
            m
            for m in range(10, 501)
            if mixture_work.over_budget(n, d, k, max_iter=m, n_init=n_init, init=init) is None
        ]
        if fitting:
            return n_init, max(fitting)
    raise ValueError("not even one run of 10 iterations fits")


def at_once(
    X: np.ndarray, k: int, max_iter: int, init: str, n_init: int, copies: int
) -> list[float]:
    times = [0.0] * copies

    def run(i: int) -> None:
        times[i] = timed_fit(X, k, max_iter, init, n_init, clock=time.perf_counter)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="grid only, smaller sizes")
    args = parser.parse_args()
    budget.use_one_blas_thread()  # as the app does, for every thread of the process
    print(
        f"{os.cpu_count()} logical cores, load average {os.getloadavg()[0]:.1f}, "
        f"NumPy {np.__version__}; one BLAS thread; budget {budget.WORK_BUDGET:.0f} s\n"
    )
    rows = grid(QUICK if args.quick else GRID)
    ratios = [ratio for _, ratio in rows]
    (n, k, d, init), worst = max(rows, key=lambda r: r[1])
    print(
        f"\nmeasured / estimated from {min(ratios):.2f} to {worst:.2f} (the most at "
        f"N = {n:,}, K = {k}, d = {d}, {init})"
    )
    if args.quick:
        return
    n_init, max_iter = worst_request(n, k, d, init)
    X = data(n, d)
    estimate = mixture_work.work(n, d, k, max_iter=max_iter, n_init=n_init, init=init)
    print(
        f"\nworst request allowed: N = {n:,}, d = {d}, K = {k}, {init}, {n_init} restarts × "
        f"max_iter = {max_iter} (estimated {estimate:.1f} s)"
    )
    print(f"CPU time alone: {timed_fit(X, k, max_iter, init, n_init):.1f} s")
    print("| at once | wall seconds of each |")
    print("|---:|---|")
    for copies in (1, 2, 3):
        times = at_once(X, k, max_iter, init, n_init, copies)
        print(f"| {copies} | {', '.join(f'{t:.1f}' for t in times)} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
