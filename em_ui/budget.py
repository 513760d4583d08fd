"""The work one request may ask of the shared server, checked before a fit starts.

A class shares one machine, so no single fit may hold a processor for long. The work of a
request is counted in units that ``benchmarks/bench_budget.py`` calibrates against the CPU
time of whole fits (K-means start included) from N = 200 to 1,000,000, K = 2 to 10 and
d = 1 to 50::

    work = max(N, 5000) × (K + 1) × (d + 4) × (max_iter + start) × restarts

- (K + 1) × (d + 4) per point: each component costs about d + 4 operations per point in
  the E-step and the M-step, and the log-sum-exp over the components about one more
  component's worth. The d² of the whitening and the outer products runs in BLAS and,
  measured, stays below the linear part up to the reader's 50 columns.
- max(N, 5000): below a few thousand points an iteration costs mostly its fixed overhead.
- max_iter, not the iterations a run will take: only the limit is known before it starts.
- start: the K-means start runs up to 100 Lloyd iterations (charged as 100 EM
  iterations, which costs more than they do); the other starts as 10.
- Full covariances are counted for every covariance type (the others cost less).

Nothing here imports streamlit, so the benchmark and the tests use the same numbers as
the page.
"""

from __future__ import annotations

# The one number: units of work one request may use. benchmarks/bench_budget.py measured
# 0.4 to 1.8 ns of one core's CPU time per unit over its grid (the most at 1,000,000 points,
# K = 2, d = 2), so a request at the budget takes at most about 30 s of one core.
WORK_BUDGET = 1.6e10
SECONDS_PER_UNIT = 1.8e-9  # the measured worst case, for the time the page quotes
MIN_CHARGED_POINTS = 5_000
KMEANS_START_ITERATIONS = 100  # Lloyd's iteration limit in em_core.init.kmeans
OTHER_START_ITERATIONS = 10


def start_iterations(init: str) -> int:
    """What the start is charged, in EM iterations (K-means runs up to 100 Lloyd
    iterations; k-means++ seeding or a random start costs at most about 10)."""
    return KMEANS_START_ITERATIONS if init == "kmeans" else OTHER_START_ITERATIONS


def work(
    n_samples: int,
    n_features: int,
    n_components: int,
    *,
    max_iter: int,
    n_init: int = 1,
    init: str = "kmeans",
) -> float:
    """The work of a request, in the units of :data:`WORK_BUDGET` (see the module docstring).

    Parameters
    ----------
    n_samples, n_features, n_components : int
        N, d and K.
    max_iter : int
        The iteration limit of each run.
    n_init : int, default 1
        The number of restarts.
    init : str, default "kmeans"
        How each run starts.

    Returns
    -------
    float
    """
    points = max(n_samples, MIN_CHARGED_POINTS)
    per_iteration = points * (n_components + 1) * (n_features + 4)
    return float(per_iteration) * (max_iter + start_iterations(init)) * n_init


def seconds_allowed() -> float:
    """About how long, in seconds of one core, a request at the budget takes."""
    return WORK_BUDGET * SECONDS_PER_UNIT


def restarts_within_budget(
    n_samples: int, n_features: int, n_components: int, *, max_iter: int, init: str = "kmeans"
) -> int:
    """The most restarts of these settings that fit the budget (0 if not even one does)."""
    one = work(n_samples, n_features, n_components, max_iter=max_iter, init=init)
    return int(WORK_BUDGET // one)


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
    ratio = (
        work(n_samples, n_features, n_components, max_iter=max_iter, n_init=n_init, init=init)
        / WORK_BUDGET
    )
    if ratio <= 1:
        return None
    columns = f"{n_features} column" + ("" if n_features == 1 else "s")
    restarts = f" × {n_init} restarts" if n_init > 1 else ""
    start = " (plus up to 100 K-means steps for each start)" if init == "kmeans" else ""
    times = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}"
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
        f"{max_iter} iterations{start} is about {times} times the work one request may use "
        f"(about {seconds_allowed():.0f} seconds of one processor). Use fewer restarts, a "
        f"smaller K or fewer iterations, fewer columns, or a sample of the data.{hint}"
    )
