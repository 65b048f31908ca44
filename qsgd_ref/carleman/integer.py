"""The exact truncated step over the integers (clauses LIFT-1, LIFT-2), for the high-precision engines.

With d the common denominator of a map, level j of M_N and c has denominator d^j, so
ŷ(t+1) = (Z ŷ(t) + c_Z) / d^N with an integer matrix Z. The blocks come from the recursion
B_jk = Σ_ℓ H_ℓ ⊗ B_{j−1,k−ℓ} (LIFT-1), one numpy.kron per (j, k, ℓ); :mod:`qsgd_ref.carleman.exact`
is the oracle this is tested against.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from typing import Any

import flint
import numpy as np

from qsgd_ref.base import limits
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.carleman.levels import continuous_apply, contract_exact, contraction_chain, shuffle_sum
from qsgd_ref.problem import Map, Problem


@dataclass(frozen=True)
class IntegerStep:
    """One truncated step over the integers: ŷ(t+1) = (Z ŷ(t) + c) / L (clause LIFT-2)."""

    Z: flint.fmpz_mat  # D × D
    c: list[int]  # D entries
    L: int  # d^N


def _denominator(F: Map) -> int:
    return reduce(math.lcm, (a.denominator for a in F.values()), 1)


def integer_step(F: Map, n: int, order: int) -> IntegerStep:
    """The exact step M_N, c of map F at order N as integers over a common denominator d^N.

    B_{jk} = Σ_ℓ H_ℓ ⊗ B_{j−1,k−ℓ} with B_{00} = [1] (clause LIFT-1); H_ℓ scaled by d to integers.
    The assembly runs in int64 when the same assembly on |H_ℓ| in float64 bounds every entry
    below 2^62 (no overflow possible), and on Python integers otherwise.
    """
    dim = lifted_dimension(n, order)
    limits.check_bytes("order", f"a dense exact integer lifted map of {dim:,} × {dim:,}", dim * dim * 32)
    d = _denominator(F)
    H: dict[int, np.ndarray] = {}
    for ell, a in F.items():
        m = np.zeros(a.shape, dtype=object)
        scale = d // a.denominator
        for r, c, num in zip(a.rows.tolist(), a.cols.tolist(), a.numerators):
            m[r, c] = num * scale
        H[ell] = m
    H[1] = H.get(1, np.zeros((n, n), dtype=object)) + d * np.eye(n, dtype=int).astype(object)
    small = d < 2**62 and all(abs(x) < 2**62 for h in H.values() for x in h.ravel())  # else float(x) overflows
    if small:
        with np.errstate(over="ignore"):
            bound, cbound = _assemble({ell: np.abs(h).astype(float) for ell, h in H.items()}, n, order, float(d))
        small = max(float(bound.max()), float(np.max(cbound))) < 2.0**62
    dtype = np.int64 if small else object
    Z, c = _assemble({ell: h.astype(dtype) for ell, h in H.items()}, n, order, d)
    return IntegerStep(flint.fmpz_mat(dim, dim, Z.ravel().tolist()), [int(x) for x in c], d**order)


def _assemble(H: dict[int, np.ndarray], n: int, order: int, d: Any) -> tuple[np.ndarray, np.ndarray]:
    """Z (levels j scaled by d^{N−j}) and c from the scaled factors H_ℓ, in H's dtype."""
    dtype = next(iter(H.values())).dtype
    prev: dict[int, np.ndarray] = {0: np.ones((1, 1), dtype=dtype)}
    rows: list[np.ndarray] = []
    consts: list[np.ndarray] = []
    for j in range(1, order + 1):
        cur: dict[int, np.ndarray] = {}
        for k in range(order + 1):
            terms = [np.kron(h, prev[k - ell]) for ell, h in H.items() if k - ell in prev]
            if terms:
                cur[k] = reduce(np.add, terms)
        prev = cur
        scale = d ** (order - j)
        blocks = [cur.get(k, np.zeros((n**j, n**k), dtype=dtype)) * scale for k in range(1, order + 1)]
        rows.append(np.hstack(blocks))
        consts.append(cur[0][:, 0] * scale if 0 in cur else np.zeros(n**j, dtype=dtype))
    return np.vstack(rows), np.concatenate(consts)


