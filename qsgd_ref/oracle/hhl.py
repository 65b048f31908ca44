"""Expected finite-clock HHL outputs for the oracle (clauses ORC-2, HHL-1, HHL-2), in mpmath.

From the exact Eq. 6 system (SYS-1) built with :mod:`qsgd_ref.carleman.exact`: A = [[0, L], [Lᵀ, 0]]
(or L itself when L is Hermitian, HHL-1) padded to 2^k with σ_max(L), rhs = (b, 0, …)/‖b‖, and the
clock (bits c, time t, numerator c₀) stated in the test. The post-selected state is g(A) rhs with
g(λ) = Σ_k |α_k(λt/2π)|² f(k) (HHL-2). The spectral decomposition of A (without its padding block,
which holds no part of rhs and contributes nothing) comes from python-flint's certified eigenvectors,
or, where eigenvalues repeat, from an mpmath SVD of L = U Σ Vᵀ (A has the eigenpairs ±σ_i,
(u_i, ±v_i)/√2).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import mpmath

from qsgd_ref.base.balls import arb_prec
from qsgd_ref.base.indexing import lifted_dimension, lifted_initial
from qsgd_ref.carleman.exact import Builder, lifted_map_exact
from qsgd_ref.problem import Problem


def eq6_exact(problem: Problem, idle: int, builder: Builder = lifted_map_exact) -> tuple[list[list[Fraction]], list[Fraction]]:
    """(L, b) of SYS-1 as exact dense Fraction lists (``builder`` gives each step's M_N, c)."""
    n, order, steps = problem.n, problem.order, problem.steps
    d = lifted_dimension(n, order)
    size = (steps + 1 + idle) * d
    big = [[Fraction(0)] * size for _ in range(size)]
    for i in range(size):
        big[i][i] = Fraction(1)
    rhs = [Fraction(0)] * size
    rhs[:d] = [Fraction(x) for x in lifted_initial(problem.u0, order)]
    for t in range(1, steps + 1):
        m, c = builder(problem.map_at(t - 1), n, order)
        for (r, s), v in m.items():
            big[t * d + r][(t - 1) * d + s] = -v
        for (r, _), v in c.items():
            rhs[t * d + r] = v
    for t in range(steps + 1, steps + 1 + idle):
        for i in range(d):
            big[t * d + i][(t - 1) * d + i] = Fraction(-1)
    return big, rhs


def hermitian(big: list[list[Fraction]]) -> bool:
    """Whether L equals its transpose (real entries): then HHL-1 uses it undilated."""
    return all(big[i][j] == big[j][i] for i in range(len(big)) for j in range(i))


@dataclass(frozen=True)
class Spectral:
    """The eigenpairs of A that rhs can reach, the register (``qubits`` k, ``size`` of A before padding),
    σ_max and σ_min of L, and the normalised right-hand side on the 2^k entries."""

    pairs: list[tuple[Any, list[Any]]]
    size: int
    qubits: int
    dilated: bool
    smax: Any
    smin: Any
    rhs: list[Any]


def spectral(big: list[list[Fraction]], rhs: list[Fraction], dilate: bool, dps: int) -> Spectral:
    """A's decomposition at ``dps`` digits: python-flint's certified eigenvectors of A when its eigenvalues
    are isolated, else (repeated eigenvalues) an mpmath SVD of L (dilated) or eigendecomposition of L."""
    m = len(big)
    size = 2 * m if dilate else m
    k = max(1, (size - 1).bit_length())
    with mpmath.workdps(dps):
        norm = mpmath.sqrt(mpmath.fsum(mpmath.mpf(x.numerator) ** 2 / mpmath.mpf(x.denominator) ** 2 for x in rhs))
        b = [mpmath.mpf(x.numerator) / x.denominator / norm for x in rhs] + [mpmath.mpf(0)] * (2**k - m)
        try:
            pairs = _flint_pairs(big, dilate, dps)
        except ValueError:  # eigenvalues that flint cannot isolate (repeated singular values)
            pairs = _mpmath_pairs(big, dilate)
        sv = [abs(lam) for lam, _ in pairs]
        return Spectral(pairs, size, k, dilate, max(sv), min(sv), b)


def _flint_pairs(big: list[list[Fraction]], dilate: bool, dps: int) -> list[tuple[Any, list[Any]]]:
    m = len(big)
    size = 2 * m if dilate else m
    with arb_prec(int(dps * 3.33) + 30):
        a = flint.acb_mat(size, size)
        for i, row in enumerate(big):
            for j, v in enumerate(row):
                if v:
                    x = flint.fmpq(v.numerator, v.denominator)
                    if dilate:
                        a[i, m + j] = x
                        a[m + j, i] = x
                    else:
                        a[i, j] = x
        ev, r = a.eig(right=True)
        pairs = []
        for i in range(size):
            col = [r[j, i] for j in range(size)]
            top = max(col, key=lambda z: abs(z).mid())
            phase = top.conjugate() / abs(top)
            vec = [(z * phase).real for z in col]
            length = sum(x * x for x in vec).sqrt()
            pairs.append((mpmath.mpf(ev[i].real.mid().str(dps + 5, radius=False)),
                          [mpmath.mpf((x / length).mid().str(dps + 5, radius=False)) for x in vec]))
    return pairs


def _mpmath_pairs(big: list[list[Fraction]], dilate: bool) -> list[tuple[Any, list[Any]]]:
    m = len(big)
    a = mpmath.matrix(m, m)
    for i, row in enumerate(big):
        for j, v in enumerate(row):
            if v:
                a[i, j] = mpmath.mpf(v.numerator) / v.denominator
    pairs: list[tuple[Any, list[Any]]] = []
    if dilate:
        u, s, v = mpmath.svd_r(a)
        half = 1 / mpmath.sqrt(2)
        for i in range(m):
            ui = [u[r, i] * half for r in range(m)]
            vi = [v[i, r] * half for r in range(m)]
            pairs.append((s[i], ui + vi))
            pairs.append((-s[i], ui + [-x for x in vi]))
    else:
        ev, q = mpmath.eigsy(a)
        pairs = [(ev[i], [q[r, i] for r in range(m)]) for i in range(m)]
    return pairs


def clock_for(smax: Any, smin: Any, bits: int, dps: int) -> tuple[str, int]:
    """The stated clock of a test: time t (20-digit decimal, then exact) with the largest |λ| on
    k_max = 2^(c−1) − 2 as in HHL-3, and the conservative c₀ = max(1, ⌊k_min⌋ − 1) (the corpus states
    its clock; HHL-2 holds for any c₀, so it does not follow the package's choice of c₀)."""
    with mpmath.workdps(dps):
        kmax = 2 ** (bits - 1) - 2
        t = 2 * mpmath.pi * kmax / (smax * 2**bits)
        kmin = kmax * smin / smax
        return mpmath.nstr(t, 20), max(1, int(mpmath.floor(kmin)) - 1)


def _filter(lam: Any, t: Any, bits: int, f: list[Any], phases: list[tuple[Any, Any]], dps: int) -> Any:
    """g(λ) = Σ_k |α_k(λt/2π)|² f(k) (HHL-2), with |α_k(φ)|² = (sin(π 2^c δ)/(2^c sin(πδ)))², δ = φ − k/2^c.
    The numerator is the same for every k (k/2^c is exact). For the bin nearest to φ, where δ may be
    tiny, numerator and denominator come from the same δ (taken modulo 1), so their ratio stays
    accurate; for the others sin(πδ) = sin(πφ) cos(πk/2^c) − cos(πφ) sin(πk/2^c) is far from 0."""
    size = 2**bits
    phi = lam * t / (2 * mpmath.pi)
    near = int(mpmath.nint(phi * size))
    d_near = phi - mpmath.mpf(near) / size
    top = mpmath.sinpi(size * d_near) ** 2
    s_phi, c_phi = mpmath.sinpi(phi), mpmath.cospi(phi)
    tiny = mpmath.mpf(10) ** (-dps + 5)
    g = mpmath.mpf(0)
    for k in range(size):
        if not f[k]:
            continue
        if k == near % size:
            s = mpmath.sinpi(d_near)
        else:
            c_k, s_k = phases[k]
            s = s_phi * c_k - c_phi * s_k
        g += (mpmath.mpf(1) if abs(s) < tiny else top / (size * s) ** 2) * f[k]
    return g


def twin_output(sp: Spectral, bits: int, time: str, c0: int, dps: int) -> tuple[list[Any], Any]:
    """(normalised post-selected state on 2^k entries, success probability) of HHL-2 at ``dps``."""
    with mpmath.workdps(dps):
        size = 2**bits
        t = mpmath.mpf(time)
        f = []
        for k in range(size):
            ks = k - size if k >= size // 2 else k
            f.append(mpmath.mpf(0) if ks == 0 else max(mpmath.mpf(-1), min(mpmath.mpf(1), mpmath.mpf(c0) / ks)))
        phases = [(mpmath.cospi(mpmath.mpf(k) / size), mpmath.sinpi(mpmath.mpf(k) / size)) for k in range(size)]
        out = [mpmath.mpf(0)] * 2**sp.qubits
        for lam, vec in sp.pairs:
            beta = mpmath.fsum(x * y for x, y in zip(vec, sp.rhs, strict=False))
            if not beta:
                continue
            coef = beta * _filter(lam, t, bits, f, phases, dps)
            for r, x in enumerate(vec):
                out[r] += coef * x
        p = mpmath.fsum(x * x for x in out)
        return [x / mpmath.sqrt(p) for x in out], p
