"""One line describing a topic model's prepared run (the run itself is stepped in
:class:`em_models.topics.view.TopicsView`)."""

from __future__ import annotations


def describe_run(title: str, opened) -> str:
    from em_ui.text import literal

    run, trace = opened.run, opened.trace
    corpus = run.require_data()
    seed = "" if run.seed is None else f" (seed {run.seed})"
    return (
        f"{title}: {corpus.n_documents:,} documents over {corpus.n_words:,} words "
        f"({', '.join(literal(w) for w in corpus.vocabulary[:6])}"
        f"{' …' if corpus.n_words > 6 else ''}); K = {trace.final.params.n_topics} topics, "
        f"started from a {run.method} start{seed}, tol = {trace.tol:g}, max_iter = "
        f"{trace.max_iter}. EM run again from that start gives every iteration in the file."
    )
