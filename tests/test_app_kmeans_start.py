"""The "K-means start" page as a student uses it, through Streamlit's AppTest (no browser).

Every control is moved and every data source used; the page's numbers are checked against
the engine: the hand-off table against θ₀ of the run, the table of starts against
``em_models.mixture.engine.fit`` for each start, the stepping view's K-means half-steps against the
recorded
K-means steps, and on through the hand-off into EM.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from stepping import press, shown_spec
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
import em_models.mixture.starts
import em_models.mixture.typed_start
from em_data import load_dataset
from em_models.mixture.typed_start import typed_key
from em_ui.engine import fingerprint

PAGE = str(
    Path(__file__).resolve().parents[1] / "em_models" / "mixture" / "lessons" / "kmeans_start.py"
)
KEY = "kstart"
TIMEOUT = 120
FAITHFUL = np.asarray(load_dataset("faithful").values)
HEADERS = [
    "1. K-means finds K clusters",
    "2. The hand-off: clusters become θ₀",
    "3. Other starts on the same data",
    "4. K-means is EM with the doubt taken out",
]
STARTS = {
    "K-means": "kmeans",
    "k-means++ seeds": "k-means++",
    "Random responsibilities": "random",
    "Random data points": "random_from_data",
}


def open_page(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def charts(at: AppTest) -> dict[str, dict]:
    return {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def stepping_spec(at: AppTest) -> dict:
    """The stepping view's chart, as the browser shows it at the page's half-step."""
    return shown_spec(at, KEY)


def table(at: AppTest, first_column: str):
    """The plain table or the grid whose first column is ``first_column``."""
    tables = [*at.table, *at.dataframe]
    return next(t.value for t in tables if t.value.columns[0] == first_column)


def editor_key(n_components: int, n_features: int) -> str:
    """The typed start's table for Old Faithful (two columns) or galaxies (one)."""
    name = "faithful" if n_features == 2 else "galaxies"
    return typed_key(KEY, fingerprint(np.asarray(load_dataset(name).values)), n_components)


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


def test_page_renders_every_section(default_page):
    at = default_page
    assert_clean(at)
    assert not at.error
    assert at.title[0].value == "The K-means start"
    assert [h.value for h in at.header if h.value != "Model"] == HEADERS
    # The stepping view (K-means then EM), the ℓ curves, five thumbnails, the limit.
    assert len(at.get("plotly_chart")) == 1 + 1 + 5 + 1


def test_handoff_table_is_the_first_snapshot(default_page):
    at = default_page
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0)
    handed = table(at, "component")
    assert "points n_k" in handed.columns
    theta_0 = trace.snapshots[0].params
    np.testing.assert_allclose(handed["π = n_k / N"], theta_0.weights, rtol=1e-12)
    np.testing.assert_allclose(handed["μ (eruptions)"], theta_0.means[:, 0], rtol=1e-12)
    np.testing.assert_allclose(
        handed["σ (waiting)"], np.sqrt(theta_0.covariances[:, 1, 1]), rtol=1e-12
    )
    np.testing.assert_array_equal(handed["points n_k"], trace.start.nk)
    assert any("agree with the θ₀ the engine starts EM from" in c.value for c in at.caption)


def title_of(spec: dict) -> str:
    return spec["layout"]["title"]["text"]


def w_metric(at: AppTest):
    (metric,) = [m for m in at.metric if m.label == "Within-cluster sum of squares W"]
    return metric


def test_the_stepping_view_starts_at_the_kmeans_seeds(default_page):
    at = default_page
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0)
    steps = trace.start.kmeans_steps
    spec = stepping_spec(at)
    assert title_of(spec) == "<b>Seeds</b>"
    slider = at.select_slider(key=f"{KEY}.h")
    assert slider.value == 0
    assert len(slider.options) == 2 * len(steps) + em_models.mixture.kmeans_phase.n_half_steps(
        trace
    )
    assert w_metric(at).value == "—"
    assert not [m for m in at.metric if m.label.startswith("Log-likelihood")]
    assert any(m.value.startswith("K-means seeds: K centres") for m in at.markdown)
    centres = next(d for d in spec["data"] if d.get("name") == "K-means centres")
    np.testing.assert_allclose(
        np.column_stack([centres["x"], centres["y"]]), steps[0].centers, rtol=1e-4
    )


