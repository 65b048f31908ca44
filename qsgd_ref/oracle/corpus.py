"""The oracle's problems (clause ORC-1): each built directly inside its intended situation.

Every entry is exact and rational; ``seed`` only perturbs the random-looking coefficients, so the
same seed always gives the same corpus. Flags name what a test exercises (explained in
:data:`qsgd_ref.oracle.notes.NOTES`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction as Fr
from typing import Any

import numpy as np

from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.oracle.traps import column_major_map
from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.problem.model import SCHEMA_V1, SCHEMA_V2
from qsgd_ref.theory.regimes import classify


@dataclass(frozen=True)
class Case:
    """A problem with its flags and comment, and what its test stores: ``sample`` keeps every sample-th
    row of a long trajectory (and the last), ``monomial`` adds the LIFT-4 matrices, ``scheme`` the
    discrete-minus-continuous difference, ``schema`` the problem document's version."""

    problem: Problem
    flags: tuple[str, ...]
    comment: str
    sample: int = 1
    monomial: bool = False
    scheme: bool = False
    schema: str = SCHEMA_V1

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
    """Problems for the trajectory file (ORC-1 coverage list): the small ones, then the large ones."""
    rng = random.Random(seed + 5)
    return small_trajectory_cases(seed) + [_large_sparse(rng), *burgers_cases()]


def burgers_cases() -> list[Case]:
    """The Burgers problems (MOD-10) at the published dt, their first steps."""
    out = []
    for order, steps in BURGERS:
        p = burgers_problem(order).with_(steps=steps)
        p = Problem(p.u0, p.maps, p.steps, p.order, f"Burgers (MOD-10), n = 16, first {steps} steps, N = {order}",
                    p.meta)
        out.append(Case(p, ("F0On", "Degree2", "TimeDependent", "Burgers", "RowsSampled", "TruncationVisible"),
                        p.name, sample=BURGERS_SAMPLE, schema=SCHEMA_V2))
    return out


def small_trajectory_cases(seed: int) -> list[Case]:
    """Problems for the trajectory and Eq. 6 files (ORC-1 coverage list), n ≤ 3."""
    rng = random.Random(seed)
    cases: list[Case] = []

    def add(
        n: int, q: int, order: int, steps: int, lams: list[Fr], comment: str, extra: tuple[str, ...] = (), **kw: Any
    ) -> None:
        scheme = kw.pop("scheme", False)
        fmap = gd_case(rng, n, q, order, steps, lams, **kw)
        scale = kw.get("scale", Fr(1))
        u0 = _u0(rng, n, scale, kw.get("dyadic", False))
        p = make_problem(F=fmap, u0=u0, steps=steps, order=order, name=comment)
        flags = _regime_flags(lams) + (("F0On",) if kw.get("f0") else ("F0Off",)) + (f"Degree{q}",)
        flags += ("ContinuousScheme",) if scheme else ()
        cases.append(Case(p, flags + tuple(extra), comment, scheme=scheme))

    fully = [Fr(1, 4), Fr(1, 2)]
    for order in range(1, 6):
        extra: tuple[str, ...] = ("OrderOne",) if order == 1 else ("HighOrder",) if order >= 4 else ()
        extra += ("DiscreteTerms", "TruncationVisible") if order >= 2 else ("TruncationVisible",)
        add(2, 2, order, 6, fully, f"quadratic GD, N = {order}", extra, nonlinear=Fr(1, 2))
    add(2, 2, 3, 8, [Fr(0), Fr(1, 2)], "one marginal mode", ("DiscreteTerms", "MarginalNorm"))
    add(2, 2, 3, 6, [Fr(-1, 10), Fr(1, 2)], "one divergent mode", ("DiscreteTerms",))
    add(2, 2, 3, 6, fully, "quadratic GD with F_0", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2), scheme=True)
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


