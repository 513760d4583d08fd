"""Tables on screen: every number whole (em_viz.number_formats.column_formats,
em_ui.tables.show_table).

A short table (the parameters) is a plain table whose cells are the formatted texts (read
here from the display values Streamlit sends). A long one (the responsibilities) is a grid
whose widths are checked against the font it is drawn in: Source Sans at 14 px, whose digits
advance 6.96 px each (measured in Chromium with a canvas), inside glide-data-grid's cells,
which pad their text by 8 px on either side.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.kmeans_phase
import em_models.mixture.tables
from em_data import load_dataset
from em_models.mixture.engine import e_step, fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.tables import split_changes
from em_viz.number_formats import column_formats, decimals

DIGIT_PX = 6.96
CELL_PADDING_PX = 16


def printf(fmt: str, value: float) -> str:
    """What the browser writes for ``value`` with ``fmt`` (sprintf-js, as Streamlit uses)."""
    if fmt == "%d":
        return str(int(value))
    if fmt == "%.15g":  # JavaScript: String(Number(value.toPrecision(15)))
        shown = float(f"{value:.15g}")
        return str(int(shown)) if shown == int(shown) else repr(shown)
    places = int(fmt.removeprefix("%.").removesuffix("f"))
    return f"{value:.{places}f}"


def shown_columns(at: AppTest) -> tuple[dict, object]:
    (frame,) = at.dataframe
    return json.loads(frame.proto.columns), frame.value


def shown_table(at: AppTest) -> tuple[object, object]:
    """The values of the page's one plain table and the texts a student reads in it."""
    (table,) = at.table
    styler = table.proto.arrow_data.styler
    texts = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    return table.value, texts


def table_page(dataset: str, n_components: int) -> AppTest:
    """A page showing the parameter table of a run at the half-step in session state "h"."""

    def page(dataset: str, n_components: int) -> None:
        import streamlit as st

        from em_data import load_dataset
        from em_models.mixture.engine import fit
        from em_models.mixture.kmeans_phase import n_half_steps
        from em_models.mixture.tables import parameter_table
        from em_ui.tables import show_table

        data = load_dataset(dataset)
        trace = fit(data.values, n_components, init="kmeans", rng=0)
        h = min(st.session_state.get("h", 0), n_half_steps(trace) - 1)
        show_table(parameter_table(trace, h, X=data.values, column_names=data.columns))

    return AppTest.from_function(page, args=(dataset, n_components), default_timeout=60)


@pytest.mark.parametrize(("dataset", "n_components"), [("faithful", 2), ("galaxies", 4)])
def test_every_number_of_the_parameter_table_reads_whole(dataset, n_components) -> None:
    at = table_page(dataset, n_components)
    for h in [0, 1, 2, 7]:  # the start (N_k empty), then N_k with three digits before the point
        at.session_state["h"] = h
        at.run()
        assert not at.exception
        assert not at.dataframe, "a short table is plain, not a grid"
        table, texts = shown_table(at)
        for name in table.columns:
            for value, text in zip(table[name], texts[name], strict=True):
                if np.isnan(value):
                    assert text == "—"
                    continue
                # whole: the text is the value, to within half its last digit
                last_digit = 10.0 ** -len(text.partition(".")[2])
                assert float(text) == pytest.approx(value, abs=0.51 * last_digit, rel=1e-14)


def test_the_count_that_was_cut_reads_whole() -> None:
    """Old Faithful, K = 2: N_k ≈ 173.89 read "73.8929" in a grid whose column had been sized
    for the start's empty cells."""
    at = table_page("faithful", 2)
    at.run()
    at.session_state["h"] = 1
    at.run()
    table, texts = shown_table(at)
    nk = table["N_k"].to_numpy()
    assert nk.max() > 100
    assert f"{nk.max():.2f}" in list(texts["N_k"])


def test_a_long_table_is_a_grid_whose_columns_fit_their_numbers() -> None:
    def page() -> None:
        from em_data import load_dataset
        from em_models.mixture.engine import fit
        from em_models.mixture.tables import responsibility_table
        from em_ui.tables import show_table

        data = load_dataset("faithful")
        trace = fit(data.values, 2, init="kmeans", rng=0)
        show_table(responsibility_table(data.values, trace, 1, column_names=data.columns))

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    config, table = shown_columns(at)
    assert len(table) > 20
    assert at.dataframe[0].proto.placeholder == "—"
    for name in table.columns:
        column = config[name]
        fmt = column["type_config"]["format"]
        texts = [printf(fmt, value) for value in table[name].dropna()]
        widest = max([len(name), *(len(text) for text in texts)])
        assert column["width"] >= DIGIT_PX * widest + CELL_PADDING_PX, (name, texts)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.5, 2.0, 2.5, 8.0, 9.0, 9.5], 1),  # data written to one decimal keep it
        ([2.0, 9.0], 0),
        ([2.0, 8.8333333], 4),  # five significant digits of the largest
        ([98.107105, 173.892894], 2),
        ([0.36764705, 0.63235294], 5),
        ([1.2345678e-8, 3.3e-9], 12),  # tiny scales are not shown as 0
        ([123456789.123], 0),
        ([np.nan, np.nan], 0),
        ([0.0], 0),
    ],
)
def test_decimals_show_five_significant_digits_or_the_exact_value(values, expected) -> None:
    assert decimals(values) == expected


