"""HHL on the Eq. 6 system end to end (HHL-4), the `qsgd-ref hhl` command, and re-upload (RUP-1)."""

from __future__ import annotations

import json
from fractions import Fraction as Fr
from pathlib import Path

import numpy as np
import pytest
from assertions import assert_close

from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.quantum.pipeline import estimate, hhl
from qsgd_ref.quantum.reupload import reupload


def fraction_iteration(F: dict[int, list[list[Fr]]], u0: list[Fr], steps: int) -> list[Fr]:
    """u(t+1) = u + F₁ u + F₂ (u ⊗ u), exactly in rationals (independent of the package)."""
    u = list(u0)
    n = len(u)
    for _ in range(steps):
        kron = [u[i] * u[j] for i in range(n) for j in range(n)]
        u = [u[i] + sum(F[1][i][j] * u[j] for j in range(n)) + sum(F[2][i][a] * kron[a] for a in range(n * n))
             for i in range(n)]
    return u


SCALAR = {1: [[Fr(-1, 2)]], 2: [[Fr(1, 10)]]}
PAIR = {1: [[Fr(-1, 2), Fr(1, 10)], [Fr(0), Fr(-3, 10)]],
        2: [[Fr(1, 10), Fr(0), Fr(0), Fr(1, 20)], [Fr(0), Fr(1, 20), Fr(0), Fr(0)]]}


def scalar_problem(steps: int) -> Problem:
    return make_problem(F=SCALAR, u0=[Fr(1, 2)], steps=steps, order=2)


@pytest.mark.clause("HHL-4", "HHL-2", "DNL-1")
@pytest.mark.parametrize("steps", [1, 2, 3])
def test_small_dissipative_problem_within_budget(steps: int) -> None:
    r = hhl(scalar_problem(steps), count_resources=False)
    exact = np.array([float(x) for x in fraction_iteration(SCALAR, [Fr(1, 2)], steps)])
    assert r.fidelity >= 0.99
    assert r.twin_deviation <= 1e-10
    assert_close(r.u_T_exact, exact, tol=1e-15, what="u(T) reported as exact against Fractions")
    assert r.u_T is not None
    err = float(np.linalg.norm(np.array(r.u_T) - exact))
    assert err <= r.budget.total
    assert_close(np.linalg.norm(r.state), 1.0, tol=1e-12, what="‖post-selected state‖")


@pytest.mark.clause("HHL-4")
def test_two_dimensional_problem_and_norm() -> None:
    p = make_problem(F=PAIR, u0=[Fr(1, 2), Fr(-1, 3)], steps=1, order=2)
    r = hhl(p, count_resources=False)
    exact = np.array([float(x) for x in fraction_iteration(PAIR, [Fr(1, 2), Fr(-1, 3)], 1)])
    assert r.fidelity >= 0.99
    assert r.u_T is not None
    assert np.linalg.norm(np.array(r.u_T) - exact) <= r.budget.total
    # the norm implied by the success probability against ‖L⁻¹b‖ from forward substitution
    from qsgd_ref.system.eq6 import eq6_system, solve_forward

    b = eq6_system(p).rhs
    x = solve_forward(p)
    assert_close(r.state_norm, np.linalg.norm(x), tol=0.05, scale=np.linalg.norm(x), what="‖L⁻¹b‖ from the success probability")
    assert np.linalg.norm(b) > 0


@pytest.mark.clause("HHL-4", "DNL-1")
def test_command_with_shots_reports_fields(tmp_path: Path, cli) -> None:
    path = tmp_path / "p.json"
    scalar_problem(2).save(path)
    out = tmp_path / "r.json"
    r = cli("hhl", path, "--shots", "20000", "--clock-qubits", "5", "--out", out)
    assert r.status == 0 and r.out == "", r.err
    # the estimate stated before the run (HHL-4, CLI-3): 4 system + 5 clock + 1 ancilla qubits
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("qsgd-ref hhl: 10 qubits (4 system, 5 clock, 1 ancilla), state vector 16.0 KiB"), r.err
    doc = json.loads(out.read_text())
    for key in ("fidelity", "success_probability", "qubits", "depth", "cx", "u_T", "error_vs_exact",
                "error_vs_carleman", "error_budget"):
        assert key in doc
    assert doc["clock"]["bits"] == 5 and doc["cx"] > 0 and doc["qubits"] == 10
    assert doc["cx_method"] == "analytic" and doc["depth"] is None and "transpiled" not in doc["resources"]
    assert doc["error_budget"]["shot_noise"] > 0
    assert doc["error_vs_exact"] <= doc["error_budget"]["total"]
    r = cli("hhl", path, "--shots", "0")
    assert r.status == 2 and r.out == ""
    assert len(r.err_lines) == 1 and "--shots" in r.err_lines[0], r.err


@pytest.mark.clause("RUP-1")
def test_reupload_segments_reach_horizon() -> None:
    p = make_problem(F=PAIR, u0=[Fr(1, 2), Fr(-1, 3)], steps=3, order=2)
    exact = np.array([float(x) for x in fraction_iteration(PAIR, [Fr(1, 2), Fr(-1, 3)], 3)])
    full = reupload(p, segment=3, keep=2)
    assert len(full.segments) == 1 and full.reached == 3
    assert_close(full.u_T_exact, exact, tol=1e-15, what="re-upload u(T) reported as exact")
    split = reupload(p, segment=1, keep=2, classical_steps=1)
    assert [s.t0 for s in split.segments] == [0, 2] and split.reached == 3
    assert split.error_vs_exact <= 0.05 * np.linalg.norm(exact) + 0.02


