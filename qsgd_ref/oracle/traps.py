"""Known wrong answers the verifier recognises (clauses ORC-2, ORC-6): the lifted map built with a
mistake an implementer is likely to make, in exact rationals like :mod:`qsgd_ref.carleman.exact`."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from qsgd_ref.base.indexing import flat_index, multi_index
from qsgd_ref.carleman.exact import Triplets, continuous_blocks, to_triplets
from qsgd_ref.problem import Map
from qsgd_ref.problem.sparse import ExactMatrix


def continuous_lifted_map(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """Trap: I + A_N and (F_0, 0, …) of LIFT-3 with G_ℓ = F_ℓ (the η², η³ … terms missing)."""
    bl = continuous_blocks(fmap, n, order)
    for j in range(1, order + 1):
        eye = np.full((n**j, n**j), Fraction(0), dtype=object)
        for i in range(n**j):
            eye[i, i] = Fraction(1)
        bl[(j, j)] = eye + bl[(j, j)] if (j, j) in bl else eye
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
