"""Hessian spectra (clause MOD-4): exact for small models, stochastic Lanczos quadrature for large ones.

SLQ: for Rademacher vectors v, k Lanczos steps on H from v/‖v‖ give a tridiagonal T_k with
eigenpairs (θ_j, y_j); the Gauss rule Σ_j y_{1j}² δ(θ_j) reproduces vᵀH^p v/‖v‖² for p < 2k.
Averaging over the vectors estimates the spectral measure (1/n) Σ_i δ(λ_i). Only Hessian-vector
products are used (a scipy LinearOperator); full re-orthogonalisation keeps the basis orthonormal.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.sparse.linalg import LinearOperator

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.limits import check_bytes
from qsgd_ref.base.progress import tracked


def dense_matrix(op: LinearOperator) -> np.ndarray:
    """The operator as a dense matrix, column by column (for small models)."""
    n = int(op.shape[0])
    check_bytes("hessian", f"a dense {n} × {n} Hessian", 8 * n * n)
    cols = [np.asarray(op.matvec(e)).ravel() for e in np.eye(n)]
    return np.column_stack(cols) if cols else np.zeros((0, 0))


def exact_spectrum(op: LinearOperator) -> np.ndarray:
    """All eigenvalues (ascending) of the symmetrised dense operator."""
    H = dense_matrix(op)
    return np.asarray(np.linalg.eigvalsh((H + H.T) / 2))


def lanczos(op: LinearOperator, v0: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal α and off-diagonal β of the Lanczos tridiagonal from v0 (stops early on breakdown)."""
    n = int(op.shape[0])
    k = min(steps, n)
    if k < 1:
        raise InputError("lanczos_steps", f"must be ≥ 1, got {steps}")
    V = np.zeros((k, n))
    alpha: list[float] = []
    beta: list[float] = []
    v = v0 / np.linalg.norm(v0)
    scale = 0.0
    for j in range(k):
        V[j] = v
        w = np.asarray(op.matvec(v)).ravel()
        alpha.append(float(v @ w))
        w -= V[: j + 1].T @ (V[: j + 1] @ w)
        w -= V[: j + 1].T @ (V[: j + 1] @ w)
        b = float(np.linalg.norm(w))
        scale = max(scale, abs(alpha[-1]), b)
        if j == k - 1 or b <= 1e-12 * max(scale, 1e-300):
            break
        beta.append(b)
        v = w / b
    return np.asarray(alpha), np.asarray(beta)


def gauss_rule(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of the Gauss rule of a Lanczos tridiagonal."""
    if alpha.size == 1:
        return alpha.copy(), np.ones(1)
    nodes, vecs = eigh_tridiagonal(alpha, beta)
    return nodes, vecs[0, :] ** 2


def slq(
    op: LinearOperator, vectors: int = 8, steps: int = 40, seed: int = 0, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """SLQ estimate of the spectral measure: atoms and weights (summing to 1), ``vectors`` × ≤ ``steps``."""
    if vectors < 1:
        raise InputError("slq_vectors", f"must be ≥ 1, got {vectors}")
    rng = np.random.default_rng(seed)
    n = int(op.shape[0])
    nodes: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for _ in (tracked(range(vectors), "SLQ") if progress else range(vectors)):
        v = rng.choice([-1.0, 1.0], size=n)
        x, w = gauss_rule(*lanczos(op, v, steps))
        nodes.append(x)
        weights.append(w / vectors)
    return np.concatenate(nodes), np.concatenate(weights)


def smooth_density(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, width: float) -> np.ndarray:
    """The measure broadened by Gaussians of standard deviation ``width`` (for plots)."""
    if width <= 0:
        raise InputError("width", f"must be > 0, got {width}")
    z = (grid[:, None] - nodes[None, :]) / width
    return np.asarray(np.exp(-0.5 * z * z) @ weights / (width * np.sqrt(2 * np.pi)))
