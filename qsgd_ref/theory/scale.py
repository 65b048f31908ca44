"""The radius s of the regime numbers: the s ≥ r that minimises R_d(s) (clause REG-6; proof in
docs/theory/regimes.md, "REG-6: the radius s").

BND-1 holds with v(0) = s for every s ≥ ‖u(0)‖₂, so the regime may be decided at any such radius.
With g(s) = Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s and γ = 1 − h_1 > 0, R_d(s) = g(s)/γ, and g is convex on
(0, ∞) with g'(s) = φ(s)/s², φ(s) = Σ_{ℓ≥2} (ℓ − 1) h_ℓ s^ℓ − h_0 increasing. So:

* F_0 = 0 (h_0 = 0): g is non-decreasing, s = r.
* q = 2: the minimiser over (0, ∞) is √(h_0/h_2) (closed form), so s = max(r, √(h_0/h_2)); √ is
  taken as a rational upper bound.
* q ≥ 3: s = max(r, s₀) with s₀ the root of φ, bracketed by exact sign checks (bisection on
  dyadic rationals) and the bracket end with the smaller R_d is taken.
* no F_ℓ with ℓ ≥ 2 but F_0 ≠ 0 (an affine map): R_d(s) = h_0/(γs) decreases to 0 and has no
  minimiser; s = max(r, 2h_0/γ), so that R_d(s) ≤ 1/2 (the Carleman iteration of an affine map is
  exact at every order, so nothing else depends on this choice).

Every number is an exact rational. ``gap`` is a certified upper bound on R_d(s) − inf_{s'≥r} R_d(s')
(convexity: g(s₀) ≥ g(s) − |g'(s)|·(bracket width)).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from qsgd_ref.theory.norms import sqrt_upper

Norms = dict[int, Fraction]

#: Bisection steps for the root of φ (q ≥ 3): the bracket shrinks to 2^-BISECTION of its start.
BISECTION = 64


@dataclass(frozen=True)
class Scale:
    """The radius s ≥ r of REG-6 with R_d(s) (None: ∞, when γ ≤ 0), R_d(r), how s was chosen and
    the certified ``gap`` R_d(s) − inf_{s' ≥ r} R_d(s')."""

    s: Fraction
    R_d: Fraction | None
    R_d_at_r: Fraction | None
    method: str
    gap: Fraction


def nonlinear_sum(h: Norms, s: Fraction) -> Fraction:
    """g(s) = Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s (h_0/s taken as ∞ for s = 0: the caller checks h_0 first)."""
    out = sum((x * s ** (ell - 1) for ell, x in h.items() if ell >= 2 and x), Fraction(0))
    if h.get(0):
        out += h[0] / s
    return out


def reynolds_at(h: Norms, s: Fraction) -> Fraction | None:
    """R_d(s) = g(s)/γ of REG-1; None (∞) when γ ≤ 0, or s = 0 with F_0 ≠ 0."""
    gamma = 1 - h.get(1, Fraction(0))
    if gamma <= 0 or (s == 0 and h.get(0)):
        return None
    return nonlinear_sum(h, s) / gamma


def _phi(h: Norms, s: Fraction) -> Fraction:
    """φ(s) = s² g'(s) = Σ_{ℓ≥2} (ℓ − 1) h_ℓ s^ℓ − h_0 (increasing in s ≥ 0)."""
    return sum(((ell - 1) * x * s**ell for ell, x in h.items() if ell >= 2 and x), Fraction(0)) - h.get(0, Fraction(0))


def _derivative(h: Norms, s: Fraction) -> Fraction:
    return _phi(h, s) / (s * s)


def optimal_scale(h: Norms, r: Fraction) -> Scale:
    """The s ≥ r minimising R_d(s) (REG-6), with R_d(s), R_d(r) and the certified optimality gap.

    >>> from fractions import Fraction as F
    >>> sc = optimal_scale({0: F(1, 100), 1: F(1, 2), 2: F(1, 4)}, F(0))   # u(0) = 0, F_0 ≠ 0
    >>> sc.s, sc.R_d, sc.R_d_at_r                    # s = √(h_0/h_2) = 1/5, R_d = 2√(h_0 h_2)/γ
    (Fraction(1, 5), Fraction(1, 5), None)
    """
    gamma = 1 - h.get(1, Fraction(0))
    at_r = reynolds_at(h, r)
    h0 = h.get(0, Fraction(0))
    nonlinear = any(x for ell, x in h.items() if ell >= 2)
    if gamma <= 0:
        return Scale(r, None, None, "s = r (γ ≤ 0: R_d(s) = ∞ for every s)", Fraction(0))
    if not h0:
        return Scale(r, at_r, at_r, "s = r (F_0 = 0: R_d(s) is non-decreasing)", Fraction(0))
    if not nonlinear:
        s = max(r, 2 * h0 / gamma)
        rd = reynolds_at(h, s)
        assert rd is not None
        return Scale(s, rd, at_r, "s = max(r, 2h_0/γ) (affine map: R_d(s) = h_0/(γs) has no minimiser)", rd)
    if r > 0 and _phi(h, r) >= 0:
        return Scale(r, at_r, at_r, "s = r (R_d is non-decreasing on [r, ∞))", Fraction(0))
    q = max(ell for ell, x in h.items() if x)
    if q == 2:
        hi = sqrt_upper(h0 / h[2])           # ≥ √(h_0/h_2), the minimiser of g on (0, ∞)
        lo = (h0 / h[2]) / hi                # lo · hi = h_0/h_2, so lo ≤ √(h_0/h_2)
        method = "s = √(h_0/h_2) (closed form, q = 2), a rational upper bound of the square root"
    else:
        lo, hi = _bracket(h, r)
        method = "s = root of Σ_{ℓ≥2}(ℓ−1)h_ℓ s^ℓ = h_0, bracketed by exact sign checks"
    candidates = [x for x in (lo, hi) if x >= r]
    s = min(candidates, key=lambda x: nonlinear_sum(h, x))
    rd = reynolds_at(h, s)
    assert rd is not None
    gap = abs(_derivative(h, s)) * (hi - lo) / gamma
    return Scale(s, rd, at_r, method, gap)


def _bracket(h: Norms, r: Fraction) -> tuple[Fraction, Fraction]:
    """lo < s₀ ≤ hi (φ(lo) < 0 ≤ φ(hi)) with r ≤ lo: first powers of two 2^k < s₀ ≤ 2^(k+1), then
    bisection on dyadic rationals (the bracket's relative width ends below 2^-BISECTION)."""
    q = max(ell for ell, x in h.items() if ell >= 2 and x)
    k = _log2(h[0] / ((q - 1) * h[q])) // q     # s₀ ≈ (h_0/((q−1)h_q))^(1/q): a starting guess
    while _phi(h, _pow2(k)) >= 0:
        k -= 1
    while _phi(h, _pow2(k + 1)) < 0:
        k += 1
    lo, hi = max(r, _pow2(k)), _pow2(k + 1)
    for _ in range(BISECTION):
        mid = (lo + hi) / 2
        if _phi(h, mid) < 0:
            lo = mid
        else:
            hi = mid
    return lo, hi


def _log2(x: Fraction) -> int:
    """⌊log2 x⌋ to within one, for x > 0, at any magnitude."""
    return x.numerator.bit_length() - x.denominator.bit_length()


def _pow2(k: int) -> Fraction:
    return Fraction(2) ** k
