r"""The E-step and M-step formulas as LaTeX (for ``st.latex``), with the live numbers in.

Symbols as in the engine: π_k → ``weights[k]``, μ_k → ``means[k]``, Σ_k (σ_k² in one
dimension) → ``covariances[k]``, r_nk → ``resp[n, k]``, N_k = Σ_n r_nk. Indices passed in
are Python's (from 0); the formulas print them from 1, as the maths does (x_3 is ``X[2]``).

Numbers are rounded to three decimals, the way the worked example writes them. Where that
rounding would make a value look exact — 1 − 7.6×10⁻¹⁰ printing as 1.000, or 2.5×10⁻⁸ as
0.000 — :func:`exact_and_rounded` shows both: ``0.99999999924 \approx 1.000``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from em_core import Trace
from em_models.mixture import kmeans_phase
from em_models.mixture.engine import e_step
from em_models.mixture.figures import weighted_densities
from em_models.mixture.gaussian import Parameters
from em_models.mixture.starts import nearest_center
from em_viz.figures_common import as_features
from em_viz.halfstep import HalfStep

DECIMALS = 3
# With more points than this, sums show their first three terms, a \dots and the last.
WRITE_OUT_MAX = 8
# Show the whole covariance matrix up to this many features, else its diagonal.
MATRIX_MAX_FEATURES = 4


# ---------------------------------------------------------------------------------------
# Numbers as LaTeX


def _scientific(value: float, digits: int = 3) -> str:
    r"""``2.67 \times 10^{-10}``."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def fixed(value: float, decimals: int = DECIMALS) -> str:
    """``value`` with ``decimals`` decimals, or in scientific form when that would hide it
    (below 10⁻³ but not zero) or be unwieldy (10⁶ and more)."""
    value = float(value)
    if value != 0 and (abs(value) < 10.0**-decimals or abs(value) >= 1e6):
        return _scientific(value)
    text = f"{value:.{decimals}f}"
    return text[1:] if float(text) == 0 and text.startswith("-") else text


