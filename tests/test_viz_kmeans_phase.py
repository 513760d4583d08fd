"""The K-means phase of the stepping view: the half-step model, what each K-means half-step
shows (centres, hard colours, W), the formulas, and the figures that play it into EM.

References: the engine's recorded Lloyd steps (centres and W), scikit-learn's KMeans started
from the same seeds, and the averages and distances recomputed here from the data.
"""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest
from sklearn.cluster import KMeans

import em_models.mixture.engine
import em_models.mixture.figures_1d
import em_models.mixture.figures_2d
import em_models.mixture.formulas
import em_models.mixture.kmeans_phase
import em_models.mixture.starts
import em_models.mixture.view
import em_viz
from em_data.datasets import load_dataset
from em_models.mixture import kmeans_phase
from em_models.mixture.engine import fit
from em_models.mixture.kmeans_phase import half_step, half_steps, kmeans_half_steps, n_half_steps
from em_models.mixture.starts import kmeans, nearest_center
from em_ui.controls import step_targets
from em_viz.colors import component_colors

FAITHFUL = np.asarray(load_dataset("faithful").values)
GALAXIES = np.asarray(load_dataset("galaxies").values)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[np.ndarray, object]]:
    """K-means starts in two dimensions and in one, with several K-means steps each."""
    return {
        "2d": (FAITHFUL, fit(FAITHFUL, 3, rng=1)),
        "1d": (GALAXIES, fit(GALAXIES, 3, rng=0)),
    }


def steps_of(trace):
    return trace.start.kmeans_steps


# ---------------------------------------------------------------------------------------
# The half-step model


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_the_kmeans_phase_comes_first_then_the_hand_off_then_em_unchanged(kind, runs):
    _, trace = runs[kind]
    S = len(steps_of(trace)) - 1
    assert S >= 2
    offset = kmeans_half_steps(trace)
    assert offset == 2 * (S + 1)
    assert n_half_steps(trace, kmeans=True) == offset + n_half_steps(trace)
    halves = half_steps(trace, kmeans=True)
    assert [h.index for h in halves] == list(range(len(halves)))
    kinds = [h.kind for h in halves[:offset]]
    assert kinds == ["seeds", *(["assign", "update"] * S), "assign"]
    assert [h.label for h in halves[:4]] == [
        "Seeds",
        "Assign 1",
        "Update 1",
        "Assign 2",
    ]
    for half in halves[:offset]:
        assert kmeans_phase.in_kmeans(half)
        assert half.params_index is None
        assert half.resp_index is None
    # The centres move only at an update; the colours change only at an assignment.
    centres, colours = kmeans_phase.centers_index, kmeans_phase.labels_index
    for before, after in itertools.pairwise(halves[:offset]):
        if after.kind == "assign":
            assert centres(after) == centres(before)
        else:
            assert centres(after) == centres(before) + 1
            assert colours(after) == colours(before)
    hand_off = halves[offset]
    assert (hand_off.kind, hand_off.label, hand_off.params_index) == ("start", "Hand-off", 0)
    assert colours(hand_off) == S  # the last assignment, which θ₀ was read off
    assert not any(kmeans_phase.in_kmeans(half) for half in halves[offset:])
    assert {colours(half) for half in halves[offset + 1 :]} == {None}
    # EM's half-steps follow unchanged, shifted by an even number (E at odd h, M at even).
    assert offset % 2 == 0
    for plain, shifted in zip(half_steps(trace)[1:], halves[offset + 1 :], strict=True):
        assert shifted.index == plain.index + offset
        assert (shifted.kind, shifted.label, shifted.params_index, shifted.resp_index) == (
            plain.kind,
            plain.label,
            plain.params_index,
            plain.resp_index,
        )


def test_pages_that_do_not_ask_keep_their_half_steps(runs):
    _, trace = runs["2d"]
    assert kmeans_half_steps(trace, kmeans=False) == 0
    assert half_step(trace, 0) == em_viz.HalfStep(0, "start", 0, None, "Start")
    assert n_half_steps(trace) == 2 * trace.n_iter + 2


def test_a_run_without_kmeans_steps_cannot_be_stepped_from_its_seeds():
    trace = fit(FAITHFUL, 2, init="random_from_data", rng=0)
    with pytest.raises(ValueError, match="did not start from K-means"):
        half_steps(trace, kmeans=True)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_a_half_step_outside_the_run_is_refused(kind, runs):
    _, trace = runs[kind]
    last = n_half_steps(trace, kmeans=True) - 1
    with pytest.raises(ValueError, match=r"from 0 \(Seeds\)"):
        half_step(trace, last + 1, kmeans=True)


