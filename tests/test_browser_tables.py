"""The Parameters tab as Chromium draws it (TESTING.md C7): on a laptop every column of Old
Faithful's parameters (μ, σ per column, ρ, π, N_k and a Δ for each) is in view, with no
sideways scroll hidden in the table; on a phone the tables scroll sideways, and a shadow at
their edge shows it.

Screenshots are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from app_harness import new_context
from PIL import Image
from playwright.sync_api import Browser, expect

# The scrolling box of each plain table (st.table) in the open tab.
SCROLLERS = '[role="tabpanel"] [data-testid="stTable"] > div:has(> table)'
SCROLL_SIZES_JS = "els => els.map(el => [el.scrollWidth, el.clientWidth])"
# How much darker (0–255, on average) the right edge of a table that has columns behind it
# is than the same edge scrolled to the end: a shadow a person sees, not a rounding.
SHADOW_DARKER = 12


def _parameters_tab(browser: Browser, app_server: str, wait_for_app, width, height, scale):
    context = new_context(
        browser, viewport={"width": width, "height": height}, device_scale_factor=scale
    )
    page = context.new_page()
    page.goto(f"{app_server}/your_data")  # Old Faithful, two columns, by default
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Parameters", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator(SCROLLERS)).to_have_count(2, timeout=30_000)
    return context, page


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1440, 900)])
def test_every_column_of_the_parameters_is_in_view_on_a_laptop(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, width, height
) -> None:
    """The one table of 14 columns was 1072 px wide in an 820 px column at 1280×720."""
    context, page = _parameters_tab(browser, app_server, wait_for_app, width, height, 1)
    try:
        tables = page.locator(SCROLLERS)
        headers = tables.evaluate_all("els => els.map(el => el.querySelector('tr').innerText)")
        shown = " ".join(headers)
        for name in ("μ[eruptions]", "σ[waiting]", "ρ[eruptions, waiting]", "π", "N_k"):
            assert name in headers[0]
        for name in ("Δμ[eruptions]", "Δσ[waiting]", "Δρ[eruptions, waiting]", "Δπ"):
            assert name in shown
        tables.last.scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"parameters_tab_{width}x{height}.png")
        for scroll_width, client_width in tables.evaluate_all(SCROLL_SIZES_JS):
            assert scroll_width <= client_width, f"{scroll_width} px of table in {client_width}"
    finally:
        context.close()


def _right_edge(page, scroller, *, scrolled_to_end: bool) -> float:
    """The mean grey level of the table's last 10 px on screen (its header row left out)."""
    scroller.evaluate("(el, end) => { el.scrollLeft = end ? el.scrollWidth : 0; }", scrolled_to_end)
    page.wait_for_timeout(100)
    box = scroller.bounding_box()
    assert box is not None
    clip = {"x": box["x"] + box["width"] - 12, "y": box["y"], "width": 10, "height": box["height"]}
    grey = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L"))
    return float(grey.mean())


def test_on_a_phone_a_table_wider_than_the_screen_shows_that_it_goes_on(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    context, page = _parameters_tab(browser, app_server, wait_for_app, 390, 844, 3)
    try:
        tables = page.locator(SCROLLERS)
        for index in range(tables.count()):
            scroller = tables.nth(index)
            scroller.scroll_into_view_if_needed()
            scroll_width, client_width = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
            assert scroll_width > client_width  # Old Faithful's tables are wider than a phone
            at_end = _right_edge(page, scroller, scrolled_to_end=True)
            at_start = _right_edge(page, scroller, scrolled_to_end=False)
            page.screenshot(path=artifacts_dir / f"parameters_tab_phone_{index}.png")
            assert at_start < at_end - SHADOW_DARKER, (at_start, at_end)
    finally:
        context.close()
