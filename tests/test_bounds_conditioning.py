"""κ(L) of the Eq. 6 system against the COND-* bounds, and the RUN-1 cost model."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import instances

from qsgd_ref.problem import make_problem
from qsgd_ref.system.eq6 import condition_number, eq6_system
from qsgd_ref.theory.conditioning import kappa_bound, kappa_uniform_bound
from qsgd_ref.theory.runtime import runtime_model


def _kappa(p):
    return condition_number(eq6_system(p)).value


@pytest.mark.slow  # 2-4 s: 25 dense SVDs of L up to ~900 rows, exact norm bounds
@pytest.mark.clause("COND-1", "COND-2")
@given(instances(regime="fully", max_steps=30, f0=False))
def test_kappa_below_the_bounds_fully_dissipative(inst):
    """κ (dense SVD, second method) ≤ COND-1 bound ≤ COND-2 T-uniform bound (ρ(m) = h_1 < 1)."""
    p = inst.problem
    k = _kappa(p)
    uniform = kappa_uniform_bound(p)
    assert uniform is not None
    assert k <= kappa_bound(p) * (1 + 1e-9) <= uniform * (1 + 1e-9)


@pytest.mark.clause("COND-2")
def test_kappa_bounded_in_T_when_fully_dissipative():
    p = make_problem(F={1: [["-1/10"]], 2: [["-1/10"]]}, u0=["1/2"], steps=1, order=3)
    uniform = kappa_uniform_bound(p)
    ks = [_kappa(p.with_(steps=T)) for T in (25, 50, 100, 200)]
    assert all(k <= uniform for k in ks)
    assert ks[-1] / ks[-2] < 1.1  # saturates (measured 23.2 → 23.9)


@pytest.mark.clause("COND-1", "COND-3")
@given(st.integers(1, 3), st.sampled_from([10, 20, 40]))
def test_marginal_mode_growth_matches_T_to_the_N(order, steps):
    """Counterexample to 'at most linear': n = 1, F_1 = 0, F_2 = −1/10; κ(2T)/κ(T) ≈ 2^N."""
    p = make_problem(F={1: [[0]], 2: [["-1/10"]]}, u0=["1/2"], steps=steps, order=order)
    k1, k2 = _kappa(p), _kappa(p.with_(steps=2 * steps))
    assert k1 <= kappa_bound(p) * (1 + 1e-9) and k2 <= kappa_bound(p.with_(steps=2 * steps)) * (1 + 1e-9)
    assert kappa_uniform_bound(p) is None
    if order >= 2 and steps >= 20:
        assert k2 / k1 > 2.4  # superlinear: κ = α + βT would give a ratio below 2
    if order == 1:
        assert k2 <= 2 * (2 * steps + 1) * (1 + 1e-9)  # COND-3, N = 1: κ ≤ 2(T+1)


@pytest.mark.clause("RUN-1")
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 500), st.floats(1, 1e6), st.integers(1, 100),
       st.floats(1e-12, 0.5))
def test_runtime_model_formula(n, order, steps, kappa, sparsity, eps):
    out = runtime_model(n=n, order=order, steps=steps, kappa=kappa, sparsity=sparsity, eps=eps,
                        nnz_lifted_map=10, nnz_map=3)
    dim = (steps + 1) * sum(n**j for j in range(1, order + 1))
    assert out.system_dimension == dim and 2 ** out.qubits >= dim > 2 ** (out.qubits - 1) or dim == 1
    assert out.quantum_queries == pytest.approx(sparsity * kappa * math.log2(1 / eps), rel=1e-12)
    assert out.classical_forward_substitution == 10 * steps


@pytest.mark.clause("RUN-1")
def test_runtime_model_rejects_bad_eps():
    with pytest.raises(ValueError):
        runtime_model(n=1, order=1, steps=1, kappa=1, sparsity=1, eps=0, nnz_lifted_map=1, nnz_map=1)
