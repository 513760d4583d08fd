"""The data sets ship inside em_data, load with their documented shapes, and hold exactly the
numbers of the shared CSV files (read here with the csv module, independently of the reader)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from em_data import DATASETS, WORKED_EXAMPLE, Dataset, check_for_fit, load_dataset

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PACKAGED = Path(__file__).resolve().parents[1] / "em_data" / "data"

SHAPES = {
    "faithful": ((272, 2), None),
    "geyser": ((299, 2), None),
    "galaxies": ((82, 1), None),
    "acidity": ((155, 1), None),
    "iris": ((150, 4), "Species"),
    "diabetes": ((145, 3), "class"),
}


def _shared_csv(name: str) -> tuple[list[str], list[list[str]]]:
    with (SHARED / f"{name}.csv").open(newline="", encoding="utf-8") as file:
        header, *rows = csv.reader(file)
    return header, rows


def test_every_data_set_is_offered() -> None:
    assert set(DATASETS) == {*SHAPES, "worked_example"}


@pytest.mark.parametrize("name", SHAPES)
def test_the_file_ships_inside_the_package(name: str) -> None:
    assert (PACKAGED / f"{name}.csv").read_bytes() == (SHARED / f"{name}.csv").read_bytes()


@pytest.mark.parametrize("name", SHAPES)
def test_documented_shape_and_labels(name: str) -> None:
    shape, label_name = SHAPES[name]
    data = load_dataset(name)
    assert isinstance(data, Dataset)
    assert data.name == name
    assert data.values.shape == shape
    assert data.values.dtype == np.float64
    assert not data.values.flags.writeable
    assert len(data.columns) == shape[1]
    assert data.label_name == label_name == DATASETS[name].label_column
    if label_name is None:
        assert data.labels is None
    else:
        assert data.labels is not None
        assert len(data.labels) == shape[0]


@pytest.mark.parametrize("name", SHAPES)
def test_values_equal_the_shared_csv(name: str) -> None:
    header, rows = _shared_csv(name)
    data = load_dataset(name)
    label = data.label_name
    features = [j for j, column in enumerate(header) if column != label]
    expected = np.array([[float(row[j]) for j in features] for row in rows])
    np.testing.assert_array_equal(data.values, expected)
    assert data.columns == tuple(header[j] for j in features)
    assert data.columns == DATASETS[name].feature_columns
    if label is not None:
        assert data.labels == tuple(row[header.index(label)] for row in rows)


def test_label_columns_are_never_features() -> None:
    iris, diabetes = load_dataset("iris"), load_dataset("diabetes")
    assert "Species" not in iris.columns
    assert set(iris.labels or ()) == {"setosa", "versicolor", "virginica"}
    assert "class" not in diabetes.columns
    assert set(diabetes.labels or ()) == {"Normal", "Chemical", "Overt"}


def test_worked_example() -> None:
    assert load_dataset("worked_example") is WORKED_EXAMPLE
    np.testing.assert_array_equal(WORKED_EXAMPLE.values, [[1.5], [2], [2.5], [8], [9], [9.5]])
    assert WORKED_EXAMPLE.values.dtype == np.float64
    assert not WORKED_EXAMPLE.values.flags.writeable
    assert WORKED_EXAMPLE.columns == ("x",)
    assert WORKED_EXAMPLE.labels is None
    assert WORKED_EXAMPLE.suggested_k == 2


@pytest.mark.parametrize("name", DATASETS)
def test_descriptions_and_suggested_k_suit_the_data(name: str) -> None:
    info, data = DATASETS[name], load_dataset(name)
    assert info.title
    assert "\n" not in info.title
    assert len(info.description) > 40
    assert "\n" not in info.description
    assert (data.title, data.description, data.suggested_k) == (
        info.title,
        info.description,
        info.suggested_k,
    )
    check_for_fit(data.values, data.suggested_k, columns=data.columns)


def test_unknown_name() -> None:
    with pytest.raises(ValueError, match="No data set named 'old_faithful'; choose one of"):
        load_dataset("old_faithful")
