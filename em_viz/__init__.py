"""em_viz: what every model's figures and views share, as pure functions.

Data and traces in, ``plotly.graph_objects.Figure``, pandas DataFrames or strings out. Nothing
here imports streamlit or any model; each model's view and figures are in its folder
(``em_models/<name>/``).

Modules: ``view`` (the protocol the stepping view asks of a model's view), ``halfstep`` (EM's
half-steps, every model's), ``figures_common`` (the animation and the panels' layout),
``loglik`` (the ℓ panel), ``status`` (the change of ℓ the view shows), ``number_formats``
(how tables write numbers), ``colors`` and ``style`` (the look), and ``exports`` (what every
model's exported files share).
"""

from em_viz.colors import MAX_COMPONENTS, PALETTE, blend, component_colors
from em_viz.halfstep import HalfStep
from em_viz.loglik import likelihood_traces, tolerance_note

__all__ = [
    "MAX_COMPONENTS",
    "PALETTE",
    "HalfStep",
    "blend",
    "component_colors",
    "likelihood_traces",
    "tolerance_note",
]
