"""Index conventions: the canonical tensor order (clause MAP-1) and the levels of the lifted
vector (clause LIFT-2). Every other module takes its offsets and positions from here.

Tensor order is numpy.kron order, i.e. row-major.

The tensor index (i_1, …, i_ℓ) of u^{⊗ℓ} has flat position
i_1 n^{ℓ-1} + i_2 n^{ℓ-2} + … + i_ℓ, so ``kron_power(u, 2) == np.kron(u, u)``.
Column-major (Julia's ``kron``) order reverses the tuple; it is *not* used here.

Levels: the lifted vector (ŷ_1, …, ŷ_N) stores level j (1-based) at positions
``level_offsets(n, N)[j - 1]`` up to (excluding) ``level_offsets(n, N)[j]``, so the offsets are
[0, n, n + n², …, D] with D = n + n² + … + n^N.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def kron_power(u: np.ndarray, power: int) -> np.ndarray:
    """u^{⊗power} in canonical order; ``power == 0`` gives the 1-vector [1]."""
    out = np.ones(1, dtype=u.dtype)
    for _ in range(power):
        out = np.kron(out, u)
    return out


def lifted_initial(u0: Any, order: int) -> np.ndarray:
    """ŷ(0) = (u0, u0^{⊗2}, …, u0^{⊗N}) (clause LIFT-2), levels in offset order.

    Exact entries (an object array of Fractions) stay exact; anything else becomes float64.
    """
    u = np.asarray(u0).ravel()
    if u.dtype != object:
        u = u.astype(np.float64)
    return np.concatenate([kron_power(u, j) for j in range(1, order + 1)])


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


def lifted_dimension(n: int, order: int) -> int:
    """D = n + n² + … + n^N, the size of the truncated lifted vector (clause LIFT-2)."""
    return sum(n**j for j in range(1, order + 1))


def level_offsets(n: int, order: int) -> list[int]:
    """[0, n, n + n², …, D]: level j occupies positions offsets[j − 1] … offsets[j] − 1 (LIFT-2)."""
    out = [0]
    for j in range(1, order + 1):
        out.append(out[-1] + n**j)
    return out
