"""Corpora for the topic models: a document–word count matrix kept sparse (only the nonzero
(document, word) pairs), the bars corpus of Griffiths and Steyvers (2004), a dozen short
documents about rivers and money, and a plain tokenizer for a person's own text.

A :class:`Corpus` stores the counts row by row (compressed sparse rows: ``indptr``,
``word_ids``, ``counts``), so every engine works on the nonzero pairs and never on a dense
documents × words × topics array.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

# A person's own text: the limits the tokenizer enforces (the engines take any corpus).
MAX_TEXT_CHARACTERS = 2_000_000
MAX_DOCUMENTS = 5_000
MAX_VOCABULARY = 5_000
MIN_DOCUMENTS = 2
# Words that say little about a topic, dropped by :func:`tokenize`.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "more",
        "most",
        "my",
        "no",
        "not",
        "of",
        "on",
        "one",
        "or",
        "our",
        "out",
        "over",
        "she",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, eq=False)
class Corpus:
    """Counts n(d, w) of words in documents, as compressed sparse rows.

    Attributes
    ----------
    indptr : int array (n_documents + 1,)
        Document d's pairs are ``indptr[d]:indptr[d + 1]``.
    word_ids : int array (n_pairs,)
        Each pair's word, increasing within a document.
    counts : float array (n_pairs,)
        Each pair's count n(d, w) > 0.
    vocabulary : tuple of str
        The words' names, one per column.
    """

    indptr: NDArray[np.int64]
    word_ids: NDArray[np.int64]
    counts: NDArray[np.float64]
    vocabulary: tuple[str, ...]

    def __post_init__(self) -> None:
        for array in (self.indptr, self.word_ids, self.counts):
            array.setflags(write=False)

    @property
    def n_documents(self) -> int:
        return self.indptr.size - 1

    @property
    def n_words(self) -> int:
        return len(self.vocabulary)

    @property
    def n_pairs(self) -> int:
        return self.counts.size

    @cached_property
    def doc_ids(self) -> NDArray[np.int64]:
        """Each pair's document."""
        return np.repeat(np.arange(self.n_documents), np.diff(self.indptr))

    @cached_property
    def lengths(self) -> NDArray[np.float64]:
        """Each document's number of words, Σ_w n(d, w)."""
        return np.add.reduceat(self.counts, self.indptr[:-1])

    @property
    def n_tokens(self) -> float:
        return float(self.counts.sum())

    def dense(self) -> NDArray[np.float64]:
        """The counts as a documents × words array (for tests and small corpora)."""
        matrix = np.zeros((self.n_documents, self.n_words))
        matrix[self.doc_ids, self.word_ids] = self.counts
        return matrix


def from_counts(matrix: ArrayLike, vocabulary: tuple[str, ...] | None = None) -> Corpus:
    """A corpus from a documents × words matrix of counts; ``ValueError`` saying what is
    wrong with it."""
    counts = np.asarray(matrix, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(
            f"The counts must be a table of documents (rows) × words (columns); got "
            f"{counts.ndim} dimension{'s' if counts.ndim != 1 else ''}."
        )
    n_documents, n_words = counts.shape
    if n_documents < MIN_DOCUMENTS or n_words < 2:
        raise ValueError(
            f"A topic model needs at least {MIN_DOCUMENTS} documents and 2 words; the counts "
            f"have {n_documents} row{'s' if n_documents != 1 else ''} and {n_words} "
            f"column{'s' if n_words != 1 else ''}."
        )
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("The counts must be finite numbers ≥ 0.")
    empty = np.flatnonzero(counts.sum(axis=1) == 0)
    if empty.size:
        raise ValueError(
            f"Document {empty[0] + 1} (row {empty[0] + 1}) has no words; leave out empty documents."
        )
    names = tuple(f"w{j + 1}" for j in range(n_words)) if vocabulary is None else vocabulary
    if len(names) != n_words:
        raise ValueError(f"The vocabulary has {len(names)} words for {n_words} columns.")
    rows, cols = np.nonzero(counts)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_documents))])
    return Corpus(indptr.astype(np.int64), cols.astype(np.int64), counts[rows, cols], names)


def as_corpus(X: Corpus | ArrayLike) -> Corpus:
    """``X`` itself when it is a :class:`Corpus`, else the corpus of its counts."""
    return X if isinstance(X, Corpus) else from_counts(X)


# ---------------------------------------------------------------------------------------------
# The bars corpus


def bars_topics(size: int = 5) -> NDArray[np.float64]:
    """The bars' 2 × ``size`` true topics over a ``size`` × ``size`` grid of words (word
    r·size + c is the cell in row r, column c): each row, then each column, uniform over
    its ``size`` cells."""
    topics = np.zeros((2 * size, size * size))
    grid = np.arange(size * size).reshape(size, size)
    for i in range(size):
        topics[i, grid[i]] = 1.0 / size
        topics[size + i, grid[:, i]] = 1.0 / size
    return topics


def bars_vocabulary(size: int = 5) -> tuple[str, ...]:
    """The grid's cells as words: "r1c1", "r1c2", …"""
    return tuple(f"r{r + 1}c{c + 1}" for r in range(size) for c in range(size))


@dataclass(frozen=True, eq=False)
class Bars:
    """A bars corpus with the truth it was drawn from: each document's topic mix
    (``doc_topic``, drawn from Dirichlet(α)) and the topics."""

    corpus: Corpus
    topics: NDArray[np.float64]
    doc_topic: NDArray[np.float64]


