"""The lifted map of one step as a result object (clauses LIFT-2, LIFT-3, LIFT-4).

``lift(problem, t)`` gives M_N(t) and c(t) in float64 CSR: of the discrete scheme (the paper's
Carleman step, LIFT-2), or of the continuous scheme stepped by explicit Euler, I + A_N and a of
LIFT-3 with G_ℓ = F_ℓ / η scaled back by η (A_N is linear in G, so η A_N(G) = A_N(F)); in the
Kronecker basis, or compressed to the symmetric-monomial basis (LIFT-4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.results import Result, jsonable, triplets
from qsgd_ref.carleman.monomial import compress
from qsgd_ref.carleman.numeric import continuous_matrix, lifted_map
from qsgd_ref.problem import Problem

SCHEMES = ("discrete", "continuous")
BASES = ("kronecker", "monomial")


@dataclass(frozen=True)
class LiftedMap(Result):
    """ŷ ↦ ``matrix`` ŷ + ``constant`` for the step t → t + 1 (``step`` = t) at order ``order``."""

    matrix: sp.csr_matrix
    constant: np.ndarray
    n: int
    order: int
    step: int
    scheme: str
    basis: str

    def to_json(self) -> dict[str, Any]:
        """Sizes and the map as [row, col, value] triplets (0-based) and the constant as a list."""
        return {"n": self.n, "order": self.order, "step": self.step, "scheme": self.scheme, "basis": self.basis,
                "dimension": int(self.matrix.shape[0]), "nnz": int(self.matrix.nnz),
                "M": triplets(self.matrix), "c": jsonable(self.constant)}

    def summary(self) -> list[str]:
        dim = self.matrix.shape[0]
        return [f"lifted map ({self.scheme} scheme, {self.basis} basis) of step {self.step}: "
                f"{dim:,} × {dim:,}, {self.matrix.nnz:,} non-zeros, n = {self.n}, N = {self.order}"]


def lift(problem: Problem, step: int = 0, *, scheme: str = "discrete", basis: str = "kronecker") -> LiftedMap:
    """M_N and c of the step ``step`` → ``step`` + 1 of ``problem`` at its order (float64, CSR).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> m = qsgd_ref.lift(p)
    >>> print(m)
    lifted map (discrete scheme, kronecker basis) of step 0: 2 × 2, 3 non-zeros, n = 1, N = 2
    >>> m.matrix.toarray().tolist()          # [[1 + F_1, F_2], [0, (1 + F_1)²]]
    [[0.5, 0.25], [0.0, 0.25]]
    >>> qsgd_ref.lift(p, scheme="continuous").matrix.toarray().tolist()   # (2,2) = 1 + 2 F_1
    [[0.5, 0.25], [0.0, 0.0]]
    """
    if scheme not in SCHEMES:
        raise InputError("scheme", f"must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    if basis not in BASES:
        raise InputError("basis", f"must be one of {', '.join(BASES)}, got {basis!r}")
    last = max(problem.steps - 1, 0)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= last:
        raise InputError("step", f"must be an integer between 0 and {last}, got {step!r}")
    fmap, n, order = problem.float_map_at(step), problem.n, problem.order
    if scheme == "discrete":
        m, c = lifted_map(fmap, n, order)
    else:
        a, c = continuous_matrix(fmap, n, order)
        m = sp.csr_matrix(sp.identity(a.shape[0], format="csr") + a)
    if basis == "monomial":
        m, c = compress(m, c, n, order)
    return LiftedMap(sp.csr_matrix(m), np.asarray(c, dtype=np.float64), n, order, step, scheme, basis)
