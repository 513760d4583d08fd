"""The charts' text alternative (em_viz/chart_text.py and every view's ``describe``): the
half-step's numbers, as the page's tables write them, short enough to be listened to."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hmm_helpers import EISNER_MODEL, EISNER_START, ICE_CREAM

from em_core.em import run_em
from em_models.fa import engine as fa
from em_models.fa.census import load_census
from em_models.fa.view import FAView
from em_models.hmm.starts import HMMStart
from em_models.hmm.view import PARAMETERS as HMM_PARAMETERS
from em_models.hmm.view import HMMView
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import Parameters
from em_models.mixture.view import PARAMETERS, MixtureView
from em_models.ppca import engine as ppca
from em_models.ppca.view import PPCAView
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text
from em_models.topics.plsa import engine as plsa
from em_models.topics.view import TopicsView
from em_viz.chart_text import MAX_ITEMS, chart_text, row_texts
from em_viz.number_formats import column_formats
from em_viz.view import Table

WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def worked_view(**options) -> MixtureView:
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)
    return MixtureView(WORKED_X, trace, column_names=("x",), **options)


def cells(table: pd.DataFrame) -> list[str]:
    """Every numeric cell of ``table``, row by row, as the page's table writes it
    (em_ui/tables.py)."""
    formats = column_formats(table)
    return [
        (formats[name].format % row[name]).replace("-", "−")
        for _, row in table.iterrows()
        for name in formats
        if pd.notna(row[name])
    ]


def said(text: str) -> list[str]:
    """The numbers a text says after its headline."""
    return re.findall(r"= (−?\d+(?:\.\d+)?)", text.split("; ", 1)[1])


def test_a_long_list_is_cut_and_says_how_many_more():
    table = pd.DataFrame({"k": range(1, 14), "π": np.full(13, 1 / 13)})
    rows = row_texts(table, "component")
    assert len(rows) == MAX_ITEMS
    text = chart_text("E-step 1", ["ℓ = −3"], rows, total=13, plural="components")
    assert text.startswith("E-step 1: ℓ = −3; component 1: π = 0.076923; component 2:")
    assert text.endswith("; component 10: π = 0.076923; and 3 more components.")
    assert "and" not in chart_text("Start", [], rows[:2], total=2, plural="components")


def test_an_empty_cell_is_said_to_have_no_value_yet():
    (row,) = row_texts(pd.DataFrame({"k": [1], "N_k": [np.nan], "μ": [-2.5]}), "component")
    assert row == "component 1: N_k = none yet, μ = −2.5"


def test_the_worked_example_says_the_articles_numbers_at_each_half_step():
    view = worked_view()
    assert view.describe(0) == (
        "Start: log-likelihood ℓ(θ₀) = −10.5475; component 1: μ = 2, σ = 1, π = 0.5; "
        "component 2: μ = 9, σ = 1, π = 0.5."
    )
    assert view.describe(2) == (
        "M-step 1: log-likelihood ℓ(θ₁) = −8.5682; "
        "component 1: μ = 2.0000, σ = 0.40825, π = 0.50000; "
        "component 2: μ = 8.8333, σ = 0.62361, π = 0.50000."
    )


@pytest.mark.parametrize("h", range(6))
def test_the_mixtures_text_has_the_parameters_tabs_numbers_and_the_metric(h):
    view = worked_view()
    text = view.describe(h)
    table = view.tab(PARAMETERS, h, {})[0]
    assert isinstance(table, Table)
    shown = cells(table.frame.drop(columns=["component", "N_k"]))
    assert said(text) == shown
    metric = view.summary(h).metric
    assert text.startswith(f"{view.label(h)}: log-likelihood")
    assert f"= {metric.value};" in text


def test_the_k_means_phase_says_w_and_each_centre():
    view = MixtureView(WORKED_X, fit(WORKED_X, 2, rng=0), kmeans=True)
    text = view.describe(1)
    assert text.startswith(f"{view.label(1)}: within-cluster sum of squares W = ")
    for row in view.numbers(1)["centre c"]:
        assert f"centre c = {row}" in text


def test_ppca_says_sigma_squared_and_caps_the_columns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 12)) @ rng.normal(size=(12, 12))
    view = PPCAView(X, ppca.fit(X, 2, rng=0, max_iter=3))
    text = view.describe(2)
    sigma2 = view.trace.snapshots[1].params.noise_variance
    assert f"; σ² = {sigma2:.5g}" in text or f"; σ² = {sigma2:.4f}" in text
    assert text.count("column ") == MAX_ITEMS
    assert text.endswith("; and 2 more columns.")


def test_factor_analysis_says_each_variables_loadings_and_psi():
    X, columns = load_census()
    view = FAView(X, fa.fit(X, 2, columns=columns), column_names=columns)
    h = view.n_half_steps - 1
    text = view.describe(h)
    (table, *_) = view.tab("Parameters", h, {})
    assert isinstance(table, Table)
    assert said(text) == cells(table.frame.drop(columns="variable"))
    assert [f"variable {name}:" in text for name in columns] == [True] * len(columns)


def test_the_hmm_says_pi_each_row_of_a_and_the_emissions():
    trace = run_em(ICE_CREAM, EISNER_MODEL, HMMStart("given", None, EISNER_START), max_iter=10)
    view = HMMView(
        ICE_CREAM, trace, state_names=["cold", "hot"], symbols=["1", "2", "3"], step="day"
    )
    text = view.describe(2)
    (table, *_) = view.tab(HMM_PARAMETERS, 2, {})
    assert isinstance(table, Table)
    for _, row in table.frame.iterrows():
        said = ", ".join(f"{name} = {row[name]}" for name in table.frame.columns[1:])
        assert f"state {row['state']}: {said}" in text
    assert text.startswith("M-step 1: log-likelihood ℓ(θ₁) = ")


def test_the_topics_say_each_topics_three_likeliest_words():
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    view = TopicsView(corpus, plsa.fit(corpus, 2, rng=0, tol=1e-4, max_iter=12))
    h = view.n_half_steps - 1
    text = view.describe(h)
    words = view.top_words(view.trace.n_iter)
    for z in range(2):
        assert f"topic {z + 1}: " + ", ".join(words[f"Topic {z + 1}"][:3]) in text
    assert text.startswith(f"{view.label(h)}: log-likelihood ℓ(")