def make_bars(
    n_documents: int = 500, words_per_document: int = 100, alpha: float = 1.0, seed: int = 0
) -> Bars:
    """The bars corpus (Griffiths and Steyvers, 2004): ``n_documents`` documents of
    ``words_per_document`` words each, each document's topic mix drawn from a symmetric
    Dirichlet(``alpha``) over the ten bars, each word from its topic; seeded."""
    rng = np.random.default_rng(seed)
    topics = bars_topics()
    doc_topic = rng.dirichlet(np.full(topics.shape[0], alpha), size=n_documents)
    word_probabilities = doc_topic @ topics
    counts = np.array([rng.multinomial(words_per_document, p) for p in word_probabilities])
    return Bars(from_counts(counts, bars_vocabulary()), topics, doc_topic)


# ---------------------------------------------------------------------------------------------
# Text

RIVERS_AND_MONEY = (
    "The river flows past the bank, and the water is deep and the current is strong.",
    "Fish swim in the river water near the muddy bank where the current is slow.",
    "After the rain the river rose, the water covered the bank and the current carried mud.",
    "We sat on the river bank and watched the fish in the water and the current.",
    "Reeds grow along the river bank; the current bends them and fish hide in the water.",
    "A boat drifted down the river with the current, close to the bank, over deep water.",
    "The bank lends money and charges interest on every loan it makes.",
    "She put her money in a bank account that pays interest every month.",
    "He asked the bank for a loan, and the bank charged interest on the money.",
    "The bank raised its interest rate, so a loan costs more money.",
    "Savings in a bank account earn interest; the bank pays money into the account.",
    "They paid the loan back to the bank with money from their account and the interest.",
)


def decode_documents(raw: bytes) -> str:
    """The text of an uploaded file of documents, read as UTF-8 (a byte-order mark allowed);
    ``ValueError`` naming the first byte that is not UTF-8, its line and column, rather than
    text silently changed."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8-sig")) + 1
        raise ValueError(
            f"The file is not UTF-8 text: byte {error.start + 1:,} of the file (0x"
            f"{raw[error.start]:02X}, on line {line:,}, column {column:,}) is not UTF-8. "
            "Nothing was read from it, and the file is left as it is. Save it as UTF-8 (most "
            "editors offer it under Save as) and try again."
        ) from None


def split_documents(text: str, by: str = "line") -> list[str]:
    """``text`` cut into documents: one per non-blank line (``by="line"``) or one per
    paragraph, separated by blank lines (``by="paragraph"``)."""
    if by not in ("line", "paragraph"):
        raise ValueError(f"Documents are split by 'line' or 'paragraph', not {by!r}.")
    pieces = text.splitlines() if by == "line" else re.split(r"\n[ \t\r\f\v]*\n", text)
    return [piece.strip() for piece in pieces if piece.strip()]


def tokenize(document: str) -> list[str]:
    """The words of ``document``: runs of letters, in lower case, stop words left out."""
    return [word for word in _WORD.findall(document.lower()) if word not in STOP_WORDS]


def corpus_from_text(text: str, by: str = "line") -> Corpus:
    """A corpus of a person's documents (:func:`split_documents`, :func:`tokenize`), the
    vocabulary in alphabetical order; ``ValueError`` with a sentence for a person when the
    text cannot make one: empty, a single document, documents with no words left, or more
    than the limits."""
    if len(text) > MAX_TEXT_CHARACTERS:
        raise ValueError(
            f"The text has {len(text):,} characters; the most this app takes is "
            f"{MAX_TEXT_CHARACTERS:,}."
        )
    documents = split_documents(text, by)
    unit = "line" if by == "line" else "paragraph (separated by blank lines)"
    if not documents:
        raise ValueError(f"The text is empty: write or paste documents, one per {unit}.")
    if len(documents) < MIN_DOCUMENTS:
        raise ValueError(
            f"The text is a single document; a topic model compares documents, so give at "
            f"least {MIN_DOCUMENTS}, one per {unit}."
        )
    if len(documents) > MAX_DOCUMENTS:
        raise ValueError(
            f"The text has {len(documents):,} documents; the most this app takes is "
            f"{MAX_DOCUMENTS:,}."
        )
    words = [tokenize(document) for document in documents]
    empty = [i + 1 for i, document in enumerate(words) if not document]
    if empty:
        which = ", ".join(str(i) for i in empty[:5]) + (" …" if len(empty) > 5 else "")
        raise ValueError(
            f"Document{'s' if len(empty) > 1 else ''} {which} ha{'ve' if len(empty) > 1 else 's'}"
            " no words once numbers, punctuation and common words such as 'the' are left "
            "out; remove or extend them."
        )
    vocabulary = sorted({word for document in words for word in document})
    if len(vocabulary) > MAX_VOCABULARY:
        raise ValueError(
            f"The documents use {len(vocabulary):,} different words; the most this app takes "
            f"is {MAX_VOCABULARY:,}. Give fewer or shorter documents."
        )
    if len(vocabulary) < 2:
        raise ValueError("The documents use a single word; a topic model needs at least 2.")
    index = {word: j for j, word in enumerate(vocabulary)}
    word_ids, counts, lengths = [], [], []
    for document in words:
        ids, n = np.unique([index[word] for word in document], return_counts=True)
        word_ids.append(ids)
        counts.append(n)
        lengths.append(ids.size)
    return Corpus(
        np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        np.concatenate(word_ids).astype(np.int64),
        np.concatenate(counts).astype(np.float64),
        tuple(vocabulary),
    )
