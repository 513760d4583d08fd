"""The step buttons' quick moves draw exactly what a fresh chart of that half-step draws.

When a figure holds a whole frame of every half-step (``layout.meta.every_half_step``), the
stepping view keeps the figure of half-step 0 on screen and the step buttons move it in the
browser: ``moveChart`` in em_ui/controls.js animates to frame ``str(h)`` without plotly's full
redraw, then writes the title's new words in place (``drawTitle``, no relayout), unless
``needsRedraw`` says the quick update would draw that frame wrongly. Here, in Chromium, the
figures of the real views are moved by the real ``moveChart`` (its functions are taken from
controls.js's text) through a sequence of moves, and after each one the chart's SVG is
compared with a fresh ``Plotly.newPlot`` of ``view.figure(h)`` drawn beside it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly
import pytest
from app_harness import ROOT, new_context

from em_data import load_dataset
from em_data.synthetic import elongated_cloud
from em_models.hmm import engine as hmm
from em_models.hmm.datasets import load_sequence
from em_models.hmm.emissions import CategoricalEmissions
from em_models.hmm.params import HMMParams
from em_models.hmm.view import HMMView
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.view import MixtureView
from em_models.ppca import engine as ppca
from em_models.ppca.view import PPCAView

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CONTROLS_JS = (ROOT / "em_ui" / "plotly_bridge.js", ROOT / "em_ui" / "controls.js")
# moveChart and what it calls, as the stepping view runs them.
MOVE_FUNCTIONS = (
    "chartDrawn",
    "frameNamed",
    "playButton",
    "press",
    "shownHalfStep",
    "needsRedraw",
    "drawTitle",
    "moveChart",
)
# The width of the chart's container: beside the sidebar in a 1280 px window, and a phone's.
WIDE_PX, NARROW_PX = 930, 390
CONTEXT_CHARS = 200  # shown either side of the first difference
# What each of a chart's .main-svg elements draws.
SVG_PARTS = ("plot", "title, legend, notes and buttons", "hover labels")


def controls_functions(names: tuple[str, ...] = MOVE_FUNCTIONS) -> str:
    """The text of the named top-level functions of em_ui/controls.js and its bridge to
    plotly.js (em_ui/plotly_bridge.js)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in CONTROLS_JS)
    found = []
    for name in names:
        match = re.search(rf"^function {name}\(.*?^\}}$", text, re.S | re.M)
        assert match, f"em_ui/controls.js and its bridge have no top-level function {name}"
        found.append(match.group(0))
    return "\n".join(found)


# Moves the chart of div #moved to each half-step of `moves` with the real moveChart, and
# after each move draws a fresh chart of that half-step in div #fresh. Returns, per move:
# whether needsRedraw asked for the full redraw, the drawn title, meta.half_step, how many
# relayouts plotly.js ran, and the first difference between the two charts' SVG (null when
# they are the same).
MOVES_JS = (
    r"""
async ([still, fresh, moves, contextChars]) => {
  FUNCTIONS
  const namePng = () => { throw new Error('moveChart did not move the chart'); };
  const gd = document.getElementById('moved');
  const other = document.getElementById('fresh');
  // Each .main-svg (the plot; then the title, legend, notes and buttons; then hover labels)
  // as text, without the clip paths' definitions, with the plot's and the traces' random ids
  // made alike. Where two draws' texts differ they are compared again as canonical text:
  // each element's attributes and style declarations sorted (their order can differ
  // between two draws of one chart) and empty ones left out.
  const alike = (div, text) => text
    .replaceAll(div._fullLayout._uid, 'U')
    .replace(/(trace|clip|defs-|legend)[0-9a-f]{6}/g, '$1T');
  const raw = (div) => [...div.querySelectorAll('.main-svg')]
    .map((el) => alike(div, el.outerHTML.replace(/<defs.*?<\/defs>/s, '')));
  const canonical = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE || node.tagName === 'defs') return '';
    // An empty style or transform is the same as none.
    const kept = [...node.attributes].filter(
      (a) => a.value !== '' || (a.name !== 'style' && a.name !== 'transform'));
    const attributes = kept.map((a) => {
      const value = a.name !== 'style' ? a.value
        : a.value.split(';').map((d) => d.trim()).filter((d) => d).sort().join('; ');
      return `${a.name}="${value}"`;
    }).sort();
    const inside = [...node.childNodes].map(canonical).join('');
    return `<${[node.tagName, ...attributes].join(' ')}>${inside}</${node.tagName}>`;
  };
  const firstDifference = (movedTexts, freshTexts) => {
    for (let k = 0; k < Math.max(movedTexts.length, freshTexts.length); k++) {
      if (movedTexts[k] === freshTexts[k]) continue;
      const [a, b] = [gd, other].map((div) => {
        const el = div.querySelectorAll('.main-svg')[k];
        return el ? alike(div, canonical(el)) : '';
      });
      if (a === b) continue;
      let at = 0;
      while (at < Math.min(a.length, b.length) && a[at] === b[at]) at++;
      const excerpt = (text) => text.slice(Math.max(0, at - contextChars), at + contextChars);
      return {svg: k, at, moved: excerpt(a), fresh: excerpt(b)};
    }
    return null;
  };
  const title = (div) => {
    const el = div.querySelector('.gtitle');
    return el ? el.textContent : null;
  };
  const drawn = () => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 30))));
  const animated = () => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no plotly_animated within 10 s')), 10000);
    gd.once('plotly_animated', () => { clearTimeout(timer); resolve(); });
  });

  await Plotly.newPlot(gd, still);
  let relayouts = 0;
  gd.on('plotly_relayout', () => { relayouts += 1; });
  const s = {gd, h: 0, last: gd._transitionData._frames.length - 1, jumpingTo: null};
  const out = [];
  for (const h of moves) {
    const frame = gd._transitionData._frameHash[String(h)];
    const redraw = needsRedraw(gd, frame);
    const done = animated();
    relayouts = 0;
    s.h = h;
    moveChart(s);
    await done;
    await drawn();
    const moved = raw(gd);
    const movedTitle = title(gd);
    const halfStep = gd.layout.meta.half_step;
    await Plotly.newPlot(other, structuredClone(fresh[String(h)]));
    const diff = firstDifference(moved, raw(other));
    out.push(
      {h, redraw, title: movedTitle, freshTitle: title(other), halfStep, relayouts, diff});
  }
  Plotly.purge(gd);
  Plotly.purge(other);
  return out;
}
"""
).replace("FUNCTIONS", controls_functions())


