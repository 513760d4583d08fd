"""A topic model seen one half-step at a time: the animated chart (pLSA and LDA alike).

Panels (:func:`topic_figure`):

- the topic–word table (x/y): a row per topic, a column per word drawn (the bars corpus's
  25 cells, or a text's most likely words), each cell shaded by the word's probability;
- the ℓ panel (x2/y2), or for LDA the evidence lower bound, labelled as a bound;
- the topics (x3/y3): on the bars corpus each topic as a 5 × 5 image; on a text each
  topic's most likely words with a bar for each;
- the documents' topic mixes (x4/y4): a stacked bar per document (the first ones), or with
  three topics a point per document in a triangle whose corners are the topics
  (:mod:`em_models.topics.simplex`);
- one document (x5/y5): each of its distinct words coloured by its posterior topic from the
  E-step on screen (the bars: its 5 × 5 grid of counts).

Every shape that moves is a scatter trace, so the step buttons move the chart without
redrawing it: the shaded cells are one filled path per shade (:mod:`em_models.topics.shades`),
whose cells the frames move from shade to shade; the stacked bars are one filled step line per
topic, whose heights the frames change; the words are markers whose colours the frames
change. A frame holds only what moves, rounded to what the eye can see, so that a whole frame
of each of the sixty half-steps the animation can hold fits in its budget
(:data:`em_viz.figures_common.FRAME_BUDGET_BYTES`): about 9 KB on the bars.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import Trace
from em_models.topics import simplex
from em_models.topics.corpus import Corpus
from em_models.topics.shades import SHADES, shade_frame, shade_levels, shade_traces
from em_models.topics.steps import TopicSteps
from em_viz.colors import blend, component_colors, text_colors
from em_viz.figures_common import animated_figure, base_layout, round_sig, user_text
from em_viz.halfstep import HalfStep, half_step
from em_viz.style import with_height

MAX_WORDS = 30  # columns of a text's topic–word table
MAX_DOCUMENTS = 24  # stacked bars drawn
MIX_UNITS = 1000  # the bars' heights in thousandths of a mix: whole numbers, short to send
BAR_HALF = 0.4  # a bar's half width
TOP_WORDS = 6  # a text topic's words in the topics panel
DOCUMENT_COLUMNS = 6  # a text document's words, this many to a row
MAX_DOCUMENT_WORDS = 60
WIDE_HEIGHT_PX = 700
# Narrow, from the top: a gap for the first heading, the table, a gap, the topics, a gap, the
# document, a gap, the mixes, a gap, the curve.
NARROW_SECTIONS_PX = (30, 190, 100, 170, 50, 150, 60, 170, 70, 140)
HEADING_FONT = {"size": 13, "color": "#222"}
NO_E_STEP = "#d0d0d0"
IMAGES_PER_ROW = 5
DOCUMENT_TRACE = "the document's words"


@dataclass(frozen=True, eq=False)
class Scene:
    """What the chart draws at every half-step: the words in the table's columns, and how
    the topics panel and the document are laid out."""

    steps: TopicSteps
    columns: NDArray[np.int64]  # the words drawn in the table, by id
    scale: float  # the table's darkest shade
    image: int | None  # the side of a topic image (5 on the bars corpus), or None for text
    document: int
    narrow: bool

    @property
    def corpus(self) -> Corpus:
        return self.steps.corpus

    @property
    def n_topics(self) -> int:
        return self.steps.trace.final.params.n_topics

    @property
    def n_bars(self) -> int:
        return min(self.corpus.n_documents, MAX_DOCUMENTS)

    @property
    def triangle(self) -> bool:
        """Three topics: the mixes are points in a triangle instead of stacked bars."""
        return self.n_topics == 3

    @property
    def n_mixes(self) -> int:
        """The documents whose mixes are drawn."""
        return min(self.corpus.n_documents, simplex.MAX_POINTS) if self.triangle else self.n_bars


def image_side(corpus: Corpus) -> int | None:
    """The side of the square grid the words are cells of ("r1c1" …), or None."""
    side = round(float(np.sqrt(corpus.n_words)))
    names = tuple(f"r{r + 1}c{c + 1}" for r in range(side) for c in range(side))
    return side if corpus.vocabulary == names else None


def table_columns(steps: TopicSteps, image: int | None) -> NDArray[np.int64]:
    """Every word of a grid; else the final topics' most likely words, topic by topic, at
    most :data:`MAX_WORDS`."""
    corpus = steps.corpus
    if image is not None or corpus.n_words <= MAX_WORDS:
        return np.arange(corpus.n_words)
    final = steps.topics(steps.trace.n_iter)
    order = np.argsort(-final, axis=1, kind="stable")
    chosen: list[int] = []
    for rank in range(corpus.n_words):
        for k in range(final.shape[0]):
            if len(chosen) < MAX_WORDS and int(order[k, rank]) not in chosen:
                chosen.append(int(order[k, rank]))
        if len(chosen) >= MAX_WORDS:
            break
    return np.array(chosen, dtype=np.int64)


def make_scene(corpus: Corpus, trace: Trace, document: int, *, narrow: bool) -> Scene:
    steps = TopicSteps(corpus, trace)
    image = image_side(corpus)
    columns = table_columns(steps, image)
    scale = max(float(steps.topics(t)[:, columns].max()) for t in range(trace.n_iter + 1))
    return Scene(steps, columns, scale, image, document, narrow)


# --- cells shaded by probability (the shades: em_models.topics.shades) ------------------


def hover_trace(axes: str, xs: NDArray, ys: NDArray, names: list[str], what: str) -> dict[str, Any]:
    """Invisible markers over the cells whose hovers give each value (the frames give it)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": xs.tolist(),
        "y": ys.tolist(),
        "marker": {"size": 14, "color": "rgba(0,0,0,0)"},
        "hovertext": names,
        "hovertemplate": f"%{{hovertext}}: {what} %{{customdata:.3~g}}<extra></extra>",
        "showlegend": False,
        "xaxis": f"x{axes}",
        "yaxis": f"y{axes}",
    }


