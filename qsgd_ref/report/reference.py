"""The reference result document (clause FMT-2, schema spec/schemas/reference.v1.json): the
trajectories of the reference stage with the regime and bounds of the bounds stage."""

from __future__ import annotations

from decimal import ROUND_CEILING, Context, Decimal
from fractions import Fraction
from typing import Any

from qsgd_ref.base.balls import ball_interval
from qsgd_ref.base.precision import DEFAULT_DPS, check_dps, format_decimal
from qsgd_ref.bounds.regimes import classify
from qsgd_ref.bounds.table import bound_table
from qsgd_ref.problem import Problem
from qsgd_ref.reference.certified import certified_trajectories
from qsgd_ref.reference.iteration import carleman_trajectory, error_trajectory, exact_trajectory

SCHEMA = "qsgd-ref.reference.v1"
#: Significant digits of a reported radius (always rounded up).
RADIUS_DIGITS = 3


def reference_result(problem: Problem, *, dps: int = DEFAULT_DPS, certified: bool = False) -> dict[str, Any]:
    """The FMT-2 document: u(t), ŷ_1(t), ‖u(t) − ŷ_1(t)‖₂ as ``dps``-digit strings (+ radii)."""
    check_dps(dps)
    exact = exact_trajectory(problem, dps)
    carleman = carleman_trajectory(problem, dps)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "name": problem.name,
        "dps": dps,
        "order": problem.order,
        "steps": problem.steps,
        "n": problem.n,
        "exact": [[format_decimal(x, dps) for x in row] for row in exact],
        "carleman": [[format_decimal(x, dps) for x in row] for row in carleman],
        "error": [format_decimal(x, dps) for x in error_trajectory(exact, carleman, dps)],
    }
    if certified:
        doc["radii"] = certified_radii(problem, doc)
    bounds, missing = bound_table(problem, digits=min(dps, 30))
    doc.update({"regime": classify(problem), "bounds": bounds, "not_applicable": missing})
    return doc


def certified_radii(problem: Problem, doc: dict[str, Any]) -> dict[str, Any]:
    """For every reported string s, a radius r with |true value − s| ≤ r (clause REF-2).

    r = rad + |mid − s| for the certified ball (mid, rad), computed exactly and rounded up.
    """
    balls = certified_trajectories(problem, dps=doc["dps"])
    return {
        "exact": [[_radius(b, s) for b, s in zip(bs, ss)] for bs, ss in zip(balls.exact, doc["exact"])],
        "carleman": [[_radius(b, s) for b, s in zip(bs, ss)] for bs, ss in zip(balls.carleman, doc["carleman"])],
        "error": [_radius(b, s) for b, s in zip(balls.error, doc["error"])],
        "prec_bits": balls.prec,
    }


def _radius(ball: Any, reported: str) -> str:
    lo, hi = ball_interval(ball)
    value = Fraction(Decimal(reported))
    return round_up(max(hi - value, value - lo, Fraction(0)))


def round_up(x: Fraction) -> str:
    """x ≥ 0 as a decimal string with RADIUS_DIGITS significant digits, rounded up."""
    if x == 0:
        return "0"
    ctx = Context(prec=RADIUS_DIGITS, rounding=ROUND_CEILING)
    return str(ctx.divide(Decimal(x.numerator), Decimal(x.denominator)))
