"""Issue 13, the fuzz suite over command-line argument vectors (clauses CLI-1, CLI-2, CLI-3).

For every command the vectors are built from the parser itself: each option's type carries its
range (qsgd_ref.cli.options), so values are drawn inside and outside it (plus values of the wrong
kind: huge integers, negative ones, "nan", "inf", 400 digits), choices and flags at random, inputs
from a few files (valid, missing, not JSON), outputs at places that can and cannot be written (a
missing folder, an existing folder, a path under a file, a read-only file and a path under /proc).
Every run is bounded by --max-time/--max-memory and keeps the contract of tests/cli_contract.py:
exit status 0 or 2 (`oracle verify` may say 1: failures), never a traceback (an exception would
fail the test), at most three lines on stderr when refused, nothing written when refused, within a
wall-clock bound. tests/test_cli_fuzz_files.py fuzzes the input files.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
from cli_contract import run_checked
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.base.specdata import spec_dir
from qsgd_ref.cli import options
from qsgd_ref.cli.main import build_parser

BUDGET = ["--max-time", "2s", "--max-memory", "1GiB"]
SMALL = {"schema": "qsgd-ref.problem.v1", "name": "small", "F": {"1": [["-1/2"]], "2": [["1/4"]]},
         "u0": ["1/2"], "steps": 2, "order": 2}


def _commands() -> dict[str, argparse.ArgumentParser]:
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[" ".join(prefix)] = parser
        for action in subs:
            for name, sub in action.choices.items():
                walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return out


COMMANDS = _commands()
#: commands whose valid runs take seconds (a simulation, a training, the whole oracle corpus): fewer examples
HEAVY = {"demo", "hhl", "train", "oracle"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("inputs")
    (base / "small.json").write_text(json.dumps(SMALL))
    (base / "bad.json").write_text(json.dumps({**SMALL, "u0": ["x"]}))
    (base / "notjson.json").write_text("{")
    (base / "eig.txt").write_text("1.0 2.0 0.5 -0.3\n")
    (base / "density.txt").write_text("-1 0.5\n-0.5 1\n0.5 1\n")
    (base / "results.json").write_text('{"schema": "qsgd-ref.results.v1", "results": []}')
    from qsgd_ref.oracle.harness import collect
    from qsgd_ref.oracle.mutants import MUTANTS

    (base / "mutant.json").write_text(json.dumps(collect(MUTANTS["continuous"])))
    return {"small": base / "small.json", "bad": base / "bad.json", "notjson": base / "notjson.json",
            "missing": base / "missing.json", "eig": base / "eig.txt", "density": base / "density.txt",
            "results": base / "results.json", "mutant": base / "mutant.json", "vectors": spec_dir() / "vectors"}


#: the input each kind of argument is usually given (a valid one), else any of them
USUAL = {"problem": "small", "input": "small", "file": "eig", "results": "mutant", "vectors": "vectors"}


def _text(x: object) -> str:
    return x if isinstance(x, str) else repr(x) if isinstance(x, float) else str(x)


def _value(kind: object, valid: bool) -> st.SearchStrategy[str]:
    """Text for an option of type ``kind``: inside its range, outside it, or of the wrong kind (only
    inside, near its low end, when ``valid``)."""
    if valid and isinstance(kind, options.IntIn):
        return st.integers(kind.lo, min(kind.hi, kind.lo + 12)).map(str)
    if valid and isinstance(kind, options.FloatIn):
        hi = min(kind.hi, kind.lo + 1.0)
        return st.floats(kind.lo, hi, exclude_min=kind.lo_open, exclude_max=kind.hi_open and hi == kind.hi,
                         allow_nan=False).map(repr)
    if valid and isinstance(kind, options.ExactIn):
        return st.fractions(Fraction(1, 100), Fraction(1), max_denominator=100).map(str)
    if valid and isinstance(kind, options.IntList):
        return st.lists(st.integers(1, 3), min_size=1, max_size=3).map(lambda v: ",".join(map(str, v)))
    junk = st.sampled_from(["", "x", "nan", "inf", "-inf", "1e999", "9" * 400, "1/0", "0x10", "--"])
    if isinstance(kind, options.IntIn):
        small = st.integers(kind.lo, min(kind.hi, kind.lo + 40))
        inside = st.one_of(small, small, small, st.integers(kind.lo, kind.hi))
        outside = st.integers(max_value=kind.lo - 1) | st.integers(min_value=kind.hi + 1)
        return st.one_of(inside, inside, inside, outside, junk.map(str)).map(str)
    if isinstance(kind, options.FloatIn):
        hi = kind.hi if math.isfinite(kind.hi) else 1e12
        inside = st.floats(kind.lo, hi, exclude_min=kind.lo_open, exclude_max=kind.hi_open, allow_nan=False)
        outside = st.floats(max_value=kind.lo, exclude_max=not kind.lo_open, allow_nan=False, allow_infinity=False)
        return st.one_of(inside, inside, inside, outside).map(repr) | junk
    if isinstance(kind, options.ExactIn):
        return st.fractions(max_denominator=1000).map(str) | junk
    if isinstance(kind, options.IntList):
        return st.lists(st.integers(-1, kind.hi + 1), min_size=1, max_size=4).map(lambda v: ",".join(map(str, v))) | junk
    return junk | st.text(max_size=12)


def _argv(draw: st.DrawFn, name: str, parser: argparse.ArgumentParser, inputs: dict[str, Path], work: Path) -> list[str]:
    def usual(dest: str) -> st.SearchStrategy[str]:
        if valid:
            return st.just(USUAL.get(dest, "small"))
        return st.sampled_from([USUAL.get(dest, "small")] * 3 + sorted(inputs))

    places = st.sampled_from(["new", "new", "new", "missing-folder", "a-folder", "existing-file", "under-a-file",
                              "read-only", "proc"])

    def place(kind: str, folder: bool) -> str:
        return str({"new": work / ("new" if folder else "new.json"), "missing-folder": work / "no" / "x",
                    "a-folder": work, "existing-file": work / "existing.txt", "under-a-file": work / "existing.txt" / "x",
                    "read-only": "/proc/version", "proc": "/proc/qsgd-ref-fuzz/x" if folder else "/proc/qsgd-ref.json"}[kind])

    valid = draw(st.integers(0, 3)) == 0  # one vector in four: every value inside its range
    if valid:
        places = st.just("new")
    argv = name.split()
    positional: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._VersionAction) or action.dest in ("max_time", "max_memory"):
            continue
        meta = (action.metavar or action.dest or "").upper()
        is_output = action.dest in ("out", "json", "output")
        if not action.option_strings:  # positional
            if is_output:
                positional.append(place(draw(places), False))
            else:
                positional.append(str(inputs[draw(usual(action.dest))]))
            continue
        if not action.required and draw(st.integers(0, 2)) == 0:  # each option given two times in three
            continue
        flag = draw(st.sampled_from(action.option_strings))
        if action.nargs == 0:
            argv.append(flag)
        elif is_output:
            argv += [flag, place(draw(places), folder=meta == "DIR")]
        elif action.dest in ("problem", "results", "vectors"):
            argv += [flag, str(inputs[draw(usual(action.dest))])]
        elif action.choices is not None:
            choices = st.sampled_from(sorted(map(str, action.choices)))
            argv += [flag, draw(choices if valid else choices | st.just("nonsense"))]
        else:
            argv += [flag, draw(_value(action.type, valid))]
    argv += positional
    if any(a.dest == "max_time" for a in parser._actions):
        argv += BUDGET
    return argv


def _check(name: str, argv: list[str], work: Path) -> None:
    (work / "existing.txt").write_text("keep me\n")
    run_checked(argv, work, frozenset({0, 1, 2}) if name == "oracle verify" else frozenset({0, 2}))


def _fuzz(name: str):
    parser = COMMANDS[name]
    @settings(max_examples=examples(3) if name.split()[0] in HEAVY else examples(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def run(inputs, data):
        work = Path(tempfile.mkdtemp(prefix="qsgd-ref-fuzz-"))
        try:
            vectors = st.composite(lambda draw: _argv(draw, name, parser, inputs, work))
            argv = data.draw(vectors(), label="argv")
            _check(name, argv, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    return run


@pytest.mark.clause("CLI-1", "CLI-2", "CLI-3")
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n.split()[0] in HEAVY else n
                                  for n in sorted(COMMANDS)])
def test_every_argument_vector_exits_0_or_2_in_at_most_three_lines(name, inputs):
    _fuzz(name)(inputs)


@pytest.mark.clause("CLI-1")
def test_the_fuzz_reaches_every_command():
    assert {n.split()[0] for n in COMMANDS} == {"demo", "validate", "convert", "classify", "reference", "tables", "hhl",
                                                 "oracle", "cost", "model", "proxy", "train", "sweep"}
    assert {"model burgers", "model quadnet", "oracle generate", "oracle verify"} <= set(COMMANDS)
    assert os.path.isdir(spec_dir() / "vectors")
