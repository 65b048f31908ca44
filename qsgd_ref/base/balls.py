"""Ball arithmetic (python-flint's arb) shared by the certified stages (clauses REF-2, BND-1).

* :func:`arb_prec` sets arb's working precision for a ``with`` block and restores it (never a
  global change that outlives the block).
* :func:`ball` encloses a rational; :func:`upper_decimal` turns a ball into a decimal string that is
  certified to be ≥ every value in it, at any magnitude; :func:`ball_interval` gives the ball as an
  exact rational interval where its exponent is moderate.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import MAX_EMAX, MIN_EMIN, ROUND_CEILING, Context, Decimal
from fractions import Fraction

import flint

#: |binary exponent| above which an exact rational would not fit in memory
MAX_EXACT_EXPONENT = 1 << 20


@contextmanager
def arb_prec(prec: int) -> Iterator[None]:
    """arb's working precision is ``prec`` bits inside the block, and what it was after it."""
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        yield
    finally:
        flint.ctx.prec = old


def ball(x: Fraction | int) -> flint.arb:
    """A ball containing the rational x (exact when the numerator and denominator fit)."""
    x = Fraction(x)
    return flint.arb(x.numerator) / flint.arb(x.denominator)


def upper_decimal(x: flint.arb, digits: int) -> str:
    """A decimal string of at most ``digits`` significant digits that is ≥ every value in the ball.

    Works at any magnitude (no exact rational is formed): the ball's upper end is taken exactly
    (at a precision covering its midpoint), rounded up to ``digits``, and the decimal is certified
    by an arb comparison; "inf" for a ball that is not finite, or whose upper end is beyond the
    decimal exponent range (about 10^(10^18)), where "inf" is the only upper bound a decimal can state."""
    if not x.is_finite():
        return "inf"
    with arb_prec(max(64, 4 * digits, x.bits() + 64)):
        top = x.upper()
        if top == 0:
            return "0"
        bits = _log2_magnitude(top)
        if bits is not None and bits * 30103 > (MAX_EMAX - 10 * digits) * 100000:  # log10 2 < 0.30103
            return "inf"
        ctx = Context(prec=digits, rounding=ROUND_CEILING, Emax=MAX_EMAX, Emin=MIN_EMIN)
        try:
            candidate = ctx.create_decimal(top.str(digits + 5, radius=False))
        except decimal.Overflow:
            return "inf"
        except decimal.Underflow:
            candidate = ctx.next_plus(Decimal(0))  # the smallest positive decimal: above a tiny positive top
        while not flint.arb(str(candidate).lower()) >= top:
            candidate = ctx.next_plus(candidate)
    return str(candidate)


def _log2_magnitude(x: flint.arb) -> int | None:
    """log2 |x| of an exact arb to within one unit, as an integer of any size (None for 0)."""
    man, exp = x.mid().man_exp()
    m = abs(int(man))
    return None if m == 0 else m.bit_length() + int(exp)


def ball_interval(x: flint.arb) -> tuple[Fraction, Fraction]:
    """The ball as an exact rational interval [mid − rad, mid + rad] (moderate exponents only)."""
    mid = _dyadic(x.mid())
    rad = _dyadic(x.rad())
    return mid - rad, mid + rad


def _dyadic(x: flint.arb) -> Fraction:
    man, exp = x.man_exp()
    m, e = int(man), int(exp)
    if abs(e) > MAX_EXACT_EXPONENT:
        raise OverflowError(f"ball exponent 2^{e} is too large for an exact rational; compare in arb")
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)
