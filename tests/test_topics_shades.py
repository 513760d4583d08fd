"""The topic models' shaded cells: each shade's path fills exactly the cells of that shade,
a rectangle of cells once, however the cells lie (runs along a row, runs repeated down the
rows, cells alone, gaps)."""

from __future__ import annotations

import numpy as np
import pytest

from em_models.topics.shades import SHADES, rectangles, shade_frame, shade_levels


def cells_of(path: dict) -> list[tuple[int, int]]:
    """The cells (row, column) a shade's path fills, each as often as it is filled: the
    path read back as the module's docstring draws it (per sub-path, the top row's edge,
    then a rectangle's left and bottom, and its right and that edge, for each)."""
    cells = []
    x, y = path["x"], path["y"]
    breaks = [i for i, v in enumerate(x) if v is None]
    assert breaks == [i for i, v in enumerate(y) if v is None]
    start = 0
    for end in [*breaks, len(x)]:
        xs, ys = x[start:end], y[start:end]
        assert len(xs) % 2 == 1
        assert xs[1] == xs[0]  # from the first rectangle's corner
        top = ys[0]
        for left, bottom, right, edge in zip(xs[1::2], ys[1::2], xs[2::2], ys[2::2], strict=True):
            assert edge == top
            assert right >= left  # (a shade no cell has: no area)
            assert bottom >= top
            cells += [(r, c) for r in range(top, bottom) for c in range(left, right)]
        start = end + 1
    return cells


def drawn_levels(frame: list[dict], shape: tuple[int, int]) -> np.ndarray:
    drawn = np.zeros(shape, dtype=int)
    for level, path in enumerate(frame, start=1):
        for r, c in cells_of(path):
            assert drawn[r, c] == 0, f"cell {(r, c)} is drawn twice"
            drawn[r, c] = level
    return drawn


GRIDS = {
    "runs down the rows": np.array([[0, 3, 3, 0], [0, 3, 3, 0], [5, 3, 3, 5]]),
    "every cell alone": np.array([[1, 2, 1, 2], [2, 1, 2, 1]]),
    "one shade": np.full((3, 5), 4),
    "white with a gap": np.array([[0, 0, 0], [0, 8, 0], [7, 0, 7]]),
    "random": np.random.default_rng(0).integers(0, SHADES + 1, size=(10, 25)),
}


@pytest.mark.parametrize("name", list(GRIDS))
def test_each_cell_is_drawn_once_in_its_shade(name) -> None:
    levels = GRIDS[name]
    frame = shade_frame(levels)
    assert len(frame) == SHADES
    np.testing.assert_array_equal(drawn_levels(frame, levels.shape), levels)


def test_runs_repeated_down_the_rows_are_one_rectangle() -> None:
    assert rectangles(GRIDS["runs down the rows"]) == {
        3: [(1, 3, 0, 3)],
        5: [(0, 1, 2, 3), (3, 4, 2, 3)],
    }
    assert rectangles(GRIDS["one shade"]) == {4: [(0, 5, 0, 3)]}


def test_a_value_takes_the_shade_of_its_band_of_the_scale() -> None:
    values = np.array([0.0, 0.01, 0.025, 0.05, 0.12, 0.2, 0.2])
    expected = [int(v / 0.2 * SHADES) for v in values]  # 0 is white, 8 the darkest
    assert shade_levels(values, 0.2).tolist() == expected == [0, 0, 1, 2, 4, 8, 8]
