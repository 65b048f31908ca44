"""The quadratic-activation network (clause MOD-2): exact cubic map = gradient step."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from assertions import assert_close

from qsgd_ref.models.losses import apply_map
from qsgd_ref.models.quadnet import QuadNet, quadnet_problem


def _net(seed: int, m: int = 3, d: int = 2, h: int = 2, c: int = 2) -> QuadNet:
    rng = np.random.default_rng(seed)
    r = lambda *s: np.round(rng.normal(size=s), 2)  # noqa: E731  (2-decimal data: exact rationals)
    return QuadNet(r(m, d), r(m, c), r(c, h))


def _fd_grad(net: QuadNet, th: np.ndarray, e: float = 1e-5) -> np.ndarray:
    E = np.eye(th.size)
    return np.array([(net.loss(th + e * E[i]) - net.loss(th - e * E[i])) / (2 * e) for i in range(th.size)])


@pytest.mark.clause("MOD-2")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_and_hvp_match_finite_differences(seed):
    net = _net(seed, m=5, d=3, h=4, c=3)
    rng = np.random.default_rng(100 + seed)
    th, v = rng.normal(size=net.n), rng.normal(size=net.n)
    g = net.grad(th)
    # central differences: error O(e²·|L'''|) + rounding O(eps·|L|/e); 1e-6 relative is ample at e = 1e-5
    assert_close(_fd_grad(net, th), g, tol=1e-6, scale=max(1.0, np.max(np.abs(g))), what="∇L against central differences")
    e = 1e-5
    fd_hv = (net.grad(th + e * v) - net.grad(th - e * v)) / (2 * e)
    hv = net.hvp(th, v)
    assert_close(fd_hv, hv, tol=1e-6, scale=max(1.0, np.max(np.abs(hv))), what="Hessian-vector product against differences")


@pytest.mark.clause("MOD-2", "MAP-2")
@pytest.mark.parametrize("seed", [0, 1])
def test_cubic_map_equals_gradient_step(seed):
    net = _net(seed)
    rng = np.random.default_rng(200 + seed)
    star = np.round(rng.normal(size=net.n), 2)
    u0 = np.round(0.2 * rng.normal(size=net.n), 2)
    eta = 0.05
    p = quadnet_problem(net, star, u0, eta, steps=4, order=2)
    assert p.degree == 3 and p.meta["map_exact"]
    F = {ell: (a if ell == 0 else a.toarray()) for ell, a in p.float_map_at(0).items()}
    u, th = p.u0_float(), star + u0
    for t in range(1, 5):
        u = apply_map(F, u)
        th = th - eta * net.grad(th)
        # float tolerance: a few ulps of the largest term, scaled by the step count
        assert_close(u, th - star, tol=1e-12, scale=max(1.0, np.max(np.abs(th))), what=f"u({t}) of the cubic map vs θ(t) − θ*")


@pytest.mark.clause("MOD-2")
def test_exact_map_evaluated_in_rationals_equals_rational_gradient_step():
    # fully exact: evaluate the map in Fractions and the gradient formula in Fractions
    net = _net(5, m=2, d=2, h=2, c=1)
    star = [Fraction(1, 2), Fraction(-1, 3), Fraction(1, 5), Fraction(2, 7)]
    u0 = [Fraction(1, 10), 0, Fraction(-1, 20), Fraction(1, 30)]
    eta = Fraction(1, 8)
    p = quadnet_problem(net, star, u0, eta, steps=1, order=1)
    from qsgd_ref.problem.iterate import map_step, map_terms

    u = np.array(u0, dtype=object)
    mapped = np.array(map_step(map_terms(p.map_at(0), p.n, Fraction), list(u)), dtype=object)
    X = np.array([[Fraction(x) for x in row] for row in net.X], dtype=object)
    Y = np.array([[Fraction(x) for x in row] for row in net.Y], dtype=object)
    A = np.array([[Fraction(x) for x in row] for row in net.A], dtype=object)
    W = (np.array(star, dtype=object) + u).reshape(2, 2)
    Z = X @ W.T
    R = (Z * Z) @ A.T - Y
    G = (Fraction(2, 2) * ((R @ A) * Z).T @ X).ravel()
    assert list(mapped) == list(u - eta * G)
