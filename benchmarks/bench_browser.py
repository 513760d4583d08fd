"""Click latency and first-chart time of the app in a real Chromium.

    .venv/bin/python benchmarks/bench_browser.py                  # 20 clicks, 5 loads each
    .venv/bin/python benchmarks/bench_browser.py --clicks 30 --loads 7
    .venv/bin/python benchmarks/bench_browser.py --first-chart-only --loads 7 --cold 3
    .venv/bin/python benchmarks/bench_browser.py --hmm-only        # the HMM page's clicks alone
    .venv/bin/python benchmarks/bench_browser.py --fa-only         # factor analysis's alone
    .venv/bin/python benchmarks/bench_browser.py --topics-only     # pLSA's and LDA's alone

Numbers are reported, not asserted. Targets: a "Next iteration" click ≤ 150 ms on the worked
example, ≤ 300 ms with 10,000 points (1-D) and with 100,000 points (2-D), ≤ 500 ms with
1,000,000 points (1-D), ≤ 150 ms on the hidden Markov model's ice cream and casino and
≤ 300 ms on its sequence of 10,000; the first chart of the worked example ≤ 0.5 s after
that of a bare Streamlit page with one Plotly chart, on a warm server (median of several loads)
and on a cold one (the first load after each server starts, imports and all).

What is measured
----------------
- **Click latency**: from the ``click`` event of "Next iteration" (a person's click,
  recorded in the page in the capture phase, so Playwright's own round trips are not counted)
  to the first animation frame where all of these hold: Streamlit's script state is
  ``notRunning``; the chart shows the new half-step (its drawn title names it and
  ``layout.meta.half_step`` is h: the step buttons move the chart in the browser at the
  click); the page's "Half-step" slider is at h (the server's answer); the log-likelihood
  metric names the parameters of that half-step (ℓ(θ_t) with t = h // 2). Checked on every
  ``requestAnimationFrame``.
  When the run ends, "Reset" (not timed) goes back to the start.
  (a) the worked example; (b) "Your own data" → "Generate a mixture" with 1 feature and
  10,000 samples (3 true components, seed 0, the page's defaults otherwise); (c) the same
  with 2 features and 100,000 samples; (d) 1 feature and 1,000,000 samples; (e) the
  probabilistic PCA page on its elongated cloud (200 points) and (f) on Old Faithful (272);
  the hidden Markov model's page (g) on the ice cream (33 days), (h) on the casino (300
  rolls) and (i) on a sequence of 10,000 (its own sequence: a generated mixture of 1 feature
  and 10,000 samples), each opened by its link.
- **Where a click's time goes**: the browser reaches the app through a small TCP relay
  (:class:`TimingProxy`) that notes when bytes pass each way, so the split does not depend
  on the page's busy main thread: *click → request* (the browser's side: from the click
  event until the rerun request reaches the server), *server* (request → the rerun's last
  byte leaving the server: the script run, Streamlit's post-run work, sending), *last byte
  → drawn* (the browser's side: React, Plotly, KaTeX, the data grid). Bytes: on the wire,
  and as websocket messages (Playwright's ``framereceived``, decoded with Streamlit's
  ForwardMsg protobuf); *chart message* = the largest, the animated figure's JSON spec.
- **First chart**: navigation start → the first ``.js-plotly-plot .main-svg`` in the page
  (a MutationObserver in an init script, ``performance.now()``), each load in a fresh
  browser context (empty cache, new session). (a) the worked example; (b) a bare page
  (``st.plotly_chart`` of a 3-point line) served by a second ``streamlit run`` of a file
  written to a temporary directory. *Warm*: after one load of each page, the loads alternate
  between the two. *Cold* (``--cold N``): N times, both servers are started afresh and each
  page is loaded once, so the first load pays for Python's imports and the first fit.

Both servers run with the options the browser tests use (tests/app_harness.py), plus any
``--option NAME=VALUE`` for the app's server (e.g. ``--option runner.postScriptGC=false``,
to see what Streamlit's garbage collection after every run costs); the browser is Debian's
/usr/bin/chromium, headless, 1400×900. The machine (cores, load average) is printed: on a
shared 2-core box, the browser, the server and anything else running compete for the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from app_harness import (  # noqa: E402
    APP_TIMEOUT_MS,
    ARTIFACTS,
    CHART_HALF_STEP_JS,
    SERVE,
    chromium,
    new_context,
    running_app,
    wait_until_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VIEWPORT = {"width": 1400, "height": 900}
TARGET_WORKED_MS = 150
TARGET_10K_MS = 300  # also 100,000 points in 2-D
TARGET_MILLION_MS = 500  # 1,000,000 points in 1-D: "stays responsive"
TARGET_FIRST_CHART_GAP_MS = 500

BARE_PAGE = """\
import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2])))
"""

# Installed before any script of the page: websocket message times and sizes, the time of
# the last click, and the time the first Plotly chart appeared.
INSTRUMENT_JS = """
(() => {
    window.__bench = {clickAt: null, doneAt: null, firstChartAt: null};
    // Wall-clock milliseconds, comparable with the Python side's time.time().
    const now = () => performance.timeOrigin + performance.now();
    // A person's click, not one the page sends itself (the step buttons press the chart's
    // Play button to move it).
    document.addEventListener('click', (event) => {
        if (event.isTrusted) { window.__bench.clickAt = now(); }
    }, true);
    const look = () => {
        if (window.__bench.firstChartAt === null
                && document.querySelector('.js-plotly-plot .main-svg')) {
            window.__bench.firstChartAt = performance.now();  // since navigation start
            observer.disconnect();
        }
    };
    const observer = new MutationObserver(look);
    observer.observe(document, {childList: true, subtree: true});
})();
"""

# True (and the time noted, once) when the page shows half-step `h` everywhere.
AT_HALF_STEP_JS = """
([key, h]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') { return false; }
    const gd = document.querySelector(`.st-key-${key}-chart .js-plotly-plot`);
    if ((CHART_HALF_STEP)(gd) !== h) { return false; }
    const sub = String(Math.floor(h / 2)).replace(/[0-9]/g,
        (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]);
    const metric = document.querySelector('[data-testid="stMetricLabel"]');
    if (!metric || !metric.textContent.includes('θ' + sub + ')')) { return false; }
    if (window.__bench.doneAt === null) {
        window.__bench.doneAt = performance.timeOrigin + performance.now();
    }
    return true;
}
""".replace("CHART_HALF_STEP", CHART_HALF_STEP_JS.strip())

# [the half-step on screen, the last half-step of the run]
CHART_JS = """
(key) => {
    const gd = document.querySelector(`.st-key-${key}-chart .js-plotly-plot`);
    const range = document.querySelector(`.st-key-${key}-h input[type="range"]`);
    return [(CHART_HALF_STEP)(gd), Number(range.getAttribute('max'))];
}
""".replace("CHART_HALF_STEP", CHART_HALF_STEP_JS.strip())


@dataclass
class Click:
    """One timed click (ms from the click event); medians are taken field by field."""

    total_ms: float  # click → chart and metric drawn, script notRunning
    request_ms: float  # click → the rerun request on the wire (the browser's side)
    server_ms: float  # rerun request → the rerun's last byte on the wire (the server's side)
    browser_ms: float  # last byte → drawn (the browser's side)
    wire_bytes: int  # bytes the server sent for the rerun (as on the wire)
    message_bytes: int  # the rerun's websocket messages, decompressed
    chart_bytes: int  # the largest of them: the animated chart's spec


@dataclass
class Recorder:
    """Every websocket message the page receives: (wall-clock ms, bytes, kind).

    Taken from Playwright's ``framereceived`` events, which come from the browser's network
    layer: unlike a listener in the page, they are not held up while the page's main thread
    is busy drawing.
    """

    frames: list[tuple[float, int, str]] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def on_socket(socket) -> None:
            def on_frame(payload: bytes | str) -> None:
                at = time.time() * 1000
                kind = "text"
                if isinstance(payload, bytes | bytearray):
                    try:
                        kind = _kind(ForwardMsg.FromString(bytes(payload)))
                    except Exception:  # not a ForwardMsg; keep it all the same
                        kind = "?"
                self.frames.append((at, len(payload), kind))

            socket.on("framereceived", on_frame)

        page.on("websocket", on_socket)


class TimingProxy:
    """A TCP relay in front of a server that notes when bytes pass, and how many, each way.

    The browser talks to the relay, so the times are those of the wire: "up" is the browser's
    request reaching the server, "down" the server's answer leaving it, whatever the
    browser's main thread is busy with.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.events: list[tuple[float, str, int]] = []  # (wall-clock ms, "up"/"down", bytes)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    def __enter__(self) -> TimingProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        ).result(timeout=10)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        # Cancelled when the relay closes: end quietly, the browser is gone by then.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(
                self._pipe(reader, up_writer, "up"), self._pipe(up_reader, writer, "down")
            )

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, direction: str
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(1 << 16):
                self.events.append((time.time() * 1000, direction, len(data)))
                sink.write(data)
                await sink.drain()
        with contextlib.suppress(ConnectionError, OSError):
            sink.close()


