"""The topic models' trace files, written and read back (one codec, both models): the
document ``python -m em_core fit --model plsa`` (or ``lda``) prints and the export writes,
and the run checked back into numbers and recomputed for *Open a prepared run*.

Fields: ``model`` ("plsa" or "lda"), ``n_topics``, ``n_documents``, ``n_words``,
``vocabulary``, ``settings`` (LDA: ``alpha``, ``eta``, ``inner_max_iter``, ``inner_tol``;
pLSA: none), ``init`` (``method`` "random" or "given", and ``seed``), the stopping fields
every trace has, ``iterations`` (pLSA: ``doc_topic`` P(z | d), ``topic_word`` P(w | z) and
``log_likelihood``; LDA: ``gamma`` γ, ``lambda`` λ and ``bound``, the evidence lower bound,
never called a log-likelihood), and ``data``: the counts as compressed sparse rows
(``indptr``, ``word_ids``, ``counts``), three flat lists whatever the corpus's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from em_core.em import Snapshot, Trace, run_em
from em_core.model import StopReason
from em_core.trace_json import (
    NO_DATA,
    TraceFileError,
    _array,
    _fields,
    _init,
    _iterations,
    _number,
    _status,
    _text,
    _whole,
    check_replayed,
    stopping_fields,
)
from em_models.topics.common import (
    MAX_TOPICS,
    START_METHODS,
    TopicParameters,
    TopicStart,
    in_model_words,
)
from em_models.topics.corpus import MAX_DOCUMENTS, MAX_VOCABULARY, Corpus

MAX_PAIRS = 1_000_000


@dataclass(frozen=True)
class Spec:
    """How one model names its fields: ``tables`` (the two tables' field names) and
    ``value`` (the curve's: "log_likelihood" or "bound"), and its ``settings``."""

    name: str
    tables: tuple[str, str]
    value: str
    settings: tuple[str, ...]


PLSA = Spec("plsa", ("doc_topic", "topic_word"), "log_likelihood", ())
LDA = Spec("lda", ("gamma", "lambda"), "bound", ("alpha", "eta", "inner_max_iter", "inner_tol"))
FIELDS = (
    *("model", "n_topics", "n_documents", "n_words", "vocabulary", "settings", "init"),
    *("tol", "max_iter", "converged", "n_iter", "status", "message", "iterations"),
)


def data_fields(corpus: Corpus) -> dict[str, list]:
    return {
        "indptr": corpus.indptr.tolist(),
        "word_ids": corpus.word_ids.tolist(),
        "counts": corpus.counts.tolist(),
    }


def write(
    spec: Spec, trace: Trace, corpus: Corpus, number: Callable, *, with_data: bool = True
) -> dict[str, Any]:
    """The trace of a topic model as plain JSON types, with (``with_data``) the counts."""
    first, second = spec.tables
    document = {
        "model": spec.name,
        "n_topics": trace.final.params.n_topics,
        "n_documents": corpus.n_documents,
        "n_words": corpus.n_words,
        "vocabulary": list(corpus.vocabulary),
        "settings": {name: getattr(trace.model, name) for name in spec.settings},
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        **stopping_fields(trace),
        "iterations": [
            {
                "iteration": snapshot.iteration,
                first: snapshot.params.doc_topic.tolist(),
                second: snapshot.params.topic_word.tolist(),
                spec.value: number(snapshot.log_likelihood),
            }
            for snapshot in trace.snapshots
        ],
    }
    if with_data:
        document["data"] = data_fields(corpus)
    return document


@dataclass(frozen=True, eq=False)
class TopicRun:
    """A topic model's trace that passed :func:`read`."""

    model_name: str
    corpus: Corpus | None
    vocabulary: tuple[str, ...]
    settings: dict[str, Any]
    method: str
    seed: int | None
    tol: float
    max_iter: int
    status: StopReason
    recorded: tuple[Snapshot, ...]

    @property
    def X(self) -> Corpus | None:
        return self.corpus

    @property
    def columns(self) -> tuple[str, ...]:
        return self.vocabulary

    @property
    def n_iter(self) -> int:
        return len(self.recorded) - 1

    def require_data(self) -> Corpus:
        if self.corpus is None:
            raise TraceFileError(NO_DATA)
        return self.corpus


def read(spec: Spec, document: Any) -> TopicRun:
    """A topic model's trace document, every field checked; :class:`TraceFileError` saying
    what is wrong and where."""
    document = _fields(document, "The trace", FIELDS, ("data",))
    k = _whole(document["n_topics"], "n_topics", low=1, high=MAX_TOPICS)
    n_docs = _whole(document["n_documents"], "n_documents", low=2, high=MAX_DOCUMENTS)
    n_words = _whole(document["n_words"], "n_words", low=2, high=MAX_VOCABULARY)
    vocabulary = document["vocabulary"]
    if not isinstance(vocabulary, list) or len(vocabulary) != n_words:
        raise TraceFileError(f"vocabulary must be a list of n_words = {n_words:,} words.")
    vocabulary = tuple(_text(word, f"vocabulary[{j}]") for j, word in enumerate(vocabulary))
    settings = _settings(spec, document["settings"])
    method, seed = _init(document, START_METHODS)
    n_iter = _whole(document["n_iter"], "n_iter")
    status = _status(document)
    _text(document["message"], "message")
    iterations = _iterations(document, n_iter)
    shapes = ((n_docs, k), (k, n_words))
    recorded = tuple(_snapshot(spec, entry, t, shapes) for t, entry in enumerate(iterations))
    corpus = None
    if "data" in document:
        corpus = _corpus(document["data"], n_docs, vocabulary)
    return TopicRun(
        spec.name,
        corpus,
        vocabulary,
        settings,
        method,
        seed,
        _number(document["tol"], "tol"),
        _whole(document["max_iter"], "max_iter", low=n_iter),
        status,
        recorded,
    )


def _settings(spec: Spec, settings: Any) -> dict[str, Any]:
    settings = _fields(settings, "settings", spec.settings)
    checked = {}
    for name in spec.settings:
        if name == "inner_max_iter":
            checked[name] = _whole(settings[name], f"settings.{name}", low=1, high=10_000)
        else:
            checked[name] = _number(settings[name], f"settings.{name}")
            if checked[name] <= 0:
                raise TraceFileError(f"settings.{name} must be > 0.")
    return checked


def _snapshot(spec: Spec, entry: Any, t: int, shapes) -> Snapshot:
    where = f"iterations[{t}]"
    entry = _fields(entry, where, ("iteration", *spec.tables, spec.value))
    if _whole(entry["iteration"], f"{where}.iteration") != t:
        raise TraceFileError(f"{where}.iteration must be {t}.")
    tables = [
        _array(entry[name], f"{where}.{name}", shape)
        for name, shape in zip(spec.tables, shapes, strict=True)
    ]
    for name, array in zip(spec.tables, tables, strict=True):
        if np.any(array < 0):
            raise TraceFileError(f"{where}.{name} must hold numbers ≥ 0.")
    value = _number(entry[spec.value], f"{where}.{spec.value}", low=None)
    return Snapshot(t, TopicParameters(*tables), value, None)


def _corpus(data: Any, n_documents: int, vocabulary: tuple[str, ...]) -> Corpus:
    data = _fields(data, "data", ("indptr", "word_ids", "counts"))
    pairs = data["counts"]
    if not isinstance(pairs, list) or not 1 <= len(pairs) <= MAX_PAIRS:
        raise TraceFileError(f"data.counts must be a list of 1 to {MAX_PAIRS:,} counts.")
    indptr = _array(data["indptr"], "data.indptr", (n_documents + 1,))
    word_ids = _array(data["word_ids"], "data.word_ids", (len(pairs),))
    counts = _array(pairs, "data.counts", (len(pairs),))
    steps = np.diff(indptr)
    if indptr[0] != 0 or indptr[-1] != len(pairs) or np.any(steps < 1):
        raise TraceFileError(
            "data.indptr must rise from 0 to the number of counts, by at least 1 a document."
        )
    if np.any(word_ids != np.round(word_ids)) or np.any(indptr != np.round(indptr)):
        raise TraceFileError("data.indptr and data.word_ids must be whole numbers.")
    if np.any(word_ids < 0) or np.any(word_ids >= len(vocabulary)):
        raise TraceFileError(f"data.word_ids must be from 0 to {len(vocabulary) - 1}.")
    rising = np.diff(word_ids) > 0
    rising[indptr[1:-1].astype(np.int64) - 1] = True  # a new document may start anywhere
    if not rising.all() or np.any(counts <= 0):
        raise TraceFileError(
            "data.word_ids must rise within each document, and data.counts be > 0."
        )
    return Corpus(indptr.astype(np.int64), word_ids.astype(np.int64), counts, vocabulary)


def replay(run: TopicRun, model: Any) -> Trace:
    """``model`` run again from the file's start on its counts; :class:`TraceFileError`
    unless every iteration agrees with the file's."""
    corpus = run.require_data()
    recorded = run.recorded
    lengths = corpus.lengths

    def check(snapshot: Snapshot) -> None:
        t = snapshot.iteration
        if t >= len(recorded):
            raise TraceFileError(
                f"EM on these data goes on past iteration {run.n_iter}, where the file stops "
                f"({run.status.value}): the file does not follow from its data and settings."
            )
        mine, theirs, where = recorded[t].params, snapshot.params, f"iterations[{t}]."
        lda = run.model_name == "lda"
        first, second = ("gamma", "lambda") if lda else ("doc_topic", "topic_word")
        rows = lengths[:, None] if lda else 1.0
        columns = corpus.n_tokens / corpus.n_words if lda else 1.0
        check_replayed(where + first, mine.doc_topic, theirs.doc_topic, rows)
        check_replayed(where + second, mine.topic_word, theirs.topic_word, columns)
        value = "bound" if lda else "log_likelihood"
        check_replayed(
            where + value, recorded[t].log_likelihood, snapshot.log_likelihood, corpus.n_tokens
        )

    start = TopicStart(recorded[0].params, run.method, run.seed)
    try:
        trace = run_em(corpus, model, start, tol=run.tol, max_iter=run.max_iter, callback=check)
    except TraceFileError:
        raise
    except ValueError as error:  # the engine refused the start
        raise TraceFileError(f"The start (iterations[0]) cannot be used: {error}") from None
    if trace.n_iter != run.n_iter or trace.stop_reason is not run.status:
        raise TraceFileError(
            f"EM on these data stops after {trace.n_iter} iterations ({trace.stop_reason.value})"
            f", but the file records {run.n_iter} ({run.status.value})."
        )
    return in_model_words(trace, "bound" if run.model_name == "lda" else "log_likelihood")


def cost(run: TopicRun, sweeps: float) -> tuple[float, str]:
    """The estimated seconds of the replay (about 30 ns per pair and topic per pass over
    the pairs, ``sweeps`` passes an iteration) and the run's size in words."""
    corpus = run.require_data()
    k = run.recorded[0].params.n_topics
    seconds = 3e-8 * corpus.n_pairs * k * sweeps * max(run.n_iter, 1)
    return seconds, (
        f"{corpus.n_documents:,} documents, {corpus.n_words:,} words, K = {k} topics × "
        f"{run.n_iter} iterations"
    )
