"""The copyable pytest example (clause ORC-5): passes on the corpus with --vectors, skips without it."""

from __future__ import annotations

import re
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


def _example_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("oracle_example_impl", EXAMPLE / "test_my_implementation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.clause("ORC-5", "ORC-3")
def test_example_fails_on_a_short_or_long_row_and_a_missing_row():
    """The copied checker must not pass a row with an entry missing (zip would silently drop it)."""
    check = _example_module().within_tolerance
    expected = [["1", "0"], ["2", "-0.5"]]
    tol = {"rel": "1e-3", "abs": "0"}
    check([[1, 0], [2, -0.5]], expected, tol, steps=1)
    for got, words in (([[1, 0], [2]], "row 1 has 1 entries"), ([[1, 0], [2, -0.5, 7]], "row 1 has 3 entries"),
                       ([[1, 0]], "1 rows, expected T+1 = 2")):
        with pytest.raises(AssertionError, match=re.escape(words)):
            check(got, expected, tol, steps=1)
    # stored rows only: all T + 1 rows given, row 1 (not stored) is not compared, row 2 is
    check([[1, 0], [9, 9], [2, -0.5]], expected, tol, steps=2, times=[0, 2])
    with pytest.raises(AssertionError, match=r"\[2\]\[1\]"):
        check([[1, 0], [9, 9], [2, 0.5]], expected, tol, steps=2, times=[0, 2])
