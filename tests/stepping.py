"""Pressing the stepping view's buttons in AppTest.

The buttons are a custom component (em_ui/controls.py) that AppTest cannot click: a press
moves the half-step slider to where the button would go, by the rule the component applies
(``em_ui.controls.step_target``; the browser tests check that the buttons follow it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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


def merged(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` merged in, nested dicts key by key, as plotly.js does."""
    out = dict(base)
    for key, value in update.items():
        both = isinstance(value, Mapping) and isinstance(out.get(key), Mapping)
        out[key] = merged(out[key], value) if both else value
    return out


def shown_spec(at: AppTest, key: str) -> dict:
    """The chart of the stepping view ``key`` as the browser shows it at the page's
    half-step: the spec as sent, or, for a chart the step buttons move in the browser
    (``layout.meta.every_half_step``), the spec with the frame of that half-step applied."""
    (element,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}.chart")]
    spec = json.loads(element.proto.spec)
    h, _ = _where(at, key)
    if not spec["layout"]["meta"].get("every_half_step"):
        assert spec["layout"]["meta"]["half_step"] == h, "the chart is at another half-step"
        return spec
    (frame,) = [f for f in spec["frames"] if f["name"] == str(h)]
    data = list(spec["data"])
    for index, update in zip(frame["traces"], frame["data"], strict=True):
        data[index] = merged(data[index], update)
    return {**spec, "data": data, "layout": merged(spec["layout"], frame["layout"])}
