"""Steps that the real-browser tests of several models' pages share (the pages' stepping
views are the same component, with the model's key)."""

from __future__ import annotations

from collections.abc import Callable

from app_harness import APP_TIMEOUT_MS, chart_at_js
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

PRESENTER_SCREEN = {"width": 1920, "height": 1080}


def keys_ready(page: Page, key: str) -> None:
    """Wait until the step buttons of the stepping view ``key`` have found its chart (they
    then describe it by their text, and their keys listen): a key pressed before that, while
    the page is still drawing, does nothing."""
    chart = page.locator(f".st-key-{key}-chart .js-plotly-plot").first
    expect(chart).to_have_attribute("aria-describedby", f"{key}-chart-text", timeout=APP_TIMEOUT_MS)


def at_half_step(page: Page, key: str, h: int) -> None:
    """Wait until the chart and the buttons of the stepping view ``key`` show half-step h."""
    page.wait_for_function(chart_at_js(key), arg=h, timeout=APP_TIMEOUT_MS)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", str(h), timeout=APP_TIMEOUT_MS)


def assert_presenter_fits_the_screen(
    page: Page, key: str, wait_for_app, ready: Callable[[Locator], None]
) -> Locator:
    """On a page open in presenter mode (at half-step 0, on a :data:`PRESENTER_SCREEN`):
    → to half-step 1, ``ready`` waits for the numbers beside the chart, then the chart, the
    first metric and the numbers' first table must lie inside the first screen. Returns the
    numbers."""
    page.keyboard.press("ArrowRight")
    at_half_step(page, key, 1)
    wait_for_app(page, settle_ms=500)
    numbers = page.locator("[class*='-presenter-numbers']")
    ready(numbers)
    for part in (
        page.locator(f".st-key-{key}-chart .js-plotly-plot"),
        page.get_by_test_id("stMetricValue").first,
        numbers.locator("table").first,
    ):
        box = part.bounding_box()
        assert box is not None
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= PRESENTER_SCREEN["height"] + 1, "inside the first screen"
    return numbers


def choose_option(page: Page, box: str, option: str, expect_rerun=None) -> None:
    """Open the select box labelled ``box`` and click its option containing ``option`` (under
    ``expect_rerun`` when given). A rerun that ends just after the click on the box closes
    its list again, so the list is opened again until the option shows (three tries)."""
    field = page.get_by_test_id("stSelectbox").filter(has_text=box).locator("input")
    choice = page.get_by_role("option").filter(has_text=option).first
    for _ in range(3):
        field.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    if expect_rerun is None:
        choice.click()
        return
    with expect_rerun(page):
        choice.click()
