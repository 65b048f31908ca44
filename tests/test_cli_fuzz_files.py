"""Issue 13, the fuzz suite over input files (clauses FMT-1, CLI-1, CLI-2, ORC-4).

Every command that reads a file is given (a) byte-level mutations of a valid file — bytes flipped,
cut, repeated, or hostile tokens spliced in (a 5,000-digit integer, the exponent 1e999999999,
100,000 brackets, a duplicate key, NaN, UTF-16 and Latin-1 bytes) — and (b) documents drawn from
the file's JSON schema (tests/json_schema_strategy.py): the right structure with hostile contents.
Every run keeps the contract of tests/cli_contract.py: exit status 0 or 2 (1 for a failed
verification), no traceback, one line on a refusal, nothing written, within a wall-clock bound.
The runs get --max-time 2s budgets, so a document asking for a long computation is refused.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from cli_contract import run_checked
from hypothesis import example, given, settings
from hypothesis import strategies as st
from json_schema_strategy import from_schema
from strategies import examples

from qsgd_ref.base.specdata import spec_dir
from qsgd_ref.problem import SCHEMA_V2, parse_problem

BUDGET = ["--max-time", "2s", "--max-memory", "512MiB"]
V1 = {"schema": "qsgd-ref.problem.v1", "name": "small", "F": {"0": ["1/100"], "1": [["-1/2"]], "2": [["1/4"]]},
      "u0": ["1/2"], "steps": 2, "order": 2}
V2 = parse_problem(V1).to_json(SCHEMA_V2)
RESULTS = {"schema": "qsgd-ref.results.v1", "implementation": "fuzz",
           "results": [{"tcId": 1, "exact": [["0.5"], ["0.3"]]}, {"tcId": 21, "matrix": {"M": [[0, 0, "0.75"]], "c": []}}]}
EIGENVALUES = b"1.0 2.0 0.5 -0.3\n"

#: how each command is given the file F (OUT: a fresh output path in the scratch folder)
PROBLEM_COMMANDS = {
    "validate": ["validate", "F"],
    "classify": ["classify", "F"],
    "reference": ["reference", "F", "--out", "OUT", *BUDGET],
    "reference-float64": ["reference", "F", "--engine", "float64", *BUDGET],
    "hhl": ["hhl", "F", "--out", "OUT", *BUDGET],
    "demo": ["demo", "--problem", "F", "--shots", "0", "--orders", "1,2", "--out", "OUT", *BUDGET],
    "convert": ["convert", "F", "OUT"],
}
OTHER_COMMANDS = {
    "oracle verify": ["oracle", "verify", "--results", "F"],
    "proxy": ["proxy", "F", "--steps", "20", "--json", "OUT"],
}

#: tokens spliced into a valid file, one class of issue 13 each
HOSTILE = [
    b"9" * 5000,                      # number size: 5,000 digits
    b"1/" + b"7" * 5000,              # number size: a p/q denominator of 5,000 digits
    b"1e999999999", b"1e-999999999",  # number size: exponents whose exact value has a billion digits
    b"1e400",                         # beyond the float64 range: exact, or refused by name
    b"[" * 100_000,                   # structure: nesting
    b'"steps": 7, "steps": 3,',       # duplicate keys
    b"NaN", b"-Infinity", b"null", b"true", b'""', b"[]", b"{}",
    "ü".encode("latin-1"), "é".encode("utf-16"), b"\xff\xfe\x00", b"\x00",  # encodings
    b'"\\ud800"',                     # a lone surrogate
    b"-", b",", b":", b"]", b"}", b'"', b"0", b"10000000", b"-1",
]


@st.composite
def mutated(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` with one to three mutations: a byte replaced, a slice cut or repeated, a token spliced in."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 12)))
        op = draw(st.sampled_from(["replace", "cut", "repeat", "splice", "splice", "splice"]))
        if op == "replace" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:j]
        elif op == "repeat":
            data[i:i] = data[i:j]
        else:
            data[i:j] = draw(st.sampled_from(HOSTILE) | st.binary(max_size=8))
    return bytes(data)


def _run(command: list[str], content: bytes, name: str = "input.json", *, allowed=frozenset({0, 2})) -> None:
    work = Path(tempfile.mkdtemp(prefix="qsgd-ref-fuzz-"))
    try:
        scratch = work / "out"
        scratch.mkdir()
        (work / name).write_bytes(content)
        argv = [str(work / name) if a == "F" else str(scratch / "result") if a == "OUT" else a for a in command]
        run_checked(argv, scratch, allowed)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _dump(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


@pytest.mark.slow
@pytest.mark.clause("FMT-1", "CLI-1", "CLI-2")
@pytest.mark.parametrize("command", sorted(PROBLEM_COMMANDS))
@settings(max_examples=examples(13))
@given(data=st.data())
@example(data=None)  # the valid files themselves
def test_mutated_problem_files_exit_0_or_2_in_one_line(command, data):
    for valid in (_dump(V1), _dump(V2)):
        content = valid if data is None else data.draw(mutated(valid), label="file")
        _run(PROBLEM_COMMANDS[command], content)


@pytest.mark.slow
@pytest.mark.clause("FMT-1", "CLI-1", "CLI-2")
@pytest.mark.parametrize("command", sorted(PROBLEM_COMMANDS))
@pytest.mark.parametrize("version", ["v1", "v2"])
@settings(max_examples=examples(13))
@given(data=st.data())
def test_problem_documents_drawn_from_the_schema_exit_0_or_2_in_one_line(command, version, data):
    schema = json.loads((spec_dir() / "schemas" / f"problem.{version}.json").read_text())
    doc = data.draw(from_schema(schema), label="document")
    _run(PROBLEM_COMMANDS[command], _dump(doc))


@pytest.mark.clause("ORC-4", "CLI-1")
@settings(max_examples=examples(13))
@given(data=st.data())
def test_results_files_mutated_or_drawn_from_the_schema_exit_0_1_or_2(data):
    schema = json.loads((spec_dir() / "schemas" / "results.v1.json").read_text())
    content = data.draw(mutated(_dump(RESULTS)) | from_schema(schema).map(_dump), label="file")
    _run(OTHER_COMMANDS["oracle verify"], content, allowed=frozenset({0, 1, 2}))


@pytest.mark.clause("CLI-1", "CLI-2")
@settings(max_examples=examples(13))
@given(content=mutated(EIGENVALUES), suffix=st.sampled_from([".txt", ".json", ".npy"]))
@example(content=EIGENVALUES, suffix=".txt")
def test_mutated_eigenvalue_files_exit_0_or_2_in_one_line(content, suffix):
    _run(OTHER_COMMANDS["proxy"], content, name="eigenvalues" + suffix)


@pytest.mark.clause("FMT-1", "CLI-1")
def test_found_by_the_fuzz_numbers_in_meta_are_written_back_exactly(cli, tmp_path):
    """The schema-drawn fuzz found `convert` dying (TypeError: Decimal has no JSON form) on a float in
    the free-form meta: the input layer reads JSON numbers exactly. Written back, every value is the
    same exact number: a float whose shortest text is the value stays a number, others are strings."""
    src = tmp_path / "p.json"
    src.write_text('{"schema": "qsgd-ref.problem.v1", "F": {"1": [["-1/2"]]}, "u0": ["1/2"], "steps": 1, '
                   '"order": 1, "meta": {"a": 0.1, "b": [1e400, 2, 0.123456789012345678901234567890]}}')
    r = cli("convert", src, tmp_path / "q.json")
    assert r.status == 0, r.err
    meta = json.loads((tmp_path / "q.json").read_text(), parse_float=Decimal)["meta"]
    assert meta == {"a": Decimal("0.1"), "b": ["1E+400", 2, "0.123456789012345678901234567890"]}
