"""Bounds over the whole horizon (BND-6, BND-7) and BND-4's window, judged with balls or exact rationals."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, instances

from qsgd_ref.base.balls import arb_prec, ball, ball_interval
from qsgd_ref.problem import make_problem
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.horizon import (
    LAMBDA_MAX_LOG2,
    amplified,
    closed_form_horizon_q2,
    envelope_holds,
    horizon_bound,
    horizon_number,
    orbit,
    whole_horizon_series,
)
from qsgd_ref.theory.majorant import majorant, majorant_balls
from qsgd_ref.theory.norms import problem_norms, r_upper
from qsgd_ref.theory.table import bounds
from qsgd_ref.trajectories.certified import certified_trajectories

PREC = 256


@pytest.mark.clause("BND-6")
@settings(max_examples=examples(12))
@given(inst=instances(max_steps=8), data=st.data())
def test_amplified_majorant_dominates_the_majorant_exactly(inst, data):
    """Property, exact rationals: for a drawn λ ≥ 1 and every t, d_1(t) ≤ c_t λ^{−N} ṽ_λ(t) — the left side
    by the BND-1 recursion (per step), the right side by iterating the amplified scalar map (a separate
    loop). Every regime, with and without F_0, time-dependent or not."""
    p = inst.problem.with_(steps=min(inst.problem.steps, 6))
    lam = 1 + Fraction(data.draw(st.integers(0, 40), label="8·(λ − 1)"), 8)
    hs, r = problem_norms(p), r_upper(p)
    _, ds = majorant(hs, r, p.order, p.steps)
    vt = orbit([amplified(h, lam) for h in hs], r, p.steps)
    f0 = any(h.get(0) for h in hs)
    for t in range(1, p.steps + 1):
        assert ds[t][0] <= (t if f0 else 1) * vt[t] / lam**p.order, t


@pytest.mark.clause("BND-6")
def test_amplified_majorant_is_tight_for_the_scalar_tree_sum():
    """F_0 = 0: d_1(t) = Σ_{k>N} c_k(t) r^k (c_k the coefficients of the composed map) — the identity the
    Cauchy estimate rests on — checked against a second method, sympy's polynomial composition."""
    import sympy

    x = sympy.Symbol("x")
    h = {1: Fraction(3, 4), 2: Fraction(1, 5), 3: Fraction(1, 7)}
    r, order, steps = Fraction(1, 3), 2, 3
    poly = sum(sympy.Rational(v.numerator, v.denominator) * x**ell for ell, v in h.items())
    composed = x
    for _ in range(steps):
        composed = sympy.expand(poly.subs(x, composed))
    coeffs = sympy.Poly(composed, x).all_coeffs()[::-1]
    tail = sum(Fraction(int(sympy.fraction(c)[0]), int(sympy.fraction(c)[1])) * r**k
               for k, c in enumerate(coeffs) if k > order)
    _, ds = majorant([h], r, order, steps)
    assert ds[steps][0] == tail


@pytest.mark.slow  # 2-3 s: certified trajectories of 8 drawn instances
@pytest.mark.clause("BND-6")
@settings(max_examples=examples(8))
@given(inst=instances(max_steps=12))
def test_whole_horizon_series_bounds_the_certified_error(inst):
    """The table's BND-6 series (minimum over the λ grid, balls) is above the certified error (balls, a
    second computation) and the majorant at every t, in every regime."""
    p = inst.problem
    err = certified_trajectories(p, PREC).error
    with arb_prec(PREC):
        series = whole_horizon_series(problem_norms(p), r_upper(p), p.order, p.steps)
    maj = majorant_balls(p, PREC)
    for t in range(p.steps + 1):
        assert not err[t] > series[t] and not maj[t] > series[t], t


