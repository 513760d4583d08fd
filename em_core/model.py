"""What the EM driver needs from a model: the interface every EM model implements.

:func:`em_core.em.run_em` fits any model that implements :class:`EMModel`; it records every
iteration in a :class:`em_core.em.Trace` of :class:`em_core.em.Snapshot` objects, applies the
stopping rule and turns the model's reports of trouble into the shared :class:`StopReason`.
The driver knows nothing of any particular model: what the parameters are, what the E-step's
expectations are, what a degenerate state is, all belong to the model. The Gaussian mixture
(:class:`em_models.mixture.engine.GaussianMixture`) is one implementation.

The interface
-------------
A model is a small, immutable object holding its *settings* (for a mixture, the covariance
type and the ridge). The trace keeps it as ``trace.model``, so it must not hold the data.
It has two attributes and six methods:

``name`` : str
    A short label for people, e.g. ``"Gaussian mixture"``.
``prepare(X) -> data``
    Called once per run with the data as the caller gave them, in the form the model
    declares: a table of independent rows (n_samples, n_features) for a mixture or
    probabilistic PCA (checked with :func:`em_core.em.as_data`), sequences with their
    lengths for a hidden Markov model. It checks them, raising ``ValueError`` with a
    sentence for a person when they cannot be used, and returns whatever the other
    methods want to receive as ``data`` (the data in a convenient layout, constants
    computed from them once).
``n_observations(data) -> int``
    N, the number of observations: the stopping rule compares the change of ℓ / N with
    ``tol`` (a table's rows; all the time steps of a set of sequences).
``e_step(data, params) -> (expectations, log_likelihood)``
    The E-step on ``params``: the expectations of the missing data, handed to the M-step as
    the *sufficient statistics* it needs, and the total log-likelihood ℓ(params) =
    Σ_n log p(x_n | params) as a float (the E-step computes it anyway; the driver never asks
    for it separately). The statistics are sums over the data, not per-observation arrays:
    their size does not grow with N, and the M-step only turns them into parameters. They
    are computed in a stable form (centred sums, not raw second moments, whose two terms
    cancel when the data sit far from 0). The Gaussian mixture hands N_k = Σ_n r_nk, the
    weighted means x̄_k and the scatter Σ_n r_nk (x_n − x̄_k)(x_n − x̄_k)ᵀ in its covariance
    type's storage (:class:`em_models.mixture.gaussian.Statistics`); probabilistic PCA
    hands Σ_n (x_n − μ) E[z_n]ᵀ, Σ_n E[z_n z_nᵀ], Cov[z_n] and what σ² needs
    (:class:`em_models.ppca.engine.PPCAStatistics`); the hidden Markov model hands the
    expected counts of its forward–backward pass (starts Σ γ_1(k), transitions
    Σ_t ξ_t(j, k), ends, visits Σ_t γ_t(k)) and its emissions' statistics: symbol counts,
    sums of counts, or the mixture's statistics under γ
    (:class:`em_models.hmm.engine.Statistics`); factor analysis hands the same sums as
    probabilistic PCA, with one noise variance per variable
    (:class:`em_models.fa.engine.FAStatistics`). A model's public
    half-steps for its views (a mixture's ``e_step(X, params)`` with the responsibilities)
    may keep the per-observation values. The driver runs it under
    ``np.errstate(divide="raise", over="raise", invalid="raise")``: raising
    ``FloatingPointError`` or ``np.linalg.LinAlgError`` means the parameters cannot be used,
    and the run stops with ``StopReason.NUMERICAL``.
``m_step(data, expectations) -> (params, stats)``
    The closed-form maximisation from the E-step's statistics: new parameters (an immutable
    object, with read-only arrays: snapshots share it), and ``stats``, whatever the model
    wants each snapshot to record about the expectations that produced them (a mixture: the
    effective counts N_k), or None. ``FloatingPointError`` stops the run with
    ``StopReason.NUMERICAL``.
``check(data, params, stats, iteration) -> Failure | None``
    The model's own test for a degenerate state of the parameters the M-step of
    ``iteration`` just produced (a collapsed or emptied component). A :class:`Failure`
    stops the run before those parameters are recorded: the trace ends at the last valid
    snapshot. Return None when the parameters are fine.
``start_problem(data, params, error) -> str | None``
    Called with ``error=None`` before the first E-step: a sentence saying why ``params``
    cannot start EM, or None. Called again with the exception if the first E-step raised;
    it must then return a sentence. The driver raises it as a ``ValueError``, so a person
    sees the real problem with the start instead of a failed run.
``penalised`` : bool (attribute or property)
    True when the M-step maximises a penalised likelihood (a mixture with a ridge), so ℓ
    may fall slightly between iterations; the convergence message then names the cause.

A run also needs a *start record*: any object with ``params`` (θ_0) and ``stats`` (the
``stats`` of the expectations θ_0 was estimated from, or None). The trace keeps it as
``trace.start``, so the model can record there how θ_0 was chosen (a mixture's
:class:`em_models.mixture.starts.Initialisation` keeps its K-means steps and seed).

Parameters, expectations and stats are the model's own types: the driver only passes them
along. Anything else a view needs about a run (the figures, the formulas) is computed from
``trace.model``, ``trace.start`` and ``snapshot.params``.

Example
-------
A model with one unknown, the mean of a normal distribution with unit variance and no
missing data, so that EM converges in one step; its sufficient statistics are the sum of the
data and their number::

    @dataclass(frozen=True)
    class Start:
        params: float
        stats: None = None

    @dataclass(frozen=True)
    class NormalMean:
        name = "normal mean"
        penalised = False

        def prepare(self, X):
            return as_data(X)[:, 0]

        def n_observations(self, x):
            return x.size

        def e_step(self, x, mu):
            ll = -0.5 * np.sum((x - mu) ** 2) - 0.5 * x.size * np.log(2 * np.pi)
            return (x.sum(), x.size), float(ll)

        def m_step(self, x, expectations):
            total, count = expectations
            return float(total / count), None

        def check(self, x, mu, stats, iteration):
            return None

        def start_problem(self, x, mu, error):
            return None if error is None else f"The start {mu} cannot be used."

    trace = run_em(X, NormalMean(), Start(0.0), tol=1e-6)
    trace.final.params  # the sample mean
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol


class StopReason(enum.StrEnum):
    """Why a run stopped.

    ``CONVERGED`` and ``MAX_ITER`` are the driver's; ``NUMERICAL`` the driver's when a
    half-step overflowed or could not factorise; ``COLLAPSED`` and ``EMPTIED`` are for a
    model's :class:`Failure` (a part of the model whose variance shrank to nothing, or that
    lost all its data).
    """

    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    COLLAPSED = "collapsed"
    EMPTIED = "emptied"
    NUMERICAL = "numerical"


@dataclass(frozen=True)
class Failure:
    """A degenerate state a model's ``check`` found.

    Attributes
    ----------
    reason : StopReason
        ``COLLAPSED`` or ``EMPTIED`` (or ``NUMERICAL``).
    message : str
        One sentence for a person: what happened, in which iteration, what to try.
    part : int or None
        The index of the part of the model that failed (a mixture's component, 0-based),
        or None when it is the model as a whole.
    """

    reason: StopReason
    message: str
    part: int | None = None


class EMModel(Protocol):
    """The interface :func:`em_core.em.run_em` drives; see the module docstring."""

    name: str

    @property
    def penalised(self) -> bool: ...

    def prepare(self, X: Any) -> Any: ...

    def n_observations(self, data: Any) -> int: ...

    def e_step(self, data: Any, params: Any) -> tuple[Any, float]: ...

    def m_step(self, data: Any, expectations: Any) -> tuple[Any, Any]: ...

    def check(self, data: Any, params: Any, stats: Any, iteration: int) -> Failure | None: ...

    def start_problem(self, data: Any, params: Any, error: Exception | None) -> str | None: ...


class Start(Protocol):
    """What :func:`em_core.em.run_em` starts from: θ_0 and the stats it came with."""

    @property
    def params(self) -> Any: ...

    @property
    def stats(self) -> Any: ...
