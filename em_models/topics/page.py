"""EM for topics: pLSA and LDA, stepped in the same view as every model (the page body). The
bars corpus by default, the rivers-and-money documents, or the student's own text; then pLSA
and LDA side by side on the same documents."""

import streamlit as st

from em_models.topics import beside
from em_models.topics.corpus import (
    RIVERS_AND_MONEY,
    corpus_from_text,
    decode_documents,
    make_bars,
)
from em_models.topics.fits import DEFAULT_PRIOR, fit_topics
from em_models.topics.lda import exports as lda_exports
from em_models.topics.page_sections import inner_loop_section
from em_models.topics.plsa import exports as plsa_exports
from em_models.topics.steps import MODEL_NAMES
from em_models.topics.view import TopicsView
from em_ui import links
from em_ui.controls import is_narrow
from em_ui.exports import export_section
from em_ui.state import keep
from em_ui.stepper import Extras, stepping_view
from em_ui.text import literal
from em_viz.exports import file_stem

KEY = "topics"
MODELS = {"plsa": "pLSA", "lda": "LDA"}
SOURCES = {"bars": "The bars", "rivers": "Rivers and money", "own": "Your own documents"}
SPLITS = {"line": "One per line", "paragraph": "One per paragraph"}
BARS_DOCUMENTS = 300
MAX_ITER = 100
MAX_TOPICS = 10  # the chart has colours for ten topics


def _number(value: float) -> str:
    return f"{value:g}"


link = links.start(KEY)
st.title("EM for topics: pLSA and LDA")
st.write(
    "A topic model explains each document as a mix of topics, and each topic as a "
    "distribution over words. The missing data are the topics of the single words: the "
    "E-step shares each word of each document among the topics, and the M-step counts, "
    "with those shares, which words each topic produced and which topics each document "
    "used. pLSA fits the probabilities themselves; LDA (latent Dirichlet allocation) puts "
    "Dirichlet priors on them and fits its posterior by variational EM, whose E-step is a "
    "loop of its own."
)

model = st.radio(
    "Model",
    list(MODELS),
    format_func=MODELS.get,
    horizontal=True,
    key=keep(f"{KEY}.model"),
    bind=links.bind(f"{KEY}.model", MODELS.get),
)
source = st.radio(
    "Documents",
    list(SOURCES),
    format_func=SOURCES.get,
    horizontal=True,
    key=keep(f"{KEY}.kind"),
    bind=links.bind(f"{KEY}.kind", SOURCES.get),
)
left_out = None
if source == "bars":
    corpus = make_bars(BARS_DOCUMENTS, seed=0).corpus
    st.caption(
        f"The bars (Griffiths and Steyvers, 2004): {BARS_DOCUMENTS} documents of 100 words "
        "each over 25 words, the cells of a 5 × 5 grid. Each of the ten true topics is one "
        "row or one column of the grid; each document mixes them at random (seed 0)."
    )
    default_k = 10
elif source == "rivers":
    corpus = corpus_from_text("\n".join(RIVERS_AND_MONEY))
    st.caption(
        "Twelve short sentences: six about rivers, six about money. The word 'bank' belongs "
        "to both."
    )
    default_k = 2
else:
    left_out = "Your own documents cannot travel in a link: whoever opens it is asked for them."
    by = st.radio(
        "Documents are",
        list(SPLITS),
        format_func=SPLITS.get,
        horizontal=True,
        key=keep(f"{KEY}.split"),
        bind=links.bind(f"{KEY}.split", SPLITS.get),
    )
    upload = st.file_uploader("A text file of documents", type=["txt"], key=f"{KEY}.upload")
    text = st.text_area(
        "Or paste your documents",
        key=keep(f"{KEY}.text"),
        height=150,
        max_chars=2_000_000,
        help="Words are runs of letters, in lower case; numbers, punctuation and common "
        "words such as 'the' are left out.",
    )
    if upload is not None:
        try:
            text = decode_documents(upload.getvalue())
        except ValueError as error:
            st.error(literal(str(error)))
            link.stop(left_out=left_out)
    if not text.strip():
        st.info("Paste or upload some documents to begin.")
        link.stop(left_out=left_out)
    try:
        corpus = corpus_from_text(text, by)
    except ValueError as error:
        st.error(literal(str(error)))
        link.stop(left_out=left_out)
    st.caption(
        f"{corpus.n_documents:,} documents, {corpus.n_tokens:,.0f} words kept, "
        f"{corpus.n_words:,} different ones (numbers, punctuation and common words such as "
        "'the' left out)."
    )
    default_k = 2

