"""Attach "regime", "bounds" and "not_applicable" to a reference result (clauses REG-1, BND-1 … BND-4).

Every bound string is a rigorous upper value: the upper end of an arb ball, rounded up to the
result's digits and certified at any magnitude (``upper_decimal``); "inf" where a form gives no bound.
"""

from __future__ import annotations

from typing import Any

from qsgd_ref.bounds import closed_forms as cf
from qsgd_ref.bounds.majorant import majorant_balls, problem_norms, r_upper
from qsgd_ref.problem import Problem
from qsgd_ref.regimes import classify

CLOSED_FORMS = {
    "closed_form_q2": cf.closed_form_q2,
    "closed_form_any_q": cf.closed_form_any_q,
    "closed_form_almost": cf.closed_form_almost,
}


def bound_table(problem: Problem, digits: int = 17) -> tuple[dict[str, list[str]], dict[str, str]]:
    """({name: T+1 strings}, {name: reason}) for the majorant and every closed form."""
    import flint

    from qsgd_ref.reference.certified import ball, upper_decimal

    prec = max(128, 4 * digits)
    balls = majorant_balls(problem, prec=prec)
    bounds = {"majorant": [upper_decimal(b, digits) for b in balls]}
    missing: dict[str, str] = {}
    h, r = cf.sup_norms(problem_norms(problem)), r_upper(problem)
    for name, fn in CLOSED_FORMS.items():
        reason = cf.applies(name, h, r)
        if reason is None:
            old, flint.ctx.prec = flint.ctx.prec, prec
            try:
                values = [fn(h, r, problem.order, t, ball) for t in range(problem.steps + 1)]
            finally:
                flint.ctx.prec = old
            bounds[name] = ["inf" if v is None else upper_decimal(v, digits) for v in values]
        else:
            missing[name] = reason
    return bounds, missing


def annotate(doc: dict[str, Any], problem: Problem) -> dict[str, Any]:
    """The fields to add to a reference result (FMT-2 additions)."""
    bounds, missing = bound_table(problem, digits=min(int(doc.get("dps", 17)), 30))
    return {"regime": classify(problem), "bounds": bounds, "not_applicable": missing}
