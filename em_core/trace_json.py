"""A Gaussian-mixture run as JSON, both ways: the document ``python -m em_core fit`` prints
and the app exports, and the reader that opens such a file again.

The document (described field by field in the README, "fit output: the trace") holds the
settings, every iteration's parameters and log-likelihood and, when asked for, the data
(``data``, N × d), so that a run can be recomputed anywhere. :func:`trace_to_json` writes it,
for the command line and the app alike; the app's export always carries the data, the
command line when ``--with-data`` is given or the data are at most
:data:`DATA_BY_DEFAULT_MAX_VALUES` numbers (the data of a large run would make its trace many
times larger and slower to write than the run itself). :func:`read_trace` checks a file that
claims to be one — size, encoding, nesting and the number of arrays before anything large is
built, then every field's type, shape and range — and :func:`replay` recomputes the run from
its recorded start and settings, refusing it unless every iteration in the file is what EM
gives on its data (a trace without data is read, but cannot be replayed). So what the app
then shows is the engine's own run, never numbers taken on trust from a file.

Every problem with a file raises :class:`TraceFileError` (a ``ValueError``) whose message says
what is wrong and where (``iterations[3].means``: …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from em_core.em import MAX_ABS_VALUE, Snapshot, Trace, as_data, run_em
from em_core.model import StopReason
from em_models import registry
from em_models.mixture.engine import GaussianMixture, failed_component
from em_models.mixture.gaussian import COVARIANCE_TYPES, Parameters, from_full
from em_models.mixture.starts import INIT_METHODS, Initialisation

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
# How θ_0 was chosen: the engine's initialisations, or "split", the best fit with one
# component fewer with a component split in two (em_models.mixture.search, behind Choosing K).
START_METHODS = (*INIT_METHODS, "split")
# The file's iterations must agree with the engine's to about this fraction of each number's
# scale (another machine's rounding, carried through many iterations, stays far below it; an
# edited digit does not).
REPLAY_RTOL = 1e-7

TRACE_FIELDS = (
    "n_components",
    "n_features",
    "n_samples",
    "columns",
    "covariance_type",
    "init",
    "ridge",
    "reg_covar",
    "tol",
    "max_iter",
    "converged",
    "n_iter",
    "status",
    "message",
    "failed_component",
    "iterations",
)
# The model's name (``"mixture"``, which a mixture's trace leaves out), the data, and what
# ``python -m em_core fit --n-init N`` writes beside the best run (read and ignored).
OPTIONAL_FIELDS = ("model", "data", "restarts", "best_restart")
ITERATION_FIELDS = ("iteration", "weights", "means", "covariances", "log_likelihood", "nk")

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


def trace_to_json(
    trace: Trace, X: NDArray[np.float64], columns: Sequence[str], *, with_data: bool = True
) -> dict[str, Any]:
    """The trace of a Gaussian mixture fitted to ``X``, as plain JSON types.

    Covariances are always full (K, d, d) matrices; ``data`` is ``X`` itself, so the
    document is enough to recompute the run (:func:`replay`); without it (``with_data``
    false) the document records the run but cannot recompute it.

    Parameters
    ----------
    trace : Trace
        A run of :func:`em_models.mixture.engine.fit` (its model a
        :class:`em_models.mixture.engine.GaussianMixture`).
    X : array of shape (n_samples, n_features)
        The data the run was fitted to.
    columns : sequence of str
        The names of X's columns.
    with_data : bool, default True
        Whether the document carries ``data``.

    Returns
    -------
    dict
    """
    X = np.asarray(X, dtype=np.float64)
    final, failed = trace.final.params, failed_component(trace)
    if X.shape != (trace.n_samples, final.n_features) or len(columns) != final.n_features:
        raise ValueError(
            f"The data ({X.shape}) or the {len(columns)} column names do not match the trace "
            f"({trace.n_samples} samples, {final.n_features} features)."
        )
    document = {
        "n_components": final.n_components,
        "n_features": final.n_features,
        "n_samples": trace.n_samples,
        "columns": [str(c) for c in columns],
        "covariance_type": trace.model.covariance_type,
        "init": {"method": trace.start.method, "seed": trace.start.seed},
        "ridge": trace.model.ridge,
        "reg_covar": trace.model.ridge_diagonal.tolist(),
        **stopping_fields(trace),
        "failed_component": None if failed is None else failed + 1,
        "iterations": [
            {
                "iteration": snapshot.iteration,
                "weights": snapshot.params.weights.tolist(),
                "means": snapshot.params.means.tolist(),
                "covariances": snapshot.params.full_covariances().tolist(),
                "log_likelihood": finite_number(snapshot.log_likelihood),
                "nk": None if snapshot.stats is None else snapshot.stats.tolist(),
            }
            for snapshot in trace.snapshots
        ],
    }
    if with_data:
        document["data"] = X.tolist()
    return document


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON text (no NaN or Infinity) of a document, as the command line prints it."""
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A trace file that passed :func:`read_trace`: the data, the settings, the start and
    the iterations the file records (to be checked by :func:`replay`).

    Attributes
    ----------
    X : array of shape (n_samples, n_features), or None
        None when the file has no data (:meth:`require_data` says so).
    n_samples : int
    columns : tuple of str
    model : GaussianMixture
        The covariance type and the ridge (resolved on ``X``, or the file's ``reg_covar``
        when it has no data).
    start : Initialisation
        θ_0 with how the file says it was chosen (method and seed).
    tol : float
    max_iter : int
    recorded : tuple of Snapshot
        The file's iterations.
    status : StopReason
        Why the file says the run stopped.
    failed_component : int or None
        The 0-based component the file says collapsed or emptied.
    """

    X: NDArray[np.float64] | None
    n_samples: int
    columns: tuple[str, ...]
    model: GaussianMixture
    start: Initialisation
    tol: float
    max_iter: int
    recorded: tuple[Snapshot, ...]
    status: StopReason
    failed_component: int | None

    @property
    def model_name(self) -> str:
        """The registered model whose run this is (:mod:`em_models.registry`)."""
        return registry.DEFAULT_MODEL

    @property
    def n_components(self) -> int:
        return self.start.params.n_components

    @property
    def n_iter(self) -> int:
        return len(self.recorded) - 1

    def require_data(self) -> NDArray[np.float64]:
        """The data; :class:`TraceFileError` naming the way to get them when the file has
        none."""
        if self.X is None:
            raise TraceFileError(NO_DATA)
        return self.X


def read_trace(raw: bytes) -> PreparedRun:
    """Check the bytes of a trace file and return what they hold.

    Parameters
    ----------
    raw : bytes
        The file, as ``python -m em_core fit`` or the app's export wrote it (UTF-8; UTF-16
        with a byte-order mark, as some shells redirect output, is read too).

    Returns
    -------
    PreparedRun

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


