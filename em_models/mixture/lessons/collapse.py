"""Collapsing components and the ridge: a Gaussian that shrinks onto one point, the ridge that
stops it and what the ridge costs, and a component that empties."""

import numpy as np
import streamlit as st

from em_core import StopReason, Trace
from em_core.likelihood_change import decreases
from em_data import load_dataset
from em_models.mixture.collapse_figures import (
    COLLAPSE_START,
    EMPTY_START,
    SQRT_2PI,
    counts_figure,
    likelihood_figure,
    peak_table,
    readable,
    refused_log_likelihood,
    refused_step,
    ridge_outcomes_table,
    sigma_figure,
    smallest_sigma_floor,
    start_text,
)
from em_models.mixture.diagnostics import nearly_collapsed
from em_models.mixture.engine import failed_component
from em_models.mixture.fits import fit_trace
from em_models.mixture.formulas import number
from em_models.mixture.gaussian import Parameters
from em_models.mixture.settings import convergence_settings
from em_models.mixture.starts import DEFAULT_RIDGE
from em_models.mixture.stepper import stepping_view
from em_ui import links
from em_ui.text import literal

KEY = "collapse"
# The ridges the comparison table runs, and the one whose cost the page spells out.
TABLE_RIDGES = (0.0, 1e-8, 1e-6, 1e-4, 1e-2, 1e-1)
LARGE_RIDGE = 1e-2
CHART_CONFIG = {"displaylogo": False}
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

data = load_dataset("worked_example")
X = np.asarray(data.values)  # read-only: the store keys it once per script run
N_COMPONENTS = 3


def sub(k: int) -> str:
    """A whole number as subscript digits: 12 → ₁₂."""
    return str(k).translate(SUBSCRIPTS)


def run(start: Parameters, *, ridge: float, tol: float, max_iter: int) -> Trace:
    """The prepared start on the six points, through the shared store of finished fits."""
    return fit_trace(
        X,
        N_COMPONENTS,
        init="given",
        _params=start,
        tol=tol,
        ridge=ridge,
        max_iter=max_iter,
    )


def show_text_table(df) -> None:
    """A short table whose cells are already written out (numbers of very different sizes,
    as 7.92 × 10⁶), drawn as it is; headers as literal text, as st.table reads markdown."""
    st.table(df.rename(columns=literal), hide_index=True)


def watched_component(trace: Trace) -> int:
    """The component to follow: the one that failed, else the narrowest at the end."""
    failed = failed_component(trace)
    if failed is not None:
        return failed
    return int(np.argmin(trace.final.params.full_covariances()[:, 0, 0]))


def sigma(snapshot, k: int) -> float:
    return float(np.sqrt(snapshot.params.full_covariances()[k, 0, 0]))


link = links.start(KEY)
st.title("Collapsing components and the ridge")
st.write(
    "A Gaussian of a mixture can shrink onto a single data point. Its curve then grows ever "
    "taller over that point, the log-likelihood ℓ grows with it, and there is no largest "
    "value for EM to reach. Below, one start on the worked example's six points does this; "
    "a ridge stops it, at a price."
)

# ------------------------------------------------------------------------------------------
st.header("A component shrinks onto one point")
values = ", ".join(f"{v:g}" for v in X[:, 0])
st.write(
    f"K = 3 Gaussians on the points {values}, from {start_text(COLLAPSE_START)}. With no "
    "ridge, component 3 takes 9 and 9.5, and component 2 is left with the point 8 alone and "
    "narrows onto it. Step through the run, then raise the ridge and watch the same start "
    "stay finite."
)
with st.container(horizontal=True, gap="medium"):
    conv = convergence_settings(KEY, ridge=0.0, max_iter=100)
trace = run(COLLAPSE_START, ridge=conv.ridge, tol=conv.tol, max_iter=conv.max_iter)
stepping_view(X, trace, key=KEY, column_names=data.columns)
link.finish()

if conv.ridge == 0 and trace.stop_reason is StopReason.CONVERGED:
    st.warning(
        f"With no ridge, this run stopped as converged after {trace.n_iter} iterations: ℓ per "
        f"point changed by only {trace.change(trace.n_iter):.2g}, less than tol = "
        f"{conv.tol:g}. That was a pause, not the end: with tol = 0.001 or smaller the run goes "
        "on, and component 2 collapses."
    )
elif conv.ridge == 0 and trace.stop_reason is StopReason.MAX_ITER:
    st.warning(
        f"The iteration limit stopped this run after {trace.n_iter} iterations, before the "
        "collapse: raise it to see the rest."
    )

