"""A page with one stepping view whose half-steps do not alternate, for the browser tests of
the step buttons (tests/test_browser_stepping.py): ``streamlit run tests/stepper_toy_app.py``.

The view is the worked example's, with its six half-steps declared as a model whose E-step
comes in two passes would declare them: the start, two E-like half-steps in a row, an M-like
one, then two E-like ones again (:data:`KINDS`). The buttons have names and help of their
own (:data:`PHASES`).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from em_models.mixture.engine import fit  # noqa: E402
from em_models.mixture.gaussian import Parameters  # noqa: E402
from em_models.mixture.view import MixtureView  # noqa: E402
from em_ui.stepper import stepping_view  # noqa: E402
from em_viz.view import ButtonPhase  # noqa: E402

KEY = "toy"
KINDS = (None, "E", "E", "M", "E", "E")
PHASES = (
    ButtonPhase(
        0,
        {"e": "A pass of the toy E-step.", "m": "The toy M-step."},
        {"e": "Pass", "m": "Update"},
    ),
)


class TwoPassView:
    """The worked example's view, its half-steps declared as :data:`KINDS`."""

    button_kinds = KINDS
    button_phases = PHASES

    def __init__(self, view: MixtureView) -> None:
        self._view = view

    def __getattr__(self, name: str):
        return getattr(self._view, name)


def worked_view() -> MixtureView:
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    return MixtureView(X, fit(X, 2, init="given", params=start, reg_covar=0.0), column_names=["x"])


if __name__ == "__main__":
    stepping_view(TwoPassView(worked_view()), key=KEY)
