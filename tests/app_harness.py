"""Start and stop a Streamlit server and a headless Chromium, outside pytest too.

``tests/conftest.py`` builds its fixtures on these, and ``scripts/screenshot.py`` and
``benchmarks/bench_browser.py`` use them directly, so every place that drives the app in a
browser starts it, and recognises "Streamlit has finished", in the same way.

Nothing here imports pytest: failures raise :class:`AppServerError` or Playwright's own
errors, and the callers turn them into whatever they report.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's services,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0
APP_TIMEOUT_MS = 30_000

APP_SELECTOR = '[data-testid="stApp"]'

# True once the app has been connected and not running for `settleMs` without a break. The
# settle time covers a rerun that was asked for (a widget changed) but whose "running" status
# has not come back from the server yet; `expect_rerun` is the exact way to wait for one.
IDLE_FOR_JS = """
(settleMs) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app !== null
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && app.getAttribute('data-test-script-state') === 'notRunning';
    const now = performance.now();
    if (!idle) { window.__emIdleSince = undefined; return false; }
    if (window.__emIdleSince === undefined) { window.__emIdleSince = now; }
    return now - window.__emIdleSince >= settleMs;
}
"""

# Installed in every page before Streamlit's own scripts (see `new_context`): counts the
# messages the page receives on its websockets. A rerun always sends some; an idle app none.
COUNT_MESSAGES_JS = """
(() => {
    const Native = window.WebSocket;
    window.__emMessages = 0;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => { window.__emMessages += 1; });
        }
    };
})();
"""

# A rerun is seen when the server sends a message after this is armed, or when the script
# state is seen leaving "notRunning". (A fast rerun can start and end within one of React's
# batched renders, so the state attribute alone may never show it.)
ARM_RERUN_JS = """
() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (window.__emRerunObserver) { window.__emRerunObserver.disconnect(); }
    window.__emRerunSeen = false;
    window.__emMessagesAtArm = window.__emMessages;
    const observer = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') !== 'notRunning') {
            window.__emRerunSeen = true;
        }
    });
    observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    window.__emRerunObserver = observer;
}
"""

RERUN_SEEN_JS = """
() => window.__emRerunSeen === true
    || (window.__emMessages !== undefined && window.__emMessages > window.__emMessagesAtArm)
