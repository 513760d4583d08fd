"""The sequences the hidden Markov model ships with (files in ``data/``, sources in
``data/README.md``), and the app's own Old Faithful record read in its order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from em_data.datasets import load_dataset

# The occasionally dishonest casino (Durbin, Eddy, Krogh and Mitchison, *Biological Sequence
# Analysis*, 1998, §3.2): the fair die is swapped for the loaded one with probability 0.05
# after a roll, the loaded for the fair with 0.10; the loaded die shows six half the time.
CASINO_TRANSMAT = ((0.95, 0.05), (0.10, 0.90))
CASINO_FACES = ((1 / 6,) * 6, (0.1, 0.1, 0.1, 0.1, 0.1, 0.5))
CASINO_STATES = ("fair", "loaded")
CASINO_ROLLS = 300
CASINO_SEED = 1998


@dataclass(frozen=True, eq=False)
class SequenceDataset:
    """One sequence and what the app says about it.

    Attributes
    ----------
    values : array of shape (n_observations, n_features)
        Read-only, in time order.
    columns : tuple of str
    step : str
        What one time step is ("day", "year", "roll", "eruption").
    states : tuple of str or None
        The true hidden state of each step, where it is known (the casino's dice).
    """

    name: str
    title: str
    description: str
    values: NDArray[np.float64]
    columns: tuple[str, ...]
    step: str
    states: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64)
        values.setflags(write=False)
        object.__setattr__(self, "values", values)


def _read(name: str) -> NDArray[np.float64]:
    text = (files("em_models.hmm") / "data" / name).read_text(encoding="utf-8")
    rows = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    return np.array(rows, dtype=np.float64)


def simulate_casino(
    n_rolls: int = CASINO_ROLLS, seed: int = CASINO_SEED
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rolls (faces 1–6) and dice (0 fair, 1 loaded) of the casino, starting with the fair die."""
    rng = np.random.default_rng(seed)
    rolls = np.empty(n_rolls, dtype=np.intp)
    dice = np.empty(n_rolls, dtype=np.intp)
    die = 0
    for t in range(n_rolls):
        dice[t] = die
        rolls[t] = 1 + rng.choice(6, p=CASINO_FACES[die])
        die = int(rng.choice(2, p=CASINO_TRANSMAT[die]))
    return rolls, dice


@cache
def load_sequence(name: str) -> SequenceDataset:
    """One of :data:`SEQUENCES` by name."""
    if name not in SEQUENCES:
        raise ValueError(f"No sequence named {name!r}; choose one of {', '.join(SEQUENCES)}.")
    return SEQUENCES[name]()


def _ice_cream() -> SequenceDataset:
    return SequenceDataset(
        "ice_cream",
        "Ice creams eaten, 33 summer days",
        "Jason Eisner's spreadsheet example: how many ice creams (1, 2 or 3) someone ate each "
        "day; the hidden state is the weather, cold or hot.",
        _read("icecream.txt"),
        ("ice creams",),
        "day",
    )


def _earthquakes() -> SequenceDataset:
    table = _read("earthquakes.txt")
    return SequenceDataset(
        "earthquakes",
        "Major earthquakes per year, 1900–2006",
        "How many earthquakes of magnitude 7 or more the world had each year (USGS, as "
        "printed by Zucchini and MacDonald): calm and active periods that last for years.",
        table[:, 1:],
        ("earthquakes",),
        "year",
    )


def _casino() -> SequenceDataset:
    table = _read("casino.txt")
    return SequenceDataset(
        "casino",
        f"The occasionally dishonest casino ({table.shape[0]} rolls)",
        "A casino mostly rolls a fair die but now and then switches to a loaded one that shows "
        "six half the time; the hidden state is the die. Simulated, so the true dice are known.",
        table[:, :1],
        ("roll",),
        "roll",
        tuple(CASINO_STATES[int(d)] for d in table[:, 1]),
    )


def _geyser() -> SequenceDataset:
    record = load_dataset("geyser")
    return SequenceDataset(
        "geyser",
        "Old Faithful, 299 eruptions in order",
        "How long each eruption lasted and how long it was waited for, in minutes, in the "
        "order they happened: a short eruption is nearly always followed by a long one.",
        record.values,
        record.columns,
        "eruption",
    )


SEQUENCES = {
    "ice_cream": _ice_cream,
    "casino": _casino,
    "earthquakes": _earthquakes,
    "geyser": _geyser,
}
