"""What a student does, in a real Chromium (TESTING.md C2 and C3).

Every number is read from the page as a student sees it: the metric's text, the parameter
table (a plain HTML table, ``st.table``), the KaTeX of the formulas, and the
Plotly chart's own state (``_fullLayout`` / ``_fullData`` of the plotly div and the SVG it drew).

Streamlit draws widgets and charts lazily, *after* the script run has ended, so every read
below waits on a condition (Playwright's ``expect`` or ``wait_for_function``) rather than
reading once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from app_harness import CHART_HALF_STEP_JS, chart_at_js, new_context
from browser_helpers import choose_option
from playwright.sync_api import Browser, Locator, Page, expect

from scripts.screenshot import take_screenshot

START_LOGLIK = "−10.5475"
AFTER_ONE_ITERATION_LOGLIK = "−8.5682"
# Worked example: two iterations, so half-steps 0 … 5.
WORKED_LABELS = ["Start", "E-step 1", "M-step 1", "E-step 2", "M-step 2", "E-step 3"]
CHART_TIMEOUT_MS = 30_000

TWO_CLUSTERS_CSV = (
    "x,y\n1.0,1.2\n1.5,0.8\n0.7,1.1\n1.2,1.4\n0.9,0.6\n2.5,3.5\n"
    "5.0,5.2\n5.5,4.8\n4.7,5.1\n5.2,5.6\n4.9,4.6\n3.0,3.1\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


# --------------------------------------------------------------------------------------------
# Reading the page


def chart(page: Page, key: str) -> Locator:
    """The stepping view's animated chart (``st.plotly_chart(key=f"{key}.chart")``)."""
    return page.locator(f".st-key-{key}-chart .js-plotly-plot")


