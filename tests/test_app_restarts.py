"""The "Restarts and local optima" page as a student uses it, through Streamlit's AppTest.

The charts are read as the browser gets them: the JSON of each ``st.plotly_chart``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from stepping import press
from streamlit.testing.v1 import AppTest

import em_models.mixture.selection
from em_data import load_dataset
from em_viz.contrast import CASING_NAME

PAGE = str(
    Path(__file__).resolve().parents[1] / "em_models" / "mixture" / "lessons" / "restarts.py"
)
KEY = "restarts"
TIMEOUT = 120


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest, name: str) -> dict | None:
    """The spec of the chart with key ``restarts.<name>``, or None when it is not drawn."""
    found = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{KEY}.{name}")]
    return json.loads(found[0].proto.spec) if found else None


def run_curves(spec: dict) -> list[dict]:
    """The runs' curves: every line but the dark casings beneath them."""
    return [
        t for t in spec["data"] if "lines" in t.get("mode", "") and t.get("name") != CASING_NAME
    ]


def stepped_log_likelihoods(at: AppTest) -> list[float]:
    """ℓ of every iteration of the run in the stepping view (its log-likelihood panel)."""
    (line,) = [t for t in chart(at, "chart")["data"] if t.get("name") == "ℓ(θ)"]
    return line["y"]


def leaderboard(at: AppTest):
    """The leaderboard as shown (the table with an "optimum" column)."""
    (board,) = [t.value for t in at.table if "optimum" in t.value.columns]
    return board


def show_case(at: AppTest) -> AppTest:
    at.button(key=f"{KEY}.case").click().run()
    assert not at.exception, at.exception
    return at


def test_the_page_draws_every_run_a_leaderboard_and_the_best_run() -> None:
    at = open_page()
    n_init = at.number_input(key=f"{KEY}.n_init").value
    assert n_init == 10  # Old Faithful's default
    curves = run_curves(chart(at, "curves"))
    assert len(curves) == n_init
    board = leaderboard(at)
    assert sorted(board["run"]) == list(range(1, n_init + 1))
    # The stepping view starts on the best run.
    X = np.asarray(load_dataset("faithful").values)
    restarts = em_models.mixture.selection.fit_restarts(X, 2, n_init=n_init, seed=0)
    assert at.selectbox(key=f"{KEY}.run").value == restarts.best_index
    np.testing.assert_allclose(
        stepped_log_likelihoods(at), restarts.best.log_likelihoods, rtol=1e-12
    )
    assert "All 10 starts ended at the same optimum" in " ".join(c.value for c in at.caption)


def test_show_me_a_case_finds_a_stuck_start_and_replays_it() -> None:
    at = show_case(open_page())
    assert at.selectbox(key=f"{KEY}.dataset").value == "iris"
    assert at.number_input(key=f"{KEY}.n_components").value == 3
    summary, case = [i.value for i in at.info]
    assert "2 different optima" in summary
    assert "ℓ = -180.22" in summary
    # The explanation's numbers are the runs' own (tests/test_local_optima.py checks the
    # split of setosa it describes).
    assert "Run 1's K-means start" in case
    assert "The other 9 starts reach a hill 22.03 higher" in case
    legend = [t["name"] for t in chart(at, "curves")["data"] if t.get("showlegend", True)]
    assert "optimum A: ℓ = −180.22, 9 runs" in legend
    assert "optimum B: ℓ = −202.25, 1 run" in legend
    board = leaderboard(at)
    assert board["optimum"].tolist() == ["A"] * 9 + ["B"]
    assert board["run"].iloc[-1] == 1
    # The run on screen is the stuck one, run 1, which stopped 22 log-units lower.
    run = at.selectbox(key=f"{KEY}.run")
    assert run.value == 0
    assert "optimum B" in run.format_func(run.value)
    values = stepped_log_likelihoods(at)
    assert values[-1] == pytest.approx(-202.25, abs=0.01)
    # The 2-D view shows the petals, where the stuck run's mistake is visible.
    axis_keys = [s.key for s in at.selectbox if s.key.endswith((".x", ".y"))]
    assert [at.selectbox(key=k).value for k in axis_keys] == ["Petal.Length", "Petal.Width"]


def test_the_case_explanation_goes_when_the_settings_change() -> None:
    at = show_case(open_page())
    at.number_input(key=f"{KEY}.seed").set_value(1).run()
    assert not at.exception, at.exception
    assert not any("The case." in i.value for i in at.info)


