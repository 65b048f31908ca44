"""The verifier (clauses ORC-3, ORC-4, ORC-5, ORC-6): tolerance semantics, reports, mutants."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.specdata import spec_dir
from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.oracle import judges as J
from qsgd_ref.oracle import verifier as V
from qsgd_ref.oracle.harness import check, collect
from qsgd_ref.oracle.mutants import MUTANTS, Float64Engine
from qsgd_ref.quantum.clock import Clock
from qsgd_ref.quantum.dilation import encode
from qsgd_ref.quantum.twin import twin
from qsgd_ref.system.eq6 import eq6_system, solve_forward
from qsgd_ref.trajectories import carleman_trajectory, exact_trajectory

VECTORS = spec_dir() / "vectors"

ROW_TEST = {
    "tcId": 1,
    "flags": ["X"],
    "comment": "toy",
    "problem": {"schema": "qsgd-ref.problem.v1", "u0": ["1", "0"], "steps": 1, "order": 1},
    "tolerance": {"rel": "1e-3", "abs": "1e-6"},
    "expected": {"exact": [["1", "0"], ["2", "-0.5"]]},
}


@pytest.mark.clause("ORC-3")
@pytest.mark.parametrize(
    "got,ok",
    [
        ([[1, 0], [2, -0.5]], True),
        ([["1", "0"], ["2.002", "-0.5"]], True),  # |diff| = 0.002 ≤ 1e-6 + 1e-3 · S (S = 2)
        ([["1", "0"], ["2.0020011", "-0.5"]], False),  # just above abs + rel · S = 0.002001
        ([["1", "0.0000009"], ["2", "-0.5"]], True),  # abs part
        ([["1", "0"]], False),  # one row
        ([["1", "0"], ["2"]], False),  # short row
        ([["1", "x"], ["2", "-0.5"]], False),  # not a number
    ],
)
def test_row_tolerance_is_abs_plus_rel_times_field_scale(got, ok):
    v = J.judge_rows(ROW_TEST, "exact", got)
    assert v.passed is ok, v.message


@pytest.mark.clause("ORC-3")
def test_matrix_absent_entries_are_zero_and_out_of_range_entries_fail():
    test = {
        "tcId": 5,
        "problem": {"u0": ["1"], "order": 2, "steps": 1},
        "tolerance": {"rel": "1e-12"},
        "expected": {"matrix": {"D": 2, "M": [[0, 0, "0.5"], [1, 1, "0.25"]], "c": [[0, "0.1"]]}},
    }
    assert J.judge_matrix(test, {"M": [[0, 0, 0.5], [1, 1, 0.25], [0, 1, 0]], "c": [[0, "0.1"]]}).passed
    v = J.judge_matrix(test, {"M": [[0, 0, 0.5]], "c": [[0, "0.1"]]})
    assert not v.passed and "matrix.M[1, 1] (block j = 2, k = 2)" in v.message and "expected 0.25" in v.message
    v = J.judge_matrix(test, {"M": [[0, 0, 0.5], [1, 1, 0.25], [1, 2, 1]], "c": [[0, "0.1"]]})
    assert not v.passed and "level 3 > N" in v.message and "k > N must be dropped" in v.message
    v = J.judge_matrix(test, {"M": [[0, 0, 0.5], [0, 0, 0.5]], "c": []})
    assert not v.passed and "appears twice" in v.message


@pytest.fixture(scope="module")
def vectors():
    return V.load_vectors(VECTORS)


@pytest.fixture(scope="module")
def results_of():
    """``results_of(name)``: the validated results of the float64 engine ("float64") or a mutant, computed
    once per module (collecting and schema-validating a mutant's results takes up to a few seconds)."""
    docs: dict[str, dict] = {}
    results: dict[str, dict] = {}

    def get(name: str, *, doc: bool = False):
        if name not in docs:
            docs[name] = collect(Float64Engine() if name == "float64" else MUTANTS[name], VECTORS)
        if doc:
            return copy.deepcopy(docs[name])
        if name not in results:
            results[name] = V.results_from_doc(docs[name])
        return copy.deepcopy(results[name])

    return get


@pytest.mark.clause("ORC-6", "ORC-4")
def test_independent_float64_implementation_passes_everything(vectors, results_of):
    rep = V.judge(vectors, results_of("float64"))
    assert not rep.failed, str(rep)
    assert rep.totals["tests passed"] == sum("hhl" not in d["schema"] for _, d, _ in vectors)


MUTANT_CAUSES = {
    "continuous": ("continuous Carleman matrix", {"matrix", "carleman"}),
    "column-major": ("column-major", {"matrix"}),
    "keep-dropped": ("k > N must be dropped", {"matrix", "carleman"}),
    "one-step-too-many": ("off-by-one in the number of steps", {"exact", "carleman", "eq6"}),
    "one-step-too-few": ("off-by-one in the number of steps", {"exact", "carleman", "eq6"}),
    "single-precision": ("single precision", {"exact", "carleman", "eq6", "matrix"}),
}


@pytest.mark.clause("ORC-6", "ORC-4", "LIFT-2", "LIFT-3", "MAP-1")
@pytest.mark.parametrize(  # keep-dropped: 3-4 s (a large results document to schema-validate)
    "name", [pytest.param(n, marks=pytest.mark.slow) if n == "keep-dropped" else n for n in sorted(MUTANT_CAUSES)])
def test_mutants_are_rejected_with_their_cause(name, vectors, results_of):
    cause, fields = MUTANT_CAUSES[name]
    rep = V.judge(vectors, results_of(name))
    failing = [v for v in rep.verdicts if not v.passed]
    assert rep.failed
    assert fields <= {v.field for v in failing}
    for field in fields:
        msgs = [v.message for v in failing if v.field == field]
        share = sum(cause in m for m in msgs) / len(msgs)
        assert share >= 0.75, f"{name}/{field}: only {share:.0%} of failures name the cause:\n" + "\n".join(msgs[:3])
    text = str(rep)
    assert f"FAIL tcId {failing[0].tc_id} (" in text and "RESULT: FAIL" in text


@pytest.mark.clause("ORC-6", "MAP-1")
def test_column_major_is_caught_only_where_an_index_order_trap_exists(vectors, results_of):
    rep = V.judge(vectors, results_of("column-major"))
    flags = {t["tcId"]: t["flags"] for _, _, t in vectors}
    failing = {v.tc_id for v in rep.verdicts if not v.passed}
    assert failing and all("IndexOrderTrap" in flags[tc] for tc in failing)
    assert rep.per_flag["IndexOrderTrap"]["failed"] >= 5


def _reference_impl(problem, request):
    if "exact" not in request.fields:
        return {}
    return {"exact": exact_trajectory(problem, dps=50), "carleman": carleman_trajectory(problem, dps=50)}


@pytest.mark.clause("ORC-6", "REF-1")
def test_the_projects_mpmath_reference_passes(vectors):
    rep = check(_reference_impl, VECTORS)
    assert not rep.failed, str(rep)
    assert rep.totals["exact: passed"] == rep.totals["carleman: passed"] > 0


def _engine_impl(problem, request):
    if "matrix" not in request.fields:
        return {}
    m, c = lifted_map(problem.float_map_at(0), problem.n, problem.order)
    m = m.tocoo()
    return {
        "matrix": {
            "M": [[int(r), int(s), float(v)] for r, s, v in zip(m.row, m.col, m.data, strict=True)],
            "c": [[int(r), float(c[r])] for r in range(len(c)) if c[r] != 0],
        }
    }


@pytest.mark.clause("ORC-6", "LIFT-2")
def test_the_projects_float_engine_matrix_passes(vectors):
    rep = check(_engine_impl, VECTORS)
    assert not rep.failed, str(rep)
    assert rep.totals["matrix: passed"] > 0


@pytest.mark.clause("ORC-5")
def test_results_files_are_validated_and_unknown_tcids_fail(vectors):
    with pytest.raises(InputError) as err:
        V.results_from_doc({"schema": "qsgd-ref.results.v1", "results": [{"tcId": 1, "carleman": "x"}]})
    assert "results.results[0].carleman" in str(err.value)
    with pytest.raises(InputError):
        V.results_from_doc({"schema": "other", "results": []})
    with pytest.raises(InputError, match="twice"):
        V.results_from_doc({"schema": "qsgd-ref.results.v1", "results": [{"tcId": 1}, {"tcId": 1}]})
    rep = V.judge(vectors, {999999: {"exact": []}})
    assert rep.failed and "not in the corpus" in rep.verdicts[-1].message
    rep = V.judge(vectors, {})
    assert not rep.failed and rep.totals["tests not provided"] == len(vectors)


@pytest.mark.clause("ORC-5", "ORC-4")
def test_partial_results_count_as_not_provided(vectors, results_of):
    part = results_of("float64", doc=True)
    for r in part["results"]:
        r.pop("exact", None)
    rep = V.judge(vectors, V.results_from_doc(part))
    assert not rep.failed
    assert rep.totals["exact: not provided"] == rep.totals["carleman: passed"] > 0


@pytest.mark.clause("ORC-4", "ORC-5")
def test_cli_verify_exit_status_summary_and_failure_lines(tmp_path, cli):
    subset = tmp_path / "vectors"
    subset.mkdir()
    (subset / "carleman_matrix.json").write_bytes((VECTORS / "carleman_matrix.json").read_bytes())
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(collect(Float64Engine(), subset)))
    bad.write_text(json.dumps(collect(MUTANTS["continuous"], subset)))
    r = cli("oracle", "verify", "--vectors", subset, "--results", good)
    assert r.status == 0 and r.err == "", r.out + r.err
    assert "RESULT: PASS" in r.out and "summary per flag" in r.out
    assert any(line.strip().startswith("IndexOrderTrap") and "passed" in line for line in r.out.splitlines())
    r = cli("oracle", "verify", "--vectors", subset, "--results", bad)
    assert r.status == 1
    assert "FAIL tcId" in r.out and "continuous Carleman matrix" in r.out and "RESULT: FAIL" in r.out
    r = cli("oracle", "verify", "--vectors", subset, "--results", tmp_path / "missing.json")
    assert r.status == 2 and r.out == ""
    assert len(r.err_lines) == 1 and "--results" in r.err_lines[0], r.err


