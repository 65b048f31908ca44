"""``qsgd-ref sweep`` without a cluster (clause FMT-5): reading and expanding sweep files, the row of one
case against closed forms and exact rationals, resuming, and one-line refusals that write nothing.

The cluster side (two worker processes, a killed worker) is in tests/test_sweep_cluster.py.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from assertions import assert_close

from qsgd_ref.cli.main import main
from qsgd_ref.models.synthetic import seeded_least_squares
from qsgd_ref.problem import SCHEMA_V2, make_problem
from qsgd_ref.report.sweep.run import Executor, run_sweep
from qsgd_ref.report.sweep.spec import load_sweep, parse_yaml
from qsgd_ref.report.sweep.table import JOURNAL, journal_line
from qsgd_ref.report.sweep.task import run_case, scaled

#: u ↦ u + f1·u + f2·u² (scalar, one quadratic term): the Carleman order-1 truncation is ŷ ↦ (1 + f1)·ŷ
F1, F2, U0 = Fraction(-1, 5), Fraction(1, 10), Fraction(1, 2)


def _scalar_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "problems"
    folder.mkdir()
    p = make_problem(F={1: [[str(F1)]], 2: [[str(F2)]]}, u0=[str(U0)], steps=6, order=1)
    (folder / "scalar.json").write_text(json.dumps(p.to_json(SCHEMA_V2)))
    return folder


def _write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


@pytest.mark.clause("FMT-5")
def test_cases_are_the_product_in_file_order_with_stable_ids(tmp_path):
    folder = _scalar_folder(tmp_path)
    (folder / "again.json").write_text((folder / "scalar.json").read_text())
    doc = {"schema": "qsgd-ref.sweep.v1", "problems": "problems", "quantities": ["error"],
           "parameters": {"order": [1, 2, 3], "steps": [4, 5], "eta_scale": [1, "1/2"]}}
    sweep = load_sweep(_write(tmp_path / "s.json", doc))
    cases = sweep.cases()
    assert len(cases) == 2 * 3 * 2 * 2
    # problems by file name outermost, then order, steps, eta_scale (the last fastest)
    got = [(c.problem, c.parameters["order"], c.parameters["steps"], c.parameters["eta_scale"]) for c in cases[:5]]
    assert got == [("again.json", 1, 4, "1"), ("again.json", 1, 4, "1/2"), ("again.json", 1, 5, "1"),
                   ("again.json", 1, 5, "1/2"), ("again.json", 2, 4, "1")]
    assert [c.index for c in cases] == list(range(len(cases)))
    assert len({c.case_id for c in cases}) == len(cases)  # same bytes, other label: other case
    again = load_sweep(tmp_path / "s.json").cases()
    assert [c.case_id for c in again] == [c.case_id for c in cases]
    assert sweep.varied == ["problem", "order", "steps", "eta_scale"]


@pytest.mark.clause("FMT-5")
def test_yaml_floats_are_read_exactly_and_aliases_and_duplicate_keys_refused():
    doc = parse_yaml("parameters:\n  eta_scale: [0.1, 1.0e-3, 2]\n", "s.yaml")
    assert [Fraction(str(x)) for x in doc["parameters"]["eta_scale"]] == [Fraction(1, 10), Fraction(1, 1000), 2]
    with pytest.raises(ValueError, match="line 2: YAML aliases"):
        parse_yaml("a: &x [1, 2]\nb: *x\n", "s.yaml")
    with pytest.raises(ValueError, match="line 2: the key 'a' is given twice"):
        parse_yaml("a: 1\na: 2\n", "s.yaml")


@pytest.mark.clause("FMT-5")
def test_scalar_row_matches_exact_rationals_and_closed_forms(tmp_path):
    """error_T from an exact rational iteration; κ(L) from an SVD of L written out by hand; the success
    probability g² (COST-1) from its closed form (p + 1)·a^{2T} / (Σ_{t≤T} a^{2t} + p·a^{2T}), a = 1 + f1."""
    _scalar_folder(tmp_path)
    doc = {"schema": "qsgd-ref.sweep.v1", "problems": "problems", "quantities": ["bounds", "regime", "cost"],
           "parameters": {"idle": [0, 3], "dps": 40}}
    sweep = load_sweep(_write(tmp_path / "s.json", doc))
    data = (tmp_path / "problems" / "scalar.json").read_bytes()
    rows = [run_case(data, c) for c in sweep.cases()]
    assert [r["status"] for r in rows] == ["ok", "ok"]
    T, a = 6, 1 + F1
    u = U0
    errors = [Fraction(0)]
    for t in range(1, T + 1):
        u = u + F1 * u + F2 * u * u
        errors.append(abs(u - a**t * U0))
    for row in rows:
        assert (row["n"], row["degree"], row["order"], row["steps"]) == (1, 2, 1, T)
        assert_close(row["error_T"], errors[-1], eps_units=4, scale=errors[-1], what="error_T")
        assert_close(row["error_max"], max(errors), eps_units=4, scale=max(errors), what="error_max")
        assert_close([Fraction(x) for x in json.loads(row["error_series"])], errors, tol=Fraction(1, 10**35),
                     what="error series (40 digits)")
        # BND-1: the error is below the majorant, and the tightness is their ratio
        assert 0 < row["tightness_majorant"] <= 1
        assert_close(row["tightness_majorant"], row["error_T"] / row["bound_majorant"], eps_units=2,
                     scale=row["tightness_majorant"], what="tightness")
        assert row["regime"] == "fully dissipative"
        assert_close(row["norm_I_plus_F1"], a, eps_units=1, scale=1, what="‖I + F_1‖")
        p = row["idle"]
        L = np.eye(T + 1 + p)
        for t in range(1, T + 1):
            L[t, t - 1] = -float(a)
        for t in range(T + 1, T + 1 + p):
            L[t, t - 1] = -1.0
        s = np.linalg.svd(L, compute_uv=False)
        assert row["system_dimension"] == T + 1 + p
        assert_close(row["kappa"], s[0] / s[-1], eps_units=64, scale=s[0] / s[-1], what="κ(L)")
        assert row["kappa"] <= row["kappa_bound"]
        if p == 0:  # COND-1 at T, below COND-2's bound for every T
            assert row["kappa_bound_clause"] == "COND-1" and row["kappa_bound"] <= row["kappa_uniform_bound"]
        else:  # COST-2 with idle steps; COND-2 is stated for p = 0
            assert row["kappa_bound_clause"] == "COST-2" and row["kappa_uniform_bound"] is None
        want = (p + 1) * a ** (2 * T) / (sum(a ** (2 * t) for t in range(T + 1)) + p * a ** (2 * T))
        assert_close(row["success_probability"], want, eps_units=16, scale=want, what="success probability g²")
        assert 0 < row["success_lower_bound"] <= row["success_probability"]
        assert row["sparsity"] == 2 and row["eps"] == "1/100" and row["qubits"] == math.ceil(math.log2(2 * (T + 1 + p)))


@pytest.mark.clause("FMT-5", "MAP-2")
def test_eta_scale_gives_the_model_with_the_scaled_step_size():
    base = seeded_least_squares(6, 2, 3, Fraction(1, 10), 5, 1, "zero", Fraction(1, 2))
    doubled = seeded_least_squares(6, 2, 3, Fraction(1, 5), 5, 1, "zero", Fraction(1, 2))
    assert scaled(base, Fraction(2)).maps == doubled.maps
    assert scaled(base, Fraction(2)).maps != base.maps


@pytest.mark.clause("FMT-5")
def test_failures_are_rows_and_a_rerun_resumes_from_the_journal(tmp_path):
    _scalar_folder(tmp_path)
    doc = {"schema": "qsgd-ref.sweep.v1", "problems": "problems", "quantities": ["error", "kappa"],
           "parameters": {"steps": [3, 4, 5], "engine": ["mp", "float64"], "idle": [0, 2]}}
    path = _write(tmp_path / "s.json", doc)
    sweep = load_sweep(path)
    out = tmp_path / "out"
    out.mkdir()
    cases = sweep.cases()
    data = (tmp_path / "problems" / "scalar.json").read_bytes()
    # an interrupted run: five rows in the journal, the last one cut short
    lines = [journal_line(run_case(data, c)) for c in cases[:5]]
    (out / JOURNAL).write_text("".join(lines) + lines[0][:20])
    with Executor(workers=0) as ex:
        outcome = run_sweep(sweep, out, ex, log=lambda _: None)
    assert (outcome.total, outcome.skipped, outcome.computed, outcome.lost) == (12, 5, 7, 0)
    assert not (out / JOURNAL).exists()
    rows = _rows(out / "results.parquet")
    assert [r["case"] for r in rows] == list(range(12))
    assert [r["steps"] for r in rows[:4]] == [3, 3, 3, 3]
    assert {r["status"] for r in rows} == {"ok"}
    full = tmp_path / "full"
    full.mkdir()
    with Executor(workers=0) as ex:
        run_sweep(sweep, full, ex, log=lambda _: None)
    assert (full / "results.parquet").read_bytes() == (out / "results.parquet").read_bytes()
    # a case that does not fit is a row with the reason: steps beyond a time-dependent problem's maps
    bad = dict(doc, parameters={"steps": [2, 7]})
    folder = tmp_path / "problems"
    p = make_problem(F_steps=[{1: [["-1/5"]]}] * 4, u0=["1/2"], steps=4, order=1)
    (folder / "scalar.json").write_text(json.dumps(p.to_json(SCHEMA_V2)))
    sweep = load_sweep(_write(tmp_path / "bad.json", bad))
    (tmp_path / "bad").mkdir()
    with Executor(workers=0) as ex:
        outcome = run_sweep(sweep, tmp_path / "bad", ex, log=lambda _: None)
    rows = _rows(tmp_path / "bad" / "results.parquet")
    assert [r["status"] for r in rows] == ["ok", "error"] and outcome.failed == 1
    assert rows[1]["message"].startswith("steps:") and "at most 4 steps, got 7" in rows[1]["message"]
    assert rows[1]["error_T"] is None and rows[0]["error_T"] == 0.0


@pytest.mark.slow  # three runs and their figures: about 3 s
@pytest.mark.clause("FMT-5")
def test_cli_serial_run_writes_table_and_figures_and_csv_matches_parquet(tmp_path, capsys):
    _scalar_folder(tmp_path)
    doc = {"schema": "qsgd-ref.sweep.v1", "name": "scalar", "problems": "problems",
           "quantities": ["error", "success"], "parameters": {"order": [1, 2, 3], "steps": [4, 8]}}
    path = _write(tmp_path / "s.json", doc)
    assert _run(["sweep", str(path), "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "sweep scalar: 6 cases, 0 finished before, 6 run now on this process" in out
    folder = tmp_path / "s"
    assert sorted(f.name for f in folder.iterdir()) == ["error.png", "results.parquet", "success.png", "sweep.json"]
    csv_path = _write(tmp_path / "c.json", dict(doc, table="csv"))
    assert _run(["sweep", str(csv_path), "--workers", "0", "--out", str(tmp_path / "c")]) == 0
    import csv

    with (tmp_path / "c" / "results.csv").open() as fh:
        csv_rows = list(csv.DictReader(fh))
    for a, b in zip(_rows(folder / "results.parquet"), csv_rows, strict=True):
        assert a["case_id"] == b["case_id"]
        assert float(b["error_T"]) == a["error_T"] and float(b["success_probability"]) == a["success_probability"]
    # a rerun has nothing to do and starts no cluster
    assert _run(["sweep", str(path)]) == 0
    assert "6 finished before, 0 run now (nothing left to run)" in capsys.readouterr().out


@pytest.mark.clause("FMT-5")
@pytest.mark.parametrize(("doc", "field"), [
    ({"quantities": ["error"], "problems": "problems", "model": {"name": "burgers"}}, "problems"),
    ({"quantities": ["speed"], "problems": "problems"}, "quantities[0]"),
    ({"quantities": ["error"], "problems": "nowhere"}, "problems"),
    ({"quantities": ["error"], "problems": "problems", "parameters": {"order": [1, 1]}}, "parameters.order"),
    ({"quantities": ["error"], "problems": "problems", "parameters": {"dps": 10**9}}, "parameters.dps"),
    ({"quantities": ["error"], "problems": "problems", "parameters": {"eta_scale": [1, "-1/2"]}},
     "parameters.eta_scale[1]"),
    ({"quantities": ["error"], "problems": "problems", "parameters": {"eps": "1/10"}}, "parameters.eps"),
    ({"quantities": ["error"], "problems": "problems", "parameters": {"steps": list(range(400)),
                                                                        "order": list(range(1, 5)),
                                                                        "idle": list(range(100))}}, "parameters"),
    ({"quantities": ["error"], "model": {"name": "burgers", "options": {"speed": 1}}}, "model.options.speed"),
    ({"quantities": ["error"], "model": {"name": "least-squares", "options": {"dim": [2, 0]}}},
     "model.options.dim[1]"),
    ({"quantities": ["error"], "problems": "problems", "figures": {"x": "kappa"}}, "figures.x"),
])
def test_bad_sweep_files_are_refused_in_one_line_naming_the_field(tmp_path, capsys, doc, field):
    _scalar_folder(tmp_path)
    path = _write(tmp_path / "s.json", {"schema": "qsgd-ref.sweep.v1", **doc})
    before = sorted(tmp_path.iterdir())
    assert _run(["sweep", str(path), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"qsgd-ref sweep: error: {field}"), err
    assert "Traceback" not in err
    assert sorted(tmp_path.iterdir()) == before  # nothing written


@pytest.mark.clause("FMT-5")
def test_output_folder_of_another_sweep_is_refused(tmp_path, capsys):
    _scalar_folder(tmp_path)
    a = _write(tmp_path / "a.json", {"schema": "qsgd-ref.sweep.v1", "problems": "problems", "quantities": ["error"],
                                     "parameters": {"steps": [2, 3]}})
    b = _write(tmp_path / "b.json", {"schema": "qsgd-ref.sweep.v1", "problems": "problems", "quantities": ["error"],
                                     "parameters": {"steps": [4, 5]}})
    assert _run(["sweep", str(a), "--workers", "0", "--out", str(tmp_path / "o")]) == 0
    before = (tmp_path / "o" / "results.parquet").read_bytes()
    capsys.readouterr()
    assert _run(["sweep", str(b), "--workers", "0", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qsgd-ref sweep: error: --out: results.parquet holds 2 rows of cases that are not in this")
    assert (tmp_path / "o" / "results.parquet").read_bytes() == before
    assert _run(["sweep", str(a), "--workers", "1", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--workers: sizes the local cluster" in capsys.readouterr().err
    # rows computed by other code are not mixed with this code's
    manifest = tmp_path / "o" / "sweep.json"
    assert json.loads(manifest.read_text())["code"].startswith("qsgd-ref ")
    manifest.write_text(json.dumps({"schema": "qsgd-ref.sweep.v1", "sweep": "a", "code": "qsgd-ref 0.0.1, source 0"}))
    assert _run(["sweep", str(a), "--workers", "0", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.startswith("qsgd-ref sweep: error: --out: its 2 finished cases were computed by "
                                              "qsgd-ref 0.0.1, source 0, this is qsgd-ref ")


def test_nonfinite_and_missing_values_survive_the_journal(tmp_path):
    from qsgd_ref.report.sweep.table import read_journal

    cols = {"case_id": "str", "x": "float", "k": "int"}
    rows = [{"case_id": "a", "x": math.inf, "k": 1}, {"case_id": "b", "x": None, "k": None},
            {"case_id": "c", "x": -math.inf, "k": 3}]
    path = tmp_path / JOURNAL
    path.write_text("".join(journal_line(r) for r in rows))
    assert read_journal(path, cols) == rows
