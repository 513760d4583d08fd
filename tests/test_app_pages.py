"""The app as a person uses it, through Streamlit's AppTest (no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from stepping import can_press, press
from streamlit.testing.v1 import AppTest

PAGES = [
    "em_models/mixture/lessons/home.py",
    "em_models/mixture/lessons/worked_example.py",
    "em_models/mixture/lessons/kmeans_start.py",
    "em_models/mixture/lessons/collapse.py",
    "em_models/mixture/lessons/choose_k.py",
    "em_models/mixture/lessons/restarts.py",
    "em_models/mixture/lessons/why_em_climbs.py",
    "em_models/ppca/page.py",
    "em_models/mixture/lessons/your_data.py",
    "app_pages/prepared_run.py",
]
WORKED = "em_models/mixture/lessons/worked_example.py"
TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [str(df.value) for df in [*at.dataframe, *at.table]]
    parts += [latex.value for latex in at.latex]
    parts += [m.value for m in at.metric]
    return "\n".join(parts)


def open_tab(at: AppTest, key: str, label: str) -> None:
    """Choose a tab of the stepping view (only the open one is computed and sent)."""
    at.session_state[f"{key}.tab"] = label
    at.run()
    assert not at.exception, at.exception


def half_step(at: AppTest, key: str) -> int:
    return int(at.session_state[f"{key}.h"])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = open_page(page)
    assert at.title, "every page has a title"


def article_numbers():
    """One EM iteration from the article's start, computed independently with scipy."""
    x = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])
    dens = np.stack([0.5 * norm.pdf(x, 2, 1), 0.5 * norm.pdf(x, 9, 1)], axis=1)
    resp = dens / dens.sum(axis=1, keepdims=True)
    nk = resp.sum(axis=0)
    mu = resp.T @ x / nk
    sigma = np.sqrt((resp * (x[:, None] - mu) ** 2).sum(axis=0) / nk)
    return resp, nk, mu, sigma


def test_worked_example_one_iteration_shows_the_article_numbers():
    at = open_page(WORKED)
    assert half_step(at, "worked") == 0
    assert "−10.5475" in page_text(at)
    press(at, "worked.e")
    assert half_step(at, "worked") == 1
    press(at, "worked.m")
    assert not at.exception
    assert half_step(at, "worked") == 2
    _, nk, mu, sigma = article_numbers()
    # The Parameters tab, open by default: the parameters, then their changes Δ.
    table, changes = [t.value for t in at.table]
    assert table["μ"].to_numpy() == pytest.approx(mu, rel=1e-12)
    assert table["σ"].to_numpy() == pytest.approx(sigma, rel=1e-12)
    assert table["N_k"].to_numpy() == pytest.approx(nk, rel=1e-12)
    assert changes["Δμ"].to_numpy() == pytest.approx(mu - [2, 9], abs=5e-5)
    assert "−8.5682" in page_text(at)
    open_tab(at, "worked", "Formulas with these numbers")
    assert not at.dataframe, "a closed tab is not computed"
    assert not at.table, "a closed tab is not computed"
    text = page_text(at)
    assert f"{mu[1]:.3f}" in text  # 8.833
    assert f"{sigma[0]:.3f}" in text  # 0.408
    assert f"{sigma[1] ** 2:.3f}" in text  # σ₂² = 0.389, the variance in N(x | μ₂, σ₂²)
    assert f"{nk[0]:.3f}" in text  # N1 = 3.000


def test_formula_panel_plugs_in_the_live_values():
    at = open_page(WORKED)
    press(at, "worked.e")
    open_tab(at, "worked", "Formulas with these numbers")
    at.number_input(key="worked.point").set_value(3).run()  # x = 2.5
    latex = "\n".join(item.value for item in at.latex)
    assert "2.5" in latex
    _resp, *_ = article_numbers()
    # the exact value and the article's rounded one both appear
    assert re.search(r"0\.99999999|1 - 7\.6|7\.6\d*\s*\\times\s*10\^\{-10\}", latex), latex
    assert "1.000" in latex


def test_controls_at_both_ends_of_the_run():
    at = open_page(WORKED)
    assert not can_press(at, "worked.back")
    assert not can_press(at, "worked.reset")
    assert not can_press(at, "worked.m")  # the first half-step is an E-step
    press(at, "worked.end")
    last = half_step(at, "worked")
    assert last > 2
    assert not can_press(at, "worked.next")
    assert not can_press(at, "worked.end")
    assert not can_press(at, "worked.e")
    assert not can_press(at, "worked.m")
    press(at, "worked.back")
    assert half_step(at, "worked") == last - 1
    press(at, "worked.reset")
    assert half_step(at, "worked") == 0
    press(at, "worked.next")
    assert half_step(at, "worked") == 2
    assert not at.exception


def test_slider_jumps_to_any_half_step():
    at = open_page(WORKED)
    at.select_slider(key="worked.h").set_value(3).run()
    assert half_step(at, "worked") == 3
    assert "E-step 2" in page_text(at)


def test_changing_the_start_resets_the_run_and_says_so():
    at = open_page(WORKED)
    press(at, "worked.next")
    assert half_step(at, "worked") == 2
    at.selectbox(key="worked.start").set_value("kmeans").run()
    assert not at.exception
    assert half_step(at, "worked") == 0
    assert any("starts again" in t.value for t in at.toast)


def test_own_starting_values_are_validated():
    at = open_page(WORKED)
    at.selectbox(key="worked.start").set_value("own").run()
    assert not at.exception
    assert half_step(at, "worked") == 0
    assert at.data_editor, "an editable table of μ, σ, π"
