"""em_models.mixture.starts_figures and em_models.mixture.typed_start: the K-means animation shows
the engine's Lloyd steps,
the hand-off θ₀ read off the hard labels is the θ₀ EM starts from, the compared starts'
table is the engine's runs, and a typed start is read or refused with a reason.

Oracles: scikit-learn's Lloyd K-means from the same seeds, SciPy's distances, and the engine's
own first snapshot (computed by a different route: its M-step on one-hot responsibilities).
"""

from __future__ import annotations

import numpy as np
import pytest
from casing_helpers import uncased
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

import em_core
import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.starts
import em_models.mixture.typed_start
from em_data import load_dataset
from em_models.mixture import starts_figures as starts
from em_models.mixture.typed_start import default_means, same_rows, typed_start
from em_viz.contrast import MIN_GRAPHIC_CONTRAST, contrast_ratio

FAITHFUL = np.asarray(load_dataset("faithful").values)
IRIS = np.asarray(load_dataset("iris").values)
GALAXIES = np.asarray(load_dataset("galaxies").values)
CASES = [(FAITHFUL, 2), (FAITHFUL, 4), (IRIS[:, :2], 3), (IRIS, 5)]


def hand_off(X: np.ndarray, trace: em_core.Trace) -> em_models.mixture.gaussian.Parameters:
    labels = em_models.mixture.starts.nearest_center(X, trace.start.kmeans_steps[-1].centers)
    return starts.handoff_parameters(
        X,
        labels,
        trace.final.params.n_components,
        trace.model.covariance_type,
        trace.model.ridge_diagonal,
    )


# ---------------------------------------------------------------------------------------
# The hand-off


@pytest.mark.parametrize("covariance_type", em_models.mixture.gaussian.COVARIANCE_TYPES)
@pytest.mark.parametrize(("X", "n_components"), CASES)
@pytest.mark.parametrize("seed", [0, 7])
def test_handoff_equals_the_first_snapshot(X, n_components, covariance_type, seed):
    trace = em_models.mixture.engine.fit(X, n_components, covariance_type=covariance_type, rng=seed)
    handed, theta_0 = hand_off(X, trace), trace.snapshots[0].params
    np.testing.assert_allclose(handed.weights, theta_0.weights, rtol=1e-12, atol=0)
    np.testing.assert_allclose(handed.means, theta_0.means, rtol=1e-12, atol=0)
    np.testing.assert_allclose(handed.covariances, theta_0.covariances, rtol=1e-12, atol=0)
    assert handed.covariances.shape == theta_0.covariances.shape
    assert starts.relative_difference(handed, theta_0).max() <= 1e-12


def test_handoff_counts_are_the_engine_counts():
    trace = em_models.mixture.engine.fit(FAITHFUL, 3, rng=2)
    labels = em_models.mixture.starts.nearest_center(FAITHFUL, trace.start.kmeans_steps[-1].centers)
    np.testing.assert_array_equal(np.bincount(labels, minlength=3), trace.start.nk)


def test_handoff_with_no_ridge_is_the_clusters_own_moments():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [10.0, 10.0], [12.0, 11.0]])
    labels = np.array([0, 0, 0, 1, 1])
    params = starts.handoff_parameters(X, labels, 2, "full", np.zeros(2))
    np.testing.assert_allclose(params.weights, [0.6, 0.4])
    np.testing.assert_allclose(params.means, [[2 / 3, 2 / 3], [11.0, 10.5]])
    np.testing.assert_allclose(params.covariances[0], np.cov(X[:3].T, bias=True))
    tied = starts.handoff_parameters(X, labels, 2, "tied", np.array([1.0, 2.0]))
    within = (np.cov(X[:3].T, bias=True) * 3 + np.cov(X[3:].T, bias=True) * 2) / 5
    np.testing.assert_allclose(tied.covariances, within + np.diag([1.0, 2.0]))


def test_handoff_refuses_an_empty_cluster():
    with pytest.raises(ValueError, match="Cluster 2 has no points"):
        starts.handoff_parameters(np.arange(4.0)[:, None], np.zeros(4, int), 2, "full", [0.0])


