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

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
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

    Floats are converted exactly (their binary value); JSON text should be read with
    ``parse_float=Decimal`` so that ``0.1`` means one tenth (see :func:`json_loads_exact`).
    Raises :class:`NotExact` with a reason for non-numeric or non-finite values.
    """
    if isinstance(value, bool):
        raise NotExact("a boolean is not a number")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotExact(f"{value} is not finite")
        return Fraction(value)
    if isinstance(value, float):
        if not np.isfinite(value):
            raise NotExact(f"{value} is not finite")
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        if _NONFINITE.match(text):
            raise NotExact(f"{value!r} is not finite")
        if _DECIMAL.match(text):
            return Fraction(Decimal(text))
        if _RATIONAL.match(text):
            p, q = text.split("/")
            if int(q) == 0:
                raise NotExact(f"{value!r} divides by zero")
            return Fraction(int(p), int(q))
        raise NotExact(f"{value!r} is not a number (a decimal or a p/q rational)")
    raise NotExact(f"{type(value).__name__} is not a number")


def json_loads_exact(text: str) -> Any:
    """json.loads keeping every number's decimal text exactly (floats become Decimal)."""
    import json

    return json.loads(text, parse_float=Decimal, parse_constant=lambda s: float(s))


def fraction_to_mpf(x: Fraction) -> mpmath.mpf:
    """Round a Fraction to the current mpmath precision (correctly rounded division)."""
    return mpmath.mpf(x.numerator) / x.denominator


def format_decimal(x: Any, digits: int) -> str:
    """A decimal string of ``x`` (mpf, Fraction, float or int) with ``digits`` significant digits."""
    if isinstance(x, Fraction):
        with mpmath.workdps(digits + 10):
            return format_decimal(fraction_to_mpf(x), digits)
    return str(mpmath.nstr(x, digits, strip_zeros=True, min_fixed=-5, max_fixed=digits))


def check_dps(dps: int, field: str = "dps") -> int:
    """Validate a requested precision in decimal digits (InputError naming ``field``)."""
    if isinstance(dps, bool) or not isinstance(dps, int) or not MIN_DPS <= dps <= MAX_DPS:
        raise InputError(field, f"must be an integer between {MIN_DPS} and {MAX_DPS}, got {dps!r}")
    return dps


def working_bits(dps: int) -> int:
    """Binary working precision for ``dps`` decimal digits: ⌈dps·log2 10⌉ + GUARD_BITS."""
    return math.ceil(check_dps(dps) * math.log2(10)) + GUARD_BITS
