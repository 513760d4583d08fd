"""A class at once: concurrent sessions stepping through EM on one server.

    .venv/bin/python benchmarks/bench_load.py                      # 30 sessions × 20 steps
    .venv/bin/python benchmarks/bench_load.py --think 0            # everyone clicks at once
    .venv/bin/python benchmarks/bench_load.py --sessions 60 --steps 10

Which client: not a browser (thirty Chromiums do not fit on two cores), but
``tests/st_client.py``, a small client of Streamlit's own websocket protocol: the handshake
the frontend makes (the XSRF cookie from ``/_stcore/health``, the ``streamlit`` subprotocol
carrying the token), then ``BackMsg`` reruns with widget states and ``ForwardMsg`` s read until
``script_finished``. A step is what a click on the step buttons sends: the buttons
component's value ``{"position": {"h": H, "seq": S}}`` as a rerun of the stepping view's
fragment. Unlike a browser it announces no cached elements, so the server sends each rerun
in full: a little more work per click than a browser causes.

The sessions (``tests/st_load.py``): half on the worked example (the article's start), half
on "Your own data" (the first classic data set, the page's defaults, each session its own
seed, so their numbers differ). Each opens its page, all wait for each other, then each
steps ``--steps`` times to half-steps drawn at random, pausing ``--think`` seconds on average
(uniform between half and one and a half times that) before each click. After every step
the page's half-step, the chart's and the log-likelihood metric must be those the engine
(``em_core``, run here) gives for that session's run at the half-step it asked for.

Reported: errors (exceptions, failed or late runs; must be 0), wrong views, sessions that
saw another session's numbers (must be 0), click-to-update (a step sent → the server's
``script_finished`` for it received) median and 95th percentile, and the server's resident
memory (VmRSS of the ``streamlit run`` process) before the sessions connect, at its peak
while they run, and 2 s after they have all closed (Streamlit keeps a closed session's state
for ``server.disconnectedSessionTTL``, 120 s by default, so a dropped tab can come back).

Bounded: the server is started here on a free port of 127.0.0.1 and only that address is
ever contacted; at most 200 sessions and 100 steps; every run must finish within
``--timeout`` seconds, or counts as an error. Exit status 1 if there were errors or wrong
views.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from app_harness import ARTIFACTS, running_app  # noqa: E402
from st_load import run_load  # noqa: E402

MAX_SESSIONS = 200
MAX_STEPS = 100


def bounded(limit: int):
    def parse(text: str) -> int:
        value = int(text)
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be between 1 and {limit}")
        return value

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sessions", type=bounded(MAX_SESSIONS), default=30)
    parser.add_argument("--steps", type=bounded(MAX_STEPS), default=20)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds between a session's clicks"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one run may take")
    args = parser.parse_args()

    load = os.getloadavg()
    print(
        f"# {args.sessions} sessions × {args.steps} steps, think {args.think:g} s; "
        f"{platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    with running_app(ARTIFACTS / "bench-load-server.log") as app:
        report = run_load(
            app.url,
            app.process.pid,
            args.sessions,
            args.steps,
            think_s=args.think,
            timeout_s=args.timeout,
            log=lambda text: print(f"# {time.strftime('%H:%M:%S')} {text}", flush=True),
        )
    worked = sum(r.scenario.page_name == "worked_example" for r in report.sessions)
    print()
    print("| measure | value |")
    print("|---|---|")
    rows = {
        "sessions (worked example / your own data)": (
            f"{len(report.sessions)} ({worked} / {len(report.sessions) - worked})"
        ),
        "steps checked": f"{len(report.latencies_s)}",
        "errors": f"{len(report.errors)}",
        "wrong views": f"{report.wrong_views}",
        "sessions that saw another's numbers": f"{report.saw_another}",
        "click-to-update, median": f"{report.median_ms:.0f} ms",
        "click-to-update, 95th percentile": f"{report.percentile_ms(95):.0f} ms",
        "stepping phase, wall time": f"{report.wall_s:.1f} s",
        "server RSS before / peak during / 2 s after": (
            f"{report.rss_before_mib:.0f} / {report.rss_peak_mib:.0f} / "
            f"{report.rss_after_mib:.0f} MiB"
        ),
    }
    for name, value in rows.items():
        print(f"| {name} | {value} |")
    for error in report.errors[:10]:
        print(f"error: {error}")
    for result in report.sessions:
        for expected, seen in result.wrong[:3]:
            print(f"wrong view on {result.scenario.page_name}: expected {expected}, saw {seen}")
    return 1 if report.errors or report.wrong_views else 0


if __name__ == "__main__":
    sys.exit(main())
