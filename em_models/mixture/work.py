"""The work of a Gaussian mixture's fit, in estimated seconds of one core, for the shared
server's budget (:mod:`em_ui.budget`).

``benchmarks/bench_budget.py`` calibrates it against whole fits (N = 272 to
1,000,000, K = 1 to 10, d = 1 to 50) and ``benchmarks/bench_requests.py`` checks it on the
pages' largest requests::

    EM iteration = 50 µs + (K + 1) × [(6 + 3d) µs + N × (1.5 + 2d + 0.07d²) ns × memory]
    Lloyd step   = 30 µs + N × (10 + 3d + K × (2 + d/2)) ns
    one run      = N × d × 200 ns + start + (max_iter + 1) EM iterations

- (K + 1): each component's E-step and M-step, and the log-sum-exp over the components.
- memory: 1 while the (K + 1) × N values of an E-step stay in the processor's cache, rising
  to 3 from one million of them to six (each value is then fetched from memory).
- N × d × 200 ns: a run's checks and scales of the data (medians by column among them).
- start: the K-means start charges Lloyd's limit of 100 steps (one step when K = 1: its
  one cluster cannot change) and one M-step, any other start one M-step, a given start
  nothing.
- max_iter, not the iterations a run will take: only the limit is known before it starts.
- Full covariances are counted for every covariance type (the others cost less).

Pure: the benchmarks and the tests use the same numbers as the pages.
"""

from __future__ import annotations

from em_ui import budget
from em_ui.budget import beyond_budget

KMEANS_START_ITERATIONS = 100  # Lloyd's iteration limit in em_models.mixture.starts.kmeans


CACHED_VALUES = 1e6  # (K + 1) × N values an E-step holds in the cache ...


UNCACHED_VALUES = 6e6  # ... and from where every one comes from memory


def _memory(n_samples: int, n_components: int) -> float:
    values = n_samples * (n_components + 1)
    return 1 + 2 * min(1.0, max(0.0, (values - CACHED_VALUES) / (UNCACHED_VALUES - CACHED_VALUES)))


def em_iteration_seconds(n_samples: int, n_features: int, n_components: int) -> float:
    """One E-step and one M-step (see the module docstring)."""
    d = n_features
    per_point = (1.5 + 2 * d + 0.07 * d * d) * 1e-9 * _memory(n_samples, n_components)
    return 50e-6 + (n_components + 1) * ((6 + 3 * d) * 1e-6 + n_samples * per_point)


def lloyd_step_seconds(n_samples: int, n_features: int, n_components: int) -> float:
    """One step of Lloyd's algorithm (K-means): assign every point, move every centre."""
    d = n_features
    return 30e-6 + n_samples * (10 + 3 * d + n_components * (2 + d / 2)) * 1e-9


def work(
    n_samples: int,
    n_features: int,
    n_components: int,
    *,
    max_iter: int,
    n_init: int = 1,
    init: str = "kmeans",
) -> float:
    """The work of a request, in estimated seconds of one core (see the module docstring).

    Parameters
    ----------
    n_samples, n_features, n_components : int
        N, d and K.
    max_iter : int
        The iteration limit of each run.
    n_init : int, default 1
        The number of restarts.
    init : str, default "kmeans"
        How each run starts ("given": from parameters already computed).

    Returns
    -------
    float
    """
    size = (n_samples, n_features, n_components)
    iteration = em_iteration_seconds(*size)
    start = 0.0 if init == "given" else iteration
    if init == "kmeans":
        steps = KMEANS_START_ITERATIONS if n_components > 1 else 1
        start += steps * lloyd_step_seconds(*size)
    run = n_samples * n_features * 200e-9 + start + (max_iter + 1) * iteration
    return run * n_init


def restarts_within_budget(
    n_samples: int, n_features: int, n_components: int, *, max_iter: int, init: str = "kmeans"
) -> int:
    """The most restarts of these settings that fit the budget (0 if not even one does)."""
    one = work(n_samples, n_features, n_components, max_iter=max_iter, init=init)
    return int(budget.WORK_BUDGET // one)


def over_budget(
    n_samples: int,
    n_features: int,
    n_components: int,
    *,
    max_iter: int,
    n_init: int,
    init: str,
) -> str | None:
    """A message for a student when the request is over the budget, else None.

    The message names the numbers of the request, how far over it is, and what to reduce.
    """
    seconds = work(n_samples, n_features, n_components, max_iter=max_iter, n_init=n_init, init=init)
    if seconds <= budget.WORK_BUDGET:
        return None
    columns = f"{n_features} column" + ("" if n_features == 1 else "s")
    restarts = f" × {n_init} restarts" if n_init > 1 else ""
    start = " (plus up to 100 K-means steps for each start)" if init == "kmeans" else ""
    fitting = restarts_within_budget(
        n_samples, n_features, n_components, max_iter=max_iter, init=init
    )
    hint = (
        f" With these settings, up to {fitting} restarts would fit."
        if 1 < fitting < n_init
        else " With these settings, one run would fit."
        if fitting == 1 < n_init
        else ""
    )
    return (
        f"This fit is too large for the shared server, so it was not started: "
        f"{n_samples:,} points in {columns} × K = {n_components}{restarts} × up to "
        f"{max_iter} iterations{start} would use {beyond_budget(seconds)}. Use fewer "
        f"restarts, a smaller K or fewer iterations, fewer columns, or a sample of the "
        f"data.{hint}"
    )
