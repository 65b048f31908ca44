"""High-precision exact and truncated Carleman iterations (clauses REF-1, MAP-1, MAP-3, LIFT-2).

* :func:`exact_trajectory` runs the map iteration (:mod:`qsgd_ref.problem.iterate`) in mpmath at
  ``dps`` digits plus :data:`~qsgd_ref.base.precision.GUARD_BITS` (n-dimensional: cheap).
* :func:`carleman_trajectory` iterates ŷ(t+1) = M_N ŷ(t) + c with the exact integer step of
  :mod:`qsgd_ref.carleman.integer`, ŷ(t) held in block floating point: ŷ = Y · 2^{−s} with integer Y
  scaled so that its largest entry has :func:`~qsgd_ref.base.precision.working_bits` bits. The
  product Z·Y is exact (flint's fmpz_mat, C speed) and each step rounds once per entry (half an ulp
  of the largest entry). This makes n = 4, N = 4, T = 200 at 50 digits take well under a second,
  where mpf matrix-vector products take minutes.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import flint
import mpmath

from qsgd_ref.base.indexing import level_offsets, lifted_dimension, lifted_initial
from qsgd_ref.base.precision import DEFAULT_DPS, fraction_to_mpf, working_bits
from qsgd_ref.base.progress import progress
from qsgd_ref.carleman.integer import integer_steps
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import iterate


def exact_trajectory(problem: Problem, dps: int = DEFAULT_DPS) -> list[list[mpmath.mpf]]:
    """u(t), t = 0 … T, as T+1 rows of n mpf values (clauses MAP-1, MAP-3, REF-1)."""
    with mpmath.workprec(working_bits(dps)), progress(problem.steps + 1, "exact") as bar:
        rows = []
        for u in iterate(problem, fraction_to_mpf):
            rows.append(u)
            bar.update()
    return rows


def _round_div(a: int, b: int) -> int:
    """a / b rounded to nearest (b > 0)."""
    return (2 * a + b) // (2 * b)


def _normalise(num: list[int], den: int, bits: int) -> tuple[list[int], int]:
    """Round the exact vector num/den to integers Y · 2^{−s} whose largest entry has ``bits`` bits."""
    top = max(abs(x) for x in num)
    if top == 0:
        return [0] * len(num), 0
    s = bits - (top.bit_length() - den.bit_length())
    if s >= 0:
        return [_round_div(x << s, den) for x in num], s
    return [_round_div(x, den << -s) for x in num], s


def _lifted_states(problem: Problem, bits: int) -> list[tuple[list[int], int]]:
    """ŷ(t) = Y(t) · 2^{−s(t)}, t = 0 … T, in block floating point with ``bits`` bits."""
    y0 = list(lifted_initial(problem.u0, problem.order))
    den0 = reduce(math.lcm, (x.denominator for x in y0), 1)
    Y, s = _normalise([int(x * den0) for x in y0], den0, bits)
    states = [(Y, s)]
    with progress(problem.steps, "carleman") as bar:
        for step in integer_steps(problem):
            prod = step.Z * flint.fmpz_mat(len(Y), 1, Y)
            if s >= 0:  # value = (Z Y + c 2^s) / (L 2^s)
                num = [int(z) + (c << s) for z, c in zip(prod.entries(), step.c)]
                Y, s = _normalise(num, step.L << s, bits)
            else:  # value = (Z Y 2^{-s} + c) / L
                num = [(int(z) << -s) + c for z, c in zip(prod.entries(), step.c)]
                Y, s = _normalise(num, step.L, bits)
            states.append((Y, s))
            bar.update()
    return states


def carleman_trajectory(problem: Problem, dps: int = DEFAULT_DPS, *, levels: bool = False) -> list[Any]:
    """ŷ_1(t), t = 0 … T (T+1 rows of n mpf); with ``levels=True`` each row is [ŷ_1, …, ŷ_N]."""
    bits = working_bits(dps)
    n, N = problem.n, problem.order
    keep = lifted_dimension(n, N) if levels else n
    with mpmath.workprec(bits + 8):
        rows = [[mpmath.ldexp(mpmath.mpf(y), -s) for y in Y[:keep]] for Y, s in _lifted_states(problem, bits)]
    if not levels:
        return rows
    off = level_offsets(n, N)
    return [[row[off[j - 1] : off[j]] for j in range(1, N + 1)] for row in rows]


def error_trajectory(exact: list[list[mpmath.mpf]], carleman: list[list[mpmath.mpf]], dps: int) -> list[mpmath.mpf]:
    """‖u(t) − ŷ_1(t)‖₂ for every t, in mpmath at the working precision."""
    with mpmath.workprec(working_bits(dps)):
        return [mpmath.sqrt(mpmath.fsum((a - b) ** 2 for a, b in zip(u, y))) for u, y in zip(exact, carleman)]
