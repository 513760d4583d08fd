"""Restarts side by side: every run's log-likelihood curve, and a leaderboard of where they
ended.

Runs that ended at the same optimum (as :meth:`em_models.mixture.selection.Restarts.optima` groups
them: final
log-likelihoods within 2 × tol per point of each other) share a letter and a colour, A for the
best optimum, B for the next, and so on. A run that failed (a component collapsed or
emptied) belongs to no optimum and is drawn grey and dotted.

The curves of an optimum in a colour under 3:1 on white share one dark casing, drawn beneath
every curve (:func:`em_viz.contrast.shared_casing`): where runs overlap, as the runs reaching
one optimum do, their colour runs unbroken, dark at the outer edges alone.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_models.mixture.selection import Restarts
from em_viz.colors import PALETTE
from em_viz.contrast import marker_apart, needs_casing, shared_casing
from em_viz.figures_common import LEGEND_ROW_PX, MIN_NARROW_PX, legend_rows
from em_viz.number_formats import decimals
from em_viz.style import LEGEND_UNDER_PLOT, TEMPLATE

# Beyond ten optima the colours come round again, with another dash so that no two
# optima look alike (the page allows at most 20 restarts, so at most 20 optima).
DASHES = ("solid", "dash", "dot")
BEST_WIDTH = 4
RUN_WIDTH = 1.6
FAILED_COLOR = "#808080"  # 3.9:1 on white


def optimum_letter(index: int) -> str:
    """The name of the ``index``-th optimum, best first: A, B, …, Z, then A2, B2, …"""
    letters = string.ascii_uppercase
    return letters[index % 26] + (str(index // 26 + 1) if index >= 26 else "")


def optimum_of_runs(restarts: Restarts) -> list[int | None]:
    """For each run, the index of its optimum in ``restarts.optima()`` (None if it failed)."""
    groups: list[int | None] = [None] * len(restarts.traces)
    for index, optimum in enumerate(restarts.optima()):
        for run in optimum.runs:
            groups[run] = index
    return groups


def optimum_style(index: int | None) -> dict[str, str]:
    """Colour and dash of the curves of optimum ``index`` (None: a failed run)."""
    if index is None:
        return {"color": FAILED_COLOR, "dash": "dot"}
    return {
        "color": PALETTE[index % len(PALETTE)],
        "dash": DASHES[(index // len(PALETTE)) % len(DASHES)],
    }


def _runs(count: int) -> str:
    return f"{count} run" + ("" if count == 1 else "s")


def optimum_names(restarts: Restarts) -> list[str]:
    """The legend entry of each optimum, best first: "optimum A: ℓ = −180.22, 9 runs".

    ℓ has the decimals the leaderboard writes it with (:func:`em_viz.number_formats.decimals` of
    the
    final log-likelihoods), and a true minus sign as on the axes.
    """
    optima = restarts.optima()
    places = decimals([t.final.log_likelihood for t in restarts.traces])
    return [
        f"optimum {optimum_letter(i)}: ℓ = {o.log_likelihood:,.{places}f}, "
        f"{_runs(len(o.runs))}".replace("-", "−")
        for i, o in enumerate(optima)
    ]


def kept_phrase(restarts: Restarts) -> str:
    """What the run kept (``restarts.best_index``, not None) is, in words that name what was
    searched: "the highest of these 10 runs", or, when a higher run has a component held up
    by the ridge, "the highest of these 10 runs with no component held up by the ridge".
    Other starts, such as those of the search behind choosing K, may climb higher."""
    n = len(restarts.traces)
    if n == 1:
        return "the only run"
    phrase = f"the highest of these {n} runs"
    if restarts.best_index not in restarts.optima()[0].runs:
        phrase += " with no component held up by the ridge"
    return phrase


def iteration_tick_step(n_iter: int) -> int:
    """The step between whole-number ticks on an iteration axis up to ``n_iter``: the
    smallest 1, 2 or 5 × 10ⁿ that gives at most ten steps."""
    steps = (m * 10**e for e in range(10) for m in (1, 2, 5))
    return next(step for step in steps if n_iter <= 10 * step)


def restart_curves_figure(restarts: Restarts) -> go.Figure:
    """Every run's log-likelihood ℓ(θ_t) against the iteration t, coloured by its optimum.

    Parameters
    ----------
    restarts : Restarts

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per run, in run order; the runs of one optimum share a legend group
        and colour, the first of them is named after the optimum (its legend entry) and the
        others "run i". The line of the run kept (:func:`kept_phrase`) is thicker and ends in
        a star (one more trace, last). Failed runs are grey and dotted, under one legend
        entry. Every point's ``customdata`` is (run number, seed), so a click on a curve or
        the star names its run.
    """
    groups = optimum_of_runs(restarts)
    curves = _run_curves(restarts, groups)
    fig = go.Figure()
    for trace in [*_casings(curves), *curves]:
        fig.add_scatter(**trace)
    if restarts.best is not None:
        fig.add_scatter(**_kept_star(restarts, groups))
    _style(fig, restarts)
    return fig


def _casings(curves: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One casing beneath the curves of each optimum in a colour under 3:1 (the run kept,
    thicker, has its own), before every curve."""
    alike: dict[tuple[str, float, str], list[dict[str, Any]]] = {}
    for curve in curves:
        line = curve["line"]
        if needs_casing(line["color"]):
            key = (curve["legendgroup"], line["width"], line["dash"])
            alike.setdefault(key, []).append(curve)
    return [shared_casing(group) for group in alike.values()]


