"""From uploaded bytes or pasted text to checked text, refusing anything that is not text."""

from __future__ import annotations

import re

from em_data.errors import InputError

NOT_TEXT = "This is not a text table of numbers"
_SAVE_AS_CSV = "Save the data as a CSV or plain-text file (in a spreadsheet: Save as › CSV)."

# Leading bytes of common binary files people upload by mistake.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"PK\x05\x06", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (such as an Excel .xls)"),
    (b"{\\rtf", "an RTF document"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Characters no text table contains: C0/C1 controls other than tab and line breaks, and
# lone surrogates (only a pasted str can hold those).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BLANK = " \t\xa0"
_MARKUP = re.compile("[ \t\xa0\r\n]*+<")
_CONTENT = re.compile("^(?=[ \t\xa0]*+[^ \t\xa0\n#])", re.MULTILINE)  # a line with content
_COMMENT = re.compile("^[ \t\xa0]*+#", re.MULTILINE)


def decode(raw: bytes, *, max_bytes: int) -> str:
    """Decode an uploaded file, refusing binary files with a message.

    Parameters
    ----------
    raw : bytes
        The file exactly as uploaded.
    max_bytes : int
        Largest accepted size.

    Returns
    -------
    str
        The text, checked by `check_text`.

    Raises
    ------
    InputError
        If the file is empty, too large, binary, or in an encoding this reader does not know.
    """
    if isinstance(raw, bytearray | memoryview):
        raw = bytes(raw)
    if not isinstance(raw, bytes):
        raise InputError(f"Expected the bytes of a file, got {type(raw).__name__}.")
    if not raw:
        raise InputError("The file is empty.")
    if len(raw) > max_bytes:
        raise InputError(
            f"The file has {len(raw):,} bytes; the most this app reads is {max_bytes:,} bytes "
            f"({max_bytes / 10**6:g} MB). "
            "Upload a smaller file, for example a sample of the rows."
        )
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputError(f"{NOT_TEXT}: it looks like {what}. {_SAVE_AS_CSV}")
    return check_text(_decode_text(raw))


def _decode_text(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(
                    f"{NOT_TEXT}: it starts with a {encoding.upper().removesuffix('-SIG')} "
                    f"byte-order mark but is not valid {encoding.upper().removesuffix('-SIG')} "
                    f"text. {_SAVE_AS_CSV}"
                ) from None
    if b"\x00" in raw:
        raise InputError(
            f"{NOT_TEXT}: it contains NUL bytes, as binary files do (or it is UTF-16 text "
            f"without a byte-order mark). {_SAVE_AS_CSV}"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            f"{NOT_TEXT}: its bytes are neither UTF-8 nor Windows-1252 text. {_SAVE_AS_CSV}"
        ) from None


def check_text(text: str) -> str:
    """Refuse text holding control characters or markup; normalise line ends and minus signs.

    Parameters
    ----------
    text : str
        Decoded or pasted text.

    Returns
    -------
    str
        The text without a leading byte-order mark, with ``\\n`` for every line end (CRLF,
        CR) and ``-`` for the Unicode minus U+2212 (−).

    Raises
    ------
    InputError
        If the text contains control characters, NUL, lone surrogates, or starts like HTML/XML.
    """
    text = text.removeprefix("\ufeff")
    bad = _CONTROL.search(text)
    if bad is not None:
        char = bad.group()
        what = "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"
        raise InputError(
            f"{NOT_TEXT}: it contains {what} on line {_line_of(text, bad.start())}, "
            f"as binary files do. {_SAVE_AS_CSV}"
        )
    if _MARKUP.match(text):
        raise InputError(
            f"{NOT_TEXT}: it looks like a web page (HTML) or XML. "
            "Copy the numbers themselves, or export the table as CSV."
        )
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2212", "-")


def _line_of(text: str, position: int) -> int:
    before = text[:position]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def first_content_line(text: str, start: int = 0) -> tuple[int, int] | None:
    """Find the first line from ``start`` that is neither blank nor a comment.

    Parameters
    ----------
    text : str
        Checked text (``\\n`` line ends).
    start : int
        Index of the start of a line.

    Returns
    -------
    tuple of (int, int) or None
        Start and end index of the line (end excludes its ``\\n``), or None if there is none.
    """
    found = _CONTENT.search(text, start)
    if found is None:
        return None
    end = text.find("\n", found.start())
    return found.start(), len(text) if end == -1 else end


def is_content(line: str) -> bool:
    """Whether a line is neither blank nor a comment (``#`` first)."""
    stripped = line.lstrip(_BLANK)
    return bool(stripped) and not stripped.startswith("#")


def nothing_to_read(text: str, what: str) -> InputError:
    """The error for text that has no content lines.

    Parameters
    ----------
    text : str
        The text that had no content lines.
    what : str
        What the text is, for the message: ``"file"`` or ``"pasted text"``.

    Returns
    -------
    InputError
        Saying whether the text is empty, blank, or comments only.
    """
    if not text:
        return InputError(f"The {what} is empty.")
    if _COMMENT.search(text):
        return InputError(f"The {what} holds only comment lines (starting with #) and no numbers.")
    return InputError(f"The {what} holds only blank lines and no numbers.")
