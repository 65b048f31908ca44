"""The end-to-end cost (COST-3) of four models as n and T grow: the data of docs/cost.md.

    python -m benchmarks.cost_sweep           # writes docs/cost/sweep.json, docs/cost/cost_scaling.png,
                                              # docs/cost/amplitude_kappa.png and the table of docs/cost.md
    python -m benchmarks.cost_sweep --quick   # two points per series, nothing written but the JSON --out

Models (every datum an exact rational drawn with numpy.random.default_rng(SEED), as MOD-11 does):

* Burgers (MOD-10) at the published step dt = 3/3999, T steps (t_end = T·dt), order N = 2;
* the quadratic network (MOD-2, MOD-11 ``seeded_quadnet``), 4 samples, 2 inputs, 1 output, h hidden
  units (n = 2h), η = 1/10, θ* random, expanded at its starting point (u(0) = 0), N = 2;
* a pruned logistic model (MOD-5, MOD-8): n_full weights k/8 and 16 samples, the 10% of weights of
  largest magnitude kept (the others pruned to 0), the loss on the kept support around those
  weights (with the pruned coordinates at 0 the logistic loss on the support is the logistic loss of
  the data restricted to it), Taylor degree 2, η = 1/2, u(0) = 0, N = 2;
* least squares at its minimiser (MOD-8): y = Xθ_true, θ* = θ_true, so F_0 = 0; 2n samples,
  η = 1/n, u(0) = ½·(k/8), N = 1 (q = 1: the truncation is exact) — the case where g decays.
"""

from __future__ import annotations

import argparse
import json
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from benchmarks.report import replace_table
from qsgd_ref.base.results import jsonable
from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.models.least_squares import least_squares_problem
from qsgd_ref.models.logistic import logistic_problem
from qsgd_ref.models.pruning import magnitude_mask
from qsgd_ref.models.synthetic import seeded_quadnet
from qsgd_ref.problem import Problem
from qsgd_ref.theory.cost import cost

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "cost"
PAGE = ROOT / "docs" / "cost.md"
SEED = 0
EPS = Fraction(1, 100)
#: κ(L) is measured (dense SVD or ARPACK) up to this dimension in the sweep
KAPPA_MAX_DIM = 25_000

#: model -> (values of n at the fixed horizon, the fixed horizon, values of T at the fixed size, the fixed size)
SERIES: dict[str, tuple[list[int], int, list[int], int]] = {
    "burgers": ([4, 8, 16, 32], 20, [10, 20, 40, 80], 8),
    "quadnet": ([2, 4, 6, 8, 12], 20, [5, 10, 20, 40], 4),
    "logistic (pruned)": ([2, 4, 8, 16], 20, [5, 10, 20, 40], 4),
    "least squares at its minimiser": ([2, 4, 8, 16], 20, [10, 20, 40, 80, 160, 320], 4),
}


def _grid(rng: np.random.Generator, shape: tuple[int, ...], d: int) -> np.ndarray:
    return np.asarray(np.vectorize(lambda v: Fraction(int(v), d), otypes=[object])(rng.integers(-d, d + 1, size=shape)))


def build(model: str, n: int, steps: int) -> Problem:
    """The problem of ``model`` with n parameters and T = ``steps``."""
    if model == "burgers":
        return burgers_problem(2, nx=n, nt=steps + 1, t_end=Fraction(3 * steps, 3999), name=f"burgers nx={n}")
    if model == "quadnet":
        return seeded_quadnet(4, 2, n // 2, 1, SEED, Fraction(1, 10), steps=steps, order=2, theta_star="random",
                              u0_scale=Fraction(0))
    rng = np.random.default_rng(SEED)
    if model == "logistic (pruned)":
        full = 10 * n
        X = _grid(rng, (16, full), 4)
        y = [int(v) for v in 2 * rng.integers(0, 2, size=16) - 1]
        theta = _grid(rng, (full,), 8)
        keep = np.flatnonzero(magnitude_mask([theta.astype(float)], 0.1, exclude_last=False)[0])
        return logistic_problem(X[:, keep], y, list(theta[keep]), [0] * len(keep), Fraction(1, 2), 2, steps=steps,
                                order=2, name=f"logistic pruned {full}→{len(keep)}")
    if model == "least squares at its minimiser":
        X = _grid(rng, (2 * n, n), 4)
        theta = _grid(rng, (n,), 8)
        u0 = [Fraction(1, 2) * v for v in _grid(rng, (n,), 8)]
        return least_squares_problem(X, X @ theta, list(theta), u0, Fraction(1, n), steps=steps, order=1,
                                     name=f"least squares n={n}")
    raise ValueError(model)


