"""em_viz.contrast: WCAG 2.1's contrast, and every chart's lines, edges and text against the
white plot (1.4.11: 3:1 for a graphic's meaningful parts; 1.4.3: 4.5:1 for text, 3:1 when
large), each faint line over its dark casing in the figure and in every frame."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest
from pages import open_page
from stepping import merged

from em_models.hmm.figures_trellis import SKELETON_COLOR
from em_models.registry import pages_in
from em_viz.colors import PALETTE, START_COLORS, TEXT_COLORS, hex_to_rgb, text_color
from em_viz.contrast import (
    CASED_COLORS,
    CASING_COLOR,
    CASING_NAME,
    contrast_ratio,
    dark_twin,
    dash_px,
    marker_apart,
    on_white,
    parse_color,
    with_casings,
)
from em_viz.loglik import FUTURE_COLOR

PALETTE_RGB = {parse_color(c)[:3] for c in (*PALETTE, *START_COLORS)}


@pytest.mark.parametrize(
    ("color", "background", "expected"),
    [  # WCAG's own examples and the usual landmarks
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey with 4.5:1 on white
        ("#777777", "#ffffff", 4.48),
        ("#ffffff", "#767676", 4.54),  # either order
        ("#33bbee", "#ffffff", 2.21),
        ("#e69f00", "#ffffff", 2.25),
        ("rgba(0,0,0,0.5)", "#ffffff", 3.95),  # as it shows on white: #808080
        ("#fff", "#000", 21.0),
    ],
)
def test_the_contrast_ratio_is_wcags(color, background, expected) -> None:
    assert contrast_ratio(color, background) == pytest.approx(expected, abs=0.005)


def test_a_translucent_colour_is_taken_as_it_shows_on_white() -> None:
    assert on_white("rgba(51,187,238,0.7)") == "#70cff3"
    assert on_white("#33bbee") == "#33bbee"
    with pytest.raises(ValueError, match="Not a colour"):
        parse_color("cyan")
    assert contrast_ratio("white", "black") == 21


def test_the_cased_colours_are_the_palettes_under_3_to_1() -> None:
    assert sorted(CASED_COLORS) == ["#33bbee", "#e69f00", "#ee7733"]
    for color in (*PALETTE, *START_COLORS):
        assert (color in CASED_COLORS) == (contrast_ratio(color) < 3)


def test_text_colours_are_the_palette_darkened_to_4_5_to_1() -> None:
    """Same hue: every channel scaled by one factor (to within rounding), no darker than 4.5:1
    needs, and a colour with 4.5:1 already is kept."""
    for color, text in zip(PALETTE, TEXT_COLORS, strict=True):
        assert contrast_ratio(text) >= 4.5
        if contrast_ratio(color) >= 4.5:
            assert text == color
            continue
        rgb, dark = np.array(hex_to_rgb(color)), np.array(hex_to_rgb(text))
        factor = dark.sum() / rgb.sum()
        assert np.abs(dark - factor * rgb).max() <= 1.0
        assert contrast_ratio("#" + "".join(f"{round(c * (factor + 0.02)):02x}" for c in rgb)) < 4.5
        assert text_color(color) == text
    assert text_color("#222") == "#222"


def test_a_casing_lies_under_its_line_and_follows_it_in_every_frame() -> None:
    data = [
        {"type": "scatter", "mode": "markers", "x": [0], "y": [0]},
        {
            "type": "scatter",
            "mode": "lines",
            "name": "component 1",
            "x": [0, 1],
            "line": {"color": "rgba(51,187,238,0.7)", "width": 2, "dash": "dash"},
        },
        {"type": "scatter", "mode": "lines", "x": [0, 1], "line": {"color": PALETTE[1]}},
    ]
    frames = [
        {"name": "0", "traces": [1, 2], "data": [{"type": "scatter", "y": [1, 2]}, {"y": [3, 4]}]}
    ]
    traces, (frame,) = with_casings(data, frames)
    assert [t.get("name") for t in traces] == [None, CASING_NAME, "component 1", None]
    casing, line = traces[1], traces[2]
    assert line["line"]["color"] == "#70cff3"  # opaque, as it showed on white
    assert casing["line"]["width"] >= 2 + 1.5
    assert casing["line"]["dash"] == dash_px("dash", 2) == "9px,9px"  # the line's dashes
    assert casing["legendgroup"] == line["legendgroup"]  # a legend click hides both
    assert (casing["showlegend"], casing["hoverinfo"]) == (False, "skip")
    assert frame["traces"] == [1, 2, 3]
    assert frame["data"] == [
        {"type": "scatter", "y": [1, 2]},
        {"type": "scatter", "y": [1, 2]},
        {"y": [3, 4]},
    ]
    assert data[1]["line"]["color"] == "rgba(51,187,238,0.7)"  # what was given is unchanged


def test_a_faint_marker_gets_a_dark_edge_and_a_faint_ring_its_darker_twin() -> None:
    cyan, orange = PALETTE[0], PALETTE[2]
    # filled, with no edge or a white one: the casing's grey, as wide as the edge given
    assert marker_apart({"color": cyan})["line"] == {"color": CASING_COLOR, "width": 1}
    white = {"color": [cyan, orange], "line": {"width": 1.5, "color": "white"}}
    assert marker_apart(white)["line"] == {"color": CASING_COLOR, "width": 1.5}
    assert marker_apart({}, cyan)["line"]["color"] == CASING_COLOR  # the line's colour
    bubbles = {"color": cyan, "size": [5, 9], "line": {"width": 1.5}}  # plotly's edge: white
    assert marker_apart(bubbles)["line"]["color"] == CASING_COLOR
    # open, or an edge in a faint colour: the same hue, darker
    ring = marker_apart({"symbol": "circle-open", "color": cyan, "line": {"width": 3}})
    assert ring["color"] == TEXT_COLORS[0]
    assert marker_apart({"symbol": 102, "color": orange})["color"] == TEXT_COLORS[2]
    tick = marker_apart({"symbol": "line-ns", "line": {"width": 3, "color": orange}})
    assert tick["line"]["color"] == TEXT_COLORS[2]
    assert dark_twin("#ee7733") == CASING_COLOR  # a start's orange has no twin
    # a colour with 3:1 already, or an edge of its own, is left as it is
    for marker in (
        {"color": PALETTE[1]},
        {"color": cyan, "line": {"width": 0.6, "color": "#767676"}},
    ):
        assert marker_apart(marker) == marker


# ---------------------------------------------------------------------------------------
# Every chart the app draws


def every_page_chart() -> dict[str, dict[str, Any]]:
    """Each chart of each page, as the page sends it, at the page's defaults."""
    pages = [p.path for section in ("Learn", "Explore") for p in pages_in(section)]
    charts = {}
    for page in pages:
        at = open_page(page)
        for i, chart in enumerate(at.get("plotly_chart")):
            charts[f"{page} #{i}"] = json.loads(chart.proto.spec)
    return charts


