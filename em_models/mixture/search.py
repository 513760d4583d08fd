"""The search for the best mixture of K components, used when choosing K.

EM climbs to a local optimum near its start, so one run at each K is not enough to compare
K by likelihood. :func:`best_fit` tries many starts and keeps the highest optimum that is a
real one:

1. Starts: K-means, k-means++ seeding and K random data points, ``n_init`` seeds each, and,
   when fits with K − 1 components are given (the optima polished at K − 1), each of them
   with one component split in two along its widest direction (one start per component).
   Data of fewer than ``SMALL_DATA`` points get more k-means++ seeds
   (:func:`kmeanspp_seeds`): there a run takes milliseconds, and some optima are rare. On
   iris at K = 5 the best one known (a component of five nearly coplanar flowers) is found
   by about one k-means++ start in seventy, and by none of 200 K-means or random-data ones.
2. Screening: every start runs ``FIRST_ITERATIONS`` iterations of EM; the ``N_CONTINUE``
   best distinct runs of each kind of start go on from there, up to ``SCREEN_MAX_ITER``
   iterations in all, until ℓ per point changes by less than ``SCREEN_TOL``. Near a saddle
   EM can crawl for a few hundred iterations before it climbs again (Old Faithful at K = 6),
   so the screen stops late and tightly.
3. Polishing: the ``N_POLISH`` best distinct screened runs are run again from their starts
   to a tight tolerance (``POLISH_TOL``), and the highest final ℓ wins; its trace is a whole
   run from θ_0.

A run is not a candidate when it failed or when one of its components is held up by the
ridge (:func:`em_models.mixture.diagnostics.nearly_collapsed`: without the ridge its covariance
would be singular
or the likelihood unbounded, because it owns about one point per dimension or its points
spread no more than the ridge adds). There the ridge sets the likelihood, which grows
without bound as the ridge shrinks: a collapse, not an optimum. A component of a few points
that spread well beyond the ridge is a real optimum and counts. Only when every run is a
collapse is the best of them returned, marked ``collapsed``. The restarts
(:func:`em_models.mixture.selection.fit_restarts`) choose their best run by the same :func:`rank`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_core.em import Snapshot, Trace, run_em
from em_core.model import StopReason
from em_models.mixture.diagnostics import held_by_ridge
from em_models.mixture.engine import GaussianMixture, e_step
from em_models.mixture.starts import (
    Initialisation,
    KMeansStep,
    _from_resp,
    initialise,
    resolve_ridge,
)

FIRST_ITERATIONS = 20  # of every start
N_CONTINUE = 3  # runs of each kind of start that go on
SCREEN_TOL = 1e-8
SCREEN_MAX_ITER = 400
POLISH_TOL = 1e-10
POLISH_MAX_ITER = 2000
N_POLISH = 3
START_METHODS = ("kmeans", "k-means++", "random_from_data")
SMALL_DATA = 1200  # points; smaller data get more k-means++ seeds
MAX_SEED_FACTOR = 8

Callback = Callable[[Snapshot | KMeansStep], object] | None


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The outcome of :func:`best_fit` for one K.

    Attributes
    ----------
    best : Trace or None
        The polished run with the highest final ℓ (None if every run failed); its start is
        ``best.start``, so it can be replayed from θ_0.
    optima : tuple of Trace
        Every polished run that did not fail, best first (``best`` among them): the fits
        the search at K + 1 splits.
    collapsed : bool
        True when every run that did not fail had a component held up by the ridge, so
        ``best`` is such a run.
    n_runs : int
        How many starts were screened.
    """

    best: Trace | None
    collapsed: bool
    n_runs: int
    optima: tuple[Trace, ...] = ()


