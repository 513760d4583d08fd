"""The search for the best mixture of K components, used when choosing K.

EM climbs to a local optimum near its start, so one run at each K is not enough to compare
K by likelihood. :func:`best_fit` tries many starts and keeps the highest optimum that is a
real one:

1. Screening: EM from every start, stopped loosely (``SCREEN_TOL``). The starts are K-means,
   k-means++ seeding and K random data points, ``n_init`` seeds each, and, when fits with
   K − 1 components are given (the optima polished at K − 1), each of them with one
   component split in two along its widest direction (one start per component).
2. Polishing: the best few distinct screened runs are run again from their starts to a tight
   tolerance (``POLISH_TOL``), and the highest final ℓ wins.

A run is not a candidate when it failed or when one of its components is held up by the
ridge (:func:`em_core.nearly_collapsed`: without the ridge its covariance would be singular
or the likelihood unbounded, because it owns about one point per dimension or its points
spread no more than the ridge adds). There the ridge sets the likelihood, which grows
without bound as the ridge shrinks: a collapse, not an optimum. A component of a few points
that spread well beyond the ridge is a real optimum and counts. Only when every run is a
collapse is the best of them returned, marked ``collapsed``. The restarts
(:func:`em_core.fit_restarts`) choose their best run by the same :func:`rank`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_core.diagnostics import held_by_ridge
from em_core.em import Snapshot, Trace, run_em
from em_core.init import Initialisation, KMeansStep, _from_resp, initialise, resolve_ridge
from em_core.mixture import GaussianMixture, e_step

SCREEN_TOL = 1e-6
SCREEN_MAX_ITER = 300
POLISH_TOL = 1e-10
POLISH_MAX_ITER = 2000
N_POLISH = 3
START_METHODS = ("kmeans", "k-means++", "random_from_data")

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
        Seeds per start method.
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
    diagonal, relative = resolve_ridge(X, **ridge_options)
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, n_init)
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
        for s in seeds
        for method in START_METHODS
    ]
    for smaller in previous:
        if not smaller.failed and smaller.final.params.n_components == n_components - 1:
            starts += split_starts(X, smaller, diagonal)
    model = GaussianMixture(covariance_type, diagonal, relative)
    screened = [
        run_em(X, model, start, tol=SCREEN_TOL, max_iter=SCREEN_MAX_ITER, callback=callback)
        for start in starts
    ]
    order = sorted(range(len(screened)), key=lambda i: rank(screened[i]), reverse=True)
    chosen: list[int] = []
    for i in order:
        if screened[i].failed or len(chosen) == N_POLISH:
            break
        value = screened[i].final.log_likelihood
        if all(abs(value - screened[j].final.log_likelihood) > 1e-6 for j in chosen):
            chosen.append(i)
    polished = [
        run_em(X, model, starts[i], tol=POLISH_TOL, max_iter=POLISH_MAX_ITER, callback=callback)
        for i in chosen
    ]
    optima = tuple(sorted((t for t in polished if not t.failed), key=rank, reverse=True))
    if not optima:
        return SearchResult(None, False, len(starts))
    return SearchResult(optima[0], held_by_ridge(optima[0]), len(starts), optima)
