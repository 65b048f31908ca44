"""The signed QPE clock and the reciprocal rotation (clauses HHL-2, HHL-3).

With c clock qubits and U = exp(iAt), QPE writes the eigenphase φ = λt/2π as the clock value
k ∈ {0, …, 2^c − 1}, read as the signed integer k' = k − 2^c for k ≥ 2^(c−1) (two's complement),
so negative eigenvalues are handled. t scales the spectrum so that the largest |λ| lands on
k_max = 2^(c−1) − 2 (two bins from the wrap-around); the smallest then lands on k_max/κ.
The ancilla amplitude is f(k') = c₀/k' (clamped to ±1, 0 for k' = 0), i.e. ≈ C/λ with
C = 2π c₀ / (t 2^c).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qsgd_ref.base.errors import InputError

MIN_CLOCK, MAX_CLOCK = 3, 14


@dataclass(frozen=True)
class Clock:
    bits: int
    time: float  # t in U = exp(iAt)
    c0: int  # numerator of the reciprocal rotation

    @property
    def size(self) -> int:
        return int(2**self.bits)

    def signed(self) -> np.ndarray:
        """k' for k = 0 … 2^c − 1."""
        k = np.arange(self.size)
        return np.where(k >= self.size // 2, k - self.size, k)

    def amplitudes(self) -> np.ndarray:
        """f(k) = clamp(c₀/k', −1, 1), f = 0 where k' = 0."""
        ks = self.signed().astype(float)
        out = np.zeros(self.size)
        nz = ks != 0
        out[nz] = np.clip(self.c0 / ks[nz], -1.0, 1.0)
        return out

    def angles(self) -> np.ndarray:
        """RY angles θ_k with sin(θ_k/2) = f(k)."""
        return np.asarray(2.0 * np.arcsin(self.amplitudes()), dtype=float)

    @property
    def scale(self) -> float:
        """C: the ideal post-selected amplitude is C · A⁻¹ rhs."""
        return 2.0 * np.pi * self.c0 / (self.time * self.size)


def check_clock_bits(bits: int) -> int:
    """Refuse a clock size outside [MIN_CLOCK, MAX_CLOCK] (InputError naming clock_qubits)."""
    if isinstance(bits, bool) or not isinstance(bits, int | np.integer) or not MIN_CLOCK <= bits <= MAX_CLOCK:
        raise InputError("clock_qubits", f"must be in [{MIN_CLOCK}, {MAX_CLOCK}], got {bits}")
    return int(bits)


def make_clock(eigenvalues: np.ndarray, bits: int) -> Clock:
    """The clock of ``bits`` qubits scaled to the spectrum (clause HHL-3)."""
    check_clock_bits(bits)
    a = np.abs(np.asarray(eigenvalues))
    kmax = 2 ** (bits - 1) - 2
    t = 2.0 * np.pi * kmax / (a.max() * 2**bits)
    kmin = kmax * a.min() / a.max()
    return Clock(bits, float(t), max(1, int(np.floor(kmin)) - 1))


def clock_lower_bound(kappa: float, eps: float) -> int:
    """Smallest c with k_min = (2^(c−1) − 2)/κ ≥ 1/ε (relative bin width ≤ ε at the smallest |λ|)."""
    return int(min(MAX_CLOCK, max(MIN_CLOCK, 1 + np.ceil(np.log2(kappa / eps + 2)))))
