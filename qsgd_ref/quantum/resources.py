"""Resources of the HHL circuit and the work of simulating it (clause HHL-4).

The analytic counts describe the construction of :func:`qsgd_ref.quantum.hhl.hhl_circuit` without
synthesising it: qubits, controlled powers (and the U applications they stand for), the rotation
angles, and the CX count that the stated synthesis needs — Qiskit's, at optimisation level 1 into
{cx, u}:

* each controlled power |0⟩⟨0| ⊗ I + |1⟩⟨1| ⊗ U^(2^j) is a dense (k + 1)-qubit unitary, synthesised
  by the quantum Shannon decomposition: (25/96)·4^(k+1) − 2^(k+1) + 4/3 CX for k + 1 ≥ 3
  (2 for k = 1) — the count Qiskit 2.x reaches on a generic block-diagonal unitary of this form
  (checked against the transpiler in tests/test_quantum_resources.py; particular U, such as the
  complex symmetric powers of exp(iAt) for a real A, can take a few per cent fewer);
* the inverse QFT and the QFT on c qubits: c(c − 1) + 3⌊c/2⌋ CX each (two per controlled phase,
  three per swap);
* the uniformly controlled RY of the ancilla: 2^c CX;
* the upload: its own sub-circuit (no dense unitary in it) transpiled alone.

The transpiled count of the whole circuit (:func:`qsgd_ref.quantum.hhl.resources`) can therefore be
lower, and also by cancellations where blocks meet. The work estimates (:func:`simulation_flops`, :func:`peak_bytes`,
:func:`transpile_seconds`) are what ``qsgd-ref hhl`` states before it runs.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

#: Seconds per CX of a transpiled count (unitary synthesis plus the level-1 passes over the gates),
#: measured on the benchmark machine for 8- and 9-qubit controlled powers (docs/performance.md).
TRANSPILE_SECONDS_PER_CX = 5e-5
#: Bytes per CX held while transpiling (the CX and the single-qubit gates between them, as DAG nodes).
TRANSPILE_BYTES_PER_CX = 1000
#: Memory of the interpreter with numpy, scipy and qiskit loaded, before any array of the run.
BASE_BYTES = 160 * 2**20
#: Seconds the run needs whatever the size (imports, the reference iterations of a small problem,
#: building the circuit's Python objects).
BASE_SECONDS = 2.0


def controlled_power_cx(system_qubits: int) -> int:
    """CX of one controlled power on k + 1 qubits (see the module docstring)."""
    n = system_qubits + 1
    if n == 2:
        return 2
    return (25 * (1 << 2 * n) - 96 * (1 << n) + 128) // 96


def qft_cx(bits: int) -> int:
    """CX of the (inverse) QFT on c qubits: c(c − 1) + 3⌊c/2⌋."""
    return bits * (bits - 1) + 3 * (bits // 2)


def construction_cx(system_qubits: int, bits: int, upload_cx: int = 0) -> int:
    """CX of the whole construction: 2c controlled powers, QFT⁻¹ and QFT, the rotation, the upload."""
    return 2 * bits * controlled_power_cx(system_qubits) + 2 * qft_cx(bits) + (1 << bits) + upload_cx


def analytic_resources(system_qubits: int, bits: int, upload_cx: int) -> dict[str, Any]:
    """The analytic counts of the construction (HHL-4) as the ``resources`` of a result."""
    k, c = system_qubits, bits
    parts = {"controlled_powers": 2 * c * controlled_power_cx(k), "qft": 2 * qft_cx(c),
             "rotation": 2**c, "upload": upload_cx}
    return {
        "method": "analytic",
        "qubits": k + c + 1,
        "system_qubits": k,
        "clock_qubits": c,
        "depth": None,
        "cx": sum(parts.values()),
        "cx_parts": parts,
        "controlled_powers": 2 * c,
        "controlled_u_applications": 2 * (2**c - 1),
        "rotation_angles": 2**c,
        "synthesis": "Qiskit, optimisation level 1, basis {cx, u}: each controlled power a dense "
                     f"{k + 1}-qubit unitary by the quantum Shannon decomposition "
                     "((25/96)4^(k+1) − 2^(k+1) + 4/3 CX); QFT c(c−1) + 3⌊c/2⌋; rotation 2^c; "
                     "upload transpiled alone",
    }


def simulation_flops(system_qubits: int, bits: int, small_gates: int) -> float:
    """Real floating-point operations of :func:`qsgd_ref.quantum.hhl.simulate` and of building U's
    powers: 2c controlled powers on half the state (2^(k+c) amplitudes × 2^k, 8 flops per complex
    multiply-add), ``small_gates`` other instructions passing over the whole state (32 flops per
    amplitude each), and one matrix exponential (≈ 20 products) and c − 1 squarings of 2^k × 2^k."""
    k, c = system_qubits, bits
    powers = 2.0 * c * 2.0 ** (k + c) * 2.0**k * 8.0
    passes = small_gates * 2.0 ** (k + c + 1) * 32.0
    matrices = (20 + c) * 8.0**k * 8.0
    return float(powers + passes + matrices)


def statevector_bytes(qubits: int) -> int:
    """Bytes of one complex128 state vector on ``qubits`` qubits."""
    return 16 << qubits


def peak_bytes(system_qubits: int, bits: int) -> int:
    """Estimated peak memory of a run: the interpreter (BASE_BYTES), four state vectors (the state,
    the half a controlled power writes, the product and its reordering), and 2c + 6 dense
    2^k × 2^k complex matrices (A, its eigenvectors, the exponential's work space, the powers and
    their inverses), and the twin's 2^k × 2^c tables (three)."""
    k, c = system_qubits, bits
    dense = (2 * c + 6) * (16 << 2 * k)
    return BASE_BYTES + 4 * statevector_bytes(k + c + 1) + dense + 3 * (16 << (k + c))


def transpile_seconds(cx: int) -> float:
    """Estimated time of the transpiled count of a circuit of ``cx`` CX (TRANSPILE_SECONDS_PER_CX)."""
    return cx * TRANSPILE_SECONDS_PER_CX


def transpile_bytes(cx: int) -> int:
    """Estimated memory of the transpiled count, on top of the run (TRANSPILE_BYTES_PER_CX)."""
    return cx * TRANSPILE_BYTES_PER_CX


def flop_rate(size: int = 256, repeat: int = 3) -> float:
    """Complex matrix-product flops per second of this machine now (best of ``repeat`` products of
    ``size`` × ``size`` matrices, a few milliseconds): the rate the time estimates divide by."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size))
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t0)
    return 8.0 * size**3 / max(best, 1e-9)
