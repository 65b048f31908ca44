"""Least squares, logistic, SGD and pruning maps (clauses MOD-5, MOD-6, MOD-8, MAP-3)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.least_squares import least_squares_map, least_squares_problem
from qsgd_ref.models.logistic import logistic_grad, logistic_map, logistic_problem
from qsgd_ref.models.losses import apply_map, maps_from_sympy
from qsgd_ref.models.pruning import magnitude_mask, map_sparsity, restrict_map, restrict_problem
from qsgd_ref.models.quadnet import QuadNet
from qsgd_ref.models.sgd import batches, sgd_problem
from qsgd_ref.problem import ExactMatrix
from qsgd_ref.problem.iterate import map_step, map_terms

ints = st.integers(-4, 4)


def _exact_step(F, u):
    """u + Σ_ℓ F_ℓ u^{⊗ℓ} in Fractions, by the map step of qsgd_ref.problem.iterate (the oracle)."""
    return np.array(map_step(map_terms(F, len(u), Fraction), list(u)), dtype=object)


@pytest.mark.clause("MOD-8", "MAP-2")
@given(data=st.data())
def test_least_squares_map_matches_sympy_loss(data):
    m, n = 3, 2
    X = [[data.draw(ints, label=f"X{i}{j}") for j in range(n)] for i in range(m)]
    y = [data.draw(ints, label=f"y{i}") for i in range(m)]
    star = [Fraction(data.draw(ints, label=f"s{j}"), 2) for j in range(n)]
    th = sympy.symbols("a b")
    loss = sum((sum(X[i][j] * th[j] for j in range(n)) - y[i]) ** 2 for i in range(m)) / sympy.Integer(2 * m)
    F = least_squares_map(X, y, star, Fraction(1, 10))
    G, _ = maps_from_sympy(sympy.expand(loss) + th[0] ** 2 - th[0] ** 2 + 0 * th[1], th, star, Fraction(1, 10), degree=1)
    assert F[0].tolist() == G[0].tolist() and F[1].tolist() == G[1].tolist()


@pytest.mark.clause("MOD-8", "FMT-1")
def test_least_squares_problem_is_a_valid_problem(tmp_path):
    from qsgd_ref.problem import load_problem

    p = least_squares_problem([[1, 2], [3, 4], [0, 1]], [1, 0, 2], [0, 0], [Fraction(1, 2), 0], 0.01, steps=5)
    p.save(tmp_path / "ls.json")
    assert load_problem(tmp_path / "ls.json").degree == 1


@pytest.mark.clause("MOD-8")
def test_logistic_at_zero_matches_sympy_taylor_exactly():
    X = [[1, 2], [Fraction(1, 2), -1], [-1, 1]]
    y = [1, -1, 1]
    a, b = sympy.symbols("a b")
    loss = sum(sympy.log(1 + sympy.exp(-y[i] * (X[i][0] * a + X[i][1] * b))) for i in range(3)) / 3
    F, meta = logistic_map(X, y, [0, 0], Fraction(1, 4), degree=3)
    G, gmeta = maps_from_sympy(loss, [a, b], [0, 0], Fraction(1, 4), degree=3)
    for ell in range(4):
        assert F[ell].tolist() == G[ell].tolist()
    assert meta["coefficients"] == "exact rationals" and meta["truncated"] and gmeta["truncated"]


@pytest.mark.clause("MOD-8")
def test_logistic_truncation_error_shrinks_with_degree():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 2)), rng.choice([-1.0, 1.0], size=6)
    star, u = np.array([0.3, -0.2]), np.array([0.05, 0.02])
    want = u - 0.5 * logistic_grad(X, y, star + u)  # the true gradient step in u coordinates
    errs = [np.linalg.norm(apply_map({k: v.astype(float) for k, v in logistic_map(X, y, star, 0.5, q)[0].items()}, u) - want)
            for q in (1, 2, 3)]
    # Taylor remainder of the gradient is O(|u|^{q+1}): each degree gains about a factor |u| ~ 0.05
    assert errs[1] < 0.2 * errs[0] and errs[2] < 0.2 * errs[1]
    with pytest.raises(InputError):
        logistic_map(X, np.zeros(6), star, 0.5, 2)


@pytest.mark.clause("MOD-8", "FMT-1")
def test_logistic_problem_is_a_valid_problem_that_keeps_its_truncation(tmp_path):
    from qsgd_ref.problem import load_problem

    X, y, star, eta = [[1, 2], [Fraction(1, 2), -1], [-1, 1]], [1, -1, 1], [0, 0], Fraction(1, 4)
    p = logistic_problem(X, y, star, [Fraction(1, 10), Fraction(-1, 5)], eta, degree=3, steps=4, order=2)
    p.save(tmp_path / "logistic.json")
    q = load_problem(tmp_path / "logistic.json")
    F, meta = logistic_map(X, y, star, eta, degree=3)
    # at θ* = 0 the third derivative of φ vanishes, so F_2 = 0; F_3 (φ⁗(0) = −1/8) makes the degree 3
    assert not F[2].any() and F[3].any() and q.degree == 3
    assert q.map_at(0) == {ell: ExactMatrix.from_dense(a) for ell, a in F.items()}
    assert list(q.u0) == [Fraction(1, 10), Fraction(-1, 5)] and (q.steps, q.order, q.name) == (4, 2, "logistic")
    assert q.meta == meta and meta["truncated"] and meta["taylor_degree"] == 3


@pytest.mark.clause("MOD-6", "MAP-3")
def test_sgd_problem_is_seeded_and_steps_like_minibatch_gd():
    rng = np.random.default_rng(8)
    X, yv = np.round(rng.normal(size=(8, 2)), 2), np.round(rng.normal(size=8), 2)
    star = [Fraction(1, 3), Fraction(-1, 4)]

    def maps(idx):
        return least_squares_map(X[idx], yv[idx], star, Fraction(1, 5))

    p = sgd_problem(maps, 8, 3, steps=4, seed=11, u0=[Fraction(1, 10), 0], order=1)
    q = sgd_problem(maps, 8, 3, steps=4, seed=11, u0=[Fraction(1, 10), 0], order=1)
    assert p.time_dependent and p.meta["batches"] == q.meta["batches"]
    assert p.meta["batches"] != sgd_problem(maps, 8, 3, 4, 12, [0, 0], 1).meta["batches"]
    # exact minibatch GD in rationals: θ ← θ − η Xbᵀ(Xbθ − yb)/b
    Xe = np.array([[Fraction(str(float(v))) for v in r] for r in X], dtype=object)  # decimals as printed
    ye = np.array([Fraction(str(float(v))) for v in yv], dtype=object)
    th = np.array(star, dtype=object) + np.array([Fraction(1, 10), 0], dtype=object)
    u = np.array([Fraction(1, 10), 0], dtype=object)
    for t, idx in enumerate(batches(8, 3, 4, 11)):
        th = th - Fraction(1, 5) * Xe[idx].T @ (Xe[idx] @ th - ye[idx]) / 3
        u = _exact_step(p.map_at(t), u)
        assert list(u) == list(th - np.array(star, dtype=object))


@pytest.mark.clause("MOD-5")
@given(w=st.lists(st.floats(-10, 10), min_size=5, max_size=40, unique=True), frac=st.floats(0.05, 1.0))
def test_magnitude_mask_keeps_the_largest_globally(w, frac):
    arr = np.array(w)
    layers = [arr[: len(w) // 2], arr[len(w) // 2 :], np.array([0.0, 0.0])]
    masks = magnitude_mask(layers, frac)
    kept = np.concatenate([masks[0].ravel(), masks[1].ravel()])
    k = max(1, round(frac * len(w)))
    assert kept.sum() == k and masks[2].all()  # last layer excluded (kept)
    assert np.min(np.abs(arr[kept]), initial=np.inf) >= np.max(np.abs(arr[~kept]), initial=-np.inf)


@pytest.mark.clause("MOD-5")
def test_restriction_equals_substitution():
    rng = np.random.default_rng(2)
    n = 3
    F = {ell: np.array([[Fraction(int(v)) for v in row] for row in rng.integers(-3, 4, size=(n, n**ell))], dtype=object)
         for ell in (1, 2, 3)}
    F[0] = np.array([Fraction(1), Fraction(-2), Fraction(0)], dtype=object)
    keep, fixed = [0, 2], [Fraction(0), Fraction(1, 3), Fraction(0)]
    G = restrict_map(F, keep, fixed)
    for v in ([Fraction(1, 2), Fraction(-1)], [Fraction(2), Fraction(1, 7)]):
        full = np.array([v[0], fixed[1], v[1]], dtype=object)
        want = _exact_step(F, full)[keep]
        got = _exact_step(G, np.array(v, dtype=object))
        assert list(got) == list(want)
    sp = map_sparsity({1: np.array([[1, 0], [0, 0]]), 0: np.array([0, 5])})
    assert sp["1"] == {"nnz": 1, "density": 0.25, "max_row_nnz": 1, "max_col_nnz": 1} and sp["0"]["nnz"] == 1


@pytest.mark.clause("MOD-5", "MOD-2")
def test_pruned_quadnet_problem_equals_restricted_full_problem():
    from qsgd_ref.models.quadnet import quadnet_problem

    rng = np.random.default_rng(9)
    net = QuadNet(np.round(rng.normal(size=(2, 2)), 1), np.round(rng.normal(size=(2, 1)), 1), np.round(rng.normal(size=(1, 2)), 1))
    star = [Fraction(1, 2), 0, Fraction(-1, 3), 0]  # pruned weights (1, 3) are 0 at θ*
    full = quadnet_problem(net, star, [0, 0, 0, 0], Fraction(1, 10), steps=2, order=1)
    small = quadnet_problem(net, star, [0, 0], Fraction(1, 10), steps=2, order=1, keep=[0, 2])
    restricted = restrict_problem(full, [0, 2])
    for ell in small.map_at(0):
        assert small.map_at(0)[ell] == restricted.map_at(0)[ell]
    assert math.isclose(sum(map_sparsity(small.map_at(0))["3"].values()) > 0, True)