def kmeanspp_seeds(n_init: int, n_samples: int) -> int:
    """The k-means++ seeds of the search: ``n_init``, times ⌈SMALL_DATA / N⌉ on data of fewer
    than ``SMALL_DATA`` points (at most ``MAX_SEED_FACTOR`` times)."""
    return n_init * min(MAX_SEED_FACTOR, max(1, -(-SMALL_DATA // n_samples)))


def split_starts(
    X: NDArray[np.float64], previous: Trace, ridge_diagonal: NDArray[np.float64]
) -> list[Initialisation]:
    """Starts for K + 1 components from a fit with K: one per component, split in two.

    The component's responsibilities are shared between two new components by the side of
    its mean each point lies on, along the covariance's widest direction; the first
    M-step on those responsibilities gives θ_0.
    """
    params = previous.final.params
    resp = e_step(X, params).resp.T  # (K, N)
    full = params.full_covariances()
    starts = []
    for k in range(params.n_components):
        axis = np.linalg.eigh(full[k])[1][:, -1]
        side = (X - params.means[k]) @ axis > 0
        if side.all() or not side.any():
            continue
        new = np.vstack([resp, resp[k] * side])
        new[k] = resp[k] * ~side
        try:
            start, nk = _from_resp(X, new, params.covariance_type, ridge_diagonal)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            continue
        starts.append(Initialisation("split", None, start, nk))
    return starts


def rank(trace: Trace) -> tuple[bool, float]:
    """Sort key of runs, best last: a run that failed comes first, then collapses (held up by
    the ridge), then the others, each by final ℓ."""
    if trace.failed:
        return (False, -np.inf)
    return (not held_by_ridge(trace), trace.final.log_likelihood)


def best_distinct(runs: Sequence[Trace], count: int) -> list[int]:
    """The indices of the ``count`` best runs by :func:`rank` that did not fail, one per
    final ℓ (runs within 1e-6 of a better one's are the same optimum)."""
    order = sorted(range(len(runs)), key=lambda i: rank(runs[i]), reverse=True)
    chosen: list[int] = []
    for i in order:
        if runs[i].failed or len(chosen) == count:
            break
        value = runs[i].final.log_likelihood
        if all(abs(value - runs[j].final.log_likelihood) > 1e-6 for j in chosen):
            chosen.append(i)
    return chosen


def starts_for(
    X: NDArray[np.float64],
    n_components: int,
    covariance_type: str,
    n_init: int,
    seed: int,
    previous: Sequence[Trace],
    ridge_options: dict,
    callback: Callback,
) -> list[Initialisation]:
    """Every start of the search (step 1 of the module docstring)."""
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, kmeanspp_seeds(n_init, X.shape[0]))
    starts = [
        initialise(
            X,
            n_components,
            method=method,
            covariance_type=covariance_type,
            rng=int(s),
            callback=callback,
            **ridge_options,
        )
        for method in START_METHODS
        for s in (seeds if method == "k-means++" else seeds[:n_init])
    ]
    diagonal = resolve_ridge(X, **ridge_options)[0]
    for smaller in previous:
        if not smaller.failed and smaller.final.params.n_components == n_components - 1:
            starts += split_starts(X, smaller, diagonal)
    return starts


def screen(
    X: NDArray[np.float64],
    model: GaussianMixture,
    starts: Sequence[Initialisation],
    callback: Callback,
) -> list[Trace]:
    """Step 2 of the module docstring: every start's screening run. A run that went on is
    the trace of its continuation, which starts where its first iterations stopped (only its
    end is used)."""
    runs = [
        run_em(X, model, start, tol=SCREEN_TOL, max_iter=FIRST_ITERATIONS, callback=callback)
        for start in starts
    ]
    kinds = [start.method for start in starts]
    chosen: list[int] = []
    for kind in dict.fromkeys(kinds):
        mine = [i for i, k in enumerate(kinds) if k == kind]
        chosen += [mine[j] for j in best_distinct([runs[i] for i in mine], N_CONTINUE)]
    for i in chosen:
        if runs[i].stop_reason is StopReason.MAX_ITER:
            here = Initialisation("given", None, runs[i].final.params, runs[i].final.stats)
            more = SCREEN_MAX_ITER - FIRST_ITERATIONS
            runs[i] = run_em(X, model, here, tol=SCREEN_TOL, max_iter=more, callback=callback)
    return runs


def best_fit(
    X: NDArray[np.float64],
    n_components: int,
    *,
    covariance_type: str = "full",
    n_init: int = 5,
    seed: int = 0,
    previous: Sequence[Trace] = (),
    ridge: float | None = None,
    reg_covar: float | None = None,
    callback: Callback = None,
) -> SearchResult:
    """The best mixture of ``n_components`` found from many starts (see the module docstring).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    n_components : int
    covariance_type : str, default "full"
    n_init : int, default 5
        Seeds per start method (more for k-means++ on small data: :func:`kmeanspp_seeds`).
    seed : int, default 0
        Draws the seeds.
    previous : sequence of Trace, optional
        Fits with ``n_components − 1`` components, to split (``SearchResult.optima`` of the
        search one component down).
    ridge, reg_covar : float, optional
        The ridge, relative (default 1e-6 of each feature's variance) or absolute.
    callback : callable, optional
        Given every K-means step and snapshot; an exception it raises stops the search.

    Returns
    -------
    SearchResult
    """
    if not isinstance(n_init, int | np.integer) or n_init < 1:
        raise ValueError(f"n_init (the number of restarts) must be ≥ 1; got {n_init!r}.")
    ridge_options = {"ridge": ridge, "reg_covar": reg_covar}
    starts = starts_for(
        X, n_components, covariance_type, n_init, seed, previous, ridge_options, callback
    )
    model = GaussianMixture(covariance_type, *resolve_ridge(X, **ridge_options))
    screened = screen(X, model, starts, callback)
    polished = [
        run_em(X, model, starts[i], tol=POLISH_TOL, max_iter=POLISH_MAX_ITER, callback=callback)
        for i in best_distinct(screened, N_POLISH)
    ]
    optima = tuple(sorted((t for t in polished if not t.failed), key=rank, reverse=True))
    if not optima:
        return SearchResult(None, False, len(starts))
    return SearchResult(optima[0], held_by_ridge(optima[0]), len(starts), optima)
