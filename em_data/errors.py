"""The one exception the data readers raise: a problem a person can fix in their data."""

from __future__ import annotations


class InputError(ValueError):
    """Numbers given to the app that cannot be read or cannot be fitted.

    The message says, in plain words, what is wrong and how to fix it; when the problem
    sits at a place in the text it starts with ``Line L, column C:``.

    Parameters
    ----------
    problem : str
        What is wrong and what to do about it.
    line : int or None
        1-based line of the text where the problem is, if there is one.
    column : int or None
        1-based column (cell within the line), if there is one.
    """

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem, line, column)
        self.problem = problem
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.problem
        if self.column is None:
            return f"Line {self.line}: {self.problem}"
        return f"Line {self.line}, column {self.column}: {self.problem}"
