"""The files a run exports (em_viz.exports): CSV of numbers whose headers no spreadsheet runs,
the scikit-learn code that gives the app's parameters, the standalone animation, the PNG
button's name."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from engine_helpers import blobs
from sklearn.exceptions import ConvergenceWarning
from test_trace_json import split_run

import em_models.mixture.engine
import em_models.mixture.gaussian
from em_core.trace_json import dumps
from em_models.mixture import exports as mixture_exports
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters
from em_models.mixture.trace import trace_to_json
from em_models.ppca import exports as ppca_exports
from em_viz import exports

NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?")
# What a spreadsheet takes for the start of a formula (and tab or carriage return before one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
HOSTILE_NAMES = [
    '=HYPERLINK("http://example.org","x")',
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "\t=1+1",
    "\r\n=1",
    'a,"b"\nc',
]

# What 12 significant digits keep of a number (em_viz.exports.SIGNIFICANT_DIGITS).
TWELVE_DIGITS = 5e-12

no_convergence_warning = pytest.mark.filterwarnings(
    f"ignore::{ConvergenceWarning.__module__}.{ConvergenceWarning.__name__}"
)


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def assert_numbers_only(text: str) -> tuple[list[str], np.ndarray]:
    header, rows = read_csv(text)
    for cell in header:
        assert not cell.startswith(FORMULA_START), cell
        assert not any(c in cell for c in "\r\n\t"), cell
    for row in rows:
        assert len(row) == len(header)
        for cell in row:
            assert NUMBER.fullmatch(cell), cell
    return header, np.array(rows, dtype=float)


def hostile_run(n_features: int = 7):
    X = blobs(3, n_features=n_features, n_per_blob=15)
    return X, em_models.mixture.engine.fit(X, 3, rng=0)


def test_the_parameters_csv_holds_the_final_parameters_and_only_numbers():
    X, trace = hostile_run()
    header, values = assert_numbers_only(mixture_exports.parameters_csv(trace, HOSTILE_NAMES))
    params = trace.final.params
    d = X.shape[1]
    assert values.shape == (3, 2 + 2 * d + d * (d - 1) // 2)
    np.testing.assert_array_equal(values[:, 0], [1, 2, 3])
    np.testing.assert_allclose(values[:, 1], params.weights, rtol=TWELVE_DIGITS)
    np.testing.assert_allclose(values[:, 2 : 2 + d], params.means, rtol=TWELVE_DIGITS)
    full = params.full_covariances()
    np.testing.assert_allclose(
        values[:, 2 + d : 2 + 2 * d], np.diagonal(full, 0, 1, 2), rtol=TWELVE_DIGITS
    )
    assert header[2 + 2 * d].startswith("covariance of")
    np.testing.assert_allclose(values[:, 2 + 2 * d], full[:, 0, 1], rtol=TWELVE_DIGITS)


def test_the_responsibilities_csv_holds_each_point_and_its_responsibilities():
    X, trace = hostile_run()
    header, values = assert_numbers_only(
        mixture_exports.responsibilities_csv(X, trace, HOSTILE_NAMES)
    )
    assert header[0] == "point"
    assert header[-1] == "responsibility of component 3"
    np.testing.assert_array_equal(values[:, 0], np.arange(1, X.shape[0] + 1))
    np.testing.assert_array_equal(values[:, 1:8], X)  # the data as given, exactly
    resp = values[:, 8:]
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-11)
    expected = em_models.mixture.engine.e_step(X, trace.final.params).resp
    np.testing.assert_allclose(resp, expected, rtol=TWELVE_DIGITS, atol=1e-300)


def test_computed_numbers_are_written_to_twelve_significant_digits():
    """Float rounding in the last bits (2 − 1.6e-15) reads as the number it is; a real
    difference at the twelfth digit stays."""
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.5, 0.5], [[1.9999999999999984], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = em_models.mixture.engine.fit(
        X, 2, init="given", params=start, reg_covar=0.0, max_iter=0
    )
    _, rows = read_csv(mixture_exports.parameters_csv(trace, ["x"]))
    assert rows[0][:3] == ["1", "0.5", "2"]
    assert rows[1][2] == "9"
    start = Parameters([0.5, 0.5], [[2.00000000001], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = em_models.mixture.engine.fit(
        X, 2, init="given", params=start, reg_covar=0.0, max_iter=0
    )
    assert read_csv(mixture_exports.parameters_csv(trace, ["x"]))[1][0][2] == "2.00000000001"


def test_negative_and_tiny_numbers_are_plain_numbers():
    X = np.array([-1e-300, -2.5, 3e20, 4.0, -5.0, 6.0])[:, None]
    trace = em_models.mixture.engine.fit(X, 2, rng=0, reg_covar=1.0, max_iter=3)
    _, values = assert_numbers_only(mixture_exports.responsibilities_csv(X, trace, ["-x"]))
    np.testing.assert_array_equal(values[:, 1], X[:, 0])


# ---------------------------------------------------------------------------------------------
# scikit-learn


def run_snippet(trace, X, tmp_path, monkeypatch) -> dict:
    """Execute the generated code next to the run's JSON export, as a student would."""
    (tmp_path / exports.JSON_NAME).write_text(
        dumps(trace_to_json(trace, X, [f"c{j}" for j in range(X.shape[1])])), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(mixture_exports.sklearn_code(trace), "snippet", "exec"), namespace)
    return namespace


