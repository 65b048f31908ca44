"""The HHL circuit with a signed finite clock (clauses HHL-1 … HHL-3).

Registers (Qiskit little-endian): system (k qubits, the padded Hermitian A), clock (c qubits,
clock[0] least significant), ancilla. Steps: upload rhs (sparse, UPL-1); H on the clock;
controlled U^(2^j), U = exp(iAt), on clock[j] (hand-rolled QPE: the controlled powers are exact
unitaries, |0⟩⟨0|⊗I + |1⟩⟨1|⊗U^(2^j)); inverse QFTGate; UCRYGate (target first) rotating the
ancilla by sin(θ_k/2) = f(k); the inverse of the QPE; post-selection of ancilla = 1, clock = 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
from qiskit import QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit.library import QFTGate, UCRYGate, UnitaryGate

from qsgd_ref.quantum.clock import Clock
from qsgd_ref.quantum.dilation import Encoded
from qsgd_ref.quantum.upload import dense_state_preparation, sparse_state_preparation

#: The basis the resources are counted in.
BASIS = ("cx", "u")


def _controlled(U: np.ndarray) -> np.ndarray:
    """|0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ U with the control as the least significant qubit."""
    p0 = np.diag([1.0, 0.0])
    p1 = np.diag([0.0, 1.0])
    return np.kron(np.eye(U.shape[0]), p0) + np.kron(U, p1)


def qpe_circuit(enc: Encoded, clock: Clock) -> QuantumCircuit:
    """QPE of U = exp(iAt) on (system, clock): clock value k ≈ λ t 2^c / 2π."""
    sys_r = QuantumRegister(enc.qubits, "sys")
    clk = QuantumRegister(clock.bits, "clock")
    qc = QuantumCircuit(sys_r, clk, name="qpe")
    qc.h(clk)
    U = sla.expm(1j * clock.time * enc.A)
    power = U
    for j in range(clock.bits):
        qc.append(UnitaryGate(_controlled(power), label=f"cU^{2**j}", check_input=False), [clk[j], *sys_r])
        power = power @ power
    qc.append(QFTGate(clock.bits).inverse(), clk)
    return qc


def hhl_circuit(enc: Encoded, clock: Clock, *, upload: str = "sparse") -> QuantumCircuit:
    """The full HHL circuit (no measurements)."""
    sys_r = QuantumRegister(enc.qubits, "sys")
    clk = QuantumRegister(clock.bits, "clock")
    anc = QuantumRegister(1, "anc")
    qc = QuantumCircuit(sys_r, clk, anc, name="hhl")
    prep = sparse_state_preparation if upload == "sparse" else dense_state_preparation
    qc.compose(prep(enc.rhs, enc.qubits), sys_r, inplace=True)
    qpe = qpe_circuit(enc, clock)
    qc.compose(qpe, [*sys_r, *clk], inplace=True)
    qc.append(UCRYGate(list(clock.angles())), [anc[0], *clk])
    qc.compose(qpe.inverse(), [*sys_r, *clk], inplace=True)
    return qc


def postselect(statevector: np.ndarray, enc: Encoded, clock: Clock) -> tuple[np.ndarray, float]:
    """(system amplitudes with ancilla = 1 and clock = 0, un-normalised; their probability)."""
    sv = np.asarray(statevector).reshape(2, clock.size, 2**enc.qubits)  # (anc, clock, sys)
    out = sv[1, 0, :]
    return out, float(np.vdot(out, out).real)


def aer_statevector(qc: QuantumCircuit) -> np.ndarray:
    """The final statevector from qiskit-aer (statevector method)."""
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector")
    c = qc.copy()
    c.save_statevector()
    res = sim.run(transpile(c, sim, optimization_level=0)).result()
    return np.asarray(res.get_statevector())


def resources(qc: QuantumCircuit, basis: tuple[str, ...] = BASIS) -> dict[str, Any]:
    """Qubits, depth and gate counts after transpiling to ``basis`` (optimization level 1, fixed seed)."""
    t = transpile(qc, basis_gates=list(basis), optimization_level=1, seed_transpiler=0)
    ops = dict(t.count_ops())
    return {"qubits": t.num_qubits, "depth": t.depth(), "cx": int(ops.get("cx", 0)),
            "gates": int(sum(ops.values())), "basis": list(basis)}
