"""Known wrong answers the verifier recognises (clauses ORC-2, ORC-6): the lifted map built with a
mistake an implementer is likely to make, in exact rationals like :mod:`qsgd_ref.carleman.exact`."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from qsgd_ref.base.indexing import flat_index, multi_index
from qsgd_ref.carleman.exact import Triplets, to_triplets
from qsgd_ref.problem import Map
from qsgd_ref.problem.sparse import ExactMatrix


def _identity(n: int) -> np.ndarray:
    out = np.full((n, n), Fraction(0), dtype=object)
    for i in range(n):
        out[i, i] = Fraction(1)
    return out


def continuous_lifted_map(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """Trap: I + A_N and (F_0, 0, …) of LIFT-3 with G_ℓ = F_ℓ (the η², η³ … terms missing)."""
    g = {ell: a.dense() for ell, a in fmap.items()}
    bl: dict[tuple[int, int], np.ndarray] = {}
    for j in range(1, order + 1):
        bl[(j, j)] = _identity(n**j)
        for ell, gl in g.items():
            k = j + ell - 1
            if not 1 <= k <= order and not (j == 1 and k == 0):
                continue
            acc = np.full((n**j, n**k), Fraction(0), dtype=object)
            for i in range(1, j + 1):
                acc = acc + np.kron(np.kron(_identity(n ** (i - 1)), gl), _identity(n ** (j - i)))
            bl[(j, k)] = bl[(j, k)] + acc if (j, k) in bl else acc
    return to_triplets(bl, n, order)


def column_major_map(fmap: Map, n: int) -> Map:
    """Trap: F_ℓ with its column tuple read in reverse (column-major / Julia order, MAP-1)."""
    out: Map = {}
    for ell, a in fmap.items():
        if ell < 2:
            out[ell] = a
            continue
        # column c of the trap holds the canonical column with the reversed tuple
        moved = ((r, flat_index(tuple(reversed(multi_index(c, n, ell))), n), v) for r, c, v in a.entries())
        out[ell] = ExactMatrix.from_entries(a.shape, moved)
    return out
