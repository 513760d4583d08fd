"""``python -m em_core fit FILE --model hmm``: Eisner's numbers and Zucchini and MacDonald's
earthquake fit in the printed trace, several sequences, starts from a file, every refusal on
one line, and the trace file read back into the same numbers.

Most runs call :func:`em_core.cli.main` in this process (the command line's whole path from
the arguments to the printed JSON); one runs it as a person would, in a subprocess.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hmm_helpers import EISNER_START
from test_cli import assert_one_line_error, ok_json, run

from em_core.cli import main
from em_core.trace_json import TraceFileError, dumps
from em_models.hmm import trace as trace_file
from em_models.hmm.datasets import load_sequence
from em_models.hmm.engine import fit
from em_models.hmm.sequences import Sequences

EISNER_JSON = {
    "startprob": [0.5, 0.5],
    "transmat": [[0.8, 0.1], [0.1, 0.8]],
    "endprob": [0.1, 0.1],
    "probs": [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]],
}
ROUND_TRIP_FIELDS = ("startprob", "transmat", "endprob")


def write_table(path, X, header=None):
    lines = [] if header is None else [",".join(header)]
    lines += [
        ",".join(f"{v:g}" if float(v).is_integer() else repr(float(v)) for v in row) for row in X
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fit_hmm(capsys, *args) -> dict:
    """The trace ``fit … --model hmm`` prints (exit status 0, nothing on stderr)."""
    status = main(["fit", *map(str, args), "--model", "hmm"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert err == ""
    return json.loads(out, parse_constant=lambda name: pytest.fail(f"non-strict JSON: {name}"))


def refused(capsys, *args) -> str:
    """The one line ``fit … --model hmm`` writes when it refuses (exit status 2; argparse's
    own refusals exit)."""
    try:
        status = main(["fit", *map(str, args), "--model", "hmm"])
    except SystemExit as stopped:
        status = stopped.code
    out, err = capsys.readouterr()
    assert status == 2, out
    assert out == ""
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    return err.strip()


@pytest.fixture
def ice_cream(tmp_path):
    """Eisner's 33 days (1, 2 or 3 ice creams) and his start as a start file."""
    days = load_sequence("ice_cream").values
    start = tmp_path / "eisner.json"
    start.write_text(json.dumps(EISNER_JSON), encoding="utf-8")
    return write_table(tmp_path / "icecream.csv", days, ["ice_creams"]), start, days


@pytest.fixture
def quakes(tmp_path):
    counts = load_sequence("earthquakes").values
    return write_table(tmp_path / "quakes.csv", counts), counts


def test_the_ice_cream_gives_eisners_numbers(capsys, ice_cream) -> None:
    data, start, days = ice_cream
    document = fit_hmm(capsys, data, "--init-params", start, "--max-iter", 1)
    assert document["model"] == "hmm"
    assert (document["emission"], document["end_state"]) == ("categorical", True)
    assert document["symbols"] == [1, 2, 3]
    assert document["data"] == days.astype(int).tolist()
    assert document["columns"] == ["ice_creams"]
    assert (document["n_observations"], document["lengths"]) == (33, [33])
    assert document["init"] == {"method": "given", "seed": None}
    before, after = document["iterations"]
    assert {k: before[k] for k in EISNER_JSON} == EISNER_JSON
    assert math.exp(before["log_likelihood"]) == pytest.approx(9.12756e-19, rel=1e-5)
    assert math.exp(after["log_likelihood"]) == pytest.approx(1.10414e-16, rel=1e-5)
    # One sequence: the new π is γ on day 1, so p(hot) on day 1 is its second entry.
    assert after["startprob"][1] == pytest.approx(0.870942, abs=5e-7)
    assert after["probs"][0][0] == pytest.approx(0.6765, abs=5e-5)
    assert after["transmat"][0][0] == pytest.approx(0.8757, abs=5e-5)
    assert sum(after["occupancy"]) == pytest.approx(33)
    assert document["status"] == "max_iter"


