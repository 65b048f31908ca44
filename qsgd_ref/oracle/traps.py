"""Known wrong answers the verifier recognises (clauses ORC-2, ORC-6): the lifted map built with a
mistake an implementer is likely to make, in exact rationals like :mod:`qsgd_ref.carleman.exact`."""

from __future__ import annotations

from qsgd_ref.base.indexing import flat_index, multi_index
from qsgd_ref.carleman.exact import Triplets, continuous_step_exact, lifted_map_exact
from qsgd_ref.problem import Map
from qsgd_ref.problem.sparse import ExactMatrix


def continuous_lifted_map(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """Trap: the continuous scheme's step I + A_N, (F_0, 0, …) of LIFT-3 with G_ℓ = F_ℓ where the
    discrete lifted map is asked for (the η², η³ … terms missing)."""
    return continuous_step_exact(fmap, n, order)


def dropped_c_lifted_map(fmap: Map, n: int, order: int) -> tuple[Triplets, Triplets]:
    """Trap: M_N of LIFT-2 without its constant c (c_j = F_0^{⊗j} left out)."""
    m, _ = lifted_map_exact(fmap, n, order)
    return m, {}


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