def number(value: float) -> str:
    """A data value or a density: four significant digits, scientific when tiny or huge."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < 1e-3 or abs(value) >= 1e5:
        return _scientific(value)
    return f"{value:.4g}"


def _factor(text: str) -> str:
    """A number ready to be multiplied: negative numbers in parentheses."""
    return f"({text})" if text.startswith("-") else text


def exact_and_rounded(value: float, decimals: int = DECIMALS) -> str:
    r"""``value`` rounded to ``decimals`` decimals, preceded by its exact value where the
    rounding makes it look exact.

    A value that rounds to a whole number it is not equal to (1.000 for 0.99999999924,
    0.000 for 7.6×10⁻¹⁰ or for 10⁻⁴⁷, 3.000 for 3.00000002) is shown as
    ``exact \approx rounded``; the exact form is scientific near zero (however small),
    otherwise has just enough decimals to show where it leaves the whole number (two
    significant digits of the difference; a difference of float noise, 10⁻¹² of the value
    or less, is not shown).

    Examples
    --------
    >>> exact_and_rounded(0.40824829)
    '0.408'
    >>> exact_and_rounded(1 - 7.58e-10)
    '0.99999999924 \\approx 1.000'
    >>> exact_and_rounded(7.58e-10)
    '7.58 \\times 10^{-10} \\approx 0.000'
    """
    value = float(value)
    rounded = f"{value:.{decimals}f}"
    if float(rounded) == 0 and rounded.startswith("-"):
        rounded = rounded[1:]
    whole = float(rounded)
    gap = abs(value - whole)
    if whole != round(whole) or value == 0 or not math.isfinite(value):
        return rounded
    if whole == 0:  # however small, a value that is not 0 is written: 1.00 × 10⁻⁴⁷
        exact = _scientific(value)
    elif gap <= 1e-12 * abs(value):  # float noise next to a whole number is not worth showing
        return rounded
    else:
        places = min(16, max(decimals + 1, math.floor(-math.log10(gap)) + 2))
        exact = f"{value:.{places}f}"
    return rf"{exact} \approx {rounded}"


def _subscript(*indices: int) -> str:
    """Indices from 0, printed from 1: (2, 0) → ``31``; with a two-digit one, ``12,1``."""
    shown = [str(i + 1) for i in indices]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown)


def _vector(values: ArrayLike) -> str:
    return "(" + ", ".join(fixed(v) for v in np.ravel(values)) + ")"


def _data_vector(values: ArrayLike) -> str:
    return "(" + ", ".join(number(v) for v in np.ravel(values)) + ")"


def _matrix(matrix: NDArray[np.float64]) -> str:
    rows = [" & ".join(fixed(v) for v in row) for row in matrix]
    return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"


def _difference(x: str, mean: str) -> str:
    """``x - mean`` written without a double sign."""
    return f"{x} + {mean[1:]}" if mean.startswith("-") else f"{x} - {mean}"


def _written(n_terms: int) -> list[int]:
    """The terms of a sum that are written out: all, or the first three and the last when
    there are more than ``WRITE_OUT_MAX``. Only these are formatted, so that a sum over a
    million points costs no more than one over eight."""
    if n_terms > WRITE_OUT_MAX:
        return [0, 1, 2, n_terms - 1]
    return list(range(n_terms))


def _sum_rows(terms: list[str], n_terms: int) -> list[str]:
    """The written terms (those of ``_written(n_terms)``) joined by +, with \\dots before
    the last when the others are left out: one row for up to four terms, else two, the
    second a continuation that starts with its "+"."""
    if n_terms > WRITE_OUT_MAX:
        terms = [*terms[:3], r"\dots", terms[-1]]
    if len(terms) <= 4:
        return [" + ".join(terms)]
    half = (len(terms) + 1) // 2
    return [" + ".join(terms[:half]), "+ " + " + ".join(terms[half:])]


# A continuation row of a wrapped sum: indented past the "=" of the row it continues.
CONTINUED = r"\qquad "


def _sum_steps(rows: list[str], denominator: str | None = None, after: str = "") -> list[str]:
    """The steps of an ``_aligned`` chain that write out a sum (of ``_sum_rows``), divided
    by ``denominator`` when given, followed by ``after``.

    A sum on one row divided by N is a fraction; a sum on two rows is written
    1/N (first row, then "+ …" on the next row), so that its rows never stack over each
    other like the two halves of a fraction.
    """
    if len(rows) == 1:
        body = rows[0] if denominator is None else rf"\frac{{{rows[0]}}}{{{denominator}}}"
        return [f"= {body}{after}"]
    first = rows[0] if denominator is None else rf"\frac{{1}}{{{denominator}}} \Bigl( {rows[0]}"
    close = "" if denominator is None else r" \Bigr)"
    return [
        f"= {first}",
        *(CONTINUED + row for row in rows[1:-1]),
        f"{CONTINUED}{rows[-1]}{close}{after}",
    ]


# ---------------------------------------------------------------------------------------
# E-step


def responsibility_formula(x_n: ArrayLike, params: Parameters, n_index: int, k: int) -> str:
    r"""r_nk = π_k N(x_n | μ_k, σ_k²) / Σ_j π_j N(x_n | μ_j, σ_j²), with every value written out.

    Parameters
    ----------
    x_n : float or array-like of shape (n_features,)
        The point.
    params : Parameters
        The parameters the E-step uses.
    n_index : int
        The point's row in X, from 0 (printed from 1: x_3 for ``n_index=2``).
    k : int
        The component, from 0 (printed from 1).

    Returns
    -------
    str
        An ``aligned`` block: the formula, the normal density it uses (its second argument
        is the variance σ², or the covariance Σ with several features), (for one feature and
        up to three components) the parameters substituted — weight, mean and variance —,
        the densities and weights, and the result, e.g. ``r_{31} = 0.99999999924 \approx
        1.000``.
    """
    x = np.atleast_1d(np.asarray(x_n, dtype=np.float64)).ravel()
    n_components, n_features = params.n_components, params.n_features
    if x.size != n_features:
        raise ValueError(f"x_n has {x.size} values but the parameters have {n_features} features.")
    if not 0 <= k < n_components:
        raise ValueError(f"Component k={k} does not exist; k goes from 0 to {n_components - 1}.")
    weighted = weighted_densities(x[None, :], params)[:, 0]  # π_j N(x_n | θ_j)
    densities = weighted / params.weights
    r = float(e_step(x[None, :], params).resp[0, k])

    n, kk = n_index + 1, k + 1
    sub = _subscript(n_index, k)
    # The density's second argument is the variance σ² (one feature) or the covariance Σ.
    spread = r"\sigma^2" if n_features == 1 else r"\Sigma"

    def gaussian(j: str) -> str:
        spread_j = rf"\sigma_{{{j}}}^2" if n_features == 1 else rf"\Sigma_{{{j}}}"
        return rf"\mathcal{{N}}(x_{{{n}}} \mid \mu_{{{j}}}, {spread_j})"

    lines = [
        rf"r_{{{sub}}} &= \frac{{\pi_{{{kk}}} \, {gaussian(str(kk))}}}"
        rf"{{\sum_{{j=1}}^{{{n_components}}} \pi_j \, {gaussian('j')}}}"
    ]
    if n_features > 1:
        lines[0] += rf", \qquad x_{{{n}}} = {_data_vector(x)}"
    lines.append(
        rf"&\qquad \text{{with the normal density }} \mathcal{{N}}(x \mid \mu, {spread}) = "
        + _density(n_features)
    )
    if n_features == 1 and n_components <= 3:
        variances = params.full_covariances()[:, 0, 0]
        substituted = [
            rf"{fixed(params.weights[j])} \times \mathcal{{N}}({number(x[0])} \mid "
            rf"{fixed(params.means[j, 0])}, {fixed(variances[j])})"
            for j in range(n_components)
        ]
        lines.append(rf"&= \frac{{{substituted[k]}}}{{{' + '.join(substituted)}}}")
    terms = [
        rf"{fixed(params.weights[j])} \times {number(densities[j])}" for j in range(n_components)
    ]
    lines.append(rf"&= \frac{{{terms[k]}}}{{{' + '.join(terms)}}}")
    lines.append(rf"&= {exact_and_rounded(r)}")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def _density(n_features: int) -> str:
    """The normal density the engine computes, written out (σ² the variance, Σ the
    covariance matrix)."""
    if n_features == 1:
        return r"\frac{1}{\sqrt{2\pi\sigma^2}} \exp\Bigl(-\frac{(x - \mu)^2}{2\sigma^2}\Bigr)"
    return (
        r"\frac{\exp\bigl(-\frac{1}{2} (x - \mu)^\top \Sigma^{-1} (x - \mu)\bigr)}"
        rf"{{\sqrt{{(2\pi)^{{{n_features}}} \det \Sigma}}}}"
    )


# ---------------------------------------------------------------------------------------
# M-step


def m_step_formulas(
    X: ArrayLike,
    resp: ArrayLike,
    k: int,
    new_params: Parameters,
    *,
    reg_covar: float | ArrayLike = 0.0,
) -> list[str]:
    r"""The M-step for component k, one LaTeX line per parameter, the numbers written out.

    N_k = Σ_n r_nk, μ_k = Σ_n r_nk x_n / N_k, σ_k² = Σ_n r_nk (x_n − μ_k)² / N_k (one
    feature) or a summary of Σ_k (several), and π_k = N_k / N. With at most
    ``WRITE_OUT_MAX`` points every term is written, e.g. ``(1.000 \times 1.5 + …)/3.000``;
    with more, the first three, \dots, the last, and the sum.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    resp : array-like of shape (n_samples, n_components)
        The responsibilities of the E-step this M-step uses.
    k : int
        The component, from 0 (printed from 1).
    new_params : Parameters
        The parameters the M-step produced (the results printed are theirs).
    reg_covar : float or array-like of shape (n_features,), default 0
        The ridge the engine added to each feature's variance (``trace.model.ridge_diagonal``);
        shown as "+ ε" when positive, and as diag(ε₁, …, ε_d) when the features' differ.

    Returns
    -------
    list of str
        ``[N_k line, μ_k line, σ_k² or Σ_k line, π_k line]``.
    """
    X = as_features(X)
    resp = np.asarray(resp, dtype=np.float64)
    n_samples, n_features = X.shape
    if resp.shape != (n_samples, new_params.n_components):
        raise ValueError(
            f"resp has shape {resp.shape}; expected ({n_samples}, {new_params.n_components}) "
            "for these data and parameters."
        )
    if not 0 <= k < new_params.n_components:
        raise ValueError(
            f"Component k={k} does not exist; k goes from 0 to {new_params.n_components - 1}."
        )
    r = resp[:, k]
    kk = k + 1
    nk = float(r.sum())
    rows = _written(n_samples)
    r_text = [fixed(r[i]) for i in rows]
    nk_text = fixed(nk)
    lines = [
        _aligned(
            rf"N_{{{kk}}} = \sum_{{n=1}}^{{{n_samples}}} r_{{n{kk}}}",
            *_sum_steps(_sum_rows(r_text, n_samples)),
            f"= {exact_and_rounded(nk)}",
        )
    ]

    mean = new_params.means[k]
    if n_features == 1:
        products = [
            rf"{rt} \times {_factor(number(x))}" for rt, x in zip(r_text, X[rows, 0], strict=True)
        ]
        result = exact_and_rounded(mean[0])
    else:
        products = [rf"{rt} \, {_data_vector(x)}" for rt, x in zip(r_text, X[rows], strict=True)]
        result = _vector(mean)
    numerator = r @ X
    numerator_text = number(numerator[0]) if n_features == 1 else _data_vector(numerator)
    lines.append(
        _aligned(
            rf"\mu_{{{kk}}} = \frac{{\sum_n r_{{n{kk}}} \, x_n}}{{N_{{{kk}}}}}",
            *_sum_steps(_sum_rows(products, n_samples), nk_text),
            rf"= \frac{{{numerator_text}}}{{{nk_text}}} = {result}",
        )
    )
    ridge = np.broadcast_to(np.asarray(reg_covar, dtype=np.float64), (n_features,))
    lines.append(
        _variance_line(X, resp, k, new_params, r_text, float(ridge[0]))
        if n_features == 1
        else _covariance_line(k, new_params, ridge)
    )
    lines.append(
        rf"\pi_{{{kk}}} = \frac{{N_{{{kk}}}}}{{N}} = \frac{{{nk_text}}}{{{n_samples}}} "
        rf"= {exact_and_rounded(new_params.weights[k])}"
    )
    return lines


def _aligned(first: str, *rest: str) -> str:
    """``first`` then each of ``rest`` (each starting with "=", or a continuation row) on
    its own line, the equals signs aligned: a chain of equalities as long as a written-out
    sum, kept narrow."""
    head, _, tail = first.partition(" = ")
    lines = [f"{head} &= {tail}", *(f"&{line}" for line in rest)]
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def _ridge(reg_covar: float, *, symbol: bool = False) -> str:
    """ " + ε" (or its value) when the engine added a ridge to the variances, else ""."""
    if reg_covar <= 0:
        return ""
    return r" + \varepsilon" if symbol else f" + {number(reg_covar)}"


def _variance_line(
    X: NDArray[np.float64],
    resp: NDArray[np.float64],
    k: int,
    new_params: Parameters,
    r_text: list[str],
    reg_covar: float,
) -> str:
    """σ_k² written out (one feature); for tied covariances, the shared σ²."""
    kk = k + 1
    variances = new_params.full_covariances()[:, 0, 0]
    variance, sigma = variances[k], np.sqrt(variances[k])
    results = (
        rf"= {exact_and_rounded(variance)}, \qquad \sigma_{{{kk}}} = {exact_and_rounded(sigma)}"
    )
    if new_params.covariance_type == "tied":
        return (
            r"\sigma^2 = \frac{1}{N} \sum_{j} \sum_n r_{nj} (x_n - \mu_j)^2"
            + _ridge(reg_covar, symbol=True)
            + rf" = {exact_and_rounded(variance)} \text{{ (shared by every component)}}, "
            rf"\qquad \sigma = {exact_and_rounded(sigma)}"
        )
    mean = new_params.means[k, 0]
    mean_text = fixed(mean)
    squares = (X[:, 0] - mean) ** 2
    terms = [
        rf"{rt} \times ({_difference(number(x), mean_text)})^2"
        for rt, x in zip(r_text, X[_written(len(X)), 0], strict=True)
    ]
    numerator = float(resp[:, k] @ squares)
    nk_text = fixed(resp[:, k].sum())
    return _aligned(
        rf"\sigma_{{{kk}}}^2 = \frac{{\sum_n r_{{n{kk}}} (x_n - \mu_{{{kk}}})^2}}{{N_{{{kk}}}}}"
        + _ridge(reg_covar, symbol=True),
        *_sum_steps(_sum_rows(terms, len(X)), nk_text, _ridge(reg_covar)),
        rf"= \frac{{{number(numerator)}}}{{{nk_text}}}{_ridge(reg_covar)} " + results,
    )


def _covariance_line(k: int, new_params: Parameters, ridge: NDArray[np.float64]) -> str:
    """A summary of the new Σ_k (several features): its formula and value; ``ridge`` is what
    the engine added to each feature's variance."""
    kk = k + 1
    kind = new_params.covariance_type
    cov = new_params.full_covariances()[k]
    d = cov.shape[0]
    dev = rf"(x_n - \mu_{{{kk}}})"
    reg_covar = float(ridge.max())
    if reg_covar <= 0:
        ridge_text = ""
    elif np.all(ridge == ridge[0]):
        ridge_text = r" + \varepsilon I"
    else:  # a ridge relative to each feature's variance differs from feature to feature
        ridge_text = rf" + \operatorname{{diag}}{_vector(ridge)}"
    if kind == "spherical":
        return (
            rf"\Sigma_{{{kk}}} = \sigma_{{{kk}}}^2 I, \quad \sigma_{{{kk}}}^2 = "
            rf"\frac{{\sum_n r_{{n{kk}}} \lVert {dev[1:-1]} \rVert^2}}{{{d} \, N_{{{kk}}}}}"
            + _ridge(reg_covar, symbol=True)
            + rf" = {exact_and_rounded(cov[0, 0])}"
        )
    if kind == "tied":
        formula = r"\Sigma = \frac{1}{N} \sum_j \sum_n r_{nj} (x_n - \mu_j)(x_n - \mu_j)^\top"
        shared = r" \text{ (shared by every component)}"
    elif kind == "diag":
        formula = (
            rf"\Sigma_{{{kk}}} = \operatorname{{diag}} \frac{{\sum_n r_{{n{kk}}} {dev}^2}}"
            rf"{{N_{{{kk}}}}}"
        )
        shared = ""
    else:
        formula = rf"\Sigma_{{{kk}}} = \frac{{\sum_n r_{{n{kk}}} {dev} {dev}^\top}}{{N_{{{kk}}}}}"
        shared = ""
    if d <= MATRIX_MAX_FEATURES:
        value = _matrix(cov)
    else:
        value = (
            rf"\text{{a }} {d} \times {d} \text{{ matrix with variances }} {_vector(np.diag(cov))}"
        )
    return formula + ridge_text + f" = {value}{shared}"