def _symmetric_of_type(full: NDArray[np.float64], kind: str, where: str) -> NDArray[np.float64]:
    """The covariances stored as ``kind``, after checking that the full matrices are such
    matrices (symmetric; equal for tied; diagonal for diag; σ² I for spherical)."""
    size = float(np.abs(full).max(initial=0.0))
    tiny = 1e-12 * size
    if not np.all(np.abs(full - full.transpose(0, 2, 1)) <= tiny):
        raise TraceFileError(f"{where} must be symmetric matrices.")
    d = full.shape[1]
    off = full[:, ~np.eye(d, dtype=bool)]
    if kind == "tied" and not np.all(np.abs(full - full[0]) <= tiny):
        raise TraceFileError(f"{where}: 'tied' covariances must be one matrix for all components.")
    if kind in ("diag", "spherical") and not np.all(np.abs(off) <= tiny):
        raise TraceFileError(f"{where}: '{kind}' covariances must be diagonal matrices.")
    diagonals = np.diagonal(full, axis1=1, axis2=2)
    if kind == "spherical" and not np.all(np.abs(diagonals - diagonals[:, :1]) <= tiny):
        raise TraceFileError(f"{where}: 'spherical' covariances must be σ² times the identity.")
    # Spherical: the first diagonal entry, which the writer repeated exactly.
    return diagonals[:, 0].copy() if kind == "spherical" else from_full(full, kind)


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


