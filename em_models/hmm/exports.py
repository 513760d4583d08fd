"""What a run of the hidden Markov model exports: its trace as JSON (the format of
``python -m em_core fit --model hmm``), the final parameters and each step's state
probabilities γ with Viterbi's state as CSV (numbers only, as the mixture's:
:mod:`em_viz.exports`), and the animation as HTML.

Pure: data and traces in, strings and :class:`em_viz.exports.ExportFile` entries out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_core.trace_json import dumps
from em_models.hmm import trace as trace_file
from em_models.hmm.emissions import CategoricalEmissions, PoissonEmissions
from em_models.hmm.sequences import Sequences
from em_models.hmm.viterbi import posterior_states, viterbi
from em_models.mixture.gaussian import to_full
from em_viz.exports import ANIMATION_HELP, ExportFile, csv_text, figure_html, header_name

CAPTION = (
    "Each file is made when you press its button. The JSON file is what "
    "`python -m em_core fit FILE --model hmm` writes; Open a prepared run opens mixture "
    "runs only. The chart's own tool bar (top right of the chart) saves it as a PNG."
)


def files(
    data: Sequences | ArrayLike,
    trace: Trace,
    *,
    columns: tuple[str, ...],
    symbols: Sequence[float] | None = None,
    figure: Callable[[], go.Figure],
) -> list[ExportFile]:
    """The run's files. ``data`` are the observations the engine fitted (categorical: the
    symbols' codes, ``symbols`` the value each stands for); ``figure()`` is the view's
    chart from the start of the run."""
    title = f"EM for a hidden Markov model: K = {trace.final.params.n_states}"
    return [
        ExportFile(
            "Trace (JSON)",
            lambda: dumps(trace_file.write(trace, data, columns, symbols=symbols)),
            "em-hmm-run.json",
            "json",
        ),
        ExportFile(
            "Final parameters (CSV)",
            lambda: parameters_csv(trace, columns, symbols=symbols),
            "em-hmm-parameters.csv",
            "parameters",
        ),
        ExportFile(
            "State probabilities (CSV)",
            lambda: states_csv(data, trace, columns, symbols=symbols),
            "em-hmm-states.csv",
            "states",
            "Each step's state probabilities γ under the final parameters, its most likely "
            "state, and its state on Viterbi's most likely path.",
        ),
        ExportFile(
            "Animation (HTML)",
            lambda: figure_html(figure(), title),
            "em-hmm-animation.html",
            "html",
            ANIMATION_HELP,
        ),
    ]


def _symbol_names(n: int, symbols: Sequence[float] | None) -> list[str]:
    values = range(n) if symbols is None else symbols
    return [f"{float(v):.17g}" for v in values]


def emission_columns(
    trace: Trace, column_names: Sequence[str], symbols: Sequence[float] | None
) -> tuple[list[str], NDArray[np.float64]]:
    """The final emissions' headers and their values, one row per state."""
    em = trace.final.params.emissions
    names = [header_name(c) for c in column_names]
    if isinstance(em, CategoricalEmissions):
        header = [f"p(symbol {s})" for s in _symbol_names(em.probs.shape[1], symbols)]
        return header, em.probs
    if isinstance(em, PoissonEmissions):
        return [f"rate of {n}" for n in names], em.rates
    d = em.means.shape[1]
    full = to_full(em.covariances, em.covariance_type, *em.means.shape)
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    header = [
        *[f"mean of {n}" for n in names],
        *[f"variance of {n}" for n in names],
        *[f"covariance of {names[i]} and {names[j]}" for i, j in pairs],
    ]
    values = np.column_stack(
        [em.means, np.diagonal(full, axis1=1, axis2=2), *[full[:, i, j] for i, j in pairs]]
    )
    return header, values


def parameters_csv(
    trace: Trace, column_names: Sequence[str], *, symbols: Sequence[float] | None = None
) -> str:
    """The final parameters, one row per state: π, its row of A, its end probability (with
    an end state) and its emission parameters. Every header starts with a word of ours."""
    params = trace.final.params
    K = params.n_states
    header, emissions = emission_columns(trace, column_names, symbols)
    end = [] if params.endprob is None else [params.endprob]
    rows = np.column_stack(
        [np.arange(1, K + 1), params.startprob, params.transmat, *end, emissions]
    )
    return csv_text(
        [
            "state",
            "start probability",
            *[f"transition to state {k + 1}" for k in range(K)],
            *(["end probability"] if end else []),
            *header,
        ],
        rows,
    )


def states_csv(
    data: Sequences | ArrayLike,
    trace: Trace,
    column_names: Sequence[str],
    *,
    symbols: Sequence[float] | None = None,
) -> str:
    """Each observation with its values, γ_t(k) under the final parameters (the E-step the engine
    ran on them last), the most likely state and Viterbi's state (states from 1); with
    several sequences, each step's sequence (from 1) after them."""
    model, params = trace.model, trace.final.params
    hmm_data = model.prepare(data)
    fb = model.forward_backward(hmm_data, params)
    path = viterbi(model, hmm_data, params).states
    X = hmm_data.X
    if model.family.kind == "categorical" and symbols is not None:
        X = np.asarray(symbols, dtype=np.float64)[X[:, 0].astype(np.intp)][:, None]
    K = params.n_states
    lengths = hmm_data.lengths
    several = len(lengths) > 1
    header = [
        "observation",
        *[f"value of {header_name(c)}" for c in column_names],
        *[f"probability of state {k + 1}" for k in range(K)],
        "most likely state",
        "Viterbi state",
        *(["sequence"] if several else []),
    ]
    extra = [np.repeat(np.arange(1, len(lengths) + 1), lengths)] if several else []
    rows = np.column_stack(
        [
            np.arange(1, X.shape[0] + 1),
            X,
            fb.gamma,
            posterior_states(fb.gamma) + 1,
            path + 1,
            *extra,
        ]
    )
    return csv_text(header, rows, data_columns=X.shape[1])
