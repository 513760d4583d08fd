"""A wave of heavy requests at once, with the server's liveness watched: the load that
``benchmarks/bench_wave.py`` measures and ``tests/test_server_wave.py`` keeps as a test.

Each session is a :class:`st_client.Session` (Streamlit's own websocket protocol, no browser)
that opens a page by its address, as a student opening a link does, and waits for that
page's first answer: a fit on "Your own data" (:func:`fit_visits`) or a sweep on "Choosing
K" (:func:`sweep_visits`). They all start together. Meanwhile ``/_stcore/health`` is asked
every 0.25 s and its answer timed: Streamlit answers it on the event loop that also carries
every session's messages, so a loop held by anything (once: the file watcher, walking every
module at each run) shows there as a slow answer. The server's resident memory is sampled
too.

Every session's outcome is read from what the page sent: the run shown (its stepping view),
refused (the page's "too large for the shared server" message), or an error: an exception on
the page, a link value the page could not use, no answer in time, a dropped connection (the
client answers pings with a 20 s timeout, as a browser's keepalive).
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from st_client import Run, Session
from st_load import rss_mib

from em_data import DATASETS
from em_models.mixture.settings import INIT_LABELS

HEALTH_EVERY_S = 0.25
REFUSED = "too large for the shared server"
# Choosing K's sweeps: (data set, starts of each kind), each pair its own sweep (the store
# of finished fits would otherwise share one sweep among the sessions asking for it).
SWEEP_DATA = ("faithful", "galaxies", "geyser", "acidity", "diabetes")


@dataclass(frozen=True)
class Visit:
    """A page opened by its address: what a student's link asks for."""

    kind: str  # "fit" or "sweep", for the report
    page_name: str
    query: dict[str, str | list[str]]

    @property
    def query_string(self) -> str:
        return urlencode(self.query, doseq=True)


def fit_visits(
    n: int,
    *,
    dataset: str = "galaxies",
    k: int = 10,
    init: str = "random",
    restarts: int = 20,
    max_iter: int = 500,
    tol: str = "1e-10",
    first_seed: int = 1,
) -> list[Visit]:
    """``n`` links to "Your own data", each fitting ``dataset`` with its own seed."""
    base = {
        "data.dataset": DATASETS[dataset].title,
        "data.n_components": str(k),
        "data.init": INIT_LABELS[init],
        "data.n_init": str(restarts),
        "data.max_iter": str(max_iter),
        "data.tol": tol,
    }
    return [Visit("fit", "your_data", {**base, "data.seed": str(first_seed + i)}) for i in range(n)]


def sweep_visits(n: int, *, k_high: int = 8) -> list[Visit]:
    """``n`` links to "Choosing K", sweeping K = 1 … ``k_high``: the data sets of
    :data:`SWEEP_DATA` in turn, with 5, 4, 3, … starts of each kind (at least 1)."""
    visits = []
    for i in range(n):
        dataset = SWEEP_DATA[i % len(SWEEP_DATA)]
        starts = max(1, 5 - i // len(SWEEP_DATA))
        query = {
            "choose.dataset": DATASETS[dataset].title,
            "choose.k_range": ["1", str(k_high)],
            "choose.n_init": str(starts),
        }
        visits.append(Visit("sweep", "choose_k", query))
    return visits


@dataclass
class Outcome:
    """What one session saw: ``shown``, ``refused`` or ``error`` (with ``detail``)."""

    visit: Visit
    status: str = "error"
    detail: str = ""
    first_answer_s: float = float("nan")


def classify(run: Run) -> tuple[str, str]:
    """The outcome of a page's run (see :class:`Outcome`) and what the page said."""
    if run.exceptions():
        return "error", "the page shows an exception: " + "; ".join(run.exceptions())
    alerts = run.of_type("alert")
    notices = [a.body for a in alerts if "could not use" in a.body]
    if notices:
        return "error", "the link was not used: " + notices[0]
    refusals = [a.body for a in alerts if REFUSED in a.body]
    if refusals:
        return "refused", refusals[0]
    if any(m.label.startswith("Log-likelihood") for m in run.of_type("metric")):
        return "shown", ""
    said = "; ".join(a.body for a in alerts) or "no stepping view and no message"
    return "error", said


def visit(base_url: str, plan: Visit, start: threading.Barrier, timeout_s: float) -> Outcome:
    """Open ``plan``'s page when every session is ready; close it after its first answer."""
    outcome = Outcome(plan)
    session = Session(base_url, plan.page_name, timeout_s=timeout_s, query_string=plan.query_string)
    try:
        start.wait()
        began = time.perf_counter()
        session.connect()
        run = session.rerun()
        outcome.first_answer_s = time.perf_counter() - began
        outcome.status, outcome.detail = classify(run)
    except Exception as error:  # a wave counts every failure, whatever its kind
        outcome.detail = f"{type(error).__name__}: {error}"
    finally:
        session.close()
    return outcome


def health_seconds(url: str, *, timeout_s: float) -> float:
    """Seconds ``/_stcore/health`` took to answer "ok"; inf for no answer within
    ``timeout_s``, or an answer that is not "ok"."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            ok = response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return float("inf")
    return time.perf_counter() - began if ok else float("inf")


@dataclass
class WaveReport:
    """The outcome of :func:`run_wave`."""

    outcomes: list[Outcome]
    health_s: list[float]
    wall_s: float
    rss_before_mib: float
    rss_peak_mib: float
    rss_after_mib: float
    settle_s: float
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for outcome in self.outcomes:
            key = (outcome.visit.kind, outcome.status)
            self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def worst_health_s(self) -> float:
        return max(self.health_s, default=float("nan"))

    @property
    def median_health_s(self) -> float:
        return statistics.median(self.health_s) if self.health_s else float("nan")

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "error"]


def run_wave(
    base_url: str,
    server_pid: int | None,
    plans: Sequence[Visit],
    *,
    timeout_s: float = 300.0,
    settle_s: float = 5.0,
    log: Callable[[str], None] = lambda _: None,
) -> WaveReport:
    """Every visit of ``plans`` at once, ``/_stcore/health`` timed every 0.25 s meanwhile.

    Memory is the server's RSS before the sessions connect, its peak until ``settle_s``
    after the last session closed (sampled with every health check), and at that moment;
    NaN without ``server_pid``.
    """
    health_url = f"{base_url}/_stcore/health"
    outcomes: list[Outcome | None] = [None] * len(plans)
    start = threading.Barrier(len(plans) + 1, timeout=60)
    rss_before = rss_mib(server_pid)
    peak, health = [rss_before], []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            health.append(health_seconds(health_url, timeout_s=timeout_s))
            peak[0] = max(peak[0], rss_mib(server_pid))
            done.wait(HEALTH_EVERY_S)

    def work(i: int) -> None:
        outcomes[i] = visit(base_url, plans[i], start, timeout_s)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(plans))]
    for thread in threads:
        thread.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start.wait()
    log(f"{len(plans)} sessions opening their links at once…")
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout_s + 30)
    wall = time.perf_counter() - began
    log(f"all answered or gave up after {wall:.1f} s; {settle_s:g} s to settle…")
    time.sleep(settle_s)
    rss_after = rss_mib(server_pid)
    done.set()
    watcher.join()
    finished = [
        o if o is not None else Outcome(plans[i], detail="did not finish in time")
        for i, o in enumerate(outcomes)
    ]
    return WaveReport(
        finished, health, wall, rss_before, max(peak[0], rss_after), rss_after, settle_s
    )
