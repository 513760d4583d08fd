"""Choosing the starting parameters θ_0 of EM.

Methods (``method=``):

- ``"kmeans"``: Lloyd's K-means from k-means++ seeds; every K-means iteration is kept so a
  page can show the hand-off to EM. θ_0 is the M-step of the hard K-means assignment.
- ``"k-means++"``: k-means++ seeds only; each point goes to its nearest seed, then an M-step.
- ``"random"``: random responsibilities (uniform, normalised per point), then an M-step.
  Every mean starts near the centre of the data: EM must break the symmetry itself.
- ``"random_from_data"``: the means are K distinct data points chosen at random, every
  covariance is the covariance of the whole data, the weights are equal (Bishop's recipe).
- ``"given"``: parameters supplied by the caller (the worked example starts this way).

A cluster too small to have a covariance of its own (a single point, or points on a line,
with no ridge) starts with the covariance of the whole data instead, so no start is singular.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_models.mixture.gaussian import (
    Parameters,
    estimate_parameters,
    from_full,
    robust_scale,
    smallest_variances,
    variance_floor,
)

INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data", "given")
# The relative ridge used when neither ``ridge`` nor ``reg_covar`` is given.
DEFAULT_RIDGE = 1e-6


def resolve_ridge(
    X: NDArray[np.float64], *, ridge: float | None = None, reg_covar: float | None = None
) -> tuple[NDArray[np.float64], float | None]:
    """The amount added to each feature's variance in every M-step.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    ridge : float, optional
        Relative: ``ridge`` × each feature's variance (the default, 1e-6, when neither is
        given), so the answer does not depend on the data's units.
    reg_covar : float, optional
        scikit-learn's absolute form: the same amount, in squared data units, for every
        feature.

    Returns
    -------
    diagonal : array of shape (n_features,)
    relative : float or None
        The relative ridge, or None when ``reg_covar`` was given.
    """
    if ridge is not None and reg_covar is not None:
        raise ValueError(
            "Give the ridge either relative to each feature's variance (ridge) or in squared "
            "data units (reg_covar), not both."
        )
    if reg_covar is not None:
        if not np.isfinite(reg_covar) or reg_covar < 0:
            raise ValueError(f"reg_covar (the ridge) must be ≥ 0; got {reg_covar!r}.")
        return np.full(X.shape[1], float(reg_covar)), None
    relative = DEFAULT_RIDGE if ridge is None else ridge
    if not np.isfinite(relative) or relative < 0:
        raise ValueError(f"The ridge must be ≥ 0; got {relative!r}.")
    variance = X.var(axis=0)
    constant = np.flatnonzero(variance == 0)
    if relative > 0 and constant.size:
        raise ValueError(
            f"Column {int(constant[0]) + 1} has the same value in every row, so a ridge "
            "relative to its variance adds nothing to it; leave that column out, or give the "
            "ridge in data units (reg_covar)."
        )
    return float(relative) * variance, float(relative)


@dataclass(frozen=True, eq=False)
class KMeansStep:
    """One Lloyd iteration: the centres after it and the within-cluster sum of squares."""

    iteration: int
    centers: NDArray[np.float64]  # (n_components, n_features)
    inertia: float

    @property
    def phase(self) -> str:
        """What a progress bar calls the steps of this kind (:mod:`em_ui.progress`)."""
        return "K-means start"


@dataclass(frozen=True, eq=False)
class Initialisation:
    """How θ_0 was chosen.

    Attributes
    ----------
    method : str
    seed : int or None
        The integer seed, when the randomness came from one.
    params : Parameters
        θ_0.
    nk : array of shape (n_components,) or None
        Effective counts of the assignment θ_0 was estimated from (None for "given" and
        "random_from_data").
    kmeans_steps : tuple of KMeansStep
        The K-means iterations ("kmeans"), or the seeds alone ("k-means++"); else empty.
    """

    method: str
    seed: int | None
    params: Parameters
    nk: NDArray[np.float64] | None
    kmeans_steps: tuple[KMeansStep, ...] = ()

    @property
    def stats(self) -> NDArray[np.float64] | None:
        """θ_0's stats for the EM driver (:class:`em_core.model.Start`): ``nk``."""
        return self.nk


def _squared_distances(XT: NDArray[np.float64], centers: NDArray[np.float64]) -> NDArray:
    """‖x_n − c_k‖², shape (n_components, n_samples), computed from differences (no
    cancellation when the data sit far from the origin)."""
    out = np.zeros((centers.shape[0], XT.shape[1]))
    buffer = np.empty(XT.shape[1])
    for k, center in enumerate(centers):
        for i in range(XT.shape[0]):
            np.subtract(XT[i], center[i], out=buffer)
            out[k] += np.square(buffer, out=buffer)
    return out


