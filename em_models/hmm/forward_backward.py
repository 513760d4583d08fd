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
chunk is run from *every* state at its start at once: row i of a chunk's running matrix is
the scaled forward recursion started in state i (a prefix product of the matrices A diag(b_t),
each row normalised as it goes, its log scale kept). One step of that loop handles all
chunks of all sequences, forward and backward, with the chunks along the contiguous axis.
A short loop over the chunks then joins them: the α̂ entering a chunk weights its rows.
Rows are normalised one by one, so each is as safe from underflow as the plain recursion.
The backward pass is the same scan run backwards in time on β_t ∘ b_t, whose recursion has
the same form with Aᵀ. As with any scaled recursion, a state whose filtered probability
falls below double precision's range (about 1e-308 of the others') is lost; transitions of
1e-150 between far-apart emissions reach that, and then only a log-space recursion helps.
The price of the chunks is K times the arithmetic of the plain recursion;
``benchmarks/bench_hmm.py`` measures it against hmmlearn's compiled loop.
"""

from __future__ import annotations

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


# Each step divides a row by its sum, or by this when the sum is smaller (a row of zeros:
# state i at the chunk's start cannot explain what follows; it stays zero).
TINY = float(np.finfo(np.float64).tiny)
# A join whose weighted rows sum to less than this is done again in log space.
JOIN_FLOOR = 1e-280


@dataclass(frozen=True, eq=False)
class Chunks:
    """Every sequence cut into chunks of L steps, for the forward and the backward scan.

    A sequence's chunks have the same lengths both ways (the backward scan reads each
    sequence reversed), so only ``index`` differs between the two.

    Attributes
    ----------
    index : array of shape (2, L, n_chunks)
        ``index[0, j, c]``: the observation at step j of chunk c in the forward scan;
        ``index[1]`` the same backwards. n_observations pads a chunk that ends early.
    first : array of shape (n_chunks,), bool
        The chunk begins its sequence.
    prev : array of shape (n_chunks,)
        The chunk before it in its sequence (−1 for a first chunk).
    last_step : array of shape (n_chunks,)
        Its last real step.
    ranks : tuple of arrays
        ``ranks[r]``: the chunks that are the r-th of their sequence.
    padding : array of shape (L, n_chunks), bool
        The steps past a chunk's end (the same both ways).
    """

    index: NDArray[np.intp]
    first: NDArray[np.bool_]
    prev: NDArray[np.intp]
    last_step: NDArray[np.intp]
    ranks: tuple[NDArray[np.intp], ...]
    padding: NDArray[np.bool_]


def _chunks(starts: NDArray, ends: NDArray, length: int) -> Chunks:
    n_total = int(ends[-1]) + 1
    columns: list[list[NDArray[np.intp]]] = [[], []]
    prev, last_step, rank = [], [], []
    for a, b in zip(starts, ends, strict=True):
        order = np.arange(a, b + 1)
        n_chunks = -(-order.size // length)
        for direction, steps in enumerate((order, order[::-1])):
            padded = np.full(n_chunks * length, n_total, dtype=np.intp)
            padded[: order.size] = steps
            columns[direction].append(padded.reshape(n_chunks, length))
        base = len(prev)
        prev += [base + r - 1 if r else -1 for r in range(n_chunks)]
        last_step += [min(length, order.size - r * length) - 1 for r in range(n_chunks)]
        rank += range(n_chunks)
    rank_of = np.array(rank)
    index = np.stack([np.concatenate(c).T for c in columns])
    return Chunks(
        index=index,
        first=rank_of == 0,
        prev=np.array(prev, dtype=np.intp),
        last_step=np.array(last_step, dtype=np.intp),
        ranks=tuple(np.flatnonzero(rank_of == r) for r in range(rank_of.max() + 1)),
        padding=index[0] == n_total,
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
    """L: about 1.5 √N balances the loop over the steps of a chunk against the loop joining
    the chunks (a join costs about twice a step); never longer than the longest sequence
    (short sequences are one chunk each)."""
    return int(min(max(lengths), max(1, round(1.5 * np.sqrt(sum(lengths))))))


def make_layout(lengths: tuple[int, ...], length: int | None = None) -> Layout:
    """The layout of sequences of these lengths, cut into chunks of ``length`` steps (by
    default :func:`chunk_length`)."""
    ends = np.cumsum(lengths) - 1
    starts = ends - np.array(lengths) + 1
    length = chunk_length(lengths) if length is None else length
    return Layout(starts, ends, _chunks(starts, ends, length))


def _run_chunks(U, G, first_row, chunks):
    """Every chunk's recursion from every state, the chunks along the last (contiguous) axis
    so that each operation runs over all of them at once.

    Returns P, shape (L, 2, K, K, C): P[j, s, i, :, c] is chunk c's row from state i after
    step j, normalised; and D, shape (L, 2, K, C): the log of what that row was divided by,
    summed along the chunk.
    """
    K = U.shape[1]
    _, L, C = chunks.index.shape
    Uc = np.concatenate([U, np.ones((1, K))])[chunks.index]  # (2, L, C, K)
    Uc = np.ascontiguousarray(Uc.transpose(1, 0, 3, 2))  # (L, 2, K, C)
    GT = np.ascontiguousarray(G.transpose(0, 2, 1))[:, None]  # (2, 1, K, K): row k is G[:, k]
    P = np.empty((L, 2, K, K, C))
    S = np.empty((L, 2, K, C))
    P[0] = G[:, :, :, None]
    P[0][..., chunks.first] = first_row[:, None, :, None]
    for j in range(L):
        step, total = P[j], S[j]
        if j:
            np.matmul(GT, P[j - 1], out=step)  # (P G)[i, k] = Σ_m G[m, k] P[i, m]
        step *= Uc[j][:, None]
        np.sum(step, axis=2, out=total)
        np.maximum(total, TINY, out=total)
        step /= total[:, :, None]
    return P, np.cumsum(np.log(S), axis=0)


def _join_in_logs(entry, D, P):
    """The join of :func:`_join`, for weights too small to multiply: in log space."""
    with np.errstate(divide="ignore"):
        u = np.log(entry) + D
    w = np.exp(u - u.max(axis=-1, keepdims=True))
    v = np.einsum("...i,...ik->...k", w, P)
    total = v.sum(axis=-1, keepdims=True)
    if not np.all(total > 0):
        raise ZeroLikelihood(None)
    return v / total


def _join(P, D, chunks):
    """The normalised α̂ (or backward vector) entering each chunk, shape (C, 2, K): a short
    loop over the chunks of each sequence, in order."""
    C = chunks.prev.size
    columns = np.arange(C)
    P_end = P[chunks.last_step, ..., columns]  # (C, 2, K, K)
    D_end = D[chunks.last_step, ..., columns]  # (C, 2, K)
    W_end = np.exp(D_end - D_end.max(axis=-1, keepdims=True))
    K = P.shape[2]
    entry = np.empty((C, 2, K))
    entry[chunks.ranks[0]] = 1.0 / K  # a first chunk's rows are all alike
    for ids in chunks.ranks[1:]:
        before = chunks.prev[ids]
        v = np.einsum("nsi,nsik->nsk", entry[before] * W_end[before], P_end[before])
        total = v.sum(axis=-1, keepdims=True)
        if total.min() < JOIN_FLOOR:
            v = _join_in_logs(entry[before], D_end[before], P_end[before])
        else:
            v /= total
        entry[ids] = v
    return entry


def scan(
    U: NDArray[np.float64], G: NDArray[np.float64], first_row: NDArray[np.float64], chunks: Chunks
) -> NDArray[np.float64]:
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
    array of shape (2, n_observations, K)
    """
    n_total, K = U.shape
    P, D = _run_chunks(U, G, first_row, chunks)
    with np.errstate(divide="ignore"):
        log_entry = np.log(_join(P, D, chunks)).transpose(1, 2, 0)  # (2, K, C)
    u = log_entry + D  # (L, 2, K, C)
    w = np.exp(u - u.max(axis=2, keepdims=True))
    v = w[:, :, 0, None] * P[:, :, 0]  # Σ_i w_i P_i: (L, 2, K, C)
    for i in range(1, K):
        v += w[:, :, i, None] * P[:, :, i]
    total = v.sum(axis=2)
    np.copyto(total, 1.0, where=chunks.padding[:, None, :])
    if not np.all(total > 0):
        raise ZeroLikelihood(None)
    v /= total[:, :, None]
    out = np.empty((2, n_total + 1, K))
    for direction in range(2):
        out[direction, chunks.index[direction]] = v[:, direction].transpose(0, 2, 1)
    return out[:, :n_total]


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
    shift = log_emission.max(axis=1)
    impossible = np.flatnonzero(~np.isfinite(shift))
    if impossible.size:
        raise ZeroLikelihood(int(impossible[0]))
    B = np.exp(log_emission - shift[:, None])
    stop = np.ones_like(startprob) if endprob is None else endprob
    # alpha, and β_t ∘ b_t (up to a factor for each t), from one scan each way
    alpha, beta_b = scan(
        B, np.stack([transmat, transmat.T]), np.stack([startprob, stop]), layout.chunks
    )
    predicted = np.empty_like(alpha)
    predicted[1:] = alpha[:-1] @ transmat
    predicted[layout.starts] = startprob
    scale = np.einsum("nk,nk->n", predicted, B)
    beta = np.empty_like(alpha)  # β_t = A (β_{t+1} ∘ b_{t+1}), up to a factor for each t
    beta[:-1] = beta_b[1:] @ transmat.T
    beta[layout.ends] = stop
    end_scale = None if endprob is None else alpha[layout.ends] @ endprob
    if end_scale is not None and not np.all(end_scale > 0):
        raise ZeroLikelihood(None)
    beta /= np.einsum("nk,nk->n", alpha, beta)[:, None]
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
