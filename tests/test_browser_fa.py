"""Factor analysis in a real Chromium: Harman's census data stepped with the keys (the points
move at the E-step, the arrows at the M-step), presenter mode on a 1080p screen, and the
step buttons' quick moves compared with fresh charts; screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_browser_chart_moves as moves
from app_harness import new_context
from browser_helpers import PRESENTER_SCREEN, assert_presenter_fits_the_screen, at_half_step
from playwright.sync_api import Browser, Page, expect
from test_browser_chart_moves import chart_page  # noqa: F401 (a fixture)

from em_data import load_dataset
from em_models.fa import engine as fa
from em_models.fa.census import load_census
from em_models.fa.view import FAView

KEY = "fa"
TIMEOUT_MS = 30_000
# The x values a named trace of the chart shows now (its gaps left out).
TRACE_X_JS = """
(name) => {
    const gd = document.querySelector('.st-key-fa-chart .js-plotly-plot');
    const t = gd.data.find(d => d.name === name);
    return (t.x || []).filter(v => v !== null);
}
"""


# The boxes of the variables' names drawn at the arrows' tips.
NAME_BOXES_JS = """
(names) => {
    const gd = document.querySelector('.st-key-fa-chart .js-plotly-plot');
    return [...gd.querySelectorAll('.scatterlayer text')]
        .filter(t => names.includes(t.textContent))
        .map(t => { const r = t.getBoundingClientRect();
                    return [t.textContent, r.left, r.top, r.right, r.bottom]; });
}
"""


def assert_names_apart(page: Page, names) -> None:
    """Every variable's name is drawn once, whole, and no two overlap."""
    boxes = page.evaluate(NAME_BOXES_JS, list(names))
    assert sorted(b[0] for b in boxes) == sorted(names)
    for k, (a, *first) in enumerate(boxes):
        for b, *second in boxes[:k]:
            apart = (
                first[2] <= second[0]
                or second[2] <= first[0]
                or first[3] <= second[1]
                or second[3] <= first[1]
            )
            assert apart, f"{a} {first} overlaps {b} {second}"


def at(page: Page, h: int) -> None:
    """Wait until the chart and the buttons show half-step h."""
    at_half_step(page, KEY, h)


