"""BND-4, BND-6 and BND-7 on a grid of marginal and slightly divergent scalar majorants (the worst case of
every problem with these norms, BND-1), all in arb balls: each closed form against the majorant, BND-4's
window and its distance to the majorant, and REG-3's corollary (the amplified majorant in the envelope)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import flint

from proofs_numeric import Report, md_table
from qsgd_ref.base.balls import arb_prec, ball, ball_interval
from qsgd_ref.theory import closed_forms as cf
from qsgd_ref.theory.horizon import (
    amplified,
    closed_form_horizon_q2,
    envelope_holds,
    horizon_number,
    orbit,
    whole_horizon_series,
)
from qsgd_ref.theory.majorant import majorant

CLAUSES = ["BND-4", "BND-6", "BND-7"]
PREC = 200


def sweep(quick: bool, figdir: Path) -> Report:
    from matplotlib.figure import Figure

    steps = 60 if quick else 200
    orders = range(1, 5 if quick else 7)
    deltas = [Fraction(0), Fraction(1, 1000)] + ([] if quick else [Fraction(1, 100)])
    h2s = [Fraction(1, 200), Fraction(1, 50)] + ([] if quick else [Fraction(1, 1000), Fraction(1, 20)])
    h0s = [Fraction(0), Fraction(1, 10**4)]
    ok = {cid: True for cid in CLAUSES}
    ratio4: list[float] = []
    reach = []
    corollary_ok, corollary_n = True, 0
    curve = None
    with arb_prec(PREC):
        for delta in deltas:
            for h2 in h2s:
                for h0 in h0s:
                    h = {1: 1 + delta, 2: h2, **({0: h0} if h0 else {})}
                    r = Fraction(1)
                    hb = {ell: ball(x) for ell, x in h.items()}
                    for order in orders:
                        _, ds = majorant([hb], ball(r), order, steps)
                        d1 = [row[0] for row in ds]
                        series6 = whole_horizon_series([h], r, order, steps)
                        ok["BND-6"] &= all(not d > b for d, b in zip(d1, series6))
                        if h0:
                            continue
                        closed7 = closed_form_horizon_q2(h, r, order, steps)
                        ok["BND-7"] &= all(c is None or not d > c for d, c in zip(d1, closed7))
                        last4 = last7 = 0
                        for t in range(steps + 1):
                            v4 = cf.closed_form_almost(h, r, order, t, ball)
                            if v4 is not None:
                                ok["BND-4"] &= not d1[t] > v4
                                last4 = t
                                if t >= 2 and d1[t] > 0:
                                    ratio4.append(float((v4 / d1[t]).lower()))
                            if closed7[t] is not None:
                                last7 = t
                        reach.append([f"{float(1 + delta):g}", f"{float(h2):g}", order, last4, last7])
                        if curve is None and delta == 0 and h2 == Fraction(1, 50) and order == orders[-1]:
                            curve = (d1, series6, closed7, [cf.closed_form_almost(h, r, order, t, ball)
                                                            for t in range(steps + 1)])
                    # REG-3 corollary: x_T ≤ 1 ⇒ the amplified majorant at λ = x_T^{−1/(q−1)} stays in the envelope
                    for t_h in (10, steps // 2, steps):
                        x_t = horizon_number(h, r, t_h)
                        if x_t is not None and x_t <= 1 and x_t > 0:
                            lam = ball_interval(1 / x_t)[0]  # a rational ≤ x_T^{−1} = λ of the corollary (q = 2)
                            lam = max(Fraction(1), lam * Fraction(999999, 1000000))
                            corollary_n += 1
                            corollary_ok &= envelope_holds(h, r, t_h, lam) is None
                            vs = orbit([{ell: ball(x) for ell, x in amplified(h, lam).items()}], ball(r), t_h)
                            corollary_ok &= all(not v > flint.arb.const_e() * ball(r + h.get(0, Fraction(0)) * t)
                                                for t, v in enumerate(vs))
    ok["BND-6"] &= corollary_ok
    figures = []
    if curve is not None:
        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
        for values, label in zip(curve, ("majorant (BND-1)", "BND-6", "BND-7", "BND-4")):
            ts = [t for t, v in enumerate(values) if v is not None and v > 0 and v < 1e6]
            ax.semilogy(ts, [float(values[t].upper()) for t in ts], label=label)
        ax.set_ylim(1e-8, 1e3)
        ax.set_xlabel("t")
        ax.set_ylabel("bound on ‖u(t) − ŷ_1(t)‖")
        ax.set_title(f"marginal scalar majorant, h_2 = 0.02, r = 1, N = {orders[-1]}")
        ax.legend(fontsize=7)
        fig.tight_layout()
        figdir.mkdir(parents=True, exist_ok=True)
        fig.savefig(figdir / "bnd_horizon.png", dpi=90)
        figures.append("bnd_horizon.png")
    lo4, hi4 = (min(ratio4), max(ratio4)) if ratio4 else (math.nan, math.nan)

    def verdict(cid: str, extra: str) -> str:
        return "proven (docs/theory/bounds.md); " + (f"certified on the grid{extra}" if ok[cid] else "VIOLATED on the grid")

    status = {
        "BND-4": verdict("BND-4", f"; on its window (t ≥ 2) it lies {lo4:.3g} to {hi4:.3g} times above the majorant"),
        "BND-6": verdict("BND-6", f" (≥ the majorant at every t, every case, with and without F_0); REG-3's corollary "
                         f"held in {corollary_n} (h, T) cases"),
        "BND-7": verdict("BND-7", "; its window (last finite t) against BND-4's in the table"),
    }
    table = md_table(["h_1", "h_2", "N", "last t of BND-4", "last t of BND-7"], reach[:: 1 if quick else 2])
    return Report("BND-4, BND-6, BND-7 · bounds over the horizon", status, [table], figures)
