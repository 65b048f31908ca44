"""Exact numbers in, decimal strings out: the one module that owns precision handling.

* Inputs are parsed exactly into :class:`fractions.Fraction` (decimal strings such as
  ``"-0.125"`` or ``"3e-2"``, rationals ``"p/q"``, JSON numbers via their decimal text).
* Working precision is always local (``mpmath.workdps``); nothing here changes ``mp.dps``.
* Outputs are decimal strings with a stated number of significant digits.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import MAX_NUMBER_DIGITS, describe, echo

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")  # unambiguous: linear time
_RATIONAL = re.compile(r"^[+-]?\d+/[+-]?\d+$")
_NONFINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)

#: Default working precision of the reference solver (decimal digits).
DEFAULT_DPS = 50
#: Extra binary digits carried beyond a requested decimal precision.
GUARD_BITS = 32
#: Accepted range of a requested precision in decimal digits.
MIN_DPS, MAX_DPS = 5, 5000


class NotExact(ValueError):
    """A value that is not a finite exact number; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def parse_exact(value: Any) -> Fraction:
    """Parse a JSON value (int, Decimal, float, or numeric string) into an exact Fraction.

    Floats are converted exactly (their binary value); JSON text read through the input layer
    (:func:`qsgd_ref.base.inputs.parse_json`) keeps its decimal text, so that ``0.1`` means one tenth.
    Raises :class:`NotExact` with a reason for non-numeric or non-finite values, and for a value
    whose exact numerator or denominator would have more than MAX_NUMBER_DIGITS digits — checked
    before the value is formed (``1e999999999`` is refused at once, not computed).

    >>> parse_exact("1/3"), parse_exact("-2.5e-1")
    (Fraction(1, 3), Fraction(-1, 4))
    >>> parse_exact("1e999999999")
    Traceback (most recent call last):
    ...
    qsgd_ref.base.precision.NotExact: '1e999999999' would need 1,000,000,000 digits exactly; a number may have at most 4,000 digits (values are held exactly)
    """
    if isinstance(value, bool):
        raise NotExact("a boolean is not a number")
    if isinstance(value, int):
        digits = _int_digits(value)
        if digits > MAX_NUMBER_DIGITS:
            raise NotExact(f"an integer of about {digits:,} digits; a number may have at most {MAX_NUMBER_DIGITS:,} "
                           "digits (values are held exactly)")
        return Fraction(value)
    if isinstance(value, Fraction):
        _check_digits(value, max(_int_digits(value.numerator), _int_digits(value.denominator)))
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotExact(f"{echo(value)} is not finite")
        _check_digits(value, _decimal_digits(value))
        return Fraction(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            raise NotExact(f"{value} is not finite")
        return Fraction(value)
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise NotExact(f"{echo(value)} is {len(value):,} characters long; a number may have at most "
                           f"{MAX_NUMBER_DIGITS:,} digits (values are held exactly)")
        text = value.strip()
        if _NONFINITE.match(text):
            raise NotExact(f"{echo(value)} is not finite")
        if _DECIMAL.match(text):
            try:
                number = Decimal(text)
            except ArithmeticError:  # decimal.InvalidOperation: an exponent beyond ±10^18
                raise NotExact(f"{echo(value)} has an exponent beyond ±10^18; a number may have at most "
                               f"{MAX_NUMBER_DIGITS:,} digits (values are held exactly)") from None
            _check_digits(value, _decimal_digits(number))
            return Fraction(number)
        if _RATIONAL.match(text):
            p, q = text.split("/")
            _check_digits(value, max(len(p.lstrip("+-").lstrip("0")), len(q.lstrip("+-").lstrip("0"))))
            if int(q) == 0:
                raise NotExact(f"{echo(value)} divides by zero")
            return Fraction(int(p), int(q))
        raise NotExact(f"{echo(value)} is not a number (a decimal or a p/q rational)")
    raise NotExact(f"{describe(value)} is not a number")


#: a numeric string longer than this cannot hold a number within MAX_NUMBER_DIGITS ("p/q", signs, spaces)
_MAX_TEXT = 2 * MAX_NUMBER_DIGITS + 64
_TEN_LIMIT = 10**MAX_NUMBER_DIGITS


def _int_digits(x: int) -> int:
    """Decimal digits of |x|: exact up to MAX_NUMBER_DIGITS, an estimate above (for the message)."""
    x = abs(x)
    if x.bit_length() <= 13_000 or x < _TEN_LIMIT:  # 2^13000 < 10^3914: str() is cheap and allowed
        return len(str(x))
    return max(MAX_NUMBER_DIGITS + 1, int(x.bit_length() * math.log10(2)))


def _decimal_digits(x: Decimal) -> int:
    """Digits of the numerator or denominator of a finite Decimal's exact value, the larger."""
    t = x.as_tuple()
    exponent = int(t.exponent)
    return max(len(t.digits) + max(exponent, 0), -exponent)


def _check_digits(value: Any, digits: int) -> None:
    if digits > MAX_NUMBER_DIGITS:
        shown = echo(value)
        what = shown if shown.startswith("a number of") else f"{shown} would need {digits:,} digits exactly"
        raise NotExact(f"{what}; a number may have at most {MAX_NUMBER_DIGITS:,} digits (values are held exactly)")


def fraction_to_mpf(x: Fraction) -> mpmath.mpf:
    """Round a Fraction to the current mpmath precision (correctly rounded division)."""
    return mpmath.mpf(x.numerator) / x.denominator


#: The float64 range: a value of |x| ≥ this rounds to infinity (2^1024 − 2^970, halfway to 2^1024).
FLOAT64_OVERFLOW = Fraction(2**1024 - 2**970)


def fits_float64(x: Fraction | int) -> bool:
    """Whether x rounds to a finite float64."""
    return bool(abs(Fraction(x)) < FLOAT64_OVERFLOW)


def short_decimal(x: Fraction | int, digits: int) -> str:
    """x with ``digits`` significant digits as Python's "g" format writes it, at any magnitude: through
    float64 where x is in its range, in decimal (mpmath) beyond it (1e400 stays 1.0e+400, never inf).

    >>> short_decimal(Fraction(1, 3), 3), short_decimal(10**400, 3)
    ('0.333', '1.0e+400')
    """
    return f"{float(x):.{digits}g}" if fits_float64(x) else format_decimal(Fraction(x), digits)


def format_decimal(x: Any, digits: int) -> str:
    """A decimal string of ``x`` (mpf, Fraction, float or int) with ``digits`` significant digits."""
    if isinstance(x, Fraction):
        with mpmath.workdps(digits + 10):
            return format_decimal(fraction_to_mpf(x), digits)
    return str(mpmath.nstr(x, digits, strip_zeros=True, min_fixed=-5, max_fixed=digits))


def check_dps(dps: int, field: str = "dps") -> int:
    """Validate a requested precision in decimal digits (InputError naming ``field``)."""
    if isinstance(dps, bool) or not isinstance(dps, int) or not MIN_DPS <= dps <= MAX_DPS:
        raise InputError(field, f"must be an integer between {MIN_DPS} and {MAX_DPS}, got {echo(dps)}")
    return dps


def working_bits(dps: int) -> int:
    """Binary working precision for ``dps`` decimal digits: ⌈dps·log2 10⌉ + GUARD_BITS."""
    return math.ceil(check_dps(dps) * math.log2(10)) + GUARD_BITS