#: Burgers trajectories (N, T): the published dt = 3/3999, the first T steps (the lifted iteration of
#: N = 3, D = 4,368, costs about 0.05 s per step at 90 digits, so its horizon is shorter)
BURGERS = ((2, 300), (3, 40))
#: rows stored of a long trajectory: every BURGERS_SAMPLE-th and the last
BURGERS_SAMPLE = 10
#: the large sparse problem: n, horizon, order
SPARSE_N, SPARSE_STEPS = 32, 12


def _large_sparse(rng: random.Random) -> Case:
    """n = 32 gradient descent on a tridiagonal Hessian (η H = tridiag(−1, 2, −1)/8) with a sparse,
    non-symmetric F_2 (three entries per row), written as a version 2 problem."""
    n = SPARSE_N
    f1 = np.full((n, n), Fr(0), dtype=object)
    for i in range(n):
        f1[i, i] = Fr(-1, 4)
        if i > 0:
            f1[i, i - 1] = Fr(1, 8)
        if i + 1 < n:
            f1[i, i + 1] = Fr(1, 8)
    f2 = np.full((n, n * n), Fr(0), dtype=object)
    for i in range(n):
        j = (i + 1) % n
        f2[i, i * n + j] = Fr(rng.randint(-8, 8), 64)
        f2[i, j * n + i] = Fr(rng.randint(1, 8), 64)
        f2[i, j * n + j] = Fr(-rng.randint(1, 8), 64)
    u0 = [Fr(rng.randint(-8, 8), 32) for _ in range(n)]
    p = make_problem(F={1: f1, 2: f2}, u0=u0, steps=SPARSE_STEPS, order=2,
                     name=f"n = {n} sparse tridiagonal GD, non-symmetric sparse F_2 (problem v2)")
    return Case(p, ("F0Off", "Degree2", "LargeSparse", "DiscreteTerms"), p.name, schema=SCHEMA_V2)


def matrix_cases(seed: int) -> list[Case]:
    """Time-independent problems for the matrix file (blocks of M_N and c)."""
    rng = random.Random(seed + 1)
    cases: list[Case] = []

    def add(n: int, q: int, order: int, lams: list[Fr], comment: str, extra: tuple[str, ...] = (), **kw: Any) -> None:
        monomial = kw.pop("monomial", False)
        fmap = gd_case(rng, n, q, order, 1, lams, **kw)
        u0 = _u0(rng, n, kw.get("scale", Fr(1)), kw.get("dyadic", False))
        p = make_problem(F=fmap, u0=u0, steps=1, order=order, name=comment)
        flags = _regime_flags(lams) + (("F0On",) if kw.get("f0") else ("F0Off",)) + (f"Degree{q}",)
        flags += ("MonomialBasis",) if monomial else ()
        cases.append(Case(p, flags + tuple(extra), comment, monomial=monomial))

    fully = [Fr(1, 4), Fr(1, 2)]
    add(2, 2, 2, fully, "non-symmetric F_2, N = 2", ("DiscreteTerms",), nonlinear=Fr(1, 2))
    add(2, 2, 3, fully, "non-symmetric F_2 with F_0, N = 3", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2),
        monomial=True)
    add(3, 2, 2, [Fr(1, 4), Fr(1, 2), Fr(3, 4)], "n = 3, non-symmetric F_2", ("DiscreteTerms",), nonlinear=Fr(1, 2),
        monomial=True)
    add(2, 2, 3, fully, "symmetric F_2", ("DiscreteTerms",), symmetric=True, nonlinear=Fr(1, 2))
    add(2, 3, 3, fully, "cubic, non-symmetric F_2 and F_3", ("DiscreteTerms",), f0=True, nonlinear=Fr(1, 2),
        monomial=True)
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
    # per-step maps (SGD): every step's M_N(t) and c(t)
    steps, n = 3, 2
    maps = [gd_case(rng, n, 2, 2, steps, [Fr(1, 4) + Fr(t, 16), Fr(1, 2) - Fr(t, 32)], f0=True, nonlinear=Fr(1, 2),
                    which=t) for t in range(steps)]
    p = make_problem(F_steps=maps, u0=_u0(rng, n), steps=steps, order=2, name="SGD: M_N(t) and c(t) of every step")
    cases.append(Case(p, ("F0On", "Degree2", "TimeDependent", "PerStepMatrices", "DiscreteTerms"), p.name))
    return cases


