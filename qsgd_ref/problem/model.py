"""The problem model (clauses MAP-1, MAP-3): a polynomial map held exactly, with its horizon and order.

A :class:`Problem` holds the maps F_ℓ exactly (object arrays of Fractions), either one map
for every step or one per step (SGD, clause MAP-3). Float64 views are derived on request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.results import Result

SCHEMA = "qsgd-ref.problem.v1"
#: Largest accepted horizon and order: beyond these no computation here is meaningful.
MAX_STEPS = 10**7
MAX_ORDER = 64
MAX_DEGREE = 16

Map = dict[int, np.ndarray]  # ℓ -> exact object array: (n,) for ℓ = 0, (n, n^ℓ) for ℓ ≥ 1


@dataclass(frozen=True)
class Problem(Result):
    """u(t+1) = u(t) + Σ_ℓ F_ℓ(t) u(t)^{⊗ℓ}, u(0) = u0, for ``steps`` steps, truncated at ``order``.

    ``maps`` has one entry (time-independent) or ``steps`` entries (clause MAP-3).
    """

    u0: np.ndarray
    maps: tuple[Map, ...]
    steps: int
    order: int
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.u0.shape[0])

    @property
    def time_dependent(self) -> bool:
        return len(self.maps) != 1

    @property
    def degree(self) -> int:
        """q, the largest ℓ with a non-zero F_ℓ at some step (1 if the map is affine or zero)."""
        ls = [ell for m in self.maps for ell, a in m.items() if any(x != 0 for x in a.ravel())]
        return max([1, *ls])

    def map_at(self, t: int) -> Map:
        """The exact map applied in the step t → t+1."""
        return self.maps[0] if len(self.maps) == 1 else self.maps[t]

    def float_map_at(self, t: int) -> dict[int, np.ndarray]:
        """The map of step t in float64 (each entry correctly rounded)."""
        return {ell: a.astype(float) for ell, a in self.map_at(t).items()}

    def u0_float(self) -> np.ndarray:
        return self.u0.astype(float)

    def with_(self, *, steps: int | None = None, order: int | None = None) -> Problem:
        """A copy with another horizon or order (validated like a loaded problem)."""
        new_steps = self.steps if steps is None else steps
        new_order = self.order if order is None else order
        check_horizon(new_steps, new_order, self.n, len(self.maps))
        return Problem(self.u0, self.maps, new_steps, new_order, self.name, dict(self.meta))

    def summary(self) -> list[str]:
        kind = f"time-dependent ({len(self.maps)} maps)" if self.time_dependent else "time-independent"
        return [f"{self.name or 'problem'}: n = {self.n}, degree q = {self.degree}, {kind}, T = {self.steps}, "
                f"N = {self.order}, lifted dimension D = {lifted_dimension(self.n, self.order):,}"]

    def to_json(self) -> dict[str, Any]:
        """The problem as a qsgd-ref.problem.v1 document (exact rationals as "p/q" strings)."""
        doc: dict[str, Any] = {"schema": SCHEMA}
        if self.name:
            doc["name"] = self.name
        maps = [_map_to_json(m) for m in self.maps]
        if self.time_dependent:
            doc["F_steps"] = maps
        else:
            doc["F"] = maps[0]
        doc["u0"] = [_exact_str(x) for x in self.u0]
        doc["steps"] = self.steps
        doc["order"] = self.order
        if self.meta:
            doc["meta"] = self.meta
        return doc

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n")


def check_horizon(steps: int, order: int, n: int, n_maps: int) -> None:
    """Refuse a horizon, order or map count out of range, or a lifted size over the budget."""
    if steps < 0 or steps > MAX_STEPS:
        raise InputError("steps", f"must be between 0 and {MAX_STEPS:,}, got {steps}")
    if order < 1 or order > MAX_ORDER:
        raise InputError("order", f"must be between 1 and {MAX_ORDER}, got {order}")
    if n_maps != 1 and n_maps != steps:
        raise InputError("F_steps", f"needs one map per step ({steps}), got {n_maps}")
    limits.check_lifted("order", n, order)


def _exact_str(x: Fraction) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _map_to_json(m: Map) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ell in sorted(m):
        a = m[ell]
        out[str(ell)] = [_exact_str(x) for x in a] if ell == 0 else [[_exact_str(x) for x in row] for row in a]
    return out
