"""Problem files (clause FMT-1): reading, validating and parsing into an exact :class:`Problem`."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import NotExact, json_loads_exact, parse_exact
from qsgd_ref.base.specdata import load_schema
from qsgd_ref.problem.model import MAX_DEGREE, SCHEMA, Map, Problem, check_horizon


def make_problem(
    F: Map | dict[int, Any] | None = None,
    u0: Any = None,
    steps: int = 0,
    order: int = 1,
    *,
    F_steps: list[dict[int, Any]] | None = None,
    name: str = "",
    meta: dict[str, Any] | None = None,
) -> Problem:
    """Build a Problem from Python values (exact where given as Fraction/int/str; floats exactly).

    ``F`` maps ℓ to F_ℓ (a list of n numbers for ℓ = 0, n rows of n^ℓ for ℓ ≥ 1); ``F_steps`` gives
    one such map per step instead (MAP-3).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2, name="scalar")
    >>> print(p)
    scalar: n = 1, degree q = 2, time-independent, T = 3, N = 2, lifted dimension D = 2
    """
    doc: dict[str, Any] = {"schema": SCHEMA, "u0": list(np.asarray(u0, dtype=object).ravel())}
    doc["steps"], doc["order"] = steps, order
    if name:
        doc["name"] = name
    if meta:
        doc["meta"] = meta
    if F_steps is not None:
        doc["F_steps"] = [{str(k): np.asarray(v, dtype=object).tolist() for k, v in m.items()} for m in F_steps]
    else:
        doc["F"] = {str(k): np.asarray(v, dtype=object).tolist() for k, v in (F or {}).items()}
    return parse_problem(doc, validate_schema=False)


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file (FMT-1); raises :class:`InputError` naming the field.

    >>> import os, tempfile, qsgd_ref
    >>> path = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> qsgd_ref.make_problem(F={1: [["-1/2"]]}, u0=["1"], steps=2, order=1, name="decay").save(path)
    >>> qsgd_ref.load_problem(path).name
    'decay'
    """
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise InputError("PROBLEM", f"cannot read {str(p)!r}: {exc.strerror}") from None
    try:
        doc = json_loads_exact(text)
    except json.JSONDecodeError as exc:
        raise InputError("PROBLEM", f"{p.name} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_problem(doc)


def parse_problem(doc: Any, *, validate_schema: bool = True) -> Problem:
    """Validate a decoded problem document (schema, then shapes, finiteness, sizes).

    >>> import qsgd_ref
    >>> doc = {"schema": "qsgd-ref.problem.v1", "F": {"1": [["-1/2"]]}, "u0": ["1"], "steps": 2, "order": 1}
    >>> qsgd_ref.parse_problem(doc).map_at(0)[1]
    array([[Fraction(-1, 2)]], dtype=object)
    >>> qsgd_ref.parse_problem({**doc, "steps": -1})
    Traceback (most recent call last):
    ...
    qsgd_ref.base.errors.InputError: steps: -1 is less than the minimum of 0
    """
    if not isinstance(doc, dict):
        raise InputError("(document)", "a problem must be a JSON object")
    if validate_schema:
        _validate(doc)
    for key in ("steps", "order"):
        if key not in doc:
            raise InputError(key, "missing")
        if isinstance(doc[key], bool) or not isinstance(doc[key], int):
            raise InputError(key, f"must be a non-negative integer, got {doc[key]!r}")
    u0 = _vector(doc.get("u0"), "u0", None)
    n = len(u0)
    if "F_steps" in doc:
        raw_maps = doc["F_steps"]
        if not isinstance(raw_maps, list) or len(raw_maps) != doc["steps"]:
            got = len(raw_maps) if isinstance(raw_maps, list) else type(raw_maps).__name__
            raise InputError("F_steps", f"needs one map per step ({doc['steps']}), got {got}")
        maps = tuple(_map(m, f"F_steps[{t}]", n) for t, m in enumerate(raw_maps))
    elif "F" in doc:
        maps = (_map(doc["F"], "F", n),)
    else:
        raise InputError("F", "missing (give F or F_steps)")
    check_horizon(doc["steps"], doc["order"], n, len(maps))
    meta = doc.get("meta", {})
    return Problem(u0, maps, int(doc["steps"]), int(doc["order"]), str(doc.get("name", "")), dict(meta))


def _validate(doc: dict[str, Any]) -> None:
    import jsonschema

    schema = load_schema("problem.v1.json")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.absolute_path), e.message))
    if not errors:
        return
    err = jsonschema.exceptions.best_match(errors)
    path = _json_path(err.absolute_path)
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        raise InputError(missing if not path else f"{path}.{missing}", "missing")
    if err.validator == "additionalProperties" and not path:
        raise InputError("(document)", err.message)
    if err.validator == "oneOf" and not path:
        raise InputError("F", "give exactly one of F and F_steps")
    if err.validator == "const" and path == "schema":
        raise InputError("schema", f"must be {SCHEMA!r}, got {doc.get('schema')!r}")
    if err.validator == "pattern" and "propertyNames" in err.schema_path:
        raise InputError(path, f"key {_short(err.instance)} is not a degree ℓ (a non-negative integer)")
    if err.validator in ("oneOf", "pattern") and not isinstance(err.instance, dict | list):
        raise InputError(path, f"{_short(err.instance)} is not a number, decimal string or p/q rational")
    raise InputError(path or "(document)", err.message)


