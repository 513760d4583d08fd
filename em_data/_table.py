"""From text lines to a float array: separators, the header row, and row-by-row validation.

Data lines are checked against one compiled pattern (n_columns plain numbers between
separators), a chunk of many lines per call; valid chunks become number tokens that numpy
converts in blocks (exactly, as ``float`` would). A chunk that fails, or that holds blank or
comment lines, is read line by line, and a line that fails is split into cells to say which
cell is wrong and why.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import numpy as np

from em_data._cells import (
    PAD,
    VALUE_WORDS,
    clean_cell,
    describe,
    number_regex,
    quote,
    range_problem,
)
from em_data._text import is_content
from em_data.errors import InputError

_BLOCK = 1 << 16  # tokens converted to floats at a time
_CHUNK = 1 << 17  # characters of text validated by one regular-expression call
_THOUSANDS_HINT = re.compile(r"[0-9][, ][0-9]{3}(?![0-9])")


@dataclass(frozen=True)
class Limits:
    """Largest input accepted, checked before the work (and memory) it would cost."""

    max_rows: int
    max_columns: int
    max_token_length: int


@dataclass(frozen=True, eq=False)
class Dialect:
    """How cells are separated and written in one text."""

    separator: str  # regex for one separator
    separator_name: str  # for messages
    pad: str  # characters allowed around a cell
    edge: str  # characters allowed at either end of a line
    marks: str  # decimal marks allowed: ".", "," or ".," (the text must then use one)
    replacements: tuple[tuple[str, str], ...]  # turn valid lines into tokens for `split_on`
    split_on: str | None
    ragged_hint: str = ""

    def split(self, line: str, limit: int) -> list[str]:
        """Split a line into at most ``limit + 1`` raw cells (more means: too many)."""
        return re.split(self.separator, line.strip(self.edge), maxsplit=limit)

    def line_pattern(self, n_columns: int) -> str:
        """A pattern matching a whole valid line of ``n_columns`` numbers."""
        pad = f"[{re.escape(self.pad)}]*"
        number = number_regex(self.marks)
        cell = f'{pad}(?:{number}|"[ \\xa0]*{number}[ \\xa0]*"){pad}'
        edge = f"[{re.escape(self.edge)}]*" if self.edge else ""
        return f"{edge}{cell}(?:(?:{self.separator}){cell}){{{n_columns - 1}}}{edge}"

    def tokens(self, lines: str) -> list[str]:
        """The numbers of valid lines (joined by ``\\n``) as strings ``float`` reads."""
        for old, new in self.replacements:
            lines = lines.replace(old, new)
        return lines.split(self.split_on)


TAB = Dialect("\t", "a tab", " \xa0", "", ".,", ((",", "."), ('"', ""), ("\n", "\t")), "\t")
SEMICOLON = Dialect(";", "a semicolon", PAD, "", ".,", ((",", "."), ('"', ""), ("\n", ";")), ";")
COMMA = Dialect(",", "a comma", PAD, "", ".", (('"', ""), ("\n", ",")), ",")
WHITESPACE = Dialect("[ \t]+", "spaces", "\xa0", PAD, ".", (('"', " "),), None)
_PASTE_HINT = (
    " To paste one sample of one feature, put all the values on one line or one value a line."
)
PASTE = Dialect(
    " *[,;\t] *| +",
    "a separator",
    "\xa0",
    " \xa0",
    ".",
    ((",", " "), (";", " "), ("\t", " "), ('"', " ")),
    None,
    _PASTE_HINT,
)
PASTE_DECIMAL_COMMA = Dialect(
    " *[;\t] *| +",
    "a separator",
    "\xa0",
    " \xa0",
    ",",
    ((",", "."), (";", " "), ("\t", " "), ('"', " ")),
    None,
    _PASTE_HINT,
)


def sniff(first_line: str) -> Dialect:
    """Choose the separator of a file from its first content line.

    Parameters
    ----------
    first_line : str
        The first line that is neither blank nor a comment.

    Returns
    -------
    Dialect
        Tab if the line has one, else semicolon, else comma, else runs of spaces.
    """
    for dialect in (TAB, SEMICOLON, COMMA):
        if dialect.separator in first_line:
            return dialect
    return WHITESPACE


def parse_table(
    text: str, first: tuple[int, int], dialect: Dialect, limits: Limits, *, header: bool = True
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read checked text into a float array and column names.

    Parameters
    ----------
    text : str
        Checked text (``\\n`` line ends), see `em_data._text.check_text`.
    first : tuple of (int, int)
        Start and end index of its first content line.
    dialect : Dialect
        How cells are separated and written.
    limits : Limits
        Largest input accepted.
    header : bool
        Whether the first line may be a header row (when it reads as names).

    Returns
    -------
    values : ndarray of shape (n_samples, n_features)
        Read-only, finite float64.
    columns : tuple of str
        Header names, or ``x`` / ``x1, x2, ...`` when the first line holds numbers.

    Raises
    ------
    InputError
        At the first problem, with its line and column.
    """
    start, end = first
    number = text.count("\n", 0, start) + 1
    line = text[start:end]
    cells = _split(number, line, dialect, limits, limits.max_columns)
    names = _header_names(cells) if header else None
    reference = (
        f"line {number} has {_count(len(cells), 'value')}"
        if names is None
        else f"the header on line {number} names {_count(len(cells), 'column')}"
    )
    builder = _Builder(dialect, len(cells), limits, reference)
    if names is None:
        builder.add_line(number, line)
    builder.add_text(text, end + 1, number + 1)
    if builder.n_rows == 0:
        raise InputError(
            f"this line looks like column names ({quote(', '.join(names or ()))}), but no "
            "rows of numbers follow it. Put the numbers below the names.",
            number,
        )
    if names is None:
        names = ("x",) if len(cells) == 1 else tuple(f"x{j}" for j in range(1, len(cells) + 1))
    return builder.finish(), names


