"""Nothing flashes (WCAG 2.3.1): Play at its fastest speed stays under the general flash
threshold on the charts whose half-steps change the most.

A flash, in WCAG's words, is a pair of opposing changes in relative luminance of 10 % or more
where the darker image is below 0.80; content may flash more than three times in any one
second only where the flashing area is under 25 % of any 10° visual field (341 × 256 px at
1024 × 768). Play shows one half-step a frame, for the fastest speed's frame duration
(``SPEEDS`` in em_ui/controls.js), so a pixel changes at most once a frame: within one
second it can change at most ⌈1000 / duration⌉ times. (Play's transition, at most half a
frame, only slides points and curves from one place to the next.)

Each chart is drawn in Chromium from the view's own figure and moved to each of its first
half-steps in turn (stepping, not timing), a screenshot at each; in Python, every pixel's
relative luminance, its flash-sized changes from one half-step to the next, and the flashes
any second of Play at the fastest speed can hold. The pixels that flash more than three times
in a second must cover under 25 % of every 341 × 256 window of the chart.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable

import numpy as np
import pytest
from app_harness import ROOT, new_context
from PIL import Image
from playwright.sync_api import Browser, Page
from test_browser_chart_moves import PLOTLY_JS, WIDE_PX, hmm_on, mixture

from em_models.topics.corpus import make_bars
from em_models.topics.plsa import engine as plsa
from em_models.topics.view import TopicsView
from em_viz.contrast import luminance_of_rgb

HALF_STEPS = 9  # the start and the first four iterations, where the charts change the most
FIELD = (256, 341)  # 10° of sight at 1024 × 768, in pixels (rows, columns)
MAX_AREA = 0.25
MAX_FLASHES = 3  # a second
# WCAG's flash: a change of relative luminance of at least 0.1, the darker side below 0.8.
MIN_CHANGE, DARK_BELOW = 0.1, 0.8


def fastest_frame_ms() -> int:
    """The frame duration of Play's fastest speed, as the step buttons set it."""
    source = (ROOT / "em_ui" / "controls.js").read_text(encoding="utf-8")
    speeds = re.search(r"const SPEEDS = (\[.*?\]);", source)
    assert speeds is not None, "controls.js lists Play's speeds in SPEEDS"
    return min(ms for _, ms in json.loads(speeds.group(1)))


def topics_on_bars() -> TopicsView:
    """The topics page's default: pLSA with ten topics on 300 documents of the bars."""
    corpus = make_bars(300, seed=0).corpus
    return TopicsView(corpus, plsa.fit(corpus, 10, rng=0, tol=1e-3, max_iter=100))


CHARTS: dict[str, Callable] = {
    # K-means's start: every point grey, coloured at the first E-step.
    "Old Faithful, two columns": mixture("faithful", 2),
    "the ice cream's hidden Markov model": hmm_on("ice_cream"),
    "pLSA on the bars": topics_on_bars,
}

# Draw the figure, then show each half-step in turn (no transition), a screenshot of each.
SHOW_JS = """
async ([fig, h]) => {
    const gd = document.getElementById('chart');
    if (h === 0) { Plotly.purge(gd); await Plotly.newPlot(gd, fig); }
    else {
        await Plotly.animate(gd, [String(h)], {
            frame: {duration: 0, redraw: true}, transition: {duration: 0}, mode: 'immediate'});
    }
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return gd.layout.meta.half_step;
}
"""


def luminance(png: bytes) -> np.ndarray:
    """WCAG's relative luminance of every pixel of a PNG."""
    return luminance_of_rgb(np.asarray(Image.open(io.BytesIO(png)).convert("RGB")))


def flash_changes(frames: np.ndarray) -> np.ndarray:
    """For each step between frames and each pixel: +1 or −1 for a flash-sized change of
    luminance up or down, 0 otherwise (shape: frames − 1, rows, columns)."""
    change = np.diff(frames, axis=0)
    darker = np.minimum(frames[:-1], frames[1:])
    return np.sign(change) * ((np.abs(change) >= MIN_CHANGE) & (darker < DARK_BELOW))


