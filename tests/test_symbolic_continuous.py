"""Continuous Carleman blocks (LIFT-3) and the continuous limit of the discrete map (ETA-2)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from qsgd_ref.carleman.symbolic.blocks import element_symbols, eta, instantiate_block, instantiate_term
from qsgd_ref.carleman.symbolic.continuous import continuous_block_expr, continuous_limit_block, continuous_limit_holds
from qsgd_ref.carleman.symbolic.terms import block_terms, continuous_terms


@pytest.mark.clause("ETA-2")
@pytest.mark.parametrize("q,N", [(1, 3), (2, 3), (3, 3), (4, 4)])
def test_matrix_symbol_limit(q, N):
    assert continuous_limit_holds(q, N)


@pytest.mark.clause("ETA-2", "LIFT-3")
def test_limit_on_element_symbols():
    """n = 2, q = 2, N = 2: entrywise sympy.limit of (M_N − I)/η with F = ηG equals A_N built by hand."""
    n, q = 2, 2
    G = element_symbols(n, q, name="g")
    F = {lab: (m if lab == "I" else m * eta) for lab, m in G.items()}
    I2 = np.eye(n, dtype=int).astype(object)
    # A_N by hand from the ODE du/dt = G0 + G1 u + G2 u⊗u (Liu et al. Carleman blocks)
    hand = {
        (1, 1): G["F1"],
        (1, 2): G["F2"],
        (2, 1): np.kron(I2, G["F0"].reshape(n, 1)) + np.kron(G["F0"].reshape(n, 1), I2),
        (2, 2): np.kron(I2, G["F1"]) + np.kron(G["F1"], I2),
    }
    for (j, k), A in hand.items():
        B = instantiate_block(q, j, k, F)
        delta = np.eye(n**j, dtype=int) if j == k else 0
        scaled = (B - delta) / eta
        lim = np.vectorize(lambda e: sp.limit(sp.expand(e), eta, 0), otypes=[object])(scaled)
        assert all(sp.expand(a - b) == 0 for a, b in zip(lim.ravel(), A.ravel())), (j, k)
        cont = sum(instantiate_term(t, G) for t in continuous_terms(q, j, k))
        assert all(sp.expand(a - b) == 0 for a, b in zip(cont.ravel(), A.ravel())), (j, k)
    # (M_N − I)/η − A_N = O(η): the remainder divided by η stays finite and is nonzero for (2,2)
    B22 = instantiate_block(q, 2, 2, F)
    rem = (B22 - np.eye(4, dtype=int)) / eta - hand[(2, 2)]
    assert any(sp.limit(sp.expand(e / eta), eta, 0) != 0 for e in rem.ravel())
    # constant: lim c/η = (G0, 0)
    c1 = instantiate_block(q, 1, 0, F) / eta
    c2 = instantiate_block(q, 2, 0, F) / eta
    assert all(sp.limit(a, eta, 0) == b for a, b in zip(c1.ravel(), G["F0"].ravel()))
    assert all(sp.limit(a, eta, 0) == 0 for a in c2.ravel())


@pytest.mark.clause("LIFT-3")
@pytest.mark.parametrize("q,j,k", list(itertools.product((1, 2, 3), (1, 2, 3), range(0, 6))))
def test_continuous_terms_one_factor(q, j, k):
    terms = continuous_terms(q, j, k)
    for t in terms:
        assert t.eta_order == 1 and t.column == k and t.level == j
    ell = k - j + 1
    expected = j if (0 <= ell <= q and (k > 0 or j == 1)) else 0
    assert len(terms) == expected
    # the η¹ part of the discrete block is exactly this set (for k ≥ 1, or j = 1)
    if k >= 1 or j == 1:
        assert {t for t in block_terms(q, j, k) if t.eta_order == 1} == set(terms)


@pytest.mark.clause("ETA-2")
def test_limit_block_expr_q2():
    """The difference of the two matrix expressions simplifies to zero; no limit survives above k = j+1."""
    for j, k in [(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 4)]:
        assert _is_zero(sp.MatAdd(continuous_limit_block(2, j, k), -continuous_block_expr(2, j, k)).doit())
    assert _is_zero(continuous_limit_block(2, 2, 4).doit())
    assert _is_zero(continuous_limit_block(2, 3, 5).doit())


def _is_zero(x):
    return x == 0 or isinstance(x, sp.ZeroMatrix)
