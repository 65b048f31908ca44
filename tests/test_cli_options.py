"""Issue 13, class "options": every numeric option is typed with a range (clause CLI-1).

Each refusal: exit status 2, one line on stderr naming the option (and the range), no traceback,
nothing written, in well under the wall-clock bound. The cases are the issue's own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qsgd_ref.cli.main import build_parser

P1 = Path(__file__).parent / "data" / "checks" / "problems" / "p1-quadratic-forced.json"
#: no refusal may take longer than this (seconds), even with the imports
BOUND = 20.0


@pytest.fixture
def eigenvalues(tmp_path):
    path = tmp_path / "eig.txt"
    path.write_text("1.0\n2.0\n0.5\n-0.3\n")
    return path


def _refused(cli, tmp_path, argv, option):
    before = sorted(os.listdir(tmp_path))
    start = time.monotonic()
    r = cli(*argv)
    elapsed = time.monotonic() - start
    assert r.status == 2, (r.status, r.err)
    assert len(r.err_lines) == 1, r.err
    assert option in r.err_lines[0], r.err
    assert "Traceback" not in r.err and r.out == ""
    assert sorted(os.listdir(tmp_path)) == before
    assert elapsed < BOUND
    return r.err_lines[0]


CASES = [
    (["demo", "--shots", "-5"], "--shots"),
    (["demo", "--orders", "0,2"], "--orders"),
    (["demo", "--orders", "1,x"], "--orders"),
    (["hhl", P1, "--seed", str(2**70)], "--seed"),
    (["hhl", P1, "--seed", "2**70"], "--seed"),
    (["hhl", P1, "--shots", str(10**12)], "--shots"),
    (["hhl", P1, "--shots", "0"], "--shots"),
    (["hhl", P1, "--clock-qubits", "2"], "--clock-qubits"),
    (["hhl", P1, "--clock-qubits", "15"], "--clock-qubits"),
    (["reference", P1, "--steps", "-1"], "--steps"),
    (["reference", P1, "--steps", "1e3"], "--steps"),
    (["reference", P1, "--order", "0"], "--order"),
    (["reference", P1, "--dps", "4"], "--dps"),
    (["reference", P1, "--dps", "nan"], "--dps"),
    (["reference", P1, "--max-time", "0"], "--max-time"),
    (["reference", P1, "--max-memory", "8 parsecs"], "--max-memory"),
    (["proxy", "EIG", "--scale", "-1"], "--scale"),
    (["proxy", "EIG", "--scale", "inf"], "--scale"),
    (["proxy", "EIG", "--cutoff", "nan"], "--cutoff"),
    (["proxy", "EIG", "--cutoff", "-0.1"], "--cutoff"),
    (["proxy", "EIG", "--steps", "-3"], "--steps"),
    (["train", "--eta", "0"], "--eta"),
    (["train", "--eta", "inf"], "--eta"),
    (["train", "--keep", "1.5"], "--keep"),
    (["train", "--batch", "5000"], "--batch"),
    (["train", "--hidden", "0"], "--hidden"),
    (["train", "--seed", "-1"], "--seed"),
    (["tables", "--degree", "9"], "--degree"),
    (["tables", "--trees", "5"], "--trees"),
    (["oracle", "generate", "--out", "OUT", "--seed", "-1"], "--seed"),
    (["model", "burgers", "--nx", "2", "--out", "OUT/p.json"], "--nx"),
]


@pytest.mark.clause("CLI-1")
@pytest.mark.parametrize(("argv", "option"), CASES, ids=[" ".join(map(str, a[:1] + a[2:] if a[1] == P1 else a)) for a, _ in CASES])
def test_out_of_range_option_is_refused_in_one_line(argv, option, cli, tmp_path, eigenvalues):
    argv = [str(eigenvalues) if a == "EIG" else str(tmp_path / "o") if a == "OUT" else
            str(tmp_path / "o" / "p.json") if a == "OUT/p.json" else a for a in argv]
    line = _refused(cli, tmp_path, argv, option)
    assert line.startswith(f"qsgd-ref {argv[0]}") or line.startswith("qsgd-ref model") or line.startswith("qsgd-ref oracle")


@pytest.mark.clause("CLI-1")
def test_the_refusal_states_the_range_and_shortens_the_echo(cli, tmp_path):
    line = _refused(cli, tmp_path, ["hhl", str(P1), "--shots", "9" * 5000], "--shots")
    assert "between 1 and 100,000,000" in line
    assert len(line) < 300 and "5,000 characters" in line


@pytest.mark.clause("CLI-1")
def test_forcing_without_trees_is_refused_not_ignored(cli, tmp_path):
    line = _refused(cli, tmp_path, ["tables", "--forcing"], "--forcing")
    assert "--trees" in line
    for flag in ("--continuous", "--dropped"):
        _refused(cli, tmp_path, ["tables", "--trees", "2", flag], flag)
    ok = cli("tables", "--trees", "2", "--order", "1", "--forcing")
    assert ok.status == 0 and "F_0 ≠ 0" in ok.out


@pytest.mark.clause("CLI-1")
def test_write_spec_is_no_user_command(cli, tmp_path):
    r = cli("tables", "--write-spec")
    assert r.status == 2 and len(r.err_lines) == 1 and "--write-spec" in r.err


@pytest.mark.clause("CLI-1")
def test_qsgd_ref_alone_prints_the_usage_and_the_commands(cli):
    r = cli()
    assert r.status == 2 and r.out == "" and "Traceback" not in r.err
    assert r.err.startswith("usage: qsgd-ref")
    for name in ("demo", "validate", "reference", "hhl", "tables", "oracle", "proxy", "train", "model"):
        assert f"\n    {name}" in r.err, name
    assert "exit status" in r.err


@pytest.mark.clause("CLI-1")
def test_every_option_has_help_and_every_number_a_range():
    """Each option of each command says what it is; a numeric option's type carries its range."""
    import argparse

    from qsgd_ref.cli import options

    typed = (options.IntIn, options.FloatIn, options.ExactIn, options.IntList, options.ByteSize, options.Seconds)

    def walk(parser: argparse.ArgumentParser, name: str):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, p in action.choices.items():
                    yield from walk(p, f"{name} {sub}")
            elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
                yield name, action

    seen = 0
    for name, action in walk(build_parser(), "qsgd-ref"):
        seen += 1
        assert action.help, f"{name} {action.option_strings or action.dest}: no help"
        if action.type is not None:
            assert isinstance(action.type, typed) or callable(action.type), (name, action.dest)
            if action.type in (int, float):
                pytest.fail(f"{name} {action.option_strings}: bare {action.type.__name__}, no range")
    assert seen > 80


@pytest.mark.clause("CLI-1")
def test_validate_help_describes_the_problem_file(cli):
    r = cli("validate", "--help")
    assert r.status == 0
    for word in ('"schema": "qsgd-ref.problem.v2"', "F_steps", "u0", "steps", "order", "docs/problem-files.md", "\"1/8\""):
        assert word in r.out, word


@pytest.mark.clause("CLI-1")
def test_program_help_reads_like_a_tool(cli):
    r = cli("--help")
    assert r.status == 0
    assert "Carleman" in r.out and "qsgd-ref demo" in r.out and "exit status" in r.out
    assert "QSGD_REF_MEMORY_BUDGET" in r.out
