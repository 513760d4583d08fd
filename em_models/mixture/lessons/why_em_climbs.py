"""Why EM climbs: the lower bound each E-step builds, and EM against gradient ascent."""

import numpy as np
import pandas as pd
import streamlit as st

from em_core import Change, classify_change
from em_data import load_dataset
from em_models.mixture.bound import MeanPath, em_mean_path, gradient_path
from em_models.mixture.climb_figures import bound_figure, likelihood_surface, paths_figure
from em_models.mixture.gaussian import Parameters
from em_ui.state import keep
from em_ui.tables import show_table

KEY = "climb"
START_MEANS = (2.0, 9.0)  # the article's start: μ = (2, 9), σ = (1, 1), π = (½, ½)
SIGMAS = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)
STEP_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
TOLERANCES = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)
BOUND_TOL = 1e-8  # the first view steps until the bound's top no longer moves ℓ
BOUND_MAX_ITER = 50
GRADIENT_MAX_ITER = 1000
MEAN_NAMES = ("μ₁", "μ₂")
# Paths that move the means less than this are hidden under their markers on the chart.
SHORT_PATH = 0.5

X = np.asarray(load_dataset("worked_example").values)
CHART_CONFIG = {"displaylogo": False}


def start(sigma: float, means: tuple[float, float] = START_MEANS) -> Parameters:
    """The article's start, with the given means and both σ at ``sigma``."""
    return Parameters([0.5, 0.5], [[means[0]], [means[1]]], [[[sigma**2]], [[sigma**2]]], "full")


@st.cache_data(max_entries=64)
def bound_path(k: int, value: float) -> MeanPath:
    means = list(START_MEANS)
    means[k] = value
    return em_mean_path(
        X, start(1.0, tuple(means)), components=(k,), tol=BOUND_TOL, max_iter=BOUND_MAX_ITER
    )


@st.cache_data(max_entries=16)
def surface(sigma: float, values: np.ndarray) -> np.ndarray:
    return likelihood_surface(X, start(sigma), values)


@st.cache_data(max_entries=64)
def both_paths(
    sigma: float, tol: float, means: tuple[float, float]
) -> tuple[MeanPath, dict[float, MeanPath]]:
    """EM's path, and gradient ascent's for every step size offered."""
    params = start(sigma, means)
    em = em_mean_path(X, params, tol=tol, max_iter=GRADIENT_MAX_ITER)
    gradients = {
        step: gradient_path(X, params, step_size=step, tol=tol, max_iter=GRADIENT_MAX_ITER)
        for step in STEP_SIZES
    }
    return em, gradients


def steps_words(n: int) -> str:
    return f"{n} step" + ("" if n == 1 else "s")


def outcome(path: MeanPath) -> str:
    """How a path ended, as the rest of a sentence whose subject is the method."""
    if path.converged:
        return f"reaches the tolerance in {steps_words(path.n_steps)}"
    if path.diverged:
        return f"runs away from the data after {steps_words(path.n_steps)}"
    return f"does not reach the tolerance in {steps_words(path.n_steps)}"


def ended(path: MeanPath) -> str:
    if path.converged:
        return "converged"
    return "ran away" if path.diverged else "stopped at the limit"


st.title("Why EM climbs")
st.write(
    "An EM iteration never lowers the log-likelihood ℓ: the E-step builds a curve under ℓ "
    "that touches it at the current parameters, and the M-step jumps to that curve's top. "
    "The data are the worked example's six points; the start is the article's, "
    "μ = (2, 9), σ = (1, 1), π = (½, ½), with no ridge."
)

# ---------------------------------------------------------------------------------------
st.header("One mean moves, the bound follows")
controls, chart = st.columns([1, 3])
with controls:
    k = st.radio(
        "The mean that moves",
        (0, 1),
        format_func=lambda i: f"{MEAN_NAMES[i]} (the article starts it at {START_MEANS[i]:g})",
        index=1,
        key=keep(f"{KEY}.mean"),
        help="Every other parameter is held at the article's start.",
    )
    value = st.slider(
        f"Where {MEAN_NAMES[k]} starts",
        min_value=-1.0,
        max_value=12.0,
        value=START_MEANS[k],
        step=0.5,
        key=keep(f"{KEY}.start.{k}"),
        help="The article's value reproduces its run; a start between the two groups, at "
        "4 say, shows a longer climb and bounds that part from ℓ.",
    )
    path = bound_path(k, value)
    if path.n_steps < 2:
        t = 1
        st.caption(f"From {MEAN_NAMES[k]} = {value:g} one M-step reaches the top: one bound.")
    else:
        t = st.slider(
            "E-step",
            min_value=1,
            max_value=path.n_steps,
            value=1,
            key=keep(f"{KEY}.t.{k}.{value:g}"),
            help=f"The run ends when ℓ per point changes by less than {BOUND_TOL:g}; "
            "earlier bounds stay, dotted and paler.",
        )
