"""The 50-digit reference trajectories against the float64 engine (clauses LIFT-2, REF-1).

The integer step behind them is checked against the exact builder in tests/test_lift_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from qsgd_ref.base.indexing import lifted_initial
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
    carleman = pytest.importorskip("qsgd_ref.carleman.numeric")
    p = make_problem(F=F, u0=["1/2", "-2/5"], steps=30, order=3)
    M, c = carleman.lifted_map(p.float_map_at(0), 2, 3)
    y = lifted_initial(p.u0_float(), 3)
    ref = carleman_trajectory(p, 50)
    exact = exact_trajectory(p, 50)
    for t, u in enumerate(iterate(p, float)):  # the map iteration in float64
        assert np.allclose(y[:2], [float(x) for x in ref[t]], rtol=1e-12, atol=1e-14)
        assert np.allclose(u, [float(x) for x in exact[t]], rtol=1e-12, atol=1e-14)
        y = M @ y + c
