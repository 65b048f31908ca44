"""The benchmark command `python -m benchmarks` (issue 8): JSON keys, positive ratios, page regeneration.

No timing assertions: only the shape of the results, the term count of the symbolic table it
benchmarks (against a closed form), and that regenerating the page keeps the prose.
"""

from __future__ import annotations

import json
import subprocess
import sys
from math import comb
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_tables(tmp_path_factory: pytest.TempPathFactory) -> dict:
    # A real `python -m benchmarks` process, once per module: the command under test is the module
    # entry point as documented, and what it records (times, load averages, machine) should describe a
    # fresh interpreter, not one carrying this pytest session's imports, objects and collected garbage.
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "tables", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.mark.clause("LIFT-1")
def test_quick_tables_run_has_machine_and_positive_ratios(quick_tables: dict) -> None:
    res = quick_tables
    assert {"command", "started_utc", "finished_utc", "machine", "sections"} <= set(res)
    m = res["machine"]
    assert {"cpu_model", "logical_cpus", "memory_gib", "python", "versions", "load_average_start",
            "load_average_end"} <= set(m)
    assert len(m["load_average_start"]) == 3 and len(m["load_average_end"]) == 3
    assert {"numpy", "scipy", "qiskit"} <= set(m["versions"])
    assert list(res["sections"]) == ["tables"]
    rows = res["sections"]["tables"]["rows"]
    assert [(r["q"], r["order"]) for r in rows] == [(2, 3)]
    for r in rows:
        assert r["build_s"] > 0 and r["render_s"] > 0 and r["naive_s"] > 0
        assert r["ratios"]["naive_over_build"] > 0


@pytest.mark.clause("LIFT-1")
def test_quick_tables_term_count_matches_closed_form(quick_tables: dict) -> None:
    # degree 2: per factor, I and F1 have one leg, F0 none, F2 two: generating function (1 + x)^2,
    # so level j has C(2j, k) terms in column k; sum over j = 1..3, k = 0..3
    expected = sum(comb(2 * j, k) for j in range(1, 4) for k in range(0, 4))
    assert expected == 61
    assert quick_tables["sections"]["tables"]["rows"][0]["terms"] == expected


@pytest.mark.clause("LIFT-1")
def test_page_regeneration_replaces_only_marked_parts(quick_tables: dict, tmp_path: Path) -> None:
    from benchmarks.report import update_page

    page = tmp_path / "performance.md"
    prose = "Why the goal is missed: prose that must survive."
    page.write_text(f"# P\n\n<!-- bench:tables -->\nold figures\n<!-- /bench:tables -->\n\n{prose}\n\n"
                    "<!-- bench:carleman -->\nnot run, kept\n<!-- /bench:carleman -->\n")
    done = update_page(quick_tables, page)
    text = page.read_text()
    assert "tables" in done and "carleman" not in done
    assert "old figures" not in text and "| 2 | 3 | 61 |" in text
    assert prose in text and "not run, kept" in text


@pytest.mark.clause("HHL-4")
def test_hhl_section_reads_the_commands_estimate_line() -> None:
    """The benchmark parses the estimate line `qsgd-ref hhl` prints (the same HHLEstimate.line())."""
    from fractions import Fraction as Fr

    from benchmarks.bench_hhl import parse_estimate
    from qsgd_ref.problem import make_problem
    from qsgd_ref.quantum.pipeline import estimate

    est = estimate(make_problem(F={1: [[Fr(-1, 2)]], 2: [[Fr(1, 10)]]}, u0=[Fr(1, 2)], steps=1, order=2), clock_bits=4)
    got = parse_estimate(f"qsgd-ref hhl: {est.line()}")
    assert got["seconds"] == float(f"{est.seconds:.1f}")
    assert abs(got["peak_mib"] * 2**20 - est.peak_bytes) <= 0.05 * 2**20


@pytest.mark.clause("LIFT-1")
def test_replace_table_keeps_the_prose(tmp_path: Path) -> None:
    from benchmarks.report import replace_table

    page = tmp_path / "page.md"
    page.write_text("intro\n<!-- table:begin -->\nold | row\n<!-- table:end -->\noutro \\1\n")
    replace_table(page, "| a \\1 |\n|---|")
    assert page.read_text() == "intro\n<!-- table:begin -->\n| a \\1 |\n|---|\n<!-- table:end -->\noutro \\1\n"
