"""Bounds on κ(L) of the Eq. 6 system (clauses COND-1 … COND-3, COST-2; proofs in docs/theory/bounds.md
 and docs/theory/cost.md).

m is the N × N matrix of the scalar block majorants m_jk = b_jk ≥ ‖B_jk‖₂ (coefficients of
(Σ h_ℓ x^ℓ)^j, supremum over the steps), held exactly. Every bound is evaluated in arb balls, every
2-norm of a non-negative matrix by a certified upper bound (the smaller of the Frobenius norm and the
Collatz–Wielandt bound √(max_i (XᵀXw)_i/w_i) for a positive w), and reported rounded up:

* COND-1: κ(L) ≤ (1 + ‖m‖₂) Σ_{k=0..T} ‖m^k‖₂; with p idle steps COST-2's
  (1 + max(‖m‖₂, 1)) Σ_{k=0..T+p} max_{max(0,k−p) ≤ i ≤ min(k,T)} ‖m^i‖₂.
* COND-2 (numeric, uniform in T): (1 + ‖m‖₂) (Σ_{i<K} ‖m^i‖₂)/(1 − ‖m^K‖₂) once ‖m^K‖₂ ≤ 1/2.
* COND-2 (explicit): with c(s) = p(s)/s = h_1 + Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s < 1 (γ > 0 and R_d(s) < 1,
  F_0 allowed), κ(L) ≤ (1 + ‖m‖₂) √N max(s, 1/s)^{N−1} / (1 − c(s)) for every T.
* COND-3 (explicit, any δ ≥ 0): for every s > 0, κ(L) ≤ (1 + ‖m‖₂) √N max(s, 1/s)^{N−1} Σ_{k≤T} ĉ(s)^k
  with ĉ = c if c < 1 else c^N; with F_0 = 0 and s = min(1, 1/(NGT)), G = Σ_{ℓ≥2} h_ℓ, this is at
  most (1 + ‖m‖₂) √N (T + 1) e^{1+NδT} max(1, NGT)^{N−1} = O(T^N) while δT = O(1).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.closed_forms import sup_norms
from qsgd_ref.theory.majorant import level_coefficients
from qsgd_ref.theory.norms import problem_norms

Norms = dict[int, Fraction]
#: Working precision (bits) of the ball evaluations.
PREC = 128
#: COND-2 (numeric) doubles K up to this before giving up.
MAX_POWER = 2**16
#: The explicit bounds try s = 2^(k/8) for |k| ≤ S_GRID (and the closed-form choices).
S_GRID = 480


def block_majorant(problem: Problem) -> list[list[Fraction]]:
    """The N × N matrix m_jk = b_jk ≥ ‖B_jk‖₂ (j, k = 1 … N), exact rationals."""
    return _block_majorant(sup_norms(problem_norms(problem)), problem.order)


def _block_majorant(h: Norms, order: int) -> list[list[Fraction]]:
    rows = level_coefficients(h, order)
    return [[rows[j][k] if k < len(rows[j]) else Fraction(0) for k in range(1, order + 1)]
            for j in range(1, order + 1)]


def _arb_mat(m: list[list[Fraction]]) -> Any:
    return flint.arb_mat([[ball(x) for x in row] for row in m])


def norm2_nonneg(x: Any) -> Any:
    """A ball whose upper end bounds ‖X‖₂ for the true (entrywise non-negative) matrix in the balls x."""
    n_r, n_c = x.nrows(), x.ncols()
    up = [[x[i, j].upper() if x[i, j] > 0 or not x[i, j] < 0 else flint.arb(0) for j in range(n_c)]
          for i in range(n_r)]
    up = [[v if v >= 0 else flint.arb(0) for v in row] for row in up]
    frob = sum((v * v for row in up for v in row), flint.arb(0))
    top = max((v for row in up for v in row), key=lambda v: v.upper(), default=flint.arb(0))
    if top == 0:
        return flint.arb(0)
    fl = np.array([[float(v / top) for v in row] for row in up])
    gram = fl.T @ fl
    vals, vecs = np.linalg.eigh(gram)
    w = np.abs(vecs[:, -1])
    w = np.maximum(w, 1e-12 * float(np.max(w)))
    wb = [flint.arb(float(v)) for v in w]
    y = [sum((up[i][j] * wb[j] for j in range(n_c)), flint.arb(0)) for i in range(n_r)]
    z = [sum((up[i][j] * y[i] for i in range(n_r)), flint.arb(0)) for j in range(n_c)]
    cw = max((z[j] / wb[j] for j in range(n_c)), key=lambda v: v.upper())
    best = cw if cw.upper() < frob.upper() else frob
    return best.sqrt()


def _up(x: Any) -> float:
    """The upper end of a ball as a float rounded up (inf if not finite or beyond the float range)."""
    text = upper_decimal(x, 17)
    if text == "inf":
        return math.inf
    value = Fraction(Decimal(text))
    f = float(value) if abs(value) < 2**1023 else math.inf
    return f if math.isinf(f) or Fraction(f) >= value else math.nextafter(f, math.inf)


def _cond1(m: list[list[Fraction]], steps: int, idle: int = 0) -> Any:
    """COND-1 (``idle`` = 0) and COST-2: (1 + μ_p) Σ_{k=0..T+p} max_{max(0,k−p) ≤ i ≤ min(k,T)} ‖m^i‖₂,
    μ_0 = ‖m‖₂ and μ_p = max(‖m‖₂, 1) for p > 0."""
    mb = _arb_mat(m)
    n = len(m)
    power = flint.arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
    norms = []
    for _ in range(steps + 1):
        norms.append(norm2_nonneg(power))
        power = power * mb
    total = flint.arb(0)
    window: deque[int] = deque()  # indices i of the current window, their upper ends decreasing
    for k in range(steps + idle + 1):
        if k <= steps:
            while window and norms[window[-1]].upper() <= norms[k].upper():
                window.pop()
            window.append(k)
        while window[0] < k - idle:
            window.popleft()
        total += norms[window[0]]  # the ball with the largest upper end bounds the window's maximum
    norm_m = norm2_nonneg(mb)
    return (1 + (norm_m if idle == 0 else norm_m.max(flint.arb(1)))) * total


def _cond2_numeric(m: list[list[Fraction]]) -> Any | None:
    mb = _arb_mat(m)
    n = len(m)
    eig = np.linalg.eigvals(np.array([[float(x) for x in row] for row in m]))
    if float(np.max(np.abs(eig))) >= 1:
        return None
    power = flint.arb_mat([[int(i == j) for j in range(n)] for i in range(n)])
    total, k, target = flint.arb(0), 0, 1
    while target <= MAX_POWER:
        while k < target:
            total += norm2_nonneg(power)
            power, k = power * mb, k + 1
        beta = norm2_nonneg(power)  # ‖m^K‖, K = target
        if beta <= flint.arb(1) / 2:
            return (1 + norm2_nonneg(mb)) * total / (1 - beta)
        target *= 2
    return None


def _c(h: Norms, s: Fraction) -> Fraction:
    """c(s) = p(s)/s = h_1 + Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s."""
    return (h.get(1, Fraction(0)) + sum((x * s ** (ell - 1) for ell, x in h.items() if ell >= 2), Fraction(0))
            + h.get(0, Fraction(0)) / s)


def _explicit(h: Norms, order: int, s: Fraction, steps: int | None, norm_m: Any) -> Any | None:
    """(1 + ‖m‖)√N max(s,1/s)^{N−1} × (1/(1 − c) if ``steps`` is None (needs c < 1), else Σ_{k≤T} ĉ^k)."""
    c = _c(h, s)
    spread = max(s, 1 / s) ** (order - 1)
    pre = (1 + norm_m) * flint.arb(order).sqrt() * ball(spread)
    if steps is None:
        return None if c >= 1 else pre / (1 - ball(c))
    chat = ball(c if c < 1 else c**order)
    total = ball(Fraction(steps + 1)) if chat == 1 else (chat ** (steps + 1) - 1) / (chat - 1)
    return pre * total


def _log_objective(h: Norms, order: int, s: float, steps: int | None) -> float:
    """log of the explicit bound without the common factor, in floats (a guide for the choice of s)."""
    c = float(h.get(1, 0)) + sum(float(x) * s ** (ell - 1) for ell, x in h.items() if ell >= 2) + float(h.get(0, 0)) / s
    spread = (order - 1) * abs(math.log(s))
    if steps is None:
        return spread - math.log(1 - c) if c < 1 else math.inf
    chat = c if c < 1 else c**order
    if not math.isfinite(chat):
        return math.inf
    if abs(chat - 1) < 1e-12:
        return spread + math.log(steps + 1)
    if chat < 1:
        return spread + math.log1p(-(chat ** (steps + 1))) - math.log1p(-chat)
    return spread + (steps + 1) * math.log(chat) + math.log1p(-(chat ** -(steps + 1))) - math.log(chat - 1)


def _candidates(h: Norms, order: int, steps: int | None) -> list[Fraction]:
    """s = 2^(k/8) around the float optimum of the explicit bound, s = 1 and, for COND-3 with F_0 = 0,
    the closed-form choice min(1, 1/(NGT))."""
    with np.errstate(all="ignore"):
        scores = []
        for k in range(-S_GRID, S_GRID + 1):
            try:
                scores.append((_log_objective(h, order, 2.0 ** (k / 8), steps), k))
            except (OverflowError, ValueError, ZeroDivisionError):
                continue
    out = [Fraction(1)]
    finite = [sk for sk in scores if math.isfinite(sk[0])]
    if finite:
        out.append(Fraction(2.0 ** (min(finite)[1] / 8)))
    g = sum((x for ell, x in h.items() if ell >= 2), Fraction(0))
    if steps is not None and not h.get(0) and g:
        out.append(min(Fraction(1), 1 / (order * g * max(steps, 1))))
    return out


def _best(values: list[tuple[Any, Fraction]]) -> tuple[Any, Fraction] | None:
    finite = [(v, s) for v, s in values if v is not None and v.is_finite()]
    return min(finite, key=lambda vs: vs[0].upper()) if finite else None


def kappa_bound(problem: Problem, steps: int | None = None, idle: int = 0) -> float:
    """COND-1: (1 + ‖m‖₂) Σ_{k=0..T} ‖m^k‖₂; with ``idle`` p > 0 idle steps COST-2's bound on κ(L_p).
    Certified (arb) and rounded up."""
    with arb_prec(PREC):
        return _up(_cond1(block_majorant(problem), problem.steps if steps is None else steps, idle))


def kappa_uniform_bound(problem: Problem) -> float | None:
    """COND-2 (numeric): a T-independent bound (1 + ‖m‖₂)(Σ_{i<K} ‖m^i‖₂)/(1 − ‖m^K‖₂), certified and rounded
    up, or None when ρ(m) ≥ 1 (float estimate) or ‖m^K‖₂ ≤ 1/2 is not reached for K ≤ MAX_POWER."""
    with arb_prec(PREC):
        value = _cond2_numeric(block_majorant(problem))
        return None if value is None else _up(value)


def kappa_explicit(problem: Problem, steps: int | None = None) -> tuple[float, Fraction] | None:
    """COND-2 (``steps`` None: uniform in T, None when no s has c(s) < 1) or COND-3 (at ``steps``): the
    explicit bound at the best s tried, rounded up, with that s."""
    h = sup_norms(problem_norms(problem))
    with arb_prec(PREC):
        norm_m = norm2_nonneg(_arb_mat(_block_majorant(h, problem.order)))
        best = _best([(_explicit(h, problem.order, s, steps, norm_m), s) for s in _candidates(h, problem.order, steps)])
        return None if best is None else (_up(best[0]), best[1])


@dataclass(frozen=True)
class ConditioningBounds(Result):
    """Certified upper bounds on κ(L) of the Eq. 6 system (all rounded up): COND-1 at the problem's
    horizon; COND-2's bounds uniform in T, numeric and explicit (None when none follows: ρ(m) ≥ 1, or
    no s with c(s) < 1), with the s of the explicit one; and the explicit COND-2/3 bound at T with its s.
    ``spectral_radius_m`` is a float estimate (information only)."""

    spectral_radius_m: float
    kappa_bound_at_T: float
    kappa_uniform_bound: float | None
    kappa_explicit_uniform: float | None
    explicit_uniform_s: float | None
    kappa_explicit_at_T: float
    explicit_at_T_s: float
    steps: int

    def summary(self) -> list[str]:
        uniform = ("no bound uniform in T (ρ(m) ≥ 1)" if self.kappa_uniform_bound is None
                   else f"κ(L) ≤ {self.kappa_uniform_bound:.6g} for every T (COND-2)")
        explicit = ("" if self.kappa_explicit_uniform is None else
                    f"; explicit: κ(L) ≤ {self.kappa_explicit_uniform:.6g} for every T (s = {self.explicit_uniform_s:.6g})")
        return [f"κ(L) ≤ {self.kappa_bound_at_T:.6g} at T = {self.steps} (COND-1); {uniform}{explicit}; "
                f"ρ(m) = {self.spectral_radius_m:.6g}",
                f"  explicit at T: κ(L) ≤ {self.kappa_explicit_at_T:.6g} (COND-3 form, s = {self.explicit_at_T_s:.6g})"]


def conditioning(problem: Problem) -> ConditioningBounds:
    """Spectral radius of m, the COND-1 bound at T, the COND-2 uniform bounds (if any) and the explicit
    COND-3 bound at T.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> c = qsgd_ref.conditioning(p)
    >>> print(c)
    κ(L) ≤ 3.22788 at T = 3 (COND-1); κ(L) ≤ 3.6068 for every T (COND-2); explicit: κ(L) ≤ 8.89292 for every T (s = 1); ρ(m) = 0.5
      explicit at T: κ(L) ≤ 6.07915 (COND-3 form, s = 1)
    >>> qsgd_ref.condition_number(qsgd_ref.eq6_system(p)).value <= c.kappa_bound_at_T
    True
    """
    m = block_majorant(problem)
    uniform = kappa_explicit(problem)
    at_t = kappa_explicit(problem, problem.steps)
    assert at_t is not None  # COND-3 holds for every s > 0
    return ConditioningBounds(
        spectral_radius_m=float(np.max(np.abs(np.linalg.eigvals(np.array([[float(x) for x in r] for r in m]))))),
        kappa_bound_at_T=kappa_bound(problem),
        kappa_uniform_bound=kappa_uniform_bound(problem),
        kappa_explicit_uniform=None if uniform is None else uniform[0],
        explicit_uniform_s=None if uniform is None else float(uniform[1]),
        kappa_explicit_at_T=at_t[0],
        explicit_at_T_s=float(at_t[1]),
        steps=problem.steps,
    )
