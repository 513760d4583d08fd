"""What Streamlit's own elements need to meet WCAG 2.1 AA, drawn once per run by the router.

A component that draws nothing carries a style sheet and a script
(``accessibility.css``, ``accessibility.js``):

- captions drawn at 80 % of the text colour instead of Streamlit's 60 % (3.9:1 on white,
  below the 4.5:1 of normal text);
- the menu's sections, which Streamlit puts as ``<div>`` inside its ``<ul>``, read as a
  navigation of links rather than a broken list;
- a table or a formula that scrolls sideways (on a phone) takes the keyboard's focus, so
  that it can be scrolled without a mouse;
- every tab stop shows the keyboard's focus with a ring of the theme's primary colour (the
  main area, which Streamlit makes a tab stop, and its switches show none of their own).

``tests/test_browser_accessibility.py`` audits every page with axe-core; the README's
"Accessibility" section lists what is left, and why.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_COMPONENT = st.components.v2.component(
    "em_ui.accessibility",
    js=(_HERE / "accessibility.js").read_text(encoding="utf-8"),
    css=(_HERE / "accessibility.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # its CSS is for Streamlit's elements
)


def apply() -> None:
    """Draw the fixes (in the sidebar, hidden: they take no room on the page)."""
    with st.sidebar:
        _COMPONENT(key="em-accessibility")
