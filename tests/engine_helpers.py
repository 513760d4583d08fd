"""Shared helpers for the engine tests: small data sets, reference formulas, comparisons.

Nothing here calls the engine's numerics to produce an expected value; references come from
SciPy or from the formulas written out, so a test cannot pass by agreeing with itself.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from em_core import Snapshot, Trace

# The worked example of ../shared/seed/em-for-gmm.txt.
WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])
WORKED_MEANS = (2.0, 9.0)
WORKED_SIGMAS = (1.0, 1.0)
WORKED_WEIGHTS = (0.5, 0.5)

RANDOM_INITS = ("kmeans", "k-means++", "random", "random_from_data")


def blobs(
    seed: int,
    n_features: int = 2,
    n_per_blob: int = 40,
    n_blobs: int = 3,
    separation: float = 6.0,
) -> NDArray[np.float64]:
    """Well-separated Gaussian blobs with unit-ish, mildly anisotropic spread."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=separation, size=(n_blobs, n_features))
    parts = []
    for centre in centres:
        mixing = np.eye(n_features) + 0.3 * rng.normal(size=(n_features, n_features))
        parts.append(centre + rng.normal(size=(n_per_blob, n_features)) @ mixing)
    return np.concatenate(parts)


def two_blobs(seed: int = 0, n_per_blob: int = 60, n_features: int = 2) -> NDArray[np.float64]:
    """Two round blobs ten standard deviations apart."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n_per_blob, n_features))
    b = rng.normal(size=(n_per_blob, n_features)) + 10.0
    return np.concatenate([a, b])


def same_partition(a: NDArray[np.intp], b: NDArray[np.intp]) -> bool:
    """True when the two labellings define the same clusters (labels up to a permutation)."""
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def matching(means_a: NDArray[np.float64], means_b: NDArray[np.float64]) -> NDArray[np.intp]:
    """The permutation p with means_b[p[k]] closest to means_a[k] (Hungarian matching)."""
    cost = ((means_a[:, None, :] - means_b[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    return cols[np.argsort(rows)]


def sklearn_precisions(covariances: NDArray[np.float64], covariance_type: str) -> NDArray:
    """Inverse covariances in scikit-learn's storage for ``covariance_type``."""
    if covariance_type in ("diag", "spherical"):
        return 1.0 / covariances
    precisions = np.linalg.inv(covariances)
    return 0.5 * (precisions + np.swapaxes(precisions, -1, -2))  # exactly symmetric


def snapshots_finite(trace: Trace) -> bool:
    return all(
        np.all(np.isfinite(a))
        for s in trace.snapshots
        for a in (s.params.weights, s.params.means, s.params.covariances, [s.log_likelihood])
    )


def assert_same_snapshot(a: Snapshot, b: Snapshot, rtol: float = 0.0, atol: float = 0.0) -> None:
    for name in ("weights", "means", "covariances"):
        np.testing.assert_allclose(
            getattr(a.params, name), getattr(b.params, name), rtol=rtol, atol=atol, err_msg=name
        )
    np.testing.assert_allclose(a.log_likelihood, b.log_likelihood, rtol=rtol, atol=atol)


def assert_same_trace(a: Trace, b: Trace) -> None:
    """Bit-for-bit the same run."""
    assert a.n_iter == b.n_iter
    assert a.stop_reason is b.stop_reason
    for sa, sb in zip(a.snapshots, b.snapshots, strict=True):
        assert_same_snapshot(sa, sb)


def outlier_collapse_problem():
    """Twenty points evenly spread over [−2, 2] and one outlier at 30, with a start that puts
    component 2 (index 1) at 20 with a wide variance. Without a ridge, component 2 lets go of
    the main cluster and shrinks onto the outlier alone: it collapses in the M-step of
    iteration 3, after two good iterations have been recorded.
    """
    from em_models.mixture.gaussian import Parameters

    X = np.concatenate([np.linspace(-2.0, 2.0, 20), [30.0]])[:, None]
    start = Parameters([0.9, 0.1], [[0.0], [20.0]], [[[4.0]], [[100.0]]], "full")
    return X, start


def far_component_problem():
    """Thirty points over [0, 10] and a start whose component 2 (index 1) sits at 1000 with
    weight 0.001: no point gives it any responsibility, so it empties in the first M-step."""
    from em_models.mixture.gaussian import Parameters

    X = np.linspace(0.0, 10.0, 30)[:, None]
    start = Parameters([0.999, 0.001], [[5.0], [1000.0]], [[[4.0]], [[1.0]]], "full")
    return X, start


def assert_same_values(a: object, b: object, where: str = "snapshot") -> None:
    """``a`` and ``b`` hold the same numbers of the same types, dataclass field by field
    (nested ones too); arrays of one shape and dtype, ``b``'s read-only."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, where
        assert a.shape == b.shape, where
        assert not b.flags.writeable, f"{where} is writeable"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            name = field.name
            assert_same_values(getattr(a, name), getattr(b, name), f"{where}.{name}")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"
