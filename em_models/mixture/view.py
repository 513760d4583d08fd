"""The Gaussian mixture's view for the stepping view (the protocol is :mod:`em_viz.view`).

It turns a run of the mixture (a :class:`em_core.Trace`) into what the stepping view shows
at each half-step: the animated chart (density curves in 1-D, ellipses in 2-D), ℓ and its
change, one sentence on the half-step, the run's notes, and three tabs — the parameters,
the responsibilities, and the E- and M-step formulas with the live numbers. With
``kmeans=True`` the run is seen from its K-means seeds (see :mod:`em_models.mixture.kmeans_phase`):
the
K-means half-steps show W, the centres, the assignment and its arithmetic instead. The step
buttons speak of responsibilities and Gaussians (:data:`BUTTON_HELP`), and of centres and
clusters in the K-means phase.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_core import Trace
from em_models.mixture import kmeans_phase
from em_models.mixture.engine import e_step
from em_models.mixture.figures_1d import density_figure
from em_models.mixture.figures_2d import scatter_figure
from em_models.mixture.formulas import (
    kmeans_assignment_formula,
    kmeans_update_formula,
    m_step_formulas,
    responsibility_formula,
)
from em_models.mixture.gaussian import Parameters
from em_models.mixture.notes import run_notes
from em_models.mixture.tables import (
    key_parameters,
    parameter_table,
    responsibility_table,
    split_changes,
)
from em_viz.chart_text import chart_text, metric_text, row_texts
from em_viz.halfstep import HalfStep, m_step_source
from em_viz.loglik import tolerance_note
from em_viz.number_formats import key_number
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
)

PARAMETERS, RESPONSIBILITIES, FORMULAS = (
    "Parameters",
    "Responsibilities",
    "Formulas with these numbers",
)
# Above the second table of the Parameters tab (the first holds the parameters themselves).
CHANGES_HEADING = "The change Δ since the previous half-step"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
LIKELIHOOD_HELP = (
    "ℓ(θ) = Σₙ log Σₖ πₖ N(xₙ | μₖ, Σₖ), the log of the probability of all the data under "
    "the parameters drawn."
)
W_HELP = (
    "W = Σₙ ‖xₙ − c(n)‖², the sum of squared distances from the points to the centres of "
    "their clusters: what K-means lowers. There is no mixture yet, so no ℓ."
)
# What the E-step and M-step buttons do to a mixture (their tooltips).
BUTTON_HELP = {
    "e": "Expectation: recompute every responsibility r_nk from the current parameters. "
    "The curves stay where they are; the points change colour.",
    "m": "Maximisation: move each Gaussian to the weighted mean and spread of the points it "
    "is responsible for. The colours stay; the curves move.",
}


def describe(half: HalfStep) -> str:
    """One plain sentence telling a student what changed at this half-step of a mixture's
    run (the K-means phase's and the hand-off's from
    :func:`em_models.mixture.kmeans_phase.describe`)."""
    if kmeans_phase.in_kmeans(half) or kmeans_phase.is_hand_off(half):
        return kmeans_phase.describe(half)
    if half.kind == "start":
        return (
            "Start: these are the initial guesses θ₀ for the Gaussians; no E-step has run "
            "yet, so no point is assigned to any of them."
        )
    if half.kind == "E":
        return (
            f"{half.label}: each point's colour now shows how much each Gaussian explains it; "
            "the curves have not moved."
        )
    return (
        f"{half.label}: each Gaussian moved to the weighted mean and spread of the points it "
        f"explains, and its weight became its share of them; the colours are still those of "
        f"E-step {half.params_index}."
    )


class MixtureView:
    """A Gaussian mixture's run, as the stepping view shows it.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The data the run was fitted to.
    trace : Trace
    column_names : names of X's columns, for labels.
    true_params : the generating parameters, drawn for comparison (synthetic data).
    dims : the two columns the 2-D chart shows when X has two or more.
    kmeans : see the run from its K-means seeds (a run that started from K-means).
    """

    tabs = (PARAMETERS, RESPONSIBILITIES, FORMULAS)

    def __init__(
        self,
        X: np.ndarray,
        trace: Trace,
        *,
        column_names: Sequence[str] | None = None,
        true_params: Parameters | None = None,
        dims: tuple[int, int] = (0, 1),
        kmeans: bool = False,
    ) -> None:
        self.X = X
        self.trace = trace
        self.column_names = tuple(column_names) if column_names else None
        self.true_params = true_params
        self.dims = dims
        self.kmeans = kmeans
        self.n_half_steps = kmeans_phase.n_half_steps(trace, kmeans=kmeans)
        self.slider_help = (
            "Drag to any recorded half-step. Each iteration is an E-step then an M-step"
            + (
                "; before them, each K-means step is an assignment then an update."
                if kmeans
                else "."
            )
        )
        offset = kmeans_phase.kmeans_half_steps(trace, kmeans=kmeans)
        self.button_phases = (
            kmeans_phase.button_phases(offset, BUTTON_HELP)
            if kmeans
            else (ButtonPhase(0, BUTTON_HELP),)
        )

    @functools.cached_property
    def run_key(self) -> str:
        """The run's fingerprint: the data's shape, the settings (model, stopping rule,
        start), every ℓ, the first and last parameters, and the K-means steps when they
        are shown."""
        trace = self.trace
        model, start = trace.model, trace.start
        settings = (
            self.X.shape,
            self.kmeans,
            trace.n_iter,
            trace.stop_reason.value,
            trace.tol,
            trace.max_iter,
            model.covariance_type,
            getattr(start, "method", None),
            getattr(start, "seed", None),
        )
        parts = [
            repr(settings).encode(),
            np.ascontiguousarray(model.ridge_diagonal).tobytes(),
            np.ascontiguousarray(trace.log_likelihoods).tobytes(),
        ]
        for snapshot in (trace.snapshots[0], trace.final):
            params = snapshot.params
            parts += [a.tobytes() for a in (params.weights, params.means, params.covariances)]
        if self.kmeans:
            parts += [step.centers.tobytes() for step in kmeans_phase.kmeans_steps(trace)]
        return hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()

    @functools.cached_property
    def chart_key(self) -> str:
        """The run, the columns drawn, their names and the true parameters."""
        parts = [self.run_key.encode(), repr((self.dims, self.column_names)).encode()]
        if self.true_params is not None:
            truth = self.true_params
            parts += [a.tobytes() for a in (truth.weights, truth.means, truth.covariances)]
        return hashlib.blake2b(b"\0".join(parts), digest_size=12).hexdigest()

    @functools.cached_property
    def _halves(self) -> tuple[HalfStep, ...]:
        return kmeans_phase.half_steps(self.trace, kmeans=self.kmeans)

    @functools.cached_property
    def button_kinds(self) -> tuple[ButtonKind | None, ...]:
        """Which step button reaches each half-step (see :mod:`em_viz.view`)."""
        return tuple(kmeans_phase.button_kind(half) for half in self._halves)

    def half(self, h: int) -> HalfStep:
        """Half-step ``h`` of the run (see :mod:`em_models.mixture.kmeans_phase`)."""
        return kmeans_phase.half_step(self.trace, h, kmeans=self.kmeans)

    def label(self, h: int) -> str:
        return self._halves[h].label

    def figure(self, h: int, *, narrow: bool) -> go.Figure:
        if self.X.shape[1] == 1:
            return density_figure(
                self.X,
                self.trace,
                h,
                true_params=self.true_params,
                column_name=self.column_names[0] if self.column_names else None,
                narrow=narrow,
                kmeans=self.kmeans,
            )
        return scatter_figure(
            self.X,
            self.trace,
            h,
            dims=self.dims,
            true_params=self.true_params,
            column_names=self.column_names,
            narrow=narrow,
            kmeans=self.kmeans,
        )

    # -----------------------------------------------------------------------------------
    # Under the chart

    def summary(self, h: int) -> Summary:
        half = self.half(h)
        if kmeans_phase.in_kmeans(half):
            label, value, delta = kmeans_phase.metric(self.X, self.trace, half, self._before(h))
            return Summary(
                Metric(label, value, delta, "inverse", W_HELP),
                describe(half),
                tuple(kmeans_phase.notes(self.X, self.trace, half)),
                kmeans_phase.STOPPING_RULE,
            )
        t = half.params_index
        notes = run_notes(self.trace, self._em(h), self.X)
        return Summary(self._metric(t), describe(half), tuple(notes), tolerance_note(self.trace, t))

    def _metric(self, t: int) -> Metric:
        """ℓ(θ_t) and its change."""
        delta = likelihood_delta_text(self.trace, t)
        rounding = delta is not None and not delta.startswith(("+", "-"))
        return Metric(
            f"Log-likelihood ℓ(θ{t})".translate(SUBSCRIPTS),
            f"{self.trace.snapshots[t].log_likelihood:.4f}".replace("-", "−"),
            delta,
            # A change that is only float rounding gets no arrow and no colour.
            "off" if rounding else "normal",
            LIKELIHOOD_HELP,
        )

    def describe(self, h: int) -> str:
        """The chart's text alternative: ℓ and each component's parameters as the
        Parameters tab writes them (in the K-means phase, W and each cluster's centre)."""
        half = self.half(h)
        K = self.trace.final.params.n_components
        if kmeans_phase.in_kmeans(half):
            label, value, _ = kmeans_phase.metric(self.X, self.trace, half, None)
            rows = row_texts(self.numbers(h), "cluster")
            return chart_text(
                half.label, [metric_text(label, value)], rows, total=K, plural="clusters"
            )
        metric = self._metric(half.params_index)
        table = parameter_table(self.trace, self._em(h), column_names=self.column_names)
        values = split_changes(table)[0].drop(columns="N_k")
        rows = row_texts(values, "component")
        headline = [metric_text(metric.label, metric.value)]
        return chart_text(half.label, headline, rows, total=K, plural="components")

    def numbers(self, h: int) -> pd.DataFrame:
        half = self.half(h)
        if kmeans_phase.in_kmeans(half):
            c = kmeans_phase.centers(self.trace, half)
            return pd.DataFrame(
                {
                    "k": [str(k) for k in range(1, len(c) + 1)],
                    "centre c": [", ".join(key_number(v) for v in row) for row in c],
                }
            )
        return key_parameters(self.trace.snapshots[half.params_index].params)

    def _before(self, h: int) -> HalfStep | None:
        return self.half(h - 1) if h > 0 else None

    def _em(self, h: int) -> int:
        em = kmeans_phase.em_index(self.trace, h, kmeans=self.kmeans)
        if em is None:
            raise ValueError(f"Half-step {h} is a K-means half-step.")
        return em

    # -----------------------------------------------------------------------------------
    # Tabs

    def picks(self, tab: str, h: int) -> list[Pick]:
        if tab != FORMULAS:
            return []
        half = self.half(h)
        n_points = int(self.X.shape[0])
        K = self.trace.final.params.n_components
        point = Pick("point", "Point number n", 1, n_points)
        if kmeans_phase.in_kmeans(half):
            return [point, Pick("m_component", "Cluster", 1, K, noun="cluster")]
        return [
            point,
            Pick("e_component", "Component k", 1, K, noun="component"),
            Pick("m_component", "Component", 1, K, noun="component"),
        ]

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> list[Block]:
        half = self.half(h)
        if kmeans_phase.in_kmeans(half):
            return self._kmeans_tab(tab, half, chosen)
        em = self._em(h)
        if tab == PARAMETERS:
            table = parameter_table(self.trace, em, X=self.X, column_names=self.column_names)
            values, changes = split_changes(table)
            return [Table(values), Heading(CHANGES_HEADING), Table(changes)]
        if tab == RESPONSIBILITIES:
            table = responsibility_table(self.X, self.trace, em, column_names=self.column_names)
            return [Table(table)]
        return self._formulas(half, chosen)

    def _formulas(self, half: HalfStep, chosen: Mapping[str, int]) -> list[Block]:
        """The E-step for a chosen point, and the M-step for a chosen component, one under
        the other at the full width (the written-out sums are long)."""
        trace, X = self.trace, self.X
        n, k = chosen["point"] - 1, chosen["e_component"] - 1
        params = trace.snapshots[half.params_index].params
        blocks: list[Block] = [
            Heading("E-step for one point"),
            PickRow(("point", "e_component")),
            Latex(responsibility_formula(X[n], params, n, k)),
            Caption(
                "Uses the parameters on screen; the E-step that follows them gives these values."
            ),
            Heading("M-step for one component"),
            PickRow(("m_component",)),
        ]
        source = m_step_source(half)
        if source + 1 >= len(trace.snapshots):
            return [
                *blocks,
                Note("info", "The run ends here: there is no further M-step to write out."),
            ]
        resp = e_step(X, trace.snapshots[source].params).resp
        lines = m_step_formulas(
            X,
            resp,
            chosen["m_component"] - 1,
            trace.snapshots[source + 1].params,
            reg_covar=trace.model.ridge_diagonal,
        )
        return [
            *blocks,
            *(Latex(line) for line in lines),
            Caption(f"The M-step from the responsibilities of θ{source} to θ{source + 1}."),
        ]

    def _kmeans_tab(self, tab: str, half: HalfStep, chosen: Mapping[str, int]) -> list[Block]:
        """The K-means half-step's tabs: the centres, the assignment, and its arithmetic."""
        trace, X = self.trace, self.X
        if tab == PARAMETERS:
            table = kmeans_phase.centres_table(
                X, trace, half, self._before(half.index), column_names=self.column_names
            )
            return [
                Caption("K-means has no mixture yet: its parameters are the K centres c_k."),
                Table(table),
            ]
        if tab == RESPONSIBILITIES:
            table = kmeans_phase.assignment_table(X, trace, half, column_names=self.column_names)
            return [
                Caption(
                    "K-means has no responsibilities: each point belongs wholly to one "
                    "cluster, the one whose centre is nearest."
                ),
                Table(table),
            ]
        n = chosen["point"] - 1
        blocks: list[Block] = [
            Heading("Assignment of one point"),
            PickRow(("point",)),
            Latex(kmeans_assignment_formula(X[n], trace, half, n)),
            Caption("Distances to the centres on screen: the nearest gives the point its cluster."),
        ]
        if half.kind != "update":
            return blocks
        k = chosen["m_component"]
        line = kmeans_update_formula(X, trace, half, k - 1)
        blocks += [Heading("Update of one centre"), PickRow(("m_component",))]
        if line is None:
            return [
                *blocks,
                Note(
                    "info",
                    f"Cluster {k} had no points, so K-means put its centre on the point "
                    "farthest from its nearest centre instead of taking an average.",
                ),
            ]
        return [
            *blocks,
            Latex(line),
            Caption(
                f"The average of the points of assign {kmeans_phase.labels_index(half) + 1}: "
                "the centre on screen."
            ),
        ]
