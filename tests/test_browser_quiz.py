"""Predict before you step, in a real Chromium on the worked example: switch the quiz on,
guess which component claims the ringed point, check, and see the E-step taken, the ring
in the claiming component's colour and the score; then, with nothing guessed and nothing to
check, tick "μ₁ stays" and move μ₂'s slider, see the dashed guesses follow on the chart,
check, and see each guess beside the new mean.

Screenshots at 1280×720 and 390 px wide are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_harness import chart_at_js, new_context
from playwright.sync_api import Browser, Page, expect

TIMEOUT_MS = 30_000


def chart(page: Page):
    return page.locator(".st-key-worked-chart .js-plotly-plot")


def chart_texts(page: Page) -> list[str]:
    """The text of every label drawn on the chart's plot area."""
    return chart(page).locator(".textpoint text").all_text_contents()


def wait_for_chart_texts(page: Page, texts: set[str]) -> list[str]:
    """Wait until the chart draws every label in ``texts``, and return all its labels: the
    step buttons move the chart at once, the chart with the quiz's marks comes with the
    page's answer."""
    page.wait_for_function(
        """(texts) => {
            const drawn = [...document.querySelectorAll(
                '.st-key-worked-chart .textpoint text')].map((t) => t.textContent);
            return texts.every((text) => drawn.includes(text));
        }""",
        arg=sorted(texts),
        timeout=TIMEOUT_MS,
    )
    return chart_texts(page)


def open_with_quiz(page: Page, url: str, wait_for_app, expect_rerun) -> None:
    page.goto(f"{url}/worked_example")
    wait_for_app(page)
    expect(chart(page).locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    with expect_rerun(page):
        page.get_by_text("Predict before you step").click()
    expect(page.locator(".st-key-worked-quiz")).to_be_visible(timeout=TIMEOUT_MS)


def guess_the_claim(page: Page, component: int, expect_rerun) -> None:
    quiz = page.locator(".st-key-worked-quiz")
    with expect_rerun(page):
        quiz.get_by_text(f"component {component}", exact=True).click()
    with expect_rerun(page):
        quiz.get_by_role("button", name="Check my guess").click()


def test_guess_step_and_see_the_guess_drawn_and_scored(
    page: Page, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    open_with_quiz(page, app_server, wait_for_app, expect_rerun)
    quiz = page.locator(".st-key-worked-quiz")
    # Before E-step 1 the quiz rings the most disputed point: 8, which θ₀ gives to μ₂ = 9.
    expect(quiz).to_contain_text("Before E-step 1: which component will claim point 4?")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-worked-chart .textpoint text')]"
        ".some(t => t.textContent === 'point 4?')",
        timeout=TIMEOUT_MS,
    )
    guess_the_claim(page, 2, expect_rerun)
    page.wait_for_function(chart_at_js("worked"), arg=1, timeout=TIMEOUT_MS)
    expect(page.locator(".em-controls")).to_have_attribute("data-h", "1")
    expect(quiz).to_contain_text("You said component 2: right.")
    expect(page.get_by_text("Score this session")).to_have_text(
        "Score this session: 1 of 1 right (100%)."
    )
    wait_for_chart_texts(page, {"point 4:you said 2, EM gave 2"})  # two lines

    # Before M-step 1: nothing guessed yet, nothing to check.
    expect(quiz).to_contain_text("Before M-step 1: where will each mean be?")
    expect(quiz.get_by_role("button", name="Check my guess")).to_be_disabled()
    # Guess that μ₁ stays, and move μ₂'s slider from 9.00 down to 8.80 with the keyboard.
    with expect_rerun(page):
        quiz.get_by_text("μ₁ stays", exact=True).click()
    expect(quiz.get_by_role("button", name="Check my guess")).to_be_enabled()
    slider = quiz.get_by_role("slider").nth(1)
    expect(slider).to_have_attribute("aria-valuetext", "9.00")
    slider.focus()
    for _ in range(20):
        slider.press("ArrowLeft")
    expect(slider).to_have_attribute("aria-valuetext", "8.80")
    # The dashed line of the guess follows the slider on the chart.
    page.wait_for_function(
        "() => (document.querySelector('.st-key-worked-chart .js-plotly-plot').data || [])"
        ".some(t => t.text && t.text[1] === 'your μ₂' && t.x[0] === 8.8)",
        timeout=TIMEOUT_MS,
    )
    wait_for_app(page)
    quiz.evaluate("box => box.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts_dir / "quiz_means_question.png")
    # The slider's keys moved the guess, not the run.
    expect(page.locator(".em-controls")).to_have_attribute("data-h", "1")
    with expect_rerun(page):
        quiz.get_by_role("button", name="Check my guess").click()
    page.wait_for_function(chart_at_js("worked"), arg=2, timeout=TIMEOUT_MS)
    expect(quiz).to_contain_text("M-step 1: 2 of 2 guessed means right.")
    expect(quiz).to_contain_text("μ₁ stayed at 2.00 (it moved by 5.0×10⁻⁸); you said it stays")
    expect(quiz).to_contain_text("μ₂ moved from 9.00 to 8.83; you said 8.80, 0.03 away")
    expect(page.get_by_text("Score this session")).to_have_text(
        "Score this session: 3 of 3 right (100%)."
    )
    wait_for_chart_texts(page, {"your μ₂ ✓", "new μ₂", "your μ₁ ✓", "new μ₁"})
    chart(page).evaluate("gd => gd.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts_dir / "quiz_means_checked.png")

    # The step buttons step without a score, and the answer leaves with its half-step.
    page.get_by_role("button", name="E-step", exact=True).click()
    page.wait_for_function(chart_at_js("worked"), arg=3, timeout=TIMEOUT_MS)
    expect(quiz).to_contain_text("Before M-step 2")
    expect(page.get_by_text("Score this session")).to_have_text(
        "Score this session: 3 of 3 right (100%)."
    )
    expect(quiz).not_to_contain_text("M-step 1: 2 of 2 guessed means right.")


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_screenshots_of_the_quiz(
    browser: Browser,
    app_server: str,
    wait_for_app,
    expect_rerun,
    artifacts_dir: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(browser, viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        open_with_quiz(page, app_server, wait_for_app, expect_rerun)
        wait_for_app(page, settle_ms=800)
        guess_the_claim(page, 1, expect_rerun)
        page.wait_for_function(chart_at_js("worked"), arg=1, timeout=TIMEOUT_MS)
        quiz = page.locator(".st-key-worked-quiz")
        expect(quiz).to_contain_text("You said component 1, whose responsibility is")
        expect(page.get_by_text("Score this session")).to_have_text(
            "Score this session: 0 of 1 right (0%)."
        )
        wait_for_chart_texts(page, {"point 4:you said 1, EM gave 2"})
        chart(page).evaluate("gd => gd.scrollIntoView({block: 'end'})")
        page.wait_for_timeout(200)
        page.screenshot(path=artifacts_dir / f"quiz_{width}x{height}_chart.png")
        quiz.evaluate("box => box.scrollIntoView({block: 'end'})")
        page.wait_for_timeout(200)
        page.screenshot(path=artifacts_dir / f"quiz_{width}x{height}_panel.png")
        # Every label of the quiz stays inside the chart.
        box = chart(page).bounding_box()
        for label in chart(page).locator(".textpoint text").all():
            inner = label.bounding_box()
            assert box["x"] <= inner["x"]
            assert inner["x"] + inner["width"] <= box["x"] + box["width"]
    finally:
        context.close()
