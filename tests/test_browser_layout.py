"""What a projector, a laptop and a phone show (TESTING.md C7): nothing in the chart overlaps
(title, legend, Play/Pause, axis titles, tick labels, the two panels), and where the screen
is wide enough the step buttons and the whole chart are in view together.

Each case saves a screenshot to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import FIGURE_BOXES_JS, new_context, overlapping_parts
from browser_helpers import choose_option
from playwright.sync_api import Browser, expect

# (width, height, device pixels per CSS pixel): a small laptop or projector, a laptop, a
# phone, and a 1280×720 screen at 150 % and 200 % zoom (which leave 853×480 and 640×360 CSS
# pixels; WCAG 1.4.4 asks for text resized to 200 % with nothing lost).
SCREENS = {
    "1280x720": (1280, 720, 1),
    "1440x900": (1440, 900, 1),
    "phone 390x844": (390, 844, 3),
    "1280x720 at 150%": (853, 480, 1.5),
    "1280x720 at 200%": (640, 360, 2),
}
VIEWS = {
    "worked example": ("worked_example", "worked", None),
    "Old Faithful (2-D)": ("your_data", "data", None),
    "galaxies (1-D, eight components)": ("your_data", "data", "Galaxy velocities"),
}
NARROW_BELOW_PX = 700  # em_ui.controls.NARROW_BELOW_PX: below it the figure stacks its panels


def _choose_data_set(page, title: str, wait_for_app, expect_rerun) -> None:
    choose_option(page, "Data set", title, expect_rerun)
    k = page.get_by_role("spinbutton", name="Number of components K")
    k.fill("8")
    with expect_rerun(page):
        k.press("Enter")


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_nothing_overlaps_and_buttons_and_chart_fit_together(
    browser: Browser,
    app_server: str,
    wait_for_app,
    expect_rerun,
    artifacts_dir: Path,
    screen: str,
    view: str,
) -> None:
    width, height, scale = SCREENS[screen]
    path, key, data_set = VIEWS[view]
    context = new_context(
        browser, viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    try:
        page = context.new_page()
        page.goto(f"{app_server}/{path}")
        wait_for_app(page)
        if data_set:
            _choose_data_set(page, data_set, wait_for_app, expect_rerun)
        plot = page.locator(f".st-key-{key}-chart .js-plotly-plot")
        expect(plot.locator(".main-svg").first).to_be_visible(timeout=30_000)
        # A narrow view tells the server, which redraws the figure stacked: wait for it.
        wait_for_app(page, settle_ms=800)
        expect(plot.locator(".gtitle")).to_be_visible()
        name = f"layout {view} {screen}".replace(" ", "_").replace("(", "").replace(")", "")
        page.screenshot(path=artifacts_dir / f"{name}.png")

        boxes = plot.evaluate(FIGURE_BOXES_JS)
        assert {"title", "legend", "buttons", "plot xy", "plot x2y2"} <= set(boxes)
        assert overlapping_parts(boxes) == [], f"{view} at {screen}: {boxes}"

        controls = page.locator(".em-controls")
        # Scrolled to as a student scrolls to it, the chart stops under the step buttons,
        # which stay in view (on a phone too): every control can then be tapped. (A screen
        # less than 560 px tall keeps the buttons above the chart: each is tapped where it is.)
        chart_selector = f".st-key-{key}-chart"
        if height < 560:
            controls.scroll_into_view_if_needed()
            assert _covered_controls(page, ".em-controls button") == [], f"{view} at {screen}"
        plot.evaluate("gd => gd.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=artifacts_dir / f"{name}_at_the_chart.png")
        every = f".em-controls button, {chart_selector} .updatemenu-button"
        only_chart = f"{chart_selector} .updatemenu-button"
        covered = _covered_controls(page, every if height >= 560 else only_chart)
        assert covered == [], f"{view} at {screen}"
        if height >= 560:
            bar, chart = controls.bounding_box(), plot.bounding_box()
            assert bar is not None
            assert chart is not None
            assert bar["y"] >= 0, "the step buttons scrolled out of view"
            assert bar["y"] + bar["height"] <= chart["y"] + 1, "the buttons cover the chart"
        if width >= NARROW_BELOW_PX and height >= 560:
            # Scroll as a student does until the whole chart shows: the buttons are still there.
            plot.evaluate("gd => gd.scrollIntoView({block: 'end'})")
            page.wait_for_timeout(200)
            bar = controls.bounding_box()
            chart = plot.bounding_box()
            assert bar is not None
            assert chart is not None
            assert bar["y"] >= 0, "the step buttons scrolled out of view"
            assert bar["y"] + bar["height"] <= chart["y"] + 1, "the buttons cover the chart"
            assert chart["y"] + chart["height"] <= height + 1, "the chart is cut off"
            page.screenshot(path=artifacts_dir / f"{name}_scrolled.png")
        else:
            # Narrow screens: the buttons sit above the chart, never over it.
            bar, chart = controls.bounding_box(), plot.bounding_box()
            assert bar is not None
            assert chart is not None
            assert bar["y"] + bar["height"] <= chart["y"] + 1
    finally:
        context.close()


# The controls of the stepping view ``selector`` finds (its step buttons and speeds, the
# chart's Play and Pause): for each, what the browser finds at its centre, when that is not
# the control (or something inside it): "name: what is there instead".
COVERED_CONTROLS_JS = """
(selector) => {
    const controls = [...document.querySelectorAll(selector)];
    const covered = [];
    for (const control of controls) {
        const box = control.getBoundingClientRect();
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        const found = document.elementFromPoint(x, y);
        const ok = found
            && (control.contains(found) || found.closest('.updatemenu-button') === control);
        if (!ok) {
            const name = control.getAttribute('aria-label') || control.textContent.trim();
            const what = found ? (found.getAttribute('data-title') || found.getAttribute('class')
                || found.tagName) : 'nothing (off screen)';
            covered.push(name + ': ' + what);
        }
    }
    return covered;
}
"""


def _covered_controls(page, selector: str) -> list[str]:
    assert page.locator(selector).count() >= 2, f"no controls found: {selector}"
    return page.evaluate(COVERED_CONTROLS_JS, selector)
