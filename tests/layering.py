"""A static checker of a package's layering: imports point from later stages to earlier ones only.

The package is read with :mod:`ast`, never imported. Its stages are the subpackages named, in order,
by the tuple ``STAGES`` in ``<package>/base/stages.py``; the package root (``__init__.py`` and
``__main__.py`` directly in the package directory) sits above every stage. Every import counts:
module level, inside functions and methods, under conditionals (``if TYPE_CHECKING:`` included),
``import a.b``, ``from a import b`` (``b`` may be a submodule), relative imports, and
``importlib.import_module("a.b")`` / ``__import__("a.b")`` with a literal name.

Importing ``a.b.c`` also runs the ``__init__`` of ``a`` and ``a.b``; those implicit parent imports are
not edges here (every submodule would otherwise "import" the root), only the module named is.

Violations (:class:`Violation`, rendered ``module:line imports target (stage A → stage B)``):

* ``upward`` — a module imports a later stage;
* ``root`` — a module inside a stage imports the package root module itself;
* ``cycle`` — modules import each other in a cycle (one report per strongly connected component,
  with one cycle through it spelled out edge by edge);
* ``unstaged`` — a module of the package is neither in a stage nor the root, so cannot be checked.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = "root"


@dataclass(frozen=True, order=True)
class Import:
    """``module`` imports ``target`` (a dotted name inside the package) on ``line``."""

    module: str
    line: int
    target: str


@dataclass(frozen=True, order=True)
class Violation:
    kind: str  # upward | root | cycle | unstaged
    module: str
    line: int
    target: str
    text: str

    def __str__(self) -> str:
        return self.text


def read_stages(package_dir: Path) -> tuple[str, ...]:
    """The ``STAGES`` tuple literal of ``<package_dir>/base/stages.py``, read without importing it."""
    path = package_dir / "base" / "stages.py"
    stages = literal_assignment(path, "STAGES")
    if stages is None:
        raise ValueError(f"{path}: no STAGES assignment")
    if not (isinstance(stages, tuple) and all(isinstance(s, str) for s in stages)):
        raise ValueError(f"{path}: STAGES must be a tuple of strings")
    return stages


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``*.py`` under the package directory."""
    package = package_dir.name
    out: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        parts = [package, *rel.parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports_in(module: str, path: Path, modules: set[str], package: str) -> Iterator[Import]:
    """Every import in one module file whose target lies inside the package."""
    tree = ast.parse(path.read_text(), str(path))
    # the package a relative import of level 1 starts from
    here = module if _is_package(path) else module.rpartition(".")[0]

    def inside(name: str) -> bool:
        return name == package or name.startswith(package + ".")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if inside(alias.name):
                    yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = here.split(".")
                if node.level - 1 >= len(base_parts):
                    raise ValueError(f"{module}:{node.lineno}: relative import beyond the top of the package")
                base = ".".join(base_parts[: len(base_parts) - (node.level - 1)])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            if not inside(source):
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                # ``from a import b`` names the submodule a.b when there is one, else the module a
                yield Import(module, node.lineno, sub if sub in modules else source)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
                isinstance(func, ast.Name) and func.id in {"import_module", "__import__"}
            )
            arg = node.args[0]
            if named and isinstance(arg, ast.Constant) and isinstance(arg.value, str) and inside(arg.value):
                yield Import(module, node.lineno, arg.value)


def collect_imports(package_dir: Path) -> dict[str, list[Import]]:
    """Module -> its imports into the package (deduplicated, in line order)."""
    files = module_files(package_dir)
    modules = set(files)
    return {
        module: sorted(set(_imports_in(module, path, modules, package_dir.name)))
        for module, path in files.items()
    }


def stage_of(name: str, package: str, stages: Sequence[str]) -> str | None:
    """The stage of a dotted name inside the package: a stage name, ``root``, or None (in no stage)."""
    parts = name.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return ROOT
    return parts[1] if parts[1] in stages else None


def _resolve(target: str, modules: set[str]) -> str | None:
    """The module an import target runs: itself if it is a module, else its longest module prefix."""
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in modules:
            return name
        parts.pop()
    return None


def _strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm (recursive; package graphs are small)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _cycle_through(start: str, component: set[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """A shortest cycle start → … → start inside one strongly connected component."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(graph[v]):
            if w not in component:
                continue
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    raise AssertionError(f"no cycle through {start}")  # unreachable for a non-trivial component


def check_layering(package_dir: Path, stages: Sequence[str] | None = None) -> list[Violation]:
    """All layering violations of the package in ``package_dir`` (stages read from base/stages.py if None)."""
    package_dir = Path(package_dir)
    package = package_dir.name
    stages = tuple(stages) if stages is not None else read_stages(package_dir)
    rank = {name: i for i, name in enumerate(stages)}
    rank[ROOT] = len(stages)
    imports = collect_imports(package_dir)
    modules = set(imports)
    violations: list[Violation] = []

    def label(name: str) -> str:
        return stage_of(name, package, stages) or "no stage"

    for module in sorted(modules):
        if stage_of(module, package, stages) is None:
            violations.append(Violation("unstaged", module, 1, module,
                                        f"{module}:1 is in no stage (add its subpackage to base/stages.py)"))
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    for module, found in imports.items():
        here = stage_of(module, package, stages)
        for imp in found:
            there = stage_of(imp.target, package, stages)
            text = f"{module}:{imp.line} imports {imp.target} ({label(module)} → {label(imp.target)})"
            if here not in (None, ROOT) and imp.target == package:
                violations.append(Violation("root", module, imp.line, imp.target, text))
            elif here is not None and there is not None and rank[there] > rank[here]:
                violations.append(Violation("upward", module, imp.line, imp.target, text))
            resolved = _resolve(imp.target, modules)
            if resolved is not None:
                graph[module].setdefault(resolved, imp.line)  # the first line that makes the edge
    for component in _strongly_connected(graph):
        start = component[0]
        if len(component) == 1 and start not in graph[start]:
            continue
        path = _cycle_through(start, set(component), graph)
        edges = [
            f"{a}:{graph[a][b]} imports {b} ({label(a)} → {label(b)})" for a, b in zip(path, path[1:], strict=False)
        ]
        violations.append(Violation("cycle", start, graph[start][path[1]], path[1],
                                    f"cycle {' → '.join(path)}: " + "; ".join(edges)))
    return sorted(violations)


def report(violations: Sequence[Violation]) -> str:
    return "\n".join(str(v) for v in violations)


def literal_assignment(path: Path, name: str) -> Any:
    """The literal value of the module-level assignment ``name = …`` (or ``name: T = …``) in the file at
    ``path``, read without importing it; None when the module has none."""
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        if value is not None and any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(value)
    return None
