"""The quadnet map under Carleman truncation (MOD-2 with BND-1) and the Fig. 2-like experiment (MOD-7)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from assertions import assert_close

from qsgd_ref.models.experiment import Config, run, summarise
from qsgd_ref.models.quadnet import QuadNet, quadnet_problem


@pytest.mark.clause("MOD-2", "BND-1")
@pytest.mark.parametrize("order", [1, 2, 3])
def test_quadnet_carleman_error_obeys_the_majorant_bound(order):
    from qsgd_ref.system.eq6 import solve_forward
    from qsgd_ref.theory.majorant import majorant_exact

    rng = np.random.default_rng(21)
    net = QuadNet(np.round(rng.normal(size=(3, 2)), 1), np.round(rng.normal(size=(3, 1)), 1),
                  np.round(rng.normal(size=(1, 2)), 1))
    star = [Fraction(1, 2), Fraction(-1, 2), Fraction(1, 4), Fraction(1, 3)]
    u0 = [Fraction(1, 20), 0, Fraction(-1, 40), Fraction(1, 50)]
    eta = 0.05
    p = quadnet_problem(net, star, u0, eta, steps=6, order=order)
    y1 = solve_forward(p)[:, : p.n]  # level-1 block of every time step
    th = np.array([float(x) for x in star]) + np.array([float(x) for x in u0])
    bound = majorant_exact(p)
    for t in range(p.steps + 1):
        err = np.linalg.norm(y1[t] - (th - np.array([float(x) for x in star])))
        # the bound holds for exact arithmetic; allow float64 rounding of the two trajectories
        assert err <= float(bound[t]) * (1 + 1e-12) + 1e-13
        th = th - eta * net.grad(th)


@pytest.mark.clause("MOD-7")
def test_small_experiment_schedule_and_proxy_reset():
    cfg = Config(hidden=16, eta=0.1, pretrain=5, steps=24, period=8, classical=3, batch=64, hessian_every=4,
                 hessian_batch=64, slq_vectors=1, slq_steps=8)
    res = run(cfg)
    runs = {r["scheme"]: r for r in res["runs"]}
    assert all(r["diverged_at_step"] is None for r in runs.values())
    assert res["parameters"] == 16 * 64
    assert runs["reupload"]["uploads"] == [8, 16, 24] == runs["reupload"]["downloads"]
    assert runs["reupload+m"]["downloads"] == [8, 19] and runs["reupload+m"]["uploads"] == [11, 22]
    assert runs["single"]["uploads"] == [] and runs["single"]["downloads"] == []
    for r in runs.values():
        p = np.array(r["proxy"], dtype=float)
        starts = [0, *r["uploads"]]
        for s in starts:  # P(0) = 1 at every upload (N_c normalisation), when a mode passes the cutoff
            if not np.isnan(p[s]):
                assert_close(p[s], 1.0, tol=1e-12, what=f"{r['scheme']}: P({s}) at an upload")
        # classical steps accrue no error: NaN exactly between download and upload
        classical = [s for d, u in zip(r["downloads"], r["uploads"]) for s in range(d, u)]
        assert all(np.isnan(p[s]) for s in classical)
    # a download keeps exactly round(0.1 · n) weights
    theta_sparsity = runs["reupload"]["final_sparsity"]
    assert_close(theta_sparsity, 1 - round(0.1 * res["parameters"]) / res["parameters"], tol=1e-12, what="final sparsity")
    s = summarise(res)
    assert set(s["schemes"]) == {"single", "reupload", "reupload+m"}


@pytest.mark.clause("MOD-7")
def test_divergent_training_is_reported_not_raised():
    res = run(Config(hidden=4, eta=50.0, pretrain=0, steps=30, period=10, batch=32, hessian_batch=32,
                     slq_vectors=1, slq_steps=4))
    assert all(r["diverged_at_step"] is not None and r["diverged_at_step"] <= 30 for r in res["runs"])


@pytest.mark.clause("MOD-9", "SYS-2")
def test_reupload_resets_the_truncation_error():
    from qsgd_ref.models.reupload import reupload_quadnet

    net = QuadNet(np.array([[1, 0], [0, 1], [1, 1]]) * 0.5, np.array([[0.1], [0.2], [0.0]]), np.array([[1.0, -1.0]]) * 0.5)
    th = np.array([0.3, -0.2, 0.1, 0.4])
    seg = reupload_quadnet(net, th, 0.5, 12, period=4, order=2, classical=2)
    one = reupload_quadnet(net, th, 0.5, 12, period=12, order=2)
    assert seg.uploads == [0, 6] and one.uploads == [0]
    e = seg.errors
    assert e[4] is None and e[5] is None and e[10] is None  # classical steps accrue no error
    # u(0) = 0: ŷ(0) is exact and the first step only sees F_0, so both are exact up to rounding
    for i in (0, 1, 6, 7):
        assert e[i] <= 1e-15
    assert 0 < max(x for x in e if x is not None) < max(one.errors)
    # the single segment's error grows monotonically here (no reset)
    assert all(a <= b for a, b in zip(one.errors, one.errors[1:]))


@pytest.mark.clause("MOD-7")
def test_train_command_writes_figures_and_summary(tmp_path):
    import json

    from qsgd_ref.cli import main

    args = ["train", "--out", str(tmp_path), "--hidden", "8", "--eta", "0.1", "--pretrain", "2", "--steps", "6",
            "--period", "3", "--classical", "1", "--batch", "32", "--hessian-batch", "32", "--slq-vectors", "1",
            "--slq-steps", "4"]
    assert main(args) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"fig2a_hessian.png", "fig2b_proxy.png", "fig2c_accuracy.png", "summary.json"} <= names
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["parameters"] == 8 * 64 and summary["schemes"]["reupload"]["uploads"] == [3, 6]


@pytest.mark.clause("MOD-9", "RUP-1")
def test_tiny_quadnet_through_the_hhl_reupload_pipeline():
    from qsgd_ref.quantum.reupload import reupload
    from qsgd_ref.system.eq6 import solve_forward

    net = QuadNet(np.array([[1, 0], [0, 1], [1, 1]]) * 0.5, np.array([[0.1], [0.2], [0.0]]), np.array([[1.0]]))
    p = quadnet_problem(net, [Fraction(3, 10), Fraction(-1, 5)], [Fraction(1, 20), Fraction(1, 40)], Fraction(1, 2),
                        steps=4, order=1)
    assert p.n == 2 and p.degree == 3
    r = reupload(p, segment=2, keep=2)
    assert r.reached == 4 and all(s.fidelity > 0.999 for s in r.segments)
    classical = solve_forward(p.with_(steps=2))[2, :2]  # Eq. 6 solved classically, first segment
    hhl = np.array(r.segments[0].u_download)
    # loose envelope: the state fidelity (> 0.999) bounds the direction error by sqrt(2(1 − √F)) < 0.032;
    # the download rescales by a classically known entry (DNL-1), so 5 % relative is ample
    assert np.linalg.norm(hhl - classical) <= 0.05 * np.linalg.norm(classical)


@pytest.mark.clause("MOD-7", "MOD-5")
def test_restricted_dynamics_stay_on_the_support():
    res = run(Config(hidden=16, eta=0.1, pretrain=3, steps=12, period=4, classical=2, batch=64, hessian_every=4,
                     hessian_batch=64, slq_vectors=1, slq_steps=6, restrict=True))
    n, k = res["parameters"], round(0.1 * res["parameters"])
    runs = {r["scheme"]: r for r in res["runs"]}
    for name in ("single", "reupload"):  # never dense: exactly k weights survive
        assert_close(runs[name]["final_sparsity"], 1 - k / n, tol=1e-12, what=f"{name}: final sparsity")
    # spectra are of the Hessian restricted to the k kept weights: SLQ weights sum to 1 over ≤ k atoms
    sp = runs["single"]["spectra"][0]
    assert len(sp["nodes"]) <= k
    assert_close(sum(sp["weights"]), 1.0, tol=1e-12, what="sum of the restricted SLQ weights")