def test_relative_difference_finds_the_component_that_differs():
    a = em_models.mixture.gaussian.Parameters(
        [0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[1.0]]], "full"
    )
    b = em_models.mixture.gaussian.Parameters(
        [0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[2.0]]], "full"
    )
    np.testing.assert_allclose(starts.relative_difference(a, b), [0.0, 0.5])


def test_parameters_table_columns_and_values():
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0)
    table = starts.parameters_table(
        trace.snapshots[0].params, counts=[100, 172], column_names=["eruptions", "waiting"]
    )
    assert list(table.columns) == [
        "component",
        "points n_k",
        "π = n_k / N",
        "μ (eruptions)",
        "μ (waiting)",
        "σ (eruptions)",
        "σ (waiting)",
        "correlation",
    ]
    full = trace.snapshots[0].params.covariances
    np.testing.assert_allclose(table["σ (waiting)"], np.sqrt(full[:, 1, 1]))
    np.testing.assert_allclose(
        table["correlation"], full[:, 0, 1] / np.sqrt(full[:, 0, 0] * full[:, 1, 1])
    )


# ---------------------------------------------------------------------------------------
# The K-means animation


@pytest.mark.parametrize(("X", "n_components", "seed"), [(FAITHFUL, 3, 0), (IRIS, 4, 5)])
def test_engine_steps_are_lloyd_steps(X, n_components, seed):
    """The stepping view shows these steps: they are scikit-learn's Lloyd iterations from
    the seeds."""
    steps = em_models.mixture.engine.fit(X, n_components, rng=seed, max_iter=0).start.kmeans_steps
    reference = KMeans(n_components, init=steps[0].centers, n_init=1, algorithm="lloyd", tol=0).fit(
        X
    )
    np.testing.assert_allclose(steps[-1].centers, reference.cluster_centers_, rtol=1e-10)
    for step in steps:
        distances = cdist(X, step.centers, "sqeuclidean")
        assert step.inertia == pytest.approx(distances.min(axis=1).sum(), rel=1e-10)


# ---------------------------------------------------------------------------------------
# Starts compared


def test_compare_table_and_curves_are_the_runs():
    runs = {
        init: em_models.mixture.engine.fit(FAITHFUL, 2, init=init, rng=3)
        for init in ("kmeans", "k-means++", "random", "random_from_data")
    }
    table = starts.compare_table(runs)
    for row, init in zip(table.itertuples(index=False), runs, strict=True):
        again = em_models.mixture.engine.fit(FAITHFUL, 2, init=init, rng=3)
        assert row[0] == init
        assert row[1] == again.snapshots[0].log_likelihood
        assert row[2] == again.n_iter
        assert row[3] == again.final.log_likelihood
        assert row[4] == again.stop_reason.value
    fig = starts.likelihood_curves_figure(runs)
    for line, trace in zip(uncased(fig), runs.values(), strict=True):
        assert list(line.y) == trace.log_likelihoods.tolist()
        assert list(line.x) == list(range(trace.n_iter + 1))


@pytest.mark.parametrize("X", [FAITHFUL, GALAXIES])
def test_thumbnail_draws_the_final_fit(X):
    trace = em_models.mixture.engine.fit(X, 3, rng=0)
    fig = starts.fit_thumbnail(X, trace, "Random responsibilities")
    assert f"final ℓ = {trace.final.log_likelihood:.6g}" in fig.layout.title.text
    assert "<b>Random</b><br><b>responsibilities</b>" in fig.layout.title.text
    if X.shape[1] == 1:
        grid, mixture = np.array(uncased(fig)[-1].x), np.array(uncased(fig)[-1].y)
        components = sum(np.array(uncased(fig)[1 + k].y) for k in range(3))
        np.testing.assert_allclose(mixture, components, rtol=1e-12)
        expected = sum(
            w * np.exp(-0.5 * (grid - m) ** 2 / v) / np.sqrt(2 * np.pi * v)
            for w, m, v in zip(
                trace.final.params.weights,
                trace.final.params.means[:, 0],
                trace.final.params.covariances[:, 0, 0],
                strict=True,
            )
        )
        np.testing.assert_allclose(mixture, expected, rtol=1e-9)
    else:
        assert len(uncased(fig)) == 1 + 3  # the points and one ellipse per component


