"""The exact builder: the lifted map straight from its definition, in rationals (clauses LIFT-1 … LIFT-3).

This module is the oracle every fast path of the lift is tested against (the float64 CSR assembly,
the matrix-free operator, the integer step of the high-precision engines, the monomial basis, the
symbolic instantiation, the certified balls) and the source of the oracle's expected values. It is
deliberately slow and literal: B_jk is the sum over all compositions (ℓ_1, …, ℓ_j) of k of
H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j}, each a chain of numpy.kron products of exact object arrays; the continuous
block (A_N)_jk is the Kronecker sum Σ_i I^{⊗(i−1)} ⊗ G_{k−j+1} ⊗ I^{⊗(j−i)} of LIFT-3, formed the same
way. Nothing is cached, reordered or fused.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.indexing import level_offsets, lifted_dimension, lifted_initial
from qsgd_ref.problem import ExactMatrix, Map, Problem

#: A sparse exact matrix {(row, col): value}; a vector uses column 0.
Triplets = dict[tuple[int, int], Fraction]
#: Builds (M_N, c) of one map as triplets: builder(fmap, n, order).
Builder = Callable[[Map, int, int], tuple[Triplets, Triplets]]


def _identity(n: int) -> np.ndarray:
    out = np.full((n, n), Fraction(0), dtype=object)
    for i in range(n):
        out[i, i] = Fraction(1)
    return out


def _exact_coefficients(fmap: Map, n: int) -> dict[int, np.ndarray]:
    """Every F_ℓ of ``fmap`` as an exact n × n^ℓ object array of Fractions (F_0 an n × 1 column); the
    entries may also be given dense (array-likes of exact values), as tests of the builder do."""
    return {ell: a.dense() if isinstance(a, ExactMatrix) else
            np.array([[Fraction(x) for x in row] for row in np.asarray(a, dtype=object).reshape(n, n**ell)],
                     dtype=object).reshape(n, n**ell)
            for ell, a in fmap.items()}


def exact_factors(fmap: Map, n: int) -> dict[int, np.ndarray]:
    """H_0 = F_0 (an n × 1 column), H_1 = I + F_1, H_ℓ = F_ℓ (LIFT-1), as exact object arrays."""
    h = _exact_coefficients(fmap, n)
    h[1] = _identity(n) + h[1] if 1 in h else _identity(n)
    return h


def block(fmap: Map, n: int, j: int, k: int) -> np.ndarray:
    """B_jk = Σ_{ℓ_1+…+ℓ_j = k} H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j} (LIFT-1): an exact n^j × n^k object array."""
    h = exact_factors(fmap, n)
    out = np.full((n**j, n**k), Fraction(0), dtype=object)
    for comp in itertools.product(sorted(h), repeat=j):
        if sum(comp) != k:
            continue
        term = np.full((1, 1), Fraction(1), dtype=object)
        for ell in comp:
            term = np.kron(term, h[ell])
        out = out + term
    return out


def blocks(fmap: Map, n: int, order: int, kmax: int | None = None) -> dict[tuple[int, int], np.ndarray]:
    """Every non-zero B_jk for 1 ≤ j ≤ order, 0 ≤ k ≤ kmax (default: order)."""
    kmax = order if kmax is None else kmax
    degrees = [ell for ell in exact_factors(fmap, n)]
    out: dict[tuple[int, int], np.ndarray] = {}
    for j in range(1, order + 1):
        for k in range(kmax + 1):
            if k < j * min(degrees) or k > j * max(degrees):
                continue
            b = block(fmap, n, j, k)
            if any(x != 0 for x in b.ravel()):
                out[(j, k)] = b
    return out


def to_triplets(bl: dict[tuple[int, int], np.ndarray], n: int, order: int) -> tuple[Triplets, Triplets]:
    """Blocks B_jk (k = 0 is the constant c) placed at their level offsets as (M_N, c) triplets."""
    off = level_offsets(n, order)
    m: Triplets = {}
    c: Triplets = {}
    for (j, k), b in bl.items():
        rows, cols = np.nonzero(b != 0)
        for r, s in zip(rows.tolist(), cols.tolist(), strict=True):
            if k == 0:
                c[(off[j - 1] + r, 0)] = Fraction(b[r, s])
            elif k <= order:
                m[(off[j - 1] + r, off[k - 1] + s)] = Fraction(b[r, s])
    return m, c


def lifted_map_exact(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """M_N and c of LIFT-2 as exact triplets {(row, col): value} (c uses column 0)."""
    return to_triplets(blocks(fmap, n, order), n, order)


def continuous_block(gmap: Map, n: int, j: int, k: int) -> np.ndarray:
    """(A_N)_jk = Σ_{i=1..j} I^{⊗(i−1)} ⊗ G_{k−j+1} ⊗ I^{⊗(j−i)} (LIFT-3): an exact n^j × n^k object array,
    zero when G_{k−j+1} is absent; (j, k) = (1, 0) is the constant a_1 = G_0."""
    g = _exact_coefficients(gmap, n)
    out = np.full((n**j, n**k), Fraction(0), dtype=object)
    ell = k - j + 1
    if ell not in g:
        return out
    for i in range(1, j + 1):
        out = out + np.kron(np.kron(_identity(n ** (i - 1)), g[ell]), _identity(n ** (j - i)))
    return out


def continuous_blocks(gmap: Map, n: int, order: int) -> dict[tuple[int, int], np.ndarray]:
    """Every non-zero (A_N)_jk for 1 ≤ j, k ≤ order, and the constant (1, 0) block a_1 = G_0 (LIFT-3)."""
    out: dict[tuple[int, int], np.ndarray] = {}
    for j in range(1, order + 1):
        for k in range(0 if j == 1 else 1, order + 1):
            b = continuous_block(gmap, n, j, k)
            if any(x != 0 for x in b.ravel()):
                out[(j, k)] = b
    return out


def continuous_map_exact(gmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """A_N and a = (G_0, 0, …, 0) of LIFT-3 as exact triplets {(row, col): value} (a uses column 0)."""
    return to_triplets(continuous_blocks(gmap, n, order), n, order)


def continuous_step_exact(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """I + A_N and a = (F_0, 0, …) of LIFT-3 with G_ℓ = F_ℓ: one explicit-Euler step of the continuous
    Carleman system (the continuous scheme of REF-3), as exact triplets."""
    bl = continuous_blocks(fmap, n, order)
    for j in range(1, order + 1):
        eye = np.full((n**j, n**j), Fraction(0), dtype=object)
        for i in range(n**j):
            eye[i, i] = Fraction(1)
        bl[(j, j)] = eye + bl[(j, j)] if (j, j) in bl else eye
    return to_triplets(bl, n, order)


def lifted_iteration(problem: Problem, convert: Callable[[Fraction], Any],
                     builder: Builder = lifted_map_exact) -> Iterator[list[Any]]:
    """Yield ŷ(0), …, ŷ(T) (full lifted vectors) of ŷ(t+1) = M_N(t) ŷ(t) + c(t) (LIFT-2), in the number
    type of ``convert``, from the exact triplets of ``builder``; the caller owns the precision."""
    n, order = problem.n, problem.order
    dim = lifted_dimension(n, order)
    y = [convert(Fraction(x)) for x in lifted_initial(np.array([Fraction(x) for x in problem.u0], dtype=object), order)]
    yield y
    cached: tuple[int, list[tuple[int, int, Any]], list[tuple[int, Any]]] | None = None
    for t in range(problem.steps):
        key = t if problem.time_dependent else 0
        if cached is None or cached[0] != key:
            m, c = builder(problem.map_at(t), n, order)
            cached = (key, [(r, s, convert(v)) for (r, s), v in sorted(m.items())],
                      [(r, convert(v)) for (r, _), v in sorted(c.items())])
        nxt = [convert(Fraction(0))] * dim
        for r, s, v in cached[1]:
            nxt[r] = nxt[r] + v * y[s]
        for r, v in cached[2]:
            nxt[r] = nxt[r] + v
        y = nxt
        yield y
