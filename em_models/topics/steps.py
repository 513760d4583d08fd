"""What a topic model's run shows at each half-step (:mod:`em_viz.halfstep`), for pLSA and LDA
alike: the topics' word probabilities, the documents' topic mixes and one document's
posteriors over topics for each of its words.

pLSA: the topics are P(w | z), the mixes P(z | d), both of the parameters drawn; the E-step
computes P(z | d, w) from θ_t and moves nothing else. LDA: the topics are E[β_k] = λ_k / Σλ_k
of the parameters drawn; the E-step's inner loop moves each document's γ (its mix E[θ_d]) and
φ, so at E-step t + 1 and M-step t + 1 the mixes are the γ that E-step reached (the M-step
keeps it, :class:`em_models.topics.lda.engine.LDA`), and φ is computed from that γ and λ_t.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from em_core import Trace
from em_models.topics.corpus import Corpus
from em_models.topics.lda import engine as lda
from em_models.topics.special import dirichlet_expectation
from em_viz.halfstep import HalfStep

MODEL_NAMES = {"plsa": "pLSA", "lda": "LDA"}


def model_of(trace: Trace) -> str:
    """ "plsa" or "lda", the model of ``trace``."""
    return "lda" if isinstance(trace.model, lda.LDA) else "plsa"


@dataclass(frozen=True, eq=False)
class TopicSteps:
    """The numbers of a topic model's run, half-step by half-step."""

    corpus: Corpus
    trace: Trace

    @cached_property
    def model(self) -> str:
        return model_of(self.trace)

    @property
    def lda(self) -> bool:
        return self.model == "lda"

    def topics(self, t: int) -> NDArray[np.float64]:
        """Each topic's word probabilities in θ_t (topics × words)."""
        params = self.trace.snapshots[t].params
        return lda.topics(params) if self.lda else params.topic_word

    @cached_property
    def _last_gamma(self) -> NDArray[np.float64]:
        """γ after the last E-step, the one run on the final parameters."""
        final = self.trace.final.params
        model = self.trace.model
        beta = np.exp(dirichlet_expectation(final.topic_word))
        gamma, _ = lda.update_documents(
            self.corpus, beta, model.alpha, final.doc_topic, model.inner_max_iter, model.inner_tol
        )
        return gamma

    def gamma_after_e_step(self, t: int) -> NDArray[np.float64]:
        """LDA's γ once E-step t + 1 (run on θ_t) has stopped."""
        if t + 1 <= self.trace.n_iter:
            return self.trace.snapshots[t + 1].params.doc_topic
        return self._last_gamma

    def mixes(self, half: HalfStep) -> NDArray[np.float64]:
        """Each document's topic mix at ``half`` (documents × topics, rows adding to 1)."""
        if not self.lda:
            return self.trace.snapshots[half.params_index].params.doc_topic
        gamma = (
            self.trace.snapshots[0].params.doc_topic
            if half.resp_index is None
            else self.gamma_after_e_step(half.resp_index)
        )
        return gamma / gamma.sum(axis=1, keepdims=True)

    def document_pairs(self, d: int) -> slice:
        return slice(int(self.corpus.indptr[d]), int(self.corpus.indptr[d + 1]))

    def posteriors(self, half: HalfStep, d: int) -> NDArray[np.float64] | None:
        """φ (LDA) or P(z | d, w) (pLSA) of each distinct word of document ``d`` (its words ×
        topics) from the E-step on screen; None before the first."""
        if half.resp_index is None:
            return None
        return self.e_step_posteriors(half.resp_index, d)

    def e_step_posteriors(self, t: int, d: int) -> NDArray[np.float64]:
        """The posteriors E-step t + 1 (on θ_t) gives each distinct word of document ``d``."""
        params = self.trace.snapshots[t].params
        words = self.corpus.word_ids[self.document_pairs(d)]
        if self.lda:
            gamma = self.gamma_after_e_step(t)[d]
            joint = np.exp(
                dirichlet_expectation(gamma)[None, :]
                + dirichlet_expectation(params.topic_word).T[words]
            )
        else:
            joint = params.doc_topic[d][None, :] * params.topic_word.T[words]
        return joint / joint.sum(axis=1, keepdims=True)

    def sweeps(self, t: int) -> NDArray[np.int64] | None:
        """LDA: each document's number of inner sweeps in E-step t + 1 (None if unrecorded)."""
        if not self.lda or t + 1 > self.trace.n_iter:
            return None
        return np.asarray(self.trace.snapshots[t + 1].stats).astype(np.int64)
