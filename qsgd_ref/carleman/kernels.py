"""The one compiled kernel the matrix-free apply needs: Y += A X for CSR A and C-ordered dense X, Y.

SciPy's compiled ``csr_matvecs`` does exactly this without allocating, but it is private API. It is
used only when a start-up self-test on a small product passes and every buffer is C-contiguous
float64 with matching index types; otherwise (another SciPy, or any other layout) the public
``y += a @ x`` runs instead, which allocates one temporary but is always right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

Kernel = Callable[[int, int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


def _load_private() -> Kernel | None:
    """scipy.sparse._sparsetools.csr_matvecs if it exists and computes a known product right."""
    try:
        from scipy.sparse import _sparsetools

        kernel: Kernel = _sparsetools.csr_matvecs
        a = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, -3.0, 0.0]]))
        x = np.arange(6, dtype=np.float64).reshape(3, 2)
        y = np.ones((2, 2))
        kernel(2, 3, 2, a.indptr, a.indices, a.data, x.ravel(), y.ravel())
    except Exception:  # any failure means: do not use it
        return None
    return kernel if np.array_equal(y, 1.0 + a @ x) else None


_PRIVATE = _load_private()


def private_kernel_available() -> bool:
    """Whether the compiled private kernel passed its self-test in this SciPy."""
    return _PRIVATE is not None


def matmul_add(m: sp.csr_matrix, x: np.ndarray, y: np.ndarray, *, allow_private: bool = True) -> None:
    """y += m @ x for 2-D x (m.shape[1] × k) and y (m.shape[0] × k), in place."""
    if allow_private and _PRIVATE is not None and _fits_private(m, x, y):
        _PRIVATE(m.shape[0], m.shape[1], x.shape[1], m.indptr, m.indices, m.data, x.reshape(-1), y.reshape(-1))
        return
    y += m @ x


def _fits_private(m: Any, x: np.ndarray, y: np.ndarray) -> bool:
    """The private kernel writes through y.reshape(-1): only a contiguous float64 y makes that a view."""
    return (
        x.dtype == np.float64 and y.dtype == np.float64 and m.data.dtype == np.float64
        and x.flags.c_contiguous and y.flags.c_contiguous and x.ndim == 2 and y.ndim == 2
        and m.indices.dtype == m.indptr.dtype
    )
