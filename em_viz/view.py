"""The view protocol: what the stepping view (:mod:`em_ui.stepper`) asks of a model.

The stepping view is the same for every EM model: buttons, an animated chart, a slider, a
metric with a sentence and notes under it, and tabs. Everything model-specific comes from
the model's *view*, an object a page builds from the data and the run (for a Gaussian
mixture :class:`em_models.mixture.view.MixtureView`, for probabilistic PCA the PPCA view). A
view imports no streamlit: it returns data — Plotly figures, pandas tables, LaTeX strings,
plain text — and declarative choices (:class:`Pick`, "a point 1 … N") that the stepping
view turns into widgets. So ``em_ui/stepper.py`` knows no model, and a new model is a new
view, not a new stepping view.

The position in the run is one integer, the half-step h = 0 … ``n_half_steps − 1``; every
control only moves h. A view is built on every rerun of the stepping view, so building it
must be cheap (keep the work in the methods, which are asked only for the h on screen and
the tab that is open).

What a view provides (:class:`StepView`):

- ``n_half_steps``: int; ``label(h)``: the half-step's short name (slider, chart title,
  "E-step 3"); ``slider_help``: the slider's tooltip;
- ``button_kinds``: for each half-step, which step button reaches it from the one before:
  "E" the E-step button (an E-step, or a half-step like one: a K-means assignment, a pass of
  an E-step in several parts), "M" the M-step button (an M-step, a K-means update, the
  hand-off), None for the first. The view declares them; the stepping view derives every
  button's target from them in one place (:func:`em_ui.controls.step_targets`), so a view
  may have its own half-steps, two E-like ones in a row included;
- ``button_phases``: the :class:`ButtonPhase` stretches of the run, the first from h = 0:
  each names the step buttons and says what they do there. Every view gives at least the
  help of its E-step and M-step buttons, in its own words (responsibilities and Gaussians
  for a mixture, latent coordinates and W for probabilistic PCA);
- ``run_key``: a hashable identity of the run on screen; when it changes the stepping view
  starts again at h = 0 (the page computes no key of its own);
- ``chart_key``: a hashable identity of everything the figure depends on but h and the
  width (the run, and what the page chose to draw of it); the stepping view keeps a figure
  while it stays;
- ``figure(h, narrow=…)``: the animated chart at h, its frames named ``str(i)`` with
  ``layout.meta.half_step = i`` (built with :func:`em_viz.figures_common.animated_figure`);
- ``summary(h)``: a :class:`Summary` — the :class:`Metric`, one plain sentence on what the
  half-step did, the :class:`Note` boxes and a caption (the stopping rule);
- ``numbers(h)``: the parameters a class must read at h, as a short table of text (one
  row per component or per column, each number to a few significant digits): presenter
  mode shows it beside the chart, with the summary;
- ``describe(h)``: the chart's text alternative at h, for a screen reader: the half-step's
  name, ℓ (or the bound) and one sentence per component, state, variable or topic, with the
  page's numbers, at most about ten of them (built with :func:`em_viz.chart_text.chart_text`).
  The stepping view asks it for every half-step the chart can move to without a rerun, so it
  must be cheap (no pass over the data);
- ``tabs``: the tabs' names; ``picks(tab, h)``: the :class:`Pick` widgets that tab needs;
  ``tab(tab, h, chosen)``: the tab's blocks (:data:`Block`), ``chosen`` mapping each pick's
  name to its value (always within its range). Only the open tab is asked for.

Text in :class:`Text`, :class:`Heading`, :class:`Caption`, ``Summary.description``,
``Summary.caption`` and :class:`Metric` is the app's own (markdown is allowed); a
:class:`Note` holds plain text, shown literally (it may quote the user's data), and so are
a table's column names.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pandas as pd
import plotly.graph_objects as go

Level = Literal["success", "info", "warning", "error"]
ButtonKind = Literal["E", "M"]


@dataclass(frozen=True)
class ButtonPhase:
    """How the step buttons are named from half-step ``start`` on, up to the next phase's.

    ``labels`` and ``help`` map a button ("reset", "back", "e", "m", "next", "end") to its
    label and its tooltip; a button a phase does not name keeps the stepping view's own
    (:data:`em_ui.controls.LABELS`, :data:`em_ui.controls.HELP`), except the help of "e"
    and "m", which only a view can give: its first phase (from h = 0) names both, and a
    later phase that does not keeps the first's.
    """

    start: int
    help: Mapping[str, str]
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Note:
    """One message in a box: ``level`` picks the box (success, info, warning, error); the
    text is plain and shown literally."""

    level: Level
    text: str


@dataclass(frozen=True)
class Metric:
    """The number under the chart (ℓ, or W in the K-means phase) and its change.

    ``delta`` is the change as text, signed with an ASCII ``+``/``-`` (the arrow follows
    it), or None; ``delta_color`` is "normal" (up is good), "inverse" (down is good) or
    "off" (no colour, no arrow: a change that is only rounding).
    """

    label: str
    value: str
    delta: str | None = None
    delta_color: Literal["normal", "inverse", "off"] = "normal"
    help: str = ""


@dataclass(frozen=True)
class Summary:
    """What the stepping view writes under the chart at one half-step."""

    metric: Metric
    description: str
    notes: tuple[Note, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Pick:
    """A choice the tab needs: an integer from ``low`` to ``high``. Without ``noun`` it is a
    number box ("Point number n"); with one, a list of "noun 1", "noun 2", …"""

    name: str
    label: str
    low: int
    high: int
    noun: str | None = None


@dataclass(frozen=True)
class Heading:
    """A bold line of the app's own words."""

    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph of the app's own words (markdown)."""

    text: str


@dataclass(frozen=True)
class Caption:
    """Small print, in the app's own words."""

    text: str


@dataclass(frozen=True)
class Latex:
    """A formula."""

    text: str


@dataclass(frozen=True, eq=False)
class Table:
    """A table: short ones are drawn plain, long ones in a scrolling grid."""

    frame: pd.DataFrame


@dataclass(frozen=True)
class PickRow:
    """Where the widgets of the picks ``names`` go, side by side."""

    names: tuple[str, ...] = field(default_factory=tuple)


Block = Heading | Text | Caption | Latex | Table | Note | PickRow


class StepView(Protocol):
    """A model's view, as the stepping view uses it (see the module docstring)."""

    n_half_steps: int
    slider_help: str
    button_kinds: Sequence[ButtonKind | None]
    button_phases: Sequence[ButtonPhase]
    tabs: tuple[str, ...]

    @property
    def run_key(self) -> Hashable: ...

    @property
    def chart_key(self) -> Hashable: ...

    def label(self, h: int) -> str: ...

    def figure(self, h: int, *, narrow: bool) -> go.Figure: ...

    def summary(self, h: int) -> Summary: ...

    def numbers(self, h: int) -> pd.DataFrame: ...

    def describe(self, h: int) -> str: ...

    def picks(self, tab: str, h: int) -> Sequence[Pick]: ...

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> Sequence[Block]: ...
