"""The oracles themselves against derivations independent of them (clauses LIFT-1, LIFT-2, LIFT-3, ETA-3, MAP-1).

``qsgd_ref.carleman.exact`` (the blocks B_jk, the lifted map and its iteration) and
``qsgd_ref.problem.iterate`` (the map iteration) are what every fast path is tested against, so they
are checked here against things that do not use them: polynomial algebra for n = 1, the spec's closed
forms, explicit tensor-index loops written from the clause text, the polynomial identity
u(t+1)^{⊗j} = Σ_k B_jk u(t)^{⊗k} itself, and the shared check values computed by an implementation
written independently of this project (tests/data/checks).
"""

from __future__ import annotations

import itertools
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.carleman import exact
from qsgd_ref.problem import ExactMatrix, load_problem, make_problem
from qsgd_ref.problem.iterate import iterate

CHECKS = Path(__file__).parent / "data" / "checks"

# ----------------------------------------------------------------- independent derivations
# Kept on purpose: these re-derive the map and the blocks from the clause text with explicit index
# loops (no numpy.kron, no qsgd_ref index helpers), so they can catch a wrong oracle.


def _position(index: tuple[int, ...], n: int) -> int:
    """Row-major flat position of a tensor index (MAP-1), written out here."""
    pos = 0
    for i in index:
        pos = pos * n + i
    return pos


def _dense(a, n: int, ell: int) -> np.ndarray:
    """F_ℓ as an exact n × n^ℓ object array, from a problem's ExactMatrix or a drawn array."""
    return a.dense() if isinstance(a, ExactMatrix) else np.asarray(a, dtype=object).reshape(n, n**ell)


def explicit_map_step(fmap: dict[int, np.ndarray], u: list[Fraction]) -> list[Fraction]:
    """u + Σ_ℓ F_ℓ u^{⊗ℓ}: column c of F_ℓ multiplies u_{i_1}⋯u_{i_ℓ}, (i_1…i_ℓ) enumerated row-major (MAP-1)."""
    n = len(u)
    out = list(u)
    for ell, a in fmap.items():
        a2 = _dense(a, n, ell)
        for i in range(n):
            for col, idx in enumerate(itertools.product(range(n), repeat=ell)):
                prod = Fraction(a2[i, col])
                for c in idx:
                    prod *= u[c]
                out[i] += prod
    return out


def explicit_block(fmap: dict[int, np.ndarray], n: int, j: int, k: int) -> np.ndarray:
    """B_jk entry by entry from LIFT-1: row (r_1…r_j), column (c_1…c_k) split into consecutive chunks of
    lengths ℓ_1…ℓ_j, summed over the compositions of the product of H_{ℓ_i}[r_i, chunk_i]."""
    h = {ell: _dense(a, n, ell) for ell, a in fmap.items()}
    q = max([1, *h])

    def factor(ell: int, r: int, chunk: tuple[int, ...]) -> Fraction:
        value = Fraction(h[ell][r, _position(chunk, n)]) if ell in h else Fraction(0)
        return value + (1 if ell == 1 and chunk == (r,) else 0)

    out = np.full((n**j, n**k), Fraction(0), dtype=object)
    for comp in itertools.product(range(q + 1), repeat=j):
        if sum(comp) != k:
            continue
        cuts = list(itertools.accumulate(comp, initial=0))
        for row in itertools.product(range(n), repeat=j):
            for col in itertools.product(range(n), repeat=k):
                prod = Fraction(1)
                for i, ell in enumerate(comp):
                    prod *= factor(ell, row[i], col[cuts[i]:cuts[i + 1]])
                out[_position(row, n), _position(col, n)] += prod
    return out


# ----------------------------------------------------------------- strategies


RATIONALS = st.fractions(min_value=Fraction(-1, 2), max_value=Fraction(1, 2), max_denominator=12)


def tensor_power(u: list[Fraction], k: int) -> list[Fraction]:
    """u^{⊗k} entry by entry, positions enumerated row-major with itertools.product (MAP-1)."""
    return [math.prod((u[i] for i in idx), start=Fraction(1)) for idx in itertools.product(range(len(u)), repeat=k)]


