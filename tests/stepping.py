"""Pressing the stepping view's buttons in AppTest.

The buttons are a custom component (em_ui/controls.py) that AppTest cannot click: a press
moves the half-step slider to where the button would go, read in the table of targets the
page sent the component, which :func:`em_ui.controls.step_targets` made from the view's
kinds of half-step; the browser looks up the same table, and the browser tests check that
the buttons follow ``step_targets``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from streamlit.testing.v1 import AppTest


def _split(button_key: str) -> tuple[str, str]:
    view, _, button = button_key.rpartition(".")
    return view, button


def _where(at: AppTest, view: str) -> int:
    return int(at.select_slider(key=f"{view}.h").value)


def controls_payload(at: AppTest, view: str) -> dict:
    """What the page sent the step buttons of the stepping view ``view``."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{view}.controls")]
    return json.loads(element.proto.bytes)


def target(at: AppTest, button_key: str) -> int | None:
    """Where the button ``"<view>.<button>"`` (e.g. ``"worked.e"``) moves from the page's
    half-step, or None when it is disabled."""
    view, button = _split(button_key)
    to = controls_payload(at, view)["targets"][button][_where(at, view)]
    return None if to < 0 else to


def can_press(at: AppTest, button_key: str) -> bool:
    """Whether the button ``"<view>.<button>"`` (e.g. ``"worked.e"``) is enabled."""
    return target(at, button_key) is not None


def press(at: AppTest, button_key: str) -> AppTest:
    """Press the button ``"<view>.<button>"`` and rerun; it must be enabled."""
    to = target(at, button_key)
    assert to is not None, f"{button_key} is disabled"
    view, _ = _split(button_key)
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
    h = _where(at, key)
    if not spec["layout"]["meta"].get("every_half_step"):
        assert spec["layout"]["meta"]["half_step"] == h, "the chart is at another half-step"
        return spec
    (frame,) = [f for f in spec["frames"] if f["name"] == str(h)]
    data = list(spec["data"])
    for index, update in zip(frame["traces"], frame["data"], strict=True):
        data[index] = merged(data[index], update)
    return {**spec, "data": data, "layout": merged(spec["layout"], frame["layout"])}
