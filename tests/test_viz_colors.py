"""em_viz.colors: components that can be told apart, by everyone, and points that name one.

Colour differences are CIEDE2000 distances in CIELAB (Sharma, Wu & Dalal, 2005; checked
here against their published test pairs). Colour blindness is simulated with the matrices
of Machado, Oliveira & Fernandes (2009) at full severity, applied in linear sRGB.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from em_viz.colors import GREY, MIXTURE_COLOR, PALETTE, blend, hex_to_rgb

MACHADO = {
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
}
VISIONS = ["normal", *MACHADO]
SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
D65 = np.array([0.95047, 1.0, 1.08883])


def to_linear(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def seen(colors: list[str], vision: str) -> np.ndarray:
    """The colours as linear sRGB, as a person with ``vision`` sees them."""
    linear = to_linear(np.array([hex_to_rgb(c) for c in colors]))
    if vision == "normal":
        return linear
    return np.clip(linear @ np.array(MACHADO[vision]).T, 0, 1)


def lab(linear: np.ndarray) -> np.ndarray:
    xyz = linear @ SRGB_TO_XYZ.T / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    chroma_zero = c1p * c2p == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma_zero, 0, dh)
    d_l, d_c = L2 - L1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar, h_sum = (L1 + L2) / 2, (c1p + c2p) / 2, h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) > 180, np.where(h_sum < 360, h_sum + 360, h_sum - 360) / 2, h_sum / 2
    )
    h_bar = np.where(chroma_zero, h_sum, h_bar)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt(
        (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
    )


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal (2005), table 1, pairs 1, 2, 7 and 25
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_the_colour_difference_is_ciede2000(lab1, lab2, expected) -> None:
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def smallest_difference(colors: list[str], vision: str) -> float:
    points = lab(seen(colors, vision))
    return min(
        float(ciede2000(points[i], points[j]))
        for i, j in itertools.combinations(range(len(colors)), 2)
    )


@pytest.mark.parametrize("vision", VISIONS)
def test_eight_components_are_far_apart_for_normal_and_red_green_colour_blind_vision(
    vision: str,
) -> None:
    """ΔE₀₀ ≥ 14 between any two of the first eight (a difference of about 2 is just
    noticeable); the palette before this one had 5.1 under deuteranopia (the oranges and
    the olive)."""
    assert smallest_difference(list(PALETTE[:8]), vision) >= 14
    assert smallest_difference(list(PALETTE), vision) >= 9  # K = 9, 10: still apart
    # and every one is far from the mixture's black (the grey of "no E-step yet" is never
    # beside a coloured point: all points are grey, or none)
    for color in PALETTE:
        assert smallest_difference([color, MIXTURE_COLOR], vision) >= 12
    assert GREY not in PALETTE


def test_the_components_show_on_white() -> None:
    lightness = lab(seen(list(PALETTE), "normal"))[:, 0]
    assert lightness.max() < 75  # no yellow or sand, which vanish on white
    assert lightness.min() > 25  # and none that reads as the black mixture


def test_every_point_wears_the_hue_of_its_most_responsible_component() -> None:
    """Never a mix of two hues: each colour lies on the segment from white to the colour of
    the component with the largest responsibility, further from white the surer it is."""
    rng = np.random.default_rng(0)
    for k in (2, 3, 5, 8, 10):
        resp = rng.dirichlet(np.full(k, 0.4), size=400)
        colors = np.array([hex_to_rgb(c) for c in blend(resp)], dtype=float)
        owners = np.array([hex_to_rgb(PALETTE[j]) for j in resp.argmax(axis=1)], dtype=float)
        from_white, full = 255 - colors, 255 - owners
        strength = (from_white * full).sum(axis=1) / (full * full).sum(axis=1)
        assert np.abs(from_white - strength[:, None] * full).max() <= 1.0  # on the segment
        certainty = (resp.max(axis=1) - 1 / k) / (1 - 1 / k)
        order = np.argsort(certainty)
        assert np.all(np.diff(strength[order]) >= -0.01)  # surer: more of the colour
        assert strength.min() >= 0.14
        assert strength.max() <= 1.0 + 1e-9


def test_an_owned_point_is_its_component_and_an_unsure_one_is_nearly_white() -> None:
    assert blend(np.eye(8)) == list(PALETTE[:8])
    (even,) = blend(np.full((1, 4), 0.25))
    white_distance = float(ciede2000(lab(seen([even], "normal"))[0], lab(np.ones(3))))
    owned_distance = float(ciede2000(lab(seen([PALETTE[0]], "normal"))[0], lab(np.ones(3))))
    assert white_distance < 0.3 * owned_distance


def test_one_component_colours_every_point_fully() -> None:
    from em_viz.colors import PALETTE, blend

    assert blend([[1.0], [1.0]]) == [PALETTE[0], PALETTE[0]]


def _colours(value, found: list[str] | None = None) -> list[str]:
    """Every colour in plotly JSON (a value under a key naming a colour), in order."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if "color" in key.lower() and isinstance(item, str | list | tuple):
                found.append(repr(item))
            else:
                _colours(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _colours(item, found)
    return found


def test_presenter_mode_changes_sizes_only_so_the_palette_holds_there_too() -> None:
    """Presenter mode enlarges a chart's type and height (em_ui/stepper.py's ``_figure``)
    and changes no colour: the distances above hold on a projector too."""
    from em_data.datasets import load_dataset
    from em_models.mixture.engine import fit
    from em_models.mixture.view import MixtureView
    from em_ui.presenter import CHART_FONT_SCALE, NUMBER_OF_HEIGHT
    from em_viz.style import enlarge_class_numbers, enlarge_fonts, with_height

    X = np.asarray(load_dataset("faithful").values)
    fig = MixtureView(X, fit(X, 3, rng=0, max_iter=5), column_names=("a", "b")).figure(
        3, narrow=False
    )
    before = _colours(fig.to_plotly_json()) + _colours(fig.frame_dicts)
    assert any(PALETTE[2] in colour for colour in before)  # the components' colours are there
    fig = enlarge_fonts(fig, CHART_FONT_SCALE)
    fig = enlarge_class_numbers(with_height(fig, 900), NUMBER_OF_HEIGHT * 1080)
    assert fig.layout.font.size > 13  # presenter mode did act on the figure
    assert _colours(fig.to_plotly_json()) + _colours(fig.frame_dicts) == before
