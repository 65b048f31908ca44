"""The signed QPE clock and the reciprocal rotation (clauses HHL-2, HHL-3).

With c clock qubits and U = exp(iAt), QPE writes the eigenphase φ = λt/2π as the clock value
k ∈ {0, …, 2^c − 1}, read as the signed integer k' = k − 2^c for k ≥ 2^(c−1) (two's complement),
so negative eigenvalues are handled. t scales the spectrum so that the largest |λ| lands on
k_max = 2^(c−1) − 2 (two bins from the wrap-around); the smallest then lands on k_max/κ.
The ancilla amplitude is f(k') = c₀/k' (clamped to ±1, 0 for k' = 0), i.e. ≈ C/λ with
C = 2π c₀ / (t 2^c). The constant c₀ > 0 is real; :func:`qsgd_ref.quantum.twin.choose_clock`
chooses it (HHL-3), :func:`make_clock` without ``c0`` gives the conservative ⌊k_min⌋ − 1.
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
    c0: float  # numerator of the reciprocal rotation (real, > 0)

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


def make_clock(eigenvalues: np.ndarray, bits: int, c0: float | None = None, *, min_bin: int | None = None) -> Clock:
    """The clock of ``bits`` qubits scaled to the spectrum (clause HHL-3), with the rotation constant
    ``c0``; without it, the conservative c₀ = max(1, ⌊k_min⌋ − 1) (unclamped one bin below the
    smallest eigenvalue). t puts the largest |λ| on k_max = 2^(c−1) − 2, or, with ``min_bin`` = j,
    the smallest |λ| exactly on bin j (then the largest lands on j κ)."""
    check_clock_bits(bits)
    a = np.abs(np.asarray(eigenvalues))
    kmax = 2 ** (bits - 1) - 2
    t = 2.0 * np.pi * kmax / (a.max() * 2**bits)
    if min_bin is not None:
        if min_bin < 1:
            raise InputError("min_bin", f"must be a positive bin, got {min_bin}")
        t = 2.0 * np.pi * min_bin / (a.min() * 2**bits)
        kmax = min_bin * a.max() / a.min()
    if c0 is None:
        c0 = max(1, int(np.floor(kmax * a.min() / a.max())) - 1)
    if not (np.isfinite(c0) and c0 > 0):
        raise InputError("c0", f"must be a positive number, got {c0}")
    return Clock(bits, float(t), float(c0))


def clock_lower_bound(kappa: float, eps: float) -> int:
    """Smallest c with k_min = (2^(c−1) − 2)/κ ≥ 1/ε (relative bin width ≤ ε at the smallest |λ|)."""
    return int(min(MAX_CLOCK, max(MIN_CLOCK, 1 + np.ceil(np.log2(kappa / eps + 2)))))
