"""Probabilistic PCA by EM (em_models.ppca.engine) against references that do not share its code.

The references: the closed-form maximum-likelihood solution written out from Tipping and
Bishop's eigen-decomposition; scikit-learn's PCA (divisor N − 1); SciPy's multivariate normal;
the E-step as Gaussian conditioning (E[z | x] = Wᵀ C⁻¹ (x − μ), Cov[z | x] = I − Wᵀ C⁻¹ W, a
different formula for the same thing); the M-step written point by point (Bishop eq. 12.56,
12.57).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.decomposition import PCA

from em_core.likelihood_change import flat_tolerance
from em_core.model import StopReason
from em_data import load_dataset
from em_data.synthetic import elongated_cloud
from em_models.ppca import engine as ppca


def elongated(seed: int, n_samples: int = 200, n_features: int = 2, n_latent: int = 1):
    """Data drawn from the model itself: x = W z + μ + ε with a known W, μ and σ = 0.5."""
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=3.0, size=(n_features, n_latent))
    z = rng.normal(size=(n_samples, n_latent))
    return (
        z @ W.T + rng.normal(size=n_features) + rng.normal(scale=0.5, size=(n_samples, n_features))
    )


CASES = [
    pytest.param(lambda: load_dataset("faithful").values, 1, id="faithful-q1"),
    pytest.param(lambda: load_dataset("iris").values, 1, id="iris-q1"),
    pytest.param(lambda: load_dataset("iris").values, 2, id="iris-q2"),
    pytest.param(lambda: elongated(1), 1, id="synthetic-2d-q1"),
    pytest.param(lambda: elongated(2, n_features=5, n_latent=2), 2, id="synthetic-5d-q2"),
]


def em_iterations(X, params, n_iter):
    """θ_0 … θ_n_iter by alternating the two public half-steps, with each one's ℓ."""
    thetas, lls = [params], [ppca.log_likelihood(X, params)]
    for _ in range(n_iter):
        thetas.append(ppca.m_step(X, ppca.e_step(X, thetas[-1]), params.mean))
        lls.append(ppca.log_likelihood(X, thetas[-1]))
    return thetas, np.array(lls)


def reference_ml(X, q):
    """C and ℓ at the maximum, from numpy's eigen-decomposition of S (divisor N)."""
    n, d = X.shape
    centred = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / n)
    values, vectors = values[::-1], vectors[:, ::-1]
    noise = values[q:].mean()
    U = vectors[:, :q]
    C = U @ np.diag(values[:q] - noise) @ U.T + noise * np.eye(d)
    # ℓ at the maximum (Tipping and Bishop eq. 4 with C from eq. 7–8): tr(C⁻¹S) = d.
    ll = -0.5 * n * (d * np.log(2 * np.pi) + np.log(values[:q]).sum() + (d - q) * np.log(noise) + d)
    return C, noise, ll


def random_params(rng, d, q):
    return ppca.PPCAParameters(rng.normal(size=d), rng.normal(size=(d, q)), rng.uniform(0.1, 2))


# ---------------------------------------------------------------------------------------------
# The closed form and scikit-learn


@pytest.mark.parametrize(("data", "q"), CASES)
def test_closed_form_is_tipping_and_bishops_solution(data, q):
    X = data()
    C, noise, ll = reference_ml(X, q)
    params = ppca.closed_form(X, q)
    np.testing.assert_allclose(params.covariance(), C, rtol=1e-10, atol=1e-12 * np.abs(C).max())
    assert params.noise_variance == pytest.approx(noise, rel=1e-10)
    assert ppca.log_likelihood(X, params) == pytest.approx(ll, rel=1e-12)
    np.testing.assert_allclose(params.mean, X.mean(axis=0))


@pytest.mark.parametrize(("data", "q"), CASES)
def test_scikit_learns_pca_divides_by_n_minus_one(data, q):
    X = data()
    n = X.shape[0]
    params = ppca.closed_form(X, q)
    reference = PCA(n_components=q).fit(X)
    scale = np.abs(params.covariance()).max()
    np.testing.assert_allclose(
        reference.get_covariance(), params.covariance() * n / (n - 1), rtol=1e-9, atol=1e-12 * scale
    )
    assert reference.noise_variance_ == pytest.approx(params.noise_variance * n / (n - 1), rel=1e-9)
    # The divisor matters at this precision: without n/(n − 1) they differ.
    assert reference.noise_variance_ != pytest.approx(params.noise_variance, rel=1e-4)


