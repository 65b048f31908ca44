"""Tree expansion of the iterate and of the truncation error (TREE-1 … TREE-3).

The exact and truncated trajectories the tree sums must reproduce come from the oracles in
fractions.Fraction: the map iteration ``qsgd_ref.problem.iterate`` and the exact lifted iteration of
``qsgd_ref.carleman.exact`` (both checked against independent derivations in tests/test_exact_builder.py).
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.carleman import exact
from qsgd_ref.carleman.symbolic.trees import (
    all_trees,
    dropped_trees,
    evaluate_expr,
    is_dropped,
    leading_error_expr,
    leading_trees,
    tree_diagram,
    tree_diagram_latex,
    tree_latex,
    tree_text,
    tree_value,
)
from qsgd_ref.problem import make_problem
from qsgd_ref.problem.iterate import iterate


def _random_maps(rng: random.Random, n: int, q: int, f0: bool) -> dict[str, np.ndarray]:
    def frac() -> Fraction:
        return Fraction(rng.randint(-9, 9), 10 * rng.randint(1, 4))

    mats = {}
    for ell in range(q + 1):
        arr = np.array([[frac() for _ in range(n**ell)] for _ in range(n)], dtype=object)
        mats[f"F{ell}"] = arr if (ell > 0 or f0) else arr * 0
    return mats


def _problem(u0, mats, q: int, t: int, N: int):
    """The problem of the maps ``mats`` (F0 an n × 1 column … Fq) from u0, t steps, order N."""
    fmap = {ell: mats[f"F{ell}"] if ell else mats["F0"].ravel() for ell in range(q + 1)}
    return make_problem(F=fmap, u0=u0, steps=t, order=N)


def _exact(u0, mats, q, t):
    """u(t) by the map iteration of qsgd_ref.problem.iterate in Fractions."""
    return list(iterate(_problem(u0, mats, q, t, 1), Fraction))[-1]


def _truncated(u0, mats, q, t, N):
    """ŷ_1(t) of the order-N truncated lifted map, by the oracle qsgd_ref.carleman.exact."""
    return list(exact.lifted_iteration(_problem(u0, mats, q, t, N), Fraction))[-1][:len(u0)]


@pytest.mark.clause("TREE-1", "TREE-2", "TREE-3")
@pytest.mark.parametrize("t,N,seed", [(1, 1, 0), (2, 1, 1), (2, 2, 2), (3, 1, 3), (3, 2, 4)])
def test_tree_sums_are_exact(t, N, seed):
    """Σ all trees = u(t); Σ width-≤N trees = ŷ_1(t); Σ dropped = u − ŷ_1 (n = 2, q = 2, F_0 ≠ 0), exactly."""
    rng = random.Random(seed)
    n, q = 2, 2
    mats = _random_maps(rng, n, q, f0=True)
    u0 = [Fraction(rng.randint(-5, 5), 7) for _ in range(n)]
    trees = all_trees(q, t)
    values = {tr: tree_value(tr, mats, np.array(u0, dtype=object)) for tr in trees}
    total = sum(values.values())
    kept = sum(v for tr, v in values.items() if not is_dropped(tr, t, N))
    dropped = sum((v for tr, v in values.items() if is_dropped(tr, t, N)), np.zeros(n, dtype=object))
    want, trunc = _exact(u0, mats, q, t), _truncated(u0, mats, q, t, N)
    assert list(total) == want
    assert list(kept) == trunc
    assert list(dropped) == [a - b for a, b in zip(want, trunc)]
    assert set(dropped_trees(q, t, N)) == {tr for tr in trees if is_dropped(tr, t, N)}


@pytest.mark.clause("TREE-3")
@given(data=st.data())
def test_leading_term_ratio_tends_to_one(data):
    """F_0 = 0: ‖e − lead‖/‖lead‖ = O(s) along u_in = s v, and the symbolic expression matches the trees."""
    n, q = 2, 2
    t = data.draw(st.integers(2, 3), label="steps t")
    N = data.draw(st.integers(1, 2), label="order N")
    seed = data.draw(st.integers(0, 10**6), label="seed")
    rng = random.Random(seed)
    mats = _random_maps(rng, n, q, f0=False)
    # F_2 with a nonzero entry so that the leading term is generically nonzero
    mats["F2"][0, 0] = Fraction(1, 2)
    v = [Fraction(1), Fraction(rng.randint(1, 5), 3)]
    expr = leading_error_expr(q, t, N)
    lead_trees = leading_trees(q, t, N)
    assert all(tr.leaves == N + 1 for tr in lead_trees)

    ratios = []
    for s in (Fraction(1, 10**3), Fraction(1, 10**6)):
        u0 = [s * x for x in v]
        err = [a - b for a, b in zip(_exact(u0, mats, q, t), _truncated(u0, mats, q, t, N))]
        lead = sum(tree_value(tr, mats, np.array(u0, dtype=object)) for tr in lead_trees)
        sym = evaluate_expr(expr, mats, np.array([sp.Rational(x.numerator, x.denominator) for x in u0], dtype=object))
        assert [sp.Rational(x.numerator, x.denominator) for x in lead] == list(sym)
        norm_lead = max(abs(x) for x in lead)
        if norm_lead == 0:  # a degenerate draw: then the error itself is of higher order
            assert max(abs(x) for x in err) <= s ** (N + 2) * 10**6
            return
        ratios.append(max(abs(a - b) for a, b in zip(err, lead)) / norm_lead)
    # e/lead − 1 = O(s): shrinking s by 10^3 shrinks the relative deviation by about 10^3
    assert ratios[1] <= ratios[0] * Fraction(1, 100) + Fraction(1, 10**30)
    assert ratios[1] < Fraction(1, 10**2)


@pytest.mark.clause("TREE-3")
def test_scalar_leading_term_closed_form():
    """n = 1, q = 2, N = 1, t = 2: e(2) = f2 u² [(1+f1) + (1+f1)²] + O(u³) (expand the scalar map by hand)."""
    expr = leading_error_expr(2, 2, 1)
    f1, f2, u = sp.Rational(-3, 10), sp.Rational(2, 5), sp.Rational(1, 7)
    mats = {"F0": np.array([[0]], dtype=object), "F1": np.array([[f1]], dtype=object), "F2": np.array([[f2]], dtype=object)}
    got = evaluate_expr(expr, mats, np.array([u], dtype=object))[0]
    assert got == f2 * u**2 * ((1 + f1) + (1 + f1) ** 2)


@pytest.mark.clause("TREE-3")
def test_leading_trees_with_forcing_have_fewest_leaves():
    """With F_0 ≠ 0 the leading dropped trees of t = 3, N = 1 have no leaves (e.g. F2(F0, F0) under a wire)."""
    trees = leading_trees(2, 3, 1, allow_f0=True)
    assert trees and all(tr.leaves == 0 for tr in trees)
    assert all(is_dropped(tr, 3, 1) for tr in trees)


@pytest.mark.clause("TREE-1")
def test_rendering():
    tr = [x for x in leading_trees(2, 2, 1) if tree_text(x) == "F2(I(u), F1(u))"][0]
    assert tree_latex(tr) == r"F_{2}\left(u \otimes F_{1} u\right)"
    assert tree_diagram(tr, 2).splitlines() == ["t=2: F2   (width 1)", "t=1: [I F1]   (width 2)", "t=0: [u] [u]   (width 2)"]
    assert tree_diagram_latex(tr, 2).startswith(r"\begin{array}{c}F_{2} \\")


@pytest.mark.clause("TREE-1")
def test_counts_and_limits():
    # labels I, F0, F1, F2 at each layer: c(s) = c + 1 + c + c², c(0) = 1 (one leaf)
    assert [len(all_trees(2, t)) for t in (0, 1, 2)] == [1, 4, 25]
    with pytest.raises(InputError):
        all_trees(2, 9)
    with pytest.raises(InputError):
        all_trees(4, 4)


@pytest.mark.clause("TREE-3")
def test_cli_tree_report(capsys):
    from qsgd_ref.cli import main

    assert main(["tables", "--degree", "2", "--order", "1", "--trees", "2"]) == 0
    out = capsys.readouterr().out
    assert "6 trees with 2 leaves" in out and "`F2(I(u), F1(u))`" in out and "t=1: [I F1]   (width 2)" in out
    assert main(["tables", "--degree", "2", "--order", "4", "--trees", "2"]) == 0
    assert "No tree is dropped" in capsys.readouterr().out  # widths ≤ q^t = 4
    assert main(["tables", "--degree", "2", "--order", "1", "--trees", "2", "--format", "latex"]) == 0
    assert r"\begin{array}{c}F_{2} \\ [I\,F_{1}] \\ [u]\;[u]\end{array}" in capsys.readouterr().out
    for argv, field in [(["--trees", "9"], "--trees"), (["--degree", "3", "--trees", "4", "--forcing"], "--trees"), (["--trees", "2", "--format", "json"], "--format")]:
        assert main(["tables", *argv]) == 2
        assert field in capsys.readouterr().err
