"""The input layer (clause FMT-1, issue 13): hostile files never crash, hang, lie or half-write.

One test per class of the issue, each through the command line in-process: exit status 2 with one
stderr line naming the field (or 0 with the problem reported as data), no traceback, nothing written,
within a wall-clock bound measured with ``time.perf_counter``. Then Hypothesis properties of the layer:
whatever bytes or JSON-ish text a file holds, ``load_problem`` returns a Problem or raises InputError,
never anything else, within a time bound; every case the issue lists is pinned with ``@example``.
"""

from __future__ import annotations

import json
import tempfile
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qsgd_ref.base import inputs
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import MAX_COMMON_DIGITS, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS, nesting_depth, parse_json
from qsgd_ref.base.precision import NotExact, parse_exact
from qsgd_ref.problem import Problem, load_problem

#: seconds a refusal may take (generous: each takes well under one on a laptop; the issue's hangs ran for minutes)
SECONDS = 10.0
#: characters of a one-line refusal, at most (a prefix, the field, the reason and ≤ 40 echoed characters)
LINE = 300

GOOD = {
    "schema": "qsgd-ref.problem.v2",
    "F": {"1": [["-1/2", "1/10"], ["0", "-1/4"]], "2": {"shape": [2, 4], "entries": [[0, 1, "1/10"]]}},
    "u0": ["1/2", "-1/4"],
    "steps": 3,
    "order": 2,
}
GOOD_TEXT = json.dumps(GOOD)


