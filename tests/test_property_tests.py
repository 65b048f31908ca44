"""The property tests state what they draw (issue 18): every ``@given`` names each drawn value by the
test's parameter (keyword form, so a falsifying example prints ``inst=…``, never a bare position), and
every ``data.draw`` carries a ``label`` saying which hypothesis of the statement the draw satisfies."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _calls(kind: str) -> list[tuple[str, int, ast.Call]]:
    out = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == kind and (kind != "draw" or isinstance(func, ast.Attribute)):  # data.draw, not a local draw()
                out.append((path.name, node.lineno, node))
    return out


def test_every_given_names_its_draws():
    given = _calls("given")
    assert len(given) >= 40, "the property tests were not found"
    positional = [f"{f}:{line}" for f, line, call in given if call.args]
    assert not positional, f"@given with positional strategies (name each draw by keyword): {positional}"


def test_every_interactive_draw_is_labelled():
    draws = [(f, line, call) for f, line, call in _calls("draw") if f != "strategies.py"]
    assert len(draws) >= 20, "the interactive draws were not found"
    unlabelled = [f"{f}:{line}" for f, line, call in draws if not any(k.arg == "label" for k in call.keywords)]
    assert not unlabelled, f"data.draw without label= (say which hypothesis the draw satisfies): {unlabelled}"


def test_a_tests_own_example_count_deepens_under_thorough():
    """A literal ``@settings(max_examples=8)`` would draw 8 examples under the thorough profile too; each
    goes through strategies.examples (ci: n, thorough: THOROUGH_FACTOR · n)."""
    def scaled(node: ast.expr) -> bool:
        if isinstance(node, ast.IfExp):
            return scaled(node.body) and scaled(node.orelse)
        return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "examples"

    fixed = [f"{f}:{line}" for f, line, call in _calls("settings")
             for k in call.keywords if k.arg == "max_examples" and not scaled(k.value)]
    assert not fixed, f"max_examples without strategies.examples(...): {fixed}"
