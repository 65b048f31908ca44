"""Issue 13, class "output paths" and "NaN/Infinity tokens" (clause CLI-2).

An output is checked before any computation (the computation is replaced by a function that fails
the test if it is reached), written through a temporary and renamed, so a failed or interrupted
run (KeyboardInterrupt raised from inside the computation, in-process) leaves the old target and
no temporary; Ctrl-C exits 130 with one line; every JSON written is strict JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

P1 = Path(__file__).parent / "data" / "checks" / "problems" / "p1-quadratic-forced.json"
SMALL = {"schema": "qsgd-ref.problem.v1", "name": "small", "F": {"1": [["-1/2"]], "2": [["1/4"]]},
         "u0": ["1/2"], "steps": 2, "order": 2}


def strict(text: str) -> object:
    """json.loads that refuses NaN, Infinity and -Infinity tokens."""
    def refuse(token: str) -> object:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def never(*args, **kwargs):
    raise AssertionError("the computation started before the output was checked")


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL))
    return path


def _unwritable() -> Path:
    if os.geteuid() != 0:
        return Path("/proc/qsgd-ref-test")  # nobody may create files in /proc
    return Path("/sys/qsgd-ref-test")  # root may write into read-only folders, but not into sysfs


BAD_PLACES = {
    "missing folder": lambda tmp: tmp / "no" / "such" / "out.json",
    "a folder": lambda tmp: tmp,
    "under /proc": lambda tmp: Path("/proc/self/qsgd-ref-out.json"),
    "read-only place": lambda tmp: _unwritable() / "out.json",
    "empty name": lambda tmp: Path(""),
}


@pytest.mark.clause("CLI-2")
@pytest.mark.parametrize("where", sorted(BAD_PLACES))
def test_reference_out_is_checked_before_computing(where, cli, tmp_path, small, monkeypatch):
    import qsgd_ref.cli.commands.reference as command

    monkeypatch.setattr(command, "reference", never)
    monkeypatch.setattr(command, "load_problem", never)
    target = BAD_PLACES[where](tmp_path)
    before = sorted(os.listdir(tmp_path))
    r = cli("reference", small, "--out", target)
    assert r.status == 2 and r.out == "" and "Traceback" not in r.err
    assert len(r.err_lines) == 1 and "--out" in r.err_lines[0], r.err
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.clause("CLI-2")
@pytest.mark.parametrize(("argv", "option"), [
    (["hhl", "SMALL", "--out"], "--out"),
    (["proxy", "EIG", "--json"], "--json"),
    (["convert", "SMALL"], "OUT"),
])
def test_every_file_output_is_checked_first(argv, option, cli, tmp_path, small, monkeypatch):
    import qsgd_ref.cli.commands.convert as convert
    import qsgd_ref.models.proxy as proxy
    import qsgd_ref.quantum.pipeline as pipeline

    for module, name in ((pipeline, "estimate"), (proxy, "error_proxy"), (convert, "load_document")):
        monkeypatch.setattr(module, name, never)
    eig = tmp_path / "eig.txt"
    eig.write_text("1 2 3\n")
    argv = [str(small) if a == "SMALL" else str(eig) if a == "EIG" else a for a in argv]
    for target in (tmp_path / "missing" / "x.json", tmp_path):
        before = sorted(os.listdir(tmp_path))
        r = cli(*argv, target)
        assert r.status == 2 and len(r.err_lines) == 1 and option in r.err_lines[0], r.err
        assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.clause("CLI-2")
def test_oracle_generate_onto_an_existing_file_is_refused_before_generating(cli, tmp_path, monkeypatch):
    import qsgd_ref.oracle.generator as generator

    monkeypatch.setattr(generator, "generate", never)
    existing = tmp_path / "vectors"
    existing.write_text("not a folder\n")
    for target in (existing, tmp_path / "no" / "vectors", Path("/proc/self/vectors")):
        r = cli("oracle", "generate", "--out", target)
        assert r.status == 2 and len(r.err_lines) == 1 and "--out" in r.err_lines[0], r.err
        assert r.err_lines[0].startswith("qsgd-ref oracle generate: error: --out")
    assert existing.read_text() == "not a folder\n" and sorted(os.listdir(tmp_path)) == ["vectors"]


@pytest.mark.clause("CLI-2")
@pytest.mark.parametrize("command", [["demo", "--shots", "0"], ["train", "--hidden", "4", "--steps", "2"]])
def test_folder_outputs_refuse_a_file_or_a_missing_parent(command, cli, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep\n")
    for target in (afile, tmp_path / "no" / "dir"):
        r = cli(*command, "--out", target)
        assert r.status == 2 and len(r.err_lines) == 1 and "--out" in r.err_lines[0], r.err
    assert sorted(os.listdir(tmp_path)) == ["afile"] and afile.read_text() == "keep\n"


@pytest.mark.clause("CLI-2")
def test_ctrl_c_in_reference_exits_130_and_keeps_the_old_file(cli, tmp_path, small, monkeypatch):
    import qsgd_ref.cli.commands.reference as command

    out = tmp_path / "r.json"
    out.write_text("old\n")
    monkeypatch.setattr(command, "reference", interrupt)
    r = cli("reference", small, "--out", out)
    assert r.status == 130 and r.err_lines == ["qsgd-ref reference: interrupted; nothing was written"]
    assert out.read_text() == "old\n" and sorted(os.listdir(tmp_path)) == ["r.json", "small.json"]


@pytest.mark.clause("CLI-2")
def test_ctrl_c_in_the_demo_leaves_no_folder(cli, tmp_path, small, monkeypatch):
    """The figure is already written into the staging folder when the interrupt comes."""
    import qsgd_ref.report.demo as demo

    monkeypatch.setattr(demo, "eq6_system", interrupt)
    r = cli("demo", "--problem", small, "--out", tmp_path / "d", "--shots", "0", "--orders", "1,2")
    assert r.status == 130 and len(r.err_lines) == 1 and "interrupted" in r.err
    assert sorted(os.listdir(tmp_path)) == ["small.json"]


@pytest.mark.clause("CLI-2")
def test_ctrl_c_in_oracle_generate_leaves_an_existing_folder_as_it_was(cli, tmp_path, monkeypatch):
    import qsgd_ref.oracle.generator as generator

    folder = tmp_path / "vectors"
    folder.mkdir()
    (folder / "carleman_matrix.json").write_text("old\n")

    def half(out, seed=0, guide=None):
        (Path(out) / "carleman_trajectory.json").write_text("{")
        raise KeyboardInterrupt

    monkeypatch.setattr(generator, "generate", half)
    r = cli("oracle", "generate", "--out", folder)
    assert r.status == 130 and len(r.err_lines) == 1
    assert os.listdir(folder) == ["carleman_matrix.json"] and (folder / "carleman_matrix.json").read_text() == "old\n"


@pytest.mark.clause("CLI-2")
def test_ctrl_c_while_training_writes_nothing(cli, tmp_path, monkeypatch):
    import qsgd_ref.models.figures as figures

    def half(result, outdir, command=""):
        (Path(outdir) / "fig2a_hessian.png").write_bytes(b"\x89PNG")
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "write_outputs", half)
    r = cli("train", "--hidden", "4", "--steps", "2", "--pretrain", "1", "--period", "1", "--slq-steps", "2",
            "--slq-vectors", "1", "--out", tmp_path / "t")
    assert r.status == 130 and len(r.err_lines) == 1
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("CLI-2")
def test_a_write_that_fails_half_way_leaves_the_old_file(cli, tmp_path, small, monkeypatch):
    """The disk fills while the result is written: one line naming --out; the old file and no temporary."""
    out = tmp_path / "r.json"
    out.write_text("old\n")
    original = Path.write_text

    def disk_full(self, text, *args, **kwargs):
        if self.name.endswith(".tmp"):
            original(self, text[:10], *args, **kwargs)
            raise OSError(28, "No space left on device")
        return original(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", disk_full)
    r = cli("reference", small, "--out", out)
    assert r.status == 2 and len(r.err_lines) == 1 and "--out" in r.err and "No space left" in r.err
    assert out.read_text() == "old\n" and sorted(os.listdir(tmp_path)) == ["r.json", "small.json"]


@pytest.mark.clause("CLI-2")
def test_outputs_land_whole_with_ordinary_permissions(cli, tmp_path, small):
    out = tmp_path / "r.json"
    r = cli("reference", small, "--dps", "20", "--out", out)
    assert r.status == 0, r.err
    doc = strict(out.read_text())
    assert doc["steps"] == 2 and len(doc["exact"]) == 3
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(os.listdir(tmp_path)) == ["r.json", "small.json"]


@pytest.mark.clause("CLI-2", "HHL-4")
def test_hhl_writes_strict_json_when_values_are_not_numbers(cli, tmp_path):
    """u(0) = 0: no download, the clock part of the budget is undefined ("nan", not NaN)."""
    problem = tmp_path / "zero.json"
    problem.write_text(json.dumps({"schema": "qsgd-ref.problem.v1", "F": {"0": ["1/10"], "1": [["-1/2"]]},
                                   "u0": ["0"], "steps": 1, "order": 1}))
    out = tmp_path / "h.json"
    r = cli("hhl", problem, "--out", out)
    assert r.status == 0, r.err
    doc = strict(out.read_text())
    assert doc["u_T"] is None and doc["error_budget"]["hhl_clock"] == "nan" and doc["error_budget"]["total"] == "nan"
    assert r.err_lines and r.err_lines[0].startswith("qsgd-ref hhl: ") and " qubits (" in r.err_lines[0]


@pytest.mark.clause("CLI-2", "REG-5")
def test_classify_prints_strict_json(cli, tmp_path):
    problem = tmp_path / "marginal.json"
    problem.write_text(json.dumps({"schema": "qsgd-ref.problem.v1", "F": {"2": [["-1/10"]]}, "u0": ["1/2"],
                                   "steps": 3, "order": 2}))
    r = cli("classify", problem)
    assert r.status == 0
    doc = strict(r.out)
    assert doc["regime"] == "almost dissipative" and doc["R_d"] is None


@pytest.mark.clause("CLI-2")
def test_running_out_of_memory_is_one_line_and_writes_nothing(cli, tmp_path, small, monkeypatch):
    import qsgd_ref.cli.commands.reference as command

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(command, "reference", exhausted)
    r = cli("reference", small, "--out", tmp_path / "r.json")
    assert r.status == 1 and len(r.err_lines) == 1 and "out of memory" in r.err and "Traceback" not in r.err
    assert sorted(os.listdir(tmp_path)) == ["small.json"]
