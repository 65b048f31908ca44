"""Problem files (clauses FMT-1, MAP-1, MAP-3): exact parsing and one-line refusals."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.indexing import flat_index, kron_power, multi_index
from qsgd_ref.base.inputs import parse_json as json_loads_exact
from qsgd_ref.problem import load_problem, make_problem, parse_problem

GOOD = {
    "schema": "qsgd-ref.problem.v1",
    "F": {"0": ["1/100", 0.5], "1": [["-0.25", "3e-2"], [0, "-1/5"]], "2": [["1/10", 0, 0, 0], [0, 0, 0, "1/10"]]},
    "u0": ["1/2", "-0.25"],
    "steps": 3,
    "order": 2,
}


def doc(**changes):
    d = json.loads(json.dumps(GOOD))
    for k, v in changes.items():
        if v is None:
            d.pop(k)
        else:
            d[k] = v
    return d


@pytest.mark.clause("FMT-1")
def test_numbers_are_parsed_exactly():
    p = parse_problem(json_loads_exact(json.dumps(GOOD)))
    assert p.maps[0][1][0, 1] == Fraction(3, 100)
    assert p.maps[0][0][1] == Fraction(1, 2)
    assert p.u0[1] == Fraction(-1, 4)
    # JSON number 0.1 means one tenth, not the binary double
    q = parse_problem(json_loads_exact(json.dumps(doc(u0=[0.1, 0]))))
    assert q.u0[0] == Fraction(1, 10)


@pytest.mark.clause("FMT-1")
def test_round_trip(tmp_path):
    p = parse_problem(json_loads_exact(json.dumps(GOOD)))
    p.save(tmp_path / "p.json")
    q = load_problem(tmp_path / "p.json")
    assert q.to_json() == p.to_json()
    assert all(q.maps[0][k] == p.maps[0][k] for k in p.maps[0])


BAD = [
    (doc(u0=None), "u0", "missing"),
    (doc(steps=-1), "steps", ""),
    (doc(order=0), "order", ""),
    (doc(order=99), "order", "between 1 and 64"),
    (doc(steps=10**9), "steps", "between 0"),
    (doc(u0=["1/2", "abc"]), "u0[1]", "not a number"),
    (doc(u0=["1/2", "nan"]), "u0[1]", "not finite"),
    (doc(u0=["1/2", "1/0"]), "u0[1]", "divides by zero"),
    (doc(F={"1": [["1", "0"]]}), "F[1]", "2 rows"),
    (doc(F={"2": [["1", "0"], ["0", "1"]]}), "F[2][0]", "n × n^2 = 2 × 4"),
    (doc(F={"x": [1, 2]}), "F", "not a degree"),
    (doc(schema="other"), "schema", "qsgd-ref.problem.v1"),
    (doc(F_steps=[GOOD["F"]]), "F", "exactly one of F and F_steps"),
]


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("bad,field,reason", BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_problems_name_the_field(bad, field, reason):
    with pytest.raises(InputError) as err:
        parse_problem(bad)
    assert err.value.field.startswith(field.split("[")[0]), err.value
    assert field in str(err.value) or err.value.field == field, str(err.value)
    assert reason in str(err.value) or reason in err.value.reason, str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.clause("FMT-1")
def test_non_finite_json_number():
    with pytest.raises(InputError, match=r"u0\[0\]: .*not finite"):
        parse_problem(json_loads_exact('{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [NaN], "steps": 1, "order": 1}'))


@pytest.mark.clause("FMT-1")
def test_sizes_that_do_not_fit_are_refused_with_their_size():
    with pytest.raises(SizeLimitError, match=r"order: a lifted dimension of .* would need .*GiB"):
        make_problem(F={1: np.zeros((100, 100), dtype=int)}, u0=[0] * 100, steps=1, order=9)


@pytest.mark.clause("MAP-3")
def test_time_dependent_maps_need_one_map_per_step():
    good = make_problem(F_steps=[{1: [["-1/2"]]}, {1: [["-1/3"]]}], u0=[1], steps=2, order=1)
    assert good.time_dependent and good.map_at(1)[1][0, 0] == Fraction(-1, 3)
    with pytest.raises(InputError, match="F_steps: needs one map per step"):
        make_problem(F_steps=[{1: [["-1/2"]]}], u0=[1], steps=2, order=1)


@pytest.mark.clause("MAP-1")
def test_canonical_index_order_is_numpy_kron():
    u = np.array([2, 3, 5])
    u3 = kron_power(u, 3)
    for pos in range(27):
        i, j, k = multi_index(pos, 3, 3)
        assert flat_index((i, j, k), 3) == pos
        assert u3[pos] == u[i] * u[j] * u[k]
    assert (kron_power(u, 2) == np.kron(u, u)).all()
    assert (kron_power(u, 0) == [1]).all()


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize(
    "content,needle",
    [
        ('{"schema": "qsgd-ref.problem.v1", "F": {}, "u0": [1], "order": 1}', "steps: missing"),
        ("{not json", "not valid JSON"),
        ('{"schema": "qsgd-ref.problem.v1", "F": {"1": [[1, 2]]}, "u0": [1], "steps": 1, "order": 1}', "F[1][0]"),
    ],
)
def test_cli_refuses_bad_files_with_exit_2_and_one_line(tmp_path, cli, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content)
    r = cli("validate", path)
    assert r.status == 2
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("qsgd-ref validate: error: ") and needle in r.err, r.err
    assert r.out == ""


@pytest.mark.clause("FMT-1")
def test_cli_validate_summarises_a_good_file(tmp_path, cli):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    r = cli("validate", path)
    assert r.status == 0 and r.err == ""
    assert r.out.strip().endswith("n = 2, degree q = 2, time-independent, T = 3, N = 2, lifted dimension D = 6"), r.out
