r"""The hidden Markov model's E-step and M-step formulas as LaTeX, with the live numbers in.

E-step, for a chosen step t and states j, k (the scaled recursions of
:mod:`em_models.hmm.forward_backward`):

α̂_t(k) = b_k(x_t) Σ_j α̂_{t−1}(j) a_jk / c_t   (α̂_1(k) = π_k b_k(x_1) / c_1),
β̂_t(k) = Σ_j a_kj b_j(x_{t+1}) β̂_{t+1}(j) / c_{t+1}   (β̂_T(k) = e_k / Σ_j α̂_T(j) e_j),
γ_t(k) = α̂_t(k) β̂_t(k),   ξ_t(j, k) = α̂_{t−1}(j) a_jk b_k(x_t) β̂_t(k) / c_t.

M-step, from the expected counts the engine kept (:class:`em_models.hmm.engine.Counts`):
a_jk = Σ_t ξ_t(j, k) / Σ_t γ_t(j), b_k(v) = Σ_{t: x_t = v} γ_t(k) / Σ_t γ_t(k),
λ_k and μ_k the γ-weighted means, π_k = γ_1(k).

Indices are Python's (from 0) in the arguments and printed from 1. Numbers have six
significant digits (the precision of Eisner's spreadsheet), in powers of ten when tiny.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from em_models.hmm.emissions import CategoricalEmissions, GaussianEmissions, PoissonEmissions
from em_models.hmm.engine import Counts
from em_models.hmm.params import HMMParams

DIGITS = 6
# Sums over the states write out every term up to this many states, else three and the last.
WRITE_OUT_MAX = 4


def num(value: float) -> str:
    """Six significant digits; powers of ten below 10⁻⁴ or from 10⁶."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < 1e-4 or abs(value) >= 1e6:
        mantissa, exponent = f"{value:.{DIGITS - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"{value:.{DIGITS}g}"


def _sub(*indices: int) -> str:
    shown = [str(i + 1) for i in indices]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown)


def _terms(terms: list[str]) -> str:
    if len(terms) > WRITE_OUT_MAX:
        terms = [*terms[:3], r"\dots", terms[-1]]
    return " + ".join(terms)


@dataclass(frozen=True, eq=False)
class DayNumbers:
    """What the E-step formulas of step t use, from the engine's forward–backward pass.

    Attributes
    ----------
    t : int
        The step, from 0.
    x : str
        x_t as written on screen.
    b : array of shape (n_states,)
        b_k(x_t).
    alpha, beta, gamma : arrays of shape (n_states,)
        α̂_t, β̂_t, γ_t.
    scale : float
        c_t.
    alpha_prev : array or None
        α̂_{t−1}; None when t begins a sequence.
    b_next, beta_next : arrays or None; scale_next : float or None
        b(x_{t+1}), β̂_{t+1} and c_{t+1}; None when t ends a sequence.
    """

    t: int
    x: str
    b: NDArray[np.float64]
    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    scale: float
    alpha_prev: NDArray[np.float64] | None
    b_next: NDArray[np.float64] | None
    beta_next: NDArray[np.float64] | None
    scale_next: float | None


def alpha_formula(day: DayNumbers, params: HMMParams, k: int) -> str:
    r"""α̂_t(k) with its numbers, and c_t."""
    t, b = day.t, day.b
    head = rf"\hat\alpha_{{{_sub(t)}}}({k + 1})"
    if day.alpha_prev is None:
        value = params.startprob[k] * b[k] / day.scale
        return (
            rf"{head} = \frac{{\pi_{{{k + 1}}}\, b_{{{k + 1}}}(x_{{{_sub(t)}}})}}"
            rf"{{c_{{{_sub(t)}}}}}"
            rf" = \frac{{{num(params.startprob[k])} \times {num(b[k])}}}{{{num(day.scale)}}}"
            rf" = {num(value)}"
        )
    K = params.n_states
    terms = [rf"{num(day.alpha_prev[j])} \times {num(params.transmat[j, k])}" for j in range(K)]
    value = b[k] * float(day.alpha_prev @ params.transmat[:, k]) / day.scale
    return (
        rf"{head} = \frac{{b_{{{k + 1}}}(x_{{{_sub(t)}}}) \sum_j \hat\alpha_{{{_sub(t - 1)}}}(j)"
        rf"\, a_{{j{k + 1}}}}}{{c_{{{_sub(t)}}}}}"
        rf" = \frac{{{num(b[k])} \times ({_terms(terms)})}}{{{num(day.scale)}}} = {num(value)}"
    )


