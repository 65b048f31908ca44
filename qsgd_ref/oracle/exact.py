"""The oracle's own exact builder (clauses LIFT-1, LIFT-2, LIFT-3, ORC-2): ground truth in Fractions.

Deliberately independent of the float engine: the blocks are the plain sums of Kronecker products
of LIFT-1, computed on exact rational object arrays; trajectories are iterated in mpmath from the
exact entries. The "trap" builders produce the known wrong answers the verifier recognises.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.indexing import flat_index, kron_power, multi_index
from qsgd_ref.precision import fraction_to_mpf
from qsgd_ref.problem import Problem

Map = dict[int, np.ndarray]
Triplets = dict[tuple[int, int], Fraction]


def _eye(n: int) -> np.ndarray:
    out = np.full((n, n), Fraction(0), dtype=object)
    for i in range(n):
        out[i, i] = Fraction(1)
    return out


def _zeros(rows: int, cols: int) -> np.ndarray:
    return np.full((rows, cols), Fraction(0), dtype=object)


def h_factors(fmap: Map, n: int) -> dict[int, np.ndarray]:
    """H_0 = F_0 (as an n × 1 column), H_1 = I + F_1, H_ℓ = F_ℓ (LIFT-1)."""
    h = {ell: np.asarray(a, dtype=object).reshape(n, n**ell) for ell, a in fmap.items()}
    h[1] = _eye(n) + h.get(1, _zeros(n, n))
    return h


def blocks(fmap: Map, n: int, order: int, kmax: int | None = None) -> dict[tuple[int, int], np.ndarray]:
    """B_jk for 1 ≤ j ≤ order, 0 ≤ k ≤ kmax (default order), as exact object arrays (LIFT-1).

    Uses B_jk = Σ_ℓ B_{j−1,k−ℓ} ⊗ H_ℓ, which expands to the sum over compositions of LIFT-1.
    """
    kmax = order if kmax is None else kmax
    h = h_factors(fmap, n)
    prev: dict[int, np.ndarray] = {0: np.full((1, 1), Fraction(1), dtype=object)}  # level 0: B_00 = 1
    out: dict[tuple[int, int], np.ndarray] = {}
    for j in range(1, order + 1):
        cur: dict[int, np.ndarray] = {}
        for k0, b in prev.items():
            for ell, hl in h.items():
                k = k0 + ell
                if k > kmax:
                    continue
                term = np.kron(b, hl)
                cur[k] = cur[k] + term if k in cur else term
        prev = cur
        for k, b in cur.items():
            out[(j, k)] = b
    return out


def kron_power_exact(u: list[Fraction], power: int) -> list[Fraction]:
    """u^{⊗power} of a Fraction list in canonical order (MAP-1)."""
    out = [Fraction(1)]
    for _ in range(power):
        out = [a * b for a in out for b in u]
    return out


def offsets(n: int, order: int) -> list[int]:
    """Start of level j (1-based) in the lifted vector: off[j] = Σ_{i<j} n^i (LIFT-2)."""
    off = [0, 0]
    for j in range(1, order + 1):
        off.append(off[-1] + n**j)
    return off


def _to_triplets(bl: dict[tuple[int, int], np.ndarray], n: int, order: int) -> tuple[Triplets, Triplets]:
    off = offsets(n, order)
    m: Triplets = {}
    c: Triplets = {}
    for (j, k), b in bl.items():
        rows, cols = np.nonzero(b != 0)
        for r, s in zip(rows.tolist(), cols.tolist(), strict=True):
            if k == 0:
                c[(off[j] + r, 0)] = Fraction(b[r, s])
            else:
                m[(off[j] + r, off[k] + s)] = Fraction(b[r, s])
    return m, c


def transfer(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """M_N and c of LIFT-2 as exact sparse triplets {(row, col): value} (c uses col 0)."""
    return _to_triplets(blocks(fmap, n, order), n, order)


def continuous_transfer(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """Trap: I + A_N and (F_0, 0, …) of LIFT-3 with G_ℓ = F_ℓ (the η², η³ … terms missing)."""
    g = {ell: np.asarray(a, dtype=object).reshape(n, n**ell) for ell, a in fmap.items()}
    bl: dict[tuple[int, int], np.ndarray] = {}
    for j in range(1, order + 1):
        bl[(j, j)] = _eye(n**j)
        for ell, gl in g.items():
            k = j + ell - 1
            if not 1 <= k <= order and not (j == 1 and k == 0):
                continue
            acc = _zeros(n**j, n**k)
            for i in range(1, j + 1):
                acc = acc + np.kron(np.kron(_eye(n ** (i - 1)), gl), _eye(n ** (j - i)))
            bl[(j, k)] = bl[(j, k)] + acc if (j, k) in bl else acc
    return _to_triplets(bl, n, order)


def column_major_map(fmap: Map, n: int) -> Map:
    """Trap: F_ℓ with its column tuple read in reverse (column-major / Julia order, MAP-1)."""
    out: Map = {}
    for ell, a in fmap.items():
        a = np.asarray(a, dtype=object)
        if ell < 2:
            out[ell] = a
            continue
        perm = [flat_index(tuple(reversed(multi_index(c, n, ell))), n) for c in range(n**ell)]
        out[ell] = a[:, perm]
    return out


def _mp_map(fmap: Map) -> dict[int, np.ndarray]:
    out = {}
    for ell, a in fmap.items():
        arr = np.asarray(a, dtype=object)
        flat = np.empty(arr.size, dtype=object)
        flat[:] = [fraction_to_mpf(Fraction(x)) for x in arr.ravel()]
        out[ell] = flat.reshape(arr.shape)
    return out


def _mp_vec(u: np.ndarray) -> np.ndarray:
    out = np.empty(len(u), dtype=object)
    out[:] = [fraction_to_mpf(Fraction(x)) for x in u]
    return out


def exact_iteration(problem: Problem, dps: int) -> list[np.ndarray]:
    """u(0 … T) of MAP-1/MAP-3 in mpmath at ``dps`` digits (object arrays of mpf)."""
    with mpmath.workdps(dps):
        maps = {}
        u = _mp_vec(problem.u0)
        out = [u]
        for t in range(problem.steps):
            idx = 0 if len(problem.maps) == 1 else t
            if idx not in maps:
                maps[idx] = _mp_map(problem.map_at(t))
            nxt = u.copy()
            for ell, a in maps[idx].items():
                nxt = nxt + (a if ell == 0 else a.dot(kron_power(u, ell)))
            u = nxt
            out.append(u)
        return out


def lifted_iteration(
    problem: Problem, dps: int, builder: Callable[[Map, int, int], tuple[Triplets, Triplets]] = transfer
) -> list[np.ndarray]:
    """ŷ(0 … T) of LIFT-2 (full lifted vectors) in mpmath, from the exact triplets of ``builder``."""
    n, order = problem.n, problem.order
    d = offsets(n, order)[-1]
    with mpmath.workdps(dps):
        cache: dict[int, tuple[list[tuple[int, int, Any]], list[tuple[int, Any]]]] = {}
        u0 = _mp_vec(problem.u0)
        y = np.concatenate([kron_power(u0, j) for j in range(1, order + 1)])
        out = [y]
        for t in range(problem.steps):
            idx = 0 if len(problem.maps) == 1 else t
            if idx not in cache:
                m, c = builder(problem.map_at(t), n, order)
                cache[idx] = (
                    [(r, s, fraction_to_mpf(v)) for (r, s), v in sorted(m.items())],
                    [(r, fraction_to_mpf(v)) for (r, _), v in sorted(c.items())],
                )
            mt, ct = cache[idx]
            nxt = np.full(d, mpmath.mpf(0), dtype=object)
            for r, s, v in mt:
                nxt[r] += v * y[s]
            for r, v in ct:
                nxt[r] += v
            y = nxt
            out.append(y)
        return out
