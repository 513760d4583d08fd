"""The app with the keyboard alone, and the charts' text alternative (TESTING.md C10).

No mouse event at all: only ``page.keyboard`` (Tab, Shift+Tab, Enter, space, arrows, typed
text). Every element acted on shows where the focus is (an outline or a ring), and a step
button pressed keeps the focus after the rerun it causes. The chart's text alternative, a
polite live region, follows the half-step — the step buttons' moves in the browser and
Play's frames included — and says the numbers of the page's parameter table. Play respects
``prefers-reduced-motion``.
"""

from __future__ import annotations

import re

from app_harness import new_context
from browser_helpers import at_half_step, keys_ready
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

KEY = "worked"
TAB_LIMIT = 80

# What has the focus, and whether it is drawn: an outline (not "none") or a box shadow.
FOCUS_JS = """() => {
    const PRIMARY = "59, 91, 219";
    const ringed = (el) => {
        const style = getComputedStyle(el);
        return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            || style.boxShadow !== 'none';
    };
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const name = (e.getAttribute('aria-label') || e.textContent || '').trim();
    return {
        name: name.slice(0, 80),
        tag: e.tagName,
        role: e.getAttribute('role'),
        step: e.dataset ? e.dataset.step || null : null,
        drawn: ringed(e) || [1, 2, 3, 4].some((up) => {
            // A field's ring is drawn by the box around it (Streamlit's inputs): its border
            // takes the theme's primary colour.
            let box = e;
            for (let i = 0; i < up && box; i += 1) box = box.parentElement;
            return box && (ringed(box) || getComputedStyle(box).borderColor.includes(PRIMARY));
        }),
    };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUS_JS)


def assert_focus_drawn(page: Page) -> None:
    """The focused element shows its focus (a field's box takes its colour once React has
    drawn it, so this waits a little for it)."""
    try:
        page.wait_for_function(f"() => ({FOCUS_JS})()?.drawn === true", timeout=2_000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the focus on {focused(page)} is not drawn") from None


def tab_to(page: Page, name: str | re.Pattern, *, back: bool = False, role=None) -> dict:
    """Press Tab (Shift+Tab with ``back``) until the focused element's name matches; it must
    show its focus."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if now is None:
            continue
        matches = (
            re.search(name, now["name"]) if isinstance(name, re.Pattern) else (now["name"] == name)
        )
        if matches and (role is None or now["role"] == role):
            assert_focus_drawn(page)
            return now
    raise AssertionError(f"Tab never reached {name!r}")


def live_text(page: Page) -> str:
    return page.locator(".em-chart-text").first.text_content() or ""


def expect_live(page: Page, starts: str) -> None:
    expect(page.locator(".em-chart-text").first).to_have_text(re.compile("^" + re.escape(starts)))


def press_keeping_focus(page: Page, key: str, wait_for_app, step: str, h: int) -> None:
    """Press ``key`` on the focused step button ``step``: the view moves to h, and once the
    page has caught up the button still has the focus, drawn."""
    page.keyboard.press(key)
    at_half_step(page, KEY, h)
    wait_for_app(page)
    now = focused(page)
    assert now is not None
    assert now["step"] == step, f"the focus left the button: {now}"
    assert_focus_drawn(page)


