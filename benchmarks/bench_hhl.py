"""HHL at the sizes users check (issue 17): `qsgd-ref hhl` on the shared check problems p1 and p2.

Each case is a process of its own, timed by wall clock, with its peak resident memory from GNU time:

- the command ``qsgd-ref hhl PROBLEM --out FILE`` (estimate line, clock choice, simulation without
  transpilation, download): wall time, peak memory, the estimate it printed, fidelity, success
  probability, the analytic CX count, and u(T) against its error budget;
- side by side, the same pipeline with the same circuit simulated by qiskit-aer
  (``hhl(problem, simulator="aer")``, the controlled powers as dense unitary instructions) and by the
  blockwise simulator (``simulator="blockwise"``, what the command runs), each in a process of its own;
- ``--resources`` (the transpiled count) for p2; for p1 only its estimate, from the refusal line of
  ``--resources --max-time 1`` (with ``--long`` it is run).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bench_scale import timed

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "tests" / "data" / "checks" / "problems"
CASES = {"p1": PROBLEMS / "p1-quadratic-forced.json", "p2": PROBLEMS / "p2-scalar-cubic.json"}
#: goals of issue 17: wall seconds per case, and p1's memory (2 GB) and fidelity
GOAL_SECONDS = {"p1": 60.0, "p2": 20.0}
GOAL_BYTES_P1 = 2e9
LIBRARY = r'''
import json, sys
from qsgd_ref.problem import load_problem
from qsgd_ref.quantum.pipeline import hhl
r = hhl(load_problem(sys.argv[1]), simulator=sys.argv[3])
json.dump(r.to_json(), open(sys.argv[2], "w"))
'''
_EST = re.compile(r"estimated peak memory ([\d.]+) (\w+) and time ([\d.]+) s")
_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def parse_estimate(line: str) -> dict[str, Any]:
    """(peak MiB, seconds) from the command's estimate line."""
    m = _EST.search(line)
    if not m:
        return {"line": line.strip(), "peak_mib": None, "seconds": None}
    return {"line": line.strip(), "peak_mib": float(m.group(1)) * _UNITS[m.group(2)] / 2**20, "seconds": float(m.group(3))}


def _doc(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() and path.stat().st_size else None


def _summary(doc: dict[str, Any] | None) -> dict[str, Any]:
    if doc is None:
        return {}
    keys = ("fidelity", "success_probability", "twin_deviation", "qubits", "cx", "cx_method", "error_vs_exact",
            "within_budget")
    out = {k: doc.get(k) for k in keys}
    out["error_budget_total"] = doc["error_budget"]["total"]
    out["clock"] = {k: doc["clock"][k] for k in ("bits", "c0", "time", "rule")}
    out["cx_analytic"] = doc["resources"]["cx"]
    return out


def measure(quick: bool = False, long: bool = False) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="qsgd-hhl-"))
    rows: list[dict[str, Any]] = []
    for name, path in CASES.items():
        if quick and name == "p1":
            continue
        out = tmp / f"{name}.json"
        cmd = timed([sys.executable, "-m", "qsgd_ref", "hhl", str(path), "--out", str(out)], timeout=1800)
        row = {"case": name, "command": f"qsgd-ref hhl {path.relative_to(ROOT)}", "wall_s": cmd["wall_s"],
               "peak_mib": cmd["peak_mib"], "exit_code": cmd["exit_code"],
               "estimate": parse_estimate(cmd.get("stderr", "").splitlines()[0] if cmd.get("stderr") else ""),
               **_summary(_doc(out))}
        print(f"{name}: {row['wall_s']:.1f} s, {row['peak_mib']} MiB; {row['estimate']['line']}", flush=True)
        sides = {}
        for sim in ("blockwise", "aer"):
            o = tmp / f"{name}-{sim}.json"
            r = timed([sys.executable, "-c", LIBRARY, str(path), str(o), sim], timeout=3600)
            d = _doc(o)
            sides[sim] = {"wall_s": r["wall_s"], "peak_mib": r["peak_mib"], "exit_code": r["exit_code"],
                          "success_probability": None if d is None else d["success_probability"],
                          "twin_deviation": None if d is None else d["twin_deviation"]}
            print(f"  hhl(simulator={sim!r}): {r['wall_s']:.1f} s, {r['peak_mib']} MiB", flush=True)
        row["simulators"] = sides
        row["ratios"] = {"aer_over_blockwise_wall": sides["aer"]["wall_s"] / sides["blockwise"]["wall_s"],
                         "aer_over_blockwise_peak": (sides["aer"]["peak_mib"] or 0) / (sides["blockwise"]["peak_mib"] or 1),
                         "measured_over_estimated_wall": (row["wall_s"] / row["estimate"]["seconds"]
                                                          if row["estimate"]["seconds"] else None)}
        ro = tmp / f"{name}-resources.json"
        if name == "p2" or long:
            r = timed([sys.executable, "-m", "qsgd_ref", "hhl", str(path), "--resources", "--max-time", "7200",
                       "--max-memory", "20GiB", "--out", str(ro)], timeout=7200)
            d = _doc(ro)
            row["resources_run"] = {"wall_s": r["wall_s"], "peak_mib": r["peak_mib"], "exit_code": r["exit_code"],
                                    "estimate": parse_estimate(r.get("stderr", "").splitlines()[0] if r.get("stderr") else ""),
                                    "cx_transpiled": None if d is None else d["cx"],
                                    "depth": None if d is None else d["depth"],
                                    "cx_analytic": None if d is None else d["resources"]["cx"]}
        else:
            r = timed([sys.executable, "-m", "qsgd_ref", "hhl", str(path), "--resources", "--max-time", "1"], timeout=600)
            row["resources_run"] = {"refused": r.get("stderr", "").strip(), "exit_code": r["exit_code"]}
        print(f"  --resources: {row['resources_run']}", flush=True)
        rows.append(row)
    return {"rows": rows}