def test_hard_limit_responsibilities_become_zero_or_one():
    fig = starts.hard_limit_figure([0.1, 0.4, 0.5, 0.7], (0.0, 1.0), [2.0, 0.5, 0.01])
    by_point = {line.name.split(" ")[2]: np.array(line.y) for line in uncased(fig)}
    np.testing.assert_allclose(by_point["0.1"][-1], 1.0)
    np.testing.assert_allclose(by_point["0.4"][-1], 1.0)
    np.testing.assert_allclose(by_point["0.5"], 0.5)
    np.testing.assert_allclose(by_point["0.7"][-1], 0.0, atol=1e-12)
    # At the widest σ every point is nearly undecided; r follows the logistic formula.
    sigma = 2.0
    expected = 1 / (1 + np.exp(-((1 - 0.4) ** 2 - 0.4**2) / (2 * sigma**2)))
    assert by_point["0.4"][0] == pytest.approx(expected, rel=1e-12)
    assert list(uncased(fig)[0].x) == [2.0, 0.5, 0.01]
    # Told apart by colour, each named in the legend (whose short line has no casing): each
    # line is 3:1 on white itself, and no two share a colour.
    colors = [line.line.color for line in fig.data]
    assert len(set(colors)) == 4
    assert all(contrast_ratio(c) >= MIN_GRAPHIC_CONTRAST for c in colors)


# ---------------------------------------------------------------------------------------
# A typed start


def test_typed_means_only_take_the_whole_data_spread():
    ridge = np.array([0.1, 0.2])
    params = typed_start(np.array([[2.0, 50.0], [4.5, 80.0]]), FAITHFUL, "full", ridge)
    whole = np.cov(FAITHFUL.T, bias=True) + np.diag(ridge)
    np.testing.assert_allclose(params.covariances, [whole, whole])
    np.testing.assert_allclose(params.weights, [0.5, 0.5])
    spherical = typed_start(np.array([[2.0, 50.0], [4.5, 80.0]]), FAITHFUL, "spherical", ridge)
    np.testing.assert_allclose(spherical.covariances, np.diag(whole).mean())
    tied = typed_start(np.array([[2.0, 50.0], [4.5, 80.0]]), FAITHFUL, "tied", ridge)
    np.testing.assert_allclose(tied.covariances, whole)


def test_typed_means_and_sigmas_in_one_dimension():
    params = typed_start(np.array([[10.0, 1.0], [20.0, 3.0]]), GALAXIES, "full", np.zeros(1))
    np.testing.assert_allclose(params.covariances[:, 0, 0], [1.0, 9.0])
    np.testing.assert_allclose(params.means[:, 0], [10.0, 20.0])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[np.nan, 1.0], [20.0, 1.0]], "Row 1: type a number for every mean"),
        ([[10.0, 1.0], [20.0, np.nan]], "Give every σ, or leave them all empty"),
        ([[10.0, 1.0], [20.0, -2.0]], r"Row 2: σ = -2; a spread must be a number greater"),
        ([[10.0, 0.0], [20.0, 1.0]], r"Row 1: σ = 0"),
        ([[10.0, np.inf], [20.0, 1.0]], r"Row 1: σ = inf"),
    ],
)
def test_typed_start_refuses_bad_input(table, message):
    with pytest.raises(ValueError, match=message):
        typed_start(np.array(table), GALAXIES, "full", np.zeros(1))


def test_typed_start_fits_where_its_means_lead():
    start = typed_start(np.array([[10.0, np.nan], [22.0, np.nan]]), GALAXIES, "full", [0.0])
    trace = em_models.mixture.engine.fit(GALAXIES, 2, init="given", params=start)
    np.testing.assert_allclose(trace.snapshots[0].params.means[:, 0], [10.0, 22.0])


def test_default_means_and_twins():
    means = default_means(GALAXIES, 3)
    assert means.shape == (3, 1)
    assert np.all(np.diff(means[:, 0]) > 0)
    assert same_rows(np.array([[1.0], [2.0], [1.0]])) == (1, 3)
    assert same_rows(means) is None
