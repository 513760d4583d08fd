"""From text lines to a float array: separators, the header row, and row-by-row validation.

Data lines are checked against one compiled pattern (n_columns plain numbers between
separators), which also takes blank and comment lines: one call takes a run of many lines,
which, without its blank and comment lines, becomes number tokens that numpy converts in
blocks (exactly, as ``float`` would). A line that fails the pattern is split into cells to say
which cell is wrong and why; a run that would pass the row limit is read line by line to
say where.

Cost: every part of the line pattern is possessive (``*+``, ``{n}+``) or atomic (``(?>…)``),
and no two neighbouring parts can match the same character, so a match never backtracks
into a cell, a line or a chunk it has passed: time is linear in the text, whatever it holds,
and a count such as ``{999999}+`` keeps no backtracking state. No line costs a call of
Python of its own, blank or not (but the bad one): 16 MiB of newlines once took 5.8 times an
ordinary file's time. A single pasted line of many values is split and converted in windows
of ``_CHUNK`` characters, so no list of all its cells is ever held. A stop check is called
before every ``_CHUNK`` characters (or line, where longer), so a page can end a reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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

_BLOCK = 1 << 14  # tokens converted to floats at a time
_CHUNK = 1 << 15  # characters of text validated by one regular-expression call
_THOUSANDS_HINT = re.compile(r"[0-9][, ][0-9]{3}(?![0-9])")
_NOT_CONTENT = "[ \t\xa0]*+(?:#[^\n]*+)?"  # a blank or comment line, without its end
_NOT_CONTENT_LINES = re.compile(f"^(?:{_NOT_CONTENT}(?:\n|\\Z))++", re.MULTILINE)
_FIRST_DATA_LINE_WITH = {  # the first line that is not blank or a comment and holds the mark
    mark: re.compile(f"^(?=[ \t\xa0]*+[^ \t\xa0\n#])[^\n{mark}]*+{re.escape(mark)}", re.MULTILINE)
    for mark in ".,"
}


@dataclass(frozen=True)
class Limits:
    """Largest input accepted, checked before the work (and memory) it would cost."""

    max_rows: int
    max_columns: int
    max_token_length: int


@dataclass(frozen=True, eq=False)
class Dialect:
    """How cells are separated and written in one text."""

    separator: str  # regex for one separator, possessive (it never gives characters back)
    separator_chars: str  # every character a separator can hold
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
        """A pattern matching a whole valid line of ``n_columns`` numbers.

        Possessive and atomic throughout (see the module docstring): an edge or a pad never
        gives back a character, and none of them can hold a character that starts what
        follows it, so the pattern matches exactly the lines the greedy one would.
        """
        pad = f"[{re.escape(self.pad)}]*+"
        number = f"(?>{number_regex(self.marks)})"
        cell = f'{pad}(?:{number}|"[ \\xa0]*+{number}[ \\xa0]*+"){pad}'
        edge = f"[{re.escape(self.edge)}]*+" if self.edge else ""
        return f"{edge}{cell}(?:(?>{self.separator}){cell}){{{n_columns - 1}}}+{edge}"

    def token_text(self, lines: str) -> str:
        """Valid lines with every separator and quote turned into `split_on` (or a space)."""
        for old, new in self.replacements:
            lines = lines.replace(old, new)
        return lines

    def tokens(self, lines: str) -> list[str]:
        """The numbers of valid lines (joined by ``\\n``) as strings ``float`` reads."""
        return self.token_text(lines).split(self.split_on)

    def windows(self, line: str, size: int = _CHUNK) -> Iterator[str]:
        """A line without its edges, in pieces of about ``size`` characters, cut between cells.

        A piece ends before a separator that follows a character no separator holds: the
        split of the whole line has a separator there too, so splitting each piece gives
        the line's cells. The separator itself is in no piece.
        """
        text = line.strip(self.edge)
        cut = re.compile(f"(?<![{re.escape(self.separator_chars)}])(?:{self.separator})")
        start = 0
        while True:
            found = cut.search(text, start + size) if start + size < len(text) else None
            stop = len(text) if found is None else found.start()
            yield text[start:stop]
            if found is None:
                return
            start = found.end()


TAB = Dialect("\t", "\t", "a tab", " \xa0", "", ".,", ((",", "."), ('"', ""), ("\n", "\t")), "\t")
SEMICOLON = Dialect(
    ";", ";", "a semicolon", PAD, "", ".,", ((",", "."), ('"', ""), ("\n", ";")), ";"
)
COMMA = Dialect(",", ",", "a comma", PAD, "", ".", (('"', ""), ("\n", ",")), ",")
WHITESPACE = Dialect("[ \t]++", " \t", "spaces", "\xa0", PAD, ".", (('"', " "),), None)
_PASTE_HINT = (
    " To paste one sample of one feature, put all the values on one line or one value a line."
)
PASTE = Dialect(
    " *+[,;\t] *+| ++",
    " ,;\t",
    "a separator",
    "\xa0",
    " \xa0",
    ".",
    ((",", " "), (";", " "), ("\t", " "), ('"', " ")),
    None,
    _PASTE_HINT,
)
PASTE_DECIMAL_COMMA = Dialect(
    " *+[;\t] *+| ++",
    " ;\t",
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
    text: str,
    first: tuple[int, int],
    dialect: Dialect,
    limits: Limits,
    stop_check: Callable[[], object],
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
    stop_check : callable
        Called with no argument before every `_CHUNK` characters; it may raise to stop.

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
    names = _header_names(cells)
    reference = (
        f"line {number} has {_count(len(cells), 'value')}"
        if names is None
        else f"the header on line {number} names {_count(len(cells), 'column')}"
    )
    builder = _Builder(dialect, len(cells), limits, reference, stop_check)
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
        raise _too_many_cells(number, limit)
    too_long = _first_too_long(cells, limits.max_token_length)
    if too_long is not None:
        raise _too_long(number, *too_long, limits.max_token_length)
    return cells


def _too_many_cells(number: int, limit: int) -> InputError:
    return InputError(
        f"this line has more than {_count(limit, 'value')}; the most this app reads on "
        f"one line is {limit:,}.",
        number,
    )


def _first_too_long(cells: list[str], limit: int, start: int = 1) -> tuple[int, int] | None:
    """Column (counted from ``start``) and length of the first cell longer than ``limit``."""
    if not cells or max(map(len, cells)) <= limit:  # padding only shortens a cell
        return None
    for column, cell in enumerate(cells, start=start):
        length = len(cell.strip(PAD))
        if length > limit:
            return column, length
    return None


def _too_long(number: int, column: int, length: int, limit: int) -> InputError:
    return InputError(
        f"this cell is {length:,} characters long; the most this app reads in one cell is {limit}.",
        number,
        column,
    )


def parse_line(
    text: str,
    first: tuple[int, int],
    dialect: Dialect,
    limits: Limits,
    stop_check: Callable[[], object],
) -> np.ndarray:
    """Read the values of a single line as one column: its n cells become n rows.

    The line is checked, split and converted in windows, so the memory used is a small
    multiple of the line's length however many values it holds.

    Parameters
    ----------
    text : str
        Checked text (``\\n`` line ends), see `em_data._text.check_text`.
    first : tuple of (int, int)
        Start and end index of the line.
    dialect : Dialect
        How cells are separated and written; one decimal mark, cells split on whitespace
        (`PASTE` or `PASTE_DECIMAL_COMMA`).
    limits : Limits
        ``max_rows`` is the largest number of values on the line.
    stop_check : callable
        Called with no argument before every window of the line; it may raise to stop.

    Returns
    -------
    ndarray of shape (n_values,)
        Finite float64.

    Raises
    ------
    InputError
        At the first problem, with line and column (the value's place on the line).
    """
    start, end = first
    number = text.count("\n", 0, start) + 1
    line = text[start:end]
    n_cells = 0
    too_long = None
    for piece in dialect.windows(line):
        stop_check()
        cells = re.split(dialect.separator, piece)
        if too_long is None:
            too_long = _first_too_long(cells, limits.max_token_length, n_cells + 1)
        n_cells += len(cells)
        if n_cells > limits.max_rows:
            raise _too_many_cells(number, limits.max_rows)
    if too_long is not None:
        raise _too_long(number, *too_long, limits.max_token_length)
    if re.fullmatch(dialect.line_pattern(n_cells), line) is None:
        raise _diagnose_line(number, line, dialect)
    flat = dialect.token_text(line)
    values = np.empty(n_cells)
    n_done = 0
    start = 0
    while start < len(flat):
        stop_check()
        # Cut at a separator: every token lies wholly in one window.
        stop = flat.find(dialect.split_on or " ", start + _CHUNK)
        stop = len(flat) if stop == -1 else stop
        tokens = flat[start:stop].split(dialect.split_on)
        if tokens:

            def error_at(index: int, problem: str, offset: int = n_done) -> InputError:
                return InputError(problem, number, offset + index + 1)

            values[n_done : n_done + len(tokens)] = _convert(
                tokens, limits.max_token_length, error_at
            )
            n_done += len(tokens)
        start = stop + 1
    return values


def _diagnose_line(number: int, line: str, dialect: Dialect) -> InputError:
    """The error for a long line that failed its pattern, found window by window."""

    def cells() -> Iterator[str]:
        for piece in dialect.windows(line):
            yield from re.split(dialect.separator, piece)

    if '"' in line or "#" in line:
        problem = _quote_or_comment(number, cells, dialect)
        if problem is not None:
            return problem
    n_before = 0
    # Small pieces: the one that holds the bad cell is checked cell by cell, in Python.
    for piece in dialect.windows(line, 1 << 8):
        cells_here = re.split(dialect.separator, piece)
        # A piece that is a valid line on its own holds no bad cell: skip it at C speed.
        if re.fullmatch(dialect.line_pattern(len(cells_here)), piece) is None:
            error = _bad_cell(number, lambda cells_here=cells_here: cells_here, dialect)
            if error.column is not None:
                return InputError(error.problem, number, n_before + error.column)
        n_before += len(cells_here)
    return _bad_cell(number, lambda: (), dialect)


def _convert(
    tokens: list[str], max_length: int, error_at: Callable[[int, str], InputError]
) -> np.ndarray:
    """Number tokens to floats, refusing a token too long or a number a float cannot hold."""
    longest = max(tokens, key=len)
    if len(longest) > max_length:
        raise error_at(
            tokens.index(longest),
            f"this cell is {len(longest):,} characters long; the most this app reads in "
            f"one cell is {max_length}.",
        )
    values = np.array(tokens, dtype=np.float64)
    for index in np.flatnonzero(~np.isfinite(values) | (values == 0.0)):
        problem = range_problem(tokens[index], float(values[index]))
        if problem is not None:
            raise error_at(int(index), problem)
    return values


def _quote_or_comment(
    number: int, cells: Callable[[], Iterable[str]], dialect: Dialect
) -> InputError | None:
    """The error for the first unclosed quote, else for the first comment after numbers."""
    for column, cell in enumerate(cells(), start=1):
        content = cell.strip(PAD)
        if content.count('"') == 1 and any(char.isdigit() for char in content):
            return InputError(
                f"{quote(content)} opens a quote that this cell does not close. A quoted "
                f"number may not contain {dialect.separator_name}, which separates "
                "the columns here: remove thousands separators, and write decimals with "
                "a point (or separate the columns with semicolons).",
                number,
                column,
            )
    for column, cell in enumerate(cells(), start=1):
        if "#" in cell:
            return InputError(
                "a comment (from '#' on) must be on a line of its own, not after numbers.",
                number,
                column,
            )
    return None


def _bad_cell(number: int, cells: Callable[[], Iterable[str]], dialect: Dialect) -> InputError:
    """The error for the first cell that is not a number (or for the line's quotes)."""
    for column, cell in enumerate(cells(), start=1):
        problem = describe(clean_cell(cell), dialect.marks)
        if problem is not None:
            return InputError(problem, number, column)
    return InputError("this line could not be read as numbers; check its quotes.", number)


def _first_word(number: int, cells: list[str], dialect: Dialect) -> InputError | None:
    """The error for the first cell with a letter in it that is not a number, or None."""
    for column, cell in enumerate(cells, start=1):
        content = clean_cell(cell)
        if any(char.isalpha() for char in content):
            problem = describe(content, dialect.marks)
            if problem is not None:
                return InputError(problem, number, column)
    return None


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
    """Accumulates validated rows of one table and converts them to floats in blocks.

    The text goes by in chunks of about `_CHUNK` characters, and ``stop_check`` is called
    before each. One regular-expression call takes each run of data, blank and comment
    lines, so a file of blank lines costs no more per byte than one of numbers. The text of
    the rows queued for conversion is kept until they are converted, to name a bad number's
    line.
    """

    def __init__(
        self,
        dialect: Dialect,
        n_columns: int,
        limits: Limits,
        reference: str,
        stop_check: Callable[[], object],
    ):
        self.dialect = dialect
        self.n_columns = n_columns
        self.limits = limits
        self.reference = reference
        self.stop_check = stop_check
        line = dialect.line_pattern(n_columns)
        self.match_line = re.compile(line).fullmatch
        # Consecutive valid, blank and comment lines, each with its line end: one call.
        self.match_run = re.compile(f"(?:(?:{line}|{_NOT_CONTENT})(?:\\n|\\Z))*+").match
        self.n_rows = 0
        self.tokens: list[str] = []
        self.queued: list[tuple[int, str]] = []  # (first line's number, lines) not converted
        self.blocks: list[np.ndarray] = []
        self.mark: tuple[str, int] | None = None  # decimal mark in use, and where first seen

    def add_text(self, text: str, start: int, number: int) -> None:
        """Add the lines of ``text`` from index ``start``, which begins line ``number``."""
        while start < len(text):
            self.stop_check()
            end = text.find("\n", start + _CHUNK)
            end = len(text) if end == -1 else end
            self._add_lines(text[start:end], number)
            number += text.count("\n", start, end) + 1
            start = end + 1

    def _add_lines(self, lines: str, number: int) -> None:
        """Add consecutive lines: each run of valid data, blank and comment lines at once; a
        bad line, or a run over a limit or with a new decimal mark, line by line."""
        start = 0
        while start < len(lines):
            end = self.match_run(lines, start).end()
            valid = end > start
            if not valid:  # a bad line: alone
                end = lines.find("\n", start) + 1 or len(lines)
            run = lines[start:end]
            n_lines = run.count("\n") + (not run.endswith("\n"))
            data = _NOT_CONTENT_LINES.sub("", run).removesuffix("\n")
            n_rows = data.count("\n") + 1 if data else 0
            if (
                valid
                and self.n_rows + n_rows <= self.limits.max_rows
                and self._one_mark(run, number, data)
            ):
                self.n_rows += n_rows
                if data:
                    self.queued.append((number, run))
                    self._queue(self.dialect.tokens(data))
            else:
                for offset, line in enumerate(run.split("\n")):
                    if is_content(line):
                        self.add_line(number + offset, line)
            number += n_lines
            start = end

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
        self.queued.append((number, line))
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
        if tokens:
            self.blocks.append(_convert(tokens, self.limits.max_token_length, self._error_at))
        self.queued = []

    def _error_at(self, index: int, problem: str) -> InputError:
        """The error for the queued token ``index``, at its line (found only now)."""
        row, column = divmod(index, self.n_columns)
        for number, lines in self.queued:
            for offset, line in enumerate(lines.split("\n")):
                if is_content(line):
                    if row == 0:
                        return InputError(problem, number + offset, column + 1)
                    row -= 1
        raise AssertionError("a queued token has no line")  # pragma: no cover

    def _diagnose(self, number: int, line: str) -> InputError:
        limit = max(self.limits.max_columns, self.n_columns)
        cells = _split(number, line, self.dialect, self.limits, limit)
        problem = _quote_or_comment(number, lambda: cells, self.dialect)
        if problem is not None:
            return problem
        if len(cells) != self.n_columns:
            words = _first_word(number, cells, self.dialect)
            if words is not None:  # a line of words is words before it is a ragged row
                return words
            hint = " (If it groups thousands, as in 1,000, remove it.)"
            hint = hint if _THOUSANDS_HINT.search(line) else ""
            return InputError(
                f"this line has {_count(len(cells), 'value')}, but {self.reference}. "
                f"Every row must have the same number of columns.{hint}{self.dialect.ragged_hint}",
                number,
            )
        return _bad_cell(number, lambda: cells, self.dialect)

    def _one_mark(self, lines: str, number: int, data: str | None = None) -> bool:
        """Whether valid lines (from line ``number``; ``data``: their data lines alone, if
        they hold blank or comment lines too) keep to the decimal mark in use, recording it
        and its line when first seen."""
        if len(self.dialect.marks) == 1:
            return True
        data = lines if data is None else data
        marks = [mark for mark in ".," if mark in data]
        if len(marks) != 1:
            return not marks
        if self.mark is None:
            first = _FIRST_DATA_LINE_WITH[marks[0]].search(lines)
            self.mark = (marks[0], number + lines.count("\n", 0, first.start()))
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
