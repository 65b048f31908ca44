"""Bounds over the whole horizon (clauses BND-6, BND-7) and the envelope of the almost dissipative
regime (REG-3); proofs in docs/theory/bounds.md ("BND-6", "BND-7") and docs/theory/regimes.md.

For λ ≥ 1 let ṽ_λ be the majorant of the *amplified* norms (h_0, h_1, λh_2, λ²h_3, …) started at r,
ṽ_λ(t+1) = h_0 + h_1 ṽ_λ + Σ_{ℓ≥2} λ^{ℓ−1} h_ℓ ṽ_λ^ℓ (per step for MAP-3). Then for every t, with
c_t = 1 when F_0 = 0 at every step and c_t = t otherwise,

    ‖u(t) − ŷ_1(t)‖₂ ≤ d_1(t) ≤ c_t λ^{−N} ṽ_λ(t)                 (BND-6),

with no condition on λ ≥ 1, t or the regime. REG-3 asks for the envelope ṽ_1(t) = v(t) ≤ E(t) =
e·(r + h_0 t) on [0, T]; the largest dyadic Λ with ṽ_Λ ≤ E on [0, T] (certified in arb balls) turns
BND-6 into the regime's promise d_1(t) ≤ c_t E(t) Λ^{−N} for every t ≤ T. Its closed-form
lower bound (BND-6, corollary) is Λ ≥ x_T^{−1/(q−1)} with the horizon number
x_T = T·G_T/(1 + γT), G_T = Σ_{ℓ≥2} h_ℓ (e(r + h_0 T))^{ℓ−1}, whenever 1 + γT > 0 and x_T ≤ 1.

BND-7 (q ≤ 2, F_0 = 0, a = h_1 > 0): with S_t = Σ_{i<t} a^{i−1} and x_t = r h_2 S_t < 1,
d_1(t) ≤ r a^t λ^{−N}/(1 − λ x_t) for λ ∈ [1, 1/x_t); at λ = N/((N+1)x_t) (when ≥ 1) this is
(N+1)(1 + 1/N)^N r a^t x_t^N, a polynomial of degree N in t for a = 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.base.precision import fits_float64

Norms = dict[int, Fraction]

#: The amplification is searched up to 2^LAMBDA_MAX_LOG2 (a larger Λ changes the promise by < 2^-64 N).
LAMBDA_MAX_LOG2 = 64
#: Bisection steps on [Λ/2, Λ] after the doubling phase (Λ found to a factor 2^(1/2^BISECT)).
BISECT = 10
#: Working precision of the certified runs (bits); every comparison is decided on the balls.
PREC = 96
#: BND-6's table series tries λ = 2^(k/2), k = 0 … GRID_SIZE − 1, and keeps the smallest bound per t.
GRID_SIZE = 40


def amplified(h: Norms, lam: Fraction) -> Norms:
    """(h_0, h_1, λh_2, λ²h_3, …): the norms of BND-6's amplified majorant."""
    return {ell: x * lam ** (ell - 1) if ell >= 2 else x for ell, x in h.items()}


def orbit(h_steps: Sequence[dict[int, Any]], r: Any, steps: int, stop: Any = None) -> list[Any]:
    """v(0) = r, v(t+1) = Σ_ℓ h_ℓ(t) v(t)^ℓ for t < ``steps`` in any number type (``stop(t, v)``
    ends the orbit early when it returns True, after v(t) is appended)."""
    v, out = r, [r]
    for t in range(steps):
        h = h_steps[t if len(h_steps) > 1 else 0]
        acc = r * 0
        power = r * 0 + 1
        for ell in range(max(h) + 1):
            if ell in h:
                acc = acc + h[ell] * power
            power = power * v
        v = acc
        out.append(v)
        if stop is not None and stop(t + 1, v):
            break
    return out


def envelope_holds(h: Norms, r: Fraction, steps: int, lam: Fraction = Fraction(1)) -> int | None:
    """None if ṽ_λ(t) ≤ e·(r + h_0 t) is certified (arb balls) for every t ≤ ``steps``, else the
    first t where it is not (REG-3 with λ = 1)."""
    with arb_prec(PREC):
        hb = {ell: ball(x) for ell, x in amplified(h, lam).items()}
        rb, h0, e = ball(r), ball(h.get(0, Fraction(0))), flint.arb.const_e()
        failed: list[int] = []

        def stop(t: int, v: Any) -> bool:
            if not v <= e * (rb + h0 * t):
                failed.append(t)
                return True
            return False

        orbit([hb], rb, steps, stop)
    return failed[0] if failed else None


def _float_envelope(h: Norms, r: Fraction, steps: int, lam: float) -> bool:
    """The envelope test in float64 with a 10⁻⁹ safety margin (a guide for the search only)."""
    hf = {ell: float(x) * lam ** (ell - 1) if ell >= 2 else float(x) for ell, x in h.items()}
    rf, h0 = float(r), float(h.get(0, Fraction(0)))
    ok = [True]

    def stop(t: int, v: float) -> bool:
        if not (math.isfinite(v) and v <= math.e * (rf + h0 * t) * (1 - 1e-9)):
            ok[0] = False
            return True
        return False

    orbit([hf], rf, steps, stop)
    return ok[0]


