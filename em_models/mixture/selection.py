"""Restarts against local optima, and choosing the number of components with BIC and AIC.

Both criteria follow scikit-learn's sign convention, lower is better:
BIC = −2 ℓ + p log N and AIC = −2 ℓ + 2 p, with ℓ the total log-likelihood, p the number
of free parameters and N the number of samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from em_core.em import Snapshot, Trace, as_data
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import check_covariance_type
from em_models.mixture.search import best_fit, rank
from em_models.mixture.starts import KMeansStep


def n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    """Free parameters of a mixture: K − 1 weights, K·d means and the covariances."""
    check_covariance_type(covariance_type)
    k, d = n_components, n_features
    covariance = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[covariance_type]
    return (k - 1) + k * d + covariance


def bic(log_likelihood: float, n_params: int, n_samples: int) -> float:
    """Bayesian information criterion, −2ℓ + p log N (lower is better)."""
    return -2.0 * log_likelihood + n_params * float(np.log(n_samples))


def aic(log_likelihood: float, n_params: int) -> float:
    """Akaike information criterion, −2ℓ + 2p (lower is better)."""
    return -2.0 * log_likelihood + 2.0 * n_params


@dataclass(frozen=True, eq=False)
class Restarts:
    """Several EM runs of the same model from different starts.

    Attributes
    ----------
    traces : tuple of Trace
    seeds : tuple of int
        ``seeds[i]`` reproduces ``traces[i]`` with :func:`em_models.mixture.engine.fit`.
    best_index : int or None
        The best run by :func:`em_models.mixture.search.rank`, as the search behind choosing K
        decides: the highest final log-likelihood among the runs that did not fail and end
        with no component held up by the ridge
        (:func:`em_models.mixture.diagnostics.nearly_collapsed`), or among
        all that did not fail when every one is such a collapse; None if every run failed.
        The best of these runs only: other starts may reach a higher optimum.
    """

    traces: tuple[Trace, ...]
    seeds: tuple[int, ...]
    best_index: int | None

    @property
    def best(self) -> Trace | None:
        return None if self.best_index is None else self.traces[self.best_index]

    def optima(self) -> list[Optimum]:
        """The distinct end points of the runs that did not fail, best first.

        Two runs end at the same optimum when their final log-likelihoods per sample differ
        by at most 2 × tol (each stopped once a step gained less than tol per sample).
        """
        ended = sorted(
            ((t.final.log_likelihood, i) for i, t in enumerate(self.traces) if not t.failed),
            reverse=True,
        )
        groups: list[list[tuple[float, int]]] = []
        for value, i in ended:
            trace = self.traces[i]
            gap = 2.0 * max(trace.tol, 1e-9) * trace.n_samples
            if groups and groups[-1][0][0] - value <= gap:
                groups[-1].append((value, i))
            else:
                groups.append([(value, i)])
        return [Optimum(g[0][0], tuple(i for _, i in g)) for g in groups]

    def summary(self) -> str:
        """In plain words, whether the starts agree and which run is the best of them (no user
        text in it)."""
        n = len(self.traces)
        optima = self.optima()
        failed = n - sum(len(o.runs) for o in optima)
        failures = f" ({failed} of them failed)" if failed else ""
        if n == 1:
            return ""
        if not optima:
            return f"All {n} starts failed; try fewer components or a larger ridge."
        if len(optima) == 1:
            ended = f"The {n - failed} starts that did not fail" if failed else f"All {n} starts"
            return f"{ended} ended at the same optimum, ℓ = {optima[0].log_likelihood:.2f}."
        spread = optima[0].log_likelihood - optima[-1].log_likelihood
        top = optima[0]
        text = (
            f"The {n} starts{failures} ended at {len(optima)} different optima, up to "
            f"{spread:.2f} apart in ℓ; the highest, ℓ = {top.log_likelihood:.2f}, was reached "
            f"by {len(top.runs)} of them"
        )
        if self.best_index not in top.runs:
            best = self.traces[self.best_index]
            text += (
                ", but with a component held up by the ridge (nearly collapsed), so the best "
                f"of these runs is run {self.best_index + 1}, ℓ = "
                f"{best.final.log_likelihood:.2f}"
            )
        return text + ". Other starts may reach a higher optimum."


@dataclass(frozen=True)
class Optimum:
    """One end point reached by one or more restarts."""

    log_likelihood: float
    runs: tuple[int, ...]


def fit_restarts(
    X: ArrayLike, n_components: int, *, n_init: int = 5, seed: int = 0, **fit_options
) -> Restarts:
    """Run :func:`em_models.mixture.engine.fit` ``n_init`` times from seeds drawn from ``seed``;
    keep every run
    and mark the best of them (``Restarts.best_index``).

    ``fit_options`` are passed on (covariance_type, init, tol, reg_covar, max_iter).
    """
    if not isinstance(n_init, int | np.integer) or n_init < 1:
        raise ValueError(f"n_init (the number of restarts) must be ≥ 1; got {n_init!r}.")
    X = as_data(X)
    seeds = tuple(int(s) for s in np.random.default_rng(seed).integers(0, 2**31 - 1, n_init))
    traces = tuple(fit(X, n_components, rng=s, **fit_options) for s in seeds)
    ended = [i for i, trace in enumerate(traces) if not trace.failed]
    best = max(ended, key=lambda i: rank(traces[i])) if ended else None
    return Restarts(traces, seeds, best)


@dataclass(frozen=True, eq=False)
class SelectionRow:
    """The best mixture found for one number of components, with its scores.

    Attributes
    ----------
    n_components, n_parameters : int
        K and p.
    log_likelihood, bic, aic : float or None
        ℓ of ``best`` and its criteria; None when every run failed.
    best : Trace or None
        The best run, replayable from its start ``best.start``.
    collapsed : bool
        Every run that did not fail had a component held up by the ridge, ``best`` too.
    n_runs : int
        The starts the search tried.
    """

    n_components: int
    n_parameters: int
    log_likelihood: float | None
    bic: float | None
    aic: float | None
    best: Trace | None
    collapsed: bool
    n_runs: int


def select_n_components(
    X: ArrayLike,
    n_components_range: Sequence[int],
    *,
    n_init: int = 10,
    seed: int = 0,
    covariance_type: str = "full",
    ridge: float | None = None,
    reg_covar: float | None = None,
    callback: Callable[[Snapshot | KMeansStep], object] | None = None,
    on_row: Callable[[SelectionRow], object] | None = None,
) -> tuple[SelectionRow, ...]:
    """For each K in ``n_components_range``, the best mixture
    :func:`em_models.mixture.search.best_fit`
    finds (starts from ``n_init`` seeds and more, the fits polished at K − 1 split, the best
    runs converged tightly), with its BIC and AIC.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components_range : sequence of int
    n_init : int, default 10
        Seeds per start method (K-means, k-means++, random data points); data of fewer
        than 1,200 points get more k-means++ seeds
        (:func:`em_models.mixture.search.kmeanspp_seeds`).
    seed : int, default 0
    covariance_type : str, default "full"
    ridge, reg_covar : float, optional
        The ridge, relative (default 1e-6 of each feature's variance) or absolute.
    callback : callable, optional
        Given every K-means step and snapshot of every run; an exception it raises stops the
        sweep.
    on_row : callable, optional
        Given each row as soon as its K is done (for a progress bar).

    Returns
    -------
    tuple of SelectionRow
        A K whose runs all failed has None for its scores.
    """
    X = as_data(X)
    check_covariance_type(covariance_type)
    rows = []
    previous: tuple[Trace, ...] = ()
    for k in n_components_range:
        k = int(k)
        result = best_fit(
            X,
            k,
            covariance_type=covariance_type,
            n_init=n_init,
            seed=seed,
            previous=previous,
            ridge=ridge,
            reg_covar=reg_covar,
            callback=callback,
        )
        previous = result.optima
        p = n_parameters(k, X.shape[1], covariance_type)
        ll = None if result.best is None else result.best.final.log_likelihood
        row = SelectionRow(
            k,
            p,
            ll,
            None if ll is None else bic(ll, p, X.shape[0]),
            None if ll is None else aic(ll, p),
            result.best,
            result.collapsed,
            result.n_runs,
        )
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return tuple(rows)
