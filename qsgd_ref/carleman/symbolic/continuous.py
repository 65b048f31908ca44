"""Continuous Carleman blocks (clause LIFT-3) and the continuous limit of the discrete map (ETA-2).

The continuous block (A_N)_jk is built directly as the Kronecker sum
Σ_i I^{⊗(i−1)} ⊗ G_{k−j+1} ⊗ I^{⊗(j−i)}, independently of the discrete enumeration, and
:func:`continuous_limit_block` takes lim_{η→0} (B_jk(F = ηG) − δ_jk I)/η term by term at the level
of matrix symbols of symbolic dimension.
"""

from __future__ import annotations

import sympy as sp

from qsgd_ref.carleman.symbolic.blocks import eta, n, term_expr
from qsgd_ref.carleman.symbolic.terms import block_terms, continuous_terms


def continuous_block_expr(q: int, j: int, k: int, name: str = "G") -> sp.Expr:
    """(A_N)_jk as a SymPy sum of Kronecker products of Identity(n) and G_ℓ."""
    terms = continuous_terms(q, j, k)
    if not terms:
        return sp.ZeroMatrix(n**j, n**k)
    parts = [term_expr(t, name) for t in terms]
    return parts[0] if len(parts) == 1 else sp.MatAdd(*parts)


def continuous_limit_block(q: int, j: int, k: int, name: str = "G") -> sp.Expr:
    """lim_{η→0} (B_jk − δ_jk I)/η with F_ℓ = η G_ℓ, computed term by term (clause ETA-2).

    Every term of B_jk is η^m times a Kronecker product (m its η order); the m = 0 term exists only
    for k = j (all factors I) and equals Identity(n^j), which cancels δ_jk I exactly. The scalar
    limit of η^{m−1} is taken with :func:`sympy.limit` for each remaining term.
    """
    parts = []
    for t in block_terms(q, j, k):
        expr = term_expr(t, name)
        if t.eta_order == 0:
            residual = sp.MatAdd(expr, -sp.Identity(n**j)).doit()
            if residual != 0 and not isinstance(residual, sp.ZeroMatrix):
                raise AssertionError(f"identity term of B_{j}{k} does not cancel: {residual}")
            continue
        coeff = sp.limit(eta**t.eta_order / eta, eta, 0)
        if coeff != 0:
            parts.append(coeff * expr)
    if not parts:
        return sp.ZeroMatrix(n**j, n**k)
    return parts[0] if len(parts) == 1 else sp.MatAdd(*parts)


def continuous_limit_holds(q: int, order: int) -> bool:
    """True iff lim (M_N − I)/η equals A_N block by block for 1 ≤ j, k ≤ N, and lim c/η = (G_0, 0, …).

    Equality is checked on the SymPy matrix expressions (terms compared as a multiset after doit()).
    """
    for j in range(1, order + 1):
        for k in range(0, order + 1):
            lim = continuous_limit_block(q, j, k)
            if _term_multiset(lim) != _term_multiset(continuous_block_expr(q, j, k)):
                return False
    return True


def _term_multiset(expr: sp.Expr) -> list[str]:
    expr = expr.doit() if hasattr(expr, "doit") else expr
    if expr == 0 or isinstance(expr, sp.ZeroMatrix):
        return []
    args = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    return sorted(sp.srepr(a) for a in args)
