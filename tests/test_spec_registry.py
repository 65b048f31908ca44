"""Meta-tests of the specification registry: every clause is well-formed and has a test."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from qsgd_ref.base.spec import clauses

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def clause_ids_named_by_tests() -> dict[str, list[str]]:
    """Scan tests/ for ``pytest.mark.clause("ID", ...)`` (statically, independent of selection)."""
    named: dict[str, list[str]] = {}
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "clause"
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        named.setdefault(arg.value, []).append(path.name)
    return named


@pytest.mark.clause("FMT-1")
def test_every_clause_has_a_test():
    named = clause_ids_named_by_tests()
    missing = [cid for cid in clauses() if cid not in named]
    assert not missing, f"spec clauses with no test naming them: {', '.join(missing)}"


def test_every_marker_names_a_clause():
    unknown = sorted(set(clause_ids_named_by_tests()) - set(clauses()))
    assert not unknown, f"tests name clauses that do not exist: {unknown}"


@pytest.mark.parametrize("cid", list(clauses()))
def test_clause_status_points_somewhere(cid):
    c = clauses()[cid]
    assert c.statement, f"{cid} has an empty statement"
    if c.status_word == "proven":
        assert c.status_target and (ROOT / c.status_target).is_file(), f"{cid}: proof {c.status_target} missing"
    elif c.status_word == "certified":
        assert c.status_target, f"{cid}: certified by which proofs_numeric module?"
        importlib.import_module(c.status_target)
    else:
        assert c.status_word in {"definition", "conjecture", "to be proven"}, f"{cid}: status {c.status!r}"
    if c.encoding_path:
        assert c.encoding() is not None, f"{cid}: encoding {c.encoding_path} resolves to None"