def _kind(message: Any) -> str:
    """ "script_finished", "delta:plotly_chart", "delta:arrow_data_frame", …"""
    kind = message.WhichOneof("type") or "?"
    if kind == "delta":
        delta = message.delta
        what = delta.WhichOneof("type")
        if what == "new_element":
            return f"delta:{delta.new_element.WhichOneof('type')}"
        return f"delta:{what}"
    return kind


def new_page(browser: Browser) -> tuple[Page, Recorder]:
    context = new_context(browser, viewport=VIEWPORT)
    context.add_init_script(INSTRUMENT_JS)
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(page)
    return page, recorder


def wait_for_half_step(page: Page, key: str, h: int) -> None:
    page.wait_for_function(AT_HALF_STEP_JS, arg=[key, h], polling="raf", timeout=APP_TIMEOUT_MS)


def measure_clicks(
    page: Page, recorder: Recorder, proxy: TimingProxy, key: str, n_clicks: int
) -> list[Click]:
    """Time ``n_clicks`` "Next iteration" clicks, resetting when the run has ended."""
    next_button = page.get_by_role("button", name="Next iteration", exact=True)
    reset_button = page.get_by_role("button", name="Reset", exact=True)
    clicks: list[Click] = []
    while len(clicks) < n_clicks:
        h, last = page.evaluate(CHART_JS, key)
        if h >= last:
            reset_button.click()
            wait_for_half_step(page, key, 0)
            wait_until_idle(page)
            continue
        expected = min(h + 2, last)
        page.evaluate("() => { window.__bench.doneAt = null; window.__bench.clickAt = null; }")
        first_frame, first_event = len(recorder.frames), len(proxy.events)
        next_button.click()
        wait_for_half_step(page, key, expected)
        bench = page.evaluate("() => window.__bench")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            kind == "script_finished" for _, _, kind in recorder.frames[first_frame:]
        ):
            page.wait_for_timeout(10)  # lets Playwright hand over the frames it has seen
        try:
            clicks.append(
                _split(
                    bench["clickAt"],
                    bench["doneAt"],
                    proxy.events[first_event:],
                    recorder.frames[first_frame:],
                )
            )
        except RuntimeError as error:  # not timed: said, and another click is made
            print(f"  a click on {key} at h = {h} was not timed: {error}", file=sys.stderr)
        wait_until_idle(page, settle_ms=100)
    return clicks


