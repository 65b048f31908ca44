"""Hypothesis strategies building problems directly inside a chosen regime (REG-*, BND-*).

No filtering: Hessians are Q Λ Qᵀ with Q an exact rational orthogonal matrix (Cayley transform of a
skew-symmetric matrix) and ηλ drawn inside the wanted range; F_2, F_3, F_0 are random directions
rescaled (with the certified norm bounds of qsgd_ref.theory.majorant) to hit a chosen R_d.
Sizes are limited so that Σ n^j stays small enough for exact/ball reference solves.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.theory.norms import norm2_upper

#: how many times more examples a test with its own ``max_examples`` draws under the thorough profile
THOROUGH_FACTOR = 4


def examples(n: int) -> int:
    """A test's own example count: ``n`` in the ci and dev profiles, ``THOROUGH_FACTOR × n`` under the
    thorough profile (read when the test module is imported, after pytest has loaded the profile)."""
    return n * THOROUGH_FACTOR if settings.default.max_examples > 100 else n


#: Largest order N allowed for each n (keeps D = Σ n^j ≤ 30).
MAX_ORDER = {1: 5, 2: 4, 3: 2, 4: 2}
REGIMES = ("fully", "marginal", "divergent")


@dataclass(frozen=True)
class Instance:
    problem: Problem
    regime: str  # the regime the instance was built in
    eta_h: tuple[tuple[Fraction, ...], ...]  # ηλ per step
    target_rd: Fraction  # R_d aimed at (with the rational norms used to build it)
    has_f0: bool


def _frac(draw: st.DrawFn, lo: int, hi: int, den: int, label: str) -> Fraction:
    return Fraction(draw(st.integers(lo, hi), label=label), den)


def orthogonal(draw: st.DrawFn, n: int) -> np.ndarray:
    """An exact rational orthogonal matrix Q = (I − S)(I + S)⁻¹, S skew-symmetric."""
    import sympy

    s = sympy.zeros(n, n)
    for i in range(n):
        for k in range(i + 1, n):
            x = sympy.Rational(draw(st.integers(-4, 4), label=f"S[{i},{k}]"), 4)
            s[i, k], s[k, i] = x, -x
    q = (sympy.eye(n) - s) * (sympy.eye(n) + s).inv()
    return np.array([[Fraction(int(sympy.fraction(v)[0]), int(sympy.fraction(v)[1])) for v in row]
                     for row in q.tolist()], dtype=object)


def eta_eigenvalues(draw: st.DrawFn, n: int, regime: str) -> tuple[Fraction, ...]:
    """ηλ_i: all in (0, 2) (fully); one marginal 0 or 2 (marginal); one outside [0, 2] (divergent)."""
    vals = [_frac(draw, 5, 195, 100, f"ηλ[{i}]") for i in range(n)]
    if regime == "marginal":
        vals[0] = Fraction(draw(st.sampled_from([0, 2]), label="marginal ηλ"))
    elif regime == "divergent":
        vals[0] = draw(st.sampled_from([Fraction(-1, 10), Fraction(21, 10)]), label="divergent ηλ")  # δ = 1/10
    return tuple(vals)


def _direction(draw: st.DrawFn, n: int, ell: int, label: str) -> np.ndarray:
    entries = [Fraction(draw(st.integers(-8, 8), label=f"{label}[{i}]"), 8) for i in range(n * n**ell)]
    if all(x == 0 for x in entries):
        entries[0] = Fraction(1)
    return np.array(entries, dtype=object).reshape(n, n**ell) if ell else np.array(entries, dtype=object)


@st.composite
def instances(draw: st.DrawFn, regime: str | None = None, *, n: int | None = None, max_steps: int = 60,
              time_dependent: bool | None = None, f0: bool | None = None, cubic: bool | None = None,
              nonneg_scalar: bool = False) -> Instance:
    """A problem built inside ``regime`` (fully / marginal / divergent; drawn if None)."""
    regime = regime or draw(st.sampled_from(REGIMES), label="regime")
    n = n or draw(st.integers(1, 4), label="n")
    order = draw(st.integers(1, MAX_ORDER[n]), label="N")
    # divergent: δ = 1/10, so T ≥ 11 puts δT > 1 (outside the almost dissipative regime)
    steps = draw(st.integers(11 if regime == "divergent" else 1, max(max_steps, 11)), label="T")
    td = draw(st.booleans(), label="time-dependent") if time_dependent is None else time_dependent
    has_f0 = draw(st.booleans(), label="F_0 on") if f0 is None else f0
    has_f3 = draw(st.booleans(), label="F_3 on") if cubic is None else cubic
    q = np.eye(n, dtype=int).astype(object) if nonneg_scalar else orthogonal(draw, n)
    u0 = [Fraction(draw(st.integers(1 if nonneg_scalar else -8, 8), label=f"u0[{i}]"), 8) for i in range(n)]
    if all(x == 0 for x in u0):
        u0[0] = Fraction(1, 8)
    r = norm2_upper(np.array(u0, dtype=object))
    n_maps = steps if td else 1
    spectra = [eta_eigenvalues(draw, n, regime) for _ in range(n_maps)]
    if nonneg_scalar:  # 1 − ηλ ≥ 0 keeps H_1 ≥ 0
        spectra = [tuple(min(x, Fraction(1)) for x in s) for s in spectra]
    gamma = min(1 - max(abs(1 - x) for x in s) for s in spectra)
    target = _frac(draw, 1, 90, 100, "target R_d")
    budget = target * (gamma if gamma > 0 else Fraction(1, 10))  # nonlinear budget Σ h_ℓ r^{ℓ−1} + h_0/r
    parts = {2: Fraction(1)}
    if has_f3:
        w = _frac(draw, 0, 4, 4, "F_3 share")
        parts = {2: 1 - w, 3: w}
    if has_f0:
        w0 = _frac(draw, 1, 3, 4, "F_0 share")
        parts = {ell: x * (1 - w0) for ell, x in parts.items()} | {0: w0}
    shape = {ell: _direction(draw, n, ell, f"F_{ell}") for ell in parts}
    if nonneg_scalar:
        shape = {ell: np.abs(a) for ell, a in shape.items()}
    fixed: dict[int, np.ndarray] = {}
    for ell, a in shape.items():
        scale = parts[ell] * budget / norm2_upper(a) / (r ** (ell - 1) if ell else 1 / r)
        fixed[ell] = a * scale
    maps = []
    for s in spectra:
        f1 = -(q @ np.diag(np.array(s, dtype=object)) @ q.T)
        maps.append({1: f1, **fixed})
    if td:
        problem = make_problem(F_steps=maps, u0=u0, steps=steps, order=order)
    else:
        problem = make_problem(F=maps[0], u0=u0, steps=steps, order=order)
    return Instance(problem, regime, tuple(spectra), target, has_f0)