def eq6_cases(seed: int) -> list[tuple[Case, int]]:
    """Problems and idle-step counts p for the Eq. 6 solution file (SYS-1, SYS-2, SYS-3, COND-*)."""
    base = small_trajectory_cases(seed)
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
            flags = tuple(f for f in c.flags if f != "ContinuousScheme") + (("IdleSteps",) if p else ())
            out.append((Case(c.problem, flags, c.comment), p))
    rng = random.Random(seed + 3)
    fully = [Fr(1, 4), Fr(1, 2)]
    for comment, f0, horizon in (("κ: quadratic GD, F_0 = 0, N = 2", False, 4), ("κ: quadratic GD with F_0, N = 2", True, 3)):
        fmap = gd_case(rng, 2, 2, 2, horizon, fully, nonlinear=Fr(1, 2), f0=f0)
        prob = make_problem(F=fmap, u0=_u0(rng, 2), steps=horizon, order=2, name=comment)
        out.append((Case(prob, ("F0On" if f0 else "F0Off", "Degree2", "Conditioning"), comment), 0))
    # COND-3's example: F_1 = 0 (h_1 = 1), κ(L) grows like T^N and no bound is uniform in T
    prob = make_problem(F={1: [["0"]], 2: [["-1/10"]]}, u0=["1/2"], steps=10, order=2, name="κ: COND-3 example, h_1 = 1")
    out.append((Case(prob, ("F0Off", "Degree2", "Scalar", "Conditioning", "MarginalNorm"), prob.name), 0))
    return out


def hhl_cases(seed: int) -> list[tuple[Case, int, int]]:
    """Small problems (dilated system ≤ 64 entries), idle steps p and clock qubits for the HHL file."""
    rng = random.Random(seed + 2)
    out = []
    specs = [  # n, q, order, steps, idle, bits, f0, comment
        (1, 2, 2, 2, 1, 5, False, "scalar quadratic, N = 2, T = 2, p = 1"),
        (1, 2, 2, 2, 0, 4, True, "scalar quadratic with F_0, N = 2, p = 0"),
        (2, 2, 1, 2, 1, 5, True, "n = 2, N = 1 (linearisation), p = 1"),
        (1, 3, 2, 3, 0, 6, False, "scalar cubic, N = 2, T = 3"),
        (2, 2, 2, 1, 0, 6, True, "n = 2, N = 2, non-symmetric F_2, T = 1"),
        (2, 2, 2, 1, 1, 6, False, "n = 2, N = 2, non-symmetric F_2, T = 1, p = 1"),
        (2, 2, 2, 0, 0, 5, True, "n = 2, N = 2, T = 0, p = 0: L = I, undilated"),
        (2, 2, 2, 0, 2, 6, False, "n = 2, N = 2, T = 0, p = 2"),
    ]
    for n, q, order, steps, idle, bits, f0, comment in specs:
        fmap = gd_case(rng, n, q, order, steps, [Fr(1, 4), Fr(1, 2)][:n], f0=f0, nonlinear=Fr(1, 2))
        p = make_problem(F=fmap, u0=_u0(rng, n), steps=steps, order=order, name=comment)
        out.append((Case(p, _hhl_flags(p, idle, f0), comment), idle, bits))
    # per-step maps: two different steps (MAP-3)
    maps = [gd_case(rng, 2, 2, 2, 2, [Fr(1, 4) + Fr(t, 16), Fr(1, 2)], f0=True, nonlinear=Fr(1, 2), which=t)
            for t in range(2)]
    p = make_problem(F_steps=maps, u0=_u0(rng, 2), steps=2, order=2, name="SGD: n = 2, N = 2, T = 2, one map per step")
    out.append((Case(p, _hhl_flags(p, 0, True) + ("TimeDependent",), p.name), 0, 6))
    return out


