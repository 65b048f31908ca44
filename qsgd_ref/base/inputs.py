"""The input layer (clause FMT-1): every file a user gives a command or the API is read here, and
every input limit is defined here.

A file is read as bytes, its size bounded before it is read; the bytes are decoded as UTF-8 (a
UTF-8 byte-order mark is skipped) or refused, naming the first bad byte; JSON is scanned for its
nesting depth before it is parsed, then parsed keeping every number's decimal text exactly
(floats become :class:`decimal.Decimal`), refusing a key given twice in one object and a lone
UTF-16 surrogate. Every refusal is an :class:`InputError` naming the field: the file (``PROBLEM``,
``--results``, …) for a file-level problem, or the JSON path of the value.

The limits, and why each is where it is:

* :data:`MAX_NUMBER_DIGITS` — a number is held exactly, as p/q, so its size is the number of digits
  of its exact value: ``1e999999999`` would be an integer of a billion digits. 4,000 digits hold
  every binary64 value exactly (2^-1074 needs 1,075 decimal places) and any hand-written rational,
  and stay under Python's 4,300-digit limit on converting integers to and from text.
* :data:`MAX_COMMON_DIGITS` — an F_ℓ is stored over one common denominator (the least common
  multiple of its entries' denominators); entries with many distinct large denominators would
  make it grow without end. 40,000 digits, 10 numbers at the digit limit (the Burgers maps have 148).
* :data:`MAX_JSON_DEPTH` — the deepest document the project reads nests 6 levels (results →
  test → matrix → M → entry); 100 leaves room for free-form ``meta`` and stays far below
  Python's recursion limit (1,000), which the JSON parser, the schema check and the loaders share.
* :func:`max_file_bytes` — the memory budget (:func:`qsgd_ref.base.limits.memory_budget`) divided
  by :data:`JSON_EXPANSION`: parsed, a JSON number of a few characters becomes a Python object of
  about 100 bytes (measured: 4 to 28 bytes of memory per byte of text), so a file larger than
  1/32 of the budget would not fit once parsed (256 MiB with the default 8 GiB).
* :data:`ECHO_CHARS` — a message quotes at most this many characters of the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError

#: Digits of a number's exact value (its numerator, its denominator) at most.
MAX_NUMBER_DIGITS = 4000
#: Digits of the common denominator of one exact matrix at most.
MAX_COMMON_DIGITS = 40_000
#: Nesting depth of a JSON document at most (arrays and objects).
MAX_JSON_DEPTH = 100
#: Bytes of memory per byte of JSON text, at most, once parsed.
JSON_EXPANSION = 32
#: Characters of the input a message quotes at most (of a file or folder path: PATH_CHARS).
ECHO_CHARS = 40
PATH_CHARS = 120

_BOM = b"\xef\xbb\xbf"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SCAN_CHUNK = 1 << 22
_READ_CHUNK = 1 << 24


def max_file_bytes() -> int:
    """The largest file read, in bytes: the memory budget / :data:`JSON_EXPANSION`."""
    return limits.memory_budget() // JSON_EXPANSION


# ---------------------------------------------------------------- quoting the input


def echo(x: Any, width: int = ECHO_CHARS) -> str:
    """``x`` quoted for a message: its repr cut to ``width`` characters, a long number by its size."""
    if isinstance(x, bool) or x is None:
        return "null" if x is None else ("true" if x else "false")
    if isinstance(x, int) and x.bit_length() > 3 * width:
        return f"an integer of about {int(x.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(x, Decimal) and x.is_finite() and len(x.as_tuple().digits) > width:
        return f"a number of {len(x.as_tuple().digits):,} digits"
    if isinstance(x, Decimal):
        return str(x)
    text = repr(x) if isinstance(x, str) else _short_json(x, width)
    return text if len(text) <= width else text[: width - 1] + "…"


def _short_json(x: Any, width: int) -> str:
    if isinstance(x, dict):
        return "{}" if not x else "{" + ", ".join(echo(k, width) for k in list(x)[:3]) + (", …}" if len(x) > 3 else "}")
    if isinstance(x, list):
        return "[]" if not x else "[" + ", ".join(echo(v, width // 2) for v in x[:3]) + (", …]" if len(x) > 3 else "]")
    return repr(x)


def cut(text: str, width: int = ECHO_CHARS) -> str:
    """``text`` cut to ``width`` characters (an ellipsis marking the cut), for names in messages."""
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(x: Any) -> str:
    """What a JSON value is, for a message: "an object", "the string 'abc'", "null", "5"."""
    if x is None or isinstance(x, bool):
        return echo(x)
    if isinstance(x, dict):
        return "an object"
    if isinstance(x, list):
        return "an empty array" if not x else "an array"
    if isinstance(x, str):
        return f"the string {echo(x)}"
    return echo(x)


def json_path(parts: Any, root: str = "") -> str:
    """A JSON path in the loaders' form: indices and degree keys as [i], names dotted (F[2][0][1],
    results[3].tcId); each key cut to :data:`ECHO_CHARS` characters."""
    out = root
    for p in parts:
        if isinstance(p, int) or (isinstance(p, str) and p.isdigit() and out and len(p) <= ECHO_CHARS):
            out += f"[{p}]"
        else:
            out += f".{cut(p)}" if out else cut(p)
    return out


# ---------------------------------------------------------------- reading a file


def read_bytes(path: str | Path, field: str) -> bytes:
    """The bytes of a file, refused (naming ``field``) when unreadable or over :func:`max_file_bytes`
    (read in chunks, so a pipe or a file that grows is stopped at the limit too)."""
    p = Path(path)
    limit = max_file_bytes()
    chunks: list[bytes] = []
    size = 0
    try:
        with p.open("rb") as fh:
            while size <= limit:
                chunk = fh.read(min(_READ_CHUNK, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except IsADirectoryError:
        raise InputError(field, f"{echo(str(p), PATH_CHARS)} is a folder, not a file") from None
    except OSError as exc:
        raise InputError(field, f"cannot read {echo(str(p), PATH_CHARS)}: {exc.strerror or exc}") from None
    if size > limit:
        try:
            size = max(size, p.stat().st_size)
        except OSError:
            pass
        raise InputError(
            field,
            f"{cut(p.name)} is {'over ' if size == limit + 1 else ''}{limits.human_bytes(size)}, over the largest "
            f"input of {limits.human_bytes(limit)} (1/{JSON_EXPANSION} of the memory budget: parsed, it would not "
            "fit; set QSGD_REF_MEMORY_BUDGET to change it)",
        )
    return b"".join(chunks)


def decode(data: bytes, field: str) -> str:
    """UTF-8 text (a leading byte-order mark skipped), or a refusal naming the first bad byte."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        hint = ""
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = " (it starts with a UTF-16 byte-order mark)"
        elif b"\x00" in data[:64]:
            hint = " (it holds NUL bytes: UTF-16 or binary?)"
        raise InputError(
            field, f"not UTF-8 text (byte 0x{byte:02x} at offset {exc.start}){hint}; save the file as UTF-8"
        ) from None


