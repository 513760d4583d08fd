"""EM for sequences: hidden Markov models, stepped with Baum–Welch (the page body).

The data (a shipped sequence or the student's own), the model's settings in the sidebar
with the request checked against the work budget, the fit kept in the shared store, the
stepping view of :class:`em_models.hmm.view.HMMView` with the trellis's own options, and
the three short sections under it (:mod:`em_models.hmm.figures_sections`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from em_models.hmm import exports, work
from em_models.hmm.datasets import (
    CASINO_FACES,
    CASINO_SEED,
    CASINO_TRANSMAT,
    load_sequence,
    simulate_casino,
)
from em_models.hmm.emissions import Categorical, CategoricalEmissions, GaussianEmissions
from em_models.hmm.engine import HMM, fit
from em_models.hmm.figures_sections import (
    decoding_figure,
    first_zero,
    forgetting_figure,
    scaling_figure,
    unscaled_forward,
)
from em_models.hmm.params import HMMParams
from em_models.hmm.starts import MIXTURE_MAX_ITER
from em_models.hmm.text import power_of_ten
from em_models.hmm.view import HMMView
from em_models.hmm.viterbi import posterior_states, viterbi
from em_models.hmm.window import DEFAULT_LENGTH, make_window
from em_models.mixture import engine as mixture
from em_models.mixture.gaussian import COVARIANCE_TYPES
from em_models.mixture.settings import COVARIANCE_LABELS
from em_models.mixture.work import work as mixture_work
from em_ui import links
from em_ui.budget import beyond_budget, seconds_allowed
from em_ui.data_sources import choose_columns, choose_data, left_out_of_link
from em_ui.engine import data_key, stored
from em_ui.exports import export_section
from em_ui.presenter import is_on as presenting
from em_ui.progress import FitProgress
from em_ui.state import keep
from em_ui.stepper import Extras, stepping_view
from em_ui.text import literal
from em_viz.exports import file_stem

KEY = "hmm"
SOURCES = {
    "ice_cream": "Ice cream (Eisner)",
    "casino": "Dishonest casino (300 rolls)",
    "earthquakes": "Major earthquakes 1900–2006",
    "geyser": "Old Faithful in order (geyser)",
    "own": "Your own sequence",
}
FAMILIES = {
    "categorical": "Categorical: symbols",
    "poisson": "Poisson: counts",
    "gaussian": "Gaussian: measurements",
}
STARTS = {
    "given": "Eisner's published start",
    "mixture": "From a fitted mixture",
    "random": "Random, from a seed",
}
MIN_STATES, MAX_STATES = 2, 6
MAX_OBSERVATIONS = 100_000
# A categorical table with more symbols than this is no longer readable on the chart.
MAX_SYMBOLS = 12
# Eisner's spreadsheet: stay .8, switch .1, stop .1; p(1, 2, 3 | cold) and p(1, 2, 3 | hot).
EISNER_TRANSMAT = ((0.8, 0.1), (0.1, 0.8))
EISNER_END = (0.1, 0.1)
EISNER_EMISSIONS = ((0.7, 0.2, 0.1), (0.1, 0.2, 0.7))
EISNER_STATES = ("cold", "hot")
# The scaling section's long sequence: rolls of the casino under its true parameters.
SCALING_ROLLS = 1_000
# The decoding chart draws at most this many steps (the counts cover them all).
DECODING_STEPS = 1_000
DIFFER_ROWS = 12


def _number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, eq=False)
class Sequence:
    """The observations on the page and how the page names and models them."""

    X: np.ndarray  # (T, d); categorical: the symbols' codes 0 … M − 1
    columns: tuple[str, ...]
    step: str
    family: str
    symbols: tuple[str, ...] | None = None
    truth: tuple[str, ...] | None = None


def whole_numbers(X: np.ndarray) -> bool:
    return bool(np.all(np.round(X) == X))


def as_symbols(x: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each value's code 0 … M − 1 among the distinct values, and the values as written."""
    values, codes = np.unique(x, return_inverse=True)
    return codes.astype(np.float64)[:, None], tuple(f"{v:g}" for v in values)


