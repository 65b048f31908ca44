"""Judge an implementation's results against the vector corpus (clauses ORC-3, ORC-4).

Every provided field is compared entry by entry: it passes when |got − expected| ≤ abs + rel · S
for every entry, S being the largest |expected| of that field (ORC-3). Failures name the tcId, the
first differing entry and, where one is recognised, the likely cause.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import PATH_CHARS, describe, echo, json_path, load_json, schema_error
from qsgd_ref.base.results import Result
from qsgd_ref.base.specdata import load_schema
from qsgd_ref.oracle.judges import Verdict, judge_field

#: vector schema -> (schema file, fields its tests check)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "qsgd-ref.vectors.carleman_trajectory.v1": (
        "carleman_trajectory.v1.json",
        ("exact", "carleman", "regime", "bounds"),
    ),
    "qsgd-ref.vectors.carleman_matrix.v1": ("carleman_matrix.v1.json", ("matrix",)),
    "qsgd-ref.vectors.eq6_solution.v1": ("eq6_solution.v1.json", ("eq6",)),
    "qsgd-ref.vectors.hhl_state.v1": ("hhl_state.v1.json", ("hhl",)),
}


@dataclass(frozen=True)
class Report(Result):
    """All verdicts, per-flag counts and warnings of one verification run (ORC-4); ``str(report)`` is
    the text the CLI prints (failures with their hints, then the summary)."""

    verdicts: tuple[Verdict, ...]
    per_flag: dict[str, dict[str, int]]
    totals: dict[str, int]
    warnings: tuple[str, ...]
    cases: dict[int, tuple[str, str]]  # tcId -> (vector file, comment)

    @property
    def failed(self) -> bool:
        """Some provided field failed (or a result names an unknown tcId)."""
        return any(not v.passed for v in self.verdicts)

    def summary(self) -> list[str]:
        lines = []
        for v in self.verdicts:
            if not v.passed:
                fname, comment = self.cases.get(v.tc_id, ("?", "?"))
                lines.append(f"FAIL tcId {v.tc_id} ({fname}: {comment}) {v.field}:\n    {v.message}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        lines.append("summary per flag (tests passed / failed / not provided):")
        for flag in sorted(self.per_flag):
            c = self.per_flag[flag]
            lines.append(f"  {flag:22s} {c.get('passed', 0):4d} passed {c.get('failed', 0):4d} failed "
                         f"{c.get('not provided', 0):4d} not provided")
        lines.append("fields: " + ", ".join(f"{k} {v}" for k, v in sorted(self.totals.items())
                                            if not k.startswith("tests")))
        t = self.totals
        lines.append(f"tests: {t.get('tests passed', 0)} passed, {t.get('tests failed', 0)} failed, "
                     f"{t.get('tests not provided', 0)} not provided")
        lines.append("RESULT: FAIL" if self.failed else "RESULT: PASS")
        return lines


# ---------------------------------------------------------------- loading


def _validate(doc: Any, schema: dict[str, Any], what: str) -> None:
    import jsonschema

    err = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    if err is not None:
        raise schema_error(err, what)


def load_vectors(directory: str | Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file name, file document, test) for every test of every *.json vector file, schema-checked
    (each file read through the input layer, :mod:`qsgd_ref.base.inputs`)."""
    d = Path(directory)
    files = sorted(d.glob("*.json")) if d.is_dir() else []
    if not files:
        raise InputError("vectors", f"no vector files (*.json) in {echo(str(d), PATH_CHARS)}")
    out = []
    for path in files:
        doc = load_json(path, path.name, root=path.name)
        kind = doc.get("schema") if isinstance(doc, dict) else None
        if kind not in KINDS:
            raise InputError(f"{path.name}.schema", f"unknown vector schema {echo(kind)}")
        _validate(doc, load_schema(KINDS[kind][0]), path.name)
        for group in doc["testGroups"]:
            for test in group["tests"]:
                out.append((path.name, doc, test))
    return out


def load_results(path: str | Path) -> dict[int, dict[str, Any]]:
    """tcId -> provided fields, from a qsgd-ref.results.v1 file (numbers kept exact; read through the
    input layer: size, UTF-8, depth, duplicate keys)."""
    return results_from_doc(load_json(path, "results", root="results"))


