"""Judge an implementation's results against the vector corpus (clauses ORC-3, ORC-4).

Every provided field is compared entry by entry: it passes when |got − expected| ≤ abs + rel · S
for every entry, S being the largest |expected| of that field (ORC-3). Failures name the tcId, the
first differing entry and, where one is recognised, the likely cause.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import json_loads_exact
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


def _schema(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = load_schema(name)
    return doc


def _validate(doc: Any, schema_file: str, what: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema(schema_file))
    err = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if err is not None:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
        raise InputError(f"{what}{where}", err.message[:200])


def load_vectors(directory: str | Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file name, file document, test) for every test of every *.json vector file, schema-checked."""
    d = Path(directory)
    files = sorted(d.glob("*.json")) if d.is_dir() else []
    if not files:
        raise InputError("vectors", f"no vector files (*.json) in {str(d)!r}")
    out = []
    for path in files:
        doc = json.loads(path.read_text())
        kind = doc.get("schema") if isinstance(doc, dict) else None
        if kind not in KINDS:
            raise InputError(f"{path.name}.schema", f"unknown vector schema {kind!r}")
        _validate(doc, KINDS[kind][0], path.name)
        for group in doc["testGroups"]:
            for test in group["tests"]:
                out.append((path.name, doc, test))
    return out


def load_results(path: str | Path) -> dict[int, dict[str, Any]]:
    """tcId -> provided fields, from a qsgd-ref.results.v1 file (numbers kept exact)."""
    p = Path(path)
    try:
        doc = json_loads_exact(p.read_text())
    except OSError as exc:
        raise InputError("results", f"cannot read {str(p)!r}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError("results", f"{p.name} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return results_from_doc(doc)


def results_from_doc(doc: Any) -> dict[int, dict[str, Any]]:
    _validate(_plain(doc), "results.v1.json", "results")
    out: dict[int, dict[str, Any]] = {}
    for i, r in enumerate(doc["results"]):
        tc = int(r["tcId"])
        if tc in out:
            raise InputError(f"results[{i}].tcId", f"tcId {tc} appears twice")
        out[tc] = {k: v for k, v in r.items() if k != "tcId"}
    return out


def _plain(x: Any) -> Any:
    """Decimals as floats, for schema validation only."""
    if isinstance(x, Decimal):
        return float(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


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
