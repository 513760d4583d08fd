"""One limit, one unit: the browser's uploader lets through a file of exactly the readers'
16 MiB (16,777,216 bytes), and one byte more is refused by the reader's own message, which
says both numbers. (Streamlit's uploader counts in MB of 1,000,000 bytes: at 16 it refused
16,000,002 bytes with "File must be 16.0MB or smaller".)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from em_core.trace_json import MAX_TRACE_BYTES
from em_data import read_table

LIMIT = 16 * 2**20
# (page, uploader's radio option or None, file name, content of n bytes, message at n + 1)
PAGES = [
    pytest.param(
        "your_data",
        "Upload a file",
        "big.csv",
        lambda n: b"\0" * n,  # refused at once, and not for its size: it is binary
        "The file has 16,777,217 bytes; the most this app reads is 16,777,216 bytes (16 MiB).",
        id="your_data",
    ),
    pytest.param(
        "prepared_run",
        None,
        "big.json",
        lambda n: b'{"a":"' + b"x" * (n - 8) + b'"}',  # not a trace, but not for its size
        "The file has 16,777,217 bytes; a trace may have at most 16,777,216 (16 MiB).",
        id="prepared_run",
    ),
]


def test_the_readers_share_the_limit() -> None:
    import inspect

    assert inspect.signature(read_table).parameters["max_bytes"].default == LIMIT
    assert MAX_TRACE_BYTES == LIMIT


def _upload(page: Page, expect_rerun, path: Path, content: bytes) -> None:
    # From a file on disk: the browser reads it itself, much faster than a buffer sent to it.
    path.write_bytes(content)
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(file_input).to_be_attached()
    with expect_rerun(page):
        file_input.set_input_files(path)


@pytest.mark.parametrize(("url_path", "option", "name", "content", "too_large"), PAGES)
def test_a_file_of_the_limit_passes_the_uploader_and_one_byte_more_gets_the_readers_message(
    page: Page,
    app_server: str,
    wait_for_app,
    expect_rerun,
    tmp_path: Path,
    url_path,
    option,
    name,
    content,
    too_large,
) -> None:
    page.goto(f"{app_server}/{url_path}")
    wait_for_app(page)
    if option is not None:
        with expect_rerun(page):
            page.get_by_text(option, exact=True).click()
    error = page.get_by_test_id("stAlertContentError")
    uploader = page.get_by_test_id("stFileUploader")

    _upload(page, expect_rerun, tmp_path / f"limit-{name}", content(LIMIT))
    wait_for_app(page, timeout_ms=60_000)
    expect(error).to_be_visible()  # the reader's, on the file's content
    assert "16,777,21" not in (error.text_content() or "")
    expect(uploader).not_to_contain_text("must be")

    _upload(page, expect_rerun, tmp_path / f"over-{name}", content(LIMIT + 1))
    wait_for_app(page)
    expect(error).to_contain_text(too_large)
    expect(uploader).not_to_contain_text("must be")
