"""The hidden Markov model's animated chart: the trellis, A and the emissions, and ℓ.

Top left, the trellis of a window of steps (:mod:`em_models.hmm.figures_trellis`); top
right, ℓ as on every page (:mod:`em_viz.loglik`); under them the transitions A and the
emissions (:mod:`em_models.hmm.figures_mstep`). Frames follow EM's half-steps
(:mod:`em_viz.halfstep`): an E-step fills the trellis from the parameters on screen and
leaves A and the emissions alone; an M-step keeps the trellis the new parameters came from
and turns its expected counts into new A and emissions (old → new).

Only the window's columns are drawn, and each E-step's posteriors come from ``posteriors``
(the view's cache), so a long sequence costs one E-step per snapshot per window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core.em import Trace
from em_models.hmm import figures_mstep as mstep
from em_models.hmm import figures_trellis as trellis
from em_models.hmm.window import Window, WindowPosteriors
from em_viz.figures_common import CHAR_PX, animated_figure, base_layout
from em_viz.halfstep import HalfStep
from em_viz.style import TEMPLATE, with_height

# Scrubbing through the passes: ("forward", s) shows α̂ up to step s; ("backward", s) every
# α̂, and β̂, γ and ξ from step s on (steps from 0).
Scan = tuple[str, int]
WIDE_HEIGHT_PX = 740
NARROW_SECTIONS_PX = (260, 96, 170, 96, 170, 70, 150)  # trellis, gap, A, gap, b, gap, ℓ
HEADING_FONT = {"size": 13, "color": "#222"}
PRESENTER_TABLES_WIDTH = 0.935  # A's and the emissions' share of the width, the gap the rest


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """What the chart draws besides the run: the window and the words.

    Attributes
    ----------
    window : Window
    observations : list of str
        The window's observations as written under the trellis.
    state_names, symbols : list of str
        The states' names ("1 cold"), and the categorical symbols' (None otherwise).
    step : str
        What a step is ("day", "roll").
    n_observations : int
    first_steps : set of int
        Steps (from 0) that begin a sequence.
    values : array of shape (n_observations, n_features)
        The data, for the emissions' axes.
    column_names : list of str
    scan : Scan or None
    present : bool
        Presenter mode: A's panel wider, for the cells' numbers, which the stepping view
        enlarges to the screen (:data:`em_viz.style.CLASS_NUMBERS`).
    """

    window: Window
    observations: Sequence[str]
    state_names: Sequence[str]
    symbols: Sequence[str] | None
    step: str
    n_observations: int
    first_steps: frozenset[int]
    values: NDArray[np.float64]
    column_names: Sequence[str]
    scan: Scan | None = None
    present: bool = False


def shown_part(scan: Scan | None, window: Window) -> tuple[int, int, int] | None:
    """(last α̂ step, first β̂ step, first γ step) of a scrub through the passes."""
    if scan is None:
        return None
    direction, s = scan
    if direction == "forward":
        return (s, window.stop, window.stop)
    if direction == "backward":
        return (window.stop - 1, s, s)
    raise ValueError(f"A scan goes 'forward' or 'backward', not {direction!r}.")


def _emission_draw(spec: ChartSpec, trace: Trace):
    """The function drawing each state's emission curve, by family (None: a table)."""
    kind = trace.model.family.kind
    if kind == "categorical":
        return None
    column = spec.values[:, 0]
    if kind == "poisson":
        top = int(max(column.max(), 1) * 1.25) + 2
        return lambda em: mstep.poisson_curves(em, top)
    low, high = float(column.min()), float(column.max())
    pad = 0.15 * (high - low or 1.0)
    grid = np.linspace(low - pad, high + pad, mstep.CURVE_POINTS)
    return lambda em: mstep.gaussian_curves(em, grid)


def _params_updates(trace: Trace, half: HalfStep, spec: ChartSpec, draw) -> list[dict]:
    """A and the emissions: θ_t, or at M-step t the counts turning θ_{t−1} into θ_t."""
    t = half.params_index
    after = trace.snapshots[t].params
    at_m = half.kind == "M"
    before = trace.snapshots[t - 1].params if at_m else None
    counts = trace.snapshots[t].stats if at_m else None
    updates = mstep.transitions_frame(after, before, counts)
    if draw is None:
        updates += mstep.categorical_frame(after, before, counts)
    else:
        updates += mstep.curves_frame(after, before, draw)
    return updates


def _static_traces(
    trace: Trace, spec: ChartSpec, grid: trellis.Grid
) -> tuple[list[dict], list[dict]]:
    """(traces that never change, dynamic traces), in the chart's order."""
    K = grid.n_states
    static = trellis.trellis_static(grid, spec.observations, spec.state_names)
    end = trace.snapshots[0].params.endprob is not None
    dynamic = [
        *trellis.trellis_dynamic(grid),
        *mstep.cell_traces("3", "a", K, mstep.transition_columns(K, end)),
    ]
    if trace.model.family.kind == "categorical":
        dynamic += mstep.cell_traces("4", "b", K, spec.symbols)
    else:
        dynamic += mstep.curve_traces(K)
    return static, dynamic


