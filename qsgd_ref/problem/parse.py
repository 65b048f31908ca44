"""Problem files (clause FMT-1): reading, validating and parsing into an exact :class:`Problem`."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.inputs import cut, describe, echo, json_path, load_json, schema_error
from qsgd_ref.base.precision import NotExact, parse_exact
from qsgd_ref.base.specdata import load_schema
from qsgd_ref.problem.model import MAX_DEGREE, SCHEMA_V1, SCHEMA_V2, Map, Problem, check_horizon
from qsgd_ref.problem.sparse import MAX_COLUMNS, ExactMatrix


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
    u = _vector(list(np.asarray(u0, dtype=object).ravel()), "u0", None)
    n = len(u)
    base = _python_map(F, "F", n) if F is not None else None
    if F_steps is not None:
        if len(F_steps) != steps:
            raise InputError("F_steps", f"needs one map per step ({echo(steps)}), got {len(F_steps)}")
        if not F_steps and base is None:
            raise InputError("F_steps", NO_MAP)
        maps = tuple({**(base or {}), **_python_map(m, f"F_steps[{t}]", n)} for t, m in enumerate(F_steps)) or (base or {},)
    elif base is not None:
        maps = (base,)
    else:
        raise InputError("F", "missing (give F or F_steps)")
    if isinstance(steps, bool) or not isinstance(steps, int):
        raise InputError("steps", f"must be a non-negative integer, got {echo(steps)}")
    if isinstance(order, bool) or not isinstance(order, int):
        raise InputError("order", f"must be a positive integer, got {echo(order)}")
    check_horizon(steps, order, n, len(maps))
    return Problem(u, maps, steps, order, name, dict(meta or {}))


#: the refusal of a problem with no map at all (FMT-1)
NO_MAP = "is empty and steps = 0, so the problem has no map: give F (the map of every step) or at least one step"


def _python_map(raw: Any, where: str, n: int) -> Map:
    """A map given in Python: ℓ → an ExactMatrix, a sparse {"shape", "entries"} dict, or a dense
    array-like (F_0 a vector of n values)."""
    if not isinstance(raw, dict):
        raise InputError(where, "must be a dict mapping ℓ to F_ℓ")
    out: Map = {}
    for key, val in raw.items():
        try:
            if isinstance(key, bool) or not isinstance(key, int | str):
                raise TypeError
            ell = int(key)
        except (TypeError, ValueError):
            raise InputError(where, f"key {echo(key)} is not a degree ℓ (a non-negative integer)") from None
        if isinstance(val, ExactMatrix):
            want = (n, n**ell) if 0 <= ell <= MAX_DEGREE else None
            if val.shape != want:
                raise InputError(f"{where}[{ell}]", f"F_{ell} must have shape {want}, got {val.shape}")
            if not val.source:
                val.source = f"{where}[{ell}]"
            out[ell] = val
        else:
            plain = val if isinstance(val, dict) else np.asarray(val, dtype=object).tolist()
            out.update(_map({str(ell): plain}, where, n))
    return out


def load_problem(path: str | Path) -> Problem:
    """Read and validate a problem file (FMT-1); raises :class:`InputError` naming the field.

    >>> import os, tempfile, qsgd_ref
    >>> path = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> qsgd_ref.make_problem(F={1: [["-1/2"]]}, u0=["1"], steps=2, order=1, name="decay").save(path)
    >>> qsgd_ref.load_problem(path).name
    'decay'
    """
    return parse_problem(load_document(path))


def load_document(path: str | Path) -> Any:
    """The decoded JSON of a file, numbers kept exact, through the input layer
    (:mod:`qsgd_ref.base.inputs`: size, UTF-8, depth, duplicate keys; InputError naming PROBLEM)."""
    return load_json(path, "PROBLEM")


def parse_problem(doc: Any, *, validate_schema: bool = True) -> Problem:
    """Validate a decoded problem document (schema, then shapes, finiteness, sizes).

    >>> import qsgd_ref
    >>> doc = {"schema": "qsgd-ref.problem.v1", "F": {"1": [["-1/2"]]}, "u0": ["1"], "steps": 2, "order": 1}
    >>> qsgd_ref.parse_problem(doc).map_at(0)[1]          # F_1, stored by its non-zeros
    ExactMatrix(shape=(1, 1), nnz=1, denominator=2)
    >>> sparse = {**doc, "schema": "qsgd-ref.problem.v2", "F": {"1": {"shape": [1, 1], "entries": [[0, 0, "-1/2"]]}}}
    >>> qsgd_ref.parse_problem(sparse).map_at(0)[1][0, 0]
    Fraction(-1, 2)
    >>> qsgd_ref.parse_problem({**doc, "steps": -1})
    Traceback (most recent call last):
    ...
    qsgd_ref.base.errors.InputError: steps: must be ≥ 0, got -1
    """
    if not isinstance(doc, dict):
        raise InputError("(document)", "a problem must be a JSON object")
    version = doc.get("schema")
    if validate_schema:
        _validate(doc)
    for key in ("steps", "order"):
        if key not in doc:
            raise InputError(key, "missing")
        if isinstance(doc[key], bool) or not isinstance(doc[key], int):
            raise InputError(key, f"must be a non-negative integer, got {echo(doc[key])}")
    u0 = _vector(doc.get("u0"), "u0", None)
    n = len(u0)
    _check_u0_length(doc, n)
    base = _map(doc["F"], "F", n) if "F" in doc else None
    if "F_steps" in doc:
        raw_maps = doc["F_steps"]
        if not isinstance(raw_maps, list) or len(raw_maps) != doc["steps"]:
            got = len(raw_maps) if isinstance(raw_maps, list) else describe(raw_maps)
            raise InputError("F_steps", f"needs one map per step ({echo(doc['steps'])}), got {got}")
        if base is not None and version == SCHEMA_V1:
            raise InputError("F", "give exactly one of F and F_steps (both are allowed from qsgd-ref.problem.v2)")
        if not raw_maps and base is None:
            raise InputError("F_steps", NO_MAP)
        inherited = base or {}
        maps = tuple({**inherited, **_map(m, f"F_steps[{t}]", n)} for t, m in enumerate(raw_maps)) or (inherited,)
    elif base is not None:
        maps = (base,)
    else:
        raise InputError("F", "missing (give F or F_steps)")
    check_horizon(doc["steps"], doc["order"], n, len(maps))
    meta = doc.get("meta", {})
    return Problem(u0, maps, int(doc["steps"]), int(doc["order"]), str(doc.get("name", "")), dict(meta))


#: schema name -> schema file
SCHEMA_FILES = {SCHEMA_V1: "problem.v1.json", SCHEMA_V2: "problem.v2.json"}


@cache
def _structure_validator(name: str) -> Any:
    """The schema with the per-entry parts relaxed to "an array": numbers, rows and sparse entries
    are checked by the loader's single pass, which names the entry (a per-number schema descent costs
    seconds on large files)."""
    import jsonschema

    schema = copy.deepcopy(load_schema(SCHEMA_FILES[name]))
    defs = schema["$defs"]
    defs["number"] = {}
    if "dense" in defs:
        defs["dense"] = {"type": "array"}
        defs["sparse"]["properties"]["entries"] = {"type": "array"}
    else:
        defs["map"]["additionalProperties"] = {"type": "array"}
    return jsonschema.Draft202012Validator(schema)


def _validate(doc: dict[str, Any]) -> None:
    """The structural schema, its first error in the project's words (one line naming the field)."""
    name = doc.get("schema")
    if not isinstance(name, str) or name not in SCHEMA_FILES:
        if "schema" not in doc:
            raise InputError("schema", "missing")
        raise InputError("schema", f"must be one of {', '.join(repr(k) for k in SCHEMA_FILES)}, got {describe(name)}")
    errors = sorted(_structure_validator(name).iter_errors(doc), key=lambda e: (len(e.absolute_path), e.message))
    if not errors:
        return
    import jsonschema

    err = jsonschema.exceptions.best_match(errors)
    path = json_path(err.absolute_path)
    if err.validator == "oneOf" and not path:
        raise InputError("F", "give exactly one of F and F_steps")
    if err.validator == "anyOf" and not path:
        raise InputError("F", "missing (give F or F_steps)")
    if err.validator == "pattern" and "propertyNames" in err.schema_path:
        raise InputError(path, f"key {echo(err.instance)} is not a degree ℓ (a non-negative integer)")
    if err.validator == "oneOf" and isinstance(err.instance, dict):
        raise InputError(path, "a sparse F_ℓ is an object with exactly the keys shape and entries")
    if err.validator == "oneOf":
        raise InputError(path, f"F_ℓ must be an array (dense) or an object {{shape, entries}} (sparse), "
                               f"got {describe(err.instance)}")
    raise schema_error(err)


