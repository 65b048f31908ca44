"""High-precision exact and truncated Carleman iterations (clauses REF-1, MAP-1, MAP-3, LIFT-2).

* :func:`exact_trajectory` iterates u(t+1) = u(t) + Σ_ℓ F_ℓ(t) u(t)^{⊗ℓ} in mpmath at
  ``dps`` digits plus :data:`GUARD_BITS` (n-dimensional: cheap).
* :func:`carleman_trajectory` iterates ŷ(t+1) = M_N ŷ(t) + c. The step is built *exactly over the
  integers*: with d the common denominator of the map, level j of M_N and c has denominator d^j,
  so ŷ(t+1) = (Z ŷ(t) + c_Z) / d^N with an integer matrix Z (:func:`integer_step`). The blocks
  come from the recursion B_jk = Σ_ℓ H_ℓ ⊗ B_{j−1,k−ℓ} (LIFT-1), one numpy.kron per (j, k, ℓ).
  ŷ(t) is held in block floating point, ŷ = Y · 2^{−s} with integer Y scaled so that its
  largest entry has :func:`working_bits` bits; the product Z·Y is exact (flint's fmpz_mat, C speed)
  and each step rounds once per entry (half an ulp of the largest entry). This makes n = 4,
  N = 4, T = 200 at 50 digits take well under a second, where mpf matrix-vector products take minutes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Any

import flint
import mpmath
import numpy as np
from tqdm import tqdm

from qsgd_ref import limits
from qsgd_ref.errors import InputError
from qsgd_ref.indexing import kron_power
from qsgd_ref.precision import DEFAULT_DPS, fraction_to_mpf
from qsgd_ref.problem import Map, Problem

#: Extra binary digits carried beyond the requested decimal precision.
GUARD_BITS = 32
MIN_DPS, MAX_DPS = 5, 5000


def check_dps(dps: int, field: str = "dps") -> int:
    """Validate a requested precision in decimal digits."""
    if isinstance(dps, bool) or not isinstance(dps, int) or not MIN_DPS <= dps <= MAX_DPS:
        raise InputError(field, f"must be an integer between {MIN_DPS} and {MAX_DPS}, got {dps!r}")
    return dps


def working_bits(dps: int) -> int:
    """Binary working precision for ``dps`` decimal digits: ⌈dps·log2 10⌉ + GUARD_BITS."""
    return math.ceil(check_dps(dps) * math.log2(10)) + GUARD_BITS


def _progress(total: int, what: str) -> tqdm:
    return tqdm(total=total, desc=what, disable=not sys.stderr.isatty(), leave=False)


# --------------------------------------------------------------------------- exact iteration


def exact_trajectory(problem: Problem, dps: int = DEFAULT_DPS) -> list[list[mpmath.mpf]]:
    """u(t), t = 0 … T, as T+1 rows of n mpf values (clauses MAP-1, MAP-3, REF-1)."""
    with mpmath.workprec(working_bits(dps)):
        maps: dict[int, dict[int, np.ndarray]] = {}
        u = _mpf_array(problem.u0)
        rows = [list(u)]
        with _progress(problem.steps, "exact") as bar:
            for t in range(problem.steps):
                key = 0 if not problem.time_dependent else t
                if key not in maps:
                    maps = {key: {ell: _mpf_array(a) for ell, a in problem.map_at(t).items()}}
                u = u + _apply_map(maps[key], u)
                rows.append(list(u))
                bar.update()
    return rows


def _mpf_array(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    out.ravel()[:] = [fraction_to_mpf(Fraction(x)) for x in a.ravel()]
    return out


def _apply_map(F: dict[int, np.ndarray], u: np.ndarray) -> np.ndarray:
    """Σ_ℓ F_ℓ u^{⊗ℓ} (without the identity part)."""
    acc = np.array([mpmath.mpf(0)] * len(u), dtype=object)
    for ell, a in F.items():
        acc = acc + (a if ell == 0 else a.dot(kron_power(u, ell)))
    return acc


# --------------------------------------------------------------------------- the exact integer step


@dataclass(frozen=True)
class IntegerStep:
    """One truncated step over the integers: ŷ(t+1) = (Z ŷ(t) + c) / L (clause LIFT-2)."""

    Z: flint.fmpz_mat  # D × D
    c: list[int]  # D entries
    L: int  # d^N


def _denominator(F: Map) -> int:
    return reduce(math.lcm, (Fraction(x).denominator for a in F.values() for x in a.ravel()), 1)


def integer_step(F: Map, n: int, order: int) -> IntegerStep:
    """The exact step M_N, c of map F at order N as integers over a common denominator d^N.

    B_{jk} = Σ_ℓ H_ℓ ⊗ B_{j−1,k−ℓ} with B_{00} = [1] (clause LIFT-1); H_ℓ scaled by d to integers.
    The assembly runs in int64 when the same assembly on |H_ℓ| in float64 bounds every entry
    below 2^62 (no overflow possible), and on Python integers otherwise.
    """
    dim = limits.lifted_dimension(n, order)
    limits.check_bytes("order", f"a dense exact transfer matrix of {dim:,} × {dim:,}", dim * dim * 32)
    d = _denominator(F)
    H: dict[int, np.ndarray] = {}
    for ell, a in F.items():
        m = np.array([int(Fraction(x) * d) for x in a.ravel()], dtype=object)
        H[ell] = m.reshape(n, 1) if ell == 0 else m.reshape(a.shape)
    H[1] = H.get(1, np.zeros((n, n), dtype=object)) + d * np.eye(n, dtype=int).astype(object)
    with np.errstate(over="ignore"):
        bound, cbound = _assemble({ell: np.abs(h).astype(float) for ell, h in H.items()}, n, order, float(d))
    small = max(float(bound.max()), float(np.max(cbound))) < 2.0**62
    dtype = np.int64 if small else object
    Z, c = _assemble({ell: h.astype(dtype) for ell, h in H.items()}, n, order, d)
    return IntegerStep(flint.fmpz_mat(dim, dim, Z.ravel().tolist()), [int(x) for x in c], d**order)


def _assemble(H: dict[int, np.ndarray], n: int, order: int, d: Any) -> tuple[np.ndarray, np.ndarray]:
    """Z (levels j scaled by d^{N−j}) and c from the scaled factors H_ℓ, in H's dtype."""
    dtype = next(iter(H.values())).dtype
    prev: dict[int, np.ndarray] = {0: np.ones((1, 1), dtype=dtype)}
    rows: list[np.ndarray] = []
    consts: list[np.ndarray] = []
    for j in range(1, order + 1):
        cur: dict[int, np.ndarray] = {}
        for k in range(order + 1):
            terms = [np.kron(h, prev[k - ell]) for ell, h in H.items() if k - ell in prev]
            if terms:
                cur[k] = reduce(np.add, terms)
        prev = cur
        scale = d ** (order - j)
        blocks = [cur.get(k, np.zeros((n**j, n**k), dtype=dtype)) * scale for k in range(1, order + 1)]
        rows.append(np.hstack(blocks))
        consts.append(cur[0][:, 0] * scale if 0 in cur else np.zeros(n**j, dtype=dtype))
    return np.vstack(rows), np.concatenate(consts)


