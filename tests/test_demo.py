"""The main job: ``qsgd-ref demo`` runs every stage and reports error below bound (BND-1)."""

from __future__ import annotations

import pytest


@pytest.mark.slow  # 3-4 s: every stage, HHL with resource counts
@pytest.mark.clause("BND-1")
def test_demo_runs_end_to_end_and_error_is_below_bound(tmp_path, cli):
    r = cli("demo", "--out", tmp_path, "--shots", "4000")
    assert r.status == 0, r.err[-3000:]
    out = r.out
    assert "regime: fully dissipative" in out
    assert "F1 ⊗ F1" in out  # the η² correction of block (2,2)
    assert "at the printed steps: yes" in out
    assert "κ(L) =" in out and "fidelity" in out
    assert "budget" in out and out.rstrip().splitlines()[-1].startswith("demo finished")
    hhl_line = next(line for line in out.splitlines() if line.startswith("‖error‖₂"))
    assert hhl_line.endswith("yes"), hhl_line
    png = tmp_path / "error_vs_bounds.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.clause("FMT-1")
def test_demo_refuses_a_bad_problem_file_with_exit_2(tmp_path, cli):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [], "steps": 1, "order": 1}')
    r = cli("demo", "--problem", bad, "--out", tmp_path)
    assert r.status == 2 and r.out == ""
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("qsgd-ref demo: error: u0"), r.err
    assert not (tmp_path / "error_vs_bounds.png").exists()
