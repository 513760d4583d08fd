"""The EM driver (em_core.em.run_em) runs any model through the interface of em_core.model.

The model here is not a Gaussian mixture: two normal densities with known means and unit
variances, only the weight π of the second unknown. Its log-likelihood has one maximum in
π, which scipy finds independently; the driver must get there, record what the model said,
and turn the model's failures into the shared stop reasons. A static check proves the
driver's modules import nothing of the mixture.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import assert_same_values
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from em_core.em import Snapshot, StoppingRule, as_data, run_em
from em_core.model import Failure, StopReason

ROOT = Path(__file__).resolve().parent.parent
LOW, HIGH = 0.0, 3.0
# The mixture's modules: the driver must not need any of them.
MIXTURE_MODULES = {
    "em_models.mixture.gaussian",
    "em_models.mixture.starts",
    "em_models.mixture.engine",
    "em_models.mixture.selection",
    "em_models.mixture.search",
    "em_models.mixture.bound",
    "em_models.mixture.diagnostics",
    "em_core.cli",
}


@dataclass(frozen=True)
class Start:
    params: float
    stats: float | None = None


@dataclass(frozen=True)
class KnownMeans:
    """x ~ (1 − π) N(LOW, 1) + π N(HIGH, 1): the E-step's expectations are the
    probabilities r_n that x_n came from the second density; the M-step is π = mean r_n."""

    name = "two known normals"
    penalised = False
    # The check reports the second density as emptied when π falls below this.
    smallest_weight: float = 0.0
    # The E-step overflows (as a real model's might) on a π above this.
    overflow_above: float = 1.0

    def prepare(self, X):
        return as_data(X)[:, 0]

    def n_observations(self, x):
        return x.size

    def e_step(self, x, weight):
        if weight > self.overflow_above:
            np.exp(np.float64(1000.0))  # overflows: the driver runs under errstate(raise)
        high = weight * norm.pdf(x, HIGH)
        total = (1.0 - weight) * norm.pdf(x, LOW) + high
        return high / total, float(np.log(total).sum())

    def m_step(self, x, resp):
        return float(resp.mean()), float(resp.sum())

    def check(self, x, weight, count, iteration):
        if weight < self.smallest_weight:
            return Failure(StopReason.EMPTIED, f"π fell to {weight:.2g} in {iteration}.", 1)
        return None

    def start_problem(self, x, weight, error):
        if not 0.0 < weight < 1.0:
            return f"π must lie strictly between 0 and 1; it is {weight}."
        return None if error is None else "The first E-step overflowed."


def log_likelihood(x, weight: float) -> float:
    return float(np.log((1 - weight) * norm.pdf(x, LOW) + weight * norm.pdf(x, HIGH)).sum())


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(LOW, 1.0, 140), rng.normal(HIGH, 1.0, 60)])


def test_the_driver_reaches_the_maximum_scipy_finds(x) -> None:
    trace = run_em(x, KnownMeans(), Start(0.9), tol=1e-12, max_iter=500)
    assert trace.converged, trace.message
    best = minimize_scalar(
        lambda w: -log_likelihood(x, w),
        bounds=(1e-9, 1 - 1e-9),
        method="bounded",
        options={"xatol": 1e-12},
    )
    assert trace.final.params == pytest.approx(best.x, abs=1e-6)
    assert trace.final.log_likelihood == pytest.approx(-best.fun, rel=1e-12)


def test_every_snapshot_holds_what_the_model_computed(x) -> None:
    model, start = KnownMeans(), Start(0.9, stats=7.0)
    seen: list[Snapshot] = []
    trace = run_em(x, model, start, tol=0.0, max_iter=6, callback=seen.append)
    assert trace.model is model
    assert trace.start is start
    assert trace.stop_reason is StopReason.MAX_ITER
    assert trace.failure is None
    for mine, kept in zip(seen, trace.snapshots, strict=True):  # the run keeps them packed
        assert_same_values(mine, kept)
    assert [s.iteration for s in trace.snapshots] == list(range(7))
    assert trace.snapshots[0].params == 0.9
    assert trace.snapshots[0].stats == 7.0
    for before, after in zip(trace.snapshots, trace.snapshots[1:], strict=False):
        resp, _ = model.e_step(x, before.params)
        assert after.params == resp.mean()  # the M-step of the E-step on the parameters before
        assert after.stats == resp.sum()
    for snapshot in trace.snapshots:
        assert snapshot.log_likelihood == pytest.approx(
            log_likelihood(x, snapshot.params), rel=1e-13
        )
    assert np.all(np.diff(trace.log_likelihoods) > 0)  # EM climbs


def test_the_models_check_stops_the_run_before_the_bad_parameters(x) -> None:
    low = x[x < 1.0]  # almost nothing from the second density: π falls towards 0
    trace = run_em(low, KnownMeans(smallest_weight=0.01), Start(0.5), tol=0.0, max_iter=200)
    assert trace.stop_reason is StopReason.EMPTIED
    assert trace.failed
    assert trace.failure.part == 1
    assert trace.message == trace.failure.message
    assert trace.message.endswith(f"in {trace.n_iter + 1}.")
    assert all(s.params >= 0.01 for s in trace.snapshots)


def test_an_e_step_that_overflows_stops_the_run_as_numerical(x) -> None:
    # From π = 0.02 EM climbs to about 0.19, then 0.29 (past 0.25): that E-step overflows.
    trace = run_em(x, KnownMeans(overflow_above=0.25), Start(0.02), tol=0.0, max_iter=50)
    assert trace.stop_reason is StopReason.NUMERICAL
    assert trace.failed
    assert trace.failure is None
    assert trace.n_iter == 1
    assert trace.final.params <= 0.25
    assert f"iteration {trace.n_iter + 1} overflowed" in trace.message


@pytest.mark.parametrize(
    ("model", "weight", "words"),
    [
        (KnownMeans(), 1.5, "strictly between 0 and 1; it is 1.5"),
        (KnownMeans(overflow_above=0.2), 0.5, "The first E-step overflowed."),
    ],
)
def test_a_start_the_model_refuses_is_a_clear_error(x, model, weight, words) -> None:
    with pytest.raises(ValueError, match=words):
        run_em(x, model, Start(weight))


def _em_core_imports(path: Path) -> set[str]:
    """The em_core modules ``path`` imports (absolute ``from em_core.x import`` and
    ``import em_core.x``; ``from em_core import x`` counts as em_core.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("em_core"):
            if node.module == "em_core":
                found.update(f"em_core.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("em_core."))
    return found


def test_the_driver_imports_nothing_of_the_mixture() -> None:
    seen, todo = set(), ["em_core.em", "em_core.model"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += _em_core_imports(ROOT / (module.replace(".", "/") + ".py"))
    assert seen >= {"em_core.em", "em_core.model"}
    assert not seen & MIXTURE_MODULES, sorted(seen & MIXTURE_MODULES)


def test_the_stopping_rule_is_one_small_object_the_driver_asks_after_each_e_step():
    rule = StoppingRule(tol=0.01, max_iter=3)
    assert rule.decide(0, [-10.0], 10, False) is None  # θ_0: nothing to compare yet
    assert rule.decide(1, [-10.0, -9.0], 10, False) is None  # 0.1 per point ≥ tol
    reason, message = rule.decide(2, [-9.0, -8.95], 10, False)
    assert reason is StopReason.CONVERGED
    assert "0.005" in message
    assert "tol = 0.01" in message
    reason, message = rule.decide(3, [-9.0, -8.0], 10, False)
    assert reason is StopReason.MAX_ITER
    assert "max_iter = 3" in message
    for tol, max_iter in ((-1.0, 3), (float("nan"), 3), (0.1, -1), (0.1, 2.5)):
        with pytest.raises(ValueError, match="must be"):
            StoppingRule(tol, max_iter)
