"""Two-layer network with quadratic activation and squared loss (clause MOD-2).

f_c(x) = Σ_k A_ck (w_k·x)²,  L(W) = (1/2m) Σ_i Σ_c (f_c(x_i) − Y_ic)².

The first layer W (h × d, flattened row-major: θ_{k·d+j} = W_kj) is trained, the output layer A is
fixed, so L is a polynomial of degree 4 in θ and the gradient-descent map is exactly polynomial with
q = 3. Gradients and Hessian-vector products below are exact analytic formulas (float64).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from scipy.sparse.linalg import LinearOperator

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.losses import maps_from_sympy
from qsgd_ref.problem import Problem, make_problem


@dataclass(frozen=True)
class QuadNet:
    """Data X (m × d), targets Y (m × c), fixed output weights A (c × h)."""

    X: np.ndarray
    Y: np.ndarray
    A: np.ndarray

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.Y.ndim != 2 or self.A.ndim != 2:
            raise InputError("X/Y/A", "must be matrices")
        if self.Y.shape != (self.X.shape[0], self.A.shape[0]):
            raise InputError("Y", f"must be m × c = {self.X.shape[0]} × {self.A.shape[0]}, got {self.Y.shape}")

    @property
    def hidden(self) -> int:
        return int(self.A.shape[1])

    @property
    def n(self) -> int:
        """Number of trained parameters h·d."""
        return int(self.A.shape[1] * self.X.shape[1])

    def subset(self, idx: np.ndarray) -> QuadNet:
        """The same network on the samples ``idx`` (a minibatch)."""
        return QuadNet(self.X[idx], self.Y[idx], self.A)

    def _W(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, dtype=float).reshape(self.hidden, self.X.shape[1])

    def outputs(self, theta: np.ndarray) -> np.ndarray:
        Z = self.X @ self._W(theta).T
        return np.asarray((Z * Z) @ self.A.T)

    def loss(self, theta: np.ndarray) -> float:
        R = self.outputs(theta) - self.Y
        return float(0.5 * np.sum(R * R) / self.X.shape[0])

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """∂L/∂W_kj = (2/m) Σ_i ((R A)_ik z_ik) x_ij."""
        Z = self.X @ self._W(theta).T
        R = (Z * Z) @ self.A.T - self.Y
        G = (2.0 / self.X.shape[0]) * ((R @ self.A) * Z).T @ self.X
        return np.asarray(G.ravel())

    def hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Exact Hessian-vector product: the directional derivative of :meth:`grad` along v."""
        Z = self.X @ self._W(theta).T
        Zv = self.X @ self._W(v).T
        R = (Z * Z) @ self.A.T - self.Y
        dR = (2.0 * Z * Zv) @ self.A.T
        G = (2.0 / self.X.shape[0]) * ((dR @ self.A) * Z + (R @ self.A) * Zv).T @ self.X
        return np.asarray(G.ravel())

    def hessian_operator(self, theta: np.ndarray, support: np.ndarray | None = None) -> LinearOperator:
        """The Hessian at θ as a LinearOperator, restricted to the coordinates ``support`` if given."""
        theta = np.asarray(theta, dtype=float)
        if support is None:
            return LinearOperator((self.n, self.n), matvec=lambda v: self.hvp(theta, np.ravel(v)), dtype=float)
        sup = np.asarray(support)

        def mv(v: np.ndarray) -> np.ndarray:
            full = np.zeros(self.n)
            full[sup] = np.ravel(v)
            return np.asarray(self.hvp(theta, full)[sup])

        return LinearOperator((sup.size, sup.size), matvec=mv, dtype=float)

    def accuracy(self, theta: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(np.argmax(self.outputs(theta), axis=1) == labels))


def _rat(x: Any) -> sympy.Rational:
    f = Fraction(x)
    return sympy.Rational(f.numerator, f.denominator)


def sympy_loss(net: QuadNet, keep: Sequence[int] | None = None) -> tuple[sympy.Expr, list[sympy.Symbol]]:
    """L as an exact SymPy polynomial in the kept parameters (others fixed at 0, clause MOD-5)."""
    h, d = net.hidden, net.X.shape[1]
    kept = list(range(h * d)) if keep is None else sorted(int(i) for i in keep)
    syms = [sympy.Symbol(f"w{i}") for i in kept]
    by_index = dict(zip(kept, syms))
    W = [[by_index.get(k * d + j, sympy.Integer(0)) for j in range(d)] for k in range(h)]
    m = net.X.shape[0]
    total = sympy.Integer(0)
    for i in range(m):
        x = [_rat(v) for v in net.X[i]]
        z = [sum((W[k][j] * x[j] for j in range(d)), sympy.Integer(0)) for k in range(h)]
        for c in range(net.A.shape[0]):
            f = sum((_rat(net.A[c, k]) * z[k] ** 2 for k in range(h)), sympy.Integer(0))
            total += (f - _rat(net.Y[i, c])) ** 2
    return sympy.expand(total / (2 * m)), syms


def quadnet_problem(
    net: QuadNet,
    theta_star: Sequence[Any],
    u0: Sequence[Any],
    eta: Fraction | float,
    steps: int,
    order: int,
    keep: Sequence[int] | None = None,
    name: str = "quadnet",
) -> Problem:
    """The exact (q = 3) gradient-descent problem of a small network around θ* (kept coordinates)."""
    loss, syms = sympy_loss(net, keep)
    kept = list(range(net.n)) if keep is None else sorted(int(i) for i in keep)
    star = [Fraction(theta_star[i]) for i in kept]
    F, meta = maps_from_sympy(loss, syms, star, eta)
    meta.update({"model": "quadnet", "hidden": net.hidden, "inputs": int(net.X.shape[1]),
                 "samples": int(net.X.shape[0]), "kept": kept,
                 "theta_star": [str(x) for x in star]})
    return make_problem(F=F, u0=[Fraction(x) for x in u0], steps=steps, order=order, name=name, meta=meta)
