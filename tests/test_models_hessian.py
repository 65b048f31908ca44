"""Hessian spectra (clause MOD-4): Gauss exactness of SLQ and agreement with the exact spectrum."""

from __future__ import annotations

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st
from scipy.sparse.linalg import aslinearoperator

from qsgd_ref.models.hessian import exact_spectrum, gauss_rule, lanczos, slq
from qsgd_ref.models.quadnet import QuadNet


def _sym(eigs: np.ndarray, seed: int) -> np.ndarray:
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(eigs.size, eigs.size)))
    return (Q * eigs) @ Q.T


@pytest.mark.clause("MOD-4")
@given(
    eigs=st.lists(st.floats(-2, 2), min_size=6, max_size=30, unique=True).map(np.array),
    k=st.integers(1, 5), seed=st.integers(0, 10**6),
)
def test_gauss_rule_reproduces_moments(eigs, k, seed):
    H = _sym(eigs, seed)
    v = np.random.default_rng(seed + 1).normal(size=eigs.size)
    nodes, w = gauss_rule(*lanczos(aslinearoperator(H), v, k))
    kk = nodes.size  # fewer only on breakdown (then the rule is exact for all p)
    for p in range(2 * kk):
        want = v @ np.linalg.matrix_power(H, p) @ v / (v @ v)
        assert_close(np.sum(w * nodes**p), want, tol=1e-10, scale=2.0**p, what=f"Gauss-rule moment p = {p}")


@pytest.mark.clause("MOD-4")
def test_full_lanczos_recovers_eigenvalues():
    eigs = np.linspace(-1, 3, 25)
    H = _sym(eigs, 7)
    nodes, w = gauss_rule(*lanczos(aslinearoperator(H), np.ones(25), 25))
    assert_close(np.sort(nodes), eigs, tol=1e-10, what="Lanczos nodes at k = n against the eigenvalues")
    assert_close(w.sum(), 1.0, tol=1e-12, what="sum of the Gauss weights")


@pytest.mark.clause("MOD-4", "MOD-2")
def test_slq_density_matches_exact_spectrum_of_a_quadnet():
    rng = np.random.default_rng(11)
    net = QuadNet(rng.normal(size=(40, 8)), rng.normal(size=(40, 3)), rng.normal(size=(3, 6)) / 3)
    theta = 0.3 * rng.normal(size=net.n)  # n = 48
    op = net.hessian_operator(theta)
    lam = exact_spectrum(op)
    H = np.column_stack([op.matvec(e) for e in np.eye(net.n)])
    V, k = 30, 10
    nodes, w = slq(op, vectors=V, steps=k, seed=5)
    assert_close(w.sum(), 1.0, tol=1e-12, what="sum of the SLQ weights")
    for p in range(1, 5):  # p < 2k: the SLQ moment is Hutchinson's estimate of tr(H^p)/n
        Hp = np.linalg.matrix_power(H, p)
        sigma = np.sqrt(2 * (np.sum(Hp * Hp) - np.sum(np.diag(Hp) ** 2)) / V) / net.n
        exact = np.mean(lam**p)
        assert_close(np.sum(w * nodes**p), exact, tol=1e-9, scale=abs(exact), atol=5 * sigma, what=f"SLQ moment p = {p} (5σ)")
    # with k = n the atoms are the eigenvalues; the CDF is Hutchinson's estimate of rank(P_x)/n,
    # standard deviation ≤ sqrt(2/(n V))
    nodes, w = slq(op, vectors=V, steps=net.n, seed=6)
    for x in np.quantile(lam, [0.1, 0.25, 0.5, 0.75, 0.9]):
        cdf_slq = np.sum(w[nodes <= x + 1e-9])
        cdf = np.mean(lam <= x + 1e-9)
        assert_close(cdf_slq, cdf, tol=5 * np.sqrt(2 / (net.n * V)), what=f"SLQ CDF at {x:.3g} (5σ)")