# ---------------------------------------------------------------------------------------------
# EM reaches the closed form


@pytest.mark.parametrize(("data", "q"), CASES)
def test_em_converges_to_the_maximum_likelihood_solution(data, q):
    X = data()
    C, _, ll = reference_ml(X, q)
    # ℓ is flat to rounding near the top long before W has settled, so run a fixed, long
    # number of iterations (tol = 0) rather than stop on ℓ. Old Faithful, whose noise is
    # a thousandth of its spread, is the slowest: W's length creeps (about 9000 iterations).
    trace = ppca.fit(X, q, rng=3, tol=0.0, max_iter=10_000)
    final = trace.final.params
    np.testing.assert_allclose(final.covariance(), C, rtol=1e-6, atol=1e-6 * np.abs(C).max())
    assert trace.final.log_likelihood == pytest.approx(ll, rel=1e-8)
    assert trace.stop_reason is StopReason.MAX_ITER


@pytest.mark.parametrize(("data", "q"), CASES)
def test_the_closed_form_is_a_fixed_point_of_em(data, q):
    X = data()
    best = ppca.closed_form(X, q)
    after = ppca.m_step(X, ppca.e_step(X, best), best.mean)
    scale = np.abs(best.covariance()).max()
    np.testing.assert_allclose(after.covariance(), best.covariance(), rtol=0, atol=1e-10 * scale)


# ---------------------------------------------------------------------------------------------
# The half-steps against other formulas


@pytest.mark.parametrize(("d", "q"), [(2, 1), (4, 2), (6, 3)])
def test_log_density_is_scipys(d, q):
    rng = np.random.default_rng(d)
    params = random_params(rng, d, q)
    X = rng.normal(scale=2.0, size=(50, d))
    expected = multivariate_normal(params.mean, params.covariance()).logpdf(X)
    np.testing.assert_allclose(ppca.log_density(X, params), expected, rtol=1e-12)
    assert ppca.log_likelihood(X, params) == pytest.approx(expected.sum(), rel=1e-12)


@pytest.mark.parametrize(("d", "q"), [(2, 1), (4, 2), (6, 3)])
def test_e_step_is_the_conditional_distribution_of_z_given_x(d, q):
    rng = np.random.default_rng(10 + d)
    params = random_params(rng, d, q)
    X = rng.normal(size=(30, d))
    W, C = params.loadings, params.covariance()
    # The joint of (z, x) is Gaussian with Cov(z, x) = Wᵀ: condition on x.
    gain = np.linalg.solve(C, W).T  # Wᵀ C⁻¹
    expected_means = (X - params.mean) @ gain.T
    expected_cov = np.eye(q) - gain @ W
    result = ppca.e_step(X, params)
    np.testing.assert_allclose(result.latent_means, expected_means, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.latent_covariance, expected_cov, rtol=1e-10, atol=1e-12)
    second = [expected_cov + np.outer(z, z) for z in expected_means]
    np.testing.assert_allclose(result.latent_second_moment(7), second[7], rtol=1e-10)
    np.testing.assert_allclose(result.sum_zz, np.sum(second, axis=0), rtol=1e-10)


@pytest.mark.parametrize(("d", "q"), [(2, 1), (4, 2), (6, 3)])
def test_m_step_is_bishops_equations_point_by_point(d, q):
    rng = np.random.default_rng(20 + d)
    X = rng.normal(size=(40, d)) @ rng.normal(size=(d, d))
    mean = X.mean(axis=0)
    params = ppca.PPCAParameters(mean, rng.normal(size=(d, q)), 0.7)
    result = ppca.e_step(X, params)
    n = X.shape[0]
    zz = [result.latent_second_moment(i) for i in range(n)]
    xz = sum(np.outer(X[i] - mean, result.latent_means[i]) for i in range(n))
    W = xz @ np.linalg.inv(sum(zz))  # eq. 12.56
    noise = sum(  # eq. 12.57
        (X[i] - mean) @ (X[i] - mean)
        - 2 * result.latent_means[i] @ W.T @ (X[i] - mean)
        + np.trace(zz[i] @ W.T @ W)
        for i in range(n)
    ) / (n * d)
    new = ppca.m_step(X, result, mean)
    np.testing.assert_allclose(new.loadings, W, rtol=1e-9)
    assert new.noise_variance == pytest.approx(noise, rel=1e-9)
    np.testing.assert_array_equal(new.mean, mean)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(5, 80),
    n_features=st.integers(2, 6),
    data=st.data(),
)
def test_log_likelihood_never_decreases(seed, n_samples, n_features, data):
    n_latent = data.draw(st.integers(1, min(n_features - 1, n_samples - 2)), label="q")
    rng = np.random.default_rng(seed)
    # Anisotropic data: variances up to 10⁶ apart. (Far beyond that, ℓ itself is computed
    # only to about 10⁻¹⁶ λ_max/σ² relative: a flat ℓ can then wobble by more than rounding.)
    scales = 10.0 ** rng.uniform(-1.5, 1.5, size=n_features)
    X = (
        rng.normal(size=(n_samples, n_features))
        * scales
        @ np.linalg.qr(rng.normal(size=(n_features, n_features)))[0]
    )
    try:
        ppca.check_noise(X, n_latent)
    except ValueError:
        reject()  # σ² would be 0 to double precision: no maximum to climb to
    trace = ppca.fit(X, n_latent, rng=seed, tol=0.0, max_iter=30)
    lls = trace.log_likelihoods
    assert np.all(np.isfinite(lls))
    for before, after in itertools.pairwise(lls):
        assert after >= before - flat_tolerance(before, after, n_samples)


