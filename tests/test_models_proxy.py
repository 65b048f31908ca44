"""The error proxy (clause MOD-3) against closed forms and exact rational sums."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import example, given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.proxy import error_proxy, from_density, from_eigenvalues, load_eigenvalues

atoms = st.lists(st.fractions(-3, 3, max_denominator=20), min_size=1, max_size=12)


@pytest.mark.clause("MOD-3")
@given(a=atoms, t=st.integers(0, 30), cutoff=st.sampled_from([Fraction(0), Fraction(1, 10), Fraction(2, 5)]))
def test_discrete_spectrum_equals_exact_rational_sum(a, t, cutoff):
    kept = [x for x in a if abs(x) >= cutoff]
    res = error_proxy(from_eigenvalues([-float(x) for x in a]), [t], cutoff=float(cutoff))
    if not kept:
        assert math.isnan(res.proxy[0]) and res.kept_mass == 0
        return
    exact = sum(abs(1 + x) ** t for x in kept) / len(kept)
    diss = sum(abs(1 + x) ** t for x in kept if -2 < x < 0) / len(kept)
    div = sum(abs(1 + x) ** t for x in kept if x > 0) / len(kept)
    # log-space evaluation: relative error a few hundred ulps at t ≤ 30
    for part, got, want in (("P", res.proxy[0], exact), ("D", res.dissipative[0], diss), ("G", res.divergent[0], div)):
        assert_close(got, float(want), tol=1e-13, scale=float(max(want, 1)) * (1 + t), what=f"{part}({t}) against Fractions")
    assert_close(res.kept_mass, len(kept) / len(a), tol=1e-15, what="kept mass")


@pytest.mark.clause("MOD-3")
@given(
    w1=st.integers(1, 50), w2=st.integers(1, 50),
    a1=st.floats(-1.9, -0.4), a2=st.floats(0.4, 1.5),
)
@example(w1=2, w2=1, a1=-1.0, a2=1.0)  # a mode with |1 + a| = 0 exactly (found by Hypothesis)
@example(w1=1, w2=1, a1=-1.0, a2=1.0)
def test_two_atoms_takeover_closed_form(w1, w2, a1, a2):
    # D(t) = w1(1+a1)^t/N, G(t) = w2(1+a2)^t/N: G ≥ D first at t* = ceil(log(w1/w2) / log((1+a2)/|1+a1|))
    a = np.array([a1, a2])
    from qsgd_ref.models.proxy import Spectrum

    res = error_proxy(Spectrum(a, np.array([w1, w2], dtype=float)), np.arange(200))
    if 1 + a1 == 0:  # D(t) = 0 for t ≥ 1 (and D(0) = w1/N): G ≥ D at t = 0 iff w2 ≥ w1, else at t = 1
        assert res.takeover_step == (0 if w2 >= w1 else 1)
    else:
        x = math.log(w1 / w2) / math.log((1 + a2) / abs(1 + a1))
        if abs(x - round(x)) > 1e-9:  # away from ties decided by rounding
            assert res.takeover_step == max(0, math.ceil(x))
    t = np.arange(200)
    closed = (w1 * np.abs(1 + a1) ** t + w2 * (1 + a2) ** t) / (w1 + w2)
    assert_close(res.proxy[:100], closed[:100], tol=1e-12, scale=np.abs(closed[:100]), what="P(t) of two atoms, closed form")


@pytest.mark.clause("MOD-3")
@given(alpha=st.floats(-0.95, -0.5), beta=st.floats(0.5, 1.0), t=st.integers(0, 12))
def test_uniform_density_closed_form(alpha, beta, t):
    # ρ uniform on [alpha, -c] ∪ [c, beta] (c = 0.4), 1+a > 0 there (alpha > −1):
    # ∫ (1+a)^t da = ((1+hi)^{t+1} − (1+lo)^{t+1})/(t+1)
    c = 0.4
    prim = lambda lo, hi: ((1 + hi) ** (t + 1) - (1 + lo) ** (t + 1)) / (t + 1)  # noqa: E731
    mass = (-c - alpha) + (beta - c)
    want = (prim(alpha, -c) + prim(c, beta)) / mass
    # one trapezoid grid per piece (a single grid across the gap would give ±c extra weight)
    pieces = [from_density(np.linspace(lo, hi, 2001), np.ones(2001)) for lo, hi in ((alpha, -c), (c, beta))]
    from qsgd_ref.models.proxy import Spectrum

    spec = Spectrum(np.concatenate([p.a for p in pieces]), np.concatenate([p.weights for p in pieces]))
    got = error_proxy(spec, [t], cutoff=c).proxy[0]
    # trapezoid error ≤ (b−a) h² max|f''| / 12 with h ≤ 0.6/2000, b−a ≤ 1.2, |f''| ≤ t² 2^t
    tol = 2.0 * (1.4 / 2000) ** 2 * (t * t + 1) * 2.0**t / 12 / mass + 1e-13
    assert_close(got, want, tol=tol, what=f"P({t}) of a uniform density, closed form")


@pytest.mark.clause("MOD-3")
def test_eigenvalue_files_and_bad_input(tmp_path):
    lam = [3.0, -1.0, 0.5, 10.0]
    (tmp_path / "e.txt").write_text("3.0\n-1.0, 0.5 10")
    (tmp_path / "e.json").write_text(json.dumps({"eigenvalues": lam}))
    np.save(tmp_path / "e.npy", np.array(lam))
    for name in ("e.txt", "e.json", "e.npy"):
        assert load_eigenvalues(tmp_path / name).tolist() == lam
    (tmp_path / "bad.txt").write_text("1 two")
    with pytest.raises(InputError) as exc:
        load_eigenvalues(tmp_path / "bad.txt")
    assert exc.value.field == "EIGENVALUES"
    with pytest.raises(InputError):
        error_proxy(from_eigenvalues(lam), [1], cutoff=-1)
    # scale η: a = −ηλ = (−0.3, 0.1, −0.05, −1); cutoff 0.4 keeps only −1 (|1+a| = 0)
    res = error_proxy(from_eigenvalues(lam, scale=0.1), [0, 1, 2])
    assert res.proxy.tolist() == [1.0, 0.0, 0.0] and res.kept_mass == 0.25 and res.takeover_step is None


@pytest.mark.clause("MOD-3")
def test_proxy_command(tmp_path, capsys):
    from qsgd_ref.cli import main

    # λ = (−2, 3) at scale 0.5: a = (1, −1.5), |1+a| = (2, 0.5); P(t) = (2^t + 0.5^t)/2
    (tmp_path / "e.txt").write_text("-2 3")
    assert main(["proxy", str(tmp_path / "e.txt"), "--scale", "0.5", "--steps", "4", "--json", str(tmp_path / "o.json")]) == 0
    doc = json.loads((tmp_path / "o.json").read_text())
    want = np.array([(2.0**t + 0.5**t) / 2 for t in range(5)])
    assert_close(doc["proxy"], want, tol=1e-14, scale=want, what="proxy of the command's JSON")
    assert doc["takeover_step"] == 0
    assert "take over at t = 0" in capsys.readouterr().out
    (tmp_path / "d.txt").write_text("0.5 1\n1.0 1\n")
    assert main(["proxy", str(tmp_path / "d.txt"), "--density", "--steps", "1"]) == 0
    capsys.readouterr()
    assert main(["proxy", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("qsgd-ref proxy: error: EIGENVALUES"), err
