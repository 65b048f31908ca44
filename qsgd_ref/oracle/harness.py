"""Run a Python implementation over the oracle corpus and judge it (clause ORC-5).

An implementation is a callable ``impl(problem, request) -> dict`` returning any of the fields
"exact", "carleman", "eq6", "matrix" (see docs/oracle.md); ``request.fields`` says which fields
the test checks and ``request.idle`` the number of idle steps for "eq6". Fields it does not
return are reported as not provided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base.specdata import spec_dir
from qsgd_ref.oracle.verifier import KINDS, Report, judge, load_vectors, results_from_doc
from qsgd_ref.problem import Problem, parse_problem


@dataclass(frozen=True)
class Request:
    """What one test asks for: the fields it checks, its idle steps p (Eq. 6) and its tcId."""

    fields: tuple[str, ...]
    idle: int
    tc_id: int


Implementation = Callable[[Problem, Request], dict[str, Any]]


def default_vectors() -> Path:
    """The committed corpus, spec/vectors/."""
    return spec_dir() / "vectors"


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, bool | str | int | float) or x is None:
        return x
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    return str(x)  # mpf, Fraction, Decimal: their text


def collect(impl: Implementation, vectors_dir: str | Path | None = None) -> dict[str, Any]:
    """The qsgd-ref.results.v1 document of ``impl`` over every test of the corpus (ORC-5).

    >>> import qsgd_ref
    >>> def only_u0(problem, request):               # provides u(0) only: fails every trajectory test
    ...     return {"exact": [[str(x) for x in problem.u0]]} if "exact" in request.fields else {}
    >>> doc = qsgd_ref.oracle.collect(only_u0)
    >>> rows = {r["tcId"]: r for r in doc["results"]}
    >>> doc["schema"], sorted(rows[1]), qsgd_ref.oracle.verify(doc, qsgd_ref.oracle.default_vectors()).failed
    ('qsgd-ref.results.v1', ['exact', 'tcId'], True)
    """
    out = []
    for _, doc, test in load_vectors(vectors_dir or default_vectors()):
        fields = KINDS[doc["schema"]][1]
        request = Request(fields, int(test.get("idle", 0)), int(test["tcId"]))
        got = impl(parse_problem(test["problem"]), request) or {}
        entry: dict[str, Any] = {"tcId": test["tcId"]}
        entry.update({k: _jsonable(v) for k, v in got.items() if k in fields})
        out.append(entry)
    return {"schema": "qsgd-ref.results.v1", "results": out}


def check(impl: Implementation, vectors_dir: str | Path | None = None) -> Report:
    """Run ``impl`` over the corpus and judge it (``str(report)`` is the text ``oracle verify`` prints).

    >>> import qsgd_ref
    >>> from qsgd_ref.oracle.mutants import MUTANTS            # implementations with a known mistake
    >>> report = qsgd_ref.oracle.check(MUTANTS["column-major"])
    >>> report.failed, any("column-major" in v.message for v in report.verdicts if not v.passed)
    (True, True)
    """
    vectors = load_vectors(vectors_dir or default_vectors())
    return judge(vectors, results_from_doc(collect(impl, vectors_dir)))
