"""The end-to-end demonstration behind ``qsgd-ref demo``: one problem through every stage.

Stages: the regime (REG-*), a correction-table excerpt (ETA-3), truncation error against every
applicable bound for N = 1 … 4 (BND-*), the Eq. 6 system (SYS-1, SYS-3), and HHL with download
(HHL-*, DNL-1) on a reduced copy of the problem small enough to simulate in seconds.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.carleman.symbolic.render import table_excerpt
from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.quantum.pipeline import hhl
from qsgd_ref.system.eq6 import condition_number, eq6_system
from qsgd_ref.theory.regimes import classify
from qsgd_ref.theory.table import bounds
from qsgd_ref.trajectories import carleman_trajectory, error_trajectory, exact_trajectory

#: the HHL stage runs on the problem reduced to this order and horizon (simulation cost grows as 2^qubits)
HHL_ORDER, HHL_STEPS = 2, 2
#: orders whose lifted dimension exceeds this are skipped (and said so) to keep the demo interactive
MAX_DEMO_DIMENSION = 20_000


def default_problem() -> Problem:
    """A fully dissipative quadratic map with forcing (n = 2, q = 2, T = 10), exact rationals."""
    return make_problem(
        F={
            0: ["1/100", "-1/200"],
            1: [["-1/4", "1/20"], ["0", "-1/5"]],
            2: [["1/10", "0", "-1/20", "0"], ["0", "1/25", "0", "1/10"]],
        },
        u0=["1/2", "-1/4"],
        steps=10,
        order=3,
        name="demo-quadratic-forced",
    )


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def error_and_bounds(problem: Problem, orders: list[int], dps: int = 30) -> dict[int, dict[str, Any]]:
    """For each order N: the observed error ‖u(t) − ŷ_1(t)‖₂ and every applicable bound (floats)."""
    exact = exact_trajectory(problem, dps)
    scale = max(float(max(abs(x) for x in row)) for row in exact)
    out: dict[int, dict[str, Any]] = {}
    for order in orders:
        p = problem.with_(order=order)
        err = [float(e) for e in error_trajectory(exact, carleman_trajectory(p, dps), dps)]
        table = bounds(p)
        out[order] = {
            "error": err,
            "bounds": {k: [float(x) for x in v] for k, v in table.bounds.items()},
            "not_applicable": table.not_applicable,
            # the errors are computed at ``dps`` digits: a comparison allows their rounding
            "tolerance": 10.0 ** (5 - dps) * scale,
        }
    return out


def plot_error_and_bounds(results: dict[int, dict[str, Any]], path: Path) -> None:
    """Error (solid) and bounds (dashed/dotted) against t, one colour per order N."""
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    styles = ["--", ":", "-."]
    for i, (order, res) in enumerate(sorted(results.items())):
        colour = f"C{i}"
        t = np.arange(len(res["error"]))

        def visible(values: list[float], tol: float = res["tolerance"]) -> np.ndarray:
            # exact zeros and rounding noise have no place on a log axis
            arr = np.array(values, dtype=float)
            return np.where(arr > tol, arr, np.nan)

        ax.semilogy(t, visible(res["error"]), "o-", ms=3, color=colour, lw=2, label=f"error, N = {order}")
        for s, (name, vals) in enumerate(sorted(res["bounds"].items())):
            ax.semilogy(t, visible(vals), styles[s % 3], color=colour, lw=1, label=f"{name}, N = {order}")
    ax.set_xlabel("step t")
    ax.set_ylabel("‖u(t) − ŷ₁(t)‖₂ and bounds")
    ax.set_title("Carleman truncation error against its bounds (zeros not drawn)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def run_demo(problem: Problem | None = None, *, orders: list[int] | None = None, shots: int = 20000,
             out: str | Path = "qsgd-ref-demo", source: str = "") -> int:
    """Run ``problem`` (default :func:`default_problem`) through every stage, printing each; write the
    figure into the folder ``out``; ``shots = 0`` skips the HHL stage. Returns the exit status 0."""
    start = time.perf_counter()
    problem = default_problem() if problem is None else problem
    orders = [1, 2, 3, 4] if orders is None else orders
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    d = lifted_dimension(problem.n, problem.order)
    print(f"problem {problem.name or source}: n = {problem.n}, degree q = {problem.degree}, "
          f"T = {problem.steps}, N = {problem.order}, lifted dimension D = {d}")

    _section("regime (clauses REG-*)")
    print(f"regime: {classify(problem)}")

    _section(f"correction table excerpt, q = {max(problem.degree, 2)}, N = 3 (clause ETA-3)")
    print(table_excerpt(degree=max(problem.degree, 2), order=3, blocks=[(2, 2), (2, 3), (3, 3)]))

    _section("truncation error against the bounds (clauses BND-*)")
    shown = [n for n in orders if lifted_dimension(problem.n, n) <= MAX_DEMO_DIMENSION]
    for skipped in sorted(set(orders) - set(shown)):
        print(f"  order N = {skipped} skipped: lifted dimension {lifted_dimension(problem.n, skipped):,} "
              f"exceeds the demo's limit of {MAX_DEMO_DIMENSION:,} (use `qsgd-ref reference`)")
    results = error_and_bounds(problem, shown)
    names = sorted({k for r in results.values() for k in r["bounds"]})
    header = "  N    t  error        " + "  ".join(f"{k:>18}" for k in names)
    print(header)
    below = True
    for order, res in sorted(results.items()):
        for t in sorted({1, problem.steps // 2, problem.steps} - {0}):
            vals = [res["bounds"].get(k, [math.nan] * (t + 1))[t] for k in names]
            below &= all(res["error"][t] <= v + res["tolerance"] for v in vals if not math.isnan(v))
            print(f"  {order}  {t:3d}  {res['error'][t]:.4e}   " + "  ".join(f"{v:18.4e}" for v in vals))
        for name, why in res["not_applicable"].items():
            print(f"     not applicable at N = {order}: {name}: {why}")
    tol = max(r["tolerance"] for r in results.values())
    print(f"error ≤ every applicable bound (+ {tol:.0e} for 30-digit rounding) at the printed steps: "
          f"{'yes' if below else 'NO'}")
    figure = out_dir / "error_vs_bounds.png"
    plot_error_and_bounds(results, figure)

    _section("the Eq. 6 system (clauses SYS-1, SYS-3)")
    system = eq6_system(problem)
    print(system)
    print(condition_number(system))

    if shots != 0:
        _hhl_stage(problem, shots)

    _section("files")
    print(f"figure: {figure}")
    print(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0


def _hhl_stage(problem: Problem, shots: int) -> None:
    small = problem.with_(order=min(HHL_ORDER, problem.order), steps=min(HHL_STEPS, problem.steps))
    _section(f"HHL on the Eq. 6 system of the problem reduced to N = {small.order}, T = {small.steps} (clauses HHL-*)")
    res = hhl(small, shots=shots, seed=1).to_json()
    print(f"fidelity {res['fidelity']:.6f}, success probability {res['success_probability']:.4f}, "
          f"qubits {res['qubits']}, CX {res['cx']:,} ({res['cx_method']}) (clock: {res['clock'].get('bits')} bits, "
          f"c0 = {res['clock'].get('c0'):.4g})")
    u_t = res["u_T"]
    print(f"downloaded u(T) from {shots} shots: {np.array2string(np.array(u_t), precision=6)}")
    print(f"exact u(T):                        {np.array2string(np.array(res['u_T_exact']), precision=6)}")
    budget = res["error_budget"]
    print(f"‖error‖₂ = {res['error_vs_exact']:.3e} ≤ budget {budget['total']:.3e} "
          f"(truncation {budget['carleman_truncation']:.2e}, HHL clock {budget['hhl_clock']:.2e}, "
          f"shot noise {budget['shot_noise']:.2e}): {'yes' if res['within_budget'] else 'NO'}")
