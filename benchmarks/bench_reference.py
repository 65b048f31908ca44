"""Benchmark of the reference solver (clauses REF-1, REF-2): n = 4, N = 4, T = 200 at 50 digits.

    python benchmarks/bench_reference.py [--n 4] [--order 4] [--steps 200] [--dps 50]

A dissipative random problem with F_0, F_1, F_2 and F_3 non-zero (exact rationals, fixed seed);
prints the wall time of each phase in default and certified modes.
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qsgd_ref import reference  # noqa: E402
from qsgd_ref.base.indexing import lifted_dimension  # noqa: E402
from qsgd_ref.problem import make_problem  # noqa: E402
from qsgd_ref.trajectories import (  # noqa: E402
    carleman_trajectory,
    certified_trajectories,
    exact_trajectory,
)


def bench_problem(n: int, order: int, steps: int, seed: int = 1):
    """F_1 = −diag(1/4 … 1/2) plus small couplings, small F_0, F_2, F_3 (rationals with denominator 1000)."""
    rng = np.random.default_rng(seed)

    def rat(shape, scale):
        return np.vectorize(lambda v: Fraction(int(v), 1000), otypes=[object])(rng.integers(-scale, scale + 1, shape))

    F1 = rat((n, n), 20)
    for i in range(n):
        F1[i, i] = Fraction(-250 - 250 * i // max(n - 1, 1), 1000)
    F = {0: rat((n,), 10), 1: F1, 2: rat((n, n**2), 30), 3: rat((n, n**3), 10)}
    u0 = rat((n,), 400)
    return make_problem(F=F, u0=u0, steps=steps, order=order, name="bench")


def timed(label: str, fn, times: dict[str, float] | None = None):
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    if times is not None:
        times[label] = elapsed
    print(f"{label:<40s} {elapsed:8.3f} s")
    return out


def measure(n: int = 4, order: int = 4, steps: int = 200, dps: int = 50) -> dict:
    """Wall time (s) of each phase in default and certified modes, the largest radius and arb precision."""
    p = bench_problem(n, order, steps)
    D = lifted_dimension(n, order)
    print(f"n = {n}, N = {order}, T = {steps}, D = {D}, dps = {dps}, degree q = {p.degree}")
    times: dict[str, float] = {}
    timed("exact_trajectory (mpmath)", lambda: exact_trajectory(p, dps), times)
    timed("carleman_trajectory (exact-integer step)", lambda: carleman_trajectory(p, dps), times)
    timed("reference_result (default mode)", lambda: reference(p, dps=dps).to_json(), times)
    c = timed("certified_trajectories (arb balls)", lambda: certified_trajectories(p, dps=dps), times)
    doc = timed("reference_result (certified mode)", lambda: reference(p, dps=dps, certified=True).to_json(), times)
    worst = max(float(r) for key in ("exact", "carleman") for row in doc["radii"][key] for r in row)
    print(f"largest reported radius: {worst:.2e} (arb prec {c.prec} bits); final error {doc['error'][-1][:12]}")
    return {"n": n, "order": order, "steps": steps, "dps": dps, "lifted_dimension": D, "times_s": times,
            "largest_radius": worst, "arb_prec_bits": c.prec}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--order", type=int, default=4)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--dps", type=int, default=50)
    a = ap.parse_args()
    measure(a.n, a.order, a.steps, a.dps)


if __name__ == "__main__":
    main()
