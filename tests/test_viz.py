"""em_viz: the half-step model, colours, the log-likelihood view and the tables.

Expected numbers come from the formulas written out here or from SciPy, never from em_viz.
The figures are tested in test_viz_figures.py, the LaTeX in test_viz_formulas.py.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
import em_models.mixture.tables
import em_models.mixture.view
import em_viz
from em_core import Trace
from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import Parameters
from em_viz import loglik
from em_viz.colors import GREY, MAX_COMPONENTS, PALETTE, blend, component_colors, hex_to_rgb
from em_viz.figures_common import round_sig

ROOT = Path(__file__).resolve().parent.parent
WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def worked_trace(max_iter: int = 5) -> Trace:
    """The article's example: μ = (2, 9), σ = (1, 1), π = (½, ½), no ridge."""
    start = Parameters(
        np.array([0.5, 0.5]), np.array([[2.0], [9.0]]), np.array([[[1.0]], [[1.0]]]), "full"
    )
    return fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0, max_iter=max_iter)


@pytest.fixture(scope="module")
def worked() -> Trace:
    return worked_trace()


# ---------------------------------------------------------------------------------------
# Half-steps


def test_a_run_of_n_iterations_has_2n_plus_2_half_steps(worked: Trace) -> None:
    assert worked.n_iter == 2
    assert em_models.mixture.kmeans_phase.n_half_steps(worked) == 6
    assert len(em_models.mixture.kmeans_phase.half_steps(worked)) == 6


def test_the_first_half_step_is_the_start_with_no_responsibilities(worked: Trace) -> None:
    start = em_models.mixture.kmeans_phase.half_step(worked, 0)
    assert start == em_viz.HalfStep(0, "start", 0, None, "Start")


def test_e_steps_keep_the_curves_and_m_steps_keep_the_colours(worked: Trace) -> None:
    assert em_models.mixture.kmeans_phase.half_step(worked, 1) == em_viz.HalfStep(
        1, "E", 0, 0, "E-step 1"
    )
    assert em_models.mixture.kmeans_phase.half_step(worked, 2) == em_viz.HalfStep(
        2, "M", 1, 0, "M-step 1"
    )
    assert em_models.mixture.kmeans_phase.half_step(worked, 3) == em_viz.HalfStep(
        3, "E", 1, 1, "E-step 2"
    )
    for half in em_models.mixture.kmeans_phase.half_steps(worked)[1:]:
        previous = em_models.mixture.kmeans_phase.half_step(worked, half.index - 1)
        if half.kind == "E":  # new colours, same curves
            assert half.params_index == previous.params_index == half.resp_index
        else:  # new curves, same colours
            assert half.params_index == previous.params_index + 1
            assert half.resp_index == previous.resp_index


def test_the_last_half_step_is_the_e_step_on_the_final_parameters(worked: Trace) -> None:
    last = em_models.mixture.kmeans_phase.half_step(worked, 2 * worked.n_iter + 1)
    assert last == em_viz.HalfStep(5, "E", 2, 2, "E-step 3")


@pytest.mark.parametrize("h", [-1, 6, 100])
def test_a_half_step_outside_the_run_is_refused(worked: Trace, h: int) -> None:
    with pytest.raises(ValueError, match=r"h=-?\d+ does not exist.*from 0 \(Start\) to 5"):
        em_models.mixture.kmeans_phase.half_step(worked, h)


def test_a_run_with_no_iteration_has_the_start_and_one_e_step() -> None:
    trace = worked_trace(max_iter=0)
    assert [h.label for h in em_models.mixture.kmeans_phase.half_steps(trace)] == [
        "Start",
        "E-step 1",
    ]


def test_each_half_step_is_described_in_one_plain_sentence(worked: Trace) -> None:
    start, e1, m1 = (
        em_models.mixture.view.describe(em_models.mixture.kmeans_phase.half_step(worked, h))
        for h in range(3)
    )
    assert start.startswith("Start:")
    assert "θ₀" in start
    assert e1.startswith("E-step 1:")
    assert "have not moved" in e1
    assert m1.startswith("M-step 1:")
    assert "still those of E-step 1" in m1
    for text in (start, e1, m1):
        assert text.count(". ") == 0
        assert text.endswith(".")


# ---------------------------------------------------------------------------------------
# Colours


def test_the_palette_has_ten_distinct_hex_colours_and_no_more() -> None:
    assert len(PALETTE) == MAX_COMPONENTS == 10
    assert len(set(PALETTE)) == 10
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in PALETTE)
    assert GREY not in PALETTE
    with pytest.raises(ValueError, match="1 to 10 components; got 11"):
        component_colors(11)


