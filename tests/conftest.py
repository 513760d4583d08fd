"""Shared fixtures, chiefly for the tests that drive the app in a real Chromium.

A browser test looks like this::

    @pytest.mark.browser
    def test_something(page, app_server, wait_for_app, expect_rerun):
        page.goto(app_server)
        wait_for_app(page)                      # the first script run has finished
        with expect_rerun(page):                # a click that makes Streamlit rerun the script
            page.get_by_role("button", name="E-step").click()
        expect(page.get_by_text("iteration 1")).to_be_visible()

- ``app_server`` (session): the base URL of one ``streamlit run app.py`` on a free port of
  127.0.0.1, shared by every test; its output goes to ``test-artifacts/streamlit-server.log``
  (``streamlit-server-others.log`` in the part scripts/test.sh runs beside the browser tests).
- ``browser`` (session): Debian's ``/usr/bin/chromium`` driven by Playwright (never
  ``playwright install``, which cannot download here).
- ``page``: a new browser context (so a new Streamlit session) with a 1400×900 viewport; when
  the test fails, a screenshot is saved to ``test-artifacts/<test name>.png``.
- ``wait_for_app`` / ``expect_rerun``: the helpers below, handed out as fixtures so that test
  modules need not import ``conftest``.

Tests that use ``page`` or ``browser`` get the ``browser`` marker automatically, so
``pytest -m "not browser"`` leaves them out.

How "Streamlit has finished" is recognised (Streamlit 1.67): the root element
``[data-testid="stApp"]`` carries ``data-test-connection-state`` (``CONNECTED`` once the
websocket is up) and ``data-test-script-state``: ``initial`` before the first run,
``running`` / ``rerunRequested`` / ``stopRequested`` while a run is under way, ``notRunning``
when it is done (``compilationError`` if the script does not compile). These are the
attributes Streamlit's own end-to-end tests wait on.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from app_harness import (
    APP_TIMEOUT_MS,
    ARM_RERUN_JS,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    RERUN_SEEN_JS,
    SERVE,
    AppServerError,
    new_context,
    running_app,
    wait_until_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# The server, the browser's flags and the JavaScript that recognises "Streamlit has
# finished" live in tests/app_harness.py, shared with scripts/screenshot.py and
# benchmarks/bench_browser.py.


# --------------------------------------------------------------------------------------------
# Markers and failure reports
# --------------------------------------------------------------------------------------------

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Keep each phase's report on the item, so the `page` fixture knows whether the test failed.
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/`` at the repository root (gitignored), created if missing."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --------------------------------------------------------------------------------------------
# The Streamlit server
# --------------------------------------------------------------------------------------------


# scripts/test.sh runs the suite as two pytest processes side by side; each part's server
# writes its own log.
_PART = os.environ.get("EM_TEST_PART", "")
SERVER_LOG = ARTIFACTS / (f"streamlit-server-{_PART}.log" if _PART else "streamlit-server.log")


@pytest.fixture(scope="session")
def app_server(artifacts_dir: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT``) of the app started as ``scripts/start.sh`` starts
    it (``scripts/serve.py``: ``streamlit run app.py`` with its libraries loaded first), up for
    the session."""
    with contextlib.ExitStack() as stack:
        try:
            app = stack.enter_context(running_app(SERVER_LOG, script=SERVE))
        except AppServerError as error:
            pytest.fail(str(error), pytrace=False)
        yield app.url


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright's sync API."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing, and the browser tests need it. Run `bash scripts/test.sh`, "
            "which installs Debian's chromium, or `apt-get install chromium`. "
            "(`playwright install` cannot work here: it downloads its own browser build.)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _file_name(test_name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", test_name).strip("_") or "test"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Page]:
    """A fresh tab in its own browser context (a new Streamlit session), 1400×900."""
    from playwright.sync_api import Error as PlaywrightError

    context = new_context(browser, viewport={"width": 1400, "height": 900})
    try:
        tab = context.new_page()
        yield tab
        call_report = request.node.stash.get(_REPORTS, {}).get("call")
        if call_report is not None and call_report.failed:
            path = artifacts_dir / f"{_file_name(request.node.name)}.png"
            try:
                tab.screenshot(path=path, full_page=True)
            except PlaywrightError as error:  # a crashed tab must not hide the real failure
                print(f"could not save a screenshot to {path}: {error}", file=sys.stderr)
    finally:
        context.close()


# --------------------------------------------------------------------------------------------
# Waiting for Streamlit
# --------------------------------------------------------------------------------------------


def wait_for_app(
    page: Page,
    *,
    timeout_ms: float = APP_TIMEOUT_MS,
    settle_ms: float = 250,
    allow_exception: bool = False,
) -> None:
    """Wait until Streamlit has finished running the script, then check it did not raise.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A tab showing the app.
    timeout_ms : float
        How long to wait before failing.
    settle_ms : float
        How long the app must stay connected and idle in a row.
    allow_exception : bool
        If False (the default), fail when the page shows a Python exception
        (``[data-testid="stException"]``).
    """
    wait_until_idle(page, timeout_ms=timeout_ms, settle_ms=settle_ms)
    if not allow_exception:
        exceptions = page.locator('[data-testid="stException"]')
        if exceptions.count():
            pytest.fail(
                f"the app shows an exception:\n{exceptions.first.inner_text()}\n"
                f"{_last_server_traceback()}",
                pytrace=False,
            )


def _last_server_traceback() -> str:
    # showErrorDetails = "none" redacts the exception in the page; the server log has it.
    log_path = SERVER_LOG
    try:
        log = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    start = log.rfind("Uncaught app execution")
    if start < 0:
        return f"(no traceback found in {log_path})"
    return f"The server logged ({log_path}):\n{log[start : start + 5000]}"


@contextlib.contextmanager
def expect_rerun(
    page: Page, *, timeout_ms: float = APP_TIMEOUT_MS, allow_exception: bool = False
) -> Iterator[None]:
    """Around an action that makes Streamlit rerun: wait until that rerun has started and ended.

    The page must already show the app (call :func:`wait_for_app` first).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.evaluate(ARM_RERUN_JS)
    yield
    try:
        page.wait_for_function(RERUN_SEEN_JS, timeout=timeout_ms)
        rerun_started = True
    except PlaywrightTimeoutError:
        rerun_started = False
    if not rerun_started:
        pytest.fail(
            f"the action did not make Streamlit rerun within {timeout_ms:.0f} ms", pytrace=False
        )
    wait_for_app(page, timeout_ms=timeout_ms, allow_exception=allow_exception)


@pytest.fixture(name="wait_for_app")
def _wait_for_app_fixture() -> Callable[..., None]:
    """The :func:`wait_for_app` helper."""
    return wait_for_app


@pytest.fixture(name="expect_rerun")
def _expect_rerun_fixture() -> Callable[..., contextlib.AbstractContextManager[None]]:
    """The :func:`expect_rerun` helper."""
    return expect_rerun