def test_each_kmeans_half_step_is_described_truthfully(runs):
    _, trace = runs["2d"]
    seeds, assign, update = half_steps(trace, kmeans=True)[:3]
    assert "no point is assigned yet" in em_models.mixture.view.describe(seeds)
    assert "nearest centre" in em_models.mixture.view.describe(assign)
    assert "have not moved" in em_models.mixture.view.describe(assign)
    assert "still those of assign 1" in em_models.mixture.view.describe(update)
    hand_off = half_step(trace, kmeans_half_steps(trace), kmeans=True)
    assert "θ₀" in em_models.mixture.view.describe(hand_off)
    assert "hard clusters" in em_models.mixture.view.describe(hand_off)


# ---------------------------------------------------------------------------------------
# What a K-means half-step shows


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_colours_centres_and_w_match_the_recorded_lloyd_steps(kind, runs):
    X, trace = runs[kind]
    steps = steps_of(trace)
    for half in half_steps(trace, kmeans=True)[: kmeans_half_steps(trace)]:
        centres = kmeans_phase.centers(trace, half)
        np.testing.assert_array_equal(centres, steps[kmeans_phase.centers_index(half)].centers)
        labels = kmeans_phase.hard_labels(X, trace, half)
        w = kmeans_phase.within_ss(X, trace, half)
        if half.kind == "seeds":
            assert labels is None
            assert w is None
            continue
        np.testing.assert_array_equal(
            labels, nearest_center(X, steps[kmeans_phase.labels_index(half)].centers)
        )
        assert w == pytest.approx(np.square(X - centres[labels]).sum(), rel=1e-12)
        if half.kind == "assign":  # W of these centres, as the engine recorded it
            assert w == pytest.approx(steps[kmeans_phase.centers_index(half)].inertia, rel=1e-12)
        else:  # the centres on screen are the averages of the colours on screen
            for k in range(centres.shape[0]):
                np.testing.assert_allclose(centres[k], X[labels == k].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_the_updates_are_scikit_learns_lloyd_steps_from_the_same_seeds(kind, runs):
    X, trace = runs[kind]
    steps = steps_of(trace)
    for s in range(1, len(steps)):
        reference = KMeans(
            len(steps[0].centers),
            init=steps[0].centers,
            n_init=1,
            max_iter=s,
            tol=0.0,
            algorithm="lloyd",
        ).fit(X)
        update = half_step(trace, 2 * s, kmeans=True)
        np.testing.assert_allclose(
            kmeans_phase.centers(trace, update), reference.cluster_centers_, rtol=1e-10
        )


@pytest.mark.parametrize("seed", range(12))
def test_w_never_rises_and_the_hand_off_keeps_the_last_assignment(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 2)) * [1.0, 3.0] + rng.integers(0, 6, size=(80, 1))
    trace = fit(X, 4, rng=seed)
    halves = half_steps(trace, kmeans=True)
    offset = kmeans_half_steps(trace)
    ws = [kmeans_phase.within_ss(X, trace, h) for h in halves[1:offset]]
    assert all(b <= a * (1 + 1e-12) for a, b in itertools.pairwise(ws)), ws
    hand_off = halves[offset]
    labels = kmeans_phase.hard_labels(X, trace, hand_off)
    np.testing.assert_array_equal(labels, kmeans_phase.hard_labels(X, trace, halves[offset - 1]))
    counts = np.bincount(labels, minlength=4)
    np.testing.assert_allclose(trace.snapshots[0].params.weights, counts / X.shape[0])


def test_a_cluster_left_empty_is_refilled_as_the_engine_does_and_said_so():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    centres = np.array([[0.0], [10.0], [100.0]])  # nobody's nearest: cluster 3 empties
    steps, _ = kmeans(np.ascontiguousarray(X.T), centres)
    trace = SimpleNamespace(start=SimpleNamespace(kmeans_steps=steps), n_iter=0)
    update = half_step(trace, 2, kmeans=True)
    assert kmeans_phase.emptied_clusters(X, trace, update) == [2]
    labels = kmeans_phase.hard_labels(X, trace, update)
    shown = kmeans_phase.centers(trace, update)
    # The point farthest from its centre (11, 1 from 10; ties go to the first: 1) now
    # wears cluster 3's colour and sits on its centre.
    (moved,) = np.flatnonzero(labels == 2)
    np.testing.assert_array_equal(shown[2], X[moved])
    notes = kmeans_phase.notes(X, trace, update)
    assert any("Cluster 3 had no points" in n.text for n in notes)
    assert em_models.mixture.formulas.kmeans_update_formula(X, trace, update, 2) is None


