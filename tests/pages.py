"""Opening the app's pages in AppTest, for the tests of several pages."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PREPARED = "app_pages/prepared_run.py"


def open_page(page: str, *, timeout: float = 90) -> AppTest:
    """The app, run once, then switched to ``page`` and run again (no exception)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def upload_prepared_run(at: AppTest, raw: bytes, name: str = "run.json") -> AppTest:
    """Give *Open a prepared run* (open in ``at``) the trace ``raw`` as the file ``name``."""
    at.file_uploader(key="prepared.upload").set_value((name, raw, "application/json")).run()
    assert not at.exception, at.exception
    return at
