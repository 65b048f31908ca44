"""BND-2 … BND-5 on a grid: the scalar majorant d_1(t) (the worst case of every problem with the
same norms, BND-1) against the closed forms, all in arb balls; reports the largest ratio."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from proofs_numeric import Report, md_table
from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.majorant import majorant

CLAUSES = ["BND-2", "BND-3", "BND-4", "BND-5"]
PREC = 200


def _grid(quick: bool) -> tuple[list[tuple[str, str, list[tuple[dict[int, Fraction], Fraction]]]], range, int]:
    """(clause, closed form, (h, r) cases) of each form, the orders and the horizon."""
    grid_a = [Fraction(k, 10) for k in (0, 3, 6, 9)] + ([] if quick else [Fraction(99, 100)])
    grid_r = [Fraction(1, 10), Fraction(1, 2), Fraction(9, 10), Fraction(99, 100)]
    q2 = [({1: a, 2: rd * (1 - a)}, Fraction(1)) for a in grid_a for rd in grid_r]
    q3 = [({1: a, 2: rd * (1 - a) / 2, 3: rd * (1 - a) / 2}, Fraction(1)) for a in grid_a for rd in grid_r]
    alm = [({1: 1 + Fraction(d, 1000), 2: Fraction(h2, 1000)}, Fraction(1)) for d in (0, 2) for h2 in (1, 5)]
    forms = [("BND-2", "closed_form_q2", q2), ("BND-3", "closed_form_any_q", q3), ("BND-4", "closed_form_almost", alm)]
    return forms, range(1, 5 if quick else 7), 40 if quick else 150


def tasks(quick: bool) -> list[tuple[str, dict[int, Fraction], Fraction, int, int]]:
    """One task per closed form, (h, r) case and order."""
    forms, orders, steps = _grid(quick)
    return [(name, h, r, order, steps) for _, name, cases in forms for h, r in cases for order in orders]


def task(name: str, h: dict[int, Fraction], r: Fraction, order: int, steps: int) -> tuple[float, bool, list[float]]:
    """The largest majorant / closed-form ratio of one case over t ≤ ``steps``, whether the majorant stayed
    below the closed form at every t (arb balls), and the ratio at each t where the form applies."""
    fn = getattr(cf, name)
    worst, ok, curve = 0.0, True, []
    with arb_prec(PREC):
        _, ds = majorant([{ell: ball(x) for ell, x in h.items()}], ball(r), order, steps)
        for t in range(steps + 1):
            value = fn(h, r, order, t, ball)
            if value is None:
                continue
            d = ds[t][0]
            if value == 0:
                ok &= bool(d == 0)
                continue
            ok &= not bool(d > value)  # majorant ≤ closed form (equality cases give overlapping balls)
            ratio = float(d.upper() / value.lower()) if value.lower() > 0 else float("inf")
            worst = max(worst, ratio)
            curve.append(ratio)
    return worst, ok, curve


def report(quick: bool, results: list[tuple[float, bool, list[float]]], figdir: Path) -> Report:
    from matplotlib.figure import Figure

    forms, orders, steps = _grid(quick)
    by_task = dict(zip(((name, i, order) for _, name, cases in forms for i in range(len(cases)) for order in orders),
                       results))
    rows, status = [], {}
    held: dict[str, bool | None] = {}
    for cid, name, cases in forms:
        mine = [by_task[(name, i, order)] for i in range(len(cases)) for order in orders]
        worst = max(w for w, _, _ in mine)
        ok = all(o for _, o, _ in mine)
        rows.append([cid, name, len(cases), f"{orders[0]}…{orders[-1]}", steps, f"{worst:.6g}", ok])
        held[cid] = ok
        status[cid] = ("proven (docs/theory/bounds.md); " +
                       (f"certified on the grid, largest majorant/bound ratio {worst:.6g}" if ok else "VIOLATED on the grid"))
        if cid == "BND-2":
            # the tightest case at the highest order (the largest majorant/closed-form ratio)
            best = max(range(len(cases)), key=lambda i: max(by_task[(name, i, orders[-1])][2], default=0.0))
            curve = by_task[(name, best, orders[-1])][2]
            fig = Figure(figsize=(5, 3.5))
            ax = fig.subplots()
            ax.plot(range(len(curve)), curve)
            ax.set_xlabel("t")
            ax.set_ylabel("majorant / closed form")
            h0 = cases[best][0]
            ax.set_title(f"BND-2 tightness, a = {float(h0[1]):g}, R = {float(h0[2] / (1 - h0[1])):g}, N = {orders[-1]}")
            fig.tight_layout()
            figdir.mkdir(parents=True, exist_ok=True)
            fig.savefig(figdir / "bnd2_tightness.png", dpi=90)
    status["BND-5"] = "proven (docs/theory/bounds.md): follows from BND-2/BND-3 (checked with them)"
    held["BND-5"] = None
    table = md_table(["clause", "form", "(h, r) cases", "N", "T", "largest ratio", "holds"], rows)
    return Report("BND-2 … BND-5 · closed forms", status, [table], ["bnd2_tightness.png"], held=held)
