"""``python -m em_core fit FILE --model fa``: factor analysis from the command line, its trace
file read back and replayed, and its exports.

Most runs call :func:`em_core.cli.main` in this process (the same code a person's shell
runs); one subprocess checks that the command line imports no UI.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from pages import PREPARED, open_page, upload_prepared_run
from test_architecture import ROOT

from em_core.cli import main
from em_core.model import StopReason
from em_core.trace_json import TraceFileError, dumps, read_trace
from em_models.fa import engine as fa
from em_models.fa import exports, prepared
from em_models.fa.census import load_census
from em_ui.prepared import opened_runs

FA_KEYS = {
    "model",
    "n_factors",
    "n_features",
    "n_samples",
    "columns",
    "standardise",
    "init",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "mean",
    "iterations",
    "communalities",
    "data",
}
ITERATION_KEYS = {"iteration", "loadings", "noise_variances", "log_likelihood"}


@pytest.fixture
def census_csv(tmp_path):
    X, columns = load_census()
    path = tmp_path / "census.csv"
    rows = [",".join(columns), *(",".join(map(repr, row)) for row in X.tolist())]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, X, columns


def fit_json(capsys, *args: object) -> dict:
    status = main(["fit", *map(str, args)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    return json.loads(out)


def fit_error(capsys, *args: object) -> str:
    status = main(["fit", *map(str, args)])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1
    return lines[0]


def test_fit_prints_the_trace_of_the_engines_run(capsys, census_csv):
    path, X, columns = census_csv
    document = fit_json(capsys, path, "--model", "fa", "--n-factors", "2", "--max-iter", "200")
    assert set(document) == FA_KEYS
    assert (document["model"], document["n_factors"], document["n_features"]) == ("fa", 2, 5)
    assert document["n_samples"] == 12
    assert document["columns"] == list(columns)
    assert document["standardise"] is True
    assert document["init"] == {"method": "pca", "seed": None}
    np.testing.assert_array_equal(document["data"], X)
    assert len(document["iterations"]) == document["n_iter"] + 1
    assert all(set(it) == ITERATION_KEYS for it in document["iterations"])
    trace = fa.fit(X, 2, columns=columns, max_iter=200)
    assert (document["status"], document["message"]) == (trace.stop_reason.value, trace.message)
    assert document["iterations"][-1]["log_likelihood"] == trace.final.log_likelihood
    np.testing.assert_array_equal(document["communalities"], fa.communalities(trace.final.params))


def test_raw_columns_a_random_start_and_a_given_one(capsys, census_csv, tmp_path):
    path, X, _ = census_csv
    raw = fit_json(
        capsys, path, "--model", "fa", "--scale", "raw", "--factor-start", "random", "--seed", "3"
    )
    assert raw["standardise"] is False
    assert raw["init"] == {"method": "random", "seed": 3}
    np.testing.assert_allclose(raw["mean"], X.mean(axis=0))
    assert raw["n_factors"] == 1
    start = tmp_path / "start.json"
    W = [[0.9, 0.1], [0.1, 0.8], [0.9, 0.0], [0.3, 0.7], [0.1, 0.9]]
    start.write_text(json.dumps({"loadings": W, "noise_variances": [0.5] * 5}))
    given = fit_json(capsys, path, "--model", "fa", "--init-params", start, "--max-iter", "0")
    assert given["init"] == {"method": "given", "seed": None}
    assert given["n_factors"] == 2
    assert given["iterations"][0]["loadings"] == W
    assert given["iterations"][0]["noise_variances"] == [0.5] * 5


def test_problems_are_one_line_errors(capsys, census_csv, tmp_path):
    path, _, _ = census_csv
    assert fit_error(capsys, path, "--model", "fa", "--n-factors", "3") == (
        "error: q = 3 factors for 5 variables have 17 parameters (15 loadings + 5 noise "
        "variances − 3 for the rotation of W), more than the 15 variances and covariances "
        "the data have: choose q ≤ 2."
    )
    assert fit_error(capsys, path, "--model", "ppca", "--n-factors", "2") == (
        "error: --n-factors is an option of the fa model (--model fa); leave it out with "
        "--model ppca."
    )
    assert "--scale is an option of the fa model" in fit_error(
        capsys, path, "--scale", "raw", "-k", "2"
    )
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"loadings": [[1.0]] * 4}))
    assert "'loadings' has shape (4, 1); give W as 5 rows" in fit_error(
        capsys, path, "--model", "fa", "--init-params", start
    )


def test_a_heywood_case_is_a_result_naming_the_variable(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    X[:, 1] = 2 * X[:, 0] + 1
    path = tmp_path / "twice.csv"
    lines = ["height,twice height,weight,age", *(",".join(map(repr, r)) for r in X.tolist())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = fit_json(capsys, path, "--model", "fa", "--tol", "0", "--max-iter", "5000")
    assert document["status"] == "collapsed"
    assert document["converged"] is False
    assert document["message"].startswith(
        f"Heywood case in the M-step of iteration {document['n_iter'] + 1}: the noise variance of “"
    )
    assert any(f"“{name}”" in document["message"] for name in ("height", "twice height"))
    assert read_trace(dumps(document).encode()).status is StopReason.COLLAPSED


def test_the_trace_opens_and_replays_and_an_edited_number_is_refused(capsys, census_csv):
    path, _, columns = census_csv
    document = fit_json(
        capsys, path, "--model", "fa", "--n-factors", "2", "--tol", "0", "--max-iter", "50"
    )
    run = read_trace(dumps(document).encode())
    assert (run.model_name, run.columns, run.n_factors, run.standardise) == ("fa", columns, 2, True)
    trace = prepared.replay(run)
    assert trace.n_iter == document["n_iter"]
    assert trace.final.log_likelihood == document["iterations"][-1]["log_likelihood"]
    seconds, size = prepared.cost(run)
    assert seconds > 0
    assert size == "12 points in 5 columns × q = 2 × 50 iterations"
    assert prepared.limit(run) is None
    document["iterations"][7]["noise_variances"][2] *= 1.001
    with pytest.raises(TraceFileError, match=r"iterations\[7\]\.noise_variances is not what EM"):
        prepared.replay(read_trace(dumps(document).encode()))
    document["iterations"][7]["noise_variances"][2] = 0
    with pytest.raises(TraceFileError, match=r"iterations\[7\]\.noise_variances must all be > 0"):
        read_trace(dumps(document).encode())


def test_the_trace_opens_on_open_a_prepared_run_with_the_engines_numbers(capsys, census_csv):
    path, X, columns = census_csv
    document = fit_json(capsys, path, "--model", "fa", "--n-factors", "2")
    opened_runs.clear()
    at = upload_prepared_run(open_page(PREPARED, timeout=120), dumps(document).encode())
    assert not at.error, [e.value for e in at.error]
    trace = fa.fit(X, 2, columns=columns)
    # The stepping view of factor analysis, at the start of the engine's own run.
    assert at.metric[0].value == f"{trace.snapshots[0].log_likelihood:.4f}".replace("-", "−")
    assert any(
        c.value.startswith("Factor analysis: 12 points in 5 columns (Population, Schooling")
        for c in at.caption
    )


def test_the_exports_are_the_trace_the_parameters_and_the_factor_scores():
    X, columns = load_census()
    trace = fa.fit(X, 2, columns=columns, max_iter=30)
    made = {file.key: file.make() for file in exports.files(X, trace, columns=columns)}
    assert set(made) == {"json", "parameters", "scores"}
    assert read_trace(made["json"].encode()).n_iter == trace.n_iter
    header, row = list(csv.reader(io.StringIO(made["parameters"])))
    values = dict(zip(header, map(float, row), strict=True))
    params = trace.final.params
    assert values["loading 2 of Employment"] == pytest.approx(params.loadings[2, 1], rel=1e-11)
    assert values["noise variance of Population"] == pytest.approx(
        params.noise_variances[0], rel=1e-11
    )
    assert values["communality of HouseValue"] == pytest.approx(
        fa.communalities(params)[4], rel=1e-11
    )
    scores = list(csv.reader(io.StringIO(made["scores"])))
    assert scores[0][-2:] == ["factor score 1", "factor score 2"]
    expected = fa.e_step(X, params).latent_means
    np.testing.assert_allclose(np.array(scores[1:], dtype=float)[:, -2:], expected, rtol=1e-11)


def test_the_command_line_imports_no_streamlit_or_plotting(census_csv):
    path, _, _ = census_csv
    probe = (
        "import json, sys\n"
        "from em_core.cli import main\n"
        f"status = main(['fit', {str(path)!r}, '--model', 'fa', '--max-iter', '3'])\n"
        "print(json.dumps([status, sorted({n.split('.')[0] for n in sys.modules})]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    document, probe_line = result.stdout.strip().splitlines()
    status, loaded = json.loads(probe_line)
    assert status == 0
    assert json.loads(document)["model"] == "fa"
    assert {"streamlit", "plotly", "em_ui", "em_viz"} & set(loaded) == set()
