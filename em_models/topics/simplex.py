"""With three topics, each document's topic mix as a point in a triangle (the 2-simplex):
the corners are the topics, and a mix (p₁, p₂, p₃) sits at p₁·corner₁ + p₂·corner₂ +
p₃·corner₃, its barycentric coordinates. A document all of topic 1 sits on corner 1; an even
mix sits at the centre. The chosen document is ringed. Pure: arrays in, plotly dicts out,
drawn on the axes x4/y4 of :func:`em_models.topics.figures.topic_figure`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_viz.colors import POINT_OUTLINE, blend, text_colors

# Topic 1 bottom left, topic 2 bottom right, topic 3 at the top: an equilateral triangle.
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]])
MAX_POINTS = 300  # documents drawn (their places are sent at every half-step)
PLACES = 3  # decimals of a point's place: a thousandth of the triangle's side
CHOSEN = "the chosen document's mix"
WHERE = {"xaxis": "x4", "yaxis": "y4", "showlegend": False}


def positions(mixes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each mix's place in the triangle (documents × 2): the corners weighted by the mix
    (each row normalised to add to 1)."""
    mixes = np.asarray(mixes, dtype=np.float64)
    return (mixes / mixes.sum(axis=1, keepdims=True)) @ CORNERS


def corner_label(z: int, words: list[str]) -> str:
    """Corner ``z``'s text: the topic's number and its likeliest words."""
    return f"<b>{z + 1}</b> " + ", ".join(words)


def simplex_traces(n_documents: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The triangle (fixed), and the first :data:`MAX_POINTS` of ``n_documents`` documents
    (their numbers in the hovers, fixed), the chosen one and the corners' labels, whose
    places, colours and words the frames give (:func:`simplex_frame`)."""
    outline = np.vstack([CORNERS, CORNERS[:1]])
    static = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": outline[:, 0].tolist(),
            "y": outline[:, 1].round(4).tolist(),
            "line": {"width": 1, "color": "#8c8c8c"},
            "hoverinfo": "skip",
            **WHERE,
        }
    ]
    dynamic = [
        {
            "type": "scatter",
            "mode": "markers",
            "marker": {"size": 6, "line": POINT_OUTLINE},
            "customdata": list(range(1, min(n_documents, MAX_POINTS) + 1)),
            "hovertemplate": "document %{customdata}<extra></extra>",
            "name": "documents' mixes",
            **WHERE,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "marker": {
                "size": 15,
                "color": "rgba(0,0,0,0)",
                "line": {"width": 2.5, "color": "#111"},
            },
            "hovertemplate": "%{hovertext}<extra></extra>",
            "name": CHOSEN,
            **WHERE,
        },
        {
            "type": "scatter",
            "mode": "text",
            "x": CORNERS[:, 0].tolist(),
            "y": [-0.07, -0.07, float(CORNERS[2, 1]) + 0.07],
            "textposition": ["middle center", "middle center", "middle center"],
            "textfont": {"size": 11, "color": text_colors(3)},
            "hoverinfo": "skip",
            "name": "the topics' corners",
            **WHERE,
        },
    ]
    return static, dynamic


def simplex_frame(
    mixes: NDArray[np.float64], document: int, top_words: list[list[str]]
) -> list[dict[str, Any]]:
    """The dynamic traces of :func:`simplex_traces` at one half-step: the first
    :data:`MAX_POINTS` documents at their ``mixes``, ``document`` (from 0) ringed, each
    corner named by its topic's ``top_words``."""
    shown = mixes[:MAX_POINTS]
    xy = positions(shown).round(PLACES)
    chosen = positions(mixes[document : document + 1]).round(PLACES)[0]
    share = mixes[document] / mixes[document].sum()
    return [
        {
            "x": xy[:, 0].tolist(),
            "y": xy[:, 1].tolist(),
            "marker": {"color": blend(shown)},
        },
        {
            "x": [float(chosen[0])],
            "y": [float(chosen[1])],
            "hovertext": [
                f"document {document + 1}: "
                + ", ".join(f"topic {z + 1} {p:.2f}" for z, p in enumerate(share.tolist()))
            ],
        },
        {"text": [corner_label(z, words) for z, words in enumerate(top_words)]},
    ]


def simplex_axes() -> tuple[dict[str, Any], dict[str, Any]]:
    """The triangle's axes: equal scales, room for the corners' labels, no ticks."""
    hidden = {
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "showticklabels": False,
    }
    return (
        {"range": [-0.35, 1.35], "scaleanchor": "y4", "constrain": "domain", **hidden},
        {"range": [-0.14, 1.0], **hidden},
    )