def test_the_metric_is_w_with_its_change_and_no_likelihood(runs):
    X, trace = runs["2d"]
    halves = half_steps(trace, kmeans=True)
    label, value, delta = kmeans_phase.metric(X, trace, halves[0], None)
    assert (label, value, delta) == ("Within-cluster sum of squares W", "—", None)
    label, value, delta = kmeans_phase.metric(X, trace, halves[2], halves[1])
    before = kmeans_phase.within_ss(X, trace, halves[1])
    after = kmeans_phase.within_ss(X, trace, halves[2])
    assert float(value) == pytest.approx(after, rel=1e-5)
    assert float(delta) == pytest.approx(after - before, rel=1e-3)
    assert delta.startswith("-")  # an update lowers W


def test_the_last_assignment_says_how_kmeans_ended(runs):
    X, trace = runs["2d"]
    last_assign = half_step(trace, kmeans_half_steps(trace) - 1, kmeans=True)
    assert kmeans_phase.settled(X, trace)
    (note,) = kmeans_phase.notes(X, trace, last_assign)
    updates = len(steps_of(trace)) - 1
    assert note.level == "success"
    assert f"No point changed cluster: K-means stops after {updates} updates" in note.text


def test_tables_show_the_centres_counts_and_distances(runs):
    X, trace = runs["2d"]
    update = half_step(trace, 2, kmeans=True)
    assign = half_step(trace, 1, kmeans=True)
    names = ("eruptions", "waiting")
    table = kmeans_phase.centres_table(X, trace, update, assign, column_names=names)
    steps = steps_of(trace)
    np.testing.assert_array_equal(table["c (waiting)"], steps[1].centers[:, 1])
    np.testing.assert_allclose(
        table["Δc (eruptions)"], steps[1].centers[:, 0] - steps[0].centers[:, 0], atol=1e-4
    )
    labels = nearest_center(X, steps[0].centers)
    np.testing.assert_array_equal(table["n_k"], np.bincount(labels, minlength=3))
    seeds = kmeans_phase.centres_table(X, trace, half_step(trace, 0, kmeans=True), None)
    assert "n_k" not in seeds.columns  # no point is assigned to a seed yet
    assert (seeds["Δc (x2)"] == 0).all()
    assignment = kmeans_phase.assignment_table(X, trace, assign, max_rows=50, column_names=names)
    assert len(assignment) == 50
    distances = np.square(X[:50, None, :] - steps[0].centers[None]).sum(axis=2)
    np.testing.assert_allclose(assignment["‖x−c2‖²"], distances[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(assignment["cluster"], distances.argmin(axis=1) + 1)


def test_formulas_give_the_nearest_centre_and_the_average(runs):
    X, trace = runs["1d"]
    update = half_step(trace, 2, kmeans=True)
    centres = kmeans_phase.centers(trace, update)
    labels = kmeans_phase.hard_labels(X, trace, update)
    for k in range(3):
        line = em_models.mixture.formulas.kmeans_update_formula(X, trace, update, k)
        assert f"{{{int((labels == k).sum())}}}" in line  # the count n_k
        assert line.endswith(f"= {centres[k, 0]:.3f}")
    n = 7
    line = em_models.mixture.formulas.kmeans_assignment_formula(X[n], trace, update, n)
    nearest = int(np.square(X[n] - centres).sum(axis=1).argmin())
    assert line.endswith(rf"\text{{cluster }} {nearest + 1}")
    assert (
        em_models.mixture.formulas.kmeans_update_formula(
            X, trace, half_step(trace, 1, kmeans=True), 0
        )
        is None
    )


def test_the_buttons_are_named_for_kmeans_then_for_em(runs):
    _, trace = runs["2d"]
    offset = kmeans_half_steps(trace)
    em_help = {"e": "the model's E-step", "m": "the model's M-step"}
    phases = kmeans_phase.button_phases(offset, em_help)
    assert [p.start for p in phases] == [0, offset - 1, offset]
    assert phases[0].labels == {"e": "Assign", "m": "Update"}
    assert phases[0].help["e"].startswith("K-means: give every point to its nearest centre")
    assert phases[1].labels["m"] == "Hand-off"
    assert phases[1].help["m"].startswith("Turn the clusters into EM's first parameters θ₀")
    assert phases[2].labels == {}  # EM's own names from the hand-off on
    assert phases[2].help == {**em_help, "reset": "Back to the K-means seeds."}


def test_the_kmeans_phase_declares_which_button_reaches_each_half_step(runs):
    """Assign is the E-step button's, Update and the hand-off the M-step button's; the step
    rule (em_ui.controls.step_targets) then enables Assign at the seeds, Hand-off at the last
    assignment and E-step at the hand-off, and Next moves an assignment and an update."""
    _, trace = runs["2d"]
    offset = kmeans_half_steps(trace)
    halves = half_steps(trace, kmeans=True)
    kinds = [kmeans_phase.button_kind(half) for half in halves]
    assert kinds[: offset + 3] == [None, *(["E", "M"] * (offset // 2)), "E", "M"]
    targets = step_targets(kinds)
    assert (targets["e"][0], targets["m"][0], targets["next"][0]) == (1, None, 2)
    assert (targets["e"][offset - 1], targets["m"][offset - 1]) == (None, offset)
    assert targets["next"][offset - 1] == offset + 1  # the hand-off and E-step 1
    assert (targets["e"][offset], targets["m"][offset]) == (offset + 1, None)
    assert targets["reset"][offset] == 0  # back to the seeds


# ---------------------------------------------------------------------------------------
# Figures


def shown_at(fig: go.Figure, h: int) -> list[dict]:
    """Every trace as the chart shows it at half-step h, after Play ran from the figure's own."""
    spec = fig.to_dict()
    data = spec["data"]

    def merged(base, update):
        out = dict(base)
        for key, value in update.items():
            both = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = merged(out[key], value) if both else value
        return out

    for frame in spec["frames"]:
        for index, update in zip(frame["traces"], frame.get("data", []), strict=True):
            data[index] = merged(data[index], update)
        if frame["name"] == str(h):
            return data
    raise KeyError(h)


def build(kind, X, trace, h, **options):
    if kind == "1d":
        return em_models.mixture.figures_1d.density_figure(X, trace, h, kmeans=True, **options)
    return em_models.mixture.figures_2d.scatter_figure(X, trace, h, kmeans=True, **options)


def by_name(data: list[dict], name: str) -> dict:
    """The trace named ``name`` that draws something (not a legend's entry alone)."""
    (trace,) = [t for t in data if t.get("name") == name and t.get("x") != [None]]
    return trace


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_play_runs_from_the_seeds_through_the_hand_off_into_em(kind, runs):
    X, trace = runs[kind]
    fig = build(kind, X, trace, 0)
    n = n_half_steps(trace, kmeans=True)
    labels = [h.label for h in half_steps(trace, kmeans=True)]
    assert [f.name for f in fig.frames] == [str(i) for i in range(n)]
    assert [re.search(r"<b>(.*?)</b>", f.layout.title.text)[1] for f in fig.frames] == labels
    assert list(fig.layout.updatemenus[0].buttons[0].args[0]) == [str(i) for i in range(n)]
    go.Figure(fig.to_dict())  # plotly accepts every frame
    for i in (1, 2, kmeans_half_steps(trace), kmeans_half_steps(trace) + 1, n - 1):
        assert shown_at(fig, i) == build(kind, X, trace, i).to_dict()["data"], i


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_a_kmeans_frame_shows_centres_and_hard_colours_and_no_mixture(kind, runs):
    X, trace = runs[kind]
    steps = steps_of(trace)
    colours = component_colors(3)
    half = half_step(trace, 3, kmeans=True)  # assign 2: centres c_1, their nearest
    data = build(kind, X, trace, 3).to_dict()["data"]
    centres = by_name(data, "K-means centres")
    np.testing.assert_allclose(centres["x"], steps[1].centers[:, 0], rtol=1e-4)
    if kind == "2d":
        np.testing.assert_allclose(centres["y"], steps[1].centers[:, 1], rtol=1e-4)
        assert data[0]["visible"] is False  # no mixture density yet
        assert by_name(data, "means μ<sub>k</sub>")["x"] == []
        assert by_name(data, "component 1 (1σ)")["x"] == []
    else:
        assert by_name(data, "component 1")["y"] == []
        assert by_name(data, "mixture p(x)")["y"] == []
    labels = nearest_center(X, steps[1].centers)
    assert kmeans_phase.hard_labels(X, trace, half).tolist() == labels.tolist()
    points = by_name(data, "data points")
    assert points["marker"]["color"] == [colours[k] for k in labels]  # every point drawn
    ring = by_name(data, "on screen")
    assert ring["x"] == []  # no ℓ before the hand-off


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_the_hand_off_draws_theta_0_over_the_hard_colours(kind, runs):
    X, trace = runs[kind]
    offset = kmeans_half_steps(trace)
    data = build(kind, X, trace, offset).to_dict()["data"]
    plain = (
        em_models.mixture.figures_1d.density_figure(X, trace, 0)
        if kind == "1d"
        else em_models.mixture.figures_2d.scatter_figure(X, trace, 0)
    ).to_dict()["data"]
    labels = nearest_center(X, steps_of(trace)[-1].centers)
    colours = component_colors(3)
    assert by_name(data, "data points")["marker"]["color"] == [colours[k] for k in labels]
    assert by_name(data, "K-means centres")["x"] == []
    model = ("component 1", "mixture p(x)") if kind == "1d" else ("component 2 (1σ)",)
    for name in model:
        assert by_name(data, name)["y"] == by_name(plain, name)["y"]
    ring = by_name(data, "on screen")
    assert ring["x"] == [0]
    assert ring["y"] == [pytest.approx(trace.snapshots[0].log_likelihood)]
