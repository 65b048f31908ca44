"""Tests of the float64 Carleman engine (qsgd_ref.carleman.numeric): its kernels against numpy, its input
handling, its iteration against the exact one, and its index order; the assembled M_N, A_N and the
matrix-free operator are checked against the exact builder in tests/test_lift_oracle.py."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.carleman import exact
from qsgd_ref.carleman.kernels import matmul_add, private_kernel_available
from qsgd_ref.carleman.numeric import continuous_matrix, kron_csr, lifted_map
from qsgd_ref.problem import load_problem, make_problem

CHECKS = Path(__file__).parent / "data" / "checks"


@st.composite
def small_maps(draw, max_n=3, max_q=3, max_order=3):
    n = draw(st.integers(1, max_n), label="n")
    q = draw(st.integers(0, max_q), label="degree q")
    order = draw(st.integers(1, max_order), label="order N")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    fmap = {}
    for ell in range(q + 1):
        if draw(st.booleans(), label=f"F_{ell} present"):
            shape = (n,) if ell == 0 else (n, n**ell)
            a = rng.normal(scale=0.5, size=shape)
            a[rng.random(shape) < 0.3] = 0.0  # some structural zeros
            fmap[ell] = a
    return n, order, fmap


@pytest.mark.clause("LIFT-2")
@given(case=small_maps(max_n=2, max_q=3, max_order=3))
def test_sparse_and_dense_inputs_agree_exactly(case):
    n, order, fmap = case
    sparse_map = {ell: (sp.csr_matrix(a) if ell else a) for ell, a in fmap.items()}
    m1, c1 = lifted_map(fmap, n, order)
    m2, c2 = lifted_map(sparse_map, n, order)
    assert (m1 != m2).nnz == 0 and np.array_equal(c1, c2)


class _CountingCSR(sp.csr_matrix):
    """A CSR matrix that counts its ``@`` products: matmul_add's public path, not its private kernel."""

    products = 0

    def __matmul__(self, other):
        self.products += 1
        return super().__matmul__(other)


@pytest.mark.clause("LIFT-2")
@pytest.mark.parametrize("allow_private", [True, False])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_matmul_add_uses_the_private_kernel_exactly_when_it_says(allow_private, layout):
    """y += m @ x by either path, and the private kernel runs iff allowed, available and y is C-contiguous."""
    rng = np.random.default_rng(5)
    m = _CountingCSR(sp.random(7, 5, density=0.4, random_state=rng, format="csr"))
    x = rng.normal(size=(5, 3))
    y0 = np.asarray(rng.normal(size=(7, 3)), order=layout)
    y = y0.copy(order=layout)
    matmul_add(m, x, y, allow_private=allow_private)
    want = y0 + m.toarray() @ x
    assert_close(y, want, tol=1e-14, scale=np.abs(want), atol=1e-14, what="y + M x by matmul_add")
    private = allow_private and layout == "C" and private_kernel_available()
    assert m.products == (0 if private else 1)


@st.composite
def kron_operands(draw):
    ma, na = draw(st.integers(1, 4), label="rows of A"), draw(st.integers(1, 4), label="cols of A")
    mb, nb = draw(st.integers(1, 4), label="rows of B"), draw(st.integers(1, 4), label="cols of B")
    return ma, na, mb, nb, draw(st.integers(0, 2**32 - 1), label="seed")


@pytest.mark.clause("LIFT-2")
@given(dims=kron_operands())
def test_kron_csr_equals_numpy_kron(dims):
    """Ragged row counts (including empty rows) exercise both write paths of kron_csr."""
    ma, na, mb, nb, seed = dims
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(ma, na)) * (rng.random((ma, na)) < 0.5)
    b = rng.normal(size=(mb, nb)) * (rng.random((mb, nb)) < 0.5)
    got = kron_csr(sp.csr_matrix(a), sp.csr_matrix(b))
    assert np.array_equal(got.toarray(), np.kron(a, b))


@pytest.mark.clause("LIFT-2")
def test_kron_csr_scatter_path_for_many_runs(monkeypatch):
    import qsgd_ref.carleman.numeric as numeric

    monkeypatch.setattr(numeric, "_MAX_RUNS", 1)  # force the grouped scatter path
    rng = np.random.default_rng(5)
    a = rng.normal(size=(7, 5)) * (rng.random((7, 5)) < 0.5)
    b = rng.normal(size=(3, 4)) * (rng.random((3, 4)) < 0.6)
    assert np.array_equal(kron_csr(sp.csr_matrix(a), sp.csr_matrix(b)).toarray(), np.kron(a, b))


@st.composite
def exact_quadratic_maps(draw):
    n = draw(st.integers(1, 2), label="n")
    order = draw(st.integers(1, 3), label="order N")
    size = n + n * n + n**3
    coeffs = draw(st.lists(st.fractions(-1, 1, max_denominator=16), min_size=size, max_size=size), label="coefficients")
    u0 = draw(st.lists(st.fractions(-1, 1, max_denominator=8), min_size=n, max_size=n), label="u0")
    return n, order, coeffs, u0


