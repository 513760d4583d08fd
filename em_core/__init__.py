"""em_core: models fitted by EM, every iteration kept as an immutable snapshot.

The engine is pure NumPy and imports no UI. :func:`run_em` drives any model that implements
:class:`EMModel` (see :mod:`em_core.model`) and returns a :class:`Trace`. The Gaussian
mixture is :class:`GaussianMixture`: start with :func:`fit`; :func:`e_step` and
:func:`m_step` are its two half-steps on their own.
"""

from em_core.bound import MeanPath, em_mean_path, gradient_path, lower_bound, mean_gradient
from em_core.diagnostics import (
    NearCollapse,
    decreases,
    held_by_ridge,
    nearly_collapsed,
    trace_change,
)
from em_core.em import Snapshot, Trace, convergence_change, run_em
from em_core.gaussian import COVARIANCE_TYPES, Parameters, from_full, to_full
from em_core.init import (
    DEFAULT_RIDGE,
    INIT_METHODS,
    Initialisation,
    KMeansStep,
    initialise,
    nearest_center,
    resolve_ridge,
)
from em_core.likelihood_change import Change, classify_change, flat_tolerance
from em_core.mixture import EStep, GaussianMixture, e_step, failed_component, fit, m_step
from em_core.model import EMModel, Failure, Start, StopReason
from em_core.selection import (
    Optimum,
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
    "DEFAULT_RIDGE",
    "INIT_METHODS",
    "Change",
    "EMModel",
    "EStep",
    "Failure",
    "GaussianMixture",
    "Initialisation",
    "KMeansStep",
    "MeanPath",
    "NearCollapse",
    "Optimum",
    "Parameters",
    "Restarts",
    "SelectionRow",
    "Snapshot",
    "Start",
    "StopReason",
    "Trace",
    "aic",
    "bic",
    "classify_change",
    "convergence_change",
    "decreases",
    "e_step",
    "em_mean_path",
    "failed_component",
    "fit",
    "fit_restarts",
    "flat_tolerance",
    "from_full",
    "gradient_path",
    "held_by_ridge",
    "initialise",
    "lower_bound",
    "m_step",
    "mean_gradient",
    "n_parameters",
    "nearest_center",
    "nearly_collapsed",
    "resolve_ridge",
    "run_em",
    "select_n_components",
    "to_full",
    "trace_change",
]
