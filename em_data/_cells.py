"""What one cell may hold, and a plain-words explanation when it holds something else.

A cell is a plain decimal number: an optional sign, digits with at most one decimal mark,
an optional exponent (``-1.5``, ``+.5``, ``5.``, ``1e3``, ``-0``). It may be wrapped in
double quotes and padded with spaces, tabs or no-break spaces. Integer parts have no leading
zeros, so ``000`` (the tail of ``1,000`` cut at a thousands comma) is refused, not read as 0.
"""

from __future__ import annotations

import math
import re
import unicodedata

PAD = " \t\xa0"

MISSING = frozenset(
    {"na", "n/a", "n.a.", "nan", "null", "none", "nil", "missing", "-", "--", ".", "?", "#n/a"}
)
INFINITE = frozenset({"inf", "infinity", "∞", "1.#inf"})
BOOLEAN = frozenset({"true", "false", "yes", "no"})
VALUE_WORDS = MISSING | INFINITE | BOOLEAN

PLAIN_NUMBER = "Every cell must be a plain number such as 3.2 or -1e3."


def number_regex(marks: str) -> str:
    """Regular expression (source) for one plain number.

    Parameters
    ----------
    marks : str
        The decimal marks allowed: ``"."``, ``","`` or ``".,"``.

    Returns
    -------
    str
        Pattern matching exactly the numbers this reader accepts (ASCII digits only).
    """
    mark = f"[{re.escape(marks)}]"
    return rf"[+-]?(?:(?:0|[1-9][0-9]*)(?:{mark}[0-9]*)?|{mark}[0-9]+)(?:[eE][+-]?[0-9]+)?"


_NUMBER = {marks: re.compile(number_regex(marks)) for marks in (".", ",", ".,")}
_LEADING_ZERO = re.compile(r"[+-]?0[0-9]+(?:[.,][0-9]*)?(?:[eE][+-]?[0-9]+)?")
_OTHER_BASE = re.compile(r"[+-]?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_UNDERSCORE = re.compile(r"[+-]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?")
_THOUSANDS = re.compile(
    r"[+-]?[0-9]{1,3}([,.' \xa0\u202f\u2009])[0-9]{3}(?:\1[0-9]{3})*(?:[.,][0-9]+)?"
)
_PERCENT = re.compile(number_regex(".,") + r" ?%")
_DATE_OR_TIME = re.compile(
    r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}(?:[ T].*)?"
    r"|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?: ?[aApP][mM])?"
)


def clean_cell(cell: str) -> str:
    """Strip padding and one pair of enclosing double quotes from a cell.

    Parameters
    ----------
    cell : str
        The cell as split from its line.

    Returns
    -------
    str
        The cell's content.
    """
    cell = cell.strip(PAD)
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].strip(PAD)
    return cell


def quote(cell: str) -> str:
    """Show a cell in a message, shortened if long.

    Parameters
    ----------
    cell : str
        The cell's content.

    Returns
    -------
    str
        The cell in single quotes, at most about 40 characters.
    """
    return f"'{cell}'" if len(cell) <= 40 else f"'{cell[:37]}…'"


def range_problem(token: str, value: float) -> str | None:
    """Explain a well-formed number that a float cannot hold, or return None.

    Parameters
    ----------
    token : str
        The number as written (``.`` as decimal mark).
    value : float
        ``float(token)``.

    Returns
    -------
    str or None
        Why the number cannot be stored, or None if ``value`` is the number.
    """
    if math.isinf(value):
        return f"{quote(token)} is too large: numbers must lie between -1.7e308 and 1.7e308."
    mantissa = re.split("[eE]", token)[0]
    if value == 0.0 and any(digit in mantissa for digit in "123456789"):
        return (
            f"{quote(token)} is too close to zero to be stored (below about 5e-324). "
            "Write 0 if zero is meant, or rescale the column."
        )
    return None


