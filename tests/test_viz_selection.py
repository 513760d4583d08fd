"""em_models.mixture.selection_figures: the criteria chart, the sweep's table and the
parameter-count table."""

from __future__ import annotations

import numpy as np
import pytest

from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.selection import n_parameters, select_n_components
from em_models.mixture.selection_figures import (
    best_k,
    parameter_count_table,
    selection_figure,
    selection_table,
)


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (60, 2)), rng.normal(6, 1, (60, 2))])
    return select_n_components(X, [1, 2, 3, 4], n_init=2)


def test_best_k_is_the_lowest_score(rows):
    for score in ("bic", "aic"):
        values = [getattr(row, score) for row in rows]
        assert best_k(rows, score) == rows[int(np.argmin(values))].n_components
    assert best_k(rows, "bic") == 2


def test_the_figure_draws_both_criteria_marks_their_lowest_and_the_log_likelihood(rows):
    fig = selection_figure(rows)
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_array_equal(by_name["BIC"].y, [row.bic for row in rows])
    np.testing.assert_array_equal(by_name["AIC"].y, [row.aic for row in rows])
    ll = by_name["best log-likelihood ℓ"]
    np.testing.assert_array_equal(ll.y, [row.log_likelihood for row in rows])
    k = best_k(rows, "bic")
    assert list(by_name[f"lowest BIC: K = {k}"].x) == [k]
    assert "nearly collapsed" not in by_name
    assert len(selection_figure(rows, narrow=True).data) == len(fig.data)


def test_the_table_has_one_line_per_k(rows):
    table = selection_table(rows)
    assert list(table["K"]) == [1, 2, 3, 4]
    assert list(table["parameters p"]) == [row.n_parameters for row in rows]


@pytest.mark.parametrize(("k", "d"), [(1, 1), (3, 2), (5, 4)])
def test_the_parameter_count_table_agrees_with_the_engine(k, d):
    table = parameter_count_table(k, d)
    assert sorted(table["covariance type"]) == sorted(COVARIANCE_TYPES)
    for kind, p in zip(table["covariance type"], table[f"p at K = {k}, d = {d}"], strict=True):
        assert p == n_parameters(k, d, kind)
