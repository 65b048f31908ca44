"""A float64 implementation of every oracle field, with switchable known mistakes (clause ORC-6).

Deliberately an independent, outside-style implementation — the kind of code a user of the oracle
would write — and the one place in the package that does not use the shared builders: it takes
nothing from :mod:`qsgd_ref.carleman` or :mod:`qsgd_ref.problem.iterate` and computes its own level
offsets, so that the verifier is exercised by code that shares none of the package's mistakes, and
so that the mutants can break it on purpose. Keep it that way. Blocks are summed over the
compositions (ℓ_1 … ℓ_j) with itertools.product. The switches give the mutants the verifier must
reject: ``continuous`` (I + A_N, LIFT-3), ``column_major`` (F_ℓ columns read in reversed order),
``keep_dropped`` (blocks with k > N kept), ``step_offset`` (±1 steps) and ``single`` (float32 output).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from qsgd_ref.base.indexing import kron_power
from qsgd_ref.problem import Problem


@dataclass(frozen=True)
class Float64Engine:
    """A callable implementation for :func:`qsgd_ref.oracle.harness.check` (correct by default)."""

    continuous: bool = False
    column_major: bool = False
    keep_dropped: bool = False
    step_offset: int = 0
    single: bool = False

    def __call__(self, problem: Problem, request: Any) -> dict[str, Any]:
        n, order = problem.n, problem.order
        steps = problem.steps + self.step_offset
        u0 = problem.u0_float()
        kmax = order * problem.degree if self.keep_dropped else order
        maps = [self._map(problem, t) for t in range(max(problem.steps, 1))]
        out: dict[str, Any] = {}
        u, us = u0, [u0]
        for t in range(steps):
            f = maps[min(t, len(maps) - 1)]
            u = u + sum(a if ell == 0 else a @ kron_power(u, ell) for ell, a in f.items())
            us.append(u)
        out["exact"] = us
        y = np.concatenate([kron_power(u0, j) for j in range(1, order + 1)])
        ys = [y]
        cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for t in range(steps):
            key = min(t, len(maps) - 1) if problem.time_dependent else 0
            if key not in cache:
                cache[key] = self.matrix(maps[key], n, order, kmax)
            m, c = cache[key]
            z = np.concatenate([y] + [kron_power(y[:n], k) for k in range(order + 1, kmax + 1)])
            y = m @ z + c
            ys.append(y)
        out["carleman"] = [v[:n] for v in ys]
        out["eq6"] = ys + [ys[-1]] * request.idle
        if not problem.time_dependent:
            m, c = self.matrix(maps[0], n, order, kmax)
            out["matrix"] = {
                "M": [[int(r), int(s), float(m[r, s])] for r, s in zip(*np.nonzero(m), strict=True)],
                "c": [[int(r), float(c[r])] for r in np.nonzero(c)[0]],
            }
        return self._round(out)

    def _map(self, problem: Problem, t: int) -> dict[int, np.ndarray]:
        f = {ell: (a if isinstance(a, np.ndarray) else a.toarray())
             for ell, a in (problem.float_map_at(t) if problem.steps else
                            problem.float_map_at(0) if not problem.time_dependent else {}).items()}
        if self.column_major:
            n = problem.n
            for ell in [e for e in f if e >= 2]:
                axes = (0, *range(ell, 0, -1))
                f[ell] = f[ell].reshape((n,) * (ell + 1)).transpose(axes).reshape(n, n**ell)
        return f

    def matrix(self, f: dict[int, np.ndarray], n: int, order: int, kmax: int) -> tuple[np.ndarray, np.ndarray]:
        """M (D × Σ_{k ≤ kmax} n^k) and c of LIFT-2 (or of the switched mistake)."""
        rows = [0] + list(itertools.accumulate(n**j for j in range(1, order + 1)))
        cols = [0] + list(itertools.accumulate(n**k for k in range(1, kmax + 1)))
        m = np.zeros((rows[-1], cols[-1]))
        c = np.zeros(rows[-1])
        if self.continuous:
            h = {ell: a.reshape(n, n**ell) for ell, a in f.items()}
            for j in range(1, order + 1):
                m[rows[j - 1] : rows[j], cols[j - 1] : cols[j]] += np.eye(n**j)
                for ell, g in h.items():
                    k = j + ell - 1
                    if k > kmax:
                        continue
                    blk = np.zeros((n**j, n**k))
                    for i in range(1, j + 1):
                        blk += np.kron(np.kron(np.eye(n ** (i - 1)), g), np.eye(n ** (j - i)))
                    if k == 0:
                        c[rows[0] : rows[1]] += blk[:, 0]
                    elif k >= 1:
                        m[rows[j - 1] : rows[j], cols[k - 1] : cols[k]] += blk
            return m, c
        h = {ell: a.reshape(n, n**ell) for ell, a in f.items()}
        h[1] = np.eye(n) + (h[1] if 1 in h else np.zeros((n, n)))
        for j in range(1, order + 1):
            for combo in itertools.product(sorted(h), repeat=j):
                k = sum(combo)
                if k > kmax:
                    continue
                term = np.ones((1, 1))
                for ell in combo:
                    term = np.kron(term, h[ell])
                if k == 0:
                    c[rows[j - 1] : rows[j]] += term[:, 0]
                else:
                    m[rows[j - 1] : rows[j], cols[k - 1] : cols[k]] += term
        return m, c

    def _round(self, out: dict[str, Any]) -> dict[str, Any]:
        if not self.single:
            return out

        def r(x: float) -> float:
            with np.errstate(over="ignore"):
                return float(np.float32(x))

        res: dict[str, Any] = {k: [[r(x) for x in v] for v in out[k]] for k in ("exact", "carleman", "eq6")}
        if "matrix" in out:
            res["matrix"] = {
                "M": [[a, b, r(v)] for a, b, v in out["matrix"]["M"]],
                "c": [[a, r(v)] for a, v in out["matrix"]["c"]],
            }
        return res


MUTANTS: dict[str, Float64Engine] = {
    "continuous": Float64Engine(continuous=True),
    "column-major": Float64Engine(column_major=True),
    "keep-dropped": Float64Engine(keep_dropped=True),
    "one-step-too-many": Float64Engine(step_offset=1),
    "one-step-too-few": Float64Engine(step_offset=-1),
    "single-precision": Float64Engine(single=True),
}
