"""Ground truth for the block formula: B_jk against the direct expansion of G(u)^{⊗j} (LIFT-1, ETA-1)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
import sympy as sp
from sympy.polys.rings import ring

from qsgd_ref.base.errors import InputError
from qsgd_ref.carleman.symbolic.blocks import element_symbols, instantiate_block
from qsgd_ref.carleman.symbolic.terms import Term, block_terms, by_eta_order, max_column


def _ring_setup(n: int, q: int):
    """A polynomial ring over ZZ in the entries of F_0 … F_q and in u_0 … u_{n-1}."""
    fnames = [f"f{ell}_{r}_{c}" for ell in range(q + 1) for r in range(n) for c in range(n**ell)]
    unames = [f"u{i}" for i in range(n)]
    R, *gens = ring(fnames + unames, sp.ZZ)
    g = dict(zip(fnames + unames, gens))
    mats = {"I": np.array([[R(int(r == c)) for c in range(n)] for r in range(n)], dtype=object)}
    for ell in range(q + 1):
        arr = np.empty((n, n**ell), dtype=object)
        for r in range(n):
            for c in range(n**ell):
                arr[r, c] = g[f"f{ell}_{r}_{c}"]
        mats[f"F{ell}"] = arr
    u = [g[name] for name in unames]
    return R, mats, u, len(fnames)


def _monomial(u, idx):
    out = 1
    for i in idx:
        out = out * u[i]
    return out


def _direct_powers(R, mats, u, n, q, j, n_f):
    """Homogeneous parts (by degree in u) of G(u)^{⊗j}, G(u) = Σ_ℓ H_ℓ u^{⊗ℓ}, from the definition.

    Tensor positions are enumerated with itertools.product (lexicographic = row-major, MAP-1).
    """
    G = []
    for i in range(n):
        gi = R(0)
        for ell in range(q + 1):
            for col, idx in enumerate(itertools.product(range(n), repeat=ell)):
                coeff = mats[f"F{ell}"][i, col] + (1 if ell == 1 and idx == (i,) else 0)
                gi += coeff * _monomial(u, idx)
        G.append(gi)
    parts: dict[int, list] = {}
    rows = list(itertools.product(range(n), repeat=j))
    for r, idx in enumerate(rows):
        poly = _monomial(G, idx)
        for monom, c in poly.terms():
            k = sum(monom[n_f:])
            parts.setdefault(k, [R(0)] * len(rows))
            parts[k][r] += R({monom: c})
    return parts


CASES = [pytest.param(n, q, j, marks=[pytest.mark.slow] if (n, q, j) == (3, 2, 3) else [])  # 3-2-3: 3-4 s
         for n in (2, 3) for q in (1, 2, 3) for j in (1, 2, 3) if not (n == 3 and q == 3 and j == 3)]


@pytest.mark.clause("LIFT-1", "ETA-1")
@pytest.mark.parametrize("n,q,j", CASES)
def test_blocks_match_direct_expansion(n, q, j):
    R, mats, u, n_f = _ring_setup(n, q)
    parts = _direct_powers(R, mats, u, n, q, j, n_f)
    assert max(parts) == max_column(q, j)
    for k in range(0, max_column(q, j) + 1):
        B = instantiate_block(q, j, k, mats)
        assert B.shape == (n**j, n**k)
        uk = [_monomial(u, idx) for idx in itertools.product(range(n), repeat=k)]
        got = [sum((B[r, c] * uk[c] for c in range(n**k)), R(0)) for r in range(n**j)]
        expected = parts.get(k, [R(0)] * n**j)
        assert got == expected, f"B_{j}{k} (n={n}, q={q}) differs from the expansion of G(u)^⊗{j}"


@pytest.mark.clause("LIFT-1")
def test_blocks_with_sympy_element_symbols():
    """The same check with SymPy element symbols (sympy Matrix) for n = 2, q = 2, j = 2."""
    n, q, j = 2, 2, 2
    mats = element_symbols(n, q)
    u = sp.symbols("u0:2")
    G = sp.Matrix(
        [
            sum(
                (mats[f"F{ell}"][i, c] + (1 if ell == 1 and idx == (i,) else 0)) * sp.Mul(*[u[a] for a in idx])
                for ell in range(q + 1)
                for c, idx in enumerate(itertools.product(range(n), repeat=ell))
            )
            for i in range(n)
        ]
    )
    G2 = [sp.expand(G[a] * G[b]) for a, b in itertools.product(range(n), repeat=2)]
    total = [0] * n**j
    for k in range(0, 5):
        B = sp.Matrix(instantiate_block(q, j, k, mats))
        uk = sp.Matrix([sp.Mul(*[u[a] for a in idx]) for idx in itertools.product(range(n), repeat=k)])
        total = [t + e for t, e in zip(total, B * uk)]
    assert all(sp.expand(t - g) == 0 for t, g in zip(total, G2))


def _scalar_orbit_coefficients(q, j, k):
    """For n = 1, B_jk is Σ_terms Π factors; group by multiset and count."""
    return Counter(t.orbit_key for t in block_terms(q, j, k))


@pytest.mark.clause("ETA-1", "ETA-3")
@pytest.mark.parametrize("q,j", [(2, 2), (2, 3), (3, 2), (3, 3)])
def test_scalar_multiplicities(q, j):
    """n = 1: coefficient of each monomial η^m f_a f_b … in (f0 + (1+f1)u + …)^j, by sympy expansion."""
    u = sp.Symbol("u")
    f = sp.symbols(f"f0:{q + 1}")
    poly = sp.Poly(sp.expand((f[0] + (1 + f[1]) * u + sum(f[ell] * u**ell for ell in range(2, q + 1))) ** j), u, *f)
    for k in range(0, max_column(q, j) + 1):
        counts = _scalar_orbit_coefficients(q, j, k)
        got = sum(c * sp.Mul(*[1 if x == "I" else f[int(x[1:])] for x in key]) for key, c in counts.items())
        expected = sum(coeff * sp.Mul(*[g**e for g, e in zip(f, monom[1:])]) for monom, coeff in poly.terms() if monom[0] == k)
        assert sp.expand(got - expected) == 0


@pytest.mark.clause("ETA-1")
def test_each_composition_once_and_eta_orders():
    terms = block_terms(2, 3, 3)
    assert len(terms) == len(set(terms))
    groups = by_eta_order(terms)
    assert Term(("I", "I", "I")) in groups[0]
    assert Term(("F1", "F1", "F1")) in groups[3]
    assert all(1 <= len([f for f in t.factors if f != "I"]) == m for m, ts in groups.items() if m for t in ts)


@pytest.mark.clause("ETA-3")
def test_q2_examples():
    def factors(j, k, m):
        return {t.factors for t in block_terms(2, j, k) if t.eta_order == m}

    assert factors(2, 2, 2) == {("F1", "F1"), ("F0", "F2"), ("F2", "F0")}
    assert factors(2, 3, 2) == {("F1", "F2"), ("F2", "F1")}
    assert factors(2, 4, 2) == {("F2", "F2")}
    assert ("F1", "F1", "F1") in factors(3, 3, 3)
    assert max(t.eta_order for j in range(1, 5) for k in range(9) for t in block_terms(2, j, k)) == 4


@pytest.mark.clause("LIFT-1")
@pytest.mark.parametrize("kwargs", [dict(q=-1, j=1, k=0), dict(q=2, j=0, k=0), dict(q=2, j=1, k=-1), dict(q=99, j=1, k=1)])
def test_bad_arguments(kwargs):
    with pytest.raises(InputError):
        block_terms(**kwargs)


@pytest.mark.clause("LIFT-1", "ETA-1")
@pytest.mark.parametrize("j,k", [(1, 2), (2, 2), (2, 3), (3, 4)])
def test_matrix_symbol_blocks_evaluate_to_the_concrete_blocks(j, k):
    """block_expr (SymPy KroneckerProduct of matrix symbols of dimension n) at n = 2 equals the
    element-symbol block, and carries the symbolic shape n^j × n^k."""
    from qsgd_ref.carleman.symbolic.blocks import block_expr, n

    q, nd = 2, 2
    expr = block_expr(q, j, k)
    assert expr.shape == (n**j, n**k)
    mats = element_symbols(nd, q)
    rep = {sp.MatrixSymbol(f"F_{ell}", n, n**ell): sp.ImmutableMatrix(mats[f"F{ell}"].tolist()) for ell in (1, 2)}
    rep[sp.MatrixSymbol("F_0", n, 1)] = sp.ImmutableMatrix(mats["F0"].reshape(nd, 1).tolist())
    value = sp.Matrix(expr.subs(n, nd).xreplace({sp.MatrixSymbol(s.name, *[d.subs(n, nd) for d in s.shape]): v for s, v in rep.items()}).doit())
    assert value == sp.Matrix(instantiate_block(q, j, k, mats))
