"""Expected finite-clock HHL outputs for the oracle (clauses ORC-2, HHL-1, HHL-2), in mpmath.

From the exact Eq. 6 system (SYS-1) built with :mod:`qsgd_ref.carleman.exact`: the Hermitian
dilation A = [[0, L], [Lᵀ, 0]] padded to 2^k with σ_max(L), rhs = (b, 0, …)/‖b‖, and the clock
(bits c, time t, numerator c₀) stated in the test. The post-selected state is g(A) rhs with
g(λ) = Σ_k |α_k(λt/2π)|² f(k) (HHL-2), computed from an mpmath eigendecomposition of A.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath

from qsgd_ref.base.indexing import lifted_dimension, lifted_initial
from qsgd_ref.carleman.exact import lifted_map_exact
from qsgd_ref.problem import Problem


def eq6_exact(problem: Problem, idle: int) -> tuple[list[list[Fraction]], list[Fraction]]:
    """(L, b) of SYS-1 as exact dense Fraction lists."""
    n, order, steps = problem.n, problem.order, problem.steps
    d = lifted_dimension(n, order)
    size = (steps + 1 + idle) * d
    big = [[Fraction(0)] * size for _ in range(size)]
    for i in range(size):
        big[i][i] = Fraction(1)
    rhs = [Fraction(0)] * size
    rhs[:d] = [Fraction(x) for x in lifted_initial(problem.u0, order)]
    for t in range(1, steps + 1):
        m, c = lifted_map_exact(problem.map_at(t - 1), n, order)
        for (r, s), v in m.items():
            big[t * d + r][(t - 1) * d + s] = -v
        for (r, _), v in c.items():
            rhs[t * d + r] = v
    for t in range(steps + 1, steps + 1 + idle):
        for i in range(d):
            big[t * d + i][(t - 1) * d + i] = Fraction(-1)
    return big, rhs


def dilation(big: list[list[Fraction]], rhs: list[Fraction], dps: int) -> tuple[Any, Any, Any]:
    """(A, rhs, σ_max) in mpmath: [[0, L], [Lᵀ, 0]] padded to a power of two with σ_max (HHL-1)."""
    m = len(big)
    k = max(1, (2 * m - 1).bit_length())
    with mpmath.workdps(dps):
        a = mpmath.zeros(2**k, 2**k)
        for i in range(m):
            for j in range(m):
                if big[i][j]:
                    v = mpmath.mpf(big[i][j].numerator) / big[i][j].denominator
                    a[i, m + j] = v
                    a[m + j, i] = v
        ev_small, _ = mpmath.eigsy(a[: 2 * m, : 2 * m])
        smax = max(abs(x) for x in ev_small)
        for i in range(2 * m, 2**k):
            a[i, i] = smax
        norm = mpmath.sqrt(sum(mpmath.mpf(x.numerator) ** 2 / mpmath.mpf(x.denominator) ** 2 for x in rhs))
        r = mpmath.zeros(2**k, 1)
        for i, x in enumerate(rhs):
            r[i] = mpmath.mpf(x.numerator) / x.denominator / norm
        return a, r, (smax, min(abs(x) for x in ev_small))


def clock_for(smax: Any, smin: Any, bits: int, dps: int) -> tuple[str, int]:
    """The stated clock of a test: time t (20-digit decimal, then exact) with the largest |λ| on
    k_max = 2^(c−1) − 2 as in HHL-3, and the conservative c₀ = max(1, ⌊k_min⌋ − 1) (the corpus states
    its clock; HHL-2 holds for any c₀, so it does not follow the package's choice of c₀)."""
    with mpmath.workdps(dps):
        kmax = 2 ** (bits - 1) - 2
        t = 2 * mpmath.pi * kmax / (smax * 2**bits)
        kmin = kmax * smin / smax
        return mpmath.nstr(t, 20), max(1, int(mpmath.floor(kmin)) - 1)


def twin_output(a: Any, rhs: Any, bits: int, time: str, c0: int, dps: int) -> tuple[list[Any], Any]:
    """(normalised post-selected state, success probability) of HHL-2, in mpmath at ``dps``."""
    with mpmath.workdps(dps):
        size = 2**bits
        t = mpmath.mpf(time)
        ev, u = mpmath.eigsy(a)
        dim = a.rows
        f = []
        for k in range(size):
            ks = k - size if k >= size // 2 else k
            f.append(mpmath.mpf(0) if ks == 0 else max(mpmath.mpf(-1), min(mpmath.mpf(1), mpmath.mpf(c0) / ks)))
        out = [mpmath.mpf(0)] * dim
        for i in range(dim):
            lam = ev[i]
            phi = lam * t / (2 * mpmath.pi)
            g = mpmath.mpf(0)
            for k in range(size):
                delta = phi - mpmath.mpf(k) / size
                s = mpmath.sin(mpmath.pi * delta)
                w = (
                    mpmath.mpf(1)
                    if abs(s) < mpmath.mpf(10) ** (-dps + 5)
                    else (mpmath.sin(mpmath.pi * size * delta) / (size * s)) ** 2
                )
                g += w * f[k]
            beta = sum(u[r, i] * rhs[r] for r in range(dim))
            for r in range(dim):
                out[r] += u[r, i] * beta * g
        p = sum(x * x for x in out)
        return [x / mpmath.sqrt(p) for x in out], p
