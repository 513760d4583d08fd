"""EM for topics: the pLSA and LDA page as a person uses it (AppTest)."""

from __future__ import annotations

import pytest
from pages import PREPARED, upload_prepared_run
from pages import open_page as open_app_page
from stepping import press
from test_app_pages import half_step, open_page, open_tab, page_text

from em_core.trace_json import dumps
from em_models.topics import beside
from em_models.topics.corpus import RIVERS_AND_MONEY, corpus_from_text, make_bars
from em_models.topics.fits import DEFAULT_PRIOR
from em_models.topics.lda import engine as lda
from em_models.topics.lda import trace as lda_trace
from em_models.topics.plsa import engine as plsa
from em_ui.prepared import opened_runs

PAGE = "em_models/topics/page.py"
KEY = "topics"


def metric_value(at) -> float:
    return float(at.metric[0].value.replace("−", "-").replace(",", ""))


@pytest.fixture
def at():
    return open_page(PAGE)


def test_the_page_opens_on_the_bars_with_plsa_and_steps_e_then_m(at):
    corpus = make_bars(300, seed=0).corpus
    trace = plsa.fit(corpus, 10, rng=0, tol=1e-3, max_iter=100)
    assert at.title[0].value == "EM for topics: pLSA and LDA"
    assert at.radio(key=f"{KEY}.model").value == "plsa"
    assert at.radio(key=f"{KEY}.kind").value == "bars"
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-4)
    press(at, f"{KEY}.e")
    assert half_step(at, KEY) == 1
    assert "E-step 1: each word of each document shared among the topics" in page_text(at)
    open_tab(at, KEY, "Formulas with these numbers")
    posterior = plsa.pair_posteriors(corpus, trace.snapshots[0].params)[0]
    assert f"= {posterior[0]:.4f}" in page_text(at)
    press(at, f"{KEY}.m")
    assert half_step(at, KEY) == 2
    assert metric_value(at) == pytest.approx(trace.snapshots[1].log_likelihood, abs=5e-4)
    w = corpus.word_ids[0]
    top = trace.snapshots[1].params.topic_word[:, w]
    assert f"= {top.max():.4f}" in page_text(at)


def test_lda_on_the_rivers_names_its_curve_a_bound_and_scrubs_the_inner_loop(at):
    at.radio(key=f"{KEY}.model").set_value("lda").run()
    at.radio(key=f"{KEY}.kind").set_value("rivers").run()
    assert not at.exception
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    prior = DEFAULT_PRIOR
    trace = lda.fit(corpus, 2, alpha=prior, eta=prior, rng=0, tol=1e-3, max_iter=100)
    assert at.metric[0].label == "Evidence lower bound ELBO(θ₀)"
    assert metric_value(at) == pytest.approx(trace.snapshots[0].log_likelihood, abs=5e-4)
    press(at, f"{KEY}.e")
    at.session_state[f"{KEY}.inner"] = True  # the inner loop's section opened
    at.run()
    stopped = int(trace.snapshots[1].stats[0])
    at.slider(key=f"{KEY}.sweep").set_value(stopped).run()
    assert not at.exception
    gamma = trace.snapshots[1].params.doc_topic[0]
    mix = ", ".join(f"{p:.3f}" for p in gamma / gamma.sum())
    text = page_text(at)
    assert f"Document 1's mix E[θ] after sweep {stopped}: ({mix})" in text
    assert f"It stopped after {stopped} sweeps" in text
    assert "log-likelihood" not in at.metric[0].label


def test_own_documents_are_tokenized_and_bad_text_gets_the_tokenizers_message(at):
    at.radio(key=f"{KEY}.kind").set_value("own").run()
    assert any("Paste or upload" in i.value for i in at.info)
    at.text_area(key=f"{KEY}.text").input("Only one document here.").run()
    assert not at.exception
    assert any("a single document" in e.value for e in at.error)
    at.text_area(key=f"{KEY}.text").input("Cats and *dogs* <b>\nDogs chase cats\nFish swim").run()
    assert not at.exception
    # "b" of the tag is a word of letters: the text is taken literally, not as HTML.
    assert "3 documents, 8 words kept, 6 different ones" in page_text(at)


def test_a_prepared_lda_run_opens_in_the_stepping_view():
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    trace = lda.fit(corpus, 2, rng=0, tol=1e-4)
    opened_runs.clear()
    raw = dumps(lda_trace.write(trace, corpus)).encode()
    at = upload_prepared_run(open_app_page(PREPARED, timeout=120), raw)
    assert not at.error, [e.value for e in at.error]
    assert at.metric[0].label == "Evidence lower bound ELBO(θ₀)"
    press(at, "prepared.end")
    assert "Converged after" in page_text(at)


def test_plsa_beside_lda_draws_both_runs_topics_and_keeps_the_tables(at):
    at.radio(key=f"{KEY}.kind").set_value("rivers").run()
    assert len(at.get("plotly_chart")) == 1  # closed: nothing beside is fitted or drawn
    at.session_state[f"{KEY}.beside"] = True
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2  # the stepping view's chart and the topics beside
    text = page_text(at)
    assert "Mean entropy of a topic: pLSA " in text
    assert "Document 1's topic mix at the end of each run" in text
    assert len(at.dataframe) >= 2  # each run's topics as a table


def test_an_uploaded_file_that_is_not_utf8_is_reported_not_silently_changed(at):
    at.radio(key=f"{KEY}.kind").set_value("own").run()
    # Line 3 holds a good "é" (2 bytes, 1 character) before the bad byte.
    raw = b"River banks and water\nMoney in the bank\n" + "Café ".encode() + b"\xff loans\n"
    at.file_uploader(key=f"{KEY}.upload").set_value(("documents.txt", raw, "text/plain")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == [
        "The file is not UTF-8 text: byte 47 of the file (0xFF, on line 3, column 6) is not "
        "UTF-8. Nothing was read from it, and the file is left as it is. Save it as UTF-8 "
        "(most editors offer it under Save as) and try again."
    ]
    assert "�" not in page_text(at)  # no replacement character: no run on changed text
    assert not at.metric
    fixed = raw.replace(b"\xff", b"")
    at.file_uploader(key=f"{KEY}.upload").set_value(("documents.txt", fixed, "text/plain")).run()
    assert not at.error
    assert "3 documents" in page_text(at)


def test_beside_plsa_the_bars_lda_uses_the_pages_default_prior_not_one_over_k(at):
    at.session_state[f"{KEY}.beside"] = True
    at.run()
    assert not at.exception
    corpus = make_bars(300, seed=0).corpus
    fits = {
        prior: lda.fit(corpus, 10, alpha=prior, eta=prior, rng=0, tol=1e-3, max_iter=100)
        for prior in (DEFAULT_PRIOR, 1 / 10)
    }
    entropy = {
        prior: beside.entropy_bits(lda.topics(t.snapshots[-1].params)).mean()
        for prior, t in fits.items()
    }
    assert abs(entropy[DEFAULT_PRIOR] - entropy[0.1]) > 0.05  # the two priors' runs differ
    text = page_text(at)
    assert f", LDA {entropy[DEFAULT_PRIOR]:.2f} (" in text
    assert f"or {DEFAULT_PRIOR:g} when the page shows pLSA" in text