def horizon_amplification(h: Norms, r: Fraction, steps: int) -> Fraction | None:
    """Λ: a dyadic λ ≥ 1, about the largest one, with the envelope ṽ_λ ≤ e(r + h_0 t) certified on
    [0, T] (capped at 2^LAMBDA_MAX_LOG2); None when it fails already at λ = 1 (not REG-3)."""
    if envelope_holds(h, r, steps) is not None:
        return None
    if not any(x for ell, x in h.items() if ell >= 2):
        return Fraction(2) ** LAMBDA_MAX_LOG2  # no nonlinearity: ṽ_λ = v for every λ
    floats = all(fits_float64(x) for x in (*h.values(), r)) and fits_float64(r + h.get(0, Fraction(0)) * steps)

    def passes(lam: Fraction) -> bool:
        if floats:
            return _float_envelope(h, r, steps, float(lam))
        return envelope_holds(h, r, steps, lam) is None

    lo, k = Fraction(1), 1
    while k <= LAMBDA_MAX_LOG2 and passes(Fraction(2) ** k):
        lo, k = Fraction(2) ** k, k + 1
    if k <= LAMBDA_MAX_LOG2:
        hi = Fraction(2) ** k
        for _ in range(BISECT):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if passes(mid) else (lo, mid)
    # certify the candidate in balls (the float search is only a guide); shrink until it holds
    lam = lo
    while lam > 1 and envelope_holds(h, r, steps, lam) is not None:
        lam = max(Fraction(1), lam * Fraction(15, 16))
    return lam


def horizon_number(h: Norms, r: Fraction, steps: int) -> Any:
    """x_T = T·G_T/(1 + γT) of BND-6's corollary as an arb ball (None when 1 + γT ≤ 0)."""
    gamma = 1 - h.get(1, Fraction(0))
    if 1 + gamma * steps <= 0:
        return None
    with arb_prec(PREC):
        y = flint.arb.const_e() * ball(r + h.get(0, Fraction(0)) * steps)
        g = sum((ball(x) * y ** (ell - 1) for ell, x in h.items() if ell >= 2 and x), flint.arb(0))
        return ball(Fraction(steps)) * g / ball(1 + gamma * steps)


@dataclass(frozen=True)
class HorizonBound:
    """REG-3's promise: Λ (amplification), the envelope E(T) = e(r + h_0 T), c_T and the bound at T
    (arb ball): the smaller of c_T E(T) Λ^{−N} and, when x_T ≤ 1, the corollary's c_T E(T) x_T^{N/(q−1)};
    with x_T of the closed-form corollary (ball or None)."""

    amplification: Fraction
    envelope_at_T: Any
    c_T: int
    bound_at_T: Any
    horizon_number: Any


def horizon_bound(h: Norms, r: Fraction, steps: int, order: int, f0: bool) -> HorizonBound | None:
    """The REG-3 promise of a problem with sup norms h (None when the envelope fails at λ = 1)."""
    lam = horizon_amplification(h, r, steps)
    if lam is None:
        return None
    c = steps if f0 else 1
    x_t = horizon_number(h, r, steps)
    q = max([1, *(ell for ell, x in h.items() if x)])
    with arb_prec(PREC):
        env = flint.arb.const_e() * ball(r + h.get(0, Fraction(0)) * steps)
        value = ball(c) * env / ball(lam) ** order
        if x_t is not None and q >= 2 and x_t <= 1:  # the corollary's closed form is a bound too
            closed = ball(c) * env * x_t ** (flint.arb(order) / (q - 1))
            value = closed if closed.upper() < value.upper() else value
    return HorizonBound(lam, env, c, value, x_t)


def whole_horizon_series(h_steps: Sequence[Norms], r: Fraction, order: int, steps: int) -> list[Any]:
    """BND-6 at every t = 0 … T: min over λ = 2^(k/2) (k < GRID_SIZE) of c_t λ^{−N} ṽ_λ(t), as arb balls
    at the current precision (each candidate is a rigorous bound, so their minimum is one)."""
    f0 = any(h.get(0) for h in h_steps)
    best: list[Any] = [None] * (steps + 1)
    base = [{ell: ball(x) for ell, x in h.items()} for h in h_steps]  # converted once, scaled per λ below
    for k in range(GRID_SIZE):
        lam = flint.arb(2) ** (flint.arb(k) / 2)
        powers = {ell: lam ** (ell - 1) for h in base for ell in h if ell >= 2}
        hb = [{ell: b * powers[ell] if ell >= 2 else b for ell, b in h.items()} for h in base]
        scale = lam ** (-order)

        def stop(t: int, v: Any, scale: Any = scale) -> bool:  # this λ no longer helps: stop it
            return not v.is_finite() or (best[t] is not None and scale * v > 2**32 * best[t])

        vs = orbit(hb, ball(r), steps, stop)
        for t, v in enumerate(vs):
            value = (t if f0 else 1) * scale * v if t else flint.arb(0)  # d_1(0) = 0
            if best[t] is None or value.upper() < best[t].upper():
                best[t] = value
    return best


def closed_form_horizon_q2(h: Norms, r: Fraction, order: int, steps: int) -> list[Any]:
    """BND-7 at t = 0 … T as arb balls (None where x_t < 1 is not certain): q ≤ 2, F_0 = 0, h_1 > 0."""
    a, h2 = ball(h[1]), ball(h.get(2, Fraction(0)))
    rb = ball(r)
    n = order
    cap = flint.arb(n) / (n + 1)
    const = (n + 1) * (1 + flint.arb(1) / n) ** n
    out: list[Any] = []
    s, power = flint.arb(0), 1 / a      # S_0 = 0; a^(t−1) starts at a^(−1)
    at = flint.arb(1)
    for t in range(steps + 1):
        x = rb * h2 * s
        if t == 0 or h2 == 0:
            out.append(flint.arb(0))
        elif x <= cap:
            out.append(const * rb * at * x**n)
        elif x < 1:
            out.append(rb * at / (1 - x))
        else:
            out.append(None)
        s, power, at = s + power, power * a, at * a
    return out
