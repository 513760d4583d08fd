"""The command line of both topic models.

::

    python -m em_core fit counts.csv --model plsa --n-topics 10
    python -m em_core fit counts.npy --model lda --n-topics 10 --alpha 1 --eta 0.1
    python -m em_core topics documents.txt --model lda --n-topics 2 --by line

``fit FILE`` reads a document–word count matrix, one row per document and one column per
word: a ``.csv`` whose header row names the words, or a ``.npy`` array (words then named
w1, w2, …). ``topics FILE`` reads a plain text file of documents instead, one per line
(``--by line``) or per paragraph (``--by paragraph``), tokenized by
:func:`em_models.topics.corpus.tokenize` within the limits of
:func:`em_models.topics.corpus.corpus_from_text`. Both print the trace as one JSON object
(:mod:`em_models.topics.files`). ``--n-topics`` is in both models' ``OPTIONS`` (the shared
command line refuses it only with another model); ``--alpha``, ``--eta`` and ``--inner-tol``
are LDA's alone. ``--init-params`` gives the start in the trace's own keys
(:data:`START_KEYS`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.cli import read_start_file
from em_core.trace_json import DATA_BY_DEFAULT_MAX_VALUES
from em_models.topics import files
from em_models.topics.corpus import Corpus, corpus_from_text, decode_documents, from_counts
from em_models.topics.lda import engine as lda_engine
from em_models.topics.plsa import engine as plsa_engine

DEFAULT_TOPICS = 2
MAX_TEXT_BYTES = 16_000_000
N_TOPICS_OPTION = {"n_topics": ("--n-topics", None)}
START_KEYS = {"plsa": ("doc_topic", "topic_word"), "lda": ("gamma", "lambda")}
LDA_OPTIONS = {
    "alpha": ("--alpha", None),
    "eta": ("--eta", None),
    "inner_tol": ("--inner-tol", None),
}


def _has(parser: argparse.ArgumentParser, flag: str) -> bool:
    return any(flag in action.option_strings for action in parser._actions)


def add_shared_options(parser: argparse.ArgumentParser) -> None:
    """``--n-topics``, once, whichever topic model adds its options first."""
    if not _has(parser, "--n-topics"):
        parser.add_argument_group("--model plsa or lda (topic models)").add_argument(
            "--n-topics",
            type=int,
            default=None,
            help=f"number of topics K of --model plsa or lda (default {DEFAULT_TOPICS})",
        )


def add_lda_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("--model lda (latent Dirichlet allocation)")
    group.add_argument(
        "--alpha", type=float, default=None, help="prior on each document's topic mix (default 1/K)"
    )
    group.add_argument(
        "--eta", type=float, default=None, help="prior on each topic's words (default 1/K)"
    )
    group.add_argument(
        "--inner-tol",
        type=float,
        default=None,
        help="the E-step's inner loop "
        f"stops when γ changes by less on average (default {lda_engine.INNER_TOL})",
    )


def read_start(path: Path, model: str) -> tuple[Any, Any, int]:
    """The start's two tables from ``--init-params`` (keys :data:`START_KEYS`) and its K."""
    first, second = START_KEYS[model]
    given = read_start_file(path)
    if not isinstance(given, dict) or first not in given or second not in given:
        raise ValueError(
            f"--init-params {path} must be a JSON object with the keys '{first}' (documents × "
            f"topics) and '{second}' (topics × words), as in --model {model}'s trace."
        )
    rows = given[second]
    k = len(rows) if isinstance(rows, list) else 0
    return given[first], rows, k


def fit_corpus(args: argparse.Namespace, corpus: Corpus) -> Any:
    """The run ``args`` ask for on ``corpus``."""
    k = DEFAULT_TOPICS if args.n_topics is None else args.n_topics
    common = {"rng": args.seed, "tol": args.tol, "max_iter": args.max_iter}
    if args.init_params is not None:
        doc_topic, topic_word, k_given = read_start(args.init_params, args.model)
        if args.n_topics is not None and args.n_topics != k_given:
            raise ValueError(
                f"--n-topics {args.n_topics} but --init-params gives {k_given} topics; "
                "leave out --n-topics or give a start with as many."
            )
        common.update(doc_topic=doc_topic, topic_word=topic_word)
    if args.model == "plsa":
        return plsa_engine.fit(corpus, k, **common)
    inner = lda_engine.INNER_TOL if args.inner_tol is None else args.inner_tol
    return lda_engine.fit(corpus, k, alpha=args.alpha, eta=args.eta, inner_tol=inner, **common)


def document(args: argparse.Namespace, corpus: Corpus, number: Callable) -> dict[str, Any]:
    trace = fit_corpus(args, corpus)
    spec = files.LDA if args.model == "lda" else files.PLSA
    with_data = args.with_data or 3 * corpus.n_pairs <= DATA_BY_DEFAULT_MAX_VALUES
    return files.write(spec, trace, corpus, number, with_data=with_data)


def run(
    args: argparse.Namespace, X: NDArray[np.float64], columns: Any, number: Callable
) -> dict[str, Any]:
    """``fit FILE --model plsa|lda``: FILE's table is the count matrix, its columns the words."""
    return document(args, from_counts(X, tuple(columns)), number)


def read_documents(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    if len(raw) > MAX_TEXT_BYTES:
        raise ValueError(f"{path} is larger than {MAX_TEXT_BYTES // 10**6} MB.")
    try:
        return decode_documents(raw)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def add_commands(commands: argparse._SubParsersAction, common: Callable) -> None:
    """``topics FILE``: a topic model fitted to a plain text file of documents."""
    from em_core.cli import number, print_json  # the shared command line's JSON writer

    sub = commands.add_parser(
        "topics",
        help="fit a topic model to a plain text file of documents",
        description="Fit pLSA or LDA to documents, one per line or paragraph of FILE.",
    )
    common(sub)
    sub.add_argument("--model", choices=("plsa", "lda"), default="lda", help="default lda")
    sub.add_argument("--by", choices=("line", "paragraph"), default="line", help="default line")
    sub.add_argument("--max-iter", type=int, default=100, help="default 100")
    sub.add_argument("--tol", type=float, default=1e-6, help="default 1e-6 per word")
    sub.add_argument("--with-data", action="store_true", help="write the counts into the trace")
    sub.add_argument(
        "--init-params",
        type=Path,
        default=None,
        metavar="PARAMS.json",
        help="start from these tables (the trace's own keys: doc_topic and topic_word for "
        "plsa, gamma and lambda for lda)",
    )
    add_shared_options(sub)
    add_lda_options(sub)

    def run_topics(args: argparse.Namespace) -> None:
        if args.model == "plsa":
            for name, (flag, unset) in LDA_OPTIONS.items():
                if getattr(args, name) != unset:
                    raise ValueError(f"{flag} is an option of --model lda.")
        corpus = corpus_from_text(read_documents(args.file), args.by)
        print_json(document(args, corpus, number))

    sub.set_defaults(run=run_topics)
