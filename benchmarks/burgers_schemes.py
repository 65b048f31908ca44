"""The discrete and the continuous Carleman schemes on the Burgers benchmark, N = 1 … 4 (REF-3, MOD-10).

    python -m benchmarks.burgers_schemes            # writes docs/experiments/burgers/{schemes.json, schemes.png}
                                                    # and the table of docs/experiments/burgers.md

Both schemes run on the float64 engine over all steps of the published configuration; the error is
‖u(t) − ŷ_1(t)‖₂ against the map iteration in the same arithmetic.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from benchmarks.report import replace_table
from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.trajectories.float64 import float64_trajectories

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "experiments" / "burgers"
PAGE = ROOT / "docs" / "experiments" / "burgers.md"
ORDERS = (1, 2, 3, 4)


def measure(nt: int = 4000) -> dict[str, Any]:
    rows, differences = [], []
    for order in ORDERS:
        p = burgers_problem(nt=nt, order=order)
        carleman = {}
        for scheme in ("discrete", "continuous"):
            t0 = time.perf_counter()
            run = float64_trajectories(p, scheme=scheme)
            carleman[scheme] = run.carleman
            rows.append({"order": order, "scheme": scheme, "seconds": time.perf_counter() - t0,
                         "error_T": float(run.error[-1]), "error_max": float(np.nanmax(run.error)),
                         "left_range": run.left_range})
            print(f"N = {order} {scheme:10s} error(T) = {rows[-1]['error_T']:.6e}  max_t = {rows[-1]['error_max']:.6e}"
                  f"  ({rows[-1]['seconds']:.1f} s)", flush=True)
        gap = np.linalg.norm(carleman["continuous"] - carleman["discrete"], axis=1)
        differences.append({"order": order, "difference_T": float(gap[-1]), "difference_max": float(np.max(gap))})
        print(f"N = {order} ‖ŷ_1 continuous − ŷ_1 discrete‖₂: at T {gap[-1]:.3e}, max over t {np.max(gap):.3e}")
    return {"nt": nt, "steps": nt - 1, "rows": rows, "differences": differences}


def figure(res: dict[str, Any], path: Path) -> None:
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    for scheme, style in (("discrete", "o-"), ("continuous", "s--")):
        rs = [r for r in res["rows"] if r["scheme"] == scheme]
        left.semilogy([r["order"] for r in rs], [r["error_T"] for r in rs], style, label=f"{scheme}, t = T")
        left.semilogy([r["order"] for r in rs], [r["error_max"] for r in rs], style, alpha=0.4, label=f"{scheme}, max over t")
    left.set_xlabel("truncation order N")
    left.set_ylabel("‖u − ŷ₁‖₂")
    left.set_xticks(list(ORDERS))
    left.set_title("Burgers, n = 16, 3,999 steps: error against N")
    left.legend(fontsize=8)
    diffs = res["differences"]
    right.semilogy([d["order"] for d in diffs], [d["difference_T"] for d in diffs], "o-", label="at t = T")
    right.semilogy([d["order"] for d in diffs], [d["difference_max"] for d in diffs], "s--", label="max over t")
    right.set_xlabel("truncation order N")
    right.set_ylabel("‖ŷ₁ continuous − ŷ₁ discrete‖₂")
    right.set_xticks(list(ORDERS))
    right.set_title("between the schemes (N = 1: rounding only)")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def table(res: dict[str, Any]) -> str:
    lines = ["| N | discrete: error at T | continuous: error at T | discrete: max over t | continuous: max over t "
             "| ‖ŷ₁ cont − ŷ₁ disc‖ at T | ‖ŷ₁ cont − ŷ₁ disc‖ max over t |", "|---|---|---|---|---|---|---|"]
    for order in ORDERS:
        d = next(r for r in res["rows"] if r["order"] == order and r["scheme"] == "discrete")
        c = next(r for r in res["rows"] if r["order"] == order and r["scheme"] == "continuous")
        g = next(x for x in res["differences"] if x["order"] == order)
        lines.append(f"| {order} | {d['error_T']:.4e} | {c['error_T']:.4e} | {d['error_max']:.4e} | {c['error_max']:.4e} "
                     f"| {g['difference_T']:.3e} | {g['difference_max']:.3e} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.burgers_schemes", description=__doc__.splitlines()[0])
    ap.add_argument("--nt", type=int, default=4000)
    args = ap.parse_args(argv)
    res = measure(args.nt)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "schemes.json").write_text(json.dumps(res, indent=1) + "\n")
    figure(res, OUT / "schemes.png")
    replace_table(PAGE, table(res))
    print(f"wrote {OUT / 'schemes.json'}, {OUT / 'schemes.png'} and the table of {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
