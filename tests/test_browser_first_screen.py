"""What a student sees on arriving at the worked example on a 1280×720 laptop (TESTING.md C7):
the step buttons, the chart's Play, Pause and title, and the top of its data panel, with no
scrolling. (The chart's top was 546 px down, under the title, two paragraphs and, for a start
of one's own, the table of starting values; 80 px of the data panel showed.)

A screenshot is saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from app_harness import FIGURE_BOXES_JS, new_context
from playwright.sync_api import Browser, expect

WIDTH, HEIGHT = 1280, 720
# The chart starts this far above the screen's bottom at least …
CHART_SHOWN_PX = 150
# … and this much of its data panel (the plot area under the title and legend) shows.
DATA_PANEL_SHOWN_PX = 100
STARTS = {
    "the article's start": {},
    "a start of one's own": {"worked.start": "My own starting values"},
}


@pytest.mark.parametrize("start", list(STARTS))
def test_the_chart_is_in_the_first_screen_on_arrival(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, start: str
) -> None:
    context = new_context(browser, viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        query = urlencode(STARTS[start])
        page.goto(f"{app_server}/worked_example" + (f"?{query}" if query else ""))
        wait_for_app(page)
        plot = page.locator(".st-key-worked-chart .js-plotly-plot")
        expect(plot.locator(".gtitle")).to_be_visible(timeout=30_000)
        wait_for_app(page, settle_ms=800)
        page.screenshot(path=artifacts_dir / f"worked_first_screen_{start.replace(' ', '_')}.png")
        assert page.evaluate("scrollY") == 0

        boxes = plot.evaluate(FIGURE_BOXES_JS)
        top = boxes["figure"][1]
        assert top <= HEIGHT - CHART_SHOWN_PX, f"the chart starts {top:.0f} px down"
        for part in ("buttons", "title"):  # Play and Pause, and the half-step's name
            assert boxes[part][3] <= HEIGHT, f"{part} below the first screen: {boxes[part]}"
        data_top = boxes["plot xy"][1]
        assert HEIGHT - data_top >= DATA_PANEL_SHOWN_PX, f"the data panel starts at {data_top}"
        controls = page.locator(".em-controls").bounding_box()
        assert controls is not None
        assert controls["y"] >= 0
        assert controls["y"] + controls["height"] <= top + 1
    finally:
        context.close()
