"""The topic models in a real Chromium: the bars stepped with the keys (the document's words
change colour at the E-step, the topics at the M-step), LDA's curve named a bound, presenter
mode on a 1080p screen, and the step buttons' quick moves compared with fresh charts;
screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_browser_chart_moves as moves
from app_harness import new_context
from browser_helpers import PRESENTER_SCREEN, assert_presenter_fits_the_screen, at_half_step
from playwright.sync_api import Browser, Page, expect
from test_browser_chart_moves import chart_page  # noqa: F401 (a fixture)

from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.figures import DOCUMENT_TRACE
from em_models.topics.fits import DEFAULT_PRIOR
from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.view import TopicsView

KEY = "topics"
TIMEOUT_MS = 30_000
# What the chart shows now: the document's words' colours, and the topic–word table's values.
CHART_JS = """
(name) => {
    const gd = document.querySelector('.st-key-topics-chart .js-plotly-plot');
    const words = gd.data.find(d => d.name === name);
    const table = gd.data.find(d => d.xaxis === 'x' && d.customdata);
    return {colors: words.marker.color, table: table.customdata,
            axis: gd.layout.yaxis2.title.text};
}
"""


def at(page: Page, h: int) -> None:
    """Wait until the chart and the buttons show half-step h."""
    at_half_step(page, KEY, h)


def open_page(page: Page, url: str, wait_for_app) -> None:
    page.goto(url)
    wait_for_app(page, settle_ms=800)
    chart = page.locator(".st-key-topics-chart .js-plotly-plot")
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS * 2)
    at(page, 0)


def chart(page: Page) -> dict:
    return page.evaluate(CHART_JS, DOCUMENT_TRACE)


def test_the_bars_step_with_the_keys_and_the_chart_moves(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_page(page, f"{app_server}/topics", wait_for_app)
        start = chart(page)
        assert start["axis"] == "log-likelihood ℓ(θ)"
        assert len(set(start["colors"])) == 1  # grey: no E-step yet

        page.keyboard.press("e")
        at(page, 1)
        e_step = chart(page)
        assert len(set(e_step["colors"])) > 1
        assert e_step["table"] == start["table"]

        page.keyboard.press("m")
        at(page, 2)
        m_step = chart(page)
        assert m_step["colors"] == e_step["colors"]
        assert m_step["table"] != e_step["table"]
        page.locator(".st-key-topics-chart").scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / "topics_m_step_1_1280.png")
        assert errors == [], errors
    finally:
        context.close()


def test_lda_names_its_curve_the_evidence_lower_bound(
    browser: Browser, app_server: str, wait_for_app
) -> None:
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/topics?topics.model=LDA", wait_for_app)
        assert chart(page)["axis"] == "evidence lower bound"
        expect(page.get_by_test_id("stMetricLabel").first).to_contain_text("Evidence lower bound")
    finally:
        context.close()


def test_presenter_mode_holds_the_chart_and_the_numbers_on_a_1080p_screen(
    browser: Browser, app_server: str, wait_for_app, artifacts_dir: Path
) -> None:
    context = new_context(browser, viewport=PRESENTER_SCREEN)
    try:
        page = context.new_page()
        open_page(page, f"{app_server}/topics?present=true", wait_for_app)
        assert_presenter_fits_the_screen(
            page,
            KEY,
            wait_for_app,
            lambda shown: expect(shown.locator("table").first).to_contain_text("Most likely words"),
        )
        page.screenshot(path=artifacts_dir / "topics_presenter_1920.png")
    finally:
        context.close()


def topics_view(
    model: str, source: str, *, narrow: bool = False, k: int | None = None
) -> moves.Case:
    """A topic model on the page's defaults (or ``k`` topics), as a case of the quick-move
    comparison."""

    def build() -> TopicsView:
        if source == "bars":
            corpus, default = make_bars(300, seed=0).corpus, 10
        else:
            corpus, default = corpus_from_text("\n".join(RIVERS_AND_MONEY)), 2
        n_topics = k or default
        if model == "lda":
            prior = DEFAULT_PRIOR
            trace = lda.fit(corpus, n_topics, alpha=prior, eta=prior, rng=0, tol=1e-3, max_iter=100)
        else:
            trace = plsa.fit(corpus, n_topics, rng=0, tol=1e-3, max_iter=100)
        return TopicsView(corpus, trace)

    return moves.Case(build, narrow=narrow, quick_from=0)


TOPICS_CASES = {
    "bars-plsa": topics_view("plsa", "bars"),
    "bars-lda": topics_view("lda", "bars"),
    "bars-lda-narrow": topics_view("lda", "bars", narrow=True),
    "rivers-plsa": topics_view("plsa", "rivers"),
    "rivers-lda-narrow": topics_view("lda", "rivers", narrow=True),
    # Three topics: the mixes are points in a triangle, which LDA's E-step moves.
    "bars-lda-triangle": topics_view("lda", "bars", k=3),
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(TOPICS_CASES))
def test_a_moved_chart_draws_what_a_fresh_chart_draws(
    chart_page,  # noqa: F811 (the fixture imported above)
    monkeypatch,
    name,
) -> None:
    """The comparison of tests/test_browser_chart_moves.py, on the topic models' chart."""
    monkeypatch.setitem(moves.CASES, name, TOPICS_CASES[name])
    moves.test_a_moved_chart_draws_what_a_fresh_chart_draws(chart_page, name)