def draw_map(draw: st.DrawFn, n: int, max_q: int = 3, name: str = "F") -> dict[int, np.ndarray]:
    """A map with F_ℓ present or not for ℓ ≤ q (entries rational, some zero)."""
    q = draw(st.integers(0, max_q), label=f"{name}: degree q")
    fmap = {}
    for ell in range(q + 1):
        if draw(st.booleans(), label=f"{name}_{ell} present"):
            size = n * n**ell
            entries = draw(st.lists(RATIONALS, min_size=size, max_size=size), label=f"{name}_{ell} entries")
            a = np.array(entries, dtype=object)
            fmap[ell] = a if ell == 0 else a.reshape(n, n**ell)
    return fmap


@st.composite
def exact_maps(draw, max_n=2, max_q=3):
    n = draw(st.integers(1, max_n), label="n")
    return n, draw_map(draw, n, max_q)


# ----------------------------------------------------------------- the blocks


@pytest.mark.clause("LIFT-1", "ETA-3")
@given(data=st.data())
def test_scalar_blocks_are_the_coefficients_of_a_polynomial_power(data):
    """n = 1: B_jk = [x^k] (Σ_ℓ h_ℓ x^ℓ)^j with h_1 = 1 + f_1 (LIFT-1), expanded by SymPy."""
    f = data.draw(st.lists(RATIONALS, min_size=1, max_size=4), label="f_0 … f_q")
    j = data.draw(st.integers(1, 4), label="level j")
    fmap = {ell: np.array([[v]], dtype=object) if ell else np.array([v], dtype=object) for ell, v in enumerate(f)}
    x = sympy.Symbol("x")
    h = [sympy.Rational(v.numerator, v.denominator) + (1 if ell == 1 else 0) for ell, v in enumerate(f)]
    if len(h) == 1:
        h.append(sympy.Integer(1))  # H_1 = I even without F_1
    poly = sympy.Poly(sum(c * x**ell for ell, c in enumerate(h)) ** j, x)
    q = max(1, len(f) - 1)
    got = exact.blocks(fmap, 1, j, kmax=q * j)
    for k in range(q * j + 1):
        want = Fraction(str(poly.coeff_monomial(x**k)))
        assert exact.block(fmap, 1, j, k)[0, 0] == want, k
        if want != 0:
            assert got[(j, k)][0, 0] == want
        else:
            assert (j, k) not in got  # blocks() lists exactly the non-zero blocks of row j
    assert not any(k > q * j for _, k in got)


@pytest.mark.clause("ETA-3", "LIFT-1")
def test_eta3_scalar_row_two():
    """The closed forms of row j = 2 for n = 1, q = 2 (ETA-3 gives the η² parts): B_20 = f0², B_21 = 2 f0 (1+f1),
    B_22 = (1+f1)² + 2 f0 f2, B_23 = 2 (1+f1) f2, B_24 = f2²."""
    f0, f1, f2 = Fraction(3, 10), Fraction(-2, 7), Fraction(5, 11)
    fmap = {0: np.array([f0], dtype=object), 1: np.array([[f1]], dtype=object), 2: np.array([[f2]], dtype=object)}
    want = {0: f0**2, 1: 2 * f0 * (1 + f1), 2: (1 + f1) ** 2 + 2 * f0 * f2, 3: 2 * (1 + f1) * f2, 4: f2**2}
    assert {k: b[0, 0] for (j, k), b in exact.blocks(fmap, 1, 2, kmax=4).items() if j == 2} == want
    m, c = exact.lifted_map_exact(fmap, 1, 2)  # truncation at N = 2 keeps k = 1, 2 of row 2 and c_2 = B_20
    assert m[(1, 0)] == want[1] and m[(1, 1)] == want[2] and c[(1, 0)] == want[0]
    assert m == {(0, 0): 1 + f1, (0, 1): f2, (1, 0): want[1], (1, 1): want[2]} and c == {(0, 0): f0, (1, 0): want[0]}


