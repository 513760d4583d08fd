"""em_viz figures: one frame per half-step, the right curves and ellipses, a small payload.

References come from SciPy (densities) and from the ellipse's defining equation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm
from stepping import merged

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
from em_core import Trace
from em_data.datasets import load_dataset
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import Parameters
from em_viz import figures_common
from em_viz.colors import GREY, PALETTE
from em_viz.figures_common import MAX_FRAMES

WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def worked_trace() -> Trace:
    start = Parameters(
        np.array([0.5, 0.5]), np.array([[2.0], [9.0]]), np.array([[[1.0]], [[1.0]]]), "full"
    )
    return fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)


@pytest.fixture(scope="module")
def worked() -> Trace:
    return worked_trace()


@pytest.fixture(scope="module")
def blobs_2d() -> tuple[np.ndarray, Trace]:
    rng = np.random.default_rng(3)
    X = np.concatenate(
        [
            rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], 60),
            rng.multivariate_normal([5, 1], [[0.5, 0], [0, 1.5]], 60),
        ]
    )
    trace = fit(X, 2, init="random_from_data", rng=4, max_iter=4, tol=0.0)
    return X, trace


@pytest.fixture(scope="module")
def figures(worked, blobs_2d) -> dict[str, go.Figure]:
    """The figures most tests read, built once: at half-step 3, Play lasting 250 ms."""
    return {
        "1d": em_models.mixture.figures_1d.density_figure(
            WORKED_X, worked, 3, frame_duration_ms=250
        ),
        "2d": em_models.mixture.figures_2d.scatter_figure(*blobs_2d, 3, frame_duration_ms=250),
    }


def frame_by_name(fig: go.Figure, name: str) -> go.Frame:
    (frame,) = [f for f in fig.frames if f.name == name]
    return frame


def assert_contained(part: Mapping[str, Any], whole: Mapping[str, Any], path: str = "") -> None:
    """Every value set in ``part`` is set, equal, in ``whole`` (nested dicts compared key by
    key, as plotly.js merges a frame into a trace)."""
    for key, value in part.items():
        assert key in whole, f"{path}{key} missing"
        if isinstance(value, Mapping):
            assert_contained(value, whole[key], f"{path}{key}.")
        else:
            expected = np.asarray(value, dtype=object)
            actual = np.asarray(whole[key], dtype=object)
            assert expected.shape == actual.shape, f"{path}{key} differs in shape"
            assert (expected == actual).all(), f"{path}{key} differs"


def assert_data_is_frame(fig: go.Figure, h: int) -> None:
    frame = frame_by_name(fig, str(h))
    data = fig.to_dict()["data"]
    for index, frame_trace in zip(frame.traces, frame.to_plotly_json()["data"], strict=True):
        assert_contained(frame_trace, data[index])


def shown_at(fig: go.Figure, h: int) -> list[dict]:
    """Every trace as the chart shows it at half-step h, after Play has run the frames from
    the figure's own half-step up to h."""
    spec = fig.to_dict()
    data = spec["data"]
    for frame in spec["frames"]:
        for index, update in zip(frame["traces"], frame["data"], strict=True):
            data[index] = merged(data[index], update)
        if frame["name"] == str(h):
            return data
    raise KeyError(f"the figure has no frame for half-step {h}")


def notes_text(fig: go.Figure) -> str:
    """The notes above the plot, one a line."""
    return "\n".join(a.text for a in fig.layout.annotations)


def index_of(fig: go.Figure, name: str) -> int:
    """The trace named ``name`` that draws something (not a legend's entry alone)."""
    (index,) = [i for i, d in enumerate(fig.data) if d.name == name and d.x != (None,)]
    return index


# ---------------------------------------------------------------------------------------
# Both figures: frames, slider, buttons


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_a_short_run_has_a_whole_frame_of_every_half_step_and_the_data_are_frame_h(
    kind: str, worked, blobs_2d
) -> None:
    X, trace = (WORKED_X, worked) if kind == "1d" else blobs_2d
    build = (
        em_models.mixture.figures_1d.density_figure
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure
    )
    n = em_models.mixture.kmeans_phase.n_half_steps(trace)
    for h in (0, 3, n - 1):
        fig = build(X, trace, h)
        assert [f.name for f in fig.frames] == [str(i) for i in range(n)]
        assert fig.layout.meta["every_half_step"] is True
        assert len({f.traces for f in fig.frames}) == 1  # every frame sets every moving trace
        assert_data_is_frame(fig, h)


