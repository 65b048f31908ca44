"""The 50-digit reference trajectories against the float64 engine (clauses LIFT-2, REF-1).

The integer step behind them is checked against the exact builder in tests/test_lift_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from assertions import assert_close

from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.problem import make_problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.trajectories import carleman_trajectory, exact_trajectory

F = {
    0: ["1/50", "-3/100"],
    1: [["-3/10", "1/20"], ["-1/25", "-1/4"]],
    2: [["1/10", "-1/20", "0", "1/40"], ["0", "3/50", "-1/10", "1/20"]],
    3: [["-1/20", "0", "1/100", "0", "0", "1/50", "0", "-1/30"], ["0", "1/40", "0", "0", "-1/60", "0", "0", "-1/20"]],
}


@pytest.mark.clause("REF-1", "LIFT-2")
def test_agrees_with_the_float64_engine():
    p = make_problem(F=F, u0=["1/2", "-2/5"], steps=30, order=3)
    M, c = lifted_map(p.float_map_at(0), 2, 3)
    y = lifted_initial(p.u0_float(), 3)
    ref = carleman_trajectory(p, 50)
    exact = exact_trajectory(p, 50)
    for t, u in enumerate(iterate(p, float)):  # the map iteration in float64
        want_y, want_u = np.array([float(x) for x in ref[t]]), np.array([float(x) for x in exact[t]])
        assert_close(y[:2], want_y, tol=1e-12, scale=np.abs(want_y), atol=1e-14, what=f"float64 ŷ_1({t}) against 50 digits")
        assert_close(np.array(u), want_u, tol=1e-12, scale=np.abs(want_u), atol=1e-14, what=f"float64 u({t}) against 50 digits")
        y = M @ y + c
