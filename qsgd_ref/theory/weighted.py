"""The regime numbers and the majorant in another basis z = R u (clauses REG-7, BND-8, BND-9;
proofs in docs/theory/bounds.md, "BND-8" and "BND-9").

For an invertible R the map in z = R u has the factors R H_ℓ (R⁻¹)^{⊗ℓ} (R F_0 for ℓ = 0), and the
order-N Carleman iterate transforms level by level (ŷ_j^z = R^{⊗j} ŷ_j), so
‖u(t) − ŷ_1(t)‖₂ ≤ ‖R⁻¹‖₂ d_1^z(t) with d^z the majorant (BND-1) of the transformed norms, started
at r_z ≥ ‖R u(0)‖₂. Two choices of R are built, both as exact rational matrices (a float matrix
rounded to dyadic rationals with :data:`ROUND_BITS` significant bits; R⁻¹ exact), so that every
transformed norm is certified exactly as in REG-1 (:func:`qsgd_ref.theory.norms.norm_upper`):

* ``eigenbasis``: R = V⁻¹ for a real eigenbasis V of F_1 (a complex pair λ = α ± iβ with
  eigenvector x ± iy contributes the columns x, y, and the block [[α, β], [−β, α]] of norm |λ|); the
  transfer factor is κ(V)-like: ‖V‖₂ on the error, ‖V⁻¹u(0)‖₂ on the start.
* ``lyapunov``: R = Lᵀ with P = LLᵀ the solution of the Stein (discrete Lyapunov) equation
  MᵀPM − P = −I for M = (I + F_1)/c, c ∈ (ρ(I + F_1), 1); then ‖I + F_1‖_P = ‖R(I + F_1)R⁻¹‖₂ < c < 1
  in exact arithmetic, and the certified norm of the exact rational R(I + F_1)R⁻¹ decides it for the
  rounded R. It exists exactly when ρ(I + F_1) < 1 (Stein), also for defective or non-normal F_1.

Both need one F_1 for all steps and small n (the transformed F_ℓ are dense n × n^ℓ rationals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import scipy.linalg

from qsgd_ref.problem import ExactMatrix, Problem
from qsgd_ref.theory.majorant import majorant
from qsgd_ref.theory.norms import NormBound, norm_upper

EIGENBASIS, LYAPUNOV = "eigenbasis", "lyapunov"
#: Largest n for the change of basis (the exact norm of an n × n^ℓ transformed factor is dense).
MAX_N = 32
#: … and largest n^(ℓ+1) of a transformed factor F_ℓ.
MAX_ENTRIES = 2**15
#: Distinct F_ℓ (ℓ ≥ 2) objects transformed at most (F_0 may differ at every step).
MAX_DISTINCT = 16
#: Significant bits kept when a float basis is rounded to dyadic rationals.
ROUND_BITS = 40
#: An eigenbasis with κ(V) above this (float estimate) counts as defective.
MAX_KAPPA_V = 1e12
#: Contraction targets c = ρ + (1 − ρ)·f tried for the Stein equation (the best final bound is kept).
STEIN_FRACTIONS = (0.5, 0.25, 0.75, 0.1)


@dataclass(frozen=True)
class Basis:
    """z = R u with exact rational R and R⁻¹ (python-flint fmpq matrices), and how R was made."""

    kind: str
    R: Any
    Rinv: Any
    detail: str


@dataclass(frozen=True)
class Weighted:
    """A problem in the coordinates z = R u: certified norms h_ℓ^z of every step (one entry when
    time-independent), r_z ≥ ‖R u(0)‖₂ and certified ‖R‖₂, ‖R⁻¹‖₂ (κ ≤ their product)."""

    basis: Basis
    norms: list[dict[int, NormBound]]
    r: Fraction
    norm_R: Fraction
    norm_Rinv: Fraction

    @property
    def kappa(self) -> Fraction:
        return self.norm_R * self.norm_Rinv

    def values(self) -> list[dict[int, Fraction]]:
        return [{ell: b.value for ell, b in h.items()} for h in self.norms]

    def majorant_balls(self, order: int, steps: int) -> list[Any]:
        """‖R⁻¹‖₂ d_1^z(t), t = 0 … T, as arb balls at the current precision (BND-8)."""
        hs = [{ell: _ball(x) for ell, x in h.items()} for h in self.values()]
        _, ds = majorant(hs, _ball(self.r), order, steps)
        return [_ball(self.norm_Rinv) * row[0] for row in ds]


def _ball(x: Fraction) -> Any:
    return flint.arb(x.numerator) / flint.arb(x.denominator)


# ---------------------------------------------------------------------------------------------
# exact matrices


def _fmpq(x: Fraction) -> Any:
    return flint.fmpq(x.numerator, x.denominator)


def _to_fmpq(a: ExactMatrix) -> Any:
    m, c = a.shape
    out = flint.fmpq_mat(m, c)
    for r, col, v in a.entries():
        out[r, col] = _fmpq(v)
    return out


def _to_exact(a: Any) -> ExactMatrix:
    return ExactMatrix.from_entries((a.nrows(), a.ncols()),
                                    ((i, j, Fraction(int(a[i, j].p), int(a[i, j].q)))
                                     for i in range(a.nrows()) for j in range(a.ncols()) if a[i, j] != 0))


def _dyadic(x: float) -> Any:
    """x rounded to ROUND_BITS significant bits, as an exact dyadic fmpq."""
    if x == 0 or not math.isfinite(x):
        return flint.fmpq(0)
    m, e = math.frexp(x)
    mant, exp = round(m * 2**ROUND_BITS), e - ROUND_BITS
    return flint.fmpq(mant * 2**exp) if exp >= 0 else flint.fmpq(mant, 2**-exp)


def _dyadic_matrix(a: np.ndarray) -> Any:
    m, c = a.shape
    return flint.fmpq_mat(m, c, [_dyadic(float(x)) for x in a.reshape(-1)])


def _right_kron_power(x: Any, rinv: Any, ell: int) -> Any:
    """x · (R⁻¹)^{⊗ℓ} for an n × n^ℓ matrix x, one tensor index at a time (numpy.kron order)."""
    n = rinv.nrows()
    arr = np.array(x.entries(), dtype=object).reshape((x.nrows(),) + (n,) * ell)
    for axis in range(1, ell + 1):
        moved = np.moveaxis(arr, axis, -1)
        shape = moved.shape
        flat = flint.fmpq_mat(int(np.prod(shape[:-1])), n, list(moved.reshape(-1)))
        arr = np.moveaxis(np.array((flat * rinv).entries(), dtype=object).reshape(shape), -1, axis)
    return flint.fmpq_mat(x.nrows(), n**ell, list(arr.reshape(-1)))


def is_normal(f1: ExactMatrix) -> bool:
    """Whether F_1 F_1ᵀ = F_1ᵀ F_1 exactly (then ‖I + F_1‖₂ = ρ(I + F_1) and no basis improves it)."""
    a = _to_fmpq(f1)
    return bool(a * a.transpose() == a.transpose() * a)


# ---------------------------------------------------------------------------------------------
# the two bases


def _common_f1(problem: Problem) -> ExactMatrix | str:
    """The F_1 of every step (a zero matrix when absent), or why there is none."""
    n = problem.n
    if n > MAX_N:
        return f"n = {n} > {MAX_N}: the transformed factors would be too large for exact norms"
    for ell in {ell for m in problem.maps for ell in m}:
        if n ** (ell + 1) > MAX_ENTRIES:
            return f"n^(ℓ+1) = {n ** (ell + 1):,} for ℓ = {ell}, above {MAX_ENTRIES:,}"
    f1s = [m.get(1) for m in problem.maps]
    first = f1s[0] if f1s[0] is not None else ExactMatrix.zeros((n, n))
    for f in f1s[1:]:
        if (f if f is not None else ExactMatrix.zeros((n, n))) != first:
            return "F_1 differs between steps (one basis for all steps is needed)"
    distinct = {id(a) for m in problem.maps for ell, a in m.items() if ell >= 2}
    if len(distinct) > MAX_DISTINCT:
        return f"{len(distinct)} distinct F_ℓ (ℓ ≥ 2) objects, above {MAX_DISTINCT}"
    return first


def eigenbasis(problem: Problem) -> Basis | str:
    """R = V⁻¹ for a real (block-)eigenbasis V of F_1, or why there is none."""
    f1 = _common_f1(problem)
    if isinstance(f1, str):
        return f1
    a = f1.to_csr().toarray()
    if not np.all(np.isfinite(a)):
        return "F_1 has entries beyond the float64 range"
    vals, vecs = np.linalg.eig(a)
    cols, done = [], set()
    for i, lam in enumerate(vals):
        if i in done:
            continue
        if abs(lam.imag) <= 1e-14 * max(1.0, abs(lam)):
            v = vecs[:, i].real
            cols.append(v / np.linalg.norm(v))
            done.add(i)
            continue
        j = min((k for k in range(len(vals)) if k not in done and k != i), key=lambda k: abs(vals[k] - lam.conjugate()),
                default=None)
        if j is None:
            return "unpaired complex eigenvalue"
        v = vecs[:, i] if lam.imag > 0 else vecs[:, j]
        v = v / np.linalg.norm(v) * math.sqrt(2)
        cols += [v.real, v.imag]
        done |= {i, j}
    v = np.array(cols).T
    kappa = float(np.linalg.cond(v))
    if not math.isfinite(kappa) or kappa > MAX_KAPPA_V:
        return f"F_1 is defective or nearly so (κ(V) ≈ {kappa:.3g} > {MAX_KAPPA_V:g})"
    vq = _dyadic_matrix(v)
    try:
        r = vq.inv()
    except ZeroDivisionError:
        return "the rounded eigenbasis is singular"
    return Basis(EIGENBASIS, r, vq, f"V from numpy.linalg.eig, rounded to {ROUND_BITS}-bit dyadics; R = V⁻¹ exactly")


def lyapunov_basis(problem: Problem) -> Basis | str:
    """R = Lᵀ, P = LLᵀ from the Stein equation with the contraction target c giving the smallest
    float estimate of the final bound, or why there is none."""
    f1 = _common_f1(problem)
    if isinstance(f1, str):
        return f1
    n = problem.n
    a = np.eye(n) + f1.to_csr().toarray()
    if not np.all(np.isfinite(a)):
        return "F_1 has entries beyond the float64 range"
    rho = float(np.max(np.abs(np.linalg.eigvals(a))))
    if rho >= 1 - 1e-12:
        return f"ρ(I + F_1) = {rho:.6g} ≥ 1: no P ≻ 0 with ‖I + F_1‖_P < 1 (Stein's theorem)"
    best: tuple[float, np.ndarray, float] | None = None
    for f in STEIN_FRACTIONS:
        c = rho + (1 - rho) * f
        m = a / c
        p = scipy.linalg.solve_discrete_lyapunov(m.T, np.eye(n))
        p = (p + p.T) / 2
        try:
            low = np.linalg.cholesky(p)
        except np.linalg.LinAlgError:
            continue
        rf = low.T / np.sqrt(np.linalg.norm(p, 2))
        score = _float_score(problem, rf)
        # an infinite score (the float majorant in the weight overflows by T) still gives a valid P: the
        # view exists, its bound is just useless; only a finite score is preferred over another
        if not math.isnan(score) and (best is None or score < best[0]):
            best = (score, rf, c)
    if best is None:
        return "the Stein equation gave no positive definite P in float64"
    _, rf, c = best
    rq = _dyadic_matrix(rf)
    try:
        rinv = rq.inv()
    except ZeroDivisionError:
        return "the rounded Cholesky factor is singular"
    return Basis(LYAPUNOV, rq, rinv, f"P from MᵀPM − P = −I, M = (I + F_1)/c, c = {c:.6g} (ρ = {rho:.6g}); "
                 f"R = Lᵀ (P = LLᵀ) rounded to {ROUND_BITS}-bit dyadics")


def _float_score(problem: Problem, rf: np.ndarray) -> float:
    """‖R⁻¹‖ · (float majorant d_1 at T) for the float basis R (chooses among Stein targets)."""
    rinv = np.linalg.inv(rf)
    n = problem.n
    h: dict[int, float] = {}
    for fmap in problem.maps[:MAX_DISTINCT]:
        for ell, a in fmap.items():
            x = a.to_csr().toarray() if ell else a.to_csr().toarray()[:, 0]
            if ell == 0:
                val = float(np.linalg.norm(rf @ x))
            else:
                right = rinv
                for _ in range(ell - 1):
                    right = np.kron(right, rinv)
                y = rf @ ((np.eye(n) if ell == 1 else 0) + x) @ right
                val = float(np.linalg.norm(y, 2))
            h[ell] = max(h.get(ell, 0.0), val)
    h.setdefault(1, float(np.linalg.norm(rf @ rinv, 2)))
    r = float(np.linalg.norm(rf @ problem.u0_float()))
    with np.errstate(all="ignore"):
        _, ds = majorant([h], r, problem.order, problem.steps)
    return float(np.linalg.norm(rinv, 2)) * float(ds[-1][0])


# ---------------------------------------------------------------------------------------------
# the transformed problem


def transform(problem: Problem, basis: Basis) -> Weighted:
    """Certified norms of every step's factors in z = R u, r_z, ‖R‖ and ‖R⁻¹‖."""
    n = problem.n
    rmat, rinv = basis.R, basis.Rinv
    memo: dict[tuple[int, int], NormBound] = {}

    def bound(ell: int, a: ExactMatrix | None) -> NormBound:
        key = (ell, id(a))
        if key not in memo:
            if ell == 0:
                assert a is not None
                z = rmat * _to_fmpq(a)
            else:
                x = _to_fmpq(a) if a is not None else flint.fmpq_mat(n, n)
                if ell == 1:
                    x = x + flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
                z = rmat * _right_kron_power(x, rinv, ell)
            memo[key] = norm_upper(_to_exact(z))
        return memo[key]

    steps: list[dict[int, NormBound]] = []
    for fmap in problem.maps:
        h = {ell: bound(ell, a) for ell, a in fmap.items() if ell != 1}
        h = {ell: b for ell, b in h.items() if b.value}
        h[1] = bound(1, fmap.get(1))
        steps.append(h)
    u0 = flint.fmpq_mat(n, 1, [_fmpq(Fraction(x)) for x in problem.u0])
    r = norm_upper(_to_exact(rmat * u0)).value
    return Weighted(basis, steps, r, norm_upper(_to_exact(rmat)).value, norm_upper(_to_exact(rinv)).value)


