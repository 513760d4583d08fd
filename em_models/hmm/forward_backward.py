"""The scaled forward–backward algorithm (the HMM's E-step), over several sequences at once.

Notation (Rabiner 1989; Bishop, *Pattern Recognition and Machine Learning*, §13.2):

==========  ==============================  =================================================
symbol      name                            shape
==========  ==============================  =================================================
π           ``startprob``                   (n_states,)
A           ``transmat``, A_jk = p(k | j)   (n_states, n_states)
e           ``endprob`` (or all ones)       (n_states,), the probability of stopping after
b_t(k)      the emission p(x_t | k)         (n_observations, n_states)
α̂_t(k)      ``alpha``: p(z_t = k | x_1..t)  (n_observations, n_states), rows sum to 1
c_t         ``scale``: p(x_t | x_1..t−1)    (n_observations,)
β̂_t(k)      ``beta``: β_t(k) / Π_{s>t} c_s  (n_observations, n_states)
γ_t(k)      ``gamma`` = α̂_t(k) β̂_t(k)       (n_observations, n_states), rows sum to 1
ξ_t(j, k)   α̂_{t−1}(j) A_jk b_t(k) β̂_t(k) / c_t, summed over t in ``xi_sum``
==========  ==============================  =================================================

α_t = (α_{t−1} A) ∘ b_t with α_1 = π ∘ b_1; the scaled α̂_t = α_t / (c_1 ⋯ c_t) never
underflows, and ℓ = Σ_t log c_t (+ log Σ_k α̂_T(k) e_k with an end state).

Speed: the recursion is a loop over time, and one NumPy call per time step costs far more
than the arithmetic of K states. So each sequence is cut into chunks of L steps, and every
step of a loop handles all chunks of all sequences, forward and backward, with the chunks
along the contiguous axis, in three stages (an associative scan, as parallel HMM filters
do, with a long sequential stretch at the bottom):

1. every chunk's product of the matrices A diag(b_t), as K rows: row i is the scaled
   recursion started in state i, normalised at every step, with the log of its scale;
2. the products of the chunks before each one, by doubling (log₂ of the number of chunks
   rounds of pairwise products, every row in log space so that no weight underflows), whose
   first row is the α̂ entering the chunk;
3. the plain scaled recursion along every chunk from its entering α̂, which also gives c_t.

The backward pass is the same scan run backwards in time on β_t ∘ b_t, whose recursion has
the same form with Aᵀ. Rows are normalised one by one, so each is as safe from underflow as
the plain recursion; as with any scaled recursion, a state whose filtered probability falls
below double precision's range (about 1e-308 of the others') is lost; transitions of 1e-150
between far-apart emissions reach that, and then only a log-space recursion helps. Stage 1
costs K times the arithmetic of the plain recursion; ``benchmarks/bench_hmm.py`` measures
the whole iteration against hmmlearn's compiled loop.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


class ZeroLikelihood(FloatingPointError):
    """The observations have probability zero under the parameters.

    Attributes
    ----------
    position : int or None
        The first observation (0-based, over all sequences) no state can explain, when one
        alone is the cause; None when the path through the states is impossible instead.
    """

    def __init__(self, position: int | None) -> None:
        super().__init__("the observations have probability zero under these parameters")
        self.position = position


# Stage 1 divides a row by its sum, or by this when the sum is smaller (a row of zeros:
# state i at the chunk's start cannot explain what follows; it stays zero).
TINY = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True, eq=False)
class Chunks:
    """Every sequence cut into chunks of L steps, for the forward and the backward scan.

    A sequence's chunks have the same lengths both ways (the backward scan reads each
    sequence reversed), so only ``index`` differs between the two. A sequence's chunks are
    consecutive, in order, both ways.

    Attributes
    ----------
    index : array of shape (2, L, n_chunks)
        ``index[0, j, c]``: the observation at step j of chunk c in the forward scan;
        ``index[1]`` the same backwards. n_observations pads a chunk that ends early.
    first : array of shape (n_chunks,), bool
        The chunk begins its sequence.
    stops : tuple of (int, array) pairs
        (j, the chunks whose last real step is j), j increasing.
    padding : array of shape (L, n_chunks), bool
        The steps past a chunk's end (the same both ways).
    position : array of shape (2, n_observations)
        Where each observation is in ``index[s]`` flattened (the inverse of ``index``).
    """

    index: NDArray[np.intp]
    first: NDArray[np.bool_]
    stops: tuple[tuple[int, NDArray[np.intp]], ...]
    padding: NDArray[np.bool_]
    position: NDArray[np.intp]


def _chunks(starts: NDArray, ends: NDArray, length: int) -> Chunks:
    n_total = int(ends[-1]) + 1
    columns: list[list[NDArray[np.intp]]] = [[], []]
    last_step, rank = [], []
    for a, b in zip(starts, ends, strict=True):
        order = np.arange(a, b + 1)
        n_chunks = -(-order.size // length)
        for direction, steps in enumerate((order, order[::-1])):
            padded = np.full(n_chunks * length, n_total, dtype=np.intp)
            padded[: order.size] = steps
            columns[direction].append(padded.reshape(n_chunks, length))
        last_step += [min(length, order.size - r * length) - 1 for r in range(n_chunks)]
        rank += range(n_chunks)
    index = np.stack([np.concatenate(c).T for c in columns])
    position = np.empty((2, n_total + 1), dtype=np.intp)
    for direction in range(2):
        position[direction, index[direction].ravel()] = np.arange(index[direction].size)
    last = np.array(last_step)
    return Chunks(
        index=index,
        first=np.array(rank) == 0,
        stops=tuple((int(j), np.flatnonzero(last == j)) for j in np.unique(last)),
        padding=index[0] == n_total,
        position=position[:, :n_total],
    )


@dataclass(frozen=True, eq=False)
class Layout:
    """Where each sequence is in the concatenated observations, and its chunks.

    Attributes
    ----------
    starts, ends : arrays of shape (n_sequences,)
        Each sequence's first and last observation.
    chunks : Chunks
    """

    starts: NDArray[np.intp]
    ends: NDArray[np.intp]
    chunks: Chunks

    @property
    def n_observations(self) -> int:
        return int(self.ends[-1]) + 1


def chunk_length(lengths: tuple[int, ...]) -> int:
    """L: about 0.6 √N balances the loops over the steps of a chunk (stages 1 and 3) against
    the rounds of stage 2, whose arrays grow with the number of chunks (measured at
    N = 100,000 and K = 3); never longer than the longest sequence (short sequences are one
    chunk each)."""
    return int(min(max(lengths), max(1, round(0.6 * np.sqrt(sum(lengths))))))


def make_layout(lengths: tuple[int, ...], length: int | None = None) -> Layout:
    """The layout of sequences of these lengths, cut into chunks of ``length`` steps (by
    default :func:`chunk_length`)."""
    ends = np.cumsum(lengths) - 1
    starts = ends - np.array(lengths) + 1
    length = chunk_length(lengths) if length is None else length
    return Layout(starts, ends, _chunks(starts, ends, length))


def _last_max(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """a.max(axis=-1) over a short last axis, several times faster."""
    return functools.reduce(np.maximum, np.moveaxis(a, -1, 0))


def _relative(D: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log row scales less their largest (per matrix), so that they stay small numbers; all
    −inf (no row possible) stays so."""
    top = _last_max(D)[..., None]
    return D - np.where(np.isfinite(top), top, 0.0)