"""

# The half-step a stepping view's chart (its graph div `gd`) shows: `layout.meta.half_step`,
# which each animation frame sets, once the title naming it has been drawn; null before that.
CHART_HALF_STEP_JS = """
(gd) => {
    if (!gd || !gd.layout || !gd.layout.meta || !gd.layout.title) { return null; }
    const label = (gd.layout.title.text.match(/<b>(.*?)<\\/b>/) || [])[1];
    const drawn = gd.querySelector('.gtitle');
    const text = drawn ? drawn.textContent : '';
    if (!label || (text !== label && !text.startsWith(label + ' '))) { return null; }
    return gd.layout.meta.half_step;
}
"""


def chart_at_js(key: str) -> str:
    """A function of h: true when the chart of the stepping view ``key`` shows half-step h."""
    return (
        f"(h) => ({CHART_HALF_STEP_JS})"
        f"(document.querySelector('.st-key-{key}-chart .js-plotly-plot')) === h"
    )


class AppServerError(RuntimeError):
    """The Streamlit server exited, or did not become healthy in time."""


@dataclass(frozen=True)
class AppServer:
    """A running ``streamlit run``: its base URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """End ``process`` and its children (its own process group): SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


SERVE = "serve"  # as `script`: the app as scripts/start.sh starts it (scripts/serve.py)


def streamlit_command(script: str | Path, port: int, extra: Sequence[str] = ()) -> list[str]:
    """``streamlit run script`` with the tests' options; ``script=SERVE`` starts the app as
    ``scripts/start.sh`` does, its libraries loaded before the server listens."""
    start = (
        [sys.executable, str(ROOT / "scripts" / "serve.py")]
        if script == SERVE
        else [sys.executable, "-m", "streamlit", "run", str(script)]
    )
    return [
        *start,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


@contextlib.contextmanager
def running_app(
    log_path: Path,
    *,
    script: str | Path = "app.py",
    cwd: Path = ROOT,
    extra_args: Sequence[str] = (),
    timeout_s: float = SERVER_START_TIMEOUT_S,
) -> Iterator[AppServer]:
    """``streamlit run script`` on a free port of 127.0.0.1, up until the block ends.

    Its output goes to ``log_path``. Raises :class:`AppServerError` (with that output) if it
    exits or does not answer ``/_stcore/health`` within ``timeout_s``.
    """
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            streamlit_command(script, port, extra_args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown ends all of it
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout_s
            while not is_healthy(f"{base_url}/_stcore/health"):
                exited = process.poll()
                if exited is not None or time.monotonic() > deadline:
                    log.flush()
                    why = (
                        f"exited with code {exited}"
                        if exited is not None
                        else f"did not answer /_stcore/health within {timeout_s:.0f} s"
                    )
                    output = log_path.read_text(encoding="utf-8", errors="replace")
                    raise AppServerError(
                        f"streamlit run {script} {why}. Its output ({log_path}):\n{output}"
                    )
                time.sleep(0.2)
            yield AppServer(base_url, process, log_path)
        finally:
            stop_process_group(process)


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright's sync API."""
    if not os.access(CHROMIUM, os.X_OK):
        raise FileNotFoundError(
            f"{CHROMIUM} is missing. Run `bash scripts/test.sh`, which installs Debian's "
            "chromium, or `apt-get install chromium`. (`playwright install` cannot work "
            "here: it downloads its own browser build.)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context (``options`` as for ``browser.new_context``) whose pages count the
    messages Streamlit sends, so that :func:`rerun_around` sees every rerun."""
    context = browser.new_context(**options)
    context.add_init_script(COUNT_MESSAGES_JS)
    return context


def wait_until_idle(
    page: Page, *, timeout_ms: float = APP_TIMEOUT_MS, settle_ms: float = 250
) -> None:
    """Wait until Streamlit is connected and has not been running for ``settle_ms``."""
    page.wait_for_selector(APP_SELECTOR, state="attached", timeout=timeout_ms)
    page.evaluate("() => { window.__emIdleSince = undefined; }")
    page.wait_for_function(IDLE_FOR_JS, arg=settle_ms, timeout=timeout_ms, polling=50)


@contextlib.contextmanager
def rerun_around(page: Page, *, timeout_ms: float = APP_TIMEOUT_MS) -> Iterator[None]:
    """Around an action that makes Streamlit rerun: wait until that rerun started and ended.

    Raises Playwright's ``TimeoutError`` when no rerun starts within ``timeout_ms``.
    """
    page.evaluate(ARM_RERUN_JS)
    yield
    page.wait_for_function(RERUN_SEEN_JS, timeout=timeout_ms)
    wait_until_idle(page, timeout_ms=timeout_ms)


# The boxes of a Plotly figure's parts, in CSS pixels of the page, as
# {name: [left, top, right, bottom]} (a part that is not drawn is left out): the title, the
# legend, the Play/Pause buttons, each axis title, each axis's tick labels, the plot area
# of each subplot (from the axes' own offsets and lengths), every annotation
# ("note <i>: <its text>", the panels' headings and the notes under the title), and every
# text a trace writes on the chart ("text <trace>.<i>: <its text>", a bar's value, a
# grid's number, a name at a point).
FIGURE_BOXES_JS = """
(gd) => {
    const boxes = {};
    const put = (name, el) => {
        if (!el) { return; }
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) { boxes[name] = [r.left, r.top, r.right, r.bottom]; }
    };
    put('title', gd.querySelector('.gtitle'));
    put('legend', gd.querySelector('.legend .scrollbox') || gd.querySelector('.legend'));
    put('buttons', gd.querySelector('.updatemenu-container'));
    const page = gd.getBoundingClientRect();
    const full = gd._fullLayout;
    for (const sub of full._subplots.cartesian) {
        const [, xn, yn] = sub.match(/^x(\\d*)y(\\d*)$/);
        const xa = 'xaxis' + xn, ya = 'yaxis' + yn;
        const x = full[xa], y = full[ya];
        if (!x || !y) { continue; }
        const left = page.left + x._offset, top = page.top + y._offset;
        boxes['plot ' + sub] = [left, top, left + x._length, top + y._length];
        for (const [axis, letter, n] of [[xa, 'x', xn], [ya, 'y', yn]]) {
            put(`${letter}${n}title`, gd.querySelector(`.${letter}${n}title`));
            const layer = gd.querySelector(`.subplot.${sub} .${letter}axislayer-above`);
            put(axis + ' ticks', layer);
        }
    }
    gd.querySelectorAll('.infolayer .annotation').forEach((note, i) => {
        const text = note.querySelector('.annotation-text');
        if (text) { put(`note ${i}: ${text.textContent.slice(0, 40)}`, text); }
    });
    gd.querySelectorAll('.scatterlayer .trace').forEach((trace, t) => {
        trace.querySelectorAll('.textpoint text').forEach((text, i) => {
            if (text.textContent) { put(`text ${t}.${i}: ${text.textContent}`, text); }
        });
    });
    boxes['figure'] = [page.left, page.top, page.right, page.bottom];
    return boxes;
}
"""

# Pairs of figure parts that must not overlap (see FIGURE_BOXES_JS).
FIGURE_PARTS_APART = [
    ("title", "legend"),
    ("title", "buttons"),
    ("legend", "buttons"),
    *[(a, b) for a in ("title", "legend", "buttons") for b in ("plot xy", "plot x2y2")],
    *[(a, "plot x2y2") for a in ("ytitle", "yaxis ticks", "xtitle", "xaxis ticks")],
    *[(a, "plot xy") for a in ("y2title", "yaxis2 ticks", "x2title", "xaxis2 ticks")],
    ("ytitle", "yaxis ticks"),
    ("y2title", "yaxis2 ticks"),
    ("xtitle", "xaxis ticks"),
    ("x2title", "xaxis2 ticks"),
    *[(f"{a}{n}title", f"{a}axis{n} ticks") for n in (3, 4) for a in "xy"],
]


def _meet(a: list[float], b: list[float], slack_px: float) -> bool:
    """Whether boxes ``a`` and ``b`` intersect by more than ``slack_px`` each way (a negative
    slack: come closer than that)."""
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > slack_px
        and min(a[3], b[3]) - max(a[1], b[1]) > slack_px
    )


# Two texts a trace writes (Ψ's values over their bars) must be at least about a space's
# width apart, or they read as one ("1.001.00"); lines of a note stacked under the title may
# overlap this much (their boxes' leading).
TEXTS_APART_PX = 3.0
NOTE_LINES_OVERLAP_PX = 4.0


def _axis_of(name: str) -> tuple[str, str] | None:
    """("x", "3") for an axis's title "x3title" or its tick labels "xaxis3 ticks"."""
    found = re.fullmatch(r"([xy])(\d*)title|([xy])axis(\d*) ticks", name)
    if found is None:
        return None
    return (found[1], found[2]) if found[1] else (found[3], found[4])


