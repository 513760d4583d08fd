"""What both topic models' runs share on *Open a prepared run* (each model's ``prepared``
part, :mod:`em_models.topics.plsa.prepared` and :mod:`em_models.topics.lda.prepared`, adds
its own reading, cost, replay and description): the limit on the topics drawn, and the
stepping view."""

from __future__ import annotations

from em_models.topics import files

# The charts colour at most this many topics.
MAX_DRAWN_TOPICS = 10


def limit(run: files.TopicRun) -> str | None:
    k = run.recorded[0].params.n_topics
    if k > MAX_DRAWN_TOPICS:
        return f"The run has {k} topics; the app draws at most {MAX_DRAWN_TOPICS}."
    return None


def show(opened, key: str) -> None:
    """The stepping view of the run, in the topic models' own view."""
    from em_models.topics.view import TopicsView
    from em_ui.stepper import stepping_view

    stepping_view(TopicsView(opened.run.require_data(), opened.trace), key=key)
