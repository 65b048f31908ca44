"""The regime classifier (REG-1 … REG-5) on instances built inside each regime."""

from __future__ import annotations

import json

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given
from strategies import instances

from qsgd_ref.problem import make_problem
from qsgd_ref.theory.majorant import majorant
from qsgd_ref.theory.regimes import ALMOST, FULLY, NOT, classify


@pytest.mark.slow  # 2-3 s: exact norm bounds of 25 drawn instances
@pytest.mark.clause("REG-1", "REG-5")
@given(instances())
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
        expect = nonlin / (1 - h1)
        assert_close(k.R_d, expect, tol=1e-8, scale=expect, what="R_d against numpy norms")
    elif h1 > 1 + 1e-9:
        assert k.R_d is None  # γ ≤ 0: R_d = ∞, reported as null
    json.dumps(k.to_json(), allow_nan=False)  # plain, strict JSON data


@pytest.mark.clause("REG-2")
@given(instances(regime="fully"))
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
@given(instances())
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
@given(instances(regime="divergent"))
def test_divergent_instances_are_not_dissipative(inst):
    """Negative property: δ = 1/10 and T ≥ 11 (δT > 1) is never called dissipative."""
    k = classify(inst.problem)
    assert k.regime == NOT and k.reasons and k.delta >= 0.1 - 1e-9
    assert any("δT" in reason for reason in k.reasons)


@pytest.mark.clause("REG-3")
def test_marginal_mode_with_small_nonlinearity_is_almost():
    p = make_problem(F={1: [[0, 0], [0, "-1/2"]], 2: [["-1/1000", 0, 0, 0], [0, 0, 0, "1/100"]]},
                     u0=["1/2", "1/2"], steps=50, order=2)
    k = classify(p)
    assert k.regime == ALMOST and k.marginal_modes == [[1.0, 0.0]] and k.gamma <= 0
    assert classify(p.with_(steps=5000)).regime == NOT  # the majorant outgrows e·r


@pytest.mark.clause("REG-1")
def test_eigenbasis_variant_for_non_normal_f1():
    """F_1 non-normal: ‖I + F_1‖ > 1 although the eigenvalues are dissipative; the eigenbasis sees γ > 0."""
    p = make_problem(F={1: [["-1/2", "3"], [0, "-1/2"]], 2: [["1/100", 0, 0, 0], [0, 0, 0, 0]]},
                     u0=["1/10", "1/10"], steps=5, order=2)
    k = classify(p)
    assert k.gamma < 0 and k.spectral_radius_I_plus_F1 == pytest.approx(0.5)
    assert k.eigenbasis is None  # defective (Jordan block): no eigenbasis, reported as data
    q = make_problem(F={1: [["-1/2", "3"], [0, "-1/4"]], 2: [["1/100", 0, 0, 0], [0, 0, 0, 0]]},
                     u0=["1/10", "1/10"], steps=5, order=2)
    eb = classify(q).eigenbasis
    assert eb.gamma == pytest.approx(0.25) and eb.kappa_V > 1


@pytest.mark.clause("REG-5")
def test_classify_command_prints_json(tmp_path, cli):
    path = tmp_path / "p.json"
    make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["1/2"], steps=3, order=2).save(path)
    r = cli("classify", path)
    assert r.status == 0 and r.err == "", r.err
    doc = json.loads(r.out)
    assert doc["regime"] == FULLY and doc["gamma"] == pytest.approx(0.1) and doc["R_d"] == pytest.approx(0.25)
