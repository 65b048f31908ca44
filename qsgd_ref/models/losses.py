"""The gradient-descent map of a loss (clauses MAP-2, MOD-1).

F_ℓ = −(η/ℓ!) · reshape(∇^{ℓ+1} L(θ*)), ℓ = 0 … q. Exact (rational) for a polynomial loss with
rational data and q = deg L − 1; otherwise a Taylor truncation at the degree q the caller states,
recorded in the returned meta data together with whether the coefficients are exact.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from qsgd_ref.base.errors import InputError
from qsgd_ref.problem import DenseMap, Problem, make_problem
from qsgd_ref.problem.iterate import map_step, map_terms


def _to_fraction(value: Any) -> tuple[Fraction, bool]:
    """(value as a Fraction, whether that is exact): rationals exactly, anything else via float64."""
    v = sympy.nsimplify(value) if isinstance(value, int | Fraction) else sympy.sympify(value)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q)), True
    f = float(sympy.N(v, 30))
    if not math.isfinite(f):
        raise InputError("loss", f"a derivative at θ* is not finite ({v})")
    return Fraction(f), False


def as_fraction(x: Fraction | float | int | str) -> Fraction:
    """η or a datum as an exact rational; a float is read as the decimal it prints as (0.1 → 1/10)."""
    if isinstance(x, float | np.floating):
        return Fraction(repr(float(x)))
    return Fraction(int(x)) if isinstance(x, np.integer) else Fraction(x)


def maps_from_derivatives(derivs: Sequence[np.ndarray], eta: Fraction | float) -> DenseMap:
    """F_ℓ = −(η/ℓ!) reshape(D_{ℓ+1}) from tensors D_k = ∇^k L(θ*) of shape (n,)*k, k = 1 … q+1."""
    eta_f = as_fraction(eta)
    out: DenseMap = {}
    for ell, d in enumerate(derivs):
        d = np.asarray(d, dtype=object)
        n = d.shape[0]
        if d.shape != (n,) * (ell + 1):
            raise InputError(f"derivs[{ell}]", f"must have shape (n,)*{ell + 1}, got {d.shape}")
        coef = -eta_f / math.factorial(ell)
        arr = np.array([coef * Fraction(x) for x in d.ravel()], dtype=object)
        out[ell] = arr if ell == 0 else arr.reshape(n, n**ell)
    return out


def derivative_tensors(
    loss: sympy.Expr, symbols: Sequence[sympy.Symbol], theta_star: Sequence[Any], max_order: int
) -> tuple[list[np.ndarray], bool]:
    """∇^k L(θ*) for k = 1 … max_order as object arrays of Fractions, and whether all are exact.

    Mixed partials are symmetric, so each multiset of indices is differentiated once.
    """
    n = len(symbols)
    if len(theta_star) != n:
        raise InputError("theta_star", f"must have n = {n} entries, got {len(theta_star)}")
    point = {s: sympy.nsimplify(v) if isinstance(v, int | Fraction) else v for s, v in zip(symbols, theta_star)}
    exact = True
    cache: dict[tuple[int, ...], sympy.Expr] = {(): loss}
    tensors: list[np.ndarray] = []
    for k in range(1, max_order + 1):
        t = np.empty((n,) * k, dtype=object)
        values: dict[tuple[int, ...], Fraction] = {}
        for idx in itertools.combinations_with_replacement(range(n), k):
            cache[idx] = sympy.diff(cache[idx[:-1]], symbols[idx[-1]])
            val, ok = _to_fraction(cache[idx].subs(point))
            exact &= ok
            values[idx] = val
        for idx in itertools.product(range(n), repeat=k):
            t[idx] = values[tuple(sorted(idx))]
        tensors.append(t)
    return tensors, exact


def maps_from_sympy(
    loss: sympy.Expr,
    symbols: Sequence[sympy.Symbol],
    theta_star: Sequence[Any],
    eta: Fraction | float,
    degree: int | None = None,
) -> tuple[DenseMap, dict[str, Any]]:
    """The F_ℓ of gradient descent on ``loss`` around θ* and meta data saying how they were made.

    A polynomial loss gives q = deg L − 1 exactly unless ``degree`` asks for less; any other loss needs
    ``degree`` (the Taylor truncation degree q of the map).
    """
    syms = list(symbols)
    poly = loss.is_polynomial(*syms)
    total = int(sympy.Poly(loss, *syms).total_degree()) if poly else None
    if degree is None:
        if total is None:
            raise InputError("degree", "the loss is not a polynomial: give the Taylor truncation degree q")
        degree = max(total - 1, 0)
    if degree < 0:
        raise InputError("degree", f"must be ≥ 0, got {degree}")
    eta = as_fraction(eta)
    tensors, exact_values = derivative_tensors(loss, syms, theta_star, degree + 1)
    F = maps_from_derivatives(tensors, eta)
    text = str(loss)
    truncated = total is None or total - 1 > degree
    meta = {
        "loss": text if len(text) <= 400 else f"(omitted: {len(text):,} characters)",
        "taylor_degree": degree,
        "map_exact": (not truncated) and exact_values,
        "truncated": truncated,
        "coefficients": "exact rationals" if exact_values else "float64-rounded",
        "eta": str(eta),
    }
    return F, meta


def apply_map(F: dict[int, np.ndarray], u: np.ndarray) -> np.ndarray:
    """u + Σ_ℓ F_ℓ u^{⊗ℓ} in float64 (MAP-1), by :func:`qsgd_ref.problem.iterate.map_step`."""
    v = np.asarray(u, dtype=float)
    terms = map_terms(F, v.shape[0], float)
    return np.array(map_step(terms, v.tolist()), dtype=float)


def problem_from_sympy(
    loss: sympy.Expr,
    symbols: Sequence[sympy.Symbol],
    theta_star: Sequence[Any],
    u0: Sequence[Any],
    eta: Fraction | float,
    steps: int,
    order: int,
    degree: int | None = None,
    name: str = "",
) -> Problem:
    """The gradient-descent problem of ``loss`` around θ* (u = θ − θ*, u(0) = ``u0``; MAP-2, MOD-1).

    >>> import sympy, qsgd_ref
    >>> from fractions import Fraction
    >>> x = sympy.Symbol("x")
    >>> p = qsgd_ref.problem_from_sympy(x**2 / 2 + x**4 / 4, [x], theta_star=[0], u0=["1/2"],
    ...                                 eta=Fraction(1, 10), steps=5, order=3)
    >>> p.degree, p.map_at(0)[1][0, 0], p.map_at(0)[3][0, 0]
    (3, Fraction(-1, 10), Fraction(-1, 10))
    """
    F, meta = maps_from_sympy(loss, symbols, theta_star, eta, degree)
    meta["theta_star"] = [str(Fraction(x)) if isinstance(x, int | Fraction) else str(x) for x in theta_star]
    return make_problem(F=F, u0=[Fraction(x) for x in u0], steps=steps, order=order, name=name, meta=meta)

