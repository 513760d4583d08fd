"""The "Your own data" page as a person uses it, through Streamlit's AppTest (no browser).

Covers TESTING.md C1 and C4 for this page: every classic data set, every file of the reader's
catalogue (part A) uploaded, the paste box, synthetic data, the controls at their bounds,
resets, restarts, and the size of the chart the page sends.

The chart is read the way the browser gets it: ``st.plotly_chart`` sends the figure as JSON
text in its element's ``spec`` field, which AppTest exposes as ``at.get("plotly_chart")``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import re
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from stepping import can_press, press, shown_spec
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.kmeans_phase
import em_models.mixture.selection
import em_ui.budget
from em_data import load_dataset, make_mixture, random_components

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "em_models/mixture/lessons/your_data.py"
KEY = "data"


def columns_widget(at):
    """The "Columns to fit" multiselect (its key names the data's columns)."""
    return next(w for w in at.multiselect if w.key and w.key.endswith(".columns"))


def axis_widget(at, axis: str):
    """The horizontal ("x") or vertical ("y") axis selector of the view."""
    return next(w for w in at.selectbox if w.key and w.key.endswith(f".{axis}"))


TIMEOUT = 120
BUDGET = 5_000_000  # bytes of chart JSON per page (TESTING.md C4)
CLASSIC = ["faithful", "geyser", "galaxies", "acidity", "iris", "diabetes"]
ELLIPSE = re.compile(r"^component (\d+) \(([12])σ\)$")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def use_source(at: AppTest, source: str) -> AppTest:
    at.radio(key=f"{KEY}.source").set_value(source).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, raw: bytes, name: str = "data.csv") -> AppTest:
    # The browser only sends files with an allowed extension (csv, txt, tsv, dat); a binary
    # file reaches the app renamed, so every file here is called *.csv.
    at.file_uploader(key=f"{KEY}.upload").set_value((name, raw, "text/csv")).run()
    return at


def paste(at: AppTest, text: str) -> AppTest:
    at.text_area(key=f"{KEY}.paste").set_value(text).run()
    return at


def chart_element(at: AppTest, name: str = "chart"):
    """The ``st.plotly_chart`` element with key ``data.<name>``, or None."""
    found = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{KEY}.{name}")]
    assert len(found) <= 1
    return found[0] if found else None


def likelihood_panel(spec: dict) -> list[dict]:
    """The traces of the chart's log-likelihood panel (on the axes x2, y2)."""
    return [t for t in spec["data"] if t.get("xaxis") == "x2"]


def chart_spec(at: AppTest, name: str = "chart") -> dict:
    """A chart as the browser shows it (the stepping view's at the page's half-step)."""
    if name == "chart":
        return shown_spec(at, KEY)
    element = chart_element(at, name)
    assert element is not None, f"no chart {KEY}.{name} on the page"
    return json.loads(element.proto.spec)


def sent_bytes(at: AppTest) -> int:
    """Bytes of Plotly JSON the page sends for all its charts."""
    return sum(len(e.proto.spec.encode()) for e in at.get("plotly_chart"))


def trace_named(spec: dict, name: str) -> dict:
    """The trace named ``name`` that draws something (not a legend's entry alone)."""
    (found,) = [t for t in spec["data"] if t.get("name") == name and t.get("x") != [None]]
    return found


def ellipses(spec: dict) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """{(component, n_std): (x, y)} of the ellipse traces (not a legend's entry alone); fails
    on a duplicate."""
    found = {}
    for t in spec["data"]:
        match = ELLIPSE.match(t.get("name", "")) if t.get("x") != [None] else None
        if match:
            key = (int(match[1]), int(match[2]))
            assert key not in found, f"two traces for {key}"
            found[key] = (np.array(t["x"], dtype=float), np.array(t["y"], dtype=float))
    return found


def shown_points(spec: dict) -> np.ndarray:
    """The data points the chart draws, one row each: x (1-D) or (x, y) (2-D)."""
    points = trace_named(spec, "data points")
    if any(t.get("name") == "mixture p(x)" for t in spec["data"]):  # 1-D: y is a jitter
        return np.array(points["x"], dtype=float)[:, None]
    return np.column_stack([points["x"], points["y"]]).astype(float)


def half_step(at: AppTest) -> int:
    return int(at.session_state[f"{KEY}.h"])


def stepping_view_shown(at: AppTest) -> bool:
    keys = {s.key for s in at.select_slider}
    return f"{KEY}.h" in keys and chart_element(at) is not None


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


def table_with(at: AppTest, column: str):
    tables = [*at.dataframe, *at.table]
    found = [df.value for df in tables if column in df.value.columns]
    assert len(found) == 1, [list(df.value.columns) for df in tables]
    return found[0]