def _table_places(scene: Scene) -> tuple[NDArray, NDArray]:
    """The table's cells' centres, topic by topic: cell (z, j) covers [j, j + 1] × [z, z + 1]."""
    k, n = scene.n_topics, scene.columns.size
    return np.tile(np.arange(n), k) + 0.5, np.repeat(np.arange(k), n) + 0.5


def image_grid(levels: NDArray[np.int64], side: int) -> NDArray[np.int64]:
    """The topics panel of the bars as one grid of cells: topic z's ``levels`` (a row per
    topic, a column per cell of its side × side image) at the z-th place of rows of
    :data:`IMAGES_PER_ROW` images, a blank row and column between images."""
    k = levels.shape[0]
    columns, rows = min(k, IMAGES_PER_ROW), -(-k // IMAGES_PER_ROW)
    grid = np.zeros((rows * (side + 1) - 1, columns * (side + 1) - 1), dtype=np.int64)
    for z in range(k):
        top, left = (z // IMAGES_PER_ROW) * (side + 1), (z % IMAGES_PER_ROW) * (side + 1)
        grid[top : top + side, left : left + side] = levels[z].reshape(side, side)
    return grid


# --- the chart ---------------------------------------------------------------------------


def topic_figure(
    corpus: Corpus,
    trace: Trace,
    h: int,
    *,
    document: int = 0,
    narrow: bool = False,
    frame_duration_ms: int = 600,
) -> go.Figure:
    """A topic model's run at half-step ``h``, animated (see the module's docstring);
    ``document`` (from 0) is the one whose words are coloured."""
    half_step(trace, h)  # raises for an h the run does not have
    scene = make_scene(corpus, trace, document, narrow=narrow)
    traces, dynamic = _traces(scene)
    fig = animated_figure(
        traces,
        dynamic,
        functools.partial(_frame, scene),
        trace,
        h,
        _layout(scene),
        frame_duration_ms,
        notes=_notes(scene),
        narrow=narrow,
    )
    if fig.layout.meta["every_half_step"]:
        _e_steps_on_the_frame_before(fig.frame_dicts)
    return _arrange(fig, scene)


def _e_steps_on_the_frame_before(frames: list[dict[str, Any]]) -> None:
    """Each E-step's frame (the odd half-steps') made, in place, to hold only what it
    changes in the whole frame before it (the start's or an M-step's), which it names as its
    ``baseframe``: plotly.js applies that one first. The E-step leaves the topics as they
    were, so its frame is a third of a whole one; any half-step is still one whole frame,
    or two, away."""
    for before, frame in zip(frames[::2], frames[1::2], strict=False):
        was = dict(zip(before["traces"], before["data"], strict=True))
        kept = [
            (i, update)
            for i, update in zip(frame["traces"], frame["data"], strict=True)
            if was.get(i) != update
        ]
        frame["traces"] = [i for i, _ in kept]
        frame["data"] = [update for _, update in kept]
        frame["baseframe"] = before["name"]


def _traces(scene: Scene) -> tuple[list[dict[str, Any]], list[int]]:
    """The data panels' traces, and the positions of those the frames update."""
    corpus = scene.corpus
    k = scene.n_topics
    xs, ys = _table_places(scene)
    names = [
        f"topic {z + 1}, {user_text(corpus.vocabulary[w], 30)}"
        for z in range(k)
        for w in scene.columns.tolist()
    ]
    dynamic = [*shade_traces(""), hover_trace("", xs, ys, names, "P(word | topic) =")]
    if scene.image is not None:
        dynamic += shade_traces("3")  # the table's hovers give the same numbers
    else:
        dynamic += _top_words_traces(scene)
    static = [] if scene.image is None else [_image_labels(scene)]
    after: list[dict[str, Any]] = []  # static, drawn over the dynamic ones
    if scene.triangle:
        outline, points = simplex.simplex_traces(scene.corpus.n_documents)
        static += outline
        dynamic += points
    else:
        dynamic += _bar_traces(scene)
        after.append(_bar_gaps(scene.n_bars))
    dynamic.append(_document_trace(scene))
    positions = list(range(len(static), len(static) + len(dynamic)))
    return [*static, *dynamic, *after], positions


def _bar_traces(scene: Scene) -> list[dict[str, Any]]:
    """The stacked bars, one filled step line per topic at the top of its part of each bar,
    filled down to the topic's before it (the frames give the tops); the bars' gaps are
    drawn over them (:func:`_bar_gaps`)."""
    colors = component_colors(scene.n_topics)
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "fill": "tonexty" if z else "tozeroy",
            "fillcolor": colors[z],
            "line": {"width": 0.5, "color": "white", "shape": "hv"},
            "name": f"topic {z + 1}",
            "x": _bar_steps(scene.n_bars),
            "hoverinfo": "skip",
            "showlegend": False,
            "xaxis": "x4",
            "yaxis": "y4",
        }
        for z in range(scene.n_topics)
    ]


