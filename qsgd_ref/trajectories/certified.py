"""Certified mode (clause REF-2): the exact and truncated iterations in arb ball arithmetic.

Every input rational p/q enters as arb(p)/arb(q) (a ball containing p/q), the map iteration is
:func:`qsgd_ref.problem.iterate.iterate` with balls as its number type, the truncated step is
the exact integer step of :func:`qsgd_ref.carleman.integer.integer_step` (entries enter as
balls too), and every operation is python-flint's arb / arb_mat arithmetic, whose results
provably contain the exact result. Hence each returned ball contains the true u(t), ŷ_1(t) and
‖u(t) − ŷ_1(t)‖₂ of the exact (rational) problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Context, Decimal
from fractions import Fraction

import flint

from qsgd_ref.base.balls import arb_prec, ball, ball_interval
from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.base.precision import DEFAULT_DPS, working_bits
from qsgd_ref.base.results import Result
from qsgd_ref.carleman.integer import integer_steps
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import iterate

#: Extra bits in certified mode, so that radii stay far below the reported digits.
CERTIFIED_EXTRA_BITS = 64
#: Reruns at higher precision allowed when radii come out too wide.
MAX_RERUNS = 4
#: The adaptive precision stops here (bits): more would cost more than it could narrow.
MAX_CERTIFIED_BITS = 2**16


@dataclass(frozen=True)
class CertifiedTrajectories:
    """Balls for u(t), ŷ_1(t) (T+1 rows of n) and ‖u(t) − ŷ_1(t)‖₂ (T+1 values)."""

    exact: list[list[flint.arb]]
    carleman: list[list[flint.arb]]
    error: list[flint.arb]
    prec: int


def _carleman_balls(problem: Problem) -> list[list[flint.arb]]:
    n = problem.n
    y = flint.arb_mat(
        len(lifted_initial(problem.u0, problem.order)), 1, [ball(x) for x in lifted_initial(problem.u0, problem.order)]
    )
    rows = [y.entries()[:n]]
    last = None
    for step in integer_steps(problem):
        if step is not last:
            Z = flint.arb_mat(step.Z)
            c = flint.arb_mat(len(step.c), 1, [flint.arb(v) for v in step.c])
            L = flint.arb(step.L)
            last = step
        y = (Z * y + c) / L
        rows.append(y.entries()[:n])
    return rows


def certified_trajectories(
    problem: Problem, prec: int | None = None, *, dps: int = DEFAULT_DPS
) -> CertifiedTrajectories:
    """Balls containing u(t), ŷ_1(t) and ‖u(t) − ŷ_1(t)‖₂ (clause REF-2).

    ``prec`` is arb's working precision in bits. By default it is chosen adaptively: start at
    the bits of ``dps`` digits plus :data:`CERTIFIED_EXTRA_BITS` and, while some radius exceeds
    10^{−dps−2} of its trajectory's scale (ball arithmetic over-estimates growth through |M_N|),
    rerun with the missing bits added (at most :data:`MAX_RERUNS` times).
    """
    if prec is not None:
        return _run(problem, prec)
    prec = working_bits(dps) + CERTIFIED_EXTRA_BITS
    for _ in range(MAX_RERUNS):
        out = _run(problem, prec)
        missing = _missing_bits(out, dps)
        if missing <= 0 or prec + missing + 16 > MAX_CERTIFIED_BITS:
            # beyond the cap (e.g. radii of the nonlinear iteration growing doubly exponentially
            # over many steps) the balls are kept as they are: wide, and still rigorous
            break
        prec += missing + 16
    return out


def _run(problem: Problem, prec: int) -> CertifiedTrajectories:
    with arb_prec(prec):
        exact = list(iterate(problem, ball))
        carleman = _carleman_balls(problem)
        error = [_norm([a - b for a, b in zip(u, y)]) for u, y in zip(exact, carleman)]
    return CertifiedTrajectories(exact, carleman, error, prec)


def _missing_bits(out: CertifiedTrajectories, dps: int) -> int:
    """How many bits the widest ball lacks to be within 10^{−dps−2} of its trajectory's scale."""
    worst = -math.inf
    for rows in (out.exact, out.carleman):
        if not all(b.is_finite() for row in rows for b in row):
            return 64
        scale = max(_log2(b.mid()) for row in rows for b in row)
        scale = 0.0 if scale == -math.inf else scale
        worst = max(worst, max(_log2(b.rad()) for row in rows for b in row) - scale)
    return max(0, math.ceil(worst + (dps + 2) * math.log2(10))) if worst > -math.inf else 0


def _log2(x: flint.arb) -> float:
    """log2 |x| of an exact arb (mid or rad) to within one unit, −inf for 0."""
    man, exp = x.man_exp()
    m = abs(int(man))
    return -math.inf if m == 0 else float(m.bit_length() + int(exp))


def _norm(v: list[flint.arb]) -> flint.arb:
    """‖v‖₂; the true sum of squares is ≥ 0, so clipping its ball at 0 before sqrt stays rigorous."""
    return sum((x * x for x in v), flint.arb(0)).nonnegative_part().sqrt()


#: Significant digits of a reported radius (always rounded up).
RADIUS_DIGITS = 3


@dataclass(frozen=True)
class Radii(Result):
    """For every reported decimal s, a radius r with |true value − s| ≤ r (clause REF-2); same shapes
    as the reported exact, carleman and error trajectories; ``prec_bits`` is arb's precision."""

    exact: list[list[str]]
    carleman: list[list[str]]
    error: list[str]
    prec_bits: int


def certified_radii(problem: Problem, exact: list[list[str]], carleman: list[list[str]], error: list[str],
                    dps: int) -> Radii:
    """The radii of reported ``dps``-digit strings: r = rad + |mid − s| for the certified ball (mid, rad),
    computed exactly and rounded up to :data:`RADIUS_DIGITS` digits."""
    balls = certified_trajectories(problem, dps=dps)
    return Radii(
        exact=[[_radius(b, s) for b, s in zip(bs, ss)] for bs, ss in zip(balls.exact, exact)],
        carleman=[[_radius(b, s) for b, s in zip(bs, ss)] for bs, ss in zip(balls.carleman, carleman)],
        error=[_radius(b, s) for b, s in zip(balls.error, error)],
        prec_bits=balls.prec,
    )


def _radius(b: flint.arb, reported: str) -> str:
    try:
        lo, hi = ball_interval(b)
    except OverflowError:  # exponents too large for exact rationals: a coarser bound, still rigorous
        return _power_of_ten_radius(b, reported)
    value = Fraction(Decimal(reported))
    return round_up(max(hi - value, value - lo, Fraction(0)))


def _power_of_ten_radius(b: flint.arb, reported: str) -> str:
    """"1eK" ≥ rad + |mid − s| for a ball whose exponents are too large to convert exactly:
    |mid|, rad < 2^L with L from their binary exponents, |s| < 10^(adjusted + 1)."""
    bits = max(_log2(b.rad()), _log2(b.mid()), 0.0)
    k = max(math.ceil((bits + 2) * math.log10(2)) + 1, Decimal(reported).adjusted() + 2)
    return f"1e{k}"


def round_up(x: Fraction) -> str:
    """x ≥ 0 as a decimal string with RADIUS_DIGITS significant digits, rounded up."""
    if x == 0:
        return "0"
    ctx = Context(prec=RADIUS_DIGITS, rounding=ROUND_CEILING)
    return str(ctx.divide(Decimal(x.numerator), Decimal(x.denominator)))