def assert_result(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert stepping_view_shown(at), errors(at)


def assert_readable_error(at: AppTest, pattern: str) -> None:
    assert not at.exception, at.exception
    shown = errors(at)
    assert len(shown) == 1, shown
    message = shown[0]
    assert re.search(pattern, message), message
    assert "Traceback" not in message
    assert "Error:" not in message  # no exception class name leaks into the message
    assert not stepping_view_shown(at)


def metric_value(at: AppTest) -> str:
    (metric,) = [m for m in at.metric if m.label.startswith("Log-likelihood")]
    return metric.value


def shown_number(value: float) -> str:
    return f"{value:.4f}".replace("-", "−")


# --------------------------------------------------------------------------------------------
# Classic data sets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSIC)
def test_every_classic_data_set_loads_and_fits(name: str) -> None:
    data = load_dataset(name)
    at = open_page()
    at.selectbox(key=f"{KEY}.dataset").set_value(name).run()
    assert_result(at)
    assert not errors(at)
    assert not [w.value for w in at.warning]
    press(at, f"{KEY}.end")
    assert_result(at)

    fitted = list(data.columns)
    if len(fitted) > 1:
        assert columns_widget(at).value == fitted
        assert data.label_name not in columns_widget(at).options
    params = table_with(at, "π")
    # The plain table's headers are markdown with the column names escaped.
    headers = [re.sub(r"\\(.)", r"\1", c).replace("\u2060", "") for c in params.columns]
    fitted_in_table = {c[2:-1] for c in headers if c.startswith("μ[")}
    if len(fitted) > 1:
        assert fitted_in_table == set(fitted)
    spec = chart_spec(at)
    n_shown = shown_points(spec).shape[0]
    assert n_shown == data.values.shape[0]
    assert spec["layout"]["xaxis"]["title"]["text"] == fitted[0]

    crosstabs = [df.value for df in at.dataframe if df.value.columns.name == "component"]
    if data.labels is None:
        assert not crosstabs
        assert not [s for s in at.header if "known" in s.value]
    else:
        assert len(crosstabs) == 1
        table = crosstabs[0]
        assert table.index.name == data.label_name
        assert set(table.index) == set(data.labels)
        assert int(table.to_numpy().sum()) == data.values.shape[0]
        assert data.label_name not in fitted
        assert data.label_name not in fitted_in_table
        if len(fitted) > 1:
            assert spec["layout"]["yaxis"]["title"]["text"] != data.label_name


# --------------------------------------------------------------------------------------------
# The 2-D view
# --------------------------------------------------------------------------------------------


def test_faithful_has_one_1sigma_and_one_2sigma_ellipse_per_component_that_move() -> None:
    at = open_page()  # Old Faithful is the default data set
    K = int(at.number_input(key=f"{KEY}.n_components").value)
    assert K == 2
    start = chart_spec(at)
    found = ellipses(start)
    assert set(found) == {(k, s) for k in range(1, K + 1) for s in (1, 2)}
    assert Counter(t.get("name") for t in start["data"])["means μ<sub>k</sub>"] == 1
    means = trace_named(start, "means μ<sub>k</sub>")
    for k in range(1, K + 1):
        for s in (1, 2):
            x, y = found[(k, s)]
            # the centre of an ellipse's bounding box is its centre: the component's mean
            assert (x.min() + x.max()) / 2 == pytest.approx(means["x"][k - 1], rel=1e-3)
            assert (y.min() + y.max()) / 2 == pytest.approx(means["y"][k - 1], rel=1e-3)
        # the 2σ ellipse is twice the 1σ one
        assert np.ptp(found[(k, 2)][0]) == pytest.approx(2 * np.ptp(found[(k, 1)][0]), rel=1e-3)

    press(at, f"{KEY}.e")
    assert half_step(at) == 1
    after_e = ellipses(chart_spec(at))
    for key, (x, y) in found.items():  # an E-step leaves the Gaussians where they are
        np.testing.assert_array_equal(after_e[key][0], x)
        np.testing.assert_array_equal(after_e[key][1], y)

    press(at, f"{KEY}.reset")
    press(at, f"{KEY}.next")
    assert half_step(at) == 2
    moved = ellipses(chart_spec(at))
    assert set(moved) == set(found)
    for key, (x, y) in found.items():
        assert len(moved[key][0]) == len(x)
        assert not np.allclose(moved[key][0], x) or not np.allclose(moved[key][1], y), key


def test_more_than_two_columns_choose_the_axes_without_refitting() -> None:
    at = open_page()
    at.selectbox(key=f"{KEY}.dataset").set_value("iris").run()
    assert_result(at)
    press(at, f"{KEY}.next")
    assert half_step(at) == 2
    run_id = at.session_state[f"{KEY}.run_id"]
    before = chart_spec(at)
    loglik = likelihood_panel(before)
    params = table_with(at, "π")
    assert before["layout"]["xaxis"]["title"]["text"] == "Sepal.Length"
    assert before["layout"]["yaxis"]["title"]["text"] == "Sepal.Width"

    axis_widget(at, "y").set_value("Petal.Length").run()
    assert_result(at)
    after = chart_spec(at)
    assert after["layout"]["xaxis"]["title"]["text"] == "Sepal.Length"
    assert after["layout"]["yaxis"]["title"]["text"] == "Petal.Length"
    # the same run, at the same place: no refit, no reset
    assert half_step(at) == 2
    assert at.session_state[f"{KEY}.run_id"] == run_id
    assert not toasts(at)
    assert likelihood_panel(after) == loglik
    assert table_with(at, "π").equals(params)
    # the same Gaussians seen from another side: the means' x stay, their y are new
    means_before = trace_named(before, "means μ<sub>k</sub>")
    means_after = trace_named(after, "means μ<sub>k</sub>")
    assert means_after["x"] == means_before["x"]
    assert means_after["y"] != means_before["y"]
    assert set(ellipses(after)) == set(ellipses(before))
    data = load_dataset("iris")
    np.testing.assert_allclose(
        np.sort(np.array(trace_named(after, "data points")["y"], dtype=float)),
        np.sort(data.values[:, 2]),
        rtol=1e-7,
    )

    axis_widget(at, "x").set_value("Petal.Length").run()
    assert not at.exception
    assert any("two different columns" in w.value for w in at.warning)
    assert chart_element(at) is None


def test_other_data_bring_their_own_columns() -> None:
    """The column widgets are keyed: new data must not inherit the old data's choice."""
    at = open_page()
    for name in ["iris", "diabetes", "galaxies", "faithful"]:
        at.selectbox(key=f"{KEY}.dataset").set_value(name).run()
        assert_result(at)
        assert not [w.value for w in at.warning]
    use_source(at, "synthetic")
    assert_result(at)
    assert columns_widget(at).value == ["x1", "x2"]


# --------------------------------------------------------------------------------------------
# Uploads: the reader's catalogue (TESTING.md part A), through the page
# --------------------------------------------------------------------------------------------


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _random_bytes_without_nul(size: int) -> bytes:
    rng = random.Random(1)
    return bytes(rng.randrange(1, 256) for _ in range(size))


TWO_COLUMNS = [[1, 2], [3, 5], [4, 1]]

ACCEPTED = [
    pytest.param(b"x\n1.5\n2\n3\n7\n", [[1.5], [2], [3], [7]], ("x",), id="one column, header"),
    pytest.param(b"1.5\n2\n3\n7\n", [[1.5], [2], [3], [7]], ("x",), id="one column, no header"),
    pytest.param(b"a,b\n1,2\n3,5\n4,1\n", TWO_COLUMNS, ("a", "b"), id="commas"),
    pytest.param(b"a;b\n1;2\n3;5\n4;1\n", TWO_COLUMNS, ("a", "b"), id="semicolons"),
    pytest.param(b"a\tb\n1\t2\n3\t5\n4\t1\n", TWO_COLUMNS, ("a", "b"), id="tabs"),
    pytest.param(b"a   b\n1  2\n  3 \t 5  \n4 1\n", TWO_COLUMNS, ("a", "b"), id="runs of spaces"),
    pytest.param(b"a,b\r\n1,2\r\n3,5\r\n4,1\r\n", TWO_COLUMNS, ("a", "b"), id="CRLF"),
    pytest.param(b"a,b\r1,2\r3,5\r4,1\r", TWO_COLUMNS, ("a", "b"), id="CR only"),
    pytest.param(b"a,b\n1,2\n3,5\n4,1", TWO_COLUMNS, ("a", "b"), id="no final newline"),
    pytest.param(b"\xef\xbb\xbfa,b\n1,2\n3,5\n4,1\n", TWO_COLUMNS, ("a", "b"), id="UTF-8 BOM"),
    pytest.param("a,b\n1,2\n3,5\n4,1\n".encode("utf-16"), TWO_COLUMNS, ("a", "b"), id="UTF-16"),
    pytest.param(
        "température;masse\n1;2\n3;5\n4;1\n".encode("cp1252"),
        TWO_COLUMNS,
        ("température", "masse"),
        id="cp1252 header",
    ),
    pytest.param(b" a , b \n 1 , 2 \n3 ,5\n 4,1 \n", TWO_COLUMNS, ("a", "b"), id="spaces around"),
    pytest.param(b'"a","b"\n"1","2"\n"3","5"\n4,"1"\n', TWO_COLUMNS, ("a", "b"), id="quoted"),
    pytest.param(
        b"x\n+1.5\n.5\n5.\n1e3\n-0\n",
        [[1.5], [0.5], [5], [1000], [0]],
        ("x",),
        id="+1.5 .5 5. 1e3 -0",
    ),
    pytest.param("x\n−1.5\n2\n3\n".encode(), [[-1.5], [2], [3]], ("x",), id="Unicode minus"),
    pytest.param(b"1,2\n3,5\n4,1\n", TWO_COLUMNS, ("x1", "x2"), id="numeric first row is data"),
    pytest.param(
        b"a;b\n1,5;2,5\n-0,5;3\n4;1,25\n",
        [[1.5, 2.5], [-0.5, 3], [4, 1.25]],
        ("a", "b"),
        id="decimal comma with ;",
    ),
    pytest.param(
        b"# measured 2024\nx\n\n1\n  # a comment\n2\n\n3\n", [[1], [2], [3]], ("x",), id="comments"
    ),
]

NOT_TEXT = "This is not a text table of numbers"
REJECTED = [
    # A.3
    pytest.param(b"", "The file is empty", id="empty file"),
    pytest.param(b"\n  \n\t\r\n", "only blank lines", id="blank lines only"),
    pytest.param(b"a,b\n", "Line 1: .*looks like column names", id="header only"),
    pytest.param(b"# a\n  # b\n", "only comment lines", id="comment lines only"),
    pytest.param(b"x\n1\nabc\n", "Line 3, column 1: 'abc' is not a number", id="abc"),
    pytest.param(b"x,y\n1,2\n3,5kg\n", "Line 3, column 2: '5kg' is not a number", id="5kg"),
    pytest.param(b"x\n1\n50%\n", "Line 3, column 1: '50%' is a percentage", id="50%"),
    pytest.param(b"x\n1\nTrue\n", "Line 3, column 1: 'True' is a yes/no value", id="True"),
    pytest.param(b"x\n1\n2024-03-01\n", "Line 3, column 1: .*looks like a date", id="date"),
    pytest.param(b"x,y\n1,2\n3,\n", "Line 3, column 2: this cell is empty", id="empty cell"),
    pytest.param(b"x\n1\nNA\n", "Line 3, column 1: 'NA' marks a missing value", id="NA"),
    pytest.param(b"x\n1\nnan\n", "Line 3, column 1: 'nan' marks a missing value", id="nan"),
    pytest.param(b"x\n1\nN/A\n", "Line 3, column 1: 'N/A' marks a missing value", id="N/A"),
    pytest.param(b"x\n1\nnull\n", "Line 3, column 1: 'null' marks a missing value", id="null"),
    pytest.param(b"x\n1\n-\n", "Line 3, column 1: '-' marks a missing value", id="dash"),
    pytest.param(b"x\n1\ninf\n", "Line 3, column 1: 'inf' is not a finite number", id="inf"),
    pytest.param(b"x\n1\n1e309\n", "Line 3, column 1: '1e309' is too large", id="1e309"),
    pytest.param(b"x\n1\n0x10\n", "Line 3, column 1: .*not written in base 10", id="0x10"),
    pytest.param("x\n1\n１２\n".encode(), "Line 3, column 1: .*FULLWIDTH DIGIT", id="full-width"),
    pytest.param(b"x\n1\n1_000\n", "Line 3, column 1: '1_000' groups digits", id="1_000"),
    pytest.param(b'x\n1\n"1,234.5"\n', "Line 3, column 1: .*thousands separators", id="1,234.5"),
    pytest.param(
        b"a,b\n1,2\n3\n", "Line 3: .*1 value, but the header on line 1 names 2", id="ragged"
    ),
    pytest.param(
        b"fruit,colour\napple\nkiwi,green\n",
        "Line 2, column 1: 'apple' is not a number",
        id="words",
    ),
    pytest.param(
        b"The quick brown fox\njumps over the lazy dog.\n",
        "Line 2, column 1: 'jumps' is not a number",
        id="prose",
    ),
    # A.4
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", f"{NOT_TEXT}.*PNG", id="PNG"),
    pytest.param(_xlsx(), f"{NOT_TEXT}.*ZIP", id="ZIP/XLSX"),
    pytest.param(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", f"{NOT_TEXT}.*PDF", id="PDF"
    ),
    pytest.param(gzip.compress(b"x\n1\n2\n3\n"), f"{NOT_TEXT}.*gzip", id="gzip"),
    pytest.param(b"x\n1\n2\x00\n3\n", f"{NOT_TEXT}.*NUL bytes", id="NUL bytes"),
    pytest.param(random.Random(0).randbytes(4096), NOT_TEXT, id="random bytes"),
    pytest.param(
        _random_bytes_without_nul(4096),
        r"not a text table of numbers|is not a number|control character",
        id="random bytes without NUL",
    ),
    pytest.param(
        b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>\n",
        f"{NOT_TEXT}.*HTML",
        id="HTML",
    ),
    # A.5
    pytest.param(b"1\n" * (8_000_000 + 1), "the most this app reads is 16,000,000", id="bytes"),
    pytest.param(b"1\n2\n" * 500_001, "more than 1,000,000 rows", id="rows"),
    pytest.param(b",".join([b"1"] * 500_000) + b"\n", "Line 1: .*more than 50 values", id="fields"),
    pytest.param(b"x\n" + b"1" * 101 + b"\n", "Line 2, column 1: .*101 characters", id="token"),
    # A.6
    pytest.param(b"x\n5\n", "1 row; fitting a mixture needs at least 2 rows", id="one row"),
    pytest.param(b"3.5\t7\n", "1 row; fitting a mixture needs at least 2 rows", id="one 2-D row"),
    pytest.param(b"x,y\n1,5\n2,5\n3,5\n", "Column 'y' has the same value \\(5\\)", id="constant"),
]


@pytest.mark.parametrize(("raw", "values", "columns"), ACCEPTED)
def test_an_accepted_file_gives_a_result_with_its_numbers(raw, values, columns) -> None:
    at = upload(use_source(open_page(), "upload"), raw)
    assert_result(at)
    spec = chart_spec(at)
    np.testing.assert_allclose(shown_points(spec), np.array(values, dtype=float), rtol=1e-7)
    assert spec["layout"]["xaxis"]["title"]["text"] == columns[0]
    if len(columns) > 1:
        assert spec["layout"]["yaxis"]["title"]["text"] == columns[1]
        assert columns_widget(at).value == list(columns)


@pytest.mark.parametrize(("raw", "pattern"), REJECTED)
def test_a_rejected_file_gives_a_readable_error(raw: bytes, pattern: str) -> None:
    at = upload(use_source(open_page(), "upload"), raw)
    assert_readable_error(at, pattern)


FIVE_ROWS = b"x\n1\n2\n5\n9\n10\n"


def test_a_smaller_file_than_k_is_refused_by_name_and_k_is_not_changed() -> None:
    """A K the data cannot have is never fitted silently as another K: the page names both
    and fits nothing, and the student's K stays for the next data."""
    at = open_page()
    at.number_input(key=f"{KEY}.n_components").set_value(8).run()
    at = upload(use_source(at, "upload"), FIVE_ROWS)
    assert_readable_error(at, "The data have 5 rows, but you asked for 8 components.*choose 5")
    assert at.number_input(key=f"{KEY}.n_components").value == 8
    at = upload(at, TWO_CLUSTERS)
    assert_result(at)
    assert at.number_input(key=f"{KEY}.n_components").value == 8
    assert len(ellipses(chart_spec(at))) == 2 * 8


def test_a_k_above_the_rows_typed_is_refused_not_fitted_as_another_k() -> None:
    at = upload(use_source(open_page(), "upload"), FIVE_ROWS)
    assert_result(at)
    k = at.number_input(key=f"{KEY}.n_components")
    assert k.max == 10  # the same bound for any data: the box never turns red at 6 … 10
    k.set_value(7).run()
    assert_readable_error(at, "The data have 5 rows, but you asked for 7 components")
    assert at.number_input(key=f"{KEY}.n_components").value == 7


def test_fewer_distinct_rows_than_components_is_explained() -> None:
    at = open_page()
    at.number_input(key=f"{KEY}.n_components").set_value(3).run()
    at = upload(use_source(at, "upload"), b"x\n1\n1\n1\n2\n2\n")
    assert_readable_error(at, "only 2 distinct rows .* 3 components. Choose 2 components")
    at.number_input(key=f"{KEY}.n_components").set_value(2).run()
    assert_result(at)


def test_a_good_file_after_a_bad_one_gives_a_result() -> None:
    at = upload(use_source(open_page(), "upload"), b"\x89PNG\r\n\x1a\n\x00")
    assert_readable_error(at, NOT_TEXT)
    at = upload(at, b"x\n1\n2\n3\n10\n11\n12\n")
    assert_result(at)
    assert not errors(at)


TWO_CLUSTERS = (
    b"x,y\n1.0,1.2\n1.5,0.8\n0.7,1.1\n1.2,1.4\n0.9,0.6\n2.5,3.5\n"
    b"5.0,5.2\n5.5,4.8\n4.7,5.1\n5.2,5.6\n4.9,4.6\n3.0,3.1\n"
)


def visit_another_page(at: AppTest) -> AppTest:
    """Open "Start here", then come back to this page (Streamlit drops the state of every
    widget of a page not shown, the file uploader's file included)."""
    at.switch_page("em_models/mixture/lessons/home.py")
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_an_uploaded_file_and_its_half_step_survive_a_visit_to_another_page() -> None:
    at = upload(use_source(open_page(), "upload"), TWO_CLUSTERS, "two.csv")
    press(at, f"{KEY}.next")
    before = shown_points(chart_spec(at))
    visit_another_page(at)
    assert at.radio(key=f"{KEY}.source").value == "upload"
    assert at.file_uploader(key=f"{KEY}.upload").value is None  # Streamlit emptied it
    assert_result(at)
    assert "Using the file you uploaded: two.csv (100 bytes)." in " ".join(infos(at))
    assert half_step(at) == 2
    np.testing.assert_array_equal(shown_points(chart_spec(at)), before)
    assert not toasts(at)  # the run did not change


def test_a_kept_file_can_be_replaced_or_removed() -> None:
    at = upload(use_source(open_page(), "upload"), TWO_CLUSTERS, "two.csv")
    visit_another_page(at)
    six = b"x\n1\n2\n3\n10\n11\n12\n"
    at = upload(at, six, "six.csv")
    assert_result(at)
    visit_another_page(at)
    assert f"Using the file you uploaded: six.csv ({len(six)} bytes)." in " ".join(infos(at))
    np.testing.assert_array_equal(shown_points(chart_spec(at))[:, 0], [1, 2, 3, 10, 11, 12])
    at.button(key=f"{KEY}.forget").click().run()
    assert not stepping_view_shown(at)
    assert any("Choose a file to begin" in text for text in infos(at))
    visit_another_page(at)
    assert not stepping_view_shown(at)


def test_a_file_removed_from_the_uploader_is_not_kept() -> None:
    at = upload(use_source(open_page(), "upload"), TWO_CLUSTERS, "two.csv")
    at.file_uploader(key=f"{KEY}.upload").set_value(None).run()
    assert not stepping_view_shown(at)
    visit_another_page(at)
    assert not stepping_view_shown(at)
    assert any("Choose a file to begin" in text for text in infos(at))


def test_a_file_let_go_to_keep_the_memory_bound_is_named(monkeypatch) -> None:
    """Kept files of every session share one bound: the least recently used is let go, and
    its page says so by name rather than fitting nothing silently."""
    import em_ui.state

    monkeypatch.setattr(em_ui.state, "KEPT_FILES_BYTES", 150)
    first = upload(use_source(open_page(), "upload"), TWO_CLUSTERS, "first.csv")
    second = upload(use_source(open_page(), "upload"), TWO_CLUSTERS, "second.csv")
    visit_another_page(second)
    assert_result(second)  # the newest file stays
    visit_another_page(first)
    assert not stepping_view_shown(first)
    (warning,) = [w.value for w in first.warning]
    assert "The file you uploaded, first.csv (100 bytes), had to be let go" in warning
    first = upload(first, TWO_CLUSTERS, "first.csv")
    assert_result(first)


# --------------------------------------------------------------------------------------------
# The paste box
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1 2 3 4 5 6 7 8", id="spaces"),
        pytest.param("1,2,3,4,5,6,7,8", id="commas"),
        pytest.param("1\n2\n3\n4\n5\n6\n7\n8\n", id="one per line"),
        pytest.param("1; 2, 3 4\t5,6 ;7  8", id="mixed separators"),
    ],
)
def test_pasted_numbers_fit(text: str) -> None:
    at = paste(use_source(open_page(), "paste"), text)
    assert_result(at)
    np.testing.assert_array_equal(shown_points(chart_spec(at))[:, 0], np.arange(1.0, 9.0))


