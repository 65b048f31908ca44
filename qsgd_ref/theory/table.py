"""The table of truncation-error bounds of a problem (clauses BND-1 … BND-4).

Every bound string is a rigorous upper value: the upper end of an arb ball, rounded up to the
result's digits and certified at any magnitude (``upper_decimal``); "inf" where a form gives no bound.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

import flint

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.majorant import majorant_balls, problem_norms, r_upper

CLOSED_FORMS = {
    "closed_form_q2": cf.closed_form_q2,
    "closed_form_any_q": cf.closed_form_any_q,
    "closed_form_almost": cf.closed_form_almost,
}


@dataclass(frozen=True)
class BoundTable(Result):
    """Upper bounds on ‖u(t) − ŷ_1(t)‖₂, t = 0 … T: ``bounds`` maps each applicable series (the
    majorant of BND-1 and the closed forms of BND-2 … BND-4) to T + 1 decimal strings rounded up
    to ``digits`` digits; ``not_applicable`` maps each other closed form to the reason."""

    bounds: dict[str, list[str]]
    not_applicable: dict[str, str]
    digits: int

    def summary(self) -> list[str]:
        lines = [f"bounds on ‖u(t) − ŷ_1(t)‖₂ ({self.digits} digits, rounded up)"]
        for name, values in self.bounds.items():
            lines.append(f"  {name}: at t = T: {values[-1]}")
        lines += [f"  {name} does not apply: {why}" for name, why in self.not_applicable.items()]
        return lines


def _upper(x: flint.arb, digits: int) -> str:
    """:func:`upper_decimal`, or "inf" for a bound whose exponent no decimal holds (a divergent
    problem's majorant over many steps grows doubly exponentially): still a true upper bound."""
    try:
        return upper_decimal(x, digits)
    except (decimal.Overflow, OverflowError):
        return "inf"


def bounds(problem: Problem, digits: int = 17) -> BoundTable:
    """The majorant (BND-1) and every closed form that applies (BND-2 … BND-4), with the reasons for
    those that do not; each value is rounded up to ``digits`` significant digits.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> b = qsgd_ref.bounds(p, digits=6)
    >>> b.bounds["majorant"]
    ['0', '0', '0.00878907', '0.00864816']
    >>> sorted(b.not_applicable)
    ['closed_form_almost']
    """
    prec = max(128, 4 * digits)
    balls = majorant_balls(problem, prec=prec)
    series = {"majorant": [_upper(b, digits) for b in balls]}
    missing: dict[str, str] = {}
    h, r = cf.sup_norms(problem_norms(problem)), r_upper(problem)
    for name, fn in CLOSED_FORMS.items():
        reason = cf.applies(name, h, r)
        if reason is None:
            with arb_prec(prec):
                values = [fn(h, r, problem.order, t, ball) for t in range(problem.steps + 1)]
            series[name] = ["inf" if v is None else _upper(v, digits) for v in values]
        else:
            missing[name] = reason
    return BoundTable(series, missing, digits)
