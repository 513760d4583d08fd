"""What a student or a teacher takes away from a run: the pieces every model's files share.

- :func:`figure_html`: any view's chart as one HTML file with plotly.js inside and a slider
  over its half-steps, which plays with no network (for slides), with no animated transition
  under ``prefers-reduced-motion``;
- :class:`ExportFile`, one file of a model's "Export this run" section (each model's
  ``exports`` module lists its own, see :mod:`em_models.registry`; the Gaussian mixture's is
  :mod:`em_models.mixture.exports`), and :class:`ExportNote`;
- :func:`csv_text` and :func:`header_name` for the models' CSV files: numbers only, every
  header starting with a word of ours, so that no cell is a formula to a spreadsheet,
  whatever the columns are called;
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


# ---------------------------------------------------------------------------------------------
# scikit-learn


# The camera of the file's tool bar saves the chart without Play, Pause and the slider (the
# same listener as the app's chart: em_viz/png_without_controls.js).
PNG_WITHOUT_CONTROLS_JS = (Path(__file__).parent / "png_without_controls.js").read_text("utf-8")
# Under prefers-reduced-motion its Play has no animated transition, as the app's.
_PLAY_WITHOUT_MOTION_JS = (Path(__file__).parent / "play_without_motion.js").read_text("utf-8")
_FILE_JS = (
    PNG_WITHOUT_CONTROLS_JS
    + _PLAY_WITHOUT_MOTION_JS
    + "\npngWithoutControls(document.getElementById('{plot_id}'));"
    + "\nplayWithoutMotion(document.getElementById('{plot_id}'));\n"
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
    the buttons and the slider, and its Play has no animated transition when the reader
    asked for reduced motion."""
    page = with_slider(fig).to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config=chart_config(file_stem("em", "run")),
        div_id="em-run",
        post_script=_FILE_JS,
    )
    return page.replace("<head>", f"<head><title>{html.escape(title)}</title>", 1)
