"""Benchmark of the symbolic correction tables (clauses LIFT-1, ETA-1; docs/performance.md).

    python -m benchmarks.bench_tables [--degrees 2 3 4] [--orders 3 4 5] [--repeat 3]

For each degree q and order N: ``correction_table(q, N)`` (our enumeration of label tuples, cache
cleared before each call) and its rendering to Markdown, LaTeX and JSON, side by side with a
naive route to the same terms: SymPy's expansion of the non-commutative product
(I + F_0 + … + F_q)^{⊗ j} for j = 1 … N, keeping the monomials of column degree ≤ N.
Both must give the same number of terms.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import sympy as sp
from sympy.core.cache import clear_cache

from qsgd_ref.carleman.symbolic.render import render
from qsgd_ref.carleman.symbolic.tables import correction_table
from qsgd_ref.carleman.symbolic.terms import _compositions, label_degree, labels

TABLE_HEADER = ("| q | N | terms | build (ms) | render md + LaTeX + JSON (ms) | naive SymPy expansion (ms) "
                "| naive / build |\n|---|---|---|---|---|---|---|")


def naive_term_count(q: int, order: int) -> int:
    """Number of terms of B_jk (1 ≤ j ≤ N, 0 ≤ k ≤ N) by expanding non-commutative SymPy products."""
    clear_cache()  # SymPy memoises expand(): without this, repetitions would time cache hits
    syms = {lab: sp.Symbol(lab, commutative=False) for lab in labels(q)}
    degree = {syms[lab]: label_degree(lab) for lab in syms}
    total = 0
    for j in range(1, order + 1):
        expanded = sp.expand(sp.Mul(*([sp.Add(*syms.values())] * j)))
        for mono in sp.Add.make_args(expanded):
            coeff, factors = mono.args_cnc()
            # a monomial with a repeated factor is a power; count its legs through as_powers_dict
            legs = sum(degree[base] * int(exp) for f in factors for base, exp in f.as_powers_dict().items())
            if legs <= order:
                total += int(sp.Mul(*coeff)) if coeff else 1
    return total


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _build(q: int, order: int) -> Any:
    _compositions.cache_clear()
    return correction_table(q, order)


def measure_row(q: int, order: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` times (s) of building, rendering and the naive expansion for one (q, N)."""
    t_build, table = _best(lambda: _build(q, order), repeat)
    t_render, _ = _best(lambda: [render(table, fmt) for fmt in ("markdown", "latex", "json")], repeat)
    t_naive, count = _best(lambda: naive_term_count(q, order), repeat)
    terms = sum(len(b.terms) for b in table.blocks)
    assert count == terms, f"naive expansion gives {count} terms, tables {terms}"
    return {"q": q, "order": order, "terms": terms, "build_s": t_build, "render_s": t_render, "naive_s": t_naive}


def format_row(r: dict[str, float]) -> str:
    return (f"| {r['q']} | {r['order']} | {r['terms']:,} | {1e3 * r['build_s']:.1f} | {1e3 * r['render_s']:.1f} "
            f"| {1e3 * r['naive_s']:.1f} | {r['naive_s'] / r['build_s']:.1f}× |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--degrees", type=int, nargs="+", default=[2, 3, 4])
    ap.add_argument("--orders", type=int, nargs="+", default=[3, 4, 5])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(TABLE_HEADER)
    for q in args.degrees:
        for order in args.orders:
            print(format_row(measure_row(q, order, args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