def _mib(x: float | None) -> str:
    return "?" if x is None else f"{x:.0f} MiB"


def render(res: dict[str, Any], run_line: str) -> str:
    s = res["sections"]["hhl"]
    lines = [run_line + f" Load average {res['machine'].get('load_average_start', '?')} at the start, "
             f"{res['machine'].get('load_average_end', '?')} at the end.", "",
             "| case | wall time (estimated) | peak memory (estimated) | clock bits, c₀ | fidelity | success prob. "
             "| CX (analytic) | ‖u_T − u(T)‖₂ / budget |",
             "|---|---:|---:|---|---:|---:|---:|---:|"]
    goals = []
    for r in s["rows"]:
        e = r["estimate"]
        lines.append(f"| {r['case']} `qsgd-ref hhl` | {r['wall_s']:.1f} s ({e['seconds']} s) | {_mib(r['peak_mib'])} "
                     f"({_mib(e['peak_mib'])}) | {r['clock']['bits']}, {r['clock']['c0']:.4g} | {r['fidelity']:.6f} "
                     f"| {r['success_probability']:.4g} | {r['cx_analytic']:,} "
                     f"| {r['error_vs_exact']:.3g} / {r['error_budget_total']:.3g} |")
        ok = r["wall_s"] < GOAL_SECONDS[r["case"]]
        text = f"{r['case']} end to end under {GOAL_SECONDS[r['case']]:.0f} s: {'**met**' if ok else '**not met**'} ({r['wall_s']:.1f} s)"
        if r["case"] == "p1":
            mem = r["peak_mib"] is not None and r["peak_mib"] * 2**20 < GOAL_BYTES_P1
            text += (f"; under 2 GB: {'**met**' if mem else '**not met**'} ({_mib(r['peak_mib'])}); fidelity ≥ 0.99 with "
                     f"the clock it chose: {'**met**' if r['fidelity'] >= 0.99 else '**not met**'} ({r['fidelity']:.6f}); "
                     f"u(T) within its error budget: {'**met**' if r['within_budget'] else '**not met**'}")
        goals.append(text)
    lines += ["", "Side by side, the same pipeline and circuit with the two simulators (each a process of its own):", "",
              "| case | blockwise (`simulate`) | Aer (dense unitary instructions) | Aer / blockwise: time, memory |",
              "|---|---:|---:|---:|"]
    for r in s["rows"]:
        b, a = r["simulators"]["blockwise"], r["simulators"]["aer"]
        lines.append(f"| {r['case']} | {b['wall_s']:.1f} s, {_mib(b['peak_mib'])} | {a['wall_s']:.1f} s, "
                     f"{_mib(a['peak_mib'])} | {r['ratios']['aer_over_blockwise_wall']:.1f}×, "
                     f"{r['ratios']['aer_over_blockwise_peak']:.1f}× |")
    lines += ["", "With `--resources` (the transpiled count):", ""]
    for r in s["rows"]:
        rr = r["resources_run"]
        if "refused" in rr:
            lines.append(f"- {r['case']}: not run; its estimate (the refusal of `--resources --max-time 1`): "
                         f"`{rr['refused']}`")
        else:
            lines.append(f"- {r['case']}: {rr['wall_s']:.1f} s, {_mib(rr['peak_mib'])} (estimated "
                         f"{rr['estimate']['seconds']} s, {_mib(rr['estimate']['peak_mib'])}); transpiled CX "
                         f"{rr['cx_transpiled']:,} against the analytic {rr['cx_analytic']:,}, depth {rr['depth']:,}")
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {g}" for g in goals)