def _doc(**changes):
    doc = json.loads(GOOD_TEXT)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def _write(folder: Path, name: str, content: bytes | str | dict) -> Path:
    path = folder / name
    if isinstance(content, dict):
        content = json.dumps(content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _timed(cli, *argv):
    start = time.perf_counter()
    run = cli(*argv)
    return run, time.perf_counter() - start


def _refused(cli, tmp_path, problem: Path, field: str, commands=("validate", "classify", "reference", "convert")):
    """Every command refuses ``problem`` with exit 2 and one line naming ``field``, writes nothing, in time."""
    for command in commands:
        out = tmp_path / f"out-{command}.json"
        argv = {"reference": ("reference", problem, "--out", out), "convert": ("convert", problem, out)}
        run, seconds = _timed(cli, *argv.get(command, (command, problem)))
        assert run.status == 2, (command, run.status, run.err)
        assert len(run.err_lines) == 1 and "Traceback" not in run.err, (command, run.err)
        line = run.err_lines[0]
        assert line.startswith(f"qsgd-ref {command}: error: {field}"), (command, line)
        assert len(line) <= LINE, (command, len(line))
        assert not out.exists() and run.out == "", command
        assert seconds < SECONDS, (command, seconds)


# ---------------------------------------------------------------- encodings


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("name,data,where", [
    ("binary", bytes(range(256)) * 4, "byte 0x80 at offset 128"),
    ("utf-16", GOOD_TEXT.encode("utf-16"), "byte 0xff at offset 0"),
    ("latin-1", GOOD_TEXT.replace('"steps"', '"name": "café", "steps"').encode("latin-1"), "byte 0xe9"),
])
def test_encodings_binary_utf16_latin1_are_refused_naming_the_byte(cli, tmp_path, name, data, where):
    path = _write(tmp_path, f"{name}.json", data)
    _refused(cli, tmp_path, path, "PROBLEM: not UTF-8 text")
    assert where in cli("validate", path).err


@pytest.mark.clause("FMT-1")
def test_encodings_a_utf8_byte_order_mark_is_read(cli, tmp_path):
    path = _write(tmp_path, "bom.json", b"\xef\xbb\xbf" + GOOD_TEXT.encode())
    run = cli("validate", path)
    assert run.status == 0 and "n = 2, degree q = 2" in run.out, run.err


# ---------------------------------------------------------------- number size


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("token,digits", [
    ("7" * 5000, "5,000"),                      # an integer beyond Python's 4,300-digit text limit
    ('"1/' + "7" * 5000 + '"', "5,000"),        # a p/q denominator of 5,000 digits
    ('"1e999999999"', "1,000,000,000"),         # the exact value would have a billion digits
    ('"1e-999999999"', "999,999,999"),
    ("1e999999999", "1,000,000,000"),           # the same as JSON numbers
    ("1e-999999999", "999,999,999"),
])
def test_number_size_beyond_the_digit_limit_is_refused_at_once(cli, tmp_path, token, digits):
    path = _write(tmp_path, "p.json", GOOD_TEXT.replace('"1/2"', token, 1))
    _refused(cli, tmp_path, path, "u0[0]:")
    line = cli("validate", path).err_lines[0]
    assert digits in line and f"{MAX_NUMBER_DIGITS:,} digits" in line, line


@pytest.mark.clause("FMT-1", "REF-1", "REG-5")
def test_number_size_1e400_is_exact_input_classified_and_computed_in_high_precision(cli, tmp_path):
    doc = _doc(F={"1": [["-1/2", "0"], ["0", "-1/4"]], "2": {"shape": [2, 4], "entries": [[0, 1, "1e400"]]}},
               u0=["1e400", "0"])
    path = _write(tmp_path, "big.json", doc)
    problem = load_problem(path)
    assert problem.map_at(0)[2][0, 1] == Fraction(10**400) and problem.u0[0] == Fraction(10**400)
    run, seconds = _timed(cli, "classify", path)
    assert run.status == 0 and seconds < SECONDS, run.err
    regime = json.loads(run.out)
    assert regime["regime"] == "not dissipative" and regime["r"] == "inf" and regime["R_d"] == "inf"
    assert any(note.startswith("r = 1.0e+400 is beyond the float64 range") for note in regime["notes"])
    out = tmp_path / "ref.json"
    run, seconds = _timed(cli, "reference", path, "--dps", "20", "--out", out)
    assert run.status == 0 and seconds < SECONDS, run.err
    ref = json.loads(out.read_text())
    # u(1) = u0 + F_1 u0 + F_2 u0⊗u0 with u0 = (1e400, 0): level 1 is kept to 20 digits, not lost to level 2
    assert ref["exact"][1] == ref["carleman"][1] == ["5.0e+399", "0"]  # 0: zero within the stated accuracy (FMT-2)
    assert Decimal(ref["error"][0]) <= Decimal("1e380")  # zero up to the rounding of 1e400 at 20 digits


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("where,field", [("F", "F[1]: entry (0, 0) = 1.0e+400"), ("u0", "u0[0]: 1.0e+400")])
def test_number_size_1e400_float_views_refuse_by_name(cli, tmp_path, where, field):
    doc = _doc(F={"1": [["1e400", "0"], ["0", "-1/4"]]}) if where == "F" else _doc(u0=["1e400", "0"])
    path = _write(tmp_path, "big.json", doc)
    assert cli("validate", path).status == 0
    out = tmp_path / "out.json"
    run, seconds = _timed(cli, "reference", path, "--engine", "float64", "--out", out)
    assert run.status == 2 and len(run.err_lines) == 1 and seconds < SECONDS, run.err
    assert run.err_lines[0].startswith(f"qsgd-ref reference: error: {field} is beyond the float64 range")
    assert not out.exists()
    with pytest.raises(InputError, match="beyond the float64 range") as err:
        load_problem(path).u0_float() if where == "u0" else load_problem(path).float_map_at(0)
    assert err.value.field == field.split(":")[0]


@pytest.mark.clause("FMT-1")
def test_number_size_a_common_denominator_beyond_its_limit_is_refused(cli, tmp_path):
    primes = [1000003, 1000033, 1000037, 1000039, 1000081, 1000099, 1000117, 1000121, 1000133, 1000151]
    entries = [[0, c, f"1/{primes[c % 10] ** (1 + c // 10)}"] for c in range(4)]  # tiny: passes
    big = [[0, c, f"1/{10 ** 3900 + 1 + 2 * c}"] for c in range(12)]  # ~12 × 3,900 digits > 40,000
    ok = _write(tmp_path, "ok.json", _doc(F={"2": {"shape": [2, 4], "entries": entries}}))
    assert cli("validate", ok).status == 0
    path = _write(tmp_path, "lcm.json", _doc(F={"2": {"shape": [2, 4], "entries": big[:4]},
                                                "1": {"shape": [2, 2], "entries": []}}))
    assert cli("validate", path).status == 0  # four of them stay below the limit
    path = _write(tmp_path, "lcm.json", _doc(u0=["1"] * 4, F={"1": {"shape": [4, 4], "entries": [
        [r, c, f"1/{10 ** 3900 + 1 + 2 * (4 * r + c)}"] for r in range(4) for c in range(4)]}}))
    _refused(cli, tmp_path, path, "F[1]:")
    assert f"{MAX_COMMON_DIGITS:,} digits" in cli("validate", path).err


# ---------------------------------------------------------------- structure


@pytest.mark.clause("FMT-1")
def test_structure_100000_nested_brackets_give_one_line(cli, tmp_path):
    path = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    _refused(cli, tmp_path, path, "PROBLEM: deep.json nests arrays and objects 100,000 deep")
    inner = "[" * (MAX_JSON_DEPTH - 2) + "1" + "]" * (MAX_JSON_DEPTH - 2)
    path = _write(tmp_path, "meta.json", GOOD_TEXT[:-1] + f', "meta": {{"x": {inner}}}}}')
    assert cli("validate", path).status == 0  # exactly MAX_JSON_DEPTH levels are read


@pytest.mark.clause("FMT-1", "MAP-3")
def test_structure_steps_0_without_a_map_is_refused_and_with_F_runs(cli, tmp_path):
    empty = _write(tmp_path, "empty.json", _doc(F=None, F_steps=[], steps=0))
    _refused(cli, tmp_path, empty, "F_steps: is empty and steps = 0")
    inherited = _write(tmp_path, "t0.json", _doc(F_steps=[], steps=0))
    for command in ("classify", "reference"):
        run = cli(command, inherited)
        assert run.status == 0, run.err
    ref = json.loads(cli("reference", inherited).out)
    assert ref["steps"] == 0 and ref["exact"] == ref["carleman"] == [["0.5", "-0.25"]] and ref["error"] == ["0"]


@pytest.mark.clause("FMT-1")
def test_structure_a_wrong_length_u0_is_blamed_on_u0(cli, tmp_path):
    path = _write(tmp_path, "u0.json", _doc(u0=["1"]))
    _refused(cli, tmp_path, path, "u0: has 1 entry, but the map is for n = 2 (F[1] is 2 × 2^1)")


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("doc,field", [
    (_doc(F={"40": []}), "F[40]: degree 40 exceeds"),
    (_doc(F={"1": None}), "F[1]: F_ℓ must be an array (dense) or an object {shape, entries} (sparse), got null"),
    (_doc(F={"1": {"shape": [2, 2]}}), "F[1].entries: missing"),
    (_doc(F=[]), "F: must be an object, got an empty array"),
    (_doc(u0="abc"), "u0: must be an array, got the string 'abc'"),
    (_doc(u0=[]), "u0: must not be empty"),
    (_doc(steps="3"), "steps: must be an integer, got the string '3'"),
    (_doc(steps=-1), "steps: must be ≥ 0, got -1"),
    (_doc(meta=[]), "meta: must be an object"),
    (_doc(extra=1), "extra: is not a field here (the fields are F, F_steps, comment, meta, name, order, schema"),
    ({**_doc(), "schema": "qsgd-ref.problem.v1", "F": {"1": {}}}, "F[1]: must be an array, got an object"),
    ({**_doc(), "schema": "qsgd-ref.problem.v1", "F_steps": [{}] * 3}, "F: give exactly one of F and F_steps"),
])
def test_messages_jsonschema_internals_never_leak(cli, tmp_path, doc, field):
    path = _write(tmp_path, "p.json", doc)
    _refused(cli, tmp_path, path, field, commands=("validate",))
    line = cli("validate", path).err
    assert "valid under" not in line and "$defs" not in line and "'type'" not in line


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("doc,field", [
    (_doc(F={"x" * 5000: []}), "F: key 'xxxx"),
    (_doc(**{"y" * 5000: 1}), "yyyy"),
    (_doc(u0=["z" * 5000, "1"]), "u0[0]: 'zzzz"),
    (_doc(name=7 * 10**1000), "name: must be a string, got an integer of about 1,001 digits"),
    (_doc(F={"1": {"shape": [2, 2], "entries": [[0, 10**4000, "1"]]}}), "F[1].entries[0]: col an integer of"),
])
def test_messages_echo_at_most_40_characters_of_the_input(cli, tmp_path, doc, field):
    path = _write(tmp_path, "p.json", doc)
    run = cli("validate", path)
    assert run.status == 2 and len(run.err_lines) == 1, run.err
    assert field in run.err_lines[0] and len(run.err_lines[0]) <= 200, run.err_lines[0]


# ---------------------------------------------------------------- duplicate keys


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("text,field", [
    (GOOD_TEXT.replace('"steps": 3', '"steps": 3, "steps": 7'), "steps: given twice"),
    (GOOD_TEXT.replace('"shape": [2, 4]', '"shape": [2, 4], "shape": [2, 4]'), "F[2].shape: given twice"),
])
def test_duplicate_keys_are_refused_naming_key_and_path(cli, tmp_path, text, field):
    _refused(cli, tmp_path, _write(tmp_path, "dup.json", text), field)


@pytest.mark.clause("FMT-1")
def test_a_lone_surrogate_is_not_text(cli, tmp_path):
    path = _write(tmp_path, "s.json", GOOD_TEXT.replace('"steps"', '"name": "a\\ud800b", "steps"'))
    _refused(cli, tmp_path, path, "name: holds a lone UTF-16 surrogate")


# ---------------------------------------------------------------- size of a file


@pytest.mark.clause("FMT-1")
def test_a_file_over_the_input_limit_is_refused_before_it_is_read(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("QSGD_REF_MEMORY_BUDGET", "64KiB")  # the largest input is 64 KiB / 32 = 2 KiB
    path = _write(tmp_path, "big.json", GOOD_TEXT[:-1] + ', "comment": "' + "x" * 4000 + '"}')
    _refused(cli, tmp_path, path, "PROBLEM: big.json is 4.1 KiB, over the largest input of 2.0 KiB")


# ---------------------------------------------------------------- oracle input


def _corpus():
    from qsgd_ref.oracle.harness import default_vectors

    return default_vectors()


def _results(tmp_path: Path, results: list, name: str = "results.json") -> Path:
    return _write(tmp_path, name, {"schema": "qsgd-ref.results.v1", "results": results})


def _verify(cli, path: Path):
    return _timed(cli, "oracle", "verify", "--vectors", _corpus(), "--results", path)


@pytest.mark.clause("ORC-4", "ORC-5")
def test_oracle_1e400_in_results_is_compared_exactly(cli, tmp_path):
    tests = {t["tcId"]: (f.stem, t) for f in Path(_corpus()).glob("*.json")
             for g in json.loads(f.read_text())["testGroups"] for t in g["tests"]}
    matrix = min(tc for tc, (kind, t) in tests.items() if kind == "carleman_matrix" and "matrix" in t["expected"])
    hhl = min(tc for tc, (kind, _) in tests.items() if kind == "hhl_state")
    first = tests[1][1]["expected"]["exact"]
    exact = json.dumps(first).replace(json.dumps(first[1][0]), "1e400", 1)
    state = json.dumps(["1e400"] + tests[hhl][1]["expected"]["hhl"]["state"][1:])
    m00 = next(v for r, c, v in tests[matrix][1]["expected"]["matrix"]["M"] if (r, c) == (0, 0))
    path = _write(tmp_path, "r.json", '{"schema": "qsgd-ref.results.v1", "results": [{"tcId": 1, "exact": ' + exact
                  + '}, {"tcId": ' + str(matrix) + ', "matrix": {"M": [[0, 0, 1e400]], "c": []}}, {"tcId": '
                  + str(hhl) + ', "hhl": {"state": ' + state + '}}]}')
    run, seconds = _verify(cli, path)
    assert run.status == 1 and seconds < SECONDS and "Traceback" not in run.err, run.err
    assert f"exact[1][0] = 1.0e+400, expected {first[1][0]}: off by " in run.out, run.out
    assert f"matrix.M block (1, 1) entry [0, 0] (M[0, 0]) = 1.0e+400, expected {m00}: off by " in run.out
    assert "hhl.state entries must be numbers or [re, im] pairs within the float64 range" in run.out


@pytest.mark.clause("ORC-4")
def test_oracle_a_matrix_index_of_10_18_does_not_hang(cli, tmp_path):
    tests = [t for g in json.loads((Path(_corpus()) / "carleman_matrix.json").read_text())["testGroups"]
             for t in g["tests"]]
    scalar = next(t["tcId"] for t in tests if len(t["problem"]["u0"]) == 1 and "matrix" in t["expected"])
    path = _results(tmp_path, [{"tcId": scalar, "matrix": {"M": [[10**18, 0, "1"]], "c": [[10**18, "1"]]}}])
    run, seconds = _verify(cli, path)
    assert run.status == 1 and seconds < SECONDS, (seconds, run.err)
    assert "belongs to level 1000000000000000001 > N" in run.out


@pytest.mark.clause("ORC-4", "ORC-5")
@pytest.mark.parametrize("results,field", [
    ([{"tcId": 1}, {"tcId": 2}, {"tcId": 1}], "results.results[2].tcId: tcId 1 is given twice (first in results[0])"),
    ([{"tcId": 1, "exact": [[True]]}], "results.results[0].exact[0][0]: must be a number or a string, got true"),
    ([{"tcId": 21, "matrix": {"M": [[0, 0, None]], "c": []}}], "results.results[0].matrix.M[0][2]: must be a number"),
    ([{"tcId": 0}], "results.results[0].tcId: must be ≥ 1, got 0"),
    ([{"tcId": 1, "extra": 1}], "results.results[0].extra: is not a field here"),
])
def test_oracle_bad_results_are_refused_naming_the_entry(cli, tmp_path, results, field):
    run, seconds = _verify(cli, _results(tmp_path, results))
    assert run.status == 2 and len(run.err_lines) == 1 and seconds < SECONDS, run.err
    assert run.err_lines[0] == f"qsgd-ref oracle: error: {field}" or run.err_lines[0].startswith(
        f"qsgd-ref oracle: error: {field}"), run.err_lines[0]


@pytest.mark.clause("ORC-4", "ORC-5")
def test_oracle_results_duplicate_keys_and_encodings_use_the_input_layer(cli, tmp_path):
    dup = _write(tmp_path, "dup.json", '{"schema": "qsgd-ref.results.v1", "results": [{"tcId": 1, "tcId": 2}]}')
    run, _ = _verify(cli, dup)
    assert run.status == 2 and run.err_lines == ["qsgd-ref oracle: error: results.results[0].tcId: given twice in "
                                                 "one object (each key may appear once)"], run.err
    utf16 = _write(tmp_path, "u.json", '{"schema": "qsgd-ref.results.v1", "results": []}'.encode("utf-16"))
    run, _ = _verify(cli, utf16)
    assert run.status == 2 and run.err_lines[0].startswith("qsgd-ref oracle: error: --results: not UTF-8 text")


@pytest.mark.slow
@pytest.mark.clause("ORC-4", "ORC-5")
def test_oracle_a_large_results_file_is_checked_in_one_pass(cli, tmp_path):
    """About 12 MB of rows (the issue's 39 MB file took 171 s of schema validation, ~50 s at this size)."""
    row = ["0.123456789012345678"] * 40
    results = [{"tcId": tc, "exact": [row] * 60, "carleman": [row] * 60} for tc in range(1, 121)]
    path = _results(tmp_path, results)
    assert path.stat().st_size > 10 * 2**20
    run, seconds = _verify(cli, path)
    assert run.status == 1 and "RESULT: FAIL" in run.out, run.err
    assert seconds < 25, seconds


# ---------------------------------------------------------------- environment


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("value,budget", [("8GiB", 8 * 2**30), ("8 GiB", 8 * 2**30), ("1.5 TB", 15 * 10**11),
                                          ("500MB", 5 * 10**8), ("123456789", 123456789), ("64kib", 65536)])
def test_environment_memory_budget_takes_bytes_or_a_unit(monkeypatch, cli, tmp_path, value, budget):
    from qsgd_ref.base.limits import memory_budget

    monkeypatch.setenv("QSGD_REF_MEMORY_BUDGET", value)
    assert memory_budget() == budget
    assert cli("validate", _write(tmp_path, "p.json", GOOD)).status == 0


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize("value", ["8XiB", "abc", "0", "-1", "1e9", "8 GB extra", "9" * 30])
def test_environment_a_bad_memory_budget_is_one_line_naming_the_variable(monkeypatch, cli, tmp_path, value):
    monkeypatch.setenv("QSGD_REF_MEMORY_BUDGET", value)
    _refused(cli, tmp_path, _write(tmp_path, "p.json", GOOD), "QSGD_REF_MEMORY_BUDGET: must be a size in bytes")


@pytest.mark.clause("FMT-1")
def test_environment_a_bad_spec_dir_is_one_line_and_a_missing_spec_exits_1(monkeypatch, cli, tmp_path):
    from qsgd_ref.base import specdata
    from qsgd_ref.problem import parse

    path = _write(tmp_path, "p.json", GOOD)
    monkeypatch.setenv("QSGD_REF_SPEC_DIR", str(tmp_path / "nowhere"))
    specdata.load_schema.cache_clear()  # the spec is looked up on first use
    parse._structure_validator.cache_clear()
    run = cli("validate", path)
    assert run.status == 2 and run.err_lines == [f"qsgd-ref validate: error: QSGD_REF_SPEC_DIR: "
                                                 f"'{tmp_path / 'nowhere'}' is not a spec folder (it needs clauses/ "
                                                 "and schemas/)"], run.err
    monkeypatch.delenv("QSGD_REF_SPEC_DIR")
    monkeypatch.setattr(specdata, "candidates", lambda: [tmp_path / "no-wheel-spec", tmp_path / "no-source-spec"])
    specdata.load_schema.cache_clear()
    parse._structure_validator.cache_clear()
    try:
        run = cli("validate", path)
    finally:
        specdata.load_schema.cache_clear()
        parse._structure_validator.cache_clear()
    assert run.status == 1 and len(run.err_lines) == 1 and "Traceback" not in run.err, run.err
    assert run.err_lines[0].startswith("qsgd-ref validate: error: qsgd-ref's spec data is missing (looked in ")


# ---------------------------------------------------------------- other files a user gives


@pytest.mark.clause("MOD-3")
def test_eigenvalue_and_density_files_go_through_the_input_layer(cli, tmp_path):
    for name, data, field in [("e.txt", "1 2 3".encode("utf-16"), "EIGENVALUES: not UTF-8 text"),
                              ("e.json", '{"eigenvalues": [1], "eigenvalues": [2]}',
                               "EIGENVALUES.eigenvalues: given twice"),
                              ("e.json", "[" * 1000 + "]" * 1000, "EIGENVALUES: e.json nests"),
                              ("e.txt", "1 2 " + "x" * 5000, "EIGENVALUES: cannot read eigenvalues")]:
        run = cli("proxy", _write(tmp_path, name, data))
        assert run.status == 2 and len(run.err_lines) == 1 and len(run.err_lines[0]) <= LINE, run.err
        assert run.err_lines[0].startswith(f"qsgd-ref proxy: error: {field}"), run.err_lines[0]
    run = cli("proxy", "--density", _write(tmp_path, "d.txt", b"\xff\xfe0 1"))
    assert run.status == 2 and run.err_lines[0].startswith("qsgd-ref proxy: error: FILE: not UTF-8 text"), run.err


# ---------------------------------------------------------------- properties of the layer

_HOSTILE_NUMBERS = ["1e400", "-1e400", "1e999999999", "1e-999999999", "1/0", "nan", "Infinity", "1/" + "7" * 5000,
                    "7" * 5000, "0x10", "1_000", "١", "½", " 3 ", "", "-", "1e", ".", "1/2/3"]
_JSON_LEAVES = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
                | st.text(max_size=8) | st.sampled_from(_HOSTILE_NUMBERS))
_JSON = st.recursive(_JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
_PATHS = [("F",), ("F", "1"), ("F", "1", 0), ("F", "1", 0, 1), ("F", "2"), ("F", "2", "shape"), ("F", "2", "entries"),
          ("F", "2", "entries", 0), ("F", "2", "entries", 0, 1), ("F", "0"), ("F", "17"), ("F_steps",), ("u0",),
          ("u0", 0), ("steps",), ("order",), ("schema",), ("name",), ("meta",)]
_ALPHABET = '{}[]",:0123456789eE.-+/ \n\\tfnul\x00\xff'


@st.composite
def json_ish(draw: st.DrawFn) -> str:
    """A valid problem with some fields replaced by arbitrary JSON, then its text mutated."""
    doc = json.loads(GOOD_TEXT)
    for _ in range(draw(st.integers(0, 3), label="edits")):
        path = draw(st.sampled_from(_PATHS), label="path")
        value = draw(_JSON, label="value")
        node = doc
        for key in path[:-1]:
            node = node[key] if isinstance(node, dict) and key in node or (
                isinstance(node, list) and isinstance(key, int) and key < len(node)) else None
            if node is None:
                break
        if isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)):
            node[path[-1]] = value
    text = json.dumps(doc, allow_nan=True)
    for _ in range(draw(st.integers(0, 3), label="mutations")):
        at = draw(st.integers(0, len(text)), label="at")
        cut = draw(st.integers(0, 3), label="cut")
        text = text[:at] + draw(st.text(_ALPHABET, max_size=4), label="insert") + text[at + cut:]
    return text


