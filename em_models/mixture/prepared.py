"""A Gaussian mixture's runs on *Open a prepared run*: the trace reader and the replay of
:mod:`em_core.trace_json`, the mixture's cost estimate, and its stepping view (with the
choice of the two columns drawn when the data have more)."""

from __future__ import annotations

from em_models.mixture.trace import PreparedRun, replay
from em_models.mixture.trace import read_document as read

__all__ = ["cost", "describe", "limit", "read", "replay", "show"]


def limit(run: PreparedRun) -> str | None:
    """Why the app cannot draw the run (to follow the file's name), or None."""
    from em_viz.colors import MAX_COMPONENTS

    if run.n_components <= MAX_COMPONENTS:
        return None
    return (
        f" holds a run with K = {run.n_components} components; the app draws at most "
        f"{MAX_COMPONENTS}."
    )


def cost(run: PreparedRun) -> tuple[float, str]:
    """The estimated seconds of running EM again, and the run's size in words."""
    from em_models.mixture.work import work

    n, d = run.X.shape
    seconds = work(n, d, run.n_components, max_iter=run.n_iter, init="given")
    return (
        seconds,
        f"{n:,} points in {d} columns × K = {run.n_components} × {run.n_iter} iterations",
    )


def describe(opened) -> str:
    """One line on the run in the file, as markdown (the column names escaped)."""
    from em_models.mixture.exports import START_WORDS
    from em_ui.text import literal

    trace, (n, d) = opened.trace, opened.X.shape
    model, start = trace.model, trace.start
    names = ", ".join(literal(c) for c in opened.columns[:6])
    more = f" and {d - 6} more" if d > 6 else ""
    seed = "" if start.seed is None else f" (seed {start.seed})"
    how = START_WORDS[start.method]
    ridge = (
        f"ridge {model.ridge:g} of each column's variance"
        if model.ridge is not None
        else f"ridge {model.reg_covar:g} in data units"
    )
    return (
        f"{n:,} points in {d} column{'s' if d > 1 else ''} ({names}{more}); "
        f"K = {trace.final.params.n_components}, {model.covariance_type} covariances, "
        f"started from {how}{seed}, {ridge}, tol = {trace.tol:g}, max_iter = "
        f"{trace.max_iter}. EM run again from that start gives every iteration in the file."
    )


def show(opened, key: str) -> None:
    """The stepping view of the run, with the two columns it draws chosen when there are
    more."""
    from em_models.mixture.stepper import stepping_view
    from em_ui.data_sources import LoadedData, choose_view_axes

    columns = list(opened.columns)
    dims = choose_view_axes(key, LoadedData(opened.X, opened.columns, ""), columns)
    stepping_view(opened.X, opened.trace, key=key, column_names=opened.columns, dims=dims)