def family_problem(X: np.ndarray, family: str) -> str | None:
    """Why ``family`` cannot take these observations, or None."""
    if family == "categorical":
        if X.shape[1] != 1:
            return "Categorical emissions take one column of symbols; choose one column."
        if not whole_numbers(X):
            return (
                "Categorical emissions take symbols written as whole numbers (such as 1 to 6 "
                "for a die); these data have fractions. Choose Gaussian emissions."
            )
        n = np.unique(X).size
        if n > MAX_SYMBOLS:
            return (
                f"These data have {n} different values; categorical emissions here take at "
                f"most {MAX_SYMBOLS} symbols. Choose Poisson (counts) or Gaussian emissions."
            )
    if family == "poisson" and (not whole_numbers(X) or X.min() < 0):
        return (
            "Poisson emissions take counts, whole numbers 0, 1, 2, …; these data have "
            "fractions or negative numbers. Choose Gaussian emissions."
        )
    return None


def default_family(X: np.ndarray) -> str:
    """Categorical for a few small whole numbers, Poisson for counts, else Gaussian."""
    if X.shape[1] == 1 and family_problem(X, "categorical") is None and X.min() >= 0:
        return "categorical"
    if family_problem(X, "poisson") is None:
        return "poisson"
    return "gaussian"


def shipped(name: str, about) -> Sequence:
    data = load_sequence(name)
    about.caption(data.description)
    families = {"ice_cream": "categorical", "casino": "categorical", "earthquakes": "poisson"}
    family = families.get(name, "gaussian")
    if family == "categorical":
        codes, symbols = as_symbols(data.values[:, 0])
        return Sequence(codes, data.columns, data.step, family, symbols, data.states)
    return Sequence(np.asarray(data.values), data.columns, data.step, family)


def own_sequence() -> Sequence:
    """The student's numbers in time order, one column or two; stops the page when the page
    cannot fit them, saying why."""
    loaded = choose_data(KEY)
    chosen, X = choose_columns(KEY, loaded)
    T = X.shape[0]
    problem = None
    if len(chosen) > 2:
        problem = "A sequence here has one column, or two for 2-D Gaussian emissions."
    elif T < 2 * MIN_STATES:
        problem = f"A sequence needs at least {2 * MIN_STATES} observations; these have {T}."
    elif T > MAX_OBSERVATIONS:
        problem = (
            f"This sequence has {T:,} observations; this page takes at most "
            f"{MAX_OBSERVATIONS:,}. Use the first part of it."
        )
    if problem:
        st.warning(problem)
        LINK.stop(left_out=left_out_of_link(KEY))
    key = f"{KEY}.own.{data_key(X)[:10]}.family"
    families = list(FAMILIES)
    family = st.selectbox(
        "Emissions",
        families,
        index=families.index(default_family(X)),
        format_func=FAMILIES.get,
        key=keep(key),
        bind=links.bind(key, FAMILIES.get),
        help="What each state emits: symbols from a table (a few whole numbers), counts "
        "(Poisson), or measurements (Gaussian). The default follows the data.",
    )
    problem = family_problem(X, family)
    if problem:
        st.error(problem)
        LINK.stop(left_out=left_out_of_link(KEY))
    if family == "categorical":
        codes, symbols = as_symbols(X[:, 0])
        return Sequence(codes, tuple(chosen), "step", family, symbols)
    return Sequence(X, tuple(chosen), "step", family)


@dataclass(frozen=True)
class Settings:
    n_states: int
    covariance_type: str
    end_state: bool
    start: str
    seed: int
    tol: float
    max_iter: int


