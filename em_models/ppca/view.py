"""Probabilistic PCA in the stepping view: the :class:`em_viz.view.StepView` of a PPCA run.

Two columns with one latent dimension are drawn as points, their segments to the line and the
ellipses of WWᵀ + σ²I (:func:`em_models.ppca.figures.projection_figure`); more columns, with
two or more latent dimensions, as the points in the latent plane
(:func:`em_models.ppca.figures.latent_figure`).
Half-steps are EM's (:mod:`em_viz.halfstep`); the step buttons speak of latent coordinates
and of W, μ and σ² (:data:`BUTTON_HELP`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from em_core import Trace
from em_core.likelihood_change import flat_tolerance
from em_models.ppca import figures as ppca
from em_models.ppca.engine import closed_form, log_likelihood
from em_viz.chart_text import cell_text, chart_text, metric_text, row_texts
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
TABS = ("Parameters", "Latent coordinates", "Formulas with these numbers")
# What the E-step and M-step buttons do to probabilistic PCA (their tooltips).
BUTTON_HELP = {
    "e": "Expectation: compute each point's expected latent coordinates E[zₙ], and their "
    "covariance, from the current W, μ and σ². W, μ and σ² stay; the points' coordinates "
    "move.",
    "m": "Maximisation: re-estimate W, μ and σ² from those coordinates: W turns and "
    "stretches to fit them, μ is the data's mean, σ² what W leaves unexplained. The "
    "coordinates stay; W and σ² change.",
}


class PPCAView:
    """What the stepping view draws and writes for a probabilistic-PCA run.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the trace was fitted to.
    trace : Trace
        A run of :class:`em_models.ppca.engine.PPCA`: one latent dimension on two columns, or two or
        more latent dimensions.
    column_names : sequence of str, optional
        The data's column names, shown literally.
    labels : sequence of str, optional
        A known group per row (iris's species), to colour the latent plane; not fitted.
    """

    slider_help = "Drag to any recorded half-step. Each iteration is an E-step then an M-step."
    button_phases = (ButtonPhase(0, BUTTON_HELP),)
    tabs = TABS

    def __init__(
        self,
        X: ArrayLike,
        trace: Trace,
        *,
        column_names: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        self.X = as_features(X)
        self.trace = trace
        self.column_names = column_names
        self.labels = labels
        self.n_latent = ppca.ppca_params(trace, 0).n_latent
        if self.n_latent == 1 and self.X.shape[1] != 2:
            raise ValueError(
                "One latent dimension is drawn on two columns; with more columns choose q ≥ 2."
            )
        self.n_half_steps = n_half_steps(trace)

    @cached_property
    def button_kinds(self) -> tuple[ButtonKind | None, ...]:
        """Which step button reaches each half-step: EM's (see :mod:`em_viz.view`)."""
        return tuple(button_kind(half) for half in half_steps(self.trace))

    @cached_property
    def run_key(self) -> str:
        """The run's fingerprint: its data's shape, every ℓ, its start and its settings."""
        start = ppca.ppca_params(self.trace, 0)
        parts = [
            repr(("ppca", self.X.shape, self.trace.tol, self.trace.max_iter)).encode(),
            self.trace.log_likelihoods.tobytes(),
            start.loadings.tobytes(),
            repr(start.noise_variance).encode(),
        ]
        return hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()

    @cached_property
    def chart_key(self) -> str:
        """The run, the columns' names and the groups that colour the points."""
        parts = [self.run_key, repr(self.column_names), *(self.labels or ())]
        return hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=12).hexdigest()

    def label(self, h: int) -> str:
        return half_step(self.trace, h).label

    def figure(self, h: int, *, narrow: bool) -> go.Figure:
        if self.n_latent == 1:
            return ppca.projection_figure(
                self.X, self.trace, h, column_names=self.column_names, narrow=narrow
            )
        return ppca.latent_figure(self.X, self.trace, h, labels=self.labels, narrow=narrow)

    @cached_property
    def best_log_likelihood(self) -> float:
        """ℓ at its maximum, from the closed form: where EM is heading."""
        return log_likelihood(self.X, closed_form(self.X, self.n_latent))

    def summary(self, h: int) -> Summary:
        half = half_step(self.trace, h)
        t = half.params_index
        notes = []
        if h == self.n_half_steps - 1:
            notes.append(self._end_note())
        return Summary(
            self._metric(t),
            ppca.describe(half, self.n_latent),
            tuple(notes),
            tolerance_note(self.trace, t),
        )

    def _metric(self, t: int) -> Metric:
        """ℓ(θ_t) and its change."""
        delta = likelihood_delta_text(self.trace, t)
        rounding = delta is not None and not delta.startswith(("+", "-"))
        return Metric(
            f"Log-likelihood ℓ(θ{t})".translate(SUBSCRIPTS),
            f"{self.trace.snapshots[t].log_likelihood:.4f}".replace("-", "−"),
            delta=delta,
            delta_color="off" if rounding else "normal",
            help="ℓ(θ) = Σₙ log N(xₙ | μ, WWᵀ + σ²I), the log of the probability of all the "
            "data under the parameters drawn.",
        )

    def numbers(self, h: int) -> pd.DataFrame:
        return key_numbers(ppca.parameter_table(self.trace, h, column_names=self.column_names))

    def describe(self, h: int) -> str:
        """The chart's text alternative: ℓ, σ², and each column's μ and loadings, as the
        Parameters tab writes them."""
        metric = self._metric(half_step(self.trace, h).params_index)
        table = ppca.parameter_table(self.trace, h, column_names=self.column_names)
        headline = [metric_text(metric.label, metric.value), f"σ² = {cell_text(table, 'σ²')}"]
        rows = row_texts(table.drop(columns="σ²"), "column")
        return chart_text(self.label(h), headline, rows, total=len(table), plural="columns")

    def _end_note(self) -> Note:
        """How the run ended, and how far below the maximum of ℓ it stopped."""
        if self.trace.failed:
            return Note("error", self.trace.message)
        final = self.trace.final.log_likelihood
        gap = self.best_log_likelihood - final
        n = self.trace.n_samples
        if gap <= flat_tolerance(final, self.best_log_likelihood, n):
            return Note("success", "EM has reached the maximum of ℓ that the closed form gives.")
        best = f"{self.best_log_likelihood:.4f}".replace("-", "−")
        return Note(
            "info",
            f"EM stopped {gap:.3g} below the maximum of ℓ, {best}, "
            "which the closed form reads off the eigenvectors of the data's covariance: near "
            "the top each step gains less, and the stopping rule ended the run first.",
        )

    def picks(self, tab: str, h: int) -> Sequence[Pick]:
        if tab == TABS[2] and half_step(self.trace, h).kind == "E":
            return [Pick("point", "Point number n", 1, self.X.shape[0])]
        return []

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> Sequence[Block]:
        half = half_step(self.trace, h)
        if tab == TABS[0]:
            return [
                Table(ppca.parameter_table(self.trace, h, column_names=self.column_names)),
                Caption(
                    "μ is the mean of the data and never moves; w1 … are the columns of W; σ² "
                    f"is the noise variance in every direction. At the maximum of ℓ, σ² = "
                    f"{closed_form(self.X, self.n_latent).noise_variance:.4g}."
                ),
            ]
        if tab == TABS[1]:
            blocks: list[Block] = [Table(ppca.latent_table(self.X, self.trace, h))]
            if half.resp_index is None:
                blocks.append(Caption("No E-step has run yet, so no point has coordinates."))
            else:
                blocks.append(
                    Caption(
                        f"E[z] from E-step {half.resp_index + 1}; the foot is μ + W E[z] with "
                        f"the W drawn (θ{half.params_index}).".translate(SUBSCRIPTS)
                    )
                )
            return blocks
        if half.kind == "start":
            return [
                Text(
                    "No E-step has run yet. Step to E-step 1 to see a point's expected "
                    "coordinate E[zₙ] computed with these numbers."
                )
            ]
        if half.kind == "E":
            n = int(chosen["point"]) - 1
            params = ppca.ppca_params(self.trace, half.params_index)
            return [
                Heading(f"{half.label}: the expected latent coordinate of one point"),
                PickRow(("point",)),
                Latex(ppca.e_step_formula(self.X[n], params, n)),
            ]
        before = ppca.ppca_params(self.trace, half.resp_index)
        after = ppca.ppca_params(self.trace, half.params_index)
        w_formula, noise_formula = ppca.m_step_formulas(self.X, before, after)
        return [
            Heading(f"{half.label}: W from the sums of E-step {half.params_index}"),
            Latex(w_formula),
            Heading("then σ² with the new W"),
            Latex(noise_formula),
        ]
