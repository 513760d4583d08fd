"""Pressing the stepping view's buttons in AppTest.

The buttons are a custom component (em_ui/controls.py) that AppTest cannot click: a press
moves the half-step slider to where the button would go, by the rule the component applies
(``em_ui.controls.step_target``; the browser tests check that the buttons follow it).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from em_ui.controls import step_target


def _split(button_key: str) -> tuple[str, str]:
    view, _, button = button_key.rpartition(".")
    return view, button


def _where(at: AppTest, view: str) -> tuple[int, int]:
    slider = at.select_slider(key=f"{view}.h")
    return int(slider.value), len(slider.options) - 1


def can_press(at: AppTest, button_key: str) -> bool:
    """Whether the button ``"<view>.<button>"`` (e.g. ``"worked.e"``) is enabled."""
    view, button = _split(button_key)
    return step_target(button, *_where(at, view)) is not None


def press(at: AppTest, button_key: str) -> AppTest:
    """Press the button ``"<view>.<button>"`` and rerun; it must be enabled."""
    view, button = _split(button_key)
    to = step_target(button, *_where(at, view))
    assert to is not None, f"{button_key} is disabled"
    return at.select_slider(key=f"{view}.h").set_value(to).run()
