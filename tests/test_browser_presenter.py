"""Presenter mode on a projector (TESTING.md C.9): at 1280×720 and 1920×1080 the chart, the
half-step's sentence, ℓ and its change, and every component's parameters are on the first
screen, without scrolling, and the numbers are large enough to read from the back of a room.

Each case saves a screenshot to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import FIGURE_BOXES_JS, chart_at_js, new_context, overlapping_parts
from playwright.sync_api import Browser, Locator, Page, expect

SCREENS = {"1280x720": (1280, 720), "1920x1080": (1920, 1080)}
VIEWS = {
    "worked example": ("worked_example?present=true", "worked", 2),
    "Old Faithful, K = 4": ("your_data?present=true&data.n_components=4", "data", 4),
}
# The smallest type a class reads the numbers in, as a fraction of the screen's height: 16 px
# at 720, 24 px at 1080 (the page's own type is 14 to 16 px).
MIN_NUMBER_OF_HEIGHT = 1 / 45


def _inside(box: dict | None, width: int, height: int, what: str) -> None:
    assert box is not None, f"{what} is not drawn"
    assert box["x"] >= 0
    assert box["y"] >= 0, f"{what} is above the screen: {box}"
    assert box["x"] + box["width"] <= width + 1, f"{what} is cut at the right: {box}"
    assert box["y"] + box["height"] <= height + 1, f"{what} is below the fold: {box}"


def _font_px(locator: Locator) -> float:
    """The size the text is drawn at: its font size times every zoom around it."""
    return locator.evaluate(
        """(e) => {
            let size = parseFloat(getComputedStyle(e).fontSize);
            for (let n = e; n; n = n.parentElement) {
                const zoom = parseFloat(getComputedStyle(n).zoom || '1');
                if (zoom) size *= zoom;
            }
            return size;
        }"""
    )


@contextlib.contextmanager
def presenter_chart(
    browser: Browser, url: str, key: str, screen: str, wait_for_app
) -> Iterator[tuple[Page, Locator]]:
    """A new session on ``url`` (presenter mode) at ``screen``, once the chart sized to the
    screen has arrived and the step buttons hear the keys: the page and the chart."""
    width, height = SCREENS[screen]
    context = new_context(browser, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_app(page)
        plot = page.locator(f".st-key-{key}-chart .js-plotly-plot")
        expect(plot.locator(".main-svg").first).to_be_visible(timeout=30_000)
        # The step buttons hear the keys once they are drawn (after the chart, whose code
        # loads first), and the chart is drawn again at the screen's height once they have
        # measured it: a person's first key comes later than that.
        expect(page.locator(".em-controls")).to_have_attribute("data-h", "0")
        wait_for_app(page, settle_ms=800)
        yield page, plot
    finally:
        context.close()


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_the_chart_and_every_number_the_class_reads_are_on_one_screen(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, screen: str, view: str
) -> None:
    width, height = SCREENS[screen]
    path, key, n_components = VIEWS[view]
    url = f"{app_server}/{path}"
    with presenter_chart(browser, url, key, screen, wait_for_app) as (page, plot):
        # Two half-steps on, with the clicker's key: ℓ has changed, so its change shows.
        for _ in range(2):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(chart_at_js(key), arg=2, timeout=30_000)
        wait_for_app(page, settle_ms=800)  # the chart sized to the screen has arrived
        name = f"presenter {view} {screen}".replace(" ", "_").replace(",", "")
        page.screenshot(path=artifacts_dir / f"{name.replace('=', '')}.png")

        assert page.evaluate("() => document.querySelector('.stMain').scrollTop") == 0
        _inside(plot.bounding_box(), width, height, "the chart")
        metric = page.get_by_test_id("stMetric")
        _inside(page.get_by_test_id("stMetricValue").bounding_box(), width, height, "ℓ")
        _inside(page.get_by_test_id("stMetricDelta").bounding_box(), width, height, "ℓ's change")
        expect(metric).to_contain_text("ℓ(θ₁)")
        sentence = page.locator(".stMarkdown").filter(has_text="M-step 1:").first
        _inside(sentence.bounding_box(), width, height, "the half-step's sentence")
        table = page.locator(f"[class*='{key}-presenter-numbers'] table")
        expect(table.locator("tbody tr")).to_have_count(n_components)
        _inside(table.bounding_box(), width, height, "the parameters")
        cell = table.locator("tbody td").first
        assert _font_px(cell) >= MIN_NUMBER_OF_HEIGHT * height
        assert _font_px(page.get_by_test_id("stMetricValue")) >= 2 * MIN_NUMBER_OF_HEIGHT * height
        # The chart is sized to the screen: it and its slider fill the height left.
        chart = plot.bounding_box()
        assert chart is not None
        assert chart["height"] >= 0.6 * height


# Every model's stepping view: its page and the key of its view.
MODEL_VIEWS = {
    "worked example": ("worked_example", "worked"),
    "Old Faithful": ("your_data", "data"),
    "probabilistic PCA": ("ppca", "ppca"),
    "hidden Markov model": ("hmm", "hmm"),
    "factor analysis": ("fa", "fa"),
    "topics": ("topics", "topics"),
}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("view", list(MODEL_VIEWS))
def test_no_title_or_tick_label_overlaps_in_presenter_mode(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, view: str, screen: str
) -> None:
    """The chart's type is a quarter larger and its margins are fixed: every axis's title
    ("state" beside the HMM's "2 hot") must still clear its tick labels, and stay inside the
    figure."""
    path, key = MODEL_VIEWS[view]
    url = f"{app_server}/{path}?present=true"
    with presenter_chart(browser, url, key, screen, wait_for_app) as (page, plot):
        expect(plot.locator(".gtitle")).to_be_visible()
        page.screenshot(path=artifacts_dir / f"presenter_overlaps_{key}_{screen}.png")
        boxes = plot.evaluate(FIGURE_BOXES_JS)
        found = overlapping_parts(boxes)
        assert not found, f"{view} at {screen}: " + "; ".join(found)
