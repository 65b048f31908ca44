"""The committed oracle corpus (clauses ORC-1, ORC-2): regeneration, version, schemas, coverage, values."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jsonschema
import mpmath
import numpy as np
import pytest

from qsgd_ref.base.indexing import kron_power, level_offsets
from qsgd_ref.base.specdata import schema_path, spec_dir
from qsgd_ref.carleman import exact
from qsgd_ref.oracle import notes, traps
from qsgd_ref.oracle.example import guide_block, worked_example
from qsgd_ref.oracle.generator import VERSION, VERSIONS, content_digest, generate
from qsgd_ref.oracle.verifier import FILE_KINDS, KINDS
from qsgd_ref.problem import ExactMatrix, parse_problem
from qsgd_ref.system.eq6 import condition_number, eq6_system
from qsgd_ref.theory.conditioning import kappa_bound, kappa_uniform_bound
from qsgd_ref.theory.regimes import classify
from qsgd_ref.trajectories import carleman_trajectory

VECTORS = spec_dir() / "vectors"
ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "oracle.md"


def _files():
    return sorted(VECTORS.glob("*.json"))


def _tests(kind: str | None = None):
    for path in _files():
        doc = json.loads(path.read_text())
        if kind is not None and path.stem != kind:
            continue
        for g in doc["testGroups"]:
            for t in g["tests"]:
                yield path.name, doc, t


def _dec(x: str) -> Fraction:
    return Fraction(Decimal(x))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("vectors")
    generate(out, seed=0)
    return out


@pytest.mark.slow  # 10-15 s: regenerates the whole corpus (fixture)
@pytest.mark.clause("ORC-1")
def test_regenerating_the_committed_corpus_is_byte_identical(regenerated):
    committed = {p.name: p.read_bytes() for p in _files()}
    fresh = {p.name: p.read_bytes() for p in sorted(regenerated.glob("*.json"))}
    assert set(committed) == set(fresh) == {f"{kind}.json" for kind in FILE_KINDS}
    for name in committed:
        assert committed[name] == fresh[name], f"{name} differs from a fresh `qsgd-ref oracle generate --seed 0`"


@pytest.mark.clause("ORC-1", "ORC-5")
def test_the_guides_worked_example_is_the_generators(tmp_path):
    """docs/oracle.md holds exactly the worked example the generator writes from the committed vectors (the
    byte-identity above makes that the fresh corpus's); --guide rewrites only the marked block."""
    assert guide_block(GUIDE) == worked_example(VECTORS), "run `qsgd-ref oracle generate --out spec/vectors --guide docs/oracle.md`"
    block = guide_block(GUIDE)
    copy = tmp_path / "guide.md"
    copy.write_text("before\n" + block.replace("Test 26", "Test 99") + "after\n")
    from qsgd_ref.oracle.example import write_guide

    write_guide(copy, VECTORS)
    assert copy.read_text() == "before\n" + block + "after\n"


@pytest.mark.clause("ORC-1")
def test_the_corpus_version_follows_its_content():
    """The version changes whenever the content or the vector schemas change: VERSIONS records each
    version's digest, and the changelog has an entry for the current one."""
    assert content_digest(VECTORS) == VERSIONS[VERSION], (
        "the corpus content or its schemas changed: give it a new VERSION, record its digest in VERSIONS "
        "and add a changelog entry")
    assert len(set(VERSIONS.values())) == len(VERSIONS) and VERSION == max(VERSIONS, key=int)
    assert {json.loads(p.read_text())["version"] for p in _files()} == {VERSION}
    assert f"corpus version {VERSION}" in (ROOT / "docs" / "changelog.md").read_text()


@pytest.mark.clause("ORC-1")
def test_a_different_seed_gives_different_coefficients():
    from qsgd_ref.oracle import corpus

    for cases in (corpus.small_trajectory_cases, corpus.matrix_cases, corpus.hhl_cases, corpus.loss_cases):
        a, b = cases(0), cases(7)
        first = [c[0] if isinstance(c, tuple) else c for c in a]
        second = [c[0] if isinstance(c, tuple) else c for c in b]
        assert [c.comment for c in first] == [c.comment for c in second]  # same coverage
        key = (lambda c: c.problem.to_json()) if hasattr(first[0], "problem") else (lambda c: c.terms)
        assert [key(c) for c in first] != [key(c) for c in second]


@pytest.mark.clause("ORC-1", "FMT-1")
def test_every_vector_file_validates_and_explains_itself():
    ids = []
    for path in _files():
        doc = json.loads(path.read_text())
        schema = json.loads(schema_path(KINDS[doc["schema"]][0]).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(doc)
        tests = [t for g in doc["testGroups"] for t in g["tests"]]
        assert doc["numberOfTests"] == len(tests)
        used = {f for t in tests for f in t["flags"]}
        assert set(doc["notes"]) == used, "notes explain exactly the flags used"
        for note in doc["notes"].values():
            assert note["bugType"] in notes.BUG_TYPES and note["description"] and note["effect"]
        assert set(doc["bugTypes"]) == {n["bugType"] for n in doc["notes"].values()}
        assert set(doc["hints"]) <= set(notes.HINTS) and all(doc["hints"].values())
        for t in tests:
            assert set(t.get("traps", {})) <= set(doc["hints"]), f"tcId {t['tcId']}: a trap without its hint"
        series = {s for t in tests for s in (*t["expected"].get("bounds", {}), *t["expected"].get("cond_bounds", {}),
                                              *t["expected"].get("not_applicable", {}))}
        assert set(doc.get("boundSeries", {})) == series and all(s in notes.BOUND_SERIES for s in series)
        for g in doc["testGroups"]:
            for t in g["tests"]:
                if "problem" in t:
                    p = parse_problem(t["problem"])  # full problem validation (FMT-1), version 1 or 2
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
        if "problem" not in t:
            continue
        p = parse_problem(t["problem"])
        orders.add(p.order), degrees.add(p.degree), ns.add(p.n), steps.add(p.steps)
        if "F0On" in t["flags"]:
            assert any(not m[0].is_zero() for m in p.maps if 0 in m), t["tcId"]
        if "F0Off" in t["flags"]:
            assert all(m[0].is_zero() for m in p.maps if 0 in m), t["tcId"]
        if "IndexOrderTrap" in t["flags"]:
            assert any(traps.column_major_map(m, p.n)[ell] != a for m in p.maps for ell, a in m.items() if ell >= 2)
        if "ExactlyRepresentable" in t["flags"]:
            vals = list(p.u0) + [x for m in p.maps for a in m.values() for x in a.values()]
            assert all(Fraction(float(x)) == x for x in vals)
        if "F2Zero" in t["flags"]:
            assert p.maps[0][2].is_zero() and p.degree == 3
    need = {
        "FullyDissipative", "AlmostDissipative", "NotDissipative", "F0On", "F0Off", "Degree1", "Degree2", "Degree3",
        "TimeDependent", "ZeroSteps", "OrderOne", "F2Zero", "Scalar", "ExactlyRepresentable", "LargeScale",
        "TinyScale", "IndexOrderTrap", "IdleSteps", "MarginalNorm", "ContinuousScheme", "Burgers", "LargeSparse",
        "RowsSampled", "MonomialBasis", "PerStepMatrices", "Undilated", "Conditioning", "LossMap",
        "TaylorTruncated", "ContinuousTable", "DroppedBlocks",
    }
    assert need <= flags, sorted(need - flags)
    assert {1, 2, 3, 4, 5} <= orders and {1, 2, 3} <= degrees and {1, 16} <= ns and max(ns) >= 32 and 0 in steps
    assert sum(p.stat().st_size for p in _files()) < 3_000_000, "the corpus stays a few MB"


@pytest.mark.clause("ORC-1", "MOD-10", "FMT-1")
def test_the_large_problems_are_sparse_version_2_documents():
    burgers = [t for _, _, t in _tests("carleman_trajectory") if "Burgers" in t["flags"]]
    assert {t["problem"]["order"] for t in burgers} == {2, 3}
    assert max(t["problem"]["steps"] for t in burgers) >= 200
    large = [t for _, _, t in _tests("carleman_trajectory") if "LargeSparse" in t["flags"]]
    assert large and len(large[0]["problem"]["u0"]) >= 32
    for t in burgers + large:
        prob = t["problem"]
        assert prob["schema"] == "qsgd-ref.problem.v2"
        for ell, f in prob["F"].items():
            assert set(f) == {"shape", "entries"} and len(f["entries"]) < f["shape"][0] * f["shape"][1] / 4, ell
        exp = t["expected"]
        if "Burgers" in t["flags"]:
            assert exp["times"][0] == 0 and exp["times"][-1] == prob["steps"] and len(exp["times"]) < prob["steps"]
            assert len(exp["exact"]) == len(exp["carleman"]) == len(exp["error"]) == len(exp["times"])
            assert len(parse_problem(prob).maps) == prob["steps"] and len(prob["u0"]) == 16


@pytest.mark.clause("ORC-1", "HHL-1", "HHL-2")
def test_hhl_coverage_and_registers():
    hhl = [t for _, _, t in _tests("hhl_state")]
    big = [t for t in hhl if len(t["problem"]["u0"]) >= 2 and t["problem"]["order"] >= 2]
    assert any("IndexOrderTrap" in t["flags"] and "column-major" in t.get("traps", {}) for t in big)
    assert any("TimeDependent" in t["flags"] for t in big)
    assert any(t["idle"] > 0 for t in big) and any(t["problem"]["steps"] == 0 for t in big)
    for t in hhl:
        p = parse_problem(t["problem"])
        rows = (p.steps + 1 + t["idle"]) * sum(p.n**j for j in range(1, p.order + 1))
        hermitian = p.steps == 0 and t["idle"] == 0
        assert t["system"] == {"size": rows if hermitian else 2 * rows, "dilated": not hermitian,
                               "qubits": max(1, math.ceil(math.log2(rows if hermitian else 2 * rows)))}
        state = [_dec(x) for x in t["expected"]["hhl"]["state"]]
        assert len(state) == 2 ** t["system"]["qubits"]
        assert abs(sum(x * x for x in state) - 1) < Fraction(1, 10**35)


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
    for _, _, t in _tests("carleman_trajectory"):
        p = parse_problem(t["problem"])
        if p.steps > 6 or p.degree > 2 or p.n > 3:
            continue
        truth = _fraction_iteration(p)
        scale = max(abs(x) for r in truth for x in r)
        for row, exp in zip(truth, t["expected"]["exact"], strict=True):
            for x, s in zip(row, exp, strict=True):
                assert abs(_dec(s) - x) <= scale * Fraction(1, 10**38), (t["tcId"], s)
                assert _digits(s) >= 30 or _dec(s) == x, f"tcId {t['tcId']}: {s} has < 30 digits and is not exact"
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
    for _, _, t in _tests("carleman_matrix"):
        if len(t["problem"]["u0"]) != 1:
            continue
        p = parse_problem(t["problem"])
        h = {ell: a[0, 0] + (1 if ell == 1 else 0) for ell, a in p.maps[0].items()}
        exp_m = {(r, c): _dec(v) for r, c, v in t["expected"]["matrix"]["M"]}
        exp_c = {r: _dec(v) for r, v in t["expected"]["matrix"]["c"]}
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
    for _, _, t in _tests("eq6_solution"):
        p = parse_problem(t["problem"])
        rows = t["expected"]["eq6"]
        assert len(rows) == p.steps + 1 + t["idle"]
        assert all(r == rows[p.steps] for r in rows[p.steps :])
        u0 = [Fraction(x) for x in p.u0]
        lift0 = [x for j in range(1, p.order + 1) for x in kron_power(np.array(u0, dtype=object), j)]
        assert all(abs(_dec(s) - x) < Fraction(1, 10**38) for s, x in zip(rows[0], lift0, strict=True))


@pytest.mark.clause("ORC-2", "BND-1", "REG-5")
def test_expected_errors_are_rounded_down_and_bounds_hold_on_them():
    flag_of = {"fully dissipative": "FullyDissipative", "almost dissipative": "AlmostDissipative",
               "not dissipative": "NotDissipative"}
    seen = set()
    for _, _, t in _tests("carleman_trajectory"):
        exp = t["expected"]
        assert flag_of[exp["regime"]] in t["flags"]
        seen.add(exp["regime"])
        assert "BND-1" in exp["bounds"] and not set(exp["bounds"]) & set(exp["not_applicable"])
        for row, (u, y) in enumerate(zip(exp["exact"], exp["carleman"], strict=True)):
            err2 = sum((_dec(a) - _dec(b)) ** 2 for a, b in zip(u, y, strict=True))  # from the 40-digit rows
            err = _dec(exp["error"][row])
            scale = max([abs(_dec(a)) for a in u] + [Fraction(1, 10**300)])
            assert err**2 <= err2 + scale**2 * Fraction(1, 10**36), (t["tcId"], row)  # rounded down
            assert abs(err**2 - err2) <= (err2 + scale**2 * Fraction(1, 10**70)) * Fraction(1, 10**25) \
                or err2 < scale**2 * Fraction(1, 10**60), (t["tcId"], row)
            for name, series in exp["bounds"].items():
                if series[row] != "inf":
                    assert Decimal(series[row]) >= Decimal(exp["error"][row]), (t["tcId"], name, row)
    assert seen == set(flag_of)


def _mp_norm(a: ExactMatrix) -> mpmath.mpf:
    """‖a‖₂ at 50 digits by mpmath's SVD (an independent second method)."""
    dense = a.dense()
    m = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in dense])
    return max(mpmath.svd_r(m, compute_uv=False))


