"""Truncation-error bounds hold, judged with certified balls or exact rationals (BND-1 … BND-5)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import flint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, instances

from qsgd_ref.base.balls import ball, ball_interval
from qsgd_ref.carleman import exact
from qsgd_ref.problem import make_problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.majorant import majorant, majorant_balls, majorant_exact
from qsgd_ref.theory.norms import problem_norms, r_upper
from qsgd_ref.trajectories.certified import certified_trajectories

PREC = 256


def exact_errors(problem, t_max: int) -> list[list[Fraction]]:
    """u(t) − ŷ_1(t) exactly for t = 0 … min(t_max, T), from the oracles (problem.iterate and
    carleman.exact.lifted_iteration in Fractions); small t only: sizes grow like q^t."""
    us = iterate(problem, Fraction, steps=min(t_max, problem.steps))
    ys = exact.lifted_iteration(problem, Fraction)
    return [[a - b for a, b in zip(u, y[:problem.n], strict=True)] for u, y in zip(us, ys)]


def _check_le(errors, bounds, problem, *, exact_upto: int = 4) -> int:
    """Assert error(t) ≤ bound(t) for every t rigorously; returns the number of ball-certified steps.

    A step is certified when err.upper ≤ bound.lower (arb's ``<=`` on balls, which never forms
    exact rationals, so divergent instances with astronomically large values stay cheap). Where
    the bound is exactly 0 the exact rational error must be 0 (computed in Fractions by the oracles,
    independently of the bound code). Overlapping balls are allowed only for n = 1 (the equality case
    of BND-1, checked exactly in test_majorant_attained...).
    """
    zero_steps = [t for t, b in enumerate(bounds) if b == 0]
    if zero_steps:
        assert max(zero_steps) <= exact_upto, "bound exactly 0 late in the run: check the instance"
        exact = exact_errors(problem, max(zero_steps))
        for t in zero_steps:
            assert all(x == 0 for x in exact[t]), f"bound 0 but exact error {exact[t]} at t={t}"
    certified = 0
    for t, (e, b) in enumerate(zip(errors, bounds)):
        if t in zero_steps or not b.is_finite():
            continue
        if e <= b:
            certified += 1
            continue
        assert problem.n == 1 and not e > b, f"t={t}: error {e} not ≤ bound {b}"
    return certified


@pytest.mark.clause("BND-1", "REF-2")
@settings(max_examples=examples(8))
@given(inst=instances(max_steps=12))
def test_majorant_bounds_the_error_at_every_step(inst):
    p = inst.problem
    errors = certified_trajectories(p, PREC).error
    bounds = majorant_balls(p, PREC)
    _check_le(errors, bounds, p)


@pytest.mark.clause("BND-1")
@settings(max_examples=examples(8))
@given(inst=instances(regime="fully", n=1, max_steps=12, nonneg_scalar=True, time_dependent=False))
def test_majorant_attained_for_scalar_nonnegative(inst):
    """Equality, exactly (Fractions): n = 1, H_ℓ ≥ 0, u(0) ≥ 0 (any T; a cubic map is cut to T ≤ 6, since
    its exact majorant v(t)^k has about 3^t times the digits of the coefficients: T = 11 took 33 s)."""
    p = inst.problem
    if p.degree >= 3:
        p = p.with_(steps=min(p.steps, 6))
    assert all(x + (1 if ell == 1 else 0) >= 0 for ell, a in p.maps[0].items() for x in a.values())
    exact = exact_errors(p, p.steps)
    assert majorant_exact(p) == [abs(e[0]) for e in exact]


@pytest.mark.clause("BND-1")
def test_majorant_levels_match_scalar_truncated_carleman():
    """d_j(t) = v(t)^j − w_j(t): the second method is the scalar truncated Carleman iteration of the oracle
    (exact.lifted_iteration on the scalar map with factors H_ℓ = h_ℓ, i.e. F_1 = h_1 − 1), w(0) = (r, …, r^N)."""
    h = {0: Fraction(1, 50), 1: Fraction(3, 5), 2: Fraction(1, 5), 3: Fraction(1, 10)}
    r, order, steps = Fraction(1, 2), 3, 5
    vs, ds = majorant([h], r, order, steps)
    scalar = make_problem(F={ell: [[x - (1 if ell == 1 else 0)]] if ell else [x] for ell, x in h.items()},
                          u0=[r], steps=steps, order=order)
    ws = list(exact.lifted_iteration(scalar, Fraction))
    assert ws[0] == [r**j for j in range(1, order + 1)]
    for t in range(steps):
        for j in range(1, order + 1):
            assert ds[t + 1][j - 1] == vs[t + 1] ** j - ws[t + 1][j - 1]


def _closed_form_check(inst, name):
    p = inst.problem
    h, r = cf.sup_norms(problem_norms(p)), r_upper(p)
    assert cf.applies(name, h, r) is None, cf.applies(name, h, r)
    fn = getattr(cf, name)
    majorants = majorant_balls(p, PREC)
    errors = certified_trajectories(p, PREC).error
    for t in range(p.steps + 1):
        value = fn(h, r, p.order, t)
        if value is None:
            continue
        bound = ball(value)
        lo, hi = ball_interval(majorants[t])
        if not hi <= value:  # undecided by balls (equality cases, e.g. t = 1, N = 1): decide exactly
            assert lo <= value and t <= 4, f"t={t}: majorant {majorants[t]} > closed form {value}"
            # regression (n = 3, N = 1, t = 1): majorant = closed form = r² h_2 exactly
            _, ds = majorant(problem_norms(p), r_upper(p), p.order, t)
            assert ds[t][0] <= value
        if value > 0 and not ball_interval(errors[t])[1] <= ball_interval(bound)[0]:
            assert t <= 4 and sum(x * x for x in exact_errors(p, t)[t]) <= value**2


@pytest.mark.clause("BND-2", "BND-5")
@settings(max_examples=examples(8))
@given(inst=instances(regime="fully", max_steps=12, f0=False, cubic=False))
def test_closed_form_q2_bounds_majorant_and_error(inst):
    _closed_form_check(inst, "closed_form_q2")


@pytest.mark.clause("BND-3")
@settings(max_examples=examples(8))
@given(inst=instances(regime="fully", max_steps=12, f0=False, cubic=True))
def test_closed_form_any_q(inst):
    _closed_form_check(inst, "closed_form_any_q")


@pytest.mark.clause("BND-3")
def test_naive_q3_extension_is_false():
    """Counterexample (docs/theory/bounds.md): exact error 1/4 > r R_d^N (1 − a)^N = 1/16."""
    p = make_problem(F={1: [["-1/2"]], 3: [["1/4"]]}, u0=["1"], steps=1, order=2)
    err = abs(exact_errors(p, 1)[1][0])
    a, rd = Fraction(1, 2), Fraction(1, 4) / Fraction(1, 2)
    assert err == Fraction(1, 4) and err > 1 * rd**2 * (1 - a) ** 2
    h, r = cf.sup_norms(problem_norms(p)), r_upper(p)
    assert cf.closed_form_any_q(h, r, 2, 1) >= err


@pytest.mark.clause("BND-4")
@given(delta_milli=st.integers(0, 3), f2_milli=st.integers(1, 40), order=st.integers(1, 5), steps=st.integers(10, 80))
def test_almost_dissipative_closed_form(delta_milli, f2_milli, order, steps):
    """Marginal/slightly divergent scalar and 2-d maps: the BND-4 form dominates the majorant."""
    a = 1 + Fraction(delta_milli, 1000)
    p = make_problem(F={1: [[a - 1, 0], [0, "-1/2"]], 2: [[Fraction(-f2_milli, 1000), 0, 0, "1/100"], [0] * 4]},
                     u0=["1/2", "1/4"], steps=steps, order=order)
    h, r = cf.sup_norms(problem_norms(p)), r_upper(p)
    assert cf.applies("closed_form_almost", h, r) is None
    majorants = majorant_balls(p, PREC)
    for t in range(steps + 1):
        value = cf.closed_form_almost(h, r, order, t)
        if value is not None:
            assert ball_interval(majorants[t])[1] <= value or ball_interval(majorants[t])[0] <= value == 0


@pytest.mark.clause("BND-5")
@settings(max_examples=examples(8))
@given(inst=instances(regime="fully", n=1, max_steps=12, f0=False, cubic=False, time_dependent=False))
def test_error_decreases_geometrically_in_order(inst):
    """‖e_1(t)‖ at N = 1 … 5 is below r R^N: the bound's ratio per order is R_d < 1."""
    base = inst.problem
    h, r = cf.sup_norms(problem_norms(base)), r_upper(base)
    big_r = r * h.get(2, Fraction(0)) / (1 - h[1])
    for order in range(1, 6):
        p = base.with_(order=order)
        worst = max(ball_interval(e)[1] for e in certified_trajectories(p, PREC).error)
        assert worst <= r * big_r**order * (1 + Fraction(1, 10**30))


