"""Every model's runs open on *Open a prepared run* and step in the model's own view
(AppTest): a probabilistic-PCA trace and a hidden Markov model's trace (Eisner's ice cream)
written by ``python -m em_core fit --model …``, their numbers the engine's; a file with one
iteration changed is refused, naming that iteration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pages import PREPARED, open_page, upload_prepared_run
from stepping import press
from test_app_pages import half_step, page_text
from test_cli_hmm import EISNER_JSON, write_table

from em_data import load_dataset
from em_models.hmm import engine as hmm
from em_models.hmm.datasets import load_sequence
from em_models.hmm.trace import params_from_json
from em_models.ppca import engine as ppca
from em_ui.prepared import opened_runs

REPO = Path(__file__).resolve().parents[1]
KEY = "prepared"


def fit_command(*args: object) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "em_core", "fit", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ppca_file(tmp_path_factory) -> tuple[dict, np.ndarray]:
    faithful = np.asarray(load_dataset("faithful").values)
    path = write_table(tmp_path_factory.mktemp("ppca") / "faithful.csv", faithful, ["a", "b"])
    return fit_command(path, "--model", "ppca", "--seed", "3", "--max-iter", "20"), faithful


@pytest.fixture(scope="module")
def ice_cream_file(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hmm")
    days = load_sequence("ice_cream").values
    path = write_table(folder / "icecream.csv", days, ["ice_creams"])
    start = folder / "eisner.json"
    start.write_text(json.dumps(EISNER_JSON), encoding="utf-8")
    return fit_command(path, "--model", "hmm", "--init-params", start, "--max-iter", "5")


def opened(document: dict, name: str = "run.json"):
    opened_runs.clear()
    raw = json.dumps(document).encode()
    return upload_prepared_run(open_page(PREPARED, timeout=120), raw, name)


def caption(at) -> str:
    """The line describing the run in the file (the first caption under the title)."""
    return next(c.value for c in at.caption if "EM run again from that start" in c.value)


def metric(at) -> float:
    return float(at.metric[0].value.replace("−", "-"))


def test_a_ppca_run_from_the_command_line_opens_and_steps(ppca_file) -> None:
    document, X = ppca_file
    trace = ppca.fit(X, 1, rng=3, max_iter=20)
    at = opened(document)
    assert not at.error, [e.value for e in at.error]
    assert caption(at).startswith("Probabilistic PCA: 272 points in 2 columns")
    assert half_step(at, KEY) == 0
    assert metric(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-5)
    press(at, f"{KEY}.e")
    assert "E-step 1: each point's expected latent coordinate" in page_text(at)
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    assert metric(at) == pytest.approx(trace.snapshots[1].log_likelihood, abs=5e-5)
    assert f"{trace.snapshots[1].params.noise_variance:.6f}" in page_text(at)


def test_the_ice_cream_from_the_command_line_opens_and_steps(ice_cream_file) -> None:
    days = load_sequence("ice_cream").values
    start = params_from_json(EISNER_JSON, "start", "categorical")
    trace = hmm.fit(
        days - 1,
        2,
        emission="categorical",
        end_state=True,
        init="given",
        params=start,
        max_iter=5,
    )
    at = opened(ice_cream_file)
    assert not at.error, [e.value for e in at.error]
    assert caption(at).startswith("A hidden Markov model: 33 observations in 1 column")
    assert at.metric[0].value == f"{trace.snapshots[0].log_likelihood:.4f}".replace("-", "−")
    # Eisner's p(data) before the first update: 9.12756e-19.
    assert np.exp(trace.snapshots[0].log_likelihood) == pytest.approx(9.12756e-19, rel=1e-5)
    press(at, f"{KEY}.e")
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    assert at.metric[0].value == f"{trace.snapshots[1].log_likelihood:.4f}".replace("-", "−")
    assert np.exp(trace.snapshots[1].log_likelihood) == pytest.approx(1.10414e-16, rel=1e-5)


@pytest.mark.parametrize(
    ("which", "field"),
    [("ppca", "noise_variance"), ("hmm", "transmat")],
)
def test_a_changed_iteration_is_refused_naming_it(ppca_file, ice_cream_file, which, field):
    document = json.loads(json.dumps(ppca_file[0] if which == "ppca" else ice_cream_file))
    entry = document["iterations"][2]
    if field == "transmat":
        entry["transmat"][0] = [entry["transmat"][0][0] + 1e-3, entry["transmat"][0][1] - 1e-3]
    else:
        entry[field] *= 1.001
    at = opened(document, "changed.json")
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        f"changed.json cannot be opened: iterations\\[2\\].{field} is not what EM computes"
    ), errors[0]
    assert not at.metric