@cache
def _results_structure() -> dict[str, Any]:
    """results.v1.json with the per-entry parts relaxed to "an array": the entries are checked by
    :func:`results_from_doc`'s single pass (a schema descent into every number costs minutes on a
    large file)."""
    schema = copy.deepcopy(load_schema("results.v1.json"))
    fields = schema["properties"]["results"]["items"]["properties"]
    for name in ("exact", "carleman", "eq6"):
        fields[name] = {"type": "array", "items": {"type": "array"}}
    fields["matrix"]["properties"] = {part: {"type": "array", "items": {"type": "array"}} for part in ("M", "c")}
    fields["bounds"]["additionalProperties"] = {"type": "array"}
    return schema


def results_from_doc(doc: Any) -> dict[int, dict[str, Any]]:
    """tcId -> provided fields of a decoded results document (structure by schema, entries in one
    pass: each a number or a string; a tcId given twice is refused naming both)."""
    _validate(doc, _results_structure(), "results")
    out: dict[int, dict[str, Any]] = {}
    first: dict[int, int] = {}
    for i, r in enumerate(doc["results"]):
        tc = int(r["tcId"])
        if tc in out:
            raise InputError(f"results.results[{i}].tcId", f"tcId {tc} is given twice (first in results[{first[tc]}])")
        _check_entries(r, f"results.results[{i}]")
        first[tc] = i
        out[tc] = {k: v for k, v in r.items() if k != "tcId"}
    return out


def _check_entries(r: dict[str, Any], where: str) -> None:
    """Each entry of the rows, matrix triplets and bound series is a number or a string (what the full
    schema requires of an entry), checked in one pass."""
    rows = [(f"{where}.{name}[{t}]", row) for name in ("exact", "carleman", "eq6") for t, row in enumerate(r.get(name, []))]
    rows += [(f"{where}.matrix.{part}[{k}]", e) for part in ("M", "c") for k, e in enumerate(r.get("matrix", {}).get(part, []))]
    rows += [(json_path([name], f"{where}.bounds"), series) for name, series in r.get("bounds", {}).items()]
    for at, row in rows:
        for k, x in enumerate(row):
            if isinstance(x, bool) or not isinstance(x, int | float | Decimal | str):
                raise InputError(f"{at}[{k}]", f"must be a number or a string, got {describe(x)}")


def judge(vectors: list[tuple[str, dict[str, Any], dict[str, Any]]], results: dict[int, dict[str, Any]]) -> Report:
    """Judge every provided field of every test; count per flag (ORC-4)."""
    verdicts: list[Verdict] = []
    per_flag: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    warnings: list[str] = []
    known = set()
    for fname, doc, test in vectors:
        tc = test["tcId"]
        known.add(tc)
        fields = KINDS[doc["schema"]][1]
        provided = results.get(tc, {})
        status = "not provided"
        for name in fields:
            if name not in provided:
                totals[f"{name}: not provided"] += 1
                continue
            v = judge_field(test, name, provided[name])
            verdicts.append(v)
            totals[f"{name}: {'passed' if v.passed else 'failed'}"] += 1
            if not v.passed:
                status = "failed"
            elif status == "not provided":
                status = "passed"
        for extra in sorted(set(provided) - set(fields)):
            warnings.append(f"tcId {tc} ({fname}) does not test field {extra!r}; ignored")
        for flag in test["flags"]:
            per_flag.setdefault(flag, Counter())[status] += 1
        totals[f"tests {status}"] += 1
    for tc in sorted(set(results) - known):
        verdicts.append(Verdict(tc, "tcId", False, f"tcId {tc} is not in the corpus"))
    cases = {t["tcId"]: (f, t["comment"]) for f, _, t in vectors}
    return Report(tuple(verdicts), {k: dict(c) for k, c in per_flag.items()}, dict(totals), tuple(warnings), cases)


def verify(results: str | Path | dict[str, Any], vectors: str | Path) -> Report:
    """Judge a results document (a qsgd-ref.results.v1 file or its decoded dict) against the vector
    files in the folder ``vectors`` (ORC-4).

    >>> import qsgd_ref
    >>> from qsgd_ref.oracle.mutants import Float64Engine   # a float64 implementation written apart
    >>> results = qsgd_ref.oracle.collect(Float64Engine())
    >>> report = qsgd_ref.oracle.verify(results, qsgd_ref.oracle.default_vectors())
    >>> report.failed, str(report).splitlines()[-1]
    (False, 'RESULT: PASS')
    """
    loaded = load_vectors(vectors)
    by_tc = results_from_doc(results) if isinstance(results, dict) else load_results(results)
    return judge(loaded, by_tc)
