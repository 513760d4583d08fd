"""What the stepping view says about the run at a half-step, for every model: the change of ℓ
for the metric (a model's own notes, such as the mixture's :mod:`em_models.mixture.notes`,
are its view's).

Pure functions of the trace: no streamlit. Every text is plain text built from numbers (no
file names, column names or cells); the view shows it literally.
"""

from __future__ import annotations

from em_core import Change, Trace
from em_core.likelihood_change import trace_change

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def likelihood_delta_text(trace: Trace, t: int) -> str | None:
    """The metric's delta: the change of ℓ from θ_{t−1} to θ_t, as a person should read it.

    Parameters
    ----------
    trace : Trace
    t : int
        The snapshot on screen.

    Returns
    -------
    str or None
        None at t = 0; "±0 (rounding)" when the change is float rounding; otherwise the
        signed change with four significant digits ("+2.013", "-0.01234"), never "−0.0000".
    """
    if t == 0:
        return None
    if trace_change(trace, t) is Change.FLAT:
        return "±0 (rounding)"
    change = trace.snapshots[t].log_likelihood - trace.snapshots[t - 1].log_likelihood
    return f"{change:+.4g}"
