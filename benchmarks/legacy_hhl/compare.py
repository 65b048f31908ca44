"""Side by side: qsgd-ref HHL versus the legacy Qiskit HHL on the same Hermitian systems.

    bash benchmarks/legacy_hhl/setup_env.sh        # once: isolated qiskit 0.46 venv in /tmp
    python benchmarks/legacy_hhl/compare.py [--legacy-timeout SECONDS] [--out benchmarks/legacy_hhl/results.json]

Systems: A = Q diag(λ) Qᵀ (Q seeded random orthogonal) of size 4, 8, 16, κ ∈ {2, 10, 50}, spectrum
in [1/κ, 1] (all positive) or with alternating signs (negative eigenvalues), b seeded random. Both
solvers are simulated exactly (statevector); fidelity is |⟨x/‖x‖ | post-selected output⟩|², CX is
counted after transpiling to {cx, u} at optimisation level 1; time is building + simulating (not
transpiling for the count). The legacy solver runs concurrently in its own interpreter; systems it
has not finished within the time limit are reported as such. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qsgd_ref.quantum.clock import make_clock  # noqa: E402
from qsgd_ref.quantum.dilation import encode  # noqa: E402
from qsgd_ref.quantum.hhl import aer_statevector, hhl_circuit, postselect, resources  # noqa: E402
from qsgd_ref.quantum.twin import choose_clock  # noqa: E402

VENV = Path(os.environ.get("LEGACY_HHL_VENV", "/tmp/legacy-hhl-venv"))


def systems() -> list[dict[str, Any]]:
    out = []
    for m in (4, 8, 16):
        for kappa in (2, 10, 50):
            for signed in (False, True):
                rng = np.random.default_rng(1000 * m + 10 * kappa + signed)
                lam = np.geomspace(1.0 / kappa, 1.0, m)
                if signed:
                    lam = lam * np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
                q, r = np.linalg.qr(rng.normal(size=(m, m)))
                q = q * np.sign(np.diag(r))
                A = q @ np.diag(lam) @ q.T
                A = (A + A.T) / 2
                b = rng.normal(size=m)
                out.append({"name": f"{m}x{m} kappa={kappa} {'signed' if signed else 'positive'}",
                            "A": A.tolist(), "b": b.tolist()})
    return out


def ours(case: dict[str, Any], bits: int | None = None) -> dict[str, Any]:
    """Our HHL with the clock it chooses (HHL-3), or with ``bits`` clock qubits."""
    A, b = np.array(case["A"]), np.array(case["b"])
    t0 = time.perf_counter()
    enc = encode(A, b)
    clk = choose_clock(enc)[0] if bits is None else make_clock(enc.eigenvalues, bits)
    qc = hhl_circuit(enc, clk)
    out, p = postselect(aer_statevector(qc), enc, clk)
    elapsed = time.perf_counter() - t0
    x = np.linalg.solve(A, b)
    fid = float(abs(np.vdot(x / np.linalg.norm(x), out / np.sqrt(p))) ** 2)
    res = resources(qc)
    return {"name": case["name"], "fidelity": fid, "success_probability": p, "qubits": qc.num_qubits,
            "clock_qubits": clk.bits, "cx": res["cx"], "time_s": elapsed}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    ap.add_argument("--legacy-timeout", type=float, default=3600.0, help="seconds for the legacy solver")
    ap.add_argument("--reuse-legacy", default=None, metavar="JSONL", help="legacy results of an earlier run")
    args = ap.parse_args()
    cases = systems()
    tmp = Path(tempfile.mkdtemp(prefix="legacy-hhl-"))
    (tmp / "systems.json").write_text(json.dumps(cases))
    lines = Path(args.reuse_legacy) if args.reuse_legacy else tmp / "legacy.jsonl"
    py = VENV / "bin" / "python"
    proc = None
    if args.reuse_legacy:
        pass
    elif py.exists():
        proc = subprocess.Popen([str(py), str(Path(__file__).with_name("legacy_runner.py")),
                                 str(tmp / "systems.json"), str(lines)], stderr=subprocess.DEVNULL)
    else:
        print(f"no legacy environment at {VENV}: run setup_env.sh first", file=sys.stderr)
    t_start = time.perf_counter()
    mine = [ours(c) for c in cases]
    if proc is not None:
        try:
            proc.wait(timeout=max(1.0, args.legacy_timeout - (time.perf_counter() - t_start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            print(f"legacy solver stopped after {args.legacy_timeout:.0f} s", file=sys.stderr)
    legacy: list[dict[str, Any]] = []
    if lines.exists():
        legacy = [json.loads(x) for x in lines.read_text().splitlines() if x.strip()]
    by_name = {r["name"]: r for r in legacy}
    same_clock = {c["name"]: ours(c, by_name[c["name"]]["clock_qubits"]) for c in cases if c["name"] in by_name}
    Path(args.out).write_text(json.dumps({"ours": mine, "ours_at_legacy_clock": list(same_clock.values()),
                                          "legacy": legacy}, indent=1) + "\n")
    print("| system | fidelity (ours / legacy) | success prob. (ours / legacy) | qubits (ours / legacy) "
          "| CX (ours / legacy) | time s (ours / legacy) | ours at the legacy clock size: fidelity, CX |")
    print("|---|---|---|---|---|---|---|")
    for r in mine:
        g = by_name.get(r["name"])
        if g is None:
            print(f"| {r['name']} | {r['fidelity']:.5f} / – | {r['success_probability']:.3g} / – | {r['qubits']} / – "
                  f"| {r['cx']:,} / – | {r['time_s']:.2f} / not finished in the time limit | – |")
            continue
        sc = same_clock[r["name"]]
        print(f"| {r['name']} | {r['fidelity']:.5f} / {g['fidelity']:.5f} "
              f"| {r['success_probability']:.3g} / {g['success_probability']:.3g} "
              f"| {r['qubits']} / {g['qubits']} | {r['cx']:,} / {g['cx']:,} "
              f"| {r['time_s']:.2f} / {g['time_s']:.2f} "
              f"| {sc['fidelity']:.5f}, {sc['cx']:,} CX ({sc['clock_qubits']} clock qubits) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