def _split(
    click_at: float,
    done_at: float,
    events: list[tuple[float, str, int]],
    frames: list[tuple[float, int, str]],
) -> Click:
    up = [t for t, direction, _ in events if direction == "up" and click_at <= t <= done_at]
    down = [(t, n) for t, direction, n in events if direction == "down" and t <= done_at]
    if not up or not down:
        raise RuntimeError("no request or answer on the wire between the click and the redraw")
    last_down = max(t for t, _ in down)
    return Click(
        total_ms=done_at - click_at,
        request_ms=up[0] - click_at,
        server_ms=last_down - up[0],
        browser_ms=done_at - last_down,
        wire_bytes=sum(n for t, n in down if t >= up[0]),
        message_bytes=sum(size for _, size, _ in frames),
        chart_bytes=max((size for _, size, _ in frames), default=0),
    )


def worked_example(browser: Browser, proxy: TimingProxy, n_clicks: int) -> list[Click]:
    page, recorder = new_page(browser)
    try:
        page.goto(f"{proxy.url}/worked_example")
        wait_until_idle(page)
        wait_for_half_step(page, "worked", 0)
        return measure_clicks(page, recorder, proxy, "worked", n_clicks)
    finally:
        page.context.close()


SAMPLE_OPTIONS = [100, 300, 1_000, 3_000, 10_000, 100_000, 1_000_000]  # the page's slider