def _load_bytes(data: bytes) -> Problem | InputError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "problem.json"
        path.write_bytes(data)
        start = time.perf_counter()
        try:
            result: Problem | InputError = load_problem(path)
        except InputError as exc:
            result = exc
        assert time.perf_counter() - start < SECONDS
    if isinstance(result, InputError):
        assert "\n" not in str(result) and len(str(result)) <= LINE, str(result)
    return result


@pytest.mark.clause("FMT-1")
@given(data=st.binary(max_size=300))
@example(data=bytes(range(256)))                                    # binary
@example(data=GOOD_TEXT.encode("utf-16"))                           # UTF-16
@example(data=GOOD_TEXT.replace("u0", "ü0").encode("latin-1"))      # Latin-1
@example(data=b"\xef\xbb\xbf" + GOOD_TEXT.encode())                 # UTF-8 with a byte-order mark: read
@example(data=b"[" * 100_000 + b"]" * 100_000)                      # nested 100,000 deep
@example(data=b"")
def test_load_problem_on_arbitrary_bytes_returns_a_problem_or_refuses(data):
    result = _load_bytes(data)
    assert isinstance(result, Problem | InputError)
    if data == b"\xef\xbb\xbf" + GOOD_TEXT.encode():
        assert isinstance(result, Problem)


