"""The float64 engine: the exact and truncated iterations in binary64, at scale (clauses REF-1, LIFT-2, LIFT-3).

* The map iteration applies each F_ℓ through its non-zeros, vectorised: Σ_k F_ℓ[i_k, c_k] Π u[c_k's
  tensor digits], O(Σ_ℓ ℓ · nnz(F_ℓ)) per step.
* The discrete scheme steps ŷ ↦ M_N ŷ + c matrix-free (:mod:`qsgd_ref.carleman.levels`).
* The continuous scheme (LIFT-3, the scheme of Liu et al. PNAS 2021) steps ŷ ↦ ŷ + A_N ŷ + a for
  the Carleman matrix of G_ℓ = F_ℓ/η scaled back by η: every term is one F_ℓ at one position, applied
  as one mode product.

Each distinct map is prepared once (a per-step map that shares F_1 and F_2 with the others, as the
Burgers model does, costs only its F_0). Values that leave the float64 range end the iteration:
the result records the first step whose state is not finite (data, not an exception).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.base.limits import check_lifted
from qsgd_ref.base.progress import progress
from qsgd_ref.carleman.levels import continuous_apply, contraction_chain, shuffle_sum, split_levels
from qsgd_ref.problem import Map, Problem

SCHEMES = ("discrete", "continuous")


@dataclass(frozen=True)
class FloatTrajectories:
    """u(t) and ŷ_1(t), t = 0 … T, in float64 (rows), ‖u(t) − ŷ_1(t)‖₂, and the first step at which
    a state left the float64 range (None when every state is finite; rows after it are NaN)."""

    exact: np.ndarray
    carleman: np.ndarray
    error: np.ndarray
    left_range: int | None
    scheme: str


Terms = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, tensor digits (ℓ × nnz), float values


class _Prepared:
    """One map ready for float64 steps: the factors H_ℓ as CSR and F_ℓ's non-zeros by tensor digit.
    ``shared`` keeps what depends on one F_ℓ alone, keyed by the matrix object, across steps."""

    def __init__(self, fmap: Map, n: int, shared: dict[int, tuple[Any, ...]]) -> None:
        self.n = n
        self.f0: np.ndarray | None = None
        if 0 in fmap and not fmap[0].is_zero():  # a dense vector straight from the non-zeros (no CSR per step)
            self.f0 = np.zeros(n)
            self.f0[fmap[0].rows] = fmap[0].float_values()
        self.f: dict[int, sp.csr_matrix] = {}
        self.terms: dict[int, Terms] = {}
        self.h: dict[int, sp.csr_matrix] = {}
        eye = sp.identity(n, format="csr")
        for ell, a in fmap.items():
            if ell == 0 or a.is_zero():
                continue
            if id(a) not in shared:
                digits = np.stack([(a.cols // n ** (ell - 1 - i)) % n for i in range(ell)], axis=0)
                csr = a.to_csr()
                shared[id(a)] = (a, csr, (a.rows, digits, np.array(a.float_values())),
                                 sp.csr_matrix(csr + eye) if ell == 1 else csr)
            _, self.f[ell], self.terms[ell], self.h[ell] = shared[id(a)]
        if 1 not in self.h:
            self.h[1] = eye

    def map_step(self, u: np.ndarray) -> np.ndarray:
        out = u.copy()
        if self.f0 is not None:
            out += self.f0
        for _ell, (rows, digits, vals) in self.terms.items():
            prod = vals.copy()
            for d in digits:
                prod *= u[d]
            out += np.bincount(rows, weights=prod, minlength=self.n)
        return out

    def discrete_step(self, y: np.ndarray, order: int) -> np.ndarray:
        w = contraction_chain(self.h, split_levels(y, self.n, order), order, self.n)
        return np.concatenate(shuffle_sum(self.f0, w, order, self.n))

    def continuous_step(self, y: np.ndarray, order: int) -> np.ndarray:
        return np.concatenate(continuous_apply(self.f, self.f0, split_levels(y, self.n, order), order, self.n))


def float64_trajectories(problem: Problem, *, scheme: str = "discrete") -> FloatTrajectories:
    """u(t), ŷ_1(t) and their distance for t = 0 … T in float64 (see the module docstring)."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    n, order, steps = problem.n, problem.order, problem.steps
    check_lifted("order", n, order, copies=3)
    exact = np.full((steps + 1, n), np.nan)
    carleman = np.full((steps + 1, n), np.nan)
    u = problem.u0_float()
    y = lifted_initial(u, order)
    exact[0], carleman[0] = u, y[:n]
    shared: dict[int, tuple[Any, ...]] = {}
    current: tuple[tuple[Any, ...], _Prepared] | None = None
    left: int | None = None
    with np.errstate(over="ignore", invalid="ignore"), progress(steps, f"float64 ({scheme})") as bar:
        for t in range(steps):
            fmap = problem.map_at(t)
            key = _key(fmap)
            if current is None or current[0] != key:
                current = (key, _Prepared(fmap, n, shared))
            p = current[1]
            u = p.map_step(u)
            y = p.discrete_step(y, order) if scheme == "discrete" else p.continuous_step(y, order)
            if not (np.all(np.isfinite(u)) and np.all(np.isfinite(y))):
                left = t + 1
                break
            exact[t + 1], carleman[t + 1] = u, y[:n]
            bar.update()
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = exact - carleman
        top = np.max(np.abs(diff), axis=1)
        scaled = np.where(top[:, None] > 0, diff / np.where(top > 0, top, 1.0)[:, None], 0.0)
        error = top * np.sqrt(np.sum(scaled**2, axis=1))  # scaled: no overflow for representable norms
    return FloatTrajectories(exact, carleman, error, left, scheme)


def _key(fmap: Map) -> tuple[Any, ...]:
    return tuple((ell, id(a)) for ell, a in sorted(fmap.items()))
