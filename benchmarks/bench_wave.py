"""A class opening heavy links at once: is the server alive throughout, and how much memory?

    .venv/bin/python benchmarks/bench_wave.py                       # 20 fits + 10 sweeps
    .venv/bin/python benchmarks/bench_wave.py --fits 6 --sweeps 3   # a smaller wave
    .venv/bin/python benchmarks/bench_wave.py --server-arg=--server.fileWatcherType=auto

The server is started as deployed (``scripts/serve.py``, the project's
``.streamlit/config.toml``) on a free port of 127.0.0.1. Then, all at once (``tests/st_wave.py``,
clients of Streamlit's own websocket protocol, ``tests/st_client.py``):

- ``--fits`` sessions open "Your own data" by its address: galaxies, K = 10, random
  responsibilities, 20 restarts × 500 iterations, tol 1e-10, each with its own seed (1, 2, …);
- ``--sweeps`` sessions open "Choosing K" by its address: K = 1 … 8 on Old Faithful,
  galaxies, the second geyser record, acidity and diabetes in turn, with 5, then 4, … starts
  of each kind (each its own sweep).

Each waits for its page's first answer, then closes. Meanwhile ``/_stcore/health`` is asked
every 0.25 s; its worst and median answer times are the server's liveness (the target: at
most 2 s throughout). The server's resident memory (VmRSS) is read before the wave, at its
peak and ``--settle`` seconds after every session closed.

Each session's outcome: shown (the fit or sweep drawn), refused (over the work budget: the
page says so and fits nothing, which is a correct answer, counted apart), or an error (an
exception, a link the page did not take, a late answer, a dropped connection). Exit status 1
if the health check ever took more than ``--max-health`` seconds or any session erred.
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

from app_harness import ARTIFACTS, SERVE, running_app  # noqa: E402
from st_wave import WaveReport, fit_visits, run_wave, sweep_visits  # noqa: E402

MAX_SESSIONS = 100


def bounded(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_SESSIONS:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_SESSIONS}")
    return value


def table(report: WaveReport) -> dict[str, str]:
    """The summary's rows: measure → value."""
    rows = {}
    for kind, what in (("fit", "Your own data fits"), ("sweep", "Choosing K sweeps")):
        counts = {s: report.counts.get((kind, s), 0) for s in ("shown", "refused", "error")}
        if sum(counts.values()):
            rows[f"{what}: shown / refused / errors"] = " / ".join(map(str, counts.values()))
            times = [o.first_answer_s for o in report.outcomes if o.visit.kind == kind]
            answered = sorted(t for t in times if t == t)
            if answered:
                rows[f"{what}: first answer, fastest / slowest"] = (
                    f"{answered[0]:.1f} / {answered[-1]:.1f} s"
                )
    rows["wave, wall time"] = f"{report.wall_s:.1f} s"
    rows["health checks"] = f"{len(report.health_s)}"
    rows["health answer, median / worst"] = (
        f"{1000 * report.median_health_s:.0f} ms / {1000 * report.worst_health_s:.0f} ms"
    )
    rows[f"server RSS before / peak / {report.settle_s:g} s after"] = (
        f"{report.rss_before_mib:.0f} / {report.rss_peak_mib:.0f} / {report.rss_after_mib:.0f} MiB"
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--fits", type=bounded, default=20)
    parser.add_argument("--sweeps", type=bounded, default=10)
    parser.add_argument("--restarts", type=int, default=20, help="restarts of each fit")
    parser.add_argument("--max-health", type=float, default=2.0, help="seconds; exit 1 above")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a page may take")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before the last RSS")
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="an option for the server, e.g. --server-arg=--server.fileWatcherType=auto",
    )
    args = parser.parse_args()
    plans = fit_visits(args.fits, restarts=args.restarts) + sweep_visits(args.sweeps)
    if not plans:
        parser.error("nothing to run: give --fits or --sweeps")

    load = os.getloadavg()
    print(
        f"# {args.fits} fits + {args.sweeps} sweeps at once; {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        + (f"; server options {' '.join(args.server_arg)}" if args.server_arg else "")
    )
    log_path = ARTIFACTS / "bench-wave-server.log"
    with running_app(log_path, script=SERVE, extra_args=args.server_arg) as app:
        report = run_wave(
            app.url,
            app.process.pid,
            plans,
            timeout_s=args.timeout,
            settle_s=args.settle,
            log=lambda text: print(f"# {time.strftime('%H:%M:%S')} {text}", flush=True),
        )
    load = os.getloadavg()
    print(f"# load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print()
    print("| measure | value |")
    print("|---|---|")
    for name, value in table(report).items():
        print(f"| {name} | {value} |")
    refused = [o for o in report.outcomes if o.status == "refused"]
    if refused:
        print(f"\n{len(refused)} request(s) over the work budget were refused, as the page says:")
        for outcome in refused[:3]:
            print(f"  {outcome.visit.page_name}?{outcome.visit.query_string}\n    {outcome.detail}")
    for outcome in report.errors[:10]:
        print(f"error on {outcome.visit.page_name}?{outcome.visit.query_string}: {outcome.detail}")
    too_slow = report.worst_health_s > args.max_health
    if too_slow:
        print(f"\nThe health check took {report.worst_health_s:.1f} s > {args.max_health:g} s.")
    return 1 if too_slow or report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