def _check_u0_length(doc: dict[str, Any], n: int) -> None:
    """Blame u0, not F, when every F_ℓ whose own shape is consistent (m rows of m^ℓ) has the same m ≠ n."""
    raw = [("F", doc.get("F"))] + [(f"F_steps[{t}]", m) for t, m in enumerate(doc.get("F_steps") or [])]
    implied: dict[int, str] = {}
    for where, fmap in raw:
        for key, val in (fmap.items() if isinstance(fmap, dict) else ()):
            m = _own_n(key, val)
            if m is not None:
                implied.setdefault(m, f"{where}[{key}] is {m} × {m}^{key}" if key != "0" else f"{where}[0] has {m}")
    if len(implied) == 1 and n not in implied:
        (m, why), = implied.items()
        raise InputError("u0", f"has {n} entr{'y' if n == 1 else 'ies'}, but the map is for n = {m} ({why})")


def _is_degree(key: str) -> bool:
    """A degree key: ASCII digits without a leading zero ("0", "2", "12")."""
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0")


def _own_n(key: str, val: Any) -> int | None:
    """The n an F_ℓ's own shape gives (m rows of m^ℓ entries), None if it gives none consistently."""
    if not (isinstance(key, str) and _is_degree(key) and len(key) <= 3 and int(key) <= MAX_DEGREE):
        return None
    ell = int(key)
    if isinstance(val, dict):
        shape = val.get("shape")
        if isinstance(shape, list) and len(shape) == 2 and all(type(x) is int for x in shape) and shape[0] >= 1 \
                and shape[1] == (1 if ell == 0 else shape[0] ** ell):
            return int(shape[0])
        return None
    if not isinstance(val, list) or not val:
        return None
    if ell == 0:
        return len(val)
    first = val[0]
    return len(val) if isinstance(first, list) and len(first) == len(val) ** ell else None


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
        if not (isinstance(key, str) and _is_degree(key)):
            raise InputError(f"{where}", f"key {echo(key)} is not a degree ℓ (a non-negative integer)")
        field = json_path([key], where)
        if len(key) > 3:
            raise InputError(field, f"degree {cut(key)} exceeds the maximum {MAX_DEGREE}")
        ell = int(key)
        if ell > MAX_DEGREE:
            raise InputError(field, f"degree {ell} exceeds the maximum {MAX_DEGREE}")
        cols = n**ell
        if cols > MAX_COLUMNS:
            raise SizeLimitError(field, f"F_{ell} would have n^{ell} = {cols:.3e} columns, beyond 2^62")
        if isinstance(val, dict):
            out[ell] = _sparse(val, field, ell, n, cols)
        elif ell == 0:
            out[0] = ExactMatrix.from_entries((n, 1), ((i, 0, x) for i, x in enumerate(_vector(val, field, n))), field)
        else:
            out[ell] = _dense(val, field, ell, n, cols)
    return out


