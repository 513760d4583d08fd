"""A link reopens the view, and presenter mode's keys, in a real Chromium.

The link is the address the browser shows, as "Link to this view" offers it; it is opened in
a new browser context (a new Streamlit session, nothing shared but the server).
"""

from __future__ import annotations

import re
from pathlib import Path

from app_harness import CHART_HALF_STEP_JS, chart_at_js, new_context
from playwright.sync_api import Browser, Page, expect

import em_models.mixture.selection
from em_data import load_dataset

TIMEOUT_MS = 30_000
LABELS = ["Start", "E-step 1", "M-step 1", "E-step 2", "M-step 2", "E-step 3"]


def chart(page: Page, key: str):
    return page.locator(f".st-key-{key}-chart .js-plotly-plot")


def open_view(page: Page, url: str, key: str, wait_for_app) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(chart(page, key).locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    # The step buttons hear keys once drawn, and in presenter mode the chart is drawn again
    # at the screen's height once they have measured it.
    expect(page.locator(".em-controls")).to_have_attribute("data-h", re.compile(r"\d+"))
    wait_for_app(page, settle_ms=800)


def wait_at(page: Page, key: str, h: int, label: str) -> None:
    """Wait until the chart, the slider and the buttons all show half-step ``h``."""
    page.wait_for_function(chart_at_js(key), arg=h, timeout=TIMEOUT_MS)
    slider = page.locator(f".st-key-{key}-h").get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuetext", label, timeout=TIMEOUT_MS)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", str(h))


def metric(page: Page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_a_link_to_half_step_5_on_old_faithful_with_k3_reopens_the_same_view(
    page: Page, browser: Browser, app_server: str, wait_for_app, expect_rerun
) -> None:
    open_view(page, f"{app_server}/your_data", "data", wait_for_app)
    k = page.get_by_role("spinbutton", name="Number of components K")
    with expect_rerun(page):
        k.fill("3")
        k.press("Enter")
    for name in ["E-step", "M-step", "E-step", "M-step", "E-step"]:
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(150)
    wait_at(page, "data", 5, "E-step 3")
    # The address follows the clicks, and the link offered is that address.
    expect(page).to_have_url(re.compile(r"[?&]data\.h=E-step\+3(&|$)"), timeout=TIMEOUT_MS)
    link = page.locator(".em-link input")
    expect(link).to_have_value(page.url, timeout=TIMEOUT_MS)
    shown = metric(page)

    # The same run, fitted here by the engine with the page's defaults (ten restarts, the
    # best first): ℓ of θ₂, which E-step 3 colours the points by.
    faithful = load_dataset("faithful").values
    restarts = em_models.mixture.selection.fit_restarts(
        faithful, 3, n_init=10, init="kmeans", seed=0, tol=1e-3, ridge=1e-6, max_iter=100
    )
    best = restarts.traces[restarts.best_index]
    expected = f"{best.log_likelihoods[2]:.4f}".replace("-", "−")
    assert shown == expected

    fresh = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        other = fresh.new_page()
        open_view(other, link.input_value(), "data", wait_for_app)
        wait_at(other, "data", 5, "E-step 3")
        expect(other.locator('[data-testid="stMetricValue"]').first).to_have_text(shown)
        k_there = other.get_by_role("spinbutton", name="Number of components K")
        expect(k_there).to_have_value("3")
        assert not other.locator('[data-testid="stAlert"]').filter(has_text="link").count()
        same = other.evaluate(
            "([a, b]) => JSON.stringify(a) === JSON.stringify(b)",
            [
                chart(page, "data").evaluate("gd => gd.data.map(t => [t.x, t.y])"),
                chart(other, "data").evaluate("gd => gd.data.map(t => [t.x, t.y])"),
            ],
        )
        assert same, "the chart opened from the link differs from the one linked"
    finally:
        fresh.close()


def test_a_hostile_link_opens_the_defaults_with_a_notice(
    page: Page, app_server: str, wait_for_app
) -> None:
    query = "data.n_components=1e400&data.n_components=3&data.h=%3Cscript%3E&data.max_iter=NaN"
    open_view(page, f"{app_server}/your_data?{query}&nonsense=1", "data", wait_for_app)
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="could not use")
    expect(notice).to_contain_text("data.n_components")
    expect(notice).to_contain_text("“<script>”")
    expect(notice).to_contain_text("nonsense")
    wait_at(page, "data", 0, "Start")
    expect(page.get_by_role("spinbutton", name="Number of components K")).to_have_value("2")


def test_presenter_keys_step_and_play_the_chart(
    page: Page, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_view(page, f"{app_server}/worked_example?present=true", "worked", wait_for_app)
    expect(page.locator(".st-key-present input")).to_be_checked()
    # The settings are hidden, the chart and the buttons are not.
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    expect(chart(page, "worked")).to_be_visible()
    expect(page.locator(".em-controls")).to_be_in_viewport()
    page.screenshot(path=artifacts_dir / "presenter_mode_1280x720.png")

    page.keyboard.press("ArrowRight")  # one half-step, not an iteration
    wait_at(page, "worked", 1, "E-step 1")
    page.keyboard.press("PageDown")
    wait_at(page, "worked", 2, "M-step 1")
    page.keyboard.press("PageUp")
    wait_at(page, "worked", 1, "E-step 1")
    page.keyboard.press("ArrowLeft")
    wait_at(page, "worked", 0, "Start")
    page.keyboard.press("End")
    wait_at(page, "worked", 5, "E-step 3")
    page.keyboard.press("Home")
    wait_at(page, "worked", 0, "Start")

    # Space plays the chart through its frames, and the page and its address follow it to
    # the end.
    page.get_by_role("radio", name="Fast", exact=True).click()
    page.keyboard.press(" ")
    plot = chart(page, "worked")
    page.wait_for_function(
        f"gd => ({CHART_HALF_STEP_JS})(gd) >= 1", arg=plot.element_handle(), timeout=TIMEOUT_MS
    )
    wait_at(page, "worked", 5, "E-step 3")
    expect(page).to_have_url(re.compile(r"[?&]worked\.h=E-step\+3(&|$)"), timeout=TIMEOUT_MS)


def test_space_pauses_and_keys_wait_while_typing(page: Page, app_server: str, wait_for_app) -> None:
    open_view(page, f"{app_server}/worked_example?present=true", "worked", wait_for_app)
    page.get_by_role("radio", name="Slow", exact=True).click()
    page.keyboard.press(" ")
    plot = chart(page, "worked")
    page.wait_for_function(
        f"gd => ({CHART_HALF_STEP_JS})(gd) >= 1", arg=plot.element_handle(), timeout=TIMEOUT_MS
    )
    page.keyboard.press(" ")  # pause: the page moves to the frame on screen, before the end
    h = plot.evaluate(f"gd => ({CHART_HALF_STEP_JS})(gd)")
    assert h is not None
    assert h < 5
    page.wait_for_timeout(1500)  # a slow frame lasts 1.2 s: a chart still playing moves on
    paused = plot.evaluate(f"gd => ({CHART_HALF_STEP_JS})(gd)")
    assert paused < 5
    wait_at(page, "worked", paused, LABELS[paused])

    # The link's field is an input: the arrows move its caret, not the run.
    page.locator(".em-link input").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    page.wait_for_timeout(500)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", str(paused))