_VIEWS: dict[int, tuple[Problem, dict[str, Weighted | str]]] = {}


def weighted_views(problem: Problem) -> dict[str, Weighted | str]:
    """The problem in the eigenbasis and in the Lyapunov-weighted basis (or why not), computed once
    per problem object (classify and bounds both use them)."""
    hit = _VIEWS.get(id(problem))
    if hit is not None and hit[0] is problem:
        return hit[1]
    out: dict[str, Weighted | str] = {}
    f1 = _common_f1(problem)
    if not isinstance(f1, str) and is_normal(f1):
        why = ("F_1 is normal: ‖I + F_1‖₂ = ρ(I + F_1) already, so no weight improves γ, and its eigenbasis is "
               "orthonormal, so every norm is unchanged in it")
        return _remember(problem, {EIGENBASIS: why, LYAPUNOV: why})
    for kind, make in ((EIGENBASIS, eigenbasis), (LYAPUNOV, lyapunov_basis)):
        try:
            with np.errstate(all="ignore"):
                basis = make(problem)
        except (np.linalg.LinAlgError, ValueError) as exc:
            basis = f"{type(exc).__name__}: {exc}"
        out[kind] = basis if isinstance(basis, str) else transform(problem, basis)
    return _remember(problem, out)


def _remember(problem: Problem, out: dict[str, Weighted | str]) -> dict[str, Weighted | str]:
    if len(_VIEWS) >= 8:
        _VIEWS.clear()
    _VIEWS[id(problem)] = (problem, out)
    return out