@pytest.mark.clause("ORC-2", "REG-1", "REG-4")
def test_regime_intervals_enclose_the_true_norms():
    checked = 0
    with mpmath.workdps(50):
        for _, _, t in _tests("carleman_trajectory"):
            p = parse_problem(t["problem"])
            if p.n > 3:
                continue
            iv = t["expected"]["regime_numbers"]
            for ell, (lo, hi) in iv["h"].items():
                ell = int(ell)
                values = [_mp_norm(m[1].plus_identity() if 1 in m else ExactMatrix.identity(p.n)) if ell == 1 else
                          _mp_norm(m[ell]) if ell in m else mpmath.mpf(0) for m in p.maps]
                true = max(values)
                assert mpmath.mpf(lo) <= true * (1 + mpmath.mpf(10) ** -45) and true <= mpmath.mpf(hi), (t["tcId"], ell)
                assert mpmath.mpf(hi) - mpmath.mpf(lo) <= max(true, 1) * mpmath.mpf(10) ** -25
            gamma, h1 = [_dec(x) for x in iv["gamma"]], [_dec(x) for x in iv["h"]["1"]]
            assert gamma[0] <= 1 - h1[1] + Fraction(1, 10**29) and gamma[1] >= 1 - h1[0] - Fraction(1, 10**29)
            assert (iv["R_d"] == "inf") == (gamma[1] <= 0)
            if "MarginalNorm" in t["flags"]:
                assert iv["h"]["1"][0] == "1" and iv["R_d"] == "inf"  # exactly 1: the lower end is exact
            checked += 1
    assert checked >= 20