def test_the_earthquakes_reach_the_published_fit(capsys, quakes) -> None:
    """Zucchini and MacDonald's 3-state Poisson HMM: −log L = 328.5275, λ = 13.134, 19.713,
    29.710; from a mixture's start, the engine's run iteration by iteration."""
    path, counts = quakes
    options = ("--emission", "poisson", "--n-states", 3, "--tol", 1e-12, "--max-iter", 500)
    document = fit_hmm(capsys, path, *options)
    assert document["status"] == "converged"
    final = document["iterations"][-1]
    assert -final["log_likelihood"] == pytest.approx(328.5275, abs=5e-5)
    assert sorted(np.ravel(final["rates"])) == pytest.approx([13.134, 19.713, 29.710], abs=5e-4)
    trace = fit(counts, 3, emission="poisson", init="mixture", rng=0, tol=1e-12, max_iter=500)
    assert document["n_iter"] == trace.n_iter
    assert document["message"] == trace.message
    for entry, snapshot in zip(document["iterations"], trace.snapshots, strict=True):
        assert entry["rates"] == snapshot.params.emissions.rates.tolist()
        assert entry["log_likelihood"] == snapshot.log_likelihood


def test_several_sequences_and_a_covariance_type(capsys, tmp_path) -> None:
    geyser = load_sequence("geyser").values
    path = write_table(tmp_path / "geyser.csv", geyser, ["duration", "waiting"])
    document = fit_hmm(
        capsys, path, "--lengths", "100, 199", "--emission-covariance", "diag", "--seed", 3
    )
    assert document["lengths"] == [100, 199]
    assert (document["emission"], document["covariance_type"]) == ("gaussian", "diag")
    assert document["init"] == {"method": "mixture", "seed": 3}
    trace = fit(Sequences(geyser, [100, 199]), 2, covariance_type="diag", rng=3)
    assert document["iterations"][-1]["log_likelihood"] == trace.final.log_likelihood
    covariances = np.array(document["iterations"][-1]["covariances"])
    assert covariances.shape == (2, 2, 2)  # full matrices, whatever the type
    np.testing.assert_array_equal(
        np.diagonal(covariances, axis1=1, axis2=2), trace.final.params.emissions.covariances
    )


def test_an_iteration_of_a_trace_is_a_start_file(capsys, tmp_path, quakes) -> None:
    path, _ = quakes
    first = fit_hmm(capsys, path, "--emission", "poisson", "--n-states", 3, "--max-iter", 4)
    start = tmp_path / "start.json"
    start.write_text(json.dumps(first["iterations"][4]), encoding="utf-8")
    again = fit_hmm(capsys, path, "--init-params", start, "--max-iter", 0)
    assert again["emission"] == "poisson"  # from the file's 'rates'
    assert again["n_states"] == 3
    assert again["iterations"][0]["rates"] == first["iterations"][4]["rates"]
    assert again["iterations"][0]["log_likelihood"] == first["iterations"][4]["log_likelihood"]


def test_a_random_start_is_the_seeds(capsys, ice_cream) -> None:
    data, _, _ = ice_cream
    document = fit_hmm(capsys, data, "--emission", "categorical", "--seed", 5, "--max-iter", 3)
    assert document["init"] == {"method": "random", "seed": 5}
    assert document["end_state"] is False
    codes = load_sequence("ice_cream").values - 1
    trace = fit(codes, 2, emission="categorical", init="random", rng=5, max_iter=3)
    assert document["iterations"][0]["probs"] == trace.snapshots[0].params.emissions.probs.tolist()


def test_the_command_runs_as_a_person_types_it(ice_cream) -> None:
    data, start, _ = ice_cream
    document = ok_json(run("fit", data, "--model", "hmm", "--init-params", start))
    assert document["converged"]
    result = run("fit", data, "--model", "hmm", "--emission", "poisson", "--lengths", "30,4")
    assert_one_line_error(result, "--lengths add up to 34 observations", "has 33 rows")


