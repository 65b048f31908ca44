"""The reference result (clause FMT-2, schema spec/schemas/reference.v1.json): the trajectories of
the reference stage with the regime and the bounds of the bounds stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qsgd_ref.base.precision import DEFAULT_DPS, check_dps, format_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.regimes import Regime, classify
from qsgd_ref.theory.table import BoundTable, bounds
from qsgd_ref.trajectories.certified import Radii, certified_radii
from qsgd_ref.trajectories.iteration import carleman_trajectory, error_trajectory, exact_trajectory

SCHEMA = "qsgd-ref.reference.v1"
#: Bounds are written with at most this many significant digits (they are rounded up).
BOUND_DIGITS = 30


@dataclass(frozen=True)
class ReferenceResult(Result):
    """u(t), ŷ_1(t) and ‖u(t) − ŷ_1(t)‖₂ for t = 0 … T as ``dps``-digit decimal strings (REF-1), with
    certified radii in certified mode (REF-2), the regime (REG-5) and the error bounds (BND-1 … BND-4)."""

    name: str
    n: int
    order: int
    steps: int
    dps: int
    exact: list[list[str]]
    carleman: list[list[str]]
    error: list[str]
    radii: Radii | None
    regime: Regime
    bounds: BoundTable

    def to_json(self) -> dict[str, Any]:
        """The FMT-2 document."""
        doc: dict[str, Any] = {
            "schema": SCHEMA, "name": self.name, "dps": self.dps, "order": self.order, "steps": self.steps,
            "n": self.n, "exact": self.exact, "carleman": self.carleman, "error": self.error,
        }
        if self.radii is not None:
            doc["radii"] = self.radii.to_json()
        doc.update({"regime": self.regime.to_json(), "bounds": self.bounds.bounds,
                    "not_applicable": self.bounds.not_applicable})
        return doc

    def summary(self) -> list[str]:
        head = f"reference {self.name or '(unnamed)'}: n = {self.n}, N = {self.order}, T = {self.steps}, {self.dps} digits"
        lines = [head + (", certified" if self.radii is not None else "")]
        lines.append(f"  ‖u(T) − ŷ_1(T)‖₂ = {self.error[-1]}")
        lines += ["  " + line for line in self.regime.summary()]
        lines += ["  " + line for line in self.bounds.summary()]
        return lines


def reference(problem: Problem, *, dps: int = DEFAULT_DPS, certified: bool = False) -> ReferenceResult:
    """The reference result of ``problem`` at ``dps`` digits (certified radii with ``certified``).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> r = qsgd_ref.reference(p, dps=20, certified=True)
    >>> r.error[-1], r.radii.error[-1]           # ‖u(3) − ŷ_1(3)‖₂ = 2267/262144 exactly
    ('0.0086481571197509765625', '0')
    >>> r.to_json()["schema"]
    'qsgd-ref.reference.v1'
    """
    check_dps(dps)
    exact = exact_trajectory(problem, dps)
    carleman = carleman_trajectory(problem, dps)
    exact_s = [[format_decimal(x, dps) for x in row] for row in exact]
    carleman_s = [[format_decimal(x, dps) for x in row] for row in carleman]
    error_s = [format_decimal(x, dps) for x in error_trajectory(exact, carleman, dps)]
    radii = certified_radii(problem, exact_s, carleman_s, error_s, dps) if certified else None
    return ReferenceResult(
        name=problem.name, n=problem.n, order=problem.order, steps=problem.steps, dps=dps,
        exact=exact_s, carleman=carleman_s, error=error_s, radii=radii,
        regime=classify(problem), bounds=bounds(problem, digits=min(dps, BOUND_DIGITS)),
    )