columns = st.columns(4 if model == "lda" else 3)
n_topics = int(
    columns[0].number_input(
        "Topics K",
        min_value=2,
        max_value=MAX_TOPICS,
        value=default_k,
        key=keep(f"{KEY}.k.{source}"),
        bind=links.bind(f"{KEY}.k.{source}"),
    )
)
seed = int(
    columns[1].number_input(
        "Seed of the random start",
        min_value=0,
        max_value=2**31 - 2,
        value=0,
        key=keep(f"{KEY}.seed"),
        bind=links.bind(f"{KEY}.seed"),
        help="EM starts from random topics and random mixes; the same seed gives the same.",
    )
)
tol = columns[2].select_slider(
    "Tolerance (tol)",
    options=[1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
    value=1e-3,
    format_func=_number,
    key=keep(f"{KEY}.tol"),
    bind=links.bind(f"{KEY}.tol", _number),
    help="EM stops once ℓ per word (LDA: the bound per word) changes by less than this.",
)
prior = None
if model == "lda":
    prior = columns[3].select_slider(
        "Priors α = η",
        options=[0.01, 0.05, 0.1, 0.5, 1.0],
        value=DEFAULT_PRIOR,
        format_func=_number,
        key=keep(f"{KEY}.prior"),
        bind=links.bind(f"{KEY}.prior", _number),
        help="The Dirichlet priors' parameter, on each document's mix (α) and on each "
        "topic's words (η). Small: few topics a document, few words a topic. On the bars "
        "with ten topics, 0.1 or less stalls from every start we tried: the topics stay "
        "nearly flat and the bound stops rising within a dozen iterations — a poor local "
        "optimum worth watching once.",
    )
document = int(
    st.number_input(
        "Document whose words the chart colours",
        min_value=1,
        max_value=corpus.n_documents,
        value=1,
        key=keep(f"{KEY}.document"),
        bind=links.bind(f"{KEY}.document"),
    )
)

settings = {"seed": seed, "tol": tol, "max_iter": MAX_ITER, "alpha": prior, "eta": prior}
try:
    with st.spinner(f"Running {MODELS[model]} on {corpus.n_documents:,} documents…"):
        trace = fit_topics(model, corpus, n_topics, **settings)
except ValueError as error:
    st.error(literal(str(error)))
    link.stop(left_out=left_out)

view = TopicsView(corpus, trace, document=document - 1)
exports = lda_exports if model == "lda" else plsa_exports


def footer() -> None:
    """Under the view's tabs (inside its fragment, so it follows the half-step on screen):
    LDA's inner loop, then the export."""
    if model == "lda":
        inner_loop_section(view, int(st.session_state[f"{KEY}.h"]), key=KEY)
    export_section(
        KEY,
        exports.CAPTION,
        exports.files(corpus, trace, figure=lambda: view.figure(0, narrow=False)),
    )


extras = Extras(png_name=lambda h: file_stem("em", model, view.label(h)), footer=footer)
stepping_view(view, key=KEY, extras=extras)

other = "lda" if model == "plsa" else "plsa"
other_prior = DEFAULT_PRIOR if other == "lda" else None
side_by_side = st.expander(
    f"{MODELS[model]} beside {MODELS[other]} on the same documents",
    key=f"{KEY}.beside",
    on_change="rerun",
)
if side_by_side.open:  # nothing is fitted or drawn while it is closed
    with side_by_side:
        other_trace = fit_topics(
            other, corpus, n_topics, **{**settings, "alpha": other_prior, "eta": other_prior}
        )
        traces = {model: trace, other: other_trace}
        beside.section(corpus, traces, document - 1, MODEL_NAMES, narrow=is_narrow(KEY))
link.finish(left_out=left_out)
