"""The package's imports point one way along the stages of qsgd_ref/base/stages.py (checked by tests/layering.py).

The checker is first shown to catch each kind of violation in a fixture package that breaks its layering on
purpose (tests/fixtures/layered_pkg) and to pass one that does not (tests/fixtures/clean_pkg); then it is run on
qsgd_ref itself.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

import pytest
from layering import check_layering, collect_imports, read_stages, report

import qsgd_ref
from qsgd_ref.base.stages import STAGES
from qsgd_ref.cli import main

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
PACKAGE = Path(qsgd_ref.__file__).parent
_EXPECT = re.compile(r"#\s*expect:\s*(\w+)")


def expected_marks(package_dir: Path) -> list[tuple[str, str, int]]:
    """(kind, module, line) for every ``# expect: KIND`` comment in a fixture package."""
    out = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for lineno, text in enumerate(path.read_text().splitlines(), start=1):
            if m := _EXPECT.search(text):
                out.append((m.group(1), module, lineno))
    return out


@pytest.mark.clause("FMT-1")
def test_checker_reports_each_violation_of_the_broken_fixture_once():
    package = FIXTURES / "layered_pkg"
    marks = expected_marks(package)
    # the fixture holds one of each: an upward import at module level and one inside a function,
    # an import of the root, and a two-module cycle within a stage
    assert sorted((k, m) for k, m, _ in marks) == [
        ("cycle", "layered_pkg.core.graph"),
        ("cycle", "layered_pkg.core.nodes"),
        ("root", "layered_pkg.app.render"),
        ("upward", "layered_pkg.base.units"),
        ("upward", "layered_pkg.core.model"),
    ]
    violations = check_layering(package)

    direct = sorted((v.kind, v.module, v.line) for v in violations if v.kind != "cycle")
    assert direct == sorted(mark for mark in marks if mark[0] != "cycle"), report(violations)

    cycles = [v for v in violations if v.kind == "cycle"]
    assert len(cycles) == 1, report(violations)
    for _, module, line in (mark for mark in marks if mark[0] == "cycle"):
        assert f"{module}:{line} imports " in cycles[0].text
    assert cycles[0].text.startswith("cycle layered_pkg.core.graph → layered_pkg.core.nodes → layered_pkg.core.graph: ")

    (model_line,) = [line for k, m, line in marks if m == "layered_pkg.core.model"]
    (units_line,) = [line for k, m, line in marks if m == "layered_pkg.base.units"]
    (render_line,) = [line for k, m, line in marks if m == "layered_pkg.app.render"]
    texts = {str(v) for v in violations}
    assert f"layered_pkg.core.model:{model_line} imports layered_pkg.app.render (core → app)" in texts
    assert f"layered_pkg.base.units:{units_line} imports layered_pkg.core.shapes (base → core)" in texts
    assert f"layered_pkg.app.render:{render_line} imports layered_pkg (app → root)" in texts


@pytest.mark.clause("FMT-1")
def test_checker_passes_the_clean_fixture_and_sees_all_its_imports():
    package = FIXTURES / "clean_pkg"
    assert read_stages(package) == ("base", "core", "app")
    assert check_layering(package) == []
    # not vacuous: every import form in the fixture was found and resolved
    # (relative, TYPE_CHECKING, inside functions, import_module, `from a import submodule`)
    edges = {m: sorted({i.target for i in imports}) for m, imports in collect_imports(package).items()}
    assert edges == {
        "clean_pkg": ["clean_pkg.app.main"],
        "clean_pkg.__main__": ["clean_pkg"],
        "clean_pkg.app": ["clean_pkg.app.main"],
        "clean_pkg.app.main": ["clean_pkg.base.units", "clean_pkg.core.model"],
        "clean_pkg.base": [],
        "clean_pkg.base.errors": [],
        "clean_pkg.base.stages": [],
        "clean_pkg.base.units": ["clean_pkg.base.errors"],
        "clean_pkg.core": [],
        "clean_pkg.core.model": ["clean_pkg.base.errors", "clean_pkg.base.units", "clean_pkg.core.shapes"],
        "clean_pkg.core.shapes": ["clean_pkg.base.errors"],
    }


@pytest.mark.clause("FMT-1")
def test_checker_reports_a_module_in_no_stage_and_a_literal_import_module(tmp_path):
    package = tmp_path / "clean_pkg"
    shutil.copytree(FIXTURES / "clean_pkg", package)
    (package / "extra.py").write_text('"""Belongs to no stage."""\n')
    units = package / "base" / "units.py"
    units.write_text(units.read_text() + '\n\ndef late() -> object:\n    import importlib\n\n'
                     '    return importlib.import_module("clean_pkg.core.shapes")\n')
    line = units.read_text().splitlines().index('    return importlib.import_module("clean_pkg.core.shapes")') + 1
    assert [str(v) for v in check_layering(package)] == [
        "clean_pkg.extra:1 is in no stage (add its subpackage to base/stages.py)",
        f"clean_pkg.base.units:{line} imports clean_pkg.core.shapes (base → core)",
    ]


@pytest.mark.clause("FMT-1")
def test_the_stages_are_the_subpackages_of_qsgd_ref():
    assert read_stages(PACKAGE) == STAGES
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(STAGES)


@pytest.mark.clause("FMT-1")
def test_qsgd_ref_imports_point_one_way():
    violations = check_layering(PACKAGE)
    assert not violations, "layering violations (see qsgd_ref/base/stages.py):\n" + report(violations)


@pytest.mark.clause("FMT-1")
def test_cli_version_without_importing_the_root(capsys):
    """``qsgd-ref --version`` reads the installed distribution, which must agree with ``qsgd_ref.__version__``."""
    assert qsgd_ref.__version__ == importlib.metadata.version("qsgd-ref")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"qsgd-ref {qsgd_ref.__version__}\n"