def _chunk_products(Uc, G, first_row, chunks):
    """Stage 1: every chunk's product, from every state at its start.

    Returns R, shape (2, K, K, C): R[s, i, :, c] is chunk c's row from state i after its last
    step, normalised (zeros if state i cannot start the chunk); and D, shape (2, K, C): the
    log of what that row was divided by, summed along the chunk (−inf for a row of zeros).
    """
    L, _, K, C = Uc.shape
    GT = np.ascontiguousarray(G.transpose(0, 2, 1))[:, None]  # (2, 1, K, K): row k is G[:, k]
    R = np.empty((2, K, K, C))
    R[:] = G[:, :, :, None]
    R[..., chunks.first] = first_row[:, None, :, None]
    spare, R_end = np.empty_like(R), np.empty_like(R)
    S = np.empty((L, 2, K, C))
    stops = dict(chunks.stops)
    for j in range(L):
        if j:
            np.matmul(GT, R, out=spare)  # (R G)[i, k] = Σ_m G[m, k] R[i, m]
            R, spare = spare, R
        R *= Uc[j][:, None]
        total = np.sum(R, axis=2, out=S[j])
        np.maximum(total, TINY, out=total)
        R /= total[:, :, None]
        if j in stops:
            R_end[..., stops[j]] = R[..., stops[j]]
    np.copyto(S, 1.0, where=chunks.padding[:, None, None, :])
    D = np.log(S).sum(axis=0)
    D[R_end.sum(axis=2) == 0] = -np.inf
    return R_end, D


