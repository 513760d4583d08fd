"""Benchmark the hidden Markov model's stepping view: what a click asks of it.

Three runs: Eisner's ice cream (33 days, two states, the spreadsheet's start, 10
iterations), the occasionally dishonest casino (300 rolls, two states, a random start, 30
iterations), and 10,000 rolls of the casino (two states, a random start, 40 iterations); and
with ``--gaussian`` 10,000 values from a three-state Gaussian HMM.

    .venv/bin/python benchmarks/bench_hmm_view.py
    .venv/bin/python benchmarks/bench_hmm_view.py --repeats 9 --gaussian

Timed (best of ``--repeats``, in ms), each with a new :class:`HMMView` as a rerun builds:

- ``first chart``: ``figure(h) + summary(h)`` at h = 1 the first time the run is drawn (every
  E-step the chart's frames need is computed: the cache of window posteriors is emptied);
- ``click``: ``figure(h) + summary(h)`` at the next half-step with the cache warm (a run too
  long for every frame rebuilds the chart at each click; one new E-step at most);
- ``summary``: ``summary(h)`` alone (a run whose frames all fit keeps its chart, so a click
  asks only this, and the open tab);
- ``formulas tab``: the Formulas tab at an M-step for a step in the middle, its E-step not
  yet cached.

BLAS runs on one thread, as the app's server sets it; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hmm_helpers import EISNER_MODEL, EISNER_START, ICE_CREAM

from em_core.em import run_em
from em_models.hmm import window
from em_models.hmm.datasets import simulate_casino
from em_models.hmm.engine import fit
from em_models.hmm.starts import HMMStart
from em_models.hmm.view import FORMULAS, HMMView


def _best(fn, repeats: int, reset=None) -> float:
    times = []
    for _ in range(repeats):
        if reset is not None:
            reset()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def _runs(gaussian: bool):
    ice = run_em(ICE_CREAM, EISNER_MODEL, HMMStart("given", None, EISNER_START), max_iter=10)
    yield "ice cream (33 days)", ICE_CREAM, ice, {"symbols": ["1", "2", "3"], "step": "day"}
    for n, iters in ((300, 30), (10_000, 40)):
        rolls, _ = simulate_casino(n, 1998)
        trace = fit(rolls - 1, 2, emission="categorical", init="random", max_iter=iters, tol=0)
        yield f"casino ({n:,} rolls)", rolls - 1, trace, {"step": "roll"}
    if gaussian:
        rng = np.random.default_rng(0)
        states = np.repeat(rng.integers(0, 3, size=100), 100)
        values = rng.normal(np.array([0.0, 3.0, 6.0])[states], 1.0)
        trace = fit(values, 3, emission="gaussian", max_iter=40, tol=0)
        yield "Gaussian (10,000 values, K = 3)", values, trace, {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gaussian", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    print(
        f"{'run':34} {'half-steps':>10} {'first chart':>12} {'click':>8} {'summary':>8} "
        f"{'formulas tab':>13}"
    )
    with threadpool_limits(1):
        for name, X, trace, options in _runs(args.gaussian):
            view = HMMView(X, trace, **options)

            def fresh(h: int, view=view, X=X, trace=trace, options=options) -> None:
                again = HMMView(X, trace, **options)
                again.figure(h, narrow=False)
                again.summary(h)

            def empty(trace=trace) -> None:
                window.POSTERIORS._runs.pop(trace, None)

            first = _best(lambda fresh=fresh: fresh(1), args.repeats, reset=empty)
            fresh(1)
            click = _best(lambda fresh=fresh: fresh(2), args.repeats)
            summary = _best(lambda view=view: view.summary(3), args.repeats)
            middle = {"day": X.shape[0] // 2, "state_j": 1, "state_k": 2}
            tab = _best(
                lambda view=view, middle=middle: view.tab(FORMULAS, 4, middle),
                args.repeats,
                reset=empty,
            )
            print(
                f"{name:34} {view.n_half_steps:>10} {first:>10.1f}ms {click:>6.1f}ms "
                f"{summary:>6.2f}ms {tab:>11.1f}ms"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
