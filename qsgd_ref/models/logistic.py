"""Logistic loss expanded to degree q (clause MOD-8).

L(θ) = (1/m) Σ_i φ(y_i x_iᵀθ), φ(z) = log(1 + e^{−z}), y_i ∈ {−1, +1}. Then
∇^k L(θ*) = (1/m) Σ_i φ^{(k)}(z_i) y_i^k x_i^{⊗k}, z_i = y_i x_iᵀθ*, and the map is the Taylor
truncation at degree q (MAP-2). At θ* = 0 every φ^{(k)}(0) is rational, so the truncated map is exact
in rationals; elsewhere the φ^{(k)}(z_i) are rounded to float64 (stated in the meta data).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.losses import as_fraction, maps_from_derivatives
from qsgd_ref.problem import DenseMap, Problem, make_problem


def phi_derivatives(z: Fraction, kmax: int) -> tuple[list[Fraction], bool]:
    """φ^{(k)}(z) for k = 1 … kmax and whether they are exact (z = 0) or float64-rounded."""
    s = sympy.Symbol("z")
    f = sympy.log(1 + sympy.exp(-s))
    point = sympy.Rational(z.numerator, z.denominator)
    out: list[Fraction] = []
    exact = True
    for _ in range(kmax):
        f = sympy.diff(f, s)
        v = sympy.simplify(f.subs(s, point))
        if v.is_Rational:
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            exact = False
            out.append(Fraction(float(sympy.N(v, 30))))
    return out, exact


def logistic_map(X: Any, y: Any, theta_star: Sequence[Any], eta: Fraction | float, degree: int) -> tuple[DenseMap, dict[str, Any]]:
    """The F_ℓ (ℓ ≤ degree) of gradient descent on the logistic loss, Taylor-truncated at ``degree``."""
    if degree < 0:
        raise InputError("degree", f"must be ≥ 0, got {degree}")
    Xe = np.vectorize(as_fraction, otypes=[object])(np.asarray(X, dtype=object))
    ye = [as_fraction(v) for v in np.ravel(y)]
    if any(v not in (1, -1) for v in ye):
        raise InputError("y", "labels must be −1 or +1")
    m, n = Xe.shape
    ts = np.array([as_fraction(v) for v in theta_star], dtype=object)
    derivs = [np.zeros((n,) * k, dtype=object) for k in range(1, degree + 2)]
    exact = True
    for i in range(m):
        z = ye[i] * Fraction(Xe[i] @ ts)
        phis, ok = phi_derivatives(z, degree + 1)
        exact &= ok
        xk = np.array(Fraction(1), dtype=object)
        for k in range(1, degree + 2):
            xk = np.multiply.outer(xk, Xe[i])
            derivs[k - 1] = derivs[k - 1] + (phis[k - 1] * ye[i] ** k / m) * xk
    meta = {"model": "logistic", "taylor_degree": degree, "truncated": True, "map_exact": False,
            "coefficients": "exact rationals" if exact else "float64-rounded", "eta": str(as_fraction(eta)),
            "theta_star": [str(v) for v in ts], "remainder": f"Taylor remainder of order {degree + 1} in u"}
    return maps_from_derivatives(derivs, eta), meta


def logistic_problem(X: Any, y: Any, theta_star: Sequence[Any], u0: Sequence[Any], eta: Fraction | float,
                     degree: int, steps: int, order: int, name: str = "logistic") -> Problem:
    """A problem file for gradient descent on the logistic loss expanded to degree ``degree``."""
    F, meta = logistic_map(X, y, theta_star, eta, degree)
    return make_problem(F=F, u0=[as_fraction(v) for v in u0], steps=steps, order=order, name=name, meta=meta)


def logistic_grad(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The exact gradient (float64): −(1/m) Σ_i y_i x_i σ(−y_i x_iᵀθ)."""
    z = y * (X @ theta)
    sig = np.array([1.0 / (1.0 + math.exp(v)) for v in z])
    return np.asarray(-(X.T @ (y * sig)) / X.shape[0])
