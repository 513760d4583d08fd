"""The step buttons of the stepping view, as a small custom component.

Streamlit's own buttons lose clicks when they come quickly: a button's callback receives the
half-step of the run that drew it, a button disabled in that run ignores a click even when
the next step would enable it, and two clicks of one button before the server has answered
arrive as one. The component (``controls.js``) keeps the half-step in the browser, moves it at
once on every click or key, and sends it with a sequence number, so no click is lost.

It also links the page to the chart. When the chart holds a whole frame of every half-step
(``layout.meta.every_half_step``), a click moves it at once, in the browser, by animating to
the new half-step's frame (and renames the PNG its camera saves), while the page catches up;
the figure sent by the page stays the same, so Streamlit keeps the chart. When ▶ Play stops,
the half-step the chart shows is sent in the same way as a click, so the page (buttons,
slider, numbers) agrees with the chart and the next click continues from there.

Keys: ``E`` and ``M`` for the half-steps, ``→`` for the next iteration, ``←`` back,
``Home`` and ``End`` for the start and the end of the run. In presenter mode
(:mod:`em_ui.presenter`) ``→`` and ``Page Down`` move one half-step, ``←`` and ``Page Up``
back, and space plays or pauses the chart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from em_ui import presenter
from em_viz.exports import PNG_WITHOUT_CONTROLS_JS

_HERE = Path(__file__).parent
_COMPONENT = st.components.v2.component(
    "em_ui.step_controls",
    # The chart's camera leaves its controls out of the PNG, as the exported animation's does.
    js="\n".join(
        [PNG_WITHOUT_CONTROLS_JS]
        + [(_HERE / name).read_text("utf-8") for name in ("plotly_bridge.js", "controls.js")]
    ),
    css=(_HERE / "controls.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # its CSS names only .em-controls; tests and keys see its buttons
)

HELP = {
    "reset": "Back to the starting parameters.",
    "back": "Undo the last half-step.",
    "e": "Expectation: recompute every responsibility r_nk from the current parameters. "
    "The curves stay where they are; the points change colour.",
    "m": "Maximisation: move each Gaussian to the weighted mean and spread of the points it "
    "is responsible for. The colours stay; the curves move.",
    "next": "An E-step and an M-step together.",
    "end": "Jump to the last recorded half-step (convergence, the iteration limit, or where "
    "the run failed).",
}


def _ack_key(key: str) -> str:
    return f"{key}.ack"


def _apply(key: str, h_key: str, last: int) -> None:
    """Callback: move to the half-step the browser sent, unless it was already applied."""
    position = (st.session_state.get(f"{key}.controls") or {}).get("position")
    if not isinstance(position, dict):
        return
    seq, h = position.get("seq"), position.get("h")
    if not isinstance(seq, int) or not isinstance(h, int):
        return
    if seq <= st.session_state.get(_ack_key(key), 0):
        return
    st.session_state[_ack_key(key)] = seq
    st.session_state[h_key] = min(max(h, 0), last)


NARROW_BELOW_PX = 700
# The height of the browser's window is sent in steps of this many pixels (presenter mode
# sizes the chart to the screen), so that a small change does not rerun the view.
SCREEN_HEIGHT_STEP_PX = 40


@dataclass(frozen=True)
class Screen:
    """What the browser measured: whether the view is narrower than ``NARROW_BELOW_PX`` (a
    phone, a big zoom), and, in presenter mode, the window's height in CSS pixels (a
    multiple of ``SCREEN_HEIGHT_STEP_PX``; 0 until it has said)."""

    narrow: bool = False
    height: int = 0


def step_controls(
    key: str,
    *,
    h_key: str,
    last: int,
    chart_key: str,
    phases: Sequence[Mapping[str, Any]] = (),
    png_names: Sequence[str] | None = None,
    chart_id: str = "",
) -> Screen:
    """Draw the step buttons of the view ``key``, moving the half-step in ``h_key``.

    Parameters
    ----------
    key : str
        The view's prefix; the component's own key is ``f"{key}.controls"``.
    h_key : str
        Session-state key of the half-step on screen.
    last : int
        The last half-step of the run.
    chart_key : str
        The key of the view's ``st.plotly_chart``, whose Play the component follows.
    phases : sequence of dict
        Stretches of the run whose buttons are named otherwise than EM's (the K-means
        steps): ``{"from": h, "labels": {button: text}, "help": {button: text}}`` applies
        from half-step ``h`` to the next one's ``"from"``; a button it does not name, or a
        view with no phases, keeps its usual label and :data:`HELP`.
    png_names : sequence of str, optional
        For each half-step, the name under which the chart's camera button saves it.
    chart_id : str
        The name of the chart this run of the view draws when it is one figure for every
        half-step (its ``layout.meta.still``): a new chart of that name is moved to h at
        once; another (drawn at the page's h, or for another run) is left as it is until
        the component hears of it.

    Returns
    -------
    Screen
        Whether the view is narrow, and in presenter mode the window's height, as the browser
        measured them (False and 0 until it has said).
    """
    narrow = is_narrow(key)
    height = _screen_height((st.session_state.get(f"{key}.controls") or {}).get("screen_height"))
    payload = {
        "h": int(st.session_state[h_key]),
        "last": int(last),
        "ack": int(st.session_state.get(_ack_key(key), 0)),
        # A new session (the server restarted, the page reconnected) has applied none of
        # the moves sent before: the buttons must then take its half-step at once.
        "session": st.session_state.setdefault("em_ui.controls.session", uuid.uuid4().hex),
        "chart": f".st-key-{chart_key.replace('.', '-')}",
        "help": HELP,
        "keys": True,
        "presenter": presenter.is_on(),
        "narrow": narrow,
        "narrow_below_px": NARROW_BELOW_PX,
        "screen_height": height,
        "screen_height_step_px": SCREEN_HEIGHT_STEP_PX,
        "phases": list(phases),
        "png_names": None if png_names is None else list(png_names),
        "chart_id": chart_id,
    }
    result = _COMPONENT(
        key=f"{key}.controls",
        # As JSON bytes: Streamlit looks for data frames in a dict it is given, which imports
        # pandas and pyarrow (0.3 s on the first page a server shows, before the chart).
        data=json.dumps(payload).encode(),
        default={"position": None, "narrow": False, "screen_height": 0},
        on_position_change=lambda: _apply(key, h_key, last),
        on_narrow_change=lambda: None,
        on_screen_height_change=lambda: None,
    )
    return Screen(bool(result.narrow), _screen_height(result.screen_height))


def _screen_height(value: object) -> int:
    """The window's height the browser sent, in presenter mode only (0 otherwise)."""
    return value if presenter.is_on() and isinstance(value, int) and value > 0 else 0


def is_narrow(key: str) -> bool:
    """Whether the stepping view ``key`` is narrower than ``NARROW_BELOW_PX``, as its step
    buttons last measured it in the browser (False until they have said): other charts of
    the page can take the same layout."""
    return bool((st.session_state.get(f"{key}.controls") or {}).get("narrow"))


BUTTONS = ("reset", "back", "e", "m", "next", "end")


def step_target(button: str, h: int, last: int) -> int | None:
    """The half-step a button moves to from ``h``, or None when it is disabled there.

    The browser applies the same rule (``target`` and ``enabled`` in ``controls.js``); the
    browser tests check that the two agree at every half-step.
    """
    targets = {
        "reset": 0,
        "back": max(h - 1, 0),
        "e": h + 1 if h % 2 == 0 and h < last else None,
        "m": h + 1 if h % 2 == 1 and h < last else None,
        "next": min(h + 2, last),
        "end": last,
    }
    to = targets[button]
    return None if to is None or to == h else to
