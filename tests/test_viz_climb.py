"""Figures of why EM climbs (em_models.mixture.climb_figures): the curves drawn are ℓ and the
bound, true numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import norm

from em_models.mixture.bound import (
    along_mean,
    bound_of_means,
    em_mean_path,
    gradient_path,
    with_means,
)
from em_models.mixture.climb_figures import bound_figure, likelihood_surface, paths_figure
from em_models.mixture.engine import e_step
from em_models.mixture.gaussian import Parameters
from em_viz.figures_common import LEGEND_ROW_PX

X = np.array([1.5, 2.0, 2.5, 8.0, 9.0, 9.5])[:, None]


def start(mu_1: float = 2.0, mu_2: float = 9.0, sigma: float = 1.0) -> Parameters:
    return Parameters([0.5, 0.5], [[mu_1], [mu_2]], [[[sigma**2]], [[sigma**2]]], "full")


def scipy_ell(mu_1: float, mu_2: float, sigma: float = 1.0) -> float:
    logs = np.stack([np.log(0.5) + norm.logpdf(X[:, 0], m, sigma) for m in (mu_1, mu_2)], axis=1)
    return float(logsumexp(logs, axis=1).sum())


def by_name(fig, prefix: str):
    return [trace for trace in fig.data if (trace.name or "").startswith(prefix)]


@pytest.mark.parametrize("t", [0, 1, 2])
def test_bound_figure_draws_ell_the_bounds_below_it_and_the_m_step(t):
    params = start(mu_2=4.0)
    path = em_mean_path(X, params, components=(1,), tol=1e-8)
    assert path.n_steps >= 3
    grid = np.linspace(-1.5, 12.5, 141)
    fig = bound_figure(X, path, params, 1, t, grid)
    (ell,) = by_name(fig, "ℓ(μ₂)")
    np.testing.assert_allclose(ell.y, [scipy_ell(2.0, m) for m in grid], rtol=1e-12)
    bounds = [trace for trace in fig.data if "bound" in (trace.name or "")]
    assert len(bounds) == t + 1
    for s, trace in enumerate(bounds):
        current = with_means(params, path.means[s])
        expected = bound_of_means(X, current, e_step(X, current).resp, along_mean(current, 1, grid))
        drawn = np.asarray(trace.y, dtype=float)
        shown = np.isfinite(drawn)
        np.testing.assert_allclose(drawn[shown], expected[shown], rtol=1e-12)
        assert np.all(drawn[shown] <= np.asarray(ell.y)[shown] + 1e-9)
    (m_step,) = by_name(fig, "M-step")
    np.testing.assert_allclose(m_step.x, path.means[[t, t + 1, t + 1], 1, 0])
    touch, top, new = m_step.y
    assert touch == pytest.approx(path.log_likelihoods[t], abs=1e-10)
    assert touch <= top + 1e-12 <= new + 2e-12
    assert f"E-step {t + 1}" in fig.layout.title.text


def test_bound_figure_refuses_a_step_beyond_the_run():
    path = em_mean_path(X, start(), components=(1,), tol=1e-8)
    with pytest.raises(ValueError, match="t must be between"):
        bound_figure(X, path, start(), 1, path.n_steps, np.linspace(0, 10, 11))


def test_surface_rows_are_mu_2_and_columns_mu_1():
    values = np.array([0.0, 2.0, 9.0])
    surface = likelihood_surface(X, start(), values)
    for i, mu_2 in enumerate(values):
        for j, mu_1 in enumerate(values):
            assert surface[i, j] == pytest.approx(scipy_ell(mu_1, mu_2), rel=1e-12)


def test_paths_figure_draws_both_paths_and_their_step_counts():
    params = start(5.0, 6.0)
    em = em_mean_path(X, params, tol=1e-6)
    gradient = gradient_path(X, params, step_size=0.1, tol=1e-6)
    values = np.linspace(-1.5, 12.5, 31)
    fig = paths_figure(likelihood_surface(X, params, values), values, em, gradient, 0.1)
    (em_trace,) = by_name(fig, "EM")
    (gd_trace,) = by_name(fig, "gradient ascent, step 0.1")
    np.testing.assert_allclose(em_trace.x, em.means[:, 0, 0])
    np.testing.assert_allclose(em_trace.y, em.means[:, 1, 0])
    np.testing.assert_allclose(gd_trace.x, gradient.means[:, 0, 0])
    assert em_trace.name.endswith(f"{em.n_steps} steps")
    assert gd_trace.name.endswith(f"{gradient.n_steps} steps")
    # the start is marked where both paths begin
    (start_trace,) = by_name(fig, "start")
    assert (start_trace.x[0], start_trace.y[0]) == (5.0, 6.0)
    # equal scales, so the landscape is not stretched
    assert fig.layout.yaxis.scaleanchor == "x"


def test_a_path_that_does_not_converge_says_so_in_the_legend():
    params = start()
    em = em_mean_path(X, params, tol=1e-6)
    stuck = gradient_path(X, params, step_size=0.7, tol=1e-6, max_iter=50)
    values = np.linspace(0, 11, 12)
    fig = paths_figure(likelihood_surface(X, params, values), values, em, stuck, 0.7)
    (gd_trace,) = by_name(fig, "gradient ascent")
    assert "not converged in 50 steps" in gd_trace.name


@pytest.mark.parametrize("which", ["bound", "paths"])
def test_the_legend_has_room_under_the_axis_on_a_phone(which):
    params = start(5.0, 6.0)
    if which == "bound":
        path = em_mean_path(X, params, components=(1,), tol=1e-8)
        fig = bound_figure(X, path, params, 1, 1, np.linspace(0, 11, 23))
    else:
        em = em_mean_path(X, params, tol=1e-6)
        gd = gradient_path(X, params, step_size=0.1, tol=1e-6)
        values = np.linspace(0, 11, 12)
        fig = paths_figure(likelihood_surface(X, params, values), values, em, gd, 0.1)
    # a 390 px phone: the legend's entries wrap; the bottom margin holds every row
    assert fig.layout.legend.yref == "container"
    assert fig.layout.margin.b >= 56 + 2 * LEGEND_ROW_PX
