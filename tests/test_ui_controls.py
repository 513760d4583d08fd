"""The step rule (em_ui.controls.step_targets): where each step button goes, computed once in
Python from the half-steps a view declares, and sent to the browser as a table.

Reference: the rule the buttons followed while every view's half-steps alternated (the
parity of h), which must still hold for those views; and, for a view whose half-steps do not
alternate, the targets worked out by hand.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from stepping import controls_payload, press
from streamlit.testing.v1 import AppTest
from test_app_pages import WORKED, open_page

from em_ui.controls import BUTTONS, HELP, LABELS, MOVES, button_phases, step_targets
from em_viz.halfstep import button_kind, half_steps
from em_viz.view import ButtonPhase


def em_kinds(n_iter: int) -> list:
    """The kinds of EM's half-steps over ``n_iter`` iterations (em_viz.halfstep)."""
    return [button_kind(half) for half in half_steps(SimpleNamespace(n_iter=n_iter))]


def parity_rule(button: str, h: int, last: int) -> int | None:
    """The rule the buttons followed when they decided E or M by the parity of h."""
    to = {
        "reset": 0,
        "back": max(h - 1, 0),
        "e": h + 1 if h % 2 == 0 and h < last else None,
        "m": h + 1 if h % 2 == 1 and h < last else None,
        "next": min(h + 2, last),
        "end": last,
        "step": h + 1 if h < last else None,
    }[button]
    return None if to is None or to == h else to


@pytest.mark.parametrize("n_iter", [0, 1, 2, 7])
def test_alternating_half_steps_keep_the_parity_rule(n_iter: int) -> None:
    kinds = em_kinds(n_iter)
    last = len(kinds) - 1
    targets = step_targets(kinds)
    assert set(targets) == set(MOVES)
    for move in MOVES:
        assert targets[move] == [parity_rule(move, h, last) for h in range(last + 1)], move


def test_two_e_like_half_steps_in_a_row_each_take_the_e_step_button() -> None:
    # The start, an E-step in two passes, an M-step, two passes again, an M-step, one E.
    kinds = [None, "E", "E", "M", "E", "E", "M", "E"]
    targets = step_targets(kinds)
    assert targets["e"] == [1, 2, None, 4, 5, None, 7, None]
    assert targets["m"] == [None, None, 3, None, None, 6, None, None]
    # Next iteration: on until both an E-like and an M-like half-step have been passed
    # (from the start past both passes to the M-step; from a second pass to the next first).
    assert targets["next"] == [3, 3, 4, 6, 6, 7, 7, None]
    assert targets["back"] == [None, 0, 1, 2, 3, 4, 5, 6]
    assert targets["reset"] == [None, *[0] * 7]
    assert targets["end"] == [*[7] * 7, None]
    assert targets["step"] == [1, 2, 3, 4, 5, 6, 7, None]
    # Exactly one of E-step and M-step leads on from every half-step but the last.
    for h in range(len(kinds) - 1):
        assert (targets["e"][h] is None) != (targets["m"][h] is None)


def test_a_run_that_ends_without_an_m_like_half_step_moves_next_to_the_end() -> None:
    targets = step_targets([None, "E", "E", "E"])
    assert targets["next"] == [3, 3, 3, None]
    assert targets["m"] == [None] * 4
    assert step_targets([None]) == {move: [None] for move in MOVES}


@pytest.mark.parametrize("kinds", [[], [None, "e"], [None, "E", "start"]])
def test_kinds_other_than_e_m_or_none_are_refused(kinds: list) -> None:
    with pytest.raises(ValueError, match="'E', 'M' or None"):
        step_targets(kinds)


def test_every_phase_names_every_button_and_keeps_the_views_e_and_m_help() -> None:
    em_help = {"e": "the view's E", "m": "the view's M"}
    phases = button_phases(
        [ButtonPhase(0, {**em_help, "next": "two at once"}, {"e": "Pass"}), ButtonPhase(4, {})]
    )
    assert [p["from"] for p in phases] == [0, 4]
    assert phases[0]["labels"] == {**LABELS, "e": "Pass"}
    assert phases[0]["help"] == {**HELP, **em_help, "next": "two at once"}
    assert phases[1]["labels"] == LABELS
    assert phases[1]["help"] == {**HELP, **em_help}
    assert set(LABELS) == set(BUTTONS)
    assert not {"e", "m"} & set(HELP), "the E-step and M-step help is each view's own"


@pytest.mark.parametrize(
    "phases",
    [[], [ButtonPhase(1, {"e": "E", "m": "M"})], [ButtonPhase(0, {"e": "E only"})]],
)
def test_a_view_must_give_its_e_and_m_help_from_the_first_half_step(phases: list) -> None:
    with pytest.raises(ValueError, match="E-step and M-step buttons"):
        button_phases(phases)


def test_the_page_sends_the_table_step_targets_makes_and_presses_follow_it() -> None:
    at = open_page(WORKED)
    payload = controls_payload(at, "worked")
    kinds = em_kinds((len(payload["targets"]["e"]) - 2) // 2)
    expected = {m: [-1 if t is None else t for t in row] for m, row in step_targets(kinds).items()}
    assert payload["targets"] == expected
    assert payload["phases"][0]["help"]["e"].startswith("Expectation: recompute every")
    press(at, "worked.next")
    assert int(at.select_slider(key="worked.h").value) == 2


def test_the_table_for_a_long_run_is_small_beside_the_chart() -> None:
    """1000 iterations (2002 half-steps): the table is sent on every click, as compact JSON.
    A chart's budget is about 1 MB; the table must stay well under a tenth of it."""
    table = {
        m: [-1 if t is None else t for t in row] for m, row in step_targets(em_kinds(1000)).items()
    }
    size = len(json.dumps(table, separators=(",", ":")))
    assert size < 100_000, size


def test_apptest_presses_read_the_table_of_the_page_drawn() -> None:
    at = AppTest.from_string(
        "import stepper_toy_app as toy\n"
        "from em_ui.stepper import stepping_view\n"
        "stepping_view(toy.TwoPassView(toy.worked_view()), key=toy.KEY)\n",
        default_timeout=60,
    ).run()
    assert not at.exception, at.exception
    press(at, "toy.e")
    press(at, "toy.e")  # the second pass of the same E-step
    assert int(at.select_slider(key="toy.h").value) == 2
    press(at, "toy.m")
    assert int(at.select_slider(key="toy.h").value) == 3
