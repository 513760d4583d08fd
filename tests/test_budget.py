"""The work budget of one request (em_ui/budget.py) and the default restarts under it."""

from __future__ import annotations

import re

import pytest

from em_ui import budget
from em_ui.settings import default_restarts


def test_work_grows_with_every_factor_of_the_request():
    base = {"max_iter": 100, "n_init": 2, "init": "kmeans"}
    one = budget.work(10_000, 2, 3, **base)
    assert budget.work(20_000, 2, 3, **base) == 2 * one
    assert budget.work(10_000, 2, 3, max_iter=100, n_init=4, init="kmeans") == 2 * one
    assert budget.work(10_000, 3, 3, **base) > one
    assert budget.work(10_000, 2, 4, **base) > one
    assert budget.work(10_000, 2, 3, max_iter=200, n_init=2, init="kmeans") > one
    # Below a few thousand points an iteration costs its overhead: tiny data are not free.
    assert budget.work(6, 1, 2, **base) == budget.work(budget.MIN_CHARGED_POINTS, 1, 2, **base)


def test_the_largest_request_the_page_allows_is_refused_with_its_numbers():
    message = budget.over_budget(1_000_000, 1, 10, max_iter=500, n_init=20, init="kmeans")
    assert message is not None
    for part in ("1,000,000 points", "K = 10", "20 restarts", "up to 500 iterations"):
        assert part in message
    assert re.search(r"fewer restarts, a smaller K or fewer iterations", message)
    assert "sample of the data" in message
    times = float(re.search(r"about ([\d.]+) times", message).group(1))
    ratio = budget.work(1_000_000, 1, 10, max_iter=500, n_init=20) / budget.WORK_BUDGET
    assert times == pytest.approx(ratio, rel=0.05)


def test_a_request_within_the_budget_passes_and_one_just_over_it_does_not():
    fitting = budget.restarts_within_budget(100_000, 2, 5, max_iter=100)
    assert fitting >= 1
    assert budget.over_budget(100_000, 2, 5, max_iter=100, n_init=fitting, init="kmeans") is None
    over = budget.over_budget(100_000, 2, 5, max_iter=100, n_init=fitting + 1, init="kmeans")
    assert over is not None
    assert f"up to {fitting} restarts would fit" in over or fitting == 1


def test_the_classic_defaults_fit_the_budget():
    # Old Faithful, iris, and the size of every synthetic mixture, at their default K.
    for n, d, k in [(272, 2, 2), (150, 4, 3), (10_000, 2, 3), (100_000, 2, 3), (1_000_000, 1, 3)]:
        n_init = default_restarts(n, d, k)
        assert budget.over_budget(n, d, k, max_iter=100, n_init=n_init, init="kmeans") is None


@pytest.mark.parametrize("n_samples", [10, 300, 10_000, 30_000, 100_000, 1_000_000])
@pytest.mark.parametrize("n_features", [1, 2, 8, 50])
@pytest.mark.parametrize("n_components", [1, 2, 5, 10])
def test_default_restarts_fit_the_budget_unless_one_run_cannot(n_samples, n_features, n_components):
    n_init = default_restarts(n_samples, n_features, n_components)
    assert 1 <= n_init <= 10
    within = budget.over_budget(
        n_samples, n_features, n_components, max_iter=100, n_init=n_init, init="kmeans"
    )
    assert within is None or n_init == 1
    if n_samples <= 10_000 and n_features <= 2:
        assert n_init == 10  # the classic defaults stay as they were
