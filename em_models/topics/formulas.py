"""The formulas of a topic model's half-step with the live numbers, for one word of one
document: the E-step's posterior over topics of that word (pLSA's P(z | d, w), LDA's φ), and
the M-step's new probability of that word in its likeliest topic."""

from __future__ import annotations

import numpy as np

from em_models.topics.lda import engine as lda
from em_models.topics.plsa import engine as plsa
from em_models.topics.special import digamma, dirichlet_expectation
from em_models.topics.steps import TopicSteps
from em_viz.halfstep import HalfStep
from em_viz.view import Block, Heading, Latex


def _n(value: float) -> str:
    return f"{value:.4g}"


def blocks(steps: TopicSteps, half: HalfStep, d: int, i: int) -> list[Block]:
    """The formulas at ``half`` for the ``i``-th distinct word of document ``d``."""
    if half.kind == "E":
        return e_step(steps, half.resp_index, d, i)
    return m_step(steps, half.params_index, d, i)


def e_step(steps: TopicSteps, t: int, d: int, i: int) -> list[Block]:
    posteriors = steps.e_step_posteriors(t, d)[i]
    w = int(steps.corpus.word_ids[steps.document_pairs(d)][i])
    params = steps.trace.snapshots[t].params
    rows = []
    if steps.lda:
        gamma = steps.gamma_after_e_step(t)[d]
        lam = params.topic_word
        theta = np.exp(digamma(gamma) - digamma(gamma.sum()))
        beta = np.exp(dirichlet_expectation(lam)[:, w])
        weights = theta * beta
        for z in range(weights.size):
            rows.append(
                rf"\varphi_{{{z + 1}}} &\propto "
                rf"e^{{\psi({_n(gamma[z])}) - \psi({_n(gamma.sum())})}}"
                rf"\, e^{{\psi({_n(lam[z, w])}) - \psi({_n(lam[z].sum())})}} = {_n(weights[z])}"
                rf"\;\Rightarrow\; \varphi_{{{z + 1}}} = {posteriors[z]:.4f}"
            )
        head = (
            r"\varphi_{dwk} \propto \exp\big(\psi(\gamma_{dk}) - \psi(\textstyle\sum_j"
            r" \gamma_{dj})\big)\,\exp\big(\psi(\lambda_{kw}) - \psi(\textstyle\sum_v"
            r" \lambda_{kv})\big)"
        )
        title = f"φ of this word, from γ of document {d + 1} (after the inner loop) and λ"
    else:
        joint = params.doc_topic[d] * params.topic_word[:, w]
        for z in range(joint.size):
            rows.append(
                rf"P(z{{=}}{z + 1} \mid d, w) &= \frac{{{_n(params.doc_topic[d, z])} \times "
                rf"{_n(params.topic_word[z, w])}}}{{{_n(joint.sum())}}} = {posteriors[z]:.4f}"
            )
        head = (
            r"P(z \mid d, w) = \frac{P(z \mid d)\, P(w \mid z)}"
            r"{\sum_{z'} P(z' \mid d)\, P(w \mid z')}"
        )
        title = "The posterior over topics of this word"
    return [
        Heading(title),
        Latex(head),
        Latex(r"\begin{aligned}" + r"\\".join(rows) + r"\end{aligned}"),
    ]


def m_step(steps: TopicSteps, t: int, d: int, i: int) -> list[Block]:
    """M-step t (θ_{t−1} → θ_t) for the word's likeliest topic."""
    corpus = steps.corpus
    w = int(corpus.word_ids[steps.document_pairs(d)][i])
    before = steps.trace.snapshots[t - 1].params
    after = steps.trace.snapshots[t].params
    if steps.lda:
        gamma = steps.gamma_after_e_step(t - 1)
        beta = np.exp(dirichlet_expectation(before.topic_word))
        counts = lda.expected_counts(corpus, beta, gamma)
        z = int(np.argmax(counts[:, w]))
        eta = steps.trace.model.eta
        return [
            Heading(f"λ of this word in topic {z + 1}, its likeliest"),
            Latex(r"\lambda_{kw} = \eta + \sum_d n(d, w)\, \varphi_{dwk}"),
            Latex(
                rf"\lambda_{{{z + 1}w}} = {_n(eta)} + {_n(counts[z, w])} = "
                rf"{_n(after.topic_word[z, w])},\quad E[\beta_{{{z + 1}w}}] = "
                rf"\frac{{{_n(after.topic_word[z, w])}}}{{{_n(after.topic_word[z].sum())}}}"
                rf" = {after.topic_word[z, w] / after.topic_word[z].sum():.4f}"
            ),
        ]
    posteriors = plsa.pair_posteriors(corpus, before)
    weighted = posteriors * corpus.counts[:, None]
    n_zw = plsa.topic_word_sums(corpus, weighted)
    z = int(np.argmax(n_zw[:, w]))
    n_z = n_zw[z].sum()
    return [
        Heading(f"P(w | z) of this word in topic {z + 1}, its likeliest"),
        Latex(
            r"P(w \mid z) = \frac{n(z, w)}{n(z)},\quad n(z, w) = \sum_d n(d, w)\, "
            r"P(z \mid d, w)"
        ),
        Latex(
            rf"P(w \mid z{{=}}{z + 1}) = \frac{{{_n(n_zw[z, w])}}}{{{_n(n_z)}}} = "
            rf"{after.topic_word[z, w]:.4f}"
        ),
    ]