# --------------------------------------------------------------------------------------------
# The views
# --------------------------------------------------------------------------------------------


@functools.cache
def _data(name: str) -> tuple[np.ndarray, tuple[str, ...], Any]:
    data = load_dataset(name)
    return np.asarray(data.values, dtype=float), tuple(data.columns), data.labels


def worked() -> MixtureView:
    X, columns, _ = _data("worked_example")
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")  # the article's
    return MixtureView(
        X, fit(X, 2, init="given", params=start, reg_covar=0.0), column_names=columns
    )


def mixture(name: str, k: int, *, kmeans: bool = False) -> Callable[[], MixtureView]:
    def build() -> MixtureView:
        X, columns, _ = _data(name)
        trace = fit(X, k, init="kmeans", rng=0)  # the pages' default start
        return MixtureView(X, trace, column_names=columns, kmeans=kmeans)

    return build


def ppca_on(name: str, q: int) -> Callable[[], PPCAView]:
    def build() -> PPCAView:
        if name == "elongated_cloud":
            X, columns, labels = (
                elongated_cloud(200, rng=np.random.default_rng(0)).values,
                None,
                None,
            )
        else:
            X, columns, labels = _data(name)
        trace = ppca.fit(X, q, rng=0, tol=1e-3, max_iter=200)  # the page's defaults
        return PPCAView(X, trace, column_names=columns, labels=labels if q > 1 else None)

    return build


def hmm_on(name: str, scan: tuple[str, int] | None = None) -> Callable[[], HMMView]:
    """The hidden Markov model's page at its defaults: Eisner's start on the ice cream, a
    random one (seed 0) on the casino; the trellis's first 36 steps, its E-steps whole or
    scrubbed to ``scan``."""

    def build() -> HMMView:
        data = load_sequence(name)
        faces, codes = np.unique(data.values[:, 0], return_inverse=True)
        X = codes[:, None].astype(float)
        if name == "ice_cream":
            start = HMMParams(
                np.array([0.5, 0.5]),
                np.array([[0.8, 0.1], [0.1, 0.8]]),
                CategoricalEmissions(np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])),
                np.array([0.1, 0.1]),
            )
            trace = hmm.fit(
                X, 2, emission="categorical", end_state=True, init="given", params=start, tol=1e-4
            )
            names: tuple[str, ...] | None = ("cold", "hot")
        else:
            trace = hmm.fit(X, 2, emission="categorical", init="random", rng=0, tol=1e-4)
            names = None
        symbols = tuple(f"{v:g}" for v in faces)
        return HMMView(X, trace, state_names=names, symbols=symbols, step=data.step, scan=scan)

    return build


@dataclass(frozen=True)
class Case:
    """A view to step through, drawn at a phone's width (``narrow``) or a laptop's."""

    build: Callable[[], MixtureView | PPCAView | HMMView]
    narrow: bool = False
    # The first half-step from which every move between two half-steps must be quick: the
    # frames from there on only move points and curves. None: no quick move is promised.
    quick_from: int | None = None