def title_label(layout) -> str:
    """The half-step named in bold in a figure's or a frame's title."""
    return re.search(r"<b>(.*?)</b>", layout.title.text).group(1)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_every_frame_names_its_half_step_and_play_runs_on_from_h(
    kind: str, figures, worked, blobs_2d
) -> None:
    trace = worked if kind == "1d" else blobs_2d[1]
    fig = figures[kind]
    assert_data_is_frame(fig, 3)
    labels = [h.label for h in em_models.mixture.kmeans_phase.half_steps(trace)]
    assert labels[:4] == ["Start", "E-step 1", "M-step 1", "E-step 2"]
    assert [title_label(f.layout) for f in fig.frames] == labels
    assert [f.layout.meta["half_step"] for f in fig.frames] == list(range(len(labels)))
    assert title_label(fig.layout) == "E-step 2"
    assert fig.layout.meta["half_step"] == 3

    (menu,) = fig.layout.updatemenus
    play, pause = menu.buttons
    assert play.method == pause.method == "animate"
    assert list(play.args[0]) == [str(h) for h in range(3, len(labels))]  # on from h
    options = play.args[1]
    assert options["frame"]["duration"] == 250
    assert options["fromcurrent"] is True
    assert options["mode"] == "immediate"
    assert 0 < options["transition"]["duration"] <= 150
    assert list(pause.args[0]) == [None]
    assert fig.layout.uirevision


def test_the_frames_are_valid_plotly(figures) -> None:
    """The frames skip plotly's per-value checks when built; a full round trip checks them."""
    for fig in figures.values():
        again = go.Figure(fig.to_dict())
        assert len(again.frames) == len(fig.frames)
        assert again.frames[-1].to_plotly_json() == fig.frames[-1].to_plotly_json()


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_any_frame_shows_exactly_the_figure_of_its_half_step(kind: str, worked, blobs_2d) -> None:
    """Whole frames: the browser moves the chart from any half-step to any other by one
    frame (and Play runs them in order), and what it shows is the figure built there."""
    X, trace = (WORKED_X, worked) if kind == "1d" else blobs_2d
    build = (
        em_models.mixture.figures_1d.density_figure
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure
    )
    n = em_models.mixture.kmeans_phase.n_half_steps(trace)
    wanted = [build(X, trace, i).to_dict()["data"] for i in range(n)]
    for h in (0, 2, n - 1):
        spec = build(X, trace, h).to_dict()
        for frame in spec["frames"]:
            data = list(spec["data"])
            for index, update in zip(frame["traces"], frame["data"], strict=True):
                data[index] = merged(data[index], update)
            assert data == wanted[int(frame["name"])], (h, frame["name"])
        for i in range(h, n):
            assert shown_at(build(X, trace, h), i) == wanted[i], (h, i)
    a = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0).to_dict()
    b = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 4).to_dict()
    assert a["layout"]["uirevision"] == b["layout"]["uirevision"]
    assert a["layout"]["yaxis"] == b["layout"]["yaxis"]
    assert a["layout"]["xaxis"] == b["layout"]["xaxis"]


def test_a_long_runs_frames_hold_only_what_changed(blobs_2d) -> None:
    """Beyond the budget, Play's frames from h on hold only what changed since the frame
    before: the colours at an E-step, the Gaussians at an M-step; played in order they give
    the figure of every half-step."""
    X, _ = blobs_2d
    trace = fit(X, 2, init="random_from_data", rng=4, max_iter=60, tol=0.0)
    fig = em_models.mixture.figures_2d.scatter_figure(X, trace, 0)
    assert fig.layout.meta["every_half_step"] is False
    points = index_of(fig, "data points")
    ellipse = index_of(fig, "component 1 (1σ)")
    for frame in fig.frames[1:]:
        kind_of_step = em_models.mixture.kmeans_phase.half_step(trace, int(frame.name)).kind
        if points in frame.traces:
            assert kind_of_step == "E", frame.name
        if ellipse in frame.traces:
            assert kind_of_step == "M", frame.name
    assert points in fig.frames[1].traces  # E-step 1 colours the grey points
    assert ellipse in fig.frames[2].traces  # M-step 1 moves the Gaussians
    for i in (1, 2, 7, int(fig.frames[-1].name)):
        assert (
            shown_at(fig, i)
            == em_models.mixture.figures_2d.scatter_figure(X, trace, i).to_dict()["data"]
        ), i


def test_a_half_step_outside_the_run_is_refused(worked) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        em_models.mixture.figures_1d.density_figure(
            WORKED_X, worked, em_models.mixture.kmeans_phase.n_half_steps(worked)
        )


