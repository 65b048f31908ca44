"""Exact rational trajectories for tests (independent of the bound code): u(t) and ŷ_1(t) in Fractions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from qsgd_ref.base.indexing import kron_power, lifted_initial
from qsgd_ref.carleman.integer import integer_step
from qsgd_ref.problem import Problem


def exact_errors(problem: Problem, t_max: int) -> list[list[Fraction]]:
    """u(t) − ŷ_1(t) exactly for t = 0 … t_max (small t only: sizes grow like q^t)."""
    n, order = problem.n, problem.order
    u = np.array([Fraction(x) for x in problem.u0], dtype=object)
    y = lifted_initial(problem.u0, order)
    out = [[u[i] - y[i] for i in range(n)]]
    for t in range(min(t_max, problem.steps)):
        fmap = problem.map_at(t)
        step = integer_step(fmap, n, order)
        rows = step.Z.tolist()
        y = [(sum((int(z) * x for z, x in zip(row, y)), Fraction(0)) + c) / step.L for row, c in zip(rows, step.c)]
        nxt = u.copy()
        for ell, a in fmap.items():
            nxt = nxt + (a.dense()[:, 0] if ell == 0 else a.dense().dot(kron_power(u, ell)))
        u = nxt
        out.append([u[i] - y[i] for i in range(n)])
    return out
