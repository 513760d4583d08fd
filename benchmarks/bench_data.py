"""Benchmark the data side of the app: parsing, EM on large inputs, the figures a click
rebuilds, the bytes it sends, and one click on the "Your own data" page.

    .venv/bin/python benchmarks/bench_data.py              # everything (about a minute)
    .venv/bin/python benchmarks/bench_data.py --repeats 5  # best of 5 instead of 3
    .venv/bin/python benchmarks/bench_data.py --profile    # also where a click's time goes,
                                                           # and a slow figure build's

Numbers are reported, not asserted; the last column compares them with the targets:
parse ≤ 1 s, 100 EM iterations ≤ 3 s, one step (a click) ≤ 500 ms, chart payload < 5 MB.

What is measured
----------------
- **2-D, 100,000 rows** (a mixture of 5 Gaussians, seed 0): parsing their CSV (``%.10g``,
  header ``x1,x2``) with ``em_data.read_table``; ``em_models.mixture.engine.fit(X, 5, tol=0,
  max_iter=100)``
  (K-means start included); building ``em_models.mixture.figures_2d.scatter_figure`` at half-step 2
  of that run
  and its payload ``len(fig.to_json())``.
- **1-D, 1,000,000 rows**: parsing; EM time per iteration (``em_core.run_em`` from a fixed
  K-means start, K=5, tol=0, 10 iterations, divided by 10); and what one half-step costs the
  server, for a run with the page's default settings (K=5, tol=1e-3, max_iter=100) and for
  one that uses all 100 iterations (tol=0): ``density_figure`` (with its log-likelihood
  panel) + ``parameter_table`` + ``responsibility_table`` (the figure and tables, as
  asked), then the same plus serialising the figure as ``st.plotly_chart`` does
  (``plotly.io.to_json(fig, validate=False)``) and the formulas tab (an E-step over all the
  points, ``m_step_formulas``, ``responsibility_formula``). The page computes only the open
  tab, so a click costs less than this sum.
- **The page**: ``AppTest`` on ``em_models/mixture/lessons/your_data.py`` with a synthetic 1-D
mixture of
  1,000,000 points (3 true components, the page's defaults otherwise). The fit is cached by
  the first run; then the median of ``--repeats`` "Next iteration" clicks (each preceded by
  "Reset"), and the bytes of Plotly JSON the page sends.
- **At the page's limits** (for the record): the payload of a run that reaches the largest
  iteration limit the page allows (500) with K=2, in 1-D (1,000,000 points) and 2-D
  (10,000 points), the trace fitted to a sample (the figure draws at most 500 / 1,000
  points whatever N is, and at most 60 frames within about 1 MB, so its size depends on
  the trace, not on N).

Timings are the best of ``--repeats`` runs (wall clock, ``time.perf_counter``), except the
click, whose median is reported.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.formulas
import em_models.mixture.kmeans_phase
import em_models.mixture.starts
import em_models.mixture.tables

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import plotly.io as pio  # noqa: E402

import em_core  # noqa: E402
from em_data import make_mixture, random_components, read_table  # noqa: E402

PARSE_S = 1.0
HUNDRED_ITERATIONS_S = 3.0
STEP_MS = 500.0
PAYLOAD_MB = 5.0

Row = tuple[str, str, str, str]  # measurement, value, target, verdict


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    """The shortest wall time of ``repeats`` calls, and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def mixture(n_samples: int, n_features: int, n_components: int = 5) -> np.ndarray:
    rng = np.random.default_rng(0)
    weights, means, covariances = random_components(n_components, n_features, rng)
    sample = make_mixture(n_samples, weights=weights, means=means, covariances=covariances, rng=rng)
    return np.asarray(sample.values)


def csv_bytes(X: np.ndarray) -> bytes:
    out = io.StringIO()
    header = "x" if X.shape[1] == 1 else ",".join(f"x{j + 1}" for j in range(X.shape[1]))
    np.savetxt(out, X, fmt="%.10g", delimiter=",", header=header, comments="")
    return out.getvalue().encode()


def seconds(value: float, target: float) -> tuple[str, str, str]:
    return f"{value:.2f} s", f"≤ {target:g} s", "met" if value <= target else "**missed**"


def millis(value_s: float, target_ms: float | None = STEP_MS) -> tuple[str, str, str]:
    ms = value_s * 1000
    if target_ms is None:
        return f"{ms:.0f} ms", "", ""
    return f"{ms:.0f} ms", f"≤ {target_ms:g} ms", "met" if ms <= target_ms else "**missed**"


def megabytes(n_bytes: int) -> tuple[str, str, str]:
    mb = n_bytes / 1e6
    return f"{mb:.2f} MB", f"< {PAYLOAD_MB:g} MB", "met" if mb < PAYLOAD_MB else "**missed**"