def integer_steps(problem: Problem) -> Iterator[IntegerStep]:
    """Yield the exact IntegerStep of every step t = 0 … T−1 (built once if time-independent)."""
    cache: IntegerStep | None = None
    for t in range(problem.steps):
        if cache is None or problem.time_dependent:
            cache = integer_step(problem.map_at(t), problem.n, problem.order)
        yield cache


class IntegerLevels:
    """The same exact step Z ŷ + c (Z = d^N M_N, c = d^N c, L = d^N) applied level by level without
    forming Z (:mod:`qsgd_ref.carleman.levels` over Python integers): the work follows the non-zeros
    of the factors H_ℓ and the size of the lifted vector, not D². Equal to :func:`integer_step`'s
    Z Y + c entry for entry (tested), so the reference trajectories do not depend on which is used."""

    def __init__(self, F: Map, n: int, order: int) -> None:
        self.n, self.order = n, order
        d = _denominator(F)
        self.L = d**order
        self.d = d
        self.h: dict[int, tuple[int, np.ndarray, np.ndarray, list[int]]] = {}
        entries: dict[int, dict[tuple[int, int], int]] = {}
        for ell, a in F.items():
            if ell == 0:
                continue
            scale = d // a.denominator
            entries[ell] = {(r, c): num * scale for r, c, num in zip(a.rows.tolist(), a.cols.tolist(), a.numerators)}
        ones = entries.setdefault(1, {})
        for i in range(n):
            ones[(i, i)] = ones.get((i, i), 0) + d
        for ell, ent in entries.items():
            items = sorted((k, v) for k, v in ent.items() if v)
            self.h[ell] = (n, np.array([k[0] for k, _ in items], dtype=np.int64),
                           np.array([k[1] for k, _ in items], dtype=np.int64), [v for _, v in items])
        self.f0: np.ndarray | None = None
        if 0 in F and not F[0].is_zero():
            f0 = np.empty(n, dtype=object)
            f0.fill(0)
            scale = d // F[0].denominator
            for r, num in zip(F[0].rows.tolist(), F[0].numerators):
                f0[r] = num * scale
            self.f0 = f0

    def apply(self, levels: dict[int, np.ndarray]) -> list[np.ndarray]:
        """Z y + c·y_0 for integer levels y_1 … y_N (object arrays) and the level-0 value y_0: one
        object array per level j = 1 … N, each already scaled by d^{N−j} to the common d^N."""
        w = contraction_chain(self.h, levels, self.order, self.n, contract_exact)
        out = shuffle_sum(self.f0, w, self.order, self.n)
        return [o * self.d ** (self.order - j) if j < self.order else o for j, o in enumerate(out, start=1)]


class IntegerContinuous(IntegerLevels):
    """The continuous scheme's exact step (LIFT-3, REF-3): ŷ ↦ ŷ + A_N(F) ŷ + a over the integers.
    Every term has one factor F_ℓ, so the common denominator is d: L = d and Z = d·I + d·A_N(F)."""

    def __init__(self, F: Map, n: int, order: int) -> None:
        super().__init__(F, n, order)
        self.L = self.d
        f1 = self.h[1]  # d·(I + F_1): take d·I back out, the identity enters once, as d·y
        ones = {(r, c): v for r, c, v in zip(f1[1].tolist(), f1[2].tolist(), f1[3])}
        for i in range(n):
            ones[(i, i)] = ones.get((i, i), 0) - self.d
        items = sorted((k, v) for k, v in ones.items() if v)
        self.f = {ell: h for ell, h in self.h.items() if ell >= 2}
        if items:
            self.f[1] = (n, np.array([k[0] for k, _ in items], dtype=np.int64),
                         np.array([k[1] for k, _ in items], dtype=np.int64), [v for _, v in items])

    def apply(self, levels: dict[int, np.ndarray]) -> list[np.ndarray]:
        """d·y + d·A_N y + d·a·y_0, level by level (object arrays, common denominator d)."""
        return continuous_apply(self.f, self.f0, levels, self.order, self.n, scale=self.d, contract=contract_exact)
