"""EM for sequences: the hidden Markov model's page as a person uses it (AppTest): every
sequence runs, Eisner's published numbers appear at the half-steps that make them, the step
buttons, a link, the trellis's options, bad sequences and a request over the budget."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hmm_helpers import EISNER_START, ICE_CREAM
from stepping import press
from streamlit.testing.v1 import AppTest
from test_app_links import open_with
from test_app_pages import half_step, open_page, open_tab, page_text

from em_core.cli import main
from em_models.hmm import exports
from em_models.hmm.datasets import (
    CASINO_FACES,
    CASINO_SEED,
    CASINO_TRANSMAT,
    load_sequence,
    simulate_casino,
)
from em_models.hmm.emissions import Categorical, CategoricalEmissions
from em_models.hmm.engine import HMM, fit
from em_models.hmm.figures_sections import first_zero, unscaled_forward
from em_models.hmm.params import HMMParams
from em_models.hmm.view import HMMView
from em_models.hmm.viterbi import posterior_states, viterbi
from em_models.mixture import engine as mixture

PAGE = "em_models/hmm/page.py"
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
KEY = "hmm"
SOURCES = {
    "ice_cream": "Ice cream (Eisner)",
    "casino": "Dishonest casino (300 rolls)",
    "earthquakes": "Major earthquakes 1900–2006",
    "geyser": "Old Faithful in order (geyser)",
}


def shown(value: float) -> str:
    return f"{value:.4f}".replace("-", "−")


def metric(at: AppTest) -> str:
    return at.metric[0].value


def choose(at: AppTest, source: str) -> AppTest:
    at.selectbox(key=f"{KEY}.sequence").set_value(source).run()
    assert not at.exception, at.exception
    return at


def default_fit(source: str):
    """The run each shipped sequence opens with (the page's defaults)."""
    values = load_sequence(source).values
    if source == "casino":
        return fit(values - 1, 2, emission="categorical", init="random", rng=0, tol=1e-4)
    if source == "earthquakes":
        return fit(values, 3, emission="poisson", init="mixture", rng=0, tol=1e-6)
    return fit(values, 2, emission="gaussian", init="mixture", rng=0, tol=1e-4)


@pytest.fixture
def at() -> AppTest:
    return open_page(PAGE)


def test_the_page_opens_on_eisners_ice_cream_with_his_numbers(at) -> None:
    assert at.title[0].value == "EM for sequences: hidden Markov models"
    assert half_step(at, KEY) == 0
    text = page_text(at)
    assert "missing data" in text
    assert "Baum–Welch" in text
    # The published numbers, written out from the run in the paragraph above the view.
    for number in ("9.12756 × 10⁻¹⁹", "0.870942", "0.6765", "0.8757", "1.10414 × 10⁻¹⁶"):
        assert number in text
    assert "p(data | θ₀) = e^ℓ = 9.12756 × 10⁻¹⁹" in text


def test_eisners_numbers_appear_at_the_half_steps_that_make_them(at) -> None:
    press(at, f"{KEY}.e")
    assert half_step(at, KEY) == 1
    (trellis,) = [t.value for t in at.dataframe]  # 33 rows: a scrolling grid
    first_day = trellis.iloc[0]
    assert first_day["x"] == "2"
    assert first_day["γ(2)"] == "0.870942"  # p(hot) on day 1, from E-step 1
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    assert "p(data | θ₁) = e^ℓ = 1.10414 × 10⁻¹⁶" in page_text(at)
    open_tab(at, KEY, "Parameters")
    params = at.table[0].value
    cold = params.iloc[0]
    assert cold["state"] == "1 cold"
    assert cold["A row (to 1, 2, …)"].startswith("0.8757, ")
    assert cold["b(v), v = 1, 2, 3"].startswith("0.6765, ")


@pytest.mark.parametrize("source", ["casino", "earthquakes", "geyser"])
def test_each_shipped_sequence_opens_on_its_defaults(at, source: str) -> None:
    choose(at, source)
    trace = default_fit(source)
    assert half_step(at, KEY) == 0
    assert metric(at) == shown(trace.snapshots[0].log_likelihood)
    press(at, f"{KEY}.end")
    assert half_step(at, KEY) == 2 * trace.n_iter + 1
    assert metric(at) == shown(trace.final.log_likelihood)


def test_the_earthquakes_reach_zucchini_and_macdonalds_maximum(at) -> None:
    choose(at, "earthquakes")
    press(at, f"{KEY}.end")
    assert metric(at) == "−328.5275"  # −log L = 328.5275 in their book


def test_the_sections_tell_their_numbers(at) -> None:
    text = page_text(at)
    # Scaling: 1,000 rolls of the casino under its true parameters underflow in float64.
    rolls, _ = simulate_casino(1_000, CASINO_SEED)
    truth = HMMParams(
        np.array([1.0, 0.0]), np.array(CASINO_TRANSMAT), CategoricalEmissions(CASINO_FACES)
    )
    model = HMM(Categorical(6))
    data = model.prepare(rolls - 1)
    b = np.exp(model.family.log_prob(data.emission_data, truth.emissions))
    zero = first_zero(unscaled_forward(truth.startprob, truth.transmat, b))
    assert f"the raw α's are all 0 from roll {zero + 1} on" in text
    # The mixture as an HMM with equal rows has the mixture's own ℓ.
    geyser = load_sequence("geyser").values
    mix = mixture.fit(geyser, 2, rng=0)
    assert f"of the mixture: {mix.final.log_likelihood:.2f}".replace("-", "−") in text
    assert f"its weights: {mix.final.log_likelihood:.2f}".replace("-", "−") in text
    # Decoding at the end of the run, against the engine's.
    trace = fit(
        ICE_CREAM,
        2,
        emission="categorical",
        end_state=True,
        init="given",
        params=EISNER_START,
        tol=1e-4,
    )
    data = trace.model.prepare(ICE_CREAM)
    fb = trace.model.forward_backward(data, trace.final.params)
    path = viterbi(trace.model, data, trace.final.params).states
    differ = int((posterior_states(fb.gamma) != path).sum())
    assert f"With θ{trace.n_iter}".translate(SUBSCRIPTS) in text
    assert f"they differ on {differ} of the 33 days." in text


def test_the_trellis_window_and_the_passes_are_bound_to_the_link() -> None:
    query = {
        "hmm.sequence": SOURCES["casino"],
        "hmm.casino.k": "3",
        "hmm.casino.seed": "4",
        "hmm.casino.window": "101",
        "hmm.casino.pass": "The forward pass, up to a step",
        "hmm.casino.forward.101": "110",
        "hmm.h": "M-step 2",
    }
    linked = open_with(PAGE, query)
    assert not [w.value for w in linked.warning if "could not use" in w.value]
    assert half_step(linked, KEY) == 4
    clicked = open_page(PAGE)
    choose(clicked, "casino")
    clicked.number_input(key="hmm.casino.k").set_value(3).run()
    clicked.number_input(key="hmm.casino.seed").set_value(4).run()
    clicked.number_input(key="hmm.casino.window").set_value(101).run()
    clicked.radio(key="hmm.casino.pass").set_value("forward").run()
    clicked.slider(key="hmm.casino.forward.101").set_value(110).run()
    for _ in range(2):
        press(clicked, f"{KEY}.e")
        press(clicked, f"{KEY}.m")
    assert metric(linked) == metric(clicked)
    spec = [c.proto.spec for c in linked.get("plotly_chart")]
    assert spec == [c.proto.spec for c in clicked.get("plotly_chart")]
    trace = fit(
        load_sequence("casino").values - 1,
        3,
        emission="categorical",
        init="random",
        rng=4,
        tol=1e-4,
    )
    assert metric(linked) == shown(trace.snapshots[2].log_likelihood)


def paste(at: AppTest, text: str) -> AppTest:
    choose(at, "own")
    at.radio(key=f"{KEY}.source").set_value("paste").run()
    at.text_area(key=f"{KEY}.paste").input(text).run()
    assert not at.exception, at.exception
    return at


def family_key(at: AppTest) -> str:
    (box,) = [s for s in at.selectbox if s.key and s.key.endswith(".family")]
    return box.key


def test_own_whole_numbers_are_symbols_and_fractions_are_refused_as_symbols(at) -> None:
    paste(at, "1 2 3 3 2 1 1 2 3 3 3 1 2 2 1 1")
    assert at.selectbox(key=family_key(at)).value == "categorical"
    assert not at.error
    paste(at, "1.5 2 3 3 2 1 1 2 3 3 3 1 2 2 1 1")
    assert at.selectbox(key=family_key(at)).value == "gaussian"
    at.selectbox(key=family_key(at)).set_value("categorical").run()
    assert "whole numbers" in at.error[0].value
    at.selectbox(key=family_key(at)).set_value("poisson").run()
    assert "Poisson emissions take counts" in at.error[0].value


def test_sequences_the_page_cannot_take_are_refused_with_the_reason(at) -> None:
    paste(at, "1 2 3")
    assert "at least 4 observations" in at.warning[0].value
    paste(at, "1,2,3\n4,5,6\n7,8,9\n1,2,3\n4,5,6")
    assert "one column, or two" in at.warning[0].value
    values = "\n".join(str(v) for v in np.arange(100_001) % 7)
    paste(at, values)
    assert "100,001 observations" in at.warning[0].value


def test_a_request_over_the_budget_is_refused_with_its_numbers(at) -> None:
    values = "\n".join(f"{v:.3f}" for v in np.random.default_rng(0).normal(size=100_000))
    paste(at, values)
    at.number_input(key=f"{KEY}.own.k").set_value(6).run()
    at.number_input(key=f"{KEY}.own.max_iter").set_value(1000).run()
    (message,) = [e.value for e in at.error]
    assert "too large for the shared server" in message
    assert "100,000 observations × K² = 36 pairs of states × up to 1000 iterations" in message
    assert not at.get("plotly_chart")


def test_a_start_that_cannot_be_used_and_an_emptied_state_are_told(at) -> None:
    # Two values only, and three Gaussian states.
    paste(at, " ".join(["0.5", "2.5"] * 10))
    at.number_input(key=f"{KEY}.own.k").set_value(3).run()
    assert at.selectbox(key=f"{KEY}.own.start").value == "mixture"
    (message,) = [e.value for e in at.error]
    assert "only 2 distinct rows, too few for 3 components" in message
    assert not at.get("plotly_chart")
    at.selectbox(key=f"{KEY}.own.start").set_value("random").run()
    assert not at.exception, at.exception
    press(at, f"{KEY}.end")
    (message,) = [e.value for e in at.error]
    assert "State 1 lost all its observations in the M-step of iteration 4" in message


def test_the_casinos_decodings_are_checked_against_the_true_dice(at) -> None:
    choose(at, "casino")
    trace = default_fit("casino")
    casino = load_sequence("casino")
    X = casino.values - 1
    data = trace.model.prepare(X)
    path = viterbi(trace.model, data, trace.final.params).states
    loaded = np.array([die == "loaded" for die in casino.states])
    right = max(int((path == loaded).sum()), int((path != loaded).sum()))
    assert f"Viterbi's path is right on {right} rolls" in page_text(at)


def heading_sizes(at: AppTest) -> list[float]:
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{KEY}.chart")]
    notes = json.loads(chart.proto.spec)["layout"]["annotations"]
    return [note["font"]["size"] for note in notes if note["text"].startswith("<b>")]


def test_presenter_mode_enlarges_the_charts_headings_once_however_often_it_is_drawn() -> None:
    at = open_with(PAGE, {"present": "true"})
    assert heading_sizes(at) == [13 * 1.25] * 2
    for source in ("casino", "geyser", "ice_cream"):
        choose(at, source)  # a new chart each time, enlarged for presenter mode
        assert heading_sizes(at) == [13 * 1.25] * 2


# --- Export this run ----------------------------------------------------------------------

EXPORT_FILES = {
    "Trace (JSON)": "em-hmm-run.json",
    "Final parameters (CSV)": "em-hmm-parameters.csv",
    "State probabilities (CSV)": "em-hmm-states.csv",
    "Animation (HTML)": "em-hmm-animation.html",
}


def eisner_run():
    """The page's run on the ice cream from Eisner's start (its defaults)."""
    return fit(
        ICE_CREAM, 2, emission="categorical", end_state=True, init="given",
        params=EISNER_START, tol=1e-4,
    )  # fmt: skip


def test_the_export_section_offers_the_runs_files(at) -> None:
    assert not list(at.get("download_button")), "the section is closed until opened"
    at.session_state[f"{KEY}.export"] = True
    at.run()
    assert not at.exception, at.exception
    labels = [b.label for b in at.get("download_button") if f"{KEY}.export." in b.proto.id]
    assert labels == list(EXPORT_FILES)
    assert any("python -m em_core fit FILE --model hmm" in c.value for c in at.caption)
    press(at, f"{KEY}.end")  # the run the files hold is the page's
    assert metric(at) == shown(eisner_run().final.log_likelihood)


def test_the_exported_trace_is_the_command_lines_for_the_same_settings(tmp_path, capsys) -> None:
    trace = eisner_run()
    made = exports.files(
        ICE_CREAM[:, None].astype(float), trace, columns=("ice creams",),
        symbols=[1.0, 2.0, 3.0], figure=lambda: go_figure(trace),
    )  # fmt: skip
    assert {f.label: f.file_name for f in made} == EXPORT_FILES
    exported = json.loads(made[0].make())
    days = tmp_path / "icecream.csv"
    days.write_text("\n".join(str(d + 1) for d in ICE_CREAM) + "\n", encoding="utf-8")
    start = tmp_path / "eisner.json"
    start.write_text(
        json.dumps(
            {
                "startprob": EISNER_START.startprob.tolist(),
                "transmat": EISNER_START.transmat.tolist(),
                "endprob": EISNER_START.endprob.tolist(),
                "probs": EISNER_START.emissions.probs.tolist(),
            }
        ),
        encoding="utf-8",
    )
    status = main(
        ["fit", str(days), "--model", "hmm", "--init-params", str(start), "--tol", "1e-4"]
    )
    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed.pop("columns") == ["x"]  # a file without a header
    assert exported.pop("columns") == ["ice creams"]
    assert exported == printed
    # The CSV files: the final parameters, and γ with Viterbi's path, as the engine's.
    final = trace.final.params
    parameters = made[1].make().splitlines()
    assert parameters[0].startswith("state,start probability,transition to state 1,")
    assert parameters[0].endswith("end probability,p(symbol 1),p(symbol 2),p(symbol 3)")
    cold = [float(v) for v in parameters[1].split(",")]
    np.testing.assert_allclose(cold[2:4], final.transmat[0], rtol=1e-11)
    data = trace.model.prepare(ICE_CREAM)
    fb = trace.model.forward_backward(data, final)
    path = viterbi(trace.model, data, final).states
    rows = np.array(
        [[float(v) for v in line.split(",")] for line in made[2].make().splitlines()[1:]]
    )
    np.testing.assert_array_equal(rows[:, 1], ICE_CREAM + 1)
    np.testing.assert_allclose(rows[:, 2:4], fb.gamma, rtol=1e-11, atol=1e-15)
    np.testing.assert_array_equal(rows[:, 5], path + 1)
    page = made[3].make()
    assert "<title>EM for a hidden Markov model: K = 2</title>" in page
    assert "Plotly.newPlot" in page


def go_figure(trace):
    """The view's chart from the start of the run, as the page's export draws it."""
    return HMMView(ICE_CREAM[:, None].astype(float), trace, step="day").figure(0, narrow=False)
