"""Run the legacy Qiskit HHL (quantum-linear-solvers, qiskit 0.46) on systems from a JSON file.

Executed ONLY with the isolated interpreter made by setup_env.sh; appends one JSON line per
system to OUT as soon as it is solved (so a time limit keeps the finished ones).
Usage: /tmp/legacy-hhl-venv/bin/python legacy_runner.py SYSTEMS.json OUT.jsonl
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np


def main(path: str, out_path: str) -> None:
    warnings.filterwarnings("ignore")
    from linear_solvers import HHL
    from qiskit import transpile
    from qiskit.quantum_info import Statevector

    for case in json.load(open(path)):
        A = np.array(case["A"])
        b = np.array(case["b"])
        t0 = time.perf_counter()
        sol = HHL().solve(A, b)
        sv = Statevector(sol.state).data
        elapsed = time.perf_counter() - t0
        nb = sol.state.qregs[0].size
        nl = sol.state.qregs[1].size
        post = sv[2 ** (nb + nl) : 2 ** (nb + nl) + 2**nb]
        p = float(np.vdot(post, post).real)
        x = np.linalg.solve(A, b)
        fid = float(abs(np.vdot(x / np.linalg.norm(x), post / np.sqrt(p))) ** 2) if p > 0 else 0.0
        t = transpile(sol.state, basis_gates=["cx", "u"], optimization_level=1, seed_transpiler=0)
        row = {"name": case["name"], "fidelity": fid, "success_probability": p,
               "qubits": sol.state.num_qubits, "clock_qubits": nl,
               "cx": int(t.count_ops().get("cx", 0)), "time_s": elapsed}
        with open(out_path, "a") as fh:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