def scale_formula(day: DayNumbers, params: HMMParams) -> str:
    r"""c_t = Σ_k b_k(x_t) Σ_j α̂_{t−1}(j) a_jk, the probability of x_t given the past."""
    t = day.t
    predicted = params.startprob if day.alpha_prev is None else day.alpha_prev @ params.transmat
    terms = [rf"{num(day.b[k])} \times {num(predicted[k])}" for k in range(params.n_states)]
    what = (
        r"\pi_k"
        if day.alpha_prev is None
        else rf"\sum_j \hat\alpha_{{{_sub(t - 1)}}}(j)\, a_{{jk}}"
    )
    return (
        rf"c_{{{_sub(t)}}} = \sum_k b_k(x_{{{_sub(t)}}})\, {what} = {_terms(terms)}"
        rf" = {num(float(day.b @ predicted))}"
    )


def beta_formula(day: DayNumbers, params: HMMParams, k: int) -> str:
    r"""β̂_t(k) with its numbers."""
    t = day.t
    head = rf"\hat\beta_{{{_sub(t)}}}({k + 1})"
    if day.beta_next is None:
        if params.endprob is None:
            return rf"\text{{(the last step: nothing follows)}} \quad {head} = 1"
        e = params.endprob
        denominator = float(day.alpha @ e)
        terms = [rf"{num(day.alpha[j])} \times {num(e[j])}" for j in range(params.n_states)]
        return (
            rf"{head} = \frac{{e_{{{k + 1}}}}}{{\sum_j \hat\alpha_{{{_sub(t)}}}(j)\, e_j}}"
            rf" = \frac{{{num(e[k])}}}{{{_terms(terms)}}} = {num(e[k] / denominator)}"
        )
    a, b, beta = params.transmat[k], day.b_next, day.beta_next
    terms = [
        rf"{num(a[j])} \times {num(b[j])} \times {num(beta[j])}" for j in range(params.n_states)
    ]
    value = float(np.sum(a * b * beta)) / day.scale_next
    return (
        rf"{head} = \frac{{\sum_j a_{{{k + 1}j}}\, b_j(x_{{{_sub(t + 1)}}})\, "
        rf"\hat\beta_{{{_sub(t + 1)}}}(j)}}{{c_{{{_sub(t + 1)}}}}}"
        rf" = \frac{{{_terms(terms)}}}{{{num(day.scale_next)}}} = {num(value)}"
    )


def gamma_formula(day: DayNumbers, k: int) -> str:
    r"""γ_t(k) = α̂_t(k) β̂_t(k)."""
    t = day.t
    value = day.alpha[k] * day.beta[k]
    return (
        rf"\gamma_{{{_sub(t)}}}({k + 1}) = \hat\alpha_{{{_sub(t)}}}({k + 1})\, "
        rf"\hat\beta_{{{_sub(t)}}}({k + 1}) = {num(day.alpha[k])} \times {num(day.beta[k])}"
        rf" = {num(value)}"
    )


def xi_formula(day: DayNumbers, params: HMMParams, j: int, k: int) -> str | None:
    r"""ξ_t(j, k) with its numbers; None when t begins a sequence (no edge enters it)."""
    if day.alpha_prev is None:
        return None
    t = day.t
    a = params.transmat[j, k]
    value = day.alpha_prev[j] * a * day.b[k] * day.beta[k] / day.scale
    factors = r" \times ".join(num(v) for v in (day.alpha_prev[j], a, day.b[k], day.beta[k]))
    return (
        rf"\xi_{{{_sub(t)}}}({j + 1}, {k + 1}) = \frac{{\hat\alpha_{{{_sub(t - 1)}}}({j + 1})\, "
        rf"a_{{{_sub(j, k)}}}\, b_{{{k + 1}}}(x_{{{_sub(t)}}})\, \hat\beta_{{{_sub(t)}}}({k + 1})}}"
        rf"{{c_{{{_sub(t)}}}}} = \frac{{{factors}}}{{{num(day.scale)}}} = {num(value)}"
    )


# --- M-step --------------------------------------------------------------------------------


def _ratio(head: str, symbolic: str, numerator: float, denominator: float, value: float) -> str:
    return rf"{head} = {symbolic} = \frac{{{num(numerator)}}}{{{num(denominator)}}} = {num(value)}"


