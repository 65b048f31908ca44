"""M_N applied level by level, without forming it (clauses LIFT-1, LIFT-2).

Write each term of B_jk = Σ H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j} as the positions p with ℓ_p = 0, which only
place F_0 as a factor of the output, and the others (ℓ_p ≥ 1), which consume the input's modes in
order. Then

    (M_N ŷ + c)_j = Σ_{r=0..j} shuffle(F_0^{⊗(j−r)}, W_r),   W_r = Σ_k C_rk ŷ_k,

where C_rk sums the compositions of k into r parts ≥ 1 and the shuffle sums the C(j, r)
interleavings of the r modes of W_r with j − r copies of F_0. W_r comes from one chain of
contractions: H_ℓ applied to the leading ℓ modes of every level turns a batch of k-tensors into n
times as many (k − ℓ)-tensors, so after t contractions every array still has at most n^N entries.
The shuffles are a small table over (copies of F_0, modes of W left). No Kronecker product and no
term-by-term expansion is formed; when only F_0 changes between steps nothing is rebuilt. Tested
against the assembled CSR matrix and the exact builder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

#: m -> (batch, n^m); level 0 holds the constant 1 of each batch row
Levels = dict[int, np.ndarray]
#: contract(H_ℓ, r): (batch, n^ℓ, w) → (batch, n, w), H_ℓ applied to the middle axis
Contract = Callable[[Any, np.ndarray], np.ndarray]


def contraction_chain(h: Mapping[int, Any], y: Levels, order: int, n: int, contract: Contract | None = None
                      ) -> list[np.ndarray]:
    """W_r = Σ_k C_rk y_k for r = 0 … order (W_r of shape (n^r,)), C using only the factors ℓ ≥ 1.

    The entries may be float64 (H_ℓ CSR, the default contraction) or exact integers in object arrays
    (H_ℓ as sparse integer triples, with :func:`contract_exact`)."""
    contract = _contract if contract is None else contract
    degrees = [ell for ell in sorted(h) if ell >= 1]
    z = {m: a.reshape(1, -1) for m, a in y.items()}
    out = [z[0].reshape(1)]
    batch = 1
    for r in range(1, order + 1):
        nxt: Levels = {}
        for ell in degrees:
            for m, a in z.items():
                rest = m - ell
                if rest < 0 or rest > order - r:  # each later factor consumes at least one mode
                    continue
                c = contract(h[ell], a.reshape(batch, n**ell, n**rest))  # (batch, n, n^rest)
                c = c.reshape(batch * n, n**rest)
                nxt[rest] = nxt[rest] + c if rest in nxt else c
        batch *= n
        z = nxt
        if 0 in z:
            out.append(z[0].reshape(-1))
        else:
            out.append(np.array([0] * n**r, dtype=object) if out[0].dtype == object else np.zeros(n**r))
    return out


def _contract(hl: sp.csr_matrix, r: np.ndarray) -> np.ndarray:
    """(batch, n^ℓ, w) → (batch, n, w): H_ℓ applied to the middle axis."""
    batch, cols, width = r.shape
    t = np.ascontiguousarray(r.transpose(1, 0, 2)).reshape(cols, batch * width)
    prod = np.asarray(hl @ t)
    return np.ascontiguousarray(prod.reshape(-1, batch, width).transpose(1, 0, 2))


def contract_exact(hl: tuple[int, np.ndarray, np.ndarray, list[int]], r: np.ndarray) -> np.ndarray:
    """:func:`_contract` for exact integers: H_ℓ given as (n, rows, cols, integer values), r an object
    array; every product and sum is exact (Python integers)."""
    n, rows, cols, vals = hl
    batch, _, width = r.shape
    out = np.empty((batch, n, width), dtype=object)
    out.fill(0)
    for i, c, v in zip(rows.tolist(), cols.tolist(), vals):
        out[:, i, :] += r[:, c, :] * v
    return out


def shuffle_sum(f0: np.ndarray | None, w: list[np.ndarray], order: int, n: int) -> list[np.ndarray]:
    """out_j = Σ_r shuffle(F_0^{⊗(j−r)}, W_r) for j = 1 … order (each of shape (n^j,))."""
    out = [w[j].copy() for j in range(order + 1)]
    if f0 is None or not any(x != 0 for x in f0):
        return out[1:]
    for r in range(order):
        # g[(a, s)]: the shuffles of a copies of F_0 with the last s modes of W_r, batched over the
        # first r − s modes of W_r: shape (n^{r−s}, n^{a+s})
        g: dict[tuple[int, int], np.ndarray] = {(0, s): w[r].reshape(n ** (r - s), n**s) for s in range(r + 1)}
        for a in range(1, order - r + 1):
            for s in range(r + 1):
                prev = g[(a - 1, s)]
                val = (f0[None, :, None] * prev[:, None, :]).reshape(prev.shape[0], -1)  # F_0 first
                if s > 0:
                    val = val + g[(a, s - 1)].reshape(n ** (r - s), -1)  # W's next mode first
                g[(a, s)] = val
            out[r + a] = out[r + a] + g[(a, r)].reshape(-1)
    return out[1:]


def continuous_apply(f: Mapping[int, Any], f0: np.ndarray | None, y: Levels, order: int, n: int, *,
                     scale: Any = 1, contract: Contract | None = None) -> list[np.ndarray]:
    """(scale·I + A_N) y + a·y_0 level by level (LIFT-3 with G_ℓ = F_ℓ; a = F_0 on level 1): every
    term is one F_ℓ at one position i of level j, applied to level j + ℓ − 1 as one contraction.
    ``f`` maps ℓ ≥ 1 to F_ℓ (CSR, or exact integer triples with :func:`contract_exact`)."""
    contract = _contract if contract is None else contract
    out = [y[j].reshape(-1) * scale for j in range(1, order + 1)]
    if f0 is not None:
        out[0] = out[0] + f0 * y[0].reshape(-1)[0]
    for j in range(1, order + 1):
        for ell in ([0] if f0 is not None else []) + sorted(f):
            k = j + ell - 1
            if not 1 <= k <= order:
                continue
            src = y[k].reshape(-1)
            for i in range(j):  # F_ℓ at position i consumes ℓ modes after the first i
                if ell == 0:
                    assert f0 is not None
                    part = src.reshape(n**i, 1, n ** (j - 1 - i)) * f0[None, :, None]
                else:
                    part = contract(f[ell], src.reshape(n**i, n**ell, n ** (j - 1 - i)))
                out[j - 1] = out[j - 1] + part.reshape(-1)
    return out


def split_levels(vector: np.ndarray, n: int, order: int) -> Levels:
    """A lifted vector (levels 1 … N concatenated, LIFT-2) as views of its levels, with level 0 = 1."""
    y: Levels = {0: np.ones(1)}
    pos = 0
    for j in range(1, order + 1):
        y[j] = vector[pos:pos + n**j]
        pos += n**j
    return y


def step_lifted(h: Mapping[int, sp.csr_matrix | np.ndarray], vector: np.ndarray, n: int, order: int) -> np.ndarray:
    """M_N ŷ + c for one lifted vector ŷ (levels 1 … N concatenated, LIFT-2), as a flat vector.

    ``h`` maps ℓ to H_ℓ: H_0 = F_0 (a length-n vector or n × 1), H_1 = I + F_1, H_ℓ = F_ℓ (CSR).
    """
    y = split_levels(vector, n, order)
    w = contraction_chain({ell: m for ell, m in h.items() if ell >= 1}, y, order, n)
    f0 = None if 0 not in h else np.asarray(sp.csr_matrix(h[0]).toarray(), dtype=np.float64).reshape(-1)
    return np.concatenate(shuffle_sum(f0, w, order, n))
