"""The majorant (tree) bound of clause BND-1, in exact, float and certified (arb) arithmetic.

With h_ℓ ≥ ‖H_ℓ‖₂ (H_0 = F_0, H_1 = I + F_1, H_ℓ = F_ℓ) and r ≥ ‖u(0)‖₂, the scalar map
v(t+1) = Σ_ℓ h_ℓ v(t)^ℓ, v(0) = r, and the level errors

    d_j(t+1) = Σ_{k=1..N} b_jk d_k(t) + Σ_{k>N} b_jk v(t)^k,   d_j(0) = 0,

where b_jk is the coefficient of x^k in (Σ_ℓ h_ℓ x^ℓ)^j, satisfy
‖u(t)^{⊗j} − ŷ_j(t)‖₂ ≤ d_j(t) = v(t)^j − w_j(t) (proof: docs/theory/bounds.md). d_j is computed
directly (no cancellation), so structural zeros stay exactly zero. The certified h_ℓ and r come
from :mod:`qsgd_ref.theory.norms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.problem import Problem
from qsgd_ref.theory.norms import problem_norms, r_upper

Num = Any  # Fraction, float, mpmath.mpf or flint.arb: the recurrences are generic


def level_coefficients(h: dict[int, Num], j_max: int) -> list[list[Num]]:
    """b[j][k] = coefficient of x^k in (Σ_ℓ h_ℓ x^ℓ)^j for j = 0 … j_max (b[0] = [1])."""
    q = max(h)
    zero = h[q] * 0
    p = [h.get(ell, zero) for ell in range(q + 1)]
    rows: list[list[Num]] = [[zero + 1]]
    for _ in range(j_max):
        prev = rows[-1]
        new = [zero] * (len(prev) + q)
        for i, x in enumerate(prev):
            for ell, y in enumerate(p):
                new[i + ell] = new[i + ell] + x * y
        rows.append(new)
    return rows


def majorant(h_steps: Sequence[dict[int, Num]], r: Num, order: int, steps: int) -> tuple[list[Num], list[list[Num]]]:
    """(v(t), d(t)) for t = 0 … steps; d(t)[j−1] = d_j(t), j = 1 … order (clause BND-1)."""
    zero = r * 0
    coeffs = [level_coefficients(h, order) for h in h_steps]
    v = r
    d = [zero] * order
    vs, ds = [v], [list(d)]
    for t in range(steps):
        b = coeffs[t if len(coeffs) > 1 else 0]
        kmax = len(b[order]) - 1
        powers = [zero + 1]
        for _ in range(kmax):
            powers.append(powers[-1] * v)
        new = []
        for j in range(1, order + 1):
            acc = zero
            for k in range(1, len(b[j])):
                if k <= order:
                    acc = acc + b[j][k] * d[k - 1]
                else:
                    acc = acc + b[j][k] * powers[k]
            new.append(acc)
        d = new
        v = sum((c * powers[ell] for ell, c in enumerate(b[1])), zero)
        vs.append(v)
        ds.append(list(d))
    return vs, ds


def majorant_exact(problem: Problem) -> list[Fraction]:
    """d_1(t) in exact rationals (small T only: sizes grow like q^t)."""
    _, ds = majorant(problem_norms(problem), r_upper(problem), problem.order, problem.steps)
    return [row[0] for row in ds]


def majorant_balls(problem: Problem, prec: int = 128) -> list[Any]:
    """d_1(t) as arb balls at ``prec`` bits; each ball's upper end is a rigorous error bound."""
    with arb_prec(prec):
        hs = [{ell: ball(x) for ell, x in h.items()} for h in problem_norms(problem)]
        _, ds = majorant(hs, ball(r_upper(problem)), problem.order, problem.steps)
    return [row[0] for row in ds]
