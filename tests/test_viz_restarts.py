"""em_models.mixture.restarts_figures: every run's curve, grouped by the optimum it reached, and
the leaderboard.

The groups are checked against :meth:`em_models.mixture.selection.Restarts.optima`, the curves
against each
run's own log-likelihoods.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from casing_helpers import uncased

import em_models.mixture.selection
import em_models.mixture.tables
import em_viz.number_formats
from em_data import load_dataset, make_mixture, random_components
from em_models.mixture.restarts_figures import (
    FAILED_COLOR,
    iteration_tick_step,
    kept_phrase,
    leaderboard_table,
    optimum_letter,
    optimum_of_runs,
    restart_curves_figure,
)
from em_viz.colors import PALETTE
from em_viz.contrast import CASING_EXTRA_PX, CASING_NAME


@pytest.fixture(scope="module")
def iris_restarts() -> em_models.mixture.selection.Restarts:
    return em_models.mixture.selection.fit_restarts(
        np.asarray(load_dataset("iris").values), 3, n_init=10, seed=0
    )


def random_restarts() -> em_models.mixture.selection.Restarts:
    """Random starts on a 2-D mixture: several optima and runs of different lengths."""
    rng = np.random.default_rng(4)
    weights, means, covariances = random_components(4, 2, rng)
    X = make_mixture(300, weights=weights, means=means, covariances=covariances, rng=rng).values
    return em_models.mixture.selection.fit_restarts(X, 4, n_init=12, seed=1, init="random")


def run_curves(fig) -> list:
    """The figure's run traces (every line trace), in run order."""
    return [t for t in uncased(fig) if t.mode and "lines" in t.mode]


@pytest.mark.parametrize("make", ["iris", "random"])
def test_one_curve_per_run_with_its_own_log_likelihoods(make, iris_restarts) -> None:
    restarts = iris_restarts if make == "iris" else random_restarts()
    curves = run_curves(restart_curves_figure(restarts))
    assert len(curves) == len(restarts.traces)
    for curve, trace in zip(curves, restarts.traces, strict=True):
        np.testing.assert_array_equal(curve.y, trace.log_likelihoods)
        np.testing.assert_array_equal(curve.x, np.arange(trace.n_iter + 1))


@pytest.mark.parametrize("make", ["iris", "random"])
def test_runs_share_a_colour_exactly_when_they_share_an_optimum(make, iris_restarts) -> None:
    restarts = iris_restarts if make == "iris" else random_restarts()
    curves = run_curves(restart_curves_figure(restarts))
    by_group = defaultdict(set)
    for curve in curves:
        by_group[curve.legendgroup].add((curve.line.color, curve.line.dash))
    optima = restarts.optima()
    expected = {optimum_letter(i): set(o.runs) for i, o in enumerate(optima)}
    found = defaultdict(set)
    for run, curve in enumerate(curves):
        found[curve.legendgroup].add(run)
    assert {g: runs for g, runs in found.items() if g != "failed"} == expected
    # One style per group, and no two groups alike.
    assert all(len(styles) == 1 for styles in by_group.values())
    styles = [next(iter(s)) for s in by_group.values()]
    assert len(set(styles)) == len(styles)


def test_the_legend_names_each_optimum_once_best_first(iris_restarts) -> None:
    fig = restart_curves_figure(iris_restarts)
    shown = [t for t in uncased(fig) if t.showlegend is not False and "lines" in (t.mode or "")]
    names = [t.name for t in sorted(shown, key=lambda t: t.legendrank)]
    assert names == ["optimum A: ℓ = −180.22, 9 runs", "optimum B: ℓ = −202.25, 1 run"]


def test_the_best_run_is_marked(iris_restarts) -> None:
    fig = restart_curves_figure(iris_restarts)
    best = iris_restarts.best_index
    curves = run_curves(fig)
    assert curves[best].line.width > max(c.line.width for i, c in enumerate(curves) if i != best)
    (star,) = [t for t in uncased(fig) if t.marker and t.marker.symbol == "star"]
    # "best" would claim more than ten runs can: Choosing K's search climbs higher elsewhere
    assert star.name == f"run {best + 1}: the highest of these 10 runs"
    assert star.hovertemplate.startswith(f"run {best + 1}: the highest of these 10 runs<br>")
    assert star.x[0] == iris_restarts.best.n_iter
    assert star.y[0] == iris_restarts.best.final.log_likelihood


def test_the_runs_of_an_optimum_share_one_casing_beneath_every_curve(iris_restarts) -> None:
    """Nine cyan runs reach optimum A and overlap: one casing lies under all of them (the
    run kept, thicker, has its own), before every curve, so that no casing draws its dark
    edges across the runs beneath it; no curve is translucent, so none shows one through."""
    fig = restart_curves_figure(iris_restarts)
    casings = [t for t in fig.data if t.name == CASING_NAME]
    curves = run_curves(fig)
    assert list(fig.data[: len(casings)]) == casings  # beneath every curve
    best = iris_restarts.best_index
    kept, others = curves[best], [c for i, c in enumerate(curves) if i != best]
    cyan = [c for c in others if c.line.color == PALETTE[0]]
    assert len(cyan) == 8
    for casing, runs in zip(casings, (cyan, [kept]), strict=True):
        joined = [(x, y) for c in runs for x, y in [*zip(c.x, c.y, strict=True), (None, None)]]
        assert list(zip(casing.x, casing.y, strict=True)) == joined[:-1]
        assert casing.line.width == runs[0].line.width + CASING_EXTRA_PX
        assert casing.legendgroup == "A"  # a click on the legend hides them together
    assert all(c.opacity in (None, 1) for c in curves)
    assert [c.line.color for c in curves].count(PALETTE[1]) == 1  # optimum B: 3:1, no casing