def most_flashes(changes: np.ndarray, per_second: int) -> np.ndarray:
    """For each pixel, the most flashes (pairs of opposing changes) in any ``per_second``
    steps in a row: half the number of runs of changes in one direction."""
    most = np.zeros(changes.shape[1:], dtype=int)
    for start in range(max(1, len(changes) - per_second + 1)):
        last = np.zeros(changes.shape[1:])
        runs = np.zeros(changes.shape[1:], dtype=int)
        for step in changes[start : start + per_second]:
            turned = (step != 0) & (step != last)
            runs += turned
            last = np.where(step != 0, step, last)
        most = np.maximum(most, runs // 2)
    return most


def largest_share(mask: np.ndarray) -> float:
    """The largest share of a :data:`FIELD`-sized window that ``mask`` covers, over every
    place of the window (the chart padded with what does not flash)."""
    rows, cols = FIELD
    padded = np.zeros((max(rows, mask.shape[0]), max(cols, mask.shape[1])))
    padded[: mask.shape[0], : mask.shape[1]] = mask
    table = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = table[rows:, cols:] - table[:-rows, cols:] - table[rows:, :-cols] + table[:-rows, :-cols]
    return float(sums.max()) / (rows * cols)


@pytest.fixture(scope="module")
def blank(browser: Browser) -> Page:
    context = new_context(browser, viewport={"width": WIDE_PX, "height": 900})
    page = context.new_page()
    page.set_content("<div id='chart'></div>")
    page.add_script_tag(path=str(PLOTLY_JS))
    yield page
    context.close()


@pytest.mark.parametrize("name", list(CHARTS))
def test_play_at_its_fastest_does_not_flash(blank: Page, name: str) -> None:
    frame_ms = fastest_frame_ms()
    per_second = math.ceil(1000 / frame_ms)  # changes a pixel can make in one second
    view = CHARTS[name]()
    fig = json.loads(view.figure(0, narrow=False).to_json())
    shots = []
    for h in range(min(HALF_STEPS, view.n_half_steps)):
        assert blank.evaluate(SHOW_JS, [fig if h == 0 else None, h]) == h
        shots.append(luminance(blank.locator("#chart").screenshot()))
    changes = flash_changes(np.stack(shots))
    changed = max(largest_share(step != 0) for step in changes)
    flashes = most_flashes(changes, per_second)
    flashing = largest_share(flashes > MAX_FLASHES)
    print(
        f"{name}: at most {changed:.0%} of a 10° field changes between two half-steps; "
        f"at {frame_ms} ms a frame, a pixel flashes at most {flashes.max()} times a second"
    )
    assert changed > 0, f"{name}: the screenshots show no change from one half-step to the next"
    assert flashing < MAX_AREA, (
        f"{name}: {flashing:.0%} of a 10° field flashes more than {MAX_FLASHES} times a second "
        f"at Play's fastest speed ({frame_ms} ms a frame)"
    )


def test_the_flashes_are_counted_as_wcag_counts_them() -> None:
    # One pixel turning black and white at every step, one going darker twice then lighter,
    # one changing by less than 0.1, one changing between two light greys (both above 0.8).
    frames = np.array(
        [
            [0.0, 0.6, 0.50, 0.85],
            [1.0, 0.4, 0.55, 1.0],
            [0.0, 0.2, 0.50, 0.85],
            [1.0, 0.6, 0.55, 1.0],
        ]
        + [[0.0, 0.6, 0.50, 0.85]] * 5
    ).reshape(9, 1, 4)
    changes = flash_changes(frames)
    assert changes[:3].tolist() == [[[1, -1, 0, 0]], [[-1, -1, 0, 0]], [[1, 1, 0, 0]]]
    # Four changes in a second: two flashes; three steps back and forth: one.
    assert most_flashes(changes, 4).tolist() == [[2, 1, 0, 0]]
    assert largest_share(np.ones((10, 10))) == 100 / (FIELD[0] * FIELD[1])
    assert largest_share(np.ones((300, 400))) == 1.0