def test_stepping_through_kmeans_into_em_says_what_is_true_at_each_half_step():
    at = open_page()
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0)
    steps = trace.start.kmeans_steps
    offset = 2 * len(steps)
    press(at, f"{KEY}.e")  # Assign 1
    assert_clean(at)
    assert title_of(stepping_spec(at)) == "<b>Assign 1</b>"
    assert float(w_metric(at).value) == pytest.approx(steps[0].inertia, rel=1e-5)
    assert any("nearest centre" in m.value for m in at.markdown)
    clusters = table(at, "cluster")
    np.testing.assert_allclose(clusters["c (waiting)"], steps[0].centers[:, 1], rtol=1e-12)
    press(at, f"{KEY}.m")  # Update 1: W falls
    assert_clean(at)
    assert title_of(stepping_spec(at)) == "<b>Update 1</b>"
    assert w_metric(at).delta.startswith("-")
    while at.session_state[f"{KEY}.h"] < offset - 2:
        press(at, f"{KEY}.next")  # an assignment and an update
    press(at, f"{KEY}.e")  # the last assignment
    assert_clean(at)
    assert title_of(stepping_spec(at)) == f"<b>Assign {len(steps)}</b>"
    assert any("No point changed cluster" in s.value for s in at.success)
    press(at, f"{KEY}.m")  # the hand-off
    assert_clean(at)
    assert title_of(stepping_spec(at)) == "<b>Hand-off</b>"
    (metric,) = [m for m in at.metric if m.label.startswith("Log-likelihood")]
    assert metric.value == f"{trace.snapshots[0].log_likelihood:.4f}".replace("-", "−")
    assert any(m.value.startswith("Hand-off: K-means's clusters") for m in at.markdown)
    press(at, f"{KEY}.e")  # EM's first E-step, as on every other page
    assert_clean(at)
    assert title_of(stepping_spec(at)) == "<b>E-step 1</b>"
    at = open_page(**{f"{KEY}.tab": "Responsibilities"})
    at.select_slider(key=f"{KEY}.h").set_value(offset + 1).run()
    responsibilities = table(at, "n")
    np.testing.assert_allclose(
        responsibilities[["r_n1", "r_n2"]].to_numpy(),
        em_models.mixture.engine.e_step(FAITHFUL[:200], trace.snapshots[0].params).resp,
        rtol=1e-12,
    )
    press(at, f"{KEY}.end")
    assert_clean(at)
    assert at.session_state[f"{KEY}.h"] == offset + 2 * trace.n_iter + 1


@pytest.mark.parametrize("tab", ["Parameters", "Responsibilities", "Formulas with these numbers"])
def test_every_tab_at_a_kmeans_update(tab):
    at = open_page(**{f"{KEY}.tab": tab})
    at.select_slider(key=f"{KEY}.h").set_value(2).run()
    assert_clean(at)
    steps = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0).start.kmeans_steps
    if tab == "Parameters":
        np.testing.assert_allclose(table(at, "cluster")["c (eruptions)"], steps[1].centers[:, 0])
    elif tab == "Responsibilities":
        assert "cluster" in table(at, "n").columns
        assert any("no responsibilities" in c.value for c in at.caption)
    else:
        latex = [x.value for x in at.latex]
        assert any(r"\text{cluster }" in line for line in latex)
        assert any(r"c_{1} = \frac{1}{n_{1}}" in line for line in latex)


def test_compare_table_is_the_engine_run_of_each_start(default_page):
    compared = table(default_page, "start")
    assert list(compared["start"]) == [*STARTS, "Quantile means (not typed)"]
    for row in compared.itertuples(index=False):
        if row[0] not in STARTS:
            continue
        trace = em_models.mixture.engine.fit(FAITHFUL, 2, init=STARTS[row[0]], rng=0)
        assert row[1] == trace.snapshots[0].log_likelihood
        assert row[2] == trace.n_iter
        assert row[3] == trace.final.log_likelihood
        assert row[4] == trace.stop_reason.value


def test_typed_start_default_is_the_engine_run_from_those_means(default_page):
    at = default_page
    means = at.data_editor[0].value.to_numpy()
    start = em_models.mixture.gaussian.Parameters(
        [0.5, 0.5],
        means,
        np.broadcast_to(
            np.cov(FAITHFUL.T, bias=True)
            + np.diag(em_models.mixture.starts.resolve_ridge(FAITHFUL)[0]),
            (2, 2, 2),
        ),
        "full",
    )
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, init="given", params=start)
    row = table(at, "start").iloc[-1]
    assert row["start"] == "Quantile means (not typed)"
    assert row["final ℓ"] == pytest.approx(trace.final.log_likelihood, rel=1e-12)
    assert row["iterations"] == trace.n_iter


