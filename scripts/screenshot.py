"""Take the README's screenshot: the worked example mid-run, in a real Chromium.

    .venv/bin/python scripts/screenshot.py                     # writes docs/screenshot.png
    .venv/bin/python scripts/screenshot.py --out /tmp/shot.png

It starts ``streamlit run app.py`` on a free port (as the browser tests do, through
``tests/app_harness.py``), opens the worked example at 1400 px wide, presses E-step, M-step,
E-step (so the points are coloured by responsibility and the curves have moved once), waits
until the chart shows that half-step, and saves the top of the page: title, controls, chart
and log-likelihood. ``tests/test_browser_journeys.py`` runs :func:`take_screenshot` into
``test-artifacts/`` so this keeps working.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from app_harness import (  # noqa: E402
    APP_TIMEOUT_MS,
    ARTIFACTS,
    chart_at_js,
    chromium,
    new_context,
    rerun_around,
    running_app,
    wait_until_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DEFAULT_OUT = ROOT / "docs" / "screenshot.png"
# Tall enough that the whole chart is inside the viewport (Streamlit scrolls its own main
# block, so a full-page screenshot would not reach further down); the saved picture is cut
# to the title … chart part of it.
VIEWPORT = {"width": 1400, "height": 1150}
STEPS = ("E-step", "M-step", "E-step")
MARGIN_PX = 20


def take_screenshot(browser: Browser, base_url: str, out: Path) -> Path:
    """Open the worked example in a new context of ``browser``, step E, M, E and save a
    PNG of the top of the page to ``out``; returns ``out``."""
    from playwright.sync_api import expect

    out.parent.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, viewport=VIEWPORT, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/worked_example")
        wait_until_idle(page)
        chart = page.locator(".st-key-worked-chart")
        expect(chart.locator(".main-svg").first).to_be_visible(timeout=APP_TIMEOUT_MS)
        for name in STEPS:
            button = page.get_by_role("button", name=name, exact=True)
            expect(button).to_be_enabled(timeout=APP_TIMEOUT_MS)
            with rerun_around(page):
                button.click()
        page.wait_for_function(chart_at_js("worked"), arg=len(STEPS), timeout=APP_TIMEOUT_MS)
        expect(page.get_by_test_id("stMetricValue")).to_have_text("−8.5682")

        # No focus ring, no tooltip of the last button pressed.
        page.mouse.move(VIEWPORT["width"] - 5, VIEWPORT["height"] - 5)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        expect(page.get_by_test_id("stTooltipContent")).to_have_count(0)
        wait_until_idle(page)

        title = page.get_by_role("heading", level=1).bounding_box()
        navigation = page.get_by_test_id("stSidebarNav").bounding_box()
        box = chart.bounding_box()
        if title is None or box is None:
            raise RuntimeError("the worked example's title or chart is not on the page")
        bottom = box["y"] + box["height"]
        top = max(min(title["y"], navigation["y"] if navigation else title["y"]) - MARGIN_PX, 0)
        bottom = min(bottom + MARGIN_PX, VIEWPORT["height"])
        page.screenshot(
            path=out,
            clip={"x": 0, "y": top, "width": VIEWPORT["width"], "height": bottom - top},
            animations="disabled",
        )
    finally:
        context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    args = parser.parse_args(argv)
    with (
        running_app(ARTIFACTS / "screenshot-server.log") as app,
        chromium() as browser,
    ):
        out = take_screenshot(browser, app.url, args.out.resolve())
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
