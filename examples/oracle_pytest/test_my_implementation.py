"""Check YOUR Carleman implementation against the qsgd-ref oracle (clauses ORC-1 … ORC-5).

Replace ``my_exact`` and ``my_carleman`` with calls into your code. Only numpy is needed; the
tolerance rule is ORC-3: |got − expected| ≤ abs + rel · S, S = max |expected| over the field.
"""

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest


def number(x):
    """Problem entries are numbers or strings "p/q" / "0.125" (exact); floats are enough here."""
    return float(Fraction(x)) if isinstance(x, str) else float(x)


def maps_of(problem):
    """One {ℓ: F_ℓ} per step (F_steps) or the same map for every step (F)."""
    raw = problem.get("F_steps") or [problem["F"]] * max(problem["steps"], 1)
    return [
        {
            int(k): np.array([[number(x) for x in row] if isinstance(row, list) else number(row) for row in v])
            for k, v in m.items()
        }
        for m in raw
    ]


def kron_power(u, k):
    out = np.ones(1)
    for _ in range(k):
        out = np.kron(out, u)  # canonical row-major order (numpy.kron)
    return out


# ---- replace these two functions with your implementation ------------------------------------
def my_exact(problem):
    u = np.array([number(x) for x in problem["u0"]])
    rows = [u]
    for f in maps_of(problem)[: problem["steps"]]:
        u = u + sum(a if ell == 0 else a @ kron_power(u, ell) for ell, a in f.items())
        rows.append(u)
    return rows


def my_carleman(problem):
    n, order = len(problem["u0"]), problem["order"]
    u0 = np.array([number(x) for x in problem["u0"]])
    y = np.concatenate([kron_power(u0, j) for j in range(1, order + 1)])
    start = np.cumsum([0] + [n**j for j in range(1, order + 1)])
    rows = [y[:n]]
    for f in maps_of(problem)[: problem["steps"]]:
        h = {ell: a.reshape(n, n**ell) for ell, a in f.items()}
        h[1] = np.eye(n) + h.get(1, 0)
        new = np.zeros_like(y)
        for j in range(1, order + 1):
            for combo in itertools.product(sorted(h), repeat=j):  # B_jk = Σ H_ℓ1 ⊗ … ⊗ H_ℓj
                k = sum(combo)
                if k > order:
                    continue  # truncation: blocks with k > N are dropped
                term = np.ones((1, 1))
                for ell in combo:
                    term = np.kron(term, h[ell])
                src = np.ones(1) if k == 0 else y[start[k - 1] : start[k]]
                new[start[j - 1] : start[j]] += term @ src
        y = new
        rows.append(y[:n])
    return rows


# -----------------------------------------------------------------------------------------------


def trajectory_tests(vectors_dir):
    doc = json.loads((vectors_dir / "carleman_trajectory.json").read_text())
    return [t for g in doc["testGroups"] for t in g["tests"]]


def within_tolerance(got, expected, tol):
    exp = [[Fraction(x) for x in row] for row in expected]
    assert len(got) == len(exp), f"{len(got)} rows, expected T+1 = {len(exp)}"
    scale = max(abs(x) for row in exp for x in row)
    bound = Fraction(tol.get("abs", "0")) + Fraction(tol["rel"]) * scale
    for t, (g_row, e_row) in enumerate(zip(got, exp)):
        for i, (g, e) in enumerate(zip(g_row, e_row)):
            assert abs(Fraction(float(g)) - e) <= bound, f"[{t}][{i}]: got {g}, expected {float(e)}"


@pytest.mark.parametrize("field", ["exact", "carleman"])
def test_trajectories(vectors_dir, field):
    impl = {"exact": my_exact, "carleman": my_carleman}[field]
    for test in trajectory_tests(vectors_dir):
        try:
            within_tolerance(impl(test["problem"]), test["expected"][field], test["tolerance"])
        except AssertionError as exc:
            raise AssertionError(f"tcId {test['tcId']} ({test['comment']}) {field}: {exc}") from None
