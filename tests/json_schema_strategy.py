"""Documents drawn from the project's JSON schemas (spec/schemas), for the fuzz suites.

A small interpreter of the schema keywords our schemas use ($ref to $defs, const, type, properties,
required, additionalProperties, propertyNames, items, prefixItems, minItems, maxItems, minimum,
pattern, oneOf, anyOf; ``not`` is ignored). A drawn document has the schema's structure but
hostile contents: integers without a maximum reach 10^30, numbers span the float range, strings
with a pattern are drawn from the pattern, a oneOf may hold for more than one branch. Sizes stay
small (arrays of at most four items) so that a command that accepts the document runs fast.

hypothesis-jsonschema would do this, but its last release (0.23.1) fails on every object schema
with the Hypothesis this project uses (``'many' object has no attribute 'more'``).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

#: the most items an array or extra keys an object gets
MOST = 4

_NUMBERS = st.one_of(
    st.integers(-10, 10),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-4, 4, allow_nan=False),
)


def _integer(schema: dict[str, Any]) -> st.SearchStrategy[int]:
    lo = schema.get("minimum")
    small = st.integers(lo if lo is not None else -3, (lo or 0) + 6)
    return st.one_of(small, small, st.integers(min_value=lo, max_value=10**30))


def from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """A strategy for documents shaped by ``schema`` (``root`` resolves "#/$defs/..." references)."""
    root = schema if root is None else root

    def sub(s: dict[str, Any]) -> st.SearchStrategy[Any]:
        return st.deferred(lambda: from_schema(s, root))

    if "$ref" in schema:
        path = schema["$ref"].removeprefix("#/").split("/")
        target: Any = root
        for part in path:
            target = target[part]
        return sub(target)
    if "const" in schema:
        return st.just(schema["const"])
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches and "type" not in schema:
        return st.one_of([sub({**{k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}, **b})
                          if "type" not in b and "$ref" not in b and "const" not in b else sub(b) for b in branches])
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, sub)
    if kind == "array":
        if "prefixItems" in schema:
            return st.tuples(*(sub(s) for s in schema["prefixItems"])).map(list)
        items = sub(schema["items"]) if "items" in schema else _NUMBERS
        lo = schema.get("minItems", 0)
        return st.lists(items, min_size=lo, max_size=max(lo, schema.get("maxItems", MOST)))
    if kind == "integer":
        return _integer(schema)
    if kind == "number":
        return _NUMBERS
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(re.compile(schema["pattern"]), fullmatch=True).filter(lambda s: len(s) < 60)
        return st.text(max_size=12)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return st.recursive(st.none() | st.booleans() | _NUMBERS | st.text(max_size=6),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                        max_leaves=6)


def _object(schema: dict[str, Any], sub: Any) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties", True)
    branches = schema.get("oneOf") or schema.get("anyOf") or [{}]

    @st.composite
    def draw(draw_: st.DrawFn) -> dict[str, Any]:
        branch = draw_(st.sampled_from(branches))
        need = required | set(branch.get("required", []))
        out: dict[str, Any] = {}
        for key, s in props.items():
            if key in need or draw_(st.booleans()):
                out[key] = draw_(sub(s))
        if extra is not False:
            names = (st.from_regex(re.compile(schema["propertyNames"]["pattern"]), fullmatch=True)
                     if "propertyNames" in schema else st.text(max_size=6))
            values = sub(extra) if isinstance(extra, dict) else _NUMBERS
            out.update(draw_(st.dictionaries(names.filter(lambda k: len(k) < 4), values, max_size=3)))
        return out

    return draw()