@pytest.mark.clause("LIFT-2")
@given(case=exact_quadratic_maps())
def test_float_iteration_matches_exact_fraction_iteration(case):
    n, order, coeffs, u0 = case
    f0 = np.array([c / 20 for c in coeffs[:n]], dtype=object)
    f1 = np.array([-Fraction(1, 4) + c / 8 for c in coeffs[n:n + n * n]], dtype=object).reshape(n, n)
    f2 = np.array([c / 8 for c in coeffs[n + n * n:]], dtype=object).reshape(n, n * n)
    exact_map = {0: f0, 1: f1, 2: f2}
    steps = 6
    problem = make_problem(F=exact_map, u0=list(u0), steps=steps, order=order)
    exact_y = [y[:n] for y in exact.lifted_iteration(problem, Fraction)]  # the oracle's ŷ_1(t) in rationals
    m, c = lifted_map({k: v.astype(float) for k, v in exact_map.items()}, n, order)
    y = lifted_initial(np.array(u0, dtype=float), order)
    # entries are O(1) and M_N has small norm: 6 steps lose at most a few hundred ulps absolutely
    for t in range(steps + 1):
        assert_close(y[:n], np.array(exact_y[t], dtype=float), eps_units=512, what=f"float ŷ_1({t}) against Fractions")
        y = m @ y + c


@pytest.mark.clause("MAP-1", "LIFT-1")
def test_index_order_is_numpy_kron_for_non_symmetric_f2():
    """A non-symmetric F_2 makes the index order observable in M_N: our blocks must be the explicit
    tensor-index formula (row-major, numpy.kron) and must differ from the column-major reading."""
    n = 2
    t = np.arange(1, n**3 + 1, dtype=float).reshape(n, n, n) / 10  # T[i, a, b], not symmetric in (a, b)
    f1 = np.array([[-0.3, 0.1], [0.2, -0.4]])
    row_major = t.reshape(n, n * n)  # F2[i, a n + b] = T[i, a, b]
    col_major = t.transpose(0, 2, 1).reshape(n, n * n)  # F2[i, a + n b] = T[i, a, b]
    m, _ = lifted_map({1: f1, 2: row_major}, n, 3)
    h1 = np.eye(n) + f1
    b23 = m.toarray()[n:n + n**2, n + n**2:].reshape(n, n, n, n, n)
    expect = np.einsum("ia,jbc->ijabc", h1, t) + np.einsum("iab,jc->ijabc", t, h1)
    assert_close(b23, expect, eps_units=8, what="block B_23 against the tensor-index formula")
    m_col, _ = lifted_map({1: f1, 2: col_major}, n, 3)
    assert np.abs(m_col.toarray() - m.toarray()).max() > 0.05
    # both readings agree on rank-one (tensor-power) inputs, which is why the trap is silent
    y0 = lifted_initial([0.3, -0.7], 3)
    assert_close((m @ y0)[:n], (m_col @ y0)[:n], eps_units=8, what="row- and column-major M_N on a tensor power")


@pytest.mark.clause("LIFT-2")
def test_lifted_initial_is_the_tensor_powers():
    u = np.array([0.5, -2.0, 3.0])
    y = lifted_initial(u, 3)
    assert len(y) == 3 + 9 + 27
    assert y[3 + 1 * 3 + 2] == u[1] * u[2]  # (i1, i2) = (1, 2) at row-major position 1·3 + 2
    assert y[12 + 2 * 9 + 0 * 3 + 1] == u[2] * u[0] * u[1]


@pytest.mark.clause("LIFT-3", "LIFT-2")
def test_discrete_matrix_tends_to_continuous_as_step_shrinks():
    """(M_N(ηG) − I)/η = A_N + O(η): the η-expansion of LIFT-1 at first order."""
    rng = np.random.default_rng(3)
    n, order = 2, 3
    g = {0: rng.normal(size=n), 1: rng.normal(size=(n, n)), 2: rng.normal(size=(n, n * n))}
    a, _ = continuous_matrix(g, n, order)
    errs = []
    for eta in (1e-2, 1e-3):
        m, _ = lifted_map({k: eta * v for k, v in g.items()}, n, order)
        errs.append(np.abs(((m - sp.identity(m.shape[0])) / eta - a).toarray()).max())
    assert errs[1] < errs[0] / 5  # first-order convergence (ratio ≈ 10)


@pytest.mark.clause("LIFT-2")
@pytest.mark.parametrize("name", ["p1-quadratic-forced", "p2-scalar-cubic"])
def test_shared_check_cases(name):
    """Float iteration of M_N reproduces the independent 50-digit ŷ_1(t) to ~1e-13 relative."""
    problem = load_problem(CHECKS / "problems" / f"{name}.json")
    expected = json.loads((CHECKS / "expected" / f"{name}.json").read_text())["carleman"]
    m, c = lifted_map(problem.float_map_at(0), problem.n, problem.order)
    y = lifted_initial(problem.u0_float(), problem.order)
    for t in range(problem.steps + 1):
        ref = np.array([float(s) for s in expected[t]])
        assert_close(y[:problem.n], ref, tol=1e-13, scale=np.abs(ref).max(), what=f"{name}: ŷ_1({t}) of M_N")
        y = m @ y + c


@pytest.mark.clause("LIFT-2")
def test_bad_input_is_refused_naming_the_field():
    with pytest.raises(InputError, match="order"):
        lifted_map({1: np.zeros((2, 2))}, 2, 0)
    with pytest.raises(InputError, match=r"F\.2"):
        lifted_map({2: np.zeros((2, 3))}, 2, 2)
    with pytest.raises(InputError, match=r"F\.1"):
        lifted_map({1: np.array([[np.nan, 0], [0, 0]])}, 2, 1)
    with pytest.raises(InputError, match="order"):
        lifted_map({1: np.zeros((10, 10))}, 10, 12)  # lifted dimension beyond the budget
