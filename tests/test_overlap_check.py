"""The browser layout tests' shared overlap check (``overlapping_parts`` in
tests/app_harness.py) on boxes laid out by hand: it must see a panel's heading under an axis
title, a heading cut at the figure's edge, an axis title on another panel or on the legend,
and two values of one trace that touch; and let the lines of a note sit close."""

from __future__ import annotations

from app_harness import overlapping_parts

FIGURE = [0.0, 0.0, 800.0, 600.0]


def test_a_heading_under_an_axis_title_is_an_overlap() -> None:
    boxes = {
        "figure": FIGURE,
        "xtitle": [300.0, 280.0, 350.0, 300.0],
        "note 2: Transitions A": [110.0, 290.0, 330.0, 308.0],
    }
    assert overlapping_parts(boxes) == ["note 2: Transitions A × xtitle"]


def test_a_heading_cut_at_the_right_edge_is_out_of_the_figure() -> None:
    boxes = {"figure": FIGURE, "note 3: Emissions": [470.0, 300.0, 836.0, 318.0]}
    assert overlapping_parts(boxes) == ["note 3: Emissions outside the figure"]


def test_an_axis_title_on_another_panel_or_on_the_legend_is_an_overlap() -> None:
    boxes = {
        "figure": FIGURE,
        "legend": [100.0, 40.0, 500.0, 64.0],
        "plot xy": [100.0, 80.0, 400.0, 250.0],
        "plot x4y4": [100.0, 300.0, 300.0, 500.0],
        "xtitle": [200.0, 290.0, 260.0, 310.0],  # "factor 1" on the grid under its panel
        "y3title": [420.0, 60.0, 440.0, 250.0],  # "ψ, the noise variance" into the legend
    }
    assert overlapping_parts(boxes) == ["xtitle × plot x4y4", "y3title × legend"]


def test_values_of_one_trace_must_keep_a_space_between_them() -> None:
    touching = {
        "text 8.0: 1.00": [425.0, 277.0, 449.6, 290.0],
        "text 8.1: 1.00": [451.1, 277.0, 475.6, 290.0],
    }
    apart = {
        "text 8.0: 1.00": [425.0, 277.0, 447.0, 290.0],
        "text 8.1: 1.00": [451.1, 277.0, 473.0, 290.0],
    }
    assert overlapping_parts({"figure": FIGURE, **touching}) == ["text 8.0: 1.00 × text 8.1: 1.00"]
    assert overlapping_parts({"figure": FIGURE, **apart}) == []


def test_the_lines_of_a_note_may_sit_close() -> None:
    boxes = {
        "figure": FIGURE,
        "note 0: All 33 days": [110.0, 40.0, 200.0, 59.0],
        "note 1: a triangle's area": [110.0, 56.0, 500.0, 75.0],  # 16 px lower, 3 px of leading
    }
    assert overlapping_parts(boxes) == []
