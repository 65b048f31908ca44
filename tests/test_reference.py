"""The high-precision reference solver (clauses REF-1, REF-2, LIFT-2, MAP-1, MAP-3).

Expected values come from the shared check cases (computed at 60 digits by an independent
implementation), from the oracles run in exact Fractions — the map iteration
``qsgd_ref.problem.iterate`` and the exact lifted iteration of ``qsgd_ref.carleman.exact``, themselves
checked against independent derivations in tests/test_exact_builder.py — and from a second precision
(the ladder).
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref import reference
from qsgd_ref.base.balls import ball_interval
from qsgd_ref.base.indexing import level_offsets
from qsgd_ref.base.precision import format_decimal, working_bits
from qsgd_ref.carleman import exact
from qsgd_ref.cli import main
from qsgd_ref.problem import load_problem, make_problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.trajectories import (
    carleman_trajectory,
    certified_trajectories,
    error_trajectory,
    exact_trajectory,
)

CHECKS = Path(__file__).parent / "data" / "checks"


# ----------------------------------------------------------------- exact values from the oracles


def exact_u(p) -> list[list[Fraction]]:
    """u(t), t = 0 … T, in Fractions (the map iteration)."""
    return list(iterate(p, Fraction))


def exact_levels(p) -> list[list[list[Fraction]]]:
    """ŷ_j(t) for every t and level j, in Fractions (the exact lifted iteration of LIFT-2)."""
    off = level_offsets(p.n, p.order)
    return [[y[off[j - 1]:off[j]] for j in range(1, p.order + 1)] for y in exact.lifted_iteration(p, Fraction)]


def exact_y1(p) -> list[list[Fraction]]:
    """ŷ_1(t), t = 0 … T, in Fractions."""
    return [y[:p.n] for y in exact.lifted_iteration(p, Fraction)]


def rel_diff(x, y: Fraction, scale: Fraction) -> Fraction:
    return abs(Fraction(Decimal(format_decimal(x, 60))) - y) / scale


# ----------------------------------------------------------------- problems

F0123 = {
    0: ["1/50", "-3/100"],
    1: [["-3/10", "1/20"], ["-1/25", "-1/4"]],
    2: [["1/10", "-1/20", "0", "1/40"], ["0", "3/50", "-1/10", "1/20"]],
    3: [["-1/20", "0", "1/100", "0", "0", "1/50", "0", "-1/30"], ["0", "1/40", "0", "0", "-1/60", "0", "0", "-1/20"]],
}
U0 = ["1/2", "-2/5"]


def p0123(steps=6, order=3):
    return make_problem(F=F0123, u0=U0, steps=steps, order=order, name="F0-F3")


# ----------------------------------------------------------------- tests


@pytest.mark.clause("REF-1", "MAP-1", "LIFT-2")
@pytest.mark.parametrize("name", ["p1-quadratic-forced", "p2-scalar-cubic"])
def test_shared_check_cases_to_40_digits(name):
    p = load_problem(CHECKS / "problems" / f"{name}.json")
    expected = json.loads((CHECKS / "expected" / f"{name}.json").read_text())
    doc = reference(p, dps=50).to_json()
    for key in ("exact", "carleman"):
        assert len(doc[key]) == len(expected[key]) == p.steps + 1
        for got_row, exp_row in zip(doc[key], expected[key]):
            for got, exp in zip(got_row, exp_row):
                g, e = Decimal(got), Decimal(exp)
                assert abs(g - e) <= Decimal("1e-40") * max(abs(e), Decimal("1e-6")), (key, got, exp)
    for got, exp in zip(doc["error"], expected["error"]):
        assert abs(Decimal(got) - Decimal(exp)) <= Decimal("1e-45")


@pytest.mark.clause("REF-1", "MAP-1", "LIFT-2")
def test_all_four_map_terms_against_exact_fractions():
    """F_0, F_1, F_2, F_3 all non-zero (the issue's 'Done when'): 40 digits at dps 50."""
    p = p0123(steps=6, order=3)
    want_u, want_y = exact_u(p), exact_levels(p)
    got_u = exact_trajectory(p, 50)
    got_y = carleman_trajectory(p, 50, levels=True)
    for t in range(7):
        for i in range(2):
            assert rel_diff(got_u[t][i], want_u[t][i], max(abs(want_u[t][i]), Fraction(1, 10**6))) < Fraction(1, 10**40)
        for j in range(3):
            for got, want in zip(got_y[t][j], want_y[t][j]):
                assert rel_diff(got, want, max(abs(want), Fraction(1, 10**6))) < Fraction(1, 10**40)
    # the truncation genuinely differs from the exact iteration (the test is not vacuous)
    assert want_y[6][0][0] != want_u[6][0]
    ylevel1 = carleman_trajectory(p, 50)
    assert [row for row in ylevel1] == [lv[0] for lv in got_y]


@st.composite
def tiny_problems(draw):
    n = draw(st.integers(1, 2), label="n")
    q = draw(st.integers(1, 3), label="q")
    steps = draw(st.integers(0, 4), label="steps")
    order = draw(st.integers(1, 3), label="order")
    frac = st.fractions(min_value=Fraction(-1, 4), max_value=Fraction(1, 4), max_denominator=40)
    time_dep = draw(st.booleans(), label="time-dependent") and steps > 0
    maps = []
    for _ in range(steps if time_dep else 1):
        m = {0: [draw(frac, label="F0") for _ in range(n)]}
        for ell in range(1, q + 1):
            m[ell] = [[draw(frac, label=f"F{ell}") for _ in range(n**ell)] for _ in range(n)]
        maps.append(m)
    u0 = [draw(frac, label="u0") for _ in range(n)]
    return maps, u0, steps, order, time_dep


@pytest.mark.clause("REF-1", "MAP-1", "MAP-3", "LIFT-2")
@given(case=tiny_problems())
def test_agrees_with_exact_rationals_on_tiny_problems(case):
    """Paths: trajectories.carleman_trajectory (the integer step in block floating point, every level) vs
    exact.lifted_iteration, and exact_trajectory (mpmath) vs problem.iterate in Fractions: within 10^-27 of
    the scale at 30 digits."""
    maps, u0, steps, order, time_dep = case
    if time_dep:
        p = make_problem(F_steps=maps, u0=u0, steps=steps, order=order)
    else:
        p = make_problem(F=maps[0], u0=u0, steps=steps, order=order)
    want_u, want_y = exact_u(p), exact_levels(p)
    scale_u = max(Fraction(1, 10**6), *(abs(x) for row in want_u for x in row))
    scale_y = max(Fraction(1, 10**6), *(abs(x) for row in want_y for lv in row for x in lv))
    got_u = exact_trajectory(p, 30)
    got_y = carleman_trajectory(p, 30, levels=True)
    tol = Fraction(1, 10**27)
    for t in range(steps + 1):
        assert all(rel_diff(g, w, scale_u) < tol for g, w in zip(got_u[t], want_u[t]))
        for j in range(order):
            assert all(rel_diff(g, w, scale_y) < tol for g, w in zip(got_y[t][j], want_y[t][j]))


@pytest.mark.clause("MAP-3", "REF-1")
def test_time_dependent_maps_use_each_step_map():
    """u(t+1) = u(t) + F_1(t) u(t) with F_1(t) = −1/(t+2): u(T) = u0 · Π (1 − 1/(t+2)) = u0 / (T+1)."""
    steps = 7
    maps = [{1: [[Fraction(-1, t + 2)]]} for t in range(steps)]
    p = make_problem(F_steps=maps, u0=["3"], steps=steps, order=2)
    u = exact_trajectory(p, 40)
    y = carleman_trajectory(p, 40)
    for t in range(steps + 1):
        want = Fraction(3, t + 1)
        assert rel_diff(u[t][0], want, want) < Fraction(1, 10**38)
        assert rel_diff(y[t][0], want, want) < Fraction(1, 10**38)  # linear map: truncation is exact


@pytest.mark.clause("REF-1")
@pytest.mark.parametrize("d", [10, 20, 35, 60])
def test_precision_ladder(d):
    """Results at d digits agree with 2d digits to 10^(−d+3) of the trajectory's scale (REF-1)."""
    p = p0123(steps=40, order=4)
    lo = reference(p, dps=d).to_json()
    hi = reference(p, dps=2 * d).to_json()
    for key in ("exact", "carleman"):
        scale = max(abs(Decimal(x)) for row in hi[key] for x in row)
        worst = max(abs(Decimal(a) - Decimal(b)) for ra, rb in zip(lo[key], hi[key]) for a, b in zip(ra, rb))
        assert worst <= scale * Decimal(10) ** (-d + 3), (key, worst)
        # and the d-digit strings really carry d significant digits
        assert max(len(x.lstrip("-0.").replace(".", "")) for row in lo[key] for x in row) == d
    scale = max(abs(Decimal(x)) for row in hi["exact"] for x in row)
    worst = max(abs(Decimal(a) - Decimal(b)) for a, b in zip(lo["error"], hi["error"]))
    assert worst <= scale * Decimal(10) ** (-d + 3)


@pytest.mark.clause("REF-2")
def test_certified_balls_contain_exact_rationals_and_are_tight():
    p = p0123(steps=6, order=3)
    want_u, want_y = exact_u(p), exact_y1(p)
    balls = certified_trajectories(p, dps=50)
    v50 = exact_trajectory(p, 50)
    for t in range(7):
        for i in range(2):
            for b, want in ((balls.exact[t][i], want_u[t][i]), (balls.carleman[t][i], want_y[t][i])):
                lo, hi = ball_interval(b)
                assert lo <= want <= hi
                assert hi - lo < Fraction(1, 10**55)
            lo, hi = ball_interval(balls.exact[t][i])
            v = Fraction(*mpmath.libmp.to_rational(v50[t][i]._mpf_))
            assert lo - Fraction(1, 10**50) <= v <= hi + Fraction(1, 10**50)
        err = sum((a - b) ** 2 for a, b in zip(want_u[t], want_y[t]))
        lo, hi = ball_interval(balls.error[t])
        assert lo**2 <= err <= hi**2 or (lo <= 0 and err <= hi**2)
        assert hi - lo < Fraction(1, 10**50)


@pytest.mark.clause("REF-2", "FMT-2")
def test_certified_result_radii_cover_the_exact_values():
    p = p0123(steps=5, order=2)
    doc = reference(p, dps=30, certified=True).to_json()
    want_u, want_y = exact_u(p), exact_y1(p)
    for key, want in (("exact", want_u), ("carleman", want_y)):
        for t in range(6):
            for s, r, w in zip(doc[key][t], doc["radii"][key][t], want[t]):
                dist = abs(Fraction(Decimal(s)) - w)
                assert dist <= Fraction(Decimal(r))
                assert Fraction(Decimal(r)) <= max(abs(w), Fraction(1, 10**6)) * Fraction(1, 10**28)


@pytest.mark.clause("REF-1", "LIFT-2")
def test_error_decreases_with_order_on_a_dissipative_example():
    """u ↦ u − u/4 + u²/5 − u³/10 (contracting near 0): the truncation error falls as N grows."""
    F = {
        1: [["-1/4", "0"], ["0", "-3/10"]],
        2: [["1/5", "0", "0", "1/10"], ["0", "1/10", "0", "-1/5"]],
        3: [["-1/10"] + ["0"] * 7, ["0"] * 7 + ["-1/10"]],
    }
    errs = []
    for order in (1, 2, 3, 4, 5):
        p = make_problem(F=F, u0=["3/10", "-1/5"], steps=25, order=order)
        doc = reference(p, dps=30).to_json()
        errs.append(max(Decimal(e) for e in doc["error"]))
    assert all(b < a / 3 for a, b in zip(errs, errs[1:])), errs


@pytest.mark.clause("REF-1")
def test_error_is_the_norm_of_the_difference():
    p = p0123(steps=4, order=2)
    u, y = exact_trajectory(p, 40), carleman_trajectory(p, 40)
    err = error_trajectory(u, y, 40)
    want_u, want_y = exact_u(p), exact_y1(p)
    for t in range(5):
        sq = sum((a - b) ** 2 for a, b in zip(want_u[t], want_y[t]))
        e = Fraction(Decimal(format_decimal(err[t], 60)))
        assert abs(e * e - sq) <= Fraction(1, 10**36)


@pytest.mark.clause("REF-1", "LIFT-2")
def test_growing_trajectories_keep_relative_precision():
    """u ↦ 3u + u²/2 from u0 = 5 grows fast: block floating point must follow the scale."""
    F = {1: [["2"]], 2: [["1/2"]]}
    p = make_problem(F=F, u0=["5"], steps=12, order=3)
    want_u, want_y = exact_u(p), exact_levels(p)
    got_u, got_y = exact_trajectory(p, 50), carleman_trajectory(p, 50, levels=True)
    assert want_u[12][0] > 10**100 and want_y[12][2][0] > 10**15  # far beyond the initial scale
    for t in range(13):
        assert rel_diff(got_u[t][0], want_u[t][0], abs(want_u[t][0])) < Fraction(1, 10**45)
        for j in range(3):
            w = want_y[t][j][0]
            assert rel_diff(got_y[t][j][0], w, abs(w)) < Fraction(1, 10**45), (t, j)


def wrapping_problem(n=2, order=4, steps=200, seed=1):
    """A contracting map whose |M_N| has spectral radius > 1, so ball radii grow with t."""
    rng = np.random.default_rng(seed)

    def rat(shape, scale):
        return np.vectorize(lambda v: Fraction(int(v), 1000), otypes=[object])(rng.integers(-scale, scale + 1, shape))

    F1 = rat((n, n), 20)
    for i in range(n):
        F1[i, i] = Fraction(-250 - 250 * i // max(n - 1, 1), 1000)
    F = {0: rat((n,), 10), 1: F1, 2: rat((n, n**2), 30), 3: rat((n, n**3), 10)}
    return make_problem(F=F, u0=rat((n,), 400), steps=steps, order=order)


@pytest.mark.clause("REF-2")
def test_certified_precision_adapts_until_radii_are_small():
    p = wrapping_problem()
    balls = certified_trajectories(p, dps=30)
    assert balls.prec > working_bits(30) + 64  # the first run's radii were too wide: it reran
    hi_u, hi_y = exact_trajectory(p, 60), carleman_trajectory(p, 60)
    for rows, ref in ((balls.exact, hi_u), (balls.carleman, hi_y)):
        scale = max(abs(Fraction(*mpmath.libmp.to_rational(x._mpf_))) for row in ref for x in row)
        for brow, rrow in zip(rows, ref):
            for b, x in zip(brow, rrow):
                lo, hi = ball_interval(b)
                assert hi - lo <= 2 * scale / 10**32
                v = Fraction(*mpmath.libmp.to_rational(x._mpf_))
                assert lo - scale / 10**58 <= v <= hi + scale / 10**58


@pytest.mark.clause("REF-2", "MAP-3")
@given(case=tiny_problems())
def test_certified_balls_contain_exact_rationals_on_tiny_problems(case):
    """Path: trajectories.certified (arb balls: the integer step for ŷ_1, the map iteration for u) — every ball
    contains the oracle's exact rational: exact.lifted_iteration and problem.iterate in Fractions."""
    maps, u0, steps, order, time_dep = case
    if time_dep:
        p = make_problem(F_steps=maps, u0=u0, steps=steps, order=order)
    else:
        p = make_problem(F=maps[0], u0=u0, steps=steps, order=order)
    want_u, want_y = exact_u(p), exact_y1(p)  # the oracles: problem.iterate and exact.lifted_iteration
    balls = certified_trajectories(p, dps=20)
    for t in range(steps + 1):
        for rows, want in ((balls.exact, want_u), (balls.carleman, want_y)):
            for b, w in zip(rows[t], want[t]):
                lo, hi = ball_interval(b)
                assert lo <= w <= hi
        sq = sum((a - b) ** 2 for a, b in zip(want_u[t], want_y[t]))
        lo, hi = ball_interval(balls.error[t])
        assert max(lo, Fraction(0)) ** 2 <= sq <= hi**2


@pytest.mark.clause("REF-1", "FMT-2")
def test_cli_on_all_four_map_terms_matches_exact_fractions(tmp_path):
    """The issue's 'Done when': `qsgd-ref reference` with F_0 … F_3 ≠ 0 agrees to 40 digits."""
    p = p0123(steps=8, order=4)
    p.save(tmp_path / "p.json")
    assert main(["reference", str(tmp_path / "p.json"), "--out", str(tmp_path / "r.json")]) == 0
    doc = json.loads((tmp_path / "r.json").read_text())
    want_u, want_y = exact_u(p), exact_y1(p)
    for key, want in (("exact", want_u), ("carleman", want_y)):
        for row, wrow in zip(doc[key], want, strict=True):
            for s, w in zip(row, wrow, strict=True):
                assert abs(Fraction(Decimal(s)) - w) <= max(abs(w), Fraction(1, 10**6)) / 10**40