def nearest_center(X: NDArray[np.float64], centers: NDArray[np.float64]) -> NDArray[np.intp]:
    """Index of the nearest centre for each row of X, shape (n_samples,)."""
    return _squared_distances(np.ascontiguousarray(X.T), centers).argmin(axis=0)


def kmeans_plusplus(
    XT: NDArray[np.float64], n_components: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """k-means++ seeds: the first uniformly, each next with probability ∝ D(x)², where D is
    the distance to the nearest seed chosen so far. Seeds are distinct rows."""
    n_samples = XT.shape[1]
    seeds = [int(rng.integers(n_samples))]
    closest = _squared_distances(XT, XT[:, seeds].T)[0]
    for _ in range(1, n_components):
        total = closest.sum()
        if total <= 0:  # fewer distinct rows than seeds: caught by the caller's check
            break
        index = int(rng.choice(n_samples, p=closest / total))
        seeds.append(index)
        np.minimum(closest, _squared_distances(XT, XT[:, [index]].T)[0], out=closest)
    return XT[:, seeds].T.copy()


def kmeans(
    XT: NDArray[np.float64],
    centers: NDArray[np.float64],
    *,
    max_iter: int = 100,
    callback: Callable[[KMeansStep], object] | None = None,
) -> tuple[tuple[KMeansStep, ...], NDArray[np.intp]]:
    """Lloyd's algorithm from ``centers``; returns every step and the final labels.

    An empty cluster is moved to the point farthest from its centre. ``callback(step)``, if
    given, sees each step as it is made; an exception it raises ends the algorithm there.
    """
    n_components = centers.shape[0]
    distances = _squared_distances(XT, centers)
    labels = distances.argmin(axis=0)
    steps = [KMeansStep(0, _readonly(centers), float(distances.min(axis=0).sum()))]
    for iteration in range(1, max_iter + 1):
        counts = np.bincount(labels, minlength=n_components)
        centers = np.stack([np.bincount(labels, row, n_components) for row in XT], axis=1)
        for k in np.flatnonzero(counts == 0):
            far = int(distances.min(axis=0).argmax())
            centers[k], counts[k], labels[far] = XT[:, far], 1, k
        centers[counts > 0] /= counts[counts > 0, None]
        distances = _squared_distances(XT, centers)
        new_labels = distances.argmin(axis=0)
        steps.append(KMeansStep(iteration, _readonly(centers), float(distances.min(axis=0).sum())))
        if callback is not None:
            callback(steps[-1])
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return tuple(steps), labels


def _readonly(a: NDArray) -> NDArray[np.float64]:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _data_covariance(
    X: NDArray[np.float64], covariance_type: str, n_components: int, reg: NDArray[np.float64]
):
    d = X.shape[1]
    cov = np.atleast_2d(np.cov(X, rowvar=False, bias=True)) + np.diag(reg)
    if covariance_type == "tied":
        return cov
    return from_full(np.broadcast_to(cov, (n_components, d, d)), covariance_type)


def _from_resp(
    X: NDArray[np.float64],
    resp: NDArray[np.float64],
    covariance_type: str,
    reg_covar: NDArray[np.float64],
) -> tuple[Parameters, NDArray[np.float64]]:
    """M-step from initial responsibilities (n_components, n_samples); a component whose
    covariance would be singular takes the whole data's covariance instead."""
    XT = np.ascontiguousarray(X.T)
    params, nk = estimate_parameters(XT, resp, covariance_type, reg_covar)
    floor = variance_floor(params.means, robust_scale(X))
    singular = ~(smallest_variances(params) > floor)
    if singular.any():
        whole = _data_covariance(X, covariance_type, params.n_components, reg_covar)
        covariances = np.array(params.covariances)
        if covariance_type == "tied":
            covariances = whole
        else:
            covariances[singular] = whole[singular]
        params = Parameters(params.weights, params.means, covariances, covariance_type)
    return params, nk


def count_distinct_rows(X: NDArray[np.float64], at_most: int) -> int:
    """The number of distinct rows of X, counted up to ``at_most`` (cheap for small counts)."""
    found = [X[0]]
    remaining = X
    while len(found) < at_most:
        remaining = remaining[np.any(remaining != found[-1], axis=1)]
        if remaining.shape[0] == 0:
            break
        found.append(remaining[0])
    return len(found)


def initialise(
    X: NDArray[np.float64],
    n_components: int,
    *,
    method: str = "kmeans",
    covariance_type: str = "full",
    ridge: float | None = None,
    reg_covar: float | None = None,
    rng: np.random.Generator | int | None = 0,
    params: Parameters | None = None,
    callback: Callable[[KMeansStep], object] | None = None,
) -> Initialisation:
    """Choose θ_0 for EM.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    n_components : int
    method : {"kmeans", "k-means++", "random", "random_from_data", "given"}
    covariance_type : str
    ridge, reg_covar : float, optional
        The ridge, relative or absolute (see :func:`resolve_ridge`).
    rng : numpy.random.Generator or int or None
        An int is recorded as the seed.
    params : Parameters, optional
        Required for ``method="given"``.
    callback : callable, optional
        Given each K-means step (``method="kmeans"``), as :func:`kmeans` does.

    Returns
    -------
    Initialisation
    """
    if method not in INIT_METHODS:
        raise ValueError(
            f"Unknown init method {method!r}; choose one of "
            + ", ".join(repr(m) for m in INIT_METHODS)
            + "."
        )
    distinct = count_distinct_rows(X, n_components)
    if distinct < n_components:
        raise ValueError(
            f"The data have only {distinct} distinct rows, too few for {n_components} "
            "components (each component needs a point of its own); choose fewer components."
        )
    reg_covar = resolve_ridge(X, ridge=ridge, reg_covar=reg_covar)[0]
    seed = int(rng) if isinstance(rng, int | np.integer) else None
    generator = np.random.default_rng(rng)
    XT = np.ascontiguousarray(X.T)
    if method == "given":
        return Initialisation(
            method, seed, _check_given(params, n_components, X, covariance_type), None
        )
    if method == "random_from_data":
        unique = np.unique(X, axis=0)
        means = unique[generator.choice(unique.shape[0], n_components, replace=False)]
        cov = _data_covariance(X, covariance_type, n_components, reg_covar)
        weights = np.full(n_components, 1.0 / n_components)
        return Initialisation(method, seed, Parameters(weights, means, cov, covariance_type), None)
    if method == "random":
        resp = generator.uniform(size=(n_components, X.shape[0]))
        resp /= resp.sum(axis=0)
        start, nk = _from_resp(X, resp, covariance_type, reg_covar)
        return Initialisation(method, seed, start, nk)
    seeds = kmeans_plusplus(XT, n_components, generator)
    if method == "kmeans":
        steps, labels = kmeans(XT, seeds, callback=callback)
    else:
        steps = (
            KMeansStep(0, _readonly(seeds), float(_squared_distances(XT, seeds).min(0).sum())),
        )
        labels = _squared_distances(XT, seeds).argmin(axis=0)
    resp = np.zeros((n_components, X.shape[0]))
    resp[labels, np.arange(X.shape[0])] = 1.0
    start, nk = _from_resp(X, resp, covariance_type, reg_covar)
    return Initialisation(method, seed, start, nk, steps)


def _check_given(
    params: Parameters | None, n_components: int, X: NDArray[np.float64], covariance_type: str
) -> Parameters:
    if params is None:
        raise ValueError('init="given" needs starting parameters: pass params=Parameters(...).')
    if params.n_components != n_components or params.n_features != X.shape[1]:
        raise ValueError(
            f"The starting parameters have {params.n_components} components in "
            f"{params.n_features} dimensions; the fit asks for {n_components} components "
            f"and the data have {X.shape[1]} features."
        )
    if params.covariance_type != covariance_type:
        raise ValueError(
            f"The starting parameters are '{params.covariance_type}' but the fit asks for "
            f"'{covariance_type}' covariances."
        )
    for name, value in (
        ("weights", params.weights),
        ("means", params.means),
        ("covariances", params.covariances),
    ):
        if np.isnan(value).any():
            raise ValueError(f"The starting {name} contain NaN (not a number).")
        if np.isinf(value).any():
            too_large = " (a variance above 1.8e308, a σ above 1.3e154)" if name[0] == "c" else ""
            raise ValueError(
                f"The starting {name} contain a value too large for double precision"
                f"{too_large}; start nearer the scale of the data."
            )
    negative = np.flatnonzero(params.weights <= 0)
    if negative.size:
        k = int(negative[0])
        raise ValueError(
            f"Every starting weight must be positive; π_{k + 1} = {params.weights[k]:.6g}."
        )
    if abs(params.weights.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"The starting weights must sum to 1; they sum to {params.weights.sum():.6g}."
        )
    small = smallest_variances(params)
    if not np.all(small > 0):
        k = int(np.flatnonzero(~(small > 0))[0])
        raise ValueError(
            f"The starting covariance of component {k + 1} is not positive definite (its "
            f"smallest variance is {small[k]:.2g}); every variance must be > 0."
        )
    centre = np.median(X, axis=0)
    far = np.abs(params.means - centre).max()
    if far > 1e150:
        raise ValueError(
            f"A starting mean lies {far:.2g} from the middle of the data, too far to compute "
            "a distance in double precision; start nearer the data."
        )
    if params.covariance_type in ("full", "tied") and not np.allclose(
        params.covariances, np.swapaxes(params.covariances, -1, -2)
    ):
        raise ValueError("The starting covariance matrices must be symmetric.")
    weights = params.weights / params.weights.sum()
    return Parameters(weights, params.means, params.covariances, params.covariance_type)
