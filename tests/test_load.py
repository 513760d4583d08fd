"""A class at once, and what goes wrong in a classroom (issue 9, "Load, kept as a test").

- Five sessions step at once through Streamlit's own websocket protocol (``st_client``,
  ``st_load``; the 30-session version is ``benchmarks/bench_load.py``): no error, and every
  view is the one the engine gives for that session's run at the half-step it asked for.
- A dropped connection comes back to the same session, where the student was; a new
  connection starts a clean session.
- In a real Chromium: a reload in the middle of ▶ Play, two tabs of one student stepping the
  same run, and the server restarted under an open page. After each, the page's half-step
  (its buttons and its slider), the chart's and the log-likelihood agree, with no exception,
  and the next click works.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import app_harness
import pytest
from app_harness import CHART_HALF_STEP_JS, running_app
from playwright.sync_api import Page, expect
from st_client import Session, StepperClient
from st_load import run_load, worked_example

KEY = "worked"
TIMEOUT_MS = 30_000
WORKED = worked_example()
# The slider's labels: "Start", then "E-step t+1" at h = 2t + 1 and "M-step t" at h = 2t.
LABELS = ["Start"] + [
    f"E-step {h // 2 + 1}" if h % 2 else f"M-step {h // 2}" for h in range(1, WORKED.last + 1)
]

# What the worked example's stepping view shows: the buttons' half-step, the chart's and the
# slider's label; null until all are drawn and the page is connected.
SHOWN_JS = f"""
() => {{
    const bar = document.querySelector('.st-key-{KEY}-controls .em-controls');
    const gd = document.querySelector('.st-key-{KEY}-chart .js-plotly-plot');
    const slider = document.querySelector('.st-key-{KEY}-h input[type="range"]');
    const app = document.querySelector('[data-testid="stApp"]');
    if (!bar || !gd || !slider || !app) {{ return null; }}
    if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') {{ return null; }}
    const chart = ({CHART_HALF_STEP_JS})(gd);
    if (chart === null) {{ return null; }}
    return {{buttons: Number(bar.dataset.h), chart, slider: slider.getAttribute('aria-valuetext')}};
}}
"""


def settled_view(page: Page, wait_for_app, *, timeout_ms: float = TIMEOUT_MS) -> int:
    """Once the page is idle and drawn, check that its parts agree; return the half-step."""
    wait_for_app(page, timeout_ms=timeout_ms)
    page.wait_for_function(SHOWN_JS, timeout=timeout_ms, polling=100)
    page.wait_for_timeout(500)  # longer than a chart frame at the fast speed
    wait_for_app(page, timeout_ms=timeout_ms)
    shown = page.wait_for_function(SHOWN_JS, timeout=timeout_ms, polling=100).json_value()
    h = shown["chart"]
    assert shown == {"buttons": h, "chart": h, "slider": LABELS[h]}, "the page disagrees"
    expected = WORKED.expected(h)
    expect(page.get_by_test_id("stMetricLabel")).to_have_text(expected.metric_label)
    expect(page.get_by_test_id("stMetricValue")).to_have_text(expected.metric_value)
    return h


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click(timeout=TIMEOUT_MS)


def wait_at(page: Page, wait_for_app, h: int, *, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the view settles at half-step ``h``, numbers and all."""
    page.wait_for_function(
        f"() => {{ const s = ({SHOWN_JS})(); return s && s.chart === {h}; }}",
        timeout=timeout_ms,
        polling=100,
    )
    assert settled_view(page, wait_for_app, timeout_ms=timeout_ms) == h


def open_worked(page: Page, url: str, wait_for_app) -> None:
    page.goto(f"{url}/worked_example")
    assert settled_view(page, wait_for_app) == 0


# --------------------------------------------------------------------------------------------
# Websocket sessions
# --------------------------------------------------------------------------------------------


