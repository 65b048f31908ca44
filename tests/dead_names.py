"""A static finder of dead public names: top-level definitions of a package that nothing refers to.

A *public name* is a top-level function or class whose name does not start with ``_``, or a top-level
UPPER_CASE constant, in any module of the package. It is *referenced* when one of these mentions it:

* the defining module itself, outside the definition (a bare name, ``x.name``, or a string such as an
  ``__all__`` entry, a ``getattr`` name or a dotted ``"module:name"`` path);
* any other Python file scanned (the rest of the package, tests, benchmarks, ...) through
  ``from m import name``, an attribute ``m.name``, or such a string. A bare ``name`` in another file is
  not counted: without a ``from ... import name`` it is some other object of the same name;
* any Markdown file scanned (prose, autodoc ``:members:`` lists), word by word;
* an ``encoding:`` line of a spec clause;
* a command registry: modules listed in a ``COMMANDS`` dict of ``<package>/cli/main.py`` are imported
  by name with importlib, and their protocol names (:data:`COMMAND_PROTOCOL`) are looked up on them.

The scan works on names, not on resolved objects, so a dead definition whose name is also used for
something else elsewhere (``run``, say) goes unnoticed; it never reports a name that is mentioned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from layering import literal_assignment

#: what qsgd_ref/cli/main.py looks up on every module of its COMMANDS registry (HELP, add_arguments(parser),
#: run(args) -> int): they are reached through importlib.import_module(<string>), never imported by name
COMMAND_PROTOCOL = frozenset({"HELP", "add_arguments", "run"})

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)*")
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")
_ENCODING = re.compile(r"^encoding:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True, order=True)
class Definition:
    path: Path
    line: int
    name: str

    def render(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line} {self.name}"


def _public(name: str) -> bool:
    return not name.startswith("_")


def definitions(tree: ast.Module, path: Path) -> list[tuple[Definition, ast.stmt]]:
    """The public top-level definitions of one module, each with its defining statement."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and _public(node.name):
            out.append((Definition(path, node.lineno, node.name), node))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and _CONSTANT.fullmatch(target.id):
                    out.append((Definition(path, node.lineno, target.id), node))
    return out


def code_references(tree: ast.AST, *, bare_names: bool, skip: ast.AST | None = None) -> set[str]:
    """Names a Python tree refers to (see the module docstring); the subtree ``skip`` is left out."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if node is skip:
            continue
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Name) and bare_names:
            found.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _PATH.fullmatch(node.value):
            found.add(re.split(r"[.:]", node.value)[-1])
        stack.extend(ast.iter_child_nodes(node))
    return found


def text_references(text: str) -> set[str]:
    return set(_WORD.findall(text))


#: directories never scanned for references: caches and generated output (docs/_generated is written by
#: the docs build from the spec and the CLI, so it would echo names rather than refer to them)
SKIPPED_DIRS = frozenset({"__pycache__", "_build", "_generated"})


def _files(roots: Iterable[Path], suffix: str, exclude: Collection[Path] = ()) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        if root.is_file():
            out += [root] if root.suffix == suffix else []
        elif root.is_dir():
            out += [p for p in sorted(root.rglob(f"*{suffix}")) if not SKIPPED_DIRS.intersection(p.parts)]
    excluded = {p.resolve() for p in exclude}
    return [p for p in out if p.resolve() not in excluded]


def registry_modules(package_dir: Path) -> set[Path]:
    """Files of the modules named by the ``COMMANDS`` dict literal of ``<package>/cli/main.py`` (if any)."""
    main = package_dir / "cli" / "main.py"
    commands = literal_assignment(main, "COMMANDS") if main.is_file() else None
    if not commands:
        return set()
    return {package_dir.parent.joinpath(*module.split(".")).with_suffix(".py") for module in commands.values()}


def dead_names(package_dir: Path, elsewhere: Iterable[Path], spec_clauses: Path | None = None,
               exclude: Collection[Path] = ()) -> list[Definition]:
    """Public top-level names of the package at ``package_dir`` that nothing refers to.

    ``elsewhere``: files or directories scanned for references besides the package (``*.py`` by AST,
    ``*.md`` word by word); ``spec_clauses``: a directory of clause files whose ``encoding:`` lines count;
    ``exclude``: files not to scan (the checker's own, which name names without referring to them).
    """
    elsewhere = list(elsewhere)
    package_files = _files([package_dir], ".py")
    trees = {path: ast.parse(path.read_text(), str(path)) for path in package_files}
    # names each file refers to in code, bare names excluded (those are the defining module's business)
    per_file = {path: code_references(tree, bare_names=False) for path, tree in trees.items()}
    outside: set[str] = set()
    for path in _files(elsewhere, ".py", exclude):
        outside |= code_references(ast.parse(path.read_text(), str(path)), bare_names=False)
    for path in _files(elsewhere, ".md", exclude):
        outside |= text_references(path.read_text())
    if spec_clauses is not None:
        for path in sorted(spec_clauses.glob("*.md")):
            for encoding in _ENCODING.findall(path.read_text()):
                outside.add(re.split(r"[.:]", encoding)[-1])
    registered = registry_modules(package_dir)

    dead = []
    for path, tree in trees.items():
        elsewhere_in_package = set().union(*(refs for other, refs in per_file.items() if other != path))
        for definition, node in definitions(tree, path):
            name = definition.name
            if name in outside or name in elsewhere_in_package:
                continue
            if path in registered and name in COMMAND_PROTOCOL:
                continue
            if name in code_references(tree, bare_names=True, skip=node):
                continue
            dead.append(definition)
    return sorted(dead)
