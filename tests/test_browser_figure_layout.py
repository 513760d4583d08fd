"""The figures as Chromium draws them: nothing overlaps at a phone's, a zoomed laptop's and a
laptop's width, numbers carry no SI prefix, user text stays text, circles are round.

Each figure is drawn in a standalone HTML page that loads the plotly.js shipped in the
plotly package through file:// (no network), at a viewport of the width under test; the
page's body is the chart's container, as Streamlit's column is. Screenshots are
saved to test-artifacts/figure-layout/ for a person to look at.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import plotly
import plotly.graph_objects as go
import pytest

import em_models.mixture.bound
import em_models.mixture.climb_figures
import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.gaussian
import em_models.mixture.restarts_figures
import em_models.mixture.selection
import em_models.mixture.selection_figures
from em_data.datasets import load_dataset
from em_models.mixture.engine import fit
from em_models.mixture.gaussian import Parameters

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# 390: a phone; 853: a 1280 px window at 150 % zoom; 930 and 1090: the chart's container
# beside Streamlit's sidebar in 1280 and 1440 px windows.
WIDTHS = [390, 853, 930, 1090]
NARROW_BELOW_PX = 700
LINK = '<a href="https://example.org">click</a>'

# Bounding boxes (in CSS px) of every text block and plot area of the chart.
BOXES_JS = """
() => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; };
    const all = (sel) => [...document.querySelectorAll(sel)].filter(
        (el) => el.getBoundingClientRect().width > 0).map(box);
    const union = (boxes) => boxes.length === 0 ? null : [
        Math.min(...boxes.map(b => b[0])), Math.min(...boxes.map(b => b[1])),
        Math.max(...boxes.map(b => b[2])), Math.max(...boxes.map(b => b[3]))];
    const out = {};
    for (const [name, sel] of [['title', '.gtitle'], ['legend', '.legend'],
            ['buttons', '.updatemenu-container'], ['xtitle', '.xtitle'], ['ytitle', '.ytitle'],
            ['x2title', '.x2title'], ['y2title', '.y2title'],
            ['xticks', '.xtick text'], ['yticks', '.ytick text'],
            ['x2ticks', '.x2tick text'], ['y2ticks', '.y2tick text'],
            ['notes', '.annotation-text']]) {
        out[name] = union(all(sel));
    }
    out.plot_x2y2 = box(document.querySelector('.nsewdrag[data-subplot="x2y2"]'));
    out.plot_xy = box(document.querySelector('.nsewdrag[data-subplot="xy"]'));
    out.page = [0, 0, document.documentElement.clientWidth, 1e9];
    return out;
}
"""
# The size on screen of the data panel's 1σ ellipse of component 1 (a path in its
# subplot's scatter layer, whose traces are in the figure's order).
CIRCLE_JS = """
(index) => {
    if (index < 0) { return null; }
    const trace = document.querySelectorAll('.subplot.xy .scatterlayer .trace')[index];
    const r = trace.querySelector('path.js-line').getBoundingClientRect();
    return [r.width, r.height];
}
"""
TICK_TEXTS_JS = """
() => [...document.querySelectorAll('.xtick text, .ytick text, .x2tick text, .y2tick text')]
    .map((el) => el.textContent)
