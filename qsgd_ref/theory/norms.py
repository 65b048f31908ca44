"""Certified upper bounds h ≥ ‖H‖₂ on the factor norms of REG-1 and BND-1 (H_0 = F_0 as a vector,
H_1 = I + F_1, H_ℓ = F_ℓ; operator 2-norm of the exact rational matrix).

Every bound is a rational number proven to be at least the norm; :func:`norm_upper` picks one of
three methods by size and says which it used (proofs: docs/theory/bounds.md, "Certified norm bounds
at scale"):

* ``"exact"`` — a vector, or a matrix whose smaller side is at most :data:`EXACT_MAX_SIDE` (with
  at most :data:`EXACT_MAX_NNZ` non-zeros and :data:`EXACT_MAX_ENTRIES` entries): s² slightly above
  a float estimate of ‖H‖₂², accepted when s²I − HHᵀ is positive definite, decided exactly
  (fraction-free elimination over the integers); a vector by its exact sum of squares. Every
  committed vector and table was computed this way.
* ``"verified Cholesky"`` — smaller side up to :data:`VERIFIED_MAX_SIDE`: the Gram matrix HHᵀ is
  formed in float64 from the sparse rows, a floating-point Cholesky factorisation of σI − fl(HHᵀ)
  runs in LAPACK, and s² is assembled in exact rationals from the floats it produced together
  with rigorous bounds on every rounding error (Gram formation, Cholesky backward error, gradual
  underflow). Cost: one sparse product, one dense k × k Cholesky (k the smaller side), and a
  float64 estimate of λ_max.
* ``"√(‖·‖₁‖·‖∞)"`` — beyond that (or when the float environment cannot be trusted, or the
  Cholesky never succeeds), √(‖H‖₁‖H‖∞) exactly from the non-zeros, with the reason.

:func:`problem_norm_bounds` computes each distinct map's bound once (the same :class:`ExactMatrix`
object shared by many steps, or equal matrices), so a time-dependent problem with one F_1, one F_2
and a new F_0 every step costs two matrix bounds and one vector norm per step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh

from qsgd_ref.base import limits
from qsgd_ref.base.results import Result
from qsgd_ref.problem import ExactMatrix, Map, Problem

EXACT, VERIFIED, FALLBACK = "exact", "verified Cholesky", "√(‖·‖₁‖·‖∞)"
METHODS = (EXACT, VERIFIED, FALLBACK)

#: The exact method applies when the smaller side k (the Gram matrix is k × k) is at most this …
EXACT_MAX_SIDE = 32
#: … with at most this many non-zeros (the exact Gram costs about nnz · k integer products) …
EXACT_MAX_NNZ = 4096
#: … and at most this many entries in all (its float estimate is a dense SVD, as before).
EXACT_MAX_ENTRIES = 2**20
#: The verified Cholesky factors a dense k × k float64 matrix: k at most this (beyond, the fallback).
VERIFIED_MAX_SIDE = 4000
#: Dense k × k float64 arrays alive at once in the verified method (Gram and its symmetrised
#: copies, the shifted matrix, the factor).
_DENSE_COPIES = 5
#: Scaled entries (largest about 1) below 2^-TINY_EXPONENT go into a separately bounded part,
#: so that no product in the float Gram matrix underflows.
TINY_EXPONENT = 500
#: The float Gram matrix is one dense (BLAS) product when at least this fraction of H is non-zero.
_DENSE_PRODUCT_FILL = 0.1
#: Shifts tried by the verified method before it gives up (the margin grows 8× each time).
MAX_SHIFTS = 40

#: Unit roundoff and smallest positive subnormal of IEEE binary64.
UNIT_ROUNDOFF = Fraction(1, 2**53)
SUBNORMAL_MIN = Fraction(1, 2**1074)
#: Exact-method magnitudes: outside [2^-SAFE, 2^SAFE] the matrix is first scaled by a power of two.
_SAFE_EXPONENT = 100


@dataclass(frozen=True)
class NormBound(Result):
    """A certified h ≥ ‖H‖₂: the rational ``value``, the ``method`` that proved it (one of
    :data:`METHODS`) and, for the fallback, the ``reason`` the sharper methods were not used."""

    value: Fraction
    method: str
    reason: str = ""

    def summary(self) -> list[str]:
        why = f" ({self.reason})" if self.reason else ""
        return [f"‖H‖₂ ≤ {float(self.value):.17g} by {self.method}{why}"]


# ---------------------------------------------------------------------------------------------
# entry point


def norm_upper(a: ExactMatrix, *, method: str | None = None) -> NormBound:
    """A certified rational upper bound on the operator 2-norm of the exact matrix ``a``.

    ``method`` forces one of :data:`METHODS` (tests, comparisons); by default the exact method for
    vectors and small matrices, the verified Cholesky up to :data:`VERIFIED_MAX_SIDE`, else the
    fallback. A matrix with one row or one column is a vector: its norm is the exact sum of squares
    under a rational square root, whatever ``method`` says.

    >>> from fractions import Fraction
    >>> from qsgd_ref.problem import ExactMatrix
    >>> a = ExactMatrix.from_dense([[Fraction(3, 5), Fraction(4, 5)], [Fraction(-4, 5), Fraction(3, 5)]])
    >>> b = norm_upper(a)
    >>> b.method, 1 <= b.value < 1 + Fraction(1, 10**11)
    ('exact', True)
    >>> norm_upper(a, method="verified Cholesky").value >= 1
    True
    """
    if method is not None and method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    m, c = a.shape
    if a.is_zero():
        return NormBound(Fraction(0), EXACT)
    if min(m, c) == 1:
        return NormBound(_sqrt_upper(Fraction(sum(x * x for x in a.numerators), a.denominator**2)), EXACT)
    k = min(m, c)
    if method is None:
        method = EXACT if planned_method(a.shape, a.nnz) == EXACT else VERIFIED
    if method == EXACT:
        return NormBound(_exact(a), EXACT)
    if method == FALLBACK:
        return NormBound(_one_inf_bound(a), FALLBACK, "requested")
    reason = _verified_refusal(k, a.nnz)
    if reason is None:
        out = _verified(_Rows.of(a))
        if isinstance(out, Fraction):
            return NormBound(out, VERIFIED)
        reason = out
    return NormBound(_one_inf_bound(a), FALLBACK, reason)


def planned_method(shape: tuple[int, int], nnz: int) -> str:
    """The method :func:`norm_upper` picks for a matrix of this shape and number of non-zeros, decided
    from the sizes alone (the verified method may still fall back at run time, with its reason)."""
    m, c = shape
    k = min(m, c)
    if k <= 1 or (k <= EXACT_MAX_SIDE and nnz <= EXACT_MAX_NNZ and m * c <= EXACT_MAX_ENTRIES):
        return EXACT
    return VERIFIED if _verified_refusal(k, nnz) is None else FALLBACK


def norm2_upper(a: np.ndarray) -> Fraction:
    """A rational s ≥ ‖a‖₂ for an exact dense array: a vector (its 2-norm) or a matrix (operator
    2-norm), as :func:`norm_upper` of the same entries."""
    return norm_upper(ExactMatrix.from_dense(a)).value


# ---------------------------------------------------------------------------------------------
# the exact method (small matrices; the method of every committed vector and table)


def _exact(a: ExactMatrix) -> Fraction:
    """s ≥ ‖a‖₂: s² = est(1 + margin) + 10⁻³⁰⁰ for a float estimate est of ‖a‖₂², the margin
    multiplied by 16 until s²I − a aᵀ is positive definite (decided exactly)."""
    e = _scale_exponent(a)
    if abs(e) > _SAFE_EXPONENT:  # far outside float64's comfortable range: work with 2^e · a
        return _exact(_scaled(a, e)) / Fraction(2) ** e
    rows = _Rows.of(a)
    gram = rows.gram_integers()  # exact a aᵀ (or aᵀa, the same non-zero spectrum) times den²
    scale = rows.den**2
    m, c = a.shape
    limits.check_bytes("F", f"the dense float {m:,} × {c:,} matrix of the exact method's estimate", 8 * m * c)
    est = float(np.linalg.norm(a.to_csr().toarray(), 2)) ** 2
    margin = 1e-12
    while True:
        s2 = Fraction(est * (1 + margin) + 1e-300)
        p, q = s2.numerator, s2.denominator  # s²I − G ≻ 0  ⇔  p·den²·I − q·(den² G) ≻ 0
        if _positive_definite([[(p * scale if i == j else 0) - q * g for j, g in enumerate(row)]
                               for i, row in enumerate(gram)]):
            return _sqrt_upper(s2)
        margin *= 16


def _positive_definite(x: list[list[int]]) -> bool:
    """Whether the symmetric integer matrix ``x`` is positive definite: its leading principal
    minors are the pivots of fraction-free (Bareiss) elimination without pivoting, and all of
    them are positive exactly when ``x`` is (Sylvester's criterion). Overwrites ``x``."""
    prev = 1
    size = len(x)
    for p in range(size):
        piv = x[p][p]
        if piv <= 0:
            return False
        row_p = x[p]
        for i in range(p + 1, size):
            row_i = x[i]
            f = row_i[p]
            for j in range(p + 1, size):
                row_i[j] = (row_i[j] * piv - f * row_p[j]) // prev  # exact (Bareiss)
        prev = piv
    return True


def sqrt_upper(x: Fraction) -> Fraction:
    """A rational s ≥ √x (x ≥ 0 rational): √x itself when x is the square of a rational."""
    return _sqrt_upper(x)


def _sqrt_upper(x: Fraction) -> Fraction:
    """√x exactly when x is the square of a rational, else a rational upper bound (x ≥ 0)."""
    p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if p * p == x.numerator and q * q == x.denominator:
        return Fraction(p, q)
    e = (x.numerator.bit_length() - x.denominator.bit_length()) // 2
    if abs(e) > 400:  # float(x) would overflow or lose the value: √x = 2^e √(x / 4^e)
        return _sqrt_upper(x / Fraction(4) ** e) * Fraction(2) ** e
    s = Fraction(math.sqrt(float(x)) * (1 + 1e-15))
    while s * s < x:
        s *= Fraction(1 + 2**-40)
    short = s.limit_denominator(2**60)  # a shorter rational, kept if still a bound and not looser
    return short if short * short >= x and short <= s * (1 + Fraction(1, 2**40)) else s


def _scale_exponent(a: ExactMatrix) -> int:
    """e with 2^e · max|a| in (1/2, 2)."""
    top = max(abs(x) for x in a.numerators)
    return a.denominator.bit_length() - top.bit_length()


def _scaled(a: ExactMatrix, e: int) -> ExactMatrix:
    """2^e · a, exactly."""
    nums, den = list(a.numerators), a.denominator
    if e >= 0:
        nums = [x << e for x in nums]
    else:
        den <<= -e
    g = math.gcd(den, *nums)
    return ExactMatrix(a.shape, a.rows, a.cols, [x // g for x in nums], den // g)


# ---------------------------------------------------------------------------------------------
# the sparse rows the Gram-based methods work on


@dataclass(frozen=True)
class _Rows:
    """A matrix with k ≤ c rows (a tall one transposed: HᵀH has the non-zero spectrum of HHᵀ),
    its non-zeros sorted row-major: numerators[t] / den at (rows[t], cols[t])."""

    k: int
    rows: np.ndarray
    cols: np.ndarray
    nums: list[int]
    den: int

    @classmethod
    def of(cls, a: ExactMatrix) -> _Rows:
        m, c = a.shape
        if m <= c:
            return cls(m, a.rows, a.cols, list(a.numerators), a.denominator)
        order = np.lexsort((a.rows, a.cols))
        return cls(c, a.cols[order], a.rows[order], [a.numerators[t] for t in order.tolist()], a.denominator)

    def columns(self) -> dict[int, list[tuple[int, int]]]:
        """column -> [(row, numerator)]."""
        out: dict[int, list[tuple[int, int]]] = {}
        for r, c, x in zip(self.rows.tolist(), self.cols.tolist(), self.nums):
            out.setdefault(c, []).append((r, x))
        return out

    def gram_integers(self) -> list[list[int]]:
        """den² · (H Hᵀ), exactly, as a dense k × k list of integers."""
        g = [[0] * self.k for _ in range(self.k)]
        for entries in self.columns().values():
            for i, x in entries:
                gi = g[i]
                for j, y in entries:
                    gi[j] += x * y
        return g


# ---------------------------------------------------------------------------------------------
# the verified Cholesky method


@cache
def _float_environment_problem() -> str | None:
    """None if numpy's float64 arithmetic behaves as IEEE binary64 with round-to-nearest and
    gradual underflow (the model of the proof), else what is wrong."""
    if np.finfo(np.float64).eps != 2.0**-52 or np.finfo(np.float64).smallest_subnormal != 2.0**-1074:
        return "float64 is not IEEE binary64"
    one = np.array([1.0, -1.0, 1.0])
    tiny = np.array([2.0**-53, -(2.0**-53), 2.0**-53 + 2.0**-60])
    if (one + tiny).tolist() != [1.0, -1.0, 1.0 + 2.0**-52]:
        return "float64 addition does not round to nearest"
    if (np.array([2.0**-1022]) * 0.5)[0] != 2.0**-1023 or (np.array([2.0**-1074]) * 2.0)[0] != 2.0**-1073:
        return "subnormal numbers are flushed to zero"
    return None


def _verified_refusal(k: int, nnz: int) -> str | None:
    """Why the verified method cannot run on a matrix with smaller side k (None if it can)."""
    if k > VERIFIED_MAX_SIDE:
        return f"the Gram matrix would be {k:,} × {k:,}, above the verified method's {VERIFIED_MAX_SIDE:,}"
    need = _DENSE_COPIES * 8 * k * k + 64 * nnz
    if need > limits.memory_budget():
        return (f"the verified method needs {limits.human_bytes(need)}, over the memory budget of "
                f"{limits.human_bytes(limits.memory_budget())}")
    return _float_environment_problem()


def _verified(h: _Rows) -> Fraction | str:
    """A certified s ≥ ‖H‖₂ by the verified Cholesky method, or the reason it failed."""
    gram, e, tiny = _ScaledGram.split(h)
    est = _lambda_max_estimate(gram.gram, gram.sparse)
    margin = 2.0**-40
    for _ in range(MAX_SHIFTS):
        s2 = gram.certified_square(est * (1 + margin))
        if s2 is not None:
            value = _sqrt_upper(s2) / Fraction(2) ** e
            return value + _one_inf_entries(tiny, h.den) if tiny else value
        margin *= 8
    return f"the floating-point Cholesky factorisation failed for {MAX_SHIFTS} shifts"


def certifies(a: ExactMatrix, s2: Fraction) -> bool:
    """Whether the verified Cholesky test, run with the shift σ = s² (rounded down to a float),
    proves s²I − a aᵀ ⪰ 0, i.e. ‖a‖₂² ≤ s². Sound: True only when it holds; False also when the
    floating-point factorisation fails or the certified bound lands above s², and for matrices
    whose entries span more than 2^TINY_EXPONENT (their tiny part is bounded separately).

    >>> from fractions import Fraction
    >>> from qsgd_ref.problem import ExactMatrix
    >>> a = ExactMatrix.from_dense([[1, 1], [0, 1]])  # ‖a‖₂² = (3 + √5)/2 ≈ 2.618
    >>> certifies(a, Fraction(2619, 1000)), certifies(a, Fraction(2617, 1000))
    (True, False)
    """
    if a.is_zero():
        return s2 >= 0
    h = _Rows.of(a)
    gram, e, tiny = _ScaledGram.split(h)
    if tiny:
        return False
    target = s2 * Fraction(4) ** e  # the test runs on 2^e · a
    if target <= 0:
        return False
    # The certificate proves ‖H'‖² ≤ σ + (its rounding-error terms): shift σ below s² by an upper
    # estimate of those terms (≤ θ·tr + u·σ for the factorisation, ≤ c·ρ per Gram error), then
    # compare the certified bound with s² exactly.
    u, k = UNIT_ROUNDOFF, gram.gram.shape[0]
    theta = 2 * (k + 2) * u
    slack = 2 * ((theta * k + 2 * u) * target + gram.c_gram() * gram.rho) + 2 * k * (k + 2) * SUBNORMAL_MIN
    sigma = _float_below(target - slack)
    bound = gram.certified_square(sigma)
    return bound is not None and bound <= target


def _float_below(x: Fraction) -> float:
    """The largest float64 ≤ x (x in float64's range)."""
    f = float(x)
    return float(np.nextafter(f, -np.inf)) if Fraction(f) > x else f


@dataclass(frozen=True)
class _ScaledGram:
    """The float Gram matrix of H' = 2^e H (its entries of magnitude in [2^-TINY_EXPONENT, 2)),
    with the exact data the certificate needs."""

    gram: np.ndarray  # fl(H'_f H'_fᵀ), symmetric (upper triangle mirrored), dense k × k
    sparse: sp.csr_matrix | None  # the same as computed, sparse (None when it was a dense product)
    diag: list[Fraction]  # exact (H'H'ᵀ)_ii
    rho: Fraction  # exact ‖|H'||H'|ᵀ‖_∞
    k_dot: int  # the most non-zeros in a row: the longest inner product

    @classmethod
    def split(cls, h: _Rows) -> tuple[_ScaledGram, int, list[tuple[int, int, int]]]:
        """(Gram data of the scaled large part, e, the tiny entries (row, col, numerator) of H)."""
        den = h.den
        # 2^e · max|H| lies in (1/2, 2); scaled entries below 2^-TINY_EXPONENT form the tiny part, so
        # every product of two float entries stays a normal number.
        e = den.bit_length() - max(abs(x) for x in h.nums).bit_length()
        shift = e + TINY_EXPONENT
        big = [(abs(x) << shift >= den) if shift >= 0 else (abs(x) >= den << -shift) for x in h.nums]
        mask = np.array(big, dtype=bool)
        nums = [x for x, b in zip(h.nums, big) if b]
        tiny = [(r, c, x) for r, c, x, b in zip(h.rows.tolist(), h.cols.tolist(), h.nums, big) if not b]
        return cls.of(h.k, h.rows[mask], h.cols[mask], nums, den, e), e, tiny

    @classmethod
    def of(cls, k: int, rows: np.ndarray, cols: np.ndarray, nums: list[int], den: int, e: int) -> _ScaledGram:
        # H'_f: every entry correctly rounded (Python's int / int division is correctly rounded).
        vals = np.array([(x << e) / den if e >= 0 else x / (den << -e) for x in nums], dtype=np.float64)
        used, ccols = np.unique(cols, return_inverse=True)  # drop empty columns (n^ℓ may be huge)
        hf = sp.csr_matrix((vals, (rows, ccols)), shape=(k, len(used)))
        if len(nums) >= _DENSE_PRODUCT_FILL * k * len(used) and 8 * k * len(used) <= limits.memory_budget() // 4:
            dense = hf.toarray()  # a dense product (BLAS, standard multiplication) is far faster here
            gram = dense @ dense.T
            gs = None
        else:
            gs = (hf @ hf.T.tocsr()).tocsr()
            gram = gs.toarray()
        gram = np.triu(gram) + np.triu(gram, 1).T  # every entry is one computed inner product
        diag = [0] * k
        row_abs: dict[int, list[tuple[int, int]]] = {}
        col_abs: dict[int, int] = {}
        for r, c, x in zip(rows.tolist(), cols.tolist(), nums):
            diag[r] += x * x
            row_abs.setdefault(r, []).append((c, abs(x)))
            col_abs[c] = col_abs.get(c, 0) + abs(x)
        rho = max(sum(x * col_abs[c] for c, x in entries) for entries in row_abs.values())
        scale = Fraction(4) ** e / den**2  # H' = 2^e · numerators / den
        return cls(gram, gs, [d * scale for d in diag], rho * scale, max(len(v) for v in row_abs.values()))

    def certified_square(self, sigma: float) -> Fraction | None:
        """A rational S² ≥ ‖H'‖₂² from the floating-point Cholesky factorisation of fl(σI − G_f),
        or None if it fails (docs/theory/bounds.md, "Certified norm bounds at scale")."""
        k = self.gram.shape[0]
        at = -self.gram
        np.fill_diagonal(at, sigma - np.diag(self.gram))
        at_diag: list[float] = np.diag(at).tolist()
        if min(at_diag) <= 0:
            return None
        factor, info = lapack.dpotrf(at, lower=0, clean=1, overwrite_a=0)
        r_diag = np.diag(factor)
        if info != 0 or not np.all(np.isfinite(factor)) or not np.all(r_diag > 0):
            return None
        u = UNIT_ROUNDOFF
        gamma = (k + 2) * u / (1 - (k + 2) * u)  # Higham's γ_{k+1}, one more for the reciprocal
        theta = gamma / (1 - gamma)
        trace = sum((Fraction(x) for x in at_diag), Fraction(0))
        underflow = 2 * k * (k + Fraction(float(np.max(r_diag)))) * SUBNORMAL_MIN
        top = max(g + Fraction(x) for g, x in zip(self.diag, at_diag))
        bound: Fraction = top + theta * trace + underflow + self.c_gram() * self.rho
        return bound

    def c_gram(self) -> Fraction:
        """c with |H'H'ᵀ − G_f| ≤ c |H'||H'|ᵀ entrywise: representation 2u + u², summation γ_k (1 + u)²."""
        u = UNIT_ROUNDOFF
        gamma_dot = self.k_dot * u / (1 - self.k_dot * u)
        return 2 * u + u * u + gamma_dot * (1 + u) ** 2


def _lambda_max_estimate(gram: np.ndarray, gs: sp.csr_matrix | None) -> float:
    """A float64 estimate of λ_max of the symmetric float Gram matrix (no rigour needed: the
    certificate only uses the shift it leads to)."""
    k = gram.shape[0]
    floor = float(np.max(np.diag(gram)))  # λ_max ≥ every diagonal entry
    if k <= 400:
        return max(float(np.linalg.eigvalsh(gram)[-1]), floor)
    op = gram if gs is None or gs.nnz > k * k // 4 else sp.triu(gs).tocsr() + sp.triu(gs, 1).T.tocsr()
    v0 = np.random.default_rng(0).standard_normal(k)  # fixed: reproducible bounds
    try:
        top = float(eigsh(op, k=1, which="LA", v0=v0, tol=1e-14, return_eigenvectors=False)[0])
    except (ArpackNoConvergence, ArpackError):
        top = float(np.linalg.eigvalsh(gram)[-1])
    return max(top, floor)


# ---------------------------------------------------------------------------------------------
# the fallback


def _one_inf_bound(a: ExactMatrix) -> Fraction:
    """√(‖a‖₁‖a‖∞) ≥ ‖a‖₂, exactly from the non-zeros."""
    return _one_inf_entries(zip(a.rows.tolist(), a.cols.tolist(), a.numerators), a.denominator)


def _one_inf_entries(entries: Iterable[tuple[int, int, int]], den: int) -> Fraction:
    """√(‖·‖₁‖·‖∞) of the matrix with entries numerator / den at (row, col)."""
    row_sum: dict[int, int] = {}
    col_sum: dict[int, int] = {}
    for r, c, x in entries:
        row_sum[r] = row_sum.get(r, 0) + abs(x)
        col_sum[c] = col_sum.get(c, 0) + abs(x)
    if not row_sum:
        return Fraction(0)
    return _sqrt_upper(Fraction(max(row_sum.values()) * max(col_sum.values()), den * den))


# ---------------------------------------------------------------------------------------------
# the norms of a problem, once per distinct map


class _NormCache:
    """Bounds by the identity of the F_ℓ object (and, for matrices, by equality): a time-dependent
    problem shares one object among all the steps that inherit it."""

    def __init__(self) -> None:
        self.by_id: dict[tuple[bool, int], NormBound] = {}
        self.by_value: dict[tuple[bool, ExactMatrix], NormBound] = {}
        self.alive: list[ExactMatrix | None] = []  # keeps every keyed object (and its id) alive

    def get(self, a: ExactMatrix | None, n: int, plus_identity: bool) -> NormBound:
        key = (plus_identity, id(a))
        if key in self.by_id:
            return self.by_id[key]
        self.alive.append(a)
        matrix = a is None or min(a.shape) > 1
        if matrix and a is not None and (plus_identity, a) in self.by_value:
            bound = self.by_value[(plus_identity, a)]
        else:
            target = (ExactMatrix.identity(n) if a is None else a.plus_identity()) if plus_identity else a
            assert target is not None
            bound = norm_upper(target)
            if matrix and a is not None:
                self.by_value[(plus_identity, a)] = bound
        self.by_id[key] = bound
        return bound


def map_norm_bounds(fmap: Map, n: int, memo: _NormCache | None = None) -> dict[int, NormBound]:
    """The certified h_ℓ ≥ ‖H_ℓ‖₂ of one exact map with their methods (H_1 = I + F_1 always
    present; other ℓ only when the bound is non-zero); ``memo`` shares bounds across maps."""
    memo = _NormCache() if memo is None else memo
    out: dict[int, NormBound] = {}
    for ell, a in fmap.items():
        if ell != 1:
            bound = memo.get(a, n, plus_identity=False)
            if bound.value:
                out[ell] = bound
    out[1] = memo.get(fmap.get(1), n, plus_identity=True)
    return out


def problem_norm_bounds(problem: Problem) -> list[dict[int, NormBound]]:
    """:func:`map_norm_bounds` for every step (one entry when the problem is time-independent),
    each distinct F_ℓ bounded once."""
    memo = _NormCache()
    return [map_norm_bounds(m, problem.n, memo) for m in problem.maps]


def problem_norms(problem: Problem) -> list[dict[int, Fraction]]:
    """h_ℓ(t) for every step (one entry when the problem is time-independent)."""
    return [{ell: b.value for ell, b in h.items()} for h in problem_norm_bounds(problem)]


def norm_methods(steps: list[dict[int, NormBound]]) -> dict[str, str]:
    """ℓ -> the method(s) behind h_ℓ over the steps, the fallback with its reason (JSON-ready)."""
    seen: dict[int, list[str]] = {}
    for h in steps:
        for ell, b in h.items():
            text = f"{b.method} ({b.reason})" if b.reason else b.method
            if text not in seen.setdefault(ell, []):
                seen[ell].append(text)
    return {str(ell): "; ".join(sorted(texts)) for ell, texts in sorted(seen.items())}


def r_upper(problem: Problem) -> Fraction:
    """A rational r ≥ ‖u(0)‖₂ (exact sum of squares, rational square root)."""
    return norm2_upper(problem.u0)