def transition_formula(counts: Counts, after: HMMParams, j: int, k: int) -> str:
    r"""a_jk = Σ_t ξ_t(j, k) / Σ_t γ_t(j) (with an end state, γ summed to the last step)."""
    leaving = counts.transitions[j].sum() + (0.0 if counts.ends is None else counts.ends[j])
    upto = "T" if counts.ends is not None else "T-1"
    symbolic = (
        rf"\frac{{\sum_{{t=2}}^{{T}} \xi_t({j + 1}, {k + 1})}}"
        rf"{{\sum_{{t=1}}^{{{upto}}} \gamma_t({j + 1})}}"
    )
    return _ratio(
        rf"a_{{{_sub(j, k)}}}", symbolic, counts.transitions[j, k], leaving, after.transmat[j, k]
    )


def end_formula(counts: Counts, after: HMMParams, j: int) -> str | None:
    r"""e_j = γ_T(j) / Σ_t γ_t(j), with an end state; else None."""
    if counts.ends is None or after.endprob is None:
        return None
    leaving = counts.transitions[j].sum() + counts.ends[j]
    symbolic = rf"\frac{{\gamma_T({j + 1})}}{{\sum_{{t=1}}^{{T}} \gamma_t({j + 1})}}"
    return _ratio(rf"e_{{{j + 1}}}", symbolic, counts.ends[j], leaving, after.endprob[j])


def start_formula(counts: Counts, after: HMMParams, k: int) -> str:
    r"""π_k = Σ over sequences of γ_1(k), divided by the number of sequences."""
    n = counts.starts.sum()
    symbolic = rf"\frac{{\sum_{{\text{{sequences}}}} \gamma_1({k + 1})}}{{\text{{sequences}}}}"
    return _ratio(rf"\pi_{{{k + 1}}}", symbolic, counts.starts[k], n, after.startprob[k])


def emission_formulas(
    counts: Counts,
    after: HMMParams,
    k: int,
    symbols: Sequence[str] | None = None,
    *,
    ridge: bool = False,
) -> list[str]:
    r"""The M-step of state k's emissions: b_k(v) for every symbol v, λ_k, or μ_k and Σ_k
    (``ridge``: the Gaussian M-step adds a ridge to the covariances)."""
    occupancy = counts.occupancy[k]
    em = after.emissions
    total = rf"\sum_t \gamma_t({k + 1})"
    if isinstance(em, CategoricalEmissions):
        names = symbols or [str(v) for v in range(em.probs.shape[1])]
        return [
            _ratio(
                rf"b_{{{k + 1}}}({name})",
                rf"\frac{{\sum_{{t:\, x_t = {name}}} \gamma_t({k + 1})}}{{{total}}}",
                em.probs[k, v] * occupancy,
                occupancy,
                em.probs[k, v],
            )
            for v, name in enumerate(names)
        ]
    if isinstance(em, PoissonEmissions):
        return [
            _ratio(
                rf"\lambda_{{{k + 1}}}",
                rf"\frac{{\sum_t \gamma_t({k + 1})\, x_t}}{{{total}}}",
                em.rates[k, i] * occupancy,
                occupancy,
                em.rates[k, i],
            )
            for i in range(em.rates.shape[1])
        ]
    assert isinstance(em, GaussianEmissions)
    return _gaussian_formulas(em, k, occupancy, ridge)


def _gaussian_formulas(em: GaussianEmissions, k: int, occupancy: float, ridge: bool) -> list[str]:
    total = rf"\sum_t \gamma_t({k + 1})"
    mean = em.means[k]
    vector = lambda v: "(" + ", ".join(num(x) for x in v) + ")"  # noqa: E731
    lines = [
        rf"\mu_{{{k + 1}}} = \frac{{\sum_t \gamma_t({k + 1})\, x_t}}{{{total}}}"
        rf" = \frac{{{vector(mean * occupancy)}}}{{{num(occupancy)}}} = {vector(mean)}"
    ]
    cov = em.as_mixture().full_covariances()[k]
    scatter = (
        rf"\frac{{\sum_t \gamma_t({k + 1})\,(x_t - \mu_{{{k + 1}}})(x_t - \mu_{{{k + 1}}})^\top}}"
        rf"{{{total}}}"
    )
    if em.covariance_type != "full":
        scatter = rf"\text{{the weighted spread, as '{em.covariance_type}' covariances allow}}"
    if ridge:
        scatter += r" + \text{ridge}"
    if cov.shape[0] == 1:
        lines.append(rf"\sigma^2_{{{k + 1}}} = {scatter} = {num(cov[0, 0])}")
    else:
        rows = r" \\ ".join(" & ".join(num(v) for v in row) for row in cov)
        lines.append(rf"\Sigma_{{{k + 1}}} = {scatter} = \begin{{pmatrix}} {rows} \end{{pmatrix}}")
    return lines
