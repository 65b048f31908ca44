"""Issue 13, class "work nobody estimated" (clause CLI-3).

The bytes per entry are checked against tracemalloc, the synthesis CX count against the
transpiler, and the issue's cases are refused before any work: one line naming the option, the
estimate and the budget, fast.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import mpmath
import pytest

from qsgd_ref.cli import work

P1 = Path(__file__).parent / "data" / "checks" / "problems" / "p1-quadratic-forced.json"
#: a refusal comes before the work: seconds, not minutes
BOUND = 20.0


def _measured(make, count: int = 5000) -> float:
    """Bytes per object of a list of ``count`` objects made by ``make(i)``, the list included."""
    tracemalloc.start()
    try:
        items = [make(i) for i in range(count)]
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(items) == count
    return size / count


@pytest.mark.clause("CLI-3")
@pytest.mark.parametrize("bits", [64, 200, 1000, 10_000])
def test_bytes_of_a_python_integer_are_the_real_ones(bits):
    measured = _measured(lambda i: (1 << bits) // (i + 3))
    assert 0.8 * measured <= work.int_bytes(bits) <= 1.5 * measured, (bits, measured, work.int_bytes(bits))


@pytest.mark.clause("CLI-3")
@pytest.mark.parametrize("dps", [15, 50, 500, 5000])
def test_bytes_of_an_mpmath_number_are_the_real_ones_not_8(dps):
    with mpmath.workdps(dps):
        _measured(lambda i: mpmath.mpf(1) / (i + 3), 200)  # first-use allocations of mpmath are no entry's
        measured = _measured(lambda i: mpmath.mpf(1) / (i + 3), 2000)
    assert 0.8 * measured <= work.mpf_bytes(dps) <= 1.5 * measured, (dps, measured, work.mpf_bytes(dps))
    assert work.mpf_bytes(dps) > 20 * 8


def _refused(cli, argv, option, *words):
    start = time.monotonic()
    r = cli(*argv)
    assert time.monotonic() - start < BOUND
    assert r.status == 2 and "Traceback" not in r.err, r.err
    assert 1 <= len(r.err_lines) <= 2, r.err  # hhl states its plan on the line before
    line = r.err_lines[-1]
    assert option in line, line
    for word in words:
        assert word in line, (word, line)
    return line


@pytest.mark.clause("CLI-3", "REF-1")
def test_reference_over_the_memory_budget_is_refused_first(cli, tmp_path, monkeypatch):
    import qsgd_ref.cli.commands.reference as command

    monkeypatch.setattr(command, "reference", lambda *a, **k: pytest.fail("started"))
    line = _refused(cli, ["reference", P1, "--steps", "10000000", "--out", tmp_path / "r.json"],
                    "--steps", "GiB", "T = 10,000,000", "--max-memory", "QSGD_REF_MEMORY_BUDGET")
    assert line.startswith("qsgd-ref reference: error: --steps:")
    _refused(cli, ["reference", P1, "--steps", "100000", "--max-time", "10s"], "--steps", "over the time budget of 10 s",
             "--max-time")
    _refused(cli, ["reference", P1, "--dps", "5000", "--steps", "20000", "--max-memory", "64MiB"], "--steps", "5000 digits")
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("CLI-3", "REF-2")
def test_certified_counts_the_dense_ball_matrix(tmp_path):
    from qsgd_ref.problem import load_problem

    p = load_problem(P1)
    plain = work.reference_work(p, dps=50)
    certified = work.reference_work(p, dps=50, certified=True)
    D = 14
    assert certified.nbytes - plain.nbytes >= D * D * work.arb_bytes(50 * 4 + 64) and certified.seconds > plain.seconds


@pytest.mark.clause("CLI-3", "REF-1")
def test_a_budget_can_be_raised(cli, tmp_path):
    out = tmp_path / "r.json"
    low = cli("reference", P1, "--steps", "3000", "--max-time", "1s")
    assert low.status == 2 and "--max-time" in low.err
    r = cli("reference", P1, "--steps", "3000", "--max-time", "10m", "--max-memory", "2GiB", "--out", out)
    assert r.status == 0, r.err
    assert len(json.loads(out.read_text())["exact"]) == 3001


@pytest.mark.clause("CLI-3", "MOD-3")
def test_proxy_at_ten_billion_steps_is_refused_with_its_size(cli, tmp_path):
    eig = tmp_path / "eig.txt"
    eig.write_text("1 2 0.5\n")
    _refused(cli, ["proxy", eig, "--steps", str(10**10)], "--steps", "10,000,000,001 steps", "TiB", "--max-memory")


@pytest.mark.clause("CLI-3", "MOD-7")
def test_train_with_ten_million_hidden_units_is_refused_with_its_size(cli, tmp_path):
    line = _refused(cli, ["train", "--hidden", str(10**7), "--out", tmp_path / "t"], "--hidden", "GiB")
    gib = float(line.split(" GiB")[0].rsplit(" ", 1)[1])
    assert gib > 134  # the issue saw numpy ask for 134 GiB in one array
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("CLI-3", "MOD-10")
def test_burgers_with_ten_million_time_points_is_refused(cli, tmp_path):
    _refused(cli, ["model", "burgers", "--nt", str(10**7), "--out", tmp_path / "b.json"], "--nt", "forcing entries")
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("CLI-3", "TREE-3")
def test_leading_tree_search_is_estimated(cli):
    _refused(cli, ["tables", "--degree", "3", "--trees", "4", "--order", "3", "--max-time", "5s"], "--trees",
             "12,244 trees")
    _refused(cli, ["tables", "--degree", "3", "--trees", "4", "--order", "8"], "--trees")


def _scalar(tmp_path: Path, steps: int, order: int = 3) -> Path:
    path = tmp_path / f"scalar-{steps}.json"
    path.write_text(json.dumps({"schema": "qsgd-ref.problem.v1", "name": "scalar",
                                "F": {"1": [["-1/2"]], "2": [["1/4"]]}, "u0": ["1/2"], "steps": steps, "order": order}))
    return path


@pytest.mark.clause("CLI-3", "HHL-1")
def test_hhl_refuses_a_system_of_too_many_qubits_stating_them(cli, tmp_path):
    line = _refused(cli, ["hhl", _scalar(tmp_path, 200)], "PROBLEM.json", "603 rows", "11 system qubits",
                    "state vector", "at most 9")
    assert "15 with clock and ancilla" in line


@pytest.mark.clause("CLI-3", "HHL-3")
def test_hhl_states_qubits_and_synthesis_cost_before_it_starts(cli, tmp_path, monkeypatch):
    import qsgd_ref.quantum.pipeline as pipeline

    monkeypatch.setattr(pipeline, "hhl_circuit", lambda *a, **k: pytest.fail("the circuit was built"))
    r = cli("hhl", _scalar(tmp_path, 40), "--max-memory", "100MiB")
    assert r.status == 2 and len(r.err_lines) == 2, r.err
    plan, refusal = r.err_lines
    assert plan.startswith("qsgd-ref hhl: ") and "8 system" in plan and "state vector" in plan and " CX" in plan
    assert refusal.startswith("qsgd-ref hhl: error: --max-memory:") and "raise it to run anyway" in refusal


@pytest.mark.clause("CLI-3", "HHL-4")
def test_hhl_plan_line_then_the_result(cli, tmp_path):
    r = cli("hhl", _scalar(tmp_path, 1, order=1))
    assert r.status == 0, r.err
    assert len(r.err_lines) == 1 and "4 qubits" not in r.err_lines[0] and "CX" in r.err_lines[0]
    doc = json.loads(r.out)
    assert doc["qubits"] == int(r.err_lines[0].split("qsgd-ref hhl: ")[1].split(" qubits")[0])


@pytest.mark.clause("CLI-3")
def test_the_demo_refuses_work_over_the_budget_before_creating_its_folder(cli, tmp_path):
    problem = _scalar(tmp_path, 2_000_000, order=2)
    line = _refused(cli, ["demo", "--problem", problem, "--out", tmp_path / "d"], "PROBLEM.json", "demo's trajectories",
                    "T = 2,000,000")
    assert "budget" in line
    assert sorted(os.listdir(tmp_path)) == [problem.name]


@pytest.mark.clause("CLI-3")
def test_estimates_are_within_a_factor_of_a_few_of_a_real_run(tmp_path):
    """The reference of p1 over 2,000 steps: the estimate against the measured time."""
    from qsgd_ref.problem import load_problem
    from qsgd_ref.report.reference import reference

    p = load_problem(P1).with_(steps=2000)
    estimate = work.reference_work(p, dps=50)
    start = time.perf_counter()
    reference(p, dps=50)
    took = time.perf_counter() - start
    assert took / 4 <= estimate.seconds <= took * 8, (estimate.seconds, took)


@pytest.mark.clause("CLI-3")
@pytest.mark.parametrize("n", [40, 1000])
def test_norm_work_is_sized_by_the_method_theory_norms_uses_not_by_dense_gram_matrices(n):
    """A sparse n = 1000 quadratic map (5 non-zeros per row): the certified norms cost one sparse product
    and one dense 1000 × 1000 Cholesky (about 0.3 s), not 1000 · 1000 · 1000² Fraction operations
    (the former estimate refused `reference --engine float64` at '104 days'; it runs in seconds)."""
    from fractions import Fraction

    from qsgd_ref.problem import ExactMatrix, make_problem
    from qsgd_ref.theory import norms

    f1 = ExactMatrix.from_entries((n, n), [(i, j % n, Fraction(-1, 8)) for i in range(n) for j in range(i, i + 5)])
    f2 = ExactMatrix.from_entries((n, n * n), [(i, (7 * i + 3 * k) % (n * n), Fraction(1, 1000))
                                               for i in range(n) for k in range(5)])
    p = make_problem(F={1: f1, 2: f2}, u0=[Fraction(1, 10)] * n, steps=50, order=2)
    shape = work.Shape.of(p)
    dense_fraction_ops = n * n * n**2  # what the former estimate charged for F_2
    assert shape.norm_seconds < 10, shape.norm_seconds
    assert shape.norm_seconds < dense_fraction_ops * work.FRACTION_OP / 100
    # the method the estimate models is the one norm_upper runs
    assert norms.planned_method(f2.shape, f2.nnz) == norms.norm_upper(f2).method == norms.VERIFIED
    est = work.reference_work(p, dps=30, engine="float64")
    assert est.seconds < 60, est.line()
