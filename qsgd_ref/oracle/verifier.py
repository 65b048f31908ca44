"""Judge an implementation's results against the vector corpus (clauses ORC-3, ORC-4).

A test asks for *checks*: each field its expected values hold, and each part of a multi-part field
separately (every applicable bound series, the HHL state and its probability). A check is provided
when the results give it a value that is not an empty object; it then passes or fails by the rules
of :mod:`qsgd_ref.oracle.judges`. The run fails when a provided check fails, when nothing at all was
checked, or — unless ``allow_partial`` — when some check was not provided; the report says which.
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
from qsgd_ref.oracle.judges import Context, Verdict, judge_check, judge_not_applicable

#: vector file kinds, in corpus order
FILE_KINDS = ("carleman_trajectory", "carleman_matrix", "eq6_solution", "hhl_state", "correction_table", "loss_map")
#: the vector schemas' version suffix
VECTOR_SCHEMA_VERSION = "v2"
#: kind -> the fields its tests may check, in report order
FIELDS: dict[str, tuple[str, ...]] = {
    "carleman_trajectory": ("exact", "carleman", "scheme_difference", "regime", "regime_numbers", "bounds"),
    "carleman_matrix": ("matrix", "matrix_steps", "monomial"),
    "eq6_solution": ("eq6", "kappa", "cond_bounds"),
    "hhl_state": ("hhl",),
    "correction_table": ("table",),
    "loss_map": ("map",),
}
#: vector schema name -> (schema file, fields its tests may check)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    f"qsgd-ref.vectors.{kind}.{VECTOR_SCHEMA_VERSION}": (f"{kind}.{VECTOR_SCHEMA_VERSION}.json", FIELDS[kind])
    for kind in FILE_KINDS
}
#: fields whose parts are separate checks: group -> the parts of a test (from its expected values)
GROUPS = ("bounds", "cond_bounds", "hhl")


def checks_of(test: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    """The checks a test asks for: each field of its expected values, each bound series and each
    part of the HHL output separately."""
    exp = test["expected"]
    out: list[str] = []
    for name in fields:
        if name not in exp:
            continue
        if name == "hhl":
            out += ["hhl.state", "hhl.success_probability"]
        elif name in GROUPS:
            out += [f"{name}.{part}" for part in exp[name]]
        else:
            out.append(name)
    return out


@dataclass(frozen=True)
class Report(Result):
    """All verdicts, per-flag and per-check counts and warnings of one verification run (ORC-4);
    ``str(report)`` is the text the CLI prints (failures with their hints, then the summary).

    ``failed`` is True when a provided check failed, when nothing was checked, or (unless the run
    allowed partial results) when some check was not provided."""

    verdicts: tuple[Verdict, ...]
    per_flag: dict[str, dict[str, int]]
    totals: dict[str, int]
    warnings: tuple[str, ...]
    cases: dict[int, tuple[str, str]]  # tcId -> (vector file, comment)
    allow_partial: bool = False

    @property
    def checks_failed(self) -> int:
        return sum(not v.passed for v in self.verdicts)

    @property
    def checked(self) -> int:
        """Checks judged (passed or failed)."""
        return len(self.verdicts)

    @property
    def not_provided(self) -> dict[str, int]:
        """check -> number of tests that asked for it and got nothing."""
        return {k[: -len(": not provided")]: v for k, v in sorted(self.totals.items())
                if k.endswith(": not provided") and not k.startswith("tests") and v}

    @property
    def failed(self) -> bool:
        """Some provided check failed, nothing was checked, or (without allow_partial) a check was not provided."""
        return bool(self.checks_failed or self.checked == 0 or (self.not_provided and not self.allow_partial))

    def summary(self) -> list[str]:
        lines = []
        for v in self.verdicts:
            if not v.passed:
                fname, comment = self.cases.get(v.tc_id, ("?", "?"))
                lines.append(f"FAIL tcId {v.tc_id} ({fname}: {comment}) {v.field}:\n    {v.message}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        lines.append("summary per flag (tests passed / failed / partial / not provided):")
        for flag in sorted(self.per_flag):
            c = self.per_flag[flag]
            lines.append(f"  {flag:22s} {c.get('passed', 0):4d} passed {c.get('failed', 0):4d} failed "
                         f"{c.get('partial', 0):4d} partial {c.get('not provided', 0):4d} not provided")
        lines.append("checks per field (passed / failed / not provided):")
        names = sorted({k.rsplit(": ", 1)[0] for k in self.totals if not k.startswith("tests")})
        for name in names:
            t = self.totals
            lines.append(f"  {name:22s} {t.get(name + ': passed', 0):4d} passed {t.get(name + ': failed', 0):4d} failed "
                         f"{t.get(name + ': not provided', 0):4d} not provided")
        t = self.totals
        lines.append(f"tests: {t.get('tests passed', 0)} passed, {t.get('tests failed', 0)} failed, "
                     f"{t.get('tests partial', 0)} partial, {t.get('tests not provided', 0)} not provided")
        asked = self.checked + sum(self.not_provided.values())
        missing = self.not_provided
        lines.append(f"checked: {self.checked} of {asked} checks"
                     + (f"; not checked: {_listing(missing)}" if missing else ""))
        lines.append(self.verdict_line())
        return lines

    def verdict_line(self) -> str:
        if self.checked == 0:
            return ("RESULT: FAIL — nothing was checked: the results provide no check of any test "
                    "(an empty results file, or empty objects and {} for every test)")
        if self.checks_failed:
            return f"RESULT: FAIL — {self.checks_failed} of {self.checked} checks failed"
        if self.not_provided and not self.allow_partial:
            return (f"RESULT: FAIL — {sum(self.not_provided.values())} checks not provided ({_listing(self.not_provided)}); "
                    "provide them, or pass --allow-partial to judge only what is given")
        if self.not_provided:
            return f"RESULT: PASS (partial: {self.checked} checks judged, {sum(self.not_provided.values())} not provided)"
        return "RESULT: PASS"


def _listing(counts: dict[str, int], most: int = 8) -> str:
    items = [f"{name} in {n} test{'s' if n != 1 else ''}" for name, n in counts.items()]
    return ", ".join(items[:most]) + (f", … ({len(items) - most} more)" if len(items) > most else "")


# ---------------------------------------------------------------- loading


def _validate(doc: Any, schema: dict[str, Any], what: str) -> None:
    import jsonschema

    err = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    if err is not None:
        raise schema_error(err, what)


Loaded = list[tuple[str, dict[str, Any], dict[str, Any]]]


def load_vectors(directory: str | Path) -> Loaded:
    """(file name, file document, test) for every test of every *.json vector file, schema-checked
    (each file read through the input layer, :mod:`qsgd_ref.base.inputs`); a tcId used twice in the
    corpus is refused."""
    d = Path(directory)
    files = sorted(d.glob("*.json")) if d.is_dir() else []
    if not files:
        raise InputError("vectors", f"no vector files (*.json) in {echo(str(d), PATH_CHARS)}")
    out = []
    seen: dict[int, str] = {}
    for path in files:
        doc = load_json(path, path.name, root=path.name)
        kind = doc.get("schema") if isinstance(doc, dict) else None
        if kind not in KINDS:
            old = isinstance(kind, str) and kind.startswith("qsgd-ref.vectors.") and not kind.endswith(VECTOR_SCHEMA_VERSION)
            raise InputError(f"{path.name}.schema", f"unknown vector schema {echo(kind)}"
                             + ("; this verifier reads corpus version 2 (schemas *.v2): regenerate the vectors "
                                "with `qsgd-ref oracle generate`" if old else ""))
        _validate(doc, load_schema(KINDS[kind][0]), path.name)
        for group in doc["testGroups"]:
            for test in group["tests"]:
                tc = int(test["tcId"])
                if tc in seen:
                    raise InputError(f"{path.name}.tcId", f"tcId {tc} is used twice in the corpus (also in {seen[tc]})")
                seen[tc] = path.name
                out.append((path.name, doc, test))
    return out


def load_results(path: str | Path) -> dict[int, dict[str, Any]]:
    """tcId -> provided fields, from a qsgd-ref.results.v1 file (numbers kept exact; read through the
    input layer: size, UTF-8, depth, duplicate keys)."""
    return results_from_doc(load_json(path, "results", root="results"))


_ROWS = {"type": "array", "items": {"type": "array"}}


@cache
def _results_structure() -> dict[str, Any]:
    """results.v1.json with the per-entry parts relaxed to "an array": the entries are checked by
    :func:`results_from_doc`'s single pass (a schema descent into every number costs minutes on a
    large file)."""
    schema = copy.deepcopy(load_schema("results.v1.json"))
    defs = schema["$defs"]
    defs["rows"] = _ROWS
    defs["lifted"]["properties"].update({part: _ROWS for part in ("M", "c")})
    defs["series"]["additionalProperties"] = {"type": "array"}
    schema["properties"]["results"]["items"]["properties"]["map"]["additionalProperties"] = _ROWS
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
    """Each entry of the rows, matrix triplets, map triplets and bound series is a number or a string
    (what the full schema requires of an entry), checked in one pass."""
    rows = [(f"{where}.{name}[{t}]", row) for name in ("exact", "carleman", "eq6", "scheme_difference")
            for t, row in enumerate(r.get(name, []))]
    rows += [(f"{where}.{name}.{part}[{k}]", e) for name in ("matrix", "monomial") for part in ("M", "c")
             for k, e in enumerate(r.get(name, {}).get(part, []))]
    rows += [(json_path([name], f"{where}.bounds"), series) for name, series in r.get("bounds", {}).items()]
    rows += [(f"{where}.map.{ell}[{k}]", e) for ell, entries in r.get("map", {}).items() for k, e in enumerate(entries)]
    for at, row in rows:
        for k, x in enumerate(row):
            if isinstance(x, bool) or not isinstance(x, int | float | Decimal | str):
                raise InputError(f"{at}[{k}]", f"must be a number or a string, got {describe(x)}")


# ---------------------------------------------------------------- judging


def _lookup(provided: dict[str, Any], check: str) -> tuple[bool, Any]:
    """(provided?, value) of a check: absent, null and empty objects are not provided."""
    if "." in check:
        group, part = check.split(".", 1)
        obj = provided.get(group)
        if obj is None or obj == {}:
            return False, None
        if not isinstance(obj, dict):
            return True, _NotAnObject(group)
        if part not in obj or obj[part] is None or obj[part] == {}:
            return False, None
        return True, obj[part]
    value = provided.get(check)
    return (value is not None and value != {}), value


@dataclass(frozen=True)
class _NotAnObject:
    group: str


def judge(vectors: Loaded, results: dict[int, dict[str, Any]], *, allow_partial: bool = False) -> Report:
    """Judge every provided check of every test; count per flag and per check (ORC-4)."""
    verdicts: list[Verdict] = []
    per_flag: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    warnings: list[str] = []
    known = set()
    for fname, doc, test in vectors:
        tc = test["tcId"]
        known.add(tc)
        fields = KINDS[doc["schema"]][1]
        ctx = Context(test, doc.get("hints", {}))
        provided = results.get(tc, {})
        counts: Counter[str] = Counter()
        for check in checks_of(test, fields):
            given, value = _lookup(provided, check)
            if not given:
                totals[f"{check}: not provided"] += 1
                counts["not provided"] += 1
                continue
            if isinstance(value, _NotAnObject):
                v = ctx.fail(check, f"{value.group} must be an object")
            else:
                v = judge_check(ctx, check, value)
            verdicts.append(v)
            outcome = "passed" if v.passed else "failed"
            totals[f"{check}: {outcome}"] += 1
            counts[outcome] += 1
        for group in GROUPS:
            parts = provided.get(group)
            if isinstance(parts, dict) and group in fields and group != "hhl":
                for part in sorted(set(parts) - set(test["expected"].get(group, {}))):
                    v = judge_not_applicable(ctx, group, part)
                    verdicts.append(v)
                    totals[f"{group}.{part}: failed"] += 1
                    counts["failed"] += 1
        for extra in sorted(set(provided) - set(fields)):
            warnings.append(f"tcId {tc} ({fname}) does not test field {extra!r}; ignored")
        for extra in sorted((set(provided) & set(fields)) - set(test["expected"])):
            if provided[extra] not in (None, {}):
                warnings.append(f"tcId {tc} ({fname}) does not test field {extra!r}; ignored")
        if counts["failed"]:
            status = "failed"
        elif counts["passed"] and counts["not provided"]:
            status = "partial"
        elif counts["passed"]:
            status = "passed"
        else:
            status = "not provided"
        for flag in test["flags"]:
            per_flag.setdefault(flag, Counter())[status] += 1
        totals[f"tests {status}"] += 1
    for tc in sorted(set(results) - known):
        verdicts.append(Verdict(tc, "tcId", False, f"tcId {tc} is not in the corpus"))
    cases = {t["tcId"]: (f, t["comment"]) for f, _, t in vectors}
    return Report(tuple(verdicts), {k: dict(c) for k, c in per_flag.items()}, dict(totals), tuple(warnings), cases,
                  allow_partial)


def verify(results: str | Path | dict[str, Any], vectors: str | Path, *, allow_partial: bool = False) -> Report:
    """Judge a results document (a qsgd-ref.results.v1 file or its decoded dict) against the vector
    files in the folder ``vectors`` (ORC-4). Without ``allow_partial`` every check of every test must be
    provided; with it, only what is provided is judged (but something must be).

    >>> import qsgd_ref
    >>> from qsgd_ref.oracle.mutants import Float64Engine   # a float64 implementation written apart
    >>> def tables_only(problem, request):                 # answers the correction-table tests only
    ...     return {"table": Float64Engine.table(request.table)} if "table" in request.fields else {}
    >>> results = qsgd_ref.oracle.collect(tables_only)
    >>> vectors = qsgd_ref.oracle.default_vectors()
    >>> qsgd_ref.oracle.verify(results, vectors).failed    # every other check is not provided
    True
    >>> str(qsgd_ref.oracle.verify(results, vectors, allow_partial=True)).splitlines()[-1]
    'RESULT: PASS (partial: 8 checks judged, 179 not provided)'
    >>> empty = {"schema": "qsgd-ref.results.v1", "results": []}
    >>> str(qsgd_ref.oracle.verify(empty, vectors, allow_partial=True)).splitlines()[-1][:35]
    'RESULT: FAIL — nothing was checked:'
    """
    loaded = load_vectors(vectors)
    by_tc = results_from_doc(results) if isinstance(results, dict) else load_results(results)
    return judge(loaded, by_tc, allow_partial=allow_partial)