def lifted_initial(u0: np.ndarray, order: int) -> list[Fraction]:
    """ŷ(0) = (u0, u0^{⊗2}, …, u0^{⊗N}) exactly."""
    return [Fraction(x) for j in range(1, order + 1) for x in kron_power(u0, j)]


def integer_steps(problem: Problem) -> Iterator[IntegerStep]:
    """Yield the exact IntegerStep of every step t = 0 … T−1 (built once if time-independent)."""
    cache: IntegerStep | None = None
    for t in range(problem.steps):
        if cache is None or problem.time_dependent:
            cache = integer_step(problem.map_at(t), problem.n, problem.order)
        yield cache


# --------------------------------------------------------------------------- block floating point


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
    y0 = lifted_initial(problem.u0, problem.order)
    den0 = reduce(math.lcm, (x.denominator for x in y0), 1)
    Y, s = _normalise([int(x * den0) for x in y0], den0, bits)
    states = [(Y, s)]
    with _progress(problem.steps, "carleman") as bar:
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
    keep = limits.lifted_dimension(n, N) if levels else n
    with mpmath.workprec(bits + 8):
        rows = [[mpmath.ldexp(mpmath.mpf(y), -s) for y in Y[:keep]] for Y, s in _lifted_states(problem, bits)]
    if not levels:
        return rows
    offsets = [limits.lifted_dimension(n, j) for j in range(N + 1)]
    return [[row[offsets[j - 1] : offsets[j]] for j in range(1, N + 1)] for row in rows]


def error_trajectory(exact: list[list[mpmath.mpf]], carleman: list[list[mpmath.mpf]], dps: int) -> list[mpmath.mpf]:
    """‖u(t) − ŷ_1(t)‖₂ for every t, in mpmath at the working precision."""
    with mpmath.workprec(working_bits(dps)):
        return [mpmath.sqrt(mpmath.fsum((a - b) ** 2 for a, b in zip(u, y))) for u, y in zip(exact, carleman)]
