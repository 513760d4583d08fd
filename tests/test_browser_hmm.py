"""EM for sequences in a real Chromium: the hidden Markov model's page stepped with the
buttons and the keys, played and paused, on a laptop and a phone, and in presenter mode on
a 1080p screen; screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import new_context
from browser_helpers import PRESENTER_SCREEN, assert_presenter_fits_the_screen, at_half_step
from hmm_helpers import EISNER_START, ICE_CREAM
from playwright.sync_api import Browser, Page, expect
from test_browser_layout import _covered_controls

from em_models.hmm.engine import fit

KEY = "hmm"
TIMEOUT_MS = 30_000
# Streamlit's client asks for these next to the page's own path first, whatever the page.
HARMLESS = ("/_stcore/health", "/_stcore/host-config")
CHART_H_JS = """
() => {
    const gd = document.querySelector('.st-key-hmm-chart .js-plotly-plot');
    return gd && gd.layout && gd.layout.meta ? gd.layout.meta.half_step : -1;
}
"""


def shown(value: float) -> str:
    return f"{value:.4f}".replace("-", "−")


def eisner_run():
    return fit(
        ICE_CREAM,
        2,
        emission="categorical",
        end_state=True,
        init="given",
        params=EISNER_START,
        tol=1e-4,
    )


def button(page: Page, name: str):
    return page.locator(".em-controls").get_by_role("button", name=name, exact=True)


def at(page: Page, h: int) -> None:
    """Wait until the chart and the buttons show half-step h."""
    at_half_step(page, KEY, h)


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and not url.endswith(HARMLESS):
            errors.append(message.text)

    page.on("console", console)
    return errors


def open_page(page: Page, url: str, wait_for_app) -> None:
    page.goto(url)
    wait_for_app(page, settle_ms=800)
    chart = page.locator(".st-key-hmm-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    at(page, 0)


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["laptop", "phone"])
def test_the_ice_cream_steps_by_buttons_and_keys_plays_and_pauses(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, size
) -> None:
    trace = eisner_run()
    width, height = size
    context = new_context(browser, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        errors = watch_errors(page)
        open_page(page, f"{app_server}/hmm", wait_for_app)
        page.locator(".em-controls").scroll_into_view_if_needed()
        assert _covered_controls(page, ".em-controls button") == []
        button(page, "E-step").click()
        at(page, 1)
        page.keyboard.press("m")
        at(page, 2)
        metric = page.get_by_test_id("stMetricValue").first
        expect(metric).to_have_text(shown(trace.snapshots[1].log_likelihood))
        expect(page.get_by_text("1.10414 × 10⁻¹⁶").first).to_be_visible()
        page.screenshot(path=artifacts_dir / f"hmm_m_step_1_{width}.png")

        page.get_by_role("radio", name="Slow", exact=True).click()
        chart = page.locator(".st-key-hmm-chart .js-plotly-plot")
        chart.locator(".updatemenu-button").filter(has_text="Play").click()
        page.wait_for_function(f"() => ({CHART_H_JS})() >= 4", timeout=TIMEOUT_MS)
        chart.locator(".updatemenu-button").filter(has_text="Pause").click()
        # The page moves to the half-step the chart stopped at.
        page.wait_for_function(
            f"""() => {{
                const bar = document.querySelector('.em-controls');
                const h = ({CHART_H_JS})();
                return bar && h >= 4 && String(h) === bar.dataset.h;
            }}""",
            timeout=TIMEOUT_MS,
        )
        paused = int(page.locator(".em-controls").get_attribute("data-h") or -1)
        assert 4 <= paused < 2 * trace.n_iter + 1, "Pause stops the run mid-way"
        at(page, paused)
        expect(metric).to_have_text(shown(trace.snapshots[paused // 2].log_likelihood))
        page.screenshot(path=artifacts_dir / f"hmm_paused_{width}.png")
        assert errors == [], errors
    finally:
        context.close()


def test_presenter_mode_holds_the_chart_and_the_numbers_on_a_1080p_screen(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    context = new_context(browser, viewport=PRESENTER_SCREEN)
    try:
        page = context.new_page()
        errors = watch_errors(page)
        open_page(page, f"{app_server}/hmm?present=true", wait_for_app)
        numbers = assert_presenter_fits_the_screen(
            page,
            KEY,
            wait_for_app,
            lambda shown: expect(shown.get_by_text("p(data | θ₀)")).to_be_visible(),
        )
        expect(numbers.locator("table").first).to_contain_text("1 cold")
        page.screenshot(path=artifacts_dir / "hmm_presenter_1920.png")
        assert errors == [], errors
    finally:
        context.close()


# The text of A's and the emission table's cells (plotly's subplots x3y3 and x4y4).
CELL_TEXTS_JS = """
(axes) => [...document.querySelectorAll(
    `.st-key-hmm-chart .js-plotly-plot .subplot.${axes} .textpoint text`)].map((e) => {
        const box = e.getBoundingClientRect();
        return {text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize),
                left: box.left, right: box.right};
    })
"""
# The left and right edges of a table: of its cells' filled squares.
TABLE_BOX_JS = """
(axes) => {
    const boxes = [...document.querySelectorAll(
        `.st-key-hmm-chart .js-plotly-plot .subplot.${axes} .js-fill`)]
        .map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    return {left: Math.min(...boxes.map((b) => b.left)),
            right: Math.max(...boxes.map((b) => b.right))};
}
"""


def test_presenter_mode_writes_the_tables_numbers_as_large_as_the_class_reads(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    """On a 1080p projector the numbers in A's and the emission table's cells, the expected
    counts at an M-step included, are at least 1/45 of the screen's height, as the numbers
    beside the chart (tests/test_browser_presenter.py), and stay inside their tables."""
    from test_browser_presenter import MIN_NUMBER_OF_HEIGHT

    context = new_context(browser, viewport=PRESENTER_SCREEN)
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/hmm?present=true", wait_for_app)
        wait_for_app(page, settle_ms=500)
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        at(page, 2)  # M-step 1: "old → new" over the expected counts
        wait_for_app(page, settle_ms=800)  # the chart sized to the screen has arrived
        page.screenshot(path=artifacts_dir / "hmm_presenter_tables_1920.png")
        for axes, first in (("x3y3", "0.8 → 0.876"), ("x4y4", "0.7 → 0.677")):
            cells = page.evaluate(CELL_TEXTS_JS, axes)
            assert len(cells) == 6, (axes, cells)
            assert cells[0]["text"].startswith(first), cells[0]
            assert min(c["px"] for c in cells) >= MIN_NUMBER_OF_HEIGHT * 1080, (axes, cells)
            table = page.evaluate(TABLE_BOX_JS, axes)
            for cell in cells:
                assert table["left"] - 1 <= cell["left"] <= cell["right"] <= table["right"] + 1
    finally:
        context.close()
