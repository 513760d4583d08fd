"""What a student or a teacher takes away from a run: the files the stepping view offers.

- :func:`parameters_csv` and :func:`responsibilities_csv`: numbers only, every header starting
  with a word of ours, so that no cell is a formula to a spreadsheet, whatever the columns are
  called;
- :func:`animation_html`: the animated chart as one HTML file with plotly.js inside, which
  plays with no network (for slides);
- :func:`sklearn_code`: scikit-learn code that reproduces the run from the JSON export
  (:func:`em_models.mixture.trace.trace_to_json`);
- :func:`figure_html`: any view's chart as such a file, and :class:`ExportFile`, one file of
  a model's "Export this run" section (each model's ``exports`` module lists its own, see
  :mod:`em_models.registry`); the helpers :func:`csv_text` and :func:`header_name` for the
  models' CSV files;
- the chart's PNG is saved by the chart's own tool bar, under a name from :func:`file_stem`
  (its config: :func:`em_viz.style.chart_config`).

Pure: data and traces in, strings and dictionaries out.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from em_core import Trace
from em_models.mixture.engine import e_step
from em_models.mixture.figures_1d import density_figure
from em_models.mixture.figures_2d import scatter_figure
from em_models.mixture.gaussian import Parameters
from em_viz.figures_common import SLIDER_NOTE
from em_viz.style import chart_config

JSON_NAME = "em-run.json"
# A file's kind (from its name) gives its media type.
MIME_TYPES = {"json": "application/json", "csv": "text/csv", "html": "text/html"}
ANIMATION_HELP = (
    "The chart from the start of the run with Play and Pause, in one file that needs no "
    "network (plotly.js is inside): for slides."
)
# Control characters (a line break, a tab) would break a header cell or a line of code.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MAX_HEADER_NAME = 60
# Computed numbers in a CSV file: 12 significant digits, so that float rounding of the
# M-step's sums (1.9999999999999984) reads as the number it is (2); the JSON trace keeps
# every double exactly.
SIGNIFICANT_DIGITS = 12
# The note the figure writes when Play holds only part of the run speaks of the page's slider,
# which an exported file does not have.
_FILE_NOTE = "the app steps through every half-step"


@dataclass(frozen=True)
class ExportFile:
    """One file a run exports: its button's label, the function that makes its text, the
    file's name (whose ending gives its media type), the last part of the button's key, and
    the button's help."""

    label: str
    make: Callable[[], str]
    file_name: str
    key: str
    help: str | None = None

    @property
    def kind(self) -> str:
        """The file's kind, from its name: ``json``, ``csv`` or ``html``."""
        return self.file_name.rsplit(".", 1)[1]

    @property
    def mime(self) -> str:
        return MIME_TYPES[self.kind]


@dataclass(frozen=True)
class ExportNote:
    """Text under a section's buttons: a heading, then code (if any), then a caption."""

    heading: str
    caption: str
    code: str | None = None


def file_stem(*parts: str) -> str:
    """A file name from words: lower case, letters, digits and hyphens only."""
    words = re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")
    return words or "em-run"


def header_name(name: str) -> str:
    """A column name for a header: control characters as spaces, at most 60 characters."""
    text = " ".join(_CONTROL.sub(" ", str(name)).split())
    return text[:MAX_HEADER_NAME] + ("…" if len(text) > MAX_HEADER_NAME else "")


