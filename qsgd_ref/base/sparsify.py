"""Keeping the largest entries (clauses RUP-1, MOD-5, MOD-9): the one rule every sparsification uses.

The ``keep`` entries of largest magnitude |x| are kept; among entries of equal magnitude the one with
the lower flat index is kept first (a stable sort of −|x|), so exactly ``min(keep, x.size)`` entries
are chosen, whatever the ties. The re-upload of the quantum pipeline, the download of the model
re-upload and the global magnitude pruning of the experiment all choose their entries here.
"""

from __future__ import annotations

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import echo


def largest_mask(values: np.ndarray, keep: int) -> np.ndarray:
    """A boolean array shaped like ``values``: True at its ``keep`` largest-magnitude entries (ties: lower
    flat index first; ``keep`` = 0 keeps none, ``keep`` ≥ size keeps all, a negative ``keep`` is refused)."""
    if keep < 0:
        raise InputError("keep", f"must be ≥ 0, got {echo(keep)}")
    flat = np.abs(np.ravel(values))
    chosen = np.zeros(flat.size, dtype=bool)
    chosen[np.argsort(-flat, kind="stable")[:keep]] = True
    return chosen.reshape(np.shape(values))


def keep_largest(values: np.ndarray, keep: int) -> np.ndarray:
    """A copy of ``values`` with all but its ``keep`` largest-magnitude entries set to 0 (rule of
    :func:`largest_mask`)."""
    mask = largest_mask(values, keep)
    out = np.zeros_like(values)
    out[mask] = values[mask]
    return out
