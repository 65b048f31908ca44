"""The majorant (tree) bound of clause BND-1, in exact, float and certified (arb) arithmetic.

With h_ℓ ≥ ‖H_ℓ‖₂ (H_0 = F_0, H_1 = I + F_1, H_ℓ = F_ℓ) and r ≥ ‖u(0)‖₂, the scalar map
v(t+1) = Σ_ℓ h_ℓ v(t)^ℓ, v(0) = r, and the level errors

    d_j(t+1) = Σ_{k=1..N} b_jk d_k(t) + Σ_{k>N} b_jk v(t)^k,   d_j(0) = 0,

where b_jk is the coefficient of x^k in (Σ_ℓ h_ℓ x^ℓ)^j, satisfy
‖u(t)^{⊗j} − ŷ_j(t)‖₂ ≤ d_j(t) = v(t)^j − w_j(t) (proof: docs/theory/bounds.md). d_j is computed
directly (no cancellation), so structural zeros stay exactly zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.problem import Map, Problem

Num = Any  # Fraction, float, mpmath.mpf or flint.arb: the recurrences are generic


def norm2_upper(a: np.ndarray) -> Fraction:
    """A rational s ≥ ‖a‖₂ (operator 2-norm) for an exact object array (vector or matrix).

    s² is certified by exact positive-definiteness of s²I − a aᵀ (Gaussian elimination in
    Fractions on the small n × n Gram matrix).
    """
    m = np.asarray(a, dtype=object)
    if m.ndim == 1:
        m = m.reshape(1, -1)  # ‖v‖₂ of a vector: its 1 × 1 Gram matrix is exact
    if not any(x != 0 for x in m.ravel()):
        return Fraction(0)
    gram = [[sum((Fraction(x) * Fraction(y) for x, y in zip(m[i], m[k])), Fraction(0)) for k in range(m.shape[0])]
            for i in range(m.shape[0])]
    if len(gram) == 1:
        return _sqrt_upper(gram[0][0])
    est = float(np.linalg.norm(m.astype(float), 2)) ** 2
    margin = 1e-12
    while True:
        s2 = Fraction(est * (1 + margin) + 1e-300)
        if _positive_definite([[(s2 if i == k else 0) - gram[i][k] for k in range(len(gram))]
                               for i in range(len(gram))]):
            return _sqrt_upper(s2)
        margin *= 16


def _positive_definite(a: list[list[Fraction]]) -> bool:
    a = [list(map(Fraction, row)) for row in a]
    size = len(a)
    for p in range(size):
        if a[p][p] <= 0:
            return False
        for i in range(p + 1, size):
            f = a[i][p] / a[p][p]
            for k in range(p, size):
                a[i][k] -= f * a[p][k]
    return True


def _sqrt_upper(x: Fraction) -> Fraction:
    """√x exactly when x is the square of a rational, else a rational upper bound."""
    p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if p * p == x.numerator and q * q == x.denominator:
        return Fraction(p, q)
    s = Fraction(math.sqrt(float(x)) * (1 + 1e-15))
    while s * s < x:
        s *= Fraction(1 + 2**-40)
    return s.limit_denominator(2**60) if s.limit_denominator(2**60) ** 2 >= x else s


def map_norms(fmap: Map, n: int, memo: dict[tuple[int, int], Fraction] | None = None) -> dict[int, Fraction]:
    """Rational upper bounds h_ℓ ≥ ‖H_ℓ‖₂ of one exact map (H_1 = I + F_1 always present).

    ``memo`` (keyed by ℓ and the matrix object) lets the maps of a time-dependent problem, which
    share most of their F_ℓ, compute each shared bound once."""
    memo = {} if memo is None else memo

    def bound(ell: int, a: Any) -> Fraction:
        key = (ell, id(a))
        if key not in memo:
            if ell == 1:
                ident = np.array([[Fraction(int(i == k)) for k in range(n)] for i in range(n)], dtype=object)
                memo[key] = norm2_upper(ident + (a.dense() if a is not None else 0))
            else:
                memo[key] = norm2_upper(a.dense()[:, 0] if ell == 0 else a.dense())
        return memo[key]

    out: dict[int, Fraction] = {}
    for ell, a in fmap.items():
        if ell != 1 and (h := bound(ell, a)):
            out[ell] = h
    out[1] = bound(1, fmap.get(1))
    return out


def problem_norms(problem: Problem) -> list[dict[int, Fraction]]:
    """h_ℓ(t) for every step (one entry when the problem is time-independent); a matrix shared by
    several steps is bounded once."""
    memo: dict[tuple[int, int], Fraction] = {}
    return [map_norms(m, problem.n, memo) for m in problem.maps]


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


def r_upper(problem: Problem) -> Fraction:
    """A rational r ≥ ‖u(0)‖₂."""
    return norm2_upper(problem.u0)


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
