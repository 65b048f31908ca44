"""Real problems at real sizes: the Burgers benchmark and an n = 1000 sparse model, as a user runs them.

Every case is a ``qsgd-ref`` command in its own process, timed by wall clock, with its peak resident
memory as GNU time reports it for that process. Side by side with the float64 engine,
a naive lift — M_N(t) assembled by scipy kron + bmat at every step, then one CSR product — runs
the same steps in the same process layout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NAIVE = r'''
import sys, time
import numpy as np, scipy.sparse as sp
import qsgd_ref
p = qsgd_ref.load_problem(sys.argv[1]).with_(order=int(sys.argv[2]), steps=int(sys.argv[3]))
n, N = p.n, p.order

def naive_lift(fmap):
    """M_N and c by kron and bmat from LIFT-1's sum over compositions (the textbook construction)."""
    h = {ell: sp.csr_matrix(a.to_csr()) for ell, a in fmap.items()}
    h[1] = sp.csr_matrix(h.get(1, sp.csr_matrix((n, n))) + sp.identity(n))
    blocks = [[None] * (N + 1) for _ in range(N)]
    prev = {0: sp.csr_matrix(np.ones((1, 1)))}
    for j in range(1, N + 1):
        cur = {}
        for k0, b in prev.items():
            for ell, hl in h.items():
                if k0 + ell <= N:
                    t = sp.kron(hl, b, format="csr")
                    cur[k0 + ell] = cur[k0 + ell] + t if k0 + ell in cur else t
        prev = cur
        for k in range(N + 1):
            blocks[j - 1][k] = cur.get(k, sp.csr_matrix((n**j, n**k)))
    m = sp.bmat([row[1:] for row in blocks], format="csr")
    c = np.concatenate([blocks[j][0].toarray().ravel() for j in range(N)])
    return m, c

from qsgd_ref.base.indexing import lifted_initial
y = lifted_initial(p.u0_float(), N)
t0 = time.perf_counter()
for t in range(p.steps):
    m, c = naive_lift(p.map_at(t))
    y = m @ y + c