def model_settings(source: str, seq: Sequence) -> Settings:
    """The sidebar's settings; each data set keeps its own."""
    key = f"{KEY}.{source}"
    ice = source == "ice_cream"
    with st.sidebar:
        st.header("Model")
        starts = [s for s in STARTS if (s != "given" or ice)]
        if seq.family == "categorical":
            starts.remove("mixture")
        start = st.selectbox(
            "Start from",
            starts,
            format_func=STARTS.get,
            key=keep(f"{key}.start"),
            bind=links.bind(f"{key}.start", STARTS.get),
            help="θ₀: Eisner's start reproduces his spreadsheet; a random start draws π, A "
            "and the emissions from a seed; a mixture start fits a mixture to the "
            "observations as if they were independent and takes its components as states.",
        )
        n_states = 2
        if start != "given":
            n_states = int(
                st.number_input(
                    "Number of states K",
                    min_value=MIN_STATES,
                    max_value=MAX_STATES,
                    value=3 if source == "earthquakes" else 2,
                    key=keep(f"{key}.k"),
                    bind=links.bind(f"{key}.k"),
                    help="How many hidden states the chain moves between.",
                )
            )
        covariance = "full"
        if seq.family == "gaussian" and seq.X.shape[1] > 1:
            covariance = st.selectbox(
                "Covariance type",
                COVARIANCE_TYPES,
                format_func=COVARIANCE_LABELS.get,
                key=keep(f"{key}.covariance_type"),
                bind=links.bind(f"{key}.covariance_type", COVARIANCE_LABELS.get),
                help="What shapes each state's Gaussian may take.",
            )
        end_state = st.toggle(
            "End state",
            value=ice,
            key=keep(f"{key}.end"),
            bind=links.bind(f"{key}.end", lambda on: str(on).lower()),
            help="Each state also has a probability of ending the sequence after it, as in "
            "Eisner's spreadsheet; off, the sequence may stop anywhere.",
        )
        seed = 0
        if start == "random":
            seed = int(
                st.number_input(
                    "Seed",
                    min_value=0,
                    max_value=2**31 - 2,
                    value=0,
                    key=keep(f"{key}.seed"),
                    bind=links.bind(f"{key}.seed"),
                    help="The same seed gives the same start.",
                )
            )
        with st.expander("Stopping rule"):
            tol, max_iter = stopping_settings(key, source)
    return Settings(n_states, str(covariance), bool(end_state), start, seed, tol, max_iter)


def stopping_settings(key: str, source: str) -> tuple[float, int]:
    # Zucchini and MacDonald's optimum to four decimals needs a tight tolerance.
    default = 1e-6 if source == "earthquakes" else 1e-4
    tol = st.select_slider(
        "Tolerance (tol)",
        options=[1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8],
        value=default,
        format_func=_number,
        key=keep(f"{key}.tol"),
        bind=links.bind(f"{key}.tol", _number),
        help="EM stops once ℓ per observation changes by less than this between two iterations.",
    )
    max_iter = st.number_input(
        "Iteration limit (max_iter)",
        min_value=1,
        max_value=1000,
        value=100,
        step=10,
        key=keep(f"{key}.max_iter"),
        bind=links.bind(f"{key}.max_iter"),
        help="EM stops after this many iterations even if not converged.",
    )
    return float(tol), int(max_iter)


def request_seconds(seq: Sequence, s: Settings) -> float:
    """The request's estimated work (see :mod:`em_models.hmm.work`)."""
    T, d = seq.X.shape
    seconds = work.baum_welch_seconds(T, s.n_states, s.max_iter)
    if s.start == "mixture":
        limit = MIXTURE_MAX_ITER if seq.family == "poisson" else 100
        seconds += mixture_work(T, d, s.n_states, max_iter=limit)
    return seconds


def over_budget(seq: Sequence, s: Settings) -> str | None:
    seconds = request_seconds(seq, s)
    if seconds <= seconds_allowed():
        return None
    start = " (plus the mixture fitted for the start)" if s.start == "mixture" else ""
    return (
        "This fit is too large for the shared server, so it was not started: "
        f"{seq.X.shape[0]:,} observations × K² = {s.n_states**2} pairs of states × up to "
        f"{s.max_iter} iterations{start} would use {beyond_budget(seconds)}. Use fewer "
        "iterations, fewer states, or a shorter sequence."
    )


def eisner_start(end_state: bool) -> HMMParams:
    """Eisner's start; without the end state each row of A is scaled to sum to 1."""
    transmat = np.array(EISNER_TRANSMAT)
    end = np.array(EISNER_END) if end_state else None
    if not end_state:
        transmat = transmat / transmat.sum(axis=1, keepdims=True)
    emissions = CategoricalEmissions(np.array(EISNER_EMISSIONS))
    return HMMParams(np.array([0.5, 0.5]), transmat, emissions, end)