@pytest.mark.clause("LIFT-1", "MAP-1")
@given(case=exact_maps(), data=st.data())
def test_blocks_equal_the_explicit_index_formula(case, data):
    """Every entry of B_jk, including the non-symmetric part the polynomial identity leaves free."""
    n, fmap = case
    q = max([1, *fmap])
    j = data.draw(st.integers(1, 3), label="level j")
    k = data.draw(st.integers(0, q * j), label="k")
    got = exact.block(fmap, n, j, k)
    want = explicit_block(fmap, n, j, k)
    assert got.shape == want.shape == (n**j, n**k)
    assert all(g == w for g, w in zip(got.ravel(), want.ravel(), strict=True)), (j, k)


@pytest.mark.clause("LIFT-1")
@given(case=exact_maps(), data=st.data())
def test_blocks_carry_the_tensor_power_of_the_image(case, data):
    """u(t+1)^{⊗j} = Σ_k B_jk u(t)^{⊗k} (LIFT-1), for the degree-k parts separately: both sides at s·u are
    polynomials of degree ≤ qj in s, compared at qj + 1 values of s (so every power of s agrees)."""
    n, fmap = case
    q = max([1, *fmap])
    j = data.draw(st.integers(1, 3), label="level j")
    direction = data.draw(st.lists(RATIONALS, min_size=n, max_size=n), label="u")
    row = {k: b for (jj, k), b in exact.blocks(fmap, n, j, kmax=q * j).items() if jj == j}
    for s in range(q * j + 1):
        u = [s * x for x in direction]
        lhs = tensor_power(explicit_map_step(fmap, u), j)
        rhs = [Fraction(0)] * n**j
        for k, b in row.items():
            powers = tensor_power(u, k)
            for r in range(n**j):
                rhs[r] += sum((b[r, c] * powers[c] for c in range(n**k)), Fraction(0))
        assert lhs == rhs, s


@pytest.mark.clause("LIFT-3")
@given(case=exact_maps(max_q=3), data=st.data())
def test_continuous_blocks_equal_the_explicit_kronecker_sum(case, data):
    """(A_N)_jk entry by entry: Σ_i over the position i of the single G factor, identity elsewhere."""
    n, gmap = case
    order = data.draw(st.integers(1, 3), label="order N")
    g = {ell: _dense(a, n, ell) for ell, a in gmap.items()}
    blocks = exact.continuous_blocks(gmap, n, order)
    for j in range(1, order + 1):
        for k in range(0 if j == 1 else 1, order + 1):
            ell = k - j + 1
            want = np.full((n**j, n**k), Fraction(0), dtype=object)
            if ell in g:
                for row in itertools.product(range(n), repeat=j):
                    for col in itertools.product(range(n), repeat=k):
                        for i in range(j):  # G acts on slot i: rows before/after i are copied to the columns
                            if row[:i] == col[:i] and row[i + 1:] == col[i + ell:]:
                                want[_position(row, n), _position(col, n)] += g[ell][row[i], _position(col[i:i + ell], n)]
            got = blocks.get((j, k), np.full((n**j, n**k), Fraction(0), dtype=object))
            assert all(a == b for a, b in zip(got.ravel(), want.ravel(), strict=True)), (j, k)
    assert not any(k == 0 for j, k in blocks if j > 1)  # the constant sits on level 1 only (LIFT-3)


# ----------------------------------------------------------------- the iterations


@st.composite
def tiny_problems(draw):
    n = draw(st.integers(1, 2), label="n")
    steps = draw(st.integers(0, 4), label="steps T")
    order = draw(st.integers(1, 3), label="order N")
    u0 = draw(st.lists(RATIONALS, min_size=n, max_size=n), label="u0")
    if steps and draw(st.booleans(), label="time-dependent"):
        maps = [draw_map(draw, n, name=f"F(t={t})") for t in range(steps)]
        return make_problem(F_steps=maps, u0=u0, steps=steps, order=order)
    return make_problem(F=draw_map(draw, n), u0=u0, steps=steps, order=order)


