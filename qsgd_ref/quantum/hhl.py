"""The HHL circuit with a signed finite clock (clauses HHL-1 … HHL-4) and its simulation.

Registers (Qiskit little-endian): system (k qubits, the padded Hermitian A), clock (c qubits,
clock[0] least significant), ancilla. Steps: upload rhs (sparse, UPL-1); H on the clock;
controlled U^(2^j), U = exp(iAt), on clock[j] (hand-rolled QPE: each controlled power is a
:class:`ControlledPower`, the exact unitary |0⟩⟨0|⊗I + |1⟩⟨1|⊗U^(2^j) kept as the k × k block);
inverse QFT (:class:`ClockFourier`, defined by QFTGate); UCRYGate (target first) rotating the ancilla by sin(θ_k/2) = f(k); the inverse of
the QPE; post-selection of ancilla = 1, clock = 0.

Simulation and resource counting are apart (HHL-4). :func:`simulate` runs the circuit's
instructions on a statevector as they are — each controlled power as one k-qubit matrix product on
the half of the state where its control is 1, the clock's QFT as one FFT, the rotation as one 2 × 2
rotation per clock value, every other instruction through its matrix (or, above
:data:`DENSE_QUBITS` qubits, its definition) — with no transpilation. :func:`aer_statevector` runs
the same circuit on qiskit-aer (the controlled powers as dense unitary instructions), an independent
simulator for cross-checks at small sizes. Only :func:`resources` transpiles: it synthesises the
dense controlled powers into {cx, u}, whose cost grows as 4^k (see :mod:`qsgd_ref.quantum.resources`
for the analytic counts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
from qiskit import QuantumCircuit, QuantumRegister, transpile
from qiskit.circuit import Gate
from qiskit.circuit.library import QFTGate, UCRYGate, UnitaryGate
from qiskit.quantum_info import Operator

from qsgd_ref.quantum.clock import Clock
from qsgd_ref.quantum.dilation import Encoded
from qsgd_ref.quantum.upload import dense_state_preparation, sparse_state_preparation

#: The basis the resources are counted in.
BASIS = ("cx", "u")
#: Instructions on at most this many qubits are applied through their matrix; larger ones (other
#: than the controlled powers and the uniformly controlled rotation) through their definition.
DENSE_QUBITS = 10
#: Instructions the simulator skips (no action on the state).
_SKIP = {"barrier", "save_statevector"}


def _controlled(U: np.ndarray) -> np.ndarray:
    """|0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ U with the control as the least significant qubit."""
    p0 = np.diag([1.0, 0.0])
    p1 = np.diag([0.0, 1.0])
    return np.kron(np.eye(U.shape[0]), p0) + np.kron(U, p1)


class ControlledPower(Gate):  # type: ignore[misc]
    """|0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ V on (control, *targets), V a k-qubit unitary kept as a dense matrix.

    Its definition (used by transpilation and by Aer) is the dense (k + 1)-qubit unitary instruction;
    :func:`simulate` applies V to the control = 1 half of the state instead."""

    def __init__(self, V: np.ndarray, label: str | None = None) -> None:
        k = int(np.log2(V.shape[0]))
        super().__init__("controlled_power", k + 1, [], label=label)
        self.matrix = np.asarray(V, dtype=complex)

    def _define(self) -> None:
        qc = QuantumCircuit(self.num_qubits, name=self.name)
        qc.append(UnitaryGate(_controlled(self.matrix), label=self.label, check_input=False), list(range(self.num_qubits)))
        self.definition = qc

    def inverse(self, annotated: bool = False) -> ControlledPower:
        return ControlledPower(self.matrix.conj().T, label=None if self.label is None else f"{self.label}†")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return _controlled(self.matrix).astype(dtype or complex)


class ClockFourier(Gate):  # type: ignore[misc]
    """The QFT on the clock (|j⟩ ↦ 2^(−c/2) Σ_k e^{2πijk/2^c} |k⟩, little-endian), or its inverse.

    Its definition is Qiskit's QFTGate (or that gate's inverse), which Aer and the transpiler use;
    :func:`simulate` applies it as one FFT over the clock register."""

    def __init__(self, bits: int, inverse: bool = False) -> None:
        super().__init__("clock_qft_dg" if inverse else "clock_qft", bits, [])
        self.inverted = inverse

    def _define(self) -> None:
        qc = QuantumCircuit(self.num_qubits, name=self.name)
        gate = QFTGate(self.num_qubits)
        qc.append(gate.inverse() if self.inverted else gate, list(range(self.num_qubits)))
        self.definition = qc

    def inverse(self, annotated: bool = False) -> ClockFourier:
        return ClockFourier(self.num_qubits, not self.inverted)


def controlled_powers(enc: Encoded, clock: Clock) -> list[np.ndarray]:
    """U^(2^j), j = 0 … c − 1, U = exp(iAt): one matrix exponential and c − 1 squarings."""
    power = sla.expm(1j * clock.time * enc.A)
    out = [power]
    for _ in range(clock.bits - 1):
        power = power @ power
        out.append(power)
    return out


def qpe_circuit(enc: Encoded, clock: Clock) -> QuantumCircuit:
    """QPE of U = exp(iAt) on (system, clock): clock value k ≈ λ t 2^c / 2π."""
    sys_r = QuantumRegister(enc.qubits, "sys")
    clk = QuantumRegister(clock.bits, "clock")
    qc = QuantumCircuit(sys_r, clk, name="qpe")
    qc.h(clk)
    for j, power in enumerate(controlled_powers(enc, clock)):
        qc.append(ControlledPower(power, label=f"cU^{2**j}"), [clk[j], *sys_r])
    qc.append(ClockFourier(clock.bits, inverse=True), clk)
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


# --------------------------------------------------------------------------------------------------
# simulation without transpilation


def _apply(state: np.ndarray, mat: np.ndarray, qubits: list[int]) -> np.ndarray:
    """``mat`` (2^m × 2^m, qubits[0] least significant) applied to the state tensor (axis i holds
    qubit ndim − 1 − i)."""
    nq, m = state.ndim, len(qubits)
    axes = [nq - 1 - q for q in reversed(qubits)]  # the state axes in the order of mat's index bits
    out = np.tensordot(mat.reshape((2,) * (2 * m)), state, axes=(list(range(m, 2 * m)), axes))
    return np.moveaxis(out, list(range(m)), axes)


def _apply_controlled(state: np.ndarray, V: np.ndarray, control: int, targets: list[int]) -> None:
    """V on ``targets`` where ``control`` is 1 (in place)."""
    nq = state.ndim
    ca = nq - 1 - control
    index: list[Any] = [slice(None)] * nq
    index[ca] = 1
    sub = state[tuple(index)]
    # qubit q sits on axis nq − 1 − q of the state, one lower in ``sub`` when after the control's axis
    m = len(targets)
    axes = [a if a < ca else a - 1 for a in (nq - 1 - q for q in reversed(targets))]
    out = np.tensordot(V.reshape((2,) * (2 * m)), sub, axes=(list(range(m, 2 * m)), axes))
    state[tuple(index)] = np.moveaxis(out, list(range(m)), axes)


def _apply_fourier(state: np.ndarray, qubits: list[int], inverse: bool) -> np.ndarray:
    """The QFT (or its inverse) on ``qubits`` (qubits[0] least significant) by one FFT."""
    nq, m = state.ndim, len(qubits)
    axes = [nq - 1 - q for q in reversed(qubits)]  # most significant first
    moved = np.moveaxis(state, axes, list(range(nq - m, nq)))
    shape = moved.shape
    flat = moved.reshape(-1, 2**m)
    out = np.fft.fft(flat, axis=1) / np.sqrt(2**m) if inverse else np.fft.ifft(flat, axis=1) * np.sqrt(2**m)
    return np.moveaxis(out.reshape(shape), list(range(nq - m, nq)), axes)


def _apply_ucry(state: np.ndarray, angles: np.ndarray, target: int, controls: list[int]) -> np.ndarray:
    """RY(θ_j) on ``target`` for control value j (controls[0] least significant)."""
    nq = state.ndim
    cax = [nq - 1 - q for q in reversed(controls)]  # most significant control first
    tax = nq - 1 - target
    moved = np.moveaxis(state, [*cax, tax], list(range(nq - len(controls) - 1, nq)))
    shape = moved.shape
    flat = moved.reshape(-1, 2 ** len(controls), 2)
    cos, sin = np.cos(angles / 2), np.sin(angles / 2)
    a0, a1 = flat[:, :, 0], flat[:, :, 1]
    out = np.stack([cos * a0 - sin * a1, sin * a0 + cos * a1], axis=-1).reshape(shape)
    return np.moveaxis(out, list(range(nq - len(controls) - 1, nq)), [*cax, tax])


def _run(state: np.ndarray, qc: QuantumCircuit, qubit_map: list[int]) -> np.ndarray:
    for inst in qc.data:
        op = inst.operation
        qs = [qubit_map[qc.find_bit(q).index] for q in inst.qubits]
        if op.name in _SKIP:
            continue
        if isinstance(op, ControlledPower):
            _apply_controlled(state, op.matrix, qs[0], qs[1:])
        elif isinstance(op, ClockFourier):
            state = _apply_fourier(state, qs, op.inverted)
        elif isinstance(op, UCRYGate):
            state = _apply_ucry(state, np.asarray(op.params, dtype=float), qs[0], qs[1:])
        elif op.num_qubits <= DENSE_QUBITS:
            state = _apply(state, Operator(op).data, qs)
        elif op.definition is not None:
            state = _run(state, op.definition, qs)
        else:  # pragma: no cover - every instruction built here has a definition
            raise TypeError(f"cannot simulate {op.name} on {op.num_qubits} qubits")
    return state


def simulate(qc: QuantumCircuit, initial: np.ndarray | None = None) -> np.ndarray:
    """The final statevector of ``qc`` (from |0…0⟩ or ``initial``), instruction by instruction as
    built (no transpilation); Qiskit's little-endian order. The circuit's global phase is applied."""
    nq = qc.num_qubits
    if initial is None:
        state = np.zeros((2,) * nq, dtype=complex)
        state[(0,) * nq] = 1.0
    else:
        state = np.asarray(initial, dtype=complex).reshape((2,) * nq).copy()
    state = _run(state, qc, list(range(nq)))
    return np.asarray(state.reshape(-1) * np.exp(1j * _phase(qc)))


def _phase(qc: QuantumCircuit) -> float:
    """The global phases of ``qc`` and of the sub-circuits :func:`_run` enters (definitions of large
    instructions other than the controlled powers and the rotation)."""
    total = float(qc.global_phase)
    for inst in qc.data:
        op = inst.operation
        if (op.name not in _SKIP and not isinstance(op, ControlledPower | UCRYGate | ClockFourier)
                and op.num_qubits > DENSE_QUBITS and op.definition is not None):
            total += _phase(op.definition)
    return total


def aer_statevector(qc: QuantumCircuit) -> np.ndarray:
    """The final statevector from qiskit-aer (statevector method): an independent simulator for
    cross-checks. The instructions Aer lacks (state preparation, QFT, UCRY) are decomposed for it at
    optimisation level 0; the controlled powers reach it as dense unitary instructions."""
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector")
    c = qc.copy()
    c.save_statevector()
    res = sim.run(transpile(c, sim, optimization_level=0)).result()
    return np.asarray(res.get_statevector())


def resources(qc: QuantumCircuit, basis: tuple[str, ...] = BASIS) -> dict[str, Any]:
    """Qubits, depth and gate counts after transpiling to ``basis`` (optimization level 1, fixed seed).

    This synthesises every controlled power as a dense (k + 1)-qubit unitary: its time grows as 8^k
    (see :func:`qsgd_ref.quantum.resources.transpile_seconds`)."""
    t = transpile(qc, basis_gates=list(basis), optimization_level=1, seed_transpiler=0)
    ops = dict(t.count_ops())
    return {"qubits": t.num_qubits, "depth": t.depth(), "cx": int(ops.get("cx", 0)),
            "gates": int(sum(ops.values())), "basis": list(basis), "method": "transpiled"}
