"""Exports and prepared runs as a person uses them (AppTest): every page that shows a run
offers its files and the scikit-learn code; a trace from the command line opens on *Open a
prepared run* and steps; a file that is not a valid trace gets a message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pages
import pytest
from pages import PREPARED
from stepping import press
from streamlit.testing.v1 import AppTest

import em_models.mixture.engine
from em_core.trace_json import dumps
from em_data import load_dataset
from em_models.mixture.trace import trace_to_json

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 90
# Every page with a stepping view, and the view's key.
RUN_PAGES = {
    "em_models/mixture/lessons/worked_example.py": "worked",
    "em_models/mixture/lessons/kmeans_start.py": "kstart",
    "em_models/mixture/lessons/collapse.py": "collapse",
    "em_models/mixture/lessons/choose_k.py": "choose",
    "em_models/mixture/lessons/restarts.py": "restarts",
    "em_models/mixture/lessons/your_data.py": "data",
}
EXPORT_LABELS = [
    "Trace (JSON)",
    "Final parameters (CSV)",
    "Responsibilities (CSV)",
    "Animation (HTML)",
]


def open_page(page: str) -> AppTest:
    return pages.open_page(page, timeout=TIMEOUT)


def open_exports(at: AppTest, key: str) -> AppTest:
    at.session_state[f"{key}.export"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def assert_exports_offered(at: AppTest, key: str) -> None:
    labels = [b.label for b in at.get("download_button") if f"{key}.export." in b.proto.id]
    assert labels == EXPORT_LABELS, labels
    code = [c.value for c in at.code]
    assert any("GaussianMixture(" in c and "precisions_init=" in c for c in code), code
    assert any("one M-step later" in c.value for c in at.caption)
    chart = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{key}.chart")]
    assert len(chart) == 1
    config = json.loads(chart[0].proto.config)
    assert config["toImageButtonOptions"]["format"] == "png"
    assert config["toImageButtonOptions"]["filename"].startswith(f"em-{key}-")
    assert config.get("displayModeBar", True) is not False


@pytest.mark.parametrize("page", sorted(RUN_PAGES))
def test_every_page_that_shows_a_run_offers_its_exports(page):
    key = RUN_PAGES[page]
    at = open_page(page)
    assert not list(at.get("download_button")), "the section is closed until opened"
    assert_exports_offered(open_exports(at, key), key)


def test_the_probabilistic_pca_page_offers_its_exports():
    at = open_page("em_models/ppca/page.py")
    assert not list(at.get("download_button")), "the section is closed until opened"
    open_exports(at, "ppca")
    labels = [b.label for b in at.get("download_button") if "ppca.export." in b.proto.id]
    assert labels == [
        "Trace (JSON)",
        "Final parameters (CSV)",
        "Latent coordinates (CSV)",
        "Animation (HTML)",
    ]
    assert any("--model ppca" in c.value for c in at.caption)
    chart = [e for e in at.get("plotly_chart") if e.proto.id.endswith("-ppca.chart")]
    config = json.loads(chart[0].proto.config)
    assert config["toImageButtonOptions"]["filename"] == "em-ppca-start"


def cli_trace(tmp_path: Path) -> bytes:
    path = tmp_path / "faithful.csv"
    data = load_dataset("faithful")
    header = ",".join(data.columns)
    np.savetxt(path, np.asarray(data.values), delimiter=",", header=header, comments="")
    result = subprocess.run(
        [sys.executable, "-m", "em_core", "fit", str(path), "-k", "3", "--seed", "4"],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return result.stdout


upload = pages.upload_prepared_run


def test_a_command_line_trace_opens_and_steps(tmp_path):
    raw = cli_trace(tmp_path)
    document = json.loads(raw)
    at = open_page(PREPARED)
    assert any("Choose a trace file" in i.value for i in at.info)
    at = upload(at, raw)
    assert not at.error, [e.value for e in at.error]
    assert any("272 points in 2 columns (eruptions, waiting)" in c.value for c in at.caption)
    slider = at.select_slider(key="prepared.h")
    assert len(slider.options) == 2 * document["n_iter"] + 2
    press(at, "prepared.e")
    press(at, "prepared.m")
    assert int(at.session_state["prepared.h"]) == 2
    metric = at.metric[0]
    expected = document["iterations"][1]["log_likelihood"]
    assert metric.value == f"{expected:.4f}".replace("-", "−")
    assert_exports_offered(open_exports(at, "prepared"), "prepared")


def test_the_apps_own_export_opens_again():
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    trace = em_models.mixture.engine.fit(X, 2, rng=0, tol=1e-8)
    at = upload(open_page(PREPARED), dumps(trace_to_json(trace, X, ["x"])).encode())
    assert not at.error
    assert len(at.select_slider(key="prepared.h").options) == 2 * trace.n_iter + 2


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        (b"eruptions,waiting\n3.6,79\n", "does not start with '{'"),
        (b'{"n_samples": 3', "not valid JSON"),
        (b"{" + b'"a":' + b"[" * 5000 + b"]" * 5000 + b"}", "nests"),
        (b'{"n_samples": NaN}', "NaN"),
        (b'{"unknown": 1}', "fields a trace does not have"),
    ],
)
def test_a_file_that_is_not_a_trace_gets_a_message(raw, fragment):
    at = upload(open_page(PREPARED), raw, name="[x](https://example.org).json")
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert fragment in errors[0].replace("\\", ""), errors
    assert "\\[x\\]" in errors[0], "the file's name is shown as typed"
    assert not at.get("plotly_chart")


def test_an_edited_trace_is_refused_naming_the_iteration(tmp_path):
    document = json.loads(cli_trace(tmp_path))
    document["iterations"][2]["means"][0][1] += 0.01
    at = upload(open_page(PREPARED), json.dumps(document).encode())
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1
    assert "iterations[2].means is not what EM computes" in errors[0]
