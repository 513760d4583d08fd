"""The trace file both ways (em_core.trace_json): what the command line prints and the app
exports opens again and recomputes to the same run; anything else is refused with a message
that names the problem, never another exception."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import WORKED_X, blobs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import em_core
import em_models.mixture.engine
import em_models.mixture.gaussian
import em_models.mixture.search
from em_core.trace_json import MAX_TRACE_BYTES, TraceFileError, dumps, read_trace
from em_models import registry
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters
from em_models.mixture.search import split_starts
from em_models.mixture.trace import replay, trace_to_json
from em_models.ppca import engine as ppca_engine

REPO = Path(__file__).resolve().parents[1]


def columns_for(X: np.ndarray) -> tuple[str, ...]:
    return tuple(f"c{j}" for j in range(X.shape[1]))


def file_of(trace, X, columns=None) -> bytes:
    return dumps(trace_to_json(trace, X, columns or columns_for(X))).encode("utf-8")


def assert_same_run(a, b, atol: float = 1e-12) -> None:
    assert a.n_iter == b.n_iter
    assert a.stop_reason is b.stop_reason
    assert a.message == b.message
    assert a.tol == b.tol
    assert a.max_iter == b.max_iter
    np.testing.assert_allclose(a.model.ridge_diagonal, b.model.ridge_diagonal, rtol=1e-12)
    for s, r in zip(a.snapshots, b.snapshots, strict=True):
        for name in ("weights", "means", "covariances"):
            mine, theirs = getattr(s.params, name), getattr(r.params, name)
            np.testing.assert_allclose(mine, theirs, rtol=atol, atol=atol)
        assert s.log_likelihood == pytest.approx(r.log_likelihood, rel=atol, abs=atol)
        if s.stats is None:
            assert r.stats is None
        else:
            np.testing.assert_allclose(s.stats, r.stats, rtol=atol, atol=atol)


def valid_document() -> dict:
    X = blobs(0, n_features=2, n_per_blob=20)
    return trace_to_json(em_models.mixture.engine.fit(X, 3, rng=0), X, ("a", "b"))


def refused(document_or_bytes, *fragments: str) -> str:
    raw = (
        document_or_bytes
        if isinstance(document_or_bytes, bytes)
        else json.dumps(document_or_bytes).encode()
    )
    with pytest.raises(TraceFileError) as caught:
        replay(read_trace(raw))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("ridge", [{}, {"ridge": 1e-3}, {"reg_covar": 0.05}, {"ridge": 0.0}])
def test_an_exported_run_recomputes_to_the_same_trace(kind, ridge):
    X = blobs(1, n_features=2, n_per_blob=30)
    trace = em_models.mixture.engine.fit(
        X, 3, covariance_type=kind, init="random_from_data", rng=4, **ridge
    )
    run = read_trace(file_of(trace, X))
    np.testing.assert_array_equal(run.X, X)
    assert run.start.method == "random_from_data"
    assert run.start.seed == 4
    assert_same_run(replay(run), trace)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
@pytest.mark.parametrize("ridge", [{}, {"reg_covar": 0.05}])
def test_a_trace_without_data_is_read_with_its_run_but_not_recomputed(kind, ridge):
    X = blobs(1, n_features=2, n_per_blob=30)
    trace = em_models.mixture.engine.fit(X, 3, covariance_type=kind, rng=4, **ridge)
    document = trace_to_json(trace, X, ("a", "b"), with_data=False)
    assert "data" not in document
    assert {**document, "data": X.tolist()} == trace_to_json(trace, X, ("a", "b"))
    run = read_trace(dumps(document).encode())
    assert run.X is None
    assert (run.n_samples, run.columns, run.n_iter) == (90, ("a", "b"), trace.n_iter)
    assert run.model.covariance_type == kind
    assert run.model.ridge == trace.model.ridge
    np.testing.assert_array_equal(run.model.ridge_diagonal, trace.model.ridge_diagonal)
    for mine, theirs in zip(run.recorded, trace.snapshots, strict=True):
        for name in ("weights", "means", "covariances"):
            np.testing.assert_allclose(
                getattr(mine.params, name), getattr(theirs.params, name), rtol=1e-15
            )
    with pytest.raises(TraceFileError, match="has no data") as caught:
        run.require_data()
    assert "--with-data" in str(caught.value)
    assert "100,000 numbers" in str(caught.value)


def test_the_worked_example_from_a_given_start_and_a_k_means_start_round_trip():
    start = Parameters([0.5, 0.5], [[2.0], [9.0]], [[[1.0]], [[1.0]]], "full")
    given = em_models.mixture.engine.fit(WORKED_X, 2, init="given", params=start, reg_covar=0.0)
    assert_same_run(replay(read_trace(file_of(given, WORKED_X[:, None]))), given)
    kmeans = em_models.mixture.engine.fit(WORKED_X, 2, rng=3, max_iter=0)
    assert_same_run(replay(read_trace(file_of(kmeans, WORKED_X[:, None]))), kmeans)


def split_run(X: np.ndarray):
    """A run from a split start, as the search behind Choosing K makes them."""
    smaller = em_models.mixture.engine.fit(X, 2, rng=0)
    model = em_models.mixture.engine.GaussianMixture.for_data(X)
    start = split_starts(X, smaller, model.ridge_diagonal)[0]
    return em_core.run_em(X, model, start, tol=1e-4)


def test_a_run_from_a_split_start_round_trips():
    X = blobs(3, n_features=2, n_per_blob=30)
    trace = split_run(X)
    assert trace.start.method == "split"
    run = read_trace(file_of(trace, X))
    assert run.start.method == "split"
    assert_same_run(replay(run), trace)


def test_a_failed_run_round_trips_with_its_failure():
    # With no ridge, a component narrows onto the point 8 of the worked example and collapses.
    X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
    start = Parameters([0.4, 0.2, 0.4], [[2.0], [8.0], [9.25]], [1.0, 1e-4, 1.0], "spherical")
    trace = em_models.mixture.engine.fit(
        X, 3, covariance_type="spherical", init="given", params=start, reg_covar=0
    )
    assert trace.failed, trace.message
    document = trace_to_json(trace, X, ["x"])
    assert document["failed_component"] is not None
    again = replay(read_trace(dumps(document).encode()))
    assert_same_run(again, trace)
    assert em_models.mixture.engine.failed_component(
        again
    ) == em_models.mixture.engine.failed_component(trace)


def test_the_command_line_trace_opens_and_recomputes(tmp_path):
    X = blobs(2, n_features=2, n_per_blob=25)
    path = tmp_path / "data.csv"
    np.savetxt(path, X, delimiter=",", header="height,weight", comments="")
    result = subprocess.run(
        [sys.executable, "-m", "em_core", "fit", str(path), "-k", "3", "--seed", "5"],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    )
    run = read_trace(result.stdout)
    assert run.columns == ("height", "weight")
    ours = em_models.mixture.engine.fit(X, 3, rng=5)
    assert_same_run(replay(run), ours)


def test_a_probabilistic_pca_trace_from_the_command_line_is_read_and_replayed(tmp_path):
    X = blobs(2, n_features=2, n_per_blob=25)
    path = tmp_path / "data.csv"
    np.savetxt(path, X, delimiter=",")
    result = subprocess.run(
        [sys.executable, "-m", "em_core", "fit", str(path), "--model", "ppca", "-q", "1"],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    )
    run = read_trace(result.stdout)
    assert run.model_name == "ppca"
    np.testing.assert_array_equal(run.X, X)
    replayed = registry.part("ppca", "prepared").replay(run)
    ours = ppca_engine.fit(X, 1, rng=0)
    assert replayed.n_iter == ours.n_iter
    for a, b in zip(replayed.snapshots, ours.snapshots, strict=True):
        np.testing.assert_allclose(a.params.loadings, b.params.loadings, rtol=1e-12)
        assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-12)


def test_a_utf16_file_with_a_byte_order_mark_opens():
    # What some shells write for `python -m em_core fit … > run.json`.
    X = blobs(0, n_features=1, n_per_blob=15)
    trace = em_models.mixture.engine.fit(X, 2, rng=1)
    text = dumps(trace_to_json(trace, X, ["µm"]))
    assert_same_run(replay(read_trace(b"\xff\xfe" + text.encode("utf-16-le"))), trace)
    assert_same_run(replay(read_trace(b"\xef\xbb\xbf" + text.encode("utf-8"))), trace)


# ---------------------------------------------------------------------------------------------
# Refusals


def without(document: dict, key: str) -> dict:
    return {k: v for k, v in document.items() if k != key}


def with_iteration(document: dict, t: int, **changes) -> dict:
    iterations = [dict(entry) for entry in document["iterations"]]
    iterations[t].update(changes)
    return {**document, "iterations": iterations}


def test_files_that_are_not_json_are_refused_by_name():
    refused(b"", "empty")
    refused(b"   \n", "empty")
    refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")
    refused(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary")
    refused(b"\x1f\x8b\x08\x08\xd2\x9c", "not UTF-8", "byte 2 (0x8b)")
    refused(b'{"a": "caf\xe9"}', "not UTF-8", "byte 11")
    refused(b"x,y\n1,2\n3,4\n", "does not start with '{'", "Your own data")
    refused(b"[1, 2, 3]", "does not start with '{'")
    refused(b'{"n_samples": 3,', "not valid JSON", "line 1")
    refused(b'{"n_samples": NaN}', "NaN", "finite")
    refused(b'{"n_samples": -Infinity}', "-Infinity")
    refused(b'{"n_samples": ' + b"9" * 5000 + b"}", "not a trace")


def test_nesting_and_size_beyond_any_trace_are_refused_before_parsing():
    refused(b"{" + b'"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests", "100001 deep")
    started = time.perf_counter()
    refused(b'{"a": [' + b"[]," * 1_200_000 + b"[]]}", "JSON arrays and objects")
    assert time.perf_counter() - started < 5
    refused(b"{" + b" " * MAX_TRACE_BYTES + b"}", "16 MB")
    # Brackets inside text do not count as nesting.
    document = valid_document()
    document["columns"] = ["[[[[[[[[a", "{{{{{{{{b"]
    run = read_trace(json.dumps(document).encode())
    assert run.columns == ("[[[[[[[[a", "{{{{{{{{b")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"' + b'\\"' * 15_000,  # escaped quotes in a string that never ends
        b"{" + b'"\\' * 15_000,  # quotes and backslashes
        b'{"a": "' + b"\\\n" * 500_000,
        b'{"a": [' + b'"",' * 300_000 + b"]",
    ],
)
def test_the_structure_check_reads_any_text_once(raw):
    # A pattern that rescanned the text from every quote took over 5 s on each of the first two.
    started = time.perf_counter()
    with pytest.raises(TraceFileError):
        read_trace(raw)
    assert time.perf_counter() - started < 2


def test_wrong_schema_is_refused_naming_the_field():
    document = valid_document()
    refused(without(document, "iterations"), "lacks", "iterations")
    refused(without(document, "data"), "has no data", "--with-data")
    refused({**document, "comment": "hi", "=cmd()": 1}, "fields a trace does not have", "comment")
    refused({**document, "n_samples": "60"}, "n_samples must be a whole number", "text")
    refused({**document, "n_samples": True}, "n_samples must be a whole number")
    refused({**document, "n_samples": 10**12}, "n_samples", "1,000,000")
    refused({**document, "n_features": 3}, "columns must be a list of 3")
    refused({**document, "n_components": 0}, "n_components must be ≥ 1")
    refused({**document, "covariance_type": "round"}, "covariance_type must be one of")
    refused({**document, "status": "done"}, "status must be one of")
    refused({**document, "converged": not document["converged"]}, "converged must be true")
    refused({**document, "tol": -1}, "tol must be ≥ 0")
    refused({**document, "max_iter": document["n_iter"] - 1}, "max_iter must be ≥")
    refused({**document, "iterations": document["iterations"][:-1]}, "n_iter + 1")
    refused({**document, "init": {"method": "magic", "seed": 0}}, "init.method")
    refused({**document, "columns": ["a", 5]}, "columns[1] must be text")
    refused({**document, "columns": ["a", "b" * 5000]}, "columns[1] has 5,000 characters")
    refused({**document, "message": ["no"]}, "message must be text")


def test_inconsistent_shapes_and_numbers_are_refused_naming_the_iteration():
    document = valid_document()
    means = document["iterations"][1]["means"]
    refused(with_iteration(document, 1, means=means[:2]), "iterations[1].means has shape 2 × 2")
    ragged = [means[0], means[1][:1], means[2]]
    refused(with_iteration(document, 1, means=ragged), "iterations[1].means", "rows differ")
    refused(with_iteration(document, 1, means=[[1, "2"]] * 3), "iterations[1].means", "numbers")
    refused(with_iteration(document, 1, weights=[0.5, 0.5, 0.5]), "weights must be ≥ 0 and add")
    refused(with_iteration(document, 1, log_likelihood=None), "log_likelihood must be a number")
    refused(with_iteration(document, 2, iteration=7), "iterations[2].iteration must be 2")
    refused(with_iteration(document, 0, extra=1), "iterations[0] has fields")
    asymmetric = np.array(document["iterations"][1]["covariances"])
    asymmetric[0, 0, 1] += 0.5
    refused(
        with_iteration(document, 1, covariances=asymmetric.tolist()),
        "iterations[1].covariances must be symmetric",
    )
    refused({**document, "data": document["data"][:-1]}, "data must be a list of n_samples")
    refused({**document, "data": [[1e308, 1e308]] * 60}, "data")
    big = json.dumps(document).replace(str(document["data"][0][0]), "1e999", 1)
    refused(big.encode(), "too large for double precision")
    refused({**document, "reg_covar": [1e-3, 2e-3], "ridge": None}, "reg_covar differs")


def test_a_changed_number_or_other_data_are_refused_by_the_recomputation():
    document = valid_document()
    means = np.array(document["iterations"][2]["means"])
    means[1, 0] += 1e-3
    refused(
        with_iteration(document, 2, means=means.tolist()),
        "iterations[2].means is not what EM computes",
    )
    refused(with_iteration(document, 1, log_likelihood=-1.0), "iterations[1].log_likelihood")
    shifted = {**document, "data": (np.array(document["data"]) * 1.001).tolist()}
    refused(shifted, "not those the run was fitted to")
    truncated = {
        **document,
        "iterations": document["iterations"][:-1],
        "n_iter": document["n_iter"] - 1,
    }
    refused(truncated, "goes on past iteration")
    singular = np.array(document["iterations"][0]["covariances"]) * 0.0
    refused(with_iteration(document, 0, covariances=singular.tolist()), "The start", "cannot")


# ---------------------------------------------------------------------------------------------
# Junk, generated


def _only_trace_errors(raw: bytes) -> None:
    """Junk is refused with a message; anything else (an exception of another type) fails."""
    try:
        replay(read_trace(raw))
    except TraceFileError as error:
        message = str(error)
    else:
        return  # junk that happens to be a valid trace
    assert message.strip()


JSON_ALPHABET = st.sampled_from([*list('{}[]":,0123456789.-+eE tnurfalsN\\\x00\n'), "NaN", "1e999"])
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_get_a_message(raw):
    _only_trace_errors(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(JSON_ALPHABET, max_size=200).map("".join))
def test_json_like_text_gets_a_message(text):
    _only_trace_errors(text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_gets_a_message(value):
    _only_trace_errors(json.dumps(value).encode())


VALID = valid_document()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(VALID)),
    json_values,
    st.integers(min_value=0, max_value=len(VALID["iterations"]) - 1),
    st.sampled_from(["weights", "means", "covariances", "log_likelihood", "nk", "iteration"]),
    st.booleans(),
)
def test_a_trace_with_any_field_replaced_by_junk_gets_a_message(key, junk, t, field, inner):
    document = with_iteration(VALID, t, **{field: junk}) if inner else {**VALID, key: junk}
    _only_trace_errors(json.dumps(document).encode())
