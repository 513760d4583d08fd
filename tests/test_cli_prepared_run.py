"""A trace the command line wrote without its data, on *Open a prepared run* (AppTest): the
page cannot recompute the run, and says so, naming the option that writes the data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from engine_helpers import two_blobs
from pages import PREPARED, open_page, upload_prepared_run
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]


def command_line_trace(path: Path, *options: str) -> bytes:
    result = subprocess.run(
        [sys.executable, "-m", "em_core", "fit", str(path), "-k", "2", "--max-iter", "3", *options],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def open_prepared(raw: bytes) -> AppTest:
    return upload_prepared_run(open_page(PREPARED), raw, "big *run*.json")


def test_a_trace_without_data_says_how_to_get_one_with_data(tmp_path):
    path = tmp_path / "big.npy"
    np.save(path, two_blobs(seed=2, n_per_blob=50_001))  # 200,004 numbers: no data unasked
    at = open_prepared(command_line_trace(path))
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("big *run*.json cannot be opened: The file has no data")
    assert "python -m em_core fit … --with-data > run.json" in errors[0]
    assert "Export this run" in errors[0]
    assert not at.get("plotly_chart")


def test_the_same_run_with_its_data_opens(tmp_path):
    path = tmp_path / "small.npy"
    np.save(path, two_blobs(seed=2, n_per_blob=100))
    raw = command_line_trace(path, "--with-data")
    at = open_prepared(raw)
    assert not at.error, [e.value for e in at.error]
    assert any("200 points in 2 columns (x1, x2)" in c.value for c in at.caption)
    n_iter = json.loads(raw)["n_iter"]
    assert len(at.select_slider(key="prepared.h").options) == 2 * n_iter + 2
