"""em_core: the EM driver every model runs on, every iteration kept as an immutable snapshot.

The engine is pure NumPy and imports no UI. :func:`run_em` drives any model that implements
:class:`EMModel` (see :mod:`em_core.model`) and returns a :class:`Trace`. The models
themselves are in ``em_models/`` (the Gaussian mixture's engine is
:mod:`em_models.mixture.engine`).
"""

from em_core.em import Snapshot, Trace, convergence_change, run_em
from em_core.likelihood_change import Change, classify_change, flat_tolerance
from em_core.model import EMModel, Failure, Start, StopReason

__all__ = [
    "Change",
    "EMModel",
    "Failure",
    "Snapshot",
    "Start",
    "StopReason",
    "Trace",
    "classify_change",
    "convergence_change",
    "flat_tolerance",
    "run_em",
]