def test_a_point_a_component_owns_wears_exactly_its_colour() -> None:
    resp = np.eye(4)
    assert blend(resp) == list(PALETTE[:4])
    almost = np.array([[1 - 7.6e-10, 7.6e-10]])  # the worked example's x = 2.5
    assert blend(almost) == [PALETTE[0]]


def test_a_point_split_evenly_is_a_pale_tint_of_one_component_not_a_mix() -> None:
    (split,) = blend(np.array([[0.5, 0.5]]))
    white = np.full(3, 255.0)
    towards = white - np.array(hex_to_rgb(split))
    full = white - np.array(hex_to_rgb(PALETTE[0]))
    # on the line from white to component 1's colour, a small way along it
    assert towards == pytest.approx(0.15 * full, abs=1.0)


def test_points_without_responsibilities_are_grey() -> None:
    assert blend(None, n_points=3) == [GREY] * 3
    assert blend(np.array([[0.0, 0.0], [np.nan, 1.0], [0.0, 1.0]])) == [GREY, GREY, PALETTE[1]]
    with pytest.raises(ValueError, match="needs n_points"):
        blend(None)


def test_frame_numbers_keep_five_significant_digits() -> None:
    values = [0.40824829046386296, 123456.7, -0.000123456, np.nan, 0.0, 8.833333333]
    assert round_sig(values) == [0.40825, 123460.0, -0.00012346, None, 0.0, 8.8333]
    assert [repr(v) for v in round_sig([0.40824829046386296, 2.3e-7])] == ["0.40825", "2.3e-07"]


# ---------------------------------------------------------------------------------------
# Log-likelihood


def with_log_likelihoods(trace: Trace, values: list[float]) -> Trace:
    snapshots = tuple(
        dataclasses.replace(s, log_likelihood=v)
        for s, v in zip(trace.snapshots, values, strict=True)
    )
    return dataclasses.replace(trace, snapshots=snapshots)


def likelihood_panel(fig) -> list:
    return [d for d in fig.data if d.xaxis == "x2"]


def test_the_log_likelihood_panel_rings_the_snapshot_on_screen(worked: Trace) -> None:
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    fig = em_models.mixture.figures_1d.density_figure(X, worked, 0)
    curve, so_far, ring = likelihood_panel(fig)
    assert list(curve.y) == pytest.approx(worked.log_likelihoods)
    assert curve.line.dash == "dot"  # the whole run, pale: what is still to come
    assert fig.layout.yaxis2.title.text == "log-likelihood ℓ(θ)"
    assert fig.layout.xaxis2.domain[0] > fig.layout.xaxis.domain[1]
    ring_index = list(fig.data).index(ring)
    so_far_index = list(fig.data).index(so_far)
    for h, t in [(0, 0), (1, 0), (2, 1), (5, 2)]:
        (frame,) = [f for f in fig.frames if f.name == str(h)]
        updates = dict(zip(frame.traces, frame.data, strict=True))
        assert list(updates[ring_index].x) == [t]
        assert updates[ring_index].y[0] == pytest.approx(worked.snapshots[t].log_likelihood)
        # ℓ in full colour reaches the parameters on screen, and no further
        assert list(updates[so_far_index].x) == list(range(t + 1))
        assert list(updates[so_far_index].y) == pytest.approx(worked.log_likelihoods[: t + 1])
        on_screen = em_models.mixture.figures_1d.density_figure(X, worked, h)
        assert list(likelihood_panel(on_screen)[-1].x) == [t]
        assert list(likelihood_panel(on_screen)[-2].x) == list(range(t + 1))


def test_a_decrease_is_marked_in_red_with_a_note(worked: Trace) -> None:
    assert not any(d.get("name") == "ℓ decreased" for d in em_viz.likelihood_traces(worked))
    dropped = with_log_likelihoods(worked, [-10.5, -8.6, -9.1])
    (marks,) = [d for d in em_viz.likelihood_traces(dropped) if d.get("name") == "ℓ decreased"]
    assert list(marks["x"]) == [2]
    assert "went down by 0.5 from iteration 1 to 2" in marks["hovertext"][0]
    assert "never lowers ℓ" in marks["hovertext"][0]
    # A drop of float rounding is no decrease: no red mark.
    rounding = with_log_likelihoods(worked, [-10.5, -8.6, -8.6 - 1e-13])
    assert not any(d.get("name") == "ℓ decreased" for d in em_viz.likelihood_traces(rounding))


