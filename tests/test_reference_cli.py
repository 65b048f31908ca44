"""`qsgd-ref reference` (clauses FMT-2, REF-1, REF-2): schema-valid output, one-line refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from qsgd_ref.base.specdata import schema_path
from qsgd_ref.cli import main
from qsgd_ref.problem import make_problem

CHECKS = Path(__file__).parent / "data" / "checks"
P1 = CHECKS / "problems" / "p1-quadratic-forced.json"


def validate(doc: dict) -> None:
    schema = json.loads(schema_path("reference.v1.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)


@pytest.mark.clause("FMT-2", "REF-1")
def test_cli_writes_a_schema_valid_result(tmp_path, cli):
    out = tmp_path / "r.json"
    r = cli("reference", P1, "--dps", "45", "--steps", "6", "--order", "2", "--out", out)
    assert r.status == 0, r.err
    assert r.out == ""
    doc = json.loads(out.read_text())
    validate(doc)
    assert (doc["dps"], doc["steps"], doc["order"]) == (45, 6, 2)
    assert len(doc["exact"]) == len(doc["carleman"]) == len(doc["error"]) == 7
    # u(1) = u0 + F0 + F1 u0 + F2 (u0 ⊗ u0) for p1, worked by hand: (0.40375, −0.20375)
    assert [Decimal(x) for x in doc["exact"][1]] == [Decimal("0.40375"), Decimal("-0.20375")]
    assert "radii" not in doc


@pytest.mark.clause("FMT-2", "REF-2")
def test_cli_certified_to_stdout_is_schema_valid(cli):
    r = cli("reference", P1, "--dps", "20", "--steps", "3", "--certified")
    assert r.status == 0, r.err
    doc = json.loads(r.out)
    validate(doc)
    assert len(doc["radii"]["carleman"]) == 4
    assert all(Decimal(r) < Decimal("1e-19") for row in doc["radii"]["exact"] for r in row)


@pytest.mark.clause("FMT-2")
def test_schema_accepts_later_additions_and_rejects_bad_values(tmp_path):
    assert main(["reference", str(P1), "--dps", "10", "--steps", "1", "--out", str(tmp_path / "r.json")]) == 0
    doc = json.loads((tmp_path / "r.json").read_text())
    validate({**doc, "regime": {"flag": "ok"}, "bounds": [], "not_applicable": []})
    with pytest.raises(jsonschema.ValidationError):
        validate({**doc, "exact": [["abc"]]})
    with pytest.raises(jsonschema.ValidationError):
        validate({k: v for k, v in doc.items() if k != "error"})


BAD = [
    (["--dps", "2"], "--dps"),
    (["--dps", "100000"], "--dps"),
    (["--order", "0"], "order"),
    (["--steps", "-3"], "steps"),
    (["--order", "99"], "order"),
]


@pytest.mark.clause("FMT-2")
@pytest.mark.parametrize("extra,field", BAD, ids=[" ".join(b[0]) for b in BAD])
def test_cli_bad_arguments_exit_2_with_one_line(extra, field, capsys):
    assert main(["reference", str(P1), *extra]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert field in lines[0]
    assert captured.out == ""


@pytest.mark.clause("FMT-2")
def test_cli_bad_problem_file_exits_2(tmp_path, cli):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"schema": "qsgd-ref.problem.v1", "F": {"1": [["x"]]}, "u0": [1], "steps": 2, "order": 2})
    )
    for args, field in (([bad], "F[1][0][0]"), ([tmp_path / "missing.json"], "PROBLEM"),
                        ([P1, "--out", tmp_path / "no" / "dir" / "r.json"], "--out")):
        r = cli("reference", *args)
        assert r.status == 2 and r.out == ""
        assert len(r.err_lines) == 1 and field in r.err_lines[0], r.err


@pytest.mark.clause("FMT-2", "MAP-3")
def test_cli_time_dependent_problem_keeps_its_horizon(tmp_path, capsys):
    p = make_problem(F_steps=[{1: [["-1/2"]]}, {1: [["-1/3"]]}], u0=["1"], steps=2, order=2)
    p.save(tmp_path / "sgd.json")
    assert main(["reference", str(tmp_path / "sgd.json"), "--steps", "5"]) == 2
    assert "--steps" in capsys.readouterr().err
    assert main(["reference", str(tmp_path / "sgd.json"), "--dps", "12", "--out", str(tmp_path / "r.json")]) == 0
    doc = json.loads((tmp_path / "r.json").read_text())
    validate(doc)
    # u(2) = 1 · (1 − 1/2) · (1 − 1/3) = 1/3, and the linear map is not truncated
    assert Decimal(doc["exact"][2][0]) == Decimal(doc["carleman"][2][0]) == Decimal("0.333333333333")
