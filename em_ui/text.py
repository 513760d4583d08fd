"""Text from the user (file names, column names, cells) shown as typed, never as markup."""

from __future__ import annotations

import re

# Characters that start markup anywhere in a line in Streamlit's markdown (CommonMark, GitHub
# tables and strikethrough, LaTeX between $, directives such as :red[...], raw HTML and
# entities). A backslash makes each of them literal.
_INLINE = re.compile(r"([\\`*\[\]<>!$~|&{}@])")
# "_" opens emphasis only next to a non-alphanumeric character: 1_000 stays as it is.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Bare addresses that GitHub-flavoured markdown turns into links (http://, https://, www.,
# mailto:, xmpp:, a@b.c). Whether one is linked depends on the character before it, and the
# rules differ between the parser's passes (Streamlit's links "2https://…" but not
# "ahttps://…"), so none is trusted: an invisible word joiner (U+2060) goes inside every one,
# whatever comes before it ("2http\u2060s://…", "1www\u2060.…"), and no pattern is left to link.
_AUTOLINK = re.compile(
    r"(?i)(?<=http)(?=s?://)|(?<=www)(?=\.)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)|(?=@)"
)
WORD_JOINER = "\u2060"
# Block markup that only counts at the start of a line: headings, quotes, lists, rules.
_LINE_START = re.compile(r"^([#>+=-]|[0-9]+[.)])")


def literal(text: str) -> str:
    """Escape text so that Streamlit's markdown shows it as written, never as markup.

    For anything a user typed or uploaded that goes into ``st.caption``, ``st.error``,
    ``st.info``, ``st.markdown``, ``st.write`` or a widget's label: a file named
    ``![x](https://example.org/pixel.png).csv`` then shows as that name instead of an image
    the browser fetches, and ``[click me](https://example.org/a)`` is not a link. Punctuation
    that cannot start markup (``.``, ``,``, ``:`` before a space, ``'``) is left alone, so
    messages read the same in the page's source as on screen. Not for what is drawn as plain
    text (a grid's headers, a select box's options, a chart's labels): there the escapes
    would show.

    Parameters
    ----------
    text : str
        The user's text, or a message that quotes it.

    Returns
    -------
    str
        Markdown that displays ``text``, its line breaks shown as spaces (a line break could
        start a heading or a list).
    """
    text = " ".join(str(text).splitlines())
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _INLINE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    return _LINE_START.sub(lambda found: found.group()[:-1] + "\\" + found.group()[-1], text)
