"""The shared assertion helpers (tests/assertions.py): pass inside the tolerance, fail outside it with the
worst entry, its index and its error in tolerance units; exact equality names the first differing entry.

assert_close has the tolerance semantics of ORC-3 (|got − expected| ≤ abs + rel · S, numbers taken
exactly), and is checked against the oracle's own judge on the same cases.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import scipy.sparse as sp
import sympy
from assertions import EPS, assert_close, assert_exact_equal
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.oracle import judges


@pytest.mark.clause("ORC-3")
def test_float_arrays_pass_within_and_fail_outside_with_the_worst_entry_in_tol_units():
    expected = np.arange(12, dtype=float).reshape(3, 4)
    near = expected.copy()
    near[1, 2] += 8 * EPS * 2.5  # exactly representable: 2.5 · 8 eps
    assert_close(near, expected, eps_units=8, scale=2.5, what="M_N of LIFT-2")
    far = expected.copy()
    far[2, 3] += 4100 * 8 * EPS * 2.5
    far[0, 1] += 3 * 8 * EPS * 2.5  # also outside, but less so: not the one reported
    with pytest.raises(AssertionError) as err:
        assert_close(far, expected, eps_units=8, scale=2.5, what="M_N of LIFT-2")
    msg = str(err.value)
    assert msg.startswith("M_N of LIFT-2: entry [2, 3] off by 4.1e3 × tol (tol = 8 eps · 2.5): got ")
    assert msg.endswith("; 2 of 12 entries outside tol")


@pytest.mark.clause("ORC-3")
def test_per_entry_scale_and_absolute_floor():
    expected = np.array([1e-3, 1.0, 1e3])
    scale = np.abs(expected)
    got = expected * (1 + 0.9e-12)
    assert_close(got, expected, tol=1e-12, scale=scale, atol=1e-14, what="ŷ_1(t)")
    got = expected.copy()
    got[0] += 3e-14  # 1e-12 · 1e-3 + 1e-14 = 1.1e-14 allowed at entry 0
    with pytest.raises(AssertionError, match=r"^ŷ_1\(t\): entry \[0\] off by 2\.7 × tol \(tol = 1e-12 · 0\.001 \+ 1e-14\)"):
        assert_close(got, expected, tol=1e-12, scale=scale, atol=1e-14, what="ŷ_1(t)")


@pytest.mark.clause("ORC-3")
def test_scalars_complex_and_sparse():
    assert_close(1.0 + 4 * EPS, 1.0, eps_units=8, what="κ(L) of SYS-3")
    with pytest.raises(AssertionError, match=r"^κ\(L\) of SYS-3: value off by 2 × tol \(tol = 8 eps · 1\)"):
        assert_close(1.0 + 16 * EPS, 1.0, eps_units=8, what="κ(L) of SYS-3")
    v = np.exp(1j * np.array([0.1, 2.0]))
    assert_close(v * (1 + 1e-11), v, tol=1e-10, what="state")
    with pytest.raises(AssertionError, match=r"entry \[1\] off by 100 × tol"):
        assert_close(v + np.array([0, 1e-8j]), v, tol=1e-10, what="state")
    m = sp.csr_matrix(np.array([[0.0, 1.0], [2.0, 0.0]]))
    assert_close(m, m.toarray(), eps_units=1, what="CSR")
    with pytest.raises(AssertionError, match=r"entry \[1, 0\]"):
        assert_close(m, np.array([[0.0, 1.0], [2.5, 0.0]]), eps_units=1, what="CSR")


@pytest.mark.clause("ORC-3")
def test_nan_shape_and_empty_never_pass():
    with pytest.raises(AssertionError, match=r"entry \[1\] off by inf × tol.*got nan"):
        assert_close([1.0, np.nan], [1.0, 2.0], tol=1.0, what="u(t)")
    with pytest.raises(AssertionError, match="off by inf"):
        assert_close([np.inf], [np.inf], tol=1.0, what="u(t)")
    with pytest.raises(AssertionError, match=r"shape \(2,\) differs from the expected \(3,\)"):
        assert_close([1.0, 2.0], [1.0, 2.0, 3.0], tol=1.0, what="u(t)")
    with pytest.raises(AssertionError, match="nothing compared"):
        assert_close([], [], tol=1.0, what="u(t)")
    with pytest.raises(TypeError, match="exactly one of"):
        assert_close(1.0, 1.0, what="u(t)")
    with pytest.raises(TypeError, match="exactly one of"):
        assert_close(1.0, 1.0, tol=1.0, eps_units=1, what="u(t)")
    with pytest.raises(ValueError, match="≥ 0"):
        assert_close(1.0, 1.0, tol=1.0, scale=-1.0, what="u(t)")


@pytest.mark.clause("ORC-3")
def test_high_precision_numbers_are_compared_exactly():
    third = Fraction(1, 3)
    with mpmath.workdps(60):
        m = mpmath.mpf(1) / 3
    ball = flint.arb(1) / 3  # midpoint within 2^-53 of 1/3, radius ignored by assert_close
    assert_close([m, "1/3", Decimal(1) / 3], [third] * 3, tol="1e-27", scale=third, what="u(1) at 60 digits")
    assert_close(ball, third, tol="1e-15", what="arb midpoint")
    # 60 digits are not 1e-70 close to 1/3: the float path would not see this difference at all
    with pytest.raises(AssertionError, match=r"u\(1\) at 60 digits: entry \[0\] off by .* × tol \(tol = 1e-70 · 1\)"):
        assert_close([m], [third], tol="1e-70", what="u(1) at 60 digits")
    # the boundary is exact: |got − expected| = tol passes, one part in 10^40 more fails
    assert_close(Fraction(1) + Fraction(1, 10**30), 1, tol="1e-30", what="boundary")
    with pytest.raises(AssertionError, match="value off by 1 × tol"):
        assert_close(Fraction(1) + Fraction(1, 10**30) + Fraction(1, 10**70), 1, tol="1e-30", what="boundary")
    with pytest.raises(AssertionError, match="not an exact number"):
        assert_close(["x"], [1], tol=1, what="u0")


@st.composite
def perturbed(draw):
    rows = draw(st.integers(1, 4), label="rows")
    cols = draw(st.integers(1, 4), label="cols")
    nums = draw(st.lists(st.integers(-1000, 1000), min_size=rows * cols, max_size=rows * cols), label="numerators")
    expected = np.array([Fraction(k, 7) for k in nums], dtype=object).reshape(rows, cols)
    i = draw(st.integers(0, rows - 1), label="row of the perturbed entry")
    j = draw(st.integers(0, cols - 1), label="column of the perturbed entry")
    units = draw(st.fractions(0, 3, max_denominator=10), label="perturbation in tol units")
    sign = draw(st.sampled_from([-1, 1]), label="sign")
    return expected, (i, j), units, sign


@pytest.mark.clause("ORC-3")
@given(case=perturbed())
def test_one_perturbed_entry_fails_exactly_when_beyond_tol_and_is_named(case):
    expected, (i, j), units, sign = case
    tol, scale = Fraction(1, 10**6), 1 + np.abs(expected).max()
    got = expected.copy()
    got[i, j] += sign * units * tol * scale
    if units <= 1:
        assert_close(got, expected, tol=tol, scale=scale, what="B_jk")
    else:
        with pytest.raises(AssertionError) as err:
            assert_close(got, expected, tol=tol, scale=scale, what="B_jk")
        ratio = float(re.search(r"off by (\S+) × tol", str(err.value)).group(1))
        assert str(err.value).startswith(f"B_jk: entry [{i}, {j}] off by ")
        assert ratio == pytest.approx(float(units), rel=0.05)  # printed to two digits
        assert str(err.value).endswith(f"1 of {expected.size} entries outside tol")


ROW_TEST = {  # the ORC-3 row cases of test_oracle_verify: S = 2, abs = 1e-6, rel = 1e-3
    "tcId": 1, "flags": [], "comment": "toy",
    "problem": {"schema": "qsgd-ref.problem.v1", "u0": ["1", "0"], "steps": 1, "order": 1},
    "tolerance": {"rel": "1e-3", "abs": "1e-6"},
    "expected": {"exact": [["1", "0"], ["2", "-0.5"]]},
}


@pytest.mark.clause("ORC-3")
@pytest.mark.parametrize("got", [
    [["1", "0"], ["2.002", "-0.5"]],
    [["1", "0"], ["2.002001", "-0.5"]],
    [["1", "0"], ["2.0020011", "-0.5"]],
    [["1", "0.000001"], ["2", "-0.5"]],
    [["1", "0.0000011"], ["2", "-0.5"]],
])
def test_agrees_with_the_oracle_judge_on_its_tolerance_semantics(got):
    exp = ROW_TEST["expected"]["exact"]
    verdict = judges.judge_rows(judges.Context(ROW_TEST), "exact", got).passed
    try:
        assert_close(got, exp, tol="1e-3", scale=2, atol="1e-6", what="exact")
        helper = True
    except AssertionError:
        helper = False
    assert helper is verdict


@pytest.mark.clause("ORC-3")
def test_exact_equality_reports_the_first_differing_entry():
    want = np.array([[Fraction(1, 3), Fraction(1, 2)], [Fraction(-1, 4), Fraction(0)]], dtype=object)
    same = [[flint.fmpq(1, 3), sympy.Rational(1, 2)], [Fraction(-1, 4), 0]]
    assert_exact_equal(same, want, what="B_22")
    assert_exact_equal(0.5, Fraction(1, 2), what="dyadic")  # a float is its binary value
    bad = want.copy()
    bad[1, 0], bad[1, 1] = Fraction(-1, 5), Fraction(1, 7)
    with pytest.raises(AssertionError) as err:
        assert_exact_equal(bad, want, what="B_22")
    assert str(err.value) == "B_22: entry [1, 0] differs: got -1/5, expected -1/4, difference 1/20; 2 of 4 entries differ"
    with pytest.raises(AssertionError, match="value differs"):
        assert_exact_equal(0.1, Fraction(1, 10), what="not dyadic")
    with pytest.raises(AssertionError, match="ball of radius"):
        assert_exact_equal(flint.arb(1) / 3, Fraction(1, 3), what="ball")
    with pytest.raises(AssertionError, match="shape"):
        assert_exact_equal([1, 2], [1, 2, 3], what="c")
