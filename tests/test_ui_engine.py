"""em_ui.engine: the pages' engine calls key each fit by its data and settings themselves.

A fit comes from the store of finished fits only for the same numbers and settings; other
numbers of the same shape get their own fit, the same numbers the stored one. The data are
hashed once per script run, however many calls and keys of the page use them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import em_models.ppca.engine
import em_ui.engine
from em_models.mixture.fits import fit_restarts, fit_trace, select_n_components
from em_models.ppca.fits import fit_ppca
from em_ui.engine import data_key, finished_fits

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def two_clusters(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(6, 1, (30, 2))])


# Each engine call with small settings, and the em_core call it stands for.
CALLS = {
    "fit_trace": (
        lambda X: fit_trace(X, 2, seed=3),
        lambda X: em_models.mixture.engine.fit(X, 2, rng=3),
    ),
    "fit_restarts": (
        lambda X: fit_restarts(X, 2, n_init=2, seed=3),
        lambda X: em_models.mixture.selection.fit_restarts(X, 2, n_init=2, seed=3),
    ),
    "fit_ppca": (
        lambda X: fit_ppca(X, 1, seed=3),
        lambda X: em_models.ppca.engine.fit(X, 1, rng=3),
    ),
    "select_n_components": (
        lambda X: select_n_components(X, (1, 2), n_init=1, seed=3),
        lambda X: em_models.mixture.selection.select_n_components(X, (1, 2), n_init=1, seed=3),
    ),
}


def final_log_likelihoods(result) -> list[float]:
    """Every final ℓ of a trace, restarts or sweep, to compare results."""
    if isinstance(result, em_models.mixture.selection.Restarts):
        return [t.final.log_likelihood for t in result.traces]
    if isinstance(result, tuple):
        return [row.best.final.log_likelihood for row in result]
    return [result.final.log_likelihood]


@pytest.mark.parametrize("name", CALLS)
def test_other_data_of_the_same_shape_get_their_own_fit_the_same_data_the_stored_one(name):
    call, reference = CALLS[name]
    finished_fits.clear()
    first, other = two_clusters(1), two_clusters(2)
    assert first.shape == other.shape
    fit_first = call(first)
    fit_other = call(other)
    assert fit_other is not fit_first
    assert final_log_likelihoods(fit_first) == final_log_likelihoods(reference(first))
    assert final_log_likelihoods(fit_other) == final_log_likelihoods(reference(other))
    assert final_log_likelihoods(fit_other) != final_log_likelihoods(fit_first)
    assert len(finished_fits()) == 2
    # The same array, or a copy of its numbers, gets the stored fit back.
    assert call(first) is fit_first
    assert call(first.copy()) is fit_first
    assert call(other) is fit_other
    assert len(finished_fits()) == 2


def test_a_writable_array_changed_in_place_is_fitted_anew():
    finished_fits.clear()
    X = two_clusters(4)
    before = fit_trace(X, 2)
    X[0, 0] += 5.0
    after = fit_trace(X, 2)
    assert after is not before
    reference = em_models.mixture.engine.fit(X, 2, rng=0)
    assert after.final.log_likelihood == reference.final.log_likelihood
    np.testing.assert_array_equal(after.final.params.means, reference.final.params.means)


def test_other_settings_get_their_own_fit():
    finished_fits.clear()
    X = two_clusters(5)
    assert fit_trace(X, 2, seed=1) is not fit_trace(X, 2, seed=2)
    assert fit_trace(X, 2, tol=1e-2) is not fit_trace(X, 2, tol=1e-4)
    assert fit_trace(X, 2) is not fit_trace(X, 3)
    assert fit_trace(X, 2, seed=1) is fit_trace(X, 2, seed=1)


@pytest.fixture
def hashed(monkeypatch) -> list[tuple[int, ...]]:
    """The shape of every array em_ui.engine hashes from now on."""
    shapes: list[tuple[int, ...]] = []
    real = em_ui.engine.fingerprint

    def counted(X):
        shapes.append(np.shape(X))
        return real(X)

    monkeypatch.setattr(em_ui.engine, "fingerprint", counted)
    return shapes


def test_a_read_only_array_is_hashed_once_a_writable_one_at_every_call(hashed):
    X = two_clusters(6)
    key = em_ui.engine.fingerprint(X)
    hashed.clear()
    assert [data_key(X) for _ in range(3)] == [key] * 3
    assert len(hashed) == 3  # writable: it could have changed between two calls
    hashed.clear()
    X.flags.writeable = False
    assert [data_key(X) for _ in range(3)] == [key] * 3
    fit_trace(X, 2)
    fit_restarts(X, 2, n_init=2)
    assert hashed == [X.shape]
    # Another array with the same numbers is hashed (once) and gets the same key.
    copy = X.copy()
    copy.flags.writeable = False
    assert data_key(copy) == data_key(copy) == key
    assert hashed == [X.shape, X.shape]
    # A reshaped view is another array, with its own key.
    view = X.reshape(-1)
    assert data_key(view) != key


def test_the_fingerprint_is_the_numbers_and_shape_whatever_the_layout():
    X = two_clusters(7)
    assert em_ui.engine.fingerprint(X) == em_ui.engine.fingerprint(np.asfortranarray(X))
    assert em_ui.engine.fingerprint(X) == em_ui.engine.fingerprint(X.tolist())
    assert em_ui.engine.fingerprint(X) != em_ui.engine.fingerprint(X.reshape(30, 4))
    changed = X.copy()
    changed[-1, -1] = np.nextafter(changed[-1, -1], np.inf)
    assert em_ui.engine.fingerprint(X) != em_ui.engine.fingerprint(changed)


# Each page, and a change that reruns it on new settings (the restart pages' identity of a
# set of restarts uses the data's key besides the fit call).
PAGE_RUNS = {
    "em_models/mixture/lessons/worked_example.py": None,
    "em_models/mixture/lessons/collapse.py": None,
    "em_models/mixture/lessons/your_data.py": ("number_input", "data.n_init", 3),
    "em_models/mixture/lessons/kmeans_start.py": ("number_input", "kstart.k_seed", 1),
    "em_models/mixture/lessons/restarts.py": ("number_input", "restarts.seed", 1),
    "em_models/mixture/lessons/choose_k.py": None,
    "em_models/ppca/page.py": None,
}


@pytest.mark.parametrize("page", PAGE_RUNS)
def test_a_page_run_hashes_its_data_once(page, hashed):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    data_hashes = [shape for shape in hashed if len(shape) == 2]  # not a typed start's
    assert len(data_hashes) == 1, hashed
    change = PAGE_RUNS[page]
    if change is not None:
        kind, key, value = change
        hashed.clear()
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, at.exception
        assert len([shape for shape in hashed if len(shape) == 2]) == 1, hashed
