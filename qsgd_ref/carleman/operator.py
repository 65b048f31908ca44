"""M_N applied matrix-free (clause LIFT-2): :class:`LiftedMapOperator` applies every term
H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j} of a block B_jk to the level-k block of a vector by :func:`apply_kron`,
one sparse–dense product per factor; no Kronecker product is formed. Tested (matvec, rmatvec and
the constant) against the exact builder :mod:`qsgd_ref.carleman.exact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from qsgd_ref.base.indexing import level_offsets
from qsgd_ref.carleman.kernels import matmul_add
from qsgd_ref.carleman.numeric import check_order, constant_term, csr_factors, level_terms

#: Entries per row block of the intermediate in the matrix-free apply of a two-factor term.
_PANEL = 2**15
_MAX_PANELS = 256
#: Intermediate tensors smaller than this (4 MiB) stay in cache anyway: no panels then.
_PANEL_MIN = 2**19


def _panel_product(m: sp.csr_matrix, x: np.ndarray, width: int, emit: Any) -> None:
    """For each panel of ``width`` columns of the C-ordered matrix x: y = m @ x[:, panel], computed on
    a contiguous copy so that it runs in cache, then ``emit(panel, y)``."""
    cols = x.shape[1]
    pin = np.empty(x.shape[0] * width)
    pout = np.empty(m.shape[0] * width)
    for c0 in range(0, cols, width):
        c1 = min(c0 + width, cols)
        p = pin[:x.shape[0] * (c1 - c0)].reshape(x.shape[0], c1 - c0)
        np.copyto(p, x[:, c0:c1])
        y = pout[:m.shape[0] * (c1 - c0)].reshape(m.shape[0], c1 - c0)
        y.fill(0.0)
        matmul_add(m, p, y)
        emit(slice(c0, c1), y)


def _pair_panels(a: sp.csr_matrix, b: sp.csr_matrix) -> int:
    """Number of column panels :func:`_apply_pair` would use (few means panels are worth it)."""
    width = max(1, _PANEL // max(a.shape[1], b.shape[1], a.shape[0], b.shape[0]))
    return int(-(-b.shape[1] // width) + -(-a.shape[0] // width))


def _apply_pair(a: sp.csr_matrix, b: sp.csr_matrix, x: np.ndarray, out: np.ndarray, *, add: bool,
                work: tuple[np.ndarray, np.ndarray]) -> None:
    """out (+)= (A ⊗ B) x = vec(A X Bᵀ) in two passes over column panels that fit in cache:
    Zᵀ = (A X)ᵀ panel by panel, then (B Zᵀ)ᵀ panel by panel (the full tensors would not fit)."""
    sa, sb, ra, rb_ = a.shape[1], b.shape[1], a.shape[0], b.shape[0]
    width = max(1, _PANEL // max(sa, sb, ra, rb_))
    zt = work[1][:sb * ra].reshape(sb, ra)
    dest = out.reshape(ra, rb_)

    def to_zt(cols: slice, y: np.ndarray) -> None:
        np.copyto(zt[cols], y.T)

    def to_out(cols: slice, y: np.ndarray) -> None:
        if add:
            dest[cols] += y.T
        else:
            np.copyto(dest[cols], y.T)

    _panel_product(a, x.reshape(sa, sb), width, to_zt)
    _panel_product(b, zt, width, to_out)


def apply_kron(mats: list[sp.csr_matrix], x: np.ndarray, out: np.ndarray, *, add: bool,
               work: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """out (+)= (A_1 ⊗ … ⊗ A_j) x without forming the product (CSR factors A_i).

    x is viewed as a j-way tensor; each factor is applied to its mode by one sparse–dense matmul,
    and the processed mode is rotated to the back. ``work`` holds two scratch buffers (each at least
    as long as any intermediate tensor) so that repeated applications do not allocate.
    """
    sizes = [int(np.prod([m.shape[0] for m in mats[:i]] + [m.shape[1] for m in mats[i:]], dtype=np.int64))
             for i in range(len(mats) + 1)]
    if work is None or min(w.size for w in work) < max(sizes):
        work = (np.empty(max(sizes)), np.empty(max(sizes)))
    if len(mats) == 1:  # no rotation: accumulate straight into out
        dest = out.reshape(mats[0].shape[0], -1)
        if not add:
            dest.fill(0.0)
        matmul_add(mats[0], x.reshape(mats[0].shape[1], -1), dest)
        return
    if len(mats) == 2 and max(sizes) >= _PANEL_MIN and _pair_panels(mats[0], mats[1]) <= _MAX_PANELS:
        _apply_pair(mats[0], mats[1], x, out, add=add, work=work)
        return
    src = x.reshape(mats[0].shape[1], -1)
    for i, m in enumerate(mats):
        y = work[0][:sizes[i + 1]].reshape(m.shape[0], -1)
        y.fill(0.0)
        matmul_add(m, np.ascontiguousarray(src), y)  # (rows of A_i, remaining inputs…, processed outputs…)
        if i + 1 < len(mats):
            nxt = mats[i + 1].shape[1]
            rot = work[1][:sizes[i + 1]]
            np.copyto(rot.reshape(nxt, -1, m.shape[0]), y.reshape(m.shape[0], nxt, -1).transpose(1, 2, 0))
            src = rot.reshape(nxt, -1)
    # modes are now (j, 1, …, j-1): move the last one back to the end
    t = y.reshape(mats[-1].shape[0], -1).T
    dest = out.reshape(t.shape)
    if add:
        dest += t
    else:
        np.copyto(dest, t)


class LiftedMapOperator(LinearOperator):  # type: ignore[misc]
    """M_N of one map as a matrix-free LinearOperator (LIFT-2); ``constant`` is c."""

    def __init__(self, fmap: Mapping[int, object], n: int, order: int) -> None:
        check_order(n, order)
        self.n, self.order = n, order
        self.h = csr_factors(fmap, n)
        self.hT = {ell: m.T.tocsr() for ell, m in self.h.items()}
        self.terms = [level_terms(self.h, j, order) for j in range(1, order + 1)]
        self.offsets = level_offsets(n, order)
        self.constant = constant_term(self.h, n, order)
        dim = int(self.offsets[-1])
        self._work = (np.empty(0), np.empty(0))
        super().__init__(dtype=np.float64, shape=(dim, dim))

    def _scratch(self) -> tuple[np.ndarray, np.ndarray]:
        """Two reusable buffers as long as the largest intermediate tensor of any term: after i
        factors of (ℓ_1…ℓ_j) it has n^{i + ℓ_{i+1} + … + ℓ_j} entries (either direction)."""
        if self._work[0].size == 0:
            n = self.n
            size = max([n ** max(i + sum(comp[i:]), sum(comp[:i]) + len(comp) - i)
                        for terms in self.terms for _, comp in terms for i in range(len(comp) + 1)],
                       default=1)
            self._work = (np.empty(size), np.empty(size))
        return self._work

    def _matvec(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64).ravel()
        out, o = np.empty(self.shape[0]), self.offsets
        for j, terms in enumerate(self.terms, start=1):
            if not terms:
                out[o[j - 1]:o[j]] = 0.0
            for i, (k, comp) in enumerate(terms):
                apply_kron([self.h[ell] for ell in comp], y[o[k - 1]:o[k]], out[o[j - 1]:o[j]], add=i > 0,
                           work=self._scratch())
        return out

    def _rmatvec(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64).ravel()
        out, o = np.zeros(self.shape[0]), self.offsets
        for j, terms in enumerate(self.terms, start=1):
            for k, comp in terms:  # (H_1 ⊗ … ⊗ H_j)^T = H_1^T ⊗ … ⊗ H_j^T: level j -> level k
                apply_kron([self.hT[ell] for ell in comp], y[o[j - 1]:o[j]], out[o[k - 1]:o[k]], add=True,
                           work=self._scratch())
        return out