def synthetic_points(
    browser: Browser, proxy: TimingProxy, n_clicks: int, n_features: int, n_samples: int
) -> list[Click]:
    """ "Your own data" → "Generate a mixture" with ``n_features`` and ``n_samples`` (3 true
    components, seed 0), then ``n_clicks`` timed clicks."""
    from playwright.sync_api import expect

    page, recorder = new_page(browser)
    try:
        page.goto(f"{proxy.url}/your_data")
        wait_until_idle(page)
        page.get_by_text("Generate a mixture", exact=True).click()
        features = page.locator(".st-key-data-syn_d")
        expect(features).to_be_visible(timeout=APP_TIMEOUT_MS)
        wait_until_idle(page)
        if n_features != 2:  # the page's default
            features.locator("input").click()
            page.get_by_role("option", name=str(n_features), exact=True).click()
            expect(features.get_by_role("combobox")).to_have_value(str(n_features))
            wait_until_idle(page)
        thumb = page.locator(".st-key-data-syn_n").get_by_role("slider")
        for _ in range(SAMPLE_OPTIONS.index(n_samples) - SAMPLE_OPTIONS.index(300)):
            thumb.focus()
            thumb.press("ArrowRight")
            wait_until_idle(page, settle_ms=500)
        expect(thumb).to_have_attribute("aria-valuetext", str(n_samples))
        expect(
            page.get_by_text(f"{n_samples:,} points drawn from 3 random Gaussians")
        ).to_be_visible(timeout=APP_TIMEOUT_MS * 4)
        wait_until_idle(page)
        wait_for_half_step(page, "data", 0)
        return measure_clicks(page, recorder, proxy, "data", n_clicks)
    finally:
        page.context.close()


def ppca_page(browser: Browser, proxy: TimingProxy, n_clicks: int, source: str | None) -> list:
    """The probabilistic PCA page on its default cloud, or on the data named ``source`` (a
    choice of its "Points to fit"), then ``n_clicks`` timed clicks."""
    page, recorder = new_page(browser)
    try:
        page.goto(f"{proxy.url}/ppca")
        wait_until_idle(page)
        if source is not None:
            page.get_by_text(source, exact=True).click()
            wait_until_idle(page, settle_ms=500)
        wait_for_half_step(page, "ppca", 0)
        return measure_clicks(page, recorder, proxy, "ppca", n_clicks)
    finally:
        page.context.close()


HMM_LINKS = {
    "ice cream": {},
    "casino": {"hmm.sequence": "Dishonest casino (300 rolls)"},
    "10,000": {
        "hmm.sequence": "Your own sequence",
        "hmm.source": "Generate a mixture",
        "hmm.syn_d": "1",
        "hmm.syn_n": "10000",
    },
}


def linked_page(
    browser: Browser, proxy: TimingProxy, n_clicks: int, key: str, query: dict[str, str]
) -> list[Click]:
    """A model's page (address and stepping view ``key``) opened by the link ``query`` (its
    settings), then ``n_clicks`` timed clicks."""
    page, recorder = new_page(browser)
    try:
        page.goto(f"{proxy.url}/{key}?{urlencode(query)}")
        wait_until_idle(page, settle_ms=500)
        wait_for_half_step(page, key, 0)
        return measure_clicks(page, recorder, proxy, key, n_clicks)
    finally:
        page.context.close()


def linked_cases(
    browser: Browser, proxy: TimingProxy, n_clicks: int, key: str, links: dict[str, dict]
) -> dict[str, list[Click]]:
    """Each case of ``links`` (name → link settings) on the page ``key``, timed."""
    return {
        case: linked_page(browser, proxy, n_clicks, key, query) for case, query in links.items()
    }


