"""Pruning and sparsity (clause MOD-5).

Global unstructured magnitude pruning keeps the ``fraction`` largest-magnitude trainable weights
(ties broken by index, so the kept count is exactly round(fraction · n), at least 1); layers marked
as excluded (by default the last) are kept whole and not counted. Restricting a problem to a support
fixes the other coordinates of u at given values and returns the induced polynomial map on the kept
ones (exactly, in rationals).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.sparsify import largest_mask
from qsgd_ref.problem import DenseMap, ExactMatrix, Map, Problem, make_problem

DEFAULT_FRACTION = 0.1


def magnitude_mask(
    layers: Sequence[np.ndarray], fraction: float = DEFAULT_FRACTION, exclude_last: bool = True
) -> list[np.ndarray]:
    """Boolean masks (one per layer): global top-``fraction`` by |w|, the last layer kept if excluded."""
    if not 0 < fraction <= 1:
        raise InputError("fraction", f"must be in (0, 1], got {fraction}")
    pruned = list(layers[:-1]) if exclude_last and len(layers) > 1 else list(layers)
    flat = np.concatenate([np.ravel(w) for w in pruned])
    chosen = largest_mask(flat, max(1, int(round(fraction * flat.size))))  # by |w| descending, then index
    masks: list[np.ndarray] = []
    start = 0
    for w in pruned:
        masks.append(chosen[start : start + w.size].reshape(np.shape(w)))
        start += w.size
    if len(pruned) < len(layers):
        masks.append(np.ones(np.shape(layers[-1]), dtype=bool))
    return masks


def sparsity(x: np.ndarray) -> float:
    """Fraction of exactly-zero entries."""
    a = np.asarray(x)
    return float(np.mean(a == 0)) if a.size else 0.0


def map_sparsity(F: Map | DenseMap) -> dict[str, dict[str, float | int]]:
    """Per ℓ: non-zeros, density, and the largest number of non-zeros in a row and in a column."""
    out: dict[str, dict[str, float | int]] = {}
    for ell, a in sorted(F.items()):
        arr = np.asarray(a, dtype=object)
        dense = a.dense() if isinstance(a, ExactMatrix) else arr.reshape(arr.shape[0], -1)
        nz = np.asarray(dense != 0)
        out[str(ell)] = {
            "nnz": int(nz.sum()),
            "density": float(nz.mean()) if nz.size else 0.0,
            "max_row_nnz": int(nz.sum(axis=1).max()) if nz.size else 0,
            "max_col_nnz": int(nz.sum(axis=0).max()) if nz.size else 0,
        }
    return out


def restrict_map(F: Map | DenseMap, keep: Sequence[int], fixed: Sequence[Any]) -> DenseMap:
    """The map on u_keep when every other u_j is held at ``fixed[j]`` (rows outside ``keep`` dropped).

    Column axes of F_ℓ are split into kept axes (which stay, in their order: MAP-1 order on u_keep) and
    fixed ones (contracted with the fixed values); every split contributes to G_m, m = #kept axes.
    """
    n = len(fixed)
    kp = [int(i) for i in keep]
    if sorted(set(kp)) != kp or not kp or kp[-1] >= n or kp[0] < 0:
        raise InputError("keep", "must be increasing indices in range")
    drop = [j for j in range(n) if j not in set(kp)]
    c = np.array([Fraction(fixed[j]) for j in drop], dtype=object)
    k = len(kp)
    out: DenseMap = {0: np.array([Fraction(0)] * k, dtype=object)}
    for ell, exact in F.items():
        a = exact.dense() if isinstance(exact, ExactMatrix) else np.asarray(exact, dtype=object)
        if ell == 0:
            out[0] = out[0] + a.reshape(-1)[kp]
            continue
        T = np.asarray(a, dtype=object).reshape((n,) * (ell + 1))[kp]
        for kinds in itertools.product((True, False), repeat=ell):
            if not drop and not all(kinds):
                continue
            S = T
            for axis in range(ell, 0, -1):  # contract from the last axis so earlier axes keep their place
                if kinds[axis - 1]:
                    S = np.take(S, kp, axis=axis)
                else:
                    S = np.tensordot(np.take(S, drop, axis=axis), c, axes=([axis], [0]))
            m = sum(kinds)
            G = S.reshape(k, k**m) if m else S.reshape(k)
            out[m] = out[m] + G if m in out else G
    return out


def restrict_problem(problem: Problem, keep: Sequence[int], fixed: Sequence[Any] | None = None) -> Problem:
    """The problem on the kept coordinates; the others fixed at ``fixed`` (default: their u(0))."""
    vals = list(problem.u0) if fixed is None else list(fixed)
    maps = [restrict_map(problem.map_at(t), keep, vals) for t in range(len(problem.maps))]
    meta = dict(problem.meta)
    meta["restricted_to"] = [int(i) for i in keep]
    u0 = [problem.u0[i] for i in keep]
    if problem.time_dependent:
        return make_problem(F_steps=maps, u0=u0, steps=problem.steps, order=problem.order, name=problem.name, meta=meta)
    return make_problem(F=maps[0], u0=u0, steps=problem.steps, order=problem.order, name=problem.name, meta=meta)
