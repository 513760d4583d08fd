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

Which half-step each button moves to is decided here, in Python, from the half-steps the
view declares (:func:`step_targets`): the component receives the table and only looks it up,
and the tests press the buttons with the same table.

Keys: ``E`` and ``M`` for the half-steps, ``→`` for the next iteration, ``←`` back,
``Home`` and ``End`` for the start and the end of the run. In presenter mode
(:mod:`em_ui.presenter`) ``→`` and ``Page Down`` move one half-step, ``←`` and ``Page Up``
back, and space plays or pauses the chart.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from em_ui import presenter
from em_viz.exports import PNG_WITHOUT_CONTROLS_JS
from em_viz.figures_common import MAX_FRAMES
from em_viz.view import ButtonKind, ButtonPhase

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

BUTTONS = ("reset", "back", "e", "m", "next", "end")
# The buttons' labels and help where the view's phase does not name them; the help of the
# E-step and M-step buttons is the view's own (ButtonPhase).
LABELS = {
    "reset": "Reset",
    "back": "Back",
    "e": "E-step",
    "m": "M-step",
    "next": "Next iteration",
    "end": "Run to the end",
}
HELP = {
    "reset": "Back to the starting parameters.",
    "back": "Undo the last half-step.",
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
    kinds: Sequence[ButtonKind | None],
    chart_key: str,
    phases: Sequence[ButtonPhase],
    png_names: Sequence[str] | None = None,
    chart_id: str = "",
    describe: Callable[[int], str] | None = None,
) -> Screen:
    """Draw the step buttons of the view ``key``, moving the half-step in ``h_key``.

    Parameters
    ----------
    key : str
        The view's prefix; the component's own key is ``f"{key}.controls"``.
    h_key : str
        Session-state key of the half-step on screen.
    kinds : sequence of {"E", "M", None}
        The view's ``button_kinds``: for each half-step of the run, the button that reaches
        it from the one before (see :func:`step_targets`).
    chart_key : str
        The key of the view's ``st.plotly_chart``, whose Play the component follows.
    phases : sequence of ButtonPhase
        The view's ``button_phases``: the buttons' labels and help over stretches of the
        run, the first from half-step 0 with the help of the E-step and M-step buttons.
    png_names : sequence of str, optional
        For each half-step, the name under which the chart's camera button saves it.
    chart_id : str
        The name of the chart this run of the view draws when it is one figure for every
        half-step (its ``layout.meta.still``): a new chart of that name is moved to h at
        once; another (drawn at the page's h, or for another run) is left as it is until
        the component hears of it.
    describe : callable, optional
        ``describe(h)``, the chart's text alternative at half-step h (the view's, see
        :mod:`em_viz.chart_text`): the component is given it for every half-step the chart
        can show before the next rerun (:func:`chart_texts`) and keeps the one of the
        half-step the chart shows in a polite live region, for screen readers, as it moves;
        the chart (a ``figure``) is described by it (``aria-describedby``).

    Returns
    -------
    Screen
        Whether the view is narrow, and in presenter mode the window's height, as the browser
        measured them (False and 0 until it has said).
    """
    last = len(kinds) - 1
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
        "targets": _targets(tuple(kinds)),
        "keys": True,
        "presenter": presenter.is_on(),
        "narrow": narrow,
        "narrow_below_px": NARROW_BELOW_PX,
        "screen_height": height,
        "screen_height_step_px": SCREEN_HEIGHT_STEP_PX,
        "phases": button_phases(phases),
        "png_names": None if png_names is None else list(png_names),
        "chart_id": chart_id,
        "texts": chart_texts(key, describe, int(st.session_state[h_key]), last, chart_id),
        # The id of the chart's text, which describes the chart: one per view on a page.
        "text_id": f"{key.replace('.', '-')}-chart-text",
    }
    result = _COMPONENT(
        key=f"{key}.controls",
        # As JSON bytes: Streamlit looks for data frames in a dict it is given, which imports
        # pandas and pyarrow (0.3 s on the first page a server shows, before the chart).
        data=json.dumps(payload, separators=(",", ":")).encode(),
        default={"position": None, "narrow": False, "screen_height": 0},
        on_position_change=lambda: _apply(key, h_key, last),
        on_narrow_change=lambda: None,
        on_screen_height_change=lambda: None,
    )
    return Screen(bool(result.narrow), _screen_height(result.screen_height))


