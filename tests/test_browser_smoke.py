"""A real Chromium opens the app and sees its home page."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_home_page_shows_the_title(
    page: Page, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    page.goto(app_server)
    wait_for_app(page)

    expect(page.get_by_role("heading", name="EM for Gaussian mixtures", level=1)).to_be_visible()
    expect(page).to_have_title("EM for Gaussian mixtures")
    page.screenshot(path=artifacts_dir / "home.png", full_page=True)