other = 1 - k
grid = np.linspace(X.min() - 3.0, X.max() + 3.0, 401)
chart.plotly_chart(
    bound_figure(X, path, start(1.0, tuple(path.means[0, :, 0])), k, t - 1, grid),
    key=f"{KEY}.bound_chart",
    theme=None,
    config=CHART_CONFIG,
)
st.write(
    "The black curve is ℓ as one mean moves. The purple curve is the lower bound L that an "
    "E-step builds from the responsibilities r of the current parameters: "
    "L(θ) = Σₙ Σₖ rₙₖ log(πₖ 𝒩(xₙ | μₖ, σₖ²)) − Σₙ Σₖ rₙₖ log rₙₖ. It touches ℓ at the "
    "current value (○). The M-step moves the mean to the top of L (▲), where ℓ is at least "
    "as high (●); the next E-step builds a new bound that touches ℓ there."
)
before, after = path.log_likelihoods[t - 1], path.log_likelihoods[t]
st.write(
    f"E-step {t} builds its bound at {MEAN_NAMES[k]} = {path.means[t - 1, k, 0]:.4f}, where "
    f"it equals ℓ = {before:.4f}. The M-step moves {MEAN_NAMES[k]} to the bound's top, "
    f"{path.means[t, k, 0]:.4f} (the responsibility-weighted mean of the points), with "
    f"{MEAN_NAMES[other]} held at {path.means[0, other, 0]:g}: ℓ is now {after:.4f}"
    + (
        ", the same up to float rounding."
        if classify_change(before, after, len(X), False) is Change.FLAT
        else f", {after - before:.3g} higher."
    )
    + (
        " ℓ has stopped rising: the mean sits at a peak of ℓ along this line."
        if t == path.n_steps and path.converged
        else ""
    )
)

# ---------------------------------------------------------------------------------------
st.header("Why the bound guarantees the climb")
st.write(
    "For each point the responsibilities rₙ₁ and rₙ₂ are weights that sum to one. Write the "
    "point's likelihood as a weighted average, Σₖ rₙₖ · (πₖ 𝒩(xₙ | μₖ, σₖ²) / rₙₖ). The log is "
    "a concave function, so the log of an average is at least the average of the logs "
    "(Jensen's inequality). Summed over the points, that is ℓ(θ) ≥ L(θ), for any θ."
)
st.write(
    "With r from the E-step of the current θₜ, every ratio inside the average is the same "
    "number, the point's likelihood p(xₙ | θₜ), and averaging equal numbers loses nothing: "
    "L touches ℓ at θₜ. The M-step chooses θₜ₊₁ to make L as large as it can, so"
)
st.latex(r"\ell(\theta_{t+1}) \;\ge\; L(\theta_{t+1}) \;\ge\; L(\theta_t) \;=\; \ell(\theta_t).")
st.write(
    "The first inequality is Jensen's, the second is the M-step's choice, the equality is "
    "the E-step's. ℓ can stay put only if θₜ already tops its own bound."
)

# ---------------------------------------------------------------------------------------
st.header("Both means: EM against gradient ascent")
st.write(
    "Now μ₁ and μ₂ both move, with σ and π held, so ℓ is a landscape over the plane of the "
    "two means: its two peaks are the same fit with the labels swapped. EM climbs it with no "
    "step size to choose; plain gradient ascent, μ ← μ + η ∂ℓ/∂μ, needs one. Both stop by "
    "the engine's rule: when ℓ per point changes by less than the tolerance."
)
controls = st.columns(3)
with controls[0]:
    start_1 = st.slider(
        "μ₁ starts at",
        min_value=-1.0,
        max_value=12.0,
        value=START_MEANS[0],
        step=0.5,
        key=keep(f"{KEY}.start_1"),
        help="The article starts at μ₁ = 2. Both methods start here.",
    )
with controls[1]:
    start_2 = st.slider(
        "μ₂ starts at",
        min_value=-1.0,
        max_value=12.0,
        value=START_MEANS[1],
        step=0.5,
        key=keep(f"{KEY}.start_2"),
        help="The article starts at μ₂ = 9. A start such as (5, 6) shows longer paths.",
    )
