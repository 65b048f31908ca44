"""A float64 implementation of every oracle field, with switchable known mistakes (clause ORC-6).

Deliberately an independent, outside-style implementation — the kind of code a user of the oracle
would write from docs/ and spec/ — and the one place in the package that does not use the shared
builders: it takes nothing from :mod:`qsgd_ref.carleman`, :mod:`qsgd_ref.problem.iterate`,
:mod:`qsgd_ref.theory` or :mod:`qsgd_ref.quantum`; it reads the problem through its float64 accessors
(``float_map_at``, ``u0_float``) and computes its own level offsets, blocks, norms, bounds, HHL output,
tables and loss maps, so that the verifier is exercised by code that shares none of the package's
mistakes, and so that the mutants can break it on purpose. Keep it that way.

The switches give the mutants the verifier must reject: ``continuous`` (I + A_N, LIFT-3),
``column_major`` (F_ℓ columns read in reversed order), ``keep_dropped`` (blocks with k > N kept),
``step_offset`` (±1 steps), ``single`` (float32 output), ``one_based`` (matrix indices from 1),
``ignore_idle`` (the p idle steps left out), ``drop_c`` (the constant c of the lifted map left out)
and ``norms_down`` (norm estimates rounded down instead of up).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.indexing import kron_power
from qsgd_ref.problem import Problem

#: relative margin by which the engine rounds its float64 norm estimates up (or, mutated, down)
NORM_MARGIN = 2.0**-48


def _offsets(sizes: list[int]) -> list[int]:
    return [0, *itertools.accumulate(sizes)]


def _apply(factors: list[tuple[int, Any]], y: np.ndarray, n: int) -> np.ndarray:
    """(H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j}) y: y reshaped to one axis of size n^{ℓ_i} per factor (numpy.kron order),
    each factor contracted with its own axis (None: the identity, left alone)."""
    t = y.reshape([n**ell for ell, _ in factors])
    for axis, (_, a) in enumerate(factors):
        if a is not None:
            t = np.moveaxis(np.tensordot(a, t, axes=([1], [axis])), 0, axis)
    return t.reshape(-1)


@dataclass(frozen=True)
class Float64Engine:
    """A callable implementation for :func:`qsgd_ref.oracle.harness.check` (correct by default)."""

    continuous: bool = False
    column_major: bool = False
    keep_dropped: bool = False
    step_offset: int = 0
    single: bool = False
    one_based: bool = False
    ignore_idle: bool = False
    drop_c: bool = False
    norms_down: bool = False

    def __call__(self, problem: Problem | None, request: Any) -> dict[str, Any]:
        fields = set(request.fields)
        out: dict[str, Any] = {}
        if "table" in fields:
            out["table"] = self.table(request.table)
        if "map" in fields:
            out["map"] = self.loss_map(request.loss)
        if problem is None:
            return out
        maps = [self._map(problem, t) for t in range(max(problem.steps, 1))]
        if fields & {"exact", "carleman", "eq6", "scheme_difference"}:
            out.update(self.trajectories(problem, maps, request.idle, fields))
        if fields & {"regime", "regime_numbers", "bounds"}:
            out.update(self.regime(problem, maps))
        if "matrix" in fields or "monomial" in fields:
            m, c = self.matrix(maps[0], problem.n, problem.order, self._kmax(problem))
            out["matrix"] = self._triplets(m, c, problem)
            if "monomial" in fields:
                mc, cc = self.monomial(m, c, problem.n, problem.order)
                out["monomial"] = self._triplets(mc, cc, problem, dim=mc.shape[0])
        if "matrix_steps" in fields:
            out["matrix_steps"] = [{"t": t, **self._triplets(*self.matrix(maps[t], problem.n, problem.order,
                                                                         self._kmax(problem)), problem)}
                                   for t in range(problem.steps)]
        if "kappa" in fields or "cond_bounds" in fields:
            big, _ = self.eq6_system(problem, maps, request.idle)
            out["kappa"] = float(np.linalg.cond(big, 2))
            if "cond_bounds" in fields:
                out["cond_bounds"] = self.cond_bounds(problem, maps)
        if "hhl" in fields:
            out["hhl"] = self.hhl(problem, maps, request.idle, request.clock)
        return {k: v for k, v in self._round(out).items() if k in fields}

    # ------------------------------------------------------------------------------------ the map

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

    def _kmax(self, problem: Problem) -> int:
        return problem.order * problem.degree if self.keep_dropped else problem.order

    def matrix(self, f: dict[int, np.ndarray], n: int, order: int, kmax: int) -> tuple[sp.csr_matrix, np.ndarray]:
        """M (D × Σ_{k ≤ kmax} n^k, sparse) and c of LIFT-2 (or of the switched mistake)."""
        rows = _offsets([n**j for j in range(1, order + 1)])
        cols = _offsets([n**k for k in range(1, kmax + 1)])
        parts: list[sp.coo_matrix] = []
        c = np.zeros(rows[-1])

        def place(j: int, k: int, blk: sp.spmatrix) -> None:
            if k == 0:
                c[rows[j - 1] : rows[j]] += blk.toarray()[:, 0]
            else:
                b = sp.coo_matrix(blk)
                parts.append(sp.coo_matrix((b.data, (b.row + rows[j - 1], b.col + cols[k - 1])),
                                           shape=(rows[-1], cols[-1])))

        h = {ell: sp.csr_matrix(a.reshape(n, n**ell)) for ell, a in f.items()}
        if self.continuous:
            for j in range(1, order + 1):
                place(j, j, sp.eye(n**j))
                for ell, g in h.items():
                    k = j + ell - 1
                    if 0 <= k <= kmax:
                        place(j, k, sum((sp.kron(sp.kron(sp.eye(n ** (i - 1)), g), sp.eye(n ** (j - i)))
                                         for i in range(1, j + 1)), sp.csr_matrix((n**j, n**k))))
        else:
            h[1] = sp.eye(n, format="csr") + h.get(1, sp.csr_matrix((n, n)))
            for j in range(1, order + 1):
                for combo in itertools.product(sorted(h), repeat=j):
                    k = sum(combo)
                    if k > kmax:
                        continue
                    term = sp.csr_matrix(np.ones((1, 1)))
                    for ell in combo:
                        term = sp.kron(term, h[ell], format="csr")
                    place(j, k, term)
        m = sp.csr_matrix((rows[-1], cols[-1]))
        if parts:
            m = sp.csr_matrix(sum(parts[1:], parts[0]))
            m.eliminate_zeros()
        if self.drop_c:
            c = np.zeros_like(c)
        return m, c

    def _triplets(self, m: sp.spmatrix, c: np.ndarray, problem: Problem, dim: int | None = None) -> dict[str, Any]:
        base = 1 if self.one_based else 0
        coo = sp.coo_matrix(m)
        keep = coo.data != 0
        return {
            "D": dim if dim is not None else sum(problem.n**j for j in range(1, problem.order + 1)),
            "M": sorted([int(r) + base, int(s) + base, float(v)]
                        for r, s, v in zip(coo.row[keep], coo.col[keep], coo.data[keep], strict=True)),
            "c": [[int(r) + base, float(c[r])] for r in np.nonzero(c)[0]],
        }

    def monomial(self, m: sp.spmatrix, c: np.ndarray, n: int, order: int) -> tuple[sp.csr_matrix, np.ndarray]:
        """LIFT-4: one row per monomial (its first tensor position), columns summed per monomial."""
        reps: list[int] = []
        ranks: list[int] = []
        sizes: list[int] = []
        off = _offsets([n**j for j in range(1, order + 1)])
        for j in range(1, order + 1):
            monos = list(itertools.combinations_with_replacement(range(n), j))
            index = {mono: i for i, mono in enumerate(monos)}
            start = sum(sizes)
            for pos in range(n**j):
                digits = tuple(sorted((pos // n ** (j - 1 - i)) % n for i in range(j)))
                ranks.append(start + index[digits])
            reps += [off[j - 1] + sum(d * n ** (j - 1 - i) for i, d in enumerate(mono)) for mono in monos]
            sizes.append(len(monos))
        s = sp.csr_matrix((np.ones(len(ranks)), (np.arange(len(ranks)), ranks)), shape=(len(ranks), sum(sizes)))
        width = s.shape[0]  # the columns of levels 1 … N
        return sp.csr_matrix(sp.csr_matrix(m)[reps][:, :width] @ s), c[reps]

    # -------------------------------------------------------------------------------- trajectories

    def trajectories(self, problem: Problem, maps: list[dict[int, np.ndarray]], idle: int,
                     fields: set[str]) -> dict[str, Any]:
        n, order = problem.n, problem.order
        steps = problem.steps + self.step_offset
        u0 = problem.u0_float()
        kmax = self._kmax(problem)
        u, us = u0, [u0]
        for t in range(steps):
            f = maps[min(t, len(maps) - 1)]
            u = u + sum(a if ell == 0 else a @ kron_power(u, ell) for ell, a in f.items())
            us.append(u)
        ys = self._lifted(problem, maps, steps, kmax)
        out: dict[str, Any] = {"exact": us, "carleman": [v[:n] for v in ys]}
        out["eq6"] = ys + [ys[-1]] * (0 if self.ignore_idle else idle)
        if "scheme_difference" in fields:
            cont = Float64Engine(continuous=True, column_major=self.column_major)._lifted(problem, maps, steps, order)
            out["scheme_difference"] = [a[:n] - b[:n] for a, b in zip(ys, cont, strict=True)]
        return out

    def _lifted(self, problem: Problem, maps: list[dict[int, np.ndarray]], steps: int, kmax: int) -> list[np.ndarray]:
        """ŷ(0 … steps), each step applied term by term: (H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j}) y_k by contracting each
        factor with its own axis of y_k (never forming the Kronecker product)."""
        n, order = problem.n, problem.order
        levels = [kron_power(problem.u0_float(), j) for j in range(1, order + 1)]
        ys = [np.concatenate(levels)]
        for t in range(steps):
            f = maps[min(t, len(maps) - 1)]
            h = {ell: (a.reshape(n, 1) if ell == 0 else a.reshape(n, n**ell)) for ell, a in f.items()}
            src = [np.ones(1), *levels] + [kron_power(levels[0], k) for k in range(order + 1, kmax + 1)]
            new = [np.zeros(n**j) for j in range(1, order + 1)]
            for j in range(1, order + 1):
                for k, factors in self._terms(h, n, j, kmax):
                    if k == 0 and self.drop_c:
                        continue
                    new[j - 1] += _apply(factors, src[k], n)
            levels = new
            ys.append(np.concatenate(levels))
        return ys

    def _terms(self, h: dict[int, np.ndarray], n: int, j: int, kmax: int) -> list[tuple[int, list[tuple[int, Any]]]]:
        """(k, factors) of every Kronecker term of level j: factors are (ℓ, H_ℓ), None for an identity."""
        out: list[tuple[int, list[tuple[int, Any]]]] = []
        if self.continuous:
            out.append((j, [(1, None)] * j))
            for ell, g in h.items():
                k = j + ell - 1
                if 0 <= k <= kmax:
                    out += [(k, [(1, None)] * i + [(ell, g)] + [(1, None)] * (j - i - 1)) for i in range(j)]
            return out
        factors = {ell: a for ell, a in h.items()}
        factors[1] = np.eye(n) + h.get(1, np.zeros((n, n)))
        for combo in itertools.product(sorted(factors), repeat=j):
            if sum(combo) <= kmax:
                out.append((sum(combo), [(ell, factors[ell]) for ell in combo]))
        return out

    def eq6_system(self, problem: Problem, maps: list[dict[int, np.ndarray]], idle: int) -> tuple[np.ndarray, np.ndarray]:
        """(L, b) of SYS-1, dense float64."""
        n, order, steps = problem.n, problem.order, problem.steps
        d = sum(n**j for j in range(1, order + 1))
        p = 0 if self.ignore_idle else idle
        size = (steps + 1 + p) * d
        big, rhs = np.eye(size), np.zeros(size)
        rhs[:d] = np.concatenate([kron_power(problem.u0_float(), j) for j in range(1, order + 1)])
        for t in range(1, steps + 1):
            m, c = self.matrix(maps[t - 1], n, order, order)
            big[t * d:(t + 1) * d, (t - 1) * d:t * d] = -m.toarray()
            rhs[t * d:(t + 1) * d] = c
        for t in range(steps + 1, steps + 1 + p):
            big[t * d:(t + 1) * d, (t - 1) * d:t * d] = -np.eye(d)
        return big, rhs

    # ------------------------------------------------------------------------ regime and bounds

    def _up(self, x: float) -> float:
        return x * (1 - NORM_MARGIN) if self.norms_down else x * (1 + NORM_MARGIN)

    def norms(self, problem: Problem, maps: list[dict[int, np.ndarray]]) -> list[dict[int, float]]:
        """h_ℓ(t) ≥ ‖H_ℓ(t)‖₂ per step (float64 estimates, rounded up by a relative margin)."""
        n = problem.n
        out = []
        for f in maps[: max(problem.steps, 1)] if problem.time_dependent else maps[:1]:
            h = {1: self._up(float(np.linalg.norm(np.eye(n) + f.get(1, np.zeros((n, n))).reshape(n, n), 2)))}
            for ell, a in f.items():
                if ell != 1:
                    v = float(np.linalg.norm(a)) if ell == 0 else float(np.linalg.norm(a.reshape(n, n**ell), 2))
                    if v:
                        h[ell] = self._up(v)
            out.append(h)
        return out

    def regime(self, problem: Problem, maps: list[dict[int, np.ndarray]]) -> dict[str, Any]:
        """REG-2/REG-3 in the 2-norm: R_d at the best radius s ≥ r (REG-6), then REG-3's two conditions
        (no divergent mode of I + F_1, the majorant inside e·(r + h_0 t) on [0, T])."""
        steps_h = self.norms(problem, maps)
        h = {ell: max(s.get(ell, 0.0) for s in steps_h) for s in steps_h for ell in s}
        r = self._up(float(np.linalg.norm(problem.u0_float())))
        a = h.get(1, 0.0)
        gamma, delta = 1 - a, max(a - 1, 0.0)
        best = _best_reynolds(h, r, gamma)
        if best is not None and best < 1:
            regime = "fully dissipative"
        else:
            n = problem.n
            divergent = any(
                float(np.max(np.abs(np.linalg.eigvals(np.eye(n) + f.get(1, np.zeros((n, n))).reshape(n, n)))))
                > 1 + 1e-9 for f in (maps[: max(problem.steps, 1)] if problem.time_dependent else maps[:1]))
            with mpmath.workprec(53):
                vs = self._majorant([h], r, 1, problem.steps)[0]
                inside = all(v <= math.e * (r + h.get(0, 0.0) * t) * (1 + 1e-12) for t, v in enumerate(vs))
            regime = "almost dissipative" if not divergent and inside else "not dissipative"
        nonlinear = sum(x * r ** (ell - 1) for ell, x in h.items() if ell >= 2)
        rd: float | None = None
        if gamma > 0 and not (h.get(0) and r == 0):
            rd = (nonlinear + (h.get(0, 0.0) / r if h.get(0) else 0.0)) / gamma
        numbers = {"h": {str(ell): x for ell, x in sorted(h.items())}, "r": r, "gamma": gamma, "delta": delta,
                   "R_d": "inf" if rd is None else rd}
        return {"regime": regime, "regime_numbers": numbers, "bounds": self.bounds(problem, steps_h, h, r)}

    @staticmethod
    def _coefficients(h: dict[int, Any], j_max: int) -> list[list[Any]]:
        """b[j][k]: the coefficient of x^k in (Σ_ℓ h_ℓ x^ℓ)^j."""
        q = max(h)
        p = [h.get(ell, 0) for ell in range(q + 1)]
        rows: list[list[Any]] = [[mpmath.mpf(1)]]
        for _ in range(j_max):
            new = [mpmath.mpf(0)] * (len(rows[-1]) + q)
            for i, x in enumerate(rows[-1]):
                for ell, y in enumerate(p):
                    new[i + ell] += x * y
            rows.append(new)
        return rows

    def _majorant(self, h_steps: list[dict[int, float]], r: float, order: int, steps: int) -> tuple[list[Any], list[Any]]:
        """v(t) and d_1(t) of BND-1 (mpmath at 53 bits: no overflow on long horizons)."""
        coeffs = [self._coefficients({ell: mpmath.mpf(x) for ell, x in h.items()}, order) for h in h_steps]
        v, d = mpmath.mpf(r), [mpmath.mpf(0)] * order
        vs, d1 = [v], [d[0]]
        for t in range(steps):
            b = coeffs[t if len(coeffs) > 1 else 0]
            d = [mpmath.fsum(b[j][k] * (d[k - 1] if k <= order else v**k) for k in range(1, len(b[j])))
                 for j in range(1, order + 1)]
            v = mpmath.fsum(c * v**ell for ell, c in enumerate(b[1]))
            vs.append(v)
            d1.append(d[0])
        return vs, d1

    def bounds(self, problem: Problem, steps_h: list[dict[int, float]], h: dict[int, float], r: float) -> dict[str, Any]:
        order, steps = problem.order, problem.steps
        with mpmath.workprec(53):
            out: dict[str, Any] = {"BND-1": [mpmath.nstr(x, 17) for x in self._majorant(steps_h, r, order, steps)[1]]}
        a, h2, q = h.get(1, 0.0), h.get(2, 0.0), max([1, *(ell for ell, x in h.items() if x)])
        if h.get(0):
            return out
        nonlinear = sum(x * r ** (ell - 1) for ell, x in h.items() if ell >= 2)
        if a < 1 and nonlinear <= 1 - a:
            if q <= 2 and r * h2 <= 1 - a:
                big_r = r * h2 / (1 - a)
                out["BND-2"] = [r * big_r**order * (1 - a**t) ** order for t in range(steps + 1)]
            lo, hi = 0.0, 1.0
            for _ in range(60):
                mid = (lo + hi) / 2
                if mid > 0 and sum(x * (r / mid) ** (ell - 1) for ell, x in h.items() if ell >= 2) <= 1 - a:
                    hi = mid
                else:
                    lo = mid
            out["BND-3"] = [r * hi**order * (1 - a**t) for t in range(steps + 1)]
        if q <= 2 and a >= 1:
            values: list[Any] = []
            for t in range(steps + 1):
                if t == 0:
                    values.append(0.0)
                elif t == 1:
                    values.append(h2 * r * r if order < 2 else 0.0)
                else:
                    x = t / (t - 1)
                    kappa = r * h2 * t * a ** (t - 1) * x ** (t - 1)
                    values.append("inf" if kappa > 1 else r * a**t * x**t * kappa**order * (1 - (1 / x) ** t) ** order)
            out["BND-4"] = values
        return out

    def cond_bounds(self, problem: Problem, maps: list[dict[int, np.ndarray]]) -> dict[str, Any]:
        steps_h = self.norms(problem, maps)
        h = {ell: max(s.get(ell, 0.0) for s in steps_h) for s in steps_h for ell in s}
        with mpmath.workprec(53):
            rows = self._coefficients({ell: mpmath.mpf(x) for ell, x in h.items()}, problem.order)
        order = problem.order
        m = np.array([[float(rows[j][k]) if k < len(rows[j]) else 0.0 for k in range(1, order + 1)]
                      for j in range(1, order + 1)])
        norm_m = float(np.linalg.norm(m, 2))
        total, power = 0.0, np.eye(order)
        for _ in range(problem.steps + 1):
            total += float(np.linalg.norm(power, 2))
            power = power @ m
        out: dict[str, Any] = {"COND-1": (1 + norm_m) * total}
        if float(np.max(np.abs(np.linalg.eigvals(m)))) < 1:
            total, power = 0.0, np.eye(order)
            for k in range(20_000):
                term = float(np.linalg.norm(power, 2))
                total += term
                if term <= 1e-17 * total and k > order:
                    break
                power = power @ m
            out["COND-2"] = (1 + norm_m) * total
        return out

    # ---------------------------------------------------------------------------------------- HHL

    def hhl(self, problem: Problem, maps: list[dict[int, np.ndarray]], idle: int, clock: dict[str, Any]) -> dict[str, Any]:
        """HHL-1/HHL-2: dilate L unless it is symmetric, pad to 2^k with σ_max, filter the spectrum."""
        big, b = self.eq6_system(problem, maps, idle)
        m = big.shape[0]
        dilate = not np.array_equal(big, big.T)
        a = np.block([[np.zeros((m, m)), big], [big.T, np.zeros((m, m))]]) if dilate else big
        size = a.shape[0]
        k = max(1, (size - 1).bit_length())
        ev, vecs = np.linalg.eigh(a)
        full = np.zeros((2**k, 2**k))
        full[:size, :size] = a
        full[size:, size:] = np.eye(2**k - size) * np.max(np.abs(ev))
        rhs = np.zeros(2**k)
        rhs[:m] = b / np.linalg.norm(b)
        lam, u = np.linalg.eigh(full)
        bits, t, c0 = int(clock["bits"]), float(Fraction(str(clock["time"]))), int(clock["c0"])
        cs = 2**bits
        ks = np.array([k - cs if k >= cs // 2 else k for k in range(cs)], dtype=float)
        with np.errstate(divide="ignore"):
            f = np.where(ks == 0, 0.0, np.clip(c0 / np.where(ks == 0, 1, ks), -1, 1))
        phi = lam * t / (2 * np.pi)
        delta = phi[:, None] - np.arange(cs)[None, :] / cs
        delta -= np.round(delta)
        s = np.sin(np.pi * delta)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(np.abs(s) < 1e-300, 1.0, (np.sin(np.pi * cs * delta) / (cs * s)) ** 2)
        g = w @ f
        out = u @ (g * (u.T @ rhs))
        p = float(out @ out)
        return {"state": list(out / math.sqrt(p)), "success_probability": p}

    # ---------------------------------------------------------------------------- tables and maps

    @staticmethod
    def table(req: dict[str, Any]) -> dict[str, Any]:
        """FMT-3: the compositions of every non-zero block, discrete (LIFT-1 with H_1 = I + F_1 split
        into "I" and "F1") or continuous (LIFT-3)."""
        q, order, continuous, dropped = req["degree"], req["order"], req["continuous"], req["dropped"]
        blocks = []
        for j in range(1, order + 1):
            for k in range(0, (max(q, 1) * j if dropped else order) + 1):
                entries = []
                if continuous:
                    ell = k - j + 1
                    if 0 <= ell <= q and (k >= 1 or j == 1):
                        for i in range(j):
                            single = ["I"] * j
                            single[i] = f"F{ell}"
                            entries.append({"eta_order": 1, "factors": single, "discrete_only": False})
                else:
                    for combo in itertools.product(range(q + 1), repeat=j):
                        if sum(combo) != k:
                            continue
                        options: list[tuple[str, ...]] = [("I", "F1") if ell == 1 else (f"F{ell}",) for ell in combo]
                        for labels in itertools.product(*options):
                            eta = sum(x != "I" for x in labels)
                            entries.append({"eta_order": eta, "factors": list(labels), "discrete_only": eta >= 2})
                if entries:
                    blocks.append({"j": j, "k": k, "dropped": k > order, "entries": entries})
        return {"schema": "qsgd-ref.tables.v1", "degree": q, "order": order, "continuous": continuous,
                "includes_dropped": dropped, "blocks": blocks}

    @staticmethod
    def loss_map(loss: dict[str, Any]) -> dict[str, Any]:
        """MAP-2: F_ℓ[i, (c_1 … c_ℓ)] = −(η/ℓ!) ∂^{ℓ+1}L/∂θ_i∂θ_{c_1}⋯∂θ_{c_ℓ} at θ*, for a polynomial loss."""
        n, q = int(loss["n"]), int(loss["degree"])
        eta = Fraction(loss["eta"])
        point = [Fraction(x) for x in loss["theta_star"]]
        terms = [(Fraction(c), list(a)) for c, a in loss["terms"]]

        def derivative(index: tuple[int, ...]) -> Fraction:
            total = Fraction(0)
            for coef, powers in terms:
                value = coef
                for var in range(n):
                    d = index.count(var)
                    if d > powers[var]:
                        value = Fraction(0)
                        break
                    value *= math.perm(powers[var], d) * point[var] ** (powers[var] - d)
                total += value
            return total

        out: dict[str, Any] = {}
        for ell in range(q + 1):
            entries = []
            for i in range(n):
                for col, index in enumerate(itertools.product(range(n), repeat=ell)):
                    v = -eta / math.factorial(ell) * derivative((i, *index))
                    if v:
                        entries.append([i, col, float(v)])
            out[str(ell)] = entries
        return out

    # ----------------------------------------------------------------------------------- rounding

    def _round(self, out: dict[str, Any]) -> dict[str, Any]:
        if not self.single:
            return out

        def r(x: Any) -> Any:
            if isinstance(x, str):
                return x
            with np.errstate(over="ignore"):
                return float(np.float32(x))

        res = dict(out)
        for k in ("exact", "carleman", "eq6", "scheme_difference"):
            if k in out:
                res[k] = [[r(x) for x in v] for v in out[k]]
        for k in ("matrix", "monomial"):
            if k in out:
                res[k] = {**out[k], "M": [[a, b, r(v)] for a, b, v in out[k]["M"]],
                          "c": [[a, r(v)] for a, v in out[k]["c"]]}
        return res


MUTANTS: dict[str, Float64Engine] = {
    "continuous": Float64Engine(continuous=True),
    "column-major": Float64Engine(column_major=True),
    "keep-dropped": Float64Engine(keep_dropped=True),
    "one-step-too-many": Float64Engine(step_offset=1),
    "one-step-too-few": Float64Engine(step_offset=-1),
    "single-precision": Float64Engine(single=True),
    "one-based": Float64Engine(one_based=True),
    "idle-ignored": Float64Engine(ignore_idle=True),
    "dropped-c": Float64Engine(drop_c=True),
    "norms-rounded-down": Float64Engine(norms_down=True),
}


def _best_reynolds(h: dict[int, float], r: float, gamma: float) -> float | None:
    """min over s ≥ r of R_d(s) = (Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s)/γ (REG-6), None when γ ≤ 0 or R_d ≡ ∞."""
    if gamma <= 0:
        return None
    h0 = h.get(0, 0.0)

    def rd(s: float) -> float:
        return (sum(x * s ** (ell - 1) for ell, x in h.items() if ell >= 2) + (h0 / s if h0 else 0.0)) / gamma

    if not h0:
        return rd(r)
    if not any(x for ell, x in h.items() if ell >= 2):
        return 0.0  # R_d(s) = h_0/(γs) → 0 as s → ∞
    # R_d is convex in s > 0: its minimiser s₀ solves Σ_{ℓ≥2} (ℓ−1) h_ℓ s^ℓ = h_0 (bisection on a log scale)
    lo, hi = 1e-300, 1.0
    while sum((ell - 1) * x * hi**ell for ell, x in h.items() if ell >= 2) < h0:
        hi *= 2
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if sum((ell - 1) * x * mid**ell for ell, x in h.items() if ell >= 2) < h0:
            lo = mid
        else:
            hi = mid
    return rd(max(r, hi))
