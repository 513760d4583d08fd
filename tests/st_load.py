"""Concurrent sessions stepping through EM, checked against the engine: the load that
``benchmarks/bench_load.py`` measures and ``tests/test_load.py`` keeps as a test.

Each session is a :class:`st_client.StepperClient` (Streamlit's own websocket protocol, no
browser). Half the sessions open the worked example (the article's start), half "Your own
data" (the first classic data set with the page's defaults, each session with its own seed,
so that their numbers differ). After opening, every session steps to ``steps`` half-steps
drawn from its own random sequence; after every step the page's half-step, the chart's
half-step and the log-likelihood metric (label ℓ(θ_t) and value) must be the ones the engine
gives for that session's run at the half-step it asked for, computed here with ``em_core``.
A view that is wrong but equals a view another session asked for counts as a session that
saw another's numbers.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from st_client import ProtocolError, Session, StepperClient, View

import em_core
import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.selection
from em_data import DATASETS, load_dataset
from em_models.mixture.settings import default_restarts

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Scenario:
    """A page, the number inputs a session sets before stepping (key, value), and its run."""

    page_name: str
    key: str
    trace: em_core.Trace
    numbers: tuple[tuple[str, int], ...] = ()

    @property
    def last(self) -> int:
        return 2 * self.trace.n_iter + 1

    def expected(self, h: int) -> View:
        """What the page must show at half-step ``h``: t = h // 2 (see em_viz.halfstep)."""
        t = h // 2
        value = f"{self.trace.snapshots[t].log_likelihood:.4f}".replace("-", "−")
        return View(h, h, f"Log-likelihood ℓ(θ{t})".translate(SUBSCRIPTS), value, self.last)


