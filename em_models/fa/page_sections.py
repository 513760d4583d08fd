"""The three short lessons under factor analysis's stepping view, as Streamlit sections:
the Heywood case with the run carried on, the rotation slider with varimax, and factor
analysis beside probabilistic PCA. The numbers come from :mod:`em_models.fa.lessons`."""

from __future__ import annotations

import numpy as np
import streamlit as st

from em_core import Trace
from em_models.fa import lessons, rotation
from em_models.fa.figures import rotation_figure
from em_models.fa.text import short
from em_models.fa.view import NEAR_HEYWOOD, FAView, minus
from em_ui.state import keep
from em_ui.text import literal


def heywood_section(view: FAView, long: Trace, published: tuple[float, ...] | None) -> None:
    """ψ of the variable nearest a Heywood case along the run carried on, and what it means."""
    st.header("The Heywood case: a noise variance sliding to zero")
    variances = np.var(view.fitted, axis=0)
    i = lessons.smallest_share(long.final.params, variances)
    name = literal(view.column_names[i])
    end = view.trace.final.params.noise_variances[i]
    last = long.final.params.noise_variances[i]
    if last / variances[i] >= NEAR_HEYWOOD:
        st.write(
            f"No variable heads for a Heywood case here: carried on to iteration "
            f"{long.n_iter:,}, the smallest noise variance is {name}'s, {last:.3g}, "
            f"{last / variances[i]:.1%} of its variance. On Harman's census data with two "
            "factors, Population's heads for 0."
        )
        return
    table = lessons.heywood_table(long, i)
    gains = table["gain of ℓ in that iteration"]
    st.write(
        f"This run stopped at iteration {view.trace.n_iter} with ψ of **{name}** at {end:.3g}. "
        f"Carried on from the same start with no stopping rule, EM keeps climbing, ever more "
        f"slowly, while that ψ slides toward 0: in iteration 10, ℓ gains "
        f"{short(gains.iloc[3])}; in iteration {table['iteration'].iloc[-1]:,}, "
        f"{short(gains.iloc[-1])}, and ψ is {short(last)}."
    )
    formats = {"ψ": lambda v: short(v, 4), "ℓ": minus, "gain of ℓ in that iteration": short}
    st.table(table.style.format(formats, na_rep="—").hide(axis="index"))
    published_text = ""
    if published is not None:
        published_text = (
            f" Published maximum-likelihood fits give {name} a communality of "
            f"{published[i]:.3f}: its ψ is 0 at the maximum."
        )
    st.write(
        f"**What it means.** A noise variance of 0 would say that the factors explain {name} "
        "exactly, with no error of its own. The highest ℓ lies on the edge of what the model "
        "allows (ψ ≥ 0), so EM can only creep toward it: every step gains less, and ψ never "
        "gets there. This is a Heywood case." + published_text
    )
    st.write(
        "**What analysts do.** They report it rather than hide it, and then fit fewer "
        "factors, leave the variable out or combine it with another, or hold ψ at a small "
        "positive floor (some programs do this without saying so); a prior on Ψ does the same "
        "job more gently. It is also a warning sign: it often means too many factors for too "
        "few data (here 12 tracts for 5 variables), so the other loadings deserve caution "
        "too. The engine stops a run, and names the variable, once a ψ falls below a "
        "millionth of its variable's variance."
    )


def rotation_section(view: FAView, *, key: str) -> None:
    """A slider turning the final loadings, with C and ℓ unchanged, and varimax beside."""
    st.header("Turning the factors: the same fit from other loadings")
    trace = view.trace
    q = view.n_factors
    if q == 1:
        st.write(
            "With one factor the loadings can only be turned upside down (W → −W, every score "
            "with it), which leaves WWᵀ, C and ℓ as they are. With two factors or more any "
            "turn of them does the same: choose q = 2 to try it."
        )
        return
    degrees = st.slider(
        "Turn the final loadings by (degrees)",
        min_value=-180,
        max_value=180,
        value=0,
        step=5,
        key=keep(f"{key}.angle"),
        help="Turns factors 1 and 2 of the final loadings in their plane.",
    )
    result = lessons.turned(view.X, trace, degrees)
    varimax, R = rotation.varimax(trace.final.params.loadings)
    angle, flipped = rotation.rotation_angle(R)
    st.plotly_chart(
        rotation_figure(view.column_names, result.loadings, varimax),
        key=f"{key}.rotation_chart",
        theme=None,
    )
    change = (
        "not at all"
        if result.covariance_change == 0
        else f"by at most {result.covariance_change:.1g} (float rounding)"
    )
    st.write(
        f"Turned by {minus(degrees, 'd')}°, WWᵀ + Ψ differs from the fit's {change}, and ℓ is "
        f"{minus(result.log_likelihood)} (the run's end: "
        f"{minus(trace.final.log_likelihood)}). The data cannot tell these loadings apart: "
        "factors are defined only up to a rotation."
    )
    turn = f"turns factors 1 and 2 by {minus(angle, '.1f')}°" + (
        " and flips factor 2" if flipped else ""
    )
    st.write(
        f"**Varimax** (dotted) picks the turn that makes each factor's squared loadings as "
        f"spread out as they can be, a few large and the rest near 0, so that each factor "
        f"is easier to name. Here it {turn}."
    )
    st.table(lessons.loadings_table(view.column_names, result.loadings, varimax))


def beside_ppca(view: FAView, beside: lessons.Beside) -> None:
    """Factor analysis and probabilistic PCA on the same data, one line each."""
    st.header("Beside probabilistic PCA")
    params = view.trace.final.params
    psi = params.noise_variances
    low, high = int(np.argmin(psi)), int(np.argmax(psi))
    gap = view.trace.final.log_likelihood - beside.log_likelihood
    side = "above" if gap >= 0 else "below"
    st.markdown(
        f"- **What differs:** probabilistic PCA gives every variable the same noise "
        f"variance σ², factor analysis one ψᵢ each, so a variable the factors barely reach "
        f"keeps its own large noise instead of pulling W toward it.\n"
        f"- **Probabilistic PCA** with q = {view.n_factors} on the same standardised data: "
        f"σ² = {beside.noise_variance:.3g} for every variable; its maximum ℓ = "
        f"{minus(beside.log_likelihood)}.\n"
        f"- **Factor analysis:** ψ from {psi[low]:.3g} ({literal(view.column_names[low])}) "
        f"to {psi[high]:.3g} ({literal(view.column_names[high])}); ℓ = "
        f"{minus(view.trace.final.log_likelihood)} at this run's end, "
        f"{abs(gap):.4f} {side} probabilistic PCA's maximum."
    )