@pytest.mark.clause("BND-1", "REG-3")
@settings(max_examples=examples(8))
@given(inst=instances(regime="divergent", n=1, max_steps=12, time_dependent=False, f0=False))
def test_divergent_bounds_grow(inst):
    """Negative property: outside the regimes the majorant grows with t (no false comfort)."""
    vals = majorant_balls(inst.problem, 128)
    assert vals[-1] > vals[len(vals) // 2] > 0  # arb: certainly greater


@pytest.mark.clause("BND-1", "REG-5")
def test_upper_decimal_writes_inf_beyond_the_largest_decimal_exponent():
    """A certified upper end beyond 10^(10^18) cannot be written as a decimal: "inf" is the upper bound
    then (a divergent majorant over thousands of steps reaches 10^(10^55)); below, the decimal is ≥ the ball."""
    from qsgd_ref.base.balls import arb_prec, upper_decimal

    with arb_prec(128):
        huge = flint.arb(2) ** (flint.arb(2) ** 2000)   # 2^(2^2000): its exponent does not fit a float
        big = flint.arb(10) ** 1000 * 3
    assert upper_decimal(huge, 17) == "inf"
    written = upper_decimal(big, 17)
    assert written != "inf" and Fraction(Decimal(written)) >= 3 * Fraction(10) ** 1000
