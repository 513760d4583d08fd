"""The hidden Markov model in the stepping view: :class:`HMMView` implements
:class:`em_viz.view.StepView` for a Baum–Welch run.

The chart (:mod:`em_models.hmm.figures`) shows a window of the trellis, A and the emissions
and ℓ; under it ℓ with p(data), one sentence per half-step and the run's notes; the tabs
give the window's numbers (the chart's text alternative), the formulas with the numbers of
the snapshot on screen, and the parameters. Half-steps are EM's (:mod:`em_viz.halfstep`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from em_core.em import Trace
from em_models.hmm import formulas, text
from em_models.hmm.engine import HMMData
from em_models.hmm.figures import ChartSpec, Scan, step_figure
from em_models.hmm.sequences import Sequences
from em_models.hmm.window import (
    DEFAULT_LENGTH,
    POSTERIORS,
    WindowPosteriors,
    make_window,
)
from em_viz.chart_text import chart_text, metric_text, row_texts
from em_viz.colors import component_colors
from em_viz.halfstep import HalfStep, button_kind, half_step, half_steps, m_step_source
from em_viz.loglik import explain_decrease, tolerance_note
from em_viz.status import likelihood_delta_text
from em_viz.view import (
    Block,
    ButtonKind,
    ButtonPhase,
    Caption,
    Heading,
    Latex,
    Metric,
    Note,
    Pick,
    PickRow,
    Summary,
    Table,
    Text,
)

TRELLIS, FORMULAS, PARAMETERS = "Trellis", "Formulas with these numbers", "Parameters"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class HMMView:
    """What the stepping view draws and writes for a hidden Markov model's run.

    Parameters
    ----------
    X : array-like of shape (n_observations,) or (n_observations, n_features)
        The observations the trace was fitted to (categorical: symbols 0 … M − 1).
    trace : Trace
        A run of :class:`em_models.hmm.engine.HMM`.
    lengths : sequence of int, optional
        The sequences' lengths, as given to the fit.
    state_names : sequence of str, optional
        A name per state ("cold", "hot"); shown after the state's number.
    symbols : sequence of str, optional
        How the categorical symbols 0 … M − 1 are written ("1", "2", "3" ice creams).
    column_names : sequence of str, optional
    step : str
        What one step is ("day", "roll").
    window_start : int
        The window's first step, from 1.
    window_length : int
        How many steps the trellis shows (5 to 60).
    scan : ("forward" or "backward", step from 1), optional
        Show E-steps part-way through a pass: α̂ up to that step (forward), or β̂, γ and
        ξ from that step on (backward).
    present : bool
        Presenter mode: the chart's tables have room for their numbers at a projector's size.
    """

    tabs = (TRELLIS, FORMULAS, PARAMETERS)
    slider_help = "Drag to any recorded half-step. Each iteration is an E-step then an M-step."
    button_phases = (ButtonPhase(0, text.BUTTON_HELP),)

    def __init__(
        self,
        X: ArrayLike,
        trace: Trace,
        *,
        lengths: Sequence[int] | None = None,
        state_names: Sequence[str] | None = None,
        symbols: Sequence[str] | None = None,
        column_names: Sequence[str] | None = None,
        step: str = "step",
        window_start: int = 1,
        window_length: int = DEFAULT_LENGTH,
        scan: tuple[str, int] | None = None,
        present: bool = False,
    ) -> None:
        self.X = np.asarray(X, dtype=np.float64)
        if self.X.ndim == 1:
            self.X = self.X[:, None]
        self.trace = trace
        self.lengths = None if lengths is None else tuple(int(n) for n in lengths)
        self.K = trace.final.params.n_states
        component_colors(self.K)  # raises when there are too many states to colour
        names = state_names or [""] * self.K
        if len(names) != self.K:
            raise ValueError(f"{len(names)} state names for {self.K} states.")
        self.state_names = tuple(f"{k} {n}".strip() for k, n in enumerate(names, start=1))
        self.kind = trace.model.family.kind
        self.symbols = tuple(symbols) if symbols else self._default_symbols()
        self.column_names = tuple(column_names or (f"x{i + 1}" for i in range(self.X.shape[1])))
        self.step = step
        self.window = make_window(self.X.shape[0], window_start - 1, window_length)
        self.scan: Scan | None = None if scan is None else (scan[0], int(scan[1]) - 1)
        if self.scan is not None and self.scan[1] not in self.window.steps:
            raise ValueError(
                f"The pass can stop at {step}s {self.window.start + 1} to {self.window.stop} "
                f"(the window on screen); got {scan[1]}."
            )
        self.n_half_steps = 2 * trace.n_iter + 2
        self.present = present

    def _default_symbols(self) -> tuple[str, ...] | None:
        if self.kind != "categorical":
            return None
        return tuple(str(v) for v in range(self.trace.model.family.n_symbols))

    # -----------------------------------------------------------------------------------
    # Identity and data

    @cached_property
    def data(self) -> HMMData:
        return self.trace.model.prepare(Sequences(self.X, self.lengths))

    @cached_property
    def run_key(self) -> str:
        """The run's fingerprint: data's shape, settings, every ℓ, first and last θ."""
        trace = self.trace
        parts = [
            repr((self.X.shape, self.lengths, self.kind, trace.tol, trace.max_iter)).encode(),
            trace.log_likelihoods.tobytes(),
        ]
        for snapshot in (trace.snapshots[0], trace.final):
            params = snapshot.params
            parts += [params.startprob.tobytes(), params.transmat.tobytes()]
        return hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()

    @cached_property
    def chart_key(self) -> str:
        """The run, the window, the scan and the names drawn."""
        parts = (self.run_key, self.window, self.scan, self.state_names, self.symbols)
        parts += (self.present,)
        return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()

    @cached_property
    def button_kinds(self) -> tuple[ButtonKind | None, ...]:
        return tuple(button_kind(half) for half in half_steps(self.trace))

    def label(self, h: int) -> str:
        return half_step(self.trace, h).label

    def posteriors(self, t: int, window=None) -> WindowPosteriors:
        """The E-step of snapshot t, kept for ``window`` (default: the chart's)."""
        return POSTERIORS.get(self.trace, self.data, t, window or self.window)

    # -----------------------------------------------------------------------------------
    # The chart and what is under it

    def observation_text(self, t: int) -> str:
        """x_t (t from 0) as the page writes it."""
        row = self.X[t]
        if self.kind == "categorical":
            return self.symbols[int(row[0])]
        return ", ".join(f"{v:.3g}" for v in row)

    def _short_observation(self, t: int) -> str:
        if self.kind == "gaussian":
            return f"{self.X[t, 0]:.2g}"
        return self.observation_text(t)

    @cached_property
    def spec(self) -> ChartSpec:
        return ChartSpec(
            window=self.window,
            observations=[self._short_observation(t) for t in self.window.steps],
            state_names=self.state_names,
            symbols=self.symbols,
            step=self.step,
            n_observations=self.X.shape[0],
            first_steps=frozenset(self.data.layout.starts.tolist()),
            values=self.X,
            column_names=self.column_names,
            scan=self.scan,
            present=self.present,
        )

    def figure(self, h: int, *, narrow: bool) -> go.Figure:
        return step_figure(self.trace, h, self.spec, self.posteriors, narrow=narrow)

    def summary(self, h: int) -> Summary:
        half = half_step(self.trace, h)
        t = half.params_index
        value = self.trace.snapshots[t].log_likelihood
        sentence = text.describe(half) + " " + text.probability_sentence(value, t)
        caption = tolerance_note(self.trace, t).replace(" points", " observations")
        return Summary(self._metric(t), sentence, tuple(self._notes(half)), caption)

    def _metric(self, t: int) -> Metric:
        """ℓ(θ_t) and its change."""
        delta = likelihood_delta_text(self.trace, t)
        rounding = delta is not None and not delta.startswith(("+", "-"))
        return Metric(
            f"Log-likelihood ℓ(θ{t})".translate(SUBSCRIPTS),
            f"{self.trace.snapshots[t].log_likelihood:.4f}".replace("-", "−"),
            delta,
            "off" if rounding else "normal",
            text.LIKELIHOOD_HELP,
        )

    def describe(self, h: int) -> str:
        """The chart's text alternative: ℓ, and each state's π, row of A and emissions as
        the Parameters tab writes them."""
        metric = self._metric(half_step(self.trace, h).params_index)
        rows = row_texts(self.numbers(h), "state")
        headline = [metric_text(metric.label, metric.value)]
        return chart_text(self.label(h), headline, rows, total=self.K, plural="states")

    def _notes(self, half: HalfStep) -> list[Note]:
        trace = self.trace
        notes = []
        if trace.failed:
            notes.append(Note("error", trace.message))
        elif half.index == self.n_half_steps - 1:
            notes.append(Note("success" if trace.converged else "info", trace.message))
        for t in range(1, half.params_index + 1):
            if t in self._decreases:
                notes.append(Note("warning", explain_decrease(trace, t)))
        return notes

    @cached_property
    def _decreases(self) -> frozenset[int]:
        from em_core.likelihood_change import decreases

        return frozenset(decreases(self.trace))

    def numbers(self, h: int) -> pd.DataFrame:
        params = self.trace.snapshots[half_step(self.trace, h).params_index].params
        return text.numbers_table(params, self.state_names, self.symbols, self.column_names)

    # -----------------------------------------------------------------------------------
    # Tabs

    def picks(self, tab: str, h: int) -> Sequence[Pick]:
        if tab != FORMULAS:
            return []
        n = self.X.shape[0]
        return [
            Pick("day", f"{self.step.capitalize()} t", 1, n),
            Pick("state_j", "State j", 1, self.K, noun="state"),
            Pick("state_k", "State k", 1, self.K, noun="state"),
        ]

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> Sequence[Block]:
        half = half_step(self.trace, h)
        if tab == TRELLIS:
            return self._trellis_tab(half)
        if tab == PARAMETERS:
            return self._parameters_tab(half)
        return self._formulas_tab(half, chosen)

    def trellis_table(self, half: HalfStep) -> pd.DataFrame | None:
        """The window's numbers: x_t, then α̂, β̂ and γ of each state (None before any
        E-step): the chart's text alternative."""
        if half.resp_index is None:
            return None
        post = self.posteriors(half.resp_index)
        table: dict[str, list[str]] = {
            self.step: [str(t + 1) for t in self.window.steps],
            "x": [self.observation_text(t) for t in self.window.steps],
        }
        for name, values in (("α̂", post.alpha), ("β̂", post.beta), ("γ", post.gamma)):
            for k in range(self.K):
                table[f"{name}({k + 1})"] = [f"{v:.6g}" for v in values[:, k]]
        table["c"] = [f"{v:.6g}" for v in post.scale]
        return pd.DataFrame(table)

    def _trellis_tab(self, half: HalfStep) -> list[Block]:
        table = self.trellis_table(half)
        if table is None:
            return [Text("No E-step has run yet: step to E-step 1 to fill the trellis.")]
        source = f"E-step {half.resp_index + 1}, from θ{half.resp_index}".translate(SUBSCRIPTS)
        return [
            Table(table),
            Caption(
                f"{source}: α̂ₜ(k) = p(zₜ = k | x₁ … xₜ); β̂ₜ(k) is scaled so that Σₖ α̂ₜ(k) "
                "β̂ₜ(k) = 1; γₜ(k) = α̂ₜ(k) β̂ₜ(k) = p(zₜ = k | all the data); cₜ = p(xₜ | "
                f"x₁ … xₜ₋₁). {self.step.capitalize()}s {self.window.start + 1}–"
                f"{self.window.stop} of {self.X.shape[0]:,}."
            ),
        ]

    def _parameters_tab(self, half: HalfStep) -> list[Block]:
        params = self.trace.snapshots[half.params_index].params
        blocks: list[Block] = [
            Table(text.numbers_table(params, self.state_names, self.symbols, self.column_names))
        ]
        if half.kind == "M":
            counts = self.trace.snapshots[half.params_index].stats
            blocks += [Heading("The expected counts this M-step used"), Table(self._counts(counts))]
        return blocks

    def _counts(self, counts) -> pd.DataFrame:
        table = {
            "state j": list(self.state_names),
            "Σγ (visits)": [f"{v:.6g}" for v in counts.occupancy],
            "γ on the first step": [f"{v:.6g}" for v in counts.starts],
        }
        for k in range(self.K):
            table[f"Σξ (j → {k + 1})"] = [f"{v:.6g}" for v in counts.transitions[:, k]]
        if counts.ends is not None:
            table["γ on the last step"] = [f"{v:.6g}" for v in counts.ends]
        return pd.DataFrame(table)

    def day_numbers(self, t_params: int, t: int) -> formulas.DayNumbers:
        """What the E-step formulas of step t (from 0) use, at snapshot ``t_params``."""
        n = self.X.shape[0]
        window = make_window(n, max(t - 2, 0), 5)
        post = self.posteriors(t_params, window)
        i = t - window.start
        params = self.trace.snapshots[t_params].params
        first = t in self.data.layout.starts
        last = t in self.data.layout.ends
        rows = np.arange(t, min(t + 2, n))
        family = self.trace.model.family
        b = np.exp(family.log_prob(family.prepare(self.X[rows]), params.emissions))
        return formulas.DayNumbers(
            t=t,
            x=self.observation_text(t),
            b=b[0],
            alpha=post.alpha[i],
            beta=post.beta[i],
            gamma=post.gamma[i],
            scale=float(post.scale[i]),
            alpha_prev=None if first else post.alpha[i - 1],
            b_next=None if last else b[1],
            beta_next=None if last else post.beta[i + 1],
            scale_next=None if last else float(post.scale[i + 1]),
        )

    def _formulas_tab(self, half: HalfStep, chosen: Mapping[str, int]) -> list[Block]:
        t, j, k = chosen["day"] - 1, chosen["state_j"] - 1, chosen["state_k"] - 1
        blocks: list[Block] = [Heading(f"E-step for one {self.step}"), PickRow(("day",))]
        params_t = half.params_index if half.kind != "M" else half.resp_index
        if half.kind == "start":
            blocks.append(Caption("No E-step has run yet; these are the numbers E-step 1 gives."))
        day = self.day_numbers(params_t, t)
        params = self.trace.snapshots[params_t].params
        blocks += [
            Caption(f"x{_sub(t + 1)} = {day.x}, with θ{_sub(params_t)}."),
            Latex(formulas.scale_formula(day, params)),
            PickRow(("state_j", "state_k")),
            Latex(formulas.alpha_formula(day, params, k)),
            Latex(formulas.beta_formula(day, params, k)),
            Latex(formulas.gamma_formula(day, k)),
        ]
        xi = formulas.xi_formula(day, params, j, k)
        if xi is None:
            blocks.append(
                Caption(f"No transition enters {self.step} {t + 1}: it starts its sequence.")
            )
        else:
            blocks.append(Latex(xi))
        return [*blocks, *self._m_step_blocks(half, j, k)]

    def _m_step_blocks(self, half: HalfStep, j: int, k: int) -> list[Block]:
        source = m_step_source(half)
        if source + 1 >= len(self.trace.snapshots):
            return [Note("info", "The run ends here: there is no further M-step to write out.")]
        snapshot = self.trace.snapshots[source + 1]
        counts, after = snapshot.stats, snapshot.params
        lines = [
            formulas.transition_formula(counts, after, j, k),
            formulas.end_formula(counts, after, j),
            formulas.start_formula(counts, after, k),
            *formulas.emission_formulas(
                counts, after, k, self.symbols, ridge=self.trace.model.penalised
            ),
        ]
        return [
            Heading(f"M-step {source + 1}: from the expected counts of E-step {source + 1}"),
            *(Latex(line) for line in lines if line is not None),
            Caption(
                f"θ{_sub(source)} → θ{_sub(source + 1)}; the sums run over every step of every "
                "sequence."
            ),
        ]


def _sub(t: int) -> str:
    return str(t).translate(SUBSCRIPTS)
