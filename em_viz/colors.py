"""Component colours and markers, and points coloured and shaped by their responsibilities.

The first eight colours are the eight of Okabe–Ito's and Paul Tol's colour-blind-safe
palettes (bright, muted, vibrant and dark; yellow and sand left out: they vanish on white)
that lie farthest apart, pair by pair, in CIEDE2000 for normal vision and simulated
deuteranopia and protanopia (Machado et al., 2009); their order puts the most distinct
first. The last two, for K = 9 and 10, are the next farthest. Black and grey are kept for
the mixture and for "no responsibilities yet".

A point wears the colour of its most responsible component, paler the less sure that
component is (see :func:`blend`): never a mix of two colours, which would match no component.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

PALETTE: tuple[str, ...] = (
    "#33bbee",  # cyan (Tol vibrant)
    "#225522",  # dark green (Tol dark)
    "#e69f00",  # orange (Okabe–Ito)
    "#aa4499",  # purple (Tol muted)
    "#ee6677",  # red (Tol bright)
    "#225555",  # dark teal (Tol dark)
    "#228833",  # green (Tol bright)
    "#cc79a7",  # reddish purple (Okabe–Ito)
    "#009e73",  # bluish green (Okabe–Ito)
    "#0077bb",  # blue (Tol vibrant)
)
MAX_COMPONENTS = len(PALETTE)
# Text in a component's colour (a label on a chart): its colour darkened, every channel
# scaled by the same factor (same hue), just enough for 4.5:1 on white (WCAG 2.1, 1.4.3);
# those with 4.5:1 already are kept. Lines and shapes keep the palette's own colours, those
# under 3:1 on a dark casing (:mod:`em_viz.contrast`).
TEXT_COLORS: tuple[str, ...] = (
    "#237fa2",
    "#225522",
    "#9e6d00",
    "#aa4499",
    "#c05260",
    "#225555",
    "#228833",
    "#a46186",
    "#008763",
    "#0077bb",
)
# The starts compared on the K-means page, one line each (Tol vibrant, and a grey for the
# start the student types).
START_COLORS = ("#0077bb", "#ee7733", "#009988", "#cc3311", "#aa4499", "#555555")
# Each component's marker, so that a point's component shows by its shape as well as by its
# colour (WCAG 1.4.1, use of colour): plotly's numbers for circle, square, diamond,
# triangle-up, triangle-down, star, hourglass, triangle-left, triangle-right and hexagram
# (numbers, as every frame sends one per point).
SYMBOLS: tuple[int, ...] = (0, 1, 2, 5, 6, 17, 25, 7, 8, 18)
GREY = "#a0a0a0"  # a point no E-step has coloured yet
MIXTURE_COLOR = "#222222"
# How much of its component's colour a point keeps when all components are equally
# responsible for it (it is then drawn almost white, its outline keeping it visible).
FAINTEST = 0.15
# Solid, not translucent: a translucent stroke on a thousand points cost the browser about
# 30 ms more to draw on every click.
POINT_OUTLINE = {"width": 0.6, "color": "#767676"}


def component_colors(n_components: int) -> list[str]:
    """The colours of components 1 … ``n_components`` (at most ``MAX_COMPONENTS``)."""
    if not 1 <= n_components <= MAX_COMPONENTS:
        raise ValueError(
            f"There are colours for 1 to {MAX_COMPONENTS} components; got {n_components}. "
            f"Fit at most {MAX_COMPONENTS} components to draw them."
        )
    return list(PALETTE[:n_components])


def text_color(color: str) -> str:
    """The colour of text beside a line drawn in ``color``: a palette colour's darker
    :data:`TEXT_COLORS` twin, any other colour as it is."""
    return TEXT_COLORS[PALETTE.index(color)] if color in PALETTE else color


def text_colors(n_components: int) -> list[str]:
    """The colours of components 1 … ``n_components`` for text (see :data:`TEXT_COLORS`)."""
    component_colors(n_components)  # the same check
    return list(TEXT_COLORS[:n_components])


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#0072b2"`` → ``(0, 114, 178)``."""
    value = int(color.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def with_alpha(color: str, alpha: float) -> str:
    """A hex colour as an ``rgba(…)`` string with opacity ``alpha``."""
    r, g, b = hex_to_rgb(color)
    return f"rgba({r},{g},{b},{alpha:g})"


def blend(resp: ArrayLike | None, *, n_points: int | None = None) -> list[str]:
    """Each point's colour: its most responsible component's colour, paler when unsure.

    Point n takes the colour of k = argmax_k r_nk, mixed with white in proportion to how
    unsure that is: with the certainty c = (r_nk − 1/K) / (1 − 1/K), from 0 (all K
    components equally responsible) to 1 (k owns the point), the colour is
    white + (FAINTEST + (1 − FAINTEST)·c) · (colour_k − white), channel by channel in sRGB.
    So a point a component owns has exactly that component's colour, and the hue always
    names one component.

    Parameters
    ----------
    resp : array-like of shape (n_samples, n_components), or None
        Responsibilities r_nk (rows are normalised to sum to one). None means no E-step has
        run yet: every point is grey. So is any row that is all zeros or not finite.
    n_points : int, optional
        The number of points when ``resp`` is None.

    Returns
    -------
    list of str
        One ``"#rrggbb"`` colour per point.
    """
    if resp is None:
        if n_points is None:
            raise ValueError("blend(None) needs n_points: the number of grey points to return.")
        return [GREY] * n_points
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2:
        raise ValueError(f"resp must have shape (n_samples, n_components); got shape {resp.shape}.")
    n_components = resp.shape[1]
    rgb = np.array([hex_to_rgb(c) for c in component_colors(n_components)], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = resp.sum(axis=1)
        valid = np.all(np.isfinite(resp), axis=1) & (total > 0)
        share = np.where(valid, resp.max(axis=1, initial=0.0) / np.where(valid, total, 1.0), 1.0)
    owner = np.argmax(np.where(valid[:, None], resp, 0.0), axis=1)
    even = 1.0 / n_components
    certainty = (
        np.ones_like(share) if n_components == 1 else np.clip((share - even) / (1.0 - even), 0, 1)
    )
    strength = FAINTEST + (1.0 - FAINTEST) * np.asarray(certainty)
    mixed = 255.0 + strength[:, None] * (rgb[owner] - 255.0)
    channels = np.clip(np.rint(mixed), 0, 255).astype(np.int64)
    packed = (channels[:, 0] << 16) | (channels[:, 1] << 8) | channels[:, 2]
    return [
        f"#{v:06x}" if ok else GREY for v, ok in zip(packed.tolist(), valid.tolist(), strict=True)
    ]


def point_symbols(resp: ArrayLike | None, *, n_points: int | None = None) -> list[int]:
    """Each point's marker: that of its most responsible component (see :data:`SYMBOLS`), a
    circle where there is none yet (``resp`` None, as for :func:`blend`, or a row that is all
    zeros or not finite)."""
    if resp is None:
        if n_points is None:
            raise ValueError("point_symbols(None) needs n_points: the number of points.")
        return [SYMBOLS[0]] * n_points
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2 or not 1 <= resp.shape[1] <= MAX_COMPONENTS:
        raise ValueError(
            f"resp must have shape (n_samples, 1 to {MAX_COMPONENTS}); got {resp.shape}."
        )
    with np.errstate(invalid="ignore"):
        valid = np.all(np.isfinite(resp), axis=1) & (resp.sum(axis=1) > 0)
    owner = np.argmax(np.where(valid[:, None], resp, 0.0), axis=1)
    return np.where(valid, np.asarray(SYMBOLS)[owner], SYMBOLS[0]).tolist()