@pytest.mark.clause("FMT-1")
@given(text=json_ish())
@example(text=GOOD_TEXT.replace('"1/2"', "7" * 5000))                                     # 5,000-digit integer
@example(text=GOOD_TEXT.replace('"1/2"', '"1/' + "7" * 5000 + '"'))                        # 5,000-digit denominator
@example(text=GOOD_TEXT.replace('"1/2"', '"1e999999999"'))                                # a billion digits
@example(text=GOOD_TEXT.replace('"1/2"', "1e-999999999"))
@example(text=GOOD_TEXT.replace('"1/2"', "1e400"))                                        # beyond float64: exact
@example(text=GOOD_TEXT.replace('"steps": 3', '"steps": 3, "steps": 7'))                  # duplicate key
@example(text=json.dumps(_doc(F=None, F_steps=[], steps=0)))                              # no map at all
@example(text=json.dumps(_doc(u0=["1"])))                                                 # wrong-length u0
@example(text=json.dumps(_doc(F={"40": []})))
@example(text=json.dumps(_doc(F={"x" * 5000: []})))                                       # giant key
@example(text=json.dumps(_doc(F={"7" * 5000: []})))                                       # giant degree
@example(text=json.dumps(_doc(F={"²": []})))                                              # a non-ASCII digit
@example(text=GOOD_TEXT.replace('"steps": 3', '"name": "\\udc00", "steps": 3'))           # lone surrogate
@example(text=GOOD_TEXT.replace('"steps": 3', '"steps": ' + "9" * 5000))
def test_load_problem_on_json_ish_text_returns_a_problem_or_refuses(text):
    result = _load_bytes(text.encode("utf-8", "surrogatepass"))
    assert isinstance(result, Problem | InputError)


