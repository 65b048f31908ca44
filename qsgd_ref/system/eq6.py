"""The linear system of the paper's Eq. 6: clauses SYS-1, SYS-2, SYS-3.

L is block lower-bidiagonal with T + 1 + p block rows of size D = Σ_j n^j: identity on the
diagonal, −M_N(t−1) below it for t ≤ T and −I for the p idle steps; b = (ŷ(0), c(0), …, c(T−1), 0…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.base.limits import check_bytes, check_lifted
from qsgd_ref.base.progress import tracked
from qsgd_ref.base.results import Result, jsonable, triplets
from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.carleman.operator import LiftedMapOperator
from qsgd_ref.problem import Problem


def _check_idle(idle: int) -> None:
    if isinstance(idle, bool) or not isinstance(idle, (int, np.integer)) or idle < 0:
        raise InputError("idle", f"must be a non-negative integer, got {idle!r}")


def step_matrices(problem: Problem) -> list[tuple[sp.csr_matrix, np.ndarray]]:
    """[(M_N(t), c(t))] for t = 0 … T−1; one shared pair when the map is time-independent."""
    n, order = problem.n, problem.order
    if not problem.time_dependent:
        pair = lifted_map(problem.float_map_at(0), n, order)
        return [pair] * problem.steps
    return [lifted_map(problem.float_map_at(t), n, order) for t in range(problem.steps)]


@dataclass(frozen=True)
class Eq6System(Result):
    """L Y = b of clause SYS-1: ``matrix`` L (CSR, (T + 1 + p)·D square), ``rhs`` b, ``block`` D,
    ``steps`` T and ``idle`` p; the solution's time blocks are Y.reshape(-1, D)."""

    matrix: sp.csr_matrix
    rhs: np.ndarray
    block: int
    steps: int
    idle: int

    def to_json(self) -> dict[str, Any]:
        """Sizes and the matrix as [row, col, value] triplets, b as a list."""
        return {"dimension": int(self.matrix.shape[0]), "block": self.block, "steps": self.steps,
                "idle": self.idle, "nnz": int(self.matrix.nnz), "L": triplets(self.matrix), "b": jsonable(self.rhs)}

    def summary(self) -> list[str]:
        dim = self.matrix.shape[0]
        return [f"Eq. 6 system: L is {dim:,} × {dim:,} with {self.matrix.nnz:,} non-zeros "
                f"({self.matrix.nnz / dim:.1f} per row); D = {self.block:,}, T = {self.steps}, idle p = {self.idle}"]


def eq6_system(problem: Problem, idle: int = 0) -> Eq6System:
    """L and b of clause SYS-1 for ``problem`` (T = problem.steps, N = problem.order, p = idle).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> s = qsgd_ref.eq6_system(p, idle=1)
    >>> print(s)
    Eq. 6 system: L is 10 × 10 with 21 non-zeros (2.1 per row); D = 2, T = 3, idle p = 1
    >>> s.rhs[:2].tolist()                     # ŷ(0) = (u0, u0²)
    [0.5, 0.25]
    """
    _check_idle(idle)
    T, d = problem.steps, check_lifted("order", problem.n, problem.order)
    blocks = T + 1 + idle
    check_lifted("steps", problem.n, problem.order, copies=blocks)
    steps = step_matrices(problem)
    check_bytes("steps", "the Eq. 6 matrix L", sum(m.nnz for m, _ in steps) * 12 + blocks * d * 12)
    rows, cols, vals = [np.arange(blocks * d)], [np.arange(blocks * d)], [np.ones(blocks * d)]
    for t, (m, _) in enumerate(steps, start=1):
        coo = m.tocoo()
        rows.append(coo.row.astype(np.int64) + t * d)
        cols.append(coo.col.astype(np.int64) + (t - 1) * d)
        vals.append(-coo.data)
    if idle:
        diag = np.arange(idle * d, dtype=np.int64)
        rows.append(diag + (T + 1) * d)
        cols.append(diag + T * d)
        vals.append(-np.ones(idle * d))
    big = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                        shape=(blocks * d, blocks * d))
    b = np.zeros(blocks * d)
    b[:d] = lifted_initial(problem.u0_float(), problem.order)
    for t, (_, c) in enumerate(steps, start=1):
        b[t * d:(t + 1) * d] = c
    return Eq6System(big, b, d, T, idle)


