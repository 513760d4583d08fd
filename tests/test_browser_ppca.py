"""EM beyond mixtures in a real Chromium: probabilistic PCA stepped and played in the stepping
view, at a laptop's and a phone's width; screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from app_harness import chart_at_js, new_context
from playwright.sync_api import Browser, Page, expect

from em_data.synthetic import elongated_cloud
from em_models.ppca import engine as ppca

KEY = "ppca"
# The segments' trace: each point, its foot on the line, a gap.
SEGMENTS_JS = """
() => {
    const gd = document.querySelector('.st-key-ppca-chart .js-plotly-plot');
    const t = gd.data.find(d => d.name && d.name.includes('foot'));
    return t.x.filter(v => v !== null).length;
}
"""


def button(page: Page, name: str):
    return page.locator(".em-controls").get_by_role("button", name=name, exact=True)


def at(page: Page, h: int) -> None:
    """Wait until the chart and the buttons show half-step h."""
    page.wait_for_function(chart_at_js(KEY), arg=h, timeout=30_000)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", str(h), timeout=30_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_ppca_steps_and_plays_in_the_stepping_view(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, width: int
) -> None:
    trace = ppca.fit(elongated_cloud(200, rng=np.random.default_rng(0)).values, 1, rng=0)
    last = 2 * trace.n_iter + 1
    context = new_context(browser, viewport={"width": width, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{app_server}/ppca")
        wait_for_app(page, settle_ms=800)
        chart = page.locator(".st-key-ppca-chart .js-plotly-plot")
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=30_000)
        at(page, 0)
        assert page.evaluate(SEGMENTS_JS) == 0  # no E-step yet: no segments
        page.screenshot(path=artifacts_dir / f"ppca_open_{width}.png")

        page.keyboard.press("e")
        at(page, 1)
        assert page.evaluate(SEGMENTS_JS) == 400  # 200 points and their 200 feet
        button(page, "M-step").click()
        at(page, 2)
        metric = page.get_by_test_id("stMetric").first
        expect(metric).to_contain_text("ℓ(θ₁)")
        chart.scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"ppca_m_step_1_{width}.png")

        page.get_by_role("radio", name="Fast", exact=True).click()
        chart.locator(".updatemenu-button").filter(has_text="Play").click()
        # Play runs in the browser to the end; the page follows when it stops.
        page.wait_for_function(chart_at_js(KEY), arg=last, timeout=60_000)
        expect(page.locator(".em-controls")).to_have_attribute("data-h", str(last), timeout=30_000)
        expect(button(page, "E-step")).to_be_disabled()
        expect(page.get_by_text("below the maximum of ℓ")).to_be_visible(timeout=30_000)
        chart.scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"ppca_end_{width}.png")
        assert errors == [], errors
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_iris_in_the_latent_plane(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path, width: int
) -> None:
    context = new_context(browser, viewport={"width": width, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{app_server}/ppca")
        wait_for_app(page, settle_ms=800)
        page.get_by_text("Other data", exact=True).click()
        wait_for_app(page, settle_ms=500)
        dataset = page.locator(f".st-key-{KEY}-dataset")
        dataset.locator("input").click()
        dataset.locator("input").press_sequentially("iris")  # the list scrolls on a phone
        page.get_by_role("option", name="Fisher's iris flowers (150 × 4)").click()
        wait_for_app(page, settle_ms=800)
        expect(page.get_by_text("Latent dimensions q")).to_be_visible(timeout=30_000)
        at(page, 0)
        button(page, "Next iteration").click()  # E-step 1 and M-step 1
        at(page, 2)
        button(page, "E-step").click()
        at(page, 3)
        legend = page.locator(".st-key-ppca-chart .legend")
        for species in ("setosa", "versicolor", "virginica"):
            expect(legend).to_contain_text(species)
        page.locator(".st-key-ppca-chart").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"ppca_iris_latent_{width}.png")
        assert errors == [], errors
    finally:
        context.close()
