"""Every fast path of the lift against the exact builder ``qsgd_ref.carleman.exact`` (clauses LIFT-1 … LIFT-4).

Exact paths (the integer step, the symbolic instantiation) must equal the oracle entry by entry. Float
paths are compared in units of the rounding error, entry by entry:

    |got − exact| ≤ m · eps · scale,

where ``exact`` is the oracle's value for the float input read exactly (every float64 is a rational),
``scale`` is the same quantity built by the oracle from the absolute values |H_ℓ| of the factors (and
|x| for a product with x), i.e. the sum of the absolute values of the terms, and m counts the
roundings along the longest chain (a factor 1 + f_1, the products of a term, the additions of a
sum: γ_m < m·eps for a first-order bound with eps = 2u). With dyadic inputs (entries k/8) every
float operation of these paths is exact, and then the float result must equal the oracle exactly.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.base.indexing import level_offsets, lifted_dimension, multi_index
from qsgd_ref.carleman import exact
from qsgd_ref.carleman.integer import IntegerLevels, integer_step
from qsgd_ref.carleman.monomial import compress, compressed_matrix
from qsgd_ref.carleman.numeric import continuous_matrix, lifted_map
from qsgd_ref.carleman.operator import LiftedMapOperator
from qsgd_ref.carleman.symbolic.blocks import instantiate_block
from qsgd_ref.problem import ExactMatrix

EPS = np.finfo(float).eps

# ----------------------------------------------------------------- exact helpers


def dense(triplets: exact.Triplets, rows: int, cols: int = 1) -> np.ndarray:
    """An exact object array from oracle triplets (absent entries 0)."""
    out = np.full((rows, cols), Fraction(0), dtype=object)
    for (r, c), v in triplets.items():
        out[r, c] = v
    return out


def abs_factor_map(fmap: dict[int, np.ndarray], n: int) -> dict[int, np.ndarray]:
    """The exact map whose factors are |H_ℓ| entrywise: |F_ℓ| for ℓ ≠ 1 and |I + F_1| − I for ℓ = 1, so that
    the oracle applied to it gives Σ|terms| of every entry of M_N and c (the rounding-error scale)."""
    h = exact.exact_factors(fmap, n)
    eye = exact.exact_factors({}, n)[1]
    out = {ell: np.abs(a) for ell, a in h.items()}
    out[1] = out[1] - eye
    return out


def exact_of(a: np.ndarray) -> np.ndarray:
    """A float array read exactly as rationals."""
    return np.vectorize(Fraction, otypes=[object])(np.asarray(a, dtype=float))


def assert_within(got: np.ndarray, want: np.ndarray, scale: np.ndarray, m: int, *, exact_inputs: bool) -> None:
    """|got − want| ≤ m·eps·scale entry by entry (all exact rationals); equality when ``exact_inputs``."""
    g = exact_of(got).ravel()
    w, s = np.asarray(want, dtype=object).ravel(), np.asarray(scale, dtype=object).ravel()
    assert g.shape == w.shape == s.shape
    tol = Fraction(m) * Fraction(EPS)
    bad = [(i, float(g[i]), float(w[i])) for i in range(len(g)) if abs(g[i] - w[i]) > tol * s[i]]
    assert not bad, f"{len(bad)} entries beyond {m} eps of their scale, e.g. {bad[:3]}"
    if exact_inputs:
        assert all(a == b for a, b in zip(g, w, strict=True))


# ----------------------------------------------------------------- strategies


@st.composite
def float_maps(draw, max_n=3, max_q=3, max_order=3):
    """(n, order, float map, the same map as exact rationals, dyadic?): dyadic entries k/8 make every float
    operation of the paths exact; otherwise entries are N(0, 1/4) draws with some structural zeros."""
    n = draw(st.integers(1, max_n), label="n")
    q = draw(st.integers(0, max_q), label="degree q")
    order = draw(st.integers(1, max_order), label="order N")
    dyadic = draw(st.booleans(), label="dyadic entries")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    fmap = {}
    for ell in range(q + 1):
        if draw(st.booleans(), label=f"F_{ell} present"):
            shape = (n,) if ell == 0 else (n, n**ell)
            a = rng.integers(-8, 9, size=shape) / 8 if dyadic else rng.normal(scale=0.5, size=shape)
            a[rng.random(shape) < 0.3] = 0.0
            fmap[ell] = a
    return n, order, fmap, {ell: exact_of(a) for ell, a in fmap.items()}, dyadic


def degree(fmap: dict[int, np.ndarray]) -> int:
    return max([1, *fmap])


def compositions_bound(fmap: dict[int, np.ndarray], order: int) -> int:
    """(q + 1)^N: at least the number of compositions summed into one block entry."""
    return (degree(fmap) + 1) ** order


# ----------------------------------------------------------------- float64 CSR (numeric.lifted_map)


@pytest.mark.clause("LIFT-1", "LIFT-2")
@given(case=float_maps())
def test_csr_lifted_map_equals_the_oracle(case):
    """Path: carleman.numeric.lifted_map (float64 CSR assembly by kron_csr) vs exact.lifted_map_exact.
    m = 2N + (q+1)^N: N roundings of 1 + f_1, N − 1 products, one addition per further composition."""
    n, order, fmap, fexact, dyadic = case
    d = lifted_dimension(n, order)
    m, c = lifted_map(fmap, n, order)
    want_m, want_c = exact.lifted_map_exact(fexact, n, order)
    scale_m, scale_c = exact.lifted_map_exact(abs_factor_map(fexact, n), n, order)
    assert m.shape == (d, d)
    rounds = 2 * order + compositions_bound(fmap, order)
    assert_within(m.toarray(), dense(want_m, d, d), dense(scale_m, d, d), rounds, exact_inputs=dyadic)
    assert_within(c, dense(want_c, d), dense(scale_c, d), order, exact_inputs=dyadic)


# ----------------------------------------------------------------- continuous (numeric.continuous_matrix)


@pytest.mark.clause("LIFT-3")
@given(case=float_maps())
def test_continuous_matrix_equals_the_oracle(case):
    """Path: carleman.numeric.continuous_matrix (A_N, a) vs exact.continuous_map_exact. An entry of A_N sums
    at most N copies of entries of G (m = N); a = (G_0, 0, …) is copied, so it must be exact."""
    n, order, gmap, gexact, dyadic = case
    d = lifted_dimension(n, order)
    a, a0 = continuous_matrix(gmap, n, order)
    want_a, want_a0 = exact.continuous_map_exact(gexact, n, order)
    scale_a, _ = exact.continuous_map_exact({ell: np.abs(g) for ell, g in gexact.items()}, n, order)
    assert_within(a.toarray(), dense(want_a, d, d), dense(scale_a, d, d), order, exact_inputs=dyadic)
    assert list(exact_of(a0)) == list(dense(want_a0, d).ravel())


# ----------------------------------------------------------------- matrix-free (operator.LiftedMapOperator)


def _operator_check(fmap, fexact, n, order, x, dyadic):
    d = lifted_dimension(n, order)
    op = LiftedMapOperator(fmap, n, order)
    want_m, want_c = exact.lifted_map_exact(fexact, n, order)
    scale_m, scale_c = exact.lifted_map_exact(abs_factor_map(fexact, n), n, order)
    mm, ss = dense(want_m, d, d), dense(scale_m, d, d)
    xe = exact_of(x)
    # a row sums ≤ (q+1)^N terms of ≤ n^N entries each, every one a product of ≤ N + 1 factors
    rounds = 2 * order + 1 + compositions_bound(fmap, order) * n**order
    assert_within(op.matvec(x), mm.dot(xe), ss.dot(np.abs(xe)), rounds, exact_inputs=dyadic)
    assert_within(op.rmatvec(x), mm.T.dot(xe), ss.T.dot(np.abs(xe)), rounds, exact_inputs=dyadic)
    assert_within(op.constant, dense(want_c, d), dense(scale_c, d), order, exact_inputs=dyadic)


@pytest.mark.clause("LIFT-2")
@given(case=float_maps(), data=st.data())
def test_matrix_free_operator_equals_the_oracle(case, data):
    """Path: carleman.operator.LiftedMapOperator matvec (M_N x), rmatvec (M_Nᵀ x) and constant vs the exact
    M_N of exact.lifted_map_exact applied to the same x in rationals."""
    n, order, fmap, fexact, dyadic = case
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed of x"))
    d = lifted_dimension(n, order)
    x = rng.integers(-16, 17, size=d) / 16 if dyadic else rng.normal(size=d)
    _operator_check(fmap, fexact, n, order, x, dyadic)


@pytest.mark.clause("LIFT-2")
@pytest.mark.parametrize("panel", [1, 3])
def test_matrix_free_panel_path_equals_the_oracle(monkeypatch, panel):
    """Path: the blocked two-factor apply of LiftedMapOperator (tiny panels force many panels and a ragged
    last one, n = 4 not a multiple of 3) vs the oracle, on dyadic data (exact) and on generic data."""
    import qsgd_ref.carleman.operator as operator

    monkeypatch.setattr(operator, "_PANEL", panel)
    monkeypatch.setattr(operator, "_PANEL_MIN", 0)
    rng = np.random.default_rng(panel)
    n, order = 4, 3
    d = lifted_dimension(n, order)
    for dyadic in (True, False):
        draw = (lambda s: rng.integers(-8, 9, size=s) / 8) if dyadic else (lambda s: rng.normal(scale=0.5, size=s))
        fmap = {0: draw(n), 1: draw((n, n)), 2: draw((n, n * n))}
        x = rng.integers(-16, 17, size=d) / 16 if dyadic else rng.normal(size=d)
        _operator_check(fmap, {ell: exact_of(a) for ell, a in fmap.items()}, n, order, x, dyadic)


# ----------------------------------------------------------------- monomial basis (monomial.compress)


def exact_compressed(m: np.ndarray, c: np.ndarray, n: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    """P M S and P c of LIFT-4 literally, in rationals: S copies each monomial to every position holding it,
    P averages over those positions; monomials level by level, each level in the lexicographic order of
    itertools.combinations_with_replacement."""
    monos = [mono for j in range(1, order + 1) for mono in itertools.combinations_with_replacement(range(n), j)]
    rank = {mono: i for i, mono in enumerate(monos)}
    off = level_offsets(n, order)
    s = np.full((off[-1], len(monos)), Fraction(0), dtype=object)
    for j in range(1, order + 1):
        for p in range(n**j):
            s[off[j - 1] + p, rank[tuple(sorted(multi_index(p, n, j)))]] = Fraction(1)
    counts = s.sum(axis=0)
    p_avg = np.array([[s[r, i] / counts[i] for r in range(off[-1])] for i in range(len(monos))], dtype=object)
    return p_avg.dot(m).dot(s), p_avg.dot(c)


@pytest.mark.clause("LIFT-4")
@settings(max_examples=examples(25))  # 100 under thorough: one example costs ~0.3 s there
@given(case=float_maps(max_n=3, max_order=3))
def test_compressed_matrix_equals_the_oracle_compressed_exactly(case):
    """Path: carleman.monomial.compressed_matrix (rows of one position per monomial times S, on the float CSR
    M_N) vs P_j B_jk S_k built from exact.lifted_map_exact in rationals. S adds ≤ N! positions of an entry
    that is itself within 2N + (q+1)^N roundings: m = 2N + (q+1)^N + N!."""
    n, order, fmap, fexact, dyadic = case
    d = lifted_dimension(n, order)
    mc, cc = compressed_matrix(fmap, n, order)
    want_m, want_c = exact.lifted_map_exact(fexact, n, order)
    scale_m, scale_c = exact.lifted_map_exact(abs_factor_map(fexact, n), n, order)
    emc, ecc = exact_compressed(dense(want_m, d, d), dense(want_c, d), n, order)
    smc, scc = exact_compressed(dense(scale_m, d, d), dense(scale_c, d), n, order)
    assert mc.shape == emc.shape == (math.comb(n + order, order) - 1,) * 2
    rounds = 2 * order + compositions_bound(fmap, order) + math.factorial(order)
    assert_within(mc.toarray(), emc, smc, rounds, exact_inputs=dyadic)
    assert_within(cc, ecc, scc, order, exact_inputs=dyadic)
    # compress() of the oracle's own M_N (dyadic: exactly representable) is the same exact P M S
    if dyadic:
        m_float = np.array([[float(v) for v in row] for row in dense(want_m, d, d)])
        c_float = np.array([float(v) for v in dense(want_c, d).ravel()])
        mc2, cc2 = compress(m_float, c_float, n, order)
        assert_within(mc2.toarray(), emc, smc, 0, exact_inputs=True)
        assert_within(cc2, ecc, scc, 0, exact_inputs=True)


# ----------------------------------------------------------------- exact integers (integer.integer_step)


@st.composite
def rational_maps(draw, max_n=2, max_q=3, max_order=3):
    n = draw(st.integers(1, max_n), label="n")
    q = draw(st.integers(0, max_q), label="degree q")
    order = draw(st.integers(1, max_order), label="order N")
    entries = st.fractions(min_value=-1, max_value=1, max_denominator=30)
    fmap = {}
    for ell in range(q + 1):
        if draw(st.booleans(), label=f"F_{ell} present"):
            size = n * n**ell
            a = np.array(draw(st.lists(entries, min_size=size, max_size=size), label=f"F_{ell}"), dtype=object)
            fmap[ell] = a if ell == 0 else a.reshape(n, n**ell)
    return n, order, fmap


def _integer_check(fmap, n, order):
    d = lifted_dimension(n, order)
    step = integer_step({ell: ExactMatrix.from_dense(a) for ell, a in fmap.items()}, n, order)
    want_m, want_c = exact.lifted_map_exact(fmap, n, order)
    got_m = {(r, s): Fraction(int(step.Z[r, s]), step.L) for r in range(d) for s in range(d) if step.Z[r, s] != 0}
    got_c = {(r, 0): Fraction(v, step.L) for r, v in enumerate(step.c) if v != 0}
    assert got_m == want_m
    assert got_c == want_c
    return step


@pytest.mark.clause("LIFT-1", "LIFT-2")
@given(case=rational_maps())
def test_integer_step_equals_the_oracle(case):
    """Path: carleman.integer.integer_step (recursion B_jk = Σ_ℓ H_ℓ ⊗ B_{j−1,k−ℓ} over the integers, int64
    path) vs exact.lifted_map_exact: Z/d^N = M_N and c_Z/d^N = c entry by entry, exactly."""
    n, order, fmap = case
    _integer_check(fmap, n, order)


@pytest.mark.clause("LIFT-1", "LIFT-2")
def test_integer_step_with_huge_denominators_equals_the_oracle():
    """Path: integer_step's Python-integer path (denominators near 10^10 push d^N past 2^62) vs the oracle."""
    n, order = 2, 3
    g = {
        0: ["1/9999999967", "-2/9999999943"],
        1: [["-1/3", "7/9999999929"], ["0", "-2/7"]],
        2: [["1/9999999967", "0", "-1/11", "0"], ["0", "3/13", "0", "1/9999999943"]],
    }
    fmap = {ell: np.vectorize(Fraction, otypes=[object])(np.array(a, dtype=object)) for ell, a in g.items()}
    step = _integer_check(fmap, n, order)
    assert step.L > 2**62