@pytest.mark.parametrize(
    ("rows", "options", "fragments"),
    [
        (
            [[1], [2.5], [3]],
            ["--emission", "categorical"],
            ["categorical takes symbols written as whole numbers", "observation 2", "is 2.5"],
        ),
        ([[1, 2], [2, 1]], ["--emission", "categorical"], ["one column of symbols", "2 columns"]),
        (
            [[4], [0], [-3]],
            ["--emission", "poisson"],
            ["poisson takes counts, whole numbers ≥ 0", "observation 3", "is -3"],
        ),
        ([[1], [2], [3]], ["--lengths", "2,2"], ["--lengths add up to 4 observations", "3 rows"]),
        ([[1], [2], [3]], ["--lengths", "2,x"], ["--lengths takes whole numbers ≥ 1", "'2,x'"]),
        ([[1], [2], [3]], ["--lengths", "3,0"], ["--lengths takes whole numbers ≥ 1"]),
        ([[1], [2], [3]], ["--n-states", "4"], ["--n-states 4 is more than the 3 observations"]),
        ([[1], [2], [3]], ["--n-states", "0"], ["--n-states must be a whole number ≥ 1; got 0"]),
        (
            [[1], [2], [3]],
            ["--emission", "categorical", "--start", "mixture"],
            ["A mixture cannot tell the states of categorical symbols apart", "--start random"],
        ),
        (
            [[1], [2], [3]],
            ["--emission", "poisson", "--emission-covariance", "diag"],
            ["--emission-covariance is for --emission gaussian only"],
        ),
        ([[1], [2], [3]], ["-k", "2"], ["-k/--n-components is an option of the mixture model"]),
        ([[1], [2], [3]], ["--ridge", "0.1"], ["--ridge is an option of the mixture model"]),
        ([[1], [2], [3]], ["--emission", "binomial"], ["invalid choice: 'binomial'"]),
    ],
    ids=[
        "fraction-symbol",
        "two-column-symbols",
        "negative-count",
        "lengths-sum",
        "lengths-text",
        "lengths-zero",
        "k-too-large",
        "k-zero",
        "mixture-for-symbols",
        "covariance-not-gaussian",
        "mixture-k",
        "mixture-ridge",
        "unknown-emission",
    ],
)
def test_bad_input_is_one_line_naming_the_problem(
    capsys, tmp_path, rows, options, fragments
) -> None:
    path = write_table(tmp_path / "data.csv", rows)
    line = refused(capsys, path, *options)
    for fragment in fragments:
        assert fragment in line, line


def test_an_hmm_option_without_the_hmm_is_refused(capsys, tmp_path) -> None:
    path = write_table(tmp_path / "data.csv", [[1], [2], [3]])
    status = main(["fit", str(path), "--n-states", "2"])
    _, err = capsys.readouterr()
    assert status == 2
    assert err.strip() == (
        "error: --n-states is an option of the hmm model (--model hmm); leave it out with "
        "--model mixture."
    )


@pytest.mark.parametrize(
    ("start", "options", "fragment"),
    [
        ("{", [], "is not valid JSON"),
        ("[1, 2]", [], "must be a JSON object; give 'startprob', 'transmat'"),
        ('{"startprob": [1]}', [], "must give one family's emissions"),
        (
            json.dumps({**EISNER_JSON, "probs": [[0.7, 0.3], [0.1, 0.9]]}),
            [],
            ".probs has shape 2 × 2; give 2 rows (one per state) of 3 probabilities",
        ),
        (
            json.dumps({**EISNER_JSON, "probs": [[0.7, 0.2, 0.2], [0.1, 0.2, 0.7]]}),
            [],
            "The emission probabilities (row 1) add up to 1.1, not 1.",
        ),
        (
            json.dumps({**EISNER_JSON, "transmat": [[0.8, 0.1]]}),
            [],
            ".transmat has shape 1 × 2; expected 2 × 2",
        ),
        (json.dumps(EISNER_JSON), ["--emission", "poisson"], "gives categorical emissions, not"),
        (json.dumps(EISNER_JSON), ["--start", "random"], "gives the start itself; leave out"),
        (
            json.dumps({**EISNER_JSON, "symbols": [1, 2, 4]}),
            [],
            "has the symbol 3, which the 'symbols' of --init-params do not include",
        ),
        (json.dumps(EISNER_JSON), ["--n-states", "3"], "have 2 states, not 3"),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-emissions",
        "probs-shape",
        "probs-sum",
        "transmat-shape",
        "other-family",
        "start-and-file",
        "unknown-symbol",
        "other-k",
    ],
)
def test_a_bad_start_file_is_one_line(capsys, tmp_path, ice_cream, start, options, fragment):
    data, _, _ = ice_cream
    path = tmp_path / "start.json"
    path.write_text(start, encoding="utf-8")
    line = refused(capsys, data, "--init-params", path, *options)
    assert fragment in line, line