def row(model: str, n: int, steps: int) -> dict[str, Any]:
    p = build(model, n, steps)
    t0 = time.perf_counter()
    rep = cost(p, eps=EPS, kappa_max_dim=KAPPA_MAX_DIM)
    v = rep.verdict
    t1 = {c["name"]: c["holds"] for c in v["theorem_1"]["hypotheses"] + v["theorem_1"]["requirements"]}
    out = {
        "model": model, "n": p.n, "steps": steps, "order": p.order, "dimension": rep.system["dimension"],
        "sparsity": rep.system["sparsity"], "b_nonzeros": rep.upload["nonzeros"], "qubits": rep.system["dilated_qubits"],
        "kappa": rep.kappa["used"], "kappa_source": rep.kappa["used_source"], "kappa_bound": rep.kappa["bound"],
        "rho_m": rep.kappa["spectral_radius_m"],
        "g2": rep.success_probability["value"], "g2_lower": rep.success_probability["lower_bound"],
        "output_bound": rep.output_state["bound"], "output_measured": rep.output_state["measured"],
        "upload_gates": rep.upload["gates"], "quantum": min(rep.quantum["total"], rep.quantum["total_amplified"]),
        "quantum_pipeline": rep.quantum["total"], "classical_gd": rep.classical["gradient_descent"],
        "classical_fs": rep.classical["forward_substitution"], "ratio": rep.ratio["quantum_over_gradient_descent"],
        "regime": t1_regime(v), "fully_dissipative": t1["fully dissipative"], "sparse_model": t1["sparse model"],
        "sparse_upload": t1["sparse upload"], "kappa_bounded": t1["κ(L) bounded in T"],
        "kappa_over_g_linear": t1["κ/g ≤ T + 1 + p"], "output_within_eps": t1["output error ≤ ε (certified)"],
        "advantage": v["advantage"]["holds"], "seconds": time.perf_counter() - t0,
    }
    print(f"{model:32s} n = {p.n:3d} T = {steps:3d}: κ = {out['kappa']:.3g} ({out['kappa_source']}), "
          f"g² = {out['g2']:.3g}, quantum = {out['quantum']:.3g}, classical = {out['classical_gd']}, "
          f"ratio = {out['ratio']:.3g} ({out['seconds']:.1f} s)", flush=True)
    return out


def t1_regime(verdict: dict[str, Any]) -> str:
    regime = next(c for c in verdict["theorem_1"]["hypotheses"] if c["name"] == "fully dissipative")
    return str(regime["values"]["regime"])


def measure(quick: bool) -> dict[str, Any]:
    rows = []
    for model, (ns, t_fixed, ts, n_fixed) in SERIES.items():
        if quick:
            ns, ts = ns[:2], ts[:2]
        for n in ns:
            rows.append({**row(model, n, t_fixed), "series": "n"})
        for steps in ts:
            rows.append({**row(model, n_fixed, steps), "series": "T"})
    return {"eps": str(EPS), "seed": SEED, "kappa_max_dim": KAPPA_MAX_DIM, "rows": rows}


COLOURS = {"burgers": "C0", "quadnet": "C1", "logistic (pruned)": "C2", "least squares at its minimiser": "C3"}


def _ticks(ax: Any, values: list[int]) -> None:
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set_xticks(sorted(set(values)))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())


