"""Judge an implementation's results against the vector corpus (clauses ORC-3, ORC-4).

Every provided field is compared entry by entry: it passes when |got − expected| ≤ abs + rel · S
for every entry, S being the largest |expected| of that field (ORC-3). Failures name the tcId, the
first differing entry and, where one is recognised, the likely cause.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import json_loads_exact
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


@dataclass
class Report:
    """All verdicts, per-flag counts and warnings of one verification run (ORC-4)."""

    verdicts: list[Verdict] = field(default_factory=list)
    per_flag: dict[str, Counter[str]] = field(default_factory=dict)
    totals: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(not v.passed for v in self.verdicts)


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
        raise InputError("--vectors", f"no vector files (*.json) in {str(d)!r}")
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
        raise InputError("--results", f"cannot read {str(p)!r}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError("--results", f"{p.name} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
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


def verify(vectors: list[tuple[str, dict[str, Any], dict[str, Any]]], results: dict[int, dict[str, Any]]) -> Report:
    """Judge every provided field of every test; count per flag (ORC-4)."""
    rep = Report()
    known = set()
    for fname, doc, test in vectors:
        tc = test["tcId"]
        known.add(tc)
        fields = KINDS[doc["schema"]][1]
        provided = results.get(tc, {})
        status = "not provided"
        for name in fields:
            if name not in provided:
                rep.totals[f"{name}: not provided"] += 1
                continue
            v = judge_field(test, name, provided[name])
            rep.verdicts.append(v)
            rep.totals[f"{name}: {'passed' if v.passed else 'failed'}"] += 1
            if not v.passed:
                status = "failed"
            elif status == "not provided":
                status = "passed"
        for extra in sorted(set(provided) - set(fields)):
            rep.warnings.append(f"tcId {tc} ({fname}) does not test field {extra!r}; ignored")
        for flag in test["flags"]:
            rep.per_flag.setdefault(flag, Counter())[status] += 1
        rep.totals[f"tests {status}"] += 1
    for tc in sorted(set(results) - known):
        rep.verdicts.append(Verdict(tc, "tcId", False, f"tcId {tc} is not in the corpus"))
    return rep


def format_report(rep: Report, vectors: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
    """Failures (tcId, file, comment, first differing entry, hint), then the summary."""
    where = {t["tcId"]: (f, t["comment"]) for f, _, t in vectors}
    lines = []
    for v in rep.verdicts:
        if not v.passed:
            f, c = where.get(v.tc_id, ("?", "?"))
            lines.append(f"FAIL tcId {v.tc_id} ({f}: {c}) {v.field}:\n    {v.message}")
    lines.extend(f"warning: {w}" for w in rep.warnings)
    lines.append("summary per flag (tests passed / failed / not provided):")
    for flag in sorted(rep.per_flag):
        c = rep.per_flag[flag]
        lines.append(
            f"  {flag:22s} {c['passed']:4d} passed {c['failed']:4d} failed {c['not provided']:4d} not provided"
        )
    lines.append("fields: " + ", ".join(f"{k} {v}" for k, v in sorted(rep.totals.items()) if not k.startswith("tests")))
    t = rep.totals
    lines.append(
        f"tests: {t['tests passed']} passed, {t['tests failed']} failed, {t['tests not provided']} not provided"
    )
    lines.append("RESULT: FAIL" if rep.failed else "RESULT: PASS")
    return "\n".join(lines)


def run_verify(vectors_dir: str | Path, results_path: str | Path) -> tuple[bool, str]:
    """Load, judge and format; returns (all provided fields passed, report text)."""
    vectors = load_vectors(vectors_dir)
    rep = verify(vectors, load_results(results_path))
    return not rep.failed, format_report(rep, vectors)
