"""The hidden Markov model's engine: Eisner's spreadsheet, the E-step against every path
written out, scaling, zeros, degenerate states, messages, starts, decoding and data sets."""

from __future__ import annotations

import numpy as np
import pytest
from hmm_helpers import (
    EISNER_MODEL,
    EISNER_START,
    ICE_CREAM,
    every_path,
    log_forward,
)

from em_core.em import run_em
from em_core.model import StopReason
from em_data.datasets import load_dataset
from em_models.hmm.datasets import SEQUENCES, load_sequence, simulate_casino
from em_models.hmm.emissions import (
    Categorical,
    CategoricalEmissions,
    Gaussian,
    GaussianEmissions,
    Poisson,
    PoissonEmissions,
)
from em_models.hmm.engine import HMM, Counts, fit
from em_models.hmm.forward_backward import forward_backward, make_layout, xi_at
from em_models.hmm.params import HMMParams
from em_models.hmm.sequences import Sequences
from em_models.hmm.starts import HMMStart, initialise
from em_models.hmm.viterbi import posterior_states, viterbi

# --- Eisner's ice-cream spreadsheet ---------------------------------------------------------


def test_eisner_spreadsheet_numbers() -> None:
    data = EISNER_MODEL.prepare(ICE_CREAM)
    fb = EISNER_MODEL.forward_backward(data, EISNER_START)
    ll = fb.log_likelihood
    stats, _ = EISNER_MODEL.e_step(data, EISNER_START)
    assert np.exp(ll) == pytest.approx(9.12756e-19, rel=1e-6)
    assert fb.gamma[0, 1] == pytest.approx(0.870942, abs=5e-7)  # p(hot) on day 1
    params, _ = EISNER_MODEL.m_step(data, stats)
    assert params.emissions.probs[0, 0] == pytest.approx(0.6765, abs=5e-5)  # p(1 | cold)
    assert params.transmat[0, 0] == pytest.approx(0.8757, abs=5e-5)  # p(cold → cold)
    _, ll_after = EISNER_MODEL.e_step(data, params)
    assert np.exp(ll_after) == pytest.approx(1.10414e-16, rel=1e-5)


def test_eisner_through_the_driver_keeps_every_iteration() -> None:
    trace = run_em(ICE_CREAM, EISNER_MODEL, HMMStart("given", None, EISNER_START), max_iter=5)
    assert trace.n_iter == 5
    assert trace.n_samples == 33
    assert np.exp(trace.log_likelihoods[:2]) == pytest.approx([9.12756e-19, 1.10414e-16], rel=1e-5)
    assert isinstance(trace.snapshots[1].stats, Counts)
    for snapshot in trace.snapshots[1:]:
        rows = np.column_stack([snapshot.params.transmat, snapshot.params.endprob])
        assert rows.sum(axis=1) == pytest.approx(1.0, abs=1e-12)
        assert snapshot.stats.occupancy.sum() == pytest.approx(33.0)


# --- the E-step against every path ----------------------------------------------------------


def _random_chain(rng, K, end):
    startprob = rng.dirichlet(np.ones(K))
    if end:
        rows = rng.dirichlet(np.ones(K + 1), size=K)
        return startprob, rows[:, :K], rows[:, K]
    return startprob, rng.dirichlet(np.ones(K), size=K), None


