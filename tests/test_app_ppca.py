"""EM beyond mixtures: the probabilistic-PCA page as a person uses it (AppTest)."""

from __future__ import annotations

import numpy as np
import pytest
from stepping import press
from test_app_pages import half_step, open_page, open_tab, page_text

from em_data import load_dataset
from em_data.synthetic import elongated_cloud
from em_models.ppca import engine as ppca

PAGE = "em_models/ppca/page.py"
KEY = "ppca"


def cloud() -> np.ndarray:
    return elongated_cloud(200, rng=np.random.default_rng(0)).values


def metric_value(at) -> float:
    return float(at.metric[0].value.replace("−", "-"))


@pytest.fixture
def at():
    return open_page(PAGE)


def test_the_page_opens_on_the_elongated_cloud_at_the_start(at):
    assert at.title[0].value == "EM beyond mixtures: probabilistic PCA"
    assert half_step(at, KEY) == 0
    trace = ppca.fit(cloud(), 1, rng=0, tol=1e-3, max_iter=200)
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    assert "missing data are the points' coordinates z" in page_text(at)


def test_stepping_e_then_m_shows_each_half_step_and_its_formulas(at):
    trace = ppca.fit(cloud(), 1, rng=0, tol=1e-3, max_iter=200)
    press(at, f"{KEY}.e")
    assert half_step(at, KEY) == 1
    assert "E-step 1: each point's expected latent coordinate" in page_text(at)
    open_tab(at, KEY, "Formulas with these numbers")
    at.number_input(key=f"{KEY}.point").set_value(3).run()
    X = cloud()
    params = trace.snapshots[0].params
    # E[z_3] by conditioning the joint Gaussian of (z, x): Wᵀ C⁻¹ (x − μ).
    z = np.linalg.solve(params.covariance(), params.loadings)[:, 0] @ (X[2] - params.mean)
    assert f"= {z:.4g}" in page_text(at)
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    text = page_text(at)
    assert "M-step 1: the line turned and stretched" in text
    assert f"= {trace.snapshots[1].params.noise_variance:.4g}" in text
    assert metric_value(at) == pytest.approx(trace.snapshots[1].log_likelihood, abs=5e-5)


def test_the_end_of_the_run_says_how_far_below_the_maximum_it_stopped(at):
    press(at, f"{KEY}.end")
    X = cloud()
    trace = ppca.fit(X, 1, rng=0, tol=1e-3, max_iter=200)
    assert half_step(at, KEY) == 2 * trace.n_iter + 1
    gap = ppca.log_likelihood(X, ppca.closed_form(X, 1)) - trace.final.log_likelihood
    assert f"EM stopped {gap:.3g} below the maximum of ℓ" in page_text(at)


def test_old_faithful_is_fitted_with_its_column_names(at):
    at.radio(key=f"{KEY}.kind").set_value("faithful").run()
    assert not at.exception
    assert half_step(at, KEY) == 0
    open_tab(at, KEY, "Parameters")
    table = at.table[0].value if at.table else at.dataframe[0].value
    assert "eruptions" in str(table)
    faithful = load_dataset("faithful").values
    trace = ppca.fit(faithful, 1, rng=0, tol=1e-3, max_iter=200)
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)


def test_iris_gets_two_latent_dimensions_and_its_coordinates(at):
    at.radio(key=f"{KEY}.kind").set_value("other").run()
    at.selectbox(key=f"{KEY}.dataset").set_value("iris").run()
    assert not at.exception
    assert at.number_input(key=f"{KEY}.q").value == 2
    press(at, f"{KEY}.e")
    open_tab(at, KEY, "Latent coordinates")
    iris = load_dataset("iris").values
    trace = ppca.fit(iris, 2, rng=0, tol=1e-3, max_iter=200)
    expected = ppca.e_step(iris, trace.snapshots[0].params).latent_means
    grid = at.dataframe[0].value
    np.testing.assert_allclose(grid["E[z1]"], expected[:, 0], rtol=1e-9)
    np.testing.assert_allclose(grid["E[z2]"], expected[:, 1], rtol=1e-9)


def test_data_on_a_line_are_refused_with_the_reason(at):
    at.radio(key=f"{KEY}.kind").set_value("other").run()
    at.radio(key=f"{KEY}.source").set_value("paste").run()
    at.text_area(key=f"{KEY}.paste").input("1 2\n2 4\n3 6\n4 8\n").run()
    assert not at.exception
    assert any("lie on a line" in e.value for e in at.error)


def test_one_column_is_refused_with_the_reason(at):
    at.radio(key=f"{KEY}.kind").set_value("other").run()
    at.selectbox(key=f"{KEY}.dataset").set_value("galaxies").run()
    assert not at.exception
    assert any("at least two columns" in w.value for w in at.warning)


def extreme(value: float | None = None) -> np.ndarray:
    """100 × 3 normal points scaled by diag(3, 2, 1), the first value set to ``value``."""
    X = np.random.default_rng(0).standard_normal((100, 3)) * [3.0, 2.0, 1.0]
    if value is not None:
        X[0, 0] = value
    return X


def paste(at, X: np.ndarray) -> None:
    at.radio(key=f"{KEY}.kind").set_value("other").run()
    at.radio(key=f"{KEY}.source").set_value("paste").run()
    at.text_area(key=f"{KEY}.paste").input(
        "\n".join(" ".join(map(repr, row)) for row in X.tolist())
    ).run(timeout=60)


@pytest.mark.parametrize("q", [1, 2])
def test_one_far_outlier_fits(at, q):
    """One value of 1e8 was refused as lying "on a line" (q = 1, two columns) or "on a
    2-dimensional subspace" (q = 2, three columns)."""
    X = extreme(1e8)[:, : q + 1]
    paste(at, X)
    assert not at.exception
    assert not at.error
    trace = ppca.fit(X, q, rng=0, tol=1e-3, max_iter=200)
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    press(at, f"{KEY}.end")
    assert not at.exception
    assert half_step(at, KEY) == 2 * trace.n_iter + 1
    gap = ppca.log_likelihood(X, ppca.closed_form(X, q)) - trace.final.log_likelihood
    assert f"EM stopped {gap:.3g} below the maximum of ℓ" in page_text(at)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.where(extreme() > 0, 1e308, -1e308), "The data run from -1e+308 to 1e+308, too wide"),
        (np.where(np.arange(300).reshape(100, 3) == 4, 1e200, extreme()), "to 1e+200, too wide"),
    ],
    ids=["pm-1e308", "one-1e200"],
)
def test_values_too_large_to_square_are_refused_naming_their_range(at, X, message):
    """±1e308 gave NumPy's "Eigenvalues did not converge", one 1e200 "The starting W, μ or σ²
    contains NaN or infinite values"."""
    paste(at, X)
    assert not at.exception
    [error] = at.error
    assert message in error.value
    assert error.value.endswith(
        "to square in double precision; rescale them (for example divide "
        "by a power of ten) and fit again."
    )