def to_json(fig) -> str:
    """The JSON ``st.plotly_chart`` sends (streamlit/elements/plotly_chart.py)."""
    return pio.to_json(fig, validate=False)


# --------------------------------------------------------------------------------------------


def profile_call(work: Callable[[], object], restrict: str = r"em_|plotly|colors") -> str:
    """cProfile of one call of ``work``: the 20 entries with the most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(restrict, 20)
    return out.getvalue()


def bench_2d(repeats: int, profiles: dict[str, str]) -> list[Row]:
    X = mixture(100_000, 2)
    raw = csv_bytes(X)
    parse_s, table = best_of(repeats, lambda: read_table(raw))
    np.testing.assert_allclose(table.values, X, rtol=1e-9)
    fit_s, trace = best_of(
        1, lambda: em_models.mixture.engine.fit(X, 5, rng=0, tol=0.0, max_iter=100)
    )
    build_s, fig = best_of(
        repeats, lambda: em_models.mixture.figures_2d.scatter_figure(X, trace, 2)
    )
    payload = len(fig.to_json())
    if build_s * 1000 > STEP_MS:
        profiles["2-D 100k: scatter_figure"] = profile_call(
            lambda: em_models.mixture.figures_2d.scatter_figure(X, trace, 2)
        )
    return [
        (f"2-D 100k: parse CSV ({len(raw) / 1e6:.1f} MB)", *seconds(parse_s, PARSE_S)),
        (
            f"2-D 100k: fit K=5, {trace.n_iter} iterations (tol=0, K-means start included)",
            *seconds(fit_s, HUNDRED_ITERATIONS_S),
        ),
        (f"2-D 100k: scatter_figure build ({len(fig.frames)} frames)", *millis(build_s)),
        ("2-D 100k: scatter_figure payload, len(fig.to_json())", *megabytes(payload)),
    ]


def half_step_cost(X: np.ndarray, trace: em_core.Trace, h: int, repeats: int) -> dict:
    """Seconds for what the page recomputes on every rerun at half-step ``h``."""

    def figures_and_tables():
        fig = em_models.mixture.figures_1d.density_figure(X, trace, h, column_name="x")
        em_models.mixture.tables.parameter_table(trace, h, X=X, column_names=("x",))
        em_models.mixture.tables.responsibility_table(X, trace, h, column_names=("x",))
        return fig

    def formulas():
        half = em_models.mixture.kmeans_phase.half_step(trace, h)
        params = trace.snapshots[half.params_index].params
        em_models.mixture.formulas.responsibility_formula(X[0], params, 0, 0)
        source = half.params_index if half.kind != "M" else half.params_index - 1
        resp = em_models.mixture.engine.e_step(X, trace.snapshots[source].params).resp
        new_params = trace.snapshots[source + 1].params
        em_models.mixture.formulas.m_step_formulas(
            X, resp, 0, new_params, reg_covar=trace.model.reg_covar
        )

    build_s, fig = best_of(repeats, figures_and_tables)
    json_s, texts = best_of(repeats, lambda: (to_json(fig),))
    formulas_s, _ = best_of(repeats, formulas)
    return {
        "build": build_s,
        "json": json_s,
        "formulas": formulas_s,
        "payload": sum(len(t.encode()) for t in texts),
        "frames": len(fig.frames),
    }


def bench_1d(repeats: int) -> list[Row]:
    X = mixture(1_000_000, 1)
    raw = csv_bytes(X)
    parse_s, table = best_of(repeats, lambda: read_table(raw))
    np.testing.assert_allclose(table.values, X, rtol=1e-9)
    init = em_models.mixture.starts.initialise(X, 5, rng=0)
    model = em_models.mixture.engine.GaussianMixture.for_data(X)
    em_s, _ = best_of(repeats, lambda: em_core.run_em(X, model, init, tol=0.0, max_iter=10))
    rows: list[Row] = [
        (f"1-D 1M: parse CSV ({len(raw) / 1e6:.1f} MB)", *seconds(parse_s, PARSE_S)),
        (
            f"1-D 1M: EM per iteration, K=5 (100 iterations would take {em_s * 10:.1f} s)",
            *millis(em_s / 10, None),
        ),
    ]
    runs = {
        "default settings": em_models.mixture.engine.fit(X, 5, rng=0),
        "100 iterations": em_models.mixture.engine.fit(X, 5, rng=0, tol=0.0, max_iter=100),
    }
    for name, trace in runs.items():
        cost = half_step_cost(X, trace, 2, repeats)
        label = f"1-D 1M, {name} ({trace.n_iter} iterations, {cost['frames']} frames)"
        rows += [
            (f"{label}: figures + tables for one half-step", *millis(cost["build"])),
            (
                f"{label}: the same + JSON for the browser + formulas tab "
                f"({cost['json'] * 1000:.0f} + {cost['formulas'] * 1000:.0f} ms)",
                *millis(cost["build"] + cost["json"] + cost["formulas"]),
            ),
            (f"{label}: payload of the chart", *megabytes(cost["payload"])),
        ]
    return rows


def bench_limits() -> list[Row]:
    rows: list[Row] = []
    for n_samples, n_features, build in [
        (1_000_000, 1, em_models.mixture.figures_1d.density_figure),
        (10_000, 2, em_models.mixture.figures_2d.scatter_figure),
    ]:
        X = mixture(n_samples, n_features, 3)
        trace = em_models.mixture.engine.fit(
            X[:: max(1, n_samples // 2000)], 2, rng=0, tol=0.0, max_iter=500
        )
        start = time.perf_counter()
        fig = build(X, trace, 2)
        text = to_json(fig)
        elapsed = time.perf_counter() - start
        rows.append(
            (
                f"limit: {n_features}-D {n_samples:,} points, K=2, {trace.n_iter} iterations "
                f"— payload (build + JSON {elapsed:.1f} s)",
                *megabytes(len(text.encode())),
            )
        )
    return rows


def bench_page(repeats: int, profile: bool) -> tuple[list[Row], str]:
    from streamlit.testing.v1 import AppTest, local_script_runner

    profiler = cProfile.Profile()
    profiling = [False]
    run_script = local_script_runner.LocalScriptRunner._run_script_thread

    def run_script_profiled(self):  # the script runs in its own thread: profile that one
        if profiling[0]:
            profiler.enable()
        try:
            run_script(self)
        finally:
            if profiling[0]:
                profiler.disable()

    local_script_runner.LocalScriptRunner._run_script_thread = run_script_profiled
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page("em_models/mixture/lessons/your_data.py")
        at.run()
        at.radio(key="data.source").set_value("synthetic").run()
        at.selectbox(key="data.syn_d").set_value(1).run()
        start = time.perf_counter()
        at.select_slider(key="data.syn_n").set_value(1_000_000).run()
        first_s = time.perf_counter() - start
        assert not at.exception, at.exception
        clicks = []
        # The step buttons are a custom component AppTest cannot click; they move the
        # half-step slider, as tests/stepping.py's press does.
        slider = lambda: at.select_slider(key="data.h")  # noqa: E731
        for i in range(repeats + 1):
            slider().set_value(0).run() if int(at.session_state["data.h"]) else None
            profiling[0] = profile and i == repeats
            start = time.perf_counter()
            slider().set_value(2).run()
            elapsed = time.perf_counter() - start
            profiling[0] = False
            assert not at.exception, at.exception
            assert int(at.session_state["data.h"]) == 2
            if i:  # the first click warms up what the first run did not
                clicks.append(elapsed)
        sent = sum(len(e.proto.spec.encode()) for e in at.get("plotly_chart"))
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    finally:
        local_script_runner.LocalScriptRunner._run_script_thread = run_script
    rows: list[Row] = [
        (
            "page, synthetic 1-D 1M: first run (draw the sample, fit, draw)",
            *millis(first_s, None),
        ),
        (
            f'page, synthetic 1-D 1M: one "Next iteration" click (median of {len(clicks)}, '
            f"max {max(clicks) * 1000:.0f} ms)",
            *millis(statistics.median(clicks)),
        ),
        (
            f"page, synthetic 1-D 1M: payload of the chart ({len(spec['frames'])} frames)",
            *megabytes(sent),
        ),
    ]
    report = ""
    if profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"em_|app_pages|plotly_chart|basedatatypes", 25)
        report = out.getvalue()
    return rows, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing (default 3)")
    parser.add_argument(
        "--profile", action="store_true", help="print where one click's time goes (cProfile)"
    )
    args = parser.parse_args()

    profiles: dict[str, str] = {}
    rows = bench_2d(args.repeats, profiles) + bench_1d(args.repeats) + bench_limits()
    page_rows, report = bench_page(args.repeats, args.profile)
    rows += page_rows
    if report:
        profiles["One click on the page"] = report

    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()}, best of {args.repeats}\n"
    )
    print("| measurement | value | target | |")
    print("|---|---:|---|---|")
    for name, value, target, verdict in rows:
        print(f"| {name} | {value} | {target} | {verdict} |")
    if args.profile:
        for name, text in profiles.items():
            print(f"\n{name}, cProfile (cumulative):\n")
            print(text)


if __name__ == "__main__":
    main()
