"""The figures of docs/performance.md, generated from one run's JSON (``python -m benchmarks``).

    python -m benchmarks.report [benchmarks/results/latest.json]    # regenerate the page from a saved run

The page keeps its prose; each generated part sits between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` and is replaced wholesale. A part whose section was not run is left as it is.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import bench_carleman, bench_tables, quantum_upload
from benchmarks.machine import summary

PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def _run_line(res: dict[str, Any]) -> str:
    return f"Run of {res['started_utc']} to {res['finished_utc']} UTC by `{res['command']}`."


def render_machine(res: dict[str, Any]) -> str:
    return f"{_run_line(res)}\n\nMachine: {summary(res['machine'])}"


def render_carleman(res: dict[str, Any]) -> str:
    sec = res["sections"]["carleman"]
    rows = "\n".join(bench_carleman.format_row(r) for r in sec["rows"])
    speedups = [r["ratios"]["assembly_speedup"] for r in sec["rows"]]
    goals = [f"**Assembly (goal ≥ 5× the naive one): {'met' if min(speedups) >= 5 else 'not met'}** in this run "
             f"({min(speedups):.1f}× to {max(speedups):.1f}×)."]
    for r in sec["rows"]:
        if (r["n"], r["order"]) == (1000, 2):
            ratio = r["ratios"]["matvec_over_matrix_free"]
            goals.append(f"**Matrix-free apply (goal ≥ 10× at n = 1000, N = 2): {'met' if ratio >= 10 else 'not met'}** "
                         f"in this run ({ratio:.1f}×).")
    return (f"Best of {sec['repeat']} (assembly) and of {10 * sec['repeat']} (apply), measured alternately "
            f"({sec['seconds']:.0f} s for the section):\n\n{bench_carleman.TABLE_HEADER}\n{rows}\n\n"
            + " ".join(goals))


_PHASES = ("exact_trajectory (mpmath)", "carleman_trajectory (exact-integer step)", "reference_result (default mode)",
           "certified_trajectories (arb balls)", "reference_result (certified mode)")


def render_reference(res: dict[str, Any]) -> str:
    runs = res["sections"]["reference"]["runs"]
    first = runs[0]
    head = " | ".join(f"{r['dps']} digits" for r in runs)
    lines = [f"| phase (n = {first['n']}, N = {first['order']}, T = {first['steps']}) | {head} |",
             "|---|" + "---:|" * len(runs)]
    for ph in _PHASES:
        lines.append(f"| `{ph}` | " + " | ".join(f"{r['times_s'][ph]:.2f} s" for r in runs) + " |")
    lines.append("| certified / default (`reference_result`) | "
                 + " | ".join(f"{r['ratios']['certified_over_default']:.1f}×" for r in runs) + " |")
    lines.append("| largest reported radius, certified mode | "
                 + " | ".join(f"{r['largest_radius']:.1e} (arb {r['arb_prec_bits']} bits)" for r in runs) + " |")
    return f"Lifted dimension D = {first['lifted_dimension']}.\n\n" + "\n".join(lines)


def render_tables(res: dict[str, Any]) -> str:
    sec = res["sections"]["tables"]
    rows = "\n".join(bench_tables.format_row(r) for r in sec["rows"])
    return f"Best of {sec['repeat']}:\n\n{bench_tables.TABLE_HEADER}\n{rows}"


def render_upload(res: dict[str, Any]) -> str:
    rows = "\n".join(quantum_upload.format_row(r) for r in res["sections"]["upload"]["rows"])
    return f"{quantum_upload.TABLE_HEADER}\n{rows}"


def render_suite(res: dict[str, Any]) -> str:
    s = res["sections"]["suite"]
    code, wall = s["exit_code"], s["wall_s"]
    if code is None:
        outcome = f"did not finish within the time limit ({wall:.0f} s)"
    elif code < 0:
        outcome = f"was killed by signal {-code} from outside the run after {wall:.0f} s, before it finished"
    else:
        outcome = (f"**{wall:.0f} s** wall time ({wall / 60:.1f} min, {s['ratios']['of_budget']:.2f} of the "
                   f"10-minute budget), exit code {code}: {s['summary']}")
    return f"`{s['command']}` {outcome}." + (f" {s['note']}" if s.get("note") else "")


def render_legacy(res: dict[str, Any]) -> str:
    s = res["sections"]["legacy"]
    return f"From `{s['command']}` ({s['seconds']:.0f} s):\n\n" + s["table_markdown"]


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "machine": render_machine, "carleman": render_carleman, "reference": render_reference,
    "tables": render_tables, "upload": render_upload, "suite": render_suite, "legacy": render_legacy,
}


def update_page(res: dict[str, Any], page: Path = PAGE) -> list[str]:
    """Replace the marked parts of ``page`` whose sections ``res`` holds; returns the names replaced."""
    text = page.read_text()
    done = []
    for name, fn in RENDERERS.items():
        if name != "machine" and name not in res["sections"]:
            continue
        pattern = re.compile(rf"(<!-- bench:{name} -->\n)(?:.*?\n)?(<!-- /bench:{name} -->)", re.S)
        if pattern.search(text):
            body = fn(res)
            text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
            done.append(name)
    page.write_text(text)
    return done


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE.parents[1] / "benchmarks" / "results" / "latest.json"
    print(f"regenerated in {PAGE}: {', '.join(update_page(json.loads(src.read_text())))}")