@pytest.mark.clause("ORC-2", "SYS-3", "COND-1", "COND-2")
def test_kappa_and_its_bounds_agree_with_the_float_engine():
    checked = 0
    for _, _, t in _tests("eq6_solution"):
        exp = t["expected"]
        if "kappa" not in exp:
            continue
        p = parse_problem(t["problem"])
        kappa = condition_number(eq6_system(p, t["idle"]))  # the float64 engine (SYS-3): a second method
        assert abs(Fraction(kappa.value) - _dec(exp["kappa"])) <= _dec(exp["kappa"]) * Fraction(1, 10**10)
        if t["idle"] == 0:
            cond = exp["cond_bounds"]
            assert _dec(cond["COND-1"]) >= _dec(exp["kappa"])
            assert abs(Fraction(kappa_bound(p)) / _dec(cond["COND-1"]) - 1) < Fraction(1, 10**9)
            uniform = kappa_uniform_bound(p)
            assert (uniform is None) == ("COND-2" in exp.get("not_applicable", {}))
            if uniform is not None:
                assert _dec(cond["COND-2"]) >= _dec(cond["COND-1"])
                # the corpus sums Σ_k ‖m^k‖₂ to 1e-40 plus a certified tail, so it is the series' value up to
                # that; the package's COND-2 (a truncated sum over 1 − ‖m^K‖₂) is another upper bound on it
                assert Fraction(uniform) >= _dec(cond["COND-2"]) * (1 - Fraction(1, 10**9))
        checked += 1
    assert checked >= 5