def assert_same_parameters(namespace: dict, params: Parameters) -> None:
    np.testing.assert_allclose(namespace["weights"], params.weights, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(namespace["means"], params.means, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(namespace["covariances"], params.covariances, rtol=1e-8, atol=1e-10)


@no_convergence_warning
@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    "options",
    [
        {},  # the relative ridge: a different amount per column, so the code rescales
        {"reg_covar": 0.05},
        {"ridge": 0.0},
        {"ridge": 1e-3, "max_iter": 4, "tol": 0.0},  # stopped by max_iter
    ],
)
def test_the_sklearn_code_gives_the_apps_parameters(kind, options, tmp_path, monkeypatch):
    X = blobs(5, n_features=2, n_per_blob=40) * [1.0, 30.0]  # columns of unequal variance
    trace = em_models.mixture.engine.fit(
        X, 3, covariance_type=kind, init="kmeans", rng=2, **options
    )
    assert trace.n_iter >= 1
    namespace = run_snippet(trace, X, tmp_path, monkeypatch)
    assert namespace["gm"].n_iter_ == trace.n_iter
    assert_same_parameters(namespace, trace.final.params)


@no_convergence_warning
def test_the_sklearn_code_of_a_one_column_run_and_of_a_given_start(tmp_path, monkeypatch):
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    trace = em_models.mixture.engine.fit(X, 2, init="given", params=start, reg_covar=0.0, tol=1e-6)
    assert trace.converged
    namespace = run_snippet(trace, X, tmp_path, monkeypatch)
    assert_same_parameters(namespace, trace.final.params)
    code = mixture_exports.sklearn_code(trace)
    assert "scale" not in code  # one column: reg_covar is the ridge itself
    assert f"max_iter={trace.n_iter}," in code
    assert "tol=1e-06," in code
    assert "# 6 points × 1 column\n" in code


@no_convergence_warning
def test_the_sklearn_code_of_a_run_from_a_split_start(tmp_path, monkeypatch):
    X = blobs(3, n_features=2, n_per_blob=30)
    trace = split_run(X)
    assert trace.start.method == "split"
    assert "split in two" in mixture_exports.sklearn_code(trace)
    assert_same_parameters(run_snippet(trace, X, tmp_path, monkeypatch), trace.final.params)


def test_a_run_without_iterations_has_no_sklearn_code():
    X = blobs(6, n_features=2, n_per_blob=20)
    trace = em_models.mixture.engine.fit(X, 2, rng=1, max_iter=0)
    with pytest.raises(ValueError, match="no iteration"):
        mixture_exports.sklearn_code(trace)


def test_the_note_explains_when_each_tool_measures_the_log_likelihood():
    X = blobs(5, n_features=1, n_per_blob=30)
    trace = em_models.mixture.engine.fit(X, 2, rng=0)
    note = mixture_exports.likelihood_timing_note(trace)
    assert f"max_iter = {trace.n_iter}" in note
    assert "one M-step later" in note


# ---------------------------------------------------------------------------------------------
# The animation and the PNG


def test_the_animation_is_one_offline_html_file_with_its_frames_and_play():
    X = blobs(0, n_features=2, n_per_blob=30)
    trace = em_models.mixture.engine.fit(X, 3, rng=0)
    page = mixture_exports.animation_html(X, trace, column_names=["a", "<b>"])
    assert page.startswith("<!doctype html>")
    assert "<title>EM for a Gaussian mixture: K = 3, full covariances, 90 points</title>" in page
    assert not re.search(r"<script[^>]+src=", page), "every script is inside the file"
    assert len(page) > 3_000_000
    assert "plotly.js v" in page
    # Play, Pause, and a step of the slider for every frame.
    assert page.count('"method":"animate"') == 2 + (2 * trace.n_iter + 2)
    assert "Plotly.addFrames" in page
    # A whole frame for every half-step from the start (each sets layout.meta.half_step),
    # and the figure's own layout at the start.
    assert page.count('"meta":{"half_step":') == (2 * trace.n_iter + 2) + 1
    assert '"meta":{"half_step":0,"every_half_step":true}' in page


def test_a_long_run_says_where_the_file_stops_without_naming_the_apps_slider():
    X = blobs(0, n_features=1, n_per_blob=40)
    trace = em_models.mixture.engine.fit(X, 3, rng=0, tol=0.0, max_iter=80)
    page = mixture_exports.animation_html(X, trace)
    assert "Play holds Start" in page
    assert "slider above" not in page
    assert "the app steps through every half-step" in page


def test_the_charts_camera_button_saves_a_named_png():
    config = exports.chart_config(exports.file_stem("em", "worked", "E-step 3"))
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "filename": "em-worked-e-step-3",
        "scale": 2,
    }
    assert config.get("displayModeBar", True) is not False
    assert "toImage" not in config.get("modeBarButtonsToRemove", [])