def read_text(path: str | Path, field: str) -> str:
    """A user's text file: :func:`read_bytes` then :func:`decode`."""
    return decode(read_bytes(path, field), field)


def load_json(path: str | Path, field: str, root: str = "") -> Any:
    """A user's JSON file, numbers kept exact (see :func:`parse_json`)."""
    data = read_bytes(path, field)
    return _parse_json(decode(data, field), data, field, Path(path).name, root)


# ---------------------------------------------------------------- parsing JSON


class _Object(dict[str, Any]):
    """An object whose text gave a key twice (``duplicate`` is that key)."""

    duplicate: str


def parse_json(text: str, field: str = "JSON", name: str = "the text", root: str = "") -> Any:
    """Parse JSON text: depth bounded first, numbers exact (floats as Decimal, integers of more than
    :data:`MAX_NUMBER_DIGITS` digits as Decimal, left to the number check to refuse), ``NaN`` and
    ``Infinity`` tokens as floats (refused as numbers later, naming the field); a key given twice in
    one object and a lone surrogate are refused naming their JSON path, after ``root``; ``field``
    names the text itself (a file: PROBLEM, --results) and ``name`` is the file's name."""
    return _parse_json(text, text.encode("utf-8", "surrogatepass"), field, name, root)


def _parse_json(text: str, data: bytes, field: str, name: str, root: str) -> Any:
    depth = nesting_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise InputError(field, f"{cut(name)} nests arrays and objects {depth:,} deep; "
                                f"at most {MAX_JSON_DEPTH} levels are read")
    duplicates = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        out = dict(items)
        if len(out) == len(items):
            return out
        duplicates = True
        tagged = _Object(out)
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                tagged.duplicate = key
                break
            seen.add(key)
        return tagged

    try:
        doc = json.loads(text, parse_float=_decimal, parse_int=_integer, parse_constant=float, object_pairs_hook=pairs)
    except _HugeExponent as exc:
        line, column = _position(text, exc.token)
        raise InputError(field, f"{cut(name)}, line {line}, column {column}: the number {cut(exc.token)} has an "
                                f"exponent beyond ±10^18; a number may have at most {MAX_NUMBER_DIGITS:,} digits") from None
    except json.JSONDecodeError as exc:
        raise InputError(field, f"{cut(name)} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                f"{exc.msg})") from None
    if duplicates:
        for path, value in _walk(doc, ()):
            if isinstance(value, _Object):
                raise InputError(json_path((*path, value.duplicate), root),
                                 "given twice in one object (each key may appear once)")
    if _SURROGATE_ESCAPE.search(text):
        for path, value in _walk(doc, ()):
            keys = list(value) if isinstance(value, dict) else []
            for s in [value, *keys] if isinstance(value, str) else keys:
                if isinstance(s, str) and not _is_text(s):
                    where = json_path(path if s is value else (*path, "(key)"), root) or root or "(document)"
                    raise InputError(where, "holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without "
                                            "its pair), which is not text")
    return doc


