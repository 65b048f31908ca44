"""Run a Python implementation over the oracle corpus and judge it (clause ORC-5).

An implementation is a callable ``impl(problem, request) -> dict`` returning any of the fields the
test checks (``request.fields``; see docs/oracle.md, "From Python"). ``problem`` is the test's
:class:`qsgd_ref.problem.Problem` (None for correction-table and loss-map tests, whose inputs are in
the request); ``request`` carries everything else a test states: the idle steps, the HHL clock and
register, the rows and steps the test stores, the table request, the loss. Fields it does not
return (or returns as None or an empty object) are reported as not provided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base.specdata import spec_dir
from qsgd_ref.oracle.verifier import KINDS, Loaded, Report, judge, load_vectors, results_from_doc
from qsgd_ref.problem import Problem, parse_problem


@dataclass(frozen=True)
class Request:
    """What one test asks for.

    ``fields``: the fields this test checks (those its expected values hold); ``idle``: p of SYS-1;
    ``tc_id``; ``kind``: the vector file's kind (``carleman_trajectory`` …); ``clock`` and ``system``:
    the HHL clock {bits, time, c0} and register {size, dilated, qubits} (HHL tests); ``times``: the
    rows the test stores (give all T + 1 anyway); ``steps``: the steps whose M_N(t), c(t) it stores;
    ``table``: {degree, order, continuous, dropped} (correction tables); ``loss``: {n, terms, text,
    theta_star, eta, degree} (loss maps)."""

    fields: tuple[str, ...]
    idle: int
    tc_id: int
    kind: str = ""
    clock: dict[str, Any] | None = None
    system: dict[str, Any] | None = None
    times: tuple[int, ...] | None = None
    steps: tuple[int, ...] | None = None
    table: dict[str, Any] | None = None
    loss: dict[str, Any] | None = None


Implementation = Callable[[Problem | None, Request], dict[str, Any]]


def default_vectors() -> Path:
    """The committed corpus, spec/vectors/."""
    return spec_dir() / "vectors"


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
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
    if isinstance(x, complex | np.complexfloating):
        return [float(x.real), float(x.imag)]
    return str(x)  # mpf, Fraction, Decimal: their text


def request_of(kind: str, test: dict[str, Any]) -> Request:
    """The request of one test (what :func:`collect` hands the implementation)."""
    fields = tuple(f for f in KINDS[kind][1] if f in test["expected"])
    exp = test["expected"]
    steps = exp.get("matrix_steps", {}).get("steps")
    return Request(
        fields=fields,
        idle=int(test.get("idle", 0)),
        tc_id=int(test["tcId"]),
        kind=kind.split(".")[2],
        clock=test.get("clock"),
        system=test.get("system"),
        times=tuple(exp["times"]) if "times" in exp else None,
        steps=tuple(int(s["t"]) for s in steps) if steps else None,
        table=test.get("table_request"),
        loss=test.get("loss"),
    )


def collect_loaded(impl: Implementation, vectors: Loaded) -> dict[str, Any]:
    """The results document of ``impl`` over already loaded tests (:func:`~qsgd_ref.oracle.verifier.load_vectors`,
    or a part of them)."""
    out = []
    for _, doc, test in vectors:
        request = request_of(doc["schema"], test)
        problem = parse_problem(test["problem"]) if "problem" in test else None
        got = impl(problem, request) or {}
        entry: dict[str, Any] = {"tcId": test["tcId"]}
        entry.update({k: _jsonable(v) for k, v in got.items() if k in KINDS[doc["schema"]][1] and v is not None})
        out.append(entry)
    return {"schema": "qsgd-ref.results.v1", "results": out}


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
    return collect_loaded(impl, load_vectors(vectors_dir or default_vectors()))


def check(impl: Implementation, vectors_dir: str | Path | None = None, *, allow_partial: bool = False) -> Report:
    """Run ``impl`` over the corpus and judge it (``str(report)`` is the text ``oracle verify`` prints);
    ``allow_partial`` as in :func:`qsgd_ref.oracle.verify`.

    >>> import qsgd_ref
    >>> from qsgd_ref.oracle.mutants import Float64Engine
    >>> def one_based(problem, request):                 # the loss maps with 1-based row indices
    ...     if "map" not in request.fields:
    ...         return {}
    ...     return {"map": {ell: [[r + 1, c, v] for r, c, v in entries]
    ...                     for ell, entries in Float64Engine.loss_map(request.loss).items()}}
    >>> report = qsgd_ref.oracle.check(one_based, allow_partial=True)
    >>> report.failed, report.checked, next(v.field for v in report.verdicts if not v.passed)
    (True, 5, 'map')
    """
    vectors = load_vectors(vectors_dir or default_vectors())
    return judge(vectors, results_from_doc(collect_loaded(impl, vectors)), allow_partial=allow_partial)