def worked_example() -> Scenario:
    """The worked example from the article's start, as the page runs it."""
    X = np.asarray(load_dataset("worked_example").values)
    start = em_models.mixture.gaussian.Parameters(
        [0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full"
    )
    trace = em_models.mixture.engine.fit(
        X, 2, init="given", params=start, reg_covar=0.0, tol=1e-3, max_iter=100
    )
    return Scenario("worked_example", "worked", trace)


def your_data(n_components: int, seed: int) -> Scenario:
    """The page "Your own data" with its defaults (first classic data set, full covariances,
    k-means starts, the default restarts, tol 1e-3, relative ridge 1e-6) but ``n_components``
    and ``seed``: the best of the restarts, which the page shows first."""
    name = next(n for n in DATASETS if n != "worked_example")
    data = load_dataset(name)
    X = np.asarray(data.values)
    restarts = em_models.mixture.selection.fit_restarts(
        X,
        n_components,
        n_init=default_restarts(X.shape[0]),
        seed=seed,
        covariance_type="full",
        init="kmeans",
        tol=1e-3,
        ridge=1e-6,
        max_iter=100,
    )
    assert restarts.best is not None
    numbers = (("data.n_components", n_components), ("data.seed", seed))
    return Scenario("your_data", "data", restarts.best, numbers)


def scenarios(n_sessions: int) -> list[Scenario]:
    """``n_sessions`` scenarios: even-numbered ones the worked example, odd ones your data
    with K = 2, 3, 4, 5, 2, … and seeds 1, 2, 3, … (other K, other numbers)."""
    worked = worked_example()
    return [
        worked if i % 2 == 0 else your_data(2 + (i // 2) % 4, i // 2 + 1) for i in range(n_sessions)
    ]


def targets(scenario: Scenario, steps: int, rng: np.random.Generator) -> list[int]:
    """``steps`` half-steps to visit, each different from the one before (starting at 0)."""
    out, h = [], 0
    for _ in range(steps):
        h = int(rng.choice([i for i in range(scenario.last + 1) if i != h]))
        out.append(h)
    return out


@dataclass
class SessionResult:
    """What one session saw."""

    scenario: Scenario
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: list[tuple[View, View]] = field(default_factory=list)  # (expected, seen)


def run_session(
    base_url: str,
    scenario: Scenario,
    steps: int,
    seed: int,
    start: threading.Barrier,
    *,
    think_s: float = 0.0,
    timeout_s: float = 60.0,
) -> SessionResult:
    """Open the page, set the session's number inputs, wait for every session, then step."""
    result = SessionResult(scenario)
    rng = np.random.default_rng(seed)
    client = StepperClient(Session(base_url, scenario.page_name, timeout_s=timeout_s), scenario.key)
    try:
        try:
            view = client.open()
            for key, value in scenario.numbers:  # one at a time, as a student types them
                found = client.last_run.keyed("number_input", key)
                if found is None:
                    raise ProtocolError(f"the page has no number input {key}")
                client.session.set_widget(found[0].id, double_value=float(value))
                view = client.read(client.session.rerun())
            if view != scenario.expected(0):
                result.wrong.append((scenario.expected(0), view))
        finally:
            start.wait()
        for h in targets(scenario, steps, rng):
            if think_s:
                time.sleep(rng.uniform(0.5, 1.5) * think_s)
            view, seconds = client.step_to(h)
            result.latencies_s.append(seconds)
            if view != scenario.expected(h):
                result.wrong.append((scenario.expected(h), view))
    except Exception as error:  # a load test counts every failure, whatever its kind
        result.errors.append(f"{type(error).__name__}: {error}")
    finally:
        client.session.close()
    return result


def rss_mib(pid: int | None) -> float:
    """Resident memory of process ``pid`` in MiB (``VmRSS`` of ``/proc/PID/status``); NaN
    for None."""
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class LoadReport:
    """The outcome of :func:`run_load`."""

    sessions: list[SessionResult]
    wall_s: float
    rss_before_mib: float
    rss_peak_mib: float
    rss_after_mib: float

    @property
    def latencies_s(self) -> list[float]:
        return [s for r in self.sessions for s in r.latencies_s]

    @property
    def errors(self) -> list[str]:
        return [e for r in self.sessions for e in r.errors]

    @property
    def wrong_views(self) -> int:
        return sum(len(r.wrong) for r in self.sessions)

    @property
    def saw_another(self) -> int:
        """Sessions with a wrong view that is another session's view."""
        count = 0
        for i, result in enumerate(self.sessions):
            others = {
                other.scenario.expected(h)
                for j, other in enumerate(self.sessions)
                if j != i
                for h in range(other.scenario.last + 1)
            } - {result.scenario.expected(h) for h in range(result.scenario.last + 1)}
            count += any(seen in others for _, seen in result.wrong)
        return count

    def percentile_ms(self, q: float) -> float:
        values = sorted(self.latencies_s)
        if not values:
            return float("nan")
        return 1000 * float(np.percentile(values, q))

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.latencies_s) if self.latencies_s else float("nan")


def run_load(
    base_url: str,
    server_pid: int | None,
    n_sessions: int,
    steps: int,
    *,
    think_s: float = 0.0,
    timeout_s: float = 60.0,
    settle_s: float = 2.0,
    log: Callable[[str], None] = lambda _: None,
) -> LoadReport:
    """``n_sessions`` concurrent sessions (:func:`scenarios`), each stepping ``steps`` times.

    Memory is the server's RSS before the sessions connect, its peak while they run
    (sampled every 0.1 s) and ``settle_s`` after the last one closed; NaN without
    ``server_pid``.
    """
    plans = scenarios(n_sessions)
    results: list[SessionResult | None] = [None] * n_sessions
    start = threading.Barrier(n_sessions + 1, timeout=timeout_s * 3)
    rss_before = rss_mib(server_pid)
    peak = [rss_before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], rss_mib(server_pid))

    def work(i: int) -> None:
        results[i] = run_session(
            base_url, plans[i], steps, seed=i, start=start, think_s=think_s, timeout_s=timeout_s
        )

    sampler = threading.Thread(target=sample, daemon=True)
    if server_pid is not None:
        sampler.start()
    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n_sessions)]
    for thread in threads:
        thread.start()
    log(f"{n_sessions} sessions opening…")
    start.wait()
    log("all open; stepping…")
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout_s * (steps + 3))
    wall = time.perf_counter() - began
    done.set()
    if server_pid is not None:
        sampler.join()
        time.sleep(settle_s)
    finished = [
        r if r is not None else SessionResult(plans[i], errors=["did not finish in time"])
        for i, r in enumerate(results)
    ]
    return LoadReport(finished, wall, rss_before, peak[0], rss_mib(server_pid))
