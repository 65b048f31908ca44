"""The committed oracle corpus (clauses ORC-1, ORC-2): regeneration, schemas, coverage, values."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import jsonschema
import numpy as np
import pytest

from qsgd_ref.base.indexing import kron_power
from qsgd_ref.base.specdata import schema_path, spec_dir
from qsgd_ref.carleman import exact
from qsgd_ref.oracle import traps
from qsgd_ref.oracle.generator import generate
from qsgd_ref.oracle.verifier import KINDS
from qsgd_ref.problem import ExactMatrix, parse_problem

VECTORS = spec_dir() / "vectors"


def _files():
    return sorted(VECTORS.glob("*.json"))


def _tests():
    for path in _files():
        doc = json.loads(path.read_text())
        for g in doc["testGroups"]:
            for t in g["tests"]:
                yield path.name, doc, t


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("vectors")
    generate(out, seed=0)
    return out


@pytest.mark.slow  # 2.5 s: regenerates the whole corpus (fixture)
@pytest.mark.clause("ORC-1")
def test_regenerating_the_committed_corpus_is_byte_identical(regenerated):
    committed = {p.name: p.read_bytes() for p in _files()}
    fresh = {p.name: p.read_bytes() for p in sorted(regenerated.glob("*.json"))}
    assert (
        set(committed)
        == set(fresh)
        == {
            "carleman_trajectory.json",
            "carleman_matrix.json",
            "eq6_solution.json",
            "hhl_state.json",
        }
    )
    for name in committed:
        assert committed[name] == fresh[name], f"{name} differs from a fresh `qsgd-ref oracle generate --seed 0`"


@pytest.mark.clause("ORC-1")
def test_a_different_seed_gives_different_coefficients():
    from qsgd_ref.oracle import corpus

    for cases in (corpus.trajectory_cases, corpus.matrix_cases):
        a, b = cases(0), cases(7)
        assert [c.comment for c in a] == [c.comment for c in b]  # same coverage
        assert [c.problem.to_json() for c in a] != [c.problem.to_json() for c in b]


@pytest.mark.clause("ORC-1", "FMT-1")
def test_every_vector_file_validates_and_is_consistent():
    ids = []
    for path in _files():
        doc = json.loads(path.read_text())
        schema = json.loads(schema_path(KINDS[doc["schema"]][0]).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(doc)
        tests = [t for g in doc["testGroups"] for t in g["tests"]]
        assert doc["numberOfTests"] == len(tests)
        assert set(doc["notes"]) == {f for t in tests for f in t["flags"]}, "notes explain exactly the flags used"
        for g in doc["testGroups"]:
            for t in g["tests"]:
                p = parse_problem(t["problem"])  # full problem validation (FMT-1)
                assert (p.n, p.degree) == (g["n"], g["degree"])
                ids.append(t["tcId"])
    assert len(ids) == len(set(ids)), "tcIds are unique across the corpus"
    assert sorted(ids) == list(range(1, len(ids) + 1))


@pytest.mark.clause("ORC-1")
def test_corpus_covers_the_required_situations():
    flags = set()
    orders, degrees, ns, steps = set(), set(), set(), set()
    for _, _, t in _tests():
        flags |= set(t["flags"])
        p = parse_problem(t["problem"])
        orders.add(p.order), degrees.add(p.degree), ns.add(p.n), steps.add(p.steps)
        if "F0On" in t["flags"]:
            assert any(x != 0 for m in p.maps for x in m.get(0, [])), t["tcId"]
        if "F0Off" in t["flags"]:
            assert all(x == 0 for m in p.maps for x in m.get(0, [])), t["tcId"]
        f2 = p.maps[0].get(2)
        if f2 is not None and p.n > 1 and "IndexOrderTrap" in t["flags"] and p.degree == 2:
            assert any(
                f2[i, a * p.n + b] != f2[i, b * p.n + a] for i in range(p.n) for a in range(p.n) for b in range(p.n)
            )
        if "ExactlyRepresentable" in t["flags"]:
            vals = list(p.u0) + [x for m in p.maps for a in m.values() for x in a.values()]
            assert all(Fraction(float(x)) == x for x in vals)
        if "F2Zero" in t["flags"]:
            assert p.maps[0][2].is_zero() and p.degree == 3
    need = {
        "FullyDissipative",
        "AlmostDissipative",
        "NotDissipative",
        "F0On",
        "F0Off",
        "Degree1",
        "Degree2",
        "Degree3",
        "TimeDependent",
        "ZeroSteps",
        "OrderOne",
        "F2Zero",
        "Scalar",
        "ExactlyRepresentable",
        "LargeScale",
        "TinyScale",
        "IndexOrderTrap",
        "IdleSteps",
    }
    assert need <= flags
    assert {1, 2, 3, 4, 5} <= orders and {1, 2, 3} <= degrees and 1 in ns and 0 in steps
    assert sum(p.stat().st_size for p in _files()) < 2_000_000


def _fraction_iteration(p):
    """u(t) exactly in Fractions (a second method: no mpmath, no lifting)."""
    # kept: kron_power on object arrays, not problem.iterate, so the corpus is not checked against its own source
    u = np.array(list(p.u0), dtype=object)
    out = [u]
    for t in range(p.steps):
        f = p.map_at(t)
        u = u + sum((a.dense()[:, 0] if ell == 0 else a.dense().dot(kron_power(u, ell)) for ell, a in f.items()),
                    np.zeros(p.n, dtype=object))
        out.append(u)
    return out


def _digits(s: str) -> int:
    return len(Decimal(s).as_tuple().digits)


@pytest.mark.clause("ORC-2", "MAP-1", "MAP-3")
def test_expected_exact_trajectories_match_fraction_arithmetic():
    checked = 0
    for _, doc, t in _tests():
        if doc["schema"] != "qsgd-ref.vectors.carleman_trajectory.v1":
            continue
        p = parse_problem(t["problem"])
        if p.steps > 6 or p.degree > 2:
            continue
        truth = _fraction_iteration(p)
        scale = max(abs(x) for r in truth for x in r)
        for row, exp in zip(truth, t["expected"]["exact"], strict=True):
            for x, s in zip(row, exp, strict=True):
                assert abs(Fraction(Decimal(s)) - x) <= scale * Fraction(1, 10**38), (t["tcId"], s)
                assert _digits(s) >= 30 or Fraction(Decimal(s)) == x, (
                    f"tcId {t['tcId']}: {s} has < 30 digits and is not exact"
                )
        checked += 1
    assert checked >= 8


def _poly_power_coeffs(h: dict[int, Fraction], j: int) -> dict[int, Fraction]:
    """Coefficients of (Σ_ℓ h_ℓ x^ℓ)^j (the scalar case of LIFT-1)."""
    out = {0: Fraction(1)}
    for _ in range(j):
        nxt: dict[int, Fraction] = {}
        for a, x in out.items():
            for b, y in h.items():
                nxt[a + b] = nxt.get(a + b, Fraction(0)) + x * y
        out = nxt
    return out


@pytest.mark.clause("ORC-2", "LIFT-1", "LIFT-2", "ETA-3")
def test_expected_scalar_matrices_are_the_coefficients_of_polynomial_powers():
    found = 0
    for _, doc, t in _tests():
        if doc["schema"] != "qsgd-ref.vectors.carleman_matrix.v1" or len(t["problem"]["u0"]) != 1:
            continue
        p = parse_problem(t["problem"])
        f = p.maps[0]
        h = {ell: a[0, 0] + (1 if ell == 1 else 0) for ell, a in f.items()}
        exp_m = {(r, c): Fraction(Decimal(v)) for r, c, v in t["expected"]["matrix"]["M"]}
        exp_c = {r: Fraction(Decimal(v)) for r, v in t["expected"]["matrix"]["c"]}
        for j in range(1, p.order + 1):
            coeff = _poly_power_coeffs(h, j)
            assert exp_c.get(j - 1, 0) == coeff.get(0, 0)
            for k in range(1, p.order + 1):
                assert abs(exp_m.get((j - 1, k - 1), Fraction(0)) - coeff.get(k, 0)) < Fraction(1, 10**38)
        found += 1
    assert found >= 1


@pytest.mark.clause("ORC-2", "ETA-3")
def test_exact_builder_reproduces_the_eta3_scalar_example():
    f0, f1, f2 = Fraction(1, 10), Fraction(-1, 3), Fraction(2, 7)
    fmap = {ell: ExactMatrix.from_dense([[v]]) for ell, v in ((0, f0), (1, f1), (2, f2))}
    b = exact.blocks(fmap, 1, 2, kmax=4)
    assert b[(2, 2)][0, 0] == (1 + f1) ** 2 + 2 * f0 * f2
    assert b[(2, 3)][0, 0] == 2 * (1 + f1) * f2
    assert b[(2, 4)][0, 0] == f2**2
    # the continuous trap keeps only the η¹ part: (2,2) = 1 + 2 f1, no (2,4) block
    m, _ = traps.continuous_lifted_map(fmap, 1, 2)
    assert m[(1, 1)] == 1 + 2 * f1


@pytest.mark.clause("ORC-2", "LIFT-2", "SYS-2")
def test_eq6_rows_are_the_lifted_states_then_idle_copies():
    for _, doc, t in _tests():
        if doc["schema"] != "qsgd-ref.vectors.eq6_solution.v1":
            continue
        p = parse_problem(t["problem"])
        rows = t["expected"]["eq6"]
        assert len(rows) == p.steps + 1 + t["idle"]
        assert all(r == rows[p.steps] for r in rows[p.steps :])
        u0 = [Fraction(x) for x in p.u0]
        lift0 = [x for j in range(1, p.order + 1) for x in kron_power(np.array(u0, dtype=object), j)]
        assert all(abs(Fraction(Decimal(s)) - x) < Fraction(1, 10**38) for s, x in zip(rows[0], lift0, strict=True))


@pytest.mark.clause("ORC-2", "BND-1", "REG-5")
def test_expected_bounds_hold_on_the_expected_errors_and_regimes_match_flags():
    flag_of = {
        "fully dissipative": "FullyDissipative",
        "almost dissipative": "AlmostDissipative",
        "not dissipative": "NotDissipative",
    }
    seen = set()
    for _, doc, t in _tests():
        if doc["schema"] != "qsgd-ref.vectors.carleman_trajectory.v1":
            continue
        exp = t["expected"]
        assert flag_of[exp["regime"]] in t["flags"]
        seen.add(exp["regime"])
        assert "majorant" in exp["bounds"]
        assert not set(exp["bounds"]) & set(exp["not_applicable"])
        for t_, (u, y) in enumerate(zip(exp["exact"], exp["carleman"], strict=True)):
            err2 = sum((Fraction(Decimal(a)) - Fraction(Decimal(b))) ** 2 for a, b in zip(u, y, strict=True))
            for name, series in exp["bounds"].items():
                if series[t_] != "inf":
                    assert Fraction(Decimal(series[t_])) ** 2 >= err2, (t["tcId"], name, t_)
    assert seen == set(flag_of)