@pytest.mark.parametrize("span", [1e-7, 1e-3, 2.0, 5e4])
def test_the_log_likelihood_ticks_have_the_decimals_its_range_needs(worked, span) -> None:
    values = [-1000.0, -1000.0 + span / 2, -1000.0 + span]
    axes = loglik.likelihood_axes(with_log_likelihoods(worked, values), (0.7, 1.0))
    decimals = int(axes["yaxis2"]["tickformat"].removeprefix(",.").removesuffix("f"))
    # ticks a fifth of the span apart print as different numbers, without needless digits
    assert 10.0**-decimals <= span / 5
    assert decimals == 0 or span / 1000 <= 10.0**-decimals


def test_the_tolerance_note_states_the_engines_test_and_the_last_change(worked: Trace) -> None:
    note = em_viz.tolerance_note(worked)
    ll = worked.log_likelihoods
    last_change = abs(ll[2] - ll[1]) / 6
    assert "|ℓₜ/N − ℓₜ₋₁/N| < tol = 0.001" in note
    assert "N = 6 points" in note
    assert f"was {last_change:.2g}" in note
    assert note.endswith("so the run converged.")
    capped = fit(WORKED_X, 2, covariance_type="spherical", tol=0.0, max_iter=1)
    assert "not below tol: the run stopped at max_iter = 1." in em_viz.tolerance_note(capped)
    assert "no change to test" in em_viz.tolerance_note(worked_trace(max_iter=0))


def test_the_tolerance_note_at_a_half_step_tells_only_what_is_known_there(worked: Trace):
    # At the start no change exists yet; before the end the run goes on; only the last
    # snapshot's note says how the run ended.
    assert "no change to test yet" in em_viz.tolerance_note(worked, 0)
    assert "converged" not in em_viz.tolerance_note(worked, 0)
    middle = em_viz.tolerance_note(worked, 1)
    assert "from ℓ₀ to ℓ₁ was" in middle
    assert middle.endswith("EM goes on.")
    assert "converged" not in middle
    assert em_viz.tolerance_note(worked, worked.n_iter) == em_viz.tolerance_note(worked)


# ---------------------------------------------------------------------------------------
# Tables


def test_parameter_table_at_the_start_shows_theta_0_and_no_change(worked: Trace) -> None:
    table = em_models.mixture.tables.parameter_table(worked, 0)
    assert list(table.columns) == ["component", "μ", "σ", "π", "N_k", "Δμ", "Δσ", "Δπ"]
    assert list(table["component"]) == [1, 2]
    assert list(table["μ"]) == [2.0, 9.0]
    assert list(table["σ"]) == [1.0, 1.0]
    assert list(table["π"]) == [0.5, 0.5]
    assert table["N_k"].isna().all()
    assert (table[["Δμ", "Δσ", "Δπ"]] == 0).all().all()


def test_parameter_table_after_the_first_m_step_matches_the_article(worked: Trace) -> None:
    table = em_models.mixture.tables.parameter_table(worked, 2)
    mu2 = (8.0 + 9.0 + 9.5) / 3
    sigma1 = np.sqrt((0.5**2 + 0 + 0.5**2) / 3)
    sigma2 = np.sqrt(((8 - mu2) ** 2 + (9 - mu2) ** 2 + (9.5 - mu2) ** 2) / 3)
    assert table["μ"].to_numpy() == pytest.approx([2.0, mu2], abs=1e-6)
    assert table["σ"].to_numpy() == pytest.approx([sigma1, sigma2], abs=1e-6)
    assert table["N_k"].to_numpy() == pytest.approx([3.0, 3.0], abs=1e-6)
    # Δ is rounded to the digits its parameter is shown with (test_viz_tables.py)
    assert table["Δμ"].to_numpy() == pytest.approx([0.0, mu2 - 9.0], abs=5e-5)
    assert table["Δσ"].to_numpy() == pytest.approx([sigma1 - 1, sigma2 - 1], abs=5e-5)


def test_parameter_table_shows_no_change_at_an_e_step(worked: Trace) -> None:
    table = em_models.mixture.tables.parameter_table(worked, 3)
    assert (table[["Δμ", "Δσ", "Δπ"]] == 0).all().all()
    assert table["N_k"].to_numpy() == pytest.approx([3.0, 3.0], abs=1e-6)


def test_the_last_e_steps_counts_need_the_data(worked: Trace) -> None:
    assert em_models.mixture.tables.parameter_table(worked, 5)["N_k"].isna().all()
    with_data = em_models.mixture.tables.parameter_table(worked, 5, X=WORKED_X)
    assert with_data["N_k"].to_numpy() == pytest.approx([3.0, 3.0], abs=1e-6)


def test_responsibility_table_is_empty_before_the_first_e_step(worked: Trace) -> None:
    table = em_models.mixture.tables.responsibility_table(WORKED_X, worked, 0)
    assert list(table.columns) == ["n", "x", "r_n1", "r_n2"]
    assert list(table["n"]) == [1, 2, 3, 4, 5, 6]
    assert table[["r_n1", "r_n2"]].isna().all().all()