def open_page(page: Page, url: str, wait_for_app) -> None:
    page.goto(url)
    wait_for_app(page, settle_ms=800)
    chart = page.locator(".st-key-fa-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    at(page, 0)


def shown(value: float) -> str:
    return f"{value:.4f}".replace("-", "−")


def test_the_census_steps_with_the_keys_and_the_chart_moves(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    X, columns = load_census()
    trace = fa.fit(X, 2, columns=columns)
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_page(page, f"{app_server}/fa", wait_for_app)
        assert page.evaluate(TRACE_X_JS, "points at E[z]") == []  # no E-step yet
        arrows = page.evaluate(TRACE_X_JS, "loadings (a row of W)")
        assert_names_apart(page, columns)

        page.keyboard.press("e")
        at(page, 1)
        points = page.evaluate(TRACE_X_JS, "points at E[z]")
        assert len(points) == 12
        assert page.evaluate(TRACE_X_JS, "loadings (a row of W)") == arrows

        page.keyboard.press("m")
        at(page, 2)
        assert page.evaluate(TRACE_X_JS, "points at E[z]") == points
        assert page.evaluate(TRACE_X_JS, "loadings (a row of W)") != arrows
        assert_names_apart(page, columns)
        metric = page.get_by_test_id("stMetricValue").first
        expect(metric).to_have_text(shown(trace.snapshots[1].log_likelihood))
        page.locator(".st-key-fa-chart").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / "fa_m_step_1_1280.png")
        assert errors == [], errors
    finally:
        context.close()


def test_a_random_starts_names_are_drawn_apart(
    browser: Browser, app_server: str, wait_for_app
) -> None:
    """From random loadings (seed 4) HouseValue and Professional start almost together."""
    _, columns = load_census()
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/fa?fa.start=Random+loadings&fa.seed=4", wait_for_app)
        assert_names_apart(page, columns)
        page.keyboard.press("e")
        at(page, 1)
        page.keyboard.press("m")
        at(page, 2)
        assert_names_apart(page, columns)
    finally:
        context.close()


def test_presenter_mode_holds_the_chart_and_the_numbers_on_a_1080p_screen(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    context = new_context(browser, viewport=PRESENTER_SCREEN)
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/fa?present=true", wait_for_app)
        assert_presenter_fits_the_screen(
            page,
            KEY,
            wait_for_app,
            lambda shown: expect(shown.locator("table").first).to_contain_text("Population"),
        )
        page.screenshot(path=artifacts_dir / "fa_presenter_1920.png")
    finally:
        context.close()


def fa_view(name: str, q: int, *, narrow: bool = False) -> moves.Case:
    """Factor analysis on the page's defaults, as a case of the quick-move comparison."""

    def build() -> FAView:
        if name == "census":
            X, columns, labels = *load_census(), None
        else:
            data = load_dataset(name)
            X, columns, labels = data.values, data.columns, data.labels
        trace = fa.fit(X, q, columns=columns, tol=1e-3, max_iter=1000)
        return FAView(X, trace, column_names=columns, labels=labels)

    # Half-step 0 has no points yet: moves from and to it are full redraws.
    return moves.Case(build, narrow=narrow, quick_from=1)


FA_CASES = {
    "census-fa2": fa_view("census", 2),
    "census-fa2-narrow": fa_view("census", 2, narrow=True),
    "iris-fa1": fa_view("iris", 1),
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(FA_CASES))
def test_a_moved_chart_draws_what_a_fresh_chart_draws(
    chart_page,  # noqa: F811 (the fixture imported above)
    monkeypatch,
    name,
) -> None:
    """The comparison of tests/test_browser_chart_moves.py, on factor analysis's chart."""
    monkeypatch.setitem(moves.CASES, name, FA_CASES[name])
    moves.test_a_moved_chart_draws_what_a_fresh_chart_draws(chart_page, name)


# Each number written in a grid's cell (C, S, C − S: the subplots x4y4 to x6y6): its text, the
# size it is drawn at, its box, and the box of the cell under its centre (a filled trace's
# square, or S's rectangles in the layout).
GRID_NUMBERS_JS = """
() => {
    const gd = document.querySelector('.st-key-fa-chart .js-plotly-plot');
    const squares = [...gd.querySelectorAll(
        '.subplot.x4y4 .js-fill, .subplot.x6y6 .js-fill, .shapelayer path')]
        .map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    return [...gd.querySelectorAll('.subplot:is(.x4y4, .x5y5, .x6y6) .textpoint text')]
        .map((e) => {
            const b = e.getBoundingClientRect();
            const x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
            const cell = squares.find((c) => c.left <= x && x <= c.right
                                             && c.top <= y && y <= c.bottom);
            return {text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize),
                    box: [b.left, b.top, b.right, b.bottom],
                    cell: cell ? [cell.left, cell.top, cell.right, cell.bottom] : null};
        });
}
"""


def test_presenter_mode_writes_the_grids_numbers_as_large_as_the_rest_of_the_chart(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    """On a 1080p projector the numbers in C's, S's and C − S's cells grow as the chart's other
    text does (a quarter), and each stays inside its cell."""
    from em_models.fa.figures_cells import CELL_FONT
    from em_ui.presenter import CHART_FONT_SCALE

    context = new_context(browser, viewport=PRESENTER_SCREEN)
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/fa?present=true", wait_for_app)
        wait_for_app(page, settle_ms=800)  # the chart sized to the screen has arrived
        page.screenshot(path=artifacts_dir / "fa_presenter_grids_1920.png")
        numbers = page.evaluate(GRID_NUMBERS_JS)
        assert len(numbers) == 3 * 15, numbers  # three lower triangles of 5 × 5
        for number in numbers:
            assert number["px"] >= CELL_FONT["size"] * CHART_FONT_SCALE, number
            assert number["cell"] is not None, number
            (left, top, right, bottom), cell = number["box"], number["cell"]
            assert cell[0] - 1 <= left <= right <= cell[2] + 1, number
            assert cell[1] - 1 <= top <= bottom <= cell[3] + 1, number
    finally:
        context.close()
