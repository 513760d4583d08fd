"""The data of a hidden Markov model: one or several sequences of observations.

Several sequences are held as hmmlearn holds them: the observations of all of them one after
the other in ``X``, and ``lengths``, how many belong to each, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core.em import as_data


@dataclass(frozen=True, eq=False)
class Sequences:
    """Sequences of observations, concatenated.

    Attributes
    ----------
    X : array-like of shape (n_observations,) or (n_observations, n_features)
        Every sequence's observations, one after the other.
    lengths : sequence of int, optional
        How many observations each sequence has, in order; they add up to
        ``n_observations``. None means one sequence.
    """

    X: ArrayLike
    lengths: ArrayLike | None = None


def as_sequences(data: Sequences | ArrayLike) -> tuple[NDArray[np.float64], tuple[int, ...]]:
    """Check the data and return the observations, shape (n_observations, n_features), and the
    sequences' lengths. An array (not :class:`Sequences`) is one sequence.

    Raises
    ------
    ValueError
        With a sentence saying what is wrong.
    """
    if not isinstance(data, Sequences):
        data = Sequences(data)
    X = as_data(data.X)
    if data.lengths is None:
        return X, (X.shape[0],)
    lengths = np.asarray(data.lengths)
    if lengths.ndim != 1 or lengths.size == 0:
        raise ValueError("lengths must list how many observations each sequence has.")
    if not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must be whole numbers; got {lengths.tolist()!r}.")
    if lengths.min() < 1:
        raise ValueError(
            f"Every sequence needs at least one observation; lengths has {lengths.min()}."
        )
    if int(lengths.sum()) != X.shape[0]:
        raise ValueError(
            f"The lengths add up to {int(lengths.sum())} observations, but the data have "
            f"{X.shape[0]}; give one length per sequence, adding up to the number of rows."
        )
    return X, tuple(int(n) for n in lengths)
