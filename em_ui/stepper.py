"""The stepping view every model shares: the step buttons, the animated chart, the half-step
slider, the metric with what the half-step did and the run's notes, and the tabs.

What is model-specific comes from the model's *view* (the protocol is :mod:`em_viz.view`;
the Gaussian mixture's is :class:`em_models.mixture.view.MixtureView`, drawn for the pages by
:mod:`em_models.mixture.stepper`), the step buttons' names, help and targets included: the view
declares which button reaches each half-step, and :mod:`em_ui.controls` derives every
button's target from that. The position in the run is one integer in session state, the
half-step ``h``; every control only moves ``h``. The view starts again at h = 0 when
the run on screen changes (its ``run_key``), so a page computes no key of its own.

The chart stays one figure while the student steps, when it can: if a whole frame of every
half-step fits in it (``layout.meta.every_half_step``), the figure of half-step 0 is sent
whatever h is, so Streamlit keeps the chart it has drawn, and the step buttons
(:mod:`em_ui.controls`) move it to h in the browser by animating to h's frame, at the click.
A rebuilt figure would make Streamlit draw the chart anew (a new graph, every point and
every frame: most of a click's time). Longer runs, and charts with marks of one half-step
(the quiz's), get the figure of h.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from em_ui.controls import Screen, step_controls
from em_ui.links import link_half_step
from em_ui.presenter import (
    CHART_FONT_SCALE,
    NUMBER_OF_HEIGHT,
    SHORT_SCREEN_CHART_TEXT_SCALE,
    TALL_SCREEN_PX,
)
from em_ui.presenter import is_on as presenting
from em_ui.state import keep
from em_ui.tables import show_table
from em_ui.text import literal
from em_viz.style import (
    chart_config,
    enlarge_chart_text,
    enlarge_class_numbers,
    enlarge_fonts,
    least_height_in_rows,
    with_height,
)
from em_viz.view import (
    Caption,
    Heading,
    Latex,
    Note,
    Pick,
    PickRow,
    StepView,
    Summary,
    Table,
    Text,
)

CHART_CONFIG = {"displaylogo": False}
# Presenter mode: the chart's share of the width (the numbers take the rest, in a container
# whose key ends in PRESENTER_NUMBERS), and the height of what is around the chart (above
# it the presenter switch with the link and the step buttons, under it the half-step
# slider), so that the chart fills the rest of the screen.
PRESENTER_COLUMNS = (0.64, 0.36)
PRESENTER_NUMBERS = "presenter-numbers"
PRESENTER_AROUND_CHART_PX = 240
PRESENTER_MIN_CHART_PX = 400


@dataclass(frozen=True)
class Extras:
    """What a page's kind of run adds around the view (all optional).

    Attributes
    ----------
    decorate : callable, optional
        ``decorate(h)``: None when the page has no marks of its own to draw on the chart at
        h (then the chart can stay one figure from one half-step to the next), else a
        function that takes the chart of h and returns it with the marks. Asked at every
        run of the view (the view is a fragment: what the page computed around it can be
        out of date).
    png_name : callable, optional
        ``png_name(h)``: the file name (without ".png") under which the chart's camera
        button saves the chart at h.
    under_slider : callable, optional
        ``under_slider(h)`` draws under the half-step slider.
    footer : callable, optional
        ``footer()`` draws under the tabs.
    """

    decorate: Callable[[int], Callable[[go.Figure], go.Figure] | None] | None = None
    png_name: Callable[[int], str] | None = None
    under_slider: Callable[[int], None] | None = None
    footer: Callable[[], None] | None = None


def _h_key(key: str) -> str:
    return f"{key}.h"


@st.fragment
def stepping_view(view: StepView, *, key: str, extras: Extras | None = None) -> None:
    """Draw the stepping view of ``view``.

    Parameters
    ----------
    view : StepView
        The model's view of the run (see :mod:`em_viz.view`).
    key : str
        Prefix of every widget key and of the session state of this view (one per page).
    extras : Extras, optional
        What the page's kind of run adds (see :class:`Extras`).

    The view is a fragment: its controls rerun only the view, not the page around it.
    """
    extras = extras or Extras()
    h_key = _h_key(key)
    _start_again_when_the_run_changes(key, view.run_key)
    last = view.n_half_steps - 1
    st.session_state.setdefault(h_key, 0)
    st.session_state[h_key] = min(int(st.session_state[h_key]), last)
    labels = [view.label(i) for i in range(view.n_half_steps)]
    h_bind = link_half_step(h_key, labels)  # the half-step a link names, before it is drawn

    # Buttons, chart, then the slider under the chart as on a video player: the buttons and
    # the chart fit on one screen, and the buttons stay in view when the page scrolls.
    chart_key = f"{key}.chart"
    png_names = [extras.png_name(i) for i in range(last + 1)] if extras.png_name else None
    screen = step_controls(
        key,
        h_key=h_key,
        kinds=_button_kinds(view),
        chart_key=chart_key,
        phases=view.button_phases,
        png_names=png_names,
        chart_id=_chart_id(view),
        describe=view.describe,
    )
    h = int(st.session_state[h_key])
    chart_side, numbers_side = _sides(key)
    with chart_side:
        _chart(
            view, h, key=key, chart_key=chart_key, screen=screen, extras=extras, png_names=png_names
        )
        st.select_slider(
            "Half-step",
            options=list(range(last + 1)),
            key=keep(h_key),
            bind=h_bind,
            format_func=lambda i: labels[i],
            label_visibility="collapsed",
            help=view.slider_help,
        )
        if extras.under_slider is not None:
            extras.under_slider(h)
    with numbers_side:
        _summary(view.summary(h), numbers=view.numbers(h) if presenting() else None)
    _tabs(view, h, key=key)
    if extras.footer is not None:
        extras.footer()


def _button_kinds(view: StepView):
    """The view's kinds of half-step for the step buttons, one per half-step."""
    kinds = view.button_kinds
    if len(kinds) != view.n_half_steps:
        raise ValueError(
            f"The view declares {len(kinds)} kinds for its {view.n_half_steps} half-steps."
        )
    return kinds


