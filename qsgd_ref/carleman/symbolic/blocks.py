"""The blocks B_jk of the exact lifted map as sums of Kronecker terms (clauses LIFT-1, ETA-1).

Terms (label tuples, :mod:`qsgd_ref.carleman.symbolic.terms`) become SymPy expressions here: :func:`term_expr` / :func:`block_expr` give SymPy matrix expressions with
matrix symbols F_ℓ of symbolic dimension n × n^ℓ, and :func:`instantiate_term` evaluates a term on
concrete matrices (any element type, e.g. SymPy element symbols) in numpy.kron order (MAP-1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from qsgd_ref.carleman.symbolic.terms import Term, block_terms, label_degree

#: the symbolic dimension n of the problem
n = sp.Symbol("n", integer=True, positive=True)
#: the step size η
eta = sp.Symbol("eta", positive=True)

# ---------------------------------------------------------------- SymPy matrix expressions


def factor_symbol(label: str, name: str = "F") -> sp.MatrixExpr:
    """The matrix symbol of a factor: Identity(n) for I, F_ℓ ∈ R^{n × n^ℓ} for Fℓ."""
    if label == "I":
        return sp.Identity(n)
    ell = label_degree(label)
    return sp.MatrixSymbol(f"{name}_{ell}", n, n**ell)


def term_expr(term: Term, name: str = "F") -> sp.MatrixExpr:
    """The Kronecker product of the term's factors (a SymPy matrix expression)."""
    mats = [factor_symbol(f, name) for f in term.factors]
    return mats[0] if len(mats) == 1 else sp.KroneckerProduct(*mats)


def block_expr(q: int, j: int, k: int, name: str = "F", scale: sp.Expr | None = None) -> sp.Expr:
    """B_jk as a SymPy sum of Kronecker products; with ``scale`` each term gets scale^{η order}.

    ``block_expr(q, j, k, name="G", scale=eta)`` is B_jk for F_ℓ = η G_ℓ (clause ETA-2).
    """
    terms = block_terms(q, j, k)
    if not terms:
        return sp.ZeroMatrix(n**j, n**k)
    parts = [term_expr(t, name) if scale is None else scale**t.eta_order * term_expr(t, name) for t in terms]
    return parts[0] if len(parts) == 1 else sp.MatAdd(*parts)


# ---------------------------------------------------------------- concrete instantiation


def element_symbols(n_dim: int, q: int, name: str = "f") -> dict[str, np.ndarray]:
    """Concrete n × n^ℓ object arrays of SymPy element symbols f{ℓ}_{row}_{col}, plus I, keyed by label."""
    mats: dict[str, np.ndarray] = {"I": np.eye(n_dim, dtype=int).astype(object)}
    for ell in range(q + 1):
        arr = np.empty((n_dim, n_dim**ell), dtype=object)
        for r in range(n_dim):
            for c in range(n_dim**ell):
                arr[r, c] = sp.Symbol(f"{name}{ell}_{r}_{c}")
        mats[f"F{ell}"] = arr
    return mats


def instantiate_term(term: Term, mats: Mapping[str, np.ndarray]) -> np.ndarray:
    """The term's Kronecker product on concrete matrices (numpy.kron order); F0 is an n × 1 column."""
    out = np.ones((1, 1), dtype=object)
    for f in term.factors:
        m = np.asarray(mats[f], dtype=object)
        out = np.kron(out, m.reshape(m.shape[0], -1))
    return out


def instantiate_block(q: int, j: int, k: int, mats: Mapping[str, np.ndarray]) -> np.ndarray:
    """B_jk on concrete matrices: the sum of its instantiated terms (an n^j × n^k object array)."""
    n_dim = np.asarray(mats["I"]).shape[0]
    out = np.zeros((n_dim**j, n_dim**k), dtype=object)
    for t in block_terms(q, j, k):
        out = out + instantiate_term(t, mats)
    return out
