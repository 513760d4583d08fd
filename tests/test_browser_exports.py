"""Exports in a real Chromium: the animation downloaded from the worked example plays with the
network blocked (plotly.js is inside the file), and the export section fits a laptop's and a
phone's screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from app_harness import CHART_HALF_STEP_JS, new_context
from engine_helpers import blobs
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

import em_models.mixture.engine
import em_models.mixture.figures_1d
from em_models.mixture import exports
from em_models.mixture.gaussian import Parameters

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
    # Play and Pause are controls, not part of the picture: where the page draws them, the
    # PNG (twice the screen's resolution) is blank, and they are back on the page.
    from PIL import Image

    chart_box = chart.bounding_box()
    buttons = chart.locator(".updatemenu-button")
    expect(buttons).to_have_count(2)
    image = Image.open(path).convert("L")
    scale = image.width / chart_box["width"]
    for i in range(2):
        box = buttons.nth(i).bounding_box()
        left = (box["x"] - chart_box["x"]) * scale
        top = (box["y"] - chart_box["y"]) * scale
        area = image.crop((left, top, left + box["width"] * scale, top + box["height"] * scale))
        assert area.getextrema()[0] > 200, f"button {i + 1} is drawn in the PNG"


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


def long_run_file(tmp_path: Path) -> tuple[Path, object, object]:
    """The animation of a run longer than its frames, as a file."""
    X = blobs(0, n_features=1, n_per_blob=40)
    trace = em_models.mixture.engine.fit(X, 3, rng=0, tol=0.0, max_iter=80)
    path = tmp_path / "long.html"
    path.write_text(exports.animation_html(X, trace), encoding="utf-8")
    return path, X, trace


def open_file(browser: Browser, path: Path) -> tuple[BrowserContext, Page]:
    context = new_context(browser, viewport={"width": 1280, "height": 720}, accept_downloads=True)
    tab = context.new_page()
    tab.goto(path.as_uri())
    expect(tab.locator("#em-run .slider-container")).to_be_visible(timeout=CHART_TIMEOUT_MS)
    return context, tab


def test_the_exported_animation_has_a_slider_that_reaches_any_of_its_frames(
    browser: Browser, tmp_path: Path
) -> None:
    path, X, trace = long_run_file(tmp_path)
    context, tab = open_file(browser, path)
    try:
        gd = tab.locator("#em-run")
        steps = gd.evaluate("gd => gd.layout.sliders[0].steps.map((s) => s.label)")
        frames = gd.evaluate("gd => gd._transitionData._frames.map((f) => f.name)")
        # As many frames as fit the budget (58 since the casings under the cyan and orange
        # curves: Start … E-step 29), fewer than the run's 161 half-steps.
        chart = em_models.mixture.figures_1d.density_figure(X, trace, 0)
        assert len(steps) == len(frames) == len(chart.frame_dicts)
        assert 40 < len(steps) < 2 * trace.n_iter + 1
        assert steps[0] == "Start"
        last = len(steps) - 1
        assert steps[-1] == (f"E-step {(last + 1) // 2}" if last % 2 else f"M-step {last // 2}")
        # A click on the slider's rail far along jumps there, over the frames between.
        rail = gd.locator(".slider-rail-rect").bounding_box()
        assert rail is not None
        along = 40 / (len(steps) - 1)
        tab.mouse.click(rail["x"] + rail["width"] * along, rail["y"] + rail["height"] / 2)
        tab.wait_for_function(
            f"() => ({CHART_HALF_STEP_JS})(document.getElementById('em-run')) === 40",
            timeout=CHART_TIMEOUT_MS,
        )
        assert gd.locator(".gtitle").text_content() == steps[40]
        # What it shows is the figure of that half-step, every curve and colour in place.
        shown = gd.evaluate("gd => gd.data.map((t) => [t.x, t.y, t.marker && t.marker.color])")
        fresh = em_models.mixture.figures_1d.density_figure(X, trace, 40).data
        assert len(shown) == len(fresh)
        for (x, y, color), expected in zip(shown, fresh, strict=True):
            for got, want in ((x, expected.x), (y, expected.y)):
                if want is None:
                    assert got is None
                else:
                    np.testing.assert_allclose(
                        np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-12
                    )
            if expected.marker.color is not None and not isinstance(expected.marker.color, str):
                assert list(color) == list(expected.marker.color)
        tab.screenshot(path=tmp_path / "slider.png")
    finally:
        context.close()


def test_the_exported_animations_camera_saves_the_chart_without_its_controls(
    browser: Browser, tmp_path: Path
) -> None:
    path, _, _ = long_run_file(tmp_path)
    context, tab = open_file(browser, path)
    try:
        gd = tab.locator("#em-run")

        def camera_png() -> bytes:
            gd.hover()
            with tab.expect_download(timeout=60_000) as download:
                gd.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
            assert download.value.suggested_filename == "em-run.png"
            return Path(download.value.path()).read_bytes()

        saved = camera_png()
        assert gd.locator(".updatemenu-button").count() == 2  # still on screen
        assert gd.locator(".slider-container").count() == 1
        with tab.expect_download(timeout=60_000) as download:  # the chart as it is drawn
            gd.evaluate("gd => Plotly.downloadImage(gd, {format: 'png', scale: 2})")
        assert Path(download.value.path()).read_bytes() != saved
        gd.evaluate("gd => Plotly.relayout(gd, {updatemenus: [], sliders: []})")
        assert camera_png() == saved  # the chart with no controls at all
    finally:
        context.close()


def offline(route: Route) -> None:
    """Let a page read files only."""
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


# Counts, in the file's page, the transitions plotly.js runs with a duration (it sets
# gd._transitioningWithDuration for each, and only for those).
COUNT_TRANSITIONS_JS = """
(gd) => {
    window.__emTransitions = 0;
    let value = false;
    Object.defineProperty(gd, '_transitioningWithDuration', {
        get: () => value,
        set: (v) => { value = v; if (v) window.__emTransitions += 1; },
        configurable: true,
    });
}
"""


def test_the_exported_animation_plays_without_motion_when_asked(
    browser: Browser, tmp_path: Path
) -> None:
    # The worked example's first iteration, as its "Animation (HTML)" button saves a run.
    X = np.array([[1.5], [2.0], [2.5], [8.0], [9.0], [9.5]])
    start = Parameters(np.array([0.5, 0.5]), np.array([[2.0], [9.0]]), np.ones((2, 1, 1)), "full")
    trace = em_models.mixture.engine.fit(X, 2, init="given", params=start, tol=0.0, max_iter=1)
    path = tmp_path / "em-animation.html"
    path.write_text(exports.animation_html(X, trace), encoding="utf-8")
    seen = {}
    for motion in ("no-preference", "reduce"):
        context = new_context(
            browser, viewport={"width": 1280, "height": 720}, reduced_motion=motion
        )
        try:
            tab = context.new_page()
            tab.route("**/*", offline)
            tab.goto(path.as_uri())
            plot = tab.locator("#em-run")
            play = plot.locator(".updatemenu-button").filter(has_text="Play")
            expect(play).to_be_visible(timeout=CHART_TIMEOUT_MS)
            plot.evaluate(COUNT_TRANSITIONS_JS)
            options = play.evaluate("(e) => e.__data__.args[1]")  # what Play runs
            play.click()
            tab.wait_for_function(
                f"() => ({CHART_HALF_STEP_JS})(document.getElementById('em-run')) === 2",
                timeout=CHART_TIMEOUT_MS,
            )
            seen[motion] = (options, tab.evaluate("window.__emTransitions"))
        finally:
            context.close()
    (normal, moved), (reduced, still) = seen["no-preference"], seen["reduce"]
    assert normal["transition"]["duration"] > 0
    assert moved > 0  # normal motion animates between frames
    assert reduced["transition"]["duration"] == 0
    assert still == 0
    assert reduced["frame"]["duration"] == normal["frame"]["duration"]  # the same pace
