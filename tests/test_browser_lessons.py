"""The lessons under "Learn" in a real Chromium: each page opens with no exception and draws
its charts (TESTING.md C2), at a laptop's and a phone's width; a screenshot of each is saved to
test-artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from app_harness import chart_at_js, new_context
from playwright.sync_api import Browser, Page, expect

import em_models.mixture.engine
from em_data import load_dataset
from em_models import registry

# Each lesson and how many charts it draws at least when it opens.
LESSONS = {
    "kmeans_start": 3,
    "collapse": 2,
    "choose_k": 2,
    "restarts": 2,
    "why_em_climbs": 2,
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lesson", list(LESSONS))
def test_a_lesson_opens_and_draws_its_charts(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, lesson: str, width: int
) -> None:
    context = new_context(browser, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{app_server}/{lesson}")
        wait_for_app(page, settle_ms=800)
        charts = page.locator(".js-plotly-plot .main-svg")
        expect(charts.first).to_be_visible(timeout=30_000)
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
            arg=LESSONS[lesson],
            timeout=30_000,
        )
        # Every chart drew something: at least one trace in each.
        empty = page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                .filter(gd => !gd._fullData || gd._fullData.length === 0).length"""
        )
        assert empty == 0, f"{empty} chart(s) with no trace on {lesson}"
        assert errors == [], errors
        page.screenshot(path=artifacts_dir / f"lesson_{lesson}_{width}.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_kmeans_start_steps_from_the_seeds_through_the_hand_off_into_em(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, width: int
) -> None:
    """One stepping view from K-means's seeds into EM: its buttons are named for the phase
    on screen, the keys and the slider follow, and Play runs across both phases."""
    trace = em_models.mixture.engine.fit(np.asarray(load_dataset("faithful").values), 2, rng=0)
    offset = 2 * len(trace.start.kmeans_steps)
    last = offset + 2 * trace.n_iter + 1
    context = new_context(browser, viewport={"width": width, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{app_server}/kmeans_start")
        wait_for_app(page, settle_ms=800)
        view = page.locator(".st-key-kstart-chart .js-plotly-plot")
        expect(view.locator(".main-svg").first).to_be_visible(timeout=30_000)
        at(page, 0, "Seeds")
        expect(button(page, "Assign")).to_be_enabled()
        expect(button(page, "Update")).to_be_disabled()
        metric = page.get_by_test_id("stMetric").first
        expect(metric).to_contain_text("Within-cluster sum of squares W")

        page.keyboard.press("e")
        at(page, 1, "Assign 1")
        button(page, "Update").click()
        at(page, 2, "Update 1")
        expect(metric).to_contain_text("Within-cluster sum of squares W")
        page.locator(".st-key-kstart-chart").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"kmeans_phase_update_{width}.png")
        for h in range(4, offset - 1, 2):  # an assignment and an update at each press
            page.keyboard.press("ArrowRight")
            at(page, h, None)
        button(page, "Assign").click()  # the last assignment
        at(page, offset - 1, f"Assign {offset // 2}")
        expect(button(page, "Hand-off")).to_be_enabled()
        expect(page.get_by_text("No point changed cluster")).to_be_visible()
        button(page, "Hand-off").click()
        at(page, offset, "Hand-off")
        expect(metric).to_contain_text("Log-likelihood ℓ(θ₀)")
        page.screenshot(path=artifacts_dir / f"kmeans_phase_hand_off_{width}.png")
        button(page, "E-step").click()  # EM's own names again
        at(page, offset + 1, "E-step 1")
        expect(button(page, "M-step")).to_be_enabled()

        page.keyboard.press("Home")
        at(page, 0, "Seeds")
        page.get_by_role("radio", name="Fast", exact=True).click()
        view.locator(".updatemenu-button").filter(has_text="Play").click()
        # Play runs through K-means, the hand-off and EM; the page follows when it stops.
        page.wait_for_function(chart_at_js("kstart"), arg=last, timeout=30_000)
        expect(page.locator(".em-controls")).to_have_attribute("data-h", str(last), timeout=30_000)
        expect(button(page, "E-step")).to_be_disabled()
        assert errors == [], errors
    finally:
        context.close()


def button(page: Page, name: str):
    return page.locator(".em-controls").get_by_role("button", name=name, exact=True)


def at(page: Page, h: int, label: str | None) -> None:
    """Wait until the chart, the buttons and (given its label) the slider show half-step h."""
    page.wait_for_function(chart_at_js("kstart"), arg=h, timeout=30_000)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", str(h))
    if label is not None:
        slider = page.locator(".st-key-kstart-h").get_by_role("slider")
        expect(slider).to_have_attribute("aria-valuetext", label, timeout=30_000)


# Each sidebar entry's text, and whether it is cut (drawn wider than its box, with "…").
NAV_LABELS_JS = """
() => [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')].map((link) => {
    const label = link.querySelector('[data-testid="stMarkdownContainer"]');
    return [label.textContent, label.scrollWidth > label.clientWidth,
        new URL(link.href).pathname];
})
"""


def test_every_page_name_fits_the_sidebar_and_keeps_its_address(
    browser: Browser, app_server: str, wait_for_app
) -> None:
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(app_server)
        wait_for_app(page)
        expect(page.get_by_test_id("stSidebarNavLink").first).to_be_visible()
        labels = page.evaluate(NAV_LABELS_JS)
        # every model's page and Open a prepared run, none folded behind "View more"
        menu = [*registry.pages_in("Learn"), *registry.pages_in("Explore")]
        assert [name for name, _, _ in labels] == [p.title for p in menu] + ["Open a prepared run"]
        assert [name for name, cut, _ in labels if cut] == []
        paths = {name: path for name, _, path in labels}
        assert paths["Collapse and the ridge"] == "/collapse"
        assert paths["Probabilistic PCA"] == "/ppca"
        assert "/hmm" in paths.values()
        assert paths["Factor analysis"] == "/fa"
        assert paths["EM for topics: pLSA and LDA"] == "/topics"
    finally:
        context.close()
