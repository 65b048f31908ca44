"""Least squares (clause MOD-8): L(θ) = (1/2m)‖Xθ − y‖², an exactly affine gradient map (q = 1).

F_0 = −(η/m) Xᵀ(Xθ* − y), F_1 = −(η/m) XᵀX, in exact rationals from rational data.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.losses import as_fraction
from qsgd_ref.problem import DenseMap, Problem, make_problem


def _exact(a: Any, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=object)
    try:
        return np.asarray(np.vectorize(as_fraction, otypes=[object])(arr))
    except (ValueError, TypeError) as exc:
        raise InputError(name, f"entries must be numbers: {exc}") from None


def least_squares_map(X: Any, y: Any, theta_star: Sequence[Any], eta: Fraction | float) -> DenseMap:
    """The exact F_0, F_1 of gradient descent on (1/2m)‖Xθ − y‖² around θ*."""
    Xe, ye, ts = _exact(X, "X"), _exact(y, "y"), _exact(theta_star, "theta_star")
    if Xe.ndim != 2 or ye.shape != (Xe.shape[0],) or ts.shape != (Xe.shape[1],):
        raise InputError("X", f"shapes must be X (m × n), y (m,), θ* (n,); got {Xe.shape}, {ye.shape}, {ts.shape}")
    c = -as_fraction(eta) / Xe.shape[0]
    return {0: c * (Xe.T @ (Xe @ ts - ye)), 1: c * (Xe.T @ Xe)}


def least_squares_problem(X: Any, y: Any, theta_star: Sequence[Any], u0: Sequence[Any], eta: Fraction | float,
                          steps: int, order: int = 1, name: str = "least-squares") -> Problem:
    """A problem file for gradient descent on least squares (exact, q = 1)."""
    F = least_squares_map(X, y, theta_star, eta)
    meta = {"model": "least-squares", "taylor_degree": 1, "truncated": False, "map_exact": True,
            "eta": str(as_fraction(eta)), "theta_star": [str(as_fraction(x)) for x in theta_star]}
    return make_problem(F=F, u0=[as_fraction(x) for x in u0], steps=steps, order=order, name=name, meta=meta)