# ---------------------------------------------------------------------------------------
# 1-D


def component_curves(fig: go.Figure, h: int, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """(components' y (K, points), mixture (grid)) of frame h."""
    traces = shown_at(fig, h)
    ks = [index_of(fig, f"component {k + 1}") for k in range(n_components)]
    components = np.array([traces[i]["y"] for i in ks], dtype=float)
    mixture = np.array(traces[index_of(fig, "mixture p(x)")]["y"], dtype=float)
    return components, mixture


def test_each_curve_matches_scipy_and_the_mixture_is_their_sum(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0)
    grid = np.array(fig.data[index_of(fig, "mixture p(x)")].x)
    assert grid.size == 200
    top = fig.layout.yaxis.range[1]
    floor = top / 400
    for h in range(em_models.mixture.kmeans_phase.n_half_steps(worked)):
        snapshot = worked.snapshots[
            em_models.mixture.kmeans_phase.half_step(worked, h).params_index
        ].params
        traces = shown_at(fig, h)
        sigmas = np.sqrt(snapshot.covariances[:, 0, 0])
        for k in (0, 1):
            curve = traces[index_of(fig, f"component {k + 1}")]
            x, y = np.array(curve["x"]), np.array(curve["y"])
            # its own grid, the same number of points in every frame, symmetric about μ_k
            assert x.size == 121
            assert (x[0] + x[-1]) / 2 == pytest.approx(snapshot.means[k, 0], rel=1e-4)
            expected = snapshot.weights[k] * norm.pdf(x, snapshot.means[k, 0], sigmas[k])
            assert y == pytest.approx(expected, rel=1e-4)
            # ending where it falls to the floor, a 400th of the axis (x has 5 digits)
            assert y[0] == pytest.approx(floor, rel=1e-3)
            assert y[-1] == pytest.approx(floor, rel=1e-3)
        mixture = np.array(traces[index_of(fig, "mixture p(x)")]["y"], dtype=float)
        expected = sum(
            snapshot.weights[k] * norm.pdf(grid, snapshot.means[k, 0], sigmas[k]) for k in (0, 1)
        )
        drawn = np.isfinite(mixture)
        assert mixture[drawn] == pytest.approx(expected[drawn], rel=1e-4)  # five digits
        assert (expected[~drawn] < floor).all()  # left out only under the floor


def test_curves_move_at_m_steps_and_colours_change_at_e_steps(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0)
    points = index_of(fig, "data points")
    start, e1, m1, e2 = (component_curves(fig, h, 2)[1] for h in range(4))
    np.testing.assert_array_equal(start, e1)  # NaN (a gap) equal to NaN
    np.testing.assert_array_equal(m1, e2)
    assert not np.allclose(e1, m1)
    colours = [shown_at(fig, h)[points]["marker"]["color"] for h in range(4)]
    assert colours[0] == [GREY] * 6
    # x = 1.5, 2, 2.5 belong to component 1, x = 8, 9, 9.5 to component 2 (r > 1 − 1e-7)
    assert colours[1] == colours[2] == [PALETTE[0]] * 3 + [PALETTE[1]] * 3


def test_the_y_axis_holds_every_frame_and_the_points_sit_below_zero(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0)
    low, high = fig.layout.yaxis.range
    n = em_models.mixture.kmeans_phase.n_half_steps(worked)
    highest = max(np.nanmax(component_curves(fig, h, 2)[1]) for h in range(n))
    assert highest <= high < 1.2 * highest
    y = np.array(fig.data[index_of(fig, "data points")].y)
    assert (y < 0).all()
    assert (y > low).all()
    x_low, x_high = fig.layout.xaxis.range
    assert x_low < 1.5
    assert x_high > 9.5


def test_few_points_show_their_responsibilities_on_hover(worked) -> None:
    fig = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1)
    points = fig.data[index_of(fig, "data points")]
    assert "customdata[1]" in points.hovertemplate
    assert points.customdata[2][0] == "1.000"
    assert points.customdata[2][1] == "0.000"
    start = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0).data[
        index_of(fig, "data points")
    ]
    assert list(start.customdata[0]) == ["—", "—"]


