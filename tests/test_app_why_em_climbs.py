"""The page "Why EM climbs" as a student uses it (AppTest): every control, true numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from em_models.mixture.bound import em_mean_path, gradient_path
from em_models.mixture.gaussian import Parameters

PAGE = str(
    Path(__file__).resolve().parents[1] / "em_models" / "mixture" / "lessons" / "why_em_climbs.py"
)
X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
STEP_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


def start(mu_1=2.0, mu_2=9.0, sigma=1.0) -> Parameters:
    return Parameters([0.5, 0.5], [[mu_1], [mu_2]], [[[sigma**2]], [[sigma**2]]], "full")


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts + [str(t.value) for t in at.table])


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def run(widget) -> AppTest:
    """Run the page after a widget's change; a widget's ``run`` returns its AppTest."""
    app = widget.run()
    assert not app.exception, app.exception
    return app


def test_the_page_opens_on_the_articles_start(at):
    assert at.title[0].value == "Why EM climbs"
    page = text(at)
    # μ₂ moves from the article's 9 to the mean of 8, 9 and 9.5
    assert "The M-step moves μ₂ to the bound's top, 8.8333" in page
    assert "ℓ = -10.5475" in page
    assert "ℓ is now -10.5058" in page
    assert len(at.get("plotly_chart")) == 2
    assert "Jensen" in page
    assert "Both paths are too short to see here" in page


def test_stepping_through_the_bounds_to_the_last(at):
    run(at.slider(key="climb.start.1").set_value(4.0))
    path = em_mean_path(X, start(mu_2=4.0), components=(1,), tol=1e-8, max_iter=50)
    slider = at.slider(key="climb.t.1.4")
    assert slider.max == path.n_steps
    for t in (2, path.n_steps, 1):
        run(slider.set_value(t))
        page = text(at)
        assert f"E-step {t} builds its bound at μ₂ = {path.means[t - 1, 1, 0]:.4f}" in page
        assert f"ℓ is now {path.log_likelihoods[t]:.4f}" in page
    run(at.slider(key="climb.t.1.4").set_value(path.n_steps))
    assert "the mean sits at a peak of ℓ along this line" in text(at)


def test_moving_mu_1_from_the_articles_start_is_one_step(at):
    run(at.radio(key="climb.mean").set_value(0))
    page = text(at)
    assert "From μ₁ = 2 one M-step reaches the top" in page
    assert "the same up to float rounding" in page


def test_the_table_and_the_sentence_give_the_true_step_counts(at):
    em = em_mean_path(X, start(), tol=1e-6, max_iter=1000)
    gd = gradient_path(X, start(), step_size=0.1, tol=1e-6, max_iter=1000)
    table = at.table[0].value
    assert list(table["steps"]) == [em.n_steps, gd.n_steps]
    page = text(at)
    assert f"EM reaches the tolerance in {em.n_steps} steps" in page
    assert f"η = 0.1 reaches the tolerance in {gd.n_steps} steps" in page
    assert "EM is not slower" in page  # with σ = 1 it is not: 2 steps against 3 at best


def test_with_overlapping_gaussians_the_page_says_em_is_slower(at):
    run(at.select_slider(key="climb.sigma").set_value(3.5))
    em = em_mean_path(X, start(sigma=3.5), tol=1e-6, max_iter=1000)
    runs = {
        s: gradient_path(X, start(sigma=3.5), step_size=s, tol=1e-6, max_iter=1000)
        for s in STEP_SIZES
    }
    best = min((r.n_steps, s) for s, r in runs.items() if r.converged)
    assert best[0] < em.n_steps  # the numbers do show it here
    page = text(at)
    assert f"EM reaches the tolerance in {em.n_steps} steps" in page
    assert f"the fastest, η = {best[1]:g}, needs {best[0]} steps" in page
    assert f"Here EM is slower than the best fixed step ({em.n_steps} steps against" in page


def test_too_large_a_step_is_reported(at):
    run(at.select_slider(key="climb.step").set_value(10.0))
    page = text(at)
    assert "η = 10 runs away from the data after 3 steps" in page
    assert "lowered ℓ on some steps" in page


def test_a_new_start_and_tolerance_for_both_means(at):
    run(at.slider(key="climb.start_1").set_value(5.0))
    run(at.slider(key="climb.start_2").set_value(6.0))
    run(at.select_slider(key="climb.tol").set_value(1e-3))
    em = em_mean_path(X, start(5.0, 6.0), tol=1e-3, max_iter=1000)
    page = text(at)
    assert "From μ = (5, 6) with σ = 1 and tol = 0.001" in page
    assert "too short to see" not in page
    assert f"EM reaches the tolerance in {em.n_steps} steps" in page


@pytest.mark.parametrize(("key", "value"), [("climb.start.1", -1.0), ("climb.start.1", 12.0)])
def test_the_start_slider_at_its_bounds(at, key, value):
    run(at.slider(key=key).set_value(value))
    assert "E-step 1 builds its bound" in text(at)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("climb.step", 0.01),
        ("climb.step", 10.0),
        ("climb.tol", 1e-2),
        ("climb.tol", 1e-8),
        ("climb.sigma", 4.0),
    ],
)
def test_the_second_views_choices_at_their_bounds(at, key, value):
    run(at.select_slider(key=key).set_value(value))
    assert len(at.table[0].value) == 2


@pytest.mark.parametrize(("key", "value"), [("climb.start_1", -1.0), ("climb.start_2", 12.0)])
def test_the_second_views_starts_at_their_bounds(at, key, value):
    run(at.slider(key=key).set_value(value))
    assert "reaches the tolerance" in text(at) or "does not reach" in text(at)
