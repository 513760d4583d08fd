"""Factor analysis by EM (em_models.fa.engine) against references that do not share its code.

The references: SciPy's multivariate normal for ℓ; the E-step as Gaussian conditioning
(E[z | x] = Wᵀ C⁻¹ (x − μ), Cov[z | x] = I − Wᵀ C⁻¹ W, a different formula for the same
thing); the M-step's Ψ as the textbook diag(S − W Σ E[z](x − μ)ᵀ / N); probabilistic PCA's
closed form where the noise really is isotropic. scikit-learn and Harman's data are in
tests/test_fa_oracles.py.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from em_core.likelihood_change import flat_tolerance
from em_core.model import StopReason
from em_models.fa import engine as fa
from em_models.ppca import engine as ppca


def drawn(seed: int, n_samples: int = 200, n_features: int = 6, n_factors: int = 2):
    """Data drawn from the model itself, with a known W, μ and Ψ."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_features, n_factors))
    psi = rng.uniform(0.2, 1.0, size=n_features)
    z = rng.normal(size=(n_samples, n_factors))
    noise = rng.normal(size=(n_samples, n_features)) * np.sqrt(psi)
    return z @ W.T + noise + rng.normal(size=n_features)


def some_parameters(X, n_factors: int, seed: int) -> fa.FAParameters:
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    return fa.FAParameters(
        X.mean(axis=0), rng.normal(size=(d, n_factors)), rng.uniform(0.3, 2.0, size=d)
    )


# ---------------------------------------------------------------------------------------------
# The half-steps and ℓ


def test_log_likelihood_is_scipys_multivariate_normal():
    X = drawn(0)
    params = some_parameters(X, 2, 1)
    expected = multivariate_normal(params.mean, params.covariance()).logpdf(X).sum()
    assert fa.log_likelihood(X, params, standardise=False) == pytest.approx(expected, rel=1e-12)
    trace = fa.fit(
        X,
        2,
        standardise=False,
        loadings=params.loadings,
        noise_variances=params.noise_variances,
        max_iter=0,
    )
    assert trace.final.log_likelihood == pytest.approx(expected, rel=1e-12)


def test_the_e_step_is_gaussian_conditioning():
    X = drawn(2)
    params = some_parameters(X, 2, 3)
    C = params.covariance()
    gain = np.linalg.solve(C, params.loadings).T  # Wᵀ C⁻¹
    result = fa.e_step(X, params, standardise=False)
    np.testing.assert_allclose(result.latent_means, (X - params.mean) @ gain.T, rtol=1e-10)
    np.testing.assert_allclose(
        result.latent_covariance, np.eye(2) - gain @ params.loadings, rtol=1e-10, atol=1e-14
    )


def per_point_sums(X, params):
    """Σ_n (x_n − x̄) E[z_n]ᵀ and Σ_n E[z_n z_nᵀ], point by point."""
    result = fa.e_step(X, params, standardise=False)
    sum_xz = sum(
        np.outer(x, e) for x, e in zip(X - X.mean(axis=0), result.latent_means, strict=True)
    )
    sum_zz = sum(result.latent_covariance + np.outer(e, e) for e in result.latent_means)
    return sum_xz, sum_zz


def test_the_statistics_are_the_sums_over_the_points_for_a_mean_other_than_the_datas():
    X = drawn(3)
    params = some_parameters(X, 2, 4)
    params = fa.FAParameters(
        params.mean + np.array([0.5, -1, 2, 0, 1, -0.3]), params.loadings, params.noise_variances
    )
    model = fa.FactorAnalysis(2, standardise=False)
    stats, ll = model.e_step(model.prepare(X), params)
    sum_xz, sum_zz = per_point_sums(X, params)
    np.testing.assert_allclose(stats.sum_xz, sum_xz, rtol=1e-10)
    np.testing.assert_allclose(stats.sum_zz, sum_zz, rtol=1e-10)
    expected = multivariate_normal(params.mean, params.covariance()).logpdf(X).sum()
    assert ll == pytest.approx(expected, rel=1e-12)


