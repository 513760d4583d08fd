"""A link that reopens the view: a page's settings and its half-step travel in the address.

Every setting of a page that shows a run is a widget bound to the query string with
Streamlit's own binding (``bind=bind(key)``): the parameter's name is the widget's key, its
value what the widget shows (an option's label, a number), and a value equal to the widget's
default is left out. A new browser opening the address seeds every bound widget from it, so
the page computes the same run and shows the same half-step (:func:`link_half_step`).

Streamlit checks a value from the address against its widget (its options, its range, its
type) and drops one it cannot use. This module does what it does not: on the first run of a
page it refuses a value given more than once, far too long, or infinite (which a number
input of this Streamlit raises on instead of dropping); the widget is then not bound for
that run and takes its default. After the page is drawn it names, in one short notice,
every value of the link that was not used and every key the page does not know.

:func:`start` at the top of a page draws the presenter-mode toggle and the link, and returns
the :class:`PageLink` whose :meth:`PageLink.finish` at the end of the page writes the notice
(:meth:`PageLink.stop` where a page ends early, refusing a request).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from em_ui import presenter
from em_ui.state import keep
from em_ui.text import literal

BIND = "query-params"
# No setting's name or value is nearly this long; a longer one is refused outright.
MAX_CHARS = 200
# Shown of a refused value: enough to recognise it.
SHOWN_CHARS = 40
# Keys whose widget takes several values (a multiselect, a range), each a parameter of that
# name.
MULTI_VALUED = (".columns", ".k_range")

_BOUND = "em_ui.links.bound"  # key -> how its value is written in the address, this run
_REFUSED = "em_ui.links.refused"  # keys refused on the first run of a page
_OPENED = "em_ui.links.opened"  # pages whose link has been read

_HERE = Path(__file__).parent
_LINK_BOX = st.components.v2.component(
    "em_ui.link_box",
    js=(_HERE / "link_box.js").read_text(encoding="utf-8"),
    css=(_HERE / "link_box.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # its CSS names only .em-link
)


def bind(key: str, show: Callable[[Any], str] = str) -> str | None:
    """The ``bind=`` of the settings widget ``key``: it travels in the page's link.

    Parameters
    ----------
    key : str
        The widget's key, which is also the parameter's name in the address.
    show : callable
        How the widget writes a value in the address (its ``format_func``, or ``str``).

    Returns
    -------
    "query-params", or None for a value refused on this run (the widget takes its default).
    """
    st.session_state.setdefault(_BOUND, {})[key] = show
    return None if key in st.session_state.get(_REFUSED, {}) else BIND


def link_half_step(h_key: str, labels: list[str]) -> str | None:
    """The ``bind=`` of the half-step slider ``h_key`` whose options are labelled ``labels``.

    The first time the view is drawn, the half-step the link names is put in session state
    before the buttons and the chart read it (the slider itself is drawn under the chart,
    too late for them).
    """
    seen = f"{h_key}.linked"
    if not st.session_state.get(seen):
        st.session_state[seen] = True
        wanted = st.query_params.get_all(h_key)
        refused = h_key in st.session_state.get(_REFUSED, {})
        if not refused and len(wanted) == 1 and wanted[0] in labels:
            st.session_state[h_key] = labels.index(wanted[0])
    return bind(h_key, lambda h: labels[h])


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _given(key: str, values: list[str]) -> str:
    """The parameter as the link gives it, shortened: ``K = “abc”``."""
    return f"{_shown(key)} = " + ", ".join(f"“{_shown(value)}”" for value in values)


def _infinite(text: str) -> bool:
    """Whether ``text`` reads as an infinite number ("inf", "1e400"), which a number widget
    of this Streamlit cannot turn down (it raises instead)."""
    try:
        return math.isinf(float(text))
    except ValueError:
        return False


def _refusals(raw: dict[str, list[str]]) -> dict[str, str]:
    """The parameters refused before any widget reads them, each with the reason."""
    refused = {}
    for key, values in raw.items():
        if len(key) > MAX_CHARS or any(len(value) > MAX_CHARS for value in values):
            refused[key] = (
                f"{_given(key, values)} is longer than any setting ({MAX_CHARS} characters)"
            )
        elif any(_infinite(value) for value in values):
            refused[key] = f"{_given(key, values)} is not a finite number"
        elif len(values) > 1 and not key.endswith(MULTI_VALUED):
            refused[key] = f"{_given(key, values)} gives one setting {len(values)} values"
    return refused


class PageLink:
    """What :func:`start` read from the address; :meth:`finish` reports on it."""

    def __init__(self, page: str, raw: dict[str, list[str]] | None, notices) -> None:
        self.page = page
        self.raw = raw  # None unless the page was opened on this run
        self._notices = notices
        self._note = notices.empty()

    def finish(self, *, left_out: str | None = None) -> None:
        """After the page's settings and view: the notice naming what the link could not
        set, ``left_out`` (what the view shows that the link cannot carry) under the link,
        and presenter mode's style."""
        bound = st.session_state.get(_BOUND, {})
        if left_out:
            self._note.caption(left_out)
        presenter.apply()
        if self.raw is None:
            return
        refused = st.session_state.get(_REFUSED, {})
        lines = []
        for key, values in self.raw.items():
            if key in refused:
                lines.append(f"{refused[key]}, so it is at its default.")
            elif key not in bound:
                lines.append(
                    f"{_given(key, values)} is not a setting of this page with these "
                    "settings; it is ignored."
                )
                del st.query_params[key]
            elif st.query_params.get_all(key) != values:
                show = bound[key]
                now = st.session_state.get(key)
                shown = [show(v) for v in now] if isinstance(now, list | tuple) else [show(now)]
                if shown != values:
                    lines.append(
                        f"{_given(key, values)} cannot be used here, so it is "
                        f"{', '.join(shown) or 'empty'}."
                    )
        if lines:
            self._notices.warning(
                literal("This link had values the page could not use. " + " ".join(lines))
            )

    def stop(self, *, left_out: str | None = None) -> None:
        """End the page here (a request refused, after its message), as :meth:`finish`
        would end it: the notice still names what the link could not set."""
        self.finish(left_out=left_out)
        st.stop()


def start(page: str) -> PageLink:
    """At the top of a page that shows a run: the presenter-mode toggle and the link to the
    view, and, on the page's first run, what the address asks for."""
    st.session_state[_BOUND] = {}
    opened = st.session_state.setdefault(_OPENED, set())
    raw = None
    if page not in opened:
        opened.add(page)
        raw = {key: st.query_params.get_all(key) for key in st.query_params}
        refused = _refusals(raw)
        for key in refused:
            del st.query_params[key]
        st.session_state[_REFUSED] = refused
    else:
        st.session_state[_REFUSED] = {}
    bar = st.container(horizontal=True, vertical_alignment="center", key="em-link-keep-bar")
    with bar:
        st.toggle(
            "Presenter mode",
            key=keep(presenter.KEY),
            bind=bind(presenter.KEY, lambda on: str(on).lower()),
            help="For a projector: larger type and chart, the settings hidden (they keep "
            "their values). Keys: → or Page Down next half-step, ← or Page Up back, space "
            "play or pause, Home the start, End the end.",
        )
        _LINK_BOX(key="em-link-box", width="stretch")
    return PageLink(page, raw, st.container(key="em-link-keep-notes"))
