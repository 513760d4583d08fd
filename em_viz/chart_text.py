"""The chart's text alternative: what a half-step shows, in numbers, for a screen reader.

Every view's ``describe(h)`` (:mod:`em_viz.view`) says in one short paragraph what its chart
shows at half-step h — the half-step's name, ℓ (or the bound), then one sentence per
component, state, variable or topic — and the stepping view puts it in a polite live region
that changes as the student steps (the step buttons write each half-step's text in place
when they move the chart, as they write its title). The numbers are the page's: a table's
numeric columns are written as the page's tables write them
(:func:`em_viz.number_formats.column_formats`), and text cells as they are. A long list is
cut at :data:`MAX_ITEMS`, saying how many more there are, so that it can be listened to.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from em_viz.number_formats import column_formats

# At most this many rows (components, states, variables, topics) are read out.
MAX_ITEMS = 10


def row_texts(table: pd.DataFrame, noun: str, *, limit: int = MAX_ITEMS) -> list[str]:
    """The first ``limit`` rows of ``table`` as "noun name: column = value, …".

    The first column names the row ("component 1", "state hot"); every other column is
    written as the page's table writes it: numbers with :func:`column_formats`, text as
    it is, an empty cell as "none yet". A row past ``limit`` is left out
    (:func:`chart_text` says how many).

    Examples
    --------
    >>> row_texts(pd.DataFrame({"k": [1, 2], "μ": [2.0, 8.8333333], "π": [0.5, 0.5]}),
    ...           "component")
    ['component 1: μ = 2.0000, π = 0.5', 'component 2: μ = 8.8333, π = 0.5']
    """
    formats = column_formats(table)
    name, *columns = [str(c) for c in table.columns]
    texts = []
    for _, row in table.head(limit).iterrows():
        values = [f"{column} = {_cell(row[column], formats.get(column))}" for column in columns]
        texts.append(f"{noun} {_cell(row[name], formats.get(name))}: " + ", ".join(values))
    return texts


def metric_text(label: str, value: str) -> str:
    """A metric as a headline: "log-likelihood ℓ(θ₂) = −8.5682" (its label's first letter
    in lower case, as it continues a sentence)."""
    return f"{label[:1].lower()}{label[1:]} = {value}"


def cell_text(table: pd.DataFrame, column: str, row: int = 0) -> str:
    """One cell of ``table`` as the page's table writes it (see :func:`row_texts`)."""
    return _cell(table[column].iloc[row], column_formats(table).get(column))


def _cell(value: object, fmt) -> str:
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return "none yet"
    text = fmt.format % value if fmt is not None else str(value)
    return text.replace("-", "−")


def chart_text(
    label: str, headline: Sequence[str], items: Sequence[str], *, total: int, plural: str
) -> str:
    """One paragraph: "label: headline; item; item; … and N more plural."

    Parameters
    ----------
    label : str
        The half-step's name ("E-step 2").
    headline : sequence of str
        What holds for the whole chart ("log-likelihood ℓ(θ₂) = −8.5682").
    items : sequence of str
        One sentence per row read out (at most :data:`MAX_ITEMS`, see :func:`row_texts`).
    total : int
        How many rows there are in all.
    plural : str
        Their noun in the plural ("components"), for the rows left out.

    Examples
    --------
    >>> chart_text("E-step 1", ["ℓ = −10.5475"], ["component 1: μ = 2"], total=3,
    ...            plural="components")
    'E-step 1: ℓ = −10.5475; component 1: μ = 2; and 2 more components.'
    """
    parts = [*headline, *items]
    more = total - len(items)
    if more > 0:
        parts.append(f"and {more} more {plural}")
    return f"{label}: " + "; ".join(parts) + "."
