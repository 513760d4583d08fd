"""The step buttons' one bridge to plotly.js's internals (em_ui/plotly_bridge.js).

plotly.js does not publish what the buttons need (whether a chart is drawn, its frames, its
Play button's options, the camera's file name), so the bridge reads plotly.js's private
state, and only the bridge does. Pinned here: to the plotly.js that Streamlit ships (an
upgrade that brings another one fails until the bridge has been checked against it, and its
``PLOTLY_CHECKED`` moved), and, on a chart of the app in Chromium, each function of the
bridge does what the buttons rely on.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit
from app_harness import ROOT, chart_at_js
from playwright.sync_api import Page, expect

BRIDGE = ROOT / "em_ui" / "plotly_bridge.js"
PRIVATE = ("_fullLayout", "_transitionData", "__data__", "_context")
TIMEOUT_MS = 30_000


def shipped_plotly_version() -> str:
    """The version of the plotly.js bundled in Streamlit's frontend."""
    static = Path(streamlit.__file__).parent / "static" / "static" / "js"
    (chunk,) = static.glob("PlotlyChart.*.js")
    found = set(re.findall(r'src/version\.js"\(\w+\)\{\w+\.version=`([0-9.]+)`', chunk.read_text()))
    assert len(found) == 1, f"no single plotly.js version in {chunk.name}: {found}"
    return found.pop()


def test_the_bridge_was_checked_with_the_plotly_js_streamlit_ships() -> None:
    checked = re.search(r'const PLOTLY_CHECKED = "([0-9.]+)";', BRIDGE.read_text()).group(1)
    assert shipped_plotly_version() == checked


def test_only_the_bridge_reads_plotly_js_private_state() -> None:
    for path in (ROOT / "em_ui").glob("*.js"), (ROOT / "em_viz").glob("*.js"):
        for script in path:
            if script != BRIDGE:
                code = re.sub(r"//.*", "", script.read_text())
                assert not [name for name in PRIVATE if name in code], script.name


# The bridge's functions, applied to the app's own chart (drawn by Streamlit's plotly.js).
BRIDGE_ON_CHART_JS = """
(gd) => {
  BRIDGE
  const play = playButton(gd);
  const frame = frameNamed(gd, "3");
  const animate = menuButtons(gd).filter((b) => b.method === "animate");
  const report = {
    drawn: chartDrawn(gd),
    notDrawn: chartDrawn(document.createElement("div")),
    frameHalfStep: frame && frame.layout.meta.half_step,
    missingFrame: frameNamed(gd, "no such frame") === undefined,
    animateButtons: animate.length,
    playIsElement: Boolean(play) && play[1] instanceof Element,
    filename: imageOptions(gd).filename,
  };
  // The title's words written in place; a title with markup inside is left to plotly.js.
  const title = () => gd.querySelector(".gtitle");
  report.drewMarkup = drawTitle(gd, "<b>E-step</b><br>1");
  report.drewBold = drawTitle(gd, "<b>E-step 9</b>");
  report.titleDrawn = [title().textContent, title().getAttribute("data-unformatted")];
  report.layoutTitle = gd._fullLayout.title.text;
  press(gd, "animate", [["3"], { frame: { duration: 0, redraw: true }, mode: "immediate" }]);
  report.playKeptItsOwnArgs = playButton(gd)[0].args[0][0] !== "3";
  return report;
}
"""


def test_each_function_of_the_bridge_works_on_a_chart_of_the_app(
    page: Page, app_server: str, wait_for_app
) -> None:
    page.goto(f"{app_server}/worked_example")
    wait_for_app(page)
    gd = page.locator(".st-key-worked-chart .js-plotly-plot")
    expect(gd.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(chart_at_js("worked"), arg=0, timeout=TIMEOUT_MS)
    report = gd.evaluate(BRIDGE_ON_CHART_JS.replace("BRIDGE", BRIDGE.read_text()))
    assert report == {
        "drawn": True,
        "notDrawn": False,
        "frameHalfStep": 3,
        "missingFrame": True,
        # Play and Pause, each in the layout as given and as drawn.
        "animateButtons": 4,
        "playIsElement": True,
        "filename": "em-worked-start",  # the camera saves the half-step on screen
        "playKeptItsOwnArgs": True,
        "drewMarkup": False,
        "drewBold": True,
        "titleDrawn": ["E-step 9", "<b>E-step 9</b>"],
        "layoutTitle": "<b>Start</b>",  # drawTitle draws; the frame sets the layout
    }
    # press() ran plotly.js's animate through Play: the chart is at half-step 3.
    page.wait_for_function(chart_at_js("worked"), arg=3, timeout=TIMEOUT_MS)