@pytest.mark.clause("FMT-1")
@given(value=st.text(max_size=30) | st.sampled_from(_HOSTILE_NUMBERS) | st.integers() | st.fractions()
       | st.decimals(allow_nan=True) | st.floats())
@example(value="1" * 100_000 + "x")          # a long non-number: refused by its length, not a quadratic regex
@example(value=Decimal("1e999999999"))
@example(value=10**5000)
def test_parse_exact_returns_a_fraction_or_refuses_quickly(value):
    start = time.perf_counter()
    try:
        x = parse_exact(value)
    except NotExact as exc:
        assert len(exc.reason) <= LINE
    else:
        assert isinstance(x, Fraction)
        assert max(len(str(x.numerator).lstrip("-")), len(str(x.denominator))) <= MAX_NUMBER_DIGITS
    assert time.perf_counter() - start < 1.0


def _depth(x) -> int:
    if isinstance(x, dict):
        return 1 + max((_depth(v) for v in x.values()), default=0)
    if isinstance(x, list):
        return 1 + max((_depth(v) for v in x), default=0)
    return 0


_KEYS = st.text(alphabet='ab[]{}"\\ ', max_size=5)


@pytest.mark.clause("FMT-1")
@given(doc=st.recursive(st.none() | st.integers() | st.text(alphabet='x[]{}"\\', max_size=6),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
                        max_leaves=30))
@example(doc=[["]]]]]]", "\\", {"\\\"[": [[]]}]])
def test_nesting_depth_scan_equals_the_parsed_depth(doc):
    """The pre-parse scan counts exactly the nesting of the document (brackets in strings ignored)."""
    text = json.dumps(doc)
    assert nesting_depth(text.encode()) == _depth(doc) == _depth(parse_json(text))


@pytest.mark.clause("FMT-1")
def test_the_documented_limits_are_the_modules_limits():
    """docs/problem-files.md "Input limits" and spec FMT-1 state the numbers the layer enforces."""
    root = Path(__file__).resolve().parent.parent
    docs = (root / "docs" / "problem-files.md").read_text()
    section = docs[docs.index("## Input limits"):]
    clause = (root / "spec" / "clauses" / "09-formats.md").read_text().split("## FMT-2")[0]
    for text in (section, clause):
        for number in (f"{MAX_NUMBER_DIGITS:,}", f"{MAX_COMMON_DIGITS:,}", f"{MAX_JSON_DEPTH}",
                       f"1/{inputs.JSON_EXPANSION}"):
            assert number in text, number
    assert "QSGD_REF_MEMORY_BUDGET" in section and "256 MiB" in section
