"""The symmetric-monomial (compressed) Carleman basis: clause LIFT-4.

Level j of the lifted vector, u^{⊗j}, has only C(n+j−1, j) distinct entries, the monomials
u_{i_1} ⋯ u_{i_j} with i_1 ≤ … ≤ i_j (listed in lexicographic order, which is also the order of
their canonical flat positions). S_j copies monomials to tensor positions, P_j averages back.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import comb

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.indexing import level_offsets
from qsgd_ref.carleman.numeric import lifted_map


def monomial_ranks(n: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """(rank, multiplicity): rank[pos] is the monomial of tensor position pos (0 … n^j − 1);
    multiplicity[m] the number of positions holding monomial m (a multinomial coefficient)."""
    pos = np.arange(n**j, dtype=np.int64)
    digits = np.stack([(pos // n ** (j - 1 - i)) % n for i in range(j)], axis=1)
    digits.sort(axis=1)
    key = np.zeros(n**j, dtype=np.int64)
    for i in range(j):
        key = key * n + digits[:, i]
    _, rank, mult = np.unique(key, return_inverse=True, return_counts=True)
    return rank.ravel(), mult


def compressed_dimension(n: int, order: int) -> int:
    """Σ_{j=1..N} C(n+j−1, j) = C(n+N, N) − 1 (LIFT-4)."""
    return comb(n + order, order) - 1


def symmetrizer(n: int, j: int) -> sp.csr_matrix:
    """S_j (n^j × C(n+j−1, j)): copies each monomial to every tensor position holding it."""
    rank, mult = monomial_ranks(n, j)
    return sp.csr_matrix((np.ones(n**j), (np.arange(n**j), rank)), shape=(n**j, len(mult)))


def averager(n: int, j: int) -> sp.csr_matrix:
    """P_j (C(n+j−1, j) × n^j): the average over the positions of each monomial; P_j S_j = I."""
    rank, mult = monomial_ranks(n, j)
    return sp.csr_matrix((1.0 / mult[rank], (rank, np.arange(n**j))), shape=(len(mult), n**j))


def lift_maps(n: int, order: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(S, P) = (diag S_j, diag P_j) over the levels j = 1 … N."""
    s = sp.block_diag([symmetrizer(n, j) for j in range(1, order + 1)], format="csr")
    p = sp.block_diag([averager(n, j) for j in range(1, order + 1)], format="csr")
    return s, p


def representative_rows(n: int, order: int) -> np.ndarray:
    """For each monomial (all levels), the lifted-vector row of its first tensor position."""
    offsets = level_offsets(n, order)
    rows = []
    for j in range(1, order + 1):
        rank, mult = monomial_ranks(n, j)
        first = np.full(len(mult), -1, dtype=np.int64)
        first[rank[::-1]] = np.arange(n**j)[::-1]  # smallest position wins
        rows.append(first + offsets[j - 1])
    return np.concatenate(rows)


def compress(m: sp.spmatrix, c: np.ndarray, n: int, order: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """(M^c, c^c) from the Kronecker-basis (M_N, c): the rows of one position per monomial times S.

    Every tensor position's coefficient is *added* into its monomial's column by the product with
    S (LIFT-4); since M_N maps symmetric vectors to symmetric vectors, one row per monomial equals
    the average P_j of all its rows.
    """
    s, _ = lift_maps(n, order)
    rows = representative_rows(n, order)
    mc = sp.csr_matrix(sp.csr_matrix(m)[rows] @ s)
    mc.eliminate_zeros()
    return mc, np.asarray(c)[rows]


def compressed_matrix(fmap: Mapping[int, object], n: int, order: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """(M^c, c^c) of clause LIFT-4 in the monomial basis, of size C(n+N, N) − 1."""
    m, c = lifted_map(fmap, n, order)
    return compress(m, c, n, order)
