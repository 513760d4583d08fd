"""A page with one stepping view whose half-steps do not alternate, for the browser tests of
the step buttons (tests/test_browser_stepping.py): ``streamlit run tests/stepper_toy_app.py``.

The view is the worked example's, with its six half-steps declared as a model whose E-step
comes in two passes would declare them: the start, two E-like half-steps in a row, an M-like
one, then two E-like ones again (:data:`KINDS`). The buttons have names and help of their
own (:data:`PHASES`). With ``?slow=1`` the view takes :data:`SLOW_S` seconds to draw its
chart, after the step buttons are on the page (a slow first run, as a cold server's).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from em_models.mixture.engine import fit  # noqa: E402
from em_models.mixture.gaussian import Parameters  # noqa: E402
from em_models.mixture.view import MixtureView  # noqa: E402
from em_ui.stepper import stepping_view  # noqa: E402
from em_viz.view import ButtonPhase  # noqa: E402

KEY = "toy"
SLOW_S = 1.5
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


class SlowView(TwoPassView):
    """:class:`TwoPassView` whose chart takes :data:`SLOW_S` seconds to draw."""

    def figure(self, h: int, *, narrow: bool):
        time.sleep(SLOW_S)
        return self._view.figure(h, narrow=narrow)


def worked_view() -> MixtureView:
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    return MixtureView(X, fit(X, 2, init="given", params=start, reg_covar=0.0), column_names=["x"])


if __name__ == "__main__":
    slow = st.query_params.get("slow") == "1"
    stepping_view((SlowView if slow else TwoPassView)(worked_view()), key=KEY)