def _bar_steps(n_bars: int) -> list[float]:
    """The stacked bars' x, the same at every half-step: where each bar's step starts (bar d
    spans d − 0.4 … d + 0.4, its step d − 0.5 … d + 0.5, inside the gaps), and the end."""
    return [-BAR_HALF, *(d + 0.5 for d in range(n_bars - 1)), n_bars - 1 + BAR_HALF]


def _bar_gaps(n_bars: int) -> dict[str, Any]:
    """White between the bars, over the topics' steps."""
    x: list[float | None] = []
    y: list[float | None] = []
    for d in range(n_bars - 1):
        left, right = round(d + BAR_HALF, 1), round(d + 1 - BAR_HALF, 1)
        x += [left, right, right, left, None]
        y += [0, 0, MIX_UNITS, MIX_UNITS, None]
    return {
        "type": "scatter",
        "mode": "lines",
        "fill": "toself",
        "fillcolor": "white",
        "line": {"width": 0},
        "x": x,
        "y": y,
        "hoverinfo": "skip",
        "showlegend": False,
        "xaxis": "x4",
        "yaxis": "y4",
    }


def _image_labels(scene: Scene) -> dict[str, Any]:
    """Each topic image's number, above it, in the topic's colour."""
    side, k = scene.image, scene.n_topics
    colors = text_colors(k)
    return {
        "type": "scatter",
        "mode": "text",
        "x": [(z % IMAGES_PER_ROW) * (side + 1) + side / 2 for z in range(k)],
        "y": [(z // IMAGES_PER_ROW) * (side + 1) - 0.6 for z in range(k)],
        "text": [f"<b>{z + 1}</b>" for z in range(k)],
        "textfont": {"size": 11, "color": colors},
        "hoverinfo": "skip",
        "showlegend": False,
        "xaxis": "x3",
        "yaxis": "y3",
    }


def _top_words_traces(scene: Scene) -> list[dict[str, Any]]:
    """A text's topics: topic z's most likely words down column z, a bar under each word
    whose length is its probability (the frames give the lengths, the words and their
    probabilities)."""
    where = {"xaxis": "x3", "yaxis": "y3", "showlegend": False}
    ranks = range(_n_top_words(scene))
    columns = range(scene.n_topics)
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "fill": "toself",
            "fillcolor": "rgba(33,102,172,0.45)",
            "line": {"width": 0, "shape": "hv"},
            "y": [y for _ in columns for y in _top_word_rows(ranks)][:-1],
            "hoverinfo": "skip",
            **where,
        },
        {
            "type": "scatter",
            "mode": "text",
            "x": [z for z in columns for _ in ranks],
            "y": [rank for _ in columns for rank in ranks],
            "textposition": "middle right",
            "textfont": {"size": 11, "color": "#222"},
            "hovertemplate": "%{text}: P(word | topic) = %{customdata:.3~g}<extra></extra>",
            **where,
        },
    ]


