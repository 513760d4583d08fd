"""pLSA and LDA in the stepping view: the :class:`em_viz.view.StepView` of a topic model's run.

The chart is :func:`em_models.topics.figures.topic_figure`; the numbers of each half-step are
:class:`em_models.topics.steps.TopicSteps`'; the formulas are
:mod:`em_models.topics.formulas`. LDA's curve is the evidence lower bound, and every text
calls it so, never ℓ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from em_core import Trace
from em_models.topics import figures, formulas
from em_models.topics.corpus import Corpus
from em_models.topics.steps import MODEL_NAMES, TopicSteps
from em_viz.chart_text import MAX_ITEMS, chart_text, metric_text
from em_viz.halfstep import button_kind, half_step, half_steps, n_half_steps
from em_viz.status import likelihood_delta_text
from em_viz.view import (
    Block,
    ButtonKind,
    ButtonPhase,
    Caption,
    Heading,
    Metric,
    Note,
    Pick,
    PickRow,
    Summary,
    Table,
    Text,
)

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
TABS = ("Topics", "Documents", "Formulas with these numbers")
TOP_WORDS = 8
# The words of each topic its chart's text alternative reads out.
DESCRIBED_WORDS = 3
HELP = {
    "plsa": {
        "e": "Expectation: for every word of every document, the probability that each topic "
        "produced it, P(z | d, w), from the current topics and topic mixes. Nothing moves but "
        "the words' colours.",
        "m": "Maximisation: each topic becomes the words assigned to it, counted with those "
        "probabilities, and each document's mix the share of its words each topic took.",
    },
    "lda": {
        "e": "Expectation: for each document, an inner loop alternates its words' topics φ "
        "and its topic mix γ until γ settles. The topics stay; the mixes and colours move.",
        "m": "Maximisation: each topic's λ becomes the prior η plus the words assigned to it, "
        "counted with φ. The mixes stay.",
    },
}


def theta(t: int) -> str:
    """θ_t as text: "θ₃"."""
    return "θ" + str(t).translate(SUBSCRIPTS)


def minus(value: float, spec: str = ",.4f") -> str:
    return f"{value:{spec}}".replace("-", "−")


class TopicsView:
    """What the stepping view draws and writes for a pLSA or LDA run.

    Parameters
    ----------
    corpus : Corpus
        The documents the trace was fitted to.
    trace : Trace
        A run of :class:`em_models.topics.plsa.engine.PLSA` or of
        :class:`em_models.topics.lda.engine.LDA`.
    document : int
        The document (from 0) whose words the chart colours.
    """

    slider_help = "Drag to any recorded half-step. Each iteration is an E-step then an M-step."

    def __init__(self, corpus: Corpus, trace: Trace, *, document: int = 0) -> None:
        self.corpus = corpus
        self.trace = trace
        self.steps = TopicSteps(corpus, trace)
        self.model = self.steps.model
        self.document = min(max(int(document), 0), corpus.n_documents - 1)
        self.n_half_steps = n_half_steps(trace)
        self.button_phases = (ButtonPhase(0, HELP[self.model]),)
        self.tabs = TABS

    @property
    def value_name(self) -> str:
        return "evidence lower bound" if self.steps.lda else "log-likelihood ℓ"

    @cached_property
    def button_kinds(self) -> tuple[ButtonKind | None, ...]:
        return tuple(button_kind(half) for half in half_steps(self.trace))

    @cached_property
    def run_key(self) -> str:
        start = self.trace.snapshots[0].params
        parts = [
            repr((self.model, self.corpus.n_documents, self.corpus.n_words)).encode(),
            repr((self.trace.tol, self.trace.max_iter, self.corpus.vocabulary[:50])).encode(),
            self.corpus.counts.tobytes(),
            self.trace.log_likelihoods.tobytes(),
            start.doc_topic.tobytes(),
            start.topic_word.tobytes(),
        ]
        return hashlib.blake2b(b"".join(parts), digest_size=12).hexdigest()

    @cached_property
    def chart_key(self) -> str:
        return f"{self.run_key} {self.document}"

    def label(self, h: int) -> str:
        return half_step(self.trace, h).label

    def figure(self, h: int, *, narrow: bool) -> go.Figure:
        return figures.topic_figure(
            self.corpus, self.trace, h, document=self.document, narrow=narrow
        )

    def summary(self, h: int) -> Summary:
        half = half_step(self.trace, h)
        t = half.params_index
        delta = likelihood_delta_text(self.trace, t)
        rounding = delta is not None and not delta.startswith(("+", "-"))
        name = (
            f"Evidence lower bound ELBO({theta(t)})"
            if self.steps.lda
            else f"Log-likelihood ℓ({theta(t)})"
        )
        metric = Metric(
            name,
            minus(self.trace.snapshots[t].log_likelihood),
            delta=delta,
            delta_color="off" if rounding else "normal",
            help=(
                "A lower bound on log p(words | α, η), the log of the probability of all the "
                "words under the priors: variational EM raises this bound, not ℓ itself."
                if self.steps.lda
                else "ℓ(θ) = Σ n(d, w) log Σ_z P(z | d) P(w | z), summed over every word of "
                "every document."
            ),
        )
        notes = []
        if h == self.n_half_steps - 1:
            notes.append(Note("error" if self.trace.failed else "info", self.trace.message))
        return Summary(metric, self._describe(half), tuple(notes), self._stopping(t))

    def _describe(self, half) -> str:
        name = MODEL_NAMES[self.model]
        if half.kind == "start":
            return (
                f"{name}'s starting point θ₀: random topics and random topic mixes. No E-step "
                "has run yet, so the document's words are grey."
            )
        if half.kind == "E":
            if self.steps.lda:
                sweeps = self.steps.sweeps(half.resp_index)
                inner = (
                    ""
                    if sweeps is None
                    else f" The inner loop took from {sweeps.min()} to {sweeps.max()} sweeps "
                    f"a document (mean {sweeps.mean():.1f})."
                )
                return (
                    f"{half.label}: each document's mix γ and its words' topics φ, alternated "
                    f"with the topics of {theta(half.resp_index)} held fixed.{inner}"
                )
            return (
                f"{half.label}: each word of each document shared among the topics, "
                f"P(z | d, w), from {theta(half.resp_index)}. The topics and the mixes stay."
            )
        if self.steps.lda:
            return f"{half.label}: the topics λ re-estimated from the words' φ, plus η."
        return f"{half.label}: the topics P(w | z) and the mixes P(z | d) re-estimated."

    def _stopping(self, t: int) -> str:
        per = "the bound per word" if self.steps.lda else "ℓ per word"
        test = f"EM stops when {per} changes by less than tol = {self.trace.tol:g}"
        if t == 0:
            return test + "; θ₀ is the first value, so there is no change to test yet."
        change = f"{self.trace.change(t):.2g}".replace("-", "−")
        return test + f"; from {theta(t - 1)} to {theta(t)} it changed by {change}."

    def top_words(self, t: int, n: int = TOP_WORDS) -> pd.DataFrame:
        topics = self.steps.topics(t)
        order = np.argsort(-topics, axis=1, kind="stable")[:, :n]
        return pd.DataFrame(
            {
                f"Topic {z + 1}": [
                    f"{self.corpus.vocabulary[w]} {topics[z, w]:.3f}" for w in order[z].tolist()
                ]
                for z in range(topics.shape[0])
            }
        )

    def describe(self, h: int) -> str:
        """The chart's text alternative: ℓ (LDA: the bound), and each topic's three most
        likely words as the Topics tab writes them."""
        metric = self.summary(h).metric
        words = self.top_words(half_step(self.trace, h).params_index, DESCRIBED_WORDS)
        rows = [f"{column.lower()}: " + ", ".join(words[column]) for column in words.columns]
        K = len(rows)
        headline = [metric_text(metric.label, metric.value)]
        return chart_text(self.label(h), headline, rows[:MAX_ITEMS], total=K, plural="topics")

    def numbers(self, h: int) -> pd.DataFrame:
        """A row per topic: its three most likely words with their probabilities."""
        topics = self.steps.topics(half_step(self.trace, h).params_index)
        order = np.argsort(-topics, axis=1, kind="stable")[:, :3]
        return pd.DataFrame(
            {
                "Topic": [str(z + 1) for z in range(topics.shape[0])],
                "Most likely words": [
                    ", ".join(f"{self.corpus.vocabulary[w]} {topics[z, w]:.2f}" for w in row)
                    for z, row in enumerate(order.tolist())
                ],
            }
        )

    def picks(self, tab: str, h: int) -> Sequence[Pick]:
        half = half_step(self.trace, h)
        n_words = int(np.diff(self.corpus.indptr)[self.document])
        if tab == TABS[2] and half.kind != "start":
            return [Pick("word", "Word of the document", 1, n_words, noun="word")]
        return []

    def tab(self, tab: str, h: int, chosen: Mapping[str, int]) -> Sequence[Block]:
        half = half_step(self.trace, h)
        if tab == TABS[0]:
            return [
                Table(self.top_words(half.params_index)),
                Caption("Each topic's most likely words, with their probabilities."),
            ]
        if tab == TABS[1]:
            mixes = self.steps.mixes(half)
            frame = pd.DataFrame(
                np.round(mixes, 3), columns=[f"Topic {z + 1}" for z in range(mixes.shape[1])]
            )
            frame.insert(0, "Document", np.arange(1, mixes.shape[0] + 1))
            return [Table(frame), Caption("Each document's share of each topic.")]
        return self._formulas(half, chosen)

    def _formulas(self, half, chosen: Mapping[str, int]) -> list[Block]:
        if half.kind == "start":
            return [Text("No E-step has run yet. Step to E-step 1 to see its numbers.")]
        i = int(chosen["word"]) - 1
        pairs = self.steps.document_pairs(self.document)
        w = int(self.corpus.word_ids[pairs][i])
        word = self.corpus.vocabulary[w]
        blocks: list[Block] = [
            Heading(f"{half.label}, document {self.document + 1}"),
            PickRow(("word",)),
            Note("info", f"The word is {word!r}."),
        ]
        blocks += formulas.blocks(self.steps, half, self.document, i)
        return blocks
