"""Trace files, every model's: the checks a file passes before any model reads it, the
pieces each model's codec reads its fields with, and the dispatch to that codec.

A trace file is one JSON object: a model's run with its settings, every iteration and, when
asked for, the data, so that a run can be recomputed anywhere. Each model writes and reads its
own (the ``trace`` and ``prepared`` parts of :mod:`em_models.registry`; the Gaussian
mixture's is :mod:`em_models.mixture.trace`). :func:`read_trace` checks a file that claims to
be one — size, encoding, nesting and the number of arrays before anything large is built —
then hands it to the ``prepared`` part of the model its ``"model"`` field names, which checks
every field's type, shape and range with the helpers here. The command line writes the data
into a trace unasked when they are at most :data:`DATA_BY_DEFAULT_MAX_VALUES` numbers (the data
of a large run would make its trace many times larger and slower to write than the run).

Every problem with a file raises :class:`TraceFileError` (a ``ValueError``) whose message says
what is wrong and where (``iterations[3].means``: …); every model's replay checks its
iterations with :func:`check_replayed`, and probabilistic PCA's and factor analysis's run EM
again through :func:`replay_checked`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import MAX_ABS_VALUE, Snapshot, Trace, as_data, run_em
from em_core.model import StopReason
from em_models import registry

# Limits, all checked before the part of the file they guard is built in memory. The data
# limits are the text reader's (em_data.reader), so a run on any data the app reads fits.
MAX_TRACE_BYTES = 16_000_000
MAX_ROWS = 1_000_000
MAX_COLUMNS = 50
# A trace nests six deep at most: the document, "iterations", one iteration, its
# "covariances", a component's matrix, a row of it.
MAX_DEPTH = 6
# Arrays and objects in one file: one per data row, and a few per component per iteration.
MAX_CONTAINERS = MAX_ROWS + 100_000
MAX_TEXT_CHARS = 2_000  # a column name or the message
# The command line writes the data into a trace unasked when they are at most this many
# numbers (N × d): about 2 MB of JSON.
DATA_BY_DEFAULT_MAX_VALUES = 100_000
NO_DATA = (
    "The file has no data (its field 'data' is missing), so the run cannot be recomputed "
    "and checked here. The command line leaves the data out of a trace of more than "
    f"{DATA_BY_DEFAULT_MAX_VALUES:,} numbers (N × d) unless asked: make the trace again with "
    "'python -m em_core fit … --with-data > run.json', or use Trace (JSON) from Export this "
    "run on any page."
)
# The file's iterations must agree with the engine's to about this fraction of each number's
# scale (another machine's rounding, carried through many iterations, stays far below it; an
# edited digit does not).
REPLAY_RTOL = 1e-7


# The structure check reads the text in slices of this many characters (at most four times as
# many bytes of UTF-8), so its memory is a few MiB whatever the text holds.
_SLICE_CHARS = 1 << 16
_LEADING_SPACE = re.compile(r"\s*")
_BYTE_ORDER_MARKS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class TraceFileError(ValueError):
    """A file that is not a trace the app can open; the message says what is wrong."""


# ---------------------------------------------------------------------------------------------
# Writing


def finite_number(value: float) -> float:
    value = float(value)
    if not np.isfinite(value):  # the engine records finite numbers only; guard the JSON
        raise ValueError(f"internal error: a non-finite number ({value}) in the trace.")
    return value


def stopping_fields(trace: Trace) -> dict[str, Any]:
    """The fields every model's trace document shares, in this order: the stopping rule and
    how the run stopped."""
    return {
        "tol": trace.tol,
        "max_iter": trace.max_iter,
        "converged": trace.converged,
        "n_iter": trace.n_iter,
        "status": trace.stop_reason.value,
        "message": trace.message,
    }


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON text (no NaN or Infinity) of a document, as the command line prints it."""
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Reading


