"""The canonical index order (clause MAP-1): numpy.kron order, i.e. row-major.

The tensor index (i_1, …, i_ℓ) of u^{⊗ℓ} has flat position
i_1 n^{ℓ-1} + i_2 n^{ℓ-2} + … + i_ℓ, so ``kron_power(u, 2) == np.kron(u, u)``.
Column-major (Julia's ``kron``) order reverses the tuple; it is *not* used here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kron_power(u: np.ndarray, power: int) -> np.ndarray:
    """u^{⊗power} in canonical order; ``power == 0`` gives the 1-vector [1]."""
    out = np.ones(1, dtype=u.dtype)
    for _ in range(power):
        out = np.kron(out, u)
    return out


def flat_index(multi: Sequence[int], n: int) -> int:
    """Flat position of the tensor index ``multi`` (row-major)."""
    pos = 0
    for i in multi:
        pos = pos * n + int(i)
    return pos


def multi_index(flat: int, n: int, power: int) -> tuple[int, ...]:
    """Inverse of :func:`flat_index` for a tensor of order ``power``."""
    digits = []
    for _ in range(power):
        flat, r = divmod(flat, n)
        digits.append(r)
    return tuple(reversed(digits))