def open_stepping_page(page: Page, url: str, key: str, wait_for_app) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(chart(page, key).locator(".main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)


_CHART_STATE_JS = """
(gd) => {
    const title = gd.querySelector('.gtitle');
    const current = title ? title.textContent : null;
    const paths = {};
    for (const g of gd.querySelectorAll('.scatterlayer > .trace')) {
        const line = g.querySelector('path.js-line');
        paths[g.__data__[0].trace.name] = line ? line.getAttribute('d') : null;
    }
    const traces = {};
    for (const t of gd._fullData) {
        // A legend's entry alone (the points' grey swatch) draws nothing.
        if (t.x && t.x.length === 1 && t.x[0] === null) { continue; }
        traces[t.name] = {
            x: t.x ? Array.from(t.x) : null,
            y: t.y ? Array.from(t.y) : null,
            color: t.marker && Array.isArray(t.marker.color) ? t.marker.color : null,
        };
    }
    return {active: (CHART_HALF_STEP)(gd), current, paths, traces};
}
""".replace("CHART_HALF_STEP", CHART_HALF_STEP_JS.strip())


def chart_state(page: Page, key: str) -> dict[str, Any]:
    """The half-step the chart shows and its title, each scatter trace's SVG path and data."""
    return chart(page, key).evaluate(_CHART_STATE_JS)


def wait_for_chart_at(page: Page, key: str, h: int) -> dict[str, Any]:
    """Wait until the chart shows half-step ``h`` (data and title), and return its state."""
    page.wait_for_function(chart_at_js(key), arg=h, timeout=CHART_TIMEOUT_MS)
    return chart_state(page, key)


def wait_for_curve_to_move(page: Page, key: str, name: str, before: str | None) -> None:
    """Wait until trace ``name``'s SVG path differs from ``before`` (Plotly may draw it a
    frame after it updated its state, or ease it in over a transition)."""
    page.wait_for_function(
        """([selector, name, before]) => {
            const gd = document.querySelector(selector);
            if (!gd) { return false; }
            for (const g of gd.querySelectorAll('.scatterlayer > .trace')) {
                if (g.__data__[0].trace.name === name) {
                    const line = g.querySelector('path.js-line');
                    return line !== null && line.getAttribute('d') !== before;
                }
            }
            return false;
        }""",
        arg=[f".st-key-{key}-chart .js-plotly-plot", name, before],
        timeout=CHART_TIMEOUT_MS,
    )


def metric_value(page: Page) -> Locator:
    return page.get_by_test_id("stMetricValue")


def parameter_grid(page: Page) -> Locator:
    """The Parameters tab's table (a plain HTML table: one row per component)."""
    page.get_by_role("tab", name="Parameters", exact=True).click()
    return page.get_by_role("tabpanel").get_by_test_id("stTable").locator("table").first


def read_grid(grid: Locator) -> list[dict[str, str]]:
    """The rows of an HTML table, as {column header: cell text}."""
    rows = grid.evaluate(
        "t => Array.from(t.querySelectorAll('tr'))"
        ".map(r => Array.from(r.children).map(c => c.textContent))"
    )
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def step(page: Page, name: str, expect_rerun) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    expect(button).to_be_enabled()
    with expect_rerun(page):
        button.click()


# --------------------------------------------------------------------------------------------
# The worked example


def test_worked_example_one_iteration_moves_the_numbers_and_the_curves(
    page: Page, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    open_stepping_page(page, f"{app_server}/worked_example", "worked", wait_for_app)
    expect(metric_value(page)).to_have_text(START_LOGLIK)
    start = wait_for_chart_at(page, "worked", 0)
    assert start["current"] == "Start"
    grid = parameter_grid(page)
    expect(grid).to_be_attached()
    assert [(r["μ"], r["σ"], r["π"]) for r in read_grid(grid)] == [
        ("2", "1", "0.5"),
        ("9", "1", "0.5"),
    ]

    # E-step: the points take colours, the curves stay where they are.
    step(page, "E-step", expect_rerun)
    after_e = wait_for_chart_at(page, "worked", 1)
    assert after_e["current"] == "E-step 1"
    assert after_e["paths"]["component 2"] == start["paths"]["component 2"]
    assert after_e["traces"]["data points"]["color"] != start["traces"]["data points"]["color"]
    expect(metric_value(page)).to_have_text(START_LOGLIK)
    grid_after_e = grid.text_content()

    # M-step: the curves move to the numbers of the article.
    step(page, "M-step", expect_rerun)
    wait_for_chart_at(page, "worked", 2)
    for name in ["component 1", "component 2"]:
        wait_for_curve_to_move(page, "worked", name, after_e["paths"][name])
    after_m = chart_state(page, "worked")
    assert after_m["current"] == "M-step 1"
    assert after_m["traces"]["data points"]["color"] == after_e["traces"]["data points"]["color"]
    expect(metric_value(page)).to_have_text(AFTER_ONE_ITERATION_LOGLIK)

    expect(grid).not_to_have_text(grid_after_e)
    rows = read_grid(grid)
    assert [r["component"] for r in rows] == ["1", "2"]
    mu = [float(r["μ"]) for r in rows]
    sigma = [float(r["σ"]) for r in rows]
    pi = [float(r["π"]) for r in rows]
    assert mu == pytest.approx([2.0, 8.833], abs=5e-4)
    assert sigma == pytest.approx([0.408, 0.624], abs=5e-4)
    assert pi == pytest.approx([0.5, 0.5], abs=5e-4)

    # The formulas write out the same numbers (KaTeX keeps its TeX source in the page).
    page.get_by_role("tab", name="Formulas with these numbers").click()
    tex = page.get_by_role("tabpanel").locator(".katex-mathml annotation")
    expect(tex.first).to_contain_text(r"\mathcal{N}(1.5 \mid 8.833, 0.389)")
    expect(tex.first).to_contain_text(r"\mathcal{N}(1.5 \mid 2.000, 0.167)")
    page.screenshot(path=artifacts_dir / "worked_example_after_m_step.png")


def test_play_runs_the_frames_in_the_browser_and_pause_stops_them(
    page: Page, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    open_stepping_page(page, f"{app_server}/worked_example", "worked", wait_for_app)
    # Slow (1.2 s a frame), so the run is still under way when Pause is pressed. The speed is
    # set in the browser: no rerun.
    page.get_by_role("radio", name="Slow", exact=True).click()
    start = wait_for_chart_at(page, "worked", 0)
    plot = chart(page, "worked")

    plot.locator(".updatemenu-button").filter(has_text="Play").click()
    # Two frames on: the M-step's frame, where the curves move. No rerun is needed.
    page.wait_for_function(
        f"gd => ({CHART_HALF_STEP_JS})(gd) >= 2",
        arg=plot.element_handle(),
        timeout=CHART_TIMEOUT_MS,
    )
    wait_for_curve_to_move(page, "worked", "component 2", start["paths"]["component 2"])
    playing = chart_state(page, "worked")
    assert playing["current"] in WORKED_LABELS[2:]
    assert page.get_by_test_id("stApp").get_attribute("data-test-script-state") == "notRunning"

    plot.locator(".updatemenu-button").filter(has_text="Pause").click()
    paused_at = chart_state(page, "worked")["active"]
    # Nothing to wait for when nothing should happen: watch for longer than two frames.
    page.wait_for_timeout(3_000)
    still = chart_state(page, "worked")
    assert still["active"] == paused_at < len(WORKED_LABELS) - 1, (
        f"Pause did not stop the animation: it went on from {paused_at} to {still['active']}"
    )
    page.screenshot(path=artifacts_dir / "worked_example_paused.png")


def test_two_sessions_do_not_share_their_position(
    browser: Browser, page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    first = page
    context = new_context(browser, viewport={"width": 1400, "height": 900})
    try:
        second = context.new_page()
        open_stepping_page(first, f"{app_server}/worked_example", "worked", wait_for_app)
        open_stepping_page(second, f"{app_server}/worked_example", "worked", wait_for_app)

        for name in ["E-step", "M-step", "E-step"]:
            step(first, name, expect_rerun)
        wait_for_chart_at(first, "worked", 3)
        expect(metric_value(first)).to_have_text(AFTER_ONE_ITERATION_LOGLIK)

        # The second session reruns (another tab) and is still at the start.
        with expect_rerun(second):
            second.get_by_role("tab", name="Responsibilities", exact=True).click()
        wait_for_chart_at(second, "worked", 0)
        expect(metric_value(second)).to_have_text(START_LOGLIK)
        expect(second.get_by_role("button", name="Back", exact=True)).to_be_disabled()
        expect(second.get_by_role("button", name="Reset", exact=True)).to_be_disabled()

        step(second, "E-step", expect_rerun)
        wait_for_chart_at(second, "worked", 1)

        # The first session reruns too, and has not moved.
        with expect_rerun(first):
            first.get_by_role("tab", name="Responsibilities", exact=True).click()
        state = wait_for_chart_at(first, "worked", 3)
        assert state["current"] == "E-step 2"
        expect(metric_value(first)).to_have_text(AFTER_ONE_ITERATION_LOGLIK)
        expect(first.get_by_role("button", name="M-step", exact=True)).to_be_enabled()
        expect(second.get_by_role("button", name="M-step", exact=True)).to_be_enabled()
        expect(metric_value(second)).to_have_text(START_LOGLIK)
    finally:
        context.close()


# --------------------------------------------------------------------------------------------
# Your own data


def choose_upload(page: Page, wait_for_app) -> Locator:
    """Pick "Upload a file" and return the file input.

    Waited for by its outcome rather than with ``expect_rerun``: this rerun stops early (no
    file yet), fast enough that the browser may never draw the "running" state.
    """
    page.get_by_text("Upload a file", exact=True).click()
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(file_input).to_be_attached()
    wait_for_app(page)
    return file_input


def test_uploaded_csv_gives_a_scatter_whose_ellipses_move_and_a_bad_file_an_error(
    page: Page, app_server: str, wait_for_app, expect_rerun, artifacts_dir: Path
) -> None:
    page.goto(f"{app_server}/your_data")
    wait_for_app(page)
    expect(page.get_by_text("Upload a file", exact=True)).to_be_visible()
    file_input = choose_upload(page, wait_for_app)

    with expect_rerun(page):
        file_input.set_input_files(
            files=[{"name": "two.csv", "mimeType": "text/csv", "buffer": TWO_CLUSTERS_CSV.encode()}]
        )
    columns = page.get_by_test_id("stMultiSelect").filter(has_text="Columns to fit")
    expect(columns).to_contain_text(re.compile(r"\bx\s+y$"), use_inner_text=True)
    expect(chart(page, "data").locator(".main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("Uploaded file two.csv.")).to_be_visible()
    start = wait_for_chart_at(page, "data", 0)
    ellipses = [name for name in start["traces"] if re.fullmatch(r"component \d \(\dσ\)", name)]
    assert sorted(ellipses) == [
        "component 1 (1σ)",
        "component 1 (2σ)",
        "component 2 (1σ)",
        "component 2 (2σ)",
    ]
    assert len(start["traces"]["data points"]["x"]) == 12
    legend = chart(page, "data").locator("text.legendtext")
    expect(legend.filter(has_text="component 1 (1σ)")).to_have_count(1)
    chart(page, "data").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "your_data_upload.png")

    wait_for_app(page, settle_ms=800)  # the upload's last run has ended, as a person waits
    step(page, "Next iteration", expect_rerun)
    moved = wait_for_chart_at(page, "data", 2)
    for name in ellipses:
        assert moved["traces"][name]["x"] != start["traces"][name]["x"], name
        assert moved["traces"][name]["y"] != start["traces"][name]["y"], name

    # A PNG with a .csv name: a message in plain words, no stack trace. (This rerun stops
    # at once, too fast for expect_rerun to be sure to see it: wait for its outcome.)
    file_input.set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": PNG_BYTES}]
    )
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_be_visible()
    wait_for_app(page)
    expect(error).to_contain_text("not a text table")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(chart(page, "data")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "your_data_bad_file.png")


# Counts what the page sends to the server (each click of a step button is one message).
COUNT_SENT_JS = """
(() => {
    window.__emSent = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...args) {
        window.__emSent += 1;
        return send.apply(this, args);
    };
})();
"""


def test_a_click_right_after_an_upload_moves_the_page(
    browser: Browser, app_server: str, wait_for_app, expect_rerun
) -> None:
    """Next iteration, clicked as soon as the uploaded data's chart is drawn, takes the page
    to M-step 1 and it stays there, and the click asks the server for one run only. (The
    step buttons are mounted anew by the upload's run; those of the page's first data set,
    gone from the page, once took the new chart's events and answered the click's move as
    if Play had stopped, sending the half-step back: about one quick click in ten, more
    under load, was lost.)"""
    for attempt in range(4):
        context = new_context(browser, viewport={"width": 1400, "height": 900})
        context.add_init_script(COUNT_SENT_JS)
        try:
            page = context.new_page()
            page.goto(f"{app_server}/your_data")
            wait_for_app(page)
            expect(page.locator(".em-controls")).to_have_attribute("data-h", "0")
            file_input = choose_upload(page, wait_for_app)
            with expect_rerun(page):
                file_input.set_input_files(
                    files=[
                        {
                            "name": f"quick{attempt}.csv",
                            "mimeType": "text/csv",
                            "buffer": TWO_CLUSTERS_CSV.encode(),
                        }
                    ]
                )
            wait_for_chart_at(page, "data", 0)
            sent = page.evaluate("window.__emSent")
            step(page, "Next iteration", expect_rerun)
            wait_for_chart_at(page, "data", 2)
            wait_for_app(page, settle_ms=500)
            assert page.evaluate("window.__emSent") - sent == 1, f"attempt {attempt}"
            assert chart_state(page, "data")["active"] == 2, f"attempt {attempt}"
            expect(page.locator(".st-key-data-h").get_by_role("slider")).to_have_attribute(
                "aria-valuetext", "M-step 1"
            )
            assert "data.h=M-step+1" in page.url
        finally:
            context.close()


def test_columns_to_fit_follow_a_change_of_data_set(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    page.goto(f"{app_server}/your_data")
    wait_for_app(page)
    columns = page.get_by_test_id("stMultiSelect").filter(has_text="Columns to fit")
    expect(columns).to_contain_text(re.compile(r"eruptions\s+waiting"), use_inner_text=True)
    choose_option(page, "Data set", "iris", expect_rerun)
    # The fit uses iris's four columns (the parameter table says so) …
    expect(page.get_by_role("tabpanel").get_by_test_id("stTable").first).to_be_attached()
    expect(page.get_by_text("Horizontal axis")).to_be_visible()
    # … and the widget should say so too, not show Old Faithful's columns.
    expect(columns).to_contain_text("Sepal.Length", timeout=5_000)


# --------------------------------------------------------------------------------------------
# The README's screenshot


def test_readme_screenshot_is_taken_mid_run(
    browser: Browser, app_server: str, artifacts_dir: Path
) -> None:
    out = take_screenshot(browser, app_server, artifacts_dir / "readme_screenshot.png")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1400
    assert 600 <= height <= 1200
    assert len(data) < 400_000