def test_the_keyboard_alone_reaches_and_steps_every_part(page: Page, app_server, wait_for_app):
    page.goto(app_server)
    wait_for_app(page)
    tab_to(page, re.compile("Worked example$"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.locator(f".st-key-{KEY}-chart .main-svg").first).to_be_visible()
    expect_live(page, "Start: log-likelihood ℓ(θ₀) = −10.5475")

    # E, M and back, with the buttons; the focus stays on the button pressed.
    tab_to(page, "E-step")
    press_keeping_focus(page, "Enter", wait_for_app, "e", 1)
    expect_live(page, "E-step 1:")
    tab_to(page, "M-step")
    press_keeping_focus(page, " ", wait_for_app, "m", 2)
    expect_live(page, "M-step 1: log-likelihood ℓ(θ₁) = −8.5682")
    tab_to(page, "Back", back=True)
    press_keeping_focus(page, "Enter", wait_for_app, "back", 1)
    expect_live(page, "E-step 1:")

    # Play and Pause on the chart: the text follows the frames Play shows.
    tab_to(page, "Play", role="button")
    page.keyboard.press("Enter")
    expect(page.locator(".em-chart-text").first).not_to_have_text(re.compile("^E-step 1:"))
    tab_to(page, "Pause", role="button")
    page.keyboard.press("Enter")
    wait_for_app(page, settle_ms=600)
    shown = page.locator(".em-controls").get_attribute("data-h")
    labels = ["Start", "E-step 1", "M-step 1", "E-step 2", "M-step 2", "E-step 3"]
    expect_live(page, labels[int(shown or 0)] + ":")

    # The formulas' tab, from the tab list with the arrow keys.
    tab_to(page, "Parameters", role="tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("E-step for one point")).to_be_visible()
    # Streamlit's KaTeX writes each formula twice: as MathML, which screen readers read,
    # and as the drawn HTML, hidden from them.
    formulas = page.locator(".katex")
    expect(formulas.first).to_be_visible()
    assert formulas.count() == page.locator(".katex > .katex-mathml > math").count() > 0
    assert page.locator(".katex > .katex-html:not([aria-hidden='true'])").count() == 0

    # K, typed: the step keys do nothing while the cursor is in a field.
    tab_to(page, "Start from", back=True)
    page.keyboard.type("K-means")
    page.keyboard.press("Enter")
    wait_for_app(page)
    tab_to(page, "Number of components K")
    before = page.locator(".em-controls").get_attribute("data-h")
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    page.keyboard.press("m")  # not a number's character: the field refuses it, no M-step
    assert page.locator(".em-controls").get_attribute("data-h") == before
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.locator(".em-chart-text").first).to_contain_text("component 3:")
    expect_live(page, "Start: log-likelihood")

    # Your own data: a data set chosen and stepped.
    tab_to(page, re.compile("Your own data$"), back=True)
    page.keyboard.press("Enter")
    wait_for_app(page)
    tab_to(page, "Data set")
    page.keyboard.type("Old Faithful")
    page.keyboard.press("Enter")
    wait_for_app(page)
    tab_to(page, "E-step")
    page.keyboard.press("Enter")
    expect_live(page, "E-step 1: log-likelihood")
    assert re.search(r"component 1: μ\[eruptions\] = [\d.]+", live_text(page))


def test_the_chart_text_says_the_parameter_tables_numbers(page: Page, app_server, wait_for_app):
    page.goto(f"{app_server}/worked_example")
    wait_for_app(page)
    keys_ready(page, KEY)
    for key in ("e", "m", "e", "m"):
        page.keyboard.press(key)
    at_half_step(page, KEY, 4)
    wait_for_app(page)
    expect_live(page, "M-step 2:")
    table = page.get_by_test_id("stTable").first
    header = [c.strip() for c in table.locator("thead th").all_inner_texts()]
    rows = [
        [c.strip() for c in r.locator("td, th").all_inner_texts()]
        for r in table.locator("tbody tr").all()
    ]
    text = live_text(page)
    for row in rows:
        cells = dict(zip(header[-len(row) :], row, strict=True))
        said = ", ".join(f"{name} = {cells[name]}" for name in ("μ", "σ", "π"))
        assert f"component {cells['component']}: {said}" in text.replace("−", "-")
    metric = page.get_by_test_id("stMetricValue").first.inner_text()
    assert f"= {metric};" in text


def test_play_has_no_animated_transition_under_reduced_motion(browser: Browser, app_server):
    durations = {}
    for motion in ("no-preference", "reduce"):
        context = new_context(
            browser, viewport={"width": 1400, "height": 900}, reduced_motion=motion
        )
        try:
            page = context.new_page()
            page.goto(f"{app_server}/worked_example")
            play = page.locator(f".st-key-{KEY}-chart .updatemenu-button").first
            expect(play).to_have_attribute("role", "button", timeout=60_000)
            expect(page.locator(".em-controls")).to_have_attribute("data-h", "0", timeout=60_000)
            # What plotly.js runs when Play is pressed: the options bound to its button, once
            # the step buttons have set Play's speed (a reduced motion's 0 may come a little
            # after the button is drawn; it must come within seconds).
            duration = "(e) => e.__data__.args[1].transition.duration"
            if motion == "reduce":
                page.wait_for_function(f"e => ({duration})(e) === 0", arg=play.element_handle())
            durations[motion] = play.evaluate(duration)
        finally:
            context.close()
    assert durations["no-preference"] > 0
    assert durations["reduce"] == 0