def chart_texts(
    key: str, describe: Callable[[int], str] | None, h: int, last: int, chart_id: str
) -> dict[str, str]:
    """``describe(i)`` for every half-step i the chart can show without a rerun: the whole
    run when it has at most :data:`~em_viz.figures_common.MAX_FRAMES` half-steps (a chart
    then holds them all), else from the one before h to as far as Play goes. Each text is
    written once for the chart ``chart_id`` and kept in the session."""
    if describe is None:
        return {}
    if last < MAX_FRAMES:
        wanted = range(last + 1)
    else:
        wanted = range(max(0, h - 1), min(last + 1, h + MAX_FRAMES))
    kept = st.session_state.get(f"{key}.texts")
    if kept is None or kept[0] != chart_id:
        kept = (chart_id, {})
        st.session_state[f"{key}.texts"] = kept
    texts = kept[1]
    for i in wanted:
        if i not in texts:
            texts[i] = describe(i)
    return {str(i): texts[i] for i in wanted}


def _screen_height(value: object) -> int:
    """The window's height the browser sent, in presenter mode only (0 otherwise)."""
    return value if presenter.is_on() and isinstance(value, int) and value > 0 else 0


def is_narrow(key: str) -> bool:
    """Whether the stepping view ``key`` is narrower than ``NARROW_BELOW_PX``, as its step
    buttons last measured it in the browser (False until they have said): other charts of
    the page can take the same layout."""
    return bool((st.session_state.get(f"{key}.controls") or {}).get("narrow"))


def button_phases(phases: Sequence[ButtonPhase]) -> list[dict]:
    """The view's phases as the component reads them: ``{"from": h, "labels": {button:
    text}, "help": {button: text}}`` for each, every button named (by the phase, else by
    :data:`LABELS` and :data:`HELP`, else, for the E- and M-step buttons' help, by the
    first phase).

    Raises
    ------
    ValueError
        If the first phase does not start at half-step 0 or leaves out the help of the
        E-step or the M-step button.
    """
    if not phases or phases[0].start != 0 or not {"e", "m"} <= set(phases[0].help):
        raise ValueError(
            "A view's first button phase starts at half-step 0 and gives the help of its "
            "E-step and M-step buttons."
        )
    first = phases[0].help
    defaults = {**HELP, "e": first["e"], "m": first["m"]}
    return [
        {
            "from": int(phase.start),
            "labels": {**LABELS, **phase.labels},
            "help": {**defaults, **phase.help},
        }
        for phase in phases
    ]


# Presenter mode's key for one half-step (em_ui/presenter.py) moves like a button.
MOVES = (*BUTTONS, "step")


def step_targets(kinds: Sequence[ButtonKind | None]) -> dict[str, list[int | None]]:
    """Where each button moves from each half-step of a run: the step rule, in one place.

    Parameters
    ----------
    kinds : sequence of {"E", "M", None}
        For each half-step, the button that reaches it from the one before (a view's
        ``button_kinds``, :mod:`em_viz.view`).

    Returns
    -------
    dict
        For each of :data:`MOVES`, a list with one entry per half-step h: the half-step it
        moves to from h, or None where it is disabled (it would not move). Reset goes to 0;
        Back to h − 1; E-step to h + 1 when the E-step button reaches it, M-step likewise;
        Next iteration to the first half-step by which both an E-like and an M-like one
        have been passed (h + 2 when they alternate), or the end when the run has no such
        half-step left; Run to the end to the last; presenter mode's "step" to h + 1.

    Raises
    ------
    ValueError
        If a kind is not "E", "M" or None, or there is no half-step.
    """
    kinds = list(kinds)
    if not kinds or any(kind not in ("E", "M", None) for kind in kinds):
        raise ValueError(f"Half-step kinds are 'E', 'M' or None, at least one: {kinds[:8]!r}")
    last = len(kinds) - 1
    following = [*kinds[1:], None]
    # After each h, the first E-like and the first M-like half-step (None: none is left).
    first_e: list[int | None] = [None] * (last + 1)
    first_m: list[int | None] = [None] * (last + 1)
    for h in range(last - 1, -1, -1):
        first_e[h] = h + 1 if following[h] == "E" else first_e[h + 1]
        first_m[h] = h + 1 if following[h] == "M" else first_m[h + 1]
    moves = {
        "reset": [0] * (last + 1),
        "back": [h - 1 for h in range(last + 1)],
        "e": [h + 1 if kind == "E" else None for h, kind in enumerate(following)],
        "m": [h + 1 if kind == "M" else None for h, kind in enumerate(following)],
        "next": [
            last if e is None or m is None else max(e, m)
            for e, m in zip(first_e, first_m, strict=True)
        ],
        "end": [last] * (last + 1),
        "step": [min(h + 1, last) for h in range(last + 1)],
    }
    return {
        move: [None if to is None or to < 0 or to == h else to for h, to in enumerate(row)]
        for move, row in moves.items()
    }


@functools.lru_cache(maxsize=32)
def _targets(kinds: tuple[ButtonKind | None, ...]) -> dict[str, list[int]]:
    """:func:`step_targets` for the component: -1 where a button is disabled."""
    return {
        move: [-1 if to is None else to for to in row] for move, row in step_targets(kinds).items()
    }
