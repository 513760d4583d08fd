"""Factor analysis in the stepping view: the :class:`em_viz.view.StepView` of a run.

The chart is :func:`em_models.fa.figures.factor_figure`; half-steps are EM's
(:mod:`em_viz.halfstep`); the step buttons speak of factor scores, loadings and Ψ
(:data:`BUTTON_HELP`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from em_core import Trace
from em_models.fa import figures, text
from em_models.fa.engine import communalities
from em_viz.chart_text import chart_text, metric_text, row_texts
from em_viz.figures_common import as_features
from em_viz.halfstep import button_kind, half_step, half_steps, n_half_steps
from em_viz.loglik import tolerance_note
from em_viz.number_formats import key_numbers
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

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
TABS = ("Parameters", "Factor scores", "Formulas with these numbers")
BUTTON_HELP = {
    "e": "Expectation: compute each point's expected factor scores E[zₙ] from the current "
    "loadings W and noise variances Ψ. W and Ψ stay; the points move.",
    "m": "Maximisation: re-estimate W and Ψ from those scores: the loadings turn and stretch, "
    "and each ψᵢ becomes what they leave unexplained of its variable. The scores stay.",
}
# A variable whose ψ is below this share of its variance is said to head for a Heywood case.
NEAR_HEYWOOD = 0.05


def minus(value: float, spec: str = ".4f") -> str:
    return f"{value:{spec}}".replace("-", "−")


class FAView:
    """What the stepping view draws and writes for a factor-analysis run.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the trace was fitted to, as given.
    trace : Trace
        A run of :class:`em_models.fa.engine.FactorAnalysis`.
    column_names : sequence of str
        The variables' names, shown literally.
    labels : sequence of str, optional
        A known group per row, to colour the points; not fitted.
    """

    slider_help = "Drag to any recorded half-step. Each iteration is an E-step then an M-step."
    button_phases = (ButtonPhase(0, BUTTON_HELP),)
    tabs = TABS

    def __init__(
        self,
        X: ArrayLike,
        trace: Trace,
        *,
        column_names: Sequence[str],
        labels: Sequence[str] | None = None,
    ) -> None:
        self.X = as_features(X)
        self.trace = trace
        self.column_names = tuple(str(c) for c in column_names)
        self.labels = labels
        self.n_factors = figures.fa_params(trace, 0).n_factors
        self.n_half_steps = n_half_steps(trace)

    @cached_property
    def button_kinds(self) -> tuple[ButtonKind | None, ...]:
        return tuple(button_kind(half) for half in half_steps(self.trace))

    @cached_property
    def run_key(self) -> str:
        """The run's fingerprint: its data's shape, every ℓ, its start and its settings."""
        start = figures.fa_params(self.trace, 0)
        parts = [
            repr(("fa", self.X.shape, self.trace.tol, self.trace.max_iter)).encode(),
            self.trace.log_likelihoods.tobytes(),
            start.loadings.tobytes(),
            start.noise_variances.tobytes(),
        ]
        return hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()

    @cached_property
    def chart_key(self) -> str:
        parts = [self.run_key, repr(self.column_names), *(self.labels or ())]
        return hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=12).hexdigest()

    @cached_property
    def fitted(self) -> np.ndarray:
        """The data as fitted (standardised)."""
        start = figures.fa_params(self.trace, 0)
        return text.fitted_data(self.X, start, self.trace.model.standardise)

    def label(self, h: int) -> str:
        return half_step(self.trace, h).label

    def figure(self, h: int, *, narrow: bool) -> go.Figure:
        return figures.factor_figure(
            self.X, self.trace, h, column_names=self.column_names, labels=self.labels, narrow=narrow
        )

    def summary(self, h: int) -> Summary:
        half = half_step(self.trace, h)
        t = half.params_index
        notes = [self._heywood_note(t)] if self._heywood_note(t) else []
        if h == self.n_half_steps - 1:
            notes.append(self._end_note())
        return Summary(
            self._metric(t),
            text.describe(half, self.n_factors),
            tuple(notes),
            tolerance_note(self.trace, t),
        )

    def _metric(self, t: int) -> Metric:
        """ℓ(θ_t) and its change."""
        delta = likelihood_delta_text(self.trace, t)
        rounding = delta is not None and not delta.startswith(("+", "-"))
        return Metric(
            f"Log-likelihood ℓ(θ{t})".translate(SUBSCRIPTS),
            minus(self.trace.snapshots[t].log_likelihood),
            delta=delta,
            delta_color="off" if rounding else "normal",
            help="ℓ(θ) = Σₙ log N(xₙ | μ, WWᵀ + Ψ), the log of the probability of all the "
            "(standardised) data under the parameters drawn.",
        )

    def describe(self, h: int) -> str:
        """The chart's text alternative: ℓ, and each variable's loadings, ψ and communality
        as the Parameters tab writes them."""
        t = half_step(self.trace, h).params_index
        metric = self._metric(t)
        table = text.parameter_table(figures.fa_params(self.trace, t), self.column_names)
        rows = row_texts(table, "variable")
        headline = [metric_text(metric.label, metric.value)]
        return chart_text(self.label(h), headline, rows, total=len(table), plural="variables")

    def _heywood_note(self, t: int) -> Note | None:
        """A warning when some ψᵢ has fallen below NEAR_HEYWOOD of its variable's variance."""
        psi = figures.fa_params(self.trace, t).noise_variances
        share = psi / np.var(self.fitted, axis=0)
        i = int(np.argmin(share))
        if share[i] >= NEAR_HEYWOOD:
            return None
        return Note(
            "warning",
            f"ψ of {self.column_names[i]} is {psi[i]:.3g}, {share[i]:.1%} of its variance: "
            "the factors explain almost all of it. This is heading for a Heywood case (see "
            "below the chart).",
        )

    def _end_note(self) -> Note:
        if self.trace.failed:
            return Note("error", self.trace.message)
        return Note("info", self.trace.message)

    def numbers(self, h: int) -> pd.DataFrame:
        params = figures.fa_params(self.trace, half_step(self.trace, h).params_index)
        return key_numbers(text.parameter_table(params, self.column_names))

    def picks(self, tab: str, h: int) -> Sequence[Pick]:
        half = half_step(self.trace, h)
        if tab != TABS[2]:
            return []
        if half.kind == "E":
            return [Pick("point", "Point number n", 1, self.X.shape[0])]
        if half.kind == "M":
            return [Pick("variable", "Variable", 1, len(self.column_names), noun="variable")]
        return []

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> Sequence[Block]:
        half = half_step(self.trace, h)
        params = figures.fa_params(self.trace, half.params_index)
        if tab == TABS[0]:
            return [
                Table(text.parameter_table(params, self.column_names)),
                Caption(
                    "w1 … are each variable's loadings (a row of W), ψ its noise variance, and "
                    "the communality the share of its modelled variance the factors explain, "
                    f"Σₖ wₖ² / (Σₖ wₖ² + ψ). Largest communality here: "
                    f"{communalities(params).max():.4f}. The columns are standardised, so "
                    "μ = 0."
                ),
            ]
        if tab == TABS[1]:
            z = None
            if half.resp_index is not None:
                z = figures.factor_scores(self.X, self.trace)(half.resp_index)
            caption = (
                "No E-step has run yet, so no point has scores."
                if z is None
                else f"E[z] from E-step {half.resp_index + 1}, with θ{half.resp_index}."
            )
            return [
                Table(text.scores_table(z, self.X.shape[0], self.n_factors)),
                Caption(caption.translate(SUBSCRIPTS)),
            ]
        return self._formulas(half, chosen)

    def _formulas(self, half, chosen: Mapping[str, int]) -> list[Block]:
        if half.kind == "start":
            return [
                Text(
                    "No E-step has run yet. Step to E-step 1 to see a point's expected "
                    "factor scores E[zₙ] computed with these numbers."
                )
            ]
        if half.kind == "E":
            n = int(chosen["point"]) - 1
            params = figures.fa_params(self.trace, half.params_index)
            return [
                Heading(f"{half.label}: the expected factor scores of one point"),
                PickRow(("point",)),
                Latex(text.e_step_formula(self.fitted[n], params, n)),
            ]
        i = int(chosen["variable"]) - 1
        before = figures.fa_params(self.trace, half.resp_index)
        after = figures.fa_params(self.trace, half.params_index)
        w_formula, psi_formula = text.m_step_formulas(self.fitted, before, after, i)
        return [
            Heading(f"{half.label}: W from the sums of E-step {half.params_index}"),
            Latex(w_formula),
            Heading(f"then ψ of variable {i + 1} with the new W"),
            PickRow(("variable",)),
            Note("info", f"Variable {i + 1} is {self.column_names[i]}."),
            Latex(psi_formula),
        ]