def _n_top_words(scene: Scene) -> int:
    return min(TOP_WORDS, scene.corpus.n_words)


def _top_word_rows(ranks: range) -> list[float | None]:
    """The y of a column's bars, drawn as one path of steps ("hv") along the column's left
    edge: right along a bar's top, down its end, back along its bottom, down the edge to the
    next bar; the last point closes the path back up the edge. Then a break."""
    y: list[float | None] = []
    for rank in ranks:
        y += [rank - 0.4, rank + 0.4]
    return [*y, ranks[-1] + 0.4, None]


def _document_words(scene: Scene) -> tuple[NDArray, NDArray, list[str], list[str]]:
    """Where each distinct word of the document sits, its text and its hover name."""
    corpus, d = scene.corpus, scene.document
    pairs = scene.steps.document_pairs(d)
    words = corpus.word_ids[pairs][:MAX_DOCUMENT_WORDS]
    counts = corpus.counts[pairs][: words.size]
    if scene.image is not None:
        xs, ys = words % scene.image, words // scene.image
        texts = [f"{c:g}" for c in counts.tolist()]
    else:
        places = np.arange(words.size)
        xs, ys = places % DOCUMENT_COLUMNS, places // DOCUMENT_COLUMNS
        texts = [
            user_text(corpus.vocabulary[w], 14) + (f" ×{c:g}" if c > 1 else "")
            for w, c in zip(words.tolist(), counts.tolist(), strict=True)
        ]
    names = [user_text(corpus.vocabulary[w], 30) for w in words.tolist()]
    return xs.astype(float), ys.astype(float), texts, names


def _document_trace(scene: Scene) -> dict[str, Any]:
    xs, ys, texts, names = _document_words(scene)
    grid = scene.image is not None
    return {
        "type": "scatter",
        "mode": "markers+text",
        "x": xs.tolist(),
        "y": ys.tolist(),
        "text": texts,
        "textposition": "middle center" if grid else "middle right",
        "textfont": {"size": 11, "color": "#222"},
        "marker": {
            "symbol": "square" if grid else "circle",
            "size": 26 if grid else 13,
            "line": {"width": 0.6, "color": "#8c8c8c"},
        },
        "hovertext": names,
        "hovertemplate": "%{hovertext}: %{customdata}<extra></extra>",
        "name": DOCUMENT_TRACE,
        "showlegend": False,
        "xaxis": "x5",
        "yaxis": "y5",
    }


def _frame(scene: Scene, half: HalfStep) -> list[dict[str, Any]]:
    steps = scene.steps
    topics = steps.topics(half.params_index)
    values = topics[:, scene.columns]
    levels = shade_levels(values, scene.scale)
    frame = [*shade_frame(levels), {"customdata": round_sig(values.ravel(), 3)}]
    if scene.image is not None:  # the table's columns are every word: the same scale
        frame += shade_frame(image_grid(levels, scene.image))
    else:
        frame += _top_words_frame(scene, topics)
    mixes = steps.mixes(half)
    if scene.triangle:
        words = [
            [user_text(scene.corpus.vocabulary[w], 12) for w in row]
            for row in np.argsort(-topics, axis=1, kind="stable")[:, :3].tolist()
        ]
        frame += simplex.simplex_frame(mixes, scene.document, words)
    else:
        frame += _bars_frame(scene, mixes)
    frame.append(_document_frame(scene, half))
    return frame


def _top_words_frame(scene: Scene, topics: NDArray[np.float64]) -> list[dict[str, Any]]:
    """Topic z's most likely words in column z, each bar's length its probability (the
    column's width is the largest probability), to a hundredth of a column."""
    order = np.argsort(-topics, axis=1, kind="stable")[:, : _n_top_words(scene)]
    x: list[float | None] = []
    texts, values = [], []
    for z in range(topics.shape[0]):
        for w in order[z].tolist():
            x += [z, round(z + 0.9 * float(topics[z, w]) / scene.scale, 2)]
            texts.append(user_text(scene.corpus.vocabulary[w], 14))
            values.append(float(topics[z, w]))
        x += [z, None]
    return [{"x": x[:-1]}, {"text": texts, "customdata": round_sig(values, 3)}]


