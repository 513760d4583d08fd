"""Harman's census data: 12 census tracts of the Los Angeles area, 5 variables (H. H. Harman,
*Modern Factor Analysis*, 3rd edition, 1976; R's ``psych::Harman.5``).

Population (total), Schooling (median school years), Employment (total), Professional
(professional services) and HouseValue (median value, dollars). Factor analysts fit them
standardised with two factors; the published maximum-likelihood communalities are 1.000,
0.810, 0.960, 0.816 and 0.922: population is a Heywood case.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

# The published maximum-likelihood communalities with two factors, in the columns' order.
PUBLISHED_COMMUNALITIES = (1.000, 0.810, 0.960, 0.816, 0.922)


def load_census() -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """The 12 × 5 table and its column names, from ``data/census.csv``."""
    header, *rows = (files("em_models.fa") / "data" / "census.csv").read_text().splitlines()
    values = np.array([[float(cell) for cell in row.split(",")] for row in rows])
    return values, tuple(header.split(","))