@pytest.mark.clause("ORC-4", "REG-5", "BND-1")
def test_regime_and_bounds_fields_are_judged(vectors):
    test = next(t for _, _, t in vectors if "regime" in t["expected"] and t["expected"]["not_applicable"])
    exp = test["expected"]
    assert J.judge_regime(test, exp["regime"]).passed
    wrong = next(r for r in ("fully dissipative", "almost dissipative", "not dissipative") if r != exp["regime"])
    v = J.judge_regime(test, wrong)
    assert not v.passed and exp["regime"] in v.message
    assert J.judge_bounds(test, {k: list(s) for k, s in exp["bounds"].items()}).passed
    name = sorted(exp["not_applicable"])[0]
    v = J.judge_bounds(test, {name: ["1"] * (test["problem"]["steps"] + 1)})
    assert not v.passed and "does not apply" in v.message
    series = [s if s == "inf" else str(Fraction(s) * 2 + 1) for s in exp["bounds"]["majorant"]]
    v = J.judge_bounds(test, {"majorant": series})
    assert not v.passed and "bounds.majorant[0]" in v.message


def _twin_impl(problem, request):
    if "eq6" in request.fields:
        return {"eq6": solve_forward(problem, request.idle)}
    if "hhl" not in request.fields:
        return {}
    clock = CLOCKS[request.tc_id]
    out = twin(encode(eq6_system(problem, request.idle).matrix, eq6_system(problem, request.idle).rhs), Clock(clock["bits"], float(clock["time"]), clock["c0"]))
    return {"hhl": {"state": [[z.real, z.imag] for z in out.state], "success_probability": out.success_probability}}