def combine(Ra, Da, Rb, Db):
    """The products (diag(e^Da) Ra)(diag(e^Db) Rb) of matrices of shape (..., K, K) in the
    same form: rows normalised (or zero), and the log scales D of shape (..., K), relative.

    Row i weights Rb's rows by Ra[i, m] e^Db[m] in log space, less its own largest, so the
    largest weight is 1: no row underflows however far apart the scales are.
    """
    with np.errstate(divide="ignore"):
        u = np.log(Ra) + Db[..., None, :]
    top = _last_max(u)[..., None]
    top[~np.isfinite(top)] = 0.0  # a row of zeros (an impossible start) stays zero
    rows = np.exp(u - top) @ Rb
    total = rows.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        D = Da + top[..., 0] + np.log(total[..., 0])
    return rows / np.maximum(total, TINY), _relative(D)


def _entries(R, D):
    """Stage 2: the normalised vector entering each chunk, shape (2, K, C), from the chunks'
    prefix products (Hillis and Steele's doubling). The products run across sequences: a
    first chunk's rows are all alike, so whatever comes before it is forgotten."""
    R = np.ascontiguousarray(R.transpose(3, 0, 1, 2))  # (C, 2, K, K)
    D = _relative(D.transpose(2, 0, 1))  # (C, 2, K)
    shift = 1
    while shift < len(R):
        R_new, D_new = combine(R[:-shift], D[:-shift], R[shift:], D[shift:])
        R = np.concatenate([R[:shift], R_new])
        D = np.concatenate([D[:shift], D_new])
        shift *= 2
    entry = np.empty((2, R.shape[2], len(R)))
    entry[..., 1:] = R[:-1, :, 0, :].transpose(1, 2, 0)
    entry[..., 0] = 0.0  # (a first chunk starts from first_row instead)
    return entry


