"""Correction tables: the terms of every block (j, k), grouped by η order (clauses ETA-1, ETA-3, FMT-3).

A table row ("entry group") is a set of terms that are permutations of one another; its
multiplicity is the number of those compositions (the coefficient they share for n = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.results import Result
from qsgd_ref.carleman.symbolic.terms import MAX_DEGREE, MAX_LEVEL, Term, block_terms, continuous_terms, max_column

SCHEMA_NAME = "qsgd-ref.tables.v1"
#: refuse tables with more candidate compositions than this (Σ_j (q+2)^j)
MAX_CANDIDATES = 300_000


@dataclass(frozen=True)
class Group:
    """Terms of one block with the same η order that are permutations of each other."""

    eta_order: int
    terms: tuple[Term, ...]

    @property
    def multiplicity(self) -> int:
        return len(self.terms)

    @property
    def discrete_only(self) -> bool:
        return self.eta_order >= 2


@dataclass(frozen=True)
class Block:
    """Block (j, k) of the discrete (or continuous) Carleman matrix; k = 0 is the constant column."""

    j: int
    k: int
    dropped: bool
    groups: tuple[Group, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for g in self.groups for t in g.terms)


@dataclass(frozen=True)
class Table(Result):
    """The correction table of degree q and order N (ETA-1, ETA-3, FMT-3): every block's terms by η order."""

    degree: int
    order: int
    continuous: bool
    includes_dropped: bool
    blocks: tuple[Block, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON document of clause FMT-3 (schema ``qsgd-ref.tables.v1``)."""
        return {
            "schema": SCHEMA_NAME, "degree": self.degree, "order": self.order, "continuous": self.continuous,
            "includes_dropped": self.includes_dropped,
            "blocks": [
                {"j": b.j, "k": b.k, "dropped": b.dropped,
                 "entries": [{"eta_order": t.eta_order, "factors": list(t.factors), "discrete_only": t.discrete_only}
                             for g in b.groups for t in g.terms]}
                for b in self.blocks
            ],
        }

    def summary(self) -> list[str]:
        kind = "continuous" if self.continuous else "discrete"
        terms = sum(len(b.terms) for b in self.blocks)
        return [f"{kind} correction table, q = {self.degree}, N = {self.order}: {len(self.blocks)} blocks, {terms} terms"
                + (" (with the dropped blocks k > N)" if self.includes_dropped else "")]

    def block(self, j: int, k: int) -> Block | None:
        for b in self.blocks:
            if (b.j, b.k) == (j, k):
                return b
        return None


def check_size(degree: int, order: int) -> None:
    """Refuse degrees/orders the tables cannot sensibly enumerate (InputError naming the argument)."""
    if not isinstance(degree, int) or not 0 <= degree <= MAX_DEGREE:
        raise InputError("degree", f"must be an integer in 0 … {MAX_DEGREE}, got {degree}")
    if not isinstance(order, int) or not 1 <= order <= MAX_LEVEL:
        raise InputError("order", f"must be an integer in 1 … {MAX_LEVEL}, got {order}")
    candidates = sum((degree + 2) ** j for j in range(1, order + 1))
    if candidates > MAX_CANDIDATES:
        raise InputError(
            "--order",
            f"degree {degree} and order {order} would enumerate {candidates:,} compositions "
            f"(limit {MAX_CANDIDATES:,}); lower --order or --degree",
        )


def group_terms(terms: tuple[Term, ...]) -> tuple[Group, ...]:
    """Group terms by (η order, multiset of factors), in a stable order."""
    groups: dict[tuple[int, tuple[str, ...]], list[Term]] = {}
    for t in sorted(terms, key=lambda t: (t.eta_order, t.orbit_key, t.factors)):
        groups.setdefault((t.eta_order, t.orbit_key), []).append(t)
    return tuple(Group(m, tuple(ts)) for (m, _), ts in groups.items())


def correction_table(degree: int, order: int, *, continuous: bool = False, dropped: bool = False) -> Table:
    """The terms of every block (j, k), j, k ≤ ``order``, of a degree-``degree`` map by η order (ETA-1);
    ``continuous`` for the continuous Carleman blocks, ``dropped`` to add the blocks k > N.

    >>> import qsgd_ref
    >>> t = qsgd_ref.correction_table(2, 2)
    >>> print(t)
    discrete correction table, q = 2, N = 2: 6 blocks, 15 terms
    >>> [(g.eta_order, g.terms[0].factors) for g in t.block(2, 2).groups]
    [(0, ('I', 'I')), (1, ('F1', 'I')), (2, ('F0', 'F2')), (2, ('F1', 'F1'))]
    """
    check_size(degree, order)
    blocks = []
    for j in range(1, order + 1):
        kmax = max_column(degree, j) if dropped else order
        for k in range(0, kmax + 1):
            terms = continuous_terms(degree, j, k) if continuous else block_terms(degree, j, k)
            if terms:
                blocks.append(Block(j, k, k > order, group_terms(terms)))
    return Table(degree, order, continuous, dropped, tuple(blocks))
