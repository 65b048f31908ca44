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
import scipy.sparse as sp

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.inputs import echo
from qsgd_ref.base.results import Result
from qsgd_ref.problem.sparse import ExactMatrix, float64_or_refuse

SCHEMA_V1 = "qsgd-ref.problem.v1"
SCHEMA_V2 = "qsgd-ref.problem.v2"
#: Largest accepted horizon and order: beyond these no computation here is meaningful.
MAX_STEPS = 10**7
MAX_ORDER = 64
MAX_DEGREE = 16

Map = dict[int, ExactMatrix]  # ℓ -> F_ℓ, n × n^ℓ (F_0 is n × 1); absent ℓ means F_ℓ = 0
#: A map as models build it: ℓ -> a dense exact object array ((n,) for ℓ = 0); make_problem takes it.
DenseMap = dict[int, np.ndarray]


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
        ls = [ell for m in self.maps for ell, a in m.items() if not a.is_zero()]
        return max([1, *ls])

    def map_at(self, t: int) -> Map:
        """The exact map applied in the step t → t+1."""
        return self.maps[0] if len(self.maps) == 1 else self.maps[t]

    def float_map_at(self, t: int) -> dict[int, sp.csr_matrix | np.ndarray]:
        """The map of step t in float64, each entry correctly rounded: F_0 a vector of n values,
        F_ℓ (ℓ ≥ 1) a CSR matrix."""
        return {ell: a.to_csr().toarray()[:, 0] if ell == 0 else a.to_csr() for ell, a in self.map_at(t).items()}

    def u0_float(self) -> np.ndarray:
        """u(0) in float64, each entry correctly rounded (an entry beyond the float64 range is refused,
        naming it: exact input such as 1e400 is legitimate, its float view is not)."""
        return np.array([float64_or_refuse(x, f"u0[{i}]") for i, x in enumerate(self.u0)], dtype=np.float64)

    def with_(self, *, steps: int | None = None, order: int | None = None) -> Problem:
        """A copy with another horizon or order (validated like a loaded problem); a time-dependent
        problem can be shortened to its first ``steps`` maps (to its first map for ``steps`` = 0), not
        lengthened."""
        new_steps = self.steps if steps is None else steps
        new_order = self.order if order is None else order
        maps = self.maps
        if self.time_dependent and isinstance(new_steps, int) and 0 <= new_steps < len(maps):
            maps = maps[:max(new_steps, 1)]
        check_horizon(new_steps, new_order, self.n, len(maps))
        return Problem(self.u0, maps, new_steps, new_order, self.name, dict(self.meta))

    def summary(self) -> list[str]:
        kind = f"time-dependent ({len(self.maps)} maps)" if self.time_dependent else "time-independent"
        return [f"{self.name or 'problem'}: n = {self.n}, degree q = {self.degree}, {kind}, T = {self.steps}, "
                f"N = {self.order}, lifted dimension D = {lifted_dimension(self.n, self.order):,}"]

    def to_json(self, schema: str = SCHEMA_V1) -> dict[str, Any]:
        """The problem as a problem document (FMT-1), exact rationals as "p/q" strings: version 1
        (dense arrays; refused beyond the memory budget) or version 2 (every F_ℓ sparse, and for a
        time-dependent map the F_ℓ shared by all steps written once in F)."""
        if schema not in (SCHEMA_V1, SCHEMA_V2):
            raise InputError("schema", f"must be {SCHEMA_V1!r} or {SCHEMA_V2!r}, got {echo(schema)}")
        doc: dict[str, Any] = {"schema": schema}
        if self.name:
            doc["name"] = self.name
        if schema == SCHEMA_V1:
            maps = [_dense_json(m) for m in self.maps]
            if self.time_dependent:
                doc["F_steps"] = maps
            else:
                doc["F"] = maps[0]
        elif not self.time_dependent:
            doc["F"] = _sparse_json(self.maps[0])
        else:
            first = self.maps[0]
            common = {ell: a for ell, a in first.items()
                      if all(ell in m and (m[ell] is a or m[ell] == a) for m in self.maps[1:])}
            if common:
                doc["F"] = _sparse_json(common)
            doc["F_steps"] = [_sparse_json({ell: a for ell, a in m.items() if ell not in common}) for m in self.maps]
        doc["u0"] = [_exact_str(x) for x in self.u0]
        doc["steps"] = self.steps
        doc["order"] = self.order
        if self.meta:
            doc["meta"] = self.meta
        return doc

    def save(self, path: str | Path, schema: str = SCHEMA_V1) -> None:
        """Write the problem document (see :meth:`to_json`)."""
        Path(path).write_text(json.dumps(self.to_json(schema), indent=1) + "\n")


def check_horizon(steps: int, order: int, n: int, n_maps: int) -> None:
    """Refuse a horizon, order or map count out of range, or a lifted size over the budget."""
    if steps < 0 or steps > MAX_STEPS:
        raise InputError("steps", f"must be between 0 and {MAX_STEPS:,}, got {echo(steps)}")
    if order < 1 or order > MAX_ORDER:
        raise InputError("order", f"must be between 1 and {MAX_ORDER}, got {echo(order)}")
    if n_maps == 0:
        raise InputError("F_steps", "is empty: the problem has no map (give F, or one map per step)")
    if n_maps != 1 and n_maps != steps:
        raise InputError("F_steps", f"needs one map per step ({steps}), got {n_maps}")
    limits.check_lifted("order", n, order)


def _exact_str(x: Fraction) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _dense_json(m: Map) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ell in sorted(m):
        a = m[ell].dense(f"F[{ell}]")
        out[str(ell)] = [_exact_str(x) for x in a[:, 0]] if ell == 0 else [[_exact_str(x) for x in row] for row in a]
    return out


def _sparse_json(m: Map) -> dict[str, Any]:
    return {str(ell): {"shape": list(m[ell].shape), "entries": [[r, c, _exact_str(v)] for r, c, v in m[ell].entries()]}
            for ell in sorted(m)}