# ---------------------------------------------------------------------------------------------
# Starts, options and degenerate data


def test_a_seed_gives_the_same_start_and_the_mean_is_the_sample_mean():
    X = elongated(4)
    a, b = ppca.start(X, 1, rng=5), ppca.start(X, 1, rng=5)
    np.testing.assert_array_equal(a.loadings, b.loadings)
    assert not np.array_equal(a.loadings, ppca.start(X, 1, rng=6).loadings)
    np.testing.assert_allclose(a.mean, X.mean(axis=0))
    assert a.noise_variance == pytest.approx(X.var(axis=0).mean())


def test_a_random_start_has_the_datas_scale_and_is_not_stuck_beside_w_0():
    # Five points and q = 1: a W drawn with short columns starts beside the saddle W = 0,
    # where ℓ is flat, and the stopping rule ended that run at once, far below the maximum.
    X = np.array([[1, 2], [2, 3.5], [3, 3], [4, 5.5], [5, 5.0]])
    for seed in range(20):
        W = ppca.start(X, 1, rng=seed).loadings
        assert np.linalg.norm(W) == pytest.approx(np.sqrt(X.var(axis=0).mean()))
        trace = ppca.fit(X, 1, rng=seed)
        best = ppca.log_likelihood(X, ppca.closed_form(X, 1))
        assert trace.final.log_likelihood > best - 0.1


def test_a_given_start_is_used_as_given():
    X = elongated(4)
    params = ppca.start(X, 1, loadings=[[1.0], [2.0]], noise_variance=0.3)
    np.testing.assert_array_equal(params.loadings, [[1.0], [2.0]])
    assert params.noise_variance == 0.3


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (0, r"q \(the latent dimension\) must be a whole number ≥ 1; got 0"),
        (-1, r"must be a whole number ≥ 1"),
        (1.5, r"must be a whole number ≥ 1; got 1.5"),
        (True, r"must be a whole number"),
        (3, r"q = 3 leaves no dimension for the noise in 3-column data: choose q < 3"),
        (4, r"choose q < 3"),
    ],
)
def test_a_bad_latent_dimension_is_refused(q, message):
    X = elongated(0, n_features=3)
    with pytest.raises(ValueError, match=message):
        ppca.start(X, q)
    with pytest.raises(ValueError, match=message):
        ppca.closed_form(X, q)


def test_too_few_rows_are_refused():
    X = elongated(0, n_samples=3, n_features=4, n_latent=2)
    with pytest.raises(ValueError, match=r"Too few rows: 3 points .* needs at least 4 rows"):
        ppca.fit(X, 2)
    ppca.fit(X, 1)  # three points do leave a noise direction for q = 1


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.arange(10.0)[:, None], r"at least two columns"),
        (np.array([[1.0, np.nan], [2.0, 3.0], [4.0, 1.0]]), r"NaN or infinite"),
        (np.ones((10, 3)), r"Every column is constant"),
        (np.outer(np.arange(10.0), [1.0, 2.0]) + 5.0, r"lie on a line"),
        (
            np.random.default_rng(0).normal(size=(20, 2)) @ np.eye(2, 4),
            r"lie on a 2-dimensional subspace .* choose q below 2",
        ),
    ],
)
def test_degenerate_data_are_refused_with_the_reason(X, message):
    q = 2 if X.shape[1] == 4 else 1
    with pytest.raises(ValueError, match=message):
        ppca.fit(X, q)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loadings": [[1.0, 2.0]]}, r"shape \(n_features, q\) = \(2, 1\); got \(1, 2\)"),
        ({"loadings": [[np.inf], [1.0]]}, r"NaN or infinite"),
        ({"loadings": [[0.0], [0.0]]}, r"linearly dependent \(or zero\)"),
        ({"noise_variance": 0.0}, r"σ² must be positive"),
        ({"noise_variance": -1.0}, r"σ² must be positive"),
    ],
)
def test_a_bad_start_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ppca.fit(elongated(0), 1, **kwargs)


