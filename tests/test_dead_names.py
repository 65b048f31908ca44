"""No dead public names in qsgd_ref: every public top-level definition is referred to somewhere (tests/dead_names.py).

The finder is first run on a small package written here, whose dead and live names are known, then on qsgd_ref
against the places that may refer to its names: the package itself, tests, benchmarks, proofs_numeric, docs,
examples, the README and the spec clauses' ``encoding:`` lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dead_names import dead_names

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: the finder's own files name names (in its self-test and its protocol list) without referring to them
CHECKER_FILES = (TESTS / "dead_names.py", Path(__file__).resolve())


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


@pytest.mark.clause("FMT-1")
def test_finder_reports_exactly_the_dead_names_of_a_known_package(tmp_path):
    _write(tmp_path, {
        "pkg/__init__.py": '''
            """see dead_function: a docstring mention is not a reference"""
            from pkg.core import used_by_import

            __all__ = ["used_by_import"]
        ''',
        "pkg/core.py": '''
            __all__ = ["listed_in_all"]
            LIVE_CONSTANT = 2
            DEAD_CONSTANT = 1


            def used_by_import(): return LIVE_CONSTANT
            def used_as_attribute(): return 0
            def used_in_docs(): return 0
            def used_by_encoding(): return 0
            def used_inside(): return 0
            def caller(): return used_inside()
            def listed_in_all(): return 0
            def by_string(): return 0
            def recursive_only(k): return recursive_only(k - 1) if k else 0
            def shadowed(): return 0
            def dead_function(): return 0
            def _private(): return 0


            class DeadClass:
                pass
        ''',
        "pkg/cli/__init__.py": "",
        "pkg/cli/main.py": '''
            import importlib

            COMMANDS: dict[str, str] = {"hello": "pkg.cli.commands.hello"}
            print([importlib.import_module(module).HELP for module in COMMANDS.values()])
        ''',
        "pkg/cli/commands/__init__.py": "",
        "pkg/cli/commands/hello.py": '''
            HELP = "say hello"
            def add_arguments(parser): return parser
            def run(args): return 0
            def helper(): return 0
        ''',
        "pkg/cli/commands/stale.py": '''
            """Not in the COMMANDS registry: nothing runs it."""
            def run(args): return 0
        ''',
        "tests/check.py": '''
            import pkg.core as c

            shadowed = c.used_as_attribute()  # a bare name elsewhere is another object
            print(getattr(c, "by_string"), c.caller())
        ''',
        "docs/page.md": "Call `used_in_docs()` first.\n",
        "spec/clauses/01.md": "## X-1 · A clause\nencoding: pkg.core:used_by_encoding\n",
    })
    dead = dead_names(tmp_path / "pkg", [tmp_path / "tests", tmp_path / "docs"], tmp_path / "spec" / "clauses")
    assert [d.render(tmp_path) for d in dead] == [
        "pkg/cli/commands/hello.py:4 helper",
        "pkg/cli/commands/stale.py:2 run",
        "pkg/core.py:3 DEAD_CONSTANT",
        "pkg/core.py:14 recursive_only",
        "pkg/core.py:15 shadowed",
        "pkg/core.py:16 dead_function",
        "pkg/core.py:20 DeadClass",
    ]
    # the excluded files are not scanned: without tests/check.py its three names die too
    again = dead_names(tmp_path / "pkg", [tmp_path / "tests", tmp_path / "docs"], tmp_path / "spec" / "clauses",
                       exclude=[tmp_path / "tests" / "check.py"])
    assert {d.name for d in again} - {d.name for d in dead} == {"used_as_attribute", "by_string", "caller"}


@pytest.mark.clause("FMT-1")
def test_qsgd_ref_has_no_dead_public_names():
    dead = dead_names(
        ROOT / "qsgd_ref",
        [ROOT / "tests", ROOT / "benchmarks", ROOT / "proofs_numeric", ROOT / "docs", ROOT / "examples",
         ROOT / "README.md"],
        ROOT / "spec" / "clauses",
        exclude=CHECKER_FILES,
    )
    assert not dead, "public names nothing refers to (delete them, or use them):\n" + "\n".join(
        d.render(ROOT) for d in dead)