def fitted(seq: Sequence, s: Settings):
    """The run, from the store of fits or fitted now with its progress; stops the page with
    the engine's sentence when the data or the start cannot be used."""
    settings = (seq.family, s.n_states, s.covariance_type, s.end_state, s.start, s.seed)
    progress = FitProgress(n_init=1, max_iter=s.max_iter)

    def compute():
        return fit(
            seq.X,
            s.n_states,
            emission=seq.family,
            covariance_type=s.covariance_type,
            n_symbols=len(seq.symbols) if seq.symbols else None,
            end_state=s.end_state,
            init=s.start,
            params=eisner_start(s.end_state) if s.start == "given" else None,
            rng=s.seed,
            tol=s.tol,
            max_iter=s.max_iter,
            callback=progress,
        )

    try:
        with st.spinner(
            f"Running Baum–Welch on {seq.X.shape[0]:,} observations (at most "
            f"{s.max_iter} iterations)…",
            show_time=True,
        ):
            trace = stored((KEY, data_key(seq.X), settings, s.tol, s.max_iter), compute)
    except ValueError as error:
        st.error(literal(str(error)))
        LINK.stop(left_out=LEFT_OUT)
    progress.clear()
    return trace


PASSES = {
    "whole": "The whole E-step",
    "forward": "The forward pass, up to a step",
    "backward": "The backward pass, from a step",
}


def trellis_options(source: str, seq: Sequence) -> tuple[int, tuple[str, int] | None]:
    """The trellis window's first step (from 1) and the pass to scrub, in the sidebar."""
    key, T, step = f"{KEY}.{source}", seq.X.shape[0], seq.step
    with st.sidebar:
        st.header("Trellis")
        first = 1
        if T > DEFAULT_LENGTH:
            first = int(
                st.number_input(
                    f"Window from {step}",
                    min_value=1,
                    max_value=MAX_OBSERVATIONS,
                    value=1,
                    key=keep(f"{key}.window"),
                    bind=links.bind(f"{key}.window"),
                    help=f"The trellis shows {DEFAULT_LENGTH} {step}s of the {T:,}, from this "
                    "one (the last window ends at the last step).",
                )
            )
            first = min(first, T - DEFAULT_LENGTH + 1)
        window = make_window(T, first - 1)
        mode = st.radio(
            "Show",
            list(PASSES),
            format_func=PASSES.get,
            key=keep(f"{key}.pass"),
            bind=links.bind(f"{key}.pass", PASSES.get),
            help="Scrub through an E-step column by column: α̂ fills left to right, then β̂ "
            "(and with it γ and ξ) right to left.",
        )
        if mode == "whole":
            return first, None
        forward = mode == "forward"
        at_key = f"{key}.{mode}.{window.start + 1}"
        at = st.slider(
            f"Forward pass up to {step}" if forward else f"Backward pass from {step}",
            min_value=window.start + 1,
            max_value=window.stop,
            value=window.start + 1 if forward else window.stop,
            key=keep(at_key),
            bind=links.bind(at_key),
        )
    return first, (mode, int(at))


# ---------------------------------------------------------------------------------------
# The three sections under the view


