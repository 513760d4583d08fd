"""Factor analysis's trace file: the document ``python -m em_core fit --model fa`` prints and
its export writes, with the data (``data``, as given: a standardised fit standardises them
again) unless left out, so that *Open a prepared run* can run it again
(:mod:`em_models.fa.prepared`).

Fields: ``model`` ("fa"), ``n_factors``, ``n_features``, ``n_samples``, ``columns``,
``standardise``, ``init`` (``method`` "pca", "random" or "given", and ``seed``), the stopping
fields every trace has, ``mean`` (μ in the units fitted: zeros when standardised),
``iterations`` (each with ``iteration``, ``loadings`` W, ``noise_variances`` ψ and
``log_likelihood``), ``communalities`` (of the last iteration), and ``data``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import Trace
from em_core.trace_json import finite_number, stopping_fields
from em_models.fa.engine import communalities


def trace_to_json(
    trace: Trace,
    X: NDArray[np.float64],
    columns: Sequence[str],
    number: Callable,
    *,
    with_data: bool = True,
) -> dict[str, Any]:
    """The trace of factor analysis as plain JSON types, with (``with_data``) the data."""
    final = trace.final.params
    document = {
        "model": "fa",
        "n_factors": final.n_factors,
        "n_features": final.n_features,
        "n_samples": trace.n_samples,
        "columns": list(columns),
        "standardise": trace.model.standardise,
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        **stopping_fields(trace),
        "mean": final.mean.tolist(),
        "iterations": [
            {
                "iteration": snapshot.iteration,
                "loadings": snapshot.params.loadings.tolist(),
                "noise_variances": snapshot.params.noise_variances.tolist(),
                "log_likelihood": number(snapshot.log_likelihood),
            }
            for snapshot in trace.snapshots
        ],
        "communalities": communalities(final).tolist(),
    }
    if with_data:
        document["data"] = np.asarray(X, dtype=np.float64).tolist()
    return document


def write(trace: Trace, X: NDArray[np.float64], columns: Sequence[str]) -> dict[str, Any]:
    """The trace as the JSON document the export writes (every number finite)."""
    return trace_to_json(trace, X, columns, finite_number)
