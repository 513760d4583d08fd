"""Tables on screen: every number whole, every column explained.

Every numeric column gets its format (:func:`em_viz.number_formats.column_formats`). A short
table
(the parameters: one row per component) is a plain table, sized by the browser to its
numbers and drawn without loading a data grid, so the page's first chart comes sooner. A long
one (the responsibilities) is a scrolling grid; a grid sizes its columns from the values it
first shows and keeps those widths, so a column that started as "None" (N_k before the first
E-step) cut 175.1877 to "75.1877" later: each of its columns gets a width that fits its
widest value, computed afresh for the values on screen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from em_ui.text import literal
from em_viz.number_formats import column_formats

# What a cell with no value yet shows (N_k and r_nk at the start); the help says why.
MISSING = "—"
MISSING_HELP = "— : no value yet, as no E-step has computed responsibilities at the start."
# Up to this many rows a table is drawn plain; longer ones scroll in a grid.
SHORT_TABLE_ROWS = 20
# A plain table wider than its column (on a phone) scrolls sideways inside its frame, where
# the browser hides the scroll bar until it is touched: this one stays drawn, and a shadow at
# the edge that has more columns behind it shows that the table goes on (the shadows are the
# background of the scrolling box, covered by its last columns when it is scrolled to the end).
SCROLL_HINT_STYLE = """<style>
[data-testid="stTable"] > div:has(> table) {
  scrollbar-color: rgba(49, 51, 63, 0.45) transparent;
  background:
    linear-gradient(to left, white 30%, rgba(255, 255, 255, 0)) right / 40px 100% local,
    radial-gradient(farthest-side at 100% 50%, rgba(49, 51, 63, 0.3), transparent)
      right / 16px 100% scroll;
  background-repeat: no-repeat;
}
</style>"""


def show_table(df: pd.DataFrame) -> None:
    """Show ``df`` (a table of :mod:`em_models.mixture.tables`) with no number cut.

    Parameters
    ----------
    df : pandas.DataFrame
        For example ``em_models.mixture.tables.parameter_table(...)`` or
        ``em_models.mixture.tables.responsibility_table(...)``.
    """
    formats = column_formats(df)
    if len(df) <= SHORT_TABLE_ROWS:
        # A plain table writes its headers as markdown, and they hold column names.
        styled = df.rename(columns=literal).style.format(
            {literal(name): (lambda v, f=c.format: f % v) for name, c in formats.items()},
            na_rep=MISSING,
        )
        st.html(SCROLL_HINT_STYLE)
        st.table(styled, hide_index=True)
        if df.isna().to_numpy().any():
            st.caption(MISSING_HELP)
        return
    # A grid's headers are plain text; their tooltips are markdown and may quote a name.
    config = {
        name: st.column_config.NumberColumn(
            name,
            format=column.format,
            width=column.width,
            help=literal(column.help) if column.help else None,
        )
        for name, column in formats.items()
    }
    st.dataframe(df, hide_index=True, column_config=config, placeholder=MISSING, width="content")
