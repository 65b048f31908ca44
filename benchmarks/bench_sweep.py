"""A 200-case sweep, serial against a local Dask cluster of two worker processes (issue 16).

    python -m benchmarks --only sweep --out benchmarks/results/sweep.json    # then: python -m benchmarks.report benchmarks/results/sweep.json

The sweep: logistic-regression gradient maps (``qsgd-ref model logistic``, polynomial degree 3) with
n ∈ {2, 4}, five seeds, N = 1 … 4 and T ∈ {20, 50, 100, 150, 200}, at 30 digits, computing the error,
every bound and its tightness, and the regime numbers. Each mode runs in a fresh process
(``python -m benchmarks.bench_sweep MODE SWEEP OUT``) through ``run_sweep`` — the code path of
``qsgd-ref sweep`` without the figures — one after the other: the serial loop (``--workers 0``), then
the cluster (``--workers 2``; its start-up timed apart). Each process reports its wall time, its
peak resident memory and, for the cluster, each worker's; the cluster process also times 500 no-op
tasks through the same executor, the scheduler's round trip per task, and the CPU time the
case-running processes got during the run (against wall time × processes: the share of the cores
they had on a shared machine). Both tables must be equal byte for byte.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
NOOP_TASKS = 500


def sweep_doc(quick: bool) -> dict[str, Any]:
    """The benchmark's sweep file (200 cases; 8 with ``quick``)."""
    if quick:
        options: dict[str, Any] = {"dim": 2, "seed": [0, 1]}
        parameters: dict[str, Any] = {"order": [1, 2], "steps": [20, 50], "dps": 30}
    else:
        options = {"dim": [2, 4], "seed": [0, 1, 2, 3, 4]}
        parameters = {"order": [1, 2, 3, 4], "steps": [20, 50, 100, 150, 200], "dps": 30}
    return {"schema": "qsgd-ref.sweep.v1", "name": "benchmark", "model": {"name": "logistic", "options": options},
            "parameters": parameters, "quantities": ["bounds", "regime"]}


def _noop(i: int) -> int:
    return i


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def one_mode(mode: str, sweep_path: Path, out: Path) -> dict[str, Any]:
    """Run the sweep in this process (``mode`` "serial") or on a fresh local cluster ("dask")."""
    from qsgd_ref.report.sweep.run import Executor, run_sweep
    from qsgd_ref.report.sweep.spec import load_sweep

    t0 = time.perf_counter()
    sweep = load_sweep(sweep_path)
    out.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"mode": mode, "load_s": time.perf_counter() - t0}
    with Executor(workers=0 if mode == "serial" else WORKERS) as ex:
        t1 = time.perf_counter()
        ex.start()
        res["startup_s"] = time.perf_counter() - t1
        cpu0 = _cpu_s() if mode == "serial" else sum(ex.client.run(_cpu_s).values())
        t2 = time.perf_counter()
        outcome = run_sweep(sweep, out, ex, log=lambda line: None, figures=False)
        res["run_s"] = time.perf_counter() - t2
        # CPU seconds of the processes that ran the cases, during the run: against wall × processes, the
        # share of the cores they got (the machine is shared)
        res["cpu_s"] = (_cpu_s() if mode == "serial" else sum(ex.client.run(_cpu_s).values())) - cpu0
        if mode != "serial":
            t3 = time.perf_counter()
            done = list(ex.unordered(_noop, [(i,) for i in range(NOOP_TASKS)]))
            res["noop_per_task_s"] = (time.perf_counter() - t3) / len(done)
            res["worker_peak_mib"] = sorted(ex.client.run(_peak_mib).values())
    res.update(wall_s=time.perf_counter() - t0, cases=outcome.total, computed=outcome.computed, failed=outcome.failed,
               lost=outcome.lost, where=outcome.where, peak_mib=_peak_mib(),
               table=str(outcome.table))
    return res


def measure(quick: bool = False) -> dict[str, Any]:
    """Both modes side by side, each in its own process, with the load average around each."""
    from benchmarks.machine import load_average

    tmp = Path(tempfile.mkdtemp(prefix="qsgd-bench-sweep-"))
    sweep_path = tmp / "bench.json"
    sweep_path.write_text(json.dumps(sweep_doc(quick)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH", "")) if x))
    runs = {}
    for mode in ("serial", "dask"):
        before = load_average()
        proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_sweep", mode, str(sweep_path), str(tmp / mode)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=7200)
        if proc.returncode != 0:
            raise RuntimeError(f"bench_sweep {mode} exited with {proc.returncode}: {proc.stderr[-2000:]}")
        runs[mode] = json.loads(proc.stdout.strip().splitlines()[-1]) | {"load_before": before,
                                                                          "load_after": load_average()}
        r = runs[mode]
        print(f"{mode:7s} {r['cases']} cases in {r['run_s']:.1f} s (+ {r['startup_s']:.1f} s start-up, "
              f"{r['load_s']:.1f} s reading the sweep), CPU {r['cpu_s']:.1f} s, peak {r['peak_mib']:.0f} MiB, load {before} → "
              f"{r['load_after']}", flush=True)
    serial, dask = runs["serial"], runs["dask"]
    same = Path(serial["table"]).read_bytes() == Path(dask["table"]).read_bytes()
    cases = serial["cases"]
    res = {
        "sweep": sweep_doc(quick), "cases": cases, "workers": WORKERS, "runs": runs, "tables_equal": same,
        # the time a case spends outside the task, per case and worker: what two workers lose against half the serial run
        "overhead_per_task_s": (WORKERS * dask["run_s"] - serial["run_s"]) / cases,
        "ratios": {"serial_over_dask": serial["run_s"] / dask["run_s"],
                   "serial_over_dask_with_startup": serial["run_s"] / (dask["run_s"] + dask["startup_s"])},
        "serial_case_s": serial["run_s"] / cases,
    }
    print(f"serial / 2 workers: {res['ratios']['serial_over_dask']:.2f}× ({res['ratios']['serial_over_dask_with_startup']:.2f}× "
          f"with the cluster's start-up); overhead per task {res['overhead_per_task_s'] * 1e3:.0f} ms; no-op round trip "
          f"{dask['noop_per_task_s'] * 1e3:.1f} ms; tables equal: {same}", flush=True)
    return res


if __name__ == "__main__":
    print(json.dumps(one_mode(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
