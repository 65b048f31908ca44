"""Side by side: qsgd-ref HHL versus the legacy Qiskit HHL on the same Hermitian systems.

    bash benchmarks/legacy_hhl/setup_env.sh        # once: isolated qiskit 0.46 venv in /tmp
    python benchmarks/legacy_hhl/compare.py [--out benchmarks/legacy_hhl/results.json]

Systems: A = Q diag(λ) Qᵀ (Q seeded random orthogonal) of size 4, 8, 16, κ ∈ {2, 10, 50}, spectrum
in [1/κ, 1] (all positive) or with alternating signs (negative eigenvalues), b seeded random. Both
solvers are simulated exactly (statevector); fidelity is |⟨x/‖x‖ | post-selected output⟩|², CX is
counted after transpiling to {cx, u} at optimisation level 1. Not part of the test suite.
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


def ours(case: dict[str, Any]) -> dict[str, Any]:
    A, b = np.array(case["A"]), np.array(case["b"])
    t0 = time.perf_counter()
    enc = encode(A, b)
    clk, _ = choose_clock(enc)
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
    args = ap.parse_args()
    cases = systems()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(cases, fh)
    legacy: list[dict[str, Any]] = []
    py = VENV / "bin" / "python"
    if py.exists():
        proc = subprocess.run([str(py), str(Path(__file__).with_name("legacy_runner.py")), fh.name],
                              capture_output=True, text=True, check=True)
        legacy = json.loads(proc.stdout)
    else:
        print(f"no legacy environment at {VENV}: run setup_env.sh first", file=sys.stderr)
    mine = [ours(c) for c in cases]
    Path(args.out).write_text(json.dumps({"ours": mine, "legacy": legacy}, indent=1) + "\n")
    by_name = {r["name"]: r for r in legacy}
    print("| system | fidelity (ours / legacy) | success prob. (ours / legacy) | qubits (ours / legacy) "
          "| CX (ours / legacy) | time s (ours / legacy) |")
    print("|---|---|---|---|---|---|")
    for r in mine:
        g = by_name.get(r["name"], {})
        print(f"| {r['name']} | {r['fidelity']:.4f} / {g.get('fidelity', float('nan')):.4f} "
              f"| {r['success_probability']:.3g} / {g.get('success_probability', float('nan')):.3g} "
              f"| {r['qubits']} / {g.get('qubits', '–')} | {r['cx']:,} / {g.get('cx', 0):,} "
              f"| {r['time_s']:.2f} / {g.get('time_s', float('nan')):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
