"""EM beyond mixtures: the factor-analysis page as a person uses it (AppTest)."""

from __future__ import annotations

import numpy as np
import pytest
from pages import APP, PREPARED, upload_prepared_run
from pages import open_page as open_app_page
from stepping import press
from streamlit.testing.v1 import AppTest
from test_app_pages import half_step, open_page, open_tab, page_text

from em_core.trace_json import dumps
from em_data import load_dataset
from em_models.fa import engine as fa
from em_models.fa import lessons
from em_models.fa import trace as trace_file
from em_models.fa.census import load_census
from em_ui.prepared import opened_runs

PAGE = "em_models/fa/page.py"
KEY = "fa"


def metric_value(at) -> float:
    return float(at.metric[0].value.replace("−", "-"))


def census_run():
    X, columns = load_census()
    return X, columns, fa.fit(X, 2, columns=columns, tol=1e-3, max_iter=1000)


@pytest.fixture
def at():
    return open_page(PAGE)


def test_the_page_opens_on_harmans_census_data_with_the_heywood_lesson(at):
    X, _, trace = census_run()
    assert at.title[0].value == "EM beyond mixtures: factor analysis"
    assert at.radio(key=f"{KEY}.kind").value == "census"
    assert half_step(at, KEY) == 0
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    text = page_text(at)
    end = trace.final.params.noise_variances[0]
    assert (
        f"This run stopped at iteration {trace.n_iter} with ψ of **Population** at {end:.3g}"
        in text
    )
    long = lessons.long_run(X, trace)
    assert f"{long.final.params.noise_variances[0]:.1e}" == "4.8e-04"
    assert "and ψ is 4.8 × 10⁻⁴." in text
    assert "communality of 1.000" in text
    assert "What analysts do" in text


def test_stepping_e_then_m_shows_each_half_step_and_its_formulas(at):
    X, _, trace = census_run()
    press(at, f"{KEY}.e")
    assert half_step(at, KEY) == 1
    assert "E-step 1: each point's expected factor scores" in page_text(at)
    open_tab(at, KEY, "Formulas with these numbers")
    at.number_input(key=f"{KEY}.point").set_value(3).run()
    params = trace.snapshots[0].params
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    # E[z_3] by conditioning the joint Gaussian of (z, x): Wᵀ C⁻¹ (x − μ).
    z = np.linalg.solve(params.covariance(), params.loadings).T @ Z[2]
    assert f"= \\begin{{pmatrix}} {z[0]:.4g} \\\\ {z[1]:.4g} \\end{{pmatrix}}" in page_text(at)
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    text = page_text(at)
    assert "M-step 1: the loadings turned and stretched" in text
    assert f"= {trace.snapshots[1].params.noise_variances[0]:.4g}" in text
    assert metric_value(at) == pytest.approx(trace.snapshots[1].log_likelihood, abs=5e-5)


def test_the_rotation_slider_keeps_l_and_names_varimaxs_turn(at):
    _, _, trace = census_run()
    at.slider(key=f"{KEY}.angle").set_value(30).run()
    assert not at.exception
    final = f"{trace.final.log_likelihood:.4f}".replace("-", "−")
    text = page_text(at)
    assert "Turned by 30°, WWᵀ + Ψ differs from the fit's" in text
    assert f"and ℓ is {final} (the run's end: {final})" in text
    assert "**Varimax** (dotted)" in text


def test_iris_gets_one_factor_and_the_rotation_says_why_it_cannot_turn(at):
    at.radio(key=f"{KEY}.kind").set_value("iris").run()
    assert not at.exception
    assert at.number_input(key=f"{KEY}.q").value == 1
    iris = load_dataset("iris")
    trace = fa.fit(iris.values, 1, columns=iris.columns)
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    assert "With one factor the loadings can only be turned upside down" in page_text(at)


def paste(at, text: str) -> None:
    at.radio(key=f"{KEY}.kind").set_value("other").run()
    at.radio(key=f"{KEY}.source").set_value("paste").run()
    at.text_area(key=f"{KEY}.paste").input(text).run()


def test_two_columns_are_refused_with_the_reason(at):
    paste(at, "1 2\n2 4.5\n3 5\n4 8\n")
    assert not at.exception
    assert any("at least three columns" in w.value for w in at.warning)


def test_a_constant_column_is_refused_in_the_engines_words(at):
    paste(at, "1 2 5\n2 4.5 5\n3 5 5\n4 8 5\n5 1 5\n")
    assert not at.exception
    assert any("has the same value in every row" in e.value for e in at.error)


def test_a_prepared_run_opens_in_the_stepping_view():
    X, columns, trace = census_run()
    opened_runs.clear()
    raw = dumps(trace_file.write(trace, X, columns)).encode()
    at = upload_prepared_run(open_app_page(PREPARED, timeout=120), raw)
    assert not at.error, [e.value for e in at.error]
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    press(at, "prepared.end")
    assert "Converged after" in page_text(at)


def random_run(seed: int):
    X, columns = load_census()
    return fa.fit(X, 2, columns=columns, init="random", rng=seed, tol=1e-3, max_iter=1000)


def test_the_start_is_pca_or_random_with_a_seed_shown_only_for_random(at):
    start = at.radio(key=f"{KEY}.start")
    assert start.value == "pca"
    assert start.options == ["PCA loadings", "Random loadings"]
    assert f"{KEY}.seed" not in [w.key for w in at.number_input]
    start.set_value("random").run()
    at.number_input(key=f"{KEY}.seed").set_value(5).run()
    assert not at.exception
    assert metric_value(at) == pytest.approx(random_run(5).snapshots[0].log_likelihood, abs=5e-5)
    at.radio(key=f"{KEY}.start").set_value("pca").run()
    assert f"{KEY}.seed" not in [w.key for w in at.number_input]
    _, _, trace = census_run()
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)


def test_a_link_opens_a_random_start_with_its_seed():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.query_params[f"{KEY}.start"] = "Random loadings"
    at.query_params[f"{KEY}.seed"] = "5"
    at.run()
    assert not at.exception
    assert at.radio(key=f"{KEY}.start").value == "random"
    assert at.number_input(key=f"{KEY}.seed").value == 5
    assert metric_value(at) == pytest.approx(random_run(5).snapshots[0].log_likelihood, abs=5e-5)