def test_any_run_can_be_replayed_and_stepped() -> None:
    at = show_case(open_page())
    iris = np.asarray(load_dataset("iris").values)
    restarts = em_models.mixture.selection.fit_restarts(iris, 3, n_init=10, seed=0)
    for run in (restarts.best_index, 6, 0):
        at.selectbox(key=f"{KEY}.run").set_value(run).run()
        assert not at.exception, at.exception
        np.testing.assert_allclose(
            stepped_log_likelihoods(at), restarts.traces[run].log_likelihoods, rtol=1e-12
        )
    # Stepped to the end, the view shows the run's own final ℓ.
    press(at, f"{KEY}.end")
    assert not at.exception, at.exception
    (metric,) = at.metric
    shown = float(metric.value.replace("−", "-").replace(",", ""))
    assert shown == pytest.approx(restarts.traces[0].final.log_likelihood, abs=1e-4)
    # A new choice of run starts again from the beginning.
    at.selectbox(key=f"{KEY}.run").set_value(restarts.best_index).run()
    assert at.select_slider(key=f"{KEY}.h").value == 0


def test_other_settings_give_new_runs_and_the_best_of_them_on_screen() -> None:
    at = show_case(open_page())
    at.number_input(key=f"{KEY}.n_init").set_value(4)
    at.selectbox(key=f"{KEY}.init").set_value("random").run()
    assert not at.exception, at.exception
    assert len(run_curves(chart(at, "curves"))) == 4
    iris = np.asarray(load_dataset("iris").values)
    restarts = em_models.mixture.selection.fit_restarts(iris, 3, n_init=4, seed=0, init="random")
    assert at.selectbox(key=f"{KEY}.run").value == restarts.best_index


def test_one_start_says_there_is_nothing_to_compare() -> None:
    at = open_page()
    at.number_input(key=f"{KEY}.n_init").set_value(1).run()
    assert not at.exception, at.exception
    assert any("nothing to compare" in i.value for i in at.info)
    assert len(run_curves(chart(at, "curves"))) == 1


def test_an_over_budget_request_is_refused_before_any_fit(monkeypatch) -> None:
    at = open_page()
    at.radio(key=f"{KEY}.source").set_value("synthetic").run()
    at.selectbox(key=f"{KEY}.syn_d").set_value(1)
    at.select_slider(key=f"{KEY}.syn_n").set_value(1_000_000)
    at.number_input(key=f"{KEY}.n_components").set_value(10)
    at.number_input(key=f"{KEY}.max_iter").set_value(500)
    calls = []
    monkeypatch.setattr(
        em_models.mixture.selection, "fit_restarts", lambda *a, **k: calls.append(1)
    )
    at.run()  # one run of K = 10 to 500 iterations on a million points is already too much
    assert len(at.error) == 1
    # (New data reset the restarts to their default, so they are set after.)
    at.number_input(key=f"{KEY}.n_init").set_value(20).run()
    assert not at.exception, at.exception
    (message,) = [e.value for e in at.error]
    assert "too large for the shared server" in message
    assert "20 restarts" in message
    assert calls == []
    assert chart(at, "curves") is None
    assert chart(at, "chart") is None


def test_the_page_names_the_run_kept_by_what_it_searched() -> None:
    """ "Best" would claim more than these runs can show (Choosing K's search climbs higher
    on Old Faithful with K = 3): the chart, its caption, the leaderboard and the choice of
    run say "the highest of these 10 runs" and mark it ★."""
    at = open_page()
    restarts = em_models.mixture.selection.fit_restarts(
        np.asarray(load_dataset("faithful").values), 2, n_init=10
    )
    kept = restarts.best_index
    assert any("is the usual guard" in m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    assert "the star (★) marks the highest of these 10 runs. Other starts may climb" in captions
    star = [t for t in chart(at, "curves")["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert star[0]["name"] == f"run {kept + 1}: the highest of these 10 runs"
    board = leaderboard(at)
    assert board.loc[board["kept"] == "★", "run"].tolist() == [kept + 1]
    choice = at.selectbox(key=f"{KEY}.run")
    assert choice.options[kept] == f"run {kept + 1} (optimum A, ★)"
    shown = [captions, *[t["name"] for t in chart(at, "curves")["data"]], *board.columns]
    shown += [*choice.options, *(i.value for i in at.info), *(m.value for m in at.markdown)]
    assert not any("best" in text.lower() for text in shown)
