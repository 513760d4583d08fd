"""Read the numbers a person uploads or pastes, or say in plain words why they cannot be read.

The contract: a finite float64 array of shape (n_samples, n_features) with column names, or
an `InputError` whose message names the problem and, where there is one, the line and
column. No other exception, no NaN or inf, never silently different numbers.

Accepted (`read_table`, an uploaded file)
-----------------------------------------
- One column, or several separated by tabs, semicolons, commas or runs of spaces; the first
  content line decides (tab, else ``;``, else ``,``, else spaces).
- An optional header row: a first line of names (a letter somewhere, no name starting like a
  number). A first line of numbers is data. Without a header, columns are named ``x`` (one
  column) or ``x1, x2, ...``.
- LF, CRLF or CR line ends, with or without a final one; blank lines and lines starting
  with ``#`` are skipped.
- UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, else Windows-1252 (cp1252).
- Cells: ``3``, ``-1.5``, ``+1.5``, ``.5``, ``5.``, ``1e3``, ``-0``, the Unicode minus
  ``−1.5``; spaces or double quotes around them.
- Decimal commas (``1,5;2,5`` gives 1.5 and 2.5) when columns are separated by semicolons
  or tabs; a text must use one decimal mark throughout.

Refused, each with its own message
----------------------------------
Empty files, blank or comment lines only, a header with no data; missing values (empty
cell, NA, nan, N/A, null, -), inf, numbers beyond ±1.7e308 or too close to zero to store
(``1e-400``), leading zeros (``000``), hex (``0x10``), non-ASCII digits, ``1_000``, thousands
separators, units (``5kg``), ``50%``, ``True``, dates, a comment after numbers; rows of
different lengths; binary files (PNG, JPEG, GIF, ZIP/XLSX, XLS, PDF, gzip, RTF by their first
bytes; NUL or control characters) and HTML.

Limits (keyword arguments), each checked before the work it would cost
-----------------------------------------------------------------------
``max_bytes`` = 16 MB (16,000,000 bytes) per file, ``max_chars`` = 2,000,000 pasted characters,
``max_rows`` = 1,000,000 data rows (counted as they are read: reading stops at the first row
over the limit, so no more than the limit is ever held), ``max_columns`` = 50 cells on a line
(a line of 500,000 fields is refused without splitting it), ``max_token_length`` = 100
characters in a cell.

Ambiguity that no reader can resolve: a file without a header whose only column holds
decimal commas (``1,5`` on each line) is read, as CSV, as two columns (1 and 5). With a header
line of one name, it is refused with an explanation instead.

`read_pasted` reads a paste box the same way, except that cells may be separated by any mix
of spaces, commas, semicolons and tabs (decimal commas then need ``;`` between values), and a
single line is one sample of one feature: ``1 2 3`` gives three rows.

`check_for_fit` is the separate check that numbers which were read can be fitted with K
components.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_data._table import (
    PASTE,
    PASTE_DECIMAL_COMMA,
    Limits,
    parse_line,
    parse_table,
    sniff,
)
from em_data._text import check_text, decode, first_content_line, nothing_to_read
from em_data.errors import InputError

__all__ = ["InputError", "NumericTable", "check_for_fit", "read_pasted", "read_table"]

_DECIMAL_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])")


@dataclass(frozen=True, eq=False)
class NumericTable:
    """Numbers read from a file or a paste box.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        Read-only, finite float64.
    columns : tuple of str
        One name per column: the header's, or ``x`` / ``x1, x2, ...``.
    """

    values: NDArray[np.float64]
    columns: tuple[str, ...]


def read_table(
    raw: bytes,
    *,
    max_bytes: int = 16_000_000,
    max_rows: int = 1_000_000,
    max_columns: int = 50,
    max_token_length: int = 100,
    stop_check: Callable[[], object] = lambda: None,
) -> NumericTable:
    """Read an uploaded text table of numbers.

    Parameters
    ----------
    raw : bytes
        The file exactly as uploaded.
    max_bytes, max_rows, max_columns, max_token_length : int
        Largest file size, number of data rows, cells on a line and characters in a cell.
    stop_check : callable, optional
        Called with no argument before every 32,768 characters of text read (or every line,
        where a line is longer); an exception it raises stops the reading and passes
        through. A page passes the check that ends its script run when the tab closes.

    Returns
    -------
    NumericTable
        The numbers and their column names.

    Raises
    ------
    InputError
        For anything that is not a text table of finite numbers within the limits; the only
        exception this function raises (besides what ``stop_check`` raises).
    """
    text = decode(raw, max_bytes=max_bytes)
    first = first_content_line(text)
    if first is None:
        raise nothing_to_read(text, "file")
    dialect = sniff(text[slice(*first)])
    limits = Limits(max_rows, max_columns, max_token_length)
    return NumericTable(*parse_table(text, first, dialect, limits, stop_check))


def read_pasted(
    text: str,
    *,
    max_chars: int = 2_000_000,
    max_rows: int = 1_000_000,
    max_columns: int = 50,
    max_token_length: int = 100,
    stop_check: Callable[[], object] = lambda: None,
) -> NumericTable:
    """Read numbers pasted into a text box.

    ``1 2 3``, ``1,2,3`` and ``1; 2, 3`` are one sample of one feature (three rows); so is one
    value a line. Several lines with several values each are a table, with an optional
    header line. With ``;`` between values, ``1,5`` is read as 1.5.

    Parameters
    ----------
    text : str
        The pasted text.
    max_chars : int
        Largest accepted length.
    max_rows, max_columns, max_token_length : int
        Largest number of rows (or of values on a single line), cells on a line of a table,
        and characters in a cell.
    stop_check : callable, optional
        As for `read_table`.

    Returns
    -------
    NumericTable
        The numbers and their column names.

    Raises
    ------
    InputError
        For anything that is not numbers within the limits; the only exception raised
        (besides what ``stop_check`` raises).
    """
    if not isinstance(text, str):
        raise InputError(f"Expected pasted text, got {type(text).__name__}.")
    if len(text) > max_chars:
        raise InputError(
            f"The pasted text has {len(text):,} characters; the most this app reads is "
            f"{max_chars:,}. Upload the numbers as a file instead."
        )
    text = check_text(text)
    first = first_content_line(text)
    if first is None:
        raise nothing_to_read(text, "pasted text")
    n_commas = text.count(",")
    decimal_comma = ";" in text and 0 < n_commas == len(_DECIMAL_COMMA.findall(text))
    dialect = PASTE_DECIMAL_COMMA if decimal_comma else PASTE
    if first_content_line(text, first[1] + 1) is not None:
        limits = Limits(max_rows, max_columns, max_token_length)
        return NumericTable(*parse_table(text, first, dialect, limits, stop_check))
    # One line: its values are the rows of a single column.
    limits = Limits(max_rows, max_columns, max_token_length)
    values = parse_line(text, first, dialect, limits, stop_check)
    values = values.reshape(-1, 1)
    values.flags.writeable = False
    return NumericTable(values, ("x",))


def check_for_fit(
    values: ArrayLike, n_components: int, *, columns: Sequence[str] | None = None
) -> None:
    """Check that numbers can be fitted by a mixture of ``n_components`` Gaussians.

    Parameters
    ----------
    values : array-like of shape (n_samples, n_features)
        The numbers to fit.
    n_components : int
        The number of Gaussians asked for.
    columns : sequence of str, optional
        Column names, to name a constant column; ``column j`` otherwise.

    Raises
    ------
    InputError
        With the reason and the fix: too few rows, fewer rows or distinct rows than
        components, a column whose value never changes, or values that are not finite.
    """
    X = np.asarray(values, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] == 0:
        raise InputError(f"Expected a table of shape (n_samples, n_features), got shape {X.shape}.")
    if isinstance(n_components, bool) or not isinstance(n_components, int | np.integer):
        raise InputError(f"The number of components must be a whole number, got {n_components!r}.")
    if n_components < 1:
        raise InputError("Choose at least 1 component.")
    n_samples = X.shape[0]
    if not np.isfinite(X).all():
        raise InputError("The data contain missing or infinite values; remove those rows.")
    if n_samples < 2:
        raise InputError(
            f"The data have {n_samples} row{'s' if n_samples != 1 else ''}; fitting a mixture "
            "needs at least 2 rows of numbers. Add more data."
        )
    if n_samples < n_components:
        raise InputError(
            f"The data have {n_samples} rows, but you asked for {n_components} components. "
            f"Each component needs rows of its own: choose {n_samples} components or fewer, "
            "or add more data."
        )
    constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
    if constant.size:
        j = int(constant[0])
        name = f"Column '{columns[j]}'" if columns is not None else f"Column {j + 1}"
        raise InputError(
            f"{name} has the same value ({X[0, j]:g}) in every row, so its spread is zero "
            "and no Gaussian fits it. Remove that column or choose other data.",
            column=j + 1,
        )
    # Enough distinct rows are usually found among the first ones; counting them all sorts
    # every row (0.4 s for a million, on every rerun of a page).
    head = X[: max(1_000, 10 * n_components)]
    if len(np.unique(head + 0.0, axis=0)) >= n_components:  # + 0.0: -0.0 equals 0.0
        return
    n_distinct = len(np.unique(X + 0.0, axis=0))
    if n_distinct < n_components:
        raise InputError(
            f"The data have only {n_distinct} distinct rows (the other rows repeat them), but "
            f"you asked for {n_components} components. Choose {n_distinct} components or "
            "fewer."
        )
