"""The reader's contract (TESTING.md part A): a finite float64 table with column names, or an
InputError naming the problem and, where there is one, its line and column. Nothing else."""

from __future__ import annotations

import gzip
import io
import math
import random
import re
import time
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from em_data import InputError, NumericTable, check_for_fit, read_pasted, read_table


def _xlsx() -> bytes:
    """A minimal Office Open XML workbook: a ZIP archive, as a real .xlsx file is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _assert_table(table: NumericTable, values: list[list[float]], columns: tuple[str, ...]):
    assert isinstance(table, NumericTable)
    assert table.values.dtype == np.float64
    assert not table.values.flags.writeable
    np.testing.assert_array_equal(table.values, np.array(values, dtype=np.float64))
    assert table.columns == columns


# --------------------------------------------------------------------------------------------
# A.1, A.2: accepted
# --------------------------------------------------------------------------------------------

ACCEPTED = [
    pytest.param(b"x\n1.5\n2\n3\n", [[1.5], [2], [3]], ("x",), id="one column, header"),
    pytest.param(b"1.5\n2\n3\n", [[1.5], [2], [3]], ("x",), id="one column, no header"),
    pytest.param(b"a,b\n1,2\n3,4\n", [[1, 2], [3, 4]], ("a", "b"), id="commas"),
    pytest.param(b"a;b\n1;2\n3;4\n", [[1, 2], [3, 4]], ("a", "b"), id="semicolons"),
    pytest.param(b"a\tb\n1\t2\n3\t4\n", [[1, 2], [3, 4]], ("a", "b"), id="tabs"),
    pytest.param(b"a   b\n1  2\n  3 \t 4  \n", [[1, 2], [3, 4]], ("a", "b"), id="runs of spaces"),
    pytest.param(b"a,b\r\n1,2\r\n3,4\r\n", [[1, 2], [3, 4]], ("a", "b"), id="CRLF"),
    pytest.param(b"a,b\r1,2\r3,4\r", [[1, 2], [3, 4]], ("a", "b"), id="CR only"),
    pytest.param(b"a,b\n1,2\n3,4", [[1, 2], [3, 4]], ("a", "b"), id="no final newline"),
    pytest.param(b"\xef\xbb\xbfa,b\n1,2\n", [[1, 2]], ("a", "b"), id="UTF-8 BOM"),
    pytest.param("a,b\n1,2\n".encode("utf-16"), [[1, 2]], ("a", "b"), id="UTF-16 BOM"),
    pytest.param(
        b"\xfe\xff" + "a,b\n1,2\n".encode("utf-16-be"), [[1, 2]], ("a", "b"), id="UTF-16-BE BOM"
    ),
    pytest.param(
        "température;masse\n1;2\n".encode("cp1252"),
        [[1, 2]],
        ("température", "masse"),
        id="cp1252 header",
    ),
    pytest.param(
        "température\n1\n".encode(), [[1]], ("température",), id="UTF-8 header without BOM"
    ),
    pytest.param(b" a , b \n 1 , 2 \n3 ,4\n", [[1, 2], [3, 4]], ("a", "b"), id="spaces around"),
    pytest.param(b'"a","b"\n"1.5","2"\n', [[1.5, 2]], ("a", "b"), id="quoted numbers"),
    pytest.param(
        b"x\n+1.5\n.5\n5.\n1e3\n-0\n1E-3\n-2.5e+2\n",
        [[1.5], [0.5], [5], [1000], [0], [0.001], [-250]],
        ("x",),
        id="number forms",
    ),
    pytest.param("x\n−1.5\n2\n".encode(), [[-1.5], [2]], ("x",), id="Unicode minus"),
    pytest.param(b"1,2\n3,4\n", [[1, 2], [3, 4]], ("x1", "x2"), id="numeric first row is data"),
    pytest.param(b"3.5\t7\n", [[3.5, 7]], ("x1", "x2"), id="one row, no header"),
    pytest.param(b"a;b\n1,5;2,5\n-0,5;3\n", [[1.5, 2.5], [-0.5, 3]], ("a", "b"), id="1,5;2,5"),
    pytest.param(b"1,5\t2,25\n", [[1.5, 2.25]], ("x1", "x2"), id="decimal comma and tabs"),
    pytest.param(
        b"# measured 2024\nx\n\n1\n  # a comment\n   \n2\n", [[1], [2]], ("x",), id="comments"
    ),
    pytest.param(b'"",a\n1,2\n', [[1, 2]], ("x1", "a"), id="empty header name"),
    pytest.param(b"x\n1\xc2\xa0\n", [[1]], ("x",), id="no-break space around"),
]


@pytest.mark.parametrize(("raw", "values", "columns"), ACCEPTED)
def test_accepted(raw: bytes, values: list[list[float]], columns: tuple[str, ...]) -> None:
    _assert_table(read_table(raw), values, columns)


def test_minus_zero_keeps_its_sign() -> None:
    assert math.copysign(1.0, read_table(b"-0\n1\n").values[0, 0]) == -1.0


def test_a_large_table_is_read_exactly() -> None:
    # Large enough to go through the chunked fast path many times.
    values = np.random.default_rng(1).normal(size=(50_000, 3)) * [1, 1e-5, 1e5]
    text = "a,b,c\n" + "\n".join(",".join(map(repr, row)) for row in values.tolist())
    _assert_table(read_table(text.encode()), values.tolist(), ("a", "b", "c"))


def test_a_large_table_with_blank_and_comment_lines() -> None:
    rows = [f"{i};{i / 4}".replace(".", ",") for i in range(30_000)]
    rows[10_000:10_000] = ["", "# halfway", "  "]
    table = read_table(("a;b\n" + "\n".join(rows) + "\n\n").encode())
    expected = [[i, i / 4] for i in range(30_000)]
    _assert_table(table, expected, ("a", "b"))


# --------------------------------------------------------------------------------------------
# A.3: refused, with a message and, where there is one, the place
# --------------------------------------------------------------------------------------------

REJECTED = [
    pytest.param(b"", "The file is empty", None, None, id="empty file"),
    pytest.param(b"\n  \n\t\r\n", "only blank lines", None, None, id="blank lines only"),
    pytest.param(b"a,b\n", "looks like column names", 1, None, id="header only"),
    pytest.param(b"a,b\n\n# none yet\n", "no rows of numbers", 1, None, id="header, comment"),
    pytest.param(b"# a\n  # b\n", "only comment lines", None, None, id="comment lines only"),
    pytest.param(b"x\n1\nabc\n", "'abc' is not a number", 3, 1, id="abc"),
    pytest.param(b"x,y\n1,2\n3,5kg\n", "'5kg' is not a number. Every cell", 3, 2, id="5kg"),
    pytest.param(b"x\n50%\n", "'50%' is a percentage", 2, 1, id="50%"),
    pytest.param(b"x\nTrue\n", "'True' is a yes/no value", 2, 1, id="True"),
    pytest.param(b"x\n2024-03-01\n", "'2024-03-01' looks like a date", 2, 1, id="ISO date"),
    pytest.param(b"x;y\n1;03/01/2024\n", "looks like a date", 2, 2, id="date with slashes"),
    pytest.param(b"x\n12:30\n", "looks like a date or a time", 2, 1, id="time"),
    pytest.param(b"x,y\n1,\n", "this cell is empty", 2, 2, id="empty cell at end"),
    pytest.param(b"x,y\n,1\n", "this cell is empty", 2, 1, id="empty cell at start"),
    pytest.param(b'x\n""\n', "this cell is empty", 2, 1, id="empty quoted cell"),
    pytest.param(b"x\nNA\n", "'NA' marks a missing value", 2, 1, id="NA"),
    pytest.param(b"x\nnan\n", "'nan' marks a missing value", 2, 1, id="nan"),
    pytest.param(b"x\nNaN\n", "'NaN' marks a missing value", 2, 1, id="NaN"),
    pytest.param(b"x\nN/A\n", "'N/A' marks a missing value", 2, 1, id="N/A"),
    pytest.param(b"x\nnull\n", "'null' marks a missing value", 2, 1, id="null"),
    pytest.param(b"x\n-\n", "'-' marks a missing value", 2, 1, id="dash"),
    pytest.param(b"x\ninf\n", "'inf' is not a finite number", 2, 1, id="inf"),
    pytest.param(b"x\n-Infinity\n", "is not a finite number", 2, 1, id="-Infinity"),
    pytest.param(b"x\n1\n1e309\n", "'1e309' is too large", 3, 1, id="1e309"),
    pytest.param(b"x\n-1e309\n", "too large", 2, 1, id="-1e309"),
    pytest.param(b"x\n1e-400\n", "too close to zero", 2, 1, id="1e-400 underflows"),
    pytest.param(b"x\n0x10\n", "not written in base 10.*16", 2, 1, id="0x10"),
    pytest.param("x\n１２\n".encode(), "FULLWIDTH DIGIT ONE", 2, 1, id="full-width digits"),
    pytest.param("x\n٣\n".encode(), "ARABIC-INDIC DIGIT THREE", 2, 1, id="Arabic-Indic digit"),
    pytest.param("x\n2²\n".encode(), "SUPERSCRIPT TWO", 2, 1, id="superscript"),
    pytest.param(b"x\n1_000\n", "'1_000' groups digits with '_'.*1000", 2, 1, id="1_000"),
    pytest.param(b'x\n"1,234.5"\n', "thousands separators", 2, 1, id="quoted 1,234.5"),
    pytest.param(b"x;y\n1.234,5;2\n", "thousands separators", 2, 1, id="1.234,5"),
    pytest.param(b"x\n1.234.567\n", "thousands separators", 2, 1, id="1.234.567"),
    pytest.param(b"x\n1,000\n", "groups thousands, write 1000", 2, 1, id="1,000 in a column"),
    pytest.param(b"1,000\n2,000\n", "thousands separator", 1, 2, id="1,000 unquoted"),
    pytest.param(b"x\n1 000\n", "thousands", 2, None, id="1 000"),
    pytest.param(b"x\n1\xc2\xa0000\n", "thousands", 2, 1, id="1 000 with no-break space"),
    pytest.param(b"x,y\n1,000,2\n", "thousands", 2, None, id="1,000 makes a row too long"),
    pytest.param(b'x,y\n"1,5","2,5"\n', "opens a quote", 2, 1, id="quoted decimal comma"),
    pytest.param(b"x\n1,5\n", "decimal comma: write 1.5", 2, 1, id="decimal comma, no ;"),
    pytest.param(b"x;y\n1,5;2\n3.5;4\n", "'3.5' uses '.'.*line 2 uses ','", 3, 1, id="mixed"),
    pytest.param(b"x;y\n1,5;2.5\n", "'2.5' uses '.'.*column 1", 2, 2, id="mixed in a row"),
    pytest.param(b"x\n007\n", "'007' starts with a zero", 2, 1, id="leading zero"),
    pytest.param("x\n–1.5\n".encode(), "EN DASH.*minus sign as '-'", 2, 1, id="en dash"),
    pytest.param(
        b"a,b\n1,2\n3\n", "1 value, but the header on line 1 names 2", 3, None, id="short"
    ),
    pytest.param(b"1,2\n3,4,5\n", "3 values, but line 1 has 2 values", 2, None, id="long row"),
    # A file of words: its cells are not numbers, whatever their count on each line.
    pytest.param(
        b"The quick brown fox\njumps over the lazy dog.\n",
        "'jumps' is not a number",
        2,
        1,
        id="prose",
    ),
    pytest.param(
        b"fruit,colour\napple\nbanana,yellow\n", "'apple' is not a number", 2, 1, id="words"
    ),
    pytest.param(b"fruit\napple pie\n", "'apple' is not a number", 2, 1, id="two words"),
    pytest.param(b"x,y\n1,2\n3,4,b\n", "'b' is not a number", 3, 3, id="a word too many"),
    pytest.param(b"1\t\t2\n", "this cell is empty", 1, 2, id="two tabs"),
    pytest.param(b"x\n1 # one\n", "comment .* on a line of its own", 2, 2, id="trailing comment"),
]


@pytest.mark.parametrize(("raw", "match", "line", "column"), REJECTED)
def test_rejected(raw: bytes, match: str, line: int | None, column: int | None) -> None:
    with pytest.raises(InputError, match=match) as caught:
        read_table(raw)
    assert (caught.value.line, caught.value.column) == (line, column)
    if line is not None:
        assert str(caught.value).startswith(f"Line {line}")


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        pytest.param(b"x\r1\r2\rabc\r", 4, id="CR only"),
        pytest.param(b"x\r\n1\r\nabc\r\n", 3, id="CRLF"),
        pytest.param(b"x\n\n1\n# c\n\nabc\n", 6, id="blank and comment lines count"),
    ],
)
def test_line_numbers_count_every_line(raw: bytes, line: int) -> None:
    with pytest.raises(InputError, match="'abc' is not a number") as caught:
        read_table(raw)
    assert caught.value.line == line


@pytest.mark.parametrize(
    ("bad", "match", "column"),
    [
        pytest.param("abc", "'abc' is not a number", 2, id="word"),
        pytest.param("1e999", "'1e999' is too large", 2, id="overflow"),
        pytest.param("1" * 101, "101 characters long", 2, id="long cell"),
    ],
)
def test_a_problem_deep_in_a_large_file_is_placed_exactly(bad: str, match: str, column: int):
    rows = [f"{i},{i}.5" for i in range(60_000)]
    rows[41_234] = f"7,{bad}"
    with pytest.raises(InputError, match=match) as caught:
        read_table(("a,b\n" + "\n".join(rows)).encode())
    assert (caught.value.line, caught.value.column) == (41_236, column)


def test_decimal_marks_mixed_far_apart() -> None:
    rows = ["1,5;2"] * 40_000 + ["1.5;2"]
    with pytest.raises(InputError, match="line 2 uses ','") as caught:
        read_table(("a;b\n" + "\n".join(rows)).encode())
    assert (caught.value.line, caught.value.column) == (40_002, 1)


# --------------------------------------------------------------------------------------------
# A.4: not text
# --------------------------------------------------------------------------------------------

NOT_TEXT = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image", id="PNG"),
    pytest.param(_xlsx(), "ZIP archive.*xlsx", id="ZIP/XLSX"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document", id="PDF"),
    pytest.param(gzip.compress(b"x\n1\n2\n"), "gzip", id="gzip"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image", id="JPEG"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "xls", id="old Excel"),
    pytest.param(b"x\n1\n2\x003\n", "NUL", id="NUL bytes"),
    pytest.param("x\n1\n".encode("utf-16-le"), "NUL", id="UTF-16 without BOM"),
    pytest.param(random.Random(0).randbytes(4096), "", id="random bytes"),
    pytest.param(b"x\n1\x072\n", "control character U\\+0007 on line 2", id="control character"),
    pytest.param(b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table>", "HTML"),
    pytest.param(b"\n  <?xml version='1.0'?><data>1</data>", "HTML\\) or XML", id="XML"),
    pytest.param(b"\xef\xbb\xbfx\n\xff\n", "not valid UTF-8", id="bad UTF-8 after BOM"),
    pytest.param(b"x\n\x81\n", "neither UTF-8 nor Windows-1252", id="not cp1252"),
]


@pytest.mark.parametrize(("raw", "match"), NOT_TEXT)
def test_not_text(raw: bytes, match: str) -> None:
    with pytest.raises(InputError, match=r"^This is not a text table of numbers") as caught:
        read_table(raw)
    assert re.search(match, str(caught.value))


@pytest.mark.parametrize("raw", [b"1,2\n", bytearray(b"1,2\n"), memoryview(b"1,2\n")])
def test_bytes_like_input(raw: bytes | bytearray | memoryview) -> None:
    _assert_table(read_table(raw), [[1, 2]], ("x1", "x2"))


@pytest.mark.parametrize(("raw", "kind"), [("1,2\n", "str"), (None, "NoneType"), (12, "int")])
def test_not_bytes(raw: object, kind: str) -> None:
    with pytest.raises(InputError, match=f"Expected the bytes of a file, got {kind}"):
        read_table(raw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# A.5: limits, checked before the work they guard
# --------------------------------------------------------------------------------------------


def test_byte_limit() -> None:
    with pytest.raises(InputError, match="has 11 bytes; the most this app reads is 10"):
        read_table(b"1\n2\n3\n4\n5\n6", max_bytes=10)


def test_default_byte_limit_is_16_mb() -> None:
    read_table(b"1\n" + b" " * (16_000_000 - 2))
    with pytest.raises(InputError, match="16,000,001 bytes"):
        read_table(b"1\n" + b" " * (16_000_000 - 1))


@pytest.mark.parametrize("n_rows", [3, 100_000])
def test_row_limit(n_rows: int) -> None:
    raw = ("x\n" + "1\n" * (n_rows + 1)).encode()
    assert read_table(raw, max_rows=n_rows + 1).values.shape == (n_rows + 1, 1)
    with pytest.raises(InputError, match=f"more than {n_rows:,} rows"):
        read_table(raw, max_rows=n_rows)


def test_blank_and_comment_lines_are_not_rows() -> None:
    assert read_table(b"x\n1\n\n# c\n2\n", max_rows=2).values.shape == (2, 1)


def test_column_limit() -> None:
    assert read_table(b",".join([b"1"] * 50)).values.shape == (1, 50)
    with pytest.raises(InputError, match="more than 50 values") as caught:
        read_table(b",".join([b"1"] * 51))
    assert caught.value.line == 1
    with pytest.raises(InputError, match="more than 3 values"):
        read_table(b"1,2,3,4\n", max_columns=3)


@pytest.mark.parametrize("separator", [b",", b";", b"\t", b" ", b"  "])
@pytest.mark.parametrize("line", [1, 2])
def test_a_line_of_500_000_fields_is_refused_quickly(separator: bytes, line: int) -> None:
    wide = separator.join([b"1"] * 500_000)
    raw = wide if line == 1 else b"1" + separator + b"2\n" + wide
    started = time.perf_counter()
    with pytest.raises(InputError, match="more than 50 values") as caught:
        read_table(raw)
    elapsed = time.perf_counter() - started
    assert caught.value.line == line
    assert elapsed < 5.0, f"took {elapsed:.2f} s"  # typically a few milliseconds


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        pytest.param(b"x\n" + b"1" * 1_000_000 + b"\n", 2, 1, id="huge number"),
        pytest.param(b"1," + b"2" * 101, 1, 2, id="first line"),
        pytest.param(b"a" * 5_000_000, 1, 1, id="huge name"),
        pytest.param(b"x y\n1 " + b"9" * 200 + b"\n", 2, 2, id="spaces"),
    ],
)
def test_one_huge_token(raw: bytes, line: int, column: int) -> None:
    with pytest.raises(InputError, match="characters long; the most this app reads") as caught:
        read_table(raw)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_token_limit_is_a_parameter() -> None:
    assert read_table(b"12345\n").values[0, 0] == 12345
    with pytest.raises(InputError, match="5 characters long"):
        read_table(b"12345\n", max_token_length=4)


def test_pasted_text_length_limit() -> None:
    with pytest.raises(InputError, match="has 11 characters; the most this app reads is 10"):
        read_pasted("1 2 3 4 5 6", max_chars=10)
    with pytest.raises(InputError, match="2,000,001 characters"):
        read_pasted("1" + " " * 2_000_000)


# --------------------------------------------------------------------------------------------
# A.6: can these numbers be fitted with K components?
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "n_components", "match", "column"),
    [
        pytest.param([[1.0]], 1, "1 row; fitting a mixture needs at least 2 rows", None),
        pytest.param(
            [[1.0], [2.0], [3.0]], 4, "3 rows, but you asked for 4.*3 components or", None
        ),
        pytest.param([[1.0], [1.0], [2.0], [2.0]], 3, "only 2 distinct rows.*Choose 2", None),
        pytest.param([[0.0, 1.0], [-0.0, 1.0], [1.0, 2.0]], 3, "only 2 distinct rows", None),
        pytest.param([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]], 1, "Column 2 has the same value", 2),
        pytest.param([[4.0], [4.0]], 1, "same value \\(4\\) in every row", 1),
        pytest.param([[1.0], [np.nan]], 1, "missing or infinite", None),
        pytest.param([[1.0], [2.0]], 0, "at least 1 component", None),
        pytest.param([1.0, 2.0], 1, "shape \\(n_samples, n_features\\)", None),
        pytest.param(np.empty((3, 0)), 1, "got shape \\(3, 0\\)", None),
    ],
)
def test_check_for_fit_explains(values, n_components: int, match: str, column: int | None):
    with pytest.raises(InputError, match=match) as caught:
        check_for_fit(np.array(values), n_components)
    assert caught.value.line is None
    assert caught.value.column == column


def test_check_for_fit_names_a_constant_column() -> None:
    with pytest.raises(InputError, match="Column 'waiting' has the same value"):
        check_for_fit([[1.0, 3.0], [2.0, 3.0]], 1, columns=("eruptions", "waiting"))


@pytest.mark.parametrize("n_components", [1, 2, 3])
def test_check_for_fit_accepts_fittable_data(n_components: int) -> None:
    check_for_fit(read_table(b"x,y\n1,2\n2,1\n3,3\n").values, n_components)


# --------------------------------------------------------------------------------------------
# A.8: the paste box
# --------------------------------------------------------------------------------------------

PASTED = [
    pytest.param("1 2 3", [[1], [2], [3]], ("x",), id="spaces"),
    pytest.param("1,2,3", [[1], [2], [3]], ("x",), id="commas"),
    pytest.param("1\n2\n3\n", [[1], [2], [3]], ("x",), id="one value a line"),
    pytest.param(" 1.5, 2 ;3\t4   -5 ", [[1.5], [2], [3], [4], [-5]], ("x",), id="mixed"),
    pytest.param("1,5;2,5", [[1.5], [2.5]], ("x",), id="decimal commas"),
    pytest.param("1,5; 2,5\n3,5;4", [[1.5, 2.5], [3.5, 4]], ("x1", "x2"), id="comma table"),
    pytest.param("x y\n1 2\n3 4", [[1, 2], [3, 4]], ("x", "y"), id="table with header"),
    pytest.param("1\t2\r\n3\t4\r\n", [[1, 2], [3, 4]], ("x1", "x2"), id="spreadsheet rows"),
    pytest.param("eruptions\n3.6\n1.8\n", [[3.6], [1.8]], ("eruptions",), id="column, header"),
    pytest.param("\ufeff−1 2", [[-1], [2]], ("x",), id="BOM and Unicode minus"),
    pytest.param(" ".join(["7"] * 500), [[7]] * 500, ("x",), id="500 values on a line"),
    pytest.param('"1" "2"', [[1], [2]], ("x",), id="quoted"),
]


@pytest.mark.parametrize(("text", "values", "columns"), PASTED)
def test_pasted(text: str, values: list[list[float]], columns: tuple[str, ...]) -> None:
    _assert_table(read_pasted(text), values, columns)


@pytest.mark.parametrize(
    ("text", "match", "line", "column"),
    [
        pytest.param("", "The pasted text is empty", None, None, id="empty"),
        pytest.param(" \n\n", "only blank lines", None, None, id="blank"),
        pytest.param("# hi", "only comment lines", None, None, id="comments"),
        pytest.param("abc", "'abc' is not a number", 1, 1, id="a word"),
        pytest.param("1 2 x", "'x' is not a number", 1, 3, id="a word among numbers"),
        pytest.param("1,,2", "this cell is empty", 1, 2, id="two commas"),
        pytest.param("1 2 3\n4 5", "one value a line", 2, None, id="ragged"),
        pytest.param("apple, banana\ncherry", "'cherry' is not a number", 2, 1, id="words"),
        pytest.param("1.5;2,5", "'1.5' uses '.'", 1, 1, id="mixed decimal marks"),
        pytest.param("1\n2\nNA\n", "missing value", 3, 1, id="NA"),
        pytest.param("<b>1</b>", "not a text table", None, None, id="markup"),
        pytest.param("1\x002", "NUL", None, None, id="NUL"),
        pytest.param("1 \ud800", "U\\+D800", None, None, id="lone surrogate"),
    ],
)
def test_pasted_rejected(text: str, match: str, line: int | None, column: int | None) -> None:
    with pytest.raises(InputError, match=match) as caught:
        read_pasted(text)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_pasted_single_line_counts_values_as_rows() -> None:
    assert read_pasted("1 2 3", max_rows=3).values.shape == (3, 1)
    with pytest.raises(InputError, match="more than 2 values"):
        read_pasted("1 2 3", max_rows=2)


def test_pasted_not_text() -> None:
    with pytest.raises(InputError, match="Expected pasted text, got bytes"):
        read_pasted(b"1 2")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# A.7: properties. Only InputError, and a returned table is always finite float64 2-D.
# --------------------------------------------------------------------------------------------

CSV_ALPHABET = [
    *"0123456789",
    ",",
    ";",
    "\t",
    " ",
    ".",
    "-",
    "+",
    "e",
    "E",
    '"',
    "\n",
    "\r",
    "\r\n",
    "\ufeff",
    "\xa0",
    "\u2212",
    "nan",
    "inf",
    "NA",
    "\x00",
    "#",
    "x",
    "1e309",
    "0x1",
    "_",
]
csv_texts = st.lists(st.sampled_from(CSV_ALPHABET), max_size=80).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_result(read, data) -> None:
    try:
        table = read(data)
    except InputError:
        return
    values = table.values
    assert isinstance(values, np.ndarray)
    assert values.dtype == np.float64
    assert values.ndim == 2
    assert values.shape[0] >= 1
    assert values.shape[1] == len(table.columns) >= 1
    assert np.isfinite(values).all()
    assert not values.flags.writeable


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_give_a_table_or_an_input_error(raw: bytes) -> None:
    _check_result(read_table, raw)


@SETTINGS
@given(csv_texts, st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_csv_alphabet_gives_a_table_or_an_input_error(text: str, encoding: str) -> None:
    _check_result(read_table, text.encode(encoding, errors="replace"))


@SETTINGS
@given(csv_texts)
def test_pasted_csv_alphabet_gives_a_table_or_an_input_error(text: str) -> None:
    _check_result(read_pasted, text)


finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda d: st.lists(st.lists(finite_floats, min_size=d, max_size=d), min_size=1)
    ),
    st.sampled_from([",", ";", "\t", " ", "  ", ", "]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_round_trip(rows: list[list[float]], separator: str, newline: str, header: bool) -> None:
    lines = [separator.join(map(repr, row)) for row in rows]
    names = tuple(f"c{j}" for j in range(len(rows[0])))
    if header:
        lines.insert(0, separator.join(names))
    table = read_table(newline.join(lines).encode())
    expected = np.array(rows, dtype=np.float64)
    np.testing.assert_array_equal(table.values, expected)
    np.testing.assert_array_equal(np.signbit(table.values), np.signbit(expected))
    if header:
        assert table.columns == names


@SETTINGS
@given(st.lists(finite_floats, min_size=1), st.sampled_from([" ", ",", "; ", "\n"]))
def test_pasted_round_trip(values: list[float], separator: str) -> None:
    table = read_pasted(separator.join(map(repr, values)))
    np.testing.assert_array_equal(table.values[:, 0], values)
    assert table.values.shape == (len(values), 1)