def solve_forward(problem: Problem, idle: int = 0, *, matrix_free: bool = False) -> np.ndarray:
    """The solution of L Y = b by forward substitution (SYS-2), shape (T + 1 + idle, D):
    Y_0 = ŷ(0), Y_t = M_N(t−1) Y_{t−1} + c(t−1), idle blocks copy Y_T. O(T · nnz(M_N)) work;
    with ``matrix_free`` the steps use :class:`LiftedMapOperator` instead of CSR matrices.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> qsgd_ref.solve_forward(p)[-1].tolist()   # ŷ(3) = (ŷ_1(3), ŷ_2(3))
    [0.08984375, 0.00390625]
    """
    _check_idle(idle)
    T, n, order = problem.steps, problem.n, problem.order
    d = check_lifted("steps", n, order, copies=T + 1 + idle)
    out = np.empty((T + 1 + idle, d))
    out[0] = lifted_initial(problem.u0_float(), order)

    def step(t: int) -> tuple[sp.csr_matrix | LiftedMapOperator, np.ndarray]:
        fmap = problem.float_map_at(t)
        if matrix_free:
            op = LiftedMapOperator(fmap, n, order)
            return op, op.constant
        return lifted_map(fmap, n, order)

    shared = step(0) if T and not problem.time_dependent else None
    for t in tracked(range(T), "forward substitution"):
        m, c = shared if shared is not None else step(t)
        out[t + 1] = m @ out[t] + c
    out[T + 1:] = out[T]
    return out


def solve_direct(system: Eq6System) -> np.ndarray:
    """The solution of L Y = b by a sparse direct solver (cross-check of SYS-2), as a flat vector;
    reshape with ``.reshape(-1, D)`` to get the time blocks."""
    return np.asarray(spla.spsolve(sp.csc_matrix(system.matrix), system.rhs), dtype=np.float64)


@dataclass(frozen=True)
class ConditionNumber(Result):
    """κ(L) = σ_max / σ_min (SYS-3) and how it was obtained (``method``)."""

    value: float
    method: str

    def summary(self) -> list[str]:
        return [f"κ(L) = {self.value:.6g} ({self.method})"]


def condition_number(big: sp.spmatrix | Eq6System, *, exact_max_dim: int = 2000) -> ConditionNumber:
    """κ(L) = σ_max / σ_min (SYS-3) and how it was obtained.

    Up to ``exact_max_dim`` rows: exact singular values of the dense matrix. Beyond: ARPACK
    (scipy svds) for σ_max(L) and σ_max(L⁻¹) = 1/σ_min(L), the latter applying L⁻¹ through a
    sparse LU factorisation; both are iterative estimates (tolerance 1e-6 relative).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> s = qsgd_ref.eq6_system(p)
    >>> k = qsgd_ref.condition_number(s)
    >>> import numpy as np
    >>> k.method, bool(abs(k.value - np.linalg.cond(s.matrix.toarray())) <= 1e-12 * k.value)
    ('dense SVD', True)
    """
    if isinstance(big, Eq6System):
        big = big.matrix
    dim = big.shape[0]
    if dim <= exact_max_dim:
        s = np.linalg.svd(sp.csr_matrix(big).toarray(), compute_uv=False)
        return ConditionNumber(float(s[0] / s[-1]), "dense SVD")
    a = sp.csc_matrix(big)
    lu = spla.splu(a)
    inv = spla.LinearOperator(a.shape, matvec=lu.solve, rmatvec=lambda x: lu.solve(x, trans="T"),
                              dtype=np.float64)
    v0 = np.ones(dim) / np.sqrt(dim)
    smax = spla.svds(a, k=1, which="LM", tol=1e-6, v0=v0, return_singular_vectors=False)[0]
    inv_max = spla.svds(inv, k=1, which="LM", tol=1e-6, v0=v0, return_singular_vectors=False)[0]
    return ConditionNumber(float(smax * inv_max), "estimate (ARPACK svds on L and on L⁻¹ via sparse LU, tol 1e-6)")