def test_a_start_file_may_name_symbols_the_data_do_not_show(capsys, ice_cream, tmp_path):
    data, _, _ = ice_cream
    start = tmp_path / "start.json"
    probs = [[0.6, 0.2, 0.1, 0.1], [0.1, 0.2, 0.6, 0.1]]
    start.write_text(json.dumps({**EISNER_JSON, "probs": probs, "symbols": [1, 2, 3, 6]}))
    document = fit_hmm(capsys, data, "--init-params", start, "--max-iter", 1)
    assert document["symbols"] == [1, 2, 3, 6]
    assert [row[3] for row in document["iterations"][1]["probs"]] == [0.0, 0.0]


def runs_of_every_family():
    ice = load_sequence("ice_cream").values - 1
    geyser = load_sequence("geyser").values
    quakes = load_sequence("earthquakes").values
    return [
        (ice, fit(ice, 2, emission="categorical", init="given", params=EISNER_START,
                  end_state=True, max_iter=4), [1.0, 2.0, 3.0]),
        (quakes, fit(quakes, 3, emission="poisson", max_iter=4), None),
        (Sequences(geyser, [99, 200]), fit(Sequences(geyser, [99, 200]), 2, max_iter=4), None),
        (geyser, fit(geyser, 3, covariance_type="spherical", max_iter=4), None),
        (geyser, fit(geyser, 2, covariance_type="tied", init="random", rng=2, max_iter=4), None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "case", range(5), ids=["categorical-end", "poisson", "lengths", "spherical", "tied"]
)
def test_the_trace_file_reads_back_into_the_same_numbers(case) -> None:
    data, trace, symbols = runs_of_every_family()[case]
    X = data.X if isinstance(data, Sequences) else data
    columns = tuple(f"c{j}" for j in range(np.shape(X)[1]))
    document = json.loads(dumps(trace_file.write(trace, data, columns, symbols=symbols)))
    run_back = trace_file.parse(document)
    assert run_back.columns == columns
    assert run_back.emission == trace.model.family.kind
    assert run_back.end_state == trace.model.end_state
    assert len(run_back.params) == trace.n_iter + 1
    for params, snapshot, ll in zip(
        run_back.params, trace.snapshots, run_back.log_likelihoods, strict=True
    ):
        mine, theirs = params, snapshot.params
        for name in ROUND_TRIP_FIELDS:
            np.testing.assert_array_equal(getattr(mine, name), getattr(theirs, name))
        for name in ("probs", "rates", "means", "covariances"):
            if hasattr(theirs.emissions, name):
                np.testing.assert_array_equal(
                    getattr(mine.emissions, name), getattr(theirs.emissions, name)
                )
        assert ll == snapshot.log_likelihood
    expected = np.asarray(X, dtype=np.float64)
    if symbols is not None:
        expected = np.asarray(symbols)[expected.astype(int)]
    np.testing.assert_array_equal(run_back.X, expected.reshape(run_back.X.shape))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": "mixture"}, 'not a hidden Markov model\'s run ("model": "hmm")'),
        ({"emission": "binomial"}, "emission must be one of 'categorical'"),
        ({"lengths": [30, 0]}, "lengths must hold whole numbers ≥ 1"),
        ({"data": [[1]] * 32}, "data has shape 32 × 1; expected 33 × 1"),
        ({"symbols": [1, 2]}, "iterations[0].probs has shape 2 × 3"),
    ],
)
def test_a_damaged_trace_file_is_refused_saying_where(change, message) -> None:
    data, trace, symbols = runs_of_every_family()[0]
    document = json.loads(dumps(trace_file.write(trace, data, ("x",), symbols=symbols)))
    with pytest.raises(TraceFileError) as error:
        trace_file.parse({**document, **change})
    assert message in str(error.value)