def _bars_frame(scene: Scene, mixes: NDArray[np.float64]) -> list[dict[str, Any]]:
    """Each topic's step: the tops of its parts of the bars, in thousandths."""
    tops = np.rint(MIX_UNITS * np.cumsum(mixes[: scene.n_bars], axis=1)).astype(int)
    return [{"y": [*column, column[-1]]} for column in tops.T.tolist()]


def _document_frame(scene: Scene, half: HalfStep) -> dict[str, Any]:
    posteriors = scene.steps.posteriors(half, scene.document)
    n = len(_document_words(scene)[0])
    if posteriors is None:
        return {"marker": {"color": [NO_E_STEP] * n}, "customdata": ["no E-step yet"] * n}
    posteriors = posteriors[:n]
    hovers = [
        ", ".join(f"topic {z + 1} {p:.2f}" for z, p in enumerate(row.tolist()) if p >= 0.005)
        for row in posteriors
    ]
    return {"marker": {"color": blend(posteriors)}, "customdata": hovers}


# --- layout ------------------------------------------------------------------------------


def _notes(scene: Scene) -> list[str]:
    value = "the evidence lower bound" if scene.steps.lda else "ℓ"
    shown = (
        f"the first {scene.n_mixes} of {scene.corpus.n_documents} documents"
        if scene.n_mixes < scene.corpus.n_documents
        else "every document"
    )
    return [
        f"darker = likelier word (darkest ≥ {scene.scale * (SHADES - 1) / SHADES:.2g}); "
        f"mixes of {shown}; right: {value}"
    ]