def test_failed_runs_are_grey_and_in_no_optimum() -> None:
    # Without a ridge, random starts on a handful of points let components collapse.
    X = np.array([0.0, 0.1, 0.2, 5.0, 5.1, 9.0, 9.05, 20.0])[:, None]
    restarts = em_models.mixture.selection.fit_restarts(
        X, 4, n_init=15, seed=0, init="random", reg_covar=0.0
    )
    failed = [i for i, t in enumerate(restarts.traces) if t.failed]
    assert failed, "the case needs at least one failed run"
    groups = optimum_of_runs(restarts)
    curves = run_curves(restart_curves_figure(restarts))
    for i in failed:
        assert groups[i] is None
        assert curves[i].line.color == FAILED_COLOR
    table = leaderboard_table(restarts)
    assert list(table["optimum"].iloc[-len(failed) :]) == ["—"] * len(failed)


def test_leaderboard_ranks_runs_and_marks_the_best(iris_restarts) -> None:
    table = leaderboard_table(iris_restarts)
    assert list(table.columns) == [
        "run",
        "seed",
        "final ℓ",
        "iterations",
        "stopped because",
        "optimum",
        "kept",
    ]
    assert sorted(table["run"]) == list(range(1, 11))
    assert (np.diff(table["final ℓ"].to_numpy()) <= 0).all()
    assert table["kept"].tolist().count("★") == 1
    best_row = table[table["kept"] == "★"].iloc[0]
    assert best_row["run"] == iris_restarts.best_index + 1
    for _, row in table.iterrows():
        trace = iris_restarts.traces[row["run"] - 1]
        assert row["seed"] == iris_restarts.seeds[row["run"] - 1]
        assert row["final ℓ"] == trace.final.log_likelihood
        assert row["iterations"] == trace.n_iter
        assert row["stopped because"] == trace.stop_reason.value
    assert table["optimum"].tolist() == ["A"] * 9 + ["B"]


def test_optimum_letters() -> None:
    assert [optimum_letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "A2", "B2"]


@pytest.mark.parametrize(
    ("n_iter", "step"), [(0, 1), (3, 1), (10, 1), (11, 2), (20, 2), (21, 5), (500, 50)]
)
def test_iteration_ticks_are_whole_and_at_most_ten(n_iter, step) -> None:
    assert iteration_tick_step(n_iter) == step


def test_the_legend_writes_l_as_the_leaderboard_does() -> None:
    X = np.asarray(load_dataset("faithful").values)
    restarts = em_models.mixture.selection.fit_restarts(X, 2, n_init=3, seed=0)
    fig = restart_curves_figure(restarts)
    (name,) = [t.name for t in uncased(fig) if t.name.startswith("optimum")]
    places = em_viz.number_formats.decimals(leaderboard_table(restarts)["final ℓ"])
    value = restarts.optima()[0].log_likelihood
    assert name.startswith(f"optimum A: ℓ = {value:,.{places}f}".replace("-", "−"))


def test_every_point_names_its_run_for_a_click(iris_restarts) -> None:
    # The page replays the run of a clicked point from its customdata: (run number, seed).
    fig = restart_curves_figure(iris_restarts)
    curves = run_curves(fig)
    for run, curve in enumerate(curves):
        assert "markers" in curve.mode  # a point to click on at every iteration
        assert len(curve.customdata) == len(curve.y)
        assert {tuple(c) for c in curve.customdata} == {(run + 1, iris_restarts.seeds[run])}
    (star,) = [t for t in uncased(fig) if t.mode == "markers"]
    best = iris_restarts.best_index
    assert tuple(star.customdata[0]) == (best + 1, iris_restarts.seeds[best])


def test_the_run_kept_is_named_by_what_was_searched() -> None:
    """The star and the table mark the highest of these runs, not "the best": on Old
    Faithful with K = 3 the ten K-means starts reach ℓ = −1119.89, and Choosing K's search
    −1114.44. When a higher run has a component held up by the ridge, the words say so."""
    X = np.asarray(load_dataset("faithful").values)
    restarts = em_models.mixture.selection.fit_restarts(X, 3, n_init=10, seed=0)
    assert restarts.best.final.log_likelihood == pytest.approx(-1119.89, abs=0.01)
    searched = em_models.mixture.selection.select_n_components(X, [1, 2, 3], n_init=5)[
        -1
    ].log_likelihood
    assert searched > restarts.best.final.log_likelihood + 5
    assert kept_phrase(restarts) == "the highest of these 10 runs"
    texts = [t.name for t in uncased(restart_curves_figure(restarts))]
    assert not any("best" in text for text in texts)
    assert "best" not in leaderboard_table(restarts).columns
    # Two copies of the point 3 between two clusters: the runs with a component on them,
    # held up by the ridge, end highest (as in test_local_optima.py)
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 20), rng.normal(6, 1, 20), [3.0, 3.0]])
    held = em_models.mixture.selection.fit_restarts(X, 3, n_init=10, seed=0, init="k-means++")
    assert held.best_index not in held.optima()[0].runs
    phrase = "the highest of these 10 runs with no component held up by the ridge"
    assert kept_phrase(held) == phrase
    (star,) = [t for t in uncased(restart_curves_figure(held)) if t.marker.symbol == "star"]
    assert star.name == f"run {held.best_index + 1}: {phrase}"
    assert kept_phrase(em_models.mixture.selection.fit_restarts(X, 2, n_init=1)) == "the only run"