def test_many_points_are_sampled_over_a_static_histogram() -> None:
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, 300), rng.normal(6, 1, 200)])[:, None]
    trace = fit(X, 2, covariance_type="spherical", max_iter=3)
    truth = Parameters(np.array([0.6, 0.4]), np.array([[0.0], [6.0]]), np.ones(2), "spherical")
    fig = em_models.mixture.figures_1d.density_figure(X, trace, 3, max_points=50, true_params=truth)
    points = fig.data[index_of(fig, "data points")]
    assert len(points.x) == 50
    nearest = np.abs(np.array(points.x)[:, None] - X[:, 0]).min(axis=1)
    assert nearest.max() < 1e-6
    bars = fig.data[index_of(fig, "histogram of all 500 points")]
    assert bars.type == "bar"
    widths = np.array(bars.width)
    assert float(np.sum(np.array(bars.y) * widths)) == pytest.approx(1.0, rel=1e-3)
    dashed = index_of(fig, "true components")
    assert fig.data[dashed].line.dash == "dash"
    static = {index_of(fig, "histogram of all 500 points"), dashed}
    assert not static & set(fig.frames[0].traces)
    assert "showing 50 of 500 points" in notes_text(fig)
    all_shown = em_models.mixture.figures_1d.density_figure(X, trace, 3)
    assert "showing" not in notes_text(all_shown)
    assert not [d for d in all_shown.data if d.type == "bar"]


def test_the_density_figure_wants_one_feature(blobs_2d) -> None:
    with pytest.raises(ValueError, match="use scatter_figure"):
        em_models.mixture.figures_1d.density_figure(*blobs_2d, 0)


def test_the_worked_example_figure_is_small(worked) -> None:
    assert len(em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 0).to_json()) < 80_000


def test_a_million_points_and_five_hundred_iterations_stay_small() -> None:
    rng = np.random.default_rng(1)
    X = np.concatenate(
        [rng.normal(-2, 1, 400_000), rng.normal(3, 0.7, 350_000), rng.normal(7, 1.5, 250_000)]
    )[:, None]
    # Fit on a sample (fast); the figure draws the trace over all million points.
    trace = fit(X[::500], 3, covariance_type="diag", init="random", rng=3, tol=0.0, max_iter=500)
    assert trace.n_iter == 500
    h = 700
    fig = em_models.mixture.figures_1d.density_figure(X, trace, h)
    names = [f.name for f in fig.frames]
    assert 2 < len(names) <= MAX_FRAMES
    assert str(h) in names
    assert len(fig.to_json()) < 2_000_000
    assert "showing 500 of 1,000,000 points" in notes_text(fig)
    assert_data_is_frame(fig, h)


def frame_names(fig: go.Figure) -> list[str]:
    return [f.name for f in fig.frames]


def test_a_long_run_gets_a_window_of_frames_and_play_and_the_title_match_it(blobs_2d) -> None:
    X, _ = blobs_2d
    trace = fit(X, 2, init="random_from_data", rng=4, max_iter=60, tol=0.0)
    n = em_models.mixture.kmeans_phase.n_half_steps(trace)
    assert n == 122 > MAX_FRAMES
    assert "Play holds" in notes_text(em_models.mixture.figures_2d.scatter_figure(X, trace, 0))
    for h in (0, 50, n - 3):
        fig = em_models.mixture.figures_2d.scatter_figure(X, trace, h)
        names = frame_names(fig)
        window = range(int(names[0]), int(names[-1]) + 1)
        assert names == [str(i) for i in window]
        assert window.start == h
        assert 2 < len(window) < n
        assert [title_label(f.layout) for f in fig.frames] == [
            em_models.mixture.kmeans_phase.half_step(trace, i).label for i in window
        ]
        assert fig.layout.meta["half_step"] == h
        # the title says when Play stops before the end of the run
        assert ("Play holds" in notes_text(fig)) == (window.stop < n)
        (play, _) = fig.layout.updatemenus[0].buttons
        assert list(play.args[0]) == [str(i) for i in window if i >= h]
        assert_data_is_frame(fig, h)
    short = em_models.mixture.figures_2d.scatter_figure(X, blobs_2d[1], 0)
    assert "Play holds" not in notes_text(short)


@given(
    n=st.integers(2, 3000),
    data=st.data(),
    frame_bytes=st.integers(1, 3_000_000),
    max_frames=st.integers(2, 200),
)
def test_the_frame_window_holds_h_within_the_budget(n, data, frame_bytes, max_frames) -> None:
    h = data.draw(st.integers(0, n - 1))
    budget = 1_000_000
    window = figures_common.frame_window(
        h, n, frame_bytes, max_frames=max_frames, budget_bytes=budget
    )
    assert window.step == 1
    if n * frame_bytes <= budget and n <= max_frames:
        assert window == range(n)  # the whole run: the browser can show any half-step
        return
    assert window.start == h  # Play plays from the half-step on screen
    assert window.stop <= n
    assert len(window) == n - h or 2 <= len(window) <= max_frames
    assert len(window) * frame_bytes <= budget or len(window) == min(2, n - h)
    if h < n - 1:
        assert h + 1 in window  # Play always has somewhere to go


