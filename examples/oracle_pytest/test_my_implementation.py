"""Check YOUR Carleman implementation against the qsgd-ref oracle (clauses ORC-1 … ORC-5).

Replace ``my_exact`` and ``my_carleman`` with calls into your code. Only numpy is needed; the
tolerance rule is ORC-3: |got − expected| ≤ abs + rel · S, S = max |expected| over the field (a
trajectory field is one level). Every row must have n entries and there must be T + 1 rows; where a
test stores only some rows ("times"), those are compared.
"""

import json
from fractions import Fraction
from itertools import product

import numpy as np
import pytest


def number(x):
    """Problem entries are numbers or strings "p/q" / "0.125" (exact); floats are enough here."""
    return float(Fraction(x)) if isinstance(x, str) else float(x)


def dense(value, n, ell):
    """One F_ℓ as an n × n^ℓ array (F_0 as a vector): dense rows (problem version 1 or 2) or
    {"shape", "entries": [[row, col, value], …]} (version 2)."""
    if isinstance(value, dict):
        out = np.zeros(value["shape"])
        for r, c, v in value["entries"]:
            out[r, c] = number(v)
        return out[:, 0] if ell == 0 else out
    if ell == 0:
        return np.array([number(x) for x in value])
    return np.array([[number(x) for x in row] for row in value]).reshape(n, n**ell)


def maps_of(problem):
    """One {ℓ: F_ℓ} per step: F_steps[t] on top of F (version 2 lists in F_steps only what changes),
    or the same map F for every step."""
    n = len(problem["u0"])
    base = {int(k): dense(v, n, int(k)) for k, v in problem.get("F", {}).items()}
    if "F_steps" not in problem:
        return [base] * max(problem["steps"], 1)
    return [{**base, **{int(k): dense(v, n, int(k)) for k, v in step.items()}} for step in problem["F_steps"]]


def kron_power(u, k):
    out = np.ones(1)
    for _ in range(k):
        out = np.kron(out, u)  # canonical row-major order (numpy.kron)
    return out


def apply_kron(factors, y, n):
    """(H_{ℓ_1} ⊗ … ⊗ H_{ℓ_j}) y without forming the product: y is reshaped to one axis of size n^{ℓ_i}
    per factor (numpy.kron order) and each factor contracts its own axis."""
    t = y.reshape([n ** ell for ell, _ in factors])
    for axis, (_, h) in enumerate(factors):
        t = np.moveaxis(np.tensordot(h, t, axes=([1], [axis])), 0, axis)
    return t.reshape(-1)


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
    levels = [kron_power(u0, j) for j in range(1, order + 1)]
    rows = [levels[0]]
    for f in maps_of(problem)[: problem["steps"]]:
        h = {ell: (a.reshape(n, 1) if ell == 0 else a) for ell, a in f.items()}
        h[1] = np.eye(n) + h.get(1, 0)
        new = [np.zeros(n**j) for j in range(1, order + 1)]
        for j in range(1, order + 1):
            for combo in product(sorted(h), repeat=j):  # B_jk = Σ H_ℓ1 ⊗ … ⊗ H_ℓj, ℓ_1 + … + ℓ_j = k
                k = sum(combo)
                if k > order:
                    continue  # truncation: blocks with k > N are dropped
                src = np.ones(1) if k == 0 else levels[k - 1]
                new[j - 1] += apply_kron([(ell, h[ell]) for ell in combo], src, n)
        levels = new
        rows.append(levels[0])
    return rows


# -----------------------------------------------------------------------------------------------


def trajectory_tests(vectors_dir):
    doc = json.loads((vectors_dir / "carleman_trajectory.json").read_text())
    return [t for g in doc["testGroups"] for t in g["tests"]]


def within_tolerance(got, expected, tol, steps, times=None):
    """ORC-3 on a trajectory field: T + 1 rows of n entries; the stored rows (``times``) compared."""
    times = list(range(len(expected))) if times is None else times
    exp = [[Fraction(x) for x in row] for row in expected]
    assert len(got) == steps + 1, f"{len(got)} rows, expected T+1 = {steps + 1}"
    width = len(exp[0])
    for t, row in enumerate(got):
        assert len(row) == width, f"row {t} has {len(row)} entries, expected n = {width}"
    scale = max(abs(x) for row in exp for x in row)
    bound = Fraction(tol.get("abs", "0")) + Fraction(tol["rel"]) * scale
    for t, e_row in zip(times, exp):
        for i, (g, e) in enumerate(zip(got[t], e_row, strict=True)):
            assert abs(Fraction(float(g)) - e) <= bound, f"[{t}][{i}]: got {g}, expected {float(e)}"


@pytest.mark.parametrize("field", ["exact", "carleman"])
def test_trajectories(vectors_dir, field):
    impl = {"exact": my_exact, "carleman": my_carleman}[field]
    for test in trajectory_tests(vectors_dir):
        exp = test["expected"]
        try:
            within_tolerance(impl(test["problem"]), exp[field], test["tolerance"], test["problem"]["steps"],
                             exp.get("times"))
        except AssertionError as exc:
            raise AssertionError(f"tcId {test['tcId']} ({test['comment']}) {field}: {exc}") from None