def read_document(document: Any) -> PreparedRun:
    """The run of a Gaussian mixture in a parsed trace file, every field checked."""
    document = _fields(document, "The trace", TRACE_FIELDS, OPTIONAL_FIELDS)
    n_samples = _whole(document["n_samples"], "n_samples", low=1, high=MAX_ROWS)
    n_features = _whole(document["n_features"], "n_features", low=1, high=MAX_COLUMNS)
    n_components = _whole(document["n_components"], "n_components", low=1, high=n_samples)
    kind = document["covariance_type"]
    if kind not in COVARIANCE_TYPES:
        raise TraceFileError(
            f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; it is {_kind(kind)}"
            + (f" {kind[:40]!r}." if isinstance(kind, str) else ".")
        )
    columns = document["columns"]
    if not isinstance(columns, list) or len(columns) != n_features:
        raise TraceFileError(
            f"columns must be a list of {n_features} names; it is {_kind(columns)}."
        )
    columns = tuple(_text(name, f"columns[{j}]") for j, name in enumerate(columns))

    X = _data(document["data"], n_samples, n_features) if "data" in document else None

    init = _fields(document["init"], "init", ("method", "seed"))
    if init["method"] not in START_METHODS:
        raise TraceFileError(f"init.method must be one of {', '.join(START_METHODS)}.")
    seed = None if init["seed"] is None else _whole(init["seed"], "init.seed")

    reg_covar = _array(document["reg_covar"], "reg_covar", (n_features,))
    if np.any(reg_covar < 0):
        raise TraceFileError("reg_covar must be ≥ 0 for every column.")
    if document["ridge"] is None:
        if np.any(reg_covar != reg_covar[0]):
            raise TraceFileError(
                "reg_covar differs between columns, but ridge is null: a ridge in data units "
                "(reg_covar) is one amount for every column."
            )
        options = {"reg_covar": float(reg_covar[0])}
    else:
        options = {"ridge": _number(document["ridge"], "ridge")}
    model = _model(X, kind, reg_covar, options)

    tol = _number(document["tol"], "tol")
    n_iter = _whole(document["n_iter"], "n_iter")
    max_iter = _whole(document["max_iter"], "max_iter", low=n_iter)
    status_value = document["status"]
    if status_value not in tuple(reason.value for reason in StopReason):
        raise TraceFileError(
            "status must be one of " + ", ".join(reason.value for reason in StopReason) + "."
        )
    status = StopReason(status_value)
    if document["converged"] is not (status is StopReason.CONVERGED):
        raise TraceFileError("converged must be true exactly when status is 'converged'.")
    _text(document["message"], "message")
    failed = document["failed_component"]
    if failed is not None:
        failed = _whole(failed, "failed_component", low=1, high=n_components) - 1

    iterations = document["iterations"]
    if not isinstance(iterations, list) or len(iterations) != n_iter + 1:
        raise TraceFileError(
            f"iterations must be a list of n_iter + 1 = {n_iter + 1:,} entries; it is "
            f"{_kind(iterations)}."
        )
    recorded = tuple(
        _snapshot(entry, t, kind, n_components, n_features) for t, entry in enumerate(iterations)
    )
    first = recorded[0]
    start = Initialisation(init["method"], seed, first.params, first.stats)
    return PreparedRun(X, n_samples, columns, model, start, tol, max_iter, recorded, status, failed)


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


def _model(
    X: NDArray[np.float64] | None, kind: str, reg_covar: NDArray[np.float64], options: dict
) -> GaussianMixture:
    """The mixture's settings: the ridge resolved on the data and checked against the
    file's ``reg_covar``, or, with no data, the file's ``reg_covar`` as it is."""
    if X is None:
        return GaussianMixture(kind, reg_covar, options.get("ridge"))
    try:
        model = GaussianMixture.for_data(X, kind, **options)
    except ValueError as error:
        raise TraceFileError(f"ridge: {error}") from None
    if not np.allclose(model.ridge_diagonal, reg_covar, rtol=1e-9, atol=0.0):
        raise TraceFileError(
            "reg_covar is not ridge × each column's variance in data: the data are not "
            "those the run was fitted to."
        )
    return model