# ---------------------------------------------------------------------------------------
# 2-D


def mahalanobis_squared(x, y, mean, cov) -> np.ndarray:
    d = np.stack([x, y], axis=1) - mean
    return np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)


@pytest.mark.parametrize("n_std", [1, 2, 3.5])
def test_ellipse_points_lie_on_the_ellipse(n_std: float) -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        a = rng.normal(size=(2, 2))
        cov = a @ a.T + 0.1 * np.eye(2)
        mean = rng.normal(size=2) * 10
        x, y = em_models.mixture.figures_2d.ellipse_points(mean, cov, n_std)
        assert x.shape == y.shape == (100,)
        assert mahalanobis_squared(x, y, mean, cov) == pytest.approx(n_std**2, abs=1e-9)
        assert (x[0], y[0]) == pytest.approx((x[-1], y[-1]))


def test_ellipse_points_refuse_a_matrix_that_is_not_a_covariance() -> None:
    with pytest.raises(ValueError, match="not positive semi-definite"):
        em_models.mixture.figures_2d.ellipse_points([0, 0], [[1, 0], [0, -1]], 1)


def test_exactly_one_1_and_one_2_sigma_ellipse_per_component(figures) -> None:
    fig = figures["2d"]
    names = [d.name for d in fig.data if d.x != (None,)]  # drawn, not a legend's entry alone
    for k in (1, 2):
        assert names.count(f"component {k} (1σ)") == 1
        assert names.count(f"component {k} (2σ)") == 1
    assert sum("σ)" in name for name in names) == 4
    assert fig.data[index_of(fig, "component 1 (2σ)")].line.dash == "dash"
    assert fig.data[index_of(fig, "means μ<sub>k</sub>")].marker.symbol == "x"


def test_the_ellipses_follow_the_parameters_from_theta_0_to_theta_t(blobs_2d) -> None:
    trace = blobs_2d[1]
    fig = em_models.mixture.figures_2d.scatter_figure(*blobs_2d, 0)
    last = em_models.mixture.kmeans_phase.n_half_steps(trace) - 1
    for k in range(2):
        for n_std in (1, 2):
            i = index_of(fig, f"component {k + 1} ({n_std}σ)")
            for h, t in ((0, 0), (last, trace.n_iter)):
                ellipse = shown_at(fig, h)[i]
                x, y = np.array(ellipse["x"]), np.array(ellipse["y"])
                snapshot = trace.snapshots[t].params
                m2 = mahalanobis_squared(x, y, snapshot.means[k], snapshot.covariances[k])
                assert m2 == pytest.approx(n_std**2, rel=1e-3)
            start, end = shown_at(fig, 0)[i]["x"], shown_at(fig, last)[i]["x"]
            assert not np.allclose(start, end)


def test_with_three_features_the_ellipses_are_the_marginal_of_the_chosen_columns() -> None:
    rng = np.random.default_rng(5)
    X = np.concatenate([rng.normal(0, 1, (50, 3)), rng.normal(4, [1, 2, 0.5], (50, 3))])
    trace = fit(X, 2, max_iter=3)
    fig = em_models.mixture.figures_2d.scatter_figure(
        X, trace, 2, dims=(2, 0), column_names=["a", "b", "c"]
    )
    assert fig.layout.xaxis.title.text == "c"
    assert fig.layout.yaxis.title.text == "a"
    snapshot = trace.snapshots[1].params
    ellipse = fig.data[index_of(fig, "component 2 (1σ)")]
    block = snapshot.covariances[1][np.ix_([2, 0], [2, 0])]
    m2 = mahalanobis_squared(
        np.array(ellipse.x), np.array(ellipse.y), snapshot.means[1, [2, 0]], block
    )
    assert m2 == pytest.approx(1.0, rel=1e-3)


