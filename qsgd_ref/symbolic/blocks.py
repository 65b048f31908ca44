"""The blocks B_jk of the exact lifted map as sums of Kronecker terms (clauses LIFT-1, ETA-1).

A term is a composition: a tuple of j factor labels ("I", "F0", "F1", …, "Fq") in tensor order,
whose degrees (deg I = 1, deg Fℓ = ℓ) sum to k. Its η order is the number of non-identity factors.
Terms are cheap tuples; :func:`term_expr` / :func:`block_expr` give SymPy matrix expressions with
matrix symbols F_ℓ of symbolic dimension n × n^ℓ, and :func:`instantiate_term` evaluates a term on
concrete matrices (any element type, e.g. SymPy element symbols) in numpy.kron order (MAP-1).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from qsgd_ref.errors import InputError

#: the symbolic dimension n of the problem
n = sp.Symbol("n", integer=True, positive=True)
#: the step size η
eta = sp.Symbol("eta", positive=True)

#: largest degree / level the symbolic machinery accepts
MAX_DEGREE = 8
MAX_LEVEL = 8


def labels(q: int) -> tuple[str, ...]:
    """Factor labels for degree q: "I", "F0", …, "Fq"."""
    return ("I",) + tuple(f"F{ell}" for ell in range(q + 1))


def label_degree(label: str) -> int:
    """Number of input legs of a factor: 1 for I, ℓ for Fℓ."""
    if label == "I":
        return 1
    if label.startswith("F") and label[1:].isdigit():
        return int(label[1:])
    raise InputError("label", f"unknown factor label {label!r} (expected I, F0, F1, …)")


def _check(q: int, j: int, k: int | None = None) -> None:
    if not 0 <= q <= MAX_DEGREE:
        raise InputError("degree", f"must be in 0 … {MAX_DEGREE}, got {q}")
    if not 1 <= j <= MAX_LEVEL:
        raise InputError("level", f"must be in 1 … {MAX_LEVEL}, got {j}")
    if k is not None and k < 0:
        raise InputError("column", f"must be ≥ 0, got {k}")


@dataclass(frozen=True, order=True)
class Term:
    """One Kronecker term of B_jk: its factor labels in tensor order (clause ETA-1)."""

    factors: tuple[str, ...]

    @property
    def level(self) -> int:
        return len(self.factors)

    @property
    def column(self) -> int:
        return sum(label_degree(f) for f in self.factors)

    @property
    def eta_order(self) -> int:
        return sum(1 for f in self.factors if f != "I")

    @property
    def discrete_only(self) -> bool:
        """True for η order ≥ 2 (clause ETA-3): absent from the continuous Carleman matrix."""
        return self.eta_order >= 2

    @property
    def orbit_key(self) -> tuple[str, ...]:
        """The multiset of factors (terms with the same key are permutations of each other)."""
        return tuple(sorted(self.factors, key=_label_sort_key))


def _label_sort_key(label: str) -> tuple[int, int]:
    return (0, 0) if label == "I" else (1, int(label[1:]))


@cache
def _compositions(q: int, j: int, k: int) -> tuple[Term, ...]:
    out = []
    for combo in itertools.product(labels(q), repeat=j):
        if sum(label_degree(f) for f in combo) == k:
            out.append(Term(combo))
    return tuple(out)


def block_terms(q: int, j: int, k: int) -> tuple[Term, ...]:
    """All terms of B_jk for degree q (H_1 = I + F_1 expanded), each composition exactly once (LIFT-1, ETA-1)."""
    _check(q, j, k)
    return _compositions(q, j, k)


def max_column(q: int, j: int) -> int:
    """Largest k with B_jk ≠ 0: q·j (k = j when q ≤ 1, since deg I = 1)."""
    return max(q, 1) * j


def by_eta_order(terms: tuple[Term, ...]) -> dict[int, list[Term]]:
    """Group terms by η order (ascending)."""
    out: dict[int, list[Term]] = {}
    for t in terms:
        out.setdefault(t.eta_order, []).append(t)
    return dict(sorted(out.items()))


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