@pytest.mark.parametrize("end", [False, True])
@pytest.mark.parametrize("lengths", [(6,), (4, 1, 5), (3, 3, 2, 6)])
def test_forward_backward_equals_every_path(end, lengths) -> None:
    rng = np.random.default_rng(len(lengths) + 10 * end)
    K, N = 3, sum(lengths)
    startprob, transmat, endprob = _random_chain(rng, K, end)
    log_b = np.log(rng.uniform(0.01, 1.0, size=(N, K)))
    ll, gamma, xi, _, _ = every_path(log_b, startprob, transmat, endprob, lengths)
    for length in range(1, max(lengths) + 1):  # every way of cutting the scans into chunks
        fb = forward_backward(log_b, startprob, transmat, endprob, make_layout(lengths, length))
        assert fb.log_likelihood == pytest.approx(ll, rel=1e-13)
        np.testing.assert_allclose(fb.gamma, gamma, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fb.xi_sum, xi, rtol=1e-12, atol=1e-15)
    inner = [t for t in range(N) if t not in np.cumsum((0, *lengths))]
    per_step = np.array([xi_at(fb, transmat, t) for t in inner])
    np.testing.assert_allclose(per_step.sum(axis=0), xi, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(per_step.sum(axis=2), gamma[np.array(inner) - 1], rtol=1e-12)


def test_scaling_keeps_a_long_sequence_finite() -> None:
    """3,000 days: the raw α underflow to 0 within a thousand, the scaled pass does not."""
    rng = np.random.default_rng(3)
    days = rng.integers(0, 3, size=3_000)
    model = HMM(Categorical(3))
    params = HMMParams(
        EISNER_START.startprob, np.array([[0.9, 0.1], [0.1, 0.9]]), EISNER_START.emissions
    )
    log_b = model.family.log_prob(days, params.emissions)
    raw = params.startprob * np.exp(log_b[0])
    for t in range(1, 1000):
        raw = (raw @ params.transmat) * np.exp(log_b[t])
    assert np.all(raw == 0.0)
    _, ll = model.e_step(model.prepare(days), params)
    assert ll == pytest.approx(log_forward(log_b, params.startprob, params.transmat), rel=1e-11)


def test_an_observation_far_from_every_state_still_gets_posteriors() -> None:
    x = np.array([0.1, -0.2, 0.3, 1e4, 0.0])
    model = HMM(Gaussian("full", np.zeros(1), 0.0))
    params = HMMParams(
        np.array([0.5, 0.5]),
        np.array([[0.9, 0.1], [0.2, 0.8]]),
        GaussianEmissions(np.array([[0.0], [1.0]]), np.ones((2, 1, 1)), "full"),
    )
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # as the driver
        fb = model.forward_backward(model.prepare(x), params)
        ll = fb.log_likelihood
    assert np.isfinite(ll)
    assert np.all(np.isfinite(fb.gamma))
    assert fb.gamma.sum(axis=1) == pytest.approx(1.0)
    assert fb.gamma[3, 1] == pytest.approx(1.0)  # the state with the nearer mean


# --- zeros, degenerate states, messages ------------------------------------------------------


def test_zeros_in_start_and_transitions_stay_zero() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, 40), rng.normal(5, 1, 40), rng.normal(10, 1, 40)])
    left_right = np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1], [0.0, 0.0, 1.0]])
    start = HMMParams(
        np.array([1.0, 0.0, 0.0]),
        left_right,
        GaussianEmissions(np.array([[1.0], [4.0], [8.0]]), np.full((3, 1, 1), 4.0), "full"),
    )
    trace = fit(x, 3, init="given", params=start, max_iter=20, tol=0)
    for snapshot in trace.snapshots:
        assert np.all(snapshot.params.startprob[1:] == 0.0)
        assert np.all(snapshot.params.transmat[left_right == 0] == 0.0)
    assert trace.final.params.emissions.means.ravel() == pytest.approx([0, 5, 10], abs=0.5)


SIX_POINTS = np.array([1.5, 2, 2.5, 8, 9, 9.5])
NO_RIDGE = HMM(Gaussian("full", np.zeros(1), 0.0))


def _gaussian_start(startprob, transmat, variances):
    means = np.array([[2.0], [8.0], [9.2]])
    emissions = GaussianEmissions(means, np.array(variances)[:, None, None], "full")
    return HMMStart("given", None, HMMParams(np.array(startprob), np.array(transmat), emissions))


def test_a_collapsing_state_stops_the_run_with_the_mixtures_message() -> None:
    start = _gaussian_start(np.ones(3) / 3, np.full((3, 3), 1 / 3), [1.0, 0.05, 1.0])
    trace = run_em(SIX_POINTS, NO_RIDGE, start, tol=0, max_iter=50)
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failure.part == 1
    assert trace.message.startswith("State 2 collapsed in the M-step of iteration 2: its variance")
    assert trace.message.endswith("Add a ridge, use fewer states, or start elsewhere.")
    assert trace.n_iter == 1  # the trace ends at the last valid parameters


def test_a_state_no_path_reaches_is_emptied() -> None:
    transmat = [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]]
    start = _gaussian_start([0.5, 0.5, 0.0], transmat, [1.0, 1.0, 1.0])
    trace = run_em(SIX_POINTS, NO_RIDGE, start, tol=0, max_iter=50)
    assert trace.stop_reason is StopReason.EMPTIED
    assert trace.failure.part == 2
    assert trace.message == (
        "State 3 lost all its observations in the M-step of iteration 1 (its expected number "
        "of visits fell to 0); try fewer states or another start."
    )


