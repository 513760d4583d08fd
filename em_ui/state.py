"""Settings that survive a visit to another page.

Streamlit forgets a widget's value at the end of a run that does not draw the widget (another
page was shown, or only a fragment of its page ran), so a student who opens another page and
comes back would find every setting at its default, and code reading the value would fail. A
widget made with ``key=keep("page.name")`` is remembered: :func:`keep` notes its value on
every run of its page, and :func:`keep_widget_values`, which the router calls before every
page, writes each remembered value back into session state, where Streamlit keeps it.

Only widgets whose value may be set through session state can be kept (not buttons, file
uploaders, data editors or charts).
"""

from __future__ import annotations

import streamlit as st

_VALUES = "em_ui.kept_values"


def keep(key: str) -> str:
    """Remember the widget ``key`` across pages; returns ``key``."""
    values = st.session_state.setdefault(_VALUES, {})
    values[key] = st.session_state.get(key, values.get(key))
    return key


def keep_widget_values() -> None:
    """Write every remembered widget value back, so that no page run drops it."""
    values = st.session_state.get(_VALUES, {})
    for key in values:
        if key in st.session_state:
            values[key] = st.session_state[key]
        if values[key] is not None:
            st.session_state[key] = values[key]
