"""Hermitian encoding of a linear system for HHL (clause HHL-1).

L x = b with L not Hermitian becomes A (x₁, x₂) = (b, 0) with A = [[0, L], [L†, 0]]; then
x₁ = 0 and x₂ = L⁻¹ b. The eigenvalues of A are ±σ_i(L), so κ(A) = κ(L). A is padded to a
power of two with the value σ_max on the extra diagonal entries, which leaves κ unchanged and,
since the right-hand side vanishes there, does not enter the solution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base.errors import InputError, SizeLimitError

#: Largest system register simulated here (dense matrices of 2^k × 2^k complex entries).
MAX_SYSTEM_QUBITS = 9


@dataclass(frozen=True)
class Encoded:
    """A Hermitian system A y = rhs on ``qubits`` qubits with the original solution inside y.

    ``rhs`` is normalised (``rhs_norm`` = ‖b‖); ``solution_slice`` picks x = L⁻¹ b out of
    y = A⁻¹ (b, 0, …) (un-normalised); ``eigenvalues`` is the spectrum of A (ascending), and
    :attr:`eigh` the eigendecomposition the twin uses (computed once, on first use)."""

    A: np.ndarray
    rhs: np.ndarray
    rhs_norm: float
    qubits: int
    size: int
    dilated: bool
    eigenvalues: np.ndarray

    @property
    def solution_slice(self) -> slice:
        return slice(self.size, 2 * self.size) if self.dilated else slice(0, self.size)

    @property
    def kappa(self) -> float:
        a = np.abs(self.eigenvalues)
        return float(a.max() / a.min())

    @cached_property
    def eigh(self) -> tuple[np.ndarray, np.ndarray]:
        """(eigenvalues, orthonormal eigenvectors as columns) of A, by one ``numpy.linalg.eigh``."""
        lam, vecs = np.linalg.eigh(self.A)
        return lam, vecs

    @cached_property
    def normalised_solution(self) -> np.ndarray:
        """A⁻¹ rhs / ‖A⁻¹ rhs‖ (dense solve, computed once): the state HHL aims at."""
        y = self.solution()
        return np.asarray(y / np.linalg.norm(y))

    def solution(self) -> np.ndarray:
        """y = A⁻¹ rhs (normalised rhs) by a dense solve — the ideal HHL output before scaling."""
        return np.linalg.solve(self.A, self.rhs)


def hermitian_dilation(L: sp.spmatrix | np.ndarray) -> sp.csr_matrix:
    """[[0, L], [L†, 0]] (clause HHL-1)."""
    L = sp.csr_matrix(L)
    if L.shape[0] != L.shape[1]:
        raise InputError("L", f"must be square, got shape {L.shape}")
    return sp.bmat([[None, L], [L.conj().T, None]], format="csr")


def encode(L: sp.spmatrix | np.ndarray, b: np.ndarray, *, dilate: bool | None = None) -> Encoded:
    """Dilate (unless L is Hermitian and ``dilate`` is not True), pad to 2^k, normalise b."""
    L = sp.csr_matrix(L, dtype=complex)
    b = np.asarray(b, dtype=complex).ravel()
    m = L.shape[0]
    if L.shape != (m, m) or b.shape != (m,):
        raise InputError("b", f"shape {b.shape} does not match L of shape {L.shape}")
    if not np.all(np.isfinite(b)) or not np.all(np.isfinite(L.data)):
        raise InputError("L", "entries must be finite")
    nb = float(np.linalg.norm(b))
    if nb == 0.0:
        raise InputError("b", "the right-hand side is zero (the solution is zero; nothing to prepare)")
    hermitian = abs(L - L.conj().T).max() == 0 if m else True
    if dilate is None:
        dilate = not hermitian
    if not dilate and not hermitian:
        raise InputError("L", "is not Hermitian; use the dilation")
    H = hermitian_dilation(L) if dilate else L
    rhs = np.zeros(H.shape[0], dtype=complex)
    rhs[:m] = b / nb
    k = max(1, int(np.ceil(np.log2(H.shape[0]))))
    if k > MAX_SYSTEM_QUBITS:
        raise SizeLimitError("L", f"needs {k} system qubits (dimension {H.shape[0]:,}), over {MAX_SYSTEM_QUBITS}")
    dense = H.toarray()
    ev = np.linalg.eigvalsh(dense)
    if np.min(np.abs(ev)) <= 1e-14 * max(1.0, np.max(np.abs(ev))):
        raise InputError("L", "is singular to working precision")
    A = np.zeros((2**k, 2**k), dtype=complex)
    A[: H.shape[0], : H.shape[0]] = dense
    pad = 2**k - H.shape[0]
    if pad:
        A[H.shape[0] :, H.shape[0] :] = np.eye(pad) * np.max(np.abs(ev))
    rhs_full = np.zeros(2**k, dtype=complex)
    rhs_full[: H.shape[0]] = rhs
    return Encoded(A, rhs_full, nb, k, m, bool(dilate), np.linalg.eigvalsh(A))
