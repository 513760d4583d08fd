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
chunks of all sequences together. A short loop over the chunks then joins them: the α̂
entering a chunk weights its rows. Rows are normalised one by one, so each is as safe from
underflow as the plain recursion. The backward pass is the same scan run backwards in time
on β_t ∘ b_t, whose recursion has the same form with Aᵀ.
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


@dataclass(frozen=True, eq=False)
class Chunks:
    """Every sequence cut into chunks of L steps, in the order a scan visits them.

    Attributes
    ----------
    index : array of shape (L, n_chunks)
        ``index[j, c]``: the observation at step j of chunk c; n_observations pads a chunk
        that ends early.
    first : array of shape (n_chunks,), bool
        The chunk begins its sequence.
    prev : array of shape (n_chunks,)
        The chunk before it in its sequence (−1 for a first chunk).
    last_step : array of shape (n_chunks,)
        Its last real step.
    ranks : tuple of arrays
        ``ranks[r]``: the chunks that are the r-th of their sequence.
    """

    index: NDArray[np.intp]
    first: NDArray[np.bool_]
    prev: NDArray[np.intp]
    last_step: NDArray[np.intp]
    ranks: tuple[NDArray[np.intp], ...]


def _chunks(orders: list[NDArray[np.intp]], n_total: int, length: int) -> Chunks:
    columns, prev, last_step, rank = [], [], [], []
    for order in orders:
        n_chunks = -(-order.size // length)
        padded = np.full(n_chunks * length, n_total, dtype=np.intp)
        padded[: order.size] = order
        columns.append(padded.reshape(n_chunks, length))
        base = len(prev)
        prev += [base + r - 1 if r else -1 for r in range(n_chunks)]
        last_step += [min(length, order.size - r * length) - 1 for r in range(n_chunks)]
        rank += range(n_chunks)
    rank_of = np.array(rank)
    return Chunks(
        index=np.ascontiguousarray(np.concatenate(columns).T),
        first=rank_of == 0,
        prev=np.array(prev, dtype=np.intp),
        last_step=np.array(last_step, dtype=np.intp),
        ranks=tuple(np.flatnonzero(rank_of == r) for r in range(rank_of.max() + 1)),
    )


@dataclass(frozen=True, eq=False)
class Layout:
    """Where each sequence is in the concatenated observations, and its chunks both ways.

    Attributes
    ----------
    starts, ends : arrays of shape (n_sequences,)
        Each sequence's first and last observation.
    forward, backward : Chunks
        The chunks of the forward scan, and of the backward scan (each sequence reversed).
    """

    starts: NDArray[np.intp]
    ends: NDArray[np.intp]
    forward: Chunks
    backward: Chunks

    @property
    def n_observations(self) -> int:
        return int(self.ends[-1]) + 1


def chunk_length(lengths: tuple[int, ...]) -> int:
    """L: about √N balances the loop over the steps of a chunk against the loop joining the
    chunks; never longer than the longest sequence (short sequences are one chunk each)."""
    return int(min(max(lengths), max(1, round(np.sqrt(sum(lengths))))))


def make_layout(lengths: tuple[int, ...], length: int | None = None) -> Layout:
    """The layout of sequences of these lengths, cut into chunks of ``length`` steps (by
    default :func:`chunk_length`)."""
    ends = np.cumsum(lengths) - 1
    starts = ends - np.array(lengths) + 1
    n_total = int(ends[-1]) + 1
    length = chunk_length(lengths) if length is None else length
    forward = [np.arange(a, b + 1) for a, b in zip(starts, ends, strict=True)]
    return Layout(
        starts=starts,
        ends=ends,
        forward=_chunks(forward, n_total, length),
        backward=_chunks([order[::-1] for order in forward], n_total, length),
    )


def _combine(
    log_weight: NDArray[np.float64], log_scale: NDArray[np.float64], rows: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Σ_i w_i e^{D_i} P_i, normalised to sum 1: shapes (n, K), (n, K), (n, K, K) → (n, K).

    log w_i + D_i is shifted by its largest value, so nothing underflows that matters.
    """
    u = log_weight + log_scale
    top = u.max(axis=1, keepdims=True)
    if not np.all(np.isfinite(top)):
        raise ZeroLikelihood(None)
    w = np.exp(u - top)
    v = np.einsum("ni,nik->nk", w, rows)
    return v / v.sum(axis=1, keepdims=True)


def scan(
    U: NDArray[np.float64], G: NDArray[np.float64], first_row: NDArray[np.float64], chunks: Chunks
) -> NDArray[np.float64]:
    """The recursion v_t = (v_{t−1} G) ∘ u_t with v_1 = first_row ∘ u_1 along every sequence,
    each v_t returned normalised to sum 1.

    Parameters
    ----------
    U : array of shape (n_observations, K)
    G : array of shape (K, K)
    first_row : array of shape (K,)
    chunks : Chunks
        The order of the scan (forward, or each sequence reversed).

    Returns
    -------
    array of shape (n_observations, K)
    """
    n_total, K = U.shape
    L, C = chunks.index.shape
    Uc = np.concatenate([U, np.ones((1, K))])[chunks.index]  # (L, C, K)
    P = np.empty((L, C, K, K))  # P[j, c, i]: chunk c's recursion from state i, after step j
    S = np.empty((L, C, K))  # the sum each row was divided by
    P[0] = G
    P[0][chunks.first] = first_row
    for j in range(L):
        step = P[j]
        if j:
            np.matmul(P[j - 1].reshape(C * K, K), G, out=step.reshape(C * K, K))
        step *= Uc[j][:, None, :]
        total = np.sum(step, axis=2, out=S[j])
        # A row that is all zeros (state i at the chunk's start cannot explain what follows)
        # stays zero, and its log scale becomes −inf.
        np.divide(step, total[:, :, None], out=step, where=total[:, :, None] > 0)
    with np.errstate(divide="ignore"):
        D = np.cumsum(np.log(S), axis=0)  # log scale of each row after step j
        log_entry = np.full((C, K), -np.log(K))  # log α̂ entering each chunk
        for r, ids in enumerate(chunks.ranks):
            if r:
                before = chunks.prev[ids]
                steps = chunks.last_step[before]
                log_entry[ids] = np.log(
                    _combine(log_entry[before], D[steps, before], P[steps, before])
                )
    valid = chunks.index < n_total
    chunk_of = np.broadcast_to(np.arange(C), (L, C))[valid]
    out = np.empty((n_total, K))
    out[chunks.index[valid]] = _combine(log_entry[chunk_of], D[valid], P[valid])
    return out


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
    alpha = scan(B, transmat, startprob, layout.forward)
    predicted = np.empty_like(alpha)
    predicted[1:] = alpha[:-1] @ transmat
    predicted[layout.starts] = startprob
    scale = np.einsum("nk,nk->n", predicted, B)
    stop = np.ones_like(startprob) if endprob is None else endprob
    beta = np.empty_like(alpha)  # β_t = A (β_{t+1} ∘ b_{t+1}), up to a factor for each t
    beta[:-1] = scan(B, transmat.T, stop, layout.backward)[1:] @ transmat.T
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
