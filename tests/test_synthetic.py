"""Synthetic mixtures: a big sample recovers the parameters it was drawn from, the same seed
gives the same sample, and bad arguments are refused with a clear message."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from em_data import SyntheticSample, make_mixture, random_components

WEIGHTS = np.array([0.2, 0.5, 0.3])
MEANS = np.array([[0.0, 0.0], [5.0, 1.0], [-3.0, 4.0]])
COVARIANCES = np.array(
    [[[1.0, 0.3], [0.3, 0.5]], [[2.0, -0.8], [-0.8, 1.0]], [[0.3, 0.0], [0.0, 0.3]]]
)


def _sample(n_samples: int, seed: int) -> SyntheticSample:
    return make_mixture(
        n_samples,
        weights=WEIGHTS,
        means=MEANS,
        covariances=COVARIANCES,
        rng=np.random.default_rng(seed),
    )


def test_a_big_sample_recovers_the_parameters() -> None:
    n_samples = 200_000
    sample = _sample(n_samples, seed=0)
    assert sample.values.shape == (n_samples, 2)
    assert sample.labels.shape == (n_samples,)
    np.testing.assert_allclose(np.bincount(sample.labels) / n_samples, WEIGHTS, atol=0.005)
    for k in range(3):
        rows = sample.values[sample.labels == k]
        np.testing.assert_allclose(rows.mean(axis=0), MEANS[k], atol=0.03)
        np.testing.assert_allclose(np.cov(rows.T), COVARIANCES[k], atol=0.04)
    mixture_mean = WEIGHTS @ MEANS
    np.testing.assert_allclose(sample.values.mean(axis=0), mixture_mean, atol=0.03)


def test_the_sample_keeps_the_truth_read_only() -> None:
    sample = _sample(10, seed=1)
    np.testing.assert_array_equal(sample.weights, WEIGHTS)
    np.testing.assert_array_equal(sample.means, MEANS)
    np.testing.assert_array_equal(sample.covariances, COVARIANCES)
    for array in (sample.values, sample.labels, sample.weights, sample.means, sample.covariances):
        assert not array.flags.writeable
    assert set(sample.labels) <= {0, 1, 2}


def test_same_seed_same_sample() -> None:
    first, again, other = _sample(1_000, seed=3), _sample(1_000, seed=3), _sample(1_000, seed=4)
    np.testing.assert_array_equal(first.values, again.values)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert not np.array_equal(first.values, other.values)


def test_one_feature() -> None:
    sample = make_mixture(
        50_000,
        weights=[0.5, 0.5],
        means=[[-2.0], [2.0]],
        covariances=[[[0.25]], [[1.0]]],
        rng=np.random.default_rng(5),
    )
    assert sample.values.shape == (50_000, 1)
    for k, (mean, variance) in enumerate([(-2.0, 0.25), (2.0, 1.0)]):
        rows = sample.values[sample.labels == k, 0]
        assert rows.mean() == pytest.approx(mean, abs=0.03)
        assert rows.var() == pytest.approx(variance, abs=0.03)


@pytest.mark.parametrize(("n_components", "n_features"), [(1, 1), (3, 2), (8, 1), (8, 2), (4, 5)])
def test_random_components_are_valid_and_well_spread(n_components: int, n_features: int):
    weights, means, covariances = random_components(
        n_components, n_features, np.random.default_rng(n_components * 10 + n_features)
    )
    assert weights.shape == (n_components,)
    assert means.shape == (n_components, n_features)
    assert covariances.shape == (n_components, n_features, n_features)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights > 0.01).all()
    for covariance in covariances:
        np.testing.assert_array_equal(covariance, covariance.T)
        assert np.linalg.eigvalsh(covariance).min() > 0.2
    for a, b in itertools.combinations(means, 2):
        assert np.linalg.norm(a - b) >= 3.0
    # Usable as they are.
    make_mixture(
        10,
        weights=weights,
        means=means,
        covariances=covariances,
        rng=np.random.default_rng(0),
    )


def test_random_components_same_seed_same_components() -> None:
    first = random_components(4, 2, np.random.default_rng(9))
    again = random_components(4, 2, np.random.default_rng(9))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


GOOD = {"weights": WEIGHTS, "means": MEANS, "covariances": COVARIANCES}


@pytest.mark.parametrize(
    ("n_samples", "changes", "error", "match"),
    [
        pytest.param(0, {}, ValueError, "n_samples must be at least 1", id="no samples"),
        pytest.param(2.5, {}, TypeError, "n_samples must be an integer", id="float samples"),
        pytest.param(True, {}, TypeError, "n_samples must be an integer", id="bool samples"),
        pytest.param(10, {"weights": [0.5, 0.6, 0.1]}, ValueError, "sum to 1", id="sum"),
        pytest.param(10, {"weights": [-0.1, 0.6, 0.5]}, ValueError, "non-negative", id="neg"),
        pytest.param(10, {"weights": [[0.5, 0.5]]}, ValueError, "1-D", id="2-D weights"),
        pytest.param(10, {"weights": []}, ValueError, "non-empty", id="no weights"),
        pytest.param(10, {"means": MEANS[:2]}, ValueError, "means must have shape", id="means"),
        pytest.param(
            10, {"covariances": COVARIANCES[:, 0]}, ValueError, "full matrices", id="diagonal"
        ),
        pytest.param(
            10,
            {"covariances": COVARIANCES + np.array([[0, 0.1], [0, 0]])},
            ValueError,
            r"covariances\[0\] is not symmetric",
            id="not symmetric",
        ),
        pytest.param(
            10,
            {"covariances": COVARIANCES * np.array([1, -1, 1])[:, None, None]},
            ValueError,
            r"covariances\[1\] is not positive definite",
            id="not positive definite",
        ),
        pytest.param(
            10,
            {"means": MEANS * [[1, np.nan], [1, 1], [1, 1]]},
            ValueError,
            "means must be finite",
            id="NaN",
        ),
        pytest.param(10, {"rng": 0}, TypeError, "numpy.random.Generator, got int", id="seed"),
        pytest.param(
            10,
            {"rng": np.random.RandomState(0)},
            TypeError,
            "Generator, got RandomState",
            id="legacy RandomState",
        ),
    ],
)
def test_make_mixture_refuses_bad_arguments(n_samples, changes, error, match) -> None:
    arguments = {**GOOD, "rng": np.random.default_rng(0), **changes}
    with pytest.raises(error, match=match):
        make_mixture(n_samples, **arguments)


@pytest.mark.parametrize(
    ("n_components", "n_features", "rng", "error", "match"),
    [
        (0, 2, np.random.default_rng(0), ValueError, "n_components must be at least 1"),
        (2, 0, np.random.default_rng(0), ValueError, "n_features must be at least 1"),
        (2.0, 2, np.random.default_rng(0), TypeError, "n_components must be an integer"),
        (2, 2, None, TypeError, "Generator, got NoneType"),
    ],
)
def test_random_components_refuses_bad_arguments(n_components, n_features, rng, error, match):
    with pytest.raises(error, match=match):
        random_components(n_components, n_features, rng)
