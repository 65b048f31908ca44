"""The reference result (clause FMT-2, schema spec/schemas/reference.v1.json): the trajectories of
the reference stage with the regime and the bounds of the bounds stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import DEFAULT_DPS, check_dps, format_decimal, working_bits
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.regimes import Regime, classify
from qsgd_ref.theory.table import BoundTable, bounds
from qsgd_ref.trajectories.certified import Radii, certified_radii
from qsgd_ref.trajectories.float64 import SCHEMES, float64_trajectories
from qsgd_ref.trajectories.iteration import carleman_trajectory, error_trajectory, exact_trajectory

SCHEMA = "qsgd-ref.reference.v1"
#: REF-1's contract: values at d digits are accurate to 10^{−d+3} of the trajectory's scale, so the
#: trajectories are computed with this many digits more than are written
GUARD_DIGITS = 3
ENGINES = ("mp", "float64")
#: significant digits that round-trip a binary64 value
FLOAT64_DIGITS = 17
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
    engine: str = "mp"
    scheme: str = "discrete"
    left_range: int | None = None
    accuracy: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The FMT-2 document."""
        doc: dict[str, Any] = {
            "schema": SCHEMA, "name": self.name, "dps": self.dps, "order": self.order, "steps": self.steps,
            "n": self.n, "exact": self.exact, "carleman": self.carleman, "error": self.error,
        }
        if self.radii is not None:
            doc["radii"] = self.radii.to_json()
        doc.update({"engine": self.engine, "scheme": self.scheme})
        if self.accuracy is not None:
            doc["accuracy"] = self.accuracy
        if self.engine == "float64":
            doc["left_range"] = self.left_range
        doc.update({"regime": self.regime.to_json(), "bounds": self.bounds.bounds,
                    "not_applicable": self.bounds.not_applicable})
        return doc

    def summary(self) -> list[str]:
        digits = "float64" if self.engine == "float64" else f"{self.dps} digits"
        head = (f"reference {self.name or '(unnamed)'}: n = {self.n}, N = {self.order}, T = {self.steps}, {digits}, "
                f"{self.scheme} scheme")
        lines = [head + (", certified" if self.radii is not None else "")]
        lines.append(f"  ‖u(T) − ŷ_1(T)‖₂ = {self.error[-1]}")
        lines += ["  " + line for line in self.regime.summary()]
        lines += ["  " + line for line in self.bounds.summary()]
        return lines


def reference(problem: Problem, *, dps: int = DEFAULT_DPS, certified: bool = False, engine: str = "mp",
              scheme: str = "discrete") -> ReferenceResult:
    """The reference result of ``problem`` at ``dps`` digits (certified radii with ``certified``).

    ``engine`` "mp" (default) computes at ``dps`` digits exactly as REF-1 states; "float64" runs the
    matrix-free binary64 engine (values written with 17 significant digits, which round-trip the
    doubles but are not 17 correct digits). ``scheme`` "continuous" steps the continuous Carleman
    matrix by explicit Euler (LIFT-3, ETA-1) instead of the discrete lifted map.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> r = qsgd_ref.reference(p, dps=30, certified=True)
    >>> r.error[-1], r.radii.error[-1]           # ‖u(3) − ŷ_1(3)‖₂ = 2267/262144 exactly
    ('0.0086481571197509765625', '0')
    >>> r.error[1], r.accuracy                  # zero within the stated accuracy, not rounding noise
    ('0', '5.0e-31')
    >>> r.to_json()["schema"]
    'qsgd-ref.reference.v1'
    """
    check_dps(dps)
    if engine not in ENGINES:
        raise InputError("engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}")
    if scheme not in SCHEMES:
        raise InputError("scheme", f"must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    if engine == "float64":
        if certified:
            raise InputError("certified", "certified radii need the high-precision engine (engine 'mp')")
        return _float64_reference(problem, scheme)
    if scheme == "continuous" and certified:
        raise InputError("certified", "certified radii are for the discrete scheme")
    work = dps + GUARD_DIGITS  # REF-1 guarantees 10^{3−work} of the scale: every written digit is right
    exact = exact_trajectory(problem, work)
    carleman = carleman_trajectory(problem, work, scheme=scheme)
    error = error_trajectory(exact, carleman, work)
    with mpmath.workprec(working_bits(work)):
        scale = max([abs(x) for row in exact + carleman for x in row] + [mpmath.mpf(0)])
        accuracy = scale * mpmath.mpf(10) ** (GUARD_DIGITS - work)
        exact_s = [[_right_digits(x, accuracy, dps) for x in row] for row in exact]
        carleman_s = [[_right_digits(x, accuracy, dps) for x in row] for row in carleman]
        error_s = [_right_digits(x, accuracy, dps) for x in error]
        accuracy_s = format_decimal(accuracy * (1 + mpmath.mpf(10) ** -3), 3) if accuracy else "0"
    radii = certified_radii(problem, exact_s, carleman_s, error_s, dps) if certified else None
    return ReferenceResult(
        name=problem.name, n=problem.n, order=problem.order, steps=problem.steps, dps=dps,
        exact=exact_s, carleman=carleman_s, error=error_s, radii=radii,
        regime=classify(problem), bounds=bounds(problem, digits=min(dps, BOUND_DIGITS)), scheme=scheme,
        accuracy=accuracy_s,
    )


def _right_digits(x: Any, accuracy: Any, dps: int) -> str:
    """x written down to the last decimal digit whose unit is at least ``accuracy`` (absolute; FMT-2),
    with at most ``dps`` significant digits; "0" when |x| does not exceed the accuracy (zero within
    it). The logarithms are nudged by 1e-9 so that exact powers of ten land on the right side."""
    mag = abs(x)
    if mag <= accuracy:
        return "0"
    if accuracy == 0:
        return format_decimal(x, dps)
    lead = int(mpmath.floor(mpmath.log10(mag) + 1e-9))
    last = int(mpmath.ceil(mpmath.log10(accuracy) - 1e-9))
    return format_decimal(x, max(1, min(dps, lead - last + 1)))


def _float64_reference(problem: Problem, scheme: str) -> ReferenceResult:
    run = float64_trajectories(problem, scheme=scheme)

    def text(x: float) -> str:
        return repr(float(x)) if np.isfinite(x) else "nan"

    rows = run.exact.shape[0] if run.left_range is None else run.left_range
    return ReferenceResult(
        name=problem.name, n=problem.n, order=problem.order, steps=problem.steps, dps=FLOAT64_DIGITS,
        exact=[[text(x) for x in r] for r in run.exact[:rows]],
        carleman=[[text(x) for x in r] for r in run.carleman[:rows]],
        error=[text(x) for x in run.error[:rows]], radii=None,
        regime=classify(problem), bounds=bounds(problem, digits=FLOAT64_DIGITS),
        engine="float64", scheme=scheme, left_range=run.left_range,
    )
