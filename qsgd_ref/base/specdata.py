"""Where the normative spec/ lives: clauses, schemas, tables and vectors (shipped with the package).

Looked up in this order:

1. ``QSGD_REF_SPEC_DIR``, when set (it must then be a spec folder: a wrong value is an error, never
   silently skipped);
2. ``qsgd_ref/_spec`` inside an installed wheel (the build copies spec/ there);
3. ``spec/`` next to the package in a source checkout (editable installs and the repository).

A missing spec raises :class:`SpecNotFoundError` naming every place looked at.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import PATH_CHARS, echo

ENV = "QSGD_REF_SPEC_DIR"
#: What makes a folder a spec folder.
_MARKERS = ("clauses", "schemas")


class SpecNotFoundError(RuntimeError):
    """The package's spec/ data is missing: the installation is broken (not a user-input error)."""


def _is_spec(path: Path) -> bool:
    return all((path / m).is_dir() for m in _MARKERS)


def candidates() -> list[Path]:
    """The places looked at without the environment variable: wheel data, then the source tree."""
    package = Path(__file__).resolve().parent.parent
    return [package / "_spec", package.parent / "spec"]


def spec_dir() -> Path:
    """The spec folder in use (see the module docstring for the order)."""
    env = os.environ.get(ENV)
    if env:
        path = Path(env)
        if not _is_spec(path):
            raise InputError(ENV, f"{echo(env, PATH_CHARS)} is not a spec folder (it needs {' and '.join(m + '/' for m in _MARKERS)})")
        return path
    for path in candidates():
        if _is_spec(path):
            return path
    raise SpecNotFoundError(
        "qsgd-ref's spec data is missing (looked in " + ", ".join(str(p) for p in candidates())
        + f"); reinstall the package or set {ENV}"
    )


def spec_file(*parts: str) -> Path:
    """A file inside the spec folder; SpecNotFoundError naming it when it is not there."""
    path = spec_dir().joinpath(*parts)
    if not path.is_file():
        raise SpecNotFoundError(f"qsgd-ref's spec file {'/'.join(parts)} is missing from {spec_dir()}")
    return path


def schema_path(name: str) -> Path:
    """spec/schemas/<name>."""
    return spec_file("schemas", name)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema spec/schemas/<name> (read once per process)."""
    path = schema_path(name)
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecNotFoundError(f"qsgd-ref's spec file schemas/{name} is unreadable ({exc}); reinstall the package") from None
    return doc