def test_pasted_text_that_is_not_numbers_gives_a_readable_error() -> None:
    at = paste(use_source(open_page(), "paste"), "abc")
    assert_readable_error(at, "'abc' is not a number")


def test_an_empty_paste_box_asks_for_numbers() -> None:
    at = use_source(open_page(), "paste")
    assert not at.exception
    assert not errors(at)
    assert any("Paste some numbers" in i.value for i in at.info)


# --------------------------------------------------------------------------------------------
# Each file and paste read once, whether it failed or not, and a reading stopped with its run
# --------------------------------------------------------------------------------------------


class ReadSpy:
    """Counts the files and the pastes the reader actually reads (a classic data set is a
    file read too)."""

    def __init__(self, monkeypatch) -> None:
        import em_data.reader

        self.files = self.pastes = 0
        decode, check_text = em_data.reader.decode, em_data.reader.check_text

        def counted_decode(*args, **kwargs):
            self.files += 1
            return decode(*args, **kwargs)

        def counted_check_text(*args, **kwargs):
            self.pastes += 1
            return check_text(*args, **kwargs)

        monkeypatch.setattr(em_data.reader, "decode", counted_decode)
        monkeypatch.setattr(em_data.reader, "check_text", counted_check_text)


def _unique() -> str:
    """A comment line no other test's content holds, so no earlier reading is reused."""
    return f"# {time.time_ns()} {random.random()}\n"


