"""One limit, one unit: the browser's uploader lets through a file of exactly the readers'
limit, 16 MB (16,000,000 bytes; the uploader counts MB of 1,000,000 bytes, and so do the
readers' messages and the README), and refuses one byte more in the same words, before the
file is sent. (With the readers at 16 MiB and the uploader at 16 MB, a 16,000,002-byte trace
got "File must be 16.0MB or smaller" while the README promised 16 MiB.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from em_core.trace_json import MAX_TRACE_BYTES
from em_data import read_table

LIMIT = 16_000_000
# (page, uploader's radio option or None, file name, content of n bytes)
PAGES = [
    pytest.param(
        "your_data",
        "Upload a file",
        "big.csv",
        lambda n: b"\0" * n,  # refused at once, and not for its size: it is binary
        id="your_data",
    ),
    pytest.param(
        "prepared_run",
        None,
        "big.json",
        lambda n: b'{"a":"' + b"x" * (n - 8) + b'"}',  # not a trace, but not for its size
        id="prepared_run",
    ),
]


def test_the_readers_share_the_limit() -> None:
    import inspect

    assert inspect.signature(read_table).parameters["max_bytes"].default == LIMIT
    assert MAX_TRACE_BYTES == LIMIT


def _upload(page: Page, expect_rerun, path: Path, content: bytes, *, sent: bool) -> None:
    # From a file on disk: the browser reads it itself, much faster than a buffer sent to it.
    path.write_bytes(content)
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(file_input).to_be_attached()
    if not sent:  # refused by the uploader itself: the page does not run
        file_input.set_input_files(path)
        return
    with expect_rerun(page):
        file_input.set_input_files(path)


@pytest.mark.parametrize(("url_path", "option", "name", "content"), PAGES)
def test_a_file_of_the_limit_passes_the_uploader_and_one_byte_more_is_refused_in_the_same_unit(
    page: Page,
    app_server: str,
    wait_for_app,
    expect_rerun,
    tmp_path: Path,
    url_path,
    option,
    name,
    content,
) -> None:
    page.goto(f"{app_server}/{url_path}")
    wait_for_app(page)
    if option is not None:
        with expect_rerun(page):
            page.get_by_text(option, exact=True).click()
    error = page.get_by_test_id("stAlertContentError")
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_contain_text("16MB per file")

    _upload(page, expect_rerun, tmp_path / f"limit-{name}", content(LIMIT), sent=True)
    wait_for_app(page, timeout_ms=60_000)
    expect(error).to_be_visible()  # the reader's, on the file's content, not on its size
    assert "16,000,00" not in (error.text_content() or "")
    expect(uploader).not_to_contain_text("must be")

    _upload(page, expect_rerun, tmp_path / f"over-{name}", content(LIMIT + 1), sent=False)
    expect(uploader).to_contain_text("File must be 16.0MB or smaller")
