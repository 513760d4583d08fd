"""em_models.ppca.figures: the probabilistic-PCA pictures and formulas at every half-step.

References: the E-step as Gaussian conditioning (E[z | x] = Wᵀ C⁻¹ (x − μ)), the ellipse's
defining equation, and the geometry of a line (a foot lies on it when it is collinear with μ
and w).
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from em_data import load_dataset
from em_models.ppca import engine as ppca
from em_models.ppca import figures as view
from em_models.ppca.view import PPCAView
from em_viz.halfstep import half_step
from em_viz.view import Latex, PickRow, Text


def conditional_means(X, params):
    """E[z_n | x_n] by conditioning the joint Gaussian of (z, x): Wᵀ C⁻¹ (x_n − μ)."""
    return (X - params.mean) @ np.linalg.solve(params.covariance(), params.loadings)


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(120, 1))
    X = z @ [[3.0, 1.5]] + [2.0, -1.0] + rng.normal(scale=0.6, size=(120, 2))
    return X, ppca.fit(X, 1, rng=2, tol=0.0, max_iter=5)


@pytest.fixture(scope="module")
def iris():
    data = load_dataset("iris")
    return data, ppca.fit(data.values, 2, rng=0, tol=0.0, max_iter=6)


def frame(fig: go.Figure, h: int):
    return next(f for f in fig.frames if f.name == str(h))


def xy(trace_data) -> np.ndarray:
    x = np.array([np.nan if v is None else v for v in trace_data.x], dtype=float)
    y = np.array([np.nan if v is None else v for v in trace_data.y], dtype=float)
    return np.stack([x, y], axis=1)


def by_name(fig: go.Figure, start: str):
    return next(t for t in fig.data if t.name.startswith(start))


def test_the_projection_figure_is_valid_plotly_with_one_frame_per_half_step(cloud):
    X, trace = cloud
    fig = view.projection_figure(X, trace, 0)
    go.Figure(fig.to_dict())  # plotly validates every property
    assert [f.name for f in fig.frames] == [str(h) for h in range(2 * trace.n_iter + 2)]
    assert [f.layout.meta["half_step"] for f in fig.frames] == list(range(2 * trace.n_iter + 2))
    assert fig.layout.meta["half_step"] == 0
    assert fig.layout.title.text == "<b>Start</b>"


@pytest.mark.parametrize("h", [0, 1, 2, 3, 6, 11])
def test_each_feet_lie_on_the_line_drawn_at_the_coordinates_of_the_e_step(cloud, h):
    X, trace = cloud
    fig = view.projection_figure(X, trace, h)
    half = half_step(trace, h)
    params = trace.snapshots[half.params_index].params
    segments = xy(by_name(fig, "x<sub>n</sub> → foot"))
    if half.resp_index is None:
        assert segments.size == 0  # no E-step yet: no coordinates, no feet
        return
    starts, feet = segments[0::3], segments[1::3]
    # Drawn to a thousandth of the data's span.
    span = np.ptp(X, axis=0)
    assert np.all(np.abs(starts - X) <= 1e-3 * span)
    z = conditional_means(X, trace.snapshots[half.resp_index].params)
    assert np.all(np.abs(feet - (params.mean + z @ params.loadings.T)) <= 1e-3 * span)
    # The line drawn is μ + s w: the feet are on it.
    line = xy(by_name(fig, "line μ + W z"))
    direction = line[1] - line[0]
    offsets = feet - line[0]
    cross = direction[0] * offsets[:, 1] - direction[1] * offsets[:, 0]
    assert np.abs(cross).max() <= 1e-3 * np.linalg.norm(direction) * np.abs(offsets).max()
    w = params.loadings[:, 0]
    sine = (direction[0] * w[1] - direction[1] * w[0]) / np.linalg.norm(direction)
    assert abs(sine) <= 1e-4 * np.linalg.norm(w)  # the line's direction is w


@pytest.mark.parametrize("h", [0, 1, 4])
def test_the_ellipses_are_those_of_c(cloud, h):
    X, trace = cloud
    fig = view.projection_figure(X, trace, h)
    params = trace.snapshots[half_step(trace, h).params_index].params
    precision = np.linalg.inv(params.covariance())
    for n_std in (1, 2):
        points = xy(by_name(fig, f"C = WWᵀ + σ²I ({n_std}σ)")) - params.mean
        radius = np.einsum("ni,ij,nj->n", points, precision, points)
        np.testing.assert_allclose(radius, n_std**2, rtol=1e-3)


def test_an_e_step_moves_the_feet_only_and_an_m_step_moves_the_line(cloud):
    X, trace = cloud
    fig = view.projection_figure(X, trace, 0)
    segments, line = (
        next(i for i, t in enumerate(fig.data) if t.name.startswith(name))
        for name in ("x<sub>n</sub> → foot", "line μ + W z")
    )

    def drawn(h: int, index: int) -> np.ndarray:
        f = frame(fig, h)
        return xy(f.data[list(f.traces).index(index)])

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)

    # E-step 2 (h = 3) after M-step 1 (h = 2); then M-step 2 (h = 4)
    assert not same(drawn(3, segments), drawn(2, segments))
    assert same(drawn(3, line), drawn(2, line))
    assert not same(drawn(4, line), drawn(3, line))
    assert not same(drawn(4, segments), drawn(3, segments))  # the feet ride the line


def test_the_likelihood_panel_shows_the_maximum_from_the_closed_form(cloud):
    X, trace = cloud
    fig = view.projection_figure(X, trace, 2)
    best = by_name(fig, "maximum of ℓ")
    expected = ppca.log_likelihood(X, ppca.closed_form(X, 1))
    assert best.y == pytest.approx((expected, expected))
    assert max(trace.log_likelihoods) <= expected + 1e-9 * abs(expected)


def test_column_names_are_shown_literally(cloud):
    X, trace = cloud
    fig = view.projection_figure(X, trace, 1, column_names=["<b>mass</b>", "%{x} & co"])
    assert fig.layout.xaxis.title.text == "&lt;b&gt;mass&lt;/b&gt;"
    assert "%{x}" not in fig.layout.yaxis.title.text


def test_the_projection_figure_refuses_what_it_cannot_draw(cloud, iris):
    X, trace = cloud
    with pytest.raises(ValueError, match="two columns"):
        view.projection_figure(iris[0].values, iris[1], 0)
    with pytest.raises(ValueError, match=r"h=99 does not exist"):
        view.projection_figure(X, trace, 99)


@pytest.mark.parametrize("h", [0, 1, 2, 5, 13])
def test_the_latent_plane_shows_each_points_expected_coordinates(iris, h):
    data, trace = iris
    fig = view.latent_figure(data.values, trace, h, labels=data.labels)
    go.Figure(fig.to_dict())
    half = half_step(trace, h)
    groups = [t for t in fig.data if t.name in {"setosa", "versicolor", "virginica"}]
    assert len(groups) == 3
    if half.resp_index is None:
        assert all(len(t.x) == 0 for t in groups)
        return
    z = conditional_means(data.values, trace.snapshots[half.resp_index].params)
    for group in groups:
        rows = np.asarray(group.customdata) - 1
        assert {data.labels[r] for r in rows} == {group.name}
        np.testing.assert_allclose(xy(group), z[rows, :2], rtol=1e-4, atol=1e-5)


def test_the_latent_plane_needs_two_latent_dimensions(cloud):
    with pytest.raises(ValueError, match="q ≥ 2"):
        view.latent_figure(*cloud, 0)


def numbers_in(latex: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", latex)]


def test_the_e_step_formula_writes_the_live_numbers(cloud):
    X, trace = cloud
    params = trace.snapshots[2].params
    latex = view.e_step_formula(X[7], params, 7)
    z = conditional_means(X[7:8], params)[0, 0]
    assert "z_{8}" in latex
    assert re.search(rf"= {z:.4g} \\\\", latex)
    foot = params.mean + params.loadings[:, 0] * z
    assert latex.endswith(
        rf"\begin{{pmatrix}} {foot[0]:.4g} \\ {foot[1]:.4g} \end{{pmatrix}} \end{{aligned}}"
    )


def test_the_m_step_formulas_give_the_engines_new_parameters(cloud):
    X, trace = cloud
    before, after = trace.snapshots[1].params, trace.snapshots[2].params
    w_latex, noise_latex = view.m_step_formulas(X, before, after)
    assert w_latex.endswith(
        rf"\begin{{pmatrix}} {after.loadings[0, 0]:.4g} \\ {after.loadings[1, 0]:.4g} "
        r"\end{pmatrix} \end{aligned}"
    )
    assert noise_latex.endswith(rf"= {after.noise_variance:.4g} \end{{aligned}}")
    residual, spread = re.search(r"\\frac\{(\S+) \+ (\S+)\}\{120 \\times 2\}", noise_latex).groups()
    assert (float(residual) + float(spread)) / 240 == pytest.approx(after.noise_variance, rel=1e-3)


def test_the_e_step_formula_in_two_latent_dimensions_uses_matrices(iris):
    data, trace = iris
    latex = view.e_step_formula(data.values[0], trace.snapshots[1].params, 0)
    assert r"M^{-1} W^\top (x_{1} - \mu)" in latex
    z = conditional_means(data.values[:1], trace.snapshots[1].params)[0]
    assert f"{z[0]:.4g}" in latex
    assert f"{z[1]:.4g}" in latex


def test_every_half_step_is_described(cloud):
    _, trace = cloud
    texts = [view.describe(half_step(trace, h), 1) for h in range(4)]
    assert texts[0].startswith("Start:")
    assert texts[1].startswith("E-step 1:")
    assert "slid along the line" in texts[1]
    assert texts[2].startswith("M-step 1:")
    assert "still those of E-step 1" in texts[2]
    assert "latent plane" in view.describe(half_step(trace, 1), 2)


def test_the_parameter_table_shows_the_parameters_drawn(cloud):
    _, trace = cloud
    table = view.parameter_table(trace, 4, column_names=["a", "b"])  # M-step 2: θ₂
    params = trace.snapshots[2].params
    assert list(table.columns) == ["column", "μ", "w1", "σ²"]
    assert list(table["column"]) == ["a", "b"]
    np.testing.assert_array_equal(table["w1"], params.loadings[:, 0])
    assert set(table["σ²"]) == {params.noise_variance}


def test_the_latent_table_holds_the_coordinates_of_the_e_step_on_screen(cloud):
    X, trace = cloud
    assert view.latent_table(X, trace, 0).iloc[:, 1:].isna().all().all()
    table = view.latent_table(X, trace, 5)  # E-step 3, on θ₂
    z = conditional_means(X, trace.snapshots[2].params)[:, 0]
    np.testing.assert_allclose(table["E[z1]"], z, rtol=1e-9)
    params = trace.snapshots[2].params
    feet = params.mean + np.outer(z, params.loadings[:, 0])
    np.testing.assert_allclose(table["‖x − foot‖²"], ((X - feet) ** 2).sum(axis=1), rtol=1e-9)
    assert list(table["point"]) == list(range(1, 121))


# ---------------------------------------------------------------------------------------------
# The view the stepping view draws


def test_the_view_names_each_half_step_and_reports_l_of_the_parameters_drawn(cloud):
    X, trace = cloud
    v = PPCAView(X, trace, column_names=["a", "b"])
    assert v.n_half_steps == 2 * trace.n_iter + 2
    assert v.button_kinds == (None, *(("E", "M") * (trace.n_iter + 1)))[: v.n_half_steps]
    assert [v.label(h) for h in range(4)] == ["Start", "E-step 1", "M-step 1", "E-step 2"]
    summary = v.summary(4)  # M-step 2: θ₂
    assert summary.metric.label == "Log-likelihood ℓ(θ₂)"
    assert summary.metric.value == f"{trace.snapshots[2].log_likelihood:.4f}".replace("-", "−")
    change = trace.snapshots[2].log_likelihood - trace.snapshots[1].log_likelihood
    assert summary.metric.delta == f"{change:+.4g}"
    assert summary.description.startswith("M-step 2:")
    assert v.figure(4, narrow=True).layout.meta["half_step"] == 4


def test_the_last_half_step_says_how_far_below_the_maximum_the_run_stopped(cloud):
    X, trace = cloud
    v = PPCAView(X, trace)
    assert v.summary(3).notes == ()
    (note,) = v.summary(v.n_half_steps - 1).notes
    gap = ppca.log_likelihood(X, ppca.closed_form(X, 1)) - trace.final.log_likelihood
    assert note.level == "info"
    assert note.text.startswith(f"EM stopped {gap:.3g} below the maximum of ℓ")
    converged = ppca.fit(X, 1, rng=2, tol=0.0, max_iter=3000)
    (note,) = PPCAView(X, converged).summary(2 * converged.n_iter + 1).notes
    assert note.level == "success"


def test_the_formulas_tab_picks_a_point_at_an_e_step_and_shows_the_m_step_sums(cloud):
    X, trace = cloud
    v = PPCAView(X, trace)
    tab = "Formulas with these numbers"
    (pick,) = v.picks(tab, 3)
    assert (pick.name, pick.low, pick.high) == ("point", 1, 120)
    blocks = v.tab(tab, 3, {"point": 9})
    assert isinstance(blocks[1], PickRow)
    params = trace.snapshots[1].params  # E-step 2 works on θ₁
    assert blocks[2].text == view.e_step_formula(X[8], params, 8)
    assert v.picks(tab, 4) == []
    latex = [b.text for b in v.tab(tab, 4, {}) if isinstance(b, Latex)]
    assert latex == view.m_step_formulas(X, trace.snapshots[1].params, trace.snapshots[2].params)
    assert [type(b) for b in v.tab(tab, 0, {})] == [Text]


def test_the_view_refuses_one_latent_dimension_on_more_than_two_columns(iris):
    data, _ = iris
    with pytest.raises(ValueError, match="choose q ≥ 2"):
        PPCAView(data.values, ppca.fit(data.values, 1, max_iter=2))


def test_the_step_buttons_speak_of_latent_coordinates_and_w_not_of_gaussians(cloud):
    X, trace = cloud
    (phase,) = PPCAView(X, trace).button_phases
    assert phase.start == 0
    assert phase.labels == {}  # E-step and M-step
    assert "E[zₙ]" in phase.help["e"]
    assert "covariance" in phase.help["e"]
    assert all(name in phase.help["m"] for name in ("W", "μ", "σ²"))
    for text in phase.help.values():
        assert not re.search(r"responsibilit|Gaussian|r_nk", text), text