def _run_curves(restarts: Restarts, groups: list[int | None]) -> list[dict[str, Any]]:
    """Every run's curve, in run order; the first run of each optimum (or of the failed
    runs) carries its legend entry."""
    names = optimum_names(restarts)
    failed = f"failed: {_runs(groups.count(None))}"
    return [
        _run_curve(
            restarts,
            run,
            group,
            failed if group is None else names[group],
            first=group not in groups[:run],
        )
        for run, group in enumerate(groups)
    ]


def _run_curve(
    restarts: Restarts, run: int, group: int | None, label: str, *, first: bool
) -> dict[str, Any]:
    """Run ``run``'s ℓ against t in its optimum's style; thicker for the run kept."""
    trace = restarts.traces[run]
    best = run == restarts.best_index
    legend = "failed" if group is None else optimum_letter(group)
    return {
        "x": np.arange(trace.n_iter + 1),
        "y": trace.log_likelihoods,
        # A dot per iteration: a click selects a point (a line alone cannot be clicked).
        "mode": "lines+markers",
        "marker": marker_apart({"size": 5}, optimum_style(group)["color"]),
        "name": label if first else f"run {run + 1}",
        "legendgroup": legend,
        "legendrank": 1000 if group is None else 1 + group,
        "showlegend": first,
        "line": {**optimum_style(group), "width": BEST_WIDTH if best else RUN_WIDTH},
        "customdata": [[run + 1, restarts.seeds[run]]] * (trace.n_iter + 1),
        "hovertemplate": (
            "run %{customdata[0]} (seed %{customdata[1]})<br>iteration %{x}<br>"
            "ℓ = %{y:,.4f}<extra>" + (legend if group is None else f"optimum {legend}") + "</extra>"
        ),
    }


def _kept_star(restarts: Restarts, groups: list[int | None]) -> dict[str, Any]:
    """A star on the end of the run kept (``restarts.best``, not None), named by what it is."""
    best = restarts.best
    kept = f"run {restarts.best_index + 1}: {kept_phrase(restarts)}"
    return {
        "x": [best.n_iter],
        "y": [best.final.log_likelihood],
        "mode": "markers",
        "name": kept,
        "legendrank": 0,
        "marker": {
            "symbol": "star",
            "size": 16,
            "color": optimum_style(groups[restarts.best_index])["color"],
            "line": {"width": 1, "color": "#222"},
        },
        "unselected": {"marker": {"opacity": 1}},  # the star stays after a click elsewhere
        "customdata": [[restarts.best_index + 1, restarts.seeds[restarts.best_index]]],
        "hovertemplate": f"{kept}<br>ℓ = %{{y:,.4f}}<extra></extra>",
    }


def _style(fig: go.Figure, restarts: Restarts) -> None:
    """The axes, and the legend under the plot with the rows its entries need."""
    # The legend under the plot, out of the way of plotly's tool bar at the top right, with
    # the rows it needs on the narrowest screen.
    rows = legend_rows([t.to_plotly_json() for t in fig.data], MIN_NARROW_PX - 72)
    fig.update_layout(
        template=TEMPLATE,
        height=380 + LEGEND_ROW_PX * rows,
        margin={"l": 10, "r": 10, "t": 10, "b": 56 + LEGEND_ROW_PX * rows},
        xaxis={
            "title": {"text": "iteration t"},
            "automargin": True,
            "dtick": iteration_tick_step(max(t.n_iter for t in restarts.traces)),
        },
        yaxis={"title": {"text": "log-likelihood ℓ(θₜ)"}, "automargin": True},
        # One entry per optimum, best first.
        legend=LEGEND_UNDER_PLOT,
        hovermode="closest",
    )


def leaderboard_table(restarts: Restarts) -> pd.DataFrame:
    """One row per run, highest final log-likelihood first, failed runs last.

    Parameters
    ----------
    restarts : Restarts

    Returns
    -------
    pandas.DataFrame
        Columns "run" (1-based), "seed", "final ℓ", "iterations", "stopped because",
        "optimum" (its letter, "—" for a failed run) and "kept" ("★" on the run kept,
        :func:`kept_phrase`).
    """
    groups = optimum_of_runs(restarts)
    table = pd.DataFrame(
        {
            "run": np.arange(1, len(restarts.traces) + 1),
            "seed": np.array(restarts.seeds, dtype=np.int64),
            "final ℓ": [t.final.log_likelihood for t in restarts.traces],
            "iterations": np.array([t.n_iter for t in restarts.traces], dtype=np.int64),
            "stopped because": [t.stop_reason.value for t in restarts.traces],
            "optimum": ["—" if g is None else optimum_letter(g) for g in groups],
            "kept": ["★" if i == restarts.best_index else "" for i in range(len(groups))],
        }
    )
    order = sorted(
        range(len(groups)),
        key=lambda i: (groups[i] is None, -restarts.traces[i].final.log_likelihood, i),
    )
    return table.iloc[order].reset_index(drop=True)
