"""The stepping view of a Gaussian mixture's run, as the pages draw it: the mixture's view
(:class:`em_models.mixture.view.MixtureView`) in the shared stepping view
(:func:`em_ui.stepper.stepping_view`), with what mixture runs add around it — the quiz for
1-D data (:mod:`em_models.mixture.quiz_widgets`), the run's files (:mod:`em_ui.exports`) and the
chart's PNG
named after the page and the half-step."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from em_core import Trace
from em_models.mixture import exports as mixture_exports
from em_models.mixture.gaussian import Parameters
from em_models.mixture.quiz_widgets import is_on as quiz_is_on
from em_models.mixture.quiz_widgets import quiz_marks, quiz_panel
from em_models.mixture.view import MixtureView
from em_ui import stepper
from em_ui.exports import export_section
from em_viz.exports import file_stem


def stepping_view(
    X: np.ndarray,
    trace: Trace,
    *,
    key: str,
    column_names: Sequence[str] | None = None,
    true_params: Parameters | None = None,
    dims: tuple[int, int] = (0, 1),
    kmeans: bool = False,
) -> None:
    """Draw the stepping view of ``trace`` fitted to ``X``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    trace : Trace
    key : str
        Prefix of every widget key and of the session state of this view (one per page).
    column_names : names of X's columns, for labels.
    true_params : the generating parameters, drawn for comparison (synthetic data).
    dims : the two columns the 2-D view shows when X has two or more.
    kmeans : step the run from its K-means seeds, through the hand-off, into EM (a run that
        started from K-means; see :mod:`em_models.mixture.kmeans_phase`).
    """
    columns = tuple(column_names) if column_names else None
    view = MixtureView(
        X, trace, column_names=columns, true_params=true_params, dims=dims, kmeans=kmeans
    )
    extras = stepper.Extras(
        # The quiz's marks belong to one half-step: only while it is on is the chart rebuilt
        # at every half-step.
        decorate=lambda h: (
            (lambda fig: quiz_marks(fig, X, trace, view.half(h), key=key))
            if quiz_is_on(X)
            else None
        ),
        png_name=lambda h: file_stem("em", key, view.label(h)),
        under_slider=lambda h: quiz_panel(X, trace, view.half(h), key=key, h_key=f"{key}.h"),
        footer=lambda: export_section(
            key,
            mixture_exports.CAPTION,
            mixture_exports.files(
                X,
                trace,
                columns=columns or mixture_exports.default_columns(X.shape[1]),
                true_params=true_params,
                dims=dims,
            ),
            note=lambda: mixture_exports.sklearn_note(trace),
        ),
    )
    stepper.stepping_view(view, key=key, extras=extras)
