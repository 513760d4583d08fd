"""Your own data in a real Chromium: an uploaded file kept across pages.

Streamlit empties a file uploader whose page is not shown; the page keeps the file for the
session (em_ui.state.keep_file) and says it uses it.
"""

from __future__ import annotations

from pathlib import Path

from app_harness import chart_at_js
from playwright.sync_api import Page, expect

TIMEOUT_MS = 30_000
TWO_CLUSTERS_CSV = (
    "x,y\n1.0,1.2\n1.5,0.8\n0.7,1.1\n1.2,1.4\n0.9,0.6\n2.5,3.5\n"
    "5.0,5.2\n5.5,4.8\n4.7,5.1\n5.2,5.6\n4.9,4.6\n3.0,3.1\n"
)
POINTS_JS = """
(gd) => {
    const points = gd._fullData.find((t) => t.name === 'data points' && t.x.length > 1);
    return points ? [Array.from(points.x), Array.from(points.y)] : null;
}
"""


def chart(page: Page):
    return page.locator(".st-key-data-chart .js-plotly-plot")


def open_page(page: Page, name: str, wait_for_app) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=name).click()
    wait_for_app(page)


def upload(page: Page, url: str, name: str, content: bytes, wait_for_app, expect_rerun) -> None:
    """Open Your own data and upload ``content`` as the file ``name``."""
    page.goto(f"{url}/your_data")
    wait_for_app(page)
    page.get_by_text("Upload a file", exact=True).click()
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(file_input).to_be_attached()
    wait_for_app(page)
    with expect_rerun(page):
        file = {"name": name, "mimeType": "text/csv", "buffer": content}
        file_input.set_input_files(files=[file])


def test_an_uploaded_file_and_its_half_step_survive_a_visit_to_start_here(
    page: Page, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    upload(page, app_server, "two.csv", TWO_CLUSTERS_CSV.encode(), wait_for_app, expect_rerun)
    expect(chart(page).locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Next iteration", exact=True).click()
    page.wait_for_function(chart_at_js("data"), arg=2, timeout=TIMEOUT_MS)
    points = chart(page).evaluate(POINTS_JS)
    assert len(points[0]) == 12

    open_page(page, "Start here", wait_for_app)
    open_page(page, "Your own data", wait_for_app)

    expect(page.get_by_role("radio", name="Upload a file")).to_be_checked()
    expect(page.get_by_text("Using the file you uploaded: two.csv (100 bytes).")).to_be_visible()
    expect(page.get_by_text("Choose a file to begin")).to_have_count(0)
    page.wait_for_function(chart_at_js("data"), arg=2, timeout=TIMEOUT_MS)
    assert chart(page).evaluate(POINTS_JS) == points
    expect(page.locator(".em-controls")).to_have_attribute("data-h", "2")
    page.screenshot(path=artifacts_dir / "your_data_kept_file.png")

    # Removed, it is gone for good: a visit elsewhere does not bring it back.
    with expect_rerun(page):
        page.get_by_role("button", name="Remove this file", exact=True).click()
    expect(page.get_by_text("Choose a file to begin")).to_be_visible()
    open_page(page, "Start here", wait_for_app)
    open_page(page, "Your own data", wait_for_app)
    expect(page.get_by_text("Choose a file to begin")).to_be_visible()
    expect(chart(page)).to_have_count(0)


def test_a_k_above_the_rows_is_refused_by_the_page_not_left_in_a_red_box(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    upload(page, app_server, "five.csv", b"x\n1\n2\n5\n9\n10\n", wait_for_app, expect_rerun)
    expect(chart(page).locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    k = page.get_by_role("spinbutton", name="Number of components K")
    k.fill("7")
    with expect_rerun(page):  # the box takes 7: K goes up to 10 for any data
        k.press("Enter")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(
        "The data have 5 rows, but you asked for 7 components."
    )
    expect(chart(page)).to_have_count(0)  # nothing fitted, not another K
    expect(k).to_have_value("7")