# ----------------------------------------------------------------- SymPy instantiation (symbolic.blocks)


@pytest.mark.clause("LIFT-1", "LIFT-2", "REF-1")
@given(case=rational_maps(max_n=3, max_q=3, max_order=3), data=st.data())
def test_integer_levels_equal_the_oracle(case, data):
    """IntegerLevels (Z y + c y_0 level by level, Z never formed) against the oracle's M_N y + c y_0 in
    Fractions, for an integer y and level-0 value y_0: exactly, after division by L = d^N."""
    n, order, fmap = case
    emap = {ell: ExactMatrix.from_dense(a) for ell, a in fmap.items()}
    step = IntegerLevels(emap, n, order)
    d = lifted_dimension(n, order)
    y = data.draw(st.lists(st.integers(-10**6, 10**6), min_size=d, max_size=d), label="integer lifted vector y")
    y0 = data.draw(st.integers(1, 2**40), label="level-0 value y_0")
    off = level_offsets(n, order)
    levels = {0: np.array([y0], dtype=object)}
    for j in range(1, order + 1):
        levels[j] = np.array(y[off[j - 1]:off[j]], dtype=object)
    got = [Fraction(int(x), step.L) for out in step.apply(levels) for x in out]
    m, c = exact.lifted_map_exact(fmap, n, order)
    want = [Fraction(0)] * d
    for (r, s_), v in m.items():
        want[r] += v * y[s_]
    for (r, _), v in c.items():
        want[r] += v * y0
    assert got == want


@pytest.mark.clause("LIFT-1", "ETA-1")
@given(case=rational_maps(max_n=2, max_q=3, max_order=1), data=st.data())
def test_symbolic_instantiation_equals_the_oracle(case, data):
    """Path: carleman.symbolic.blocks.instantiate_block (the SymPy term list of B_jk on concrete Fraction
    matrices) vs exact.block, exactly, for every column k ≤ q·j of a drawn row j."""
    n, _, fmap = case
    q = degree(fmap)
    j = data.draw(st.integers(1, 3), label="level j")
    mats = {"I": exact.exact_factors({}, n)[1]}
    for ell in range(q + 1):
        a = fmap.get(ell, np.full(n * n**ell, Fraction(0), dtype=object))
        mats[f"F{ell}"] = np.asarray(a, dtype=object).reshape(n, n**ell)
    for k in range(q * j + 1):
        got, want = instantiate_block(q, j, k, mats), exact.block(fmap, n, j, k)
        assert got.shape == want.shape == (n**j, n**k)
        assert all(a == b for a, b in zip(got.ravel(), want.ravel(), strict=True)), (j, k)