def test_responsibility_table_matches_the_formula_with_scipy(worked: Trace) -> None:
    table = em_models.mixture.tables.responsibility_table(WORKED_X, worked, 1, max_rows=4)
    x = WORKED_X[:4, 0]
    a, b = 0.5 * norm.pdf(x, 2, 1), 0.5 * norm.pdf(x, 9, 1)
    assert len(table) == 4
    assert table["r_n1"].to_numpy() == pytest.approx(a / (a + b), rel=1e-12)
    assert table["r_n2"].to_numpy() == pytest.approx(b / (a + b), rel=1e-9, abs=1e-15)
    # at M-step 1 the points still wear the responsibilities of θ_0
    same = em_models.mixture.tables.responsibility_table(WORKED_X, worked, 2, max_rows=4)
    assert same["r_n1"].to_numpy() == pytest.approx(table["r_n1"].to_numpy())
    after = em_models.mixture.tables.responsibility_table(WORKED_X, worked, 3, max_rows=4)
    expected = e_step(WORKED_X[:4], worked.snapshots[1].params).resp[:, 0]
    assert after["r_n1"].to_numpy() == pytest.approx(expected)


def test_em_viz_does_not_load_streamlit_even_indirectly() -> None:
    code = "import sys, em_viz; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


def _font_sizes(value, under_font: bool = False) -> list[float]:
    """Every font size in plotly JSON, in the order met."""
    if isinstance(value, list):
        return [s for item in value for s in _font_sizes(item)]
    if not isinstance(value, dict):
        return []
    sizes = [float(value["size"])] if under_font and "size" in value else []
    for key, item in value.items():
        sizes += _font_sizes(item, key.endswith("font"))
    return sizes


@pytest.mark.parametrize("columns", [[0], [0, 1]])
def test_presenter_mode_enlarges_every_font_of_the_chart_and_its_frames(columns) -> None:
    from em_data import load_dataset
    from em_viz.style import FONT, enlarge_fonts

    X = np.asarray(load_dataset("faithful").values)[:, columns]
    trace = fit(X, 2, rng=0)
    make = (
        em_models.mixture.figures_1d.density_figure
        if len(columns) == 1
        else em_models.mixture.figures_2d.scatter_figure
    )
    before = make(X, trace, 3).to_dict()
    after = enlarge_fonts(make(X, trace, 3), 1.5).to_dict()
    sizes_before = _font_sizes(before["layout"]) + _font_sizes(before["frames"])
    sizes_after = _font_sizes(after["layout"]) + _font_sizes(after["frames"])
    assert len(sizes_before) > 5
    # Every size the chart had, 1.5 times larger, and the default font (the template's) too.
    assert sorted(sizes_after) == pytest.approx(
        sorted([s * 1.5 for s in sizes_before] + [FONT["size"] * 1.5])
    )
    assert after["layout"]["font"]["size"] == pytest.approx(FONT["size"] * 1.5)


def test_presenter_mode_moves_the_title_past_the_larger_play_buttons(worked: Trace) -> None:
    from em_viz.style import enlarge_fonts

    before = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 2).to_dict()
    after = enlarge_fonts(
        em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 2), 1.25
    ).to_dict()
    titles = [before["layout"]["title"]] + [f["layout"]["title"] for f in before["frames"]]
    enlarged = [after["layout"]["title"]] + [f["layout"]["title"] for f in after["frames"]]
    for old, new in zip(titles, enlarged, strict=True):
        assert new["pad"]["l"] == pytest.approx(old["pad"]["l"] * 1.25)
        assert new["text"] == old["text"]


def test_presenter_mode_keeps_a_chart_in_rows_tall_enough_for_its_larger_type(
    worked: Trace,
) -> None:
    """Panels in rows (the HMM's tables under its trellis) are separated by gaps that are
    fractions of the plot: the plot grows with the type. Panels side by side need nothing."""
    import plotly.graph_objects as go

    from em_viz.style import least_height_in_rows

    side_by_side = em_models.mixture.figures_1d.density_figure(WORKED_X, worked, 2)
    assert least_height_in_rows(side_by_side, 1.25) == 0
    in_rows = go.Figure(
        layout={
            "height": 700,
            "margin": {"t": 100, "b": 60},
            "yaxis": {"domain": [0.5, 1]},
            "yaxis2": {"domain": [0.5, 1]},
            "yaxis3": {"domain": [0, 0.35]},
        }
    )
    assert least_height_in_rows(in_rows, 1.25) == 100 + 60 + round(540 * 1.25)