def test_a_file_that_fails_is_not_read_again_when_the_page_runs_again(monkeypatch) -> None:
    """A rerun (presenter mode switched on and off, a visit to another page) said the error
    again by reading the whole file again: 19 s for 16 MB of blank lines."""
    at = use_source(open_page(), "upload")
    spy = ReadSpy(monkeypatch)
    raw = (_unique() + "x\n" + "\n" * 100_000 + "y\n").encode()
    at = upload(at, raw)
    assert_readable_error(at, "Line 100003, column 1: 'y' is not a number")
    at.run()
    at.toggle(key="present").set_value(True).run()
    at.toggle(key="present").set_value(False).run()
    visit_another_page(at)
    assert_readable_error(at, "Line 100003, column 1: 'y' is not a number")
    assert spy.files == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param(_unique() + "\n" * 200_000 + "1 2 3", None, id="numbers"),
        pytest.param(_unique() + "1 2\n" * 1_000 + "3 x\n", "Line 1002, column 2: 'x'", id="bad"),
    ],
)
def test_a_paste_is_read_once_whatever_reruns_the_page(monkeypatch, text, error) -> None:
    at = use_source(open_page(), "paste")
    spy = ReadSpy(monkeypatch)
    at = paste(at, text)
    for _ in range(2):
        if error is None:
            assert_result(at)
        else:
            assert_readable_error(at, error)
        at.toggle(key="present").set_value(not at.toggle(key="present").value).run()
    assert spy.pastes == 1


