"""The error of the normalised output state (clause OUT-1; proof in docs/theory/output.md).

HHL returns ŷ_1(T)/‖ŷ_1(T)‖ (post-selected, normalised), not ŷ_1(T). For non-zero x, y in a real
inner-product space (Dunkl and Williams, 1964)

    ‖x/‖x‖ − y/‖y‖‖ ≤ 2‖x − y‖ / (‖x‖ + ‖y‖),

so with e ≥ ‖u(T) − ŷ_1(T)‖₂ (BND-1 at order N), ℓ_u ≤ ‖u(T)‖₂ and ℓ_ŷ ≤ ‖ŷ_1(T)‖₂ the normalised
error is at most min(2, 2e/(ℓ_u + ℓ_ŷ)). The lower bounds are certified (arb balls):

* a priori: u_aff(T), the iterate of the affine part u ↦ (I + F_1(t))u + F_0(t) (= ŷ_1 at order
  N = 1), and the order-1 majorant e₁ ≥ ‖u(T) − u_aff(T)‖ give ℓ_u = ‖u_aff(T)‖ − e₁ and
  ℓ_ŷ = ℓ_u − e; nothing of the nonlinear iteration or of the order-N solve is used;
* a posteriori (optional): a ball for ŷ_1(T) itself (the certified truncated iteration, REF-2) gives
  ℓ_ŷ = ‖ŷ_1(T)‖ and ℓ_u = ‖ŷ_1(T)‖ − e.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flint

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import map_step, map_terms
from qsgd_ref.theory.majorant import majorant_balls

#: Significant digits of the reported numbers (upper bounds rounded up, lower bounds down).
DIGITS = 6


def lower_decimal(x: flint.arb, digits: int = DIGITS) -> str:
    """A decimal string ≤ every value in the ball (the mirror of ``upper_decimal``)."""
    text = upper_decimal(-x, digits)
    if text == "inf":
        return "-inf"
    return text[1:] if text.startswith("-") else ("0" if text == "0" else "-" + text)


def affine_balls(problem: Problem) -> list[list[flint.arb]]:
    """u_aff(t), t = 0 … T, in balls: the iteration of u ↦ u + F_0(t) + F_1(t) u (the order-1
    truncated Carleman iterate ŷ_1 of LIFT-2). Call inside :func:`arb_prec`."""
    u = [ball(x) for x in problem.u0]
    out = [u]
    cached: tuple[int, dict[int, Any]] | None = None
    for t in range(problem.steps):
        key = t if problem.time_dependent else 0
        if cached is None or cached[0] != key:
            fmap = {ell: a for ell, a in problem.map_at(t).items() if ell <= 1}
            cached = (key, map_terms(fmap, problem.n, ball))
        u = map_step(cached[1], u)
        out.append(u)
    return out


def norm_ball(v: list[flint.arb]) -> flint.arb:
    """‖v‖₂ as a ball (the sum of squares clipped at 0 before the square root: rigorous)."""
    return sum((x * x for x in v), flint.arb(0)).nonnegative_part().sqrt()


@dataclass(frozen=True)
class OutputStateBound(Result):
    """Certified numbers of OUT-1 at t = T (decimal strings; upper bounds rounded up, lower bounds
    rounded down): ``truncation`` e ≥ ‖u(T) − ŷ_1(T)‖₂ (BND-1), ``norm_lower`` ℓ_u ≤ ‖u(T)‖₂,
    ``carleman_norm_lower`` ℓ_ŷ ≤ ‖ŷ_1(T)‖₂ and ``bound`` ≥ ‖u(T)/‖u(T)‖ − ŷ_1(T)/‖ŷ_1(T)‖‖₂, from
    the a priori lower bounds and, if computed, the a posteriori ones (``a_posteriori``, or None)."""

    steps: int
    order: int
    truncation: str
    affine_norm_lower: str
    affine_truncation: str
    norm_lower: str
    carleman_norm_lower: str
    bound: str
    a_posteriori: dict[str, str] | None

    def summary(self) -> list[str]:
        lines = [f"normalised output state at T = {self.steps}, N = {self.order}: "
                 f"‖u/‖u‖ − ŷ_1/‖ŷ_1‖‖₂ ≤ {self.bound} (OUT-1)",
                 f"  ‖u(T) − ŷ_1(T)‖₂ ≤ {self.truncation}, ‖u(T)‖₂ ≥ {self.norm_lower}, "
                 f"‖ŷ_1(T)‖₂ ≥ {self.carleman_norm_lower} (a priori)"]
        if self.a_posteriori is not None:
            lines.append(f"  a posteriori (‖ŷ_1(T)‖₂ ≥ {self.a_posteriori['carleman_norm_lower']}): "
                         f"≤ {self.a_posteriori['bound']}")
        return lines


def normalised_bound(e: flint.arb, lower_u: flint.arb, lower_y: flint.arb) -> flint.arb:
    """min(2, 2e/(ℓ_u + ℓ_ŷ)) with the lower bounds clipped at 0 (2 when their sum may be 0)."""
    zero = flint.arb(0)
    total = lower_u.max(zero) + lower_y.max(zero)
    two = flint.arb(2)
    if not total > 0:
        return two
    value = 2 * e / total
    return value if value.upper() < 2 else two


@dataclass(frozen=True)
class _Lower:
    """Balls of the a priori pieces (kept as balls for the cost model)."""

    e: flint.arb
    affine: flint.arb
    e_affine: flint.arb
    u: flint.arb
    y: flint.arb


def a_priori(problem: Problem, prec: int = 128) -> _Lower:
    """The a priori balls of OUT-1: e, ‖u_aff(T)‖, e₁, ℓ_u and ℓ_ŷ. Call inside ``arb_prec(prec)``."""
    e = majorant_balls(problem, prec=prec)[-1]
    e_aff = e if problem.order == 1 else majorant_balls(problem.with_(order=1), prec=prec)[-1]
    aff = norm_ball(affine_balls(problem)[-1])
    lower_u = aff - e_aff
    return _Lower(e, aff, e_aff, lower_u, lower_u - e)


def output_state_bound(problem: Problem, *, a_posteriori: bool = False, prec: int = 128) -> OutputStateBound:
    """OUT-1: a certified bound on ‖u(T)/‖u(T)‖ − ŷ_1(T)/‖ŷ_1(T)‖‖₂ from BND-1 and certified lower
    bounds on ‖u(T)‖₂ and ‖ŷ_1(T)‖₂; with ``a_posteriori`` also from a ball of ŷ_1(T) (REF-2's
    certified truncated iteration: small problems).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["1/2"], steps=5, order=2)
    >>> print(qsgd_ref.output_state_bound(p))
    normalised output state at T = 5, N = 2: ‖u/‖u‖ − ŷ_1/‖ŷ_1‖‖₂ ≤ 0.0128647 (OUT-1)
      ‖u(T) − ŷ_1(T)‖₂ ≤ 0.00330245, ‖u(T)‖₂ ≥ 0.258357, ‖ŷ_1(T)‖₂ ≥ 0.255055 (a priori)
    """
    with arb_prec(prec):
        low = a_priori(problem, prec)
        bound = normalised_bound(low.e, low.u, low.y)
        post: dict[str, str] | None = None
        if a_posteriori:
            from qsgd_ref.trajectories.certified import certified_trajectories

            y = norm_ball(certified_trajectories(problem, prec).carleman[-1])
            post_bound = normalised_bound(low.e, y - low.e, y)
            post = {"carleman_norm_lower": lower_decimal(y), "norm_lower": lower_decimal((y - low.e).max(flint.arb(0))),
                    "bound": upper_decimal(post_bound, DIGITS)}
            if post_bound.upper() < bound.upper():
                bound = post_bound
        zero = flint.arb(0)
        return OutputStateBound(
            steps=problem.steps, order=problem.order, truncation=upper_decimal(low.e, DIGITS),
            affine_norm_lower=lower_decimal(low.affine), affine_truncation=upper_decimal(low.e_affine, DIGITS),
            norm_lower=lower_decimal(low.u.max(zero)), carleman_norm_lower=lower_decimal(low.y.max(zero)),
            bound=upper_decimal(bound, DIGITS), a_posteriori=post,
        )
