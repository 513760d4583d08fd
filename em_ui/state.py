"""Settings that survive a visit to another page.

Streamlit forgets a widget's value at the end of any run that does not draw the widget, so
a student who opens another page and comes back would find every setting at its default
(and code reading the value would fail). A widget made with ``key=keep("page.name")`` is
remembered: :func:`keep_widget_values`, called by the router before every page, writes
each remembered value back into session state, which Streamlit then keeps.

Only widgets whose value may be set through session state can be kept (not buttons, file
uploaders, data editors or charts).
"""

from __future__ import annotations

import streamlit as st

_KEPT = "em_ui.kept_keys"


def keep(key: str) -> str:
    """Remember the widget ``key`` across pages; returns ``key``."""
    st.session_state.setdefault(_KEPT, set()).add(key)
    return key


def keep_widget_values() -> None:
    """Write every remembered widget value back, so that no page run drops it."""
    for key in st.session_state.get(_KEPT, ()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