def csv_text(header: Sequence[str], rows: NDArray[np.float64], *, data_columns: int = 0) -> str:
    """CSV text: ``header``, then ``rows``: the first column as whole numbers, the next
    ``data_columns`` (the data as given) as the shortest text that reads back as the same
    float, and every computed number to :data:`SIGNIFICANT_DIGITS` significant digits."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    given = 1 + data_columns
    for row in rows.tolist():
        writer.writerow(
            [str(int(row[0]))]
            + [repr(v) for v in row[1:given]]
            + [f"{v:.{SIGNIFICANT_DIGITS}g}" for v in row[given:]]
        )
    return out.getvalue()


def parameters_csv(trace: Trace, column_names: Sequence[str]) -> str:
    """The final parameters, one row per component: its weight, mean, and covariance matrix
    entries (variances, then each covariance once).

    Every header starts with a word of ours ("mean of …"), so a column named ``=1+1`` cannot
    become a formula; every other cell is a number.
    """
    params: Parameters = trace.final.params
    names = [header_name(c) for c in column_names]
    d = params.n_features
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    header = [
        "component",
        "weight",
        *[f"mean of {n}" for n in names],
        *[f"variance of {n}" for n in names],
        *[f"covariance of {names[i]} and {names[j]}" for i, j in pairs],
    ]
    full = params.full_covariances()
    rows = np.column_stack(
        [
            np.arange(1, params.n_components + 1),
            params.weights,
            params.means,
            np.diagonal(full, axis1=1, axis2=2),
            *[full[:, i, j] for i, j in pairs],
        ]
    )
    return csv_text(header, rows)


def responsibilities_csv(X: NDArray[np.float64], trace: Trace, column_names: Sequence[str]) -> str:
    """Each point with its responsibilities r_nk under the final parameters (the E-step the
    engine ran on them last): the point's number, its values, one column per component."""
    resp = e_step(X, trace.final.params).resp
    header = [
        "point",
        *[f"value of {header_name(c)}" for c in column_names],
        *[f"responsibility of component {k + 1}" for k in range(resp.shape[1])],
    ]
    rows = np.column_stack([np.arange(1, X.shape[0] + 1), X, resp])
    return csv_text(header, rows, data_columns=X.shape[1])


def animation_html(
    X: NDArray[np.float64],
    trace: Trace,
    *,
    column_names: Sequence[str] | None = None,
    dims: tuple[int, int] = (0, 1),
    true_params: Parameters | None = None,
) -> str:
    """The view's animated chart from the start of the run, as a standalone HTML page with
    plotly.js inside (it plays with no network) and its Play / Pause buttons.

    The frames are those the app's chart holds from the start (the whole run, or as much of
    it as the frame budget allows, which the chart's note then says).
    """
    if X.shape[1] == 1:
        fig = density_figure(
            X,
            trace,
            0,
            true_params=true_params,
            column_name=column_names[0] if column_names else None,
        )
    else:
        fig = scatter_figure(
            X, trace, 0, dims=dims, true_params=true_params, column_names=column_names
        )
    for note in fig.layout.annotations:
        if note.text and SLIDER_NOTE in note.text:
            note.text = note.text.replace(SLIDER_NOTE, _FILE_NOTE)
    params = trace.final.params
    title = (
        f"EM for a Gaussian mixture: K = {params.n_components}, "
        f"{trace.model.covariance_type} covariances, {trace.n_samples:,} points"
    )
    return figure_html(fig, title)


# ---------------------------------------------------------------------------------------------
# scikit-learn


_PRECISIONS = {  # precisions_init from the file's full covariances, unscaled and scaled
    "full": ("np.linalg.inv(covariances)", "np.linalg.inv(covariances / np.outer(scale, scale))"),
    "tied": (
        "np.linalg.inv(covariances[0])",
        "np.linalg.inv(covariances[0] / np.outer(scale, scale))",
    ),
    "diag": (
        "1 / np.diagonal(covariances, axis1=1, axis2=2)",
        "scale**2 / np.diagonal(covariances, axis1=1, axis2=2)",
    ),
    "spherical": ("1 / covariances[:, 0, 0]", None),
}
_SCALED_BACK = {
    "full": "gm.covariances_ * np.outer(scale, scale)",
    "tied": "gm.covariances_ * np.outer(scale, scale)",
    "diag": "gm.covariances_ * scale**2",
}
# How θ_0 was chosen (em_models.mixture.trace.START_METHODS), in words.
START_WORDS = {
    "kmeans": "K-means",
    "k-means++": "k-means++ seeds",
    "random": "random responsibilities",
    "random_from_data": "random data points",
    "given": "given parameters",
    "split": "the best fit with one component fewer, a component split in two",
}


