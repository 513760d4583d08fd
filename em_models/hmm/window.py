"""What the E-step computed, kept for a window of time: the trellis a page can show.

A sequence of thousands of steps cannot show every column, so the view draws a window of
about 30–40 steps. :func:`window_posteriors` runs the engine's own E-step on the whole data
(α̂ at the window's first step depends on everything before it, β̂ at its last on everything
after) and keeps only the window's columns: α̂_t(k), β̂_t(k), γ_t(k), c_t, and ξ_t(j, k) for
the edges inside the window. :class:`PosteriorCache` keeps these small pieces per run, so a
figure with a frame for every iteration runs each E-step once per run and window.

Names as in :mod:`em_models.hmm.forward_backward`; t counts from 0 here and from 1 on screen.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_core.em import Trace
from em_models.hmm.engine import HMM, HMMData
from em_models.hmm.forward_backward import ForwardBackward, xi_at
from em_models.hmm.params import HMMParams

DEFAULT_LENGTH = 36
MIN_LENGTH, MAX_LENGTH = 5, 60
# Windows kept per run (each a few kB).
CACHE_ENTRIES = 512


@dataclass(frozen=True)
class Window:
    """Steps ``start`` … ``stop − 1`` (from 0) of the concatenated observations."""

    start: int
    stop: int

    @property
    def steps(self) -> range:
        return range(self.start, self.stop)

    def __len__(self) -> int:
        return self.stop - self.start


def make_window(n_observations: int, start: int = 0, length: int = DEFAULT_LENGTH) -> Window:
    """The window of ``length`` steps (within ``MIN_LENGTH`` … ``MAX_LENGTH``) from ``start``
    (from 0), moved left where it would run past the end; the whole sequence when shorter."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(
            f"A window shows {MIN_LENGTH} to {MAX_LENGTH} steps; {length} were asked for."
        )
    if not 0 <= start < n_observations:
        raise ValueError(
            f"The window must start at a step from 1 to {n_observations}; got {start + 1}."
        )
    length = min(length, n_observations)
    start = min(start, n_observations - length)
    return Window(start, start + length)


@dataclass(frozen=True, eq=False)
class WindowPosteriors:
    """The E-step of one parameter set θ_t, kept for the window's steps.

    Attributes
    ----------
    window : Window
    alpha, beta, gamma : arrays of shape (len(window), n_states)
        α̂_t(k), β̂_t(k), γ_t(k).
    scale : array of shape (len(window),)
        c_t = p(x_t | x_1 … x_{t−1}).
    xi : array of shape (len(window), n_states, n_states)
        ξ_t(j, k) = p(z_{t−1} = j, z_t = k | x) for the edge into step t; zeros at the
        window's first step and where a sequence starts (no edge enters it).
    log_likelihood : float
    """

    window: Window
    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    scale: NDArray[np.float64]
    xi: NDArray[np.float64]
    log_likelihood: float


def keep_window(
    fb: ForwardBackward, params: HMMParams, data: HMMData, window: Window
) -> WindowPosteriors:
    """The window's part of a forward–backward pass ``fb`` of ``params``."""
    rows = slice(window.start, window.stop)
    K = params.n_states
    xi = np.zeros((len(window), K, K))
    starts = set(data.layout.starts.tolist())
    for i, t in enumerate(window.steps):
        if i and t not in starts:
            xi[i] = xi_at(fb, params.transmat, t)
    return WindowPosteriors(
        window,
        fb.alpha[rows].copy(),
        fb.beta[rows].copy(),
        fb.gamma[rows].copy(),
        np.exp(fb.log_scale[rows]),
        xi,
        fb.log_likelihood,
    )


def window_posteriors(
    model: HMM, data: HMMData, params: HMMParams, window: Window
) -> WindowPosteriors:
    """Run the E-step of ``params`` on all of ``data`` and keep ``window`` of it."""
    fb = model.forward_backward(data, params)
    return keep_window(fb, params, data, window)


class PosteriorCache:
    """Window posteriors per run, snapshot and window, for as long as the run is alive
    (keyed by the trace object, which the store of fits keeps between reruns)."""

    def __init__(self) -> None:
        self._runs: weakref.WeakKeyDictionary[Trace, OrderedDict] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()  # sessions run in threads of one process

    def get(self, trace: Trace, data: HMMData, t: int, window: Window) -> WindowPosteriors:
        """The window posteriors of snapshot ``t`` of ``trace`` (fitted to ``data``)."""
        key = (t, window)
        with self._lock:
            kept = self._runs.setdefault(trace, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        value = window_posteriors(trace.model, data, trace.snapshots[t].params, window)
        with self._lock:
            kept[key] = value
            if len(kept) > CACHE_ENTRIES:
                kept.popitem(last=False)
        return value


POSTERIORS = PosteriorCache()
