"""``python -m proofs_numeric``: says per clause whether it held, and writes no timings into the
tracked report (issue 13; every clause with a numeric sweep)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMING = re.compile(r"\d+(\.\d+)? s\b")


SWEPT = {"BND-1", "BND-2", "BND-3", "BND-4", "BND-5", "BND-6", "BND-7", "BND-8", "BND-9", "COND-1", "COND-2",
         "COND-3", "REG-2", "REG-6", "REG-7"}
#: clauses that follow from others and have no numeric check of their own
DERIVED = {"BND-5", "REG-7"}


@pytest.mark.slow  # the quick sweeps
@pytest.mark.clause(*sorted(SWEPT))
def test_each_clause_is_said_to_hold_and_the_report_has_no_timings(tmp_path, capsys, monkeypatch):
    from proofs_numeric.__main__ import main

    tracked = (ROOT / "docs" / "proofs_numeric.md").read_bytes()
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "proofs_numeric-quick" / "proofs_numeric.md"
    assert main(["--quick"]) == 0  # a quick run without --out writes into ./proofs_numeric-quick/
    assert (ROOT / "docs" / "proofs_numeric.md").read_bytes() == tracked
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    verdicts = dict(line.split(": ", 1) for line in lines[:-1])
    assert set(verdicts) == SWEPT
    assert all(verdicts[k] == "no check of its own" for k in DERIVED), verdicts
    assert all(v == "held on the grid" for k, v in verdicts.items() if k not in DERIVED), verdicts
    assert lines[-1] == f"wrote {out}"
    text = out.read_text()
    assert not TIMING.search(text), TIMING.search(text)
    assert (out.parent / "figures" / "bnd1_error_vs_majorant.png").is_file()
    assert " tasks, " in printed.err and " s\n" in printed.err  # the timings go to stderr only


@pytest.mark.clause("BND-1")
def test_the_tracked_report_has_no_timings():
    text = (ROOT / "docs" / "proofs_numeric.md").read_text()
    assert not TIMING.search(text), TIMING.search(text)