st.subheader("σ falling, ℓ rising")
k = watched_component(trace)
refused = refused_step(X, trace) if trace.stop_reason is StopReason.COLLAPSED else None
refused_ll = None if refused is None else refused_log_likelihood(X, refused)
first, last = trace.snapshots[0], trace.final
st.write(
    f"From θ₀ to θ{sub(last.iteration)}, "
    + ("the last parameters the engine kept, " if trace.failed else "the end of the run, ")
    + f"σ{sub(k + 1)} "
    f"went from {sigma(first, k):.3g} to {readable(sigma(last, k))} and ℓ from "
    f"{first.log_likelihood:.3f} to {last.log_likelihood:.3f}.".replace("-", "−")
    + (" The crosses are the step the engine refused." if refused is not None else "")
)
left, right = st.columns(2)
left.plotly_chart(
    sigma_figure(X, trace, refused), key=f"{KEY}.sigma_chart", theme=None, config=CHART_CONFIG
)
right.plotly_chart(
    likelihood_figure(trace, refused_ll),
    key=f"{KEY}.loglik_chart",
    theme=None,
    config=CHART_CONFIG,
)

if refused is not None:
    st.subheader("The step the engine refused")
    n_kept = last.iteration
    mean = refused.params.means[k, 0]
    floor = smallest_sigma_floor(X, refused.params.means)
    ll_text = (
        f" Had it been kept, ℓ would have jumped from {last.log_likelihood:.2f} to "
        f"{refused_ll:.2f}.".replace("-", "−")
        if refused_ll is not None
        else ""
    )
    st.write(
        f"The E-step on θ{sub(n_kept)} gives component {k + 1} the point {refused.point:g} "
        f"almost alone: N{sub(k + 1)} = {refused.nk[k]:.6f}. The M-step of iteration "
        f"{n_kept + 1} would then set μ{sub(k + 1)} = {mean:.6g} and "
        f"σ{sub(k + 1)}² = {readable(refused.variance)}, that is σ{sub(k + 1)} = "
        f"{readable(refused.sigma)}: below {readable(floor, 2)}, the smallest σ the engine "
        "accepts for these data. So it refused that step, stopped with the status "
        f"“{trace.stop_reason}” and kept θ₀ … θ{sub(n_kept)}, which you stepped through above."
        + ll_text
    )
    st.markdown(
        "**Why ℓ has no maximum there.** The height of a component's curve over its own mean "
        "is its weight divided by σ√(2π); for the step refused here:"
    )
    st.latex(
        r"\pi_k\,\mathcal{N}(\mu_k \mid \mu_k, \sigma_k^2) = \frac{\pi_k}{\sigma_k\sqrt{2\pi}}"
        rf" = \frac{{{number(refused.weight)}}}{{{number(refused.sigma)} \times "
        rf"{number(SQRT_2PI)}}} \approx {number(refused.peak)}"
    )
    st.write(
        "Put a component's mean on a data point x and let its σ shrink: that height grows "
        "like 1/σ, without limit, so the term of x in ℓ, log Σⱼ πⱼ N(x | μⱼ, σⱼ²), grows "
        "like −log σ. Every other point keeps at least the density the other components give "
        "it, which does not depend on this σ. So the smaller σ, the larger ℓ: the supremum is "
        "+∞ and no parameters reach it. EM, which never lowers ℓ, has nothing to stop it "
        f"going that way: once component {k + 1} owns one point nearly alone, each step "
        "shrinks its σ faster, as the table shows."
    )
    show_text_table(peak_table(trace, k, refused))

# ------------------------------------------------------------------------------------------
st.header("The ridge")
variance = float(X[:, 0].var())
st.write(
    "The ridge control above adds, in every M-step, a fraction of the data's own variance "
    f"(here {variance:.4g}) to every σₖ², so that no σₖ can fall below √(ridge × "
    f"{variance:.4g}). The app's default is {readable(DEFAULT_RIDGE, 1)}, which adds "
    f"{readable(DEFAULT_RIDGE * variance)}."
)
if conv.ridge > 0:
    st.info(
        f"With the ridge at {readable(conv.ridge, 1)}, every σₖ² gets "
        f"{readable(trace.model.reg_covar)} more, so no σₖ can fall below "
        f"{readable(np.sqrt(trace.model.reg_covar))}. This run ended with "
        f"the status “{trace.stop_reason}” after {trace.n_iter} iterations, with "
        f"σ{sub(k + 1)} = {readable(sigma(trace.final, k))} and "
        f"ℓ = {trace.final.log_likelihood:.3f}.".replace("-", "−")
    )
    # The stepping view's notes flag a component whose points spread no more than the ridge
    # adds; a large ridge makes that true of components that own several points.
    owners = [
        item
        for item in nearly_collapsed(trace.final, trace.model.ridge_diagonal)
        if item.ridge_dominated and not item.few_points
    ]
    if owners:
        names = " and ".join(
            f"component {item.component + 1} owns {item.nk:.2f} points" for item in owners
        )
        st.caption(
            "The notes under the chart call a component nearly collapsed when its points "
            "spread no more than the ridge adds (its variance at most twice the ridge). A "
            f"ridge this large does that to components that own several points: {names}."
        )