def step_figure(
    trace: Trace,
    h: int,
    spec: ChartSpec,
    posteriors: Callable[[int], WindowPosteriors],
    *,
    narrow: bool = False,
    frame_duration_ms: int = 600,
) -> go.Figure:
    """The chart at half-step ``h`` with a frame per half-step (as many as fit).

    Parameters
    ----------
    trace : Trace
        A run of :class:`em_models.hmm.engine.HMM`.
    h : int
    spec : ChartSpec
    posteriors : callable
        ``posteriors(t)``: the window posteriors of snapshot t.
    narrow : bool
    frame_duration_ms : int
    """
    K = trace.final.params.n_states
    allowed = np.asarray(trace.snapshots[0].params.transmat) > 0
    grid = trellis.trellis_grid(K, spec.window, allowed, set(spec.first_steps))
    static, dynamic = _static_traces(trace, spec, grid)
    draw = _emission_draw(spec, trace)
    shown = shown_part(spec.scan, spec.window)

    def frame_of(half: HalfStep) -> list[dict[str, Any]]:
        # Before any E-step the trellis is hidden, drawn where E-step 1 will draw it, so
        # that where its nodes stand is the same in every frame (sent once, see send_once).
        before_e = half.resp_index is None
        part = shown if half.kind == "E" else None
        left = trellis.trellis_frame(grid, posteriors(half.resp_index or 0), part)
        left = [{**update, "visible": not before_e} for update in left]
        return [*left, *_params_updates(trace, half, spec, draw)]

    layout = {
        **base_layout(uirevision="hmm"),
        "template": TEMPLATE,
        **trellis.trellis_axes(K, spec.window, spec.state_names, spec.step),
        **_parameter_axes(trace, spec, narrow),
    }
    fig = animated_figure(
        [*static, *dynamic],
        list(range(len(static), len(static) + len(dynamic))),
        frame_of,
        trace,
        h,
        layout,
        frame_duration_ms,
        notes=chart_notes(spec),
        narrow=narrow,
    )
    send_once(fig.frame_dicts)
    title = _emission_title(trace, spec)
    split = presenter_split(trace, spec) if spec.present else None
    return arrange(fig, narrow=narrow, emission_title=title, split=split)


def send_once(frames: list[dict[str, Any]]) -> None:
    """Leave out of the frames (in place) every value a trace has in all the frames that
    update it: the figure's trace, which holds the values of the half-step on screen,
    holds it already, and no frame changes it. A trace left with nothing that changes is
    left out of the frames (plotly does not draw it again at each step)."""
    first: dict[int, dict[str, Any]] = {}
    varying: set[tuple[int, str]] = set()
    for frame in frames:
        for i, update in zip(frame["traces"], frame["data"], strict=True):
            seen = first.setdefault(i, update)
            for key in seen.keys() | update.keys():
                if key not in seen or key not in update or seen[key] != update[key]:
                    varying.add((i, key))
    for frame in frames:
        kept = [
            (i, {key: v for key, v in update.items() if key == "type" or (i, key) in varying})
            for i, update in zip(frame["traces"], frame["data"], strict=True)
        ]
        kept = [(i, update) for i, update in kept if update.keys() - {"type"}]
        frame["traces"] = [i for i, _ in kept]
        frame["data"] = [update for _, update in kept]


def chart_notes(spec: ChartSpec) -> list[str]:
    """The lines above the chart: which steps it shows, and how to read it."""
    w, step = spec.window, spec.step
    if len(w) == spec.n_observations:
        where = f"All {spec.n_observations:,} {step}s"
    else:
        where = (
            f"{step.capitalize()}s {w.start + 1:,}–{w.stop:,} of {spec.n_observations:,}; "
            "the window is a view option"
        )
    return [where, "a triangle's area: its share of the column; a band's thickness: ξ"]


def _emission_title(trace: Trace, spec: ChartSpec) -> str:
    kind = trace.model.family.kind
    if kind == "categorical":
        return "Emissions b_k(v) = p(v | k)"  # v and k named on its axes
    if kind == "poisson":
        return "Emissions: each state's Poisson probabilities"
    if spec.values.shape[1] == 1:
        return "Emissions: each state's normal density"
    return "Emissions: each state's ellipse at 2 standard deviations"


