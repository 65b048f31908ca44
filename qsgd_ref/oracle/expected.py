"""Expected values of the oracle beyond the trajectories and matrices (clause ORC-2): certified regime
numbers, κ(L) and its COND-* bounds, the symmetric-monomial matrices, correction tables and loss maps.

Everything starts from exact rationals. Norms are enclosed in certified intervals: the upper end
s ≥ ‖H‖₂ by an exact positive-definiteness test of s²I − HHᵀ (fraction-free elimination), the lower
end by an exact eigenvalue of HHᵀ (a rational λ with det(λI − HHᵀ) = 0) or else by the exact
Rayleigh quotient of a rational vector (a float64 eigenvector, taken exactly). κ(L) and the COND-*
bounds come from python-flint's certified eigenvalues (arb balls).
"""

from __future__ import annotations

import itertools
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from fractions import Fraction
from typing import Any

import flint
import mpmath
import numpy as np
import sympy

from qsgd_ref.base.balls import arb_prec, upper_decimal
from qsgd_ref.base.indexing import flat_index, level_offsets
from qsgd_ref.carleman.exact import Triplets
from qsgd_ref.carleman.symbolic.tables import correction_table
from qsgd_ref.models.losses import maps_from_sympy
from qsgd_ref.problem import ExactMatrix, Problem
from qsgd_ref.theory.closed_forms import sup_norms
from qsgd_ref.theory.majorant import level_coefficients
from qsgd_ref.theory.norms import problem_norms

#: significant digits of the written interval ends, bounds and errors
INTERVAL_DIGITS = 30
#: bits of the rational square roots of interval ends (far beyond INTERVAL_DIGITS)
_ROOT_BITS = 200

Interval = tuple[Fraction, Fraction | None]  # (lo, hi); hi None means +∞


# ------------------------------------------------------------------------------------------ decimals


def decimal_down(x: Fraction, digits: int = INTERVAL_DIGITS) -> str:
    """The largest decimal of ``digits`` significant digits ≤ x (exact when x is such a decimal)."""
    return _rounded(x, digits, ROUND_FLOOR)


def decimal_up(x: Fraction, digits: int = INTERVAL_DIGITS) -> str:
    """The smallest decimal of ``digits`` significant digits ≥ x."""
    return _rounded(x, digits, ROUND_CEILING)


def _rounded(x: Fraction, digits: int, rounding: str) -> str:
    ctx = Context(prec=digits, rounding=rounding, Emax=10**9, Emin=-(10**9))
    d = ctx.divide(Decimal(x.numerator), Decimal(x.denominator))
    return str(d.normalize(ctx)) if d else "0"


# ------------------------------------------------------------------------------- certified intervals


