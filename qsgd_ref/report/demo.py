"""The end-to-end demonstration behind ``qsgd-ref demo``: one problem through every stage.

Stages: the regime (REG-*), a correction-table excerpt (ETA-3), truncation error against every
applicable bound for N = 1 … 4 (BND-*), the Eq. 6 system (SYS-1, SYS-3), and HHL with download
(HHL-*, DNL-1) on a reduced copy of the problem small enough to simulate in seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.carleman.symbolic.render import table_excerpt
from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.quantum.dilation import MAX_SYSTEM_QUBITS
from qsgd_ref.quantum.pipeline import estimate, hhl, system_qubits
from qsgd_ref.quantum.result import HHLEstimate
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


def demo_orders(problem: Problem, orders: list[int]) -> tuple[list[int], list[int]]:
    """(orders shown, orders skipped because their lifted dimension exceeds MAX_DEMO_DIMENSION)."""
    shown = [n for n in orders if lifted_dimension(problem.n, n) <= MAX_DEMO_DIMENSION]
    return shown, [n for n in orders if n not in shown]


def reduced_for_hhl(problem: Problem) -> Problem:
    """The problem the HHL stage runs: order ≤ HHL_ORDER, horizon ≤ HHL_STEPS (the first maps of a
    time-dependent problem)."""
    return problem.with_(order=min(HHL_ORDER, problem.order), steps=min(HHL_STEPS, problem.steps))


def printed_steps(steps: int) -> list[int]:
    """The steps the error table prints: 1, T/2 and T (just 0 when T = 0)."""
    return sorted({min(1, steps), steps // 2, steps})


def run_demo(problem: Problem | None = None, *, orders: list[int] | None = None, shots: int = 20000,
             out: str | Path = "qsgd-ref-demo", source: str = "", shown_as: str | Path | None = None,
             hhl_gate: Callable[[HHLEstimate], str | None] | None = None) -> int:
    """Run ``problem`` (default :func:`default_problem`) through every stage, printing each; write the
    figure into the folder ``out`` (printed as ``shown_as`` when the caller moves it there later);
    ``shots = 0`` skips the HHL stage. ``hhl_gate(estimate)`` may return a reason to skip the HHL stage
    (e.g. over a time budget), given the stage's work estimate (HHL-4). Returns the exit status 0."""
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
    shown, skipped = demo_orders(problem, orders)
    for order in skipped:
        print(f"  order N = {order} skipped: lifted dimension {lifted_dimension(problem.n, order):,} "
              f"exceeds the demo's limit of {MAX_DEMO_DIMENSION:,} (use `qsgd-ref reference`)")
    figure = out_dir / "error_vs_bounds.png"
    if shown:
        results = error_and_bounds(problem, shown)
        _error_table(problem, results)
        plot_error_and_bounds(results, figure)

    _section("the Eq. 6 system (clauses SYS-1, SYS-3)")
    system = eq6_system(problem)
    print(system)
    print(condition_number(system))

    if shots != 0:
        _hhl_stage(problem, shots, hhl_gate)

    _section("files")
    if shown:
        print(f"figure: {Path(shown_as) / figure.name if shown_as is not None else figure}")
    else:
        print("no figure: no order was shown")
    print(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0


def _error_table(problem: Problem, results: dict[int, dict[str, Any]]) -> None:
    names = sorted({k for r in results.values() for k in r["bounds"]})
    print("  N    t  error        " + "  ".join(f"{k:>18}" for k in names))
    below = True
    for order, res in sorted(results.items()):
        for t in printed_steps(problem.steps):
            vals = [res["bounds"].get(k, [math.nan] * (t + 1))[t] for k in names]
            below &= all(res["error"][t] <= v + res["tolerance"] for v in vals if not math.isnan(v))
            print(f"  {order}  {t:3d}  {res['error'][t]:.4e}   " + "  ".join(f"{v:18.4e}" for v in vals))
        for name, why in res["not_applicable"].items():
            print(f"     not applicable at N = {order}: {name}: {why}")
    tol = max(r["tolerance"] for r in results.values())
    print(f"error ≤ every applicable bound (+ {tol:.0e} for 30-digit rounding) at the printed steps: "
          f"{'yes' if below else 'NO'}")


def _hhl_stage(problem: Problem, shots: int, gate: Callable[[HHLEstimate], str | None] | None) -> None:
    small = reduced_for_hhl(problem)
    _section(f"HHL on the Eq. 6 system of the problem reduced to N = {small.order}, T = {small.steps} (clauses HHL-*)")
    rows, k = system_qubits(small)
    if k > MAX_SYSTEM_QUBITS:
        print(f"skipped: the reduced Eq. 6 system has {rows:,} rows, {k} system qubits once dilated; at most "
              f"{MAX_SYSTEM_QUBITS} are simulated")
        return
    plan = estimate(small, shots=shots)
    reason = gate(plan) if gate is not None else None
    if reason is not None:
        print(f"skipped: {reason}")
        return
    res = hhl(small, shots=shots, seed=1, planned=plan).to_json()
    print(f"fidelity {res['fidelity']:.6f}, success probability {res['success_probability']:.4f}, "
          f"qubits {res['qubits']}, CX {res['cx']:,} ({res['cx_method']}) (clock: {res['clock'].get('bits')} bits, "
          f"c0 = {res['clock'].get('c0'):.4g})")
    if res["u_T"] is None:
        print("u(T) not downloaded: u(0) = 0 leaves no classically known reference entry (clause DNL-1)")
        return
    print(f"downloaded u(T) from {shots} shots: {np.array2string(np.array(res['u_T']), precision=6)}")
    print(f"exact u(T):                        {np.array2string(np.array(res['u_T_exact']), precision=6)}")
    budget = res["error_budget"]
    print(f"‖error‖₂ = {_number(res['error_vs_exact'], '.3e')} ≤ budget {_number(budget['total'], '.3e')} "
          f"(truncation {_number(budget['carleman_truncation'], '.2e')}, HHL clock {_number(budget['hhl_clock'], '.2e')}, "
          f"shot noise {_number(budget['shot_noise'], '.2e')}): {'yes' if res['within_budget'] else 'NO'}")
    if budget["shot_noise"] == "inf":
        print(f"  (with {shots} shots the reference entry was never sampled: the shot noise is unbounded)")


def _number(x: Any, spec: str) -> str:
    """A number of a result document: formatted, or as written ("inf", "nan")."""
    return format(x, spec) if isinstance(x, int | float) else str(x)