def _layout(scene: Scene) -> dict[str, Any]:
    k, n = scene.n_topics, scene.columns.size
    words = [user_text(scene.corpus.vocabulary[w], 12) for w in scene.columns.tolist()]
    layout = base_layout(uirevision=f"em_models.topics.figures {k} {n} {scene.image}")
    hidden = {"showgrid": False, "zeroline": False, "showline": False, "ticks": ""}
    layout["xaxis"] = {
        "range": [0, n],
        "tickvals": [i + 0.5 for i in range(n)],
        "ticktext": words,
        "showticklabels": scene.image is None,
        "title": {"text": "word" if scene.image is None else "word (a cell of the grid)"},
        "tickangle": -60,
        "tickfont": {"size": 9},
        **hidden,
    }
    colors = component_colors(k)
    topic_ticks = {
        "tickvals": [z + 0.5 for z in range(k)],
        "ticktext": [f"<span style='color:{colors[z]}'>■</span> {z + 1}" for z in range(k)],
    }
    layout["yaxis"] = {
        "range": [k, 0],
        "title": {"text": "topic"},
        **topic_ticks,
        **hidden,
    }
    if scene.image is not None:
        side = scene.image
        columns, rows = min(k, IMAGES_PER_ROW), -(-k // IMAGES_PER_ROW)
        layout["xaxis3"] = {
            "range": [-0.1, columns * (side + 1) - 0.9],
            "showticklabels": False,
            **hidden,
        }
        layout["yaxis3"] = {
            "range": [rows * (side + 1) - 0.9, -1.3],
            "showticklabels": False,
            **hidden,
        }
    else:
        layout["xaxis3"] = {
            "range": [-0.05, k],
            "tickvals": [z + 0.45 for z in range(k)],
            "ticktext": [f"topic {z + 1}" for z in range(k)],
            "side": "top",
            **hidden,
        }
        layout["yaxis3"] = {"range": [TOP_WORDS - 0.5, -0.5], "showticklabels": False, **hidden}
    if scene.triangle:
        layout["xaxis4"], layout["yaxis4"] = simplex.simplex_axes()
    else:
        layout["xaxis4"], layout["yaxis4"] = _bar_axes(scene)
    layout["xaxis5"], layout["yaxis5"] = _document_axes(scene)
    for axes in ("3", "4", "5"):
        layout[f"xaxis{axes}"]["anchor"] = f"y{axes}"
        layout[f"yaxis{axes}"]["anchor"] = f"x{axes}"
    return layout


def _bar_axes(scene: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    hidden = {"showgrid": False, "zeroline": False, "showline": False, "ticks": ""}
    m = scene.n_bars
    x = {
        "range": [-0.6, m - 0.4],
        "title": {"text": "document", "standoff": 2},
        "tickvals": list(range(0, m, 5)),
        "ticktext": [str(d + 1) for d in range(0, m, 5)],
        **hidden,
    }
    y = {
        "range": [0, MIX_UNITS],
        "title": {"text": "topic mix"},
        "tickvals": [MIX_UNITS * share for share in (0, 0.25, 0.5, 0.75, 1)],
        "ticktext": ["0", "0.25", "0.5", "0.75", "1"],
    }
    return x, y


def _document_axes(scene: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    hidden = {
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "showticklabels": False,
    }
    if scene.image is not None:
        side = scene.image
        return (
            {"range": [-0.6, side - 0.4], "scaleanchor": "y5", **hidden},
            {"range": [side - 0.4, -0.6], **hidden},
        )
    n = min(int(np.diff(scene.corpus.indptr)[scene.document]), MAX_DOCUMENT_WORDS)
    rows = max(-(-n // DOCUMENT_COLUMNS), 3)
    return (
        {"range": [-0.3, DOCUMENT_COLUMNS], **hidden},
        {"range": [rows - 0.4, -0.6], **hidden},
    )


def domains(narrow: bool) -> dict[str, tuple[float, float]]:
    """Where the panels sit. Wide: the table, the topics and the bound or ℓ on top; the
    mixes and the document under them. Narrow: one under the other."""
    if narrow:
        edges = np.cumsum((0, *NARROW_SECTIONS_PX)) / sum(NARROW_SECTIONS_PX)
        y, y3, y5, y4, y2 = [
            (float(1 - edges[i + 1]), float(1 - edges[i])) for i in range(1, 10, 2)
        ]
        xs = dict.fromkeys(("xaxis", "xaxis2", "xaxis3", "xaxis4", "xaxis5"), (0.0, 1.0))
        return {**xs, "yaxis": y, "yaxis2": y2, "yaxis3": y3, "yaxis4": y4, "yaxis5": y5}
    top, bottom = (0.58, 0.92), (0.0, 0.36)  # room above each row for its headings
    return {
        "xaxis": (0.0, 0.42),
        "xaxis3": (0.48, 0.68),  # the gap after it holds ℓ's labels, in presenter mode's type too
        "xaxis2": (0.82, 1.0),
        "xaxis4": (0.0, 0.42),
        "xaxis5": (0.5, 1.0),
        "yaxis": top,
        "yaxis3": top,
        "yaxis2": top,
        "yaxis4": bottom,
        "yaxis5": bottom,
    }


HEADINGS = (
    ("Topics × words", "xaxis", "yaxis"),
    ("The topics", "xaxis3", "yaxis3"),
    ("Documents' topic mixes", "xaxis4", "yaxis4"),
    ("One document's words by topic", "xaxis5", "yaxis5"),
)


def _arrange(fig: go.Figure, scene: Scene) -> go.Figure:
    """The chart's height, the panels' places, their headings, and the bound's label."""
    margin = fig.layout.margin
    narrow = scene.narrow
    height = sum(NARROW_SECTIONS_PX) + margin.t + margin.b if narrow else WIDE_HEIGHT_PX
    fig = with_height(fig, height)
    place = domains(narrow)
    headings = [
        {
            "text": f"<b>{text}</b>",
            "xref": "paper",
            "yref": "paper",
            "x": place[x][0],
            "y": place[y][1] + (0.0 if x != "xaxis3" or scene.image is not None else 0.03),
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": dict(HEADING_FONT),
        }
        for text, x, y in HEADINGS
    ]
    fig.update_layout(
        {name: {"domain": list(span)} for name, span in place.items()},
        annotations=[*fig.layout.annotations, *headings],
    )
    if scene.steps.lda:
        _name_the_bound(fig)
    return fig


def _name_the_bound(fig: go.Figure) -> None:
    """LDA's curve is the evidence lower bound: its axis, names and hovers say so."""
    fig.layout.yaxis2.title.text = "evidence lower bound"
    for trace in fig.data:
        if trace.yaxis == "y2":
            if trace.name:
                trace.name = trace.name.replace("ℓ(θ)", "bound").replace("ℓ", "bound")
            if trace.hovertext is not None:
                trace.hovertext = [
                    str(text).replace("ℓ(θ", "bound(θ").replace("ℓ", "bound")
                    for text in trace.hovertext
                ]