def _alone(key: str, n_clicks: int, extra: list[str], say) -> int:
    """One model page's click cases alone, on one warm server."""
    links, rows, words = ALONE[key]
    with (
        chromium() as browser,
        running_app(ARTIFACTS / f"bench-{key}-server.log", extra_args=extra) as app,
        TimingProxy(int(app.url.rsplit(":", 1)[1])) as proxy,
    ):
        say(f"{n_clicks} clicks on {words}")
        clicks = linked_cases(browser, proxy, n_clicks, key, links)
    print(f"Machine: {machine()}")
    print(f"App server options: {' '.join(extra) or '(those of the tests)'}\n")
    _report_clicks(rows(clicks))
    return 0


def first_chart_ms(browser: Browser, url: str, n_loads: int) -> list[float]:
    times = []
    for _ in range(n_loads):
        page, _ = new_page(browser)
        try:
            page.goto(url)
            page.wait_for_function(
                "() => window.__bench.firstChartAt !== null", timeout=APP_TIMEOUT_MS
            )
            times.append(page.evaluate("() => window.__bench.firstChartAt"))
            wait_until_idle(page)  # let the session finish before the next load
        finally:
            page.context.close()
    return times


# --------------------------------------------------------------------------------------------
# Report


def p90(values: list[float]) -> float:
    return float(np.percentile(values, 90))


def _median(clicks: list[Click], name: str) -> float:
    return statistics.median(getattr(c, name) for c in clicks)


def latency_row(name: str, clicks: list[Click], target: float) -> str:
    total = [c.total_ms for c in clicks]
    median = statistics.median(total)
    verdict = "yes" if median <= target else "**no**"
    return (
        f"| {name} | {len(clicks)} | {median:.0f} | {p90(total):.0f} | ≤ {target:.0f} | {verdict} |"
    )


def breakdown_row(name: str, clicks: list[Click]) -> str:
    return (
        f"| {name} | {_median(clicks, 'request_ms'):.0f} | {_median(clicks, 'server_ms'):.0f} "
        f"| {_median(clicks, 'browser_ms'):.0f} | {_median(clicks, 'wire_bytes') / 1024:.1f} "
        f"| {_median(clicks, 'message_bytes') / 1024:.1f} "
        f"| {_median(clicks, 'chart_bytes') / 1024:.1f} |"
    )


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    import plotly
    import streamlit

    return (
        f"{platform.platform()}, {os.cpu_count()} cores, load average {load}; "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
        f"Plotly {plotly.__version__}"
    )


FA_LINKS = {"census": {}, "iris": {"fa.kind": "Iris"}}


def _fa_cases(fa: dict[str, list]) -> list:
    return [
        (
            'factor analysis, Harman\'s census (12 tracts), "Next iteration"',
            fa["census"],
            TARGET_WORKED_MS,
        ),
        (
            'factor analysis, iris (150 flowers, q = 1), "Next iteration"',
            fa["iris"],
            TARGET_WORKED_MS,
        ),
    ]


TOPICS_LINKS = {
    "bars-plsa": {},
    "bars-lda": {"topics.model": "LDA"},
    "rivers-lda": {"topics.model": "LDA", "topics.kind": "Rivers and money"},
}


