"""Tests of the Eq. 6 linear system (qsgd_ref.system.eq6): clauses SYS-1, SYS-2, SYS-3."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import lifted_dimension, lifted_initial
from qsgd_ref.carleman import exact
from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.problem import make_problem
from qsgd_ref.system.eq6 import condition_number, eq6_system, solve_direct, solve_forward


def _frac_matrix(rng, shape, scale_den):
    return np.array([Fraction(int(v), scale_den) for v in rng.integers(-8, 9, size=int(np.prod(shape)))],
                    dtype=object).reshape(shape)


@st.composite
def eq6_problems(draw):
    n = draw(st.integers(1, 2), label="n")
    order = draw(st.integers(1, 3), label="order N")
    steps = draw(st.integers(0, 6), label="steps T")
    per_step = draw(st.booleans(), label="time-dependent maps")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)

    def one_map():
        # entries k/64 with |k| ≤ 8: a contraction-sized, exactly representable map
        return {0: _frac_matrix(rng, (n,), 64), 1: _frac_matrix(rng, (n, n), 64), 2: _frac_matrix(rng, (n, n * n), 64)}

    u0 = _frac_matrix(rng, (n,), 16)
    if per_step and steps > 0:
        return make_problem(F_steps=[one_map() for _ in range(steps)], u0=u0, steps=steps, order=order)
    return make_problem(F=one_map(), u0=u0, steps=steps, order=order)


def exact_blocks(problem):
    """ŷ(t), t = 0…T, from the oracle: the exact lifted iteration of qsgd_ref.carleman.exact in Fractions."""
    return np.array([[float(v) for v in y] for y in exact.lifted_iteration(problem, Fraction)])


@pytest.mark.clause("SYS-1")
@given(problem=eq6_problems(), idle=st.integers(0, 3))
def test_l_and_b_have_the_stated_block_structure(problem, idle):
    system = eq6_system(problem, idle)
    big, b = system.matrix, system.rhs
    T, d = problem.steps, lifted_dimension(problem.n, problem.order)
    assert big.shape == ((T + 1 + idle) * d,) * 2
    dense = big.toarray()
    assert np.array_equal(np.tril(dense), dense) and np.all(np.diag(dense) == 1.0)  # det L = 1
    for t in range(1, T + 1 + idle):
        m = lifted_map(problem.float_map_at(t - 1), problem.n, problem.order)[0].toarray() if t <= T else np.eye(d)
        assert np.array_equal(dense[t * d:(t + 1) * d, (t - 1) * d:t * d], -m)
        off = dense[t * d:(t + 1) * d].copy()
        off[:, (t - 1) * d:(t + 1) * d] = 0
        assert not off.any()
    assert np.array_equal(b[:d], lifted_initial(problem.u0_float(), problem.order))
    for t in range(1, T + 1):
        assert np.array_equal(b[t * d:(t + 1) * d], lifted_map(problem.float_map_at(t - 1), problem.n, problem.order)[1])
    assert not b[(T + 1) * d:].any()


@pytest.mark.clause("SYS-2")
@given(problem=eq6_problems(), idle=st.integers(0, 2))
def test_solution_blocks_are_the_iterated_lifted_vectors(problem, idle):
    """Paths: system.eq6 forward substitution (CSR and matrix-free) and the direct sparse solve vs the oracle's
    exact lifted iteration, read in float64."""
    exact = exact_blocks(problem)
    system = eq6_system(problem, idle)
    fwd = solve_forward(problem, idle)
    free = solve_forward(problem, idle, matrix_free=True)
    direct = solve_direct(system).reshape(fwd.shape)
    expected = np.vstack([exact] + [exact[-1:]] * idle)
    # ≤ 6 steps of a map with entries ≤ 1/8 from O(1) data: a few hundred ulps absolutely
    for how, got in (("forward substitution", fwd), ("matrix-free forward", free), ("sparse direct solve", direct)):
        assert_close(got, expected, eps_units=512, scale=1 + np.abs(expected).max(), what=f"ŷ(t) blocks by {how}")
    assert np.array_equal(fwd[problem.steps + 1:], np.repeat(fwd[problem.steps:problem.steps + 1], idle, axis=0))


@pytest.mark.clause("SYS-2", "MAP-3")
def test_time_dependent_maps_use_the_map_of_each_step():
    """With F_1(t) = −t/8 (scalar, F_0 = F_2 = 0) ŷ_1(T) = u0 ∏_t (1 − t/8) exactly."""
    steps = 5
    maps = [{1: [[Fraction(-t, 8)]]} for t in range(steps)]
    problem = make_problem(F_steps=maps, u0=[Fraction(1, 2)], steps=steps, order=2)
    fwd = solve_forward(problem)
    expect_u = Fraction(1, 2)
    for t in range(steps):
        expect_u *= 1 - Fraction(t, 8)
        assert fwd[t + 1, 0] == float(expect_u)  # dyadic: exact in binary
        assert fwd[t + 1, 1] == float(expect_u**2)


@pytest.mark.clause("SYS-3")
@pytest.mark.parametrize("steps", [3, 40])
def test_condition_number_exact_and_estimate_agree(steps):
    rng = np.random.default_rng(steps)
    n = 2
    f1 = np.array([[Fraction(int(v), 16) for v in row] for row in rng.integers(-4, 1, size=(n, n))], dtype=object)
    f2 = np.array([[Fraction(int(v), 32) for v in row] for row in rng.integers(-2, 3, size=(n, n * n))], dtype=object)
    problem = make_problem(F={1: f1, 2: f2}, u0=[Fraction(1, 4), Fraction(-1, 8)], steps=steps, order=2)
    big = eq6_system(problem, idle=2).matrix
    k_exact, how_exact = condition_number(big).value, condition_number(big).method
    est = condition_number(big, exact_max_dim=10)
    k_est, how_est = est.value, est.method
    assert how_exact == "dense SVD" and how_est.startswith("estimate")
    # an independent exact value: σ_max / σ_min from the eigenvalues of LᵀL
    ev = np.linalg.eigvalsh(big.toarray().T @ big.toarray())
    assert_close(k_exact, np.sqrt(ev[-1] / ev[0]), tol=1e-6, scale=k_exact, what="exact κ(L) against eig(LᵀL)")
    assert_close(k_est, k_exact, tol=1e-4, scale=k_exact, what="estimated κ(L)")


@pytest.mark.clause("SYS-3")
def test_condition_number_of_an_uncoupled_system_is_one():
    problem = make_problem(F={1: [[Fraction(-1)]]}, u0=[Fraction(1)], steps=4, order=1)  # M_N = 0
    system = eq6_system(problem)
    assert_close(condition_number(system).value, 1.0, eps_units=8, what="κ(L) of an uncoupled system")
    assert sp.issparse(system.matrix)


@pytest.mark.clause("SYS-1")
def test_bad_idle_is_refused():
    problem = make_problem(F={1: [[Fraction(-1, 2)]]}, u0=[Fraction(1)], steps=2, order=1)
    with pytest.raises(InputError, match="idle"):
        eq6_system(problem, idle=-1)
    with pytest.raises(InputError, match="idle"):
        solve_forward(problem, idle=True)
