"""User text stays text (TESTING.md A.10): file names and cells shown as written, never as
a link, an image, HTML or formatting."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from pages import PREPARED, open_page, upload_prepared_run
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
import em_models.mixture.typed_start
from em_core.trace_json import dumps
from em_models.mixture.trace import trace_to_json
from em_ui.text import literal

KEY = "data"

HOSTILE = [
    "![x](https://example.org/pixel.png).csv",
    "[click me](https://example.org/a).csv",
    '<a href="https://example.org">click</a>',
    "<img src=x onerror=alert(1)>",
    "**bold** _em_ ~~gone~~ `code`",
    "$x^2$ and :red[coloured] and :material/home:",
    "# a heading",
    "> a quote",
    "- a list",
    "1. a list",
    "see www.example.org or https://example.org or a@example.org",
    "&lt; &amp; &#60;",
    "a\\*b\\",
    "two\nlines",
]
# Bare addresses glued to what comes before them: Streamlit's markdown links some of these
# ("2https://…") and not others ("ahttp://…"), by rules that differ between its passes.
GLUED = [
    "2https://x.example",
    "ahttp://x.example",
    ".www.x.example",
    "(https://x.example)",
    "1www.evil.example",
    "<https://x.example>",
    "[t](https://x.example)",
    "_www.x.example and x_https://x.example",
    "HTTPS://X.EXAMPLE/a WWW.X.EXAMPLE",
    "wwww.x.example 2a@x.example mailto:a@x.example",
    "μ[2https://evil.example/c]",
]
# What may follow a backslash in CommonMark: an escape only before ASCII punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _unescape(markdown: str) -> str:
    return _ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def _linkable(markdown: str) -> list[str]:
    """Every start of an address GitHub-flavoured markdown could link in ``markdown``, read
    as the parser reads it (escapes undone), whatever character comes before it: stricter
    than Streamlit's markdown, which links only some of these."""
    text = _ESCAPE.sub(r"\1", markdown)
    return re.findall(r"(?i)https?://|www\.|[-.\w+]@|mailto:|xmpp:", text)


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_reads_back_as_the_text(text: str) -> None:
    assert _unescape(literal(text)) == " ".join(text.splitlines())


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_leaves_no_markup(text: str) -> None:
    shown = literal(text)
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", shown)  # drop escaped characters
    assert not re.search(r"[\[\]<>`*~$!&|@]", unescaped), shown
    assert not re.search(r"(?<![^\W_])_|_(?![^\W_])", unescaped), shown  # emphasis
    # A bare address is linked only after a space or punctuation; a word joiner stops it.
    assert not re.search(r"(?i)(?<![\u2060])(https?://|www\.)", unescaped), shown
    assert "@" not in unescaped.replace("\u2060@", ""), shown
    assert not re.match(r"[#>+=-]|[0-9]+[.)]", unescaped), shown  # block markup
    assert "\n" not in shown


@pytest.mark.parametrize("text", GLUED + HOSTILE)
def test_literal_leaves_no_address_to_link_whatever_comes_before_it(text: str) -> None:
    shown = literal(text)
    assert _linkable(shown) == [], shown
    assert _unescape(shown) == " ".join(text.splitlines())


def test_literal_keeps_plain_messages_as_they_are() -> None:
    message = "Line 3, column 1: '1_000' groups digits with '_'. Write it without them: 1000."
    assert literal(message) == message.replace("'_'", "'\\_'")
    assert literal("température (°C), 5.5") == "température (°C), 5.5"


def _page() -> AppTest:
    return open_page("em_models/mixture/lessons/your_data.py", timeout=120)


def _source(at: AppTest, source: str) -> AppTest:
    at.radio(key=f"{KEY}.source").set_value(source).run()
    return at


@pytest.mark.parametrize("name", HOSTILE[:2])
def test_an_uploaded_file_name_is_shown_literally(name: str) -> None:
    at = _source(_page(), "upload")
    at.file_uploader(key=f"{KEY}.upload").set_value((name, b"x\n1\n2\n5\n6\n", "text/csv"))
    at.run()
    assert not at.exception, at.exception
    (caption,) = [c.value for c in at.caption if c.value.startswith("Uploaded file")]
    assert caption == f"Uploaded file {literal(name)}."
    assert not re.search(r"(?<!\\)[\[\]!]", caption), caption  # every bracket escaped
    assert _unescape(caption) == f"Uploaded file {name}."