@pytest.mark.clause("BND-6", "REG-3")
@given(data=st.data())
def test_horizon_corollary_keeps_the_amplified_majorant_in_the_envelope(data):
    """Property (labelled draws of h_1, F_0, r, T, and h_2, h_3 as shares of a budget that makes x_T ≤ 0.91):
    for λ = x_T^{−1/(q−1)} the
    amplified majorant stays below e(r + h_0 t) for t ≤ T — recomputed at 60 digits in mpmath (second
    method) and with the certified envelope test."""
    h = {1: 1 + Fraction(data.draw(st.integers(-200, 2), label="1000·(h_1 − 1)"), 1000)}
    if data.draw(st.booleans(), label="F_0 on"):
        h[0] = Fraction(data.draw(st.integers(1, 20), label="10⁴·h_0"), 10**4)
    r = Fraction(data.draw(st.integers(1, 40), label="40·r"), 40)
    steps = data.draw(st.integers(1, 80), label="T")
    gamma = 1 - h[1]
    base = r + h.get(0, Fraction(0)) * steps  # Y_T = e·base < 3·base
    share = Fraction(data.draw(st.integers(1, 10), label="10·(share of the budget x_T < 1 for h_2)"), 10)
    h[2] = share * (1 + gamma * steps) / (3 * steps * base)
    if data.draw(st.booleans(), label="F_3 on"):
        h[3] = (1 - share) * (1 + gamma * steps) / (9 * steps * base**2)
    q = max(h)
    gamma = 1 - h[1]
    if 1 + gamma * steps <= 0:
        return
    with mpmath.workdps(60):
        def mp(v: Fraction) -> mpmath.mpf:
            return mpmath.mpf(v.numerator) / v.denominator

        y = mpmath.e * (mp(r) + mp(h.get(0, Fraction(0))) * steps)
        g = sum(mp(v) * y ** (ell - 1) for ell, v in h.items() if ell >= 2)
        x_t = steps * g / (1 + mp(gamma) * steps)
        assert 0 < x_t <= mpmath.mpf("0.91")
        lam = x_t ** (-mpmath.mpf(1) / (q - 1))
        amp = {ell: mp(v) * lam ** (ell - 1) if ell >= 2 else mp(v) for ell, v in h.items()}
        vs = orbit([amp], mp(r), steps)
        for t, v in enumerate(vs):
            assert v <= mpmath.e * (mp(r) + mp(h.get(0, Fraction(0))) * t) * (1 + mpmath.mpf(10) ** -50), t
        lam_q = Fraction(mpmath.nstr(lam * (1 - mpmath.mpf(10) ** -20), 30))  # a rational just below λ
    assert envelope_holds(h, r, steps, max(lam_q, Fraction(1))) is None


@pytest.mark.clause("BND-7")
@given(data=st.data())
def test_closed_form_horizon_q2_dominates_the_majorant(data):
    """Property (labelled draws: a = h_1 ∈ [0.9, 1.01], h_2, r, N, T): BND-7 is ≥ the majorant d_1(t)
    (balls; the majorant is the tight scalar bound) wherever it is finite, and finite exactly on x_t < 1
    (x_t recomputed with exact rationals)."""
    a = Fraction(data.draw(st.integers(900, 1010), label="1000·h_1"), 1000)
    h = {1: a, 2: Fraction(data.draw(st.integers(1, 40), label="1000·h_2"), 1000)}
    r = Fraction(data.draw(st.integers(1, 20), label="20·r"), 20)
    order = data.draw(st.integers(1, 5), label="N")
    steps = data.draw(st.integers(1, 60), label="T")
    with arb_prec(PREC):
        closed = closed_form_horizon_q2(h, r, order, steps)
        _, ds = majorant([{k: ball(v) for k, v in h.items()}], ball(r), order, steps)
    s = Fraction(0)
    for t in range(steps + 1):
        x_t = r * h[2] * s
        if t > 0:
            assert (closed[t] is not None) == (x_t < 1) or abs(x_t - 1) < Fraction(1, 10**20), t
        if closed[t] is not None:
            assert not ds[t][0] > closed[t], t
        s += a ** (t - 1) if t >= 1 else 1 / a