def _snapshot(entry: Any, t: int, kind: str, n_components: int, n_features: int) -> Snapshot:
    where = f"iterations[{t}]"
    entry = _fields(entry, where, ITERATION_FIELDS)
    if _whole(entry["iteration"], f"{where}.iteration") != t:
        raise TraceFileError(f"{where}.iteration must be {t}.")
    weights = _array(entry["weights"], f"{where}.weights", (n_components,))
    if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-9:
        raise TraceFileError(f"{where}.weights must be ≥ 0 and add up to 1.")
    means = _array(entry["means"], f"{where}.means", (n_components, n_features))
    full = _array(
        entry["covariances"], f"{where}.covariances", (n_components, n_features, n_features)
    )
    covariances = _symmetric_of_type(full, kind, f"{where}.covariances")
    log_likelihood = _number(entry["log_likelihood"], f"{where}.log_likelihood", low=None)
    nk = entry["nk"]
    if nk is not None:
        nk = _array(nk, f"{where}.nk", (n_components,))
        if np.any(nk < 0):
            raise TraceFileError(f"{where}.nk must be ≥ 0.")
    params = Parameters(weights, means, covariances, kind)
    return Snapshot(t, params, log_likelihood, nk)


# ---------------------------------------------------------------------------------------------
# Recomputing


def replay(run: PreparedRun, *, callback: Callable[[Snapshot], object] | None = None) -> Trace:
    """Run EM again from the file's start and settings, and check it against the file.

    Parameters
    ----------
    run : PreparedRun
    callback : callable, optional
        Given each snapshot once it has been checked (for a progress bar, or to stop).

    Returns
    -------
    Trace
        The engine's own run, equal to the file's iterations within :data:`REPLAY_RTOL`.

    Raises
    ------
    TraceFileError
        When the file has no data, the start cannot be used on the data, or an iteration,
        the number of iterations or the reason for stopping is not what EM gives.
    """
    recorded, X = run.recorded, run.require_data()
    span = np.ptp(X, axis=0)
    span[span == 0] = 1.0
    n = X.shape[0]

    def check(snapshot: Snapshot) -> None:
        t = snapshot.iteration
        if t >= len(recorded):
            raise TraceFileError(
                f"EM on these data goes on past iteration {run.n_iter}, where the file stops "
                f"({run.status.value}): the file does not follow from its data and settings."
            )
        _compare(recorded[t], snapshot, span, n)
        if callback is not None:
            callback(snapshot)

    try:
        trace = run_em(X, run.model, run.start, tol=run.tol, max_iter=run.max_iter, callback=check)
    except TraceFileError:
        raise
    except ValueError as error:  # the engine refused the start
        raise TraceFileError(f"The start (iterations[0]) cannot be used: {error}") from None
    if trace.n_iter != run.n_iter or trace.stop_reason is not run.status:
        raise TraceFileError(
            f"EM on these data stops after {trace.n_iter} iterations ({trace.stop_reason.value})"
            f", but the file records {run.n_iter} ({run.status.value})."
        )
    if failed_component(trace) != run.failed_component:
        raise TraceFileError("failed_component is not the component EM finds failing.")
    return trace


def _compare(recorded: Snapshot, computed: Snapshot, span: NDArray[np.float64], n: int) -> None:
    """Refuse ``recorded`` unless it is ``computed`` within :data:`REPLAY_RTOL` of each
    number's scale (the data's span for means, its square for covariances)."""
    a, b = recorded.params, computed.params
    pairs = [
        ("weights", a.weights, b.weights, 1.0),
        ("means", a.means, b.means, span),
        ("covariances", a.full_covariances(), b.full_covariances(), np.outer(span, span)),
        ("log_likelihood", recorded.log_likelihood, computed.log_likelihood, float(n)),
    ]
    if recorded.stats is not None or computed.stats is not None:
        if recorded.stats is None or computed.stats is None:
            raise TraceFileError(f"iterations[{recorded.iteration}].nk should not be null.")
        pairs.append(("nk", recorded.stats, computed.stats, 1.0))
    for name, mine, theirs, scale in pairs:
        check_replayed(f"iterations[{recorded.iteration}].{name}", mine, theirs, scale)


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
