"""The classical twin of the finite-clock HHL circuit (clause HHL-2).

For A = Σ λ_i |u_i⟩⟨u_i| and rhs = Σ β_i |u_i⟩, QPE gives |u_i⟩ Σ_k α_k(φ_i) |k⟩ with
α_k(φ) = 2^(−c) Σ_j e^{2πi j (φ − k/2^c)}, φ_i = λ_i t / 2π. After the rotation, the uncomputation
and post-selection of ancilla = 1 and clock = 0 the system holds
    Σ_i β_i g(λ_i) |u_i⟩,   g(λ) = Σ_k |α_k(φ)|² f(k),
whose squared norm is the success probability (leakage into neighbouring bins included).
Without the clock post-selection the ancilla = 1 probability is Σ_i |β_i|² Σ_k |α_k(φ_i)|² f(k)².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qsgd_ref.quantum.clock import MAX_CLOCK, Clock, clock_lower_bound, make_clock
from qsgd_ref.quantum.dilation import Encoded


def qpe_weights(clock: Clock, lam: np.ndarray) -> np.ndarray:
    """|α_k(φ)|² for each eigenvalue (rows) and clock value k (columns)."""
    phi = np.asarray(lam, dtype=float) * clock.time / (2 * np.pi)
    j = np.arange(clock.size)
    phase = np.exp(2j * np.pi * np.outer(phi, j))  # (eig, j)
    # α_k = 2^(−c) Σ_j phase_j e^{−2πi jk/2^c}: a discrete Fourier transform over j (numpy's sign
    # convention), O(2^c c) per eigenvalue instead of the 2^c × 2^c kernel (4 GiB at c = 14)
    alpha = np.fft.fft(phase, axis=1) / clock.size
    return np.asarray(np.abs(alpha) ** 2, dtype=float)


@dataclass(frozen=True)
class TwinOutput:
    """Exact post-selected output: ``state`` (normalised), ``success_probability``
    (ancilla = 1 and clock = 0), ``ancilla_probability`` (ancilla = 1 alone), ``fidelity``
    |⟨ideal|state⟩|² against the normalised A⁻¹ rhs."""

    state: np.ndarray
    success_probability: float
    ancilla_probability: float
    fidelity: float
    unnormalised: np.ndarray


def twin(enc: Encoded, clock: Clock) -> TwinOutput:
    """The state the circuit of :func:`qsgd_ref.quantum.hhl.hhl_circuit` outputs, computed exactly."""
    lam, U = np.linalg.eigh(enc.A)
    beta = U.conj().T @ enc.rhs
    w = qpe_weights(clock, lam)
    f = clock.amplitudes()
    g = w @ f
    out = U @ (beta * g)
    p = float(np.vdot(out, out).real)
    anc = float(np.sum(np.abs(beta) ** 2 * (w @ f**2)))
    ideal = enc.solution()
    ideal = ideal / np.linalg.norm(ideal)
    state = out / np.sqrt(p) if p > 0 else out
    fid = float(abs(np.vdot(ideal, state)) ** 2) if p > 0 else 0.0
    return TwinOutput(state, p, anc, fid, out)


def choose_clock(enc: Encoded, target_fidelity: float = 0.999, eps: float = 1.0) -> tuple[Clock, str]:
    """Clock sizing (clause HHL-3): start at the κ rule c ≥ 1 + log2(κ/ε + 2) and add qubits until
    the twin certifies ``target_fidelity`` (or MAX_CLOCK is reached; the reason is returned)."""
    c = clock_lower_bound(enc.kappa, eps)
    while True:
        clk = make_clock(enc.eigenvalues, c)
        fid = twin(enc, clk).fidelity
        if fid >= target_fidelity:
            return clk, f"kappa rule gave {clock_lower_bound(enc.kappa, eps)}; twin fidelity {fid:.6f} >= {target_fidelity} at {c}"
        if c >= MAX_CLOCK:
            return clk, f"twin fidelity {fid:.6f} < {target_fidelity} at the maximum clock {c}"
        c += 1