def test_stopping_the_script_run_ends_the_reading_of_a_large_file(monkeypatch) -> None:
    """AppTest asks the script to stop when a run outlasts its timeout, as a closed tab or a
    changed widget does on a server: the reading ends at its next stop check (here slowed to
    20 ms each), keeps nothing, and runs on no more."""
    import em_ui.reads

    real = em_ui.reads.get_run_yield_check
    checks: list[float] = []

    def slowed_check():
        stop_check = real()
        assert stop_check is not None  # inside the script run

        def slowed() -> None:
            checks.append(time.monotonic())
            time.sleep(0.02)
            stop_check()

        return slowed

    monkeypatch.setattr(em_ui.reads, "get_run_yield_check", slowed_check)
    raw = (_unique() + "1,2\n" * 1_000_000).encode()  # 4 MB: 122 checks, 2.4 s of sleep
    at = use_source(open_page(), "upload")
    with pytest.raises(RuntimeError, match="timed out"):
        upload_with_timeout(at, raw, timeout=1.0)
    assert checks, "the reading never started"
    count = len(checks)
    time.sleep(0.5)
    assert len(checks) == count  # nothing reads on after the stop
    assert count < len(raw) // (1 << 15)  # the reading was not finished
    key = ("file", hashlib.blake2b(raw, digest_size=16).digest())
    assert em_ui.reads.readings().get(key) is None  # a stopped reading keeps nothing


def upload_with_timeout(at: AppTest, raw: bytes, *, timeout: float) -> AppTest:
    at.file_uploader(key=f"{KEY}.upload").set_value(("big.csv", raw, "text/csv"))
    return at.run(timeout=timeout)


# --------------------------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_features", [1, 2])
def test_synthetic_data_fit_and_show_the_true_components(n_features: int) -> None:
    at = use_source(open_page(), "synthetic")
    at.selectbox(key=f"{KEY}.syn_d").set_value(n_features).run()
    assert_result(at)
    k_true = int(at.number_input(key=f"{KEY}.syn_k").value)
    truth = trace_named(chart_spec(at), "true components")
    assert truth["line"]["dash"] in {"dash", "dot"}
    # one curve (1-D) or two ellipses (2-D) per true component, separated by gaps
    pieces = sum(1 for v in truth["y"] if v is None)
    assert pieces == k_true * (1 if n_features == 1 else 2)
    press(at, f"{KEY}.end")
    assert_result(at)


def test_the_default_mixture_takes_several_iterations_to_step_through() -> None:
    """The mixture the page generates with its defaults gives EM something to do: the run on
    screen (the best of the restarts) takes at least 5 iterations, each one a step that moves
    the Gaussians."""
    at = use_source(open_page(), "synthetic")
    assert_result(at)
    run = at.selectbox(key=f"{KEY}.run").value
    iterations = table_with(at, "iterations")["iterations"][run]
    assert iterations >= 5, iterations
    slider = at.select_slider(key=f"{KEY}.h")
    assert len(slider.options) == 2 * iterations + 2  # θ₀, each E and M, the last E-step
    first = ellipses(chart_spec(at))
    press(at, f"{KEY}.end")
    last = ellipses(chart_spec(at))
    for key, (x, _) in first.items():
        assert not np.allclose(x, last[key][0]), key


# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------