def _categorical_start(probs, startprob=(0.5, 0.5), transmat=((0.5, 0.5), (0.5, 0.5))):
    return HMMStart(
        "given",
        None,
        HMMParams(np.array(startprob), np.array(transmat), CategoricalEmissions(np.array(probs))),
    )


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (
            _categorical_start([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]),
            r"No state can emit observation 2 \(2\) under the starting parameters",
        ),
        (
            _categorical_start(
                [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]], (1.0, 0.0), ((1.0, 0.0), (0.5, 0.5))
            ),
            "The observations have probability zero under the starting parameters",
        ),
        (
            _categorical_start([[0.5, 0.5, 0.0], [0.5, 0.5, 0.1]]),
            r"The emission probabilities \(row 2\) add up to 1.1, not 1",
        ),
        (
            _categorical_start([[0.5, 0.5, 0.0]] * 2, (0.5, 0.6)),
            "The start probabilities add up to 1.1, not 1",
        ),
        (
            _categorical_start([[0.5, 0.5, 0.0]] * 2, transmat=((0.5, 0.5), (1.5, -0.5))),
            "The transitions must be finite numbers ≥ 0",
        ),
    ],
)
def test_a_start_that_cannot_be_used_is_refused_in_words(start, message) -> None:
    with pytest.raises(ValueError, match=message):
        run_em(np.array([0, 2, 1]), HMM(Categorical(3)), start)


@pytest.mark.parametrize(
    ("data", "model", "message"),
    [
        (
            Sequences([0, 1, 2], [2, 2]),
            HMM(Categorical(3)),
            "The lengths add up to 4 observations, but the data have 3",
        ),
        (
            Sequences([0, 1, 2], [3, 0]),
            HMM(Categorical(3)),
            "Every sequence needs at least one observation",
        ),
        (np.array([0, 1.5, 2]), HMM(Categorical(3)), "Symbols must be whole numbers ≥ 0"),
        (np.array([0, 1, 3]), HMM(Categorical(3)), "the model has only 3 symbols"),
        (np.array([4, -1, 3]), HMM(Poisson()), "Counts must be whole numbers ≥ 0"),
        (np.array([0, np.nan]), HMM(Poisson()), "NaN or infinite"),
    ],
)
def test_unusable_data_are_refused_in_words(data, model, message) -> None:
    with pytest.raises(ValueError, match=message):
        model.prepare(data)


def test_an_end_state_must_match_the_start() -> None:
    start = HMMStart("given", None, EISNER_START)
    with pytest.raises(ValueError, match="The start has end probabilities, but the model has no"):
        run_em(ICE_CREAM, HMM(Categorical(3)), start)


# --- starts ----------------------------------------------------------------------------------


def test_random_starts_are_seeded_probabilities() -> None:
    model = HMM(Categorical(3), end_state=True)
    data = model.prepare(Sequences(np.tile(ICE_CREAM, 2), [33, 33]))
    one, two = (initialise(model, data, 4, "random", rng=7).params for _ in range(2))
    assert np.array_equal(one.transmat, two.transmat)
    assert np.array_equal(one.emissions.probs, two.emissions.probs)
    assert one.problem() is None
    assert one.endprob == pytest.approx(np.full(4, 2 / 66))
    other = initialise(model, data, 4, "random", rng=8).params
    assert not np.array_equal(one.transmat, other.transmat)


def test_the_mixture_start_takes_the_fitted_mixtures_responsibilities() -> None:
    from em_models.mixture import engine as mixture

    x = load_dataset("geyser").values
    model = HMM(Gaussian.for_data(x, "full"))
    start = initialise(model, model.prepare(x), 3, "mixture", rng=0)
    resp = mixture.e_step(x, mixture.fit(x, 3, rng=0).final.params).resp
    expected, _ = mixture.m_step(x, resp, "full", model.family.ridge_diagonal)
    np.testing.assert_allclose(start.params.emissions.means, expected.means, rtol=1e-12)
    np.testing.assert_allclose(start.params.emissions.covariances, expected.covariances, rtol=1e-12)
    np.testing.assert_allclose(start.params.startprob, expected.weights, rtol=1e-12)
    transmat = 0.5 * np.eye(3) + 0.5 * expected.weights[None, :]
    np.testing.assert_allclose(start.params.transmat, transmat, rtol=1e-12)
    assert start.method == "mixture"
    assert start.seed == 0


def test_the_poisson_mixture_start_separates_the_counts() -> None:
    counts = load_sequence("earthquakes").values
    model = HMM(Poisson())
    rates = initialise(model, model.prepare(counts), 2, "mixture").params.emissions.rates
    assert sorted(rates.ravel()) == pytest.approx([15.8, 26.0], abs=1.5)