@pytest.mark.clause("MAP-1", "MAP-3")
@given(p=tiny_problems())
def test_map_iteration_equals_explicit_index_loops(p):
    want = [list(p.u0)]
    for t in range(p.steps):
        want.append(explicit_map_step(p.map_at(t), want[-1]))
    assert list(iterate(p, Fraction)) == want


@pytest.mark.clause("LIFT-2", "MAP-1")
@settings(max_examples=examples(25))  # 100 under thorough: one example costs ~0.3 s there
@given(p=tiny_problems())
def test_lifted_iteration_is_exact_while_no_block_is_dropped(p):
    """ŷ_1(t) = u(t) exactly as long as N ≥ q^t (no block k > N is reached), and ŷ_j(t) = u(t)^{⊗j} on a
    linear map at every t (every level). Where the truncation does show is checked by the next two tests."""
    q = max([1, *(ell for t in range(max(p.steps, 1)) for ell, a in p.map_at(t).items() if not a.is_zero())])
    order = min(q ** p.steps, 8) if p.n == 1 else min(q ** p.steps, 4)
    p = p.with_(order=order)
    us = list(iterate(p, Fraction))
    ys = list(exact.lifted_iteration(p, Fraction))
    assert len(ys) == p.steps + 1
    for t, (u, y) in enumerate(zip(us, ys, strict=True)):
        if q**t <= order:
            assert y[:p.n] == u, t
        if q == 1:
            assert y == [x for j in range(1, order + 1) for x in tensor_power(u, j)], t


@pytest.mark.clause("LIFT-2")
def test_scalar_quadratic_truncation_by_hand():
    """u ↦ u + f u², N = 2: M_2 = [[1, f], [0, 1]] (B_23, B_24 dropped), c = 0, so ŷ(1) = (u(1), u0²) and
    ŷ_1(2) = u(1) + f u0², while u(2) = u(1) + f u(1)²: the error at t = 2 is f (u(1)² − u0²)."""
    f, u0 = Fraction(1, 3), Fraction(1, 2)
    p = make_problem(F={2: [[f]]}, u0=[u0], steps=2, order=2)
    assert exact.lifted_map_exact(p.map_at(0), 1, 2) == ({(0, 0): 1, (0, 1): f, (1, 1): 1}, {})
    u1 = u0 + f * u0**2
    assert list(exact.lifted_iteration(p, Fraction)) == [[u0, u0**2], [u1, u0**2], [u1 + f * u0**2, u0**2]]
    assert [u[0] for u in iterate(p, Fraction)] == [u0, u1, u1 + f * u1**2]


@pytest.mark.clause("LIFT-2", "MAP-1", "REF-1")
@pytest.mark.parametrize("name", ["p1-quadratic-forced", "p2-scalar-cubic"])
def test_oracles_reproduce_the_shared_check_values(name):
    """The independent 60-digit values (written with 50 significant digits): |oracle − value| ≤ 10^-49 |value|."""
    p = load_problem(CHECKS / "problems" / f"{name}.json")
    expected = json.loads((CHECKS / "expected" / f"{name}.json").read_text())
    us = list(iterate(p, Fraction))
    ys = [y[:p.n] for y in exact.lifted_iteration(p, Fraction)]
    for key, rows in (("exact", us), ("carleman", ys)):
        assert len(rows) == len(expected[key]) == p.steps + 1
        for t, (row, want) in enumerate(zip(rows, expected[key], strict=True)):
            for x, s in zip(row, want, strict=True):
                w = Fraction(Decimal(s))
                assert abs(x - w) <= abs(w) / 10**49, (key, t, s)
    for t, (u, y, s) in enumerate(zip(us, ys, expected["error"], strict=True)):
        sq, w = sum((a - b) ** 2 for a, b in zip(u, y)), Fraction(Decimal(s))
        assert abs(sq - w * w) <= 3 * w * w / 10**49 + Fraction(1, 10**100), t  # |x² − w²| ≤ (2 + ε) w |x − w|
    assert us[-1] != ys[-1]  # the truncation is visible: the comparison is not of two equal trajectories
