"""Cells of a grid shaded by probability, drawn so that the step buttons move them without
redrawing the chart and so that a frame is short to send.

A grid's cell (r, c) covers x ∈ [c, c + 1] and y ∈ [r, r + 1]. Each shade is one filled
scatter path (:func:`shade_traces`; a path has one fill colour), and a frame
(:func:`shade_frame`) gives each shade its cells, merged into rectangles (a run of cells along
a row, extended down the rows that have the same run). The rectangles that start on the same
row are one sub-path drawn as steps along that row's top edge (``line.shape`` "hv"): from the
first rectangle's left corner, up its left side, along its top, down its right side, along the
edge to the next rectangle, and closed along the edge, where the path encloses nothing. So a
rectangle costs two points and a row of them one more, where separate rectangles cost five
points each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

SHADES = 8  # a cell below 1/SHADES of the scale's top is left white
SHADE_RGB = (33, 102, 172)  # the darkest shade; lighter ones mix it with white

# A rectangle of cells: columns [left, right) and rows [top, bottom), in grid units.
Rectangle = tuple[int, int, int, int]


def shade_colors() -> list[str]:
    """The shades, lightest first."""
    white = np.array([255, 255, 255])
    colors = []
    for level in range(1, SHADES + 1):
        mixed = white + (np.array(SHADE_RGB) - white) * level / SHADES
        colors.append("#{:02x}{:02x}{:02x}".format(*np.round(mixed).astype(int).tolist()))
    return colors


def shade_traces(axes: str) -> list[dict[str, Any]]:
    """One filled path per shade on the axes ``axes``; the frames give their cells."""
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "fill": "toself",
            "fillcolor": color,
            "line": {"width": 0, "shape": "hv"},
            "hoverinfo": "skip",
            "showlegend": False,
            "xaxis": f"x{axes}",
            "yaxis": f"y{axes}",
        }
        for color in shade_colors()
    ]


def shade_levels(values: ArrayLike, scale: float) -> NDArray[np.int64]:
    """Each value's shade, 1 (lightest) to :data:`SHADES`, or 0 for white: the values are
    cut into :data:`SHADES` equal bands of [0, ``scale``]."""
    levels = (np.asarray(values, dtype=np.float64) / scale * SHADES).astype(np.int64)
    return np.clip(levels, 0, SHADES)


def rectangles(levels: NDArray[np.int64]) -> dict[int, list[Rectangle]]:
    """The cells of each level but 0 in a grid of ``levels`` (rows × columns) as rectangles
    that cover each of them once: each row's runs of one level, a run extended down the rows
    below that have the same one. By level; sorted by top row, then left column."""
    found: dict[int, list[list[int]]] = {}
    open_runs: dict[tuple[int, int, int], list[int]] = {}  # runs reaching the row before
    for r, row in enumerate(np.asarray(levels, dtype=np.int64).tolist()):
        reaching: dict[tuple[int, int, int], list[int]] = {}
        left = 0
        for right in range(1, len(row) + 1):
            if right < len(row) and row[right] == row[left]:
                continue
            level = row[left]
            if level:
                box = open_runs.get((left, right, level))
                if box is None:
                    box = [left, right, r, r + 1]
                    found.setdefault(level, []).append(box)
                box[3] = r + 1
                reaching[(left, right, level)] = box
            left = right
        open_runs = reaching
    return {
        level: sorted((tuple(box) for box in boxes), key=lambda b: (b[2], b[0]))  # type: ignore[misc]
        for level, boxes in found.items()
    }


def shade_path(boxes: list[Rectangle]) -> dict[str, list[int | None]]:
    """The path of :func:`shade_traces` that fills ``boxes`` (sorted by top row, then left
    column): a sub-path of steps per top row (see the module's docstring)."""
    x: list[int | None] = []
    y: list[int | None] = []
    for i, (left, right, top, bottom) in enumerate(boxes):
        if i == 0 or top != boxes[i - 1][2]:
            if x:
                x.append(None)
                y.append(None)
            x.append(left)
            y.append(top)
        x += [left, right]
        y += [bottom, top]
    return {"x": x, "y": y}


def shade_frame(levels: NDArray[np.int64]) -> list[dict[str, Any]]:
    """What each shade of :func:`shade_traces` draws for a grid of ``levels`` (rows ×
    columns, from :func:`shade_levels`; 0 is white, not drawn)."""
    boxes = rectangles(levels)
    # A shade no cell has: a path of no area, drawn as a fresh chart draws it.
    empty = {"x": [0, 0, 0], "y": [0, 0, 0]}
    return [shade_path(boxes[level]) if level in boxes else empty for level in range(1, SHADES + 1)]
