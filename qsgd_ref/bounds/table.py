"""The table of truncation-error bounds of a problem (clauses BND-1 … BND-4).

Every bound string is a rigorous upper value: the upper end of an arb ball, rounded up to the
result's digits and certified at any magnitude (``upper_decimal``); "inf" where a form gives no bound.
"""

from __future__ import annotations

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.bounds import closed_forms as cf
from qsgd_ref.bounds.majorant import majorant_balls, problem_norms, r_upper
from qsgd_ref.problem import Problem

CLOSED_FORMS = {
    "closed_form_q2": cf.closed_form_q2,
    "closed_form_any_q": cf.closed_form_any_q,
    "closed_form_almost": cf.closed_form_almost,
}


def bound_table(problem: Problem, digits: int = 17) -> tuple[dict[str, list[str]], dict[str, str]]:
    """({name: T+1 strings}, {name: reason}) for the majorant and every closed form."""
    prec = max(128, 4 * digits)
    balls = majorant_balls(problem, prec=prec)
    bounds = {"majorant": [upper_decimal(b, digits) for b in balls]}
    missing: dict[str, str] = {}
    h, r = cf.sup_norms(problem_norms(problem)), r_upper(problem)
    for name, fn in CLOSED_FORMS.items():
        reason = cf.applies(name, h, r)
        if reason is None:
            with arb_prec(prec):
                values = [fn(h, r, problem.order, t, ball) for t in range(problem.steps + 1)]
            bounds[name] = ["inf" if v is None else upper_decimal(v, digits) for v in values]
        else:
            missing[name] = reason
    return bounds, missing
