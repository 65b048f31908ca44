"""Tests of the symmetric-monomial (compressed) basis, clause LIFT-4."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
import scipy.sparse as sp
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.carleman.monomial import (
    averager,
    compress,
    compressed_dimension,
    compressed_matrix,
    lift_maps,
    symmetrizer,
)
from qsgd_ref.carleman.numeric import lifted_map


@st.composite
def problems(draw):
    n = draw(st.integers(1, 3), label="n")
    order = draw(st.integers(1, 3), label="order N")
    q = draw(st.integers(1, 3), label="degree q")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    fmap = {ell: rng.normal(scale=0.3, size=(n,) if ell == 0 else (n, n**ell)) for ell in range(q + 1)}
    return n, order, fmap


@pytest.mark.clause("LIFT-4")
@pytest.mark.parametrize(("n", "order"), [(1, 4), (2, 3), (3, 3), (4, 2)])
def test_dimension_and_monomial_count(n, order):
    s, p = lift_maps(n, order)
    assert s.shape[1] == compressed_dimension(n, order) == comb(n + order, order) - 1
    for j in range(1, order + 1):
        assert symmetrizer(n, j).shape == (n**j, comb(n + j - 1, j))
    # P S = I up to rounding of 1/multiplicity summed multiplicity times
    assert_close(p @ s, np.eye(s.shape[1]), eps_units=8, what=f"P S = I (n = {n}, N = {order})")


@pytest.mark.clause("LIFT-4")
def test_symmetrizer_against_explicit_monomials():
    """S_j m puts u_{i_1}…u_{i_j} at every position (independently from itertools)."""
    n, j = 3, 3
    u = np.array([2.0, 3.0, 5.0])
    monos = list(itertools.combinations_with_replacement(range(n), j))  # lexicographic
    m = np.array([np.prod(u[list(mono)]) for mono in monos])
    assert np.array_equal(symmetrizer(n, j) @ m, lifted_initial(u, j)[n + n**2:])
    assert_close(averager(n, j) @ lifted_initial(u, j)[n + n**2:], m, eps_units=4, scale=np.abs(m),
                 what="averaged u^{⊗3} against the monomials")


@pytest.mark.clause("LIFT-4")
@given(case=problems())
def test_compressed_matrix_maps_back_to_m_n_on_symmetric_vectors(case):
    """S M^c P x = M_N x for every symmetric x = S m (the test that catches dropped terms)."""
    n, order, fmap = case
    m, c = lifted_map(fmap, n, order)
    mc, cc = compressed_matrix(fmap, n, order)
    s, p = lift_maps(n, order)
    assert mc.shape == (s.shape[1], s.shape[1])
    rng = np.random.default_rng(order)
    x = s @ rng.normal(size=s.shape[1])  # a generic symmetric vector, not a tensor power
    lhs, rhs = s @ (mc @ (p @ x)), m @ x
    assert_close(lhs, rhs, eps_units=256, scale=np.abs(m) @ np.abs(x) + 1e-300, what="S M^c P x against M_N x")
    # a second construction: the average over all positions, P M S
    avg = (p @ m @ s).toarray()
    assert_close(mc, avg, eps_units=256, scale=1 + np.abs(avg).max(), what="M^c against P M_N S")
    # c = F_0^{⊗j} is symmetric up to the rounding of products taken in different orders
    assert_close(s @ cc, c, eps_units=8, scale=np.abs(c), what="S c^c against c")


@pytest.mark.clause("LIFT-4")
@given(case=problems())
def test_monomial_iteration_tracks_the_lifted_iteration(case):
    n, order, fmap = case
    m, c = lifted_map(fmap, n, order)
    mc, cc = compressed_matrix(fmap, n, order)
    s, p = lift_maps(n, order)
    y = lifted_initial(np.linspace(-0.4, 0.5, n), order)
    mono = p @ y
    for t in range(1, 5):
        y, mono = m @ y + c, mc @ mono + cc
        assert_close(s @ mono, y, tol=1e-12, scale=1 + np.abs(y).max(), what=f"S (monomial iterate at t = {t}) against ŷ({t})")


@pytest.mark.clause("LIFT-4")
def test_assigning_instead_of_adding_is_caught():
    """The peer-library bug: writing each position's coefficient into its monomial column by
    assignment keeps only the last of u_0u_1 and u_1u_0, and the round trip detects it."""
    n, order = 2, 2
    f2 = np.array([[0.0, 0.3, 0.5, 0.0], [0.2, 0.0, 0.0, 0.1]])  # both (0,1) and (1,0) present
    m, c = lifted_map({1: np.array([[-0.2, 0.1], [0.0, -0.3]]), 2: f2}, n, order)
    s, p = lift_maps(n, order)
    rank = sp.coo_matrix(s).tocsr()  # tensor position -> monomial column
    good, _ = compress(m, c, n, order)
    bad = np.zeros(good.shape)
    rows = [0, 1, 2, 3, 5]  # one position per monomial: u0, u1, u0u0, u0u1, u1u1
    md = m.toarray()
    for r_out, r in enumerate(rows):
        for col in range(md.shape[1]):
            if md[r, col] != 0:
                bad[r_out, rank[col].indices[0]] = md[r, col]  # assignment: the bug
    x = s @ np.array([0.4, -0.3, 0.16, -0.12, 0.09])
    assert_close(s @ (good @ (p @ x)), m @ x, eps_units=16, what="compress() round trip")
    assert np.abs(s @ (bad @ (p @ x)) - m @ x).max() > 1e-3