def test_the_contours_are_the_marginal_mixture_density(figures, blobs_2d) -> None:
    trace = blobs_2d[1]
    fig = figures["2d"]  # at E-step 2: θ_1
    contour = fig.data[0]
    assert contour.type == "contour"
    gx, gy, z = np.array(contour.x), np.array(contour.y), np.array(contour.z, dtype=float)
    assert z.shape == (50, 50)
    snapshot = trace.snapshots[1].params
    mesh = np.stack(np.meshgrid(gx, gy), axis=-1)
    expected = sum(
        snapshot.weights[k]
        * multivariate_normal(snapshot.means[k], snapshot.covariances[k]).pdf(mesh)
        for k in range(2)
    )
    # four significant digits, and 0 below a thousandth of the peak (under every contour)
    assert z == pytest.approx(expected, rel=1e-3, abs=1e-3 * expected.max())


def test_the_scatter_samples_many_points_and_says_so(blobs_2d) -> None:
    X, trace = blobs_2d
    fig = em_models.mixture.figures_2d.scatter_figure(X, trace, 1, max_points=40)
    assert len(fig.data[index_of(fig, "data points")].x) == 40
    assert "showing 40 of 120 points" in notes_text(fig)


@pytest.mark.parametrize("dims", [(0, 0), (0, 2), (1,)])
def test_the_scatter_refuses_columns_it_does_not_have(blobs_2d, dims) -> None:
    with pytest.raises(ValueError, match="dims must be two different column indices"):
        em_models.mixture.figures_2d.scatter_figure(*blobs_2d, 0, dims=dims)


def test_the_scatter_wants_two_features(worked) -> None:
    with pytest.raises(ValueError, match="use density_figure"):
        em_models.mixture.figures_2d.scatter_figure(WORKED_X, worked, 0)


# ---------------------------------------------------------------------------------------
# Axes: numbers without SI prefixes


def axis_settings(fig: go.Figure) -> dict[str, dict]:
    """Every axis of ``fig`` as the browser resolves it: the template's axis defaults (which
    plotly.js applies to x, x2, y, y2, …) overridden by the axis's own settings."""
    spec = fig.to_dict()["layout"]
    template = spec.get("template", {}).get("layout", {})
    return {
        name: {**template.get(name.rstrip("0123456789"), {}), **axis}
        for name, axis in spec.items()
        if re.fullmatch(r"[xy]axis\d*", name)
    }


@pytest.mark.parametrize("scale", [1e-8, 1e-3, 1.0, 1e4, 1e9])
def test_no_axis_uses_si_prefixes(scale: float, worked, blobs_2d) -> None:
    """Plotly's default labels 2·10⁻⁴ as "200μ", and μ is the mean here: every axis
    labels numbers plainly or with powers of ten, at any scale of the data."""
    X2, _ = blobs_2d
    one = WORKED_X * scale
    two = X2 * scale
    figures = [
        em_models.mixture.figures_1d.density_figure(one, fit(one, 2, max_iter=2), 1),
        em_models.mixture.figures_2d.scatter_figure(two, fit(two, 2, max_iter=2), 1),
    ]
    for fig in figures:
        axes = axis_settings(fig)
        assert {"xaxis", "yaxis", "xaxis2", "yaxis2"} <= set(axes)
        for name, axis in axes.items():
            assert axis.get("exponentformat", "B") in {"power", "e", "E", "none"}, name
            assert "s" not in axis.get("tickformat", "").lower().lstrip(","), name
            for text in axis.get("ticktext", []):
                assert re.fullmatch(r"−?[0-9.]+", text), (name, text)


def test_a_small_density_axis_is_scaled_by_a_power_of_ten_its_title_states() -> None:
    X = load_dataset("galaxies").values
    fig = em_models.mixture.figures_1d.density_figure(X, fit(X, 3, rng=0, max_iter=5), 2)
    axis = fig.layout.yaxis
    assert axis.title.text == "density (×10⁻⁴)"
    values = np.array(axis.tickvals)
    labels = np.array([float(t) for t in axis.ticktext])
    assert values == pytest.approx(labels * 1e-4)
    assert values[-1] <= axis.range[1]


# ---------------------------------------------------------------------------------------
# User text stays text

LINK = '<a href="https://example.org">click</a>'
TEMPLATE_NAME = "%{y} & <b>bold</b> 'q'"


def plotly_entities_decoded(text: str) -> str:
    """``text`` as plotly.js shows it: its entities decoded (named ones from its own short
    list, and numeric ones), after its ``%{…}`` substitution has found nothing to replace."""
    assert not re.search(r"%\{", text), text  # nothing plotly would substitute
    named = {"amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×", "mu": "μ"}
    text = text.replace("\u200b", "")
    return re.sub(
        r"&(#x?[0-9a-fA-F]+|\w+);",
        lambda m: (
            chr(int(m[1][2:], 16) if m[1][:2] == "#x" else int(m[1][1:]))
            if m[1][0] == "#"
            else named[m[1]]
        ),
        text,
    )


