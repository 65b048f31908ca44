"""Sparse state preparation (clause UPL-1).

An s-sparse vector on k qubits is prepared by a dense StatePreparation of s amplitudes on
⌈log2 s⌉ qubits followed by at most s transpositions of basis states. A transposition |x⟩ ↔ |y⟩
costs ≤ 2(k − 1) CX (making x and y differ in one bit p) and one X on p controlled by the other
k − 1 bits, so the gate count grows with s and k = log2 n, not with n.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import StatePreparation

from qsgd_ref.base.errors import InputError


def _support_moves(v: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Transpositions that bring the support of v into {0, …, s−1}; returns (dense part, moves)."""
    w = v.copy()
    support = [int(i) for i in np.flatnonzero(w)]
    s = len(support)
    free = [i for i in range(s) if w[i] == 0]
    moves = []
    for idx in support:
        if idx >= s:
            f = free.pop()
            w[f], w[idx] = w[idx], 0
            moves.append((f, idx))
    return w[: max(s, 1)], moves


def _controls(lo: int, p: int, others: set[int], k: int) -> list[int]:
    """A small set of bits (not p) on which every state in ``others`` differs from ``lo`` (greedy cover)."""
    chosen: list[int] = []
    left = set(others)
    while left:
        best = max((r for r in range(k) if r != p and r not in chosen), key=lambda r: sum(((z ^ lo) >> r) & 1 for z in left))
        chosen.append(best)
        left = {z for z in left if not ((z ^ lo) >> best) & 1}
    return sorted(chosen)


def transposition(qc: QuantumCircuit, qubits: list[Any], x: int, y: int, occupied: set[int] | None = None) -> None:
    """Append a circuit acting as |x⟩ ↔ |y⟩ on the basis states in ``occupied`` ∪ {x, y}.

    Without ``occupied`` it is the exact permutation of all basis states (k − 1 controls);
    with it, only enough controls to tell x apart from the other occupied states are used."""
    k = len(qubits)
    diff = x ^ y
    bits = [i for i in range(k) if diff >> i & 1]
    p = bits[0]
    hi = x if (x >> p) & 1 else y  # the state with bit p = 1 gets its other differing bits flipped
    lo = x ^ y ^ hi

    def chain(z: int) -> int:
        return z ^ (sum(1 << r for r in bits[1:]) if (z >> p) & 1 else 0)

    if occupied is None:
        ctrl = [r for r in range(k) if r != p]
    else:
        ctrl = _controls(lo, p, {chain(z) for z in occupied} - {lo, chain(hi)}, k)
    for r in bits[1:]:
        qc.cx(qubits[p], qubits[r])
    if ctrl:
        state = sum(((lo >> r) & 1) << j for j, r in enumerate(ctrl))
        qc.mcx([qubits[r] for r in ctrl], qubits[p], ctrl_state=state)
    else:
        qc.x(qubits[p])
    for r in reversed(bits[1:]):
        qc.cx(qubits[p], qubits[r])


def sparse_state_preparation(v: np.ndarray, num_qubits: int | None = None) -> QuantumCircuit:
    """Circuit preparing v/‖v‖ from |0…0⟩ (clause UPL-1); v is given densely, used sparsely."""
    v = np.asarray(v, dtype=complex).ravel()
    k = num_qubits if num_qubits is not None else max(1, int(np.ceil(np.log2(len(v)))))
    if len(v) > 2**k:
        raise InputError("v", f"length {len(v)} does not fit on {k} qubits")
    nv = np.linalg.norm(v)
    if nv == 0 or not np.isfinite(nv):
        raise InputError("v", "must be non-zero and finite")
    full = np.zeros(2**k, dtype=complex)
    full[: len(v)] = v / nv
    dense, moves = _support_moves(full)
    q = max(1, int(np.ceil(np.log2(len(dense)))))
    padded = np.zeros(2**q, dtype=complex)
    padded[: len(dense)] = dense
    phase = padded[np.flatnonzero(padded)[0]]
    phase /= abs(phase)
    qc = QuantumCircuit(k, name="sparse_prep", global_phase=float(np.angle(phase)))
    qc.append(StatePreparation(padded / phase), list(range(q)))
    occupied = {int(i) for i in np.flatnonzero(padded)}
    for f, idx in reversed(moves):
        transposition(qc, list(qc.qubits), f, idx, occupied)
        occupied = (occupied - {f}) | {idx}
    return qc


def dense_state_preparation(v: np.ndarray, num_qubits: int | None = None) -> QuantumCircuit:
    """Qiskit's StatePreparation of the whole vector (the baseline of UPL-1)."""
    v = np.asarray(v, dtype=complex).ravel()
    k = num_qubits if num_qubits is not None else max(1, int(np.ceil(np.log2(len(v)))))
    full = np.zeros(2**k, dtype=complex)
    full[: len(v)] = v / np.linalg.norm(v)
    qc = QuantumCircuit(k, name="dense_prep")
    qc.append(StatePreparation(full), list(range(k)))
    return qc
