"""Factor analysis's view and figures, pure: what the chart draws at each half-step, the
rotation and varimax (scikit-learn as the oracle), and the numbers of the lessons."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import pytest
from sklearn.decomposition import FactorAnalysis

from em_data import load_dataset
from em_models.fa import engine, figures, labels, lessons, rotation
from em_models.fa.census import load_census
from em_models.fa.view import FAView
from em_models.ppca import engine as ppca
from em_viz.halfstep import half_step


@pytest.fixture(scope="module")
def census():
    X, columns = load_census()
    return X, columns, engine.fit(X, 2, columns=columns)


def named(fig: go.Figure, name: str) -> int:
    return next(i for i, t in enumerate(fig.data) if t.name == name)


def frame(fig: go.Figure, h: int) -> dict[int, dict]:
    """Frame h of a figure holding every half-step whole: trace index → its update."""
    found = next(f for f in fig.frame_dicts if f["name"] == str(h))
    return dict(zip(found["traces"], found["data"], strict=True))


def test_the_chart_is_scatter_traces_with_a_whole_frame_per_half_step(census):
    X, columns, trace = census
    fig = figures.factor_figure(X, trace, 0, column_names=columns)
    go.Figure(fig.to_dict())  # validates every trace, the layout and the frames
    assert fig.layout.meta["every_half_step"] is True
    assert len(fig.frame_dicts) == 2 * trace.n_iter + 2
    assert {t.type for t in fig.data} == {"scatter"}  # the browser's quick move takes them
    assert fig.layout.yaxis3.zeroline is True  # Ψ's zero line


def test_the_e_step_moves_the_points_and_the_m_step_the_loadings_bars_and_c(census):
    X, columns, trace = census
    fig = figures.factor_figure(X, trace, 0, column_names=columns)
    points, arrows = named(fig, "points at E[z]"), named(fig, "loadings (a row of W)")
    bars = named(fig, "ψ")
    start, e1, m1 = frame(fig, 0), frame(fig, 1), frame(fig, 2)
    assert start[points]["x"] == []
    assert len(e1[points]["x"]) == 12
    assert e1[arrows] == start[arrows]
    assert e1[bars] == start[bars]
    assert m1[points] == e1[points]
    assert m1[arrows] != e1[arrows]
    assert m1[bars] != e1[bars]
    scores = engine.e_step(X, trace.snapshots[0].params).latent_means
    # to the three significant digits the points' hovers write
    np.testing.assert_allclose(e1[points]["x"], scores[:, 0], rtol=5e-3)
    np.testing.assert_allclose(e1[points]["y"], scores[:, 1], rtol=5e-3)


def test_the_bars_the_arrow_tips_and_the_grids_are_the_parameters_on_screen(census):
    X, columns, trace = census
    h = 4  # M-step 2: θ₂
    fig = figures.factor_figure(X, trace, h, column_names=columns)
    params = trace.snapshots[2].params
    values = fig.data[named(fig, "ψ values")]
    np.testing.assert_allclose(values.y, params.noise_variances, rtol=1e-3)
    tips = fig.data[named(fig, "variables")]
    np.testing.assert_allclose(tips.x, params.loadings[:, 0], rtol=1e-4)
    np.testing.assert_allclose(tips.y, params.loadings[:, 1], rtol=1e-4)
    grids = {t.xaxis: t for t in fig.data if t.mode == "markers+text" and t.customdata}
    model, sample, difference = (
        np.array(grids[axis].customdata, dtype=float) for axis in ("x4", "x5", "x6")
    )
    correlation = np.corrcoef(X, rowvar=False)
    below = np.tril_indices(5)  # each symmetric matrix's entries once, row by row
    # to the four significant digits the cells' hovers write
    np.testing.assert_allclose(model, params.covariance()[below], rtol=5e-4, atol=1e-9)
    np.testing.assert_allclose(sample, correlation[below], rtol=5e-4)
    np.testing.assert_allclose(
        difference, (params.covariance() - correlation)[below], rtol=5e-4, atol=1e-9
    )


def test_one_factor_on_iris_puts_the_points_on_a_row_under_the_arrows():
    iris = load_dataset("iris")
    trace = engine.fit(iris.values, 1)
    fig = figures.factor_figure(
        iris.values, trace, 1, column_names=iris.columns, labels=iris.labels, narrow=True
    )
    go.Figure(fig.to_dict())
    species = [t for t in fig.data if t.mode == "markers" and t.xaxis in (None, "x")]
    assert len(species) == 3
    assert sum(len(t.x) for t in species) == 150
    assert {y for t in species for y in t.y} == {0}
    tips = fig.data[named(fig, "variables")]
    assert list(tips.y) == [1, 2, 3, 4]
    numbers = [t for t in fig.data if t.xaxis == "x4" and t.customdata is not None]
    assert [t.mode for t in numbers] == ["markers"]  # a phone's cells are too small for text


def test_varimax_turns_the_loadings_as_scikit_learn_does():
    X, _ = load_census()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    plain = FactorAnalysis(2, svd_method="lapack", random_state=0).fit(Z).components_.T
    oracle = FactorAnalysis(2, rotation="varimax", svd_method="lapack", random_state=0)
    expected = oracle.fit(Z).components_.T
    turned, R = rotation.varimax(plain)
    np.testing.assert_allclose(turned, expected, atol=1e-10)
    np.testing.assert_allclose(R.T @ R, np.eye(2), atol=1e-12)


@pytest.mark.parametrize("degrees", [-135, 30, 90])
def test_turned_loadings_leave_c_and_l_as_they_are(census, degrees):
    X, _, trace = census
    result = lessons.turned(X, trace, degrees)
    assert result.covariance_change < 1e-12
    assert result.log_likelihood == pytest.approx(trace.final.log_likelihood, abs=1e-9)
    W = trace.final.params.loadings
    assert not np.allclose(result.loadings, W)
    angle, flipped = rotation.rotation_angle(rotation.plane_rotation(2, degrees))
    assert angle == pytest.approx(degrees)
    assert not flipped


def test_the_long_run_shows_population_sliding_to_zero_ever_more_slowly(census):
    X, _, trace = census
    long = lessons.long_run(X, trace)
    i = lessons.smallest_share(long.final.params, np.ones(5))
    assert i == 0  # Population
    table = lessons.heywood_table(long, i)
    assert list(table["iteration"]) == list(lessons.MILESTONES)
    assert np.all(np.diff(table["ψ"]) < 0)
    gains = table["gain of ℓ in that iteration"].to_numpy()[1:]
    assert np.all(gains > 0)
    assert np.all(np.diff(gains) < 0)
    assert table["ψ"].iloc[-1] < 1e-3


def test_ppca_beside_is_the_mean_of_the_smaller_eigenvalues(census):
    X, _, _ = census
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    beside = lessons.ppca_beside(Z, 2)
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))
    assert beside.noise_variance == pytest.approx(eigenvalues[:3].mean(), rel=1e-10)
    assert beside.log_likelihood == pytest.approx(
        ppca.log_likelihood(Z, ppca.closed_form(Z, 2)), rel=1e-12
    )


def test_the_view_warns_of_the_heywood_case_and_names_the_variable(census):
    X, columns, trace = census
    view = FAView(X, trace, column_names=columns)
    assert view.summary(0).notes == ()
    last = view.summary(view.n_half_steps - 1)
    warning = next(n for n in last.notes if n.level == "warning")
    assert warning.text.startswith(
        f"ψ of Population is {trace.final.params.noise_variances[0]:.3g}"
    )
    assert len(view.numbers(2)) == 5
    assert [p.name for p in view.picks("Formulas with these numbers", 1)] == ["point"]
    assert [p.name for p in view.picks("Formulas with these numbers", 2)] == ["variable"]


def test_names_of_arrows_pointing_alike_go_on_two_sides(census):
    trace = census[2]
    for snapshot in trace.snapshots:  # Population and Employment, Schooling and HouseValue
        places = labels.name_places(snapshot.params.loadings, census[1], 1.3)
        assert places[0] != places[2]
        assert places[1] != places[4]


@pytest.mark.parametrize("start", [{}, {"init": "random", "rng": 4}])
def test_no_two_names_overlap_at_any_half_step(census, start):
    X, columns, _ = census
    trace = engine.fit(X, 2, columns=columns, **start)
    fig = figures.factor_figure(X, trace, 0, column_names=columns)
    low, high = fig.layout.xaxis.range
    unit = (high - low) / labels.PANEL_PX  # the panel's units per pixel, at the narrowest
    sizes = [(labels.CHAR_PX * len(name) * unit, labels.LINE_PX * unit) for name in columns]
    for h in range(2 * trace.n_iter + 2):
        names = frame(fig, h)[named(fig, "variables")]
        tips = trace.snapshots[half_step(trace, h).params_index].params.loadings
        boxes = [
            labels._box(tip, place, size)
            for tip, place, size in zip(tips, names["textposition"], sizes, strict=True)
        ]
        for a, b in itertools.combinations(boxes, 2):
            # boxes larger than drawn may touch, by less than a pixel
            assert labels._overlap(a, b) < unit**2, (h, names["textposition"])
