"""Tables on screen: every number whole, every column explained.

Streamlit sizes a table's columns from the values it first shows and keeps those widths when
the values change, so a column that started as "None" (N_k before the first E-step) cut
175.1877 to "75.1877" later. Here every numeric column gets its format and a width that fits
its widest value, computed afresh for the values on screen (:func:`em_viz.tables.column_formats`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from em_viz.tables import column_formats

if TYPE_CHECKING:
    import pandas as pd

# What a cell with no value yet shows (N_k and r_nk at the start); the column's help says why.
MISSING = "—"


def show_table(df: pd.DataFrame) -> None:
    """Show ``df`` (a table of :mod:`em_viz.tables`) with no number cut.

    Parameters
    ----------
    df : pandas.DataFrame
        For example ``em_viz.parameter_table(...)`` or ``em_viz.responsibility_table(...)``.
    """
    config = {
        name: st.column_config.NumberColumn(
            name, format=column.format, width=column.width, help=column.help
        )
        for name, column in column_formats(df).items()
    }
    st.dataframe(df, hide_index=True, column_config=config, placeholder=MISSING, width="content")
