"""The "Choosing K" page through Streamlit's AppTest: the sweep, its chart and tables, the
replay of any K in the stepping view, the cache, and the work budget."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from stepping import press
from streamlit.testing.v1 import AppTest

import em_models.mixture.selection
import em_models.mixture.sweep
import em_ui.budget
from em_data import load_dataset

PAGE = str(
    Path(__file__).resolve().parents[1] / "em_models" / "mixture" / "lessons" / "choose_k.py"
)
KEY = "choose"
TIMEOUT = 120


def open_page(k_range=(1, 3), n_init=2, dataset=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[f"{KEY}.k_range"] = k_range
    at.session_state[f"{KEY}.n_init"] = n_init
    if dataset is not None:
        at.session_state[f"{KEY}.source"] = "dataset"
        at.session_state[f"{KEY}.dataset"] = dataset
    at.run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest, name: str = "criteria") -> dict:
    """The figure of the chart with key ``choose.<name>`` (the stepping view's is "chart")."""
    (element,) = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{KEY}.{name}")]
    return json.loads(element.proto.spec)


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    return "\n".join(parts)


def test_the_page_sweeps_k_and_marks_the_lowest_bic_and_aic():
    at = open_page(dataset="faithful")
    spec = chart(at)
    names = [t["name"] for t in spec["data"]]
    X = np.asarray(load_dataset("faithful").values, dtype=np.float64)
    rows = em_models.mixture.selection.select_n_components(X, [1, 2, 3], n_init=2)
    bics = [row.bic for row in rows]
    best = 1 + int(np.argmin(bics))
    assert f"lowest BIC: K = {best}" in names
    (bic_line,) = [t for t in spec["data"] if t["name"] == "BIC"]
    np.testing.assert_allclose(bic_line["y"], bics, rtol=1e-12)
    assert "Lower is better here" in page_text(at)
    assert "2ℓ − p·log N" in page_text(at)
    # the replay starts at the K with the lowest BIC
    assert at.selectbox(key=f"{KEY}.replay_k").value == best


def test_changing_the_range_of_k_reruns_the_sweep():
    at = open_page(k_range=(1, 2), dataset="galaxies")
    assert chart(at)["data"][0]["x"] == [1, 2]
    at.slider(key=f"{KEY}.k_range").set_value((2, 4)).run()
    assert not at.exception, at.exception
    assert chart(at)["data"][0]["x"] == [2, 3, 4]
    assert at.selectbox(key=f"{KEY}.replay_k").options == [
        "K = 2" + suffix(at, 2),
        "K = 3" + suffix(at, 3),
        "K = 4" + suffix(at, 4),
    ]


def suffix(at: AppTest, k: int) -> str:
    names = [t["name"] for t in chart(at)["data"]]
    return (" (lowest BIC)" if f"lowest BIC: K = {k}" in names else "") + (
        " (lowest AIC)" if f"lowest AIC: K = {k}" in names else ""
    )


def test_any_k_replays_its_best_run_in_the_stepping_view():
    at = open_page(k_range=(1, 3), dataset="faithful")
    at.selectbox(key=f"{KEY}.replay_k").set_value(3).run()
    assert not at.exception, at.exception
    slider = at.select_slider(key=f"{KEY}.h")
    assert int(slider.value) == 0
    press(at, f"{KEY}.e")
    assert not at.exception, at.exception
    assert int(at.select_slider(key=f"{KEY}.h").value) == 1
    # the view steps through the best run at K = 3, whose ℓ the criteria chart shows
    X = np.asarray(load_dataset("faithful").values, dtype=np.float64)
    best = em_models.mixture.selection.select_n_components(X, [1, 2, 3], n_init=2)[2].best
    assert len(
        at.select_slider(key=f"{KEY}.h").options
    ) == em_models.mixture.kmeans_phase.n_half_steps(best)
    (ll_line,) = [t for t in chart(at)["data"] if t["name"] == "best log-likelihood ℓ"]
    assert ll_line["y"][2] == pytest.approx(best.final.log_likelihood, rel=1e-12)


def test_returning_to_the_page_reuses_the_finished_sweep(monkeypatch):
    open_page(k_range=(1, 2), dataset="acidity")
    calls = []
    real = em_models.mixture.selection.select_n_components

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(em_models.mixture.selection, "select_n_components", counted)
    open_page(k_range=(1, 2), dataset="acidity")
    assert calls == []


def test_a_sweep_over_the_budget_is_refused_with_the_budget_message(monkeypatch):
    monkeypatch.setattr(em_ui.budget, "WORK_BUDGET", 0.01)  # seconds
    monkeypatch.setattr("em_models.mixture.sweep.WORK_BUDGET", 0.01)
    at = open_page(dataset="faithful")
    (error,) = at.error
    assert "too large for the shared server" in error.value
    assert not at.get("plotly_chart")


class CostlyKs(em_models.mixture.sweep.SweepProgress):
    """The page's progress bar on a fake CPU clock: every K finished costs 10 seconds."""

    def __init__(self, ks):
        self.spent = 0.0
        super().__init__(ks, cpu_clock=lambda: self.spent)

    def row_done(self, row):
        self.spent += 10.0
        super().row_done(row)


@pytest.fixture
def ks_cost_10_s_of_a_25_s_budget(monkeypatch):
    monkeypatch.setattr(em_ui.budget, "WORK_BUDGET", 25.0)
    monkeypatch.setattr("em_models.mixture.sweep.WORK_BUDGET", 25.0)
    monkeypatch.setattr(
        "em_models.mixture.sweep.ESTIMATE_FACTOR", 1e9
    )  # the estimate lets it start
    monkeypatch.setattr("em_models.mixture.sweep.SweepProgress", CostlyKs)


def test_a_sweep_that_uses_up_the_budget_stops_and_shows_the_ks_finished(
    ks_cost_10_s_of_a_25_s_budget, monkeypatch
):
    # 20 s after K = 2, 30 s after K = 3: K = 4 stops at its first iteration
    at = open_page(k_range=(1, 5), n_init=3, dataset="faithful")
    (warning,) = [w.value for w in at.warning if w.value.startswith("This sweep was stopped")]
    assert warning == (
        "This sweep was stopped: it used the 25 seconds of one processor that one request "
        "may use, and finished K = 1 to 3, shown below. To reach K = 4 to 5, use a shorter range "
        "of K, fewer starts, fewer columns, or a sample of the data."
    )
    assert not at.error
    assert chart(at)["data"][0]["x"] == [1, 2, 3]
    X = np.asarray(load_dataset("faithful").values, dtype=np.float64)
    rows = em_models.mixture.selection.select_n_components(X, [1, 2, 3], n_init=3)
    (bic_line,) = [t for t in chart(at)["data"] if t["name"] == "BIC"]
    np.testing.assert_allclose(bic_line["y"], [row.bic for row in rows], rtol=1e-12)
    assert "Of the Ks finished, lowest BIC at" in page_text(at)
    assert len(at.selectbox(key=f"{KEY}.replay_k").options) == 3
    # the Ks finished are not kept: a later visit sweeps again, and finishes
    monkeypatch.undo()
    calls = []
    real = em_models.mixture.selection.select_n_components
    monkeypatch.setattr(
        em_models.mixture.selection,
        "select_n_components",
        lambda *a, **k: calls.append(1) or real(*a, **k),
    )
    at = open_page(k_range=(1, 5), n_init=3, dataset="faithful")
    assert calls == [1]
    assert chart(at)["data"][0]["x"] == [1, 2, 3, 4, 5]
    assert not at.warning


def test_a_sweep_within_the_budget_is_unchanged(ks_cost_10_s_of_a_25_s_budget, monkeypatch):
    at = open_page(k_range=(1, 2), n_init=3, dataset="geyser")  # 20 s of 25
    assert not at.warning
    assert not at.error
    X = np.asarray(load_dataset("geyser").values, dtype=np.float64)
    rows = em_models.mixture.selection.select_n_components(X, [1, 2], n_init=3)
    (bic_line,) = [t for t in chart(at)["data"] if t["name"] == "BIC"]
    np.testing.assert_allclose(bic_line["y"], [row.bic for row in rows], rtol=1e-12)
    assert "Lowest BIC at **K" in page_text(at)
    # and it is kept: the next visit reuses it
    calls = []
    real = em_models.mixture.selection.select_n_components
    monkeypatch.setattr(
        em_models.mixture.selection,
        "select_n_components",
        lambda *a, **k: calls.append(1) or real(*a, **k),
    )
    open_page(k_range=(1, 2), n_init=3, dataset="geyser")
    assert calls == []


@pytest.mark.parametrize(("times", "refused"), [(3.9, False), (4.1, True)])
def test_a_sweep_is_refused_before_it_starts_only_over_four_budgets(monkeypatch, times, refused):
    from em_models.mixture.sweep import sweep_work

    X = load_dataset("acidity").values
    budget = sweep_work(*X.shape, (1, 2, 3), n_init=2) / times
    monkeypatch.setattr(em_ui.budget, "WORK_BUDGET", budget)
    monkeypatch.setattr("em_models.mixture.sweep.WORK_BUDGET", budget)
    # a CPU clock that stands still: the sweep is judged on its estimate alone
    real = em_models.mixture.sweep.SweepProgress
    monkeypatch.setattr(
        "em_models.mixture.sweep.SweepProgress", lambda ks: real(ks, cpu_clock=lambda: 0.0)
    )
    at = open_page(k_range=(1, 3), n_init=2, dataset="acidity")
    if refused:
        (error,) = at.error
        assert error.value.startswith(
            "This sweep is too large for the shared server, so it was not started: "
            f"{X.shape[0]:,} points in 1 column, K = 1 to 3, with 2 starts of each kind at "
            "every K, would use up to about "
        )
        assert "about 4.1 times the" in error.value
        assert not at.get("plotly_chart")
    else:
        assert not at.error
        assert chart(at)["data"][0]["x"] == [1, 2, 3]


@pytest.mark.parametrize("source", ["paste", "synthetic"])
def test_other_data_sources_work(source):
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[f"{KEY}.k_range"] = (1, 2)
    at.session_state[f"{KEY}.n_init"] = 1
    at.session_state[f"{KEY}.source"] = source
    at.run()
    if source == "paste":
        at.text_area(key=f"{KEY}.paste").set_value("1 2 3 10 11 12 13 20 21").run()
    assert not at.exception, at.exception
    assert chart(at)["data"][0]["x"] == [1, 2]


def test_a_nearly_collapsed_fit_is_marked_in_the_chart_the_table_and_the_replay():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[f"{KEY}.k_range"] = (1, 5)
    at.session_state[f"{KEY}.n_init"] = 2
    at.session_state[f"{KEY}.source"] = "paste"
    at.run()
    at.text_area(key=f"{KEY}.paste").set_value("0 1 2 3 10 11").run()
    assert not at.exception, at.exception
    X = np.array([[0.0], [1], [2], [3], [10], [11]])
    rows = em_models.mixture.selection.select_n_components(X, range(1, 6), n_init=2)
    marked = [
        row.n_components
        for row in rows
        if em_models.mixture.diagnostics.nearly_collapsed(
            row.best.final, row.best.model.ridge_diagonal
        )
    ]
    assert 5 in marked
    assert 1 not in marked
    (cross,) = [t for t in chart(at)["data"] if t["name"] == "nearly collapsed"]
    assert cross["x"] == marked
    assert any("Nearly collapsed (✕ on the chart)" in w.value for w in at.warning)
    at.selectbox(key=f"{KEY}.replay_k").set_value(5).run()
    assert any(w.value.startswith("Nearly collapsed: component") for w in at.warning)


@pytest.mark.parametrize("name", ["faithful", "geyser", "galaxies", "acidity", "iris", "diabetes"])
def test_the_default_sweep_fits_the_budget_on_every_classic_data_set(name):
    from em_models.mixture.sweep import sweep_over_budget

    X = load_dataset(name).values
    assert sweep_over_budget(*X.shape, range(1, 7), n_init=5) is None
    # a thousand times the data, with ten starts of each kind up to K = 10, does not
    message = sweep_over_budget(1000 * X.shape[0], X.shape[1], range(1, 11), n_init=10)
    assert message.startswith("This sweep is too large for the shared server")


def _in_order(node) -> list:
    """The page's elements in the order they are drawn, blocks opened."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in _in_order(children[key])]


def test_a_long_replay_points_to_the_slider_where_it_is_under_the_chart():
    # geyser's best fit at K = 2 takes 38 iterations from its start
    at = open_page(k_range=(1, 2), dataset="geyser")
    spec = chart(at, "chart")
    notes = " ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))
    assert "Play holds" in notes, "the replay's run is longer than its frames"
    assert "the slider below reaches every half-step" in notes
    assert "above" not in notes
    leaves = _in_order(at.main)
    ids = [getattr(getattr(leaf, "proto", None), "id", "") for leaf in leaves]
    chart_at = next(i for i, e in enumerate(ids) if e.endswith(f"-{KEY}.chart"))
    slider_at = next(i for i, e in enumerate(leaves) if getattr(e, "key", None) == f"{KEY}.h")
    assert chart_at < slider_at