def _sides(key: str):
    """Where the chart (with its slider) and the numbers under it go: one under the other,
    or in presenter mode side by side, so that a projector's one screen holds the chart, the
    half-step's sentence, ℓ and its change, and every component's parameters."""
    if not presenting():
        return st.container(), st.container()
    chart_side, numbers_side = st.columns(PRESENTER_COLUMNS, gap="medium")
    return chart_side, numbers_side.container(key=f"{key}-{PRESENTER_NUMBERS}")


def _start_again_when_the_run_changes(key: str, run_key: Hashable) -> None:
    """Back to half-step 0 when the run on screen is another one (data, K, start, …), and
    say so when that moved the student back."""
    id_key, h_key = f"{key}.run_id", _h_key(key)
    previous = st.session_state.get(id_key)
    if previous != run_key:
        st.session_state[id_key] = run_key
        if previous is not None and st.session_state.get(h_key, 0) > 0:
            st.toast("The run changed, so it starts again from the beginning.")
        st.session_state[h_key] = 0


def _chart(
    view: StepView,
    h: int,
    *,
    key: str,
    chart_key: str,
    screen: Screen,
    extras: Extras,
    png_names: list[str] | None,
) -> None:
    marks = extras.decorate(h) if extras.decorate is not None else None
    fig = _still_figure(view, key=key, screen=screen) if marks is None else None
    if fig is None:
        fig = _figure(view, h, screen=screen)
        if marks is not None:
            fig = marks(fig)
    # The PNG's name for the half-step the figure's own data show; the step buttons rename
    # it as they move the chart.
    config = CHART_CONFIG if png_names is None else chart_config(png_names[_shown(fig)])
    if screen.narrow:
        # On a phone plotly shows its tool bar all the time, over Play, Pause and the title.
        config = {**config, "displayModeBar": False}
    # theme=None: the figure's own template, not Streamlit's restyling of it in the browser.
    st.plotly_chart(fig, key=chart_key, theme=None, config=config)


def _figure(view: StepView, h: int, *, screen: Screen) -> go.Figure:
    fig = view.figure(h, narrow=screen.narrow)
    if not presenting():
        return fig
    fig = enlarge_fonts(fig, CHART_FONT_SCALE)
    if screen.height and not screen.narrow:
        tall = screen.height >= TALL_SCREEN_PX  # 1080p
        # A chart in rows keeps room for the larger type between them, even if the page then
        # scrolls (at 720; the step buttons stay at the top). A 1080p screen's height leaves
        # it that room already, with the slider in view.
        rows = 0 if tall else least_height_in_rows(fig, CHART_FONT_SCALE)
        height = max(PRESENTER_MIN_CHART_PX, screen.height - PRESENTER_AROUND_CHART_PX, rows)
        fig = with_height(fig, height)
        # Cells big enough for larger numbers (1080p); or, on a 1280-pixel screen, narrower
        # than a laptop's, whose numbers shrink with them (Ψ's "1.00"s would touch).
        fig = enlarge_chart_text(fig, CHART_FONT_SCALE if tall else SHORT_SCREEN_CHART_TEXT_SCALE)
        fig = enlarge_class_numbers(fig, NUMBER_OF_HEIGHT * screen.height)
    return fig