def _parameter_axes(trace: Trace, spec: ChartSpec, narrow: bool) -> dict[str, Any]:
    """The axes of A (x3/y3) and of the emissions (x4/y4), placed (see :func:`domains`)."""
    K = trace.final.params.n_states
    numbers = [str(k) for k in range(1, K + 1)]  # the tables' rows: states by number
    columns = mstep.transition_columns(K, trace.snapshots[0].params.endprob is not None)
    axes: dict[str, Any] = {
        "xaxis3": {"anchor": "y3", **mstep.cell_axes(columns, "to state k", rows=False)},
        "yaxis3": {"anchor": "x3", **mstep.cell_axes(numbers, "from state j", rows=True)},
    }
    kind = trace.model.family.kind
    names = spec.column_names
    if kind == "categorical":
        x4 = mstep.cell_axes(spec.symbols, "symbol v", rows=False)
        y4 = mstep.cell_axes(numbers, "state k", rows=True)
    elif kind == "poisson":
        x4 = {"title": {"text": f"count of {names[0]}"}}
        y4 = {"title": {"text": "probability"}, "rangemode": "tozero"}
    elif spec.values.shape[1] == 1:
        x4 = {"title": {"text": names[0]}}
        y4 = {"title": {"text": "density"}, "rangemode": "tozero"}
    else:
        x4 = {"title": {"text": names[0]}}
        y4 = {"title": {"text": names[1]}}
    axes["xaxis4"] = {"anchor": "y4", **x4}
    axes["yaxis4"] = {"anchor": "x4", **y4}
    split = presenter_split(trace, spec) if spec.present else None
    for name, domain in domains(narrow, split=split).items():
        if name in axes:
            axes[name]["domain"] = list(domain)
    return axes


def presenter_split(trace: Trace, spec: ChartSpec) -> float:
    """A's share of the width in presenter mode, whose large numbers need room: the two
    tables share it by their columns, a column of "old → new" (a table of at most
    ROOM_FOR_COUNTS rows and columns) counting twice one with the new value alone;
    emission curves take as much as A."""
    K = trace.final.params.n_states

    def weight(n_cols: int) -> float:
        roomy = K <= mstep.ROOM_FOR_COUNTS and n_cols <= mstep.ROOM_FOR_COUNTS
        return n_cols * (2.0 if roomy else 1.0)

    end = trace.snapshots[0].params.endprob is not None
    a = weight(len(mstep.transition_columns(K, end)))
    b = weight(len(spec.symbols)) if trace.model.family.kind == "categorical" else a
    return PRESENTER_TABLES_WIDTH * a / (a + b)


def domains(narrow: bool, *, split: float | None = None) -> dict[str, tuple[float, float]]:
    """Where the panels sit: wide, the trellis and ℓ on top, A and the emissions under
    them (in presenter mode A takes ``split`` of the width, see :func:`presenter_split`);
    narrow, one under the other
    (trellis, A, emissions, ℓ)."""
    if narrow:
        edges = np.cumsum((0, *NARROW_SECTIONS_PX)) / sum(NARROW_SECTIONS_PX)  # from the top
        y, y3, y4, y2 = [(float(1 - edges[i + 1]), float(1 - edges[i])) for i in (0, 2, 4, 6)]
        x3 = x4 = (0.0, 1.0)
    else:
        y = y2 = (0.52, 1.0)
        y3 = y4 = (0.0, 0.34)
        x3, x4 = (
            ((0.0, 0.3), (0.42, 1.0))
            if split is None
            else ((0.0, split), (split + 1 - PRESENTER_TABLES_WIDTH, 1.0))
        )
    return {"yaxis": y, "yaxis2": y2, "xaxis3": x3, "yaxis3": y3, "xaxis4": x4, "yaxis4": y4}


# Beside a y axis's tick labels: its title's standoff, its line of text and a little air.
TITLE_ROOM_PX = 24


def arrange(
    fig: go.Figure, *, narrow: bool, emission_title: str, split: float | None = None
) -> go.Figure:
    """The chart's height, the trellis's and ℓ's rows (:func:`domains`), and the headings
    of A and the emissions."""
    margin = fig.layout.margin
    height = sum(NARROW_SECTIONS_PX) + margin.t + margin.b if narrow else WIDE_HEIGHT_PX
    fig = with_height(fig, height)
    # The left margin holds the states' names beside the trellis and the title "state"
    # (plotly.js pushes an axis title that has no room onto the tick labels).
    names = fig.layout.yaxis.ticktext or ()
    margin.l = max(margin.l, round(CHAR_PX * max(map(len, names), default=0) + TITLE_ROOM_PX))
    place = domains(narrow, split=split)
    headings = (
        ("Transitions A = p(k | j)", "xaxis3", "yaxis3"),
        (emission_title, "xaxis4", "yaxis4"),
    )
    annotations = [
        {
            "text": f"<b>{text}</b>",
            "xref": "paper",
            "yref": "paper",
            "x": place[x][0],
            "y": place[y][1],
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": dict(HEADING_FONT),  # a copy: presenter mode enlarges it in place
        }
        for text, x, y in headings
    ]
    fig.update_layout(
        yaxis={"domain": list(place["yaxis"])},
        yaxis2={"domain": list(place["yaxis2"])},
        annotations=[*fig.layout.annotations, *annotations],
    )
    if split is not None:
        # Presenter mode: the emissions' states and "state k" closer to their cells, no tick
        # marks, so that the title clears A in the gap on a 1280-pixel screen.
        fig.update_layout(yaxis4={"ticks": "", "title": {"standoff": 0}})
    return fig