def test_a_column_name_with_html_or_a_template_is_shown_literally(worked, blobs_2d) -> None:
    one = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 1, column_name=LINK)
    assert "<" not in one.layout.xaxis.title.text
    assert plotly_entities_decoded(one.layout.xaxis.title.text) == LINK
    X, trace = blobs_2d
    two = em_models.mixture.figures_2d.scatter_figure(
        X, trace, 1, column_names=[LINK, TEMPLATE_NAME]
    )
    assert plotly_entities_decoded(two.layout.xaxis.title.text) == LINK
    assert plotly_entities_decoded(two.layout.yaxis.title.text) == TEMPLATE_NAME
    for trace_ in two.data:
        template = trace_.hovertemplate or ""
        assert "<a" not in template
        assert "<b>bold" not in template
        # the only substitutions left are the figure's own
        assert set(re.findall(r"%\{([^}]*)\}", template)) <= {
            "x:.4g",
            "y:.4g",
            "text",
            *(f"customdata[{k}]" for k in range(3)),
        }


# ---------------------------------------------------------------------------------------
# Curves meet the axis


def runs_along_the_axis(x: np.ndarray, y: np.ndarray, floor: float, x_range) -> list[str]:
    """What of the polyline (x, y), None-separated, lies on the axis: two segments in a row
    between points under ``floor`` (one is a curve dipping to the axis between two
    components and rising again), or a stretch that ends above the floor inside the plot
    (a curve cut off in mid-air)."""
    problems = []
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    breaks = np.flatnonzero(~np.isfinite(y))
    for part in np.split(np.arange(y.size), breaks):
        part = part[np.isfinite(y[part])]
        if part.size < 2:
            continue
        low = y[part] <= floor * 1.001
        if (low[2:] & low[1:-1] & low[:-2]).any():
            problems.append(f"a segment on the axis near x = {x[part][low][0]:.4g}")
        for end in (part[0], part[-1]):
            margin = 1e-4 * (x_range[1] - x_range[0])  # the grid's ends are rounded
            inside = x_range[0] + margin < x[end] < x_range[1] - margin
            if inside and y[end] > floor * 1.1:  # x of a component's ends has 5 digits
                problems.append(f"a curve cut off at x = {x[end]:.4g}, y = {y[end]:.3g}")
    return problems


@pytest.mark.parametrize("data", ["worked", "galaxies", "overlap"])
def test_no_curve_runs_along_the_zero_line_in_any_frame(data: str, worked) -> None:
    """Each component's curve and every stretch of the dashed mixture rise from the axis and
    come back to it at a point under a pixel, with no segment lying on it (the old curves
    ran on to μ ± 5σ along the axis, and the mixture drew a row of dashes there)."""
    if data == "worked":
        X, trace = WORKED_X, worked
    elif data == "galaxies":
        X = load_dataset("galaxies").values
        trace = fit(X, 4, rng=0, max_iter=10)
    else:
        rng = np.random.default_rng(2)
        X = np.concatenate([rng.normal(0, 1, 300), rng.normal(1.5, 3, 300)])[:, None]
        trace = fit(X, 3, rng=1, max_iter=6)
    K = trace.final.params.n_components
    fig = em_models.mixture.figures_1d.density_figure(X, trace, 0)
    top = fig.layout.yaxis.range[1]
    floor = top / 400
    x_range = fig.layout.xaxis.range
    for h in range(em_models.mixture.kmeans_phase.n_half_steps(trace)):
        traces = shown_at(fig, h)
        for k in range(K):  # a component's curve touches the axis only at its two ends
            curve = traces[index_of(fig, f"component {k + 1}")]
            y = np.array(curve["y"], dtype=float)
            if np.isnan(y).all():  # under two pixels tall: left out
                continue
            assert y[0] <= floor * 1.1
            assert y[-1] <= floor * 1.1
            assert (y[1:-1] > floor * 1.001).all(), (h, k)
        mixture = traces[index_of(fig, "mixture p(x)")]
        problems = runs_along_the_axis(mixture["x"], mixture["y"], floor, x_range)
        assert not problems, (h, "mixture")


