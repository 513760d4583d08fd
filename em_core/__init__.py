"""em_core: Gaussian mixtures fitted by EM, every iteration kept as an immutable snapshot.

The engine is pure NumPy and imports no UI. Start with :func:`fit`, which returns a
:class:`Trace`; :func:`e_step` and :func:`m_step` are the two half-steps on their own.
"""

from em_core.em import EStep, Snapshot, StopReason, Trace, e_step, fit, m_step, run_em
from em_core.gaussian import COVARIANCE_TYPES, Parameters, from_full, to_full
from em_core.init import INIT_METHODS, Initialisation, KMeansStep, initialise, nearest_center
from em_core.selection import (
    Restarts,
    SelectionRow,
    aic,
    bic,
    fit_restarts,
    n_parameters,
    select_n_components,
)

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "EStep",
    "Initialisation",
    "KMeansStep",
    "Parameters",
    "Restarts",
    "SelectionRow",
    "Snapshot",
    "StopReason",
    "Trace",
    "aic",
    "bic",
    "e_step",
    "fit",
    "fit_restarts",
    "from_full",
    "initialise",
    "m_step",
    "n_parameters",
    "nearest_center",
    "run_em",
    "select_n_components",
    "to_full",
]
