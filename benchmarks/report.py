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

from benchmarks import bench_carleman, bench_hhl, bench_tables, quantum_upload
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


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render_scale(res: dict[str, Any]) -> str:
    s = res["sections"]["scale"]
    by = {r["case"]: r for r in s["rows"]}
    lines = ["| case | wall time | peak memory | exit |", "|---|---:|---:|---:|"]
    for r in s["rows"]:
        peak = "?" if r.get("peak_mib") is None else f"{r['peak_mib']:.0f} MiB"
        lines.append(f"| {r['case']} | {r['wall_s']:.2f} s | {peak} | {r['exit_code']} |")

    def wall(name: str) -> float:
        return float(by[name]["wall_s"]) if name in by else float("nan")

    n = s["sparse_n"]
    goals = [
        f"float64 engine at N = 4 over all {s['nt'] - 1} steps under 10 s: "
        f"{_verdict(s['naive_loop']['ours_all_steps_s'] < 10)} ({s['naive_loop']['ours_all_steps_s']:.1f} s for the "
        f"iteration alone; {wall('burgers: float64 engine (in-process loop), N = 4, all 3999 steps'):.1f} s for a process "
        f"that loads the file and runs it; the whole command, with loading, classification and bounds, "
        f"{wall('burgers: reference --engine float64, N = 4'):.1f} s)",
        f"high-precision engine at N = 3, 30 digits, under 5 minutes: {_verdict(wall('burgers: reference --dps 30, N = 3') < 300)} "
        f"({wall('burgers: reference --dps 30, N = 3'):.0f} s)",
        f"validate of the Burgers v2 file under 3 s: {_verdict(wall('burgers: validate') < 3)} ({wall('burgers: validate'):.2f} s)",
        f"n = {n} sparse: validate under 5 s {_verdict(wall(f'sparse n = {n}: validate') < 5)}, classify under 20 s "
        f"{_verdict(wall(f'sparse n = {n}: classify') < 20)}, reference --engine float64 --order 2 under 60 s "
        f"{_verdict(wall(f'sparse n = {n}: reference --engine float64 --order 2') < 60)}",
    ]
    long = "burgers: reference --dps 30, N = 4"
    if long in by:
        goals.append(f"N = 4 at 30 digits: {by[long]['wall_s'] / 60:.1f} min")
    agree = ", ".join(f"{k}: {v:.1e}" for k, v in s["float64_vs_mp30_relative"].items())
    return (f"{_run_line(res)} Load average {res['machine'].get('load_average_start', '?')} at the start, "
            f"{res['machine'].get('load_average_end', '?')} at the end.\n\n" + "\n".join(lines) + "\n\n"
            + "\n".join(f"- {g}" for g in goals)
            + f"\n- The naive lift (M_N assembled by scipy kron + bmat at every step, as F_0 changes) against the "
              f"float64 engine on the same first {s['naive_steps']} steps at N = 4, each timing only its stepping loop: "
              f"**{s['naive_over_float64_N4']:.0f}×** ({s['naive_loop']['naive']['loop_s']:.1f} s against "
              f"{s['naive_loop']['ours']['loop_s']:.2f} s; ŷ_1 at the last step {s['naive_loop']['naive']['y1_T']!r} "
              f"against {s['naive_loop']['ours']['y1_T']!r})."
            + f"\n- float64 against 30 digits, ŷ_1(T) relative to its largest entry: {agree}.")


