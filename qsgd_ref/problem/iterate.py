"""The map iteration u(t+1) = u(t) + Σ_ℓ F_ℓ(t) u(t)^{⊗ℓ} (clauses MAP-1, MAP-3), in any number type.

This is the one implementation of the untruncated iteration: the reference solver runs it in
mpmath, certified mode in arb balls, the tests in exact Fractions, the oracle at its own precision.
The caller picks the number type through ``convert`` (Fraction → number) and owns the precision
context (``mpmath.workprec``, :func:`qsgd_ref.base.balls.arb_prec`). Each F_ℓ is applied through its
non-zero entries, F_ℓ[i, c] · u[c_1] ⋯ u[c_ℓ] with (c_1, …, c_ℓ) the canonical tensor index of the
column c, so the work per step is Σ_ℓ ℓ · nnz(F_ℓ), never n^ℓ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.indexing import multi_index
from qsgd_ref.problem.model import DenseMap, Map, Problem
from qsgd_ref.problem.sparse import ExactMatrix

#: One F_ℓ as its non-zero entries: (row, tensor index of the column, value).
Terms = list[tuple[int, tuple[int, ...], Any]]


def map_terms(fmap: Map | DenseMap, n: int, convert: Callable[[Fraction], Any]) -> dict[int, Terms]:
    """The non-zero entries of every F_ℓ of ``fmap``, converted once (ℓ = 0 has the empty index).
    Dense arrays (F_0 of shape (n,), values exact or float64) are read through their non-zeros."""
    out: dict[int, Terms] = {}
    for ell, a in sorted(fmap.items()):
        if isinstance(a, ExactMatrix):
            entries = list(a.entries())
        else:
            dense = np.asarray(a).reshape(n, n**ell)
            entries = [(int(r), int(c), Fraction(dense[r, c])) for r, c in zip(*np.nonzero(dense))]
        out[ell] = [(r, multi_index(c, n, ell), convert(v)) for r, c, v in entries]
    return out


def map_step(terms: dict[int, Terms], u: list[Any]) -> list[Any]:
    """u + Σ_ℓ F_ℓ u^{⊗ℓ} for the converted entries ``terms`` of one map."""
    out = list(u)
    for entries in terms.values():
        for i, index, value in entries:
            prod = value
            for c in index:
                prod = prod * u[c]
            out[i] = out[i] + prod
    return out


def iterate(problem: Problem, convert: Callable[[Fraction], Any], steps: int | None = None) -> Iterator[list[Any]]:
    """Yield u(0), u(1), …, u(T) (T = ``steps``, default the problem's horizon) as lists of numbers."""
    steps = problem.steps if steps is None else steps
    u = [convert(Fraction(x)) for x in problem.u0]
    yield u
    cached: tuple[int, dict[int, Terms]] | None = None
    for t in range(steps):
        key = t if problem.time_dependent else 0
        if cached is None or cached[0] != key:
            cached = (key, map_terms(problem.map_at(t), problem.n, convert))
        u = map_step(cached[1], u)
        yield u
