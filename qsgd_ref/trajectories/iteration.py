"""High-precision exact and truncated Carleman iterations (clauses REF-1, MAP-1, MAP-3, LIFT-2).

* :func:`exact_trajectory` runs the map iteration (:mod:`qsgd_ref.problem.iterate`) in mpmath at
  ``dps`` digits plus :data:`~qsgd_ref.base.precision.GUARD_BITS` (n-dimensional: cheap).
* :func:`carleman_trajectory` iterates ŷ(t+1) = M_N ŷ(t) + c with the exact integer step of
  :mod:`qsgd_ref.carleman.integer` (Z = d^N M_N applied level by level, never formed), ŷ(t) held
  in block floating point: ŷ = Y · 2^{−s} with integer Y scaled so that the largest entry of level 1
  has :func:`~qsgd_ref.base.precision.working_bits` bits (higher levels, larger when ‖u‖ > 1, keep
  more). The product Z·Y is exact and each step rounds once per entry (half an ulp of the largest
  level-1 entry); the work follows the non-zeros of the factors and the size of the lifted vector, not D².
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.indexing import level_offsets, lifted_dimension, lifted_initial
from qsgd_ref.base.precision import DEFAULT_DPS, fraction_to_mpf, working_bits
from qsgd_ref.base.progress import progress
from qsgd_ref.carleman.integer import IntegerContinuous, IntegerLevels
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


def _normalise(num: list[int], den: int, bits: int, lead: int) -> tuple[list[int], int]:
    """Round the exact vector num/den to integers Y · 2^{−s} whose largest entry among the first
    ``lead`` (level 1) has ``bits`` bits — of the whole vector when those are zero. Higher levels
    larger than level 1 (‖u‖ > 1: ‖u‖^j grows with j) keep more bits, so level 1 never loses its
    precision to them, whatever its magnitude (u(0) = 1e400 at N = 2 included)."""
    top = max((abs(x) for x in num[:lead]), default=0) or max(abs(x) for x in num)
    if top == 0:
        return [0] * len(num), 0
    s = bits - (top.bit_length() - den.bit_length())
    if s >= 0:
        return [_round_div(x << s, den) for x in num], s
    return [_round_div(x, den << -s) for x in num], s


def _lifted_states(problem: Problem, bits: int, keep: int, scheme: str = "discrete") -> list[tuple[list[int], int]]:
    """ŷ(t) = Y(t) · 2^{−s(t)}, t = 0 … T, in block floating point with ``bits`` bits; only the first
    ``keep`` entries of each Y(t) are kept (the whole lifted vector is needed only for the next step)."""
    n, order = problem.n, problem.order
    y0 = list(lifted_initial(problem.u0, order))
    den0 = reduce(math.lcm, (x.denominator for x in y0), 1)
    Y, s = _normalise([int(x * den0) for x in y0], den0, bits, n)
    states = [(Y[:keep], s)]
    off = level_offsets(n, order)
    current: tuple[tuple[int, ...], IntegerLevels] | None = None
    with progress(problem.steps, "carleman") as bar:
        for t in range(problem.steps):
            fmap = problem.map_at(t)
            key = tuple(id(a) for _, a in sorted(fmap.items()))
            if current is None or current[0] != key:
                current = (key, IntegerLevels(fmap, n, order) if scheme == "discrete" else IntegerContinuous(fmap, n, order))
            step = current[1]
            # value = (Z Y + c 2^s) / (L 2^s) for s ≥ 0, and (Z Y 2^{-s} + c) / L for s < 0
            up = -s if s < 0 else 0
            levels = {0: np.array([1 << s if s >= 0 else 1], dtype=object)}
            for j in range(1, order + 1):
                block = np.array(Y[off[j - 1]:off[j]], dtype=object)
                levels[j] = block * (1 << up) if up else block
            num = [int(x) for out in step.apply(levels) for x in out]
            Y, s = _normalise(num, step.L << s if s >= 0 else step.L, bits, n)
            states.append((Y[:keep], s))
            bar.update()
    return states


def carleman_trajectory(problem: Problem, dps: int = DEFAULT_DPS, *, levels: bool = False,
                        scheme: str = "discrete") -> list[Any]:
    """ŷ_1(t), t = 0 … T (T+1 rows of n mpf); with ``levels=True`` each row is [ŷ_1, …, ŷ_N].
    ``scheme="continuous"`` steps the continuous Carleman matrix by explicit Euler (REF-3)."""
    bits = working_bits(dps)
    n, N = problem.n, problem.order
    keep = lifted_dimension(n, N) if levels else n
    with mpmath.workprec(bits + 8):
        rows = [[mpmath.ldexp(mpmath.mpf(y), -s) for y in Y] for Y, s in _lifted_states(problem, bits, keep, scheme)]
    if not levels:
        return rows
    off = level_offsets(n, N)
    return [[row[off[j - 1] : off[j]] for j in range(1, N + 1)] for row in rows]


def error_trajectory(exact: list[list[mpmath.mpf]], carleman: list[list[mpmath.mpf]], dps: int) -> list[mpmath.mpf]:
    """‖u(t) − ŷ_1(t)‖₂ for every t, in mpmath at the working precision."""
    with mpmath.workprec(working_bits(dps)):
        return [mpmath.sqrt(mpmath.fsum((a - b) ** 2 for a, b in zip(u, y))) for u, y in zip(exact, carleman)]