def extra_charts() -> dict[str, dict[str, Any]]:
    """Charts a page draws only after a choice: three Gaussians in 2-D (the orange ellipse),
    the quiz's marks (means, and a point with its square and ring), restarts of which some
    failed, the triangle of three topics, LDA's inner loop."""
    from em_data.datasets import load_dataset
    from em_models.mixture import quiz
    from em_models.mixture.engine import fit
    from em_models.mixture.figures_1d import density_figure
    from em_models.mixture.figures_2d import scatter_figure
    from em_models.mixture.kmeans_phase import half_step
    from em_models.mixture.restarts_figures import restart_curves_figure
    from em_models.mixture.selection import fit_restarts
    from em_models.topics.corpus import make_bars
    from em_models.topics.inner_loop import inner_loop, inner_loop_figure
    from em_models.topics.lda import engine as lda
    from em_models.topics.steps import TopicSteps
    from em_models.topics.view import TopicsView

    faithful = load_dataset("faithful").values
    worked = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    run = fit(worked, 3, rng=0, max_iter=4)
    marked = density_figure(worked, run, 2)
    question = quiz.question(run, half_step(run, 1))
    answer = quiz.check_means(worked, run, question, [2.0, 8.0, 9.0])
    quiz.add_marks(marked, quiz.mean_marks(marked, answer.guesses, answer))
    asked = density_figure(worked, run, 0)  # point 2: "you said 1, EM gave 3"
    point = quiz.check_point(worked, run, quiz.question(run, half_step(run, 0)), 1, 0)
    quiz.add_marks(asked, quiz.point_marks(asked, 1, 2.0, point))
    # no ridge on eight points: six runs reach two optima, four fail (grey, dotted)
    eight = np.array([0.0, 0.1, 0.2, 5.0, 5.1, 9.0, 9.05, 20.0])[:, None]
    restarts = fit_restarts(eight, 2, n_init=10, seed=0, reg_covar=0.0)
    bars = make_bars(40, seed=2).corpus
    topics = lda.fit(bars, 3, rng=0, max_iter=3)
    steps = TopicSteps(bars, topics)
    figures = {
        "2-D, K = 3": scatter_figure(faithful, fit(faithful, 3, rng=0, max_iter=5), 3),
        "quiz marks": marked,
        "quiz's point": asked,
        "restarts, some failed": restart_curves_figure(restarts),
        "simplex": TopicsView(bars, topics).figure(1, narrow=False),
        "inner loop": inner_loop_figure(inner_loop(steps, 1, 0), 2, narrow=False),
    }
    return {name: json.loads(fig.to_json()) for name, fig in figures.items()}


