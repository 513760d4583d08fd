"""Calibrate the work budget of one request (em_ui/budget.py) on this machine.

Times whole fits as the page runs them (``em_core.fit``, K-means start, tol = 0 so every run
goes to its iteration limit, standard-normal data so K-means uses all its Lloyd
iterations) across N, K and d, each with one BLAS thread, and prints for each the CPU
seconds (of the one thread doing the work, so other load on the machine barely matters)
per unit of work as ``em_ui.budget.work`` counts it. The largest of these is
what the budget rests on: ``WORK_BUDGET × SECONDS_PER_UNIT`` should be about 30 s.

Then it runs the worst request the page allows (the costliest case per unit, scaled up to
the budget) alone, and two and three of them at once in threads, as concurrent sessions
of one Streamlit server run, and prints their wall times.

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
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import em_core
from em_ui import budget

# (N, K, d, max_iter): each fit a few seconds at most.
GRID = [
    (1_000_000, 10, 1, 10),
    (1_000_000, 10, 1, 60),
    (1_000_000, 2, 1, 10),
    (1_000_000, 2, 2, 60),
    (100_000, 10, 1, 20),
    (100_000, 10, 2, 20),
    (100_000, 10, 5, 10),
    (100_000, 3, 10, 10),
    (20_000, 10, 20, 10),
    (5_000, 10, 50, 5),
    (50_000, 10, 50, 5),
    (10_000, 5, 1, 50),
    (1_000, 10, 8, 50),
    (200, 3, 1, 200),
]
QUICK = [(n // 10, k, d, it) for n, k, d, it in GRID if n >= 10_000] + [(200, 3, 1, 200)]


def data(n: int, d: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, d))


def timed_fit(
    X: np.ndarray, k: int, max_iter: int, n_init: int = 1, clock=time.thread_time
) -> float:
    """Seconds of ``clock`` for the fit: by default the CPU time of this thread, which with
    one BLAS thread is the fit's whole use of one core, however busy the machine is."""
    start = clock()
    for seed in range(n_init):
        em_core.fit(X, k, rng=seed, tol=0.0, max_iter=max_iter)
    return clock() - start


def grid(cases) -> list[tuple[tuple[int, int, int, int], float]]:
    print("| N | K | d | max_iter | CPU seconds | units | ns per unit |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for n, k, d, max_iter in cases:
        X = data(n, d)
        seconds = min(timed_fit(X, k, max_iter) for _ in range(2 if n < 500_000 else 1))
        units = budget.work(n, d, k, max_iter=max_iter)
        rows.append(((n, k, d, max_iter), seconds / units))
        print(
            f"| {n:,} | {k} | {d} | {max_iter} | {seconds:.2f} | {units:.2g} | "
            f"{seconds / units * 1e9:.2f} |",
            flush=True,
        )
    return rows


def worst_request(n: int, k: int, d: int) -> tuple[int, int]:
    """Restarts and max_iter at the budget for this N, K, d (most restarts first)."""
    for n_init in range(20, 0, -1):
        per_run = budget.WORK_BUDGET / n_init
        per_iteration = budget.work(n, d, k, max_iter=1) - budget.work(n, d, k, max_iter=0)
        max_iter = int(per_run // per_iteration) - budget.KMEANS_START_ITERATIONS
        if max_iter >= 10:
            return n_init, min(max_iter, 500)
    raise ValueError("not even one run of 10 iterations fits")


def at_once(X: np.ndarray, k: int, max_iter: int, n_init: int, copies: int) -> list[float]:
    times = [0.0] * copies

    def run(i: int) -> None:
        with threadpool_limits(1):
            times[i] = timed_fit(X, k, max_iter, n_init, clock=time.perf_counter)

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
    print(
        f"{os.cpu_count()} logical cores, load average {os.getloadavg()[0]:.1f}, "
        f"NumPy {np.__version__}; one BLAS thread"
    )
    print(
        f"budget: {budget.WORK_BUDGET:.3g} units, {budget.SECONDS_PER_UNIT * 1e9:.2f} ns "
        f"per unit assumed, so about {budget.seconds_allowed():.0f} s per request\n"
    )
    with threadpool_limits(1):
        rows = grid(QUICK if args.quick else GRID)
    (n, k, d, _), worst = max(rows, key=lambda r: r[1])
    print(
        f"\nlargest: {worst * 1e9:.2f} ns per unit (N = {n:,}, K = {k}, d = {d}); "
        f"a budget of 30 s is {30 / worst:.3g} units"
    )
    if args.quick:
        return
    n_init, max_iter = worst_request(n, k, d)
    X = data(n, d)
    units = budget.work(n, d, k, max_iter=max_iter, n_init=n_init)
    print(
        f"\nworst request allowed: N = {n:,}, d = {d}, K = {k}, {n_init} restarts × "
        f"max_iter = {max_iter} ({units / budget.WORK_BUDGET:.2f} of the budget)"
    )
    print(f"CPU time alone: {timed_fit(X, k, max_iter, n_init):.1f} s")
    print("| at once | wall seconds of each |")
    print("|---:|---|")
    for copies in (1, 2, 3):
        times = at_once(X, k, max_iter, n_init, copies)
        print(f"| {copies} | {', '.join(f'{t:.1f}' for t in times)} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
