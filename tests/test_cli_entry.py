"""The real entry point, ``python -m qsgd_ref``, in a child process (clause FMT-1).

Every other CLI test calls ``qsgd_ref.cli.main.main`` in-process (the ``cli`` fixture of conftest.py);
this one shows that the module entry point (``qsgd_ref/__main__.py`` → ``sys.exit(main())``) turns
main's result into the process's exit status and that a refusal reaches the terminal as one line,
without a traceback, when nothing but the interpreter stands in between.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qsgd_ref", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.clause("FMT-1")
def test_python_m_qsgd_ref_reports_its_version_and_refuses_a_bad_file_in_one_line(tmp_path):
    r = _run("--version")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"qsgd-ref {importlib.metadata.version('qsgd-ref')}\n", "")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [1], "order": 1}')
    r = _run("validate", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("qsgd-ref validate: error: steps: missing"), r.stderr
    assert "Traceback" not in r.stderr