def _json_path(parts: Any) -> str:
    """A JSON path in the loader's own form: list indices and map keys ℓ as [i], names dotted (F[2][0][1])."""
    out = ""
    for p in parts:
        if isinstance(p, int) or (isinstance(p, str) and p.isdigit() and out):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def _short(x: Any) -> str:
    s = repr(x)
    return s if len(s) <= 40 else s[:37] + "..."


def _number(x: Any, where: str) -> Fraction:
    try:
        return parse_exact(x)
    except NotExact as exc:
        raise InputError(where, exc.reason) from None


def _vector(raw: Any, where: str, n: int | None) -> np.ndarray:
    if not isinstance(raw, list) or not raw or any(isinstance(x, list) for x in raw):
        raise InputError(where, "must be a non-empty list of numbers")
    if n is not None and len(raw) != n:
        raise InputError(where, f"must have n = {n} entries, got {len(raw)}")
    out = np.empty(len(raw), dtype=object)
    out[:] = [_number(x, f"{where}[{i}]") for i, x in enumerate(raw)]
    return out


def _map(raw: Any, where: str, n: int) -> Map:
    if not isinstance(raw, dict):
        raise InputError(where, "must be an object mapping ℓ to F_ℓ")
    out: Map = {}
    for key, val in raw.items():
        if not (isinstance(key, str) and key.isdigit()):
            raise InputError(f"{where}", f"key {key!r} is not a degree ℓ (a non-negative integer)")
        ell = int(key)
        if ell > MAX_DEGREE:
            raise InputError(f"{where}[{key}]", f"degree {ell} exceeds the maximum {MAX_DEGREE}")
        if ell == 0:
            out[0] = _vector(val, f"{where}[0]", n)
            continue
        cols = n**ell
        limits.check_bytes(f"{where}[{key}]", f"F_{ell} ({n} × {cols:,})", n * cols * 8)
        if not isinstance(val, list) or len(val) != n:
            got = len(val) if isinstance(val, list) else type(val).__name__
            raise InputError(f"{where}[{key}]", f"F_{ell} must have n = {n} rows, got {got}")
        mat = np.empty((n, cols), dtype=object)
        for i, row in enumerate(val):
            if not isinstance(row, list) or len(row) != cols:
                got = len(row) if isinstance(row, list) else type(row).__name__
                raise InputError(f"{where}[{key}][{i}]", f"F_{ell} must be n × n^{ell} = {n} × {cols}: row has {got} entries")
            mat[i, :] = [_number(x, f"{where}[{key}][{i}][{c}]") for c, x in enumerate(row)]
        out[ell] = mat
    return out