def test_categorical_symbols_cannot_start_from_a_mixture() -> None:
    with pytest.raises(ValueError, match="A mixture cannot tell the states of categorical"):
        fit(ICE_CREAM, 2, emission="categorical", init="mixture")


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [False, True])
def test_viterbi_finds_the_best_of_every_path(end) -> None:
    rng = np.random.default_rng(5)
    lengths = (5, 3, 6)
    startprob, transmat, endprob = _random_chain(rng, 3, end)
    probs = rng.dirichlet(np.ones(4), size=3)
    symbols = rng.integers(0, 4, size=sum(lengths))
    params = HMMParams(startprob, transmat, CategoricalEmissions(probs), endprob)
    model = HMM(Categorical(4), end_state=end)
    data = model.prepare(Sequences(symbols, lengths))
    log_b = model.family.log_prob(data.emission_data, params.emissions)
    _, gamma, _, best_path, best_log = every_path(log_b, startprob, transmat, endprob, lengths)
    decoded = viterbi(model, data, params)
    assert np.array_equal(decoded.states, best_path)
    assert decoded.log_prob == pytest.approx(best_log, rel=1e-12)
    fb = model.forward_backward(data, params)
    assert np.array_equal(posterior_states(fb.gamma), gamma.argmax(axis=1))


# --- data sets -------------------------------------------------------------------------------


def test_the_shipped_casino_is_the_simulation() -> None:
    casino = load_sequence("casino")
    rolls, dice = simulate_casino()
    assert np.array_equal(casino.values[:, 0], rolls)
    assert rolls.size == 300
    assert casino.states == tuple("loaded" if d else "fair" for d in dice)
    assert set(rolls) == {1, 2, 3, 4, 5, 6}


def test_the_shipped_sequences() -> None:
    assert set(SEQUENCES) == {"ice_cream", "casino", "earthquakes", "geyser"}
    assert np.array_equal(load_sequence("ice_cream").values[:, 0], ICE_CREAM + 1)
    quakes = load_sequence("earthquakes").values[:, 0]
    assert quakes.size == 107
    assert quakes[:10].tolist() == [13, 14, 8, 10, 16, 26, 32, 27, 18, 32]
    geyser = load_sequence("geyser").values
    assert np.array_equal(geyser, load_dataset("geyser").values)
    assert geyser.shape == (299, 2)
    short = geyser[:, 0] < 3  # minutes
    assert np.all(~short[1:][short[:-1]])  # a short eruption is followed by a long one here
    with pytest.raises(ValueError, match="No sequence named 'tides'"):
        load_sequence("tides")


def test_fit_runs_every_family_from_its_default_start() -> None:
    geyser = load_sequence("geyser").values
    for X, emission, init in [
        (geyser, "gaussian", "mixture"),
        (load_sequence("earthquakes").values, "poisson", "mixture"),
        (load_sequence("casino").values - 1, "categorical", "random"),
    ]:
        trace = fit(X, 2, emission=emission, init=init, max_iter=200)
        assert trace.converged, trace.message
        assert np.all(np.diff(trace.log_likelihoods) > -1e-9 * abs(trace.log_likelihoods[-1]))
    params = fit(geyser[:, :1], 2, init="mixture").final.params
    long_state = int(params.emissions.means[:, 0].argmax())
    assert params.transmat[1 - long_state, long_state] > 0.99  # short → long, nearly surely


def test_poisson_counts_of_zero_under_a_rate_of_zero() -> None:
    model = HMM(Poisson())
    data = model.prepare(np.array([0, 0, 3, 0]))
    emissions = PoissonEmissions(np.array([0.0, 2.0]))
    log_b = model.family.log_prob(data.emission_data, emissions)
    assert log_b[:, 0].tolist() == [0.0, 0.0, -np.inf, 0.0]
    assert log_b[2, 1] == pytest.approx(3 * np.log(2.0) - 2.0 - np.log(6.0))


def test_a_product_of_chunks_whose_weights_underflow_is_taken_in_log_space() -> None:
    """Two chunks' product (the forward–backward's stage 2): the first ends in state 0
    whatever its start, and the second explains its observations e^-900 times worse from
    state 0 than from state 1; multiplied out, that weight is 0, yet both rows are the second
    chunk's row 0. A start that cannot be (a row of zeros) stays impossible."""
    from em_models.hmm.forward_backward import combine

    second = np.array([[0.3, 0.7], [0.9, 0.1]]), np.array([-900.0, 0.0])
    with np.errstate(all="raise"):  # as the driver
        R, D = combine(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0.0, -2.0]), *second)
        np.testing.assert_allclose(R, [[0.3, 0.7], [0.3, 0.7]])
        np.testing.assert_allclose(D, [0.0, -2.0])
        R, D = combine(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([0.0, -np.inf]), *second)
    np.testing.assert_allclose(R, [[0.3, 0.7], [0.0, 0.0]])
    assert D.tolist() == [0.0, -np.inf]