def sklearn_code(trace: Trace, *, json_name: str = JSON_NAME) -> str:
    """Python code that fits scikit-learn's ``GaussianMixture`` from the same start, ridge,
    ``max_iter`` and ``tol`` as ``trace``, on the data of the trace's JSON export
    (``json_name``), and ends with ``weights``, ``means`` and ``covariances`` in this app's
    storage for the covariance type.

    scikit-learn's ``reg_covar`` is one amount for every column. When the run's ridge
    differs between columns (a relative ridge on columns of different variances), the code
    fits on the columns divided by their standard deviations, where the ridge is the same
    for every column, and scales the result back (the same fit for full, tied and diag
    covariances; a spherical ridge is the mean of the columns' amounts).

    scikit-learn's ``tol`` compares the mean log-likelihood per point as this app's does, but
    it measures ℓ in the E-step that starts an iteration, before that iteration's M-step: it
    learns that ℓ(θ_t) has settled only in iteration t + 1. So ``max_iter`` is the run's
    number of iterations, and scikit-learn stops at the same θ_t (warning that it did not
    converge); see :func:`likelihood_timing_note`.
    """
    if trace.n_iter == 0:
        raise ValueError(
            "The run has no iteration, so there is nothing for scikit-learn to reproduce: its "
            "fit needs at least one."
        )
    start = trace.snapshots[0].params
    model = trace.model
    kind = model.covariance_type
    diagonal = model.ridge_diagonal
    scaled = bool(np.any(diagonal != diagonal[0])) and kind != "spherical"
    reg_covar = model.ridge if scaled else float(diagonal.mean())
    precisions = _PRECISIONS[kind][1 if scaled else 0]
    seed = "" if trace.start.seed is None else f", seed {trace.start.seed}"
    lines = [
        f"# scikit-learn's GaussianMixture on the run saved as {json_name}: the same data,",
        "# the same start θ₀, ridge, max_iter and tol. Download that file first (Trace, JSON).",
        "import json",
        "",
        "import numpy as np",
        "from sklearn.mixture import GaussianMixture",
        "",
        f'with open("{json_name}", encoding="utf-8") as file:',
        "    run = json.load(file)",
        f'X = np.array(run["data"])  # {_count(trace.n_samples, "point")} × '
        f"{_count(start.n_features, 'column')}",
        f'start = run["iterations"][0]  # θ₀, from {START_WORDS[trace.start.method]}{seed}',
        'weights = np.array(start["weights"])',
        'means = np.array(start["means"])',
        'covariances = np.array(start["covariances"])  # K full d × d matrices',
        "",
    ]
    if scaled:
        lines += [
            f"# The app adds {model.ridge:g} × each column's variance to that column's variance;",
            "# reg_covar is one amount for all columns. On columns divided by their standard",
            "# deviations the two are the same: fit there, then scale back.",
            "scale = X.std(axis=0)",
        ]
    lines += [
        "gm = GaussianMixture(",
        f"    n_components={start.n_components},",
        f'    covariance_type="{kind}",',
        "    weights_init=weights,",
        f"    means_init={'means / scale' if scaled else 'means'},",
        f"    precisions_init={precisions},",
        f"    reg_covar={reg_covar!r},",
        f"    max_iter={trace.n_iter},  # the app's run: {trace.n_iter} iterations "
        f"({trace.stop_reason.value})",
        f"    tol={trace.tol!r},",
        '    init_params="random_from_data",  # not used: the start above replaces it',
        "    random_state=0,",
        f").fit({'X / scale' if scaled else 'X'})",
        "weights = gm.weights_",
        f"means = {'gm.means_ * scale' if scaled else 'gm.means_'}",
        f"covariances = {_SCALED_BACK[kind] if scaled else 'gm.covariances_'}",
        "print(weights, means, covariances, sep='\\n')",
    ]
    return "\n".join(lines) + "\n"


