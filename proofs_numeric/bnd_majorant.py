"""BND-1 on a grid: certified error (arb) versus the majorant bound (arb) at every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proofs_numeric import Report, md_table
from qsgd_ref.problem import Problem, make_problem
from qsgd_ref.theory.majorant import majorant_balls
from qsgd_ref.trajectories.certified import certified_trajectories

CLAUSES = ["BND-1"]
PREC = 256


def grid(quick: bool) -> list[tuple[str, Problem]]:
    """Problems in each regime: 2-d with F_0, F_1 (non-normal), F_2; scalar marginal; divergent."""
    base = {
        "fully, 2-d, F_0 on": {0: ["1/200", "0"], 1: [["-1/5", "1/20"], ["0", "-3/10"]],
                               2: [["1/20", "0", "1/40", "1/30"], ["0", "1/25", "0", "-1/30"]]},
        "fully, 2-d, cubic": {1: [["-1/4", "1/10"], ["1/10", "-1/2"]], 2: [["1/20", "0", "0", "1/30"], ["0"] * 4],
                              3: [["1/50"] + ["0"] * 7, ["0"] * 7 + ["-1/50"]]},
        "almost (marginal), scalar": {1: [["0"]], 2: [["-1/50"]]},
        "not dissipative, scalar": {1: [["1/20"]], 2: [["1/20"]]},
    }
    u0 = {"fully, 2-d, F_0 on": ["1/2", "-1/3"], "fully, 2-d, cubic": ["1/2", "1/2"]}
    steps = 20 if quick else 60
    out = []
    for name, fmap in base.items():
        for order in ((1, 2, 3) if quick else (1, 2, 3, 4)):
            out.append((name, make_problem(F=fmap, u0=u0.get(name, ["1/2"]), steps=steps, order=order)))
    return out


def tasks(quick: bool) -> list[tuple[str, Problem]]:
    """One task per problem of the grid."""
    return grid(quick)


def task(name: str, p: Problem) -> dict[str, Any]:
    """Certified error and majorant (arb) at every step of one problem: counts, the largest ratio and the
    upper ends of both series (for the figure)."""
    err = certified_trajectories(p, PREC).error
    bnd = majorant_balls(p, PREC)
    certified = undecided = 0
    worst, ok = 0.0, True
    for e, b in zip(err, bnd):
        # arb comparisons: ``e <= b`` holds only if every value of e is ≤ every value of b
        if b == 0:
            undecided += 1  # structural zero: exact check in tests/test_bounds.py
            continue
        certified += bool(e <= b)
        ok &= not bool(e > b)
        worst = max(worst, float(e.upper() / b.upper()))
    return {"name": name, "order": p.order, "steps": p.steps, "certified": certified, "decided": len(err) - undecided,
            "ok": ok, "worst": worst, "error": [float(e.upper()) for e in err], "bound": [float(b.upper()) for b in bnd]}


def report(quick: bool, results: list[dict[str, Any]], figdir: Path) -> Report:
    from matplotlib.figure import Figure

    rows, all_ok = [], True
    fig = Figure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    for res in results:
        all_ok &= res["ok"]
        name = res["name"]
        rows.append([name, res["order"], res["steps"], f"{res['certified']}/{res['decided']}", f"{res['worst']:.4g}"])
        ax = axes[0] if name.startswith("fully, 2-d, F_0") else axes[1] if name.startswith("almost") else None
        if ax is not None:
            t = range(res["steps"] + 1)
            # zeros (exact steps) are left out of the log plot rather than drawn at a floor
            line = ax.semilogy(t, [e if e > 0 else float("nan") for e in res["error"]], label=f"error N={res['order']}")
            ax.semilogy(t, [b if b > 0 else float("nan") for b in res["bound"]], "--", color=line[0].get_color(),
                        label=f"majorant N={res['order']}")
    for ax, title in zip(axes, ("fully dissipative, 2-d with F_0", "almost dissipative (marginal), scalar")):
        ax.set_title(title)
        ax.set_xlabel("t")
        ax.legend(fontsize=7)
    fig.tight_layout()
    figdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(figdir / "bnd1_error_vs_majorant.png", dpi=90)
    table = md_table(["instance", "N", "T", "steps certified err ≤ bound (balls)", "max error/bound"], rows)
    verdict = "proven (docs/theory/bounds.md); " + ("certified on the grid" if all_ok else "VIOLATED on the grid")
    return Report("BND-1 · majorant bound", {"BND-1": verdict}, [table], ["bnd1_error_vs_majorant.png"],
                  held={"BND-1": all_ok})