# ---------------------------------------------------------------------------------------
# Layout (what Chromium draws is checked in test_browser_figure_layout.py)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_the_narrow_layout_puts_the_likelihood_below_the_data(kind, worked, blobs_2d) -> None:
    X, trace = (WORKED_X, worked) if kind == "1d" else blobs_2d
    build = (
        em_models.mixture.figures_1d.density_figure
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure
    )
    wide, narrow = build(X, trace, 3), build(X, trace, 3, narrow=True)
    # wide: side by side, no taller than before (514 px for the worked example)
    assert wide.layout.xaxis.domain[1] < wide.layout.xaxis2.domain[0]
    assert wide.layout.height <= 514
    # narrow: one above the other, both at full width
    assert narrow.layout.yaxis2.domain[1] < narrow.layout.yaxis.domain[0]
    assert list(narrow.layout.xaxis.domain) == list(narrow.layout.xaxis2.domain) == [0, 1]
    assert narrow.to_dict()["frames"] == wide.to_dict()["frames"]  # Play is the same


def test_x_and_y_share_a_scale_unless_their_units_differ_wildly(blobs_2d) -> None:
    """Spherical components are circles: drawn with one scale for x and y they look round;
    where one scale would squeeze the data into a strip, the chart says why they do not."""
    X, _ = blobs_2d
    spherical = fit(X, 2, covariance_type="spherical", max_iter=3)
    fig = em_models.mixture.figures_2d.scatter_figure(X, spherical, 1)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == 1
    assert "different scales" not in notes_text(fig)
    faithful = load_dataset("faithful").values  # minutes (≈ 2–5) against minutes (≈ 45–95)
    fig = em_models.mixture.figures_2d.scatter_figure(
        faithful, fit(faithful, 2, covariance_type="spherical"), 1
    )
    assert fig.layout.yaxis.scaleanchor is None
    assert "x and y have different scales, so the circles look like ellipses" in notes_text(fig)
    full = em_models.mixture.figures_2d.scatter_figure(faithful, fit(faithful, 2, max_iter=2), 1)
    assert "different scales" not in notes_text(full)  # no circles promised


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_the_points_legend_swatch_is_grey_at_every_half_step(kind, worked, blobs_2d) -> None:
    """The points' colours change; their legend entry is a grey swatch of its own, so the
    legend reads the same at every half-step, however the chart got there."""
    X, trace = (WORKED_X, worked) if kind == "1d" else blobs_2d
    build = (
        em_models.mixture.figures_1d.density_figure
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure
    )
    for h in (0, 1, 3):
        fig = build(X, trace, h)
        named = [d for d in fig.data if d.name == "data points"]
        (entry,) = [d for d in named if d.showlegend is not False]
        (points,) = [d for d in named if d.showlegend is False]
        assert entry.x == (None,)
        assert entry.marker.color == GREY
        assert entry.legendgroup == points.legendgroup == "data points"
        assert entry.marker.size == points.marker.size
        assert fig.data.index(entry) not in {i for f in fig.frames for i in f.traces}


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_a_point_shows_its_component_by_its_shape_as_well_as_its_colour(
    kind, worked, blobs_2d
) -> None:
    """Not by colour alone (WCAG 1.4.1): in every frame each point wears the marker of its
    most responsible component (a circle before the first E-step), and each component's
    legend entry shows its colour with its marker."""
    from em_models.mixture.engine import e_step
    from em_viz.colors import SYMBOLS

    X, trace = (WORKED_X, worked) if kind == "1d" else blobs_2d
    build = (
        em_models.mixture.figures_1d.density_figure
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure
    )
    fig = build(X, trace, 0)
    points = index_of(fig, "data points")
    halves = em_models.mixture.kmeans_phase.half_steps(trace, kmeans=False)
    for frame, half in zip(fig.frames, halves, strict=True):
        update = frame.data[list(frame.traces).index(points)]
        if half.resp_index is None:
            assert list(update.marker.symbol) == [SYMBOLS[0]] * len(X)
        else:
            resp = e_step(X, trace.snapshots[half.resp_index].params).resp
            assert list(update.marker.symbol) == [SYMBOLS[k] for k in resp.argmax(axis=1)]
    seen = {
        s
        for frame in fig.frames
        for s in frame.data[list(frame.traces).index(points)].marker.symbol
    }
    assert seen == {SYMBOLS[0], SYMBOLS[1]}  # both components own points at some half-step
    line = "component {k}" if kind == "1d" else "component {k} (1σ)"
    for k in (1, 2):
        (key,) = [d for d in fig.data if d.name == line.format(k=k) and d.x == (None,)]
        assert key.marker.symbol == SYMBOLS[k - 1]
        assert key.marker.color == PALETTE[k - 1] == key.line.color
        assert fig.data[index_of(fig, line.format(k=k))].showlegend is False  # one entry
