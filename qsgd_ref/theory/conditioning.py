"""Bounds on κ(L) of the Eq. 6 system (clauses COND-1 … COND-3; proofs in docs/theory/bounds.md).

m is the N × N matrix of the scalar block majorants m_jk = b_jk ≥ ‖B_jk‖₂ (coefficients of
(Σ h_ℓ x^ℓ)^j, supremum over the steps). Since L⁻¹ = Σ_k S^k ⊗ (products of k step matrices),

    κ(L) ≤ (1 + ‖m‖₂) · Σ_{k=0..T} ‖m^k‖₂          (COND-1).

COND-2: ρ(m) < 1 (e.g. F_0 = 0 and h_1 < 1: m is upper triangular with diagonal h_1^j) makes the
sum converge, so κ(L) ≤ (1 + ‖m‖₂) Σ_{k≥0} ‖m^k‖₂ uniformly in T.
COND-3: with h_1 = 1 the sum grows like T^J (J the largest Jordan block of m, J ≤ N); linear only
when m is power-bounded (e.g. N = 1). The theory notes' "at most linear" is false for N ≥ 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.closed_forms import sup_norms
from qsgd_ref.theory.majorant import level_coefficients
from qsgd_ref.theory.norms import problem_norms


def block_majorant(problem: Problem) -> np.ndarray:
    """The N × N matrix m_jk ≥ ‖B_jk‖₂ (float64, rounded up by one ulp per entry)."""
    h = {ell: float(x) for ell, x in sup_norms(problem_norms(problem)).items()}
    rows = level_coefficients(h, problem.order)
    n_ord = problem.order
    m = np.zeros((n_ord, n_ord))
    for j in range(1, n_ord + 1):
        for k in range(1, min(len(rows[j]), n_ord + 1)):
            m[j - 1, k - 1] = np.nextafter(rows[j][k], np.inf) if rows[j][k] else 0.0
    return m


def kappa_bound(problem: Problem, steps: int | None = None) -> float:
    """COND-1: (1 + ‖m‖₂) Σ_{k=0..T} ‖m^k‖₂ (float64 evaluation)."""
    m = block_majorant(problem)
    steps = problem.steps if steps is None else steps
    total, power = 0.0, np.eye(m.shape[0])
    for _ in range(steps + 1):
        total += float(np.linalg.norm(power, 2))
        power = power @ m
    return (1.0 + float(np.linalg.norm(m, 2))) * total


def kappa_uniform_bound(problem: Problem, tol: float = 1e-15, max_terms: int = 100_000) -> float | None:
    """COND-2: the T-independent bound (1 + ‖m‖₂) Σ_{k≥0} ‖m^k‖₂, or None when ρ(m) ≥ 1."""
    m = block_majorant(problem)
    rho = float(np.max(np.abs(np.linalg.eigvals(m))))
    if rho >= 1:
        return None
    total, power = 0.0, np.eye(m.shape[0])
    for k in range(max_terms):
        term = float(np.linalg.norm(power, 2))
        total += term
        if term <= tol * total and k > m.shape[0]:
            # tail ≤ term · Σ_i (ρ + ε)^i is negligible at this tolerance
            break
        power = power @ m
    return (1.0 + float(np.linalg.norm(m, 2))) * total * (1 + 1e-12)


@dataclass(frozen=True)
class ConditioningBounds(Result):
    """Upper bounds on κ(L) of the Eq. 6 system: COND-1 at the problem's horizon, and COND-2's bound
    uniform in T (None when ρ(m) ≥ 1, where no uniform bound follows)."""

    spectral_radius_m: float
    kappa_bound_at_T: float
    kappa_uniform_bound: float | None
    steps: int

    def summary(self) -> list[str]:
        uniform = ("no bound uniform in T (ρ(m) ≥ 1)" if self.kappa_uniform_bound is None
                   else f"κ(L) ≤ {self.kappa_uniform_bound:.6g} for every T (COND-2)")
        return [f"κ(L) ≤ {self.kappa_bound_at_T:.6g} at T = {self.steps} (COND-1); {uniform}; "
                f"ρ(m) = {self.spectral_radius_m:.6g}"]


def conditioning(problem: Problem) -> ConditioningBounds:
    """Spectral radius of m, the COND-1 bound at T, and the COND-2 uniform bound (if any).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> c = qsgd_ref.conditioning(p)
    >>> print(c)
    κ(L) ≤ 3.22788 at T = 3 (COND-1); κ(L) ≤ 3.50015 for every T (COND-2); ρ(m) = 0.5
    >>> qsgd_ref.condition_number(qsgd_ref.eq6_system(p)).value <= c.kappa_bound_at_T
    True
    """
    m = block_majorant(problem)
    return ConditioningBounds(
        spectral_radius_m=float(np.max(np.abs(np.linalg.eigvals(m)))),
        kappa_bound_at_T=kappa_bound(problem),
        kappa_uniform_bound=kappa_uniform_bound(problem),
        steps=problem.steps,
    )
