"""The copyable pytest example (clause ORC-5): passes on the corpus with --vectors, skips without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "oracle_pytest"


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    # A separate pytest process on purpose: the example is a project of its own (its conftest adds
    # --vectors and a session fixture), run as a user would run it after copying the folder; inside
    # this session its conftest, option and rootdir would mix with ours.
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(EXAMPLE),
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(EXAMPLE),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=EXAMPLE)


@pytest.mark.slow  # 2-3 s: two pytest processes
@pytest.mark.clause("ORC-5", "ORC-3")
def test_example_passes_with_the_committed_vectors_and_skips_without():
    r = _pytest("--vectors", str(ROOT / "spec" / "vectors"))
    assert r.returncode == 0 and "2 passed" in r.stdout, r.stdout[-2000:]
    r = _pytest()
    assert r.returncode == 0 and "2 skipped" in r.stdout, r.stdout[-2000:]


@pytest.mark.clause("ORC-5", "ORC-6")
def test_example_fails_when_the_expected_values_are_wrong(tmp_path):
    text = (ROOT / "spec" / "vectors" / "carleman_trajectory.json").read_text()
    # shift one expected digit of ŷ_1: the example must notice and name the test
    marker = '"carleman": [\n'
    i = text.index(marker) + len(marker)
    j = text.index('"0.', i) + 3
    broken = text[:j] + str((int(text[j]) + 5) % 10) + text[j + 1 :]
    (tmp_path / "carleman_trajectory.json").write_text(broken)
    r = _pytest("--vectors", str(tmp_path))
    assert r.returncode == 1 and "tcId" in r.stdout, r.stdout[-2000:]
