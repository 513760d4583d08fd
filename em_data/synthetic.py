"""Samples from a known Gaussian mixture, to see whether EM finds what was put in.

π_k → ``weights[k]``, μ_k → ``means[k]``, Σ_k → ``covariances[k]`` (full d × d matrices),
z_n → ``labels[n]``. Each row is drawn as x = μ_z + L_z ε with Σ_z = L_z L_zᵀ and ε standard
normal; randomness comes only from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

# In units of the largest component standard deviation (1): neighbours may touch, so EM
# has something to do after the K-means start.
_MIN_MEAN_DISTANCE = 3.0


@dataclass(frozen=True, eq=False)
class SyntheticSample:
    """A sample from a Gaussian mixture, with the truth it was drawn from.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        The sample (read-only).
    labels : ndarray of shape (n_samples,)
        The component each row was drawn from, in ``0 .. n_components - 1`` (read-only).
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)
        The true parameters (read-only).
    """

    values: NDArray[np.float64]
    labels: NDArray[np.intp]
    weights: NDArray[np.float64]
    means: NDArray[np.float64]
    covariances: NDArray[np.float64]


def make_mixture(
    n_samples: int,
    *,
    weights: ArrayLike,
    means: ArrayLike,
    covariances: ArrayLike,
    rng: np.random.Generator,
) -> SyntheticSample:
    """Draw a sample from a Gaussian mixture with full covariance matrices.

    Parameters
    ----------
    n_samples : int
        Number of rows to draw, at least 1.
    weights : array-like of shape (n_components,)
        Mixing weights, non-negative, summing to 1.
    means : array-like of shape (n_components, n_features)
        Component means.
    covariances : array-like of shape (n_components, n_features, n_features)
        Symmetric positive-definite covariance matrices.
    rng : numpy.random.Generator
        Source of randomness; the same generator state gives the same sample.

    Returns
    -------
    SyntheticSample
        The sample, each row's true component and the parameters (all read-only).

    Raises
    ------
    TypeError
        If ``n_samples`` is not an integer or ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If a parameter has the wrong shape, is not finite, or is not a valid weight vector or
        covariance matrix.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
    weights, means, covariances = _checked_parameters(weights, means, covariances)
    n_components, n_features = means.shape
    labels = rng.choice(n_components, size=n_samples, p=weights)
    noise = rng.standard_normal((n_samples, n_features))
    values = np.empty((n_samples, n_features))
    for k, factor in enumerate(np.linalg.cholesky(covariances)):
        rows = labels == k
        values[rows] = means[k] + noise[rows] @ factor.T
    return SyntheticSample(*(_read_only(a) for a in (values, labels, weights, means, covariances)))


def _checked_parameters(
    weights: ArrayLike, means: ArrayLike, covariances: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    weights = np.array(weights, dtype=np.float64)
    means = np.array(means, dtype=np.float64)
    covariances = np.array(covariances, dtype=np.float64)
    if weights.ndim != 1 or weights.size == 0:
        raise ValueError(f"weights must be a non-empty 1-D array, got shape {weights.shape}.")
    n_components = weights.size
    if means.ndim != 2 or means.shape[0] != n_components or means.shape[1] == 0:
        raise ValueError(
            f"means must have shape (n_components, n_features) = ({n_components}, d), "
            f"got {means.shape}."
        )
    n_features = means.shape[1]
    if covariances.shape != (n_components, n_features, n_features):
        raise ValueError(
            f"covariances must have shape {(n_components, n_features, n_features)} (full "
            f"matrices), got {covariances.shape}."
        )
    for name, array in (("weights", weights), ("means", means), ("covariances", covariances)):
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must be finite.")
    if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-8:
        raise ValueError(f"weights must be non-negative and sum to 1, got {weights}.")
    for k, covariance in enumerate(covariances):
        scale = np.abs(covariance).max()
        if not np.allclose(covariance, covariance.T, rtol=0.0, atol=1e-12 * scale):
            raise ValueError(f"covariances[{k}] is not symmetric.")
        if np.linalg.eigvalsh(covariance)[0] <= 0.0:
            raise ValueError(f"covariances[{k}] is not positive definite.")
    return weights / weights.sum(), means, covariances


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def random_components(
    n_components: int, n_features: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Random, well-separated mixture parameters to sample from.

    Weights are drawn from a Dirichlet(5, ..., 5), so no component is tiny. Each covariance
    has a random orientation and standard deviations between 0.5 and 1 along its axes; means
    lie at least 3 apart (3 standard deviations of the widest component), so neighbouring
    components may overlap a little.

    Parameters
    ----------
    n_components : int
        Number of components, at least 1.
    n_features : int
        Number of features, at least 1.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or a count is not an integer.
    ValueError
        If a count is below 1.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}.")
    for name, count in (("n_components", n_components), ("n_features", n_features)):
        if isinstance(count, bool) or not isinstance(count, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {count!r}.")
        if count < 1:
            raise ValueError(f"{name} must be at least 1, got {count}.")
    weights = rng.dirichlet(np.full(n_components, 5.0))
    covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        rotation, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
        variances = rng.uniform(0.25, 1.0, size=n_features)
        covariance = (rotation * variances) @ rotation.T
        covariances[k] = (covariance + covariance.T) / 2
    return weights, _spread_means(n_components, n_features, rng), covariances


def _spread_means(n_components: int, n_features: int, rng: np.random.Generator) -> np.ndarray:
    """Points in a box, each at least `_MIN_MEAN_DISTANCE` from the others."""
    half_width = 3.0 * n_components ** (1.0 / n_features)
    means: list[np.ndarray] = []
    while len(means) < n_components:
        candidates = rng.uniform(-half_width, half_width, size=(100, n_features))
        for candidate in candidates:
            if all(np.linalg.norm(candidate - mean) >= _MIN_MEAN_DISTANCE for mean in means):
                means.append(candidate)
                break
        else:
            half_width *= 1.5  # the box is crowded: make room
    return np.array(means)


def elongated_cloud(
    n_samples: int,
    *,
    angle_degrees: float = 35.0,
    spread: float = 2.5,
    noise: float = 0.8,
    center: ArrayLike = (2.0, 1.0),
    rng: np.random.Generator,
) -> SyntheticSample:
    """A 2-D cloud drawn from probabilistic PCA with one latent dimension: x = w z + μ + ε.

    Along the direction at ``angle_degrees`` from the x axis the points spread with standard
    deviation √(spread² + noise²) (w has length ``spread``); across it, with ``noise``.

    Returns
    -------
    SyntheticSample
        One component, with covariance w wᵀ + noise² I.
    """
    angle = np.radians(angle_degrees)
    w = spread * np.array([np.cos(angle), np.sin(angle)])
    covariance = np.outer(w, w) + noise**2 * np.eye(2)
    return make_mixture(n_samples, weights=[1.0], means=[center], covariances=[covariance], rng=rng)