def figures(res: dict[str, Any], out: Path) -> None:
    fig = Figure(figsize=(11, 5.2))
    left, right = fig.subplots(1, 2)
    for model, colour in COLOURS.items():
        for ax, series, key in ((left, "n", "n"), (right, "T", "steps")):
            rs = [r for r in res["rows"] if r["model"] == model and r["series"] == series]
            xs = [r[key] for r in rs]
            ax.loglog(xs, [r["quantum"] for r in rs], "o-", color=colour, label=f"{model}: quantum (COST-3)")
            ax.loglog(xs, [r["classical_gd"] for r in rs], "s--", color=colour, alpha=0.7,
                      label=f"{model}: gradient descent")
    _ticks(left, [r["n"] for r in res["rows"] if r["series"] == "n"])
    _ticks(right, [r["steps"] for r in res["rows"] if r["series"] == "T"])
    left.set_xlabel("n (parameters)")
    left.set_title("cost against n at T = 20")
    right.set_xlabel("T (steps)")
    right.set_title("cost against T at fixed n (Burgers 8, others 4)")
    for ax in (left, right):
        ax.set_ylabel("operations (model counts, constants 1)")
        ax.grid(True, which="major", alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(out / "cost_scaling.png", dpi=110)

    fig = Figure(figsize=(11, 5.2))
    left, right = fig.subplots(1, 2)
    positive = [x for r in res["rows"] if r["series"] == "T" for x in (r["g2"], r["g2_lower"]) if x > 0]
    floor = min(positive) / 10
    for model, colour in COLOURS.items():
        rs = [r for r in res["rows"] if r["model"] == model and r["series"] == "T"]
        ts = [r["steps"] for r in rs]
        left.semilogy(ts, [r["g2"] for r in rs], "o-", color=colour, label=f"{model}: g²")
        lo = [(t, r["g2_lower"]) for t, r in zip(ts, rs) if r["g2_lower"] > 0]
        zero = [t for t, r in zip(ts, rs) if r["g2_lower"] <= 0]
        if lo:
            left.semilogy(*zip(*lo), "v:", color=colour, alpha=0.7, label=f"{model}: certified lower bound")
        if zero:
            left.semilogy(zero, [floor] * len(zero), "x", color=colour, label=f"{model}: lower bound 0")
        right.loglog(ts, [r["kappa"] for r in rs], "o-", color=colour, label=f"{model}: κ(L)")
    left.set_ylim(floor / 3, 2)
    left.set_xlabel("T (steps)")
    left.set_ylabel("success probability g²")
    left.set_title("g² of the Eq. 6 solution and its COST-1 lower bound (× on the floor: bound 0)")
    left.title.set_fontsize(9)
    right.set_xlabel("T (steps)")
    right.set_ylabel("κ(L)")
    right.set_title("condition number of the Eq. 6 system (measured)")
    _ticks(right, [r["steps"] for r in res["rows"] if r["series"] == "T"])
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7)
    fig.tight_layout(rect=(0, 0.15, 1, 1))
    fig.savefig(out / "amplitude_kappa.png", dpi=110)


def _yes(x: Any) -> str:
    return {True: "yes", False: "no", None: "—"}[x]


def table(res: dict[str, Any]) -> str:
    lines = ["| model | n | T | dim | s | nnz(b) | κ(L) | g² | certified g² ≥ | OUT-1 bound | quantum | gradient descent "
             "| ratio | regime | κ/g ≤ T+1 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    seen = set()
    for r in res["rows"]:
        key = (r["model"], r["n"], r["steps"])
        if key in seen:
            continue
        seen.add(key)
        kappa = f"{r['kappa']:.3g}" + ("" if r["kappa_source"] == "measured" else " (bound)")
        lines.append(f"| {r['model']} | {r['n']} | {r['steps']} | {r['dimension']:,} | {r['sparsity']} | {r['b_nonzeros']:,} "
                     f"| {kappa} | {r['g2']:.3g} | {r['g2_lower']:.3g} | {r['output_bound']:.3g} | {r['quantum']:.3g} "
                     f"| {r['classical_gd']:,} | {r['ratio']:.3g} | {r['regime'].split()[0]} "
                     f"| {_yes(r['kappa_over_g_linear'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.cost_sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two points per series; writes only --out")
    ap.add_argument("--out", default=None, help="the JSON file (default docs/cost/sweep.json)")
    args = ap.parse_args(argv)
    res = measure(args.quick)
    text = json.dumps(jsonable(res), indent=1, allow_nan=False) + "\n"
    if args.quick:
        Path(args.out or "cost_sweep_quick.json").write_text(text)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    (Path(args.out) if args.out else OUT / "sweep.json").write_text(text)
    figures(res, OUT)
    replace_table(PAGE, table(res))
    print(f"wrote {OUT / 'sweep.json'}, the figures in {OUT} and the table of {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