print(repr(float(y[1])), time.perf_counter() - t0)
'''
OURS = r'''
import sys, time
import qsgd_ref
from qsgd_ref.trajectories.float64 import float64_trajectories
p = qsgd_ref.load_problem(sys.argv[1]).with_(order=int(sys.argv[2]), steps=int(sys.argv[3]))
t0 = time.perf_counter()
run = float64_trajectories(p)
print(repr(float(run.carleman[-1][1])), time.perf_counter() - t0)
'''
#: the naive lift rebuilds M_N at every step (F_0 changes); it runs on this many steps, and so does
#: the engine in the same process layout, for the per-step ratio
NAIVE_STEPS = 200


def run(cmd: list[str], *, cwd: Path | None = None, timeout: float | None = None) -> dict[str, Any]:
    """Wall time, peak RSS (MiB) and exit status of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return {"command": " ".join(cmd), "wall_s": time.perf_counter() - t0, "peak_mib": None,
                "exit_code": None, "timed_out_after_s": timeout}
    wall = time.perf_counter() - t0
    return {"command": " ".join(cmd), "wall_s": wall, "exit_code": proc.returncode, "stdout": out[-2000:],
            "stderr": err[-2000:]}


def timed(cmd: list[str], timeout: float | None = None) -> dict[str, Any]:
    """``run`` under GNU time for the peak resident set size of that process alone."""
    gnu = Path("/usr/bin/time")
    if not gnu.exists():
        return {**run(cmd, timeout=timeout), "peak_mib": None}
    fd, path = tempfile.mkstemp(suffix=".time")
    os.close(fd)
    res = run([str(gnu), "-o", path, "-f", "%M", *cmd], timeout=timeout)
    res["command"] = " ".join(cmd)
    try:
        res["peak_mib"] = int(Path(path).read_text().strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        res["peak_mib"] = None
    Path(path).unlink(missing_ok=True)
    return res


def sparse_problem(path: Path, n: int = 1000, per_row: int = 5, steps: int = 50, order: int = 2, seed: int = 1) -> None:
    """A seeded n-parameter quadratic map with ``per_row`` non-zeros per row in F_1 and F_2, written v2:
    F_1 = −η A with A symmetric, diagonally dominant, positive (contracting), F_2 small."""
    import qsgd_ref
    from qsgd_ref.problem import ExactMatrix

    rng = np.random.default_rng(seed)
    f1: dict[tuple[int, int], Fraction] = {}
    for i in range(n):
        f1[(i, i)] = Fraction(-1, 4)
        for c in rng.choice(n, size=per_row - 1, replace=False):
            if int(c) != i:
                v = Fraction(int(rng.integers(1, 9)), 1000)
                f1[(i, int(c))] = v
                f1[(int(c), i)] = v
    f2 = {(i, int(c)): Fraction(int(rng.integers(-9, 10)), 10000)
          for i in range(n) for c in rng.choice(n * n, size=per_row, replace=False)}
    u0 = [Fraction(int(x), 100) for x in rng.integers(-5, 6, size=n)]
    p = qsgd_ref.make_problem(
        F={1: ExactMatrix.from_entries((n, n), ((r, c, v) for (r, c), v in f1.items())),
           2: ExactMatrix.from_entries((n, n * n), ((r, c, v) for (r, c), v in f2.items() if v))},
        u0=u0, steps=steps, order=order, name=f"sparse-n{n}", meta={"generator": "benchmarks.bench_scale", "seed": seed})
    p.save(path, "qsgd-ref.problem.v2")


def measure(quick: bool = False, long: bool = False) -> dict[str, Any]:
    """The cases of the scale issue; ``quick`` shortens the horizons, ``long`` adds N = 4 at 30 digits."""
    cli = [sys.executable, "-m", "qsgd_ref"]
    nt = 201 if quick else 4000
    work = Path(tempfile.mkdtemp(prefix="qsgd-scale-"))
    burgers, sparse = work / "burgers.json", work / "sparse.json"
    rows: list[dict[str, Any]] = []

    def case(name: str, cmd: list[str], timeout: float | None = None) -> dict[str, Any]:
        r = {"case": name, **timed(cmd, timeout=timeout)}
        peak = "?" if r["peak_mib"] is None else f"{r['peak_mib']:.0f} MiB"
        print(f"{name:48s} {r['wall_s']:8.2f} s  {peak:>9s}  exit {r['exit_code']}", flush=True)
        rows.append(r)
        return r

    case("burgers: model --order 4 (write v2)", [*cli, "model", "burgers", "--nt", str(nt), "--order", "4",
                                                  "--out", str(burgers)])
    case("burgers: validate", [*cli, "validate", str(burgers)])
    case("burgers: classify", [*cli, "classify", str(burgers)])
    finals: dict[str, Any] = {}
    for order in (1, 2, 3, 4):
        out = work / f"f64-{order}.json"
        case(f"burgers: reference --engine float64, N = {order}",
             [*cli, "reference", str(burgers), "--engine", "float64", "--order", str(order), "--out", str(out)])
        doc = json.loads(out.read_text())
        finals[f"float64 N={order}"] = {"error_T": float(doc["error"][-1]), "carleman_T": doc["carleman"][-1]}
    for order in (1, 2, 3, 4):
        out = work / f"f64c-{order}.json"
        case(f"burgers: reference --engine float64 --scheme continuous, N = {order}",
             [*cli, "reference", str(burgers), "--engine", "float64", "--scheme", "continuous", "--order", str(order),
              "--out", str(out)])
        doc = json.loads(out.read_text())
        finals[f"float64 continuous N={order}"] = {"error_T": float(doc["error"][-1]), "carleman_T": doc["carleman"][-1]}
    k = min(NAIVE_STEPS, nt - 1)
    naive = case(f"burgers: naive kron/bmat lift, N = 4, first {k} steps",
                 [sys.executable, "-c", NAIVE, str(burgers), "4", str(k)])
    ours = case(f"burgers: float64 engine (in-process loop), N = 4, first {k} steps",
                [sys.executable, "-c", OURS, str(burgers), "4", str(k)])
    full = case(f"burgers: float64 engine (in-process loop), N = 4, all {nt - 1} steps",
                 [sys.executable, "-c", OURS, str(burgers), "4", str(nt - 1)])
    loops = {"ours_all_steps_s": float(full["stdout"].split()[1])}
    for name, r in (("naive", naive), ("ours", ours)):
        value, seconds = r["stdout"].split()
        loops[name] = {"y1_T": float(value), "loop_s": float(seconds)}
    mp_orders = (1, 2, 3, 4) if long else (1, 2, 3)
    for order in mp_orders:
        out = work / f"mp-{order}.json"
        case(f"burgers: reference --dps 30, N = {order}",
             [*cli, "reference", str(burgers), "--dps", "30", "--order", str(order), "--out", str(out)])
        doc = json.loads(out.read_text())
        finals[f"mp30 N={order}"] = {"error_T": float(doc["error"][-1]), "carleman_T": doc["carleman"][-1]}
    n = 200 if quick else 1000
    t0 = time.perf_counter()
    sparse_problem(sparse, n=n)
    build_s = time.perf_counter() - t0
    print(f"sparse n = {n}: problem file written in {build_s:.1f} s ({sparse.stat().st_size / 2**20:.1f} MiB)")
    case(f"sparse n = {n}: validate", [*cli, "validate", str(sparse)])
    case(f"sparse n = {n}: classify", [*cli, "classify", str(sparse)])
    case(f"sparse n = {n}: reference --engine float64 --order 2",
         [*cli, "reference", str(sparse), "--engine", "float64", "--order", "2", "--out", str(work / "sparse-ref.json")])
    agree = {}
    for order in mp_orders:
        a = np.array(finals[f"float64 N={order}"]["carleman_T"], dtype=float)
        b = np.array(finals[f"mp30 N={order}"]["carleman_T"], dtype=float)
        agree[f"N={order}"] = float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))
    return {"nt": nt, "rows": rows, "finals": finals, "float64_vs_mp30_relative": agree,
            "naive_loop": loops, "naive_steps": k,
            "naive_over_float64_N4": loops["naive"]["loop_s"] / loops["ours"]["loop_s"],
            "sparse_n": n, "sparse_file_mib": sparse.stat().st_size / 2**20}