def _other_panels(name: str, boxes: dict[str, list[float]]) -> list[str]:
    """The plot areas of the subplots the axis of ``name`` does not belong to."""
    letter, n = _axis_of(name) or ("", "")
    mine = re.compile(rf"plot x{n}y\d*" if letter == "x" else rf"plot x\d*y{n}")
    return [p for p in boxes if p.startswith("plot ") and not mine.fullmatch(p)]


def _notes_and_texts_meeting(boxes: dict[str, list[float]], slack_px: float) -> list[str]:
    """Annotations on the title, the legend, Play and Pause, an axis's title or tick labels,
    or another annotation; an axis's title or tick labels on the legend or on another
    panel; and texts of one trace that touch."""
    notes = [name for name in boxes if name.startswith("note ")]
    axes = [name for name in boxes if _axis_of(name)]
    text_parts = ["title", "legend", "buttons", *axes]
    found = [
        f"{note} × {part}"
        for note in notes
        for part in text_parts
        if part in boxes and _meet(boxes[note], boxes[part], slack_px)
    ]
    found += [
        f"{a} × {b}"
        for i, a in enumerate(notes)
        for b in notes[i + 1 :]
        if _meet(boxes[a], boxes[b], NOTE_LINES_OVERLAP_PX)
    ]
    found += [
        f"{part} × {other}"
        for part in axes
        for other in ("legend", *_other_panels(part, boxes))
        if other in boxes and _meet(boxes[part], boxes[other], slack_px)
    ]
    texts: dict[str, list[str]] = {}
    for name in boxes:
        if name.startswith("text "):
            texts.setdefault(name.split(".")[0], []).append(name)
    found += [
        f"{a} × {b}"
        for names in texts.values()
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if _meet(boxes[a], boxes[b], -TEXTS_APART_PX)
    ]
    return found


def overlapping_parts(boxes: dict[str, list[float]], slack_px: float = 1.0) -> list[str]:
    """The pairs of FIGURE_PARTS_APART whose boxes intersect (by more than ``slack_px``), the
    annotations on any text (see :func:`_notes_and_texts_meeting`), any part that sticks out
    of the figure's sides, and any annotation out of its top or bottom."""
    found = [
        f"{a} × {b}"
        for a, b in FIGURE_PARTS_APART
        if a in boxes and b in boxes and _meet(boxes[a], boxes[b], slack_px)
    ]
    found += _notes_and_texts_meeting(boxes, slack_px)
    left, top, right, bottom = boxes["figure"]
    found += [
        f"{name} outside the figure"
        for name, box in boxes.items()
        if name != "figure" and (box[0] < left - slack_px or box[2] > right + slack_px)
    ]
    found += [
        f"{name} outside the figure"
        for name, box in boxes.items()
        if name.startswith("note ") and (box[1] < top - slack_px or box[3] > bottom + slack_px)
    ]
    return found
