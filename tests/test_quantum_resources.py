"""Resources of the HHL circuit (HHL-4): the analytic counts of the construction against Qiskit's
transpiler, part by part and for whole circuits; the work estimate stated before a run."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import QFTGate, UCRYGate
from scipy.stats import unitary_group

from qsgd_ref.quantum.clock import make_clock
from qsgd_ref.quantum.dilation import encode
from qsgd_ref.quantum.hhl import BASIS, ControlledPower, hhl_circuit, resources
from qsgd_ref.quantum.resources import (
    analytic_resources,
    construction_cx,
    controlled_power_cx,
    peak_bytes,
    qft_cx,
    simulation_flops,
    statevector_bytes,
)
from qsgd_ref.quantum.upload import sparse_state_preparation


def transpiled_cx(qc: QuantumCircuit) -> int:
    t = transpile(qc, basis_gates=list(BASIS), optimization_level=1, seed_transpiler=0)
    return int(dict(t.count_ops()).get("cx", 0))


@pytest.mark.clause("HHL-4")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_controlled_power_cx_formula_against_the_transpiler(k: int) -> None:
    """(25/96)4^(k+1) − 2^(k+1) + 4/3 (2 for k = 1) exactly for a random unitary; for a power of
    exp(iAt) with A real symmetric (a complex symmetric U) the synthesis may save a few CX."""
    rng = np.random.default_rng(k)
    H = rng.normal(size=(2**k, 2**k))
    H = H + H.T
    w, v = np.linalg.eigh(H)
    for generic, V in ((True, unitary_group.rvs(2**k, random_state=k)), (False, (v * np.exp(1.3j * w)) @ v.conj().T)):
        qc = QuantumCircuit(k + 1)
        qc.append(ControlledPower(V), list(range(k + 1)))
        got = transpiled_cx(qc)
        if generic:
            assert got == controlled_power_cx(k)
        else:
            assert 0.95 * controlled_power_cx(k) <= got <= controlled_power_cx(k), (got, controlled_power_cx(k))


@pytest.mark.clause("HHL-4")
@pytest.mark.parametrize("bits", [3, 4, 5, 6])
def test_qft_and_rotation_cx_against_the_transpiler(bits: int) -> None:
    for gate in (QFTGate(bits), QFTGate(bits).inverse()):
        qc = QuantumCircuit(bits)
        qc.append(gate, list(range(bits)))
        assert transpiled_cx(qc) == qft_cx(bits)
    qc = QuantumCircuit(bits + 1)
    qc.append(UCRYGate(list(np.random.default_rng(bits).uniform(-3, 3, 2**bits))), list(range(bits + 1)))
    assert transpiled_cx(qc) == 2**bits


@pytest.mark.clause("HHL-4")
@pytest.mark.parametrize(("m", "bits"), [(2, 3), (3, 4), (5, 3), (6, 4)])
def test_whole_circuit_cx_analytic_against_transpiled(m: int, bits: int) -> None:
    """The sum of the parts is the transpiled count of the whole circuit, or above it by what the
    synthesis saves on these particular unitaries and the optimiser cancels where blocks meet
    (at most 5 % here)."""
    rng = np.random.default_rng(m)
    L = rng.normal(size=(m, m)) + 3 * np.eye(m)
    enc = encode(L, rng.normal(size=m))
    clk = make_clock(enc.eigenvalues, bits, 2.5)
    upload = transpiled_cx(sparse_state_preparation(enc.rhs, enc.qubits))
    counts = analytic_resources(enc.qubits, bits, upload)
    assert counts["cx"] == construction_cx(enc.qubits, bits, upload) == sum(counts["cx_parts"].values())
    t = resources(hhl_circuit(enc, clk))
    assert t["qubits"] == counts["qubits"] == enc.qubits + bits + 1
    assert counts["cx"] * 0.95 <= t["cx"] <= counts["cx"], (t["cx"], counts["cx"])
    assert counts["controlled_powers"] == 2 * bits and counts["controlled_u_applications"] == 2 * (2**bits - 1)


@pytest.mark.clause("HHL-4")
def test_work_model_components() -> None:
    """The estimate's pieces by hand for k = 9, c = 6: a state vector of 2^16 complex numbers, the
    controlled powers' 2c · 2^(k+c) · 2^k multiply-adds, and a peak above the vectors and matrices."""
    assert statevector_bytes(16) == 16 * 2**16
    assert simulation_flops(9, 6, 0) == 2 * 6 * 2**15 * 2**9 * 8.0 + 26 * 8.0**9 * 8.0
    assert peak_bytes(9, 6) > 4 * statevector_bytes(16) + 18 * 16 * 4**9