def _isqrt_frac(x: Fraction, up: bool) -> Fraction:
    """√x rounded down (or up) to about _ROOT_BITS bits; exact when x is the square of a rational."""
    p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if p * p == x.numerator and q * q == x.denominator:
        return Fraction(p, q)
    e = max(0, _ROOT_BITS - (x.numerator.bit_length() - x.denominator.bit_length()) // 2)
    scaled = (x.numerator << (2 * e)) // x.denominator  # floor(x · 4^e)
    r = math.isqrt(scaled)
    if up:
        r += 1  # √(x·4^e) < isqrt(floor) + 1
    return Fraction(r, 1 << e)


def _gram(a: ExactMatrix) -> list[list[Fraction]]:
    """H Hᵀ (or HᵀH when H has fewer columns), exactly: the same non-zero spectrum."""
    m, c = a.shape
    by_col: dict[int, list[tuple[int, int]]] = {}
    for r, col, num in zip(a.rows.tolist(), a.cols.tolist(), a.numerators):
        key, other = (col, r) if m <= c else (r, col)
        by_col.setdefault(key, []).append((other, num))
    k = min(m, c)
    g = [[0] * k for _ in range(k)]
    for entries in by_col.values():
        for i, x in entries:
            row = g[i]
            for j, y in entries:
                row[j] += x * y
    den2 = a.denominator**2
    return [[Fraction(v, den2) for v in row] for row in g]


def _integer_matrix(rows: list[list[Fraction]]) -> list[list[int]]:
    den = math.lcm(*(v.denominator for row in rows for v in row)) if rows else 1
    return [[int(v * den) for v in row] for row in rows]


def _bareiss(x: list[list[int]], pivoting: bool) -> tuple[bool, int]:
    """Fraction-free elimination of a square integer matrix (overwritten): without pivoting, (all leading
    principal minors > 0, last pivot); with pivoting, (True, det up to sign)."""
    size, prev, sign = len(x), 1, 1
    for p in range(size):
        if pivoting and x[p][p] == 0:
            swap = next((i for i in range(p + 1, size) if x[i][p] != 0), None)
            if swap is None:
                return True, 0
            x[p], x[swap] = x[swap], x[p]
            sign = -sign
        piv = x[p][p]
        if not pivoting and piv <= 0:
            return False, 0
        for i in range(p + 1, size):
            f = x[i][p]
            for j in range(p + 1, size):
                x[i][j] = (x[i][j] * piv - f * x[p][j]) // prev
        prev = piv
    return True, sign * prev


def _shifted(g: list[list[Fraction]], s: Fraction) -> list[list[int]]:
    return _integer_matrix([[(s if i == j else Fraction(0)) - v for j, v in enumerate(row)] for i, row in enumerate(g)])


def lambda_max_interval(g: list[list[Fraction]]) -> tuple[Fraction, Fraction]:
    """[lo, hi] ∋ λ_max of a symmetric positive semidefinite rational matrix, both ends proven exactly:
    lo is an exact eigenvalue (det(lo·I − G) = 0) or the exact Rayleigh quotient of a rational vector,
    hi makes hi·I − G positive definite. The vector is a float64 eigenvector (its Rayleigh quotient is
    accurate to about the square of its error); hi starts 10^-30 above lo and widens until proven."""
    k = len(g)
    w, v = np.linalg.eigh(np.array([[float(x) for x in row] for row in g]))
    vec = [Fraction(float(x)) for x in v[:, int(np.argmax(w))]]
    gx = [sum((gij * x for gij, x in zip(row, vec, strict=True)), Fraction(0)) for row in g]
    rq = (sum((x * y for x, y in zip(vec, gx, strict=True)), Fraction(0))
          / sum((x * x for x in vec), Fraction(0)))  # ≤ λ_max (Rayleigh)
    cand = rq.limit_denominator(10**12)  # a short rational: λ_max itself when that is one
    near = abs(cand - rq) <= abs(rq) * Fraction(1, 10**26)
    exact_eig = near and cand >= rq and _bareiss(_shifted(g, cand), pivoting=True)[1] == 0
    lo = cand if exact_eig else rq
    margin = Fraction(1, 10**30)
    while True:
        hi = Fraction(decimal_up(lo * (1 + margin), 40))  # a short rational keeps the elimination cheap
        if _bareiss(_shifted(g, hi), pivoting=False)[0]:  # hi·I − G ≻ 0: λ_max < hi
            return lo, hi
        margin *= 100
        if margin > 1:
            raise RuntimeError(f"no certified upper end for λ_max of a {k} × {k} Gram matrix")


def norm_interval(a: ExactMatrix) -> tuple[Fraction, Fraction]:
    """[lo, hi] ∋ ‖a‖₂ (operator 2-norm; a vector's Euclidean norm), both ends certified."""
    if a.is_zero():
        return Fraction(0), Fraction(0)
    if min(a.shape) == 1:
        s2 = Fraction(sum(x * x for x in a.numerators), a.denominator**2)
        return _isqrt_frac(s2, up=False), _isqrt_frac(s2, up=True)
    lo2, hi2 = lambda_max_interval(_gram(a))
    return _isqrt_frac(lo2, up=False), _isqrt_frac(hi2, up=True)


def _sup(intervals: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    return max(lo for lo, _ in intervals), max(hi for _, hi in intervals)


def regime_intervals(problem: Problem) -> dict[str, Any]:
    """REG-1's numbers as certified intervals: h_ℓ (ℓ = 0 … q; the supremum over the steps), r, γ, δ, R_d."""
    n = problem.n
    memo: dict[tuple[int, bool], tuple[Fraction, Fraction]] = {}

    def bound(a: ExactMatrix | None, plus_identity: bool) -> tuple[Fraction, Fraction]:
        key = (id(a), plus_identity)
        if key not in memo:
            target = (ExactMatrix.identity(n) if a is None else a.plus_identity()) if plus_identity else a
            memo[key] = norm_interval(target) if target is not None else (Fraction(0), Fraction(0))
        return memo[key]

    h: dict[int, tuple[Fraction, Fraction]] = {}
    for ell in range(0, problem.degree + 1):
        h[ell] = _sup([bound(m.get(ell), ell == 1) for m in problem.maps])
    r = norm_interval(ExactMatrix.from_dense([Fraction(x) for x in problem.u0]))
    gamma = (1 - h[1][1], 1 - h[1][0])
    delta = (max(h[1][0] - 1, Fraction(0)), max(h[1][1] - 1, Fraction(0)))

    def nonlinear(k: int, rr: Fraction, r0: Fraction) -> Fraction | None:
        total = sum((x[k] * rr ** (ell - 1) for ell, x in h.items() if ell >= 2), Fraction(0))
        if h[0][k]:
            if r0 == 0:
                return None
            total += h[0][k] / r0
        return total

    n_lo, n_hi = nonlinear(0, r[0], r[1]), nonlinear(1, r[1], r[0])
    if gamma[1] <= 0 or n_lo is None:
        rd: Any = "inf"
    else:
        lo = n_lo / gamma[1]
        rd = [decimal_down(lo), "inf" if gamma[0] <= 0 or n_hi is None else decimal_up(n_hi / gamma[0])]
    return {
        "h": {str(ell): [decimal_down(lo), decimal_up(hi)] for ell, (lo, hi) in h.items()},
        "r": [decimal_down(r[0]), decimal_up(r[1])],
        "gamma": [decimal_down(gamma[0]), decimal_up(gamma[1])],
        "delta": [decimal_down(delta[0]), decimal_up(delta[1])],
        "R_d": rd,
    }


# ------------------------------------------------------------------------------------ κ and COND-*


def _arb_matrix(rows: list[list[Fraction]]) -> flint.arb_mat:
    return flint.arb_mat([[flint.fmpq(v.numerator, v.denominator) for v in row] for row in rows])


def _eigenvalues(a: flint.arb_mat) -> list[flint.arb]:
    """The (real) eigenvalues of a symmetric arb matrix as balls (repeated ones allowed)."""
    return [e.real for e in a.eig(multiple=True)]


def _prec(dps: int) -> int:
    return int(dps * 3.33) + 20


def kappa(big: list[list[Fraction]], dps: int) -> Any:
    """κ(L) = σ_max/σ_min of an exact square matrix, as an mpmath number at ``dps`` digits (from the
    certified eigenvalues of LᵀL, python-flint at the matching precision)."""
    with arb_prec(_prec(dps)):
        a = _arb_matrix(big)
        ev = _eigenvalues(a.transpose() * a)
        k = (max(ev, key=lambda x: x.mid()) / min(ev, key=lambda x: x.mid())).sqrt()
        text = k.mid().str(dps + 5, radius=False)
    with mpmath.workdps(dps):
        return mpmath.mpf(text)


def block_majorant_exact(problem: Problem) -> list[list[Fraction]]:
    """m_jk = b_jk (1 ≤ j, k ≤ N) of COND-1 from the certified supremum norms, exactly."""
    h = sup_norms(problem_norms(problem))
    rows = level_coefficients(h, problem.order)
    order = problem.order
    return [[rows[j][k] if k < len(rows[j]) else Fraction(0) for k in range(1, order + 1)] for j in range(1, order + 1)]


def _norm(x: flint.arb_mat) -> flint.arb:
    """‖x‖₂ as a ball: the square root of the largest eigenvalue of xᵀx."""
    ev = _eigenvalues(x.transpose() * x)
    top = max(ev, key=lambda e: e.mid())
    return flint.arb(top.upper()).sqrt() if top.upper() >= 0 else flint.arb(0)


def cond_bounds(problem: Problem, digits: int) -> tuple[dict[str, str], dict[str, str]]:
    """({COND-1: value, COND-2: value}, {series: reason it does not apply}), each the upper end of a
    certified ball rounded up to ``digits``."""
    m_exact = block_majorant_exact(problem)
    size = len(m_exact)
    out: dict[str, str] = {}
    missing: dict[str, str] = {}
    with arb_prec(4 * digits + 64):
        m = _arb_matrix(m_exact)
        nm = _norm(m)
        power, total = flint.arb_mat(size, size), flint.arb(0)
        for i in range(size):
            power[i, i] = 1
        for _ in range(problem.steps + 1):
            total += _norm(power)
            power = power * m
        out["COND-1"] = upper_decimal((1 + nm) * total, digits)
        rho = max(abs(e) for e in m.eig(multiple=True))
        if not rho < 1:
            missing["COND-2"] = f"needs ρ(m) < 1 (ρ(m) = {rho.mid().str(6, radius=False)}): no bound uniform in T"
        else:
            out["COND-2"] = upper_decimal((1 + nm) * _uniform_sum(m), digits)
    return out, missing


def _uniform_sum(m: flint.arb_mat) -> flint.arb:
    """A ball above Σ_{k≥0} ‖m^k‖₂ for ρ(m) < 1: the terms up to K, then the tail bounded with
    ‖m^{K+i+jP}‖ ≤ ‖m^{K+i}‖ θ^j where θ = ‖m^P‖₂ < 1/2."""
    size = m.nrows()
    p, mp_ = 1, m
    while not _norm(mp_) < flint.arb(1) / 2:
        p, mp_ = p + 1, mp_ * m
    theta = _norm(mp_)
    power, total, k = flint.arb_mat(size, size), flint.arb(0), 0
    for i in range(size):
        power[i, i] = 1
    while True:
        term = _norm(power)
        total += term
        power, k = power * m, k + 1
        if term < total * flint.arb(10) ** -40 and k > size:
            break
    tail, q = flint.arb(0), power
    for _ in range(p):
        tail += _norm(q)
        q = q * m
    return total + tail / (1 - theta)


# --------------------------------------------------------------------------------- monomial basis


def _monomials(n: int, j: int) -> dict[tuple[int, ...], int]:
    """Monomials of degree j (sorted index tuples) -> their rank in lexicographic order."""
    return {idx: r for r, idx in enumerate(itertools.combinations_with_replacement(range(n), j))}


def monomial_exact(m: Triplets, c: Triplets, n: int, order: int) -> tuple[Triplets, Triplets]:
    """(M^c, c^c) of LIFT-4 from the exact Kronecker-basis (M_N, c): row = the first tensor position of
    each monomial (ascending indices), and every column's coefficient added into its monomial's column."""
    off = level_offsets(n, order)
    ranks = [_monomials(n, j) for j in range(1, order + 1)]
    moff = [0, *itertools.accumulate(len(r) for r in ranks)]
    col_of: dict[int, int] = {}
    rep: dict[int, int] = {}  # Kronecker row -> monomial row
    for j in range(1, order + 1):
        for pos in range(n**j):
            digits = []
            x = pos
            for _ in range(j):
                digits.append(x % n)
                x //= n
            idx = tuple(sorted(digits))
            col_of[off[j - 1] + pos] = moff[j - 1] + ranks[j - 1][idx]
        for idx, r in ranks[j - 1].items():
            rep[off[j - 1] + flat_index(idx, n)] = moff[j - 1] + r
    mc: Triplets = {}
    for (row, col), v in m.items():
        if row in rep:
            key = (rep[row], col_of[col])
            mc[key] = mc.get(key, Fraction(0)) + v
    cc: Triplets = {(rep[row], 0): v for (row, _), v in c.items() if row in rep}
    return {k: v for k, v in mc.items() if v}, cc


# ---------------------------------------------------------------------------------- tables and maps


def table_json(degree: int, order: int, continuous: bool, dropped: bool) -> dict[str, Any]:
    """The FMT-3 document of the correction table (ETA-1, LIFT-3)."""
    return correction_table(degree, order, continuous=continuous, dropped=dropped).to_json()


def loss_expression(terms: tuple[tuple[Fraction, tuple[int, ...]], ...], n: int) -> tuple[sympy.Expr, list[sympy.Symbol]]:
    """The SymPy polynomial Σ c_α θ^α with symbols θ0 … θ(n−1)."""
    syms = list(sympy.symbols(f"theta0:{n}"))
    expr = sympy.Add(*[sympy.Rational(c.numerator, c.denominator) * sympy.Mul(*[s**e for s, e in zip(syms, a, strict=True)])
                       for c, a in terms])
    return expr, syms


def loss_map(terms: tuple[tuple[Fraction, tuple[int, ...]], ...], theta_star: tuple[Fraction, ...], eta: Fraction,
             degree: int) -> dict[int, Triplets]:
    """F_ℓ, ℓ = 0 … q, of gradient descent on the polynomial loss (MAP-2, MOD-1), as exact triplets."""
    expr, syms = loss_expression(terms, len(theta_star))
    fmap, _ = maps_from_sympy(expr, syms, list(theta_star), eta, degree)
    out: dict[int, Triplets] = {}
    for ell, a in fmap.items():
        dense = a.reshape(len(theta_star), -1) if ell else a.reshape(-1, 1)
        out[ell] = {(i, j): Fraction(v) for (i, j), v in _items(dense) if v != 0}
    return out


def _items(a: Any) -> list[tuple[tuple[int, int], Any]]:
    return [((i, j), a[i, j]) for i in range(a.shape[0]) for j in range(a.shape[1])]