CLOCKS: dict[int, dict] = {}


@pytest.mark.clause("ORC-6", "HHL-2", "SYS-2")
def test_the_projects_twin_and_forward_solver_pass(vectors):
    CLOCKS.update({t["tcId"]: t["clock"] for _, _, t in vectors if "clock" in t})
    rep = check(_twin_impl, VECTORS)
    assert not rep.failed, str(rep)
    assert rep.totals["hhl: passed"] >= 4 and rep.totals["eq6: passed"] >= 4


@pytest.mark.clause("ORC-3", "HHL-2")
def test_hhl_state_is_judged_up_to_a_global_phase(vectors):
    test = next(t for _, _, t in vectors if "clock" in t)
    exp = test["expected"]["hhl"]
    state = [float(x) for x in exp["state"]]
    i_phase = [[0.0, x] for x in state]  # multiplied by the global phase i
    assert J.judge_hhl(test, {"state": i_phase, "success_probability": exp["success_probability"]}).passed
    unnormalised = [2 * x for x in state]
    v = J.judge_hhl(test, {"state": unnormalised})
    assert not v.passed and "hhl.state[" in v.message
    v = J.judge_hhl(test, {"success_probability": float(exp["success_probability"]) * (1 + 1e-6)})
    assert not v.passed and "success_probability" in v.message
    v = J.judge_hhl(test, {"state": state[:-1]})
    assert not v.passed and "2^k" in v.message
