"""Quality gates run by the test suite: the docs build without warnings, ruff, mypy (strict)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_docs_build_with_warnings_as_errors(tmp_path):
    proc = run(sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(tmp_path / "html"))
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_ruff_is_clean():
    proc = run(sys.executable, "-m", "ruff", "check", "qsgd_ref", "proofs_numeric", "tests", "benchmarks", "docs")
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_mypy_strict_on_the_package():
    proc = run(sys.executable, "-m", "mypy", "--strict", "qsgd_ref")
    assert proc.returncode == 0, proc.stdout[-4000:]
