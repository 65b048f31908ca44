"""Argparse types with ranges, shared by every command (clause CLI-1).

Each type is a small callable object that argparse applies to the option's text; a value of the
wrong kind or out of range raises ``argparse.ArgumentTypeError``, which the parser turns into one
line naming the option and the accepted range, e.g.

    qsgd-ref hhl: error: argument --shots: must be an integer between 1 and 100,000,000, got '10**12'

The objects keep their range (``lo``, ``hi``, ``kind``) so that tests can draw values inside and
outside it from the parser itself (tests/test_cli_fuzz.py). Values are echoed shortened: a
5,000-character argument is never printed whole.
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.limits import parse_size
from qsgd_ref.base.precision import NotExact, parse_exact

#: the longest piece of a refused value that is echoed back
ECHO = 40


def shown(text: str) -> str:
    """``text`` quoted for an error line, shortened to :data:`ECHO` characters."""
    return repr(text) if len(text) <= ECHO else repr(text[:ECHO]) + f"… ({len(text):,} characters)"


def _num(x: float | int | Fraction) -> str:
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    if isinstance(x, Fraction):
        return str(x)
    return f"{x:g}"


@dataclass(frozen=True)
class IntIn:
    """An integer in [lo, hi]."""

    lo: int
    hi: int
    kind: str = "int"

    @property
    def __name__(self) -> str:  # argparse names the type in some messages
        return "integer"

    def describe(self) -> str:
        return f"an integer between {_num(self.lo)} and {_num(self.hi)}"

    def __call__(self, text: str) -> int:
        # at most 30 digits: a longer integer is out of every range, and is not converted
        if re.fullmatch(r"\s*[+-]?\d{1,30}\s*", text) is None or not self.lo <= int(text) <= self.hi:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return int(text)


@dataclass(frozen=True)
class FloatIn:
    """A finite float in a range; ``lo_open``/``hi_open`` exclude the ends."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    kind: str = "float"

    @property
    def __name__(self) -> str:
        return "number"

    def describe(self) -> str:
        if math.isinf(self.hi):
            return f"a finite number {'>' if self.lo_open else '≥'} {_num(self.lo)}"
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        return f"a finite number in {left}{_num(self.lo)}, {_num(self.hi)}{right}"

    def contains(self, value: float) -> bool:
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}") from None
        if not math.isfinite(value) or not self.contains(value):
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return value


@dataclass(frozen=True)
class ExactIn:
    """An exact rational (a decimal or "p/q", parsed without rounding) in a range."""

    lo: Fraction
    hi: Fraction
    lo_open: bool = False
    hi_open: bool = False
    kind: str = "exact"

    @property
    def __name__(self) -> str:
        return "exact number"

    def describe(self) -> str:
        return f"an exact number (decimal or p/q) in {'(' if self.lo_open else '['}{_num(self.lo)}, {_num(self.hi)}{')' if self.hi_open else ']'}"

    def __call__(self, text: str) -> Fraction:
        if len(text) > 200:
            raise argparse.ArgumentTypeError(f"must be {self.describe()} of at most 200 characters, got {shown(text)}")
        try:
            value = parse_exact(text)
        except NotExact as exc:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}: {exc.reason}") from None
        if (value < self.lo or value > self.hi or (self.lo_open and value == self.lo)
                or (self.hi_open and value == self.hi)):
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return value


@dataclass(frozen=True)
class IntList:
    """A comma-separated list of distinct integers in [lo, hi] (at most ``most`` of them)."""

    lo: int
    hi: int
    most: int = 16
    kind: str = "intlist"

    @property
    def __name__(self) -> str:
        return "list"

    def describe(self) -> str:
        return f"a comma-separated list of integers between {self.lo} and {self.hi}"

    def __call__(self, text: str) -> list[int]:
        parts = text.split(",")
        if len(parts) > self.most or not all(re.fullmatch(r"\s*\d{1,6}\s*", p) for p in parts):
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        values = [int(p) for p in parts]
        if any(not self.lo <= v <= self.hi for v in values):
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return sorted(set(values))


@dataclass(frozen=True)
class ByteSize:
    """A memory size as :func:`qsgd_ref.base.limits.parse_size` reads it (bytes, or a number with a
    unit such as MiB, GiB, MB or GB), between ``lo`` and ``hi``."""

    lo: int = 2**20
    hi: int = 2**50
    kind: str = "bytes"

    @property
    def __name__(self) -> str:
        return "size"

    def describe(self) -> str:
        return "a size such as 512MiB, 8GiB or 1000000000 (bytes), between 1 MiB and 1 PiB"

    def __call__(self, text: str) -> int:
        try:
            value = parse_size(text, "SIZE")
        except InputError:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}") from None
        if not self.lo <= value <= self.hi:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return value


@dataclass(frozen=True)
class Seconds:
    """A duration: seconds, or a number with the unit s, m(in) or h."""

    lo: float = 1.0
    hi: float = 30 * 86400.0
    kind: str = "seconds"

    @property
    def __name__(self) -> str:
        return "duration"

    def describe(self) -> str:
        return "a duration such as 90, 90s, 15m or 2h, between 1 s and 30 days"

    def __call__(self, text: str) -> float:
        m = re.fullmatch(r"\s*(\d{1,9}(?:\.\d{1,6})?)\s*(s|m|min|h)?\s*", text)
        if m is None:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        value = float(m.group(1)) * {None: 1, "s": 1, "m": 60, "min": 60, "h": 3600}[m.group(2)]
        if not self.lo <= value <= self.hi:
            raise argparse.ArgumentTypeError(f"must be {self.describe()}, got {shown(text)}")
        return value


# ---------------------------------------------------------------- the common ranges

#: seeds of numpy's and Python's generators and of the simulator (Aer takes 64-bit seeds; a run
#: adds its circuit count, so the top is left free)
SEED = IntIn(0, 2**32 - 1)


def positive(hi: float) -> FloatIn:
    """A finite number in (0, hi]."""
    return FloatIn(0.0, hi, lo_open=True)


def non_negative(hi: float) -> FloatIn:
    """A finite number in [0, hi]."""
    return FloatIn(0.0, hi)


#: a fraction in (0, 1]
FRACTION = FloatIn(0.0, 1.0, lo_open=True)


def exact_positive(hi: int = 10**12) -> ExactIn:
    """An exact number in (0, hi]."""
    return ExactIn(Fraction(0), Fraction(hi), lo_open=True)


def exact_non_negative(hi: int = 10**12) -> ExactIn:
    """An exact number in [0, hi]."""
    return ExactIn(Fraction(0), Fraction(hi))

