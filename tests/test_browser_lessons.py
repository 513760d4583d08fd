"""The lessons under "Learn" in a real Chromium: each page opens with no exception and draws
its charts (TESTING.md C2), at a laptop's and a phone's width; a screenshot of each is saved to
test-artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import new_context
from playwright.sync_api import Browser, expect

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
