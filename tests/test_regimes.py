"""The regime classifier (REG-1 … REG-7) on instances built inside each regime."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from strategies import examples, instances

from qsgd_ref.problem import make_problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.theory.majorant import majorant
from qsgd_ref.theory.regimes import ALMOST, FULLY, NOT, classify
from qsgd_ref.theory.scale import optimal_scale, reynolds_at
from qsgd_ref.trajectories.certified import certified_trajectories


def best_reynolds(h: dict[int, float], r: float) -> float:
    """min over s ≥ r of R_d(s) by a second method: bounded scalar minimisation in log s (floats),
    also tried at s = r."""
    gamma = 1 - h[1]

    def rd(log_s: float) -> float:
        s = math.exp(log_s)
        return (sum(x * s ** (ell - 1) for ell, x in h.items() if ell >= 2) + h.get(0, 0.0) / s) / gamma

    lo = math.log(r)
    res = minimize_scalar(rd, bounds=(lo, lo + 60), method="bounded", options={"xatol": 1e-12})
    return min(rd(lo), float(res.fun))


@pytest.mark.slow  # 2-3 s: exact norm bounds of 25 drawn instances
@pytest.mark.clause("REG-1", "REG-5")
@given(inst=instances())
def test_numbers_match_an_independent_computation(inst):
    """γ from the known spectrum (‖I − QΛQᵀ‖ = max|1 − ηλ|), R_d from numpy norms; never raises."""
    p = inst.problem
    k = classify(p)
    h1 = max(float(max(abs(1 - x) for x in s)) for s in inst.eta_h)
    assert_close(k.norm_I_plus_F1, h1, tol=1e-9, scale=max(1, h1), what="‖I + F_1‖ against max|1 − ηλ|")
    assert_close(k.gamma, 1 - h1, tol=1e-9, what="γ = 1 − ‖I + F_1‖")
    r = float(np.linalg.norm(p.u0_float()))
    norms = {ell: max(float(np.linalg.norm(m[ell].to_csr().toarray(), 2)) for m in p.maps)
             for ell in p.maps[0] if ell != 1}
    nonlin = sum(x * r ** (ell - 1) for ell, x in norms.items() if ell >= 2) + norms.get(0, 0.0) / r
    if h1 < 1 - 1e-9:
        at_r = nonlin / (1 - h1)
        assert_close(k.R_d_at_r, at_r, tol=1e-8, scale=at_r, what="R_d(r) against numpy norms")
        expect = best_reynolds({1: h1, **norms}, r)  # REG-6: the minimum over s ≥ r
        assert_close(k.R_d, expect, tol=1e-7, scale=expect, what="R_d(s) against a bounded minimisation")
        assert k.s >= k.r and (k.R_d <= k.R_d_at_r * (1 + 1e-15))
    elif h1 > 1 + 1e-9:
        assert k.R_d is None  # γ ≤ 0: R_d = ∞, reported as null
    json.dumps(k.to_json(), allow_nan=False)  # plain, strict JSON data


@pytest.mark.clause("REG-2")
@given(inst=instances(regime="fully"))
def test_fully_dissipative_instances_are_classified_and_contract(inst):
    k = classify(inst.problem)
    assert k.regime == FULLY and k.R_d < 1 and k.gamma > 0 and not k.reasons
    if not inst.has_f0:  # v(t) ≤ r (1 − γ(1 − R_d))^t
        c = 1 - k.gamma * (1 - k.R_d)
        hs = [{int(ell): x for ell, x in k.norms.items()}]
        vs, _ = majorant(hs, k.r, 1, inst.problem.steps)
        for t, v in enumerate(vs):
            assert v <= k.r * c**t * (1 + 1e-12)


@pytest.mark.clause("REG-4")
@given(inst=instances())
def test_gradient_descent_view_counts_modes(inst):
    k = classify(inst.problem)  # once: the exact norms behind it dominate the test's time
    gd = k.gradient_descent
    assert gd is not None  # F_1 = −QΛQᵀ is symmetric
    spectra = [x for s in inst.eta_h for x in s]
    assert gd.marginal_modes == sum(x in (0, 2) for x in spectra)
    assert gd.divergent_modes == sum(x < 0 or x > 2 for x in spectra)
    assert gd.in_open_0_2 == all(0 < x < 2 for x in spectra)
    assert gd.in_open_0_2 == (k.gamma > 0)


@pytest.mark.clause("REG-4")
def test_an_exactly_marginal_mode_is_not_inside_0_2():
    """ηH = Q diag(0, 1/20, 1/20) Qᵀ exactly; in floats the 0 comes out as about 1e-16 (found by Hypothesis)."""
    f1 = [["-4/441", "38/2205", "19/2205"], ["38/2205", "-377/8820", "8/2205"], ["19/2205", "8/2205", "-85/1764"]]
    k = classify(make_problem(F={1: f1}, u0=["1/8", 0, 0], steps=1, order=1))
    gd = k.gradient_descent
    assert (gd.marginal_modes, gd.dissipative_modes, gd.divergent_modes) == (1, 2, 0)
    assert not gd.in_open_0_2 and k.gamma <= 0


@pytest.mark.clause("REG-3", "REG-5")
@given(inst=instances(regime="divergent"), data=st.data())
def test_divergent_instances_are_not_dissipative(inst, data):
    """Negative property: a divergent mode (|1 − ηλ| = 1.1) is never called dissipative, at the drawn
    horizon, at T = 1 or at T = 0 (REG-3's structural condition, independent of T)."""
    horizon = data.draw(st.sampled_from([None, 0, 1]), label="horizon (None: as drawn)")
    p = inst.problem if horizon is None else inst.problem.with_(steps=horizon)
    k = classify(p)
    assert k.regime == NOT and k.reasons and k.delta >= 0.1 - 1e-9 and k.promise is None
    assert any("divergent mode" in reason for reason in k.reasons)


@pytest.mark.clause("REG-3")
@pytest.mark.parametrize("steps", [0, 1, 5])
def test_doubling_map_is_not_almost_dissipative_at_any_horizon(steps):
    """Issue 15: u ↦ 2u was "almost dissipative" at T = 1 (δT = 1, v(1) = 2r ≤ e·r) and every problem
    at T = 0; now the divergent mode decides, whatever T."""
    k = classify(make_problem(F={1: [["1"]]}, u0=["1"], steps=steps, order=1))
    assert k.regime == NOT and k.divergent_modes == [[2.0, 0.0]]
    quiet = classify(make_problem(F={1: [["0"]], 2: [["1/10"]]}, u0=["1"], steps=0, order=1))
    assert quiet.regime == ALMOST and quiet.promise is not None  # marginal, T = 0: nothing can grow


@pytest.mark.clause("REG-3", "BND-6")
def test_marginal_mode_with_small_nonlinearity_is_almost():
    """The promise names BND-6 on [0, T]; its closed-form corollary: x_T = T·h_2·e·r ≤ 1 (γ ≈ 0, F_0 = 0,
    q = 2), Λ ≥ 1/x_T and the error bound ≤ e·r·x_T^N, all recomputed here independently (mpmath)."""
    p = make_problem(F={1: [[0, 0], [0, "-1/2"]], 2: [["-1/1000", 0, 0, 0], [0, 0, 0, "1/100"]]},
                     u0=["1/2", "1/2"], steps=50, order=2)
    k = classify(p)
    assert k.regime == ALMOST and k.marginal_modes == [[1.0, 0.0]] and k.gamma <= 0
    pr = k.promise
    assert pr.clause.startswith("REG-3") and "BND-6" in pr.clause and pr.holds_for == "0 ≤ t ≤ T = 50"
    assert "polynomial" in pr.growth
    r, h2, h1 = mpmath.sqrt(mpmath.mpf(1) / 2), mpmath.mpf(k.norms["2"]), mpmath.mpf(k.norms["1"])
    x_t = 50 * h2 * mpmath.e * r / (1 + (1 - h1) * 50)
    assert_close(pr.horizon_number, x_t, tol=1e-12, scale=1, what="x_T of BND-6's corollary")
    assert x_t <= 1 and pr.amplification >= float(1 / x_t) * (1 - 2**-9)
    assert pr.error_bound <= float(mpmath.e * r * x_t**2) * (1 + 1e-12)
    assert_close(pr.state_bound, mpmath.e * r, tol=1e-12, scale=1, what="E(T) = e·r")
    long = classify(p.with_(steps=5000))
    assert long.regime == NOT and long.promise is None  # the majorant leaves the envelope
    assert any("envelope" in reason for reason in long.reasons)


@pytest.mark.slow  # 2-4 s: certified trajectories of 10 drawn marginal instances
@pytest.mark.clause("REG-3", "BND-6")
@settings(max_examples=examples(10))
@given(inst=instances(regime="marginal", max_steps=15))
def test_almost_dissipative_promise_holds_on_the_whole_horizon(inst):
    """Property: whenever a marginal instance is almost dissipative, its promise holds at every t ≤ T
    against the certified trajectories (balls, a second method): ‖u(t)‖ ≤ state_bound and
    ‖u(t) − ŷ_1(t)‖ ≤ error_bound."""
    p = inst.problem
    k = classify(p)
    assert k.regime in (ALMOST, NOT)  # built with a marginal mode: γ ≤ 0, never fully
    if k.regime == NOT:
        assert any("envelope" in reason for reason in k.reasons)
        return
    tr = certified_trajectories(p, 128)
    for t in range(p.steps + 1):
        norm_u = sum(x * x for x in tr.exact[t]).sqrt()
        assert not norm_u > k.promise.state_bound and not tr.error[t] > k.promise.error_bound, t


@pytest.mark.clause("REG-2", "REG-6")
@settings(max_examples=examples(25))
@given(data=st.data())
def test_zero_start_with_forcing_is_fully_dissipative(data):
    """Issue 15: u(0) = 0, F_0 ≠ 0 and a contracting map (scalar; labelled draws ηλ ∈ (0, 1), F_0, F_2) is
    fully dissipative at s = √(h_0/h_2) whenever 4h_0h_2 < γ², with R_d = 2√(h_0h_2)/γ; the exact iterate
    (Fractions) stays below s, as REG-2 promises."""
    eta_lambda = Fraction(data.draw(st.integers(1, 9), label="10·ηλ (contracting: 0 < ηλ < 1)"), 10)
    f0 = Fraction(data.draw(st.integers(1, 40), label="1000·F_0 (> 0)"), 1000)
    f2 = Fraction(data.draw(st.integers(1, 20), label="100·F_2 (> 0)"), 100)
    steps = data.draw(st.integers(1, 8), label="T")
    p = make_problem(F={0: [f0], 1: [[-eta_lambda]], 2: [[f2]]}, u0=["0"], steps=steps, order=2)
    k = classify(p)
    gamma = eta_lambda  # |1 − ηλ| = 1 − ηλ
    if 4 * f0 * f2 >= gamma**2:
        assert k.regime != FULLY or k.R_d < 1
        return
    assert k.regime == FULLY and k.regime_basis == "2-norm" and k.r == 0
    assert_close(k.s, math.sqrt(f0 / f2), tol=1e-14, scale=1, what="s = √(h_0/h_2)")
    assert_close(k.R_d, 2 * math.sqrt(f0 * f2) / gamma, tol=1e-12, scale=1, what="R_d = 2√(h_0h_2)/γ")
    assert k.promise.clause == "REG-2" and k.promise.holds_for == "every t ≥ 0"
    for u in iterate(p, Fraction, steps=steps):
        assert u[0] ** 2 <= Fraction(k.promise.state_bound) ** 2


@pytest.mark.clause("REG-6")
@given(data=st.data())
def test_radius_minimises_the_reynolds_number(data):
    """Property (labelled draws of h_0, h_2, h_3, h_4 and r): R_d at the chosen s is within the certified
    gap of the minimum over s ≥ r, checked against a grid of 340 radii in exact rationals (a second
    method); R_d(s) ≤ R_d(r); and the gap is below 10⁻¹²."""
    h = {1: Fraction(1, 2)}
    for ell in (0, 2, 3, 4):
        if data.draw(st.booleans(), label=f"h_{ell} on"):
            h[ell] = Fraction(data.draw(st.integers(1, 50), label=f"100·h_{ell}"), 100)
    r = Fraction(data.draw(st.integers(0, 30), label="20·r (r = 0: u(0) = 0)"), 20)
    if 0 in h and not any(ell >= 2 for ell in h):
        h[2] = Fraction(1, 10)  # an affine map has no minimiser: test_affine_radius
    sc = optimal_scale(h, r)
    assert sc.s >= r and sc.gap <= Fraction(1, 10**12)
    if sc.R_d_at_r is not None:
        assert sc.R_d <= sc.R_d_at_r
    lo = max(r, Fraction(1, 1000))
    for s in [lo * (1 + Fraction(i, 20)) for i in range(300)] + [lo * 2**j for j in range(40)]:
        rd = reynolds_at(h, s)
        assert rd is None or rd >= sc.R_d - sc.gap


@pytest.mark.clause("REG-1", "REG-7")
def test_eigenbasis_variant_for_non_normal_f1():
    """F_1 non-normal: ‖I + F_1‖ > 1 although the eigenvalues are dissipative; the eigenbasis and the
    Lyapunov weight see γ > 0, and the regime is decided there (regime_basis)."""
    p = make_problem(F={1: [["-1/2", "3"], [0, "-1/2"]], 2: [["1/100", 0, 0, 0], [0, 0, 0, 0]]},
                     u0=["1/10", "1/10"], steps=5, order=2)
    k = classify(p)
    assert k.gamma < 0 and k.spectral_radius_I_plus_F1 == pytest.approx(0.5)
    assert k.eigenbasis is None  # defective (Jordan block): no eigenbasis, reported as data
    assert any("eigenbasis view not computed" in note and "defective" in note for note in k.notes)
    ly = k.lyapunov  # ρ = 1/2 < 1: a certified weight exists (Stein)
    assert ly.regime == FULLY and 0 < ly.gamma and ly.kappa > 1
    assert k.regime == FULLY and k.regime_basis == "lyapunov" and "REG-7" in k.promise.clause
    q = make_problem(F={1: [["-1/2", "3"], [0, "-1/4"]], 2: [["1/100", 0, 0, 0], [0, 0, 0, 0]]},
                     u0=["1/10", "1/10"], steps=5, order=2)
    eb = classify(q).eigenbasis
    assert eb.gamma == pytest.approx(0.25, abs=1e-9) and eb.kappa > 1 and eb.regime == FULLY


@pytest.mark.clause("REG-6")
def test_affine_radius():
    """An affine map with F_0: R_d(s) = h_0/(γs) has no minimiser; s = max(r, 2h_0/γ), R_d ≤ 1/2 exactly."""
    h = {0: Fraction(1, 10), 1: Fraction(1, 2)}
    assert optimal_scale(h, Fraction(0)).s == Fraction(2, 5) and optimal_scale(h, Fraction(0)).R_d == Fraction(1, 2)
    assert optimal_scale(h, Fraction(1)).s == 1 and optimal_scale(h, Fraction(1)).R_d == Fraction(1, 5)


@pytest.mark.clause("REG-7", "REG-6")
def test_eigenbasis_never_reports_zero_reynolds_with_forcing():
    """Issue 15: with u(0) = 0 and F_0 ≠ 0 the eigenbasis variant said R_d = 0; now R_d is taken at its
    radius s (REG-6): positive and, here, = 2√(h_0 h_2)/γ in the eigenbasis numbers."""
    p = make_problem(F={0: ["1/1000", "1/1000"], 1: [["-1/2", "3"], [0, "-1/4"]],
                        2: [["1/100", 0, 0, 0], [0, 0, 0, "1/100"]]}, u0=["0", "0"], steps=5, order=2)
    eb = classify(p).eigenbasis
    assert eb.r == 0 and eb.R_d is not None and eb.R_d > 0 and eb.s > 0
    h0, h2 = eb.norms["0"], eb.norms["2"]
    if eb.s > math.sqrt(h0 / h2) * (1 - 1e-9):
        assert_close(eb.R_d, 2 * math.sqrt(h0 * h2) / eb.gamma, tol=1e-9, scale=1, what="eigenbasis R_d")


@pytest.mark.clause("REG-7")
def test_normal_f1_has_no_views():
    """For normal F_1 both views coincide with the 2-norm: not computed, with one note saying why."""
    k = classify(make_problem(F={1: [["-1/2", "1/4"], ["-1/4", "-1/2"]]}, u0=["1", "0"], steps=2, order=1))
    assert k.eigenbasis is None and k.lyapunov is None and k.regime_basis == "2-norm"
    assert any(note.startswith("eigenbasis and lyapunov views not computed: F_1 is normal") for note in k.notes)


@pytest.mark.clause("REG-5")
def test_classify_command_prints_json(tmp_path, cli):
    path = tmp_path / "p.json"
    make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["1/2"], steps=3, order=2).save(path)
    r = cli("classify", path)
    assert r.status == 0 and r.err == "", r.err
    doc = json.loads(r.out)
    assert doc["regime"] == FULLY and doc["gamma"] == pytest.approx(0.1) and doc["R_d"] == pytest.approx(0.25)
    assert doc["promise"]["clause"] == "REG-2" and doc["s"] == pytest.approx(0.5)


@pytest.mark.clause("REG-5", "REG-6")
def test_classify_command_zero_start(tmp_path, cli):
    """`qsgd-ref classify` on u(0) = 0 with a contracting map and small F_0: fully dissipative with s."""
    path = tmp_path / "p.json"
    make_problem(F={0: ["1/400"], 1: [["-1/2"]], 2: [["1/4"]]}, u0=["0"], steps=3, order=2).save(path)
    doc = json.loads(cli("classify", path).out)
    assert doc["regime"] == FULLY and doc["r"] == 0 and doc["s"] == pytest.approx(0.1)
    assert doc["R_d"] == pytest.approx(0.1) and doc["R_d_at_r"] is None