@pytest.mark.clause("ORC-2", "LIFT-4")
def test_monomial_matrices_equal_the_averaged_kronecker_matrices():
    """M^c = P M_N S with P the *average* over each monomial's positions (a second method: the corpus
    takes each monomial's first position), exactly."""
    checked = 0
    for _, _, t in _tests("carleman_matrix"):
        if "monomial" not in t["expected"]:
            continue
        p = parse_problem(t["problem"])
        n, order = p.n, p.order
        m, c = exact.lifted_map_exact(p.maps[0], n, order)
        off = level_offsets(n, order)
        mono: list[tuple[int, ...]] = []
        position_of: dict[int, int] = {}
        for j in range(1, order + 1):
            keys = sorted({tuple(sorted(np.unravel_index(pos, (n,) * j))) for pos in range(n**j)})
            base = len(mono)
            mono += keys
            for pos in range(n**j):
                position_of[off[j - 1] + pos] = base + keys.index(tuple(sorted(np.unravel_index(pos, (n,) * j))))
        count = {i: sum(1 for v in position_of.values() if v == i) for i in range(len(mono))}
        avg: dict[tuple[int, int], Fraction] = {}
        for (r, s), v in m.items():
            key = (position_of[r], position_of[s])
            avg[key] = avg.get(key, Fraction(0)) + v / count[position_of[r]]
        cavg: dict[int, Fraction] = {}
        for (r, _), v in c.items():
            cavg[position_of[r]] = cavg.get(position_of[r], Fraction(0)) + v / count[position_of[r]]
        exp = t["expected"]["monomial"]
        assert exp["D"] == len(mono) == math.comb(n + order, order) - 1
        got = {(r, s): _dec(v) for r, s, v in exp["M"]}
        assert set(got) == {k for k, v in avg.items() if v} and all(abs(got[k] - avg[k]) < Fraction(1, 10**38) * max(1, abs(avg[k])) for k in got)
        assert {r: _dec(v) for r, v in exp["c"]}.keys() == {k for k, v in cavg.items() if v}
        checked += 1
    assert checked >= 3