def _topics_cases(topics: dict[str, list]) -> list:
    return [
        (
            'pLSA, the bars (300 documents, K = 10), "Next iteration"',
            topics["bars-plsa"],
            TARGET_WORKED_MS,
        ),
        (
            'LDA, the bars (300 documents, K = 10), "Next iteration"',
            topics["bars-lda"],
            TARGET_WORKED_MS,
        ),
        (
            'LDA, rivers and money (12 documents, K = 2), "Next iteration"',
            topics["rivers-lda"],
            TARGET_WORKED_MS,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=20, help="timed clicks per case (≥ 20)")
    parser.add_argument("--loads", type=int, default=5, help="page loads per page (≥ 5)")
    parser.add_argument(
        "--cold", type=int, default=3, help="cold-server loads per page (fresh servers each)"
    )
    parser.add_argument(
        "--first-chart-only", action="store_true", help="measure the first chart, no clicks"
    )
    parser.add_argument(
        "--hmm-only",
        action="store_true",
        help="only the hidden Markov model's three click cases: no other page, no first chart",
    )
    parser.add_argument(
        "--fa-only", action="store_true", help="only factor analysis's two click cases"
    )
    parser.add_argument(
        "--topics-only", action="store_true", help="only the topic models' three click cases"
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Streamlit option for the app's server, e.g. runner.postScriptGC=false (repeatable)",
    )
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    extra = []
    for option in args.option:
        name, _, value = option.partition("=")
        extra += [f"--{name}", value]

    for key in ALONE:
        if getattr(args, f"{key}_only"):
            return _alone(key, args.clicks, extra, say)
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as bare_dir:
        (Path(bare_dir) / "bare.py").write_text(BARE_PAGE, encoding="utf-8")

        @contextlib.contextmanager
        def servers(app_script: str = "app.py"):
            with (
                running_app(
                    ARTIFACTS / "bench-app-server.log", script=app_script, extra_args=extra
                ) as app,
                running_app(
                    ARTIFACTS / "bench-bare-server.log", script="bare.py", cwd=Path(bare_dir)
                ) as bare,
            ):
                yield app, bare

        # Cold: the first load after the servers start, for the app started both ways.
        cold_worked: list[float] = []
        cold_served: list[float] = []
        cold_bare: list[float] = []
        with chromium() as browser:
            for i in range(args.cold):
                say(f"cold servers {i + 1}/{args.cold}: the first load of each page")
                for app_script, times in (("app.py", cold_worked), (SERVE, cold_served)):
                    with servers(app_script) as (app, bare):
                        # Alternate which page goes first, so neither always has the CPU alone.
                        pair = [(app, "/worked_example", times), (bare, "", cold_bare)]
                        for server, path, into in pair if i % 2 == 0 else pair[::-1]:
                            into += first_chart_ms(browser, f"{server.url}{path}", 1)
            with servers() as (app, bare), TimingProxy(int(app.url.rsplit(":", 1)[1])) as proxy:
                # One warm-up load of each page: the first load after a server starts pays
                # for Python imports and the (cached) fit, measured above as "cold".
                say("warming up")
                first_chart_ms(browser, f"{app.url}/worked_example", 1)
                first_chart_ms(browser, bare.url, 1)
                cases = []
                if not args.first_chart_only:
                    cases = _click_cases(browser, proxy, args.clicks, say)
                say(f"first chart: {args.loads} loads of each page, alternating")
                first_worked: list[float] = []
                first_bare: list[float] = []
                for _ in range(args.loads):
                    first_worked += first_chart_ms(browser, f"{app.url}/worked_example", 1)
                    first_bare += first_chart_ms(browser, bare.url, 1)

    print(f"Machine: {machine()}")
    print(f"App server options: {' '.join(extra) or '(those of the tests)'}\n")
    if cases:
        _report_clicks(cases)
    print("| server | page | loads | median ms to first chart | p90 ms | all (ms) |")
    print("|---|---|---|---|---|---|")
    rows = [
        ("warm", "bare page, one Plotly chart", first_bare),
        ("warm", "worked example", first_worked),
        ("cold", "bare page, one Plotly chart", cold_bare),
        ("cold", "worked example, `streamlit run app.py`", cold_worked),
        ("cold", "worked example, started by scripts/start.sh", cold_served),
    ]
    for server, name, times in rows:
        if times:
            print(
                f"| {server} | {name} | {len(times)} | {statistics.median(times):.0f} "
                f"| {p90(times):.0f} | {', '.join(f'{t:.0f}' for t in times)} |"
            )
    print()
    for server, worked, bare in [
        ("warm", first_worked, first_bare),
        ("cold (`streamlit run app.py`)", cold_worked, cold_bare),
        ("cold (scripts/start.sh)", cold_served, cold_bare),
    ]:
        if not worked:
            continue
        gap = statistics.median(worked) - statistics.median(bare)
        verdict = "yes" if gap <= TARGET_FIRST_CHART_GAP_MS else "**no**"
        print(
            f"{server} server: worked example − bare page: {gap:.0f} ms "
            f"(target ≤ {TARGET_FIRST_CHART_GAP_MS} ms: {verdict})"
        )
    return 0


def _hmm_cases(hmm: dict[str, list]) -> list:
    return [
        ('HMM, ice cream (33 days), "Next iteration"', hmm["ice cream"], TARGET_WORKED_MS),
        ('HMM, casino (300 rolls), "Next iteration"', hmm["casino"], TARGET_WORKED_MS),
        ('HMM, 10,000 steps (Gaussian, K = 2), "Next iteration"', hmm["10,000"], TARGET_10K_MS),
    ]


# The pages whose click cases run alone (--hmm-only, --fa-only, --topics-only), by address
# and stepping view: their cases' links, the rows their clicks make, and what runs.
ALONE = {
    "hmm": (HMM_LINKS, _hmm_cases, "the hidden Markov model: ice cream, casino, 10,000 steps"),
    "fa": (FA_LINKS, _fa_cases, "factor analysis: the census data and iris"),
    "topics": (
        TOPICS_LINKS,
        _topics_cases,
        "the topic models: pLSA and LDA on the bars, LDA on a text",
    ),
}


def _click_cases(browser: Browser, proxy: TimingProxy, n_clicks: int, say) -> list:
    say(f"{n_clicks} clicks on the worked example")
    worked = worked_example(browser, proxy, n_clicks)
    say(f"{n_clicks} clicks with 10,000 points")
    tenk = synthetic_points(browser, proxy, n_clicks, 1, 10_000)
    say(f"{n_clicks} clicks with 100,000 points in 2-D")
    hundredk = synthetic_points(browser, proxy, n_clicks, 2, 100_000)
    say(f"{n_clicks} clicks with 1,000,000 points in 1-D")
    million = synthetic_points(browser, proxy, n_clicks, 1, 1_000_000)
    say(f"{n_clicks} clicks on probabilistic PCA, the cloud and Old Faithful")
    cloud = ppca_page(browser, proxy, n_clicks, None)
    faithful = ppca_page(browser, proxy, n_clicks, "Old Faithful")
    say(f"{n_clicks} clicks on the hidden Markov model: ice cream, casino, 10,000 steps")
    hmm = linked_cases(browser, proxy, n_clicks, "hmm", HMM_LINKS)
    say(f"{n_clicks} clicks on factor analysis: the census data and iris")
    fa = linked_cases(browser, proxy, n_clicks, "fa", FA_LINKS)
    say(f"{n_clicks} clicks on the topic models: pLSA and LDA on the bars, LDA on a text")
    topics = linked_cases(browser, proxy, n_clicks, "topics", TOPICS_LINKS)
    return [
        ('worked example, "Next iteration"', worked, TARGET_WORKED_MS),
        ('10,000 points (1-D, 3 true components), "Next iteration"', tenk, TARGET_10K_MS),
        ('100,000 points (2-D, 3 true components), "Next iteration"', hundredk, TARGET_10K_MS),
        (
            '1,000,000 points (1-D, 3 true components), "Next iteration"',
            million,
            TARGET_MILLION_MS,
        ),
        ('probabilistic PCA, cloud of 200 points, "Next iteration"', cloud, TARGET_WORKED_MS),
        ('probabilistic PCA, Old Faithful (272), "Next iteration"', faithful, TARGET_WORKED_MS),
        *_hmm_cases(hmm),
        *_fa_cases(fa),
        *_topics_cases(topics),
    ]


def _report_clicks(cases: list) -> None:
    print("| case | clicks | median ms | p90 ms | target | met |")
    print("|---|---|---|---|---|---|")
    for name, clicks, target in cases:
        print(latency_row(name, clicks, target))
    print(
        "\nWhere a click's time goes (medians, ms). click → request: the click event → the "
        "rerun request reaches the server; server: request → the rerun's last byte leaves it; "
        "browser: last byte → chart and metric drawn. Bytes: on the wire (compressed if the "
        "websocket is) and as websocket messages.\n"
    )
    print(
        "| case | click → request | server | last byte → drawn | wire KiB "
        "| message KiB | chart message KiB |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, clicks, _ in cases:
        print(breakdown_row(name, clicks))
    print()
    print()


if __name__ == "__main__":
    sys.exit(main())