def likelihood_timing_note(trace: Trace) -> str:
    """When each tool evaluates the log-likelihood, and why max_iter is the run's length."""
    t = trace.n_iter
    return (
        "Both tools stop when the mean log-likelihood per point changes by less than tol, "
        "but they measure it at different moments. This app runs an E-step on θₜ, computes "
        "ℓ(θₜ), and stops there, keeping θₜ. scikit-learn computes ℓ in the E-step that "
        "begins each iteration, then runs that iteration's M-step before it tests tol: it "
        "learns that ℓ(θₜ) has settled only in iteration t + 1, one M-step later, and keeps "
        f"θₜ₊₁. So the code sets max_iter = {t}, this run's number of iterations: scikit-learn "
        f"then stops at the same θ{_subscript(t)} and warns that it did not converge (its "
        f"lower_bound_ is ℓ(θ{_subscript(max(t - 1, 0))})/N, one iteration behind)."
    )


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, in the plural unless n is 1: "1 column", "6 points"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _subscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# The camera of the file's tool bar saves the chart without Play, Pause and the slider (the
# same listener as the app's chart: em_viz/png_without_controls.js).
PNG_WITHOUT_CONTROLS_JS = (Path(__file__).parent / "png_without_controls.js").read_text("utf-8")
_PNG_WITHOUT_CONTROLS_JS = (
    PNG_WITHOUT_CONTROLS_JS + "\npngWithoutControls(document.getElementById('{plot_id}'));\n"
)
SLIDER_PX = 90  # the height the half-step slider adds under the chart


def _label(frame: go.Frame) -> str:
    """The half-step a frame shows, from its title (``<b>E-step 3</b>``), else its name."""
    title = frame.layout.title.text if frame.layout and frame.layout.title else None
    return re.sub(r"<[^>]*>", "", title) if title else str(frame.name)


def with_slider(fig: go.Figure) -> go.Figure:
    """``fig`` with a slider under it, one step per frame, which Play moves along.

    A frame that holds only what changed since the one before (a long run's, which Play
    reaches in order) is made whole first, so the slider can jump to any frame.
    """
    fig = go.Figure(fig)
    latest: dict[int, object] = {}
    for frame in fig.frames:
        latest.update(zip(frame.traces, frame.data, strict=True))
        frame.traces, frame.data = list(latest), list(latest.values())
    steps = [
        {
            "label": _label(frame),
            "method": "animate",
            "args": [
                [frame.name],
                {
                    "frame": {"duration": 0, "redraw": True},
                    "mode": "immediate",
                    "transition": {"duration": 0},
                },
            ],
        }
        for frame in fig.frames
    ]
    margin = fig.layout.margin
    bottom = 80 if margin.b is None else margin.b
    fig.update_layout(
        height=(fig.layout.height or 450) + SLIDER_PX,
        margin={"b": bottom + SLIDER_PX},
        sliders=[
            {
                "steps": steps,
                "active": 0,
                "x": 0,
                "len": 1,
                "y": 0,
                "yanchor": "top",
                "pad": {"t": bottom + 10, "b": 0},
                "currentvalue": {"prefix": "half-step: ", "font": {"size": 13, "color": "#222"}},
                "font": {"color": "rgba(0, 0, 0, 0)"},  # a label per step would overlap
                "ticklen": 3,
            }
        ],
    )
    return fig


def figure_html(fig: go.Figure, title: str) -> str:
    """``fig`` as a standalone HTML page with plotly.js inside (it plays with no network),
    with a slider over its frames (:func:`with_slider`); its camera saves the chart without
    the buttons and the slider."""
    page = with_slider(fig).to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config=chart_config(file_stem("em", "run")),
        div_id="em-run",
        post_script=_PNG_WITHOUT_CONTROLS_JS,
    )
    return page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)
