"""The reference step against the other constructions (clauses LIFT-1, LIFT-2, REF-1).

* the exact integer step Z / d^N equals the symbolic blocks B_jk instantiated on Fractions;
* the 50-digit trajectory agrees with the float64 engine to float tolerance.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from assertions import assert_close

from qsgd_ref.base.indexing import lifted_dimension, lifted_initial
from qsgd_ref.carleman.integer import integer_step
from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.carleman.symbolic.blocks import instantiate_block
from qsgd_ref.problem import make_problem
from qsgd_ref.trajectories import carleman_trajectory, exact_trajectory

F = {
    0: ["1/50", "-3/100"],
    1: [["-3/10", "1/20"], ["-1/25", "-1/4"]],
    2: [["1/10", "-1/20", "0", "1/40"], ["0", "3/50", "-1/10", "1/20"]],
    3: [["-1/20", "0", "1/100", "0", "0", "1/50", "0", "-1/30"], ["0", "1/40", "0", "0", "-1/60", "0", "0", "-1/20"]],
}


def _fractions(a) -> np.ndarray:
    return np.vectorize(Fraction, otypes=[object])(np.asarray(a, dtype=object))


@pytest.mark.clause("LIFT-1", "LIFT-2")
@pytest.mark.parametrize("order", [1, 2, 3])
def test_integer_step_equals_symbolic_blocks(order):
    n, q = 2, 3
    p = make_problem(F=F, u0=["1/2", "-2/5"], steps=1, order=order)
    step = integer_step(p.map_at(0), n, order)
    mats = {"I": np.eye(n, dtype=int).astype(object), "F0": _fractions(F[0]).reshape(n, 1)}
    mats.update({f"F{ell}": _fractions(F[ell]) for ell in (1, 2, 3)})
    D = lifted_dimension(n, order)
    Z = np.array([[Fraction(int(step.Z[r, c]), step.L) for c in range(D)] for r in range(D)], dtype=object)
    c = [Fraction(v, step.L) for v in step.c]
    for j in range(1, order + 1):
        r0 = lifted_dimension(n, j - 1)
        want_c = instantiate_block(q, j, 0, mats)[:, 0]
        assert list(c[r0 : r0 + n**j]) == list(want_c)
        for k in range(1, order + 1):
            c0 = lifted_dimension(n, k - 1)
            want = instantiate_block(q, j, k, mats)
            assert (Z[r0 : r0 + n**j, c0 : c0 + n**k] == want).all(), (j, k)


@pytest.mark.clause("REF-1", "LIFT-2")
def test_agrees_with_the_float64_engine():
    p = make_problem(F=F, u0=["1/2", "-2/5"], steps=30, order=3)
    M, c = lifted_map(p.float_map_at(0), 2, 3)
    y = lifted_initial(p.u0_float(), 3)
    ref = carleman_trajectory(p, 50)
    u = p.u0_float()
    exact = exact_trajectory(p, 50)
    for t in range(p.steps + 1):
        want_y, want_u = np.array([float(x) for x in ref[t]]), np.array([float(x) for x in exact[t]])
        assert_close(y[:2], want_y, tol=1e-12, scale=np.abs(want_y), atol=1e-14, what=f"float64 ŷ_1({t}) against 50 digits")
        assert_close(u, want_u, tol=1e-12, scale=np.abs(want_u), atol=1e-14, what=f"float64 u({t}) against 50 digits")
        y = M @ y + c
        fm = p.float_map_at(0)
        u = u + fm[0] + fm[1] @ u + fm[2] @ np.kron(u, u) + fm[3] @ np.kron(np.kron(u, u), u)


@pytest.mark.clause("LIFT-1", "LIFT-2")
def test_integer_step_with_huge_denominators_is_still_exact():
    """Denominators near 10^10 push d^N past 2^62: the Python-integer path must be taken and exact."""
    n, order, q = 2, 3, 2
    G = {
        0: ["1/9999999967", "-2/9999999943"],
        1: [["-1/3", "7/9999999929"], ["0", "-2/7"]],
        2: [["1/9999999967", "0", "-1/11", "0"], ["0", "3/13", "0", "1/9999999943"]],
    }
    p = make_problem(F=G, u0=["1/2", "-1/3"], steps=1, order=order)
    step = integer_step(p.map_at(0), n, order)
    assert step.L > 2**62
    mats = {"I": np.eye(n, dtype=int).astype(object), "F0": _fractions(G[0]).reshape(n, 1)}
    mats.update({f"F{ell}": _fractions(G[ell]) for ell in (1, 2)})
    for j in range(1, order + 1):
        r0 = lifted_dimension(n, j - 1)
        for k in range(1, order + 1):
            c0 = lifted_dimension(n, k - 1)
            want = instantiate_block(q, j, k, mats)
            got = [[Fraction(int(step.Z[r, c]), step.L) for c in range(c0, c0 + n**k)] for r in range(r0, r0 + n**j)]
            assert (np.array(got, dtype=object) == want).all(), (j, k)