def _too_many_rows(max_rows: int) -> InputError:
    return InputError(
        f"The data have more than {max_rows:,} rows; the most this app reads is {max_rows:,}. "
        "Use a sample of the rows."
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _split(number: int, line: str, dialect: Dialect, limits: Limits, limit: int) -> list[str]:
    """Raw cells of a line, refusing too many cells or too long a cell before more work."""
    cells = dialect.split(line, limit)
    if len(cells) > limit:
        raise InputError(
            f"this line has more than {_count(limit, 'value')}; the most this app reads on "
            f"one line is {limit:,}.",
            number,
        )
    for column, cell in enumerate(cells, start=1):
        length = len(cell.strip(PAD))
        if length > limits.max_token_length:
            raise InputError(
                f"this cell is {length:,} characters long; the most this app reads in one "
                f"cell is {limits.max_token_length}.",
                number,
                column,
            )
    return cells


def _header_names(cells: list[str]) -> tuple[str, ...] | None:
    """Column names if the cells read as a header row, else None (the line is data).

    A header has at least one letter, and no name that starts like a number or is a
    value word (NA, inf, true, ...); an empty name becomes ``x<j>``.
    """
    names = [clean_cell(cell) for cell in cells]
    if not any(char.isalpha() for name in names for char in name):
        return None
    for name in names:
        if name and (name[0] in "+-." or name[0].isdigit() or name.lower() in VALUE_WORDS):
            return None
    return tuple(name or f"x{j}" for j, name in enumerate(names, start=1))


class _Builder:
    """Accumulates validated rows of one table and converts them to floats in blocks."""

    def __init__(self, dialect: Dialect, n_columns: int, limits: Limits, reference: str):
        self.dialect = dialect
        self.n_columns = n_columns
        self.limits = limits
        self.reference = reference
        line = dialect.line_pattern(n_columns)
        self.match_line = re.compile(line).fullmatch
        self.match_lines = re.compile(f"{line}(?:\\n{line})*").fullmatch
        self.n_rows = 0
        self.line_numbers = array("q")
        self.tokens: list[str] = []
        self.blocks: list[np.ndarray] = []
        self.converted_rows = 0
        self.mark: tuple[str, int] | None = None  # decimal mark in use, and where first seen

    def add_text(self, text: str, start: int, number: int) -> None:
        """Add the lines of ``text`` from index ``start``, which begins line ``number``."""
        while start < len(text):
            end = text.find("\n", start + _CHUNK)
            end = len(text) if end == -1 else end
            self._add_lines(text[start:end], number)
            number += text.count("\n", start, end) + 1
            start = end + 1

    def _add_lines(self, lines: str, number: int) -> None:
        """Add consecutive lines; all at once when all are valid data, else one by one."""
        lines = lines.rstrip("\n")
        n_lines = lines.count("\n") + 1
        if (
            lines
            and self.n_rows + n_lines <= self.limits.max_rows
            and self.match_lines(lines)  # fails on blank and comment lines too
            and self._one_mark(lines, number)
        ):
            self.n_rows += n_lines
            self.line_numbers.extend(range(number, number + n_lines))
            self._queue(self.dialect.tokens(lines))
            return
        for offset, line in enumerate(lines.split("\n")):
            if is_content(line):
                self.add_line(number + offset, line)

    def add_line(self, number: int, line: str) -> None:
        """Validate one data line and queue its numbers, or raise at its first problem."""
        self.n_rows += 1
        if self.n_rows > self.limits.max_rows:
            raise _too_many_rows(self.limits.max_rows)
        if self.match_line(line) is None:
            self._flush()
            raise self._diagnose(number, line)
        if not self._one_mark(line, number):
            self._flush()
            raise self._mixed_marks(number, line)
        self.line_numbers.append(number)
        self._queue(self.dialect.tokens(line))

    def _queue(self, tokens: list[str]) -> None:
        self.tokens += tokens
        if len(self.tokens) >= _BLOCK:
            self._flush()

    def finish(self) -> np.ndarray:
        """The read-only (n_rows, n_columns) array of everything added."""
        self._flush()
        values = np.concatenate(self.blocks).reshape(-1, self.n_columns)
        values.flags.writeable = False
        return values

    def _flush(self) -> None:
        tokens, self.tokens = self.tokens, []
        if not tokens:
            return
        longest = max(tokens, key=len)
        if len(longest) > self.limits.max_token_length:
            raise self._error_at(
                tokens.index(longest),
                f"this cell is {len(longest):,} characters long; the most this app reads in "
                f"one cell is {self.limits.max_token_length}.",
            )
        values = np.array(tokens, dtype=np.float64)
        for index in np.flatnonzero(~np.isfinite(values) | (values == 0.0)):
            problem = range_problem(tokens[index], float(values[index]))
            if problem is not None:
                raise self._error_at(int(index), problem)
        self.blocks.append(values)
        self.converted_rows += len(tokens) // self.n_columns

    def _error_at(self, index: int, problem: str) -> InputError:
        row, column = divmod(index, self.n_columns)
        return InputError(problem, self.line_numbers[self.converted_rows + row], column + 1)

    def _diagnose(self, number: int, line: str) -> InputError:
        limit = max(self.limits.max_columns, self.n_columns)
        cells = _split(number, line, self.dialect, self.limits, limit)
        for column, cell in enumerate(cells, start=1):
            content = cell.strip(PAD)
            if content.count('"') == 1 and any(char.isdigit() for char in content):
                return InputError(
                    f"{quote(content)} opens a quote that this cell does not close. A quoted "
                    f"number may not contain {self.dialect.separator_name}, which separates "
                    "the columns here: remove thousands separators, and write decimals with "
                    "a point (or separate the columns with semicolons).",
                    number,
                    column,
                )
        for column, cell in enumerate(cells, start=1):
            if "#" in cell:
                return InputError(
                    "a comment (from '#' on) must be on a line of its own, not after numbers.",
                    number,
                    column,
                )
        if len(cells) != self.n_columns:
            hint = " (If it groups thousands, as in 1,000, remove it.)"
            hint = hint if _THOUSANDS_HINT.search(line) else ""
            return InputError(
                f"this line has {_count(len(cells), 'value')}, but {self.reference}. "
                f"Every row must have the same number of columns.{hint}{self.dialect.ragged_hint}",
                number,
            )
        for column, cell in enumerate(cells, start=1):
            problem = describe(clean_cell(cell), self.dialect.marks)
            if problem is not None:
                return InputError(problem, number, column)
        return InputError("this line could not be read as numbers; check its quotes.", number)

    def _one_mark(self, lines: str, number: int) -> bool:
        """Whether valid lines keep to the decimal mark in use (recording it when first seen)."""
        if len(self.dialect.marks) == 1:
            return True
        marks = [mark for mark in ".," if mark in lines]
        if len(marks) != 1:
            return not marks
        if self.mark is None:
            self.mark = (marks[0], number + lines.count("\n", 0, lines.index(marks[0])))
        return self.mark[0] == marks[0]

    def _mixed_marks(self, number: int, line: str) -> InputError:
        """The error for a valid line whose decimal marks differ from each other or the text's."""
        expected, where = self.mark or ("", 0)
        for column, cell in enumerate(self.dialect.split(line, self.n_columns), start=1):
            for mark in ".,":
                if mark not in cell:
                    continue
                if not expected:
                    expected, where = mark, column
                elif mark != expected:
                    place = f"line {where}" if self.mark else f"column {where} of this line"
                    return InputError(
                        f"{quote(clean_cell(cell))} uses '{mark}' as its decimal mark, but "
                        f"{place} uses '{expected}'. Use one decimal mark throughout.",
                        number,
                        column,
                    )
        return InputError("this line mixes '.' and ',' as decimal marks.", number)