def test_nobody_typed_a_start_so_none_is_named_typed(default_page):
    """The table's own means are named for what they are, wherever the page names a start."""
    at = default_page
    assert_clean(at)
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert "Your typed start" not in list(table(at, "start")["start"])
    assert not any("Your typed start" in text for text in texts)
    assert any(text.startswith("Highest final ℓ") for text in texts)
    at = open_page(**{editor_key(2, 2): edit("μ (eruptions)", 0, 2.5)})
    assert_clean(at)
    assert list(table(at, "start")["start"])[-1] == "Your typed start"


def edit(column: str, row: int, value) -> dict:
    return {"edited_rows": {row: {column: value}}, "added_rows": [], "deleted_rows": []}


def one_d_page(**state) -> AppTest:
    """Galaxies (one column), K = 3."""
    return open_page(
        **{f"{KEY}.dataset": "galaxies", f"{KEY}.k": 3, **state},
    )


def test_typed_start_with_sigmas_is_used():
    at = one_d_page(**{editor_key(3, 1): edit("σ", 0, 1.0)})
    assert_clean(at)
    assert any("Give every σ" in e.value for e in at.error)
    sigmas = {"edited_rows": {k: {"σ": 1.0 + k} for k in range(3)}}
    at = one_d_page(**{editor_key(3, 1): sigmas | {"added_rows": [], "deleted_rows": []}})
    assert_clean(at)
    assert not at.error
    means = at.data_editor[0].value["μ"].to_numpy()
    start = em_models.mixture.gaussian.Parameters(
        np.full(3, 1 / 3), means[:, None], (np.array([1.0, 2.0, 3.0]) ** 2)[:, None, None], "full"
    )
    X = np.asarray(load_dataset("galaxies").values)
    trace = em_models.mixture.engine.fit(X, 3, init="given", params=start)
    row = table(at, "start").iloc[-1]
    assert row["start"] == "Your typed start"
    assert row["final ℓ"] == pytest.approx(trace.final.log_likelihood, rel=1e-12)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("μ", None, "Row 2: type a number for every mean"),
        ("σ", -1.0, "Give every σ, or leave them all empty"),
    ],
)
def test_typed_start_invalid_is_explained(column, value, message):
    at = one_d_page(**{editor_key(3, 1): edit(column, 1, value)})
    assert_clean(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    # The other starts are still compared; the typed one is left out, and the page says so.
    assert list(table(at, "start")["start"]) == list(STARTS)
    assert any("typed start is left out" in c.value for c in at.caption)


def test_typed_start_negative_sigma_everywhere():
    edits = {k: {"σ": -1.0 if k == 2 else 1.0} for k in range(3)}
    at = one_d_page(
        **{editor_key(3, 1): {"edited_rows": edits, "added_rows": [], "deleted_rows": []}}
    )
    assert_clean(at)
    assert any("Row 3: σ = -1; a spread must be" in e.value for e in at.error)


def test_typed_twin_means_warn():
    at = open_page(
        **{
            editor_key(2, 2): {
                "edited_rows": {1: {"μ (eruptions)": 2.16, "μ (waiting)": 58.0}},
                "added_rows": [],
                "deleted_rows": [],
            }
        }
    )
    assert_clean(at)
    assert any("start identical" in w.value for w in at.warning)


def test_typed_mean_far_away_is_a_result_or_a_message():
    at = one_d_page(**{editor_key(3, 1): edit("μ", 0, 1e200)})
    assert_clean(at)
    assert at.error or "Your typed start" in list(table(at, "start")["start"])


@pytest.mark.parametrize("covariance_type", em_models.mixture.gaussian.COVARIANCE_TYPES)
def test_each_covariance_type(covariance_type):
    at = open_page(**{f"{KEY}.covariance": covariance_type, f"{KEY}.k": 3})
    assert_clean(at)
    assert not at.error
    trace = em_models.mixture.engine.fit(FAITHFUL, 3, covariance_type=covariance_type, rng=0)
    handed = table(at, "component")
    np.testing.assert_allclose(
        handed["μ (waiting)"], trace.snapshots[0].params.means[:, 1], rtol=1e-12
    )
    assert ("correlation" in handed.columns) == (covariance_type in ("full", "tied"))
    words = {
        "full": None,
        "tied": "pooled",
        "diag": "each column's variance",
        "spherical": "average",
    }
    said = [c.value for c in at.caption if c.value.startswith("With ")]
    assert (words[covariance_type] in said[0]) if words[covariance_type] else not said


def test_typed_edits_stay_with_their_data():
    """Means typed for galaxies do not follow the student to acidity (also one column)."""
    at = one_d_page(**{editor_key(3, 1): edit("μ", 1, None)})
    assert any("type a number" in e.value for e in at.error)
    at.selectbox(key=f"{KEY}.dataset").set_value("acidity").run()
    assert_clean(at)
    assert not at.error
    assert "Quantile means (not typed)" in list(table(at, "start")["start"])  # acidity's own


def test_k_and_seed_change_the_run(default_page):
    at = default_page
    at.number_input(key=f"{KEY}.k").set_value(4)
    at.number_input(key=f"{KEY}.k_seed").set_value(11).run()
    assert_clean(at)
    steps = em_models.mixture.engine.fit(FAITHFUL, 4, rng=11).start.kmeans_steps
    spec = stepping_spec(at)
    centres = next(d for d in spec["data"] if d.get("name") == "K-means centres")
    np.testing.assert_allclose(
        np.column_stack([centres["x"], centres["y"]]), steps[0].centers, rtol=1e-4
    )
    assert len(table(at, "component")) == 4
    at.number_input(key=f"{KEY}.k").set_value(1).run()
    assert_clean(at)
    assert len(table(at, "component")) == 1


def test_stepping_view_steps_and_resets(default_page):
    at = default_page
    at.select_slider(key=f"{KEY}.h").set_value(3).run()
    assert_clean(at)
    assert at.session_state[f"{KEY}.h"] == 3
    at.number_input(key=f"{KEY}.k_seed").set_value(2).run()
    assert at.session_state[f"{KEY}.h"] == 0


def test_convergence_settings():
    at = open_page()
    at.select_slider(key=f"{KEY}.tol").set_value(1e-8)
    at.select_slider(key=f"{KEY}.ridge").set_value(0.0)
    at.number_input(key=f"{KEY}.max_iter").set_value(5).run()
    assert_clean(at)
    trace = em_models.mixture.engine.fit(FAITHFUL, 2, rng=0, tol=1e-8, ridge=0.0, max_iter=5)
    row = table(at, "start").iloc[0]
    assert row["final ℓ"] == trace.final.log_likelihood
    assert row["iterations"] == trace.n_iter


def test_one_column_gives_the_1d_view():
    at = open_page(**{f"{KEY}.eruptions|waiting.columns": ["waiting"]})
    assert_clean(at)
    spec = stepping_spec(at)
    assert spec["layout"]["yaxis"]["title"]["text"].startswith("density")
    handed = table(at, "component")
    assert "μ" in handed.columns
    at.multiselect(key=f"{KEY}.eruptions|waiting.columns").set_value([]).run()
    assert any("Choose one or two columns" in w.value for w in at.warning)


def test_four_columns_fit_two():
    at = open_page(**{f"{KEY}.dataset": "iris"})
    assert_clean(at)
    chosen = at.multiselect[0].value
    assert len(chosen) == 2
    assert len(table(at, "component").filter(like="μ").columns) == 2


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({f"{KEY}.paste": "1 1 1 2", f"{KEY}.k": 3}, "distinct"),
        ({f"{KEY}.paste": "1 2 x"}, "could not read"),
        ({f"{KEY}.paste": ""}, None),
    ],
)
def test_pasted_numbers(state, message):
    at = open_page(**{f"{KEY}.source": "paste", **state})
    assert_clean(at)
    if message is None:
        assert any("Paste some numbers" in i.value for i in at.info)
    else:
        assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_pasted_numbers_fit():
    at = open_page(**{f"{KEY}.source": "paste", f"{KEY}.paste": "1 2 3 10 11 12 13"})
    assert_clean(at)
    assert not at.error
    assert len(table(at, "start")) == 5


def test_synthetic_mixture_and_the_budget():
    at = open_page(**{f"{KEY}.source": "synthetic"})
    assert_clean(at)
    assert not at.error
    at.select_slider(key=f"{KEY}.syn_n").set_value(1_000_000)
    at.number_input(key=f"{KEY}.k").set_value(8).run()
    assert_clean(at)
    assert any(
        "runs EM from 5 starts: on 1,000,000 points" in e.value and "not started" in e.value
        for e in at.error
    )
    assert not at.get("plotly_chart")


def test_upload_without_a_file_says_what_to_do():
    at = open_page(**{f"{KEY}.source": "upload"})
    assert_clean(at)
    assert any("Choose a file" in i.value for i in at.info)
