"""Numeric certification of spec clauses: one module per clause group with a numeric side.

Each module defines ``CLAUSES`` (the IDs it checks), its grid as ``tasks(quick) -> list[tuple]``, the
pure function of one grid point ``task(*args)`` (plain, picklable values in and out) and
``report(quick, results, figdir) -> Report``, which reads the results in the order of ``tasks``.
``python -m proofs_numeric [--quick] [--scheduler ADDRESS | --workers K]`` runs every module's tasks
through the executor of ``qsgd-ref sweep`` (:mod:`qsgd_ref.report.sweep.run`: one after the other, on
a local Dask cluster or on a scheduler anywhere) and writes docs/proofs_numeric.md with the tables and
the PNG figures (docs/figures/). A Report states per clause whether it is proven (with the proof
document), certified on the grid (every inequality decided with arb balls or exact rationals) or a
conjecture (with the largest ratio seen), and ``held`` says whether the grid's checks held;
the report carries no timings (the file is tracked: the same code gives the same file).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """The outcome of one sweep: Markdown tables/notes, figure file names, status per clause."""

    title: str
    status: dict[str, str]
    tables: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    #: per clause: True if every check on the grid held, False if one failed, None if the clause
    #: has no numeric check of its own (it follows from others)
    held: dict[str, bool | None] = field(default_factory=dict)

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        lines += [f"- **{cid}**: {text}" for cid, text in self.status.items()]
        lines.append("")
        for table in self.tables:
            lines += [table, ""]
        for fig in self.figures:
            lines += [f"![{fig}](figures/{fig})", ""]
        return "\n".join(lines)


def md_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(out)


def run_task(module: str, args: tuple[Any, ...]) -> tuple[float, Any]:
    """``module.task(*args)`` and its wall time in seconds: what the executor runs (on any worker)."""
    start = time.perf_counter()
    value = importlib.import_module(module).task(*args)
    return time.perf_counter() - start, value
