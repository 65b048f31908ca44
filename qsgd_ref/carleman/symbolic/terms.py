"""Terms of the lifted-map blocks as label tuples, without SymPy (clauses LIFT-1, LIFT-3, ETA-1).

A term is a composition: a tuple of j factor labels ("I", "F0", "F1", …, "Fq") in tensor order,
whose degrees (deg I = 1, deg Fℓ = ℓ) sum to k; its η order is the number of non-identity factors.
This module is pure Python so that the tables need no SymPy; :mod:`qsgd_ref.carleman.symbolic.blocks` turns
terms into SymPy matrix expressions and concrete matrices.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

from qsgd_ref.base.errors import InputError

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


def continuous_terms(q: int, j: int, k: int) -> tuple[Term, ...]:
    """The j terms of (A_N)_jk (clause LIFT-3): one non-identity factor G_{k−j+1} at position i.

    Built directly from the Kronecker-sum definition, independently of :func:`block_terms`.
    """
    if j < 1:
        raise InputError("level", f"must be ≥ 1, got {j}")
    ell = k - j + 1
    if not 0 <= ell <= q or (k == 0 and j != 1):
        return ()
    return tuple(Term(("I",) * (i - 1) + (f"F{ell}",) + ("I",) * (j - i)) for i in range(1, j + 1))
