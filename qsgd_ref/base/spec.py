"""The importable specification: a registry of the clauses in spec/clauses/*.md.

``clauses()`` maps each clause ID to a :class:`Clause` (its statement, kind, status and, where it
has one, the dotted path of its SymPy or numeric encoding, resolved by ``Clause.encoding()``).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from qsgd_ref.base.specdata import SpecNotFoundError, spec_dir

_HEADING = re.compile(r"^## ([A-Z]+-\d+) · (.+)$")
_META = re.compile(r"^(kind|status|encoding): (.+)$")
KINDS = {"definition", "proposition", "bound", "convention", "format"}
STATUSES = ("definition", "proven", "certified", "conjecture", "to be proven")


@dataclass(frozen=True)
class Clause:
    """One normative clause; ``status`` is e.g. 'proven docs/theory/lift.md' or 'conjecture'."""

    id: str
    title: str
    kind: str
    status: str
    statement: str
    file: str
    encoding_path: str | None = None

    @property
    def status_word(self) -> str:
        """The status without its argument: definition, proven, certified, conjecture, to be proven."""
        for word in STATUSES:
            if self.status.startswith(word):
                return word
        return self.status

    @property
    def status_target(self) -> str | None:
        """The proof document (proven) or the proofs_numeric module (certified)."""
        rest = self.status[len(self.status_word):].strip()
        return rest or None

    def encoding(self) -> Any:
        """Import and return the clause's encoding object (None if it has none)."""
        if self.encoding_path is None:
            return None
        module, _, attr = self.encoding_path.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split(".") if attr else []:
            obj = getattr(obj, part)
        return obj


@cache
def clauses() -> dict[str, Clause]:
    """All clauses, in file order, keyed by ID (SpecNotFoundError when the spec is missing).

    >>> import qsgd_ref
    >>> "LIFT-1" in qsgd_ref.clauses()
    True
    """
    out: dict[str, Clause] = {}
    files = sorted((spec_dir() / "clauses").glob("*.md"))
    if not files:
        raise SpecNotFoundError(f"no clause files in {spec_dir() / 'clauses'}")
    for path in files:
        for clause in _parse(path.read_text(), path.name):
            if clause.id in out:
                raise ValueError(f"clause {clause.id} defined twice ({out[clause.id].file}, {path.name})")
            out[clause.id] = clause
    if not out:
        raise SpecNotFoundError(f"no clauses (no '## ID · title' headings) in {spec_dir() / 'clauses'}/*.md")
    return out


def clause(clause_id: str) -> Clause:
    """The clause with this ID (KeyError naming it if unknown).

    >>> import qsgd_ref
    >>> c = qsgd_ref.clause("LIFT-2")
    >>> c.title, c.kind
    ('Truncation at order N and the constant term', 'definition')
    """
    try:
        return clauses()[clause_id]
    except KeyError:
        raise KeyError(f"unknown spec clause {clause_id!r}") from None


def _parse(text: str, filename: str) -> list[Clause]:
    out: list[Clause] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _HEADING.match(lines[i])
        if not m:
            i += 1
            continue
        meta: dict[str, str] = {}
        i += 1
        while i < len(lines) and (mm := _META.match(lines[i])):
            meta[mm.group(1)] = mm.group(2).strip()
            i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith("## "):
            body.append(lines[i])
            i += 1
        cid = m.group(1)
        if meta.get("kind") not in KINDS:
            raise ValueError(f"{filename}: clause {cid} has kind {meta.get('kind')!r}, not one of {sorted(KINDS)}")
        if "status" not in meta:
            raise ValueError(f"{filename}: clause {cid} has no status")
        out.append(
            Clause(cid, m.group(2).strip(), meta["kind"], meta["status"], "\n".join(body).strip(),
                   filename, meta.get("encoding"))
        )
    return out
