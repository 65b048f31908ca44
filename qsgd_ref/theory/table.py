"""The table of truncation-error bounds of a problem (clauses BND-1 … BND-4, BND-6 … BND-9).

Every bound string is a rigorous upper value: the upper end of an arb ball, rounded up to the
result's digits and certified at any magnitude (``upper_decimal``); "inf" where a form gives no bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.horizon import closed_form_horizon_q2, whole_horizon_series
from qsgd_ref.theory.majorant import majorant_balls
from qsgd_ref.theory.norms import problem_norms, r_upper
from qsgd_ref.theory.weighted import EIGENBASIS, LYAPUNOV, weighted_views

CLOSED_FORMS = {
    "closed_form_q2": cf.closed_form_q2,
    "closed_form_any_q": cf.closed_form_any_q,
    "closed_form_almost": cf.closed_form_almost,
}


@dataclass(frozen=True)
class BoundTable(Result):
    """Upper bounds on ‖u(t) − ŷ_1(t)‖₂, t = 0 … T: ``bounds`` maps each applicable series (the
    majorant of BND-1, the closed forms of BND-2 … BND-4, the whole-horizon bounds BND-6 and BND-7,
    and the majorant in the eigenbasis and in a Lyapunov weight, BND-8 and BND-9) to T + 1 decimal
    strings rounded up to ``digits`` digits ("inf" where a form gives no bound at that t);
    ``not_applicable`` maps each other series to the reason."""

    bounds: dict[str, list[str]]
    not_applicable: dict[str, str]
    digits: int

    def summary(self) -> list[str]:
        lines = [f"bounds on ‖u(t) − ŷ_1(t)‖₂ ({self.digits} digits, rounded up)"]
        for name, values in self.bounds.items():
            lines.append(f"  {name}: at t = T: {values[-1]}")
        lines += [f"  {name} does not apply: {why}" for name, why in self.not_applicable.items()]
        return lines


def bounds(problem: Problem, digits: int = 17) -> BoundTable:
    """The majorant (BND-1) and every other bound that applies (BND-2 … BND-4, BND-6 … BND-9), with
    the reasons for those that do not; each value is rounded up to ``digits`` significant digits.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> b = qsgd_ref.bounds(p, digits=6)
    >>> b.bounds["majorant"]
    ['0', '0', '0.00878907', '0.00864816']
    >>> sorted(b.not_applicable)
    ['closed_form_almost', 'eigenbasis', 'lyapunov']
    """
    prec = max(128, 4 * digits)
    balls = majorant_balls(problem, prec=prec)
    series = {"majorant": [upper_decimal(b, digits) for b in balls]}
    missing: dict[str, str] = {}
    h, r = cf.sup_norms(problem_norms(problem)), r_upper(problem)
    for name, fn in CLOSED_FORMS.items():
        reason = cf.applies(name, h, r)
        if reason is None:
            with arb_prec(prec):
                values = [fn(h, r, problem.order, t, ball) for t in range(problem.steps + 1)]
            series[name] = ["inf" if v is None else upper_decimal(v, digits) for v in values]
        else:
            missing[name] = reason
    with arb_prec(prec):
        series["whole_horizon"] = [upper_decimal(v, digits) for v in
                                   whole_horizon_series(problem_norms(problem), r, problem.order, problem.steps)]
        reason = horizon_q2_applies(h)
        if reason is None:
            values = closed_form_horizon_q2(h, r, problem.order, problem.steps)
            series["closed_form_horizon_q2"] = ["inf" if v is None else upper_decimal(v, digits) for v in values]
        else:
            missing["closed_form_horizon_q2"] = reason
        for kind, view in weighted_views(problem).items():
            if isinstance(view, str):
                missing[kind] = view
            else:
                series[kind] = [upper_decimal(v, digits) for v in view.majorant_balls(problem.order, problem.steps)]
    order = [*CLOSED_FORMS, "whole_horizon", "closed_form_horizon_q2", EIGENBASIS, LYAPUNOV]
    series = {"majorant": series["majorant"], **{k: series[k] for k in order if k in series}}
    return BoundTable(series, missing, digits)


def horizon_q2_applies(h: cf.Norms) -> str | None:
    """None if BND-7 applies to the (sup) norms h, else the reason it does not."""
    q = max([1, *(ell for ell, x in h.items() if x)])
    if h.get(0):
        return "needs F_0 = 0 (BND-6 covers F_0 ≠ 0)"
    if q > 2:
        return f"needs degree q ≤ 2 (q = {q}); BND-6 covers every degree"
    if not h.get(1):
        return "needs ‖I + F_1‖₂ > 0"
    return None