@pytest.mark.clause("ORC-2", "MAP-2", "MOD-1")
def test_loss_maps_reproduce_the_gradient_step_exactly():
    """For an untruncated polynomial loss, u + Σ F_ℓ u^{⊗ℓ} = u − η ∇L(θ* + u) exactly, at rational points
    (the gradient evaluated from the loss's terms: a second method); a truncated map agrees with the
    untruncated one's first F_ℓ."""
    import random

    rng = random.Random(5)
    for _, _, t in _tests("loss_map"):
        loss = t["loss"]
        n, eta = loss["n"], Fraction(loss["eta"])
        star = [Fraction(x) for x in loss["theta_star"]]
        terms = [(Fraction(c), a) for c, a in loss["terms"]]
        fmap = {int(ell): entries for ell, entries in t["expected"]["map"].items()}
        assert set(fmap) == set(range(loss["degree"] + 1))
        degree = max(sum(a) for _, a in terms)
        if degree - 1 != loss["degree"]:
            assert "TaylorTruncated" in t["flags"]
            continue
        for _ in range(3):
            u = [Fraction(rng.randint(-9, 9), 7) for _ in range(n)]
            theta = [s + x for s, x in zip(star, u, strict=True)]
            grad = [sum((c * a[i] * math.prod(th ** (e - (k == i)) for k, (th, e) in enumerate(zip(theta, a, strict=True)))
                         for c, a in terms if a[i]), Fraction(0)) for i in range(n)]
            step = list(u)
            for ell, entries in fmap.items():
                power = kron_power(np.array(u, dtype=object), ell) if ell else np.array([Fraction(1)], dtype=object)
                for r, col, v in entries:
                    step[r] += _dec(v) * power[col]
            want = [x - eta * g for x, g in zip(u, grad, strict=True)]
            assert all(abs(a - b) < Fraction(1, 10**36) * (1 + abs(b)) for a, b in zip(step, want, strict=True)), t["tcId"]


@pytest.mark.clause("ORC-2", "FMT-3")
def test_correction_tables_are_fmt3_documents():
    schema = json.loads(schema_path("tables.v1.json").read_text())
    for _, _, t in _tests("correction_table"):
        table, req = t["expected"]["table"], t["table_request"]
        jsonschema.Draft202012Validator(schema).validate(table)
        assert (table["degree"], table["order"], table["continuous"], table["includes_dropped"]) == \
            (req["degree"], req["order"], req["continuous"], req["dropped"])


@pytest.mark.clause("ORC-2", "REF-3", "LIFT-3")
def test_scheme_difference_matches_the_integer_engines_two_schemes():
    tests = [t for _, _, t in _tests("carleman_trajectory") if "scheme_difference" in t["expected"]]
    assert tests
    for t in tests:
        p = parse_problem(t["problem"])
        with mpmath.workdps(60):
            disc = carleman_trajectory(p, dps=60)
            cont = carleman_trajectory(p, dps=60, scheme="continuous")
            for row, d, c in zip(t["expected"]["scheme_difference"], disc, cont, strict=True):
                for s, a, b in zip(row, d, c, strict=True):
                    assert abs(mpmath.mpf(s) - (a - b)) <= mpmath.mpf(10) ** -45, t["tcId"]
        assert any(_dec(x) for row in t["expected"]["scheme_difference"] for x in row)


@pytest.mark.clause("ORC-1", "REG-7")
def test_every_corpus_regime_is_decided_in_the_2_norm():
    """docs/oracle.md promises that no corpus verdict needs REG-7's eigenbasis or Lyapunov views (the
    verdicts themselves are checked against the independent float64 engine in test_oracle_verify)."""
    checked = 0
    for _, _, t in _tests():
        if "regime" in t["expected"]:
            assert classify(parse_problem(t["problem"])).regime_basis == "2-norm", t["tcId"]
            checked += 1
    assert checked >= 10