def test_dependent_columns_of_a_given_w_are_refused():
    X = elongated(0, n_features=4, n_latent=2)
    with pytest.raises(ValueError, match=r"linearly dependent"):
        ppca.start(X, 2, loadings=np.array([[1.0, 2.0, 0.0, 1.0]] * 2).T)


def test_a_vanishing_noise_variance_stops_the_run_with_the_reason():
    params = ppca.PPCAParameters([0.0, 0.0], [[1.0], [1.0]], 1e-14)
    problem = ppca.failure(params, floor=1e-13, iteration=7)
    assert problem.reason is StopReason.COLLAPSED
    assert "σ² shrank to 1e-14 in the M-step of iteration 7" in problem.message
    broken = ppca.PPCAParameters([0.0, 0.0], [[np.nan], [1.0]], 1.0)
    assert ppca.failure(broken, floor=1e-13, iteration=2).reason is StopReason.NUMERICAL
    assert ppca.failure(ppca.PPCAParameters([0.0, 0.0], [[1.0], [1.0]], 0.5), 1e-13, 2) is None


def test_parameters_are_read_only():
    params = ppca.closed_form(elongated(0), 1)
    with pytest.raises(ValueError, match="read-only"):
        params.loadings[0, 0] = 1.0


def test_the_trace_holds_each_iterations_parameters_and_how_it_started():
    X = elongated(8)
    trace = ppca.fit(X, 1, rng=11, tol=0.0, max_iter=6)
    thetas, lls = em_iterations(X, trace.start.params, 6)
    assert trace.n_iter == 6
    for snapshot, theta, ll in zip(trace.snapshots, thetas, lls, strict=True):
        assert isinstance(snapshot.params, ppca.PPCAParameters)
        np.testing.assert_allclose(snapshot.params.loadings, theta.loadings, rtol=1e-12)
        assert snapshot.params.noise_variance == pytest.approx(theta.noise_variance, rel=1e-12)
        assert snapshot.log_likelihood == pytest.approx(ll, rel=1e-12)
    assert (trace.start.method, trace.start.seed) == ("random", 11)
    given_start = ppca.fit(X, 1, loadings=[[1.0], [0.0]], max_iter=2).start
    assert (given_start.method, given_start.seed) == ("given", None)


def test_a_run_stops_by_the_shared_rule_and_says_why():
    trace = ppca.fit(elongated(8), 1, rng=0, tol=1e-3)
    assert trace.stop_reason is StopReason.CONVERGED
    assert trace.change(trace.n_iter) < 1e-3 <= trace.change(trace.n_iter - 1)
    assert trace.message.startswith(f"Converged after {trace.n_iter} iterations")


def test_the_elongated_cloud_is_a_ppca_sample_whose_closed_form_finds_its_line():
    sample = elongated_cloud(
        20_000, angle_degrees=35.0, spread=2.5, noise=0.8, rng=np.random.default_rng(1)
    )
    best = ppca.closed_form(sample.values, 1)
    w = best.loadings[:, 0]
    angle = np.degrees(np.arctan2(w[1], w[0])) % 180
    assert angle == pytest.approx(35.0, abs=1.0)
    assert np.linalg.norm(w) == pytest.approx(2.5, rel=0.03)
    assert best.noise_variance == pytest.approx(0.8**2, rel=0.03)
    np.testing.assert_allclose(best.mean, [2.0, 1.0], atol=0.05)


