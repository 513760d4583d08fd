"""Reading a chart's traces without the casings drawn under its faint lines."""

from __future__ import annotations

import plotly.graph_objects as go

from em_viz.contrast import CASING_NAME


def uncased(fig: go.Figure) -> list:
    """``fig``'s traces, in order, but the dark casings :mod:`em_viz.contrast` adds."""
    return [trace for trace in fig.data if trace.name != CASING_NAME]
