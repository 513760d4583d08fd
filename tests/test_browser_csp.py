"""The security headers of the README's reverse-proxy example keep the app working: in
Chromium, with every response of the app carrying them (added here as the proxy would, by
intercepting the responses), the worked example loads, steps and exports a PNG, and the
browser reports no violation of the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_harness import CHROMIUM, CHROMIUM_ARGS, chart_at_js, new_context
from playwright.sync_api import Browser, Page, Route, expect

README = Path(__file__).resolve().parent.parent / "README.md"
CHART_TIMEOUT_MS = 30_000

# Every violation the page sees, reported by the browser as an event on the document.
RECORD_VIOLATIONS_JS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
});
"""


def proxy_headers() -> dict[str, str]:
    """The ``add_header`` lines of the README's nginx block: name → value."""
    block = README.read_text(encoding="utf-8").split("```nginx", 1)[1].split("```", 1)[0]
    found = re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;', block, re.MULTILINE)
    return dict(found)


def test_the_proxy_example_sends_the_headers_a_deployed_app_needs() -> None:
    headers = proxy_headers()
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    policy = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy["default-src"] == ["'self'"]
    # No inline script but Streamlit's one line (by its hash), no script evaluated from text.
    assert "'self'" in policy["script-src"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] in (["'self'"], ["'none'"])


@pytest.fixture
def page_behind_proxy(browser: Browser) -> Iterator[Page]:
    """A tab of a Chromium that lets a page whose responses the test made (as the proxy's)
    reach the app's server on 127.0.0.1: Chromium's local network access checks would take
    such a page for a public site's, and refuse its websocket."""
    flags = [*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"]
    proxied = browser.browser_type.launch(executable_path=CHROMIUM, args=flags)
    try:
        yield new_context(proxied, viewport={"width": 1400, "height": 900}).new_page()
    finally:
        proxied.close()


def test_the_app_loads_steps_and_exports_a_png_under_the_proxys_headers(
    page_behind_proxy: Page, app_server: str, wait_for_app, tmp_path: Path
) -> None:
    page, headers = page_behind_proxy, proxy_headers()
    console = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and console.append(message.text),
    )

    def with_headers(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, **headers})

    page.route(f"{app_server}/**", with_headers)
    page.add_init_script(RECORD_VIOLATIONS_JS)
    page.goto(f"{app_server}/worked_example")
    wait_for_app(page)
    assert page.evaluate("() => window.__cspViolations") == []
    chart = page.locator(".st-key-worked-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    for h, name in enumerate(["E-step", "M-step"], start=1):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_function(chart_at_js("worked"), arg=h, timeout=CHART_TIMEOUT_MS)
    wait_for_app(page)
    chart.hover()
    with page.expect_download(timeout=60_000) as download:
        chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    path = tmp_path / "chart.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__cspViolations") == []
    assert console == []
