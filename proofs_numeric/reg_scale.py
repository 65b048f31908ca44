"""REG-6 and REG-2 on a grid: the radius s minimises R_d over s ≥ r (exact rationals on a grid of radii),
and in the fully dissipative cases the majorant stays below s (arb balls), also for u(0) = 0 with F_0."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from proofs_numeric import Report, md_table
from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.theory.horizon import orbit
from qsgd_ref.theory.scale import optimal_scale, reynolds_at

CLAUSES = ["REG-6", "REG-2"]
PREC = 128


def _cases(quick: bool) -> list[tuple[dict[int, Fraction], Fraction]]:
    h0s = [Fraction(1, 10**4), Fraction(1, 100)] + ([] if quick else [Fraction(1, 1000), Fraction(1, 20)])
    h1s = [Fraction(1, 2), Fraction(9, 10)]
    nonlinear = [{2: Fraction(1, 4)}, {2: Fraction(1, 20), 3: Fraction(1, 10)}, {3: Fraction(1, 2)}]
    rs = [Fraction(0), Fraction(1, 100), Fraction(1, 10)] + ([] if quick else [Fraction(1), Fraction(3)])
    return [({0: h0, 1: h1, **nl}, r) for h0 in h0s for h1 in h1s for nl in nonlinear for r in rs]


def sweep(quick: bool, figdir: Path) -> Report:
    steps = 100 if quick else 400
    rows, optimal_ok, bounded_ok = [], True, True
    fully = worst_gap = 0
    for h, r in _cases(quick):
        sc = optimal_scale(h, r)
        lo = max(r, Fraction(1, 10**4))
        grid = [lo * (1 + Fraction(i, 10)) for i in range(200)] + [lo * 2**j for j in range(40)]
        ok = all((rd := reynolds_at(h, s)) is None or rd >= sc.R_d - sc.gap for s in grid)
        optimal_ok &= ok and sc.s >= r
        worst_gap = max(worst_gap, float(sc.gap))
        if sc.R_d is not None and sc.R_d < 1:
            fully += 1
            with arb_prec(PREC):
                vs = orbit([{ell: ball(x) for ell, x in h.items()}], ball(r), steps)
                bounded_ok &= all(not v > ball(sc.s) for v in vs)
        rows.append([f"h_0={h[0]}, h_1={h[1]}, " + ", ".join(f"h_{ell}={x}" for ell, x in h.items() if ell >= 2),
                     str(r), f"{float(sc.s):.6g}", "∞" if sc.R_d is None else f"{float(sc.R_d):.6g}",
                     "∞" if sc.R_d_at_r is None else f"{float(sc.R_d_at_r):.6g}", ok])
    status = {
        "REG-6": "proven (docs/theory/regimes.md); " + (
            f"certified on the grid: R_d(s) ≤ R_d(s') + gap for 240 radii s' ≥ r per case (exact rationals), "
            f"largest certified gap {worst_gap:.3g}" if optimal_ok else "VIOLATED on the grid"),
        "REG-2": "proven (docs/theory/regimes.md); " + (
            f"certified on the grid: v(t) ≤ s for t ≤ {steps} in all {fully} fully dissipative cases (arb), "
            "including u(0) = 0 with F_0 ≠ 0" if bounded_ok else "VIOLATED on the grid"),
    }
    table = md_table(["norms", "r", "s", "R_d(s)", "R_d(r)", "s optimal on the grid"], rows[:: 1 if quick else 3])
    return Report("REG-6, REG-2 · the radius s", status, [table])