def test_the_m_step_is_the_closed_form_of_rubin_and_thayer_without_the_points():
    X = drawn(4)
    params = some_parameters(X, 2, 5)
    model = fa.FactorAnalysis(2, standardise=False)
    data = model.prepare(X)
    stats, _ = model.e_step(data, params)
    no_points = dataclasses.replace(
        data, X=np.empty((0, X.shape[1])), centred=np.empty((0, X.shape[1]))
    )
    new, recorded = model.m_step(no_points, stats)  # the points are not needed
    assert recorded is None
    sum_xz, sum_zz = per_point_sums(X, params)
    W = sum_xz @ np.linalg.inv(sum_zz)
    S = np.cov(X.T, bias=True)
    textbook = np.diag(S - W @ sum_xz.T / X.shape[0])
    np.testing.assert_allclose(new.loadings, W, rtol=1e-10)
    np.testing.assert_allclose(new.noise_variances, textbook, rtol=1e-9)
    np.testing.assert_allclose(new.mean, X.mean(axis=0))


def test_the_statistics_do_not_grow_with_the_data():
    sizes = set()
    for n_samples in (30, 3000):
        X = drawn(n_samples, n_samples=n_samples)
        trace = fa.fit(X, 2, max_iter=2)
        stats, _ = trace.model.e_step(trace.model.prepare(X), trace.final.params)
        fields = (getattr(stats, f.name) for f in dataclasses.fields(stats))
        sizes.add(sum(np.size(v) for v in fields if isinstance(v, np.ndarray)))
    assert len(sizes) == 1, sizes


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(4, 60),
    n_features=st.integers(3, 7),
    standardise=st.booleans(),
    init=st.sampled_from(fa.START_METHODS),
    data=st.data(),
)
def test_log_likelihood_never_decreases(seed, n_samples, n_features, standardise, init, data):
    n_factors = data.draw(st.integers(1, fa.max_factors(n_features)), label="q")
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-1.5, 1.5, size=n_features)
    X = rng.normal(size=(n_samples, n_features)) @ rng.normal(size=(n_features, n_features))
    X *= scales
    trace = fa.fit(X, n_factors, standardise=standardise, init=init, rng=seed, tol=0.0, max_iter=30)
    lls = trace.log_likelihoods
    assert np.all(np.isfinite(lls))
    for before, after in itertools.pairwise(lls):
        assert after >= before - flat_tolerance(before, after, n_samples)
    # A run stops at its limit or on a Heywood case (small samples make them often).
    assert trace.stop_reason in (StopReason.MAX_ITER, StopReason.COLLAPSED)