def section_chart(fig, name: str) -> None:
    """A section's chart: its heading is the section's, the margins fit the labels (a
    phone's width included), the legend sits under the axes' titles."""
    fig.update_layout(
        title=None,
        margin={"t": 40, "l": 10, "r": 10},
        legend={"yref": "container", "y": 0, "yanchor": "bottom"},
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    st.plotly_chart(fig, theme=None, key=f"{KEY}.{name}", config={"displaylogo": False})


def scaling_lesson() -> dict:
    """Eisner's start on the ice cream and 1,000 rolls of the casino under its true
    parameters: the unscaled forward pass in float64 beside the engine's scaled one."""
    codes, _ = as_symbols(load_sequence("ice_cream").values[:, 0])
    rolls, _ = simulate_casino(SCALING_ROLLS, CASINO_SEED)
    casino = HMMParams(
        np.array([1.0, 0.0]), np.array(CASINO_TRANSMAT), CategoricalEmissions(CASINO_FACES)
    )
    out = {}
    for name, X, model, params in (
        ("ice", codes, HMM(Categorical(3), end_state=True), eisner_start(True)),
        ("casino", rolls[:, None] - 1.0, HMM(Categorical(6)), casino),
    ):
        data = model.prepare(X)
        fb = model.forward_backward(data, params)
        ll = fb.log_likelihood
        b = np.exp(model.family.log_prob(data.emission_data, params.emissions))
        out[name] = (unscaled_forward(params.startprob, params.transmat, b), fb.log_scale, ll)
    return out


def scaling_section() -> None:
    st.header("Why the forward pass is scaled")
    lesson = stored((f"{KEY}-scaling", SCALING_ROLLS, CASINO_SEED), scaling_lesson)
    ice_totals, ice_scale, ice_ll = lesson["ice"]
    totals, log_scale, _ = lesson["casino"]
    zero = first_zero(totals)
    st.write(
        "The forward pass adds up the probability of every path through the states, and "
        "each step multiplies it by numbers below 1. After Eisner's 33 days, from his start, "
        f"p(data) = {power_of_ten(ice_ll)}; a few hundred steps more and the α's fall "
        "below the smallest number a computer's double precision holds, about 10⁻³²⁴, and "
        "become exactly 0. The scaled pass divides each column by its sum cₜ, so the α̂'s "
        "always sum to 1, and keeps ℓ = Σₜ log cₜ instead: nothing underflows."
    )
    fig = scaling_figure(
        (ice_totals, ice_scale),
        (totals, log_scale),
        names=("day", "roll"),
        titles=("Ice cream, 33 days", f"The casino, {SCALING_ROLLS:,} rolls"),
    )
    # The roll where the raw α's reach 0, written to the right of its mark, whole.
    fig.update_traces(cliponaxis=False, textposition="top right", selector={"mode": "markers+text"})
    section_chart(fig, "scaling")
    if zero is None:
        st.caption(f"On these {SCALING_ROLLS:,} rolls the raw α's stay above 0.")
        return
    exact = np.cumsum(log_scale)[zero] / np.log(10)
    st.caption(
        f"In words: on {SCALING_ROLLS:,} rolls of the casino under its true parameters, the "
        f"raw α's are all 0 from roll {zero + 1} on, where the scaled pass gives "
        f"log₁₀ p(x₁ … x{_sub(zero + 1)}) = {exact:.2f}".replace("-", "−")
        + f"; at the last roll it gives {np.cumsum(log_scale)[-1] / np.log(10):.1f}.".replace(
            "-", "−"
        )
    )


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def forgetting_lesson() -> dict:
    """On the geyser record: an HMM with K = 2 from a fitted mixture, the mixture itself
    (K-means start), and the ℓ of the mixture written as an HMM with equal rows."""
    X = np.asarray(load_sequence("geyser").values)
    hmm_run = fit(X, 2, emission="gaussian", init="mixture", tol=1e-6, max_iter=500)
    mix = mixture.fit(X, 2, rng=0).final.params
    rows = np.tile(mix.weights, (2, 1))
    emissions = GaussianEmissions(mix.means, mix.covariances, mix.covariance_type)
    model = hmm_run.model
    _, equal_ll = model.e_step(model.prepare(X), HMMParams(mix.weights, rows, emissions))
    return {
        "hmm": hmm_run.final.params,
        "hmm_ll": hmm_run.final.log_likelihood,
        "mixture": mix,
        "mixture_ll": mixture.e_step(X, mix).log_likelihood,
        "equal_ll": equal_ll,
    }


def _what_follows(params: HMMParams) -> str:
    """Which state follows which, in words, the states named by their eruptions."""
    short, long = np.argsort(params.emissions.means[:, 0])
    minutes = params.emissions.means[:, 0]
    A = params.transmat
    return (
        f"The HMM's state of shorter eruptions (state {short + 1}, {minutes[short]:.2f} min "
        f"on average) is followed by the state of longer ones (state {long + 1}, "
        f"{minutes[long]:.2f} min) with probability {A[short, long]:.2f}, and the longer "
        f"by the shorter with {A[long, short]:.2f}."
    )


def forgetting_section() -> None:
    st.header("A mixture is an HMM that forgets")
    X = np.asarray(load_sequence("geyser").values)
    lesson = stored((f"{KEY}-forgetting", data_key(X)), forgetting_lesson)
    hmm_params, mix = lesson["hmm"], lesson["mixture"]
    st.write(
        "A mixture draws each observation's component afresh, whatever came before: it is "
        "an HMM whose every row of A is the same, the mixture's weights. On Old Faithful's "
        "record in order, with two states and two Gaussian components, the HMM learns what "
        "follows what; the mixture cannot see the order at all. Both are fitted here from "
        "their usual starts. " + _what_follows(hmm_params)
    )
    # A to three decimals, as the table under it (a zero of float rounding reads 0).
    fig = forgetting_figure(
        np.round(hmm_params.transmat, 3), lesson["hmm_ll"], mix.weights, lesson["mixture_ll"]
    )
    section_chart(fig, "forgetting")
    rows = [f"HMM state {k + 1}" for k in range(2)] + [f"mixture {k + 1}" for k in range(2)]
    table = {"state or component": rows}  # a named header: screen readers read it out
    means = np.vstack([hmm_params.emissions.means, mix.means])
    for i, name in enumerate(("duration", "waiting")):
        table[f"mean {name} (min)"] = [f"{v:.3g}" for v in means[:, i]]
    for k in range(2):
        table[f"next is state {k + 1}"] = [f"{v:.3f}" for v in hmm_params.transmat[:, k]] + [
            f"{mix.weights[k]:.3f}"
        ] * 2
    st.table(pd.DataFrame(table), hide_index=True)
    st.caption(
        f"ℓ of the HMM: {lesson['hmm_ll']:.2f}; of the mixture: {lesson['mixture_ll']:.2f}; "
        f"of the mixture run as an HMM with every row its weights: {lesson['equal_ll']:.2f}, "
        "the mixture's own, as it must be. The HMM's higher ℓ is what remembering the last "
        "state buys.".replace("-", "−")
    )


def decoding_lesson(seq: Sequence, trace) -> dict:
    """At the run's last parameters: each step's most likely state (γ) and Viterbi's path."""
    model, params = trace.model, trace.final.params
    data = model.prepare(seq.X)
    fb = model.forward_backward(data, params)
    return {
        "best": posterior_states(fb.gamma),
        "gamma": fb.gamma.max(axis=1),
        "path": viterbi(model, data, params).states,
    }


def aligned_truth(seq: Sequence, path: np.ndarray, n_states: int) -> np.ndarray | None:
    """The true states as the learned states' numbers, the learned states matched one to
    one with the true ones so that Viterbi's path agrees with the truth on the most steps;
    None when the truth is unknown or has another number of states."""
    if seq.truth is None:
        return None
    names = sorted(set(seq.truth))
    if len(names) != n_states:
        return None
    truth = np.array([names.index(n) for n in seq.truth])
    # match[k]: the true state that learned state k stands for.
    match = max(
        itertools.permutations(range(n_states)),
        key=lambda m: int((np.asarray(m)[path] == truth).sum()),
    )
    return np.argsort(match)[truth]


def decoding_section(seq: Sequence, trace, run_key: tuple, state_names) -> None:
    st.header("Each step's most likely state, or the most likely path")
    lesson = stored((f"{KEY}-decoding", *run_key), lambda: decoding_lesson(seq, trace))
    best, path, gamma = lesson["best"], lesson["path"], lesson["gamma"]
    T, K, step = best.size, trace.final.params.n_states, seq.step
    st.write(
        f"At the end of the run there are two answers to “which state was each {step} in?”. "
        f"The posterior γ gives each {step}'s most likely state on its own; Viterbi's "
        "algorithm gives the single most likely sequence of states. They usually agree, but "
        "the states that are each most likely need not make a likely path, or even a "
        "possible one."
    )
    truth = aligned_truth(seq, path, K)
    shown = slice(0, min(T, DECODING_STEPS))
    fig = decoding_figure(
        best[shown],
        path[shown],
        K,
        truth=None if truth is None else truth[shown],
        step=step,
        state_names=list(state_names),
    )
    section_chart(fig, "decoding")
    differ = np.flatnonzero(best != path)
    drawn = f" (the chart draws the first {DECODING_STEPS:,})" if T > DECODING_STEPS else ""
    words = f"they differ on {differ.size:,} of the {T:,} {step}s{drawn}"
    if truth is not None:
        words += (
            f"; against the true states, Viterbi's path is right on "
            f"{int((path == truth).sum()):,} {step}s and γ's states on "
            f"{int((best == truth).sum()):,} (the learned states and the true ones "
            "matched so that the most agree)"
        )
    st.caption(f"With θ{_sub(trace.n_iter)}, the run's last parameters, {words}.")
    if differ.size:
        rows = differ[:DIFFER_ROWS]
        st.table(
            pd.DataFrame(
                {
                    step: [str(t + 1) for t in rows],
                    "most likely state (γ)": [state_names[best[t]] for t in rows],
                    "its γ": [f"{gamma[t]:.3f}" for t in rows],
                    "Viterbi's state": [state_names[path[t]] for t in rows],
                }
            ),
            hide_index=True,
        )


# ---------------------------------------------------------------------------------------
# The page


def eisner_words(seq: Sequence, trace, end_state: bool) -> str:
    """Eisner's start, and his published numbers as this run gives them."""
    if not end_state:
        return (
            "Eisner's start without its end state: each day the weather stays with "
            "probability 8/9 and switches with 1/9 (his 0.8 and 0.1, scaled to sum to 1), so "
            "the numbers differ from his spreadsheet's, which has the end state."
        )
    words = "Eisner's start: cold and hot; stay 0.8, switch 0.1, end 0.1."
    if trace.n_iter < 1:
        return words
    model, before, after = trace.model, trace.snapshots[0], trace.snapshots[1]
    fb = model.forward_backward(model.prepare(seq.X), before.params)
    probs = after.params.emissions.probs
    return (
        f"{words} His spreadsheet's numbers: p(data) = {power_of_ten(before.log_likelihood)} "
        f"at the start; p(hot) = {fb.gamma[0, 1]:.6f} on day 1 (E-step 1); p(1 | cold) = "
        f"{probs[0, 0]:.4f}, p(cold → cold) = {after.params.transmat[0, 0]:.4f} and p(data) = "
        f"{power_of_ten(after.log_likelihood)} after M-step 1."
    )


LINK = links.start(KEY)
st.title("EM for sequences: hidden Markov models")
st.write(
    "A hidden Markov model explains a sequence by hidden states that follow a chain (π to "
    "start, A to move, an emission distribution for each state). For EM the missing data "
    "are the state sequence: the E-step, the forward–backward pass, gives each step's state "
    "probabilities γ and each pair of neighbours' ξ; the M-step turns these expected counts "
    "into new π, A and emissions. EM for this model is called Baum–Welch."
)
choice, about = st.columns([1, 2], vertical_alignment="bottom")
source = choice.selectbox(
    "Sequence",
    list(SOURCES),
    format_func=SOURCES.get,
    key=keep(f"{KEY}.sequence"),
    bind=links.bind(f"{KEY}.sequence", SOURCES.get),
)
LEFT_OUT = left_out_of_link(KEY) if source == "own" else None
SEQ = own_sequence() if source == "own" else shipped(source, about)
settings = model_settings(source, SEQ)
first, scan = trellis_options(source, SEQ)
too_large = over_budget(SEQ, settings)
if too_large:
    st.error(too_large)
    LINK.stop(left_out=LEFT_OUT)
trace = fitted(SEQ, settings)
names = EISNER_STATES if settings.start == "given" else None
if settings.start == "given":
    st.write(eisner_words(SEQ, trace, settings.end_state))
try:
    view = HMMView(
        SEQ.X,
        trace,
        state_names=names,
        symbols=SEQ.symbols,
        column_names=SEQ.columns,
        step=SEQ.step,
        window_start=first,
        scan=scan,
        present=presenting(),
    )
except ValueError as error:  # a view of this run the page cannot draw: say why
    st.error(literal(str(error)))
    LINK.stop(left_out=LEFT_OUT)
extras = Extras(
    png_name=lambda h: file_stem("em", "hmm", source, view.label(h)),
    footer=lambda: export_section(
        KEY,
        exports.CAPTION,
        exports.files(
            SEQ.X,
            trace,
            columns=SEQ.columns,
            symbols=None if SEQ.symbols is None else [float(s) for s in SEQ.symbols],
            figure=lambda: view.figure(0, narrow=False),
        ),
    ),
)
stepping_view(view, key=KEY, extras=extras)

scaling_section()
forgetting_section()
run_key = (data_key(SEQ.X), settings)
decoding_section(SEQ, trace, run_key, view.state_names)
LINK.finish(left_out=LEFT_OUT)
