"""The lifted map in float64 as CSR (clauses LIFT-1, LIFT-2, LIFT-3).

The blocks B_jk = Σ_{ℓ_1+…+ℓ_j=k} H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j} are assembled directly as CSR arrays by
vectorised index arithmetic (:func:`kron_csr`), in the canonical numpy.kron order (MAP-1), and
written straight into the arrays of M_N when a block row has a single term. The matrix-free
apply is :mod:`qsgd_ref.carleman.operator`; both are tested against :mod:`qsgd_ref.carleman.exact`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import kron_power, level_offsets, lifted_dimension
from qsgd_ref.base.limits import check_bytes, check_lifted

_I32 = np.iinfo(np.int32).max
#: Up to this many runs of equal row counts in A, kron_csr writes each run in place.
_MAX_RUNS = 4096
#: Entries written per chunk by kron_csr (about 3 MiB of output, so it stays in cache).
_CHUNK = 2**18


def _as_csr(a: Any, shape: tuple[int, int], field: str) -> sp.csr_matrix:
    """A float64 CSR copy of ``a`` (dense or sparse) with explicit zeros removed."""
    if sp.issparse(a):
        m = sp.csr_matrix(a, dtype=np.float64, copy=True)
    else:
        arr = np.asarray(a, dtype=np.float64)
        if arr.size != shape[0] * shape[1]:
            raise InputError(field, f"expected shape {shape}, got {arr.shape}")
        m = sp.csr_matrix(arr.reshape(shape))
    if m.shape != shape:
        raise InputError(field, f"expected shape {shape}, got {m.shape}")
    if not np.all(np.isfinite(m.data)):
        raise InputError(field, "contains NaN or infinity")
    m.sum_duplicates()
    m.eliminate_zeros()
    return m


def csr_factors(fmap: Mapping[int, object], n: int, *, discrete: bool = True) -> dict[int, sp.csr_matrix]:
    """The non-zero factors H_ℓ (LIFT-1) as CSR: H_0 = F_0 (n × 1), H_1 = I + F_1, H_ℓ = F_ℓ.

    With ``discrete=False`` the identity is not added (continuous G_ℓ of LIFT-3).
    """
    out: dict[int, sp.csr_matrix] = {}
    for ell, a in fmap.items():
        ell = int(ell)
        if ell < 0:
            raise InputError(f"F.{ell}", "the degree ℓ must be non-negative")
        cols = 1 if ell == 0 else n**ell
        m = _as_csr(a, (n, cols), f"F.{ell}")
        if m.nnz:
            out[ell] = m
    if discrete:
        eye = sp.identity(n, dtype=np.float64, format="csr")
        h1 = out[1] + eye if 1 in out else eye
        h1 = sp.csr_matrix(h1)
        h1.sum_duplicates()
        h1.eliminate_zeros()
        if h1.nnz:
            out[1] = h1
        else:
            out.pop(1, None)
    return out


def kron_csr(a: sp.csr_matrix, b: sp.csr_matrix, *, col_offset: int = 0,
             out: tuple[np.ndarray, np.ndarray] | None = None) -> sp.csr_matrix:
    """A ⊗ B (numpy.kron order) as CSR, built by index arithmetic, columns shifted by ``col_offset``.

    Row (r_a, r_b) holds the entries (p_b, i) for p_b in row r_b of B and i in row r_a of A,
    column c_a·ncol(B) + c_b (+ offset): the entries of one A-row group are a single broadcast
    product, so nothing is sorted. ``out`` = (indices, data) views receive the result in place.
    """
    ma, mb, nb = a.shape[0], b.shape[0], b.shape[1]
    na = np.diff(a.indptr)
    nbr = np.diff(b.indptr)
    nnz = int(a.nnz) * int(b.nnz)
    ncols = a.shape[1] * nb + col_offset
    idx_t = np.int32 if max(nnz, ncols) <= _I32 else np.int64
    indptr = np.empty(ma * mb + 1, dtype=idx_t if nnz <= _I32 else np.int64)
    indptr[0] = 0
    np.cumsum(np.multiply.outer(na, nbr).ravel(), out=indptr[1:])
    if out is None:
        indices = np.empty(nnz, dtype=idx_t)
        data = np.empty(nnz, dtype=np.float64)
    else:
        indices, data = out
    bcol = b.indices.astype(idx_t, copy=False)
    # Runs of consecutive A-rows with the same entry count k are one broadcast product each,
    # written to a contiguous slice; with many runs, rows are grouped by k and scattered.
    cuts = np.flatnonzero(np.diff(na)) + 1
    if len(cuts) < _MAX_RUNS:
        starts, stops = np.concatenate([[0], cuts]), np.concatenate([cuts, [ma]])
        for r0, r1 in zip(starts.tolist(), stops.tolist(), strict=True):
            k = int(na[r0])
            if k == 0:
                continue
            p0, p1 = int(a.indptr[r0]), int(a.indptr[r1])
            acol = (a.indices[p0:p1].astype(idx_t) * idx_t(nb) + idx_t(col_offset)).reshape(r1 - r0, k)
            aval = a.data[p0:p1].reshape(r1 - r0, k)
            ind3 = indices[p0 * b.nnz:p1 * b.nnz].reshape(r1 - r0, b.nnz, k)
            dat3 = data[p0 * b.nnz:p1 * b.nnz].reshape(r1 - r0, b.nnz, k)
            # chunks of rows small enough to stay in cache while their k strided passes write them
            step = max(1, _CHUNK // max(1, b.nnz * k))
            for c0 in range(0, r1 - r0, step):
                chunk = slice(c0, c0 + step)
                for i in range(k):
                    np.add(bcol[None, :], acol[chunk, i, None], out=ind3[chunk, :, i])
                    np.multiply(b.data[None, :], aval[chunk, i, None], out=dat3[chunk, :, i])
    else:
        for k in np.unique(na).tolist():
            if k == 0:
                continue
            rows = np.flatnonzero(na == k)
            seg = a.indptr[rows][:, None] + np.arange(k)
            acol = (a.indices[seg].astype(idx_t) * idx_t(nb) + idx_t(col_offset))[:, None, :]
            pos = ((a.indptr[rows].astype(np.int64) * b.nnz)[:, None] + np.arange(b.nnz * k)).ravel()
            indices[pos] = (bcol[None, :, None] + acol).ravel()
            data[pos] = (b.data[None, :, None] * a.data[seg][:, None, :]).ravel()
    return sp.csr_matrix((data, indices, indptr), shape=(ma * mb, ncols), copy=False)


def _kron_chain(factors: list[sp.csr_matrix], col_offset: int = 0,
                out: tuple[np.ndarray, np.ndarray] | None = None) -> sp.csr_matrix:
    """H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j}, associated from the right so that the left factor of every product
    is a single small H; only the outermost product is shifted / written to ``out``."""
    if len(factors) == 1:
        f = factors[0]
        acc = sp.csr_matrix((f.data, f.indices + col_offset, f.indptr), shape=(f.shape[0], f.shape[1] + col_offset))
        if out is not None:
            out[0][:] = acc.indices
            out[1][:] = acc.data
        return acc
    acc = factors[-1]
    for i in range(len(factors) - 2, -1, -1):
        outer = i == 0
        acc = kron_csr(factors[i], acc, col_offset=col_offset if outer else 0, out=out if outer else None)
    return acc


def compositions(j: int, k: int, degrees: list[int]) -> list[tuple[int, ...]]:
    """Ordered tuples (ℓ_1, …, ℓ_j) of available degrees with sum k (the terms of B_jk)."""
    return [c for c in itertools.product(sorted(degrees), repeat=j) if sum(c) == k]


def level_terms(h: dict[int, sp.csr_matrix], j: int, order: int) -> list[tuple[int, tuple[int, ...]]]:
    """[(k, composition)] for block row j, k = 1..N (the k = 0 term is the constant c_j)."""
    return [(k, c) for k in range(1, order + 1) for c in compositions(j, k, list(h))]


def _stack_levels(levels: list[list[tuple[int, list[sp.csr_matrix]]]], n: int, order: int) -> sp.csr_matrix:
    """One CSR from per-level term lists [(k, factors)]; single-term levels are written in place."""
    offsets = level_offsets(n, order)
    dim = offsets[-1]
    rows_nnz = []
    for terms in levels:
        rows_nnz.append(sum(int(np.prod([f.nnz for f in fs])) for _, fs in terms))
    total = sum(rows_nnz)
    check_bytes("order", f"M_N with up to {total:,} non-zeros", total * 12)
    idx_t = np.int32 if max(total, dim) <= _I32 else np.int64
    indices = np.empty(total, dtype=idx_t)
    data = np.empty(total, dtype=np.float64)
    indptr = np.zeros(dim + 1, dtype=idx_t)
    pos = 0
    for j, terms in enumerate(levels, start=1):
        r0, r1 = offsets[j - 1], offsets[j]
        if not terms:
            indptr[r0 + 1:r1 + 1] = pos
            continue
        if len(terms) == 1:
            k, fs = terms[0]
            nz = rows_nnz[j - 1]
            blk = _kron_chain(fs, offsets[k - 1], out=(indices[pos:pos + nz], data[pos:pos + nz]))
        else:
            by_k: dict[int, sp.csr_matrix] = {}
            for k, fs in terms:
                m = _kron_chain(fs)
                by_k[k] = by_k[k] + m if k in by_k else m
            parts = [by_k.get(k, sp.csr_matrix((n**j, n**k))) for k in range(1, order + 1)]
            blk = sp.csr_matrix(sp.hstack(parts, format="csr"))
            blk.eliminate_zeros()
            nz = blk.nnz
            indices[pos:pos + nz] = blk.indices
            data[pos:pos + nz] = blk.data
        indptr[r0 + 1:r1 + 1] = blk.indptr[1:].astype(idx_t, copy=False) + pos
        pos += nz
    return sp.csr_matrix((data[:pos], indices[:pos], indptr), shape=(dim, dim), copy=False)


def check_order(n: int, order: int) -> None:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise InputError("order", f"must be a positive integer, got {order!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError("n", f"must be a positive integer, got {n!r}")
    check_lifted("order", n, order)


def constant_term(h: dict[int, sp.csr_matrix], n: int, order: int) -> np.ndarray:
    """c = (F_0, F_0^{⊗2}, …, F_0^{⊗N}) (LIFT-2)."""
    f0 = h[0].toarray().ravel() if 0 in h else np.zeros(n)
    return np.concatenate([kron_power(f0, j) for j in range(1, order + 1)])


def lifted_map(fmap: Mapping[int, object], n: int, order: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """(M_N, c) of clause LIFT-2 in the canonical Kronecker basis (CSR, float64)."""
    check_order(n, order)
    h = csr_factors(fmap, n)
    levels = [[(k, [h[ell] for ell in comp]) for k, comp in level_terms(h, j, order)]
              for j in range(1, order + 1)]
    return _stack_levels(levels, n, order), constant_term(h, n, order)


def continuous_matrix(gmap: Mapping[int, object], n: int, order: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """(A_N, a) of clause LIFT-3: Kronecker sums of the G_ℓ, constant G_0 on level 1 only."""
    check_order(n, order)
    g = csr_factors(gmap, n, discrete=False)
    eye = sp.identity(n, dtype=np.float64, format="csr")
    levels = []
    for j in range(1, order + 1):
        terms = []
        for ell in sorted(g):
            k = j + ell - 1
            if 1 <= k <= order:
                for i in range(j):
                    terms.append((k, [eye] * i + [g[ell]] + [eye] * (j - i - 1)))
        levels.append(terms)
    a = np.zeros(lifted_dimension(n, order))
    if 0 in g:
        a[:n] = g[0].toarray().ravel()
    return _stack_levels(levels, n, order), a