def describe(cell: str, marks: str) -> str | None:
    """Explain why a cell is not an acceptable number, or return None if it is.

    Parameters
    ----------
    cell : str
        The cell's content (see `clean_cell`).
    marks : str
        The decimal marks allowed here: ``"."``, ``","`` or ``".,"``.

    Returns
    -------
    str or None
        A sentence for the student, or None when the cell holds a finite number.
    """
    low = cell.lower()
    if not cell:
        return "this cell is empty. Every cell needs a number: fill it in or delete the row."
    if low in MISSING or low.lstrip("+-") == "nan":
        return (
            f"{quote(cell)} marks a missing value. Every cell needs a number: "
            "fill it in or delete the row."
        )
    if low.lstrip("+-") in INFINITE:
        return f"{quote(cell)} is not a finite number. {PLAIN_NUMBER}"
    if _NUMBER[marks].fullmatch(cell):
        token = cell.replace(",", ".")
        return range_problem(token, float(token))
    return _describe_malformed(cell, marks)


def _describe_malformed(cell: str, marks: str) -> str:
    shown = quote(cell)
    strange = next((char for char in cell if char.isdigit() and char not in "0123456789"), None)
    if strange is not None:
        return (
            f"{shown} contains '{strange}' ({unicodedata.name(strange, 'an unusual digit')}). "
            "Type numbers with the plain digits 0 to 9."
        )
    if "," in cell and marks == "." and _NUMBER[","].fullmatch(cell):
        with_point = cell.replace(",", ".")
        decimal_commas = "(Decimal commas are read only when semicolons or tabs separate columns.)"
        if _THOUSANDS.fullmatch(cell):
            return (
                f"{shown} has a comma in it. If the comma groups thousands, write "
                f"{cell.replace(',', '')}; if it is a decimal comma, write {with_point}. "
                f"{decimal_commas}"
            )
        return f"{shown} has a decimal comma: write {with_point}. {decimal_commas}"
    if "." in cell and marks == "," and _NUMBER["."].fullmatch(cell):
        return (
            f"{shown} uses '.' as its decimal mark, but the rest uses ','. "
            "Use one decimal mark throughout."
        )
    if _LEADING_ZERO.fullmatch(cell):
        plain = re.sub(r"^([+-]?)0+(?=[0-9])", r"\1", cell)
        return (
            f"{shown} starts with a zero. If it is the end of a number cut at a thousands "
            "separator, as in 1,000, remove the separator (write 1000); otherwise write it "
            f"without leading zeros ({plain})."
        )
    if _OTHER_BASE.fullmatch(cell):
        return f"{shown} is not written in base 10. Write it as a decimal number: {int(cell, 0)}."
    if "_" in cell and _UNDERSCORE.fullmatch(cell):
        return f"{shown} groups digits with '_'. Write it without them: {cell.replace('_', '')}."
    if _THOUSANDS.fullmatch(cell):
        return (
            f"{shown} looks like a number with thousands separators. "
            "Write it without them, such as 1234.5 for 1,234.5."
        )
    if _PERCENT.fullmatch(cell):
        return f"{shown} is a percentage. Write it as a plain number, such as 50 or 0.5."
    if cell.lower() in BOOLEAN:
        return f"{shown} is a yes/no value, not a number. {PLAIN_NUMBER}"
    if _DATE_OR_TIME.fullmatch(cell):
        return f"{shown} looks like a date or a time, not a number. {PLAIN_NUMBER}"
    return _describe_characters(cell) or f"{shown} is not a number. {PLAIN_NUMBER}"


def _describe_characters(cell: str) -> str | None:
    strange = next((char for char in cell if not char.isascii()), None)
    if strange is None:
        return None
    name = unicodedata.name(strange, f"U+{ord(strange):04X}")
    category = unicodedata.category(strange)
    if category == "Zs":
        return (
            f"{quote(cell)} contains a space character ({name}), perhaps a thousands "
            "separator. Remove it."
        )
    if category == "Pd":
        return f"{quote(cell)} contains '{strange}' ({name}). Write a minus sign as '-'."
    return f"{quote(cell)} contains '{strange}' ({name}), which has no place in a number."
