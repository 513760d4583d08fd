"""Probabilistic PCA's trace file: the document ``python -m em_core fit --model ppca`` prints
and its export writes (its fields are listed in the README), with the data (``data``) unless
left out, so that *Open a prepared run* can run it again (:mod:`em_models.ppca.prepared`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import Trace
from em_core.trace_json import finite_number, stopping_fields
from em_models.ppca.engine import closed_form, log_likelihood


def trace_to_json(
    trace: Trace,
    X: NDArray[np.float64],
    columns: Sequence[str],
    number: Callable,
    *,
    with_data: bool = True,
) -> dict[str, Any]:
    """The trace of probabilistic PCA as plain JSON types, with the closed-form maximum and
    (``with_data``) the data."""
    final = trace.final.params
    best = closed_form(X, final.n_latent)
    document = {
        "model": "ppca",
        "n_latent": final.n_latent,
        "n_features": final.n_features,
        "n_samples": trace.n_samples,
        "columns": list(columns),
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        **stopping_fields(trace),
        "mean": final.mean.tolist(),
        "iterations": [
            {
                "iteration": snapshot.iteration,
                "loadings": snapshot.params.loadings.tolist(),
                "noise_variance": number(snapshot.params.noise_variance),
                "log_likelihood": number(snapshot.log_likelihood),
            }
            for snapshot in trace.snapshots
        ],
        "maximum": {
            "loadings": best.loadings.tolist(),
            "noise_variance": number(best.noise_variance),
            "log_likelihood": number(log_likelihood(X, best)),
        },
    }
    if with_data:
        document["data"] = np.asarray(X, dtype=np.float64).tolist()
    return document


def write(trace: Trace, X: NDArray[np.float64], columns: Sequence[str]) -> dict[str, Any]:
    """The trace as the JSON document the export writes (every number finite)."""
    return trace_to_json(trace, X, columns, finite_number)