def isotropic(seed: int, n_samples: int = 300, n_features: int = 5) -> np.ndarray:
    """Data whose covariance S (divisor N) is exactly w wᵀ + σ² I: noise that really is
    isotropic, to double precision."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n_samples, n_features))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / n_samples)).T  # sample covariance I
    w = rng.normal(scale=2.0, size=(n_features, 1))
    target = w @ w.T + 0.5 * np.eye(n_features)
    return Z @ np.linalg.cholesky(target).T + 10.0


def test_one_factor_on_isotropic_noise_gives_the_probabilistic_pca_answer():
    X = isotropic(6)
    S = np.cov(X.T, bias=True)
    trace = fa.fit(X, 1, standardise=False, tol=0, max_iter=400)
    params = trace.final.params
    best = ppca.closed_form(X, 1)
    np.testing.assert_allclose(params.covariance(), best.covariance(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(params.noise_variances, best.noise_variance, rtol=1e-6)
    np.testing.assert_allclose(params.covariance(), S, rtol=1e-8, atol=1e-10)
    assert trace.final.log_likelihood == pytest.approx(ppca.log_likelihood(X, best), rel=1e-12)


@pytest.mark.parametrize(
    ("scale", "offset"), [(1e-8, 0.0), (1e8, 0.0), (1.0, 1e8)], ids=["1e-8", "1e8", "offset"]
)
def test_units_change_nothing(scale, offset):
    X = drawn(7, n_samples=150, n_features=5)
    moved = X * scale + offset
    for standardise in (True, False):
        mine = fa.fit(X, 2, standardise=standardise, tol=0, max_iter=50)
        theirs = fa.fit(moved, 2, standardise=standardise, tol=0, max_iter=50)
        assert theirs.n_iter == mine.n_iter
        a, b = mine.final.params, theirs.final.params
        units = 1.0 if standardise else scale
        np.testing.assert_allclose(b.loadings, a.loadings * units, rtol=1e-6, atol=1e-7 * units)
        np.testing.assert_allclose(b.noise_variances, a.noise_variances * units**2, rtol=1e-6)
        np.testing.assert_allclose(fa.communalities(b), fa.communalities(a), rtol=1e-6)
        shift = -X.size * np.log(units)  # ℓ of a density in other units
        assert theirs.final.log_likelihood == pytest.approx(
            mine.final.log_likelihood + shift, rel=1e-9
        )


# ---------------------------------------------------------------------------------------------
# Starts, options and degenerate states


def test_the_starts_random_seeded_pca_and_given():
    X = drawn(8)
    a = fa.fit(X, 2, init="random", rng=5, max_iter=0)
    b = fa.fit(X, 2, init="random", rng=5, max_iter=0)
    c = fa.fit(X, 2, init="random", rng=6, max_iter=0)
    np.testing.assert_array_equal(a.final.params.loadings, b.final.params.loadings)
    assert not np.array_equal(a.final.params.loadings, c.final.params.loadings)
    assert (a.start.method, a.start.seed) == ("random", 5)
    pca = fa.fit(X, 2, init="pca", max_iter=0)
    assert (pca.start.method, pca.start.seed) == ("pca", None)
    best = ppca.closed_form((X - X.mean(axis=0)) / X.std(axis=0), 2)
    np.testing.assert_allclose(
        pca.final.params.loadings @ pca.final.params.loadings.T,
        best.loadings @ best.loadings.T,
        atol=1e-10,
    )
    np.testing.assert_allclose(pca.final.params.noise_variances, 1.0)  # standardised: S_ii
    W, psi = np.column_stack([np.ones(6), np.arange(6.0) - 2.5]), np.full(6, 0.5)
    given_start = fa.fit(X, 2, loadings=W, noise_variances=psi, max_iter=0)
    assert given_start.start.method == "given"
    np.testing.assert_array_equal(given_start.final.params.loadings, W)
    np.testing.assert_array_equal(given_start.final.params.noise_variances, psi)
    assert len(fa.fit(X, 2, max_iter=0).snapshots) == 1


def test_q_too_large_for_d_is_refused_with_the_count():
    X = drawn(9, n_features=5, n_factors=2)
    assert fa.max_factors(5) == 2
    with pytest.raises(
        ValueError,
        match=r"q = 3 factors for 5 variables have 17 parameters \(15 loadings \+ 5 noise "
        r"variances − 3 for the rotation of W\), more than the 15 variances and covariances "
        r"the data have: choose q ≤ 2\.",
    ):
        fa.fit(X, 3)
    with pytest.raises(ValueError, match="at least three columns"):
        fa.fit(X[:, :2], 1)
    with pytest.raises(ValueError, match="number of factors"):
        fa.fit(X, 0)
    assert [fa.max_factors(d) for d in range(2, 11)] == [0, 1, 1, 2, 3, 3, 4, 5, 6]


def test_bad_data_and_starts_are_refused_in_words():
    X = drawn(10, n_features=4)
    X[:, 2] = 7.0
    with pytest.raises(ValueError, match="The column “c” has the same value in every row"):
        fa.fit(X, 1, columns=["a", "b", "c", "d"])
    X = drawn(10, n_features=4)
    with pytest.raises(ValueError, match=r"starting W must have shape .* \(4, 1\)"):
        fa.fit(X, 1, loadings=np.ones((4, 2)))
    with pytest.raises(ValueError, match="starting noise variance of “b” is 0"):
        fa.fit(X, 1, loadings=np.ones((4, 1)), noise_variances=[1, 0, 1, 1], columns="abcd")
    with pytest.raises(ValueError, match="linearly dependent"):
        fa.fit(X, 1, loadings=np.zeros((4, 1)))
    with pytest.raises(ValueError, match="must be one of pca, random"):
        fa.fit(X, 1, init="kmeans")


def test_a_heywood_case_stops_the_run_naming_the_variable():
    # "b" is "a" doubled: one factor explains both entirely, so their ψ head for 0.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    X[:, 1] = 2 * X[:, 0] + 1
    trace = fa.fit(X, 1, tol=0, max_iter=5000, columns=["a", "b", "c", "d"])
    assert trace.stop_reason is StopReason.COLLAPSED
    assert trace.failed
    assert trace.failure.part in (0, 1)
    name = "ab"[trace.failure.part]
    assert trace.message.startswith(
        f"Heywood case in the M-step of iteration {trace.n_iter + 1}: the noise variance of "
        f"“{name}” fell to "
    )
    assert "below the limit of 1e-06" in trace.message
    # The trace keeps every valid iteration: the last one is still above the limit (the
    # data are standardised: each variance is 1), and nothing held ψ up before it.
    psi = trace.final.params.noise_variances
    assert fa.HEYWOOD_FRACTION <= psi.min() < 1e-3
    unnamed = fa.fit(X, 1, tol=0, max_iter=5000)
    assert f"“column {trace.failure.part + 1}”" in unnamed.message
