"""Text from the user stays text (TESTING.md A10): a file name, a header cell or a bad cell
written as markdown or HTML is shown literally in the caption, the error, the chart and the
tables, and the browser asks nothing of any server but the app's own."""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np
from playwright.sync_api import Page, expect

import em_models.mixture.engine
from em_core.trace_json import dumps
from em_models.mixture.trace import trace_to_json

IMAGE_NAME = "![x](https://example.org/pixel.png).csv"
LINK_NAME = "[click me](https://example.org/a).csv"
# (A file that starts with HTML tags is refused as a web page, so the header is markdown.)
LINK_HEADER = "[click](https://example.org/h) **x**"


def _upload(page: Page, wait_for_app, expect_rerun, name: str, content: str) -> None:
    page.get_by_text("Upload a file", exact=True).click()
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(file_input).to_be_attached()
    wait_for_app(page)
    with expect_rerun(page):
        file_input.set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
        )


def _outside_requests(page: Page, app_server: str) -> list[str]:
    app_host = urlparse(app_server).netloc
    seen: list[str] = []
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).netloc not in (app_host, "")
            and not request.url.startswith(("data:", "blob:"))
            and seen.append(request.url)
        ),
    )
    return seen


def test_file_names_and_headers_show_literally_and_load_nothing(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    outside = _outside_requests(page, app_server)
    page.goto(f"{app_server}/your_data")
    wait_for_app(page)
    rows = "\n".join(f"{1 + (i % 7) * 0.3:.2f},{2 + (i % 5) * 0.7:.2f}" for i in range(40))
    _upload(page, wait_for_app, expect_rerun, IMAGE_NAME, f"{LINK_HEADER},y\n{rows}\n")
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Uploaded file")
    expect(caption).to_be_visible()
    # As typed, but for an invisible word joiner (U+2060) that keeps an address from a link.
    assert IMAGE_NAME in (caption.text_content() or "").replace("\u2060", "")
    chart = page.locator(".st-key-data-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=30_000)
    expect(chart.locator(".xtitle")).to_contain_text(LINK_HEADER)
    columns = page.get_by_test_id("stMultiSelect").filter(has_text="Columns to fit")
    expect(columns).to_contain_text(LINK_HEADER)
    # Nowhere in the page is there a link or an image the user's text made.
    links = page.locator('a[href*="example.org"]')
    assert links.count() == 0, links.first.evaluate("a => a.parentElement.parentElement.outerHTML")
    assert page.locator('img[src*="example.org"]').count() == 0

    page.wait_for_timeout(500)
    assert outside == [], f"the page asked other servers for {outside}"


def test_a_bad_cell_written_as_a_link_shows_literally_in_the_error(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    outside = _outside_requests(page, app_server)
    page.goto(f"{app_server}/your_data")
    wait_for_app(page)
    _upload(page, wait_for_app, expect_rerun, LINK_NAME, "x\n1\n2\n[bad](https://example.org/c)\n")
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("[bad](")
    assert "[bad](https://example.org/c)" in (error.text_content() or "").replace("\u2060", "")
    assert page.locator('a[href*="example.org"]').count() == 0
    page.wait_for_timeout(500)
    assert outside == [], f"the page asked other servers for {outside}"


# Bare addresses glued to a digit, a letter or punctuation, which GitHub-flavoured markdown
# may link depending on the character before them.
GLUED = (
    "2https://evil.example/c",
    "1www.evil.example",
    "xhttps://evil.example/x",
    "(www.evil.example/p)",
    "x.evil.example@mailto:y@evil.example",
)


def _evil_links(page: Page) -> int:
    return page.locator('a[href*="evil.example"]').count()


def test_an_address_glued_to_a_digit_in_a_bad_cell_is_no_link(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    page.goto(f"{app_server}/your_data")
    wait_for_app(page)
    _upload(page, wait_for_app, expect_rerun, "cells.csv", "x\n1\n2\n2https://evil.example/d\n")
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_be_visible()
    assert "2https://evil.example/d" in (error.text_content() or "").replace("\u2060", "")
    assert _evil_links(page) == 0


def test_glued_addresses_as_a_prepared_runs_column_names_are_no_links(
    page: Page, app_server: str, wait_for_app, expect_rerun
) -> None:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (20, len(GLUED))), rng.normal(4, 1, (20, len(GLUED)))])
    trace = em_models.mixture.engine.fit(X, 2, rng=0, tol=1e-4, max_iter=5)
    raw = dumps(trace_to_json(trace, X, list(GLUED))).encode()
    page.goto(f"{app_server}/prepared_run")
    wait_for_app(page)
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    with expect_rerun(page):
        file_input.set_input_files(
            files=[{"name": "run.json", "mimeType": "application/json", "buffer": raw}]
        )
    wait_for_app(page)
    chart = page.locator(".st-key-prepared-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=30_000)
    # The names are there, as text: in the caption and in the tables' headers.
    text = (page.locator('[data-testid="stMain"]').text_content() or "").replace("\u2060", "")
    for name in GLUED:
        assert name in text, name
    assert _evil_links(page) == 0, page.locator('a[href*="evil.example"]').first.evaluate(
        "a => a.parentElement.outerHTML"
    )
