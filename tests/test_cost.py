"""The end-to-end cost (COST-1 … COST-3, FMT-4) against independent computations: the exact Eq. 6
solution in rationals from the literal builder (carleman.exact), κ by a dense numpy SVD of a matrix
assembled here, the upload count against the UPL-1 circuit, and the download count against sampling."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, instances

from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.specdata import load_schema
from qsgd_ref.carleman import exact
from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.problem import make_problem
from qsgd_ref.theory.conditioning import block_majorant, kappa_bound
from qsgd_ref.theory.cost import cost
from qsgd_ref.theory.majorant import majorant
from qsgd_ref.theory.norms import problem_norms, r_upper
from qsgd_ref.theory.regimes import classify
from qsgd_ref.theory.runtime import runtime_model


def exact_solution(problem, idle: int) -> list[list[Fraction]]:
    """Y_0 … Y_{T+p} of L Y = b in rationals: forward substitution with the literal blocks."""
    n, order = problem.n, problem.order
    from qsgd_ref.base.indexing import lifted_dimension

    dim = lifted_dimension(n, order)
    y0 = [u for j in range(1, order + 1) for u in _kron_power([Fraction(x) for x in problem.u0], j)]
    out = [y0]
    for t in range(problem.steps):
        m, c = exact.lifted_map_exact(problem.map_at(t), n, order)
        nxt = [Fraction(0)] * dim
        for (r, s), v in m.items():
            nxt[r] += v * out[-1][s]
        for (r, _), v in c.items():
            nxt[r] += v
        out.append(nxt)
    return out + [list(out[-1]) for _ in range(idle)]


def _kron_power(u: list[Fraction], j: int) -> list[Fraction]:
    out = [Fraction(1)]
    for _ in range(j):
        out = [a * b for a in out for b in u]
    return out


def dense_system(problem, idle: int) -> np.ndarray:
    """L of SYS-1 assembled here, densely, from the literal blocks (float64 of the exact entries)."""
    n, order = problem.n, problem.order
    d = len(exact_solution(problem.with_(steps=0), 0)[0])
    blocks = problem.steps + 1 + idle
    big = np.eye(blocks * d)
    for t in range(1, blocks):
        if t <= problem.steps:
            m, _ = exact.lifted_map_exact(problem.map_at(t - 1), n, order)
            for (r, s), v in m.items():
                big[t * d + r, (t - 1) * d + s] = -float(v)
        else:
            big[t * d:(t + 1) * d, (t - 1) * d:t * d] -= np.eye(d)
    return big


def g_squared(problem, idle: int) -> Fraction:
    y = exact_solution(problem, idle)
    top = (idle + 1) * sum((x * x for x in y[problem.steps][:problem.n]), Fraction(0))
    total = sum((x * x for block in y for x in block), Fraction(0))
    return top / total if total else Fraction(0)


def w1_upper(problem) -> float:
    """An upper bound on w_1(T) = v(T) − d_1(T) of the scalar majorant (BND-1's recursion in balls;
    exact rationals would grow like q^T digits)."""
    with arb_prec(128):
        hs = [{ell: ball(x) for ell, x in h.items()} for h in problem_norms(problem)]
        vs, ds = majorant(hs, ball(r_upper(problem)), problem.order, problem.steps)
        w1 = vs[-1] - ds[-1][0]
        return float(w1.upper()) * (1 + 1e-15)


SCALAR = make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["1/2"], steps=5, order=2, name="scalar")


# --------------------------------------------------------------------------------------------------
# g and κ against the independent computations


@pytest.mark.slow  # 2-4 s: 25 dense SVDs and exact solutions
@pytest.mark.clause("COST-3", "COST-1", "SYS-3")
@settings(max_examples=examples(8))
@given(inst=instances(max_steps=10), idle=st.integers(0, 3))
def test_g_and_kappa_agree_with_independent_computations(inst, idle):
    """Any regime (COST-1/COST-3 assume none): g² from the rational Eq. 6 solution, κ from numpy's SVD
    of L assembled here; the certified lower bound on g² is below the exact g²."""
    p = inst.problem
    rep = cost(p, idle=idle)
    g2 = g_squared(p, idle)
    assert rep.success_probability["value"] == pytest.approx(float(g2), rel=1e-9, abs=1e-300)
    assert Fraction(rep.success_probability["lower_bound"]) <= g2
    sv = np.linalg.svd(dense_system(p, idle), compute_uv=False)
    assert rep.kappa["measured"] == pytest.approx(sv[0] / sv[-1], rel=1e-8)
    assert rep.kappa["used_source"] == "measured"


@pytest.mark.clause("COST-1")
@settings(max_examples=examples(15))
@given(inst=instances(regime="fully", max_steps=40, f0=False), idle=st.integers(0, 4))
def test_g_upper_bound_and_geometric_decay(inst, idle):
    """COST-1 (b) in rationals; with F_0 = 0 in the fully dissipative regime (the hypotheses of the
    decay statement), g² ≤ (p+1)(r/‖u(0)‖)²(1 − γ(1 − R_d))^{2T}."""
    p = inst.problem
    g2 = g_squared(p, idle)
    w1 = w1_upper(p)
    u0_sq = sum((Fraction(x) ** 2 for x in p.u0), Fraction(0))
    assert float(g2) <= (idle + 1) * w1 * w1 / float(u0_sq) * (1 + 1e-9)
    r = r_upper(p)
    reg = classify(p)
    rate = 1 - reg.gamma * (1 - reg.R_d)
    assert float(g2) <= (idle + 1) * float(r * r / u0_sq) * rate ** (2 * p.steps) * (1 + 1e-9)


@pytest.mark.clause("COST-2", "COND-1")
@settings(max_examples=examples(10))
@given(inst=instances(max_steps=10), idle=st.integers(0, 4))
def test_kappa_with_idle_steps_between_its_bounds(inst, idle):
    """Any regime: √(p+1) ≤ κ(L_p) (dense SVD of L assembled here) ≤ COST-2's bound, which is COND-1's
    bound for p = 0; and κ/g ≥ ‖u(0)‖/w_1(T) (COST-2 with COST-1 (b))."""
    p = inst.problem
    sv = np.linalg.svd(dense_system(p, idle), compute_uv=False)
    kappa = sv[0] / sv[-1]
    assert math.sqrt(idle + 1) <= kappa * (1 + 1e-12)
    bound = kappa_bound(p, idle=idle)
    assert kappa <= bound * (1 + 1e-9)
    # the certified value is the formula of COST-2 (COND-1 for p = 0), rounded up: a float evaluation
    # with the window maxima taken directly
    m = np.array([[float(x) for x in row] for row in block_majorant(p)])
    norms = [float(np.linalg.norm(np.linalg.matrix_power(m, i), 2)) for i in range(p.steps + 1)]
    mu = float(np.linalg.norm(m, 2)) if idle == 0 else max(float(np.linalg.norm(m, 2)), 1.0)
    direct = (1 + mu) * sum(max(norms[max(0, k - idle):min(k, p.steps) + 1]) for k in range(p.steps + idle + 1))
    assert direct * (1 - 1e-12) <= bound <= direct * (1 + 1e-9)
    g2 = g_squared(p, idle)
    if g2 and p.steps >= 1:
        w1 = w1_upper(p)
        u0 = math.sqrt(sum(float(Fraction(x)) ** 2 for x in p.u0))
        assert kappa / math.sqrt(float(g2)) >= u0 / w1 * (1 - 1e-9)


@pytest.mark.clause("COST-2")
def test_idle_bound_grows_with_p_and_stays_flat_in_T():
    """ρ(m) < 1: for fixed p the COST-2 bound saturates in T; it grows with p (κ does too)."""
    p = make_problem(F={1: [["-1/10"]], 2: [["-1/10"]]}, u0=["1/2"], steps=1, order=3)
    flat = [kappa_bound(p.with_(steps=t), idle=5) for t in (50, 100, 200)]
    assert flat[2] / flat[1] < 1.01
    assert kappa_bound(p.with_(steps=50), idle=20) > kappa_bound(p.with_(steps=50), idle=5)


# --------------------------------------------------------------------------------------------------
# the cost model's counts


@pytest.mark.clause("COST-3", "RUN-1")
def test_counts_follow_the_model():
    """The counts of COST-3 recomputed by hand from the report's own inputs, and RUN-1's query count."""
    rep = cost(SCALAR, eps="1/100", idle=2)
    k, s, kap, g = rep.system["dilated_qubits"], rep.system["sparsity"], rep.kappa["used"], rep.success_probability["amplitude"]
    log = math.log2(100)
    assert rep.quantum["solve_queries"] == pytest.approx(s * kap * log, rel=1e-12)
    s_b = rep.upload["nonzeros"]
    assert rep.upload["gates"] == 2 ** math.ceil(math.log2(s_b)) + s_b * (2 * (k - 1) + min(k - 1, s_b - 1))
    assert rep.quantum["per_solve"] == pytest.approx(s * kap * log + kap * log * rep.upload["gates"], rel=1e-12)
    run1 = runtime_model(n=1, order=2, steps=5, kappa=kap, sparsity=s, eps=0.01, nnz_lifted_map=1, nnz_map=1,
                         success_amplitude=g)
    assert rep.quantum["run1_queries"] == pytest.approx(run1.quantum_queries, rel=1e-12)
    # classical: T·Σ nnz(F_ℓ) = 5·2; forward substitution: M_2 of a scalar quadratic map has 3 non-zeros
    assert rep.classical == {"gradient_descent": 10, "forward_substitution": 15}
    assert rep.download["runs"] == 2 and rep.download["wanted"] == 1
    assert rep.quantum["total"] == pytest.approx(rep.download["shots"] * rep.quantum["per_solve"], rel=1e-12)


@pytest.mark.clause("COST-3", "UPL-1")
def test_upload_count_bounds_the_circuit():
    """The UPL-1 circuit for b on the dilated register uses at most s_b transpositions, ≤ 2(k−1) CX and
    one multi-controlled X with ≤ min(k−1, s_b−1) controls each — what the model counts."""
    from qsgd_ref.quantum.upload import sparse_state_preparation
    from qsgd_ref.system.eq6 import eq6_system

    p = make_problem(F={0: ["1/8", "0"], 1: [["-1/4", "1/8"], ["0", "-1/2"]], 2: [["0", "1/8", "0", "0"], ["0"] * 4]},
                     u0=["1/2", "-1/4"], steps=3, order=2)
    rep = cost(p)
    b = eq6_system(p).rhs
    k = rep.upload["qubits"]
    qc = sparse_state_preparation(b, k)
    s_b = int(np.count_nonzero(b))
    assert s_b == rep.upload["nonzeros"]
    ops = [inst.operation for inst in qc.data]
    mcx = [op for op in ops if op.name.startswith("mcx") or op.name in ("x", "cx") and op.num_qubits > 2]
    cx = [op for op in ops if op.name == "cx"]
    controls = sum(op.num_qubits - 1 for op in ops if op.name.startswith("mcx"))
    assert len(mcx) <= s_b
    assert len(cx) <= 2 * (k - 1) * s_b
    assert controls <= s_b * min(k - 1, s_b - 1)
    assert rep.upload["gates"] >= len(cx) + controls


@pytest.mark.slow  # about 1 s of multinomial sampling
@pytest.mark.clause("COST-3", "DNL-1")
def test_download_shots_give_the_stated_error():
    """Sampling |Y⟩ with the pipeline's shot count S (COST-3) and the DNL-1 estimator of the magnitudes
    (counts of the p + 1 copies pooled, reference in block 0) gives a root-mean-square relative error
    close to ε. The delta method is asymptotic and 300 repetitions estimate the RMS to about 4 %;
    the band [0.8ε, 1.2ε] is the tolerance."""
    p = make_problem(F={1: [["-1/5", "1/10"], ["1/20", "-3/10"]], 2: [["1/10", "0", "0", "0"], ["0", "0", "0", "-1/10"]]},
                     u0=["1/2", "1/3"], steps=4, order=2)
    eps, idle = 0.05, 1
    rep = cost(p, eps=eps, idle=idle)
    y = np.array([float(x) for block in exact_solution(p, idle) for x in block])
    d = len(y) // (p.steps + 1 + idle)
    probs = y * y / np.dot(y, y)
    shots = int(rep.download["shots_per_run"])
    ref = rep.download["reference_index"]
    target = y[p.steps * d:p.steps * d + p.n]
    rng = np.random.default_rng(0)
    errs = []
    for _ in range(300):
        counts = rng.multinomial(shots, probs)
        pooled = sum(counts[(p.steps + c) * d:(p.steps + c) * d + p.n] for c in range(idle + 1))
        est = np.sqrt(pooled / ((idle + 1) * counts[ref])) * abs(y[ref])
        errs.append(np.linalg.norm(est - np.abs(target)) / np.linalg.norm(target))
    rms = math.sqrt(np.mean(np.square(errs)))
    assert 0.8 * eps <= rms <= 1.2 * eps, rms


# --------------------------------------------------------------------------------------------------
# the verdict


@pytest.mark.clause("COST-3")
def test_verdict_on_a_strongly_dissipative_gradient_descent():
    """F_0 = 0, fully dissipative, sparse: the hypotheses that can be decided hold, κ is bounded in T,
    but g decays geometrically, so κ/g ≤ T + 1 fails at a long horizon."""
    p = make_problem(F={1: [["-1/2"]], 2: [["1/10"]]}, u0=["1/2"], steps=40, order=2)
    v = cost(p).verdict
    names = {c["name"]: c for c in v["theorem_1"]["hypotheses"] + v["theorem_1"]["requirements"]}
    assert names["fully dissipative"]["holds"] is True
    assert names["sparse model"]["holds"] is True
    assert names["small learning rate"]["holds"] is None
    assert names["κ(L) bounded in T"]["holds"] is True
    assert names["κ/g ≤ T + 1 + p"]["holds"] is False
    assert names["κ/g ≤ T + 1 + p"]["values"]["kappa_over_g"] > 1e10
    assert v["theorem_1"]["hypotheses_hold"] is None and v["theorem_1"]["requirements_hold"] is False
    assert v["advantage"]["holds"] is False and "κ/g ≤ T + 1 + p" in v["summary"]


@pytest.mark.clause("COST-3", "REG-6", "COND-2")
def test_verdict_at_the_starting_point_uses_the_radius_of_reg6():
    """Gradient descent expanded at its starting point: u(0) = 0, F_0 ≠ 0, a contracting map. The
    regime is decided at REG-6's radius s = √(h_0/h_2) (= 1/5 here, R_d(s) = 2√(h_0 h_2)/γ = 1/5), so
    Theorem 1's dissipation hypothesis holds; COND-2's explicit bound, uniform in T, is reported and lies
    above the measured κ (p = 0), and is null with idle steps."""
    p = make_problem(F={0: ["1/100"], 1: [["-1/2"]], 2: [["1/4"]]}, u0=["0"], steps=20, order=2)
    rep = cost(p)
    fully = next(c for c in rep.verdict["theorem_1"]["hypotheses"] if c["name"] == "fully dissipative")
    assert fully["holds"] is True
    assert fully["values"]["s"] == pytest.approx(0.2) and fully["values"]["R_d"] == pytest.approx(0.2)
    explicit = rep.kappa["uniform_explicit"]
    assert explicit is not None and explicit["s"] > 0
    assert rep.kappa["measured"] <= rep.kappa["bound"] * (1 + 1e-12)
    assert rep.kappa["measured"] <= explicit["bound"] * (1 + 1e-12)
    assert rep.kappa["measured"] <= rep.kappa["uniform_bound"] * (1 + 1e-12)
    with_idle = cost(p, idle=2).kappa
    assert with_idle["uniform_explicit"] is None and with_idle["uniform_bound"] is None
    assert with_idle["bound_clause"] == "COST-2"


@pytest.mark.clause("COST-3", "MOD-10")
def test_verdict_on_a_short_burgers_run():
    """Burgers (MOD-10) at the published step, 10 steps: F_0 ≠ 0 every step, so b has a block per step;
    h_1 = 1 (boundary rows), not fully dissipative; g² is of order 1/T, not exponentially small."""
    p = burgers_problem(2, nx=4, nt=11, t_end=Fraction(30, 3999))
    rep = cost(p)
    v = rep.verdict
    hyp = {c["name"]: c for c in v["theorem_1"]["hypotheses"]}
    assert hyp["fully dissipative"]["holds"] is False
    assert rep.upload["nonzeros"] > p.steps  # a non-zero c(t) for every step
    assert 1 / (10 * (p.steps + 1)) < rep.success_probability["value"] < 1


@pytest.mark.clause("COST-3", "FMT-4")
def test_zero_solution_gives_infinite_costs_as_strings():
    """u(0) = 0 and F_0 = 0: Y = 0, g = 0; the quantum costs are "inf" and the JSON stays strict."""
    p = make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["0"], steps=3, order=2)
    doc = cost(p).to_json()
    text = json.dumps(doc, allow_nan=False)
    assert doc["quantum"]["total"] == doc["quantum"]["total_amplified"] == "inf"
    jsonschema.Draft202012Validator(load_schema("cost.v1.json")).validate(json.loads(text))


# --------------------------------------------------------------------------------------------------
# the command line and the API


@pytest.mark.clause("FMT-4")
def test_cli_prints_schema_valid_json(cli, tmp_path):
    path = tmp_path / "p.json"
    SCALAR.save(path)
    run = cli("cost", path, "--eps", "1/20", "--idle", "3")
    assert run.status == 0, run.err
    doc = json.loads(run.out)
    schema = load_schema("cost.v1.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["problem"]["idle"] == 3 and doc["eps"] == 0.05
    assert doc == json.loads(json.dumps(cost(SCALAR, eps="1/20", idle=3).to_json()))


@pytest.mark.clause("FMT-4")
@pytest.mark.parametrize(("args", "option"), [
    (["--eps", "0"], "--eps"), (["--eps", "2"], "--eps"), (["--eps", "abc"], "--eps"),
    (["--idle", "-1"], "--idle"), (["--kappa-max-dim", "-5"], "--kappa-max-dim"),
])
def test_cli_refuses_bad_options_in_one_line(cli, tmp_path, args, option):
    path = tmp_path / "p.json"
    SCALAR.save(path)
    run = cli("cost", path, *args)
    assert run.status == 2
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"qsgd-ref cost: error: {option}"), run.err


@pytest.mark.clause("FMT-4")
def test_cli_missing_file(cli, tmp_path):
    run = cli("cost", tmp_path / "absent.json")
    assert run.status == 2 and len(run.err_lines) == 1


@pytest.mark.clause("COST-3")
def test_api_refuses_bad_arguments_by_name():
    for kwargs, field in (({"eps": Fraction(0)}, "eps"), ({"idle": -1}, "idle"), ({"idle": True}, "idle"),
                          ({"kappa_max_dim": -1}, "kappa_max_dim")):
        with pytest.raises(InputError, match=f"^{field}: "):
            cost(SCALAR, **kwargs)


@pytest.mark.clause("COST-3", "SYS-3")
def test_kappa_not_measured_above_the_limit_uses_the_bound():
    rep = cost(SCALAR, kappa_max_dim=4)
    assert rep.kappa["measured"] is None and rep.kappa["used_source"] == "bound"
    assert rep.kappa["used"] == rep.kappa["bound"] and "above" in rep.kappa["method"]
    assert str(rep).startswith("cost of scalar")


@pytest.mark.clause("OUT-1", "COST-3")
def test_output_state_section_is_certified_and_measured():
    rep = cost(SCALAR)
    out = rep.output_state
    assert out["measured"] <= out["bound"]
    assert Fraction(Decimal(repr(out["truncation_bound"]))) >= Fraction(33, 10000)


@pytest.mark.clause("MOD-5", "MOD-8")
def test_pruned_logistic_of_the_sweep_is_the_restriction():
    """benchmarks.cost_sweep builds the pruned logistic model directly on the kept columns; with the
    pruned weights at 0 this is MOD-5's restriction of the full model (c = 0: the sub-block)."""
    from qsgd_ref.models.logistic import logistic_problem
    from qsgd_ref.models.pruning import restrict_problem

    rng = np.random.default_rng(3)
    X = [[Fraction(int(v), 4) for v in row] for row in rng.integers(-4, 5, size=(5, 6))]
    y = [1, -1, 1, 1, -1]
    theta = [Fraction(3, 8), Fraction(0), Fraction(-5, 8), Fraction(0), Fraction(0), Fraction(0)]
    keep = [0, 2]
    full = logistic_problem(X, y, theta, [0] * 6, Fraction(1, 2), 2, steps=3, order=2)
    direct = logistic_problem([[r[k] for k in keep] for r in X], y, [theta[k] for k in keep], [0, 0], Fraction(1, 2), 2,
                              steps=3, order=2)
    restricted = restrict_problem(full, keep, [0] * 6)
    for ell in (0, 1, 2):
        a, b = restricted.map_at(0).get(ell), direct.map_at(0).get(ell)
        assert (a is None and b is None) or (a.dense() == b.dense()).all()


@pytest.mark.clause("COST-3", "MOD-10", "MOD-11")
def test_the_cost_page_is_generated_from_the_committed_sweep():
    """docs/cost.md's table is benchmarks.cost_sweep's rendering of the committed docs/cost/sweep.json,
    every row of which is a schema-shaped cost; the sweep's builders give the stated sizes."""
    from pathlib import Path

    from benchmarks.cost_sweep import SERIES, build, table

    root = Path(__file__).resolve().parents[1]
    res = json.loads((root / "docs" / "cost" / "sweep.json").read_text())
    assert table(res) in (root / "docs" / "cost.md").read_text()
    assert {r["model"] for r in res["rows"]} == set(SERIES)
    for model in SERIES:
        n = SERIES[model][0][0]
        p = build(model, n, 3)
        assert p.n == n and p.steps == 3
