"""Exports in a real Chromium: the animation downloaded from the worked example plays with the
network blocked (plotly.js is inside the file), and the export section fits a laptop's and a
phone's screen."""

from __future__ import annotations

from pathlib import Path

from app_harness import CHART_HALF_STEP_JS, new_context
from playwright.sync_api import Browser, Page, Route, expect

CHART_TIMEOUT_MS = 30_000


def open_exports(page: Page, url: str, wait_for_app, expect_rerun) -> None:
    page.goto(f"{url}/worked_example")
    wait_for_app(page)
    expect(page.locator(".st-key-worked-chart .main-svg").first).to_be_visible(
        timeout=CHART_TIMEOUT_MS
    )
    with expect_rerun(page):
        page.get_by_text("Export this run").click()
    expect(page.get_by_role("button", name="Animation (HTML)")).to_be_visible()


def test_the_exported_animation_plays_offline(
    page: Page, browser: Browser, app_server: str, wait_for_app, expect_rerun, tmp_path: Path
) -> None:
    open_exports(page, app_server, wait_for_app, expect_rerun)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Animation (HTML)").click()
    assert download.value.suggested_filename == "em-animation.html"
    path = tmp_path / "animation.html"
    download.value.save_as(path)

    offline = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        tab = offline.new_page()
        blocked: list[str] = []

        def block(route: Route) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        tab.route("**/*", block)
        tab.goto(path.as_uri())
        plot = tab.locator("#em-run")
        expect(plot.locator(".main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
        assert plot.evaluate(f"({CHART_HALF_STEP_JS})") == 0
        plot.locator(".updatemenu-button").filter(has_text="Play").click()
        # The worked example's run has six half-steps; Play runs them all.
        tab.wait_for_function(
            f"() => ({CHART_HALF_STEP_JS})(document.getElementById('em-run')) === 5",
            timeout=CHART_TIMEOUT_MS,
        )
        assert plot.locator(".gtitle").text_content() == "E-step 3"
        assert blocked == [], f"the file asked the network for {blocked}"
        tab.screenshot(path=tmp_path / "offline.png")
    finally:
        offline.close()


def test_the_charts_camera_saves_a_png_named_after_the_half_step(
    page: Page, app_server: str, wait_for_app, tmp_path: Path
) -> None:
    page.goto(f"{app_server}/worked_example")
    wait_for_app(page)
    chart = page.locator(".st-key-worked-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    chart.hover()
    camera = chart.locator('.modebar-btn[data-title="Download plot as a PNG"]')
    expect(camera).to_be_visible()
    with page.expect_download(timeout=60_000) as download:
        camera.click()
    assert download.value.suggested_filename == "em-worked-start.png"
    path = tmp_path / "chart.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_export_section_at_a_laptops_and_a_phones_width(
    browser: Browser, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    for width, height in ((1280, 720), (390, 844)):
        context = new_context(browser, viewport={"width": width, "height": height})
        try:
            tab = context.new_page()
            open_exports(tab, app_server, wait_for_app, expect_rerun)
            code = tab.locator('[data-testid="stCode"]').first
            expect(code).to_contain_text("GaussianMixture(")
            buttons = tab.locator('.st-key-worked-export [data-testid="stDownloadButton"]')
            expect(buttons).to_have_count(4)
            boxes = [buttons.nth(i).bounding_box() for i in range(4)]
            for box in boxes:  # every button within the screen's width
                assert box is not None
                assert box["x"] >= 0
                assert box["x"] + box["width"] <= width
            tab.get_by_text("Export this run").scroll_into_view_if_needed()
            tab.screenshot(path=artifacts_dir / f"exports_{width}.png")
        finally:
            context.close()