"""


def index_among_scatter(fig: go.Figure, subplot: str) -> int:
    """Where the trace "component 1 (1σ)" is among the scatter traces of ``subplot``."""
    scatter = [
        t.name
        for t in fig.data
        if t.type == "scatter" and (t.xaxis or "x") + (t.yaxis or "y") == subplot
    ]
    return scatter.index("component 1 (1σ)") if "component 1 (1σ)" in scatter else -1


def overlap(a, b, slack: float = 1.0) -> bool:
    """Whether boxes [left, top, right, bottom] share more than ``slack`` px each way."""
    apart_x = a[2] - slack <= b[0] or b[2] - slack <= a[0]
    apart_y = a[3] - slack <= b[1] or b[3] - slack <= a[1]
    return not (apart_x or apart_y)


def _worked() -> tuple[np.ndarray, object]:
    X = load_dataset("worked_example").values
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    return X, fit(X, 2, init="given", params=start, reg_covar=0.0)


def build_figures(narrow: bool) -> dict[str, go.Figure]:
    """1-D with a histogram, 1-D with few points, 2-D, K = 8 with a long legend, and a run
    too long for its frames (the "Play holds …" note), with user text in the axis titles."""
    rng = np.random.default_rng(0)
    many = np.concatenate([rng.normal(0, 1, 3000), rng.normal(6, 1.5, 2000)])[:, None]
    worked_X, worked = _worked()
    faithful = load_dataset("faithful")
    ring = np.concatenate(
        [rng.normal([6 * np.cos(a), 6 * np.sin(a)], 1, (50, 2)) for a in np.arange(8) * np.pi / 4]
    )
    ring_trace = fit(ring, 8, rng=3, max_iter=70, tol=0.0)
    blobs = np.concatenate([rng.normal(0, 1, (80, 2)), rng.normal([5, 1], 1.5, (80, 2))])
    return {
        "spherical": em_models.mixture.figures_2d.scatter_figure(
            blobs, fit(blobs, 2, covariance_type="spherical", rng=0), 2, narrow=narrow
        ),
        "histogram": em_models.mixture.figures_1d.density_figure(
            many, fit(many, 2, rng=1, max_iter=20), 3, column_name=LINK, narrow=narrow
        ),
        "worked": em_models.mixture.figures_1d.density_figure(worked_X, worked, 3, narrow=narrow),
        "faithful": em_models.mixture.figures_2d.scatter_figure(
            faithful.values,
            fit(faithful.values, 2, rng=0),
            3,
            column_names=faithful.columns,
            narrow=narrow,
        ),
        "k8": em_models.mixture.figures_2d.scatter_figure(
            ring, ring_trace, 0, column_names=[LINK, "another column"], narrow=narrow
        ),
    }


# One page per browser context loads plotly.js once; each figure then replaces the last, as
# plotly's own HTML export draws it (a div of the figure's height at full width, responsive).
DRAW_JS = """
async ([fig, config]) => {
    const old = document.getElementById('plot');
    if (old) { Plotly.purge(old); old.remove(); }
    const gd = document.createElement('div');
    gd.id = 'plot';
    gd.className = 'plotly-graph-div';
    gd.style.width = '100%';
    gd.style.height = fig.layout.height ? `${fig.layout.height}px` : '100%';
    document.body.appendChild(gd);
    await Plotly.newPlot(gd, fig.data, fig.layout, {responsive: true, ...config});
}
"""


def plotly_tab(context, folder: Path):
    """A tab of ``context`` with plotly.js loaded (the one Python's plotly ships) and nothing
    drawn; ``requests`` on it collects the URLs it asks for beyond local files."""
    page_path = folder / "plotly.html"
    page_path.write_text(
        f'<html><head><meta charset="utf-8" /><script src="{PLOTLY_JS.as_uri()}"></script>'
        "</head><body></body></html>",
        encoding="utf-8",
    )
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.goto(page_path.as_uri())
    tab.wait_for_function("() => window.Plotly !== undefined")
    return tab


def draw(tab, fig: go.Figure, config: dict | None = None) -> None:
    tab.requests.clear()
    tab.evaluate(DRAW_JS, [json.loads(fig.to_json()), config or {}])


@pytest.fixture(scope="module")
def drawn(browser, tmp_path_factory, artifacts_dir) -> dict[tuple[str, int], dict]:
    """For each figure and width: the boxes of its parts, its tick labels and its DOM."""
    folder = tmp_path_factory.mktemp("figures")
    shots = artifacts_dir / "figure-layout"
    shots.mkdir(exist_ok=True)
    out = {}
    for narrow in (True, False):
        figures = build_figures(narrow)
        for width in [w for w in WIDTHS if (w < NARROW_BELOW_PX) == narrow]:
            context = browser.new_context(viewport={"width": width, "height": 900})
            try:
                tab = plotly_tab(context, folder)
                for name, fig in figures.items():
                    draw(tab, fig)
                    tab.wait_for_selector(".gtitle")
                    tab.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
                    out[name, width] = {
                        "boxes": tab.evaluate(BOXES_JS),
                        "ticks": tab.evaluate(TICK_TEXTS_JS),
                        "links": tab.locator("svg a").count(),
                        "xtitle": tab.locator(".xtitle").first.text_content(),
                        "requests": [u for u in tab.requests if not u.startswith("file://")],
                        "circle": tab.evaluate(CIRCLE_JS, index_among_scatter(fig, "xy")),
                    }
            finally:
                context.close()
    return out


NAMES = ("spherical", "histogram", "worked", "faithful", "k8")
CASES = [(name, width) for name in NAMES for width in WIDTHS]


@pytest.mark.browser
@pytest.mark.parametrize(("name", "width"), CASES)
def test_nothing_overlaps_inside_the_figure(drawn, name: str, width: int) -> None:
    boxes = drawn[name, width]["boxes"]
    texts = {k: v for k, v in boxes.items() if not k.startswith(("plot_", "page")) and v}
    for (a, box_a), (b, box_b) in itertools.combinations(texts.items(), 2):
        assert not overlap(box_a, box_b), (a, b, box_a, box_b)
    data, likelihood = boxes["plot_xy"], boxes["plot_x2y2"]
    assert not overlap(data, likelihood)
    for part in ("title", "legend", "buttons", "notes", "x2title", "y2title", "x2ticks", "y2ticks"):
        if texts.get(part):
            assert not overlap(texts[part], data), part
    for part in ("title", "legend", "buttons", "notes", "xtitle", "ytitle", "xticks", "yticks"):
        if texts.get(part):
            assert not overlap(texts[part], likelihood), part
    for part in ("title", "legend", "buttons", "notes"):  # the header is above both panels
        if texts.get(part):
            assert texts[part][3] <= min(data[1], likelihood[1]) + 1, part
    for part, box in texts.items():  # and every text is inside the page, none cut off
        assert box[0] >= -1, part
        assert box[2] <= boxes["page"][2] + 1, part
    if width < NARROW_BELOW_PX:  # the ℓ panel below the data, at full width
        assert likelihood[1] > data[3]
        assert likelihood[0] == pytest.approx(data[0], abs=1)
        assert likelihood[2] == pytest.approx(data[2], abs=1)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_tick_labels_have_no_si_prefix_and_user_text_stays_text(drawn, width: int) -> None:
    for name in NAMES:
        ticks = drawn[name, width]["ticks"]
        assert ticks
        for text in ticks:
            plain = text.replace("\u200b", "")
            assert re.fullmatch(r"−?[0-9][0-9,]*(\.[0-9]+)?(×10−?[0-9]+)?", plain), (name, text)
        assert drawn[name, width]["links"] == 0
        assert drawn[name, width]["requests"] == []
    for name in ("histogram", "k8"):  # literal, and cut with "…" where it would not fit
        title = drawn[name, width]["xtitle"]
        assert title == LINK or (width < NARROW_BELOW_PX and LINK.startswith(title[:-1]))


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_a_spherical_component_is_drawn_as_a_circle(drawn, width: int) -> None:
    """One scale for x and y: the 1σ curve of a spherical component is as wide as it is
    tall on screen (it was an ellipse when each axis had its own scale)."""
    width_px, height_px = drawn["spherical", width]["circle"]
    assert width_px == pytest.approx(height_px, rel=0.03)


# ---------------------------------------------------------------------------------------------
# The lessons' own charts: Choosing K's criteria, the restarts' curves, Why EM climbs' two
# charts, with plotly's tool bar shown (it shows on hover in the app).

TOOLBAR_JS = """
() => { const r = document.querySelector('.modebar').getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; }
"""
# The same boxes for a chart with one plot or two (a missing part is null).
LESSON_BOXES_JS = BOXES_JS.replace("(el) => { const r", "(el) => { if (!el) return null; const r")
# 390: a phone; 484: Why EM climbs' chart column and 930: the page's width, in a 1280 px window.
LESSON_WIDTHS = [390, 484, 930]


def lesson_figures() -> dict[str, go.Figure | Callable[[bool], go.Figure]]:
    """The lessons' charts; Choosing K's as a function of ``narrow``."""
    from em_models.mixture.bound import em_mean_path, gradient_path
    from em_models.mixture.climb_figures import bound_figure, likelihood_surface, paths_figure
    from em_models.mixture.restarts_figures import restart_curves_figure
    from em_models.mixture.selection import fit_restarts, select_n_components
    from em_models.mixture.selection_figures import selection_figure

    faithful = load_dataset("faithful").values
    iris = load_dataset("iris").values
    worked_X, worked = _worked()
    start = worked.snapshots[0].params
    grid = np.linspace(-2.0, 13.0, 61)
    bound_path = em_mean_path(worked_X, start, components=(1,), tol=1e-8, max_iter=50)
    em_path = em_mean_path(worked_X, start, tol=1e-6, max_iter=2000)
    gradient = gradient_path(worked_X, start, step_size=0.1, tol=1e-6, max_iter=2000)
    criteria = select_n_components(faithful, range(1, 7), n_init=1)
    return {
        "criteria": lambda narrow: selection_figure(criteria, narrow=narrow),
        "restarts": restart_curves_figure(fit_restarts(iris, 3, n_init=10, init="kmeans", seed=0)),
        "bound": bound_figure(worked_X, bound_path, start, 1, 0, grid),
        "paths": paths_figure(
            likelihood_surface(worked_X, start, grid), grid, em_path, gradient, 0.1
        ),
    }


@pytest.fixture(scope="module")
def lessons_drawn(browser, tmp_path_factory, artifacts_dir) -> dict[tuple[str, int], dict]:
    """For each lesson chart and width: the boxes of its parts and of the tool bar."""
    folder = tmp_path_factory.mktemp("lessons")
    shots = artifacts_dir / "figure-layout"
    shots.mkdir(exist_ok=True)
    out = {}
    figures = lesson_figures()
    for width in LESSON_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            tab = plotly_tab(context, folder)
            for name, fig in figures.items():
                if callable(fig):  # drawn for the width (narrow or not)
                    fig = fig(width < NARROW_BELOW_PX)
                draw(tab, fig, {"displayModeBar": True, "displaylogo": False})
                tab.wait_for_selector(".modebar")
                tab.screenshot(path=shots / f"lesson-{name}-{width}.png", full_page=True)
                out[name, width] = {
                    **tab.evaluate(LESSON_BOXES_JS),
                    "toolbar": tab.evaluate(TOOLBAR_JS),
                }
        finally:
            context.close()
    return out


@pytest.mark.browser
@pytest.mark.parametrize("width", LESSON_WIDTHS)
@pytest.mark.parametrize("name", ["criteria", "restarts", "bound", "paths"])
def test_the_lessons_charts_keep_titles_legends_and_the_tool_bar_apart(
    lessons_drawn, name: str, width: int
) -> None:
    boxes = lessons_drawn[name, width]
    texts = {k: v for k, v in boxes.items() if not k.startswith(("plot_", "page", "toolbar")) and v}
    for (a, box_a), (b, box_b) in itertools.combinations(texts.items(), 2):
        assert not overlap(box_a, box_b), (a, b, box_a, box_b)
    for part in ("title", "legend"):
        if texts.get(part):
            assert not overlap(texts[part], boxes["toolbar"]), (part, texts[part])
    for part, box in texts.items():  # every text inside the page, none cut off
        assert box[0] >= -1, part
        assert box[2] <= boxes["page"][2] + 1, part
