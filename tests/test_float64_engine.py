"""The float64 engine (clauses REF-1, LIFT-2, LIFT-3): the matrix-free lifted step against the assembled
CSR matrix and the exact builder, the trajectories against the high-precision engine, the continuous
scheme against an explicit-Euler iteration of the assembled continuous Carleman matrix."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st

import qsgd_ref
from qsgd_ref.base.indexing import lifted_initial
from qsgd_ref.carleman import exact
from qsgd_ref.carleman.levels import step_lifted
from qsgd_ref.carleman.numeric import continuous_matrix, csr_factors, lifted_map
from qsgd_ref.problem import ExactMatrix
from qsgd_ref.trajectories import carleman_trajectory, exact_trajectory
from qsgd_ref.trajectories.float64 import float64_trajectories

EPS = np.finfo(float).eps


def random_map(rng, n, degrees, density=0.7, scale=0.3):
    out = {}
    for ell in degrees:
        a = rng.normal(size=(n, n**ell)) * (rng.random((n, n**ell)) < density) * scale
        out[ell] = a[:, 0] if ell == 0 else a
    return out


@pytest.mark.clause("REF-3", "LIFT-1", "LIFT-2")
@given(n=st.integers(1, 3), order=st.integers(1, 4),
       degrees=st.sets(st.integers(0, 3), min_size=1), seed=st.integers(0, 2**16))
def test_levelwise_step_equals_the_assembled_lifted_map(n, order, degrees, seed):
    """carleman.levels (contraction chain + shuffles of F_0) against M_N ŷ + c from the CSR assembly."""
    if n**order > 81:
        order = 2
    rng = np.random.default_rng(seed)
    fmap = random_map(rng, n, sorted(degrees))
    m, c = lifted_map(fmap, n, order)
    y = rng.normal(size=m.shape[0])
    want = m @ y + c
    scale = (abs(m) @ abs(y) + abs(c)).max() + 1e-300
    assert_close(step_lifted(csr_factors(fmap, n), y, n, order), want, eps_units=8 * (order + 1), scale=scale,
                 what="M_N ŷ + c, matrix-free against CSR")


@pytest.mark.clause("LIFT-2")
def test_levelwise_step_equals_the_exact_builder_in_rationals():
    """On dyadic entries every float product is exact, so the float64 levels must equal the exact
    triplets of carleman.exact applied in Fractions, entry by entry."""
    rng = np.random.default_rng(3)
    n, order = 2, 3
    dense = {ell: rng.integers(-4, 5, size=(n, n**ell)) / 8 for ell in (0, 1, 2)}
    emap = {ell: ExactMatrix.from_dense([[Fraction(x) for x in row] for row in a]) for ell, a in dense.items()}
    y = rng.integers(-4, 5, size=sum(n**j for j in range(1, order + 1))) / 4
    m, c = exact.lifted_map_exact(emap, n, order)
    want = [Fraction(0)] * len(y)
    for (r, s), v in m.items():
        want[r] += v * Fraction(y[s])
    for (r, _), v in c.items():
        want[r] += v
    fmap = {ell: (a[:, 0] if ell == 0 else a) for ell, a in dense.items()}
    got = step_lifted(csr_factors(fmap, n), y, n, order)
    assert [Fraction(x) for x in got] == want


def _checks_problem():
    return qsgd_ref.make_problem(
        F={0: ["1/100", "-1/200"], 1: [["-1/4", "1/20"], ["0", "-1/5"]], 2: [["1/10", "0", "-1/20", "0"], ["0", "1/25", "0", "1/10"]]},
        u0=["1/2", "-1/4"], steps=12, order=3)


@pytest.mark.clause("REF-3", "REF-1")
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_float64_trajectories_agree_with_the_high_precision_engine(order):
    p = _checks_problem().with_(order=order)
    run = float64_trajectories(p)
    exact = np.array([[float(x) for x in row] for row in exact_trajectory(p, 30)])
    carl = np.array([[float(x) for x in row] for row in carleman_trajectory(p, 30)])
    assert run.left_range is None
    assert_close(run.exact, exact, eps_units=64, scale=1.0, what="u(t), float64 against 30 digits")
    assert_close(run.carleman, carl, eps_units=64, scale=1.0, what="ŷ_1(t), float64 against 30 digits")


@pytest.mark.clause("REF-3", "LIFT-3", "ETA-1")
@pytest.mark.parametrize("order", [1, 2, 3])
def test_continuous_scheme_is_explicit_euler_on_the_continuous_carleman_matrix(order):
    """Independent: assemble A_N of LIFT-3 as CSR (G_ℓ = F_ℓ) and iterate ŷ ← ŷ + A_N ŷ + a."""
    p = _checks_problem().with_(order=order)
    fmap = p.float_map_at(0)
    a_n, a = continuous_matrix(fmap, p.n, order)
    y = lifted_initial(p.u0_float(), order)
    rows = [y[:p.n]]
    for _ in range(p.steps):
        y = y + a_n @ y + a
        rows.append(y[:p.n])
    run = float64_trajectories(p, scheme="continuous")
    assert_close(run.carleman, np.array(rows), eps_units=64, scale=1.0, what="continuous-scheme ŷ_1(t)")
    if order == 1:  # at N = 1 both schemes are u ↦ F_0 + (I + F_1) u
        assert_close(run.carleman, float64_trajectories(p).carleman, eps_units=4, scale=1.0, what="N = 1")


@pytest.mark.clause("REF-3", "REG-5")
def test_leaving_the_float_range_is_reported_as_data():
    p = qsgd_ref.make_problem(F={2: [["10"]]}, u0=["10"], steps=40, order=2)
    run = float64_trajectories(p)
    assert run.left_range is not None and 5 <= run.left_range <= 12
    assert np.all(np.isfinite(run.exact[: run.left_range])) and np.all(np.isnan(run.exact[run.left_range:]))
    doc = qsgd_ref.reference(p, engine="float64").to_json()
    assert doc["left_range"] == run.left_range and len(doc["exact"]) == run.left_range


@pytest.mark.clause("FMT-2", "MAP-3")
def test_float64_reference_shares_the_result_schema_and_reuses_shared_maps(tmp_path, cli):
    f12 = {1: ExactMatrix.from_dense([["-1/4", "1/20"], ["0", "-1/5"]])}
    p = qsgd_ref.make_problem(F=f12, F_steps=[{0: [Fraction(t, 100), 0]} for t in range(6)], u0=["1/2", "-1/4"],
                              steps=6, order=2, name="forced")
    path = tmp_path / "p.json"
    p.save(path, "qsgd-ref.problem.v2")
    run = cli("reference", str(path), "--engine", "float64", "--steps", "4")
    assert run.status == 0, run.err
    doc = json.loads(run.out)
    assert doc["engine"] == "float64" and doc["scheme"] == "discrete" and doc["steps"] == 4 and len(doc["exact"]) == 5
    mp = qsgd_ref.reference(p.with_(steps=4), dps=30).to_json()
    assert_close(np.array(doc["carleman"], dtype=float), np.array(mp["carleman"], dtype=float), eps_units=16,
                 what="float64 against the default engine through the CLI")
    assert sp.issparse(p.float_map_at(0)[1])


@pytest.mark.clause("REF-3", "LIFT-3")
@pytest.mark.parametrize("order", [1, 2, 3])
def test_continuous_scheme_on_both_engines_equals_the_exact_continuous_iteration(order):
    """The oracle: exact.lifted_iteration with the exact continuous step I + A_N, a in Fractions.
    The high-precision engine (IntegerContinuous, 40 digits) must agree to ~1e-38, float64 to ~1e-15."""
    p = _checks_problem().with_(order=order, steps=8)
    want = [[float(x) for x in y[: p.n]] for y in exact.lifted_iteration(p, Fraction, exact.continuous_step_exact)]
    mp = [[float(x) for x in row] for row in carleman_trajectory(p, 40, scheme="continuous")]
    assert_close(np.array(mp), np.array(want), eps_units=1, what="continuous ŷ_1(t), 40 digits against Fractions")
    f64 = float64_trajectories(p, scheme="continuous").carleman
    assert_close(f64, np.array(want), eps_units=64, what="continuous ŷ_1(t), float64 against Fractions")
    doc = qsgd_ref.reference(p, dps=20, scheme="continuous").to_json()
    assert doc["scheme"] == "continuous" and doc["engine"] == "mp"