def render_sweep(res: dict[str, Any]) -> str:
    s = res["sections"]["sweep"]
    serial, dask = s["runs"]["serial"], s["runs"]["dask"]
    ratio, with_start = s["ratios"]["serial_over_dask"], s["ratios"]["serial_over_dask_with_startup"]
    workers = " and ".join(f"{m:.0f}" for m in dask["worker_peak_mib"])
    lines = [
        "| | serial loop (`--workers 0`) | local cluster, 2 worker processes |",
        "|---|---:|---:|",
        f"| cases (computed / failed / lost) | {serial['computed']} / {serial['failed']} / {serial['lost']} "
        f"| {dask['computed']} / {dask['failed']} / {dask['lost']} |",
        f"| wall time of the cases | {serial['run_s']:.1f} s | {dask['run_s']:.1f} s |",
        f"| cluster start-up (workers up, code checked) | — | {dask['startup_s']:.1f} s |",
        f"| reading the sweep (building the models) | {serial['load_s']:.1f} s | {dask['load_s']:.1f} s |",
        f"| per case | {serial['run_s'] / s['cases'] * 1e3:.0f} ms | {dask['run_s'] / s['cases'] * 1e3:.0f} ms |",
        f"| CPU time of the case-running processes (share of their cores) | {serial['cpu_s']:.1f} s "
        f"({serial['cpu_s'] / serial['run_s']:.0%}) | {dask['cpu_s']:.1f} s "
        f"({dask['cpu_s'] / (2 * dask['run_s']):.0%}) |",
        f"| peak memory | {serial['peak_mib']:.0f} MiB | {dask['peak_mib']:.0f} MiB (client and scheduler), "
        f"workers {workers} MiB |",
        f"| load average before → after | {serial['load_before']} → {serial['load_after']} "
        f"| {dask['load_before']} → {dask['load_after']} |",
    ]
    cpu_overhead = (dask["cpu_s"] - serial["cpu_s"]) / s["cases"]
    cpu_ratio = serial["cpu_s"] / (dask["cpu_s"] / 2)
    goal = (f"Speed-up (goal ≥ 1.7× with 2 workers): {_verdict(ratio >= 1.7)} in this run: {ratio:.2f}× on the "
            f"cases, {with_start:.2f}× with the cluster's start-up. Overhead per task: "
            f"{s['overhead_per_task_s'] * 1e3:.0f} ms of wall time (2 × cluster time − serial time, per case; it "
            f"includes what the other jobs on the machine took from the two workers), {cpu_overhead * 1e3:.0f} ms "
            f"of CPU time (the workers' CPU time minus the serial loop's, per case); a no-op task's round trip "
            f"through the scheduler: {dask['noop_per_task_s'] * 1e3:.1f} ms. From CPU time alone — each process "
            f"with a core to itself, an estimate, not a measurement — the ratio would be {cpu_ratio:.2f}×. The two "
            f"tables are {'byte-identical' if s['tables_equal'] else '**not equal**'}.")
    return (f"{_run_line(res)} Machine: {summary(res['machine'])}\n\n" + "\n".join(lines) + "\n\n" + goal)


def render_legacy(res: dict[str, Any]) -> str:
    s = res["sections"]["legacy"]
    return f"From `{s['command']}` ({s['seconds']:.0f} s):\n\n" + s["table_markdown"]


def render_hhl(res: dict[str, Any]) -> str:
    return bench_hhl.render(res, _run_line(res))


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "machine": render_machine, "carleman": render_carleman, "reference": render_reference, "scale": render_scale,
    "sweep": render_sweep, "tables": render_tables, "upload": render_upload, "hhl": render_hhl, "suite": render_suite,
    "legacy": render_legacy,
}


def update_page(res: dict[str, Any], page: Path = PAGE) -> list[str]:
    """Replace the marked parts of ``page`` whose sections ``res`` holds; returns the names replaced."""
    text = page.read_text()
    done = []
    for name, fn in RENDERERS.items():
        if name not in res["sections"] and (name != "machine" or set(res["sections"]) <= {"scale", "sweep", "hhl"}):
            continue  # a section not run; the machine line belongs to full runs (scale, sweep and hhl carry their own)
        pattern = re.compile(rf"(<!-- bench:{name} -->\n)(?:.*?\n)?(<!-- /bench:{name} -->)", re.S)
        if pattern.search(text):
            body = fn(res)
            text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
            done.append(name)
    page.write_text(text)
    return done


def replace_table(page: Path, table: str) -> None:
    """Replace the part of ``page`` between ``<!-- table:begin -->`` and ``<!-- table:end -->`` by ``table``."""
    text = re.sub(r"<!-- table:begin -->.*<!-- table:end -->", lambda _: f"<!-- table:begin -->\n{table}\n<!-- table:end -->",
                  page.read_text(), flags=re.S)
    page.write_text(text)


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE.parents[1] / "benchmarks" / "results" / "latest.json"
    print(f"regenerated in {PAGE}: {', '.join(update_page(json.loads(src.read_text())))}")
