"""The worked example's words describe what is on screen: the title names the number of
Gaussians chosen, the article's numbers appear only with the article's start (computed here
with SciPy), and default starting values never raise a message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
WORKED = "em_models/mixture/lessons/worked_example.py"


def open_worked(start: str | None = None, n_components: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(WORKED)
    at.run()
    if start is not None:
        at.selectbox(key="worked.start").set_value(start).run()
    if n_components is not None:
        at.number_input(key="worked.n_components").set_value(n_components).run()
    assert not at.exception, at.exception
    return at


def words(at: AppTest) -> str:
    """The page's prose and messages (not its tables or formulas)."""
    parts = [at.title[0].value] + [m.value for m in at.markdown]
    parts += [m.value for kind in (at.info, at.warning, at.error) for m in kind]
    return "\n".join(parts)


def article_after_one_iteration() -> tuple[float, float, float]:
    """μ₂, σ₁, σ₂ after one EM iteration from μ = (2, 9), σ = (1, 1), π = (½, ½)."""
    x = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])
    dens = np.stack([norm.pdf(x, 2, 1), norm.pdf(x, 9, 1)], axis=1)
    resp = dens / dens.sum(axis=1, keepdims=True)
    nk = resp.sum(axis=0)
    mu = resp.T @ x / nk
    sigma = np.sqrt((resp * (x[:, None] - mu) ** 2).sum(axis=0) / nk)
    return mu[1], sigma[0], sigma[1]


def test_the_articles_start_quotes_the_true_numbers_of_its_first_iteration() -> None:
    at = open_worked()
    text = words(at)
    assert at.title[0].value == "Worked example: six points, two Gaussians"
    mu2, sigma1, sigma2 = article_after_one_iteration()
    for value in (mu2, sigma1, sigma2):
        assert f"{value:.2f}" in text  # 8.83, 0.41, 0.62


@pytest.mark.parametrize(("start", "n_components", "title"), [
    ("kmeans", 3, "three Gaussians"),
    ("own", 3, "three Gaussians"),
    ("own", 2, "two Gaussians"),
    ("random_from_data", 1, "one Gaussian"),
    ("own", 6, "six Gaussians"),
])  # fmt: skip
def test_another_start_is_described_as_it_is(start, n_components, title) -> None:
    at = open_worked(start, n_components)
    text = words(at)
    assert at.title[0].value == f"Worked example: six points, {title}"
    assert f"the mixture has {title}" in text
    for stale in ("8.83", "0.41", "0.62", "article's start, after"):
        assert stale not in text
    assert "two Gaussians" not in text or n_components == 2


@pytest.mark.parametrize("n_components", [1, 2, 3, 4, 5, 6])
def test_default_starting_values_raise_no_message(n_components) -> None:
    """⅓ each used to be typed as 0.3333 and reported as "weights sum to 0.9999"."""
    at = open_worked("own", n_components)
    assert not at.info
    starting_values = ("weights", "σ and every π", "Fill in")
    assert not [m.value for m in at.error if any(w in m.value for w in starting_values)]
    assert at.data_editor[0].value["π"].sum() == pytest.approx(1.0, abs=1e-15)