def _run_from_entries(Uc, G, first_row, entry, chunks):
    """Stage 3: the scaled recursion along every chunk from its entering vector.

    Returns V, shape (L, 2, K, C), each step normalised, and the sums it was divided by,
    shape (L, 2, C) (0 or NaN where the path is impossible).
    """
    L, _, K, C = Uc.shape
    GT = np.ascontiguousarray(G.transpose(0, 2, 1))
    V = np.empty((L, 2, K, C))
    S = np.empty((L, 2, 1, C))
    np.matmul(GT, entry, out=V[0])
    V[0][..., chunks.first] = first_row[:, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(L):
            v = V[j]
            if j:
                np.matmul(GT, V[j - 1], out=v)
            v *= Uc[j]
            np.sum(v, axis=1, keepdims=True, out=S[j])
            v /= S[j]
    return V, S[:, :, 0]


def scan(
    U: NDArray[np.float64], G: NDArray[np.float64], first_row: NDArray[np.float64], chunks: Chunks
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The recursion v_t = (v_{t−1} G_s) ∘ u_t with v_1 = first_row_s ∘ u_1 along every
    sequence, forward (s = 0) and backward (s = 1) at once, each v_t normalised to sum 1.

    Parameters
    ----------
    U : array of shape (n_observations, K)
    G : array of shape (2, K, K)
    first_row : array of shape (2, K)
    chunks : Chunks

    Returns
    -------
    v : array of shape (2, n_observations, K)
    sums : array of shape (2, n_observations)
        What each v_t was divided by: Σ_k (v_{t−1} G_s)_k u_t(k).

    Raises
    ------
    ZeroLikelihood
        When a sum is zero: no path explains the observations.
    """
    n_total, K = U.shape
    _, L, C = chunks.index.shape
    UT = np.ones((K, n_total + 1))  # u_t(k) as rows, and 1 for the padding
    UT[:, :n_total] = U.T
    Uc = np.empty((L, 2, K, C))
    for direction, k in np.ndindex(2, K):
        np.take(UT[k], chunks.index[direction], out=Uc[:, direction, k])
    entry = _entries(*_chunk_products(Uc, G, first_row, chunks))
    V, S = _run_from_entries(Uc, G, first_row, entry, chunks)
    out = np.empty((2, n_total, K))
    sums = np.empty((2, n_total))
    for direction, where in enumerate(chunks.position):
        for k in range(K):
            out[direction, :, k] = V[:, direction, k].reshape(-1)[where]
        np.take(S[:, direction].reshape(-1), where, out=sums[direction])
    if not np.all(sums > 0):
        raise ZeroLikelihood(None)
    return out, sums


@dataclass(frozen=True, eq=False)
class ForwardBackward:
    """The E-step's results for one set of parameters (see the module docstring).

    Attributes
    ----------
    alpha, beta, gamma : arrays of shape (n_observations, n_states)
    emission : array of shape (n_observations, n_states)
        b_t(k) / max_j b_t(j): the emissions each step used, divided by their largest.
    scale : array of shape (n_observations,)
        c_t for these emissions: log c_t = log(scale_t) + log max_k b_t(k).
    log_scale : array of shape (n_observations,)
        log c_t.
    end_scale : array of shape (n_sequences,) or None
        Σ_k α̂_T(k) e_k of each sequence, with an end state.
    xi_sum : array of shape (n_states, n_states)
        Σ_t ξ_t(j, k), the expected number of transitions j → k.
    log_likelihood : float
        ℓ = Σ_t log c_t (+ Σ log end_scale).
    """

    alpha: NDArray[np.float64]
    beta: NDArray[np.float64]
    gamma: NDArray[np.float64]
    emission: NDArray[np.float64]
    scale: NDArray[np.float64]
    log_scale: NDArray[np.float64]
    end_scale: NDArray[np.float64] | None
    xi_sum: NDArray[np.float64]
    log_likelihood: float


def forward_backward(
    log_emission: NDArray[np.float64],
    startprob: NDArray[np.float64],
    transmat: NDArray[np.float64],
    endprob: NDArray[np.float64] | None,
    layout: Layout,
) -> ForwardBackward:
    """The scaled forward–backward pass.

    Parameters
    ----------
    log_emission : array of shape (n_observations, n_states)
        log b_t(k) (−inf where state k cannot emit x_t).
    startprob, transmat, endprob : π, A and e (None: no end state)
    layout : Layout

    Raises
    ------
    ZeroLikelihood
        When the observations have probability zero.
    """
    shift = _last_max(log_emission)
    impossible = np.flatnonzero(~np.isfinite(shift))
    if impossible.size:
        raise ZeroLikelihood(int(impossible[0]))
    B = np.exp(log_emission - shift[:, None])
    stop = np.ones_like(startprob) if endprob is None else endprob
    # alpha, and β_t ∘ b_t (up to a factor for each t), from one scan each way
    (alpha, beta_b), (scale, _) = scan(
        B, np.stack([transmat, transmat.T]), np.stack([startprob, stop]), layout.chunks
    )
    beta = np.empty_like(alpha)  # β_t = A (β_{t+1} ∘ b_{t+1}), up to a factor for each t
    beta[:-1] = beta_b[1:] @ transmat.T
    beta[layout.ends] = stop
    end_scale = None if endprob is None else alpha[layout.ends] @ endprob
    if end_scale is not None and not np.all(end_scale > 0):
        raise ZeroLikelihood(None)
    beta /= ((alpha * beta) @ np.ones(len(stop)))[:, None]
    weighted = B * beta / scale[:, None]
    weighted[layout.starts] = 0.0  # no transition enters a sequence's first observation
    log_scale = np.log(scale) + shift
    log_likelihood = float(log_scale.sum())
    if end_scale is not None:
        log_likelihood += float(np.log(end_scale).sum())
    return ForwardBackward(
        alpha=alpha,
        beta=beta,
        gamma=alpha * beta,
        emission=B,
        scale=scale,
        log_scale=log_scale,
        end_scale=end_scale,
        xi_sum=transmat * (alpha[:-1].T @ weighted[1:]),
        log_likelihood=log_likelihood,
    )


def xi_at(fb: ForwardBackward, transmat: NDArray[np.float64], t: int) -> NDArray[np.float64]:
    """ξ_t(j, k) = p(z_{t−1} = j, z_t = k | x), shape (n_states, n_states), for an observation
    t that is not the first of its sequence."""
    right = fb.emission[t] * fb.beta[t] / fb.scale[t]
    return fb.alpha[t - 1][:, None] * transmat * right[None, :]