@pytest.mark.parametrize(("scale", "offset"), [(1e-8, 0.0), (1e8, 0.0), (1.0, 1e8), (1e-3, 1e5)])
def test_the_same_run_in_other_units(scale, offset):
    X = elongated(9)
    base = ppca.fit(X, 1, rng=0)
    moved = ppca.fit(X * scale + offset, 1, rng=0)
    assert moved.n_iter == base.n_iter
    assert moved.final.params.noise_variance == pytest.approx(
        base.final.params.noise_variance * scale**2, rel=1e-7
    )
    # ℓ in other units: each point's density is divided by scale^d.
    shift = -X.size * np.log(scale)
    assert moved.final.log_likelihood == pytest.approx(base.final.log_likelihood + shift, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Extreme data: judged against their own scale and rounding


def with_outlier(value: float) -> np.ndarray:
    """100 × 3 normal points scaled by diag(3, 2, 1), the first value set to ``value``."""
    X = np.random.default_rng(0).standard_normal((100, 3)) * [3.0, 2.0, 1.0]
    X[0, 0] = value
    return X


@pytest.mark.parametrize("q", [1, 2])
def test_one_far_outlier_fits(q):
    """The covariance's eigenvalues are 9.9e13, 4.03 and 0.90: the noise was compared with
    1e-12 of their mean and the data refused as lying on a line or a plane. Now the fit runs,
    ℓ climbs, and the closed form is scikit-learn's PCA (an SVD, as it must be: eigenvalues of
    the covariance itself carry errors of 10⁻¹⁶ × 9.9e13 ≈ 0.01)."""
    X = with_outlier(1e8)
    trace = ppca.fit(X, q)
    assert trace.stop_reason is StopReason.CONVERGED, trace.message
    for before, after in itertools.pairwise(trace.log_likelihoods):
        assert after >= before - flat_tolerance(before, after, X.shape[0])
    best = ppca.closed_form(X, q)
    n = X.shape[0]
    reference = PCA(n_components=q, svd_solver="full").fit(X)
    assert best.noise_variance * n / (n - 1) == pytest.approx(reference.noise_variance_, rel=1e-9)
    np.testing.assert_allclose(
        best.covariance() * n / (n - 1), reference.get_covariance(), rtol=1e-9, atol=1e-9
    )
    assert ppca.log_likelihood(X, best) >= trace.final.log_likelihood


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda X: np.where(X > 0, 1e308, -1e308),
            r"^The data run from -1e\+308 to 1e\+308, too wide to square in double precision; "
            r"rescale them \(for example divide by a power of ten\) and fit again\.$",
        ),
        (
            lambda X: np.where(np.arange(X.size).reshape(X.shape) == 4, 1e200, X),
            r"^The data run from -\d\.\d+ to 1e\+200, too wide to square in double precision",
        ),
    ],
    ids=["pm-1e308", "one-1e200"],
)
def test_values_too_large_to_square_are_refused_naming_their_range(change, message):
    """±1e308 gave NumPy's "Eigenvalues did not converge" and one 1e200 "The starting W, μ or
    σ² contains NaN or infinite values" (with overflow warnings, errors here)."""
    X = change(with_outlier(1.0))
    for call in (lambda: ppca.fit(X, 1), lambda: ppca.closed_form(X, 2), lambda: ppca.start(X, 1)):
        with pytest.raises(ValueError, match=message):
            call()


def test_an_outlier_beyond_double_precisions_reach_is_named():
    """With 1e10 the largest variance is 1.1e18 times σ²: EM's ℓ fell and σ² "collapsed", so
    the data are refused, naming the row that makes the variance."""
    with pytest.raises(
        ValueError,
        match=r"The data's largest variance, 9\.9e\+17, is 1\.1e\+18 times the noise variance "
        r"σ² = 0\.901 that q = 2 leaves: more than the 1e\+15 that double precision can follow\. "
        r"Row 1 alone makes most of it: it lies 1e\+10 from the mean of the other rows\. If it is "
        r"an outlier, remove it",
    ):
        ppca.fit(with_outlier(1e10), 2)
    units = with_outlier(1.0) * [1e9, 1.0, 1.0]  # one column in far larger units: no outlier
    with pytest.raises(ValueError, match=r"times the noise .* Rescale the columns that spread"):
        ppca.fit(units, 1)


def test_a_line_blurred_only_by_the_rounding_of_its_offset_is_a_line():
    """Points on a line 1e8 from the origin, spread 1e-3: what lies off the line is the
    rounding of the stored values (1e-8), and the fit used to take it for noise."""
    t = np.random.default_rng(0).normal(size=50) * 1e-3
    X = np.column_stack([t, 2 * t]) + 1e8
    with pytest.raises(ValueError, match=r"lie on a line \(up to rounding\)"):
        ppca.fit(X, 1)
