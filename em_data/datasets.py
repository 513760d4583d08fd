"""The classic mixture-model data sets the app offers, and the six-point worked example.

The CSV files in ``em_data/data`` come from R's ``datasets``, ``MASS`` and ``mclust``
packages. Their numbers are read by the same reader as uploads; label columns (iris
``Species``, diabetes ``class``) are set aside to compare clusters with known groups and are
never fitted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from em_data.reader import read_pasted, read_table


@dataclass(frozen=True)
class DatasetInfo:
    """What the app says about a data set before loading it."""

    name: str
    title: str
    description: str
    feature_columns: tuple[str, ...]
    label_column: str | None
    suggested_k: int


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded data set.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_features)
        Read-only float64 feature columns.
    labels : tuple of str or None
        The known group of each row, for comparison only.
    """

    name: str
    title: str
    description: str
    values: NDArray[np.float64]
    columns: tuple[str, ...]
    labels: tuple[str, ...] | None
    label_name: str | None
    suggested_k: int


_INFOS = (
    DatasetInfo(
        "worked_example",
        "Worked example (6 points)",
        "Six numbers in two obvious groups, 1.5, 2, 2.5 and 8, 9, 9.5: few enough to follow "
        "every E-step and M-step by hand.",
        ("x",),
        None,
        2,
    ),
    DatasetInfo(
        "faithful",
        "Old Faithful eruptions (272 × 2)",
        "How long each Old Faithful eruption lasted and how long until the next one, in "
        "minutes: short eruptions go with short waits and long with long, two clear groups.",
        ("eruptions", "waiting"),
        None,
        2,
    ),
    DatasetInfo(
        "geyser",
        "Old Faithful, a second record (299 × 2)",
        "Another Old Faithful record (duration and waiting time): besides the two main groups, "
        "long eruptions split by the wait before them, so three Gaussians are often used.",
        ("duration", "waiting"),
        None,
        3,
    ),
    DatasetInfo(
        "galaxies",
        "Galaxy velocities (82 × 1)",
        "Speeds (km/s) at which 82 galaxies of the Corona Borealis region move away from us; "
        "clumps of speeds hint at clusters of galaxies, and how many Gaussians to use is a "
        "classic open question (published answers range from 3 to 6).",
        ("velocity",),
        None,
        4,
    ),
    DatasetInfo(
        "acidity",
        "Lake acidity (155 × 1)",
        "Log acidity index of 155 lakes in north-central Wisconsin; the lakes fall into two, "
        "perhaps three, groups.",
        ("acidity",),
        None,
        2,
    ),
    DatasetInfo(
        "iris",
        "Fisher's iris flowers (150 × 4)",
        "Sepal and petal length and width (cm) of 150 irises of three species. The species are "
        "set aside to compare with the clusters: setosa stands apart, the other two overlap.",
        ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"),
        "Species",
        3,
    ),
    DatasetInfo(
        "diabetes",
        "Reaven–Miller diabetes (145 × 3)",
        "Glucose, insulin and steady-state plasma glucose (sspg) of 145 adults. The clinical "
        "class (normal, chemical or overt diabetes) is set aside to compare with three "
        "clusters.",
        ("glucose", "insulin", "sspg"),
        "class",
        3,
    ),
)
DATASETS: dict[str, DatasetInfo] = {info.name: info for info in _INFOS}


def _dataset(info: DatasetInfo, values: NDArray[np.float64], labels: tuple[str, ...] | None):
    return Dataset(
        info.name,
        info.title,
        info.description,
        values,
        info.feature_columns,
        labels,
        info.label_column,
        info.suggested_k,
    )


WORKED_EXAMPLE = _dataset(DATASETS["worked_example"], read_pasted("1.5 2 2.5 8 9 9.5").values, None)


@cache
def load_dataset(name: str) -> Dataset:
    """Load one of `DATASETS` by name.

    Parameters
    ----------
    name : str
        A key of `DATASETS`, such as ``"faithful"`` or ``"worked_example"``.

    Returns
    -------
    Dataset
        Feature values (read-only), column names, labels if the data set has them.

    Raises
    ------
    ValueError
        If there is no data set of that name.
    """
    if name not in DATASETS:
        raise ValueError(f"No data set named {name!r}; choose one of {', '.join(DATASETS)}.")
    info = DATASETS[name]
    if name == WORKED_EXAMPLE.name:
        return WORKED_EXAMPLE
    raw = (files("em_data") / "data" / f"{name}.csv").read_bytes()
    labels = None
    if info.label_column is not None:
        raw, labels = _set_aside(raw, info.label_column)
    table = read_table(raw)
    if table.columns != info.feature_columns:
        raise RuntimeError(f"{name}.csv has columns {table.columns}, not {info.feature_columns}.")
    return _dataset(info, table.values, labels)


def _set_aside(raw: bytes, column: str) -> tuple[bytes, tuple[str, ...]]:
    """Split a CSV file into the file without ``column`` and that column's values."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    index = rows[0].index(column)
    labels = tuple(row[index] for row in rows[1:])
    rest = "\n".join(",".join(row[:index] + row[index + 1 :]) for row in rows)
    return rest.encode(), labels