def test_step_controls_at_both_ends_of_the_run() -> None:
    at = open_page()
    assert not can_press(at, f"{KEY}.back")
    assert not can_press(at, f"{KEY}.reset")
    assert not can_press(at, f"{KEY}.m")
    assert can_press(at, f"{KEY}.e")
    press(at, f"{KEY}.e")
    assert half_step(at) == 1
    assert not can_press(at, f"{KEY}.e")
    press(at, f"{KEY}.m")
    assert half_step(at) == 2
    press(at, f"{KEY}.end")
    last = half_step(at)
    assert last == len(at.select_slider(key=f"{KEY}.h").options) - 1
    assert last > 2
    for name in ("next", "end", "e", "m"):
        assert not can_press(at, f"{KEY}.{name}"), name
    assert at.success or at.error, "the end of the run says why it stopped"
    press(at, f"{KEY}.back")
    assert half_step(at) == last - 1
    at.select_slider(key=f"{KEY}.h").set_value(3).run()
    assert half_step(at) == 3
    press(at, f"{KEY}.reset")
    assert half_step(at) == 0
    assert not at.exception


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("number_input", "n_components", 1),
        ("number_input", "n_components", 10),
        ("number_input", "seed", 0),
        ("number_input", "seed", 2**31 - 2),
        ("number_input", "n_init", 20),
        ("number_input", "max_iter", 1),
        ("number_input", "max_iter", 500),
        ("select_slider", "tol", 1e-1),
        ("select_slider", "tol", 1e-10),
        ("select_slider", "ridge", 0.0),
        ("select_slider", "ridge", 1.0),
        ("selectbox", "covariance_type", "full"),
        ("selectbox", "covariance_type", "tied"),
        ("selectbox", "covariance_type", "diag"),
        ("selectbox", "covariance_type", "spherical"),
        ("selectbox", "init", "kmeans"),
        ("selectbox", "init", "k-means++"),
        ("selectbox", "init", "random"),
        ("selectbox", "init", "random_from_data"),
    ],
)
def test_every_setting_at_its_bounds_gives_a_run(kind: str, key: str, value) -> None:
    at = open_page()
    widget = getattr(at, kind)(key=f"{KEY}.{key}")
    if kind == "number_input":
        assert value in (widget.min, widget.max)
    widget.set_value(value).run()
    assert_result(at)
    press(at, f"{KEY}.end")
    assert_result(at)
    press(at, f"{KEY}.back")
    assert_result(at)


CHANGES = [
    pytest.param(("number_input", "n_components", 3), id="K"),
    pytest.param(("number_input", "seed", 7), id="seed"),
    pytest.param(("selectbox", "covariance_type", "diag"), id="covariance type"),
    pytest.param(("selectbox", "init", "random_from_data"), id="start"),
    pytest.param(("select_slider", "tol", 1e-6), id="tol"),
    pytest.param(("select_slider", "ridge", 1e-2), id="ridge"),
    pytest.param(("number_input", "max_iter", 50), id="max_iter"),
    pytest.param(("selectbox", "dataset", "geyser"), id="data set"),
    pytest.param(("multiselect", "columns", ["waiting"]), id="columns"),
]


@pytest.mark.parametrize("change", CHANGES)
def test_changing_the_model_or_the_data_resets_the_run_and_says_so(change) -> None:
    kind, key, value = change
    at = open_page()
    press(at, f"{KEY}.next")
    assert half_step(at) == 2
    widget = columns_widget(at) if key == "columns" else getattr(at, kind)(key=f"{KEY}.{key}")
    widget.set_value(value).run()
    assert_result(at)
    assert half_step(at) == 0
    assert any("starts again from the beginning" in t for t in toasts(at)), toasts(at)


def test_changing_the_source_resets_the_run() -> None:
    at = open_page()
    press(at, f"{KEY}.next")
    at = paste(use_source(at, "paste"), "1 2 3 10 11 12")
    assert_result(at)
    assert half_step(at) == 0
    assert any("starts again" in t for t in toasts(at))


def test_a_change_at_the_start_of_the_run_resets_nothing_and_says_nothing() -> None:
    at = open_page()
    assert half_step(at) == 0
    at.selectbox(key=f"{KEY}.dataset").set_value("geyser").run()
    assert_result(at)
    assert half_step(at) == 0
    assert not toasts(at)


def test_each_data_set_brings_its_suggested_k_and_a_choice_in_between_stays() -> None:
    at = open_page()
    k = at.number_input(key=f"{KEY}.n_components")
    assert at.selectbox(key=f"{KEY}.dataset").value == "faithful"
    assert k.value == 2
    at.selectbox(key=f"{KEY}.dataset").set_value("galaxies").run()
    assert at.number_input(key=f"{KEY}.n_components").value == 4
    at.number_input(key=f"{KEY}.n_components").set_value(5).run()
    press(at, f"{KEY}.next")
    assert at.number_input(key=f"{KEY}.n_components").value == 5
    at.selectbox(key=f"{KEY}.dataset").set_value("iris").run()
    assert_result(at)
    assert at.number_input(key=f"{KEY}.n_components").value == 3
    assert not [w for w in at.warning if "Session State" in w.value]


def test_a_rerun_without_change_keeps_the_place_and_says_nothing() -> None:
    at = open_page()
    press(at, f"{KEY}.next")
    at.run()
    assert half_step(at) == 2
    assert not toasts(at)


def test_restarts_show_every_run_mark_the_best_and_step_a_chosen_one() -> None:
    at = open_page()
    at.selectbox(key=f"{KEY}.init").set_value("random_from_data").run()
    at.number_input(key=f"{KEY}.n_init").set_value(3).run()
    assert_result(at)
    table = table_with(at, "final log-likelihood")
    assert list(table["run"]) == [1, 2, 3]
    assert table["seed"].nunique() == 3
    choice = at.selectbox(key=f"{KEY}.run")
    assert [o.endswith("(best of the 3)") for o in choice.options].count(True) == 1
    best = next(i for i, o in enumerate(choice.options) if o.endswith("(best of the 3)"))
    finite = table["final log-likelihood"]
    assert best == int(np.argmax(finite.to_numpy()))
    assert choice.value == best

    press(at, f"{KEY}.next")
    assert half_step(at) == 2
    other = (best + 1) % 3
    at.selectbox(key=f"{KEY}.run").set_value(other).run()
    assert_result(at)
    assert half_step(at) == 0  # another run starts from its own beginning
    press(at, f"{KEY}.next")
    assert_result(at)
    assert half_step(at) == 2
    press(at, f"{KEY}.end")
    assert_result(at)
    assert metric_value(at) == shown_number(table["final log-likelihood"][other])
    assert half_step(at) == 2 * int(table["iterations"][other]) + 1  # ends on an E-step


# --------------------------------------------------------------------------------------------
# C4: the chart payload at the largest inputs the page allows
# --------------------------------------------------------------------------------------------


def _largest_settings(at: AppTest) -> None:
    at.number_input(key=f"{KEY}.max_iter").set_value(500).run()
    at.select_slider(key=f"{KEY}.tol").set_value(1e-10).run()


def test_a_million_synthetic_points_stay_within_the_payload_budget() -> None:
    at = use_source(open_page(), "synthetic")
    at.selectbox(key=f"{KEY}.syn_d").set_value(1).run()
    at.select_slider(key=f"{KEY}.syn_n").set_value(1_000_000).run()
    _largest_settings(at)
    assert_result(at)
    spec = chart_spec(at)
    notes = " ".join(a["text"] for a in spec["layout"]["annotations"])
    assert "showing 500 of 1,000,000 points" in notes
    assert any(t.get("name") == "histogram of all 1,000,000 points" for t in spec["data"])
    assert sent_bytes(at) < BUDGET
    press(at, f"{KEY}.next")
    assert_result(at)
    assert sent_bytes(at) < BUDGET


