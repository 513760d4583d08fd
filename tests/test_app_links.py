"""Pages opened with a query string, through AppTest: a link sets the page's settings and its
half-step; a value the page cannot use falls back to the default with a notice naming it.

AppTest seeds the widgets bound to the query string from ``at.query_params`` on the first
run, as the browser's address does (the browser tests open real links).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
from em_core.trace_json import dumps
from em_data import load_dataset
from em_models.mixture.trace import trace_to_json

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120


def open_with(page: str, query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def shown(value: float) -> str:
    return f"{value:.4f}".replace("-", "−")


def notice(at: AppTest) -> str:
    found = [w.value for w in at.warning if "could not use" in w.value]
    assert len(found) <= 1
    return found[0] if found else ""


def test_a_link_sets_the_data_model_run_and_half_step() -> None:
    query = {
        "data.dataset": "Fisher's iris flowers (150 × 4)",
        "data.n_components": "3",
        "data.covariance_type": "diag — axis-aligned ellipses",
        "data.init": "Random data points",
        "data.seed": "7",
        "data.n_init": "1",
        "data.tol": "1e-05",
        "data.max_iter": "40",
        "data.h": "M-step 3",
    }
    at = open_with("em_models/mixture/lessons/your_data.py", query)
    assert notice(at) == ""
    assert at.number_input(key="data.n_components").value == 3
    assert at.select_slider(key="data.h").value == 6
    iris = load_dataset("iris")
    trace = em_models.mixture.engine.fit(
        np.asarray(iris.values),
        3,
        covariance_type="diag",
        init="random_from_data",
        rng=7,
        tol=1e-5,
        ridge=1e-6,
        max_iter=40,
    )
    # M-step 3 draws θ₃.
    assert at.metric[0].value == shown(trace.log_likelihoods[3])


def test_a_link_sets_a_synthetic_mixture_and_which_restart() -> None:
    base = {
        "data.source": "Generate a mixture",
        "data.syn_k": "2",
        "data.syn_d": "1",
        "data.syn_seed": "5",
        "data.n_components": "2",
        "data.n_init": "4",
    }
    best = open_with("em_models/mixture/lessons/your_data.py", base)
    best_run = best.selectbox(key="data.run").value
    other = next(i for i in range(4) if i != best_run)
    label = f"run {other + 1}"
    at = open_with(
        "em_models/mixture/lessons/your_data.py", {**base, "data.run": label, "data.h": "E-step 2"}
    )
    assert notice(at) == ""
    assert at.selectbox(key="data.run").value == other
    assert at.select_slider(key="data.h").value == 3


def test_a_link_to_the_worked_example() -> None:
    query = {
        "worked.start": "k-means++ seeds",
        "worked.n_components": "3",
        "worked.seed": "4",
        "worked.h": "E-step 2",
    }
    at = open_with("em_models/mixture/lessons/worked_example.py", query)
    assert notice(at) == ""
    X = np.asarray(load_dataset("worked_example").values)
    trace = em_models.mixture.engine.fit(X, 3, init="k-means++", rng=4, reg_covar=0.0, max_iter=100)
    assert at.select_slider(key="worked.h").value == 3
    assert at.metric[0].value == shown(trace.log_likelihoods[1])


DEFAULT_VIEW = None


def default_metric() -> str:
    global DEFAULT_VIEW
    if DEFAULT_VIEW is None:
        DEFAULT_VIEW = open_with("em_models/mixture/lessons/your_data.py", {}).metric[0].value
    return DEFAULT_VIEW


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("data.n_components", ["abc"]),  # garbage
        ("data.n_components", ["0"]),  # below the range
        ("data.n_components", ["99999999999999999999999999999"]),  # huge
        ("data.n_components", ["1e400"]),  # infinite once read as a number
        ("data.seed", ["-inf"]),
        ("data.max_iter", ["NaN"]),
        ("data.n_init", ["nan"]),
        ("data.tol", ["1e-300"]),  # not one of the choices
        ("data.covariance_type", ["full'); DROP TABLE"]),
        ("data.dataset", ["../../etc/passwd"]),
        ("data.n_components", ["3", "4"]),  # repeated
        ("data.h", ["M-step 1", "M-step 2"]),
        ("data.h", ["M-step 9999"]),
        ("data.n_components", ["3" * 5000]),  # very long
        ("data.run", ["run 1"]),  # a setting that one restart does not have
        ("data.syn_k", ["3"]),  # a setting of another data source
        ("x" * 300, ["1"]),  # unknown and long
        ("utm_source", ["newsletter"]),  # unknown
        ("data.source", ["[click](https://example.org)"]),
    ],
)
def test_a_value_the_page_cannot_use_falls_back_with_a_notice(key: str, values: list[str]) -> None:
    query = {key: values} if key != "data.run" else {key: values, "data.n_init": "1"}
    at = open_with("em_models/mixture/lessons/your_data.py", query)
    text = notice(at).replace("\\", "").replace("\u2060", "")
    assert key[:40] in text
    assert all(f"“{value[:40]}" in text for value in values)
    # Nothing the link asked for is used: the view is the page's default view.
    assert at.number_input(key="data.n_components").value == 2
    assert at.select_slider(key="data.h").value == 0
    if key != "data.run":
        assert at.metric[0].value == default_metric()
    # The notice shows the value as typed, never as a link.
    assert "](https" not in notice(at)


def test_good_values_beside_bad_ones_are_used() -> None:
    at = open_with(
        "em_models/mixture/lessons/your_data.py",
        {"data.n_components": "3", "data.seed": "oops", "data.h": "E-step 2", "zzz": "1"},
    )
    text = notice(at)
    assert "data.seed" in text
    assert "zzz" in text
    assert "n_components" not in text
    assert at.number_input(key="data.n_components").value == 3
    assert at.number_input(key="data.seed").value == 0
    assert at.select_slider(key="data.h").value == 3


def test_the_notice_is_shown_once() -> None:
    at = open_with("em_models/mixture/lessons/your_data.py", {"zzz": "1"})
    assert "zzz" in notice(at)
    at.number_input(key="data.n_components").set_value(3).run()
    assert notice(at) == ""


def test_presenter_mode_opens_from_the_link_and_keeps_the_settings() -> None:
    at = open_with(
        "em_models/mixture/lessons/your_data.py", {"present": "true", "data.n_components": "3"}
    )
    assert at.toggle(key="present").value is True
    styles = [h.proto.body for h in at.get("html")]
    assert any('section[data-testid="stSidebar"]' in body for body in styles)
    # Hidden, the settings are still drawn and keep their values.
    assert at.number_input(key="data.n_components").value == 3
    at.toggle(key="present").set_value(False).run()
    assert not any("stSidebar" in h.proto.body for h in at.get("html"))
    assert at.number_input(key="data.n_components").value == 3


def test_uploaded_or_pasted_data_say_they_cannot_travel() -> None:
    at = open_with("em_models/mixture/lessons/your_data.py", {"data.source": "Paste numbers"})
    at.text_area(key="data.paste").input("1 2 3 10 11 12").run()
    assert any("cannot travel in a link" in c.value for c in at.caption)
    at = open_with("em_models/mixture/lessons/your_data.py", {})
    assert not any("cannot travel in a link" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("page", "query", "key", "expected"),
    [
        (
            "em_models/mixture/lessons/kmeans_start.py",
            {"kstart.k": "3", "kstart.k_seed": "2"},
            "kstart.k",
            3,
        ),
        (
            "em_models/mixture/lessons/collapse.py",
            {"collapse.ridge": "0.01"},
            "collapse.ridge",
            0.01,
        ),
        ("em_models/mixture/lessons/restarts.py", {"restarts.n_init": "3"}, "restarts.n_init", 3),
        (
            "em_models/mixture/lessons/choose_k.py",
            {"choose.k_range": ["2", "3"]},
            "choose.k_range",
            (2, 3),
        ),
    ],
)
def test_the_lessons_that_show_a_run_read_their_link(
    page: str, query: dict[str, str], key: str, expected
) -> None:
    at = open_with(page, {**query, "stray": "1"})
    assert at.toggle(key="present").value is False
    assert at.session_state[key] == expected
    text = notice(at)
    assert "stray" in text
    assert key not in text


def test_choosing_k_links_its_starts_and_the_k_replayed() -> None:
    query = {"choose.k_range": ["1", "3"], "choose.n_init": "2", "choose.replay_k": "K = 1"}
    at = open_with("em_models/mixture/lessons/choose_k.py", query)
    assert notice(at) == ""
    assert at.session_state["choose.n_init"] == 2
    assert at.selectbox(key="choose.replay_k").value == 1
    at = open_with("em_models/mixture/lessons/choose_k.py", {**query, "choose.replay_k": "K = 9"})
    assert "choose.replay_k" in notice(at)


@pytest.mark.parametrize(
    "data",
    [
        {},  # the worked example's six points: K up to 6, and the sweep runs
        {"choose.source": "Generate a mixture", "choose.syn_n": "1000000"},  # refused
    ],
)
def test_a_range_of_k_the_page_cannot_use_is_named_whether_or_not_the_sweep_runs(
    data: dict[str, str],
) -> None:
    at = open_with("em_models/mixture/lessons/choose_k.py", {**data, "choose.k_range": ["1", "11"]})
    refused = [e.value for e in at.error if "too large for the shared server" in e.value]
    assert len(refused) == (1 if data else 0)
    assert at.session_state["choose.k_range"] == (1, 6)
    assert "choose.k_range = “1”, “11” cannot be used here, so it is 1, 6." in notice(at)


def test_a_link_to_a_prepared_run_opens_its_half_step_once_the_file_is_given() -> None:
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    trace = em_models.mixture.engine.fit(X, 2, rng=0, tol=1e-8)
    raw = dumps(trace_to_json(trace, X, ["x"])).encode()
    at = open_with("app_pages/prepared_run.py", {"prepared.h": "M-step 1", "present": "true"})
    assert at.toggle(key="present").value is True
    at.file_uploader(key="prepared.upload").set_value(("run.json", raw, "application/json"))
    at.run()
    assert not at.exception
    assert at.select_slider(key="prepared.h").value == 2
    assert at.metric[0].value == shown(trace.log_likelihoods[1])
    assert any("cannot travel in a link" in c.value for c in at.caption)


def test_a_link_to_probabilistic_pca_shows_what_the_same_clicks_show() -> None:
    linked = open_with(
        "em_models/ppca/page.py",
        {"ppca.kind": "Old Faithful", "ppca.seed": "3", "ppca.tol": "1e-05", "ppca.h": "M-step 2"},
    )
    assert notice(linked) == ""
    clicked = open_with("em_models/ppca/page.py", {})
    clicked.radio(key="ppca.kind").set_value("faithful").run()
    clicked.number_input(key="ppca.seed").set_value(3).run()
    clicked.select_slider(key="ppca.tol").set_value(1e-5).run()
    clicked.select_slider(key="ppca.h").set_value(4).run()
    assert linked.select_slider(key="ppca.h").value == 4
    assert linked.metric[0].value == clicked.metric[0].value
    assert linked.get("plotly_chart")[0].proto.spec == clicked.get("plotly_chart")[0].proto.spec
