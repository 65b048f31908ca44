"""Closed-form truncation-error bounds (clauses BND-2, BND-3, BND-4; proofs in docs/theory/bounds.md).

All take the rational norm bounds h_ℓ ≥ ‖H_ℓ‖₂ (a single map, or the entrywise supremum over the
steps of a time-dependent problem, which majorises every step) and r ≥ ‖u(0)‖₂, and return d(t)
with ‖u(t) − ŷ_1(t)‖₂ ≤ d(t), or None where the form does not apply (with :func:`applies`
giving the reason). Values are exact Fractions by default; pass ``num`` (e.g. a Fraction → arb
ball converter) to evaluate in ball arithmetic, which stays cheap for long horizons.

* BND-2 (fully dissipative, q ≤ 2, F_0 = 0): r R^N (1 − a^t)^N, a = h_1 < 1, R = r h_2/(1 − a) ≤ 1.
* BND-3 (fully dissipative, any q, F_0 = 0): r ρ^N (1 − a^t) with ρ ≤ 1 any number with
  Σ_{ℓ≥2} h_ℓ (r/ρ)^{ℓ−1} ≤ 1 − a (R_d ≤ ρ ≤ R_d^{1/(q−1)}).
* BND-4 (almost dissipative over a horizon, q ≤ 2, F_0 = 0, a ≥ 1, t ≥ 2):
  r a^t (t/(t−1))^t κ_t^N (1 − ((t−1)/t)^t)^N with κ_t = r h_2 a^{t−1} t^t/(t−1)^{t−1} ≤ 1.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import cache
from typing import Any

from qsgd_ref.base.precision import short_decimal

Norms = dict[int, Fraction]


def sup_norms(h_steps: list[Norms]) -> Norms:
    """Entrywise supremum of the per-step norms (a majorant for every step)."""
    out: Norms = {}
    for h in h_steps:
        for ell, x in h.items():
            out[ell] = max(out.get(ell, Fraction(0)), x)
    return out


def applies(name: str, h: Norms, r: Fraction) -> str | None:
    """None if closed form ``name`` applies to (h, r), else the reason it does not."""
    a = h.get(1, Fraction(0))
    q = max([1, *(ell for ell, x in h.items() if x)])
    if h.get(0):
        return "needs F_0 = 0 (with F_0 ≠ 0 only the majorant BND-1 applies)"
    if name == "closed_form_q2":
        if q > 2:
            return f"needs degree q ≤ 2 (q = {q}); see closed_form_any_q"
        if a >= 1:
            return f"needs ‖I + F_1‖₂ < 1 (bound {short_decimal(a, 6)})"
        if r * h.get(2, Fraction(0)) > 1 - a:
            return "needs R_d = r‖F_2‖/γ ≤ 1"
        return None
    if name == "closed_form_any_q":
        if a >= 1:
            return f"needs ‖I + F_1‖₂ < 1 (bound {short_decimal(a, 6)})"
        if sum((x * r ** (ell - 1) for ell, x in h.items() if ell >= 2), Fraction(0)) > 1 - a:
            return "needs R_d ≤ 1"
        return None
    if name == "closed_form_almost":
        if q > 2:
            return f"needs degree q ≤ 2 (q = {q})"
        if a < 1:
            return "for ‖I + F_1‖₂ < 1 the fully dissipative forms apply"
        return None
    raise ValueError(f"unknown closed form {name!r}")


def rho_upper(h: Norms, r: Fraction, gamma: Fraction) -> Fraction:
    """A rational ρ ∈ (0, 1] with Σ_{ℓ≥2} h_ℓ (r/ρ)^{ℓ−1} ≤ γ (bisection, checked exactly)."""
    return _rho_cached(tuple(sorted(h.items())), r, gamma)


@cache
def _rho_cached(items: tuple[tuple[int, Fraction], ...], r: Fraction, gamma: Fraction) -> Fraction:
    h = dict(items)

    def g(rho: Fraction) -> Fraction:
        return sum((x * (r / rho) ** (ell - 1) for ell, x in h.items() if ell >= 2), Fraction(0))

    if g(Fraction(1)) > gamma:
        raise ValueError("R_d > 1: no ρ ≤ 1")
    lo, hi = Fraction(0), Fraction(1)
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid > 0 and g(mid) <= gamma:
            hi = mid
        else:
            lo = mid
        hi = hi.limit_denominator(2**64) if g(hi.limit_denominator(2**64)) <= gamma else hi
    return hi


Num = Callable[[Fraction], Any]


def closed_form_q2(h: Norms, r: Fraction, order: int, t: int, num: Num = Fraction) -> Any:
    """BND-2: r R^N (1 − a^t)^N (fully dissipative, q ≤ 2, F_0 = 0)."""
    a = h.get(1, Fraction(0))
    big_r = r * h.get(2, Fraction(0)) / (1 - a)
    return num(r * big_r**order) * (1 - num(a) ** t) ** order


def closed_form_any_q(h: Norms, r: Fraction, order: int, t: int, num: Num = Fraction) -> Any:
    """BND-3: r ρ^N (1 − a^t) (fully dissipative, any q, F_0 = 0)."""
    a = h.get(1, Fraction(0))
    rho = rho_upper(h, r, 1 - a)
    return num(r * rho**order) * (1 - num(a) ** t)


def closed_form_almost(h: Norms, r: Fraction, order: int, t: int, num: Num = Fraction) -> Any:
    """BND-4: polynomial-in-t bound for h_1 ≥ 1 while κ_t ≤ 1; None where κ_t ≤ 1 is not certain."""
    a, h2 = h.get(1, Fraction(0)), h.get(2, Fraction(0))
    if t == 0:
        return num(Fraction(0))
    if t == 1:  # the majorant itself: only ℓ > N contributes at the first step
        return num(h2 * r**2 if order < 2 else Fraction(0))
    x = num(Fraction(t, t - 1))
    kappa = num(r * h2 * t) * num(a) ** (t - 1) * x ** (t - 1)
    if not kappa <= 1:
        return None
    return num(r) * num(a) ** t * x**t * kappa**order * (1 - num(Fraction(t - 1, t)) ** t) ** order
