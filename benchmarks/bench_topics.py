"""Benchmark the topic models' EM iteration against scikit-learn's batch
LatentDirichletAllocation, in the same run.

A corpus of 2,000 documents × 1,000 words drawn from an LDA with K = 10 topics (each topic
from Dirichlet(0.1) over the words, each document's mix from Dirichlet(0.1), 100 words a
document); both sides fit K = 10 topics with α = η = 1/K and the same inner loop (at most
100 sweeps, mean change 1e-3), the sides alternating.

    .venv/bin/python benchmarks/bench_topics.py
    .venv/bin/python benchmarks/bench_topics.py --iters 10 --repeats 3

What is timed (``ms/it`` = best of ``--repeats`` runs of ``--iters`` iterations, divided by
the iterations):

- ``LDA run_em``: :func:`em_models.topics.lda.engine.fit` with ``tol=0`` (every iteration
  runs), which also computes the bound at every iteration;
- ``sklearn LDA batch``: ``LatentDirichletAllocation(learning_method="batch")``'s ``fit``
  with ``max_iter`` iterations and ``evaluate_every=-1`` (no bound), n_jobs = 1;
- ``pLSA run_em``: :func:`em_models.topics.plsa.engine.fit` with ``tol=0``, for scale.

BLAS runs on one thread (``--blas-threads 1``), as the app's server sets it; the load average
is printed, because on a shared machine the numbers move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse
from sklearn.decomposition import LatentDirichletAllocation
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from em_models.topics.corpus import from_counts  # noqa: E402
from em_models.topics.lda import engine as lda  # noqa: E402
from em_models.topics.plsa import engine as plsa  # noqa: E402


def make_corpus(n_documents: int, n_words: int, k: int, length: int, seed: int):
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(n_words, 0.1), size=k)
    mixes = rng.dirichlet(np.full(k, 0.1), size=n_documents)
    counts = np.array([rng.multinomial(length, p) for p in mixes @ topics], dtype=np.float64)
    return counts


def best_ms(run, iters: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * min(times) / iters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1)
    args = parser.parse_args()
    counts = make_corpus(args.documents, args.words, args.topics, args.length, seed=0)
    corpus = from_counts(counts)
    X = scipy.sparse.csr_matrix(counts)
    k, iters = args.topics, args.iters
    print(
        f"{corpus.n_documents:,} documents × {corpus.n_words:,} words, {corpus.n_pairs:,} "
        f"nonzero pairs, K = {k}, {iters} iterations, best of {args.repeats}"
    )
    sides = {
        "LDA run_em": lambda: lda.fit(corpus, k, rng=0, tol=0.0, max_iter=iters),
        "sklearn LDA batch": lambda: LatentDirichletAllocation(
            k, learning_method="batch", max_iter=iters, evaluate_every=-1, random_state=0
        ).fit(X),
        "pLSA run_em": lambda: plsa.fit(corpus, k, rng=0, tol=0.0, max_iter=iters),
    }
    with threadpool_limits(args.blas_threads):
        results = {name: [] for name in sides}
        for _ in range(args.repeats):  # the sides alternate
            for name, run in sides.items():
                results[name].append(best_ms(run, iters, 1))
    load = os.getloadavg()
    for name, times in results.items():
        print(f"{name:>20}: {min(times):8.1f} ms/it")
    ratio = min(results["LDA run_em"]) / min(results["sklearn LDA batch"])
    print(f"LDA run_em / sklearn: {ratio:.2f}×   load average {load[0]:.2f} {load[1]:.2f}")


if __name__ == "__main__":
    main()