def ppca_run(n_features: int = 4, n_latent: int = 2, tol: float = 1e-6):
    from em_models.ppca import engine as ppca

    X = blobs(4, n_features=n_features, n_per_blob=20)
    return X, ppca.fit(X, n_latent, rng=0, tol=tol, max_iter=300)


def test_the_ppca_parameters_csv_holds_mu_w_and_sigma2_and_only_numbers():
    _, trace = ppca_run()
    names = HOSTILE_NAMES[:4]
    header, values = assert_numbers_only(ppca_exports.parameters_csv(trace, names))
    params = trace.final.params
    d, q = params.loadings.shape
    assert values.shape == (1, 1 + d + d * q + 2)
    assert values[0, 0] == trace.n_iter
    np.testing.assert_allclose(values[0, 1 : 1 + d], params.mean, rtol=TWELVE_DIGITS)
    # Loading k of column j at 1 + d + j·q + k, as its header says.
    for j in range(d):
        for k in range(q):
            assert header[1 + d + j * q + k].startswith(f"loading {k + 1} of ")
            assert values[0, 1 + d + j * q + k] == pytest.approx(
                params.loadings[j, k], rel=TWELVE_DIGITS
            )
    assert values[0, -2] == pytest.approx(params.noise_variance, rel=TWELVE_DIGITS)
    assert values[0, -1] == pytest.approx(trace.final.log_likelihood, rel=TWELVE_DIGITS)


def test_the_latent_csv_holds_each_point_and_its_expected_latent_coordinates():
    X, trace = ppca_run()
    header, values = assert_numbers_only(ppca_exports.latent_csv(X, trace, HOSTILE_NAMES[:4]))
    assert header[0] == "point"
    assert header[-1] == "latent coordinate 2"
    np.testing.assert_array_equal(values[:, 0], np.arange(1, X.shape[0] + 1))
    np.testing.assert_array_equal(values[:, 1:5], X)
    # E[z_n] = (WᵀW + σ²I)⁻¹ Wᵀ (x_n − μ) (Tipping and Bishop), computed here directly.
    params = trace.final.params
    W, s2 = params.loadings, params.noise_variance
    M = W.T @ W + s2 * np.eye(W.shape[1])
    expected = np.linalg.solve(M, W.T @ (X - params.mean).T).T
    np.testing.assert_allclose(values[:, 5:], expected, rtol=1e-10, atol=1e-12)


def test_the_ppca_animation_is_one_offline_html_file():
    from em_models.ppca.figures import projection_figure

    X, trace = ppca_run(n_features=2, n_latent=1, tol=1e-3)
    assert 2 * trace.n_iter + 2 < 60, "a run short enough for a frame at every half-step"
    page = exports.figure_html(projection_figure(X, trace, 0), "EM for probabilistic PCA: q = 1")
    assert "<title>EM for probabilistic PCA: q = 1</title>" in page
    assert not re.search(r"<script[^>]+src=", page), "every script is inside the file"
    assert "Plotly.addFrames" in page
    assert page.count('"meta":{"half_step":') == (2 * trace.n_iter + 2) + 1