@pytest.mark.clause("HHL-4")
def test_command_states_the_work_and_refuses_over_budget(tmp_path: Path, cli) -> None:
    """The estimate line before the run; over --max-time or --max-memory: a last line naming the option,
    exit 2, nothing on stdout."""
    path = tmp_path / "p.json"
    scalar_problem(1).save(path)
    est = estimate(scalar_problem(1), clock_bits=4)
    assert "qubits would need an estimated" in (est.over_time(1e-3) or "") and est.over_time(1e6) is None
    r = cli("hhl", path, "--clock-qubits", "4", "--max-time", "0.001")  # below the option's range (1 s)
    assert r.status == 2 and r.out == "" and len(r.err_lines) == 1 and "--max-time" in r.err_lines[0], r.err
    r = cli("hhl", path, "--clock-qubits", "4", "--max-memory", "1MiB")
    assert r.status == 2 and r.out == ""
    assert len(r.err_lines) == 2 and r.err_lines[0].startswith("qsgd-ref hhl: 8 qubits (3 system, 4 clock"), r.err
    assert r.err_lines[1].startswith("qsgd-ref hhl: error: --max-memory") and "1.0 MiB" in r.err_lines[1], r.err
    r = cli("hhl", path, "--max-memory", "lots")
    assert r.status == 2 and len(r.err_lines) == 1 and "--max-memory" in r.err_lines[0], r.err


@pytest.mark.clause("HHL-4")
def test_command_resources_flag_transpiles(tmp_path: Path, cli) -> None:
    """--resources adds the transpiled count (at or below the analytic one) and says so in the estimate."""
    path = tmp_path / "p.json"
    scalar_problem(1).save(path)
    out = tmp_path / "r.json"
    r = cli("hhl", path, "--clock-qubits", "4", "--resources", "--out", out)
    assert r.status == 0, r.err
    assert "transpiled resource count" in r.err_lines[0], r.err
    doc = json.loads(out.read_text())
    tr, analytic = doc["resources"]["transpiled"], doc["resources"]["cx"]
    assert doc["cx_method"] == "transpiled" and doc["cx"] == tr["cx"] and doc["depth"] == tr["depth"] > 0
    assert 0.95 * analytic <= tr["cx"] <= analytic


@pytest.mark.clause("HHL-4", "HHL-3")
def test_estimate_describes_the_run() -> None:
    """The estimate's clock is the one the run uses; its qubits and state-vector bytes follow from it."""
    p = make_problem(F=PAIR, u0=[Fr(1, 2), Fr(-1, 3)], steps=1, order=2)
    est = estimate(p)
    r = hhl(p, planned=est)
    assert r.clock["bits"] == est.clock_bits and r.clock["c0"] == est.clock["c0"] and r.clock["time"] == est.clock["time"]
    assert est.qubits == r.resources["qubits"] == est.system_qubits + est.clock_bits + 1
    assert est.statevector_bytes == 16 * 2**est.qubits and est.peak_bytes > est.statevector_bytes
    assert est.resources == r.resources
    again = hhl(p)  # choosing again gives the same clock
    assert again.clock["c0"] == est.clock["c0"] and again.success_probability == r.success_probability
    assert r.clock["twin_fidelity"] >= 0.999


@pytest.mark.clause("HHL-2", "HHL-4")
def test_blockwise_and_aer_pipelines_agree() -> None:
    p = make_problem(F=PAIR, u0=[Fr(1, 2), Fr(-1, 3)], steps=1, order=2)
    a, b = hhl(p, clock_bits=4), hhl(p, clock_bits=4, simulator="aer")
    assert b.simulator == "aer" and a.simulator == "blockwise"
    assert_close(a.state, b.state, tol=1e-10, what="post-selected state, blockwise against Aer")
    assert_close(a.success_probability, b.success_probability, tol=1e-10, what="success probability")
    assert_close(a.u_T, b.u_T, tol=1e-10, scale=np.linalg.norm(a.u_T), what="downloaded u(T)")
    with pytest.raises(ValueError, match="^simulator:"):
        hhl(p, simulator="gpu")


@pytest.mark.slow
@pytest.mark.clause("HHL-4", "HHL-3")
def test_shared_check_p2_within_budget() -> None:
    """p2 of the shared checks (n = 1, N = 4, T = 8: 7 system qubits) with the clock HHL-3 chooses."""
    from qsgd_ref.problem import load_problem

    p = load_problem(Path(__file__).parent / "data" / "checks" / "problems" / "p2-scalar-cubic.json")
    r = hhl(p)
    doc = r.to_json()
    assert r.fidelity >= 0.999 and r.twin_deviation <= 1e-10
    assert doc["within_budget"], doc["error_budget"]
    assert doc["error_vs_carleman"] <= 0.01 * np.linalg.norm(r.u_T_carleman) + r.budget.rounding