@pytest.fixture(scope="module")
def charts() -> dict[str, dict[str, Any]]:
    return {**every_page_chart(), **extra_charts()}


def states(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The traces as drawn: the figure's, then after each frame in turn (as Play runs them)."""
    data = list(spec["data"])
    out = [("figure", data)]
    for frame in spec.get("frames", []):
        data = list(data)
        for i, update in zip(frame["traces"], frame["data"], strict=True):
            data[i] = merged(data[i], update)
        out.append((f"frame {frame['name']}", data))
    return out


def drawn(trace: dict[str, Any]) -> bool:
    """Whether the trace draws anything in the plot (not a legend's entry alone)."""
    values = [v for v in trace.get("x", trace.get("y", [0])) if v is not None]
    return trace.get("visible", True) is not False and len(values) > 0


def is_line(trace: dict[str, Any]) -> bool:
    line = trace.get("line", {})
    return (
        trace.get("type", "scatter") in ("scatter", "scattergl")
        and "lines" in trace.get("mode", "lines")
        and line.get("width", 2) > 0
        and isinstance(line.get("color"), str)
    )


# Lines and markers drawn faint on purpose, as a grid is: ℓ of the half-steps still to come
# (ℓ up to the half-step on screen is drawn in full), the trellis's lattice of every possible
# transition (the ξ bands drawn over it carry the numbers), and the white edges between
# stacked areas (drawn over their colours, not on the white).
FAINT_ON_PURPOSE = frozenset({FUTURE_COLOR, SKELETON_COLOR, "white", "#ffffff"})


def in_palette(color: object) -> bool:
    return isinstance(color, str) and parse_color(color)[:3] in PALETTE_RGB


def values(trace: dict[str, Any], axis: str) -> list[Any]:
    """A trace's x or y, as a list (plotly writes an array as its bytes, in base 64)."""
    given = trace.get(axis, [])
    if isinstance(given, dict):
        return np.frombuffer(base64.b64decode(given["bdata"]), dtype=given["dtype"]).tolist()
    return list(given)


def pieces(trace: dict[str, Any]) -> list[list[tuple[Any, Any]]]:
    """A casing's lines: its points, split at its gaps (a shared casing joins several)."""
    out: list[list[tuple[Any, Any]]] = [[]]
    for point in zip(values(trace, "x"), values(trace, "y"), strict=True):
        out.append([]) if None in point else out[-1].append(point)
    return out


def beneath(data: list[dict[str, Any]], i: int) -> dict[str, Any] | None:
    """The casing beneath trace i: the trace just before it, with the same geometry, or one
    before it shared with other lines, one of whose pieces is trace i's geometry."""
    if i > 0 and data[i - 1].get("name") == CASING_NAME:
        casing, line = data[i - 1], data[i]
        if all(casing.get(k) == line.get(k) for k in ("x", "y", "xaxis", "yaxis", "visible")):
            return casing
    line = data[i]
    points = list(zip(values(line, "x"), values(line, "y"), strict=True))
    for casing in data[:i]:
        same = all(casing.get(k) == line.get(k) for k in ("xaxis", "yaxis", "visible"))
        if casing.get("name") == CASING_NAME and same and points in pieces(casing):
            return casing
    return None


def cased(data: list[dict[str, Any]], i: int) -> bool:
    """Whether trace i has a casing beneath it: the same geometry, wider, dark."""
    casing, line = beneath(data, i), data[i]
    if casing is None:
        return False
    width = line["line"].get("width", 2)
    return (
        contrast_ratio(casing["line"]["color"]) >= 7
        and casing["line"]["width"] >= width + 1.5
        and casing["line"].get("dash", "solid") == dash_px(line["line"].get("dash", "solid"), width)
    )


def problems(data: list[dict[str, Any]], layout: dict[str, Any]) -> list[str]:
    """Every line and marker (but those of :data:`FAINT_ON_PURPOSE`), area edge or bar in a
    palette colour, and every text, of ``data`` short of WCAG's contrast on white."""
    found = []
    for i, t in enumerate(data):
        if t.get("name") == CASING_NAME or not drawn(t):
            continue
        where = f"trace {i} {t.get('name')!r}"
        if is_line(t):
            color = t["line"]["color"]
            if color not in FAINT_ON_PURPOSE and contrast_ratio(color) < 3 and not cased(data, i):
                found.append(f"{where}: line {color}")
        fill = t.get("fillcolor") if t.get("fill", "none") != "none" else None
        if in_palette(fill) and contrast_ratio(fill) < 3:
            edge = t.get("line", {})
            dark = edge.get("width", 2) > 0 and contrast_ratio(edge.get("color", "#000")) >= 3
            if not (dark or cased(data, i)):
                found.append(f"{where}: area {fill} with no dark edge")
        marker = t.get("marker", {})
        if t.get("type") in ("bar", "histogram") and in_palette(marker.get("color")):
            edge = marker.get("line", {})
            if contrast_ratio(marker["color"]) < 3 and not (
                edge.get("width", 0) > 0 and contrast_ratio(edge.get("color", "#fff")) >= 3
            ):
                found.append(f"{where}: bar {marker['color']} with no dark edge")
        if "text" in t.get("mode", "") or t.get("type") in ("bar", "heatmap"):
            colors = t.get("textfont", {}).get("color", [])
            for color in [colors] if isinstance(colors, str) else colors:
                size = t.get("textfont", {}).get("size", 12)
                need = 3 if size >= 24 else 4.5
                if contrast_ratio(color) < need:
                    found.append(f"{where}: text {color}")
    found += [f"trace {i} {t.get('name')!r}: {p}" for i, t in enumerate(data) for p in marks(t)]
    for note in layout.get("annotations", []):
        color = note.get("font", {}).get("color")
        if color and contrast_ratio(color) < 4.5:
            found.append(f"annotation {note.get('text')!r}: {color}")
    return found


def shows_markers(trace: dict[str, Any]) -> bool:
    """Whether a scatter trace draws markers (plotly's default mode draws them on a trace of
    fewer than 20 points)."""
    n = len(trace.get("x", trace.get("y", [])) or [])
    default = "lines+markers" if n < 20 else "lines"
    return str(trace.get("type", "scatter")).startswith("scatter") and "markers" in trace.get(
        "mode", default
    )


def per_point(value: Any, n: int) -> list[Any]:
    return list(value) if isinstance(value, list) else [value] * n


def symbol_name(symbol: Any) -> tuple[str, bool]:
    """A marker ``symbol`` (a name or plotly's number) as its base shape's name, and whether
    plotly draws it open: by its outline alone, in the marker's colour (its number plus 100,
    or "-open" in its name)."""
    if isinstance(symbol, str) and not symbol.isdigit():
        return symbol.replace("-open", ""), "-open" in symbol
    number = int(symbol)
    return str(number % 100), number % 200 >= 100


# Plotly's shapes with no inside, drawn by their edge alone (marker.line, when not open).
NO_FILL = re.compile(r"line-(ew|ns|ne|nw)|(cross|x)-thin|asterisk|hash|y-(up|down|left|right)")


def seen(color: Any, opacity: float) -> float:
    """``color``'s contrast on white, drawn at ``opacity`` (0 for no colour)."""
    if not isinstance(color, str):
        return 0.0
    r, g, b, a = parse_color(color)
    return contrast_ratio(f"rgba({r:g},{g:g},{b:g},{a * opacity:g})")


def marks(trace: dict[str, Any]) -> list[str]:
    """Every marker of ``trace`` short of 3:1 on white: a filled marker whose fill and edge
    (0.5 px wide or more) both are; a shape with no inside, or an open marker (drawn by its
    outline in its colour), whose outline is (but those of :data:`FAINT_ON_PURPOSE`)."""
    if not shows_markers(trace) or not drawn(trace):
        return []
    marker, x = trace.get("marker", {}), trace.get("x", trace.get("y", []))
    # plotly's marker takes the line's colour when it has none; its edge, when it has none,
    # the line's when that differs, else white for many sizes (bubbles), else #444
    line_color = trace.get("line", {}).get("color")
    fill = marker.get("color", line_color)
    edge_default = "#fff" if isinstance(marker.get("size"), list) else "#444"
    if line_color and fill != line_color:
        edge_default = line_color
    opacity = trace.get("opacity", 1) * marker.get("opacity", 1)
    edge = marker.get("line", {})
    found = set()
    for color, size, symbol, edge_color, edge_width, at in zip(
        per_point(fill, len(x)),
        per_point(marker.get("size", 6), len(x)),
        per_point(marker.get("symbol", "circle"), len(x)),
        per_point(edge.get("color", edge_default), len(x)),
        per_point(edge.get("width", 0), len(x)),
        x,
        strict=True,
    ):
        shape, open_ = symbol_name(symbol)
        nothing = isinstance(color, str) and parse_color(color)[3] == 0 and not edge_width
        if at is None or not size or color in FAINT_ON_PURPOSE or nothing:
            continue  # not drawn, faint on purpose, or a hover's target drawn in no colour
        if open_:
            if seen(color, opacity) < 3:
                found.add(f"open marker {symbol} in {color}")
        elif (seen(color, opacity) < 3 or NO_FILL.fullmatch(shape)) and (
            (edge_width or 0) < 0.5 or seen(edge_color, opacity) < 3
        ):
            found.add(f"marker {symbol} in {color} with no dark edge")
    return sorted(found)


def test_every_chart_has_its_lines_edges_markers_and_text_apart_from_the_white(charts) -> None:
    """In the figure and after every frame: a line under 3:1 on white (opaque or
    translucent) has its casing beneath it, with the same geometry; an area or a bar in a
    palette colour under 3:1 has a dark edge; a marker under 3:1 has a dark edge, or, open or
    with no inside, is drawn dark; all text has 4.5:1."""
    assert len(charts) >= 25
    found = []
    for name, spec in charts.items():
        go.Figure(spec)  # plotly validates every casing
        for state, data in states(spec):
            found += [f"{name}, {state}: {p}" for p in problems(data, spec.get("layout", {}))]
    assert found == []