@pytest.mark.clause("BND-7")
def test_closed_form_horizon_q2_polynomial_constant():
    """a = 1: (N+1)(1+1/N)^N r (r h_2 t)^N exactly at a point inside the window (exact rationals)."""
    h = {1: Fraction(1), 2: Fraction(1, 100)}
    r, order, t = Fraction(1), 3, 20  # x_t = 1/5 ≤ N/(N+1)
    with arb_prec(PREC):
        value = closed_form_horizon_q2(h, r, order, t)[t]
    expect = (order + 1) * (1 + Fraction(1, order)) ** order * r * (r * h[2] * t) ** order
    lo, hi = ball_interval(value)
    assert lo <= expect <= hi


@pytest.mark.clause("BND-4", "BND-7")
def test_bnd4_window_and_bnd7_reach():
    """BND-4 is finite only while κ_t ≤ 1 (t ≲ 1 + 1/(e r h_2) for a = 1) and then O(r); BND-7 reaches
    t < 1/(r h_2), about e times further; the table says "inf" outside each window."""
    p = make_problem(F={1: [["0"]], 2: [["1/100"]]}, u0=["1"], steps=120, order=2)
    table = bounds(p, digits=6)
    almost, horizon = table.bounds["closed_form_almost"], table.bounds["closed_form_horizon_q2"]
    last4 = max(t for t, v in enumerate(almost) if v != "inf")
    last7 = max(t for t, v in enumerate(horizon) if v != "inf")
    assert 30 <= last4 <= 1 + 100 / float(mpmath.e) + 1 and all(v == "inf" for v in almost[last4 + 1:])
    assert last7 == 99 and all(v == "inf" for v in horizon[100:])
    assert last7 / last4 > 2.5
    # on its window BND-4 is at most r e (t/(t − 1)) = O(r) (δ = 0)
    assert all(float(v) <= float(mpmath.e) * t / (t - 1) for t, v in enumerate(almost) if t >= 2 and v != "inf")


@pytest.mark.clause("BND-4")
def test_bnd4_is_what_the_clause_says_on_its_window():
    """Exactly the restated form: r a^t (t/(t−1))^t κ_t^N (1 − ((t−1)/t)^t)^N, recomputed in exact rationals."""
    h = {1: Fraction(1001, 1000), 2: Fraction(1, 200)}
    r, order, t = Fraction(1, 2), 2, 6
    kappa = r * h[2] * h[1] ** (t - 1) * Fraction(t) ** t / Fraction(t - 1) ** (t - 1)
    expect = r * h[1] ** t * Fraction(t, t - 1) ** t * kappa**order * (1 - Fraction(t - 1, t) ** t) ** order
    assert kappa <= 1 and cf.closed_form_almost(h, r, order, t) == expect


@pytest.mark.clause("BND-6", "REG-3")
def test_horizon_bound_is_certified_and_covers_the_horizon():
    """The REG-3 promise as computed: Λ passes the certified envelope test, the bound at T is at most the
    corollary's c_T e(r + h_0 T) x_T^{N/(q−1)} and above the majorant at every t ≤ T (balls); without a
    nonlinearity Λ is the cap, and a majorant that leaves the envelope gives None."""
    h, r, steps, order = {1: Fraction(1), 2: Fraction(1, 100)}, Fraction(1, 2), 40, 3
    hb = horizon_bound(h, r, steps, order, f0=False)
    assert hb is not None and hb.amplification > 1 and envelope_holds(h, r, steps, hb.amplification) is None
    with arb_prec(PREC):
        x_t = horizon_number(h, r, steps)
        assert x_t <= 1 and not hb.bound_at_T > hb.envelope_at_T * x_t**order
        _, ds = majorant([{k: ball(v) for k, v in h.items()}], ball(r), order, steps)
    assert all(not row[0] > hb.bound_at_T for row in ds)
    assert horizon_bound({1: Fraction(1)}, r, steps, order, f0=False).amplification == 2**LAMBDA_MAX_LOG2
    assert horizon_bound(h, r, 400, order, f0=False) is None