def _dense(val: Any, field: str, ell: int, n: int, cols: int) -> ExactMatrix:
    limits.check_bytes(field, f"a dense F_{ell} ({n} × {cols:,}; write it in the sparse form)", n * cols * 8)
    if not isinstance(val, list) or len(val) != n:
        got = len(val) if isinstance(val, list) else describe(val)
        raise InputError(field, f"F_{ell} must have n = {n} rows, got {got}")
    entries: list[tuple[int, int, Fraction]] = []
    for i, row in enumerate(val):
        if not isinstance(row, list) or len(row) != cols:
            got = f"has {len(row)} entries" if isinstance(row, list) else f"is {describe(row)}"
            raise InputError(f"{field}[{i}]", f"F_{ell} must be n × n^{ell} = {n} × {cols}: the row {got}")
        for c, x in enumerate(row):
            v = _number(x, f"{field}[{i}][{c}]")
            if v:
                entries.append((i, c, v))
    return ExactMatrix.from_entries((n, cols), entries, field)


def _sparse(val: dict[str, Any], field: str, ell: int, n: int, cols: int) -> ExactMatrix:
    shape, raw = val.get("shape"), val.get("entries")
    if set(val) != {"shape", "entries"}:
        raise InputError(field, "a sparse F_ℓ is an object with exactly the keys shape and entries")
    if shape != [n, cols]:
        raise InputError(f"{field}.shape", f"F_{ell} has shape [n, n^{ell}] = [{n}, {cols}], got {echo(shape)}")
    if not isinstance(raw, list):
        raise InputError(f"{field}.entries", "must be a list of [row, col, value] triples")
    limits.check_bytes(f"{field}.entries", f"{len(raw):,} exact entries", len(raw) * 200)
    seen: dict[tuple[int, int], int] = {}
    entries: list[tuple[int, int, Fraction]] = []
    for k, item in enumerate(raw):
        where = f"{field}.entries[{k}]"
        if not isinstance(item, list) or len(item) != 3:
            raise InputError(where, f"must be a [row, col, value] triple, got {echo(item)}")
        r, c, x = item
        for name, idx, top in (("row", r, n), ("col", c, cols)):
            if isinstance(idx, Decimal) and idx.is_finite() and idx == idx.to_integral_value():
                raise InputError(where, f"{name} {echo(idx)} is out of range 0 … {top - 1}")
            if isinstance(idx, bool) or not isinstance(idx, int):
                raise InputError(where, f"{name} {echo(idx)} is not an integer")
            if not 0 <= idx < top:
                raise InputError(where, f"{name} {echo(idx)} is out of range 0 … {top - 1}")
        if (r, c) in seen:
            raise InputError(where, f"position ({r}, {c}) repeats {field}.entries[{seen[r, c]}]")
        seen[r, c] = k
        v = _number(x, f"{where}[2]")
        if v:
            entries.append((r, c, v))
    return ExactMatrix.from_entries((n, cols), entries, field)