CASES = {
    "worked": Case(worked, quick_from=0),
    "worked-narrow": Case(worked, narrow=True, quick_from=0),
    "galaxies-k4": Case(mixture("galaxies", 4), quick_from=0),
    "galaxies-kmeans": Case(mixture("galaxies", 4, kmeans=True)),
    "faithful-k3": Case(mixture("faithful", 3)),
    "faithful-kmeans": Case(mixture("faithful", 3, kmeans=True)),
    # Half-step 0 has no segments to the line yet: moves from and to it are full redraws.
    "faithful-ppca1": Case(ppca_on("faithful", 1), quick_from=1),
    "cloud-ppca1": Case(ppca_on("elongated_cloud", 1), quick_from=1),
    "cloud-ppca1-narrow": Case(ppca_on("elongated_cloud", 1), narrow=True, quick_from=1),
    "iris-ppca2": Case(ppca_on("iris", 2), quick_from=1),
    # The hidden Markov model draws scatter traces alone; half-step 0 has no E-step yet (no
    # triangle, band or stack): moves from and to it are full redraws.
    "ice-cream-hmm": Case(hmm_on("ice_cream"), quick_from=1),
    "ice-cream-hmm-narrow": Case(hmm_on("ice_cream"), narrow=True, quick_from=1),
    "casino-hmm": Case(hmm_on("casino"), quick_from=1),
    "casino-hmm-backward-pass": Case(hmm_on("casino", ("backward", 20)), quick_from=1),
}


def moves_through(n: int) -> list[int]:
    """From half-step 0: forward by one, by one, by two, back one, to the end, back to the
    start, to the middle, forward by one, back by two, to the start, past the middle."""
    middle = n // 2
    wanted = [1, 2, 4, 3, n - 1, 0, middle, middle + 1, middle - 1, 0, middle + 1]
    moves: list[int] = []
    for h in (min(max(h, 0), n - 1) for h in wanted):
        if h != (moves[-1] if moves else 0):  # a move to the half-step on screen is no move
            moves.append(h)
    return moves


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chart_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A blank page with the plotly package's plotly.js and two charts' divs, and the errors
    it has raised."""
    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_content("<div id='moved'></div><div id='fresh'></div>")
        page.add_script_tag(path=str(PLOTLY_JS))
        yield page, errors
    finally:
        context.close()


def first_difference(name: str, width: int, moves: list[int], results: list[dict]) -> str:
    """The first move whose chart differs from a fresh one, with the SVG around the first
    difference, and the list of every move that differs."""
    i, result = next((i, r) for i, r in enumerate(results) if r["diff"] is not None)
    diff = result["diff"]
    differing = [
        (r["h"], "redraw" if r["redraw"] else "quick") for r in results if r["diff"] is not None
    ]
    how = "a full redraw" if result["redraw"] else "the quick update"
    return (
        f"{name} at {width} px: after the moves {moves[: i + 1]} "
        f"({how} to half-step {result['h']}), the chart's SVG differs from a fresh chart of "
        f"half-step {result['h']} in its {SVG_PARTS[diff['svg']]}, at character {diff['at']}:\n"
        f"  moved: …{diff['moved']}…\n"
        f"  fresh: …{diff['fresh']}…\n"
        f"All the moves that differ (half-step, how): {differing}"
    )


@pytest.mark.browser
@pytest.mark.parametrize("name", list(CASES))
def test_a_moved_chart_draws_what_a_fresh_chart_draws(
    chart_page: tuple[Page, list[str]], name: str
) -> None:
    page, errors = chart_page
    case = CASES[name]
    view = case.build()
    n = view.n_half_steps
    still = view.figure(0, narrow=case.narrow)
    assert still.layout.meta["every_half_step"], f"{name}: not every half-step is a frame"
    moves = moves_through(n)
    # The fresh charts' frames are left out: plotly draws a figure's data and layout only.
    fresh = {}
    for h in set(moves):
        figure = json.loads(view.figure(h, narrow=case.narrow).to_json())
        fresh[str(h)] = {"data": figure["data"], "layout": figure["layout"]}

    width = NARROW_PX if case.narrow else WIDE_PX
    page.evaluate(
        "(width) => { for (const id of ['moved', 'fresh']) "
        "document.getElementById(id).style.width = width + 'px'; }",
        width,
    )
    errors.clear()
    results = page.evaluate(MOVES_JS, [json.loads(still.to_json()), fresh, moves, CONTEXT_CHARS])
    assert errors == [], errors

    for result in results:
        h = result["h"]
        assert result["halfStep"] == h, f"{name}: moved to {h}, meta names {result['halfStep']}"
        assert result["title"] == result["freshTitle"], (name, h)
        assert result["title"].startswith(view.label(h)), (name, h, result["title"])
        # The views' titles are bold plain text: a quick move writes the new words in
        # place, without plotly's relayout (a second pass over every trace).
        assert result["relayouts"] == 0, f"{name}: the move to {h} relayouted the title"
    assert all(r["diff"] is None for r in results), first_difference(name, width, moves, results)

    if case.quick_from is not None:
        before = [0, *moves]
        should_be_quick = [
            (a, b) for a, b in zip(before, moves, strict=False) if min(a, b) >= case.quick_from
        ]
        redrawn = [
            (a, r["h"])
            for a, r in zip(before, results, strict=False)
            if r["redraw"] and min(a, r["h"]) >= case.quick_from
        ]
        assert should_be_quick, f"{name}: the moves {moves} hold no move that should be quick"
        assert redrawn == [], f"{name}: these moves took the full redraw: {redrawn}"