# ---------------------------------------------------------------------------------------
# The K-means phase (see em_models.mixture.kmeans_phase)


def kmeans_assignment_formula(
    x_n: NDArray[np.float64], trace: Trace, half: HalfStep, n: int
) -> str:
    r"""LaTeX: the squared distance of point ``n`` (from 0) to each centre on screen and the
    nearest, the cluster the next assignment gives it."""
    c = kmeans_phase.centers(trace, half)
    x_n = np.ravel(np.asarray(x_n, dtype=np.float64))
    d = np.square(x_n[None, :] - c).sum(axis=1)
    terms = [
        rf"\lVert x_{{{n + 1}}} - c_{{{k + 1}}} \rVert^2 = {fixed(v)}" for k, v in enumerate(d)
    ]
    nearest = int(d.argmin())
    point = number(x_n[0]) if x_n.size == 1 else "(" + ", ".join(number(v) for v in x_n) + ")"
    return (
        rf"x_{{{n + 1}}} = {point}:\quad "
        + r",\quad ".join(terms)
        + rf"\quad\Rightarrow\quad \text{{cluster }} {nearest + 1}"
    )


def kmeans_update_formula(
    X: NDArray[np.float64], trace: Trace, half: HalfStep, k: int
) -> str | None:
    r"""LaTeX: centre ``k`` (from 0) of an update half-step as the average of the points of
    the assignment before it, c_k = (1/n_k) Σ_{label n = k} x_n, with the sum and the count.

    None at any other half-step, and for a cluster that assignment left empty (K-means put
    its centre on the point farthest from its centre instead; see
    :func:`em_models.mixture.kmeans_phase.emptied_clusters`).
    """
    if half.kind != "update":
        return None
    previous = kmeans_phase.kmeans_steps(trace)[kmeans_phase.labels_index(half)].centers
    X = np.asarray(X, dtype=np.float64)
    members = X[nearest_center(X, previous) == k]
    if members.shape[0] == 0:
        return None
    total = members.sum(axis=0)

    def vector(values: NDArray[np.float64]) -> str:
        shown = [fixed(v) for v in np.ravel(values)]
        return shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"

    return (
        rf"c_{{{k + 1}}} = \frac{{1}}{{n_{{{k + 1}}}}} \sum_{{n:\,\text{{cluster }} {k + 1}}} x_n"
        rf" = \frac{{{vector(total)}}}{{{members.shape[0]}}} = {vector(total / members.shape[0])}"
    )