with controls[2]:
    step_size = st.select_slider(
        "Gradient step size η",
        options=STEP_SIZES,
        value=0.1,
        format_func=lambda v: f"{v:g}",
        key=keep(f"{KEY}.step"),
        help="Gradient ascent moves each mean by η times the slope of ℓ. Too small crawls; "
        "too large overshoots.",
    )
controls = st.columns(3)
with controls[0]:
    tol = st.select_slider(
        "Tolerance (tol)",
        options=TOLERANCES,
        value=1e-6,
        format_func=lambda v: f"{v:g}",
        key=keep(f"{KEY}.tol"),
        help="Both stop once the mean log-likelihood per point changes by less than this "
        "between two steps.",
    )
with controls[1]:
    sigma = st.select_slider(
        "σ of both components, held",
        options=SIGMAS,
        value=1.0,
        format_func=lambda v: f"{v:g}",
        key=keep(f"{KEY}.sigma"),
        help="The article's start has σ = 1. A larger σ makes the two Gaussians overlap.",
    )
em, gradients = both_paths(sigma, tol, (start_1, start_2))
gradient = gradients[step_size]
values = np.linspace(X.min() - 3.5, X.max() + 3.5, 141)
chart, notes = st.columns([3, 2])
chart.plotly_chart(
    paths_figure(surface(sigma, values), values, em, gradient, step_size),
    key=f"{KEY}.paths_chart",
    theme=None,
    config=CHART_CONFIG,
)
if max(np.abs(p.means[-1] - p.means[0]).max() for p in (em, gradient)) < SHORT_PATH:
    chart.caption(
        "Both paths are too short to see here: the start already sits next to a peak. "
        "Drag a box on the chart to zoom in, or start farther away, at (5, 6) say."
    )
converging = {step: path for step, path in gradients.items() if path.converged}
best_step = min(converging, key=lambda s: converging[s].n_steps) if converging else None
lines = [
    f"From μ = ({start_1:g}, {start_2:g}) with σ = {sigma:g} and tol = {tol:g}, "
    f"EM {outcome(em)}; gradient ascent with η = {step_size:g} {outcome(gradient)}."
]
if best_step is not None:
    best = converging[best_step]
    failing = [s for s in STEP_SIZES if s not in converging]
    if not failing:
        never = ""
    elif min(failing) > max(converging):
        never = f"; η = {min(failing):g} and larger never get there"
    else:
        never = f"; {len(failing)} of them never get there"
    lines.append(
        f"Of the {len(STEP_SIZES)} step sizes on the slider, the fastest, η = {best_step:g}, "
        f"needs {steps_words(best.n_steps)}{never}."
    )
    if em.converged and em.n_steps <= best.n_steps:
        lines.append(
            "So here EM is not slower than gradient ascent, even with the best step found by "
            "trying. With σ and π held, EM's new μₖ is a gradient step of size σₖ²/Nₖ, a size "
            "it picks afresh for each mean at each step; when the groups hardly overlap that "
            "size is just right. The article's remark, that EM is slower near the optimum, "
            "is about overlapping components, whose responsibilities stay divided: hold σ "
            "larger to test it."
        )
    elif em.converged:
        lines.append(
            f"Here EM is slower than the best fixed step ({steps_words(em.n_steps)} against "
            f"{best.n_steps}), as the article says: with the Gaussians overlapping, the "
            "responsibilities stay divided and each EM step goes only part of the way. But "
            "the fast step had to be found by trying them all, and EM needed no step size."
        )
if gradient.converged and gradient.log_likelihoods[-1] < em.log_likelihoods[-1] - 1e-3:
    lines.append(
        f"Gradient ascent stopped {em.log_likelihoods[-1] - gradient.log_likelihoods[-1]:.3g} "
        "below EM's ℓ: a small step changes ℓ only a little each time, and the stopping rule "
        "mistakes that for having arrived."
    )
if np.any(np.diff(gradient.log_likelihoods) < 0):
    lines.append(
        f"With η = {step_size:g} gradient ascent lowered ℓ on some steps (it overshot); "
        "no EM step lowers ℓ."
    )
notes.write(" ".join(lines))
# The two runs side by side, under the chart and the notes: at the page's full width every
# number of the table is whole.
show_table(
    pd.DataFrame(
        {
            "method": ["EM", f"gradient ascent, η = {step_size:g}"],
            "steps": [em.n_steps, gradient.n_steps],
            "ended": [ended(em), ended(gradient)],
            "μ₁": [em.means[-1, 0, 0], gradient.means[-1, 0, 0]],
            "μ₂": [em.means[-1, 1, 0], gradient.means[-1, 1, 0]],
            "ℓ": [em.log_likelihoods[-1], gradient.log_likelihoods[-1]],
        }
    )
)
