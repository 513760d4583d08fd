"""Component colours, and points coloured by their responsibilities.

The palette starts with the Okabe–Ito colours that stay distinct for the common forms of
colour blindness (yellow left out: it vanishes on white), then three from Paul Tol's muted
scheme. Black and grey are kept for the mixture and for "no responsibilities yet".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

PALETTE: tuple[str, ...] = (
    "#0072b2",  # blue
    "#d55e00",  # vermilion
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#882255",  # wine (Tol)
    "#999933",  # olive (Tol)
    "#332288",  # indigo (Tol)
    "#44aa99",  # teal (Tol)
)
MAX_COMPONENTS = len(PALETTE)
GREY = "#a0a0a0"  # a point no E-step has coloured yet
MIXTURE_COLOR = "#222222"


def component_colors(n_components: int) -> list[str]:
    """The colours of components 1 … ``n_components`` (at most ``MAX_COMPONENTS``)."""
    if not 1 <= n_components <= MAX_COMPONENTS:
        raise ValueError(
            f"There are colours for 1 to {MAX_COMPONENTS} components; got {n_components}. "
            f"Fit at most {MAX_COMPONENTS} components to draw them."
        )
    return list(PALETTE[:n_components])


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#0072b2"`` → ``(0, 114, 178)``."""
    value = int(color.lstrip("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def with_alpha(color: str, alpha: float) -> str:
    """A hex colour as an ``rgba(…)`` string with opacity ``alpha``."""
    r, g, b = hex_to_rgb(color)
    return f"rgba({r},{g},{b},{alpha:g})"


def blend(resp: ArrayLike | None, *, n_points: int | None = None) -> list[str]:
    """Each point's colour: the responsibility-weighted mix of the component colours.

    Point n gets Σ_k r_nk · colour_k, mixed channel by channel in sRGB, so a point a
    component fully owns has exactly that component's colour and a point split evenly
    between two lies halfway between them.

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
    rgb = np.array([hex_to_rgb(c) for c in component_colors(resp.shape[1])], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = resp.sum(axis=1, keepdims=True)
        mixed = (resp / total) @ rgb
    valid = np.all(np.isfinite(mixed), axis=1) & (total[:, 0] > 0)
    channels = np.clip(np.rint(np.where(valid[:, None], mixed, 0.0)), 0, 255).astype(np.int64)
    packed = (channels[:, 0] << 16) | (channels[:, 1] << 8) | channels[:, 2]
    return [
        f"#{v:06x}" if ok else GREY for v, ok in zip(packed.tolist(), valid.tolist(), strict=True)
    ]
