"""The oracle's problems (clause ORC-1): each built directly inside its intended situation.

Every entry is exact and rational; ``seed`` only perturbs the random-looking coefficients, so the
same seed always gives the same corpus. Flags name what a test exercises (explained in NOTES).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction as Fr
from typing import Any

import numpy as np

from qsgd_ref.oracle.traps import column_major_map
from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.theory.regimes import classify

#: Every flag used in the corpus, explained once (the vector files' "notes").
NOTES: dict[str, str] = {
    "FullyDissipative": "Classified fully dissipative by qsgd_ref.theory.regimes.classify: γ = 1 − ‖I + F_1‖ > 0 and "
    "R_d(s) < 1 at the radius s ≥ ‖u(0)‖ of REG-6 (REG-2), or so in the eigenbasis or Lyapunov coordinates (REG-7).",
    "AlmostDissipative": "Classified almost dissipative (REG-3): not fully dissipative, no divergent mode of I + F_1, "
    "and the majorant within the envelope e·(r + h_0 t) on [0, T].",
    "NotDissipative": "Classified not dissipative (REG-1 … REG-3): neither fully nor almost dissipative; bounds "
    "may still apply but grow.",
    "F0On": "F_0 ≠ 0: the lifted system has a constant term c and blocks B_jk with k < j.",
    "F0Off": "F_0 = 0.",
    "Degree1": "Affine map (q = 1): the Carleman iteration is exact at every order.",
    "Degree2": "Quadratic map (q = 2).",
    "Degree3": "Cubic map (q = 3).",
    "TimeDependent": "One map per step (stochastic gradient descent, clause MAP-3).",
    "ZeroSteps": "T = 0: the only row is t = 0 (the initial point and its lift).",
    "OrderOne": "N = 1: the truncation keeps only level 1 (the linearisation).",
    "HighOrder": "N ≥ 4.",
    "F2Zero": "F_2 = 0 while F_1 (and possibly F_3) are non-zero.",
    "Scalar": "n = 1.",
    "ExactlyRepresentable": "Every input is a dyadic rational that float64 holds exactly.",
    "LargeScale": "u ~ 1e20 (F_ℓ scaled by s^(1−ℓ) so the dynamics are those of a unit problem).",
    "TinyScale": "u ~ 1e-20 (same scaling).",
    "IndexOrderTrap": "Non-symmetric F_ℓ (ℓ ≥ 2): numpy.kron (row-major) and column-major order give "
    "different M_N entries. Trajectories do not depend on the order (F_ℓ only meets symmetric tensors), "
    "so only matrix tests can catch this mistake.",
    "DiscreteTerms": "T ≥ 2 and N ≥ 2 with visible η² terms: the continuous Carleman matrix gives a different answer.",
    "TruncationVisible": "The order-N truncation error is far above the tolerance: keeping blocks with k > N is caught.",
    "IdleSteps": "The Eq. 6 system has idle steps p > 0 (copies of ŷ(T)).",
}


@dataclass(frozen=True)
class Case:
    problem: Problem
    flags: tuple[str, ...]
    comment: str

    def __post_init__(self) -> None:
        """The regime flag from the classifier (REG-*); IndexOrderTrap iff some F_ℓ (ℓ ≥ 2) is not symmetric."""
        p = self.problem
        trap = any(any(column_major_map(m, p.n)[ell] != a for ell, a in m.items() if ell >= 2) for m in p.maps)
        regime = REGIME_FLAGS[classify(p).regime]
        keep = tuple(f for f in self.flags if f != "IndexOrderTrap" and f not in REGIME_FLAGS.values())
        object.__setattr__(self, "flags", (regime, *keep) + (("IndexOrderTrap",) if trap else ()))


def _rng_fraction(rng: random.Random, size: Fr, den: int = 16, nonzero: bool = False) -> Fr:
    """A rational in [−size, size] with denominator ``den`` (dyadic when den is a power of 2)."""
    if nonzero:
        return size * Fr(rng.randint(1, den) * rng.choice((-1, 1)), den)
    return size * Fr(rng.randint(-den, den), den)


def _tensor(rng: random.Random, n: int, ell: int, size: Fr, den: int = 16) -> np.ndarray:
    out = np.empty((n, n**ell), dtype=object)
    for i in range(n):
        for c in range(n**ell):
            out[i, c] = _rng_fraction(rng, size, den)
    return out


def _rotation(n: int, which: int) -> np.ndarray:
    """An exactly orthogonal rational matrix (Pythagorean triples 3-4-5 and 5-12-13)."""
    q = np.eye(n, dtype=object) * Fr(1)
    if n >= 2:
        c, s = (Fr(3, 5), Fr(4, 5)) if which % 2 == 0 else (Fr(5, 13), Fr(12, 13))
        r = np.eye(n, dtype=object) * Fr(1)
        r[0, 0], r[0, 1], r[1, 0], r[1, 1] = c, -s, s, c
        q = r
    if n >= 3:
        r = np.eye(n, dtype=object) * Fr(1)
        r[1, 1], r[1, 2], r[2, 1], r[2, 2] = Fr(8, 17), -Fr(15, 17), Fr(15, 17), Fr(8, 17)
        q = q.dot(r)
    return np.asarray(q, dtype=object)


def _hessian_step(n: int, eta_lams: list[Fr], which: int = 0, dyadic: bool = False) -> np.ndarray:
    """F_1 = −η H with H = Q Λ Qᵀ, η Λ = diag(eta_lams) (diagonal when ``dyadic``)."""
    lam = np.diag(np.array(eta_lams, dtype=object)) * Fr(1)
    if dyadic or n == 1:
        return np.asarray(-lam, dtype=object)
    q = _rotation(n, which)
    return np.asarray(-(q.dot(lam).dot(q.T)), dtype=object)


def gd_case(
    rng: random.Random,
    n: int,
    q: int,
    order: int,
    steps: int,
    eta_lams: list[Fr],
    *,
    f0: bool = False,
    nonlinear: Fr = Fr(1, 10),
    zero_f2: bool = False,
    symmetric: bool = False,
    dyadic: bool = False,
    scale: Fr = Fr(1),
    which: int = 0,
) -> dict[int, np.ndarray]:
    """A gradient-descent-shaped map (MAP-2): F_1 = −ηH, small F_0, F_ℓ (ℓ ≥ 2), scaled by ``scale``."""
    den = 16 if dyadic else 10
    fmap: dict[int, np.ndarray] = {1: _hessian_step(n, eta_lams, which, dyadic)}
    if f0:
        fmap[0] = (
            np.array(
                [_rng_fraction(rng, Fr(1, 16) if dyadic else Fr(1, 20), den, nonzero=True) for _ in range(n)],
                dtype=object,
            )
            * scale
        )
    for ell in range(2, q + 1):
        if ell == 2 and zero_f2:
            fmap[2] = np.full((n, n * n), Fr(0), dtype=object)
            continue
        t = _tensor(rng, n, ell, nonlinear, den)
        if symmetric and ell == 2:
            t = (t + t.reshape(n, n, n).transpose(0, 2, 1).reshape(n, n * n)) / 2
        fmap[ell] = t * scale ** (1 - ell)
    return fmap


def _u0(rng: random.Random, n: int, scale: Fr = Fr(1), dyadic: bool = False) -> list[Fr]:
    den = 8 if dyadic else 10
    return [scale * Fr(rng.randint(1, den), den) * (1 if i % 2 == 0 else -1) / 2 for i in range(n)]


#: regime name of qsgd_ref.theory.regimes.classify -> flag
REGIME_FLAGS = {
    "fully dissipative": "FullyDissipative",
    "almost dissipative": "AlmostDissipative",
    "not dissipative": "NotDissipative",
}


def _regime_flags(eta_lams: list[Fr]) -> tuple[str, ...]:
    """No flag here: the regime flag is the classifier's (added by :class:`Case`), not the construction's."""
    return ()


def trajectory_cases(seed: int) -> list[Case]:
    """Problems for the trajectory and Eq. 6 files (ORC-1 coverage list)."""
    rng = random.Random(seed)
    cases: list[Case] = []

    def add(
        n: int, q: int, order: int, steps: int, lams: list[Fr], comment: str, extra: tuple[str, ...] = (), **kw: Any
    ) -> None:
        fmap = gd_case(rng, n, q, order, steps, lams, **kw)
        scale = kw.get("scale", Fr(1))
        u0 = _u0(rng, n, scale, kw.get("dyadic", False))
        p = make_problem(F=fmap, u0=u0, steps=steps, order=order, name=comment)
        flags = _regime_flags(lams) + (("F0On",) if kw.get("f0") else ("F0Off",)) + (f"Degree{q}",)
        cases.append(Case(p, flags + tuple(extra), comment))

    fully = [Fr(1, 4), Fr(1, 2)]
    for order in range(1, 6):
        extra: tuple[str, ...] = ("OrderOne",) if order == 1 else ("HighOrder",) if order >= 4 else ()
        extra += ("DiscreteTerms", "TruncationVisible") if order >= 2 else ("TruncationVisible",)
        add(2, 2, order, 6, fully, f"quadratic GD, N = {order}", extra, nonlinear=Fr(1, 2))
    add(2, 2, 3, 8, [Fr(0), Fr(1, 2)], "one marginal mode", ("DiscreteTerms",))
    add(2, 2, 3, 6, [Fr(-1, 10), Fr(1, 2)], "one divergent mode", ("DiscreteTerms",))
    add(2, 2, 3, 6, fully, "quadratic GD with F_0", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2))
    add(2, 1, 2, 5, fully, "affine map with F_0: Carleman is exact", (), f0=True)
    add(2, 3, 3, 5, fully, "cubic map, F_2 = 0", ("F2Zero", "DiscreteTerms"), zero_f2=True, nonlinear=Fr(1, 2))
    add(2, 3, 3, 5, fully, "cubic map", ("DiscreteTerms",), nonlinear=Fr(1, 2))
    add(
        1,
        3,
        5,
        6,
        [Fr(1, 2)],
        "scalar cubic map, N = 5",
        ("Scalar", "HighOrder", "DiscreteTerms"),
        f0=True,
        nonlinear=Fr(1, 2),
    )
    add(
        1,
        2,
        4,
        6,
        [Fr(1, 4)],
        "scalar quadratic map",
        ("Scalar", "HighOrder", "DiscreteTerms", "TruncationVisible"),
        nonlinear=Fr(1, 2),
    )
    add(2, 2, 1, 5, fully, "N = 1 with F_0", ("OrderOne", "TruncationVisible"), f0=True, nonlinear=Fr(1, 2))
    add(2, 2, 3, 0, fully, "T = 0", ("ZeroSteps",), f0=True)
    add(
        2,
        2,
        3,
        6,
        [Fr(1, 4), Fr(1, 2)],
        "dyadic inputs",
        ("ExactlyRepresentable", "DiscreteTerms"),
        f0=True,
        dyadic=True,
        nonlinear=Fr(1, 2),
    )
    add(
        2,
        2,
        2,
        5,
        fully,
        "large scale 1e20",
        ("LargeScale", "DiscreteTerms"),
        f0=True,
        scale=Fr(10**20),
        nonlinear=Fr(1, 2),
    )
    add(
        2,
        2,
        2,
        5,
        fully,
        "tiny scale 1e-20",
        ("TinyScale", "DiscreteTerms"),
        f0=True,
        scale=Fr(1, 10**20),
        nonlinear=Fr(1, 2),
    )
    add(3, 2, 2, 4, [Fr(1, 4), Fr(1, 2), Fr(3, 4)], "n = 3, non-symmetric F_2", ("DiscreteTerms",), nonlinear=Fr(1, 2))

    # time-dependent (SGD): a different minibatch Hessian and F_2 every step
    steps, n = 5, 2
    maps = []
    for t in range(steps):
        lams = [Fr(1, 4) + Fr(t, 16), Fr(1, 2) - Fr(t, 32)]
        maps.append(gd_case(rng, n, 2, 3, steps, lams, f0=True, nonlinear=Fr(1, 2), which=t))
    p = make_problem(F_steps=maps, u0=_u0(rng, n), steps=steps, order=3, name="SGD: one map per step")
    cases.append(
        Case(p, ("FullyDissipative", "F0On", "Degree2", "TimeDependent", "DiscreteTerms"), "SGD: one map per step")
    )
    return cases


def matrix_cases(seed: int) -> list[Case]:
    """Time-independent problems for the matrix file (blocks of M_N and c)."""
    rng = random.Random(seed + 1)
    cases: list[Case] = []

    def add(n: int, q: int, order: int, lams: list[Fr], comment: str, extra: tuple[str, ...] = (), **kw: Any) -> None:
        fmap = gd_case(rng, n, q, order, 1, lams, **kw)
        u0 = _u0(rng, n, kw.get("scale", Fr(1)), kw.get("dyadic", False))
        p = make_problem(F=fmap, u0=u0, steps=1, order=order, name=comment)
        flags = _regime_flags(lams) + (("F0On",) if kw.get("f0") else ("F0Off",)) + (f"Degree{q}",)
        cases.append(Case(p, flags + tuple(extra), comment))

    fully = [Fr(1, 4), Fr(1, 2)]
    add(2, 2, 2, fully, "non-symmetric F_2, N = 2", ("DiscreteTerms",), nonlinear=Fr(1, 2))
    add(2, 2, 3, fully, "non-symmetric F_2 with F_0, N = 3", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2))
    add(3, 2, 2, [Fr(1, 4), Fr(1, 2), Fr(3, 4)], "n = 3, non-symmetric F_2", ("DiscreteTerms",), nonlinear=Fr(1, 2))
    add(2, 2, 3, fully, "symmetric F_2", ("DiscreteTerms",), symmetric=True, nonlinear=Fr(1, 2))
    add(2, 3, 3, fully, "cubic, non-symmetric F_2 and F_3", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2))
    add(
        1,
        2,
        5,
        [Fr(1, 4)],
        "scalar quadratic with F_0, N = 5",
        ("Scalar", "HighOrder", "DiscreteTerms"),
        f0=True,
        nonlinear=Fr(1, 2),
    )
    add(2, 2, 4, [Fr(0), Fr(1, 2)], "marginal mode, N = 4", ("HighOrder", "DiscreteTerms"), nonlinear=Fr(1, 2))
    add(2, 2, 2, [Fr(-1, 10), Fr(1, 2)], "divergent mode", ("DiscreteTerms",), nonlinear=Fr(1, 2))
    add(2, 2, 1, fully, "N = 1 (only B_11 = I + F_1 and c_1 = F_0)", ("OrderOne",), f0=True)
    add(2, 3, 3, fully, "cubic with F_2 = 0", ("F2Zero", "DiscreteTerms"), zero_f2=True, nonlinear=Fr(1, 2))
    add(2, 1, 3, fully, "affine with F_0", ("DiscreteTerms",), f0=True)
    add(
        2,
        2,
        3,
        fully,
        "dyadic inputs",
        ("ExactlyRepresentable", "DiscreteTerms"),
        f0=True,
        dyadic=True,
        nonlinear=Fr(1, 2),
    )
    add(
        2,
        2,
        2,
        fully,
        "large scale 1e20",
        ("LargeScale", "DiscreteTerms"),
        f0=True,
        scale=Fr(10**20),
        nonlinear=Fr(1, 2),
    )
    return cases


def eq6_cases(seed: int) -> list[tuple[Case, int]]:
    """Problems and idle-step counts p for the Eq. 6 solution file (SYS-1, SYS-2)."""
    base = trajectory_cases(seed)
    pick = {
        "quadratic GD with F_0": 0,
        "scalar quadratic map": 2,
        "T = 0": 1,
        "SGD: one map per step": 2,
        "quadratic GD, N = 2": 3,
    }
    out = []
    for c in base:
        if c.comment in pick:
            p = pick[c.comment]
            out.append((Case(c.problem, c.flags + (("IdleSteps",) if p else ()), c.comment), p))
    return out


def hhl_cases(seed: int) -> list[tuple[Case, int, int]]:
    """Small problems (dilated system ≤ 32 entries), idle steps p and clock qubits for the HHL file."""
    rng = random.Random(seed + 2)
    out = []
    specs = [  # n, q, order, steps, idle, bits, f0, comment
        (1, 2, 2, 2, 1, 5, False, "scalar quadratic, N = 2, T = 2, p = 1"),
        (1, 2, 2, 2, 0, 4, True, "scalar quadratic with F_0, N = 2, p = 0"),
        (2, 2, 1, 2, 1, 5, True, "n = 2, N = 1 (linearisation), p = 1"),
        (1, 3, 2, 3, 0, 6, False, "scalar cubic, N = 2, T = 3"),
    ]
    for n, q, order, steps, idle, bits, f0, comment in specs:
        fmap = gd_case(rng, n, q, order, steps, [Fr(1, 4), Fr(1, 2)][:n], f0=f0, nonlinear=Fr(1, 2))
        p = make_problem(F=fmap, u0=_u0(rng, n), steps=steps, order=order, name=comment)
        flags = (
            ("F0On" if f0 else "F0Off", f"Degree{q}")
            + (("Scalar",) if n == 1 else ())
            + (("IdleSteps",) if idle else ())
            + (("OrderOne",) if order == 1 else ())
        )
        out.append((Case(p, flags, comment), idle, bits))
    return out