runs = [
    (ridge, run(COLLAPSE_START, ridge=ridge, tol=conv.tol, max_iter=conv.max_iter))
    for ridge in TABLE_RIDGES
]
st.markdown("**The same start with other ridges** (the tolerance and iteration limit above)")
show_text_table(ridge_outcomes_table(runs))
st.caption(
    "A small ridge keeps the numbers finite, but the component still sits on one point with "
    "σ at the ridge's floor, and ℓ at the end is set by the ridge: the smaller the ridge, the "
    "larger ℓ. A fit whose best ℓ comes from one point is not a fit to trust, whatever the "
    "ridge; fewer components or another start are the cure."
)
large = dict(runs)[LARGE_RIDGE]
own = float(np.sqrt(large.final.params.full_covariances()[0, 0, 0] - large.model.reg_covar))
falls = decreases(large)
if falls:
    drops = [
        large.snapshots[t - 1].log_likelihood - large.snapshots[t].log_likelihood for t in falls
    ]
    fall_text = (
        f"ℓ fell at {len(falls)} of its {large.n_iter} iterations (by up to "
        f"{readable(max(drops))}), which plain EM never does: the ridge moves each M-step "
        "off the maximum EM climbs to."
    )
else:
    fall_text = (
        "ℓ did not fall in this run, but with a ridge it may: the ridge moves each M-step off "
        "the maximum EM climbs to."
    )
st.write(
    f"**What a large ridge costs.** At {readable(LARGE_RIDGE, 1)}, every σₖ² is raised by "
    f"{readable(large.model.reg_covar)}: component 1, which holds 1.5, 2 and 2.5, ends with "
    f"σ₁ = {sigma(large.final, 0):.3f} where their own spread is {own:.3f}. And {fall_text}"
)

# ------------------------------------------------------------------------------------------
st.header("A component that empties")
EMPTY_TOL = 0.0
empty = run(EMPTY_START, ridge=DEFAULT_RIDGE, tol=EMPTY_TOL, max_iter=100)
empty_refused = refused_step(X, empty)
st.write(
    f"Now K = 3 from {start_text(EMPTY_START)}. Component 3 starts in the gap between the "
    "two groups, where no point is, five of its σ from the nearest one. The first "
    "E-step gives it almost nothing, its weight π₃ = N₃ / 6 follows, and from there it owns "
    "less at every step. This run has tol = 0, so that only the engine's own check stops it."
)
st.plotly_chart(
    counts_figure(empty, empty_refused),
    key=f"{KEY}.counts_chart",
    theme=None,
    config=CHART_CONFIG,
)
counts = np.array([s.stats for s in empty.snapshots[1:]])
if counts.size and np.allclose(counts[:, 0], counts[:, 1], rtol=1e-3):
    st.caption(
        f"N₁ and N₂ stay at {counts[-1, 0]:.4g} and {counts[-1, 1]:.4g}, the three points of "
        "each group, so their lines lie on top of each other."
    )
st.error(literal(f"Status “{empty.stop_reason}”: {empty.message}"))
early = run(EMPTY_START, ridge=DEFAULT_RIDGE, tol=1e-3, max_iter=100)
st.write(
    "The M-step divides by Nₖ to find μₖ and σₖ²; when Nₖ is below 10⁻⁶ of a point, both "
    "would be a ratio of two numbers that are nearly zero, and say nothing. So the engine "
    f"refuses that step, stops with the status “{empty.stop_reason}”, names the component "
    f"and keeps θ₀ … θ{sub(empty.n_iter)}: the run can still be read, as this chart does. It "
    "does not drop or move the component: that choice is yours (fewer components, or "
    "another start)."
)
st.write(
    f"With the usual tol = 0.001 the same start instead stops as “{early.stop_reason}” after "
    f"{early.n_iter} iterations, with π₃ = {readable(early.final.params.weights[2])}: a run can "
    "converge with a component that explains nothing, so read the weights, not only the "
    "status."
)
