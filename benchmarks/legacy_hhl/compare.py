"""Side by side: qsgd-ref HHL, the legacy Qiskit HHL and PennyLane's QSVT on the same Hermitian systems.

    bash benchmarks/legacy_hhl/setup_env.sh            # once: isolated qiskit 0.46 venv in /tmp
    bash benchmarks/legacy_hhl/setup_pennylane_env.sh  # once: isolated PennyLane venv in /tmp
    python benchmarks/legacy_hhl/compare.py [--legacy-timeout SECONDS] [--pennylane-seconds S] [--out FILE]

Systems: A = Q diag(λ) Qᵀ (Q seeded random orthogonal) of size 4, 8, 16, κ ∈ {2, 10, 50}, spectrum
in [1/κ, 1] (all positive) or with alternating signs (negative eigenvalues), b seeded random. Both
solvers are simulated exactly (statevector); fidelity is |⟨x/‖x‖ | post-selected output⟩|². Ours:
the clock and c₀ HHL-3 chooses, simulated without transpilation (qsgd_ref.quantum.hhl.simulate);
time is choosing the clock + building + simulating. CX of ours and of the legacy solver after
transpiling to {cx, u} at optimisation level 1 (ours also analytically); PennyLane's after its own
decomposition (pennylane_runner.py). The peers run concurrently in their own interpreters; systems a
peer has not finished within its time limit are reported as such. Not part of the test suite.
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

from qiskit import transpile  # noqa: E402

from qsgd_ref.quantum.dilation import encode  # noqa: E402
from qsgd_ref.quantum.hhl import BASIS, hhl_circuit, postselect, resources, simulate  # noqa: E402
from qsgd_ref.quantum.resources import construction_cx  # noqa: E402
from qsgd_ref.quantum.twin import choose_clock  # noqa: E402
from qsgd_ref.quantum.upload import sparse_state_preparation  # noqa: E402

VENV = Path(os.environ.get("LEGACY_HHL_VENV", "/tmp/legacy-hhl-venv"))
PL_VENV = Path(os.environ.get("PENNYLANE_VENV", "/tmp/pennylane-venv"))
TARGET = 0.999


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
    """Our HHL with the clock and c₀ HHL-3 chooses, simulated without transpilation."""
    A, b = np.array(case["A"]), np.array(case["b"])
    t0 = time.perf_counter()
    enc = encode(A, b)
    clk = choose_clock(enc)[0]
    qc = hhl_circuit(enc, clk)
    out, p = postselect(simulate(qc), enc, clk)
    elapsed = time.perf_counter() - t0
    x = np.linalg.solve(A, b)
    fid = float(abs(np.vdot(x / np.linalg.norm(x), out / np.sqrt(p))) ** 2)
    upload = transpile(sparse_state_preparation(enc.rhs, enc.qubits), basis_gates=list(BASIS), optimization_level=1,
                       seed_transpiler=0)
    res = resources(qc)
    return {"name": case["name"], "fidelity": fid, "success_probability": p, "qubits": qc.num_qubits,
            "clock_qubits": clk.bits, "c0": clk.c0, "cx": res["cx"],
            "cx_analytic": construction_cx(enc.qubits, clk.bits, int(dict(upload.count_ops()).get("cx", 0))),
            "time_s": elapsed}


def _peer(py: Path, runner: str, systems: Path, lines: Path, extra: list[str]) -> subprocess.Popen[bytes] | None:
    if not py.exists():
        print(f"no environment at {py.parent.parent}: run its setup script first", file=sys.stderr)
        return None
    return subprocess.Popen([str(py), str(Path(__file__).with_name(runner)), str(systems), str(lines), *extra],
                            stderr=subprocess.DEVNULL)


def _read(lines: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(x) for x in lines.read_text().splitlines() if x.strip()] if lines.exists() else []
    return {r["name"]: r for r in rows}


def _f(x: Any, fmt: str) -> str:
    return "–" if x is None else format(x, fmt)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    ap.add_argument("--legacy-timeout", type=float, default=3600.0, help="seconds for the legacy solver (all systems)")
    ap.add_argument("--pennylane-seconds", type=float, default=120.0, help="seconds per system for PennyLane")
    ap.add_argument("--reuse-legacy", default=None, metavar="JSONL", help="legacy results of an earlier run")
    ap.add_argument("--reuse-pennylane", default=None, metavar="JSONL", help="PennyLane results of an earlier run")
    args = ap.parse_args()
    cases = systems()
    tmp = Path(tempfile.mkdtemp(prefix="legacy-hhl-"))
    (tmp / "systems.json").write_text(json.dumps(cases))
    leg_lines = Path(args.reuse_legacy) if args.reuse_legacy else tmp / "legacy.jsonl"
    pl_lines = Path(args.reuse_pennylane) if args.reuse_pennylane else tmp / "pennylane.jsonl"
    procs = {}
    if not args.reuse_legacy:
        procs["legacy"] = _peer(VENV / "bin" / "python", "legacy_runner.py", tmp / "systems.json", leg_lines, [])
    if not args.reuse_pennylane:
        procs["pennylane"] = _peer(PL_VENV / "bin" / "python", "pennylane_runner.py", tmp / "systems.json", pl_lines,
                                   [str(args.pennylane_seconds)])
    t_start = time.perf_counter()
    mine = [ours(c) for c in cases]
    limits = {"legacy": args.legacy_timeout, "pennylane": args.pennylane_seconds * len(cases) + 600}
    for name, proc in procs.items():
        if proc is None:
            continue
        try:
            proc.wait(timeout=max(1.0, limits[name] - (time.perf_counter() - t_start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            print(f"{name} stopped after {limits[name]:.0f} s", file=sys.stderr)
    legacy, penny = _read(leg_lines), _read(pl_lines)
    Path(args.out).write_text(json.dumps({"ours": mine, "legacy": list(legacy.values()),
                                          "pennylane": list(penny.values())}, indent=1) + "\n")
    print("| system | fidelity (ours / legacy / PennyLane) | success prob. (ours / legacy / PennyLane) "
          "| qubits (ours / legacy / PennyLane) | CX (ours / legacy / PennyLane) | time s (ours / legacy / PennyLane) |")
    print("|---|---|---|---|---|---|")
    for r in mine:
        g, q = legacy.get(r["name"], {}), penny.get(r["name"], {})
        print(f"| {r['name']} | {r['fidelity']:.5f} / {_f(g.get('fidelity'), '.5f')} / {_f(q.get('fidelity'), '.5f')} "
              f"| {r['success_probability']:.3g} / {_f(g.get('success_probability'), '.3g')} / "
              f"{_f(q.get('success_probability'), '.3g')} "
              f"| {r['qubits']} / {_f(g.get('qubits'), 'd')} / {_f(q.get('qubits'), 'd')} "
              f"| {r['cx']:,} / {_f(g.get('cx'), ',')} / {_f(q.get('cx'), ',')} "
              f"| {r['time_s']:.2f} / {_f(g.get('time_s'), '.2f')} / {_f(q.get('time_s'), '.1f')} |")
    done = [r for r in mine if r["name"] in legacy]
    meets = [r for r in done if r["fidelity"] >= TARGET and r["success_probability"] >= legacy[r["name"]]["success_probability"]]
    print(f"\nSuccess probability at least the legacy solver's, at fidelity ≥ {TARGET}: on {len(meets)} of the "
          f"{len(done)} systems it finished.")
    notes = [f"{n}: {q['note']}" for n, q in penny.items() if q.get("note")]
    missing = [r["name"] for r in mine if r["name"] not in penny]
    if notes or missing:
        print("PennyLane: " + "; ".join(notes + [f"{n}: not finished in the time limit" for n in missing]) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
