"""What the server's shared stores really hold: each kind of stored result counted by
em_ui.store.held_bytes against what building it left allocated (tracemalloc), with its
arrays' numbers alone (what the store of finished fits counted before); then the store of
finished fits filled past its 256 MiB with the 20-restart galaxies fit of a class, and the
process's resident memory (RSS) that it takes.

    .venv/bin/python benchmarks/bench_store.py              # entries, then the store filled
    .venv/bin/python benchmarks/bench_store.py --no-fill    # entries only (about a minute)
    .venv/bin/python benchmarks/bench_store.py --prepared   # and the costliest prepared run
    .venv/bin/python benchmarks/bench_store.py --no-fill --server  # and the server's baseline

``--prepared`` also opens the costliest 16 MB trace (one column, K = 1, about 100,000
iterations): read and run again, the opened run it keeps, and the peak while opening it (a
few minutes). ``--server`` starts the app as ``scripts/start.sh`` does and reports its RSS
once it answers, then after one session has opened each page of a class's request (the
worked example, Your own data, Choosing K): the baseline the stores and sessions add to.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from app_harness import ARTIFACTS, SERVE, running_app
from st_client import Session
from st_load import rss_mib as process_rss_mib

import em_models.ppca.engine
from em_core.trace_json import dumps, read_trace
from em_data.datasets import load_dataset
from em_models.mixture.trace import replay, trace_to_json
from em_ui.engine import STORE_BYTES
from em_ui.store import BoundedStore, held_bytes

MIB = 2**20
GALAXIES = load_dataset("galaxies").values
FAITHFUL = load_dataset("faithful").values


def galaxies_restarts(seed: int):
    """One request of the class's wave: K = 10, random starts, 20 restarts × 500 iterations."""
    return em_models.mixture.selection.fit_restarts(
        GALAXIES, 10, n_init=20, init="random", seed=seed, tol=1e-10, max_iter=500
    )


ENTRIES = {
    "galaxies, K = 10, random starts, 20 restarts × 500 iterations": lambda: galaxies_restarts(1),
    "galaxies, K = 10, K-means starts, 20 restarts × 500 iterations": lambda: (
        em_models.mixture.selection.fit_restarts(
            GALAXIES, 10, n_init=20, seed=1, tol=1e-10, max_iter=500
        )
    ),
    "Choosing K on Old Faithful, K = 1…8, 5 starts": lambda: (
        em_models.mixture.selection.select_n_components(
            FAITHFUL, tuple(range(1, 9)), n_init=5, seed=0
        )
    ),
    "100,000 × 2, K = 5, 10 restarts": lambda: em_models.mixture.selection.fit_restarts(
        np.random.default_rng(0).normal(size=(100_000, 2)), 5, n_init=10, seed=0
    ),
    "3,000 × 20, K = 5, full, 100 iterations": lambda: em_models.mixture.engine.fit(
        np.random.default_rng(0).normal(size=(3_000, 20)), 5, rng=0, tol=0, max_iter=100
    ),
    "probabilistic PCA, 500 × 5, q = 2, 2,000 iterations": lambda: em_models.ppca.engine.fit(
        np.random.default_rng(0).normal(size=(500, 5)) * [5, 3, 2, 1, 1],
        2,
        rng=0,
        tol=0,
        max_iter=2000,
    ),
}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def arrays_bytes(value: object) -> int:
    """The bytes of the arrays' numbers alone, each array once."""
    seen: set[int] = set()
    pending, total = [value], 0
    while pending:
        obj = pending.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            total += obj.nbytes if obj.base is None else 0
            pending.extend([] if obj.base is None else [obj.base])
        else:
            pending.extend(gc.get_referents(obj))
    return total


def measured(build):
    """The value ``build`` returns, the bytes its building left allocated, and its peak."""
    gc.collect()
    tracemalloc.start()
    value = build()
    gc.collect()
    allocated, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return value, allocated, peak


def entries() -> None:
    print("| stored result | counted MiB | measured MiB | counted / measured | arrays alone MiB |")
    print("|---|---:|---:|---:|---:|")
    for label, build in ENTRIES.items():
        build()  # the first call's allocations (imports, caches) are not the result's
        value, allocated, _ = measured(build)
        counted = held_bytes(value)
        print(
            f"| {label} | {counted / MIB:.2f} | {allocated / MIB:.2f} | "
            f"{counted / allocated:.3f} | {arrays_bytes(value) / MIB:.2f} |"
        )


def fill(n_fits: int) -> None:
    """The store of finished fits given ``n_fits`` distinct 20-restart galaxies fits."""
    gc.collect()
    before = rss_mib()
    store = BoundedStore(STORE_BYTES)
    started = time.perf_counter()
    peak = before
    for seed in range(n_fits):
        store.put(seed, galaxies_restarts(seed))
        peak = max(peak, rss_mib())
    gc.collect()
    seconds = time.perf_counter() - started
    print(
        f"\nThe store of finished fits ({STORE_BYTES / MIB:.0f} MiB) given {n_fits} distinct "
        f"galaxies fits (K = 10, 20 restarts × 500 iterations) in {seconds:.0f} s: "
        f"it keeps {len(store)}, counted at {store.bytes / MIB:.1f} MiB; the process's RSS "
        f"{before:.0f} MiB before, {peak:.0f} MiB at its peak, {rss_mib():.0f} MiB after "
        f"(+{rss_mib() - before:.0f} MiB)."
    )


def prepared() -> None:
    """The costliest 16 MB trace: read, run again, and the run the page keeps."""
    X = np.array([0.0, 1.0, 3.0, 4.0, 10.0, 11.0])[:, None]
    trace = em_models.mixture.engine.fit(X, 1, rng=0, tol=0, max_iter=101_500, init="random")
    raw = dumps(trace_to_json(trace, X, ["x"])).encode()
    del trace

    def opened():
        run = read_trace(raw)
        return run.X, run.columns, replay(run)

    started = time.perf_counter()
    value, allocated, peak = measured(opened)
    print(
        f"\nThe costliest prepared run ({len(raw) / MIB:.1f} MiB, K = 1, "
        f"{value[2].n_iter:,} iterations), read and run again in "
        f"{time.perf_counter() - started:.0f} s: it keeps {held_bytes(value) / MIB:.1f} MiB "
        f"(measured {allocated / MIB:.1f}); opening it peaked at {peak / MIB:.0f} MiB."
    )


def server() -> None:
    """The app's RSS once it answers, and after one session opened three pages."""
    with running_app(ARTIFACTS / "bench-store-server.log", script=SERVE) as app:
        started = process_rss_mib(app.process.pid)
        for page in ("worked_example", "your_data", "choose_k"):
            session = Session(app.url, page, timeout_s=120)
            session.connect()
            session.rerun()
            session.close()
        time.sleep(1)
        opened = process_rss_mib(app.process.pid)
    print(
        f"\nThe app (scripts/serve.py): {started:.0f} MiB of RSS once it answers, "
        f"{opened:.0f} MiB after one session opened the worked example, Your own data and "
        "Choosing K."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fill", action="store_true", help="skip filling the store")
    parser.add_argument("--fits", type=int, default=32, help="fits given to the store")
    parser.add_argument("--prepared", action="store_true", help="open the costliest trace")
    parser.add_argument("--server", action="store_true", help="the app's baseline RSS")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    entries()
    if args.server:
        server()
    if args.prepared:
        prepared()
    if not args.no_fill:
        fill(args.fits)


if __name__ == "__main__":
    main()