def test_an_empty_column_still_gets_a_format_and_room_for_its_header() -> None:
    X = load_dataset("worked_example").values
    trace = fit(X, 2, init="kmeans", rng=0)
    table = em_models.mixture.tables.responsibility_table(X, trace, 0)
    formats = column_formats(table)
    assert set(formats) == set(table.columns)
    assert formats["r_n1"].width >= DIGIT_PX * len("r_n1") + CELL_PADDING_PX


# ---------------------------------------------------------------------------------------
# What the parameter table holds


def tilted_run(covariance_type: str = "full"):
    """Two tilted clouds in 2-D: the components' correlations are far from 0."""
    rng = np.random.default_rng(0)
    tilt = np.array([[1.0, 0.0], [0.9, 0.45]])
    X = np.concatenate([rng.normal(0, 1, (80, 2)) @ tilt.T, rng.normal(0, 1, (80, 2)) + 6])
    return X, fit(
        X, 2, covariance_type=covariance_type, init="kmeans", rng=0, max_iter=4, reg_covar=0.0
    )


def test_in_two_dimensions_the_table_gives_the_whole_covariance() -> None:
    """Σ_k is σ_a², σ_b² and ρ σ_a σ_b: the table shows σ_a, σ_b and ρ, from which a
    student can rebuild every entry (numpy's corrcoef of the weighted cloud as reference)."""
    X, trace = tilted_run()
    table = em_models.mixture.tables.parameter_table(trace, 2, X=X, column_names=["a", "b"])
    assert list(table.columns) == [
        "component", "μ[a]", "μ[b]", "σ[a]", "σ[b]", "ρ[a, b]", "π", "N_k",
        "Δμ[a]", "Δμ[b]", "Δσ[a]", "Δσ[b]", "Δρ[a, b]", "Δπ",
    ]  # fmt: skip
    resp = e_step(X, trace.snapshots[0].params).resp
    for k in range(2):
        weighted = np.cov(X.T, aweights=resp[:, k], bias=True)
        sd = np.sqrt(np.diag(weighted))
        assert table["σ[a]"][k] == pytest.approx(sd[0], rel=1e-6)
        assert table["σ[b]"][k] == pytest.approx(sd[1], rel=1e-6)
        assert table["ρ[a, b]"][k] == pytest.approx(weighted[0, 1] / (sd[0] * sd[1]), rel=1e-6)
    assert abs(table["ρ[a, b]"]).max() > 0.8  # the tilt the ellipses show


def test_the_parameters_and_their_changes_are_two_tables_of_the_same_numbers() -> None:
    """Side by side, the fourteen columns of two features did not fit a laptop's column."""
    X, trace = tilted_run()
    table = em_models.mixture.tables.parameter_table(trace, 2, X=X, column_names=["a", "b"])
    values, changes = split_changes(table)
    assert list(values.columns) == [
        "component",
        "μ[a]",
        "μ[b]",
        "σ[a]",
        "σ[b]",
        "ρ[a, b]",
        "π",
        "N_k",
    ]
    assert list(changes.columns) == [
        "component", "Δμ[a]", "Δμ[b]", "Δσ[a]", "Δσ[b]", "Δρ[a, b]", "Δπ",
    ]  # fmt: skip
    together = pd.concat([values, changes.drop(columns="component")], axis=1)
    pd.testing.assert_frame_equal(together, table)


def test_diagonal_covariances_have_no_correlation_column() -> None:
    X, trace = tilted_run("diag")
    table = em_models.mixture.tables.parameter_table(trace, 2, X=X, column_names=["a", "b"])
    assert not any(name.startswith("ρ") for name in table.columns)
    assert "σ[a]" in table.columns


def test_a_change_too_small_to_show_is_exactly_zero() -> None:
    """The worked example's first M-step moves π by 4×10⁻⁹ (and μ₁ by 5×10⁻⁸): float
    noise next to the digits shown, so Δ is 0, not 0.00000005."""
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = fit(X, 2, init="given", params=start, reg_covar=0.0)
    moved = trace.snapshots[1].params.weights - 0.5
    assert 0 < abs(moved[0]) < 1e-8
    table = em_models.mixture.tables.parameter_table(trace, 2)
    assert list(table["Δπ"]) == [0.0, 0.0]
    assert not np.signbit(table["Δπ"]).any()  # no "−0"
    assert table["Δμ"][0] == 0.0
    assert table["Δμ"][1] == round((8 + 9 + 9.5) / 3 - 9, 4)  # −0.1667, as μ is shown
    formats = column_formats(table)
    assert [printf(formats["Δπ"].format, v) for v in table["Δπ"]] == ["0", "0"]
    assert printf(formats["Δμ"].format, table["Δμ"][1]) == "-0.1667"


def test_the_start_shows_a_dash_for_n_k_and_says_why() -> None:
    at = table_page("faithful", 2)
    at.run()
    table, texts = shown_table(at)
    assert table["N_k"].isna().all()
    assert list(texts["N_k"]) == ["—", "—"]
    assert any("no E-step" in caption.value for caption in at.caption)
