"""A cost model (clause RUN-1): quantum query complexity versus classical cost of one run.

Quantum (model, not a measurement): an optimal quantum linear-system solver on the Eq. 6 system
(dimension (T+1)·D, sparsity s, condition number κ) uses O(s κ log(1/ε)) queries to the sparse
oracle of L; post-selecting the level-1 block of the last step succeeds with probability
g² = ‖ŷ_1(T)‖² / ‖Y‖², costing 1/g rounds of amplitude amplification. Constants are set to 1.
Classical: forward substitution costs T·nnz(M_N) multiply-adds; plain gradient descent
T·Σ_ℓ nnz(F_ℓ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.results import Result


@dataclass(frozen=True)
class RuntimeModel(Result):
    """The RUN-1 cost figures (counts, constants set to 1) and the model they come from."""

    system_dimension: int
    qubits: int
    quantum_queries: float
    classical_forward_substitution: int
    classical_gradient_descent: int
    quantum_over_classical: float
    model: str


def runtime_model(*, n: int, order: int, steps: int, kappa: float, sparsity: int, eps: float,
                  nnz_lifted_map: int, nnz_map: int, success_amplitude: float | None = None) -> RuntimeModel:
    """The RUN-1 cost figures (all counts; ``quantum_queries`` is s κ log2(1/ε) / g)."""
    if not (0 < eps < 1):
        raise ValueError("eps must lie in (0, 1)")
    dim = lifted_dimension(n, order) * (steps + 1)
    g = 1.0 if success_amplitude is None else max(success_amplitude, 1e-300)
    queries = sparsity * kappa * math.log2(1 / eps) / g
    classical = steps * nnz_lifted_map
    return RuntimeModel(
        system_dimension=dim,
        qubits=math.ceil(math.log2(max(dim, 2))),
        quantum_queries=queries,
        classical_forward_substitution=classical,
        classical_gradient_descent=steps * nnz_map,
        quantum_over_classical=queries / max(classical, 1),
        model="queries = s·κ·log2(1/ε)/g (optimal QLSA + amplitude amplification, constants 1); classical = T·nnz(M_N)",
    )