def _shown(fig: go.Figure) -> int:
    return int(fig.layout.meta["half_step"])


def _chart_id(view: StepView) -> str:
    return str(view.chart_key)


def _still_figure(view: StepView, *, key: str, screen: Screen) -> go.Figure | None:
    """The figure of half-step 0 when it holds a whole frame of every half-step, else None;
    kept while the chart's look (``view.chart_key``), the width and presenter mode stay.
    Its ``layout.meta.still`` names the chart, for the step buttons: they move a new chart
    of that name to their half-step, and leave a figure drawn at the page's h as it is."""
    identity = (view.chart_key, screen, presenting())
    kept = st.session_state.get(f"{key}.still")
    if kept is None or kept[0] != identity:
        fig = _figure(view, 0, screen=screen)
        still = None
        if fig.layout.meta["every_half_step"]:
            fig.layout.meta = {**fig.layout.meta, "still": _chart_id(view)}
            still = fig
        kept = (identity, still)
        st.session_state[f"{key}.still"] = kept
    return kept[1]


def _summary(summary: Summary, *, numbers: pd.DataFrame | None = None) -> None:
    """The metric beside what the half-step did, the notes and the caption; in presenter
    mode (``numbers`` given) one under the other, with the parameters' table after the
    sentence."""
    row = st.container(horizontal=numbers is None, gap="large" if numbers is None else "small")
    metric = summary.metric
    row.metric(
        metric.label,
        metric.value,
        delta=metric.delta,
        delta_color=metric.delta_color,
        # A change with no colour (only float rounding) gets no arrow either.
        delta_arrow="off" if metric.delta_color == "off" else "auto",
        width="content",
        help=metric.help or None,
    )
    notes = row.container(width="stretch")
    notes.markdown(summary.description)
    if numbers is not None:
        with notes:
            st.table(numbers.rename(columns=literal), hide_index=True)
    for note in summary.notes:
        _note(notes, note)
    if summary.caption:
        notes.caption(summary.caption)


def _note(where, note: Note) -> None:
    getattr(where, note.level)(literal(note.text))


def _tabs(view: StepView, h: int, *, key: str) -> None:
    """The view's tabs; only the open one is computed and sent, so a click does not redraw
    hidden tables."""
    tabs = st.tabs(list(view.tabs), key=f"{key}.tab", on_change="rerun")
    for name, tab in zip(view.tabs, tabs, strict=True):
        if tab.open:
            with tab:
                _tab(view, name, h, key=key)


def _tab(view: StepView, name: str, h: int, *, key: str) -> None:
    picks = {pick.name: pick for pick in view.picks(name, h)}
    chosen = {pick.name: _chosen(pick, key) for pick in picks.values()}
    for block in view.tab(name, h, chosen):
        if isinstance(block, PickRow):
            for column, pick_name in zip(st.columns(2), block.names, strict=False):
                _pick_widget(column, picks[pick_name], key)
        elif isinstance(block, Heading):
            st.markdown(f"**{block.text}**")
        elif isinstance(block, Text):
            st.markdown(block.text)
        elif isinstance(block, Caption):
            st.caption(block.text)
        elif isinstance(block, Latex):
            st.latex(block.text)
        elif isinstance(block, Table):
            show_table(block.frame)
        elif isinstance(block, Note):
            _note(st, block)
        else:
            raise TypeError(f"The view gave a block the stepping view cannot draw: {block!r}")


def _pick_key(pick: Pick, key: str) -> str:
    return f"{key}.{pick.name}"


def _chosen(pick: Pick, key: str) -> int:
    """The pick's value, brought into its range (another run can have fewer points)."""
    widget_key = _pick_key(pick, key)
    value = st.session_state.get(widget_key, pick.low)
    inside = min(max(int(value), pick.low), pick.high)
    if widget_key in st.session_state and inside != value:
        st.session_state[widget_key] = inside
    return inside


def _pick_widget(where, pick: Pick, key: str) -> None:
    if pick.noun is None:
        where.number_input(
            pick.label,
            min_value=pick.low,
            max_value=pick.high,
            step=1,
            key=_pick_key(pick, key),
        )
    else:
        where.selectbox(
            pick.label,
            range(pick.low, pick.high + 1),
            key=_pick_key(pick, key),
            format_func=lambda i, noun=pick.noun: f"{noun} {i}",
        )
