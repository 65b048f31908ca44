"""Sparse state preparation (UPL-1): exact state, ≤ s transpositions, few controls, fewer CX than
StatePreparation once the register is larger than the support."""

from __future__ import annotations

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st
from qiskit import transpile
from qiskit.quantum_info import Statevector

from qsgd_ref.quantum.upload import dense_state_preparation, sparse_state_preparation, transposition


@st.composite
def sparse_vector(draw: st.DrawFn, max_k: int = 6) -> tuple[np.ndarray, int, int]:
    k = draw(st.integers(1, max_k), label="qubits")
    s = draw(st.integers(1, min(6, 2**k)), label="sparsity")
    support = draw(st.lists(st.integers(0, 2**k - 1), min_size=s, max_size=s, unique=True), label="support")
    re = draw(st.lists(st.floats(0.1, 1.0), min_size=s, max_size=s), label="magnitudes")
    ph = draw(st.lists(st.floats(-np.pi, np.pi), min_size=s, max_size=s), label="phases")
    v = np.zeros(2**k, dtype=complex)
    v[support] = np.array(re) * np.exp(1j * np.array(ph))
    return v, k, s


@pytest.mark.clause("UPL-1")
@given(data=sparse_vector())
def test_sparse_preparation_is_exact_with_few_controls(data: tuple[np.ndarray, int, int]) -> None:
    v, k, s = data
    qc = sparse_state_preparation(v, k)
    got = Statevector(qc).data
    assert_close(got, v / np.linalg.norm(v), tol=1e-10, what="prepared state (global phase included)")
    mcx = [ins for ins in qc.data if ins.operation.name.startswith("mcx") or ins.operation.name == "x"]
    assert len(mcx) <= s
    for ins in mcx:
        assert getattr(ins.operation, "num_ctrl_qubits", 0) <= min(k - 1, s - 1)


@pytest.mark.clause("UPL-1")
@given(k=st.integers(1, 4), data=st.data())
def test_transposition_without_occupancy_is_the_permutation(k: int, data: st.DataObject) -> None:
    x = data.draw(st.integers(0, 2**k - 1), label="x")
    y = x ^ data.draw(st.integers(1, 2**k - 1), label="x xor y")  # y ≠ x by construction
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    qc = QuantumCircuit(k)
    transposition(qc, list(qc.qubits), x, y)
    perm = np.arange(2**k)
    perm[x], perm[y] = y, x
    expected = np.eye(2**k)[perm].T  # column z is e_{perm(z)}
    assert_close(Operator(qc).data, expected, tol=1e-10, what=f"transposition ({x} {y}) as a permutation")


@pytest.mark.clause("UPL-1")
def test_cx_count_grows_with_sparsity_not_dimension() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for k in (6, 8, 10):
        v = np.zeros(2**k)
        v[rng.choice(2**k, 3, replace=False)] = rng.normal(size=3)
        cx_sparse = transpile(sparse_state_preparation(v, k), basis_gates=["cx", "u"], optimization_level=1).count_ops().get("cx", 0)
        cx_dense = transpile(dense_state_preparation(v, k), basis_gates=["cx", "u"], optimization_level=1).count_ops().get("cx", 0)
        rows.append((k, cx_sparse, cx_dense))
    for k, cs, cd in rows:
        assert cs < cd, rows
        assert cs <= 3 * (2 * (k - 1) + 16 * 2), rows  # ≤ s transpositions, each ≤ 2(k−1) CX + an MCX with ≤ 2 controls
    assert rows[-1][2] >= 2 ** (rows[-1][0] - 1)  # the dense preparation grows with n
