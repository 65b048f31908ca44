"""Issue 13, class "the demo dies on legitimate problems" (clauses CLI-1, CLI-2, BND-1).

The demo runs on any valid problem — R_d = ∞, u(0) = 0, T = 0, per-step maps, not dissipative,
too large for HHL — or says in one line why a stage cannot run; it writes nothing before its
input is validated.
"""

from __future__ import annotations

import json
import os
import time

import pytest

BOUND = 60.0


def _problem(tmp_path, name, **doc):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"schema": "qsgd-ref.problem.v1", "name": name, **doc}))
    return path


PROBLEMS = {
    # R_d = ∞ (no non-linearity, no forcing) and an almost dissipative one (R_d = null in classify)
    "linear": {"F": {"1": [["-1/2"]]}, "u0": ["1/2"], "steps": 4, "order": 2},
    "marginal": {"F": {"2": [["-1/10"]]}, "u0": ["1/2"], "steps": 4, "order": 2},
    # u(0) = 0 with forcing, not dissipative: no classically known entry for the download
    "zero-start": {"F": {"0": ["1/10"], "1": [["1/10"]]}, "u0": ["0"], "steps": 4, "order": 2},
    "no-steps": {"F": {"1": [["-1/2"]], "2": [["1/4"]]}, "u0": ["1/2"], "steps": 0, "order": 2},
    "one-step": {"F": {"1": [["-1/2"]], "2": [["1/4"]]}, "u0": ["1/2"], "steps": 1, "order": 1},
    "per-step": {"F_steps": [{"1": [[f"-1/{k + 2}"]], "2": [["1/4"]]} for k in range(3)], "u0": ["1/2"],
                 "steps": 3, "order": 2},
    "per-step-one": {"F_steps": [{"1": [["-1/2"]], "2": [["1/4"]]}], "u0": ["1/2"], "steps": 1, "order": 3},
    "growing": {"F": {"1": [["1/10"]], "2": [["1/4"]]}, "u0": ["1/2"], "steps": 4, "order": 2},
}


@pytest.mark.slow  # 1-3 s each: every stage, HHL included
@pytest.mark.clause("CLI-1", "BND-1")
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_the_demo_runs_on_a_legitimate_problem(name, cli, tmp_path):
    problem = _problem(tmp_path, name, **PROBLEMS[name])
    out = tmp_path / "demo"
    start = time.monotonic()
    r = cli("demo", "--problem", problem, "--out", out, "--shots", "500", "--orders", "1,2,3")
    assert time.monotonic() - start < BOUND
    assert r.status == 0, r.err[-2000:]
    assert "Traceback" not in r.err and r.err == ""
    assert r.out.rstrip().splitlines()[-1].startswith("demo finished")
    assert "at the printed steps: yes" in r.out
    assert f"figure: {out / 'error_vs_bounds.png'}" in r.out
    assert os.listdir(out) == ["error_vs_bounds.png"] and sorted(os.listdir(tmp_path)) == ["demo", problem.name]
    if name == "zero-start":
        assert "u(T) not downloaded: u(0) = 0" in r.out
    elif name != "no-steps":
        hhl_line = next(line for line in r.out.splitlines() if line.startswith("‖error‖₂"))
        assert hhl_line.endswith("yes"), hhl_line
    if name == "no-steps":
        rows = [line for line in r.out.splitlines() if line.startswith("  1 ") or line.startswith("  2 ")]
        assert [line.split()[1] for line in rows] == ["0", "0"]  # t = 0 only


@pytest.mark.clause("CLI-1")
def test_an_hhl_stage_too_large_is_skipped_with_the_reason(cli, tmp_path):
    """n = 12: the reduced system (T = 2, N = 2) has 3 · 156 rows, 10 system qubits once dilated."""
    n = 12
    problem = _problem(tmp_path, "wide", F={"1": [["-1/2" if i == j else "0" for j in range(n)] for i in range(n)]},
                       u0=["1/4"] * n, steps=2, order=2)
    r = cli("demo", "--problem", problem, "--out", tmp_path / "d", "--orders", "1,2")
    assert r.status == 0, r.err
    assert "skipped: the reduced Eq. 6 system has 468 rows, 10 system qubits once dilated" in r.out


@pytest.mark.clause("CLI-1")
def test_an_hhl_stage_over_the_budget_is_skipped_with_the_reason(cli, tmp_path):
    problem = _problem(tmp_path, "p", **PROBLEMS["one-step"])
    r = cli("demo", "--problem", problem, "--out", tmp_path / "d", "--max-memory", "1MiB", "--orders", "1")
    assert r.status == 0, r.err
    assert "skipped: 7 qubits would need an estimated" in r.out and "over the memory budget of 1.0 MiB" in r.out


@pytest.mark.clause("CLI-2")
@pytest.mark.parametrize("content", ['{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [], "steps": 1, "order": 1}',
                                     "not json", ""])
def test_a_bad_problem_creates_no_folder(content, cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = cli("demo", "--problem", bad, "--out", tmp_path / "d")
    assert r.status == 2 and len(r.err_lines) == 1 and r.err_lines[0].startswith("qsgd-ref demo: error:")
    assert sorted(os.listdir(tmp_path)) == ["bad.json"]


@pytest.mark.clause("CLI-2")
def test_the_demo_into_an_existing_folder_replaces_only_its_figure(cli, tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "error_vs_bounds.png").write_text("old figure\n")
    problem = _problem(tmp_path, "p", **PROBLEMS["one-step"])
    r = cli("demo", "--problem", problem, "--out", out, "--shots", "0", "--orders", "1")
    assert r.status == 0, r.err
    assert sorted(os.listdir(out)) == ["error_vs_bounds.png", "notes.txt"]
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "error_vs_bounds.png").read_bytes()[:4] == b"\x89PNG"
