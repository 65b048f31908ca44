"""Every figure of docs/performance.md in one run (issue 8).

    python -m benchmarks                    # all sections but the legacy HHL; writes JSON, regenerates the page
    python -m benchmarks --legacy           # also our HHL against the legacy Qiskit HHL (slow; needs its venv)
    python -m benchmarks --quick --only tables --out /tmp/x.json    # seconds; the page is not touched

Sections: carleman (assembly and matrix-free apply against scipy kron + bmat), reference (default
and certified modes at 50 and 100 digits), scale (real problems at real sizes), sweep (a 200-case
sweep, serial against two Dask worker processes), tables (symbolic tables against a SymPy expansion),
upload (CX of the sparse state preparation against
Qiskit's StatePreparation), hhl (qsgd-ref hhl on the shared checks p1 and p2, Aer and blockwise side by side), suite (the test suite under the ci profile), legacy (benchmarks/legacy_hhl/compare.py). Prints the
machine and each figure with its ratio; writes the JSON (default benchmarks/results/latest.json)
and, for a full run, regenerates the marked parts of docs/performance.md from it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_carleman,
    bench_hhl,
    bench_reference,
    bench_scale,
    bench_suite,
    bench_sweep,
    bench_tables,
    quantum_upload,
    report,
)
from benchmarks.machine import describe, load_average, summary

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: --long: the scale section also runs Burgers at N = 4 and 30 digits
LONG = False
SECTIONS = ("carleman", "reference", "scale", "sweep", "tables", "upload", "hhl", "suite", "legacy")


def run_carleman(quick: bool) -> dict[str, Any]:
    repeat = 1 if quick else 3
    cases = [(100, 2), (10, 3)] if quick else [(300, 2), (500, 2), (1000, 2), (40, 3), (60, 3)]
    rows = []
    print(bench_carleman.TABLE_HEADER)
    for n, order in cases:
        r = bench_carleman.measure_row(n, order, repeat)
        r["ratios"] = {"assembly_speedup": r["naive_s"] / r["ours_s"], "ours_over_floor": r["ours_s"] / r["floor_s"],
                       "matvec_over_matrix_free": r["csr_matvec_s"] / r["matrix_free_s"]}
        print(bench_carleman.format_row(r), flush=True)
        rows.append(r)
    return {"repeat": repeat, "rows": rows}


def run_reference(quick: bool) -> dict[str, Any]:
    runs = []
    for dps in (50,) if quick else (50, 100):
        r = bench_reference.measure(3, 2, 20, dps) if quick else bench_reference.measure(dps=dps)
        t = r["times_s"]
        r["ratios"] = {"certified_over_default": t["reference_result (certified mode)"]
                       / t["reference_result (default mode)"]}
        print(f"certified / default: {r['ratios']['certified_over_default']:.1f}×")
        runs.append(r)
    return {"runs": runs}


def run_scale(quick: bool) -> dict[str, Any]:
    r = bench_scale.measure(quick=quick, long=LONG)
    print(f"float64 against 30 digits at T (relative): {r['float64_vs_mp30_relative']}")
    if r["naive_over_float64_N4"] is not None:
        print(f"naive kron/bmat lift over the float64 engine, N = 4, per step over the first {r['naive_steps']} "
              f"steps: {r['naive_over_float64_N4']:.1f}× (ŷ_1 at the last step: {r['naive_loop']})")
    r["ratios"] = {"naive_over_float64_N4": r["naive_over_float64_N4"]}
    return r


def run_sweep(quick: bool) -> dict[str, Any]:
    return bench_sweep.measure(quick=quick)


def run_tables(quick: bool) -> dict[str, Any]:
    repeat = 1 if quick else 3
    cases = [(2, 3)] if quick else [(q, order) for q in (2, 3, 4) for order in (3, 4, 5)]
    rows = []
    print(bench_tables.TABLE_HEADER)
    for q, order in cases:
        r = bench_tables.measure_row(q, order, repeat)
        r["ratios"] = {"naive_over_build": r["naive_s"] / r["build_s"]}
        print(bench_tables.format_row(r), flush=True)
        rows.append(r)
    return {"repeat": repeat, "rows": rows}


def run_upload(quick: bool) -> dict[str, Any]:
    rows = []
    print(quantum_upload.TABLE_HEADER)
    for r in quantum_upload.rows((4,) if quick else (4, 6, 8, 10)):
        r["ratios"] = {"state_preparation_over_sparse": r["cx_state_preparation"] / r["cx_sparse"]}
        print(quantum_upload.format_row(r), flush=True)
        rows.append(r)
    return {"rows": rows}


def run_hhl(quick: bool) -> dict[str, Any]:
    r = bench_hhl.measure(quick=quick, long=LONG)
    r["ratios"] = {row["case"]: row["ratios"] for row in r["rows"]}
    return r


def run_suite(quick: bool) -> dict[str, Any]:
    r = bench_suite.measure(extra=["tests/test_spec_registry.py"] if quick else None)
    r["ratios"] = {"of_budget": r["wall_s"] / 600.0}
    print(f"{r['command']}: {r['wall_s']:.0f} s wall, exit code {r['exit_code']}, {r['summary']}")
    return r


def run_legacy(quick: bool) -> dict[str, Any]:
    out = RESULTS / "legacy_hhl.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "legacy_hhl" / "compare.py"), "--out", str(out)]
    if quick:
        cmd += ["--legacy-timeout", "120"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    print(proc.stdout + proc.stderr)
    data = json.loads(out.read_text()) if out.exists() else {}
    mine = {r["name"]: r for r in data.get("ours", [])}
    ratios = {g["name"]: {"cx_legacy_over_ours": g["cx"] / mine[g["name"]]["cx"],
                          "time_legacy_over_ours": g["time_s"] / mine[g["name"]]["time_s"]}
              for g in data.get("legacy", []) if g["name"] in mine}
    table = "\n".join(ln for ln in proc.stdout.splitlines() if ln.startswith("|"))
    return {"command": "python benchmarks/legacy_hhl/compare.py", "exit_code": proc.returncode, "data": data,
            "ratios": ratios, "table_markdown": table}


RUNNERS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "carleman": run_carleman, "reference": run_reference, "scale": run_scale, "sweep": run_sweep, "tables": run_tables,
    "upload": run_upload, "hhl": run_hhl, "suite": run_suite,
    "legacy": run_legacy,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one repetition (seconds; for checking)")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, metavar="NAME", help=f"sections among {SECTIONS}")
    ap.add_argument("--legacy", action="store_true", help="include the legacy Qiskit HHL comparison (slow)")
    ap.add_argument("--long", action="store_true", help="scale: add Burgers N = 4 at 30 digits (tens of minutes)")
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/latest.json, "
                    "or quick.json with --quick)")
    ap.add_argument("--no-docs", action="store_true", help="do not regenerate docs/performance.md")
    args = ap.parse_args(argv)
    global LONG
    LONG = args.long
    names = [s for s in SECTIONS if (s in args.only if args.only else s != "legacy" or args.legacy)]
    out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
    command = " ".join(["python -m benchmarks"] + (argv if argv is not None else sys.argv[1:]))
    res: dict[str, Any] = {"command": command, "quick": args.quick,
                           "started_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
                           "machine": describe(), "sections": {}}
    print(f"# {command}\n# {summary(res['machine'])}", flush=True)
    for name in names:
        print(f"\n## {name}", flush=True)
        t0 = time.perf_counter()
        res["sections"][name] = RUNNERS[name](args.quick)
        res["sections"][name]["seconds"] = time.perf_counter() - t0
    res["machine"]["load_average_end"] = load_average()
    res["finished_utc"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    print(f"\n# load average at the end: {res['machine']['load_average_end']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(f"# results written to {out}")
    if not (args.quick or args.only or args.no_docs):
        print(f"# regenerated in {report.PAGE}: {', '.join(report.update_page(res))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
