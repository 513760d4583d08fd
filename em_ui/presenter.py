"""Presenter mode: the stepping view for a projector.

A toggle at the top of every page that shows a run (its key :data:`KEY` is also a flag in
the page's link). It enlarges the type, gives the chart the whole width, and hides the
settings: the sidebar, and whatever the page draws above the stepping view (its title, its
text, its data and settings). Hidden widgets are still drawn, so their values stay (and stay
in the link). The stepping view stays whole: the step buttons, the chart with the half-step
in its title and the log-likelihood beside it, the slider, ℓ and the formulas. The step
buttons' component (``controls.js``) adds the keys a presentation clicker sends: → and Page
Down for the next half-step, ← and Page Up back, space for Play and Pause.
"""

from __future__ import annotations

import streamlit as st

KEY = "present"
# Everything in the page's main column but the charts is drawn this much larger.
ZOOM = 1.25
# Beside the chart on a screen of 1000 px or more by 1800 or more (1080p), the numbers are
# drawn this much larger.
TALL_NUMBERS_ZOOM = 1.75
# A screen at least this tall (1080p) draws the text written in the chart's cells (a grid's
# numbers) larger too: at 720 the cells have no room for it.
TALL_SCREEN_PX = 1000
# Below it (a 1280×720 projector) the chart, 64 % of the width, is narrower than on a
# laptop, and so are its cells: the text written in them shrinks as much.
SHORT_SCREEN_CHART_TEXT_SCALE = 0.9
# The chart's own text (title, ticks, legend, panel notes) grows as much, drawn by Plotly
# itself at the larger size (a zoom around the chart would upset Plotly's own measuring).
CHART_FONT_SCALE = ZOOM
# The numbers a class reads, beside the chart and in it, are at least this share of the
# screen's height: 16 px at 720, 24 px at 1080 (tests/test_browser_presenter.py).
NUMBER_OF_HEIGHT = 1 / 45

# The sidebar, and everything the page draws above the step buttons (its title, text and
# data choices) but the toggle with the link and the link's notice (containers whose keys
# start with "em-link-keep").
_HIDDEN = """
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"],
.stMain [data-testid="stVerticalBlock"]
  > :has(~ * .em-controls):not(:has([class*="st-key-em-link-keep"]))
"""


def is_on() -> bool:
    """Whether presenter mode is on in this session."""
    return bool(st.session_state.get(KEY, False))


def style() -> str:
    """The style sheet of presenter mode."""
    return (
        f"<style>\n{_HIDDEN.strip()} {{ display: none !important; }}\n"
        ".stMain .stMainBlockContainer { padding: 1rem 1.5rem 2rem; max-width: none; }\n"
        # Plotly measures its text and its box itself, which a zoom around it would upset:
        # every element but the charts is zoomed, and the charts grow with the hidden sidebar.
        f".stMain .stElementContainer:not(:has(.js-plotly-plot)) {{ zoom: {ZOOM}; }}\n"
        # On a large screen (1080p) the numbers beside the chart have room to grow more.
        "@media (min-height: 1000px) and (min-width: 1800px) { "
        ".stMain [class*='-presenter-numbers'] .stElementContainer:not(:has(.js-plotly-plot)) "
        f"{{ zoom: {TALL_NUMBERS_ZOOM}; }} }}\n"
        # No header above the sticky step buttons now.
        ".stElementContainer:has(.em-controls) { top: 0 !important; }\n"
        "</style>"
    )


def apply() -> None:
    """Draw presenter mode's style when it is on."""
    if is_on():
        st.html(style())
