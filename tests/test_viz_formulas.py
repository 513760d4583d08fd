"""em_viz formulas: the worked example's numbers appear, computed here by hand.

Data {1.5, 2, 2.5, 8, 9, 9.5}, start μ = (2, 9), σ = (1, 1), π = (½, ½), no ridge. Every
expected string is derived in this file from the article's formulas, never read back from
the engine.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

import em_models.mixture.engine
import em_models.mixture.formulas
import em_models.mixture.gaussian
from em_core import Trace
from em_models.mixture.engine import e_step, fit
from em_models.mixture.formulas import WRITE_OUT_MAX, exact_and_rounded
from em_models.mixture.gaussian import Parameters

WORKED_X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]
START = Parameters(
    np.array([0.5, 0.5]), np.array([[2.0], [9.0]]), np.array([[[1.0]], [[1.0]]]), "full"
)


@pytest.fixture(scope="module")
def worked() -> Trace:
    return fit(WORKED_X, 2, init="given", params=START, reg_covar=0.0)


@pytest.fixture(scope="module")
def first_m_step(worked: Trace) -> list[list[str]]:
    """The M-step formulas of iteration 1 for components 1 and 2."""
    resp = e_step(WORKED_X, worked.snapshots[0].params).resp
    return [
        em_models.mixture.formulas.m_step_formulas(WORKED_X, resp, k, worked.snapshots[1].params)
        for k in (0, 1)
    ]


def balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# ---------------------------------------------------------------------------------------
# exact_and_rounded


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.40824829, "0.408"),
        (8.8333333, "8.833"),
        (0.5, "0.500"),
        (3.0, "3.000"),
        (1 - 7.58e-10, r"0.99999999924 \approx 1.000"),
        (7.58e-10, r"7.58 \times 10^{-10} \approx 0.000"),
        (-2.5e-8, r"-2.50 \times 10^{-8} \approx 0.000"),
        (2.00000005, r"2.000000050 \approx 2.000"),
        (2.0 + 4e-16, "2.000"),  # float noise is not worth showing
    ],
)
def test_exact_and_rounded(value: float, expected: str) -> None:
    assert exact_and_rounded(value) == expected


# ---------------------------------------------------------------------------------------
# E-step


def test_the_e_step_for_x_2_5_shows_the_exact_responsibility_and_its_rounding(worked) -> None:
    latex = em_models.mixture.formulas.responsibility_formula(
        WORKED_X[2], worked.snapshots[0].params, 2, 0
    )
    density_1 = math.exp(-((2.5 - 2) ** 2) / 2) / math.sqrt(2 * math.pi)
    density_2 = math.exp(-((2.5 - 9) ** 2) / 2) / math.sqrt(2 * math.pi)
    r = density_1 / (density_1 + density_2)  # the ½ weights cancel
    assert 1 - r == pytest.approx(7.58e-10, rel=1e-3)
    assert latex.startswith(r"\begin{aligned} r_{31} &=")
    assert rf"{r:.11f} \approx 1.000" in latex
    assert f"{density_1:.4g}" in latex  # 0.3521
    assert rf"{density_2:.2e}".replace("e-10", r" \times 10^{-10}") in latex  # 2.67 × 10⁻¹⁰
    assert r"0.500 \times \mathcal{N}(2.5 \mid 2.000, 1.000)" in latex
    assert r"\mathcal{N}(x_{3} \mid \mu_{1}, \sigma_{1}^2)" in latex
    assert balanced(latex)


def test_the_e_step_for_x_8_gives_component_2_the_point(worked) -> None:
    latex = em_models.mixture.formulas.responsibility_formula(
        WORKED_X[3], worked.snapshots[0].params, 3, 0
    )
    a, b = norm.pdf(8.0, 2, 1), norm.pdf(8.0, 9, 1)
    r = a / (a + b)
    mantissa, exponent = f"{r:.2e}".split("e")
    assert r"r_{41}" in latex
    assert rf"{mantissa} \times 10^{{{int(exponent)}}} \approx 0.000" in latex


def test_the_e_step_with_two_features_shows_weights_and_densities() -> None:
    params = Parameters(
        np.array([0.25, 0.75]),
        np.array([[0.0, 0.0], [3.0, 1.0]]),
        np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, 0.0], [0.0, 0.5]]]),
        "full",
    )
    x = np.array([1.0, 0.5])
    latex = em_models.mixture.formulas.responsibility_formula(x, params, 11, 1)
    a = 0.25 * multivariate_pdf(x, params, 0)
    b = 0.75 * multivariate_pdf(x, params, 1)
    assert r"r_{12,2}" in latex
    assert r"\Sigma_{2}" in latex
    assert "x_{12} = (1, 0.5)" in latex
    assert f"0.750 \\times {multivariate_pdf(x, params, 1):.4g}" in latex
    assert latex.endswith(rf"&= {b / (a + b):.3f} \end{{aligned}}")
    assert balanced(latex)


def multivariate_pdf(x: np.ndarray, params: Parameters, k: int) -> float:
    return float(multivariate_normal(params.means[k], params.covariances[k]).pdf(x))


def test_the_e_step_refuses_a_component_that_does_not_exist(worked) -> None:
    with pytest.raises(ValueError, match="k=2 does not exist"):
        em_models.mixture.formulas.responsibility_formula(2.5, worked.snapshots[0].params, 2, 2)


# ---------------------------------------------------------------------------------------
# M-step


def test_the_first_m_step_has_the_articles_numbers(first_m_step) -> None:
    mu2 = (8.0 + 9.0 + 9.5) / 3
    sigma1 = math.sqrt(((1.5 - 2) ** 2 + (2 - 2) ** 2 + (2.5 - 2) ** 2) / 3)
    sigma2 = math.sqrt(((8 - mu2) ** 2 + (9 - mu2) ** 2 + (9.5 - mu2) ** 2) / 3)
    assert (f"{mu2:.3f}", f"{sigma1:.3f}", f"{sigma2:.3f}") == ("8.833", "0.408", "0.624")
    one, two = ("\n".join(lines) for lines in first_m_step)
    assert f"{mu2:.3f}" in two
    assert f"\\sigma_{{2}} = {sigma2:.3f}" in two
    assert f"\\sigma_{{1}} = {sigma1:.3f}" in one
    assert r"\pi_{1} = \frac{N_{1}}{N} = \frac{3.000}{6} = 0.500" in one


def one_row(latex: str) -> str:
    """A chain of equalities with a wrapped sum put back on one line (the layout, not the
    maths): rows joined, a sum over N_k written as its fraction."""
    latex = re.sub(r" \\\\ &\\qquad \+ ", " + ", latex)
    latex = re.sub(r"\\frac\{1\}\{([^}]*)\} \\Bigl\( (.*?) \\Bigr\)", r"\\frac{\2}{\1}", latex)
    return latex.replace(r"\begin{aligned} ", "").replace(r" \end{aligned}", "")


def test_the_m_step_writes_out_every_term_for_few_points(first_m_step) -> None:
    n_k, mean, variance, weight = (one_row(line) for line in first_m_step[1])
    assert n_k.startswith(r"N_{2} &= \sum_{n=1}^{6} r_{n2} \\ &= ")
    assert n_k.count(" + ") == 5
    assert r"1.000 \times 8 + 1.000 \times 9 + 1.000 \times 9.5}{3.000}" in mean
    assert r"= \frac{26.5}{3.000} = 8.833" in mean
    assert r"1.000 \times (9.5 - 8.833)^2}{3.000}" in variance
    assert r"\dots" not in mean
    assert weight.endswith("= 0.500")


def test_counts_that_round_to_a_whole_number_show_their_exact_value(first_m_step) -> None:
    n_k = first_m_step[0][0]
    assert re.search(r"= 3\.0000000\d+ \\approx 3\.000 \\end\{aligned\}$", n_k)


def test_the_m_step_summarises_many_points(worked) -> None:
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(0, 1, 15), rng.normal(5, 1, 10)])[:, None]
    trace = fit(X, 2, covariance_type="spherical", max_iter=2)
    resp = e_step(X, trace.snapshots[0].params).resp
    n_k, mean, variance, _ = em_models.mixture.formulas.m_step_formulas(
        X, resp, 0, trace.snapshots[1].params
    )
    assert len(X) > WRITE_OUT_MAX
    for line in (n_k, mean, variance):
        assert line.count(r"\dots") == 1
    assert n_k.count(" + ") == 4  # r_11 + r_21 + r_31 + … + r_N1
    assert f"{resp[-1, 0]:.3f}" in n_k.split(r"\dots")[1]
    assert rf"\frac{{{float(resp[:, 0] @ X[:, 0]):.4g}}}{{{resp[:, 0].sum():.3f}}}" in mean


def test_the_m_step_with_two_features_summarises_sigma(worked) -> None:
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(0, 1, (6, 2)), rng.normal(4, 1, (6, 2))])
    trace = fit(X, 2, max_iter=1, reg_covar=1e-3)
    resp = e_step(X, trace.snapshots[0].params).resp
    lines = em_models.mixture.formulas.m_step_formulas(
        X, resp, 1, trace.snapshots[1].params, reg_covar=1e-3
    )
    cov = trace.snapshots[1].params.covariances[1]
    assert len(lines) == 4
    assert lines[2].startswith(r"\Sigma_{2} = ")
    assert r"+ \varepsilon I" in lines[2]
    assert rf"\begin{{pmatrix}} {cov[0, 0]:.3f} & {cov[0, 1]:.3f}" in lines[2]
    assert all(balanced(line) for line in lines)


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_every_covariance_type_has_a_formula(covariance_type: str) -> None:
    rng = np.random.default_rng(6)
    for d in (1, 2):
        X = np.concatenate([rng.normal(0, 1, (10, d)), rng.normal(5, 1, (10, d))])
        trace = fit(X, 2, covariance_type=covariance_type, max_iter=1)
        resp = e_step(X, trace.snapshots[0].params).resp
        lines = em_models.mixture.formulas.m_step_formulas(X, resp, 0, trace.snapshots[1].params)
        assert all(balanced(line) for line in lines)
        if covariance_type == "tied":
            assert "shared by every component" in lines[2]


def test_the_m_step_checks_its_inputs(worked) -> None:
    resp = e_step(WORKED_X, worked.snapshots[0].params).resp
    with pytest.raises(ValueError, match=r"resp has shape \(5, 2\)"):
        em_models.mixture.formulas.m_step_formulas(
            WORKED_X, resp[:5], 0, worked.snapshots[1].params
        )
    with pytest.raises(ValueError, match="k=3 does not exist"):
        em_models.mixture.formulas.m_step_formulas(WORKED_X, resp, 3, worked.snapshots[1].params)


# ---------------------------------------------------------------------------------------
# Notation and layout


def fractions(latex: str) -> list[tuple[str, str]]:
    r"""The numerator and denominator of every \frac in ``latex``."""
    found = []
    for match in re.finditer(r"\\frac\{", latex):
        parts, start = [], match.end()
        for _ in range(2):
            depth, i = 1, start
            while depth:
                depth += {"{": 1, "}": -1}.get(latex[i], 0)
                i += 1
            parts.append(latex[start : i - 1])
            start = i + 1  # past the next "{"
        found.append((parts[0], parts[1]))
    return found


def test_a_wrapped_sum_continues_on_a_row_of_its_own_never_inside_a_fraction(
    first_m_step,
) -> None:
    """Six terms go on two rows: the second starts with "+", indented under the first, and
    no fraction holds a line break (two stacked rows read like a fraction)."""
    for line in [*first_m_step[0], *first_m_step[1]]:
        assert "gathered" not in line
        for numerator, denominator in fractions(line):
            assert r"\\" not in numerator
            assert r"\\" not in denominator
    n_k, mean, variance, _ = first_m_step[1]
    for line in (n_k, mean, variance):
        rows = line.split(r" \\ ")
        continued = [row for row in rows if row.startswith(r"&\qquad + ")]
        assert len(continued) == 1, rows
        before = rows[rows.index(continued[0]) - 1]
        assert before.startswith("&= ")  # the row it continues
        assert before.count(" + ") == 2  # the first three of the six terms, then the rest
        assert continued[0].count(" + ") == 3
    assert r"&= \frac{1}{3.000} \Bigl( " in mean
    assert r"1.000 \times 9.5 \Bigr) \\ &= \frac{26.5}{3.000} = 8.833" in mean


def test_the_e_step_writes_the_density_with_the_variance_and_defines_it(worked) -> None:
    """𝒩(x | μ, σ²) takes the variance, as the engine's density does: after the first
    M-step component 1 has σ₁² = 1/6, written 0.167 (its σ, 0.408, is not the argument)."""
    latex = em_models.mixture.formulas.responsibility_formula(
        WORKED_X[2], worked.snapshots[1].params, 2, 0
    )
    variance_1 = ((1.5 - 2) ** 2 + (2.5 - 2) ** 2) / 3
    mu_2 = (8 + 9 + 9.5) / 3
    variance_2 = ((8 - mu_2) ** 2 + (9 - mu_2) ** 2 + (9.5 - mu_2) ** 2) / 3
    assert rf"\mathcal{{N}}(2.5 \mid 2.000, {variance_1:.3f})" in latex  # 0.167
    assert rf"\mathcal{{N}}(2.5 \mid {mu_2:.3f}, {variance_2:.3f})" in latex  # 0.389
    assert r"\mathcal{N}(x_{3} \mid \mu_{1}, \sigma_{1}^2)" in latex
    definition = (
        r"\mathcal{N}(x \mid \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}} "
        r"\exp\Bigl(-\frac{(x - \mu)^2}{2\sigma^2}\Bigr)"
    )
    assert definition in latex
    # the density written there is the one computed: scipy's with scale σ = √σ²
    density = norm.pdf(2.5, 2.0, math.sqrt(variance_1))
    assert f"{density:.4g}" in latex
    assert balanced(latex)


def test_the_e_step_with_two_features_defines_the_density_with_sigma() -> None:
    params = Parameters(
        np.array([0.5, 0.5]),
        np.array([[0.0, 0.0], [3.0, 1.0]]),
        np.tile(np.eye(2), (2, 1, 1)),
        "full",
    )
    latex = em_models.mixture.formulas.responsibility_formula(np.array([1.0, 0.5]), params, 0, 0)
    assert r"\mathcal{N}(x \mid \mu, \Sigma) = " in latex
    assert r"\sqrt{(2\pi)^{2} \det \Sigma}" in latex


def test_a_tiny_responsibility_is_written_in_scientific_notation() -> None:
    """A point 15σ from a component: r ≈ 10⁻⁴⁹, not "0.000"."""
    params = Parameters(np.array([0.5, 0.5]), np.array([[0.0], [15.0]]), np.ones((2, 1, 1)), "full")
    latex = em_models.mixture.formulas.responsibility_formula(np.array([15.0]), params, 0, 0)
    log_r = norm.logpdf(15, 0, 1) - np.logaddexp(norm.logpdf(15, 0, 1), norm.logpdf(15, 15, 1))
    mantissa, exponent = f"{math.exp(log_r):.2e}".split("e")
    assert int(exponent) < -40
    assert latex.endswith(
        rf"&= {mantissa} \times 10^{{{int(exponent)}}} \approx 0.000 \end{{aligned}}"
    )
    assert exact_and_rounded(1e-47) == r"1.00 \times 10^{-47} \approx 0.000"
    assert exact_and_rounded(-3e-13) == r"-3.00 \times 10^{-13} \approx 0.000"
    assert exact_and_rounded(0.0) == "0.000"


def test_a_ridge_relative_to_each_feature_is_written_per_feature() -> None:
    from em_data import load_dataset

    X = np.asarray(load_dataset("faithful").values)
    trace = em_models.mixture.engine.fit(X, 2)  # the default ridge: 1e-6 of each column's variance
    assert trace.model.ridge_diagonal[0] != trace.model.ridge_diagonal[1]
    resp = em_models.mixture.engine.e_step(X, trace.snapshots[0].params).resp
    new_params, ridge = trace.snapshots[1].params, trace.model.ridge_diagonal
    line = em_models.mixture.formulas.m_step_formulas(X, resp, 0, new_params, reg_covar=ridge)[2]
    assert r"\operatorname{diag}(" in line
    assert r"\varepsilon I" not in line
