"""The page on collapsing components and the ridge, as a student uses it (AppTest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from stepping import can_press, press
from streamlit.testing.v1 import AppTest

from em_data import load_dataset
from em_models.mixture.collapse_figures import COLLAPSE_START, readable, refused_step
from em_models.mixture.engine import fit

PAGE = str(
    Path(__file__).resolve().parents[1] / "em_models" / "mixture" / "lessons" / "collapse.py"
)
KEY = "collapse"
TIMEOUT = 60
X = np.asarray(load_dataset("worked_example").values)


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [latex.value for latex in at.latex]
    parts += [h.value for h in at.subheader]
    return "\n".join(parts)


def set_ridge(at: AppTest, ridge: float) -> AppTest:
    at.select_slider(key=f"{KEY}.ridge").set_value(ridge).run()
    assert not at.exception, at.exception
    return at


def test_the_page_opens_on_the_collapse_with_the_refused_step_and_its_numbers():
    at = open_page()
    assert at.title[0].value == "Collapsing components and the ridge"
    assert at.select_slider(key=f"{KEY}.ridge").value == 0.0
    text = texts(at)
    assert "Component 2 collapsed in the M-step of iteration 12" in text
    assert "The step the engine refused" in text
    refused = refused_step(X, fit(X, 3, init="given", params=COLLAPSE_START, ridge=0.0))
    assert readable(refused.sigma) in text  # σ₂ = 8.40 × 10⁻⁹
    assert r"\approx 7.92 \times 10^{6}" in text
    assert "“collapsed”" in text
    # the emptying case, always shown
    assert "Status “emptied”: Component 3 lost all its points" in text
    assert len(at.get("plotly_chart")) == 4


def test_the_ridge_control_changes_the_outcome():
    at = open_page()
    set_ridge(at, 1e-6)
    text = texts(at)
    assert not any("Component 2 collapsed" in e.value for e in at.error)
    assert "The step the engine refused" not in text
    info = "\n".join(i.value for i in at.info)
    assert "ended with the status “converged”" in info
    assert "no σₖ can fall below 0.00346" in info
    # and back to no ridge: the collapse again
    set_ridge(at, 0.0)
    assert "The step the engine refused" in texts(at)


def test_a_large_ridge_says_which_flagged_components_still_own_points():
    at = set_ridge(open_page(), 1e-1)
    captions = "\n".join(c.value for c in at.caption)
    assert "component 1 owns 3.00 points" in captions  # 1.5, 2, 2.5: spread 0.17, ridge 1.15
    # With a ridge of 1e-2 (0.115) their spread is larger than the ridge: not held up by it.
    at = set_ridge(open_page(), 1e-2)
    assert "owns 3.00 points" not in "\n".join(c.value for c in at.caption)


@pytest.mark.parametrize("ridge", [1e-10, 1e-8, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])
def test_every_ridge_renders_without_exception(ridge):
    at = open_page()
    set_ridge(at, ridge)
    assert "The step the engine refused" not in texts(at)


def test_a_loose_tolerance_is_explained_as_a_pause_before_the_collapse():
    at = open_page()
    at.select_slider(key=f"{KEY}.tol").set_value(1e-1).run()
    assert not at.exception, at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "That was a pause, not the end" in warning


def test_stepping_to_the_end_and_back_of_the_collapsed_run():
    at = open_page()
    assert not can_press(at, f"{KEY}.back")
    press(at, f"{KEY}.end")
    assert not at.exception, at.exception
    assert not can_press(at, f"{KEY}.next")
    assert "θ₁₁" in "\n".join(m.label for m in at.metric)
    press(at, f"{KEY}.back")
    assert not at.exception, at.exception
