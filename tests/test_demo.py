"""The main job: ``qsgd-ref demo`` runs every stage and reports error below bound (BND-1)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.clause("BND-1")
def test_demo_runs_end_to_end_and_error_is_below_bound(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "qsgd_ref", "demo", "--out", str(tmp_path), "--shots", "4000"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "regime: fully dissipative" in out
    assert "F1 ⊗ F1" in out  # the η² correction of block (2,2)
    assert "at the printed steps: yes" in out
    assert "κ(L) =" in out and "fidelity" in out
    assert "budget" in out and out.rstrip().splitlines()[-1].startswith("demo finished")
    hhl_line = next(line for line in out.splitlines() if line.startswith("‖error‖₂"))
    assert hhl_line.endswith("yes"), hhl_line
    png = tmp_path / "error_vs_bounds.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_refuses_a_bad_problem_file_with_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [], "steps": 1, "order": 1}')
    proc = subprocess.run([sys.executable, "-m", "qsgd_ref", "demo", "--problem", str(bad), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
