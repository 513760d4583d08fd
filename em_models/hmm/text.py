"""The hidden Markov model's words and short tables for the stepping view: what each
half-step did, what the step buttons do, p(data) from ℓ, and the parameters a class reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from em_models.hmm.emissions import CategoricalEmissions, GaussianEmissions, PoissonEmissions
from em_models.hmm.params import HMMParams
from em_viz.halfstep import HalfStep

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
KEY_DIGITS = 4
# What the E-step and M-step buttons do to a hidden Markov model (their tooltips).
BUTTON_HELP = {
    "e": "Expectation: run the forward pass (α̂, left to right) and the backward pass (β̂, "
    "right to left) with the current start, transition and emission probabilities, giving "
    "each step's state probabilities γ and each edge's ξ. The parameters stay; the trellis "
    "fills.",
    "m": "Maximisation: turn the expected counts into new parameters: each transition "
    "a_jk = Σξ / Σγ, each emission from the γ-weighted observations, the start from γ on "
    "the first step. The trellis stays; A and the emissions change.",
}
LIKELIHOOD_HELP = (
    "ℓ(θ) = log p(x₁, …, x_T | θ), the log of the probability of the whole sequence under "
    "the parameters drawn, summed over every path through the states (ℓ = Σₜ log cₜ)."
)


def describe(half: HalfStep) -> str:
    """One plain sentence on what the half-step did."""
    if half.kind == "start":
        return (
            "Start: these are the first guesses θ₀ for the start, transition and emission "
            "probabilities; no E-step has run yet, so the trellis is empty."
        )
    if half.kind == "E":
        return (
            f"{half.label}: the forward pass filled α̂ left to right and the backward pass β̂ "
            "right to left; their products are each step's state probabilities γ (the bars) "
            "and each edge's ξ (the bands). A and the emissions have not moved."
        )
    return (
        f"{half.label}: the expected counts of E-step {half.params_index} became the new "
        "parameters: each transition is the expected number of moves j → k over the moves "
        "out of j, each emission the states' γ-weighted share of the observations. The "
        "trellis is still that of E-step "
        f"{half.params_index}."
    )


def power_of_ten(log_value: float) -> str:
    """e^log_value written as "9.12756 × 10⁻¹⁹" (six significant digits), computed from the
    logarithm, so a probability far below double precision's range is still written."""
    log10 = log_value / math.log(10)
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, 5) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.6g} × 10{str(exponent).translate(SUPERSCRIPTS)}"


def probability_sentence(log_likelihood: float, t: int) -> str:
    """p(data) for the parameters θ_t."""
    return f"p(data | θ{str(t).translate(SUBSCRIPTS)}) = e^ℓ = {power_of_ten(log_likelihood)}."


def key(value: float) -> str:
    return f"{value:.{KEY_DIGITS}g}".replace("-", "−")


def _row(values: Sequence[float]) -> str:
    return ", ".join(key(v) for v in values)


def emission_columns(
    params: HMMParams, symbols: Sequence[str] | None, column_names: Sequence[str]
) -> dict[str, list[str]]:
    """Each state's emission parameters, as text columns of the numbers table."""
    em = params.emissions
    if isinstance(em, CategoricalEmissions):
        names = symbols or [str(v) for v in range(em.probs.shape[1])]
        return {f"b(v), v = {', '.join(names)}": [_row(row) for row in em.probs]}
    if isinstance(em, PoissonEmissions):
        return {"λ": [_row(row) for row in em.rates]}
    assert isinstance(em, GaussianEmissions)
    sigmas = np.sqrt(np.diagonal(em.as_mixture().full_covariances(), axis1=1, axis2=2))
    return {"μ": [_row(m) for m in em.means], "σ": [_row(s) for s in sigmas]}


def numbers_table(
    params: HMMParams,
    state_names: Sequence[str],
    symbols: Sequence[str] | None,
    column_names: Sequence[str],
) -> pd.DataFrame:
    """One row per state: its name, π, its row of A (and its end probability), and its
    emissions, each number to four significant digits."""
    table = {
        "state": list(state_names),
        "π": [key(p) for p in params.startprob],
        "A row (to 1, 2, …)": [_row(row) for row in params.transmat],
    }
    if params.endprob is not None:
        table["end"] = [key(e) for e in params.endprob]
    table.update(emission_columns(params, symbols, column_names))
    return pd.DataFrame(table)
