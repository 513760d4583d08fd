"""How the app writes the numbers of its tables, every model's: each numeric column with as
many decimals as its numbers need to read whole (:func:`column_formats`), and the short
numbers a class reads off the projector (:func:`key_numbers`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# A column shows its largest value to this many significant digits, …
SIGNIFICANT = 5


# … with at most this many decimals (enough for data on a scale of 10⁻⁸).
MAX_DECIMALS = 12


# Pixels per character of the table's font (an upper bound for digits, letters and Greek)
# and around a cell's text (the cell's padding and the header's menu button).
CHAR_PX = 8


PADDING_PX = 28


@dataclass(frozen=True)
class ColumnFormat:
    """How one numeric column is written on screen.

    Attributes
    ----------
    format : str
        printf-style format (``"%.4f"``, ``"%d"``, or ``"%.15g"`` for a Δ column, whose
        values are already rounded: 0 then reads "0").
    width : int
        Pixels: wide enough for the header and for every value written with ``format``.
    help : str or None
        What the column means, for its header's tooltip.
    """

    format: str
    width: int
    help: str | None = None


def decimals(values: ArrayLike) -> int:
    """The decimals a column of numbers needs: the fewest that write every value exactly,
    but no more than the largest value's ``SIGNIFICANT`` significant digits need.

    Examples
    --------
    >>> decimals([1.5, 2.0, 9.5]), decimals([2.0, 8.8333333]), decimals([98.107, 173.89289])
    (1, 4, 2)
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = np.abs(finite[np.isfinite(finite)])
    if finite.size == 0 or finite.max() == 0:
        return 0
    significant = SIGNIFICANT - 1 - math.floor(math.log10(finite.max()))
    limit = min(max(significant, 0), MAX_DECIMALS)
    for places in range(limit):
        if np.allclose(np.round(finite, places), finite, rtol=1e-12, atol=0):
            return places
    return limit


def column_formats(table: pd.DataFrame) -> dict[str, ColumnFormat]:
    """How to write each numeric column of ``table`` so that no number is cut.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :func:`parameter_table` or :func:`responsibility_table`.

    Returns
    -------
    dict of str to ColumnFormat
        One entry per numeric column (empty columns, all NaN, included). Integers are
        written whole; a Δ column with its values as they are (already rounded, 0 as "0");
        any other column with :func:`decimals` decimals.
    """
    formats: dict[str, ColumnFormat] = {}
    for name in table.columns:
        column = pd.to_numeric(table[name], errors="coerce")
        written = table[name].map(lambda v: isinstance(v, str)).any()
        if written or (column.isna().all() and table[name].notna().any()):
            continue  # text, numbers already written as text included
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if pd.api.types.is_integer_dtype(table[name]):
            fmt, texts = "%d", [str(int(v)) for v in finite]
        elif str(name).startswith("Δ"):
            fmt, texts = "%.15g", [f"{v:.15g}" for v in finite]
        else:
            places = decimals(finite)
            fmt, texts = f"%.{places}f", [f"{v:.{places}f}" for v in finite]
        widest = max([len(str(name)), 1, *(len(text) for text in texts)])
        formats[str(name)] = ColumnFormat(fmt, CHAR_PX * widest + PADDING_PX, _help(str(name)))
    return formats


def _help(name: str) -> str | None:
    """The tooltip of a column's header."""
    if name.startswith("Δ"):
        return (
            f"The change of {name[1:]} since the previous half-step, rounded to the digits "
            f"{name[1:]} is shown with: 0 means it moved by less than its last digit (an "
            "E-step moves no parameter at all)."
        )
    if name.startswith("r_n"):
        return (
            f"r_n{name[3:]}, how responsible component {name[3:]} is for point n (each row sums "
            "to 1). — at the start: no E-step has computed responsibilities yet."
        )
    return {
        "component": "k, the number of the Gaussian (its colour in the chart).",
        "n": "The point's row in the data, from 1.",
        "μ": "μ_k, the mean of component k.",
        "σ": "σ_k, the standard deviation of component k (the square root of its variance).",
        "ρ": "ρ_k, the correlation of the two columns within component k: 0 for an ellipse "
        "along the axes, towards ±1 for one tilted and thin.",
        "π": "π_k, the weight of component k: the share of the points it expects.",
        "N_k": "N_k = Σ_n r_nk, the number of points component k is responsible for at this "
        "half-step. — at the start: no E-step has computed responsibilities yet.",
    }.get(name.split("[")[0])


KEY_DIGITS = 4


def key_number(value: float, digits: int = KEY_DIGITS) -> str:
    """``value`` to ``digits`` significant digits, with a true minus sign."""
    return f"{value:.{digits}g}".replace("-", "−")


def key_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every number written to ``KEY_DIGITS`` significant digits."""
    return pd.DataFrame(
        {
            name: [key_number(v) for v in column]
            if pd.api.types.is_float_dtype(column)
            else column.astype(str)
            for name, column in table.items()
        }
    )