class _HugeExponent(Exception):
    """A JSON number whose exponent is beyond what a Decimal holds (|exponent| > 10^18)."""

    def __init__(self, token: str) -> None:
        self.token = token


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError:  # decimal.InvalidOperation: the exponent is beyond ±10^18
        raise _HugeExponent(text) from None


def _integer(text: str) -> int | Decimal:
    return int(text) if len(text) <= MAX_NUMBER_DIGITS + 1 else Decimal(text)


def _position(text: str, token: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first occurrence of ``token`` as a JSON number in ``text``."""
    at = max(text.find(token), 0)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _is_text(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(x: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value of a parsed document with its path, in document order (depth ≤ MAX_JSON_DEPTH)."""
    yield path, x
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _walk(v, (*path, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _walk(v, (*path, i))


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON bytes, without parsing: the brackets outside
    strings are counted in one vectorised pass, chunk by chunk (escaped quotes removed first)."""
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    inside = depth = deepest = 0  # inside: 1 while in a string where the chunk starts
    for start in range(0, len(data), _SCAN_CHUNK):
        chunk = np.frombuffer(data, dtype=np.uint8, count=min(_SCAN_CHUNK, len(data) - start), offset=start)
        code = _CODES[chunk]
        code = code[np.flatnonzero(code)]
        quote = code == _QUOTE
        parity = (np.cumsum(quote, dtype=np.int64) + inside) & 1
        levels = np.cumsum(np.where(quote | (parity == 1), 0, code), dtype=np.int64) + depth
        if levels.size:
            deepest = max(deepest, int(levels.max()))
            depth, inside = int(levels[-1]), int(parity[-1])
    return deepest


_QUOTE = 2
#: byte -> +1 opening bracket, -1 closing bracket, 2 quote, 0 anything else
_CODES = np.zeros(256, dtype=np.int8)
_CODES[[ord("["), ord("{")]] = 1
_CODES[[ord("]"), ord("}")]] = -1
_CODES[ord('"')] = _QUOTE


# ---------------------------------------------------------------- schema errors in the project's words

_ARTICLE = {"array": "an array", "object": "an object", "integer": "an integer", "number": "a number",
            "string": "a string", "boolean": "true or false", "null": "null"}


def _kinds(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_ARTICLE.get(t, str(t)) for t in names)


def schema_error(err: Any, root: str = "") -> InputError:
    """A jsonschema ValidationError as one line in the project's words, naming the field (its JSON
    path after ``root``); neither the schema nor more than :data:`ECHO_CHARS` of the input is quoted."""
    parts = list(err.absolute_path)
    where = json_path(parts, root) or root or "(document)"
    rule, want, got = err.validator, err.validator_value, err.instance
    if rule == "required":
        missing = [k for k in want if not isinstance(got, dict) or k not in got]
        return InputError(json_path([*parts, missing[0] if missing else "?"], root), "missing")
    if rule == "additionalProperties" and isinstance(got, dict):
        known = sorted(err.schema.get("properties", {}))
        extra = [k for k in got if k not in known]
        field = json_path([*parts, extra[0]], root) if extra else where
        return InputError(field, "is not a field here" + (f" (the fields are {', '.join(known)})" if known else ""))
    if rule == "type":
        return InputError(where, f"must be {_kinds(want)}, got {describe(got)}")
    if rule == "const":
        return InputError(where, f"must be {echo(want)}, got {describe(got)}")
    if rule == "enum":
        return InputError(where, f"must be one of {', '.join(echo(x) for x in want)}, got {describe(got)}")
    if rule == "minItems":
        return InputError(where, "must not be empty" if want == 1 else f"must have at least {want} entries")
    if rule == "maxItems":
        return InputError(where, f"must have at most {want} entries")
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[rule]
        return InputError(where, f"must be {sign} {want}, got {echo(got)}")
    if rule in ("oneOf", "anyOf") and isinstance(want, list):
        types = [s["type"] for s in want if isinstance(s, dict) and isinstance(s.get("type"), str)]
        if len(types) == len(want):
            return InputError(where, f"must be {_kinds(dict.fromkeys(types))}, got {describe(got)}")
    return InputError(where, f"is not in an accepted form, got {describe(got)}")
