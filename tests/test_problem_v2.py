"""Problem files version 2 (clause FMT-1): sparse F_ℓ, per-step overrides, conversion, and refusals.

Expected values are written from the clause's statement: the entry (row, col, value) of a sparse F_ℓ
is the coefficient of u^{⊗ℓ} at that tensor index, exactly; a per-step map inherits F.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.cli.main import main
from qsgd_ref.problem import ExactMatrix, load_problem, make_problem, parse_problem

V2 = "qsgd-ref.problem.v2"


def v2(**fields):
    doc = {"schema": V2, "u0": ["1/2", "-1/4"], "steps": 2, "order": 2,
           "F": {"1": {"shape": [2, 2], "entries": [[0, 0, "-1/4"], [1, 1, "-1/5"], [0, 1, "1/20"]]},
                 "2": {"shape": [2, 4], "entries": [[0, 1, "1/10"], [1, 3, "-1/25"]]}}}
    doc.update(fields)
    return doc


@pytest.mark.clause("FMT-1", "MAP-1")
def test_sparse_entries_are_the_coefficients_exactly():
    p = parse_problem(v2())
    f1, f2 = p.map_at(0)[1], p.map_at(0)[2]
    assert f1[0, 1] == Fraction(1, 20) and f1[1, 0] == 0 and f1.nnz == 3
    assert f2.shape == (2, 4) and f2[0, 1] == Fraction(1, 10) and f2[1, 3] == Fraction(-1, 25) and f2.nnz == 2
    # (F_2 u⊗u)_0 = u_0 u_1 / 10 with column 1 = (0, 1) in kron order
    u = [Fraction(1, 2), Fraction(-1, 4)]
    assert sum(v * u[c // 2] * u[c % 2] for r, c, v in f2.entries() if r == 0) == u[0] * u[1] / 10


@pytest.mark.clause("FMT-1", "MAP-3")
def test_per_step_maps_inherit_F_and_override_only_what_they_list():
    doc = v2(F_steps=[{"0": {"shape": [2, 1], "entries": [[1, 0, "1/3"]]}}, {"1": [["0", "0"], ["0", "-1"]]}])
    p = parse_problem(doc)
    assert p.time_dependent
    assert p.map_at(0)[0][1] == Fraction(1, 3) and p.map_at(0)[0][0] == 0
    assert p.map_at(0)[2] is p.map_at(1)[2]                       # stored once, shared
    assert p.map_at(1)[1][1, 1] == -1 and p.map_at(1)[1].nnz == 1  # replaced at step 1
    assert 0 not in p.map_at(1)                                    # F_0 only at step 0


@pytest.mark.clause("FMT-1")
def test_dense_and_sparse_spell_the_same_problem_and_convert_both_ways(tmp_path):
    dense = {"schema": "qsgd-ref.problem.v1", "u0": ["1/2", "-1/4"], "steps": 2, "order": 2,
             "F": {"1": [["-1/4", "1/20"], ["0", "-1/5"]], "2": [["0", "1/10", "0", "0"], ["0", "0", "0", "-1/25"]]}}
    a, b = parse_problem(dense), parse_problem(v2())
    assert a.map_at(0) == b.map_at(0) and list(a.u0) == list(b.u0)
    src = tmp_path / "v1.json"
    src.write_text(json.dumps(dense))
    assert main(["convert", str(src), str(tmp_path / "v2.json")]) == 0
    written = json.loads((tmp_path / "v2.json").read_text())
    assert written["schema"] == V2 and written["F"]["2"] == {"shape": [2, 4], "entries": [[0, 1, "1/10"], [1, 3, "-1/25"]]}
    assert main(["convert", str(tmp_path / "v2.json"), str(tmp_path / "back.json")]) == 0
    assert json.loads((tmp_path / "back.json").read_text()) == a.to_json()


@pytest.mark.clause("FMT-1", "MAP-3")
def test_time_dependent_v2_writes_shared_maps_once(tmp_path):
    f1 = ExactMatrix.from_entries((1, 1), [(0, 0, Fraction(-1, 2))])
    p = make_problem(F={1: f1}, F_steps=[{0: [Fraction(t, 10)]} for t in range(1, 4)], u0=[1], steps=3, order=2)
    doc = p.to_json("qsgd-ref.problem.v2")
    assert set(doc["F"]) == {"1"} and [set(m) for m in doc["F_steps"]] == [{"0"}] * 3
    p.save(tmp_path / "p.json", "qsgd-ref.problem.v2")
    q = load_problem(tmp_path / "p.json")
    assert all(q.map_at(t) == p.map_at(t) for t in range(3))


BAD = [
    (v2(F={"2": {"shape": [2, 3], "entries": []}}), "F[2].shape", "[2, 4]"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[0, 4, 1]]}}), "F[2].entries[0]", "col 4 is out of range 0 … 3"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[2, 0, 1]]}}), "F[2].entries[0]", "row 2 is out of range"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[0, 1, 1], [1, 1, 2], [0, 1, 3]]}}), "F[2].entries[2]", "repeats F[2].entries[0]"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[0, 1]]}}), "F[2].entries[0]", "[row, col, value] triple"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[0, 1, "x"]]}}), "F[2].entries[0][2]", "not a number"),
    (v2(F={"2": {"shape": [2, 4], "entries": [[0.5, 1, 1]]}}), "F[2].entries[0]", "not an integer"),
    (v2(F={"2": {"shape": [2, 4]}}), "F[2].entries", "missing"),
    (v2(F_steps=[{"1": [["1", "2"]]}, {}]), "F_steps[0][1]", "n = 2 rows"),
    (v2(F_steps=[{"0": {"shape": [3, 1], "entries": []}}, {}]), "F_steps[0][0].shape", "[2, 1]"),
    (v2(F_steps=[{}]), "F_steps", "one map per step"),
    ({"schema": "qsgd-ref.problem.v1", "u0": [1], "steps": 1, "order": 1, "F": {"1": [[0]]}, "F_steps": [{}]}, "F", "exactly one"),
]


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize(("doc", "field", "reason"), BAD, ids=[b[1] + ":" + b[2][:20] for b in BAD])
def test_malformed_v2_documents_name_the_field(doc, field, reason):
    with pytest.raises(InputError) as err:
        parse_problem(doc)
    assert err.value.field == field, str(err.value)
    assert reason in err.value.reason, str(err.value)


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("command", [["validate"], ["classify"], ["reference", "--dps", "10"]])
def test_malformed_v2_files_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, command):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD[3][0]))
    out = tmp_path / "out.json"
    extra = ["--out", str(out)] if command[0] == "reference" else []
    assert main([*command, str(bad), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "F[2].entries[2]" in err[0] and "Traceback" not in err[0]
    assert not out.exists()


@pytest.mark.clause("LIFT-1", "MAP-1")
@given(data=st.data())
def test_plus_identity_is_I_plus_F_exactly(data):
    """H_1 = I + F_1 built sparse equals the dense sum entry by entry, in the storage's invariants:
    cancelled diagonal entries dropped, missing ones added, one denominator in lowest terms."""
    n = data.draw(st.integers(1, 6), label="n")
    den = data.draw(st.sampled_from([1, 2, 3, 12]), label="denominator")
    cells = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                         st.integers(-2 * den, 2 * den)), max_size=2 * n, unique_by=lambda c: c[:2]),
                      label="entries")
    cancel = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n), label="F_ii = -1")
    entries = {(r, c): Fraction(v, den) for r, c, v in cells}
    entries.update({(i, i): Fraction(-1) for i in cancel})
    f = ExactMatrix.from_entries((n, n), [(r, c, v) for (r, c), v in entries.items()])
    expected = [[entries.get((i, j), Fraction(0)) + (i == j) for j in range(n)] for i in range(n)]
    got = f.plus_identity()
    assert got.dense().tolist() == expected
    assert 0 not in got.numerators
    assert math.gcd(got.denominator, *got.numerators) == 1
    assert [(r, c) for r, c, _ in got.entries()] == sorted((i, j) for i in range(n) for j in range(n) if expected[i][j])
    assert got == ExactMatrix.from_dense(expected)  # the same stored form as building I + F from scratch


@pytest.mark.clause("LIFT-1")
def test_plus_identity_needs_a_square_matrix():
    with pytest.raises(ValueError, match="square"):
        ExactMatrix.zeros((2, 4)).plus_identity()