@pytest.mark.parametrize(
    "text",
    ["1 2 [click me](https://example.org/a)", "1\n![x](https://example.org/pixel.png)"],
)
def test_a_bad_cell_is_quoted_literally_in_the_error(text: str) -> None:
    at = _source(_page(), "paste")
    at.text_area(key=f"{KEY}.paste").set_value(text).run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert "is not a number" in error
    assert not re.search(r"(?<!\\)[\[\]!]", error), error  # every bracket escaped
    assert "\\[" in error


def test_a_bad_cell_glued_to_an_address_is_quoted_with_no_link() -> None:
    at = _source(_page(), "upload")
    content = b"x\n1\n2\n2https://evil.example/d\n"
    at.file_uploader(key=f"{KEY}.upload").set_value(("cells.csv", content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert "'2https://evil.example/d' is not a number" in _unescape(error), error
    assert _linkable(error) == [], error


def _prepared(columns: list[str]) -> AppTest:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(5, 1, (30, 2))])
    raw = dumps(trace_to_json(em_models.mixture.engine.fit(X, 2, rng=0), X, columns)).encode()
    at = upload_prepared_run(open_page(PREPARED, timeout=120), raw)
    assert not at.error, [e.value for e in at.error]
    return at


def test_a_prepared_runs_column_names_show_with_no_link_in_caption_and_headers() -> None:
    columns = ["2https://evil.example/c", "1www.evil.example"]
    at = _prepared(columns)
    (caption,) = [c.value for c in at.caption if "points in 2 columns" in c.value]
    assert f"({columns[0]}, {columns[1]})" in _unescape(caption), caption
    assert _linkable(caption) == [], caption
    headers = [str(h) for t in at.table for h in t.value.columns if "evil" in str(h)]
    assert {h[0] for h in headers} >= {"μ", "σ", "ρ", "Δ"}, headers
    for header in headers:
        # A link would run on to the next space, taking the backslash of an escaped "]" into
        # its text: with no link, every backslash is an escape the markdown takes away.
        assert _linkable(header) == [], header
        assert any(f"[{name}" in _unescape(header) for name in columns), header


def _typed_start_with_hostile_names() -> None:
    import numpy as np

    from em_models.mixture.typed_start import typed_start_editor

    X = np.array([[1.0, 2.0], [2.0, 1.0], [8.0, 9.0], [9.0, 8.0]])
    names = ["x[1]_", "2https://x.example"]
    typed_start_editor("t", X, 2, "full", np.full(2, 1e-6), names)


def test_the_typed_starts_grid_heads_its_columns_with_the_names_as_typed() -> None:
    """A grid draws its headers as plain text: a markdown escape would show as a backslash."""
    at = AppTest.from_function(_typed_start_with_hostile_names).run()
    assert not at.exception, at.exception
    config = json.loads(at.dataframe[0].proto.columns)
    headers = {name: column.get("label", name) for name, column in config.items()}
    assert headers["μ (x[1]_)"] == "μ (x[1]_)"
    assert headers["μ (2https://x.example)"] == "μ (2https://x.example)"


def _long_table_with_hostile_names() -> None:
    import pandas as pd

    from em_ui.tables import show_table

    names = ["Δ[2https://x.example]", "r_n[t](https://x.example)"]
    show_table(pd.DataFrame({name: [0.5] * 30 for name in names}))


def test_a_grids_tooltips_quote_column_names_with_no_link() -> None:
    at = AppTest.from_function(_long_table_with_hostile_names).run()
    assert not at.exception, at.exception
    config = json.loads(at.dataframe[0].proto.columns)
    tooltips = [column["help"] for column in config.values() if "help" in column]
    assert len(tooltips) == 2, config
    for tooltip in tooltips:
        assert "x.example" in _unescape(tooltip)
        assert _linkable(tooltip) == [], tooltip
        assert not re.search(r"(?<!\\)[\[\]]", tooltip), tooltip  # every bracket escaped
