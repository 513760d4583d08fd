"""The "Export this run" section under the stepping view: one section for every model, with
the files the model's ``exports`` module lists (:class:`em_viz.exports.ExportFile`; see
:mod:`em_models.registry`) and, under them, a note such as the mixture's scikit-learn code.

The section is lazy (its content runs only while it is open) and every file is made only
when its button is pressed (``st.download_button`` with a function as its data), so stepping
costs nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from em_viz.exports import ExportFile, ExportNote

# A file's kind (from its name) gives its button's icon.
ICONS = {
    "json": ":material/data_object:",
    "csv": ":material/table:",
    "html": ":material/slideshow:",
}


def export_section(
    key: str,
    caption: str,
    files: Sequence[ExportFile],
    *,
    note: Callable[[], ExportNote | None] | None = None,
) -> None:
    """The "Export this run" expander: ``caption``, a row of buttons for ``files`` and
    ``note()`` under them; nothing is made while it is closed. ``key`` prefixes the widgets'
    keys (``f"{key}.export"`` is the expander's)."""
    section = st.expander(
        "Export this run", icon=":material/download:", key=f"{key}.export", on_change="rerun"
    )
    if not section.open:
        return
    with section:
        st.caption(caption)
        with st.container(horizontal=True):
            for file in files:
                st.download_button(
                    file.label,
                    file.make,
                    file_name=file.file_name,
                    mime=file.mime,
                    on_click="ignore",
                    key=f"{key}.export.{file.key}",
                    icon=ICONS[file.kind],
                    help=file.help,
                )
        shown = None if note is None else note()
        if shown is not None:
            st.markdown(f"**{shown.heading}**")
            if shown.code is not None:
                st.code(shown.code, language="python")
            st.caption(shown.caption)
