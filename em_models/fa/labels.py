"""Where the factor panel writes each variable's name around its arrow's tip, so that no two
names overlap: Population and Employment on Harman's census data point almost the same way.

Each name is a box of about :data:`CHAR_PX` pixels a character by :data:`LINE_PX`, beside
its tip at one of plotly's eight text positions. Every name starts at the corner away from
the origin; then, round after round, each (the longest arrows' first) moves to the position
that overlaps the others' least, trying the positions nearest its arrow's direction first.
Pixels become the panel's units at :data:`PANEL_PX` for the panel's whole range, less than
the narrowest panel draws, so that a box is never smaller than drawn. The text stays whole.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

# plotly's text positions by the direction they lie in from the point, eastward first.
PLACES = (
    "middle right",
    "top right",
    "top center",
    "top left",
    "middle left",
    "bottom left",
    "bottom center",
    "bottom right",
)
CHAR_PX = 7.8  # a character of the names' 12 px font, a little wide
LINE_PX = 16.0
GAP_PX = 1.0  # between the tip and its name (the tip's marker is 6 px across)
MAX_ROUNDS = 8
PANEL_PX = 230.0  # the factor panel's width for its whole range, less than the narrowest


def _corner(x: float, y: float) -> str:
    """The position away from the origin, for a tip at (x, y)."""
    return ("top " if y >= 0 else "bottom ") + ("right" if x >= 0 else "left")


def _box(tip: NDArray, place: str, size: tuple[float, float]) -> NDArray:
    """The box (left, bottom, right, top) of a name of ``size`` (width, height) at ``place``
    around ``tip``, in the panel's units."""
    vertical, horizontal = place.split()
    width, height = size
    gap = GAP_PX * size[1] / LINE_PX
    left = {"right": gap, "left": -gap - width, "center": -width / 2}[horizontal]
    bottom = {"top": gap, "bottom": -gap - height, "middle": -height / 2}[vertical]
    return np.array(
        [tip[0] + left, tip[1] + bottom, tip[0] + left + width, tip[1] + bottom + height]
    )


def _overlap(a: NDArray, b: NDArray) -> float:
    """The area two boxes share."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def _choices(tip: NDArray) -> list[str]:
    """The positions to try for a tip: the corner away from the origin, then by how near
    each lies to the arrow's direction."""
    angle = float(np.degrees(np.arctan2(tip[1], tip[0])))
    octants = sorted(range(8), key=lambda k: abs((45.0 * k - angle + 180.0) % 360.0 - 180.0))
    first = _corner(*tip.tolist())
    return [first, *(PLACES[k] for k in octants if PLACES[k] != first)]


def name_places(tips: NDArray[np.float64], names: Sequence[str], half_range: float) -> list[str]:
    """Each name's text position around its tip (the rows of ``tips``), on a panel whose
    axes span ±``half_range``."""
    unit = 2.0 * half_range / PANEL_PX  # the panel's units per pixel
    boxes = [
        {
            place: _box(tip, place, (CHAR_PX * len(name) * unit, LINE_PX * unit))
            for place in _choices(tip)
        }
        for tip, name in zip(tips, names, strict=True)
    ]
    places = [next(iter(choices)) for choices in boxes]
    # Each name in turn (the longest arrows' first) takes the position that overlaps the
    # others least, the first tried among equals, until none moves.
    order = np.argsort(-np.hypot(tips[:, 0], tips[:, 1]), kind="stable").tolist()
    for _ in range(MAX_ROUNDS):
        moved = False
        for i in order:
            others = [boxes[j][places[j]] for j in order if j != i]
            clash = {p: sum(_overlap(box, o) for o in others) for p, box in boxes[i].items()}
            best = min(clash, key=clash.get)
            if clash[best] < clash[places[i]]:
                places[i], moved = best, True
        if not moved:
            break
    return places