def test_five_sessions_stepping_at_once_see_only_their_own_numbers(app_server: str) -> None:
    report = run_load(app_server, None, n_sessions=5, steps=8, timeout_s=60)
    assert report.errors == []
    wrong = [(r.scenario.page_name, e, s) for r in report.sessions for e, s in r.wrong]
    assert wrong == [], "views that are not the engine's for the half-step asked"
    assert report.saw_another == 0
    assert len(report.latencies_s) == 5 * 8
    # Every page or seed shows other numbers, so a leak between sessions would show.
    runs = {tuple(map(r.scenario.expected, range(r.scenario.last + 1))) for r in report.sessions}
    assert len(runs) == 3


def test_a_dropped_connection_comes_back_to_the_same_session(app_server: str) -> None:
    client = StepperClient(Session(app_server, "worked_example"), KEY)
    try:
        assert client.open() == WORKED.expected(0)
        for h in (1, 2, 3):
            view, _ = client.step_to(h)
            assert view == WORKED.expected(h)
        session_id = client.session.session_id
        client.session.close()

        client.session.connect(resume=True)
        # The browser reruns the page with its widget values on reconnecting.
        assert client.read(client.session.rerun()) == WORKED.expected(3)
        assert client.session.session_id == session_id
        view, _ = client.step_to(4)
        assert view == WORKED.expected(4)
    finally:
        client.session.close()

    fresh = StepperClient(Session(app_server, "worked_example"), KEY)
    try:
        assert fresh.open() == WORKED.expected(0), "a new session starts clean"
        assert fresh.session.session_id != session_id
    finally:
        fresh.session.close()


# --------------------------------------------------------------------------------------------
# In a real browser
# --------------------------------------------------------------------------------------------


def test_a_reload_in_the_middle_of_play_leaves_a_consistent_page(
    page: Page, app_server: str, wait_for_app
) -> None:
    open_worked(page, app_server, wait_for_app)
    page.get_by_role("radio", name="Slow", exact=True).click()
    page.locator(f".st-key-{KEY}-chart .updatemenu-button").filter(has_text="Play").click()
    page.wait_for_function(
        f"() => ({CHART_HALF_STEP_JS})(document.querySelector('.st-key-{KEY}-chart "
        ".js-plotly-plot')) >= 2",
        timeout=TIMEOUT_MS,
    )
    page.reload()
    h = settled_view(page, wait_for_app)
    # Nothing is still playing: a slow frame later the page is where it was.
    page.wait_for_timeout(1_500)
    assert settled_view(page, wait_for_app) == h
    target = min(h + 2, WORKED.last)
    click(page, "Next iteration" if target != h else "Back")
    wait_at(page, wait_for_app, target if target != h else h - 1)


def test_two_tabs_of_one_student_each_keep_their_own_place(
    page: Page, app_server: str, wait_for_app
) -> None:
    other = page.context.new_page()
    try:
        open_worked(page, app_server, wait_for_app)
        open_worked(other, app_server, wait_for_app)
        click(page, "E-step")
        click(other, "Next iteration")
        click(other, "Next iteration")
        wait_at(page, wait_for_app, 1)
        wait_at(other, wait_for_app, 4)
        click(page, "M-step")
        click(other, "Back")
        wait_at(page, wait_for_app, 2)
        wait_at(other, wait_for_app, 3)
    finally:
        other.close()


@contextlib.contextmanager
def server_on(port: int | None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``running_app`` on ``port`` (a free one if None); yields its URL."""
    if port is not None:
        monkeypatch.setattr(app_harness, "free_port", lambda: port)
    with running_app(app_harness.ARTIFACTS / "load-restart-server.log") as app:
        yield app.url


def test_a_server_restarted_under_an_open_page_is_reconnected(
    page: Page, wait_for_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    with server_on(None, monkeypatch) as url:
        open_worked(page, url, wait_for_app)
        for name, h in (("E-step", 1), ("M-step", 2), ("E-step", 3)):
            click(page, name)
            wait_at(page, wait_for_app, h)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-connection-state') !== 'CONNECTED'",
        timeout=TIMEOUT_MS,
    )
    port = int(url.rsplit(":", 1)[1])
    with server_on(port, monkeypatch):
        # Streamlit's page retries the connection by itself, with growing pauses.
        h = settled_view(page, wait_for_app, timeout_ms=45_000)
        click(page, "Back" if h else "E-step")
        wait_at(page, wait_for_app, h - 1 if h else 1)
