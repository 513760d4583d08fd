"""The hidden Markov model's stepping view: Eisner's published numbers where the page shows
them, every number of the trellis table and the formulas against the engine, and the view
protocol at every half-step."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hmm_helpers import EISNER_MODEL, EISNER_START, ICE_CREAM
from test_architecture import ROOT, imported_top_level_modules

from em_core.em import run_em
from em_models.hmm import formulas
from em_models.hmm.engine import fit
from em_models.hmm.forward_backward import xi_at
from em_models.hmm.sequences import Sequences
from em_models.hmm.starts import HMMStart
from em_models.hmm.view import FORMULAS, PARAMETERS, TRELLIS, HMMView
from em_models.hmm.window import make_window, window_posteriors
from em_viz.halfstep import half_step
from em_viz.view import Latex, Table

VIEW_FILES = [
    *sorted((ROOT / "em_models" / "hmm").glob("figures*.py")),
    *(ROOT / "em_models" / "hmm" / name for name in ("view.py", "formulas.py", "text.py")),
]


@pytest.fixture(scope="module")
def eisner() -> HMMView:
    trace = run_em(ICE_CREAM, EISNER_MODEL, HMMStart("given", None, EISNER_START), max_iter=10)
    return HMMView(
        ICE_CREAM, trace, state_names=["cold", "hot"], symbols=["1", "2", "3"], step="day"
    )


def _all_text(frame) -> str:
    return frame.to_string()


# --- Eisner's spreadsheet on the page -------------------------------------------------------


def test_eisner_numbers_are_where_the_page_shows_them(eisner) -> None:
    assert "p(data | θ₀) = e^ℓ = 9.12756 × 10⁻¹⁹" in eisner.summary(1).description
    assert "p(data | θ₁) = e^ℓ = 1.10414 × 10⁻¹⁶" in eisner.summary(2).description
    trellis = eisner.trellis_table(half_step(eisner.trace, 1))
    assert trellis.loc[0, "γ(2)"] == "0.870942"  # p(hot) on day 1
    after_one = _all_text(eisner.numbers(2))
    assert "0.6765" in after_one  # p(1 | cold)
    assert "0.8757" in after_one  # p(cold → cold)
    formulas_text = " ".join(
        b.text
        for b in eisner.tab(FORMULAS, 1, {"day": 1, "state_j": 1, "state_k": 2})
        if isinstance(b, Latex)
    )
    assert r"\gamma_{1}(2)" in formulas_text
    assert "= 0.870942" in formulas_text


def test_start_and_summary_speak_of_the_half_step(eisner) -> None:
    assert eisner.label(0) == "Start"
    assert eisner.label(1) == "E-step 1"
    assert eisner.label(2) == "M-step 1"
    assert len(eisner.button_kinds) == eisner.n_half_steps
    assert eisner.button_kinds[:3] == (None, "E", "M")
    last = eisner.summary(eisner.n_half_steps - 1)
    assert last.notes
    assert last.notes[0].level == "success"
    assert "observations" in last.caption
    assert "points" not in last.caption
    assert eisner.tab(TRELLIS, 0, {})[0].text.startswith("No E-step")


def test_every_tab_at_every_half_step(eisner) -> None:
    chosen = {"day": 33, "state_j": 2, "state_k": 1}
    for h in range(eisner.n_half_steps):
        for tab in eisner.tabs:
            picks = {p.name: p for p in eisner.picks(tab, h)}
            assert set(picks) <= {"day", "state_j", "state_k"}
            assert eisner.tab(tab, h, chosen)
    m_step = eisner.tab(PARAMETERS, 2, {})
    counts = [b.frame for b in m_step if isinstance(b, Table)][1]
    assert counts["Σγ (visits)"].tolist() == [
        f"{v:.6g}" for v in eisner.trace.snapshots[1].stats.occupancy
    ]


# --- the numbers against the engine --------------------------------------------------------


def _last_number(latex: str) -> float:
    tail = latex.rsplit("=", 1)[1].strip()
    match = re.fullmatch(r"(-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?", tail)
    assert match, tail
    return float(match[1]) * 10 ** int(match[2] or 0)


def _runs():
    rng = np.random.default_rng(4)
    symbols = rng.integers(0, 4, size=60)
    counts = rng.poisson(np.repeat([2.0, 9.0, 3.0], 20))
    values = np.concatenate([rng.normal(0, 1, 30), rng.normal(4, 1, 30)])
    return [
        (
            symbols,
            (25, 35),
            fit(
                Sequences(symbols, [25, 35]),
                3,
                emission="categorical",
                init="random",
                end_state=True,
                max_iter=4,
            ),
        ),
        (counts, None, fit(counts, 3, emission="poisson", max_iter=4)),
        (values, None, fit(values, 2, emission="gaussian", max_iter=4)),
    ]


@pytest.mark.parametrize("case", [0, 1, 2], ids=["categorical-end", "poisson", "gaussian"])
def test_formulas_and_trellis_equal_the_engine(case) -> None:
    X, lengths, trace = _runs()[case]
    view = HMMView(X, trace, lengths=lengths)
    data = view.data
    for h in (1, 2, 3):
        half = half_step(trace, h)
        source = half.resp_index
        params = trace.snapshots[source].params
        fb = trace.model.forward_backward(data, params)
        table = view.trellis_table(half)
        np.testing.assert_allclose(
            table["γ(1)"].astype(float), fb.gamma[: len(table), 0], rtol=1e-5
        )
        for t in (0, 1, 24, 25, len(X) - 1):
            day = view.day_numbers(source, t)
            K = params.n_states
            for k in range(K):
                assert _last_number(formulas.alpha_formula(day, params, k)) == pytest.approx(
                    fb.alpha[t, k], rel=1e-5, abs=1e-300
                )
                assert _last_number(formulas.beta_formula(day, params, k)) == pytest.approx(
                    fb.beta[t, k], rel=1e-5
                )
                assert _last_number(formulas.gamma_formula(day, k)) == pytest.approx(
                    fb.gamma[t, k], rel=1e-5, abs=1e-300
                )
                xi = formulas.xi_formula(day, params, 0, k)
                if t in data.layout.starts:
                    assert xi is None
                else:
                    assert _last_number(xi) == pytest.approx(
                        xi_at(fb, params.transmat, t)[0, k], rel=1e-5, abs=1e-300
                    )
            assert _last_number(formulas.scale_formula(day, params)) == pytest.approx(
                np.exp(fb.log_scale[t]), rel=1e-5
            )


@pytest.mark.parametrize("case", [0, 1, 2], ids=["categorical-end", "poisson", "gaussian"])
def test_m_step_formulas_equal_the_engine(case) -> None:
    X, lengths, trace = _runs()[case]
    view = HMMView(X, trace, lengths=lengths)
    before, snapshot = trace.snapshots[1], trace.snapshots[2]
    fb = trace.model.forward_backward(view.data, before.params)
    counts, after = snapshot.stats, snapshot.params
    K = after.n_states
    for j in range(K):
        for k in range(K):
            line = formulas.transition_formula(counts, after, j, k)
            assert _last_number(line) == pytest.approx(after.transmat[j, k], rel=1e-5, abs=1e-12)
            numerator = re.search(r"= \\frac\{([^}]*)\}", line.split("} = ", 1)[1])
            assert float(numerator[1]) == pytest.approx(fb.xi_sum[j, k], rel=1e-5, abs=1e-9)
        assert _last_number(formulas.start_formula(counts, after, j)) == pytest.approx(
            after.startprob[j], rel=1e-5, abs=1e-12
        )
        lines = formulas.emission_formulas(counts, after, j)
        if trace.model.family.kind == "categorical":
            weighted = np.bincount(X, weights=fb.gamma[:, j], minlength=4)
            for v, line in enumerate(lines):
                assert _last_number(line) == pytest.approx(after.emissions.probs[j, v], rel=1e-5)
                shown = re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", line)[-1]
                assert float(shown[0]) == pytest.approx(weighted[v], rel=1e-5, abs=1e-9)
                assert float(shown[1]) == pytest.approx(fb.gamma[:, j].sum(), rel=1e-5)
        elif trace.model.family.kind == "poisson":
            assert _last_number(lines[0]) == pytest.approx(after.emissions.rates[j, 0], rel=1e-5)
            shown = re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lines[0])[-1]
            assert float(shown[0]) == pytest.approx(fb.gamma[:, j] @ X, rel=1e-5)
        else:
            mean = float(re.search(r"= \(([^)]*)\)$", lines[0])[1])
            assert mean == pytest.approx(after.emissions.means[j, 0], rel=1e-5)
        end = formulas.end_formula(counts, after, j)
        if after.endprob is not None:
            assert _last_number(end) == pytest.approx(after.endprob[j], rel=1e-5, abs=1e-12)


def test_window_posteriors_are_the_engines_columns() -> None:
    X, lengths, trace = _runs()[0]
    view = HMMView(X, trace, lengths=lengths, window_start=20, window_length=10)
    params = trace.snapshots[2].params
    fb = trace.model.forward_backward(view.data, params)
    post = window_posteriors(trace.model, view.data, params, view.window)
    assert post.window == make_window(60, 19, 10)
    np.testing.assert_array_equal(post.gamma, fb.gamma[19:29])
    np.testing.assert_array_equal(post.alpha, fb.alpha[19:29])
    np.testing.assert_array_equal(post.xi[0], 0.0)  # no edge is drawn into the first column
    np.testing.assert_array_equal(post.xi[25 - 19], 0.0)  # step 26 starts the second sequence
    np.testing.assert_allclose(post.xi[3], xi_at(fb, params.transmat, 22), rtol=1e-15)


def test_a_window_runs_to_the_end_and_refuses_bad_requests() -> None:
    assert make_window(100, 95, 36) == make_window(100, 64, 36)
    assert len(make_window(33, 0, 36)) == 33
    with pytest.raises(ValueError, match="5 to 60 steps"):
        make_window(100, 0, 200)
    with pytest.raises(ValueError, match="from 1 to 100"):
        make_window(100, 100, 36)


def test_numbers_tables_of_each_family() -> None:
    for X, lengths, trace in _runs():
        view = HMMView(X, trace, lengths=lengths)
        table = view.numbers(view.n_half_steps - 1)
        assert len(table) == trace.final.params.n_states
        assert {"state", "π", "A row (to 1, 2, …)"} <= set(table.columns)
        kind = trace.model.family.kind
        expected = {"categorical": "b(v), v = 0, 1, 2, 3", "poisson": "λ", "gaussian": "μ"}[kind]
        assert expected in table.columns


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda path: path.name)
def test_view_files_import_no_streamlit(path) -> None:
    assert "streamlit" not in imported_top_level_modules(path.read_text(encoding="utf-8"))