def read_trace(raw: bytes) -> Any:
    """Check the bytes of a trace file and return what they hold.

    Parameters
    ----------
    raw : bytes
        The file, as ``python -m em_core fit`` or the app's export wrote it (UTF-8; UTF-16
        with a byte-order mark, as some shells redirect output, is read too).

    Returns
    -------
    The run its model's ``prepared`` part reads (for a mixture,
    :class:`em_models.mixture.trace.PreparedRun`).

    Raises
    ------
    TraceFileError
        With a message naming what is wrong: the size, the encoding, JSON syntax, nesting,
        a missing, unknown or mistyped field, a shape, a number out of range.
    """
    text = _decode(raw)
    _check_structure(text)
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except TraceFileError:
        raise
    except json.JSONDecodeError as error:
        raise TraceFileError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except (ValueError, RecursionError) as error:  # a whole number of thousands of digits
        raise TraceFileError(f"The file is not a trace: {error}.") from None
    return _by_model(document)


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_TRACE_BYTES:
        raise TraceFileError(
            f"The file has {len(raw):,} bytes; a trace may have at most {MAX_TRACE_BYTES:,} "
            "(16 MB). Make it from fewer points or fewer iterations."
        )
    if not raw.strip():
        raise TraceFileError("The file is empty; a trace is one JSON object.")
    for mark, codec in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                return raw[len(mark) :].decode(codec)
            except UnicodeDecodeError as error:
                raise TraceFileError(
                    f"The file starts as {codec} text but byte {error.start + len(mark) + 1:,} is "
                    f"not {codec}; save the trace as UTF-8."
                ) from None
    if b"\x00" in raw[:4096]:
        raise TraceFileError(
            "This is a binary file, not a trace: a trace is JSON text, as "
            "'python -m em_core fit … > run.json' writes it."
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TraceFileError(
            f"The file is not UTF-8 text: byte {error.start + 1:,} "
            f"(0x{raw[error.start]:02x}) is not UTF-8. A trace is JSON text in UTF-8; save it "
            "again as UTF-8."
        ) from None


def _check_structure(text: str) -> None:
    """Refuse text that does not start as a JSON object, that nests deeper than a trace, or
    that holds more arrays and objects than any trace has, before parsing it."""
    first = _LEADING_SPACE.match(text).end()
    if text[first : first + 1] != "{":
        raise TraceFileError(
            "The file does not start with '{', so it is not a trace: a trace is one JSON "
            "object, as 'python -m em_core fit' prints it. (A table of numbers opens under "
            "Your own data.)"
        )
    n_containers, depth = _containers(text)
    if n_containers > MAX_CONTAINERS:
        raise TraceFileError(
            f"The file holds {n_containers:,} JSON arrays and objects; a trace of at most "
            f"{MAX_ROWS:,} rows has fewer than {MAX_CONTAINERS:,}."
        )
    if depth > MAX_DEPTH:
        raise TraceFileError(
            f"The file nests arrays and objects {depth} deep; a trace nests at most "
            f"{MAX_DEPTH} deep (iterations → covariances → a matrix's rows)."
        )


def _containers(text: str, slice_chars: int = _SLICE_CHARS) -> tuple[int, int]:
    """How many arrays and objects ``text`` opens and how deep they nest, brackets inside
    strings left out (a string runs from a quote to the next quote not escaped by an odd
    run of backslashes, or to the end of the text).

    The text is read a slice at a time as UTF-8 bytes, in which a quote, a backslash and a
    bracket are single bytes that no other character contains; what one slice leaves open
    (a run of backslashes, a string, the depth) carries into the next. So time and memory
    are linear in one slice, whatever the text (a pattern over whole strings kept a
    backtracking record for every escape).
    """
    n_containers = level = deepest = 0
    backslashes = 0  # the run of backslashes that ends the text read so far
    in_string = False
    for start in range(0, len(text), slice_chars):
        b = np.frombuffer(text[start : start + slice_chars].encode("utf-8"), dtype=np.uint8)
        escaped, backslashes = _escaped(b, backslashes)
        quotes = (b == ord('"')) & ~escaped
        # Quotes up to each byte: odd (after an even start) means inside a string.
        inside = (np.cumsum(quotes, dtype=np.int64) & 1).astype(bool) ^ in_string
        in_string = bool(inside[-1])
        opens = ((b == ord("[")) | (b == ord("{"))) & ~inside
        closes = ((b == ord("]")) | (b == ord("}"))) & ~inside
        n_containers += int(np.count_nonzero(opens))
        steps = opens[opens | closes]
        levels = level + np.cumsum(np.where(steps, 1, -1), dtype=np.int64)
        deepest = max(deepest, int(levels.max(initial=0)))
        level = int(levels[-1]) if levels.size else level
    return n_containers, deepest


def _escaped(b: NDArray[np.uint8], backslashes: int) -> tuple[NDArray[np.bool_], int]:
    """Whether each byte follows an odd run of backslashes, given the run (``backslashes``)
    that ends the bytes before ``b``, and the run that ends ``b``."""
    index = np.arange(b.size, dtype=np.int64)
    last_other = np.maximum.accumulate(np.where(b == ord("\\"), -1 - backslashes, index))
    runs = index - last_other  # the run of backslashes ending at each byte
    escaped = np.empty(b.size, dtype=bool)
    escaped[0] = backslashes % 2 == 1
    escaped[1:] = runs[:-1] % 2 == 1
    return escaped, int(runs[-1])


def _refuse_constant(name: str) -> None:
    raise TraceFileError(
        f"The file holds {name}, which is not a number: a trace holds finite numbers only."
    )


def _shape_text(shape: Sequence[int]) -> str:
    return " × ".join(str(n) for n in shape) if shape else "a single number"


def _number(value: Any, where: str, *, low: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TraceFileError(f"{where} must be a number; it is {_kind(value)}.")
    number = float(value)
    if not np.isfinite(number):
        raise TraceFileError(f"{where} is too large for double precision.")
    if low is not None and number < low:
        raise TraceFileError(f"{where} must be ≥ {low:g}; it is {number:g}.")
    return number


def _whole(value: Any, where: str, *, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TraceFileError(f"{where} must be a whole number; it is {_kind(value)}.")
    if value < low or (high is not None and value > high):
        top = "" if high is None else f" and ≤ {high:,}"
        raise TraceFileError(f"{where} must be ≥ {low}{top}; it is {value:.3g}.")
    return value


def _kind(value: Any) -> str:
    """What a JSON value is, in words (never the value itself, which may be huge)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return f"a list of {len(value):,} items"
    return "an object"


def _array(value: Any, where: str, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """``value`` as a float64 array of exactly ``shape``, all finite."""
    if shape and not isinstance(value, list):
        raise TraceFileError(
            f"{where} must be a list ({_shape_text(shape)}); it is {_kind(value)}."
        )
    try:
        array = np.array(value)
    except (ValueError, TypeError, OverflowError):
        raise TraceFileError(
            f"{where} must be a {_shape_text(shape)} table of numbers; its rows differ in length."
        ) from None
    if array.dtype.kind not in "iuf":
        raise TraceFileError(
            f"{where} must hold numbers only; it holds text, true/false, null, lists of "
            "different lengths or numbers beyond double precision."
        )
    if array.shape != shape:
        raise TraceFileError(
            f"{where} has shape {_shape_text(array.shape)}; expected {_shape_text(shape)}."
        )
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise TraceFileError(f"{where} holds a number too large for double precision.")
    return array


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TraceFileError(f"{where} must be text; it is {_kind(value)}.")
    if len(value) > MAX_TEXT_CHARS:
        raise TraceFileError(f"{where} has {len(value):,} characters; at most {MAX_TEXT_CHARS:,}.")
    return value


def _fields(document: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()):
    if not isinstance(document, dict):
        raise TraceFileError(f"{where} must be a JSON object; it is {_kind(document)}.")
    unknown = [key for key in document if key not in (*required, *optional)]
    if unknown:
        names = ", ".join(repr(key[:40]) for key in unknown[:3])
        more = f" and {len(unknown) - 3:,} more" if len(unknown) > 3 else ""
        raise TraceFileError(f"{where} has fields a trace does not have: {names}{more}.")
    missing = [key for key in required if key not in document]
    if missing:
        raise TraceFileError(f"{where} lacks the field(s) {', '.join(missing)}.")
    return document


def _columns(document: dict, n_features: int) -> tuple[str, ...]:
    """The document's ``columns``: a list of ``n_features`` names."""
    columns = document["columns"]
    if not isinstance(columns, list) or len(columns) != n_features:
        raise TraceFileError(f"columns must be a list of {n_features} names.")
    return tuple(_text(name, f"columns[{j}]") for j, name in enumerate(columns))


def _init(document: dict, methods: Sequence[str]) -> tuple[str, int | None]:
    """The document's ``init``: its method, one of ``methods``, and its seed (or None)."""
    init = _fields(document["init"], "init", ("method", "seed"))
    if init["method"] not in methods:
        raise TraceFileError(f"init.method must be one of {', '.join(methods)}.")
    return init["method"], None if init["seed"] is None else _whole(init["seed"], "init.seed")


def _status(document: dict) -> StopReason:
    """The document's ``status``, with ``converged`` true exactly when it is 'converged'."""
    values = tuple(reason.value for reason in StopReason)
    if document["status"] not in values:
        raise TraceFileError("status must be one of " + ", ".join(values) + ".")
    status = StopReason(document["status"])
    if document["converged"] is not (status is StopReason.CONVERGED):
        raise TraceFileError("converged must be true exactly when status is 'converged'.")
    return status


def _iterations(document: dict, n_iter: int) -> list:
    """The document's ``iterations``: a list of ``n_iter + 1`` entries (not yet read)."""
    iterations = document["iterations"]
    if not isinstance(iterations, list) or len(iterations) != n_iter + 1:
        raise TraceFileError(f"iterations must be a list of n_iter + 1 = {n_iter + 1:,} entries.")
    return iterations


def _by_model(document: Any) -> Any:
    """The run in ``document``, read by the ``prepared`` part of the model its ``"model"``
    field names (none: a Gaussian mixture's, as every trace was before the other models); a
    model whose runs do not open here is refused, naming the page that steps them."""
    default = registry.DEFAULT_MODEL
    name = document.get("model", default) if isinstance(document, dict) else default
    if not isinstance(name, str):
        raise TraceFileError(f"model must be the name of a model; it is {_kind(name)}.")
    try:
        model = registry.entry(name)
    except ValueError as error:
        raise TraceFileError(f"The file is not a run this app knows: {error}") from None
    prepared = registry.part(model, "prepared")
    if prepared is None:
        opened = " or ".join(entry.title for entry in registry.with_part("prepared"))
        made = f" (python -m em_core fit --model {model.name})"
        raise TraceFileError(
            f"This is a run of {model.title}{made if registry.has_part(model, 'cli') else ''}; "
            f"only runs of {opened} open here. Step through it on its own page, "
            f"{registry.pages_of(model)}."
        )
    return prepared.read(document)


def _data(data: Any, n_samples: int, n_features: int) -> NDArray[np.float64]:
    if not isinstance(data, list) or len(data) != n_samples:
        raise TraceFileError(
            f"data must be a list of n_samples = {n_samples:,} rows; it is {_kind(data)}."
        )
    X = _array(data, "data", (n_samples, n_features))
    if np.abs(X).max() > MAX_ABS_VALUE:
        raise TraceFileError(
            f"data hold values beyond ±{MAX_ABS_VALUE:.0e}, too large to square in double "
            "precision; rescale them."
        )
    try:
        X = as_data(X)
    except TraceFileError:
        raise
    except ValueError as error:
        raise TraceFileError(f"data: {error}") from None
    X.setflags(write=False)
    return X


# ---------------------------------------------------------------------------------------------
# Recomputing


def check_replayed(label: str, recorded: Any, computed: Any, scale: Any) -> None:
    """Refuse a file whose number(s) ``label`` are not what EM computed again, within
    :data:`REPLAY_RTOL` of each number's ``scale`` (a NaN never agrees): every model's replay
    checks its iterations with this one rule and message."""
    gap = np.abs(np.asarray(recorded, dtype=np.float64) - computed)
    if not np.all(gap <= REPLAY_RTOL * (np.abs(computed) + scale)):
        finite = gap[np.isfinite(gap)]
        off = f"{float(finite.max()):.3g}" if finite.size else "a number that is not finite"
        raise TraceFileError(
            f"{label} is not what EM computes from the start and the data (off by up to "
            f"{off}): the file was changed, or its data are not those the run was fitted to."
        )


def replay_checked(
    run: Any, X: NDArray[np.float64], model: Any, start: Any, compare: Callable
) -> Trace:
    """EM run again on ``X`` by ``model`` from ``start``, with the file's ``tol`` and
    ``max_iter``; :class:`TraceFileError` unless every iteration agrees with the file's
    (``compare(recorded, computed, "iterations[t].")`` raises when it does not) and the run
    stops where and as the file's did. ``run`` is a model's run read from a file: its
    ``recorded`` snapshots, ``n_iter``, ``status``, ``tol`` and ``max_iter``."""
    recorded = run.recorded

    def check(snapshot: Snapshot) -> None:
        t = snapshot.iteration
        if t >= len(recorded):
            raise TraceFileError(
                f"EM on these data goes on past iteration {run.n_iter}, where the file stops "
                f"({run.status.value}): the file does not follow from its data and settings."
            )
        compare(recorded[t], snapshot, f"iterations[{t}].")

    try:
        trace = run_em(X, model, start, tol=run.tol, max_iter=run.max_iter, callback=check)
    except TraceFileError:
        raise
    except ValueError as error:  # the engine refused the data or the start
        raise TraceFileError(f"The start (iterations[0]) cannot be used: {error}") from None
    if trace.n_iter != run.n_iter or trace.stop_reason is not run.status:
        raise TraceFileError(
            f"EM on these data stops after {trace.n_iter} iterations ({trace.stop_reason.value})"
            f", but the file records {run.n_iter} ({run.status.value})."
        )
    return trace