def test_ten_thousand_2d_points_stay_within_the_payload_budget() -> None:
    at = use_source(open_page(), "synthetic")
    at.select_slider(key=f"{KEY}.syn_n").set_value(10_000).run()
    _largest_settings(at)
    assert_result(at)
    spec = chart_spec(at)
    notes = " ".join(a["text"] for a in spec["layout"]["annotations"])
    assert "showing 1,000 of 10,000 points" in notes
    assert sent_bytes(at) < BUDGET


# A run that uses the whole iteration limit cannot be had through the page in test time (a
# million points × 500 iterations is minutes of EM), so the figure is built here directly,
# from a trace fitted to a sample: the figure draws at most 500 (1-D) or 1,000 (2-D) points
# however many there are, so its size depends on the trace, not on N. Such a run has more
# half-steps than the figure holds frames, so this is where the frame budget is at work.


def _mixture(n_samples: int, n_features: int) -> np.ndarray:
    rng = np.random.default_rng(5)
    weights, means, covariances = random_components(3, n_features, rng)
    sample = make_mixture(n_samples, weights=weights, means=means, covariances=covariances, rng=rng)
    return np.asarray(sample.values)


@pytest.mark.parametrize(
    ("n_samples", "n_features", "max_iter"),
    [
        pytest.param(1_000_000, 1, 500, id="1-D, 1,000,000 points, 500 iterations"),
        pytest.param(1_000_000, 2, 500, id="2-D, 1,000,000 points, 500 iterations"),
    ],
)
def test_a_run_to_the_iteration_limit_stays_within_the_payload_budget(
    n_samples: int, n_features: int, max_iter: int
) -> None:
    X = _mixture(n_samples, n_features)
    trace = em_models.mixture.engine.fit(
        X[:: max(1, n_samples // 1000)], 2, rng=0, tol=0.0, max_iter=max_iter
    )
    assert trace.n_iter == max_iter, trace.message
    build = (
        em_models.mixture.figures_1d.density_figure
        if n_features == 1
        else em_models.mixture.figures_2d.scatter_figure
    )
    for h in (2, em_models.mixture.kmeans_phase.n_half_steps(trace) - 1):
        fig = build(X, trace, h)
        assert len(fig.frames) < em_models.mixture.kmeans_phase.n_half_steps(trace)
        assert len(fig.to_json()) < BUDGET


# --------------------------------------------------------------------------------------------
# Defaults that land on the best answer, and say when the starts disagree
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CLASSIC)
def test_the_default_fit_of_each_classic_data_set_is_the_best_optimum(name: str) -> None:
    """Iris at K = 3 from one K-means start split setosa 38/12 (ℓ −202.25); the best that
    many restarts find is ℓ −180.22. The page's default must land on the best optimum."""
    data = load_dataset(name)
    at = open_page()
    at.selectbox(key=f"{KEY}.dataset").set_value(name).run()
    assert_result(at)
    assert at.number_input(key=f"{KEY}.n_init").value == 10
    X = np.asarray(data.values)
    reference = em_models.mixture.selection.fit_restarts(X, data.suggested_k, n_init=10, seed=0)
    best = reference.best.final.log_likelihood
    press(at, f"{KEY}.end")
    assert_result(at)
    shown = float(metric_value(at).replace("−", "-"))
    assert shown >= best - 2 * 1e-3 * X.shape[0], (shown, best)
    sentences = [c.value for c in at.caption] + [i.value for i in at.info]
    assert any("starts ended at" in s for s in sentences), sentences


def test_iris_says_in_one_sentence_that_the_starts_disagree() -> None:
    at = open_page()
    at.selectbox(key=f"{KEY}.dataset").set_value("iris").run()
    assert_result(at)
    (sentence,) = [i.value for i in at.info if "different optima" in i.value]
    assert re.fullmatch(
        r"The 10 starts ended at \d+ different optima, up to [\d.]+ apart in ℓ; the highest, "
        r"ℓ = -180\.22, was reached by \d+ of them\. Other starts may reach a higher optimum\.",
        sentence,
    ), sentence


def test_the_page_text_promises_no_histogram_below_500_points() -> None:
    at = open_page()
    intro = " ".join(m.value for m in at.markdown)
    assert "curves over a histogram;" not in intro
    assert "beyond 500 points" in intro


@pytest.mark.parametrize("scale", [1e-8, 1e8])
def test_the_page_gives_the_same_clusters_in_other_units(scale: float) -> None:
    """Old Faithful pasted in other units: with the default (relative) ridge the same two
    clusters and the same number of iterations, where an absolute ridge merged them."""
    X = np.asarray(load_dataset("faithful").values)
    results = []
    for values in (X, X * scale):
        at = use_source(open_page(), "paste")
        paste(at, "\n".join(f"{float(a)!r} {float(b)!r}" for a, b in values))
        assert_result(at)
        params = table_with(at, "π")
        press(at, f"{KEY}.end")
        assert_result(at)
        params = table_with(at, "π")
        results.append((half_step(at), params["π"].to_numpy(dtype=float)))
    (h0, w0), (h1, w1) = results
    assert h0 == h1
    np.testing.assert_allclose(np.sort(w1), np.sort(w0), rtol=1e-6)


def test_a_two_row_paste_is_flagged_as_nearly_collapsed_not_converged() -> None:
    at = paste(use_source(open_page(), "paste"), "1\n5")
    assert_result(at)
    press(at, f"{KEY}.end")
    assert_result(at)
    assert not [s.value for s in at.success], "a fit on single points is no success"
    assert any("nearly collapsed" in w.value for w in at.warning)


def test_several_nearly_collapsed_components_get_one_warning_naming_them() -> None:
    """K = 5 on 5 points: each Gaussian sits on one point. One warning names the five, each
    with its point, instead of five warnings alike."""
    at = upload(use_source(open_page(), "upload"), FIVE_ROWS)
    at.number_input(key=f"{KEY}.n_components").set_value(5).run()
    press(at, f"{KEY}.end")
    assert_result(at)
    warnings = [w.value for w in at.warning]
    (status,) = [text for text in warnings if text.startswith("Converged")]
    assert status.endswith(
        "But components 1, 2, 3, 4 and 5 nearly collapsed, so this is not a fit to trust (below)."
    )
    (text,) = [text for text in warnings if text != status]
    assert text.startswith("Components 1, 2, 3, 4 and 5 have nearly collapsed.")
    for k in range(1, 6):
        assert f"Component {k}: it owns about one point" in text
    points = sorted(re.findall(r"the one at x = (\d+)", text), key=int)
    assert points == ["1", "2", "5", "9", "10"]


# --------------------------------------------------------------------------------------------
# The work budget of one request, progress, and stopping a long fit (issue 9)
# --------------------------------------------------------------------------------------------


class FitSpy:
    """Counts the EM runs the page starts (every fit and restart goes through run_em) and
    times each iteration they record. The store of finished fits starts empty."""

    def __init__(self, monkeypatch) -> None:
        import em_core.em
        from em_ui.engine import finished_fits

        finished_fits.clear()

        self.runs = 0
        self.iterations: list[float] = []
        real = em_core.em.run_em

        def spy(*args, callback=None, **kwargs):
            self.runs += 1

            def timed(snapshot):
                self.iterations.append(time.monotonic())
                if callback is not None:
                    callback(snapshot)

            return real(*args, callback=timed, **kwargs)

        monkeypatch.setattr(em_core.em, "run_em", spy)


def _synthetic_1d(at: AppTest, n_samples: int) -> AppTest:
    use_source(at, "synthetic")
    at.selectbox(key=f"{KEY}.syn_d").set_value(1)
    at.select_slider(key=f"{KEY}.syn_n").set_value(n_samples).run()
    assert not at.exception, at.exception
    return at


def test_an_over_budget_request_says_what_to_reduce_and_starts_no_fit(monkeypatch) -> None:
    at = _synthetic_1d(open_page(), 300)
    at.number_input(key=f"{KEY}.n_components").set_value(10)
    at.number_input(key=f"{KEY}.max_iter").set_value(500).run()
    assert_result(at)
    at.select_slider(key=f"{KEY}.syn_n").set_value(1_000_000).run()
    assert len(errors(at)) == 1  # one run of K = 10 to 500 iterations is already too much
    spy = FitSpy(monkeypatch)
    at.number_input(key=f"{KEY}.n_init").set_value(20).run()
    assert not at.exception, at.exception
    assert spy.runs == 0  # refused before any start was drawn
    (message,) = errors(at)
    assert not stepping_view_shown(at)
    expected = [
        "1,000,000 points in 1 column",
        "K = 10",
        "20 restarts",
        "up to 500 iterations",
        "use fewer restarts, a smaller K or fewer iterations",
        "a sample of the data",
    ]
    for part in expected:
        assert part.lower() in message.lower(), (part, message)
    times = float(re.search(r"about ([\d.,]+) times", message).group(1).replace(",", ""))
    seconds = em_models.mixture.work.work(1_000_000, 1, 10, max_iter=500, n_init=20, init="kmeans")
    assert times == pytest.approx(seconds / em_ui.budget.WORK_BUDGET, rel=0.05)
    assert times > 1
    # The page states the budget before anyone runs into it.
    assert "seconds of one processor" in at.number_input(key=f"{KEY}.n_init").help

    # Back within the budget, the fit runs.
    at.number_input(key=f"{KEY}.n_init").set_value(1)
    at.number_input(key=f"{KEY}.max_iter").set_value(20).run()
    assert_result(at)
    assert spy.runs == 1


def test_a_request_within_the_budget_fits_and_a_second_visit_reuses_it(monkeypatch) -> None:
    spy = FitSpy(monkeypatch)
    at = open_page()
    assert_result(at)
    assert not errors(at)
    assert spy.runs == 10  # Old Faithful: ten restarts by default
    at.number_input(key=f"{KEY}.seed").set_value(3).run()
    assert_result(at)
    assert spy.runs == 20
    at.number_input(key=f"{KEY}.seed").set_value(0).run()  # finished before: no new fit
    assert_result(at)
    assert spy.runs == 20


def test_a_long_fit_shows_its_progress_and_a_later_hit_replays_nothing(monkeypatch) -> None:
    """The bar appears after a second; here after none, so that a short fit shows it."""
    import em_ui.progress

    monkeypatch.setattr(em_ui.progress, "SHOW_AFTER_S", 0.0)
    monkeypatch.setattr(em_ui.progress, "UPDATE_EVERY_S", 0.0)
    shown: list[tuple[float, str]] = []

    def progress(element, value, text=None):  # st.progress and its updates
        shown.append((value, text))
        return real_progress(element, value, text=text)

    import streamlit.elements.progress as progress_module

    real_progress = progress_module.ProgressMixin.progress
    monkeypatch.setattr(progress_module.ProgressMixin, "progress", progress)
    FitSpy(monkeypatch)
    at = open_page()
    assert_result(at)
    table = table_with(at, "final log-likelihood")
    runs = [text for _, text in shown if text and text.startswith("Run ")]
    assert runs, shown
    assert {re.match(r"Run (\d+) of 10", t).group(1) for t in runs} == {
        str(i) for i in range(1, 11)
    }
    fractions = [value for value, _ in shown]
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0
    assert fractions[-1] <= 1
    # The last update before the end names the last run's last iteration and its ℓ.
    last = runs[-1]
    iterations = int(table["iterations"].iloc[-1])
    assert f"iteration {iterations} of at most 100" in last, last
    assert f"ℓ = {table['final log-likelihood'].iloc[-1]:,.2f}" in last, last
    assert not at.get("progress") or all(not e.proto.text for e in at.get("progress"))
    # The same settings again come from the store of finished fits: no replay error.
    at.number_input(key=f"{KEY}.seed").set_value(1).run()
    at.number_input(key=f"{KEY}.seed").set_value(0).run()
    assert_result(at)


def test_stopping_the_script_run_ends_a_long_fit_between_iterations(monkeypatch) -> None:
    """AppTest asks the script to stop when a run outlasts its timeout (as Stop, a changed
    widget or a closed tab do on a server): the fit must end there, not run on."""
    at = open_page()
    _synthetic_1d(at, 10_000)
    at.number_input(key=f"{KEY}.n_components").set_value(10)
    at.select_slider(key=f"{KEY}.tol").set_value(1e-10)
    at.number_input(key=f"{KEY}.max_iter").set_value(500).run()
    assert_result(at)
    spy = FitSpy(monkeypatch)
    # 20 restarts × up to 500 iterations: about 10,000 iterations, far more than 4 s.
    at.number_input(key=f"{KEY}.n_init").set_value(20)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="timed out"):
        at.run(timeout=4)
    ended = time.monotonic()  # AppTest has requested the stop and joined the script thread
    assert spy.iterations, "the fit never started"
    count = len(spy.iterations)
    time.sleep(1.0)
    assert len(spy.iterations) == count  # nothing runs on after the stop
    assert spy.iterations[-1] <= ended
    # The stop came at most a progress update (0.2 s) and an iteration after the request.
    assert ended - (started + 4) < 1.5, ended - started
    assert count < 20 * 501  # the request was not finished
    # Nothing was kept of the stopped request: it starts afresh when asked again.
    assert not any(k[0] == "restarts" and k[3][0] == 20 for k in _store_keys())


def _store_keys() -> list:
    from em_ui.engine import finished_fits

    return list(finished_fits()._items)