def _hhl_flags(p: Problem, idle: int, f0: bool) -> tuple[str, ...]:
    return (
        ("F0On" if f0 else "F0Off", f"Degree{p.degree}")
        + (("Scalar",) if p.n == 1 else ())
        + (("IdleSteps",) if idle else ())
        + (("OrderOne",) if p.order == 1 else ())
        + (("ZeroSteps",) if p.steps == 0 else ())
        + (("Undilated",) if p.steps == 0 and idle == 0 else ())
    )


@dataclass(frozen=True)
class TableCase:
    """An η-order correction table to state (FMT-3, ETA-1, LIFT-3)."""

    degree: int
    order: int
    continuous: bool
    dropped: bool
    flags: tuple[str, ...]
    comment: str


def table_cases() -> list[TableCase]:
    out = []
    for q, order, cont, dropped in ((1, 2, False, False), (2, 1, False, False), (2, 2, False, False),
                                    (2, 3, False, False), (3, 2, False, False), (2, 3, True, False),
                                    (2, 2, False, True), (3, 2, False, True)):
        flags = (f"Degree{q}",) + (("OrderOne",) if order == 1 else ()) + (("ContinuousTable",) if cont else ()) \
            + (("DroppedBlocks",) if dropped else ())
        kind = "continuous" if cont else "discrete"
        out.append(TableCase(q, order, cont, dropped, flags,
                             f"{kind} table, q = {q}, N = {order}" + (", with the dropped blocks" if dropped else "")))
    return out


@dataclass(frozen=True)
class LossCase:
    """A polynomial loss Σ c_α θ^α (terms (c_α, α)), the point θ*, η and the map's degree q (MAP-2)."""

    terms: tuple[tuple[Fr, tuple[int, ...]], ...]
    theta_star: tuple[Fr, ...]
    eta: Fr
    degree: int
    flags: tuple[str, ...]
    comment: str

    @property
    def n(self) -> int:
        return len(self.theta_star)

    @property
    def loss_degree(self) -> int:
        return max(sum(a) for _, a in self.terms)


def loss_cases(seed: int) -> list[LossCase]:
    rng = random.Random(seed + 4)

    def coef() -> Fr:
        return Fr(rng.randint(1, 9) * rng.choice((-1, 1)), rng.choice((2, 4, 5, 8)))

    def point(n: int) -> tuple[Fr, ...]:
        return tuple(Fr(rng.randint(-4, 4), 4) for _ in range(n))

    out = [LossCase(((Fr(1, 2), (2,)), (Fr(1, 4), (4,))), (Fr(1, 2),), Fr(1, 10), 3, ("Scalar", "Degree3"),
                    "x²/2 + x⁴/4 around θ* = 1/2 (MOD-1's example loss)")]
    quad = ((coef(), (2, 0)), (coef(), (1, 1)), (coef(), (0, 2)), (coef(), (1, 0)))
    out.append(LossCase(quad, point(2), Fr(1, 8), 1, ("Degree1",), "quadratic loss, n = 2: F_0 and F_1 only"))
    cubic = tuple((coef(), a) for a in ((3, 0, 0), (1, 1, 1), (0, 2, 1), (2, 0, 0), (0, 0, 2), (0, 1, 1)))
    out.append(LossCase(cubic, point(3), Fr(1, 5), 2, ("Degree2",), "cubic loss, n = 3, mixed monomials"))
    quartic = tuple((coef(), a) for a in ((4, 0), (2, 2), (1, 3), (3, 0), (0, 2), (1, 1)))
    out.append(LossCase(quartic, point(2), Fr(1, 10), 3, ("Degree3",), "quartic loss, n = 2"))
    quintic = tuple((coef(), a) for a in ((5, 0), (2, 3), (4, 0), (1, 2), (0, 2), (2, 0)))
    out.append(LossCase(quintic, point(2), Fr(1, 10), 2, ("Degree2", "TaylorTruncated"),
                        "degree-5 loss, n = 2, map truncated at q = 2"))
    return [LossCase(c.terms, c.theta_star, c.eta, c.degree, ("LossMap", *c.flags), c.comment) for c in out]
