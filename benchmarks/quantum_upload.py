"""CX counts of the sparse state preparation (UPL-1) against Qiskit's StatePreparation.

    python benchmarks/quantum_upload.py

Random s-sparse real vectors (seeded) on k qubits; both circuits transpiled to {cx, u} at
optimisation level 1; prints a Markdown table (median over 5 vectors per cell).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from qiskit import transpile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qsgd_ref.quantum.upload import dense_state_preparation, sparse_state_preparation  # noqa: E402


def cx(qc: object) -> int:
    return int(transpile(qc, basis_gates=["cx", "u"], optimization_level=1, seed_transpiler=0).count_ops().get("cx", 0))


def rows(qubits: tuple[int, ...] = (4, 6, 8, 10)) -> list[dict[str, int]]:
    """Median CX counts of both preparations for each (k, s), 5 seeded vectors per cell."""
    rng = np.random.default_rng(2026)
    out = []
    for k in qubits:
        for s in (2, 4, 8):
            a, b = [], []
            for _ in range(5):
                v = np.zeros(2**k)
                v[rng.choice(2**k, s, replace=False)] = rng.normal(size=s)
                a.append(cx(sparse_state_preparation(v, k)))
                b.append(cx(dense_state_preparation(v, k)))
            out.append({"k": k, "s": s, "cx_sparse": int(np.median(a)), "cx_state_preparation": int(np.median(b))})
    return out


TABLE_HEADER = ("| qubits k | sparsity s | CX sparse (UPL-1) | CX StatePreparation | StatePreparation / sparse |\n"
                "|---|---|---|---|---|")


def format_row(r: dict[str, int]) -> str:
    return (f"| {r['k']} | {r['s']} | {r['cx_sparse']} | {r['cx_state_preparation']} "
            f"| {r['cx_state_preparation'] / r['cx_sparse']:.1f}× |")


def main() -> int:
    print(TABLE_HEADER)
    for r in rows():
        print(format_row(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
