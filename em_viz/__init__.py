"""em_viz: pure plotting and formula functions for stepping through EM.

Data and traces in, ``plotly.graph_objects.Figure``, pandas DataFrames or LaTeX strings out.
Nothing here imports streamlit, and no EM maths is done here: responsibilities come from
:func:`em_models.mixture.engine.e_step`, densities from the engine's log densities. Numbers are for
display.

Symbols and names, as in :mod:`em_core`: π_k → ``weights[k]``, μ_k → ``means[k]``,
Σ_k → ``covariances[k]`` (σ_k² in one dimension), r_nk → ``resp[n, k]``, N_k → ``nk[k]``;
h is a half-step (see :mod:`em_viz.halfstep`).

Modules: ``view`` (the protocol the stepping view asks of a model's view),
``mixture_view`` (the Gaussian mixture's; the other models' views are in their folders,
``em_models/<name>/view.py``), ``halfstep`` (EM's half-steps, every model's) and
``kmeans_phase`` (the K-means steps before the mixture's), ``colors`` and ``style`` (the look),
``figures_1d`` (density curves), ``figures_2d`` (scatter with ellipses), ``mixture_figures``
(the mixture's pieces those two share: densities, marginals, the points' colours),
``figures_common`` (what every model's figures share, the animation among it; it knows no
model), ``loglik`` (the objective, drawn as a panel
of those figures), ``status`` (what the stepping view says under the chart), ``quiz`` (its
predict-before-you-step questions, their scores and their marks on the 1-D chart), ``tables``,
``formulas`` and ``exports`` (the files a run exports); and one module for each
lesson's own figures: ``starts`` (the K-means start and
the starts compared), ``collapse`` (collapsing components and the ridge), ``selection``
(choosing K), ``restarts`` (restarts and local optima) and ``climb`` (why EM climbs).
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
