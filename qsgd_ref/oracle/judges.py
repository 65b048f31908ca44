"""Field judges of the verifier (clauses ORC-3, ORC-4): tolerance rule, first differing entry, cause hints.

Each judge compares one provided field with a test's expected value: it passes when
|got − expected| ≤ abs + rel · S for every entry (S = the largest |expected| of the field) and
otherwise names the first differing entry and, where recognised, the likely cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.inputs import echo
from qsgd_ref.base.precision import NotExact, fits_float64, parse_exact, short_decimal
from qsgd_ref.base.results import Result

#: the largest float32
_FLOAT32_MAX = Fraction(float(np.finfo(np.float32).max))

TRAP_HINTS = {
    "continuous": "it matches the continuous Carleman matrix I + A_N (LIFT-3): the discrete-only "
    "η², η³ … terms of the blocks B_jk are missing (ETA-3); build B_jk from H_1 = I + F_1 (LIFT-1)",
    "column-major": "it matches column-major (Julia-style) index order: F_ℓ columns and tensor "
    "positions must follow numpy.kron row-major order (MAP-1)",
}
FLOAT32_HINT = "every value is a float32 number: results rounded to single precision?"
SINGLE_HINT = "the error is of the size of single-precision rounding (2^-24 ≈ 6e-8 of the scale)"
TRUNCATION_HINT = (
    "it is closer to the exact (untruncated) iteration u(t) than to the order-N truncation: blocks "
    "B_jk with k > N must be dropped (LIFT-2)"
)


@dataclass(frozen=True)
class Verdict(Result):
    """The judgement of one field of one test."""

    tc_id: int
    field: str
    passed: bool
    message: str = ""


def _num(x: Any) -> Fraction | None:
    try:
        return parse_exact(x)
    except NotExact:
        return None


def _is_float32(x: Fraction) -> bool:
    if abs(x) > _FLOAT32_MAX:
        return False
    f = np.float32(float(x))
    return bool(np.isfinite(f)) and Fraction(float(f)) == x


def _short(x: Fraction) -> str:
    """17 significant digits (the float64 round trip), at any magnitude (results are compared exactly:
    1e400 is a legitimate value)."""
    return short_decimal(x, 17)


def _g(x: Fraction) -> str:
    """3 significant digits at any magnitude (differences and tolerances in messages)."""
    return short_decimal(x, 3)


def _bound(test: dict[str, Any], scale: Fraction) -> Fraction:
    tol = test["tolerance"]
    return parse_exact(tol.get("abs", "0")) + parse_exact(tol["rel"]) * scale


def _rows_exp(rows: list[list[str]]) -> list[list[Fraction]]:
    return [[Fraction(Decimal(x)) for x in r] for r in rows]


def _max_diff(a: list[list[Fraction]], b: list[list[Fraction]]) -> Fraction | None:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=True)):
        return None
    return max([abs(x - y) for r, s in zip(a, b, strict=True) for x, y in zip(r, s, strict=True)] + [Fraction(0)])


def judge_rows(test: dict[str, Any], name: str, got: Any) -> Verdict:
    """A field of rows (t = 0 … T, or the Eq. 6 blocks) of fixed length."""
    tc = test["tcId"]
    exp = _rows_exp(test["expected"][name])
    steps = test["problem"]["steps"]
    what = "T+1+p" if name == "eq6" else "T+1"
    if not isinstance(got, list) or not all(isinstance(r, list) for r in got):
        return Verdict(tc, name, False, f"{name} must be a list of rows")
    if len(got) != len(exp):
        hint = ""
        if abs(len(got) - len(exp)) == 1:
            hint = f" — off-by-one in the number of steps? (T = {steps}; t runs 0 … T, so T+1 rows)"
        return Verdict(tc, name, False, f"{name} has {len(got)} rows, expected {what} = {len(exp)}{hint}")
    vals: list[list[Fraction]] = []
    for t, (r, e) in enumerate(zip(got, exp, strict=True)):
        if len(r) != len(e):
            return Verdict(tc, name, False, f"{name}[{t}] has {len(r)} entries, expected {len(e)}")
        row = []
        for i, x in enumerate(r):
            v = _num(x)
            if v is None:
                return Verdict(tc, name, False, f"{name}[{t}][{i}] = {echo(x)} is not a finite number")
            row.append(v)
        vals.append(row)
    scale = max([abs(x) for r in exp for x in r] + [Fraction(0)])
    bound = _bound(test, scale)
    bad = [(t, i) for t, r in enumerate(vals) for i, x in enumerate(r) if abs(x - exp[t][i]) > bound]
    if not bad:
        return Verdict(tc, name, True)
    t, i = bad[0]
    diff = abs(vals[t][i] - exp[t][i])
    msg = (
        f"{name}[{t}][{i}] = {_short(vals[t][i])}, expected {test['expected'][name][t][i]} "
        f"(|diff| = {_g(diff)} > tolerance {_g(bound)}; {len(bad)} entries differ)"
    )
    hints = _row_hints(test, name, vals, exp, bound, scale)
    return Verdict(tc, name, False, msg + "".join(f"\n      hint: {h}" for h in hints))


def _row_hints(
    test: dict[str, Any],
    name: str,
    vals: list[list[Fraction]],
    exp: list[list[Fraction]],
    bound: Fraction,
    scale: Fraction,
) -> list[str]:
    hints = []
    for trap, fields in test.get("traps", {}).items():
        if name in fields:
            d = _max_diff(vals, _rows_exp(fields[name]))
            if d is not None and d <= max(bound, scale * Fraction(1, 10**20)):
                hints.append(TRAP_HINTS.get(trap, trap))
    if name == "carleman" and "exact" in test["expected"]:
        d_exact = _max_diff(vals, _rows_exp(test["expected"]["exact"]))
        d_trunc = _max_diff(vals, exp)
        if d_exact is not None and d_trunc is not None and d_exact * 2 < d_trunc:
            hints.append(TRUNCATION_HINT)
    if len(vals) > 1:
        ahead = _max_diff(vals[:-1], exp[1:])
        behind = _max_diff(vals[1:], exp[:-1])
        if ahead is not None and ahead <= bound:
            hints.append("row t matches expected row t+1: one step too many (off-by-one in the number of steps)")
        elif behind is not None and behind <= bound:
            hints.append("row t+1 matches expected row t: one step too few (off-by-one in the number of steps)")
    _precision_hints(hints, [x for r in vals for x in r], _max_diff(vals, exp), scale)
    return hints


def _precision_hints(hints: list[str], values: list[Fraction], diff: Fraction | None, scale: Fraction) -> None:
    if values and all(_is_float32(x) for x in values) and not all(x.denominator == 1 for x in values):
        hints.append(FLOAT32_HINT)
    elif diff is not None and scale and Fraction(1, 10**9) <= diff / scale <= Fraction(1, 10**6):
        hints.append(SINGLE_HINT)


def _triplet_dict(entries: Any, width: int, where: str) -> tuple[dict[tuple[int, int], Fraction] | None, str]:
    out: dict[tuple[int, int], Fraction] = {}
    if not isinstance(entries, list):
        return None, f"{where} must be a list of triplets"
    for e in entries:
        if not isinstance(e, list) or len(e) != width:
            return None, f"{where} entry {echo(e)} must have {width} items"
        idx = [_num(x) for x in e[:-1]]
        ints = [int(x) for x in idx if x is not None and x >= 0 and x.denominator == 1]
        if len(ints) != len(idx):
            return None, f"{where} entry {echo(e)} has a bad index"
        v = _num(e[-1])
        if v is None:
            return None, f"{where} entry {echo(e)}: value is not a finite number"
        key = (ints[0], ints[1] if width == 3 else 0)
        if key in out:
            return None, f"{where} entry {echo(list(key))} appears twice"
        out[key] = v
    return out, ""


def _level(index: int, n: int) -> int:
    """The level j holding position ``index``: offsets[j − 1] ≤ index < offsets[j] (LIFT-2, any j;
    for n = 1 level j is position j − 1, and for n ≥ 2 the walk takes log_n(index) steps)."""
    if n == 1:
        return index + 1
    j = 1
    while index >= lifted_dimension(n, j):
        j += 1
    return j


def judge_matrix(test: dict[str, Any], got: Any) -> Verdict:
    """The matrix field: M and c as sparse triplets in the canonical basis (ORC-3)."""
    tc = test["tcId"]
    exp_doc = test["expected"]["matrix"]
    d, n, order = exp_doc["D"], len(test["problem"]["u0"]), test["problem"]["order"]
    if not isinstance(got, dict) or "M" not in got or "c" not in got:
        return Verdict(tc, "matrix", False, "matrix must be an object with 'M' and 'c'")
    for part, width in (("M", 3), ("c", 2)):
        g, err = _triplet_dict(got[part], width, f"matrix.{part}")
        if g is None:
            return Verdict(tc, "matrix", False, err)
        for r, c in sorted(g):
            if r >= d or c >= d:
                k = _level(max(r, c), n)
                return Verdict(
                    tc,
                    "matrix",
                    False,
                    (
                        f"matrix.{part} entry [{echo(r)}, {echo(c)}] lies outside the D × D truncated matrix (D = {d}, "
                        f"N = {order}): it belongs to level {echo(k)} > N\n      hint: blocks B_jk with k > N must be dropped (LIFT-2)"
                    ),
                )
    msgs, bad_parts = [], 0
    for part, width in (("M", 3), ("c", 2)):
        g, _ = _triplet_dict(got[part], width, part)
        e, _ = _triplet_dict(exp_doc[part], width, part)
        assert g is not None and e is not None
        scale = max([abs(x) for x in e.values()] + [Fraction(0)])
        bound = _bound(test, scale)
        keys = sorted(set(g) | set(e))
        bad = [k for k in keys if abs(g.get(k, Fraction(0)) - e.get(k, Fraction(0))) > bound]
        if not bad:
            continue
        bad_parts += 1
        r, c = bad[0]
        gv, ev = g.get((r, c), Fraction(0)), e.get((r, c), Fraction(0))
        jr, jc = _level(r, n), _level(c, n) if part == "M" else 0
        pos = f"[{r}, {c}] (block j = {jr}, k = {jc})" if part == "M" else f"[{r}] (level j = {jr})"
        e_str = {tuple(x[:-1]) if width == 3 else (x[0], 0): x[-1] for x in exp_doc[part]}
        msg = (
            f"matrix.{part}{pos} = {_short(gv)}, expected {e_str.get((r, c), '0')} "
            f"(|diff| = {_g(abs(gv - ev))} > tolerance {_g(bound)}; {len(bad)} entries differ)"
        )
        hints = []
        for trap, fields in test.get("traps", {}).items():
            t, _ = _triplet_dict(fields["matrix"][part], width, part)
            assert t is not None
            tb = max(bound, scale * Fraction(1, 10**20))
            if all(abs(g.get(k, Fraction(0)) - t.get(k, Fraction(0))) <= tb for k in set(g) | set(t)):
                hints.append(TRAP_HINTS.get(trap, trap))
        diff = max(abs(g.get(k, Fraction(0)) - e.get(k, Fraction(0))) for k in keys)
        _precision_hints(hints, list(g.values()), diff, scale)
        msgs.append(msg + "".join(f"\n      hint: {h}" for h in hints))
    if bad_parts:
        return Verdict(tc, "matrix", False, "\n    ".join(msgs))
    return Verdict(tc, "matrix", True)


def judge_regime(test: dict[str, Any], got: Any) -> Verdict:
    """The regime name must equal the classifier's (REG-*), exactly."""
    exp = test["expected"]["regime"]
    ok = got == exp
    return Verdict(test["tcId"], "regime", ok, "" if ok else f"regime = {echo(got)}, expected {exp!r}")


def judge_bounds(test: dict[str, Any], got: Any) -> Verdict:
    """Each provided bound series (T+1 values, 'inf' allowed) against the applicable bounds (BND-*)."""
    tc = test["tcId"]
    exp, missing = test["expected"]["bounds"], test["expected"]["not_applicable"]
    if not isinstance(got, dict):
        return Verdict(tc, "bounds", False, "bounds must be an object {name: [T+1 values]}")
    for name in sorted(got):
        if name not in exp:
            why = f"does not apply: {missing[name]}" if name in missing else f"is not one of {sorted(exp)}"
            return Verdict(tc, "bounds", False, f"bound {echo(name)} {why}")
        series, want = got[name], exp[name]
        if not isinstance(series, list) or len(series) != len(want):
            n_got = len(series) if isinstance(series, list) else "no"
            return Verdict(tc, "bounds", False, f"bounds.{name} has {n_got} values, expected T+1 = {len(want)}")
        finite = [Fraction(Decimal(x)) for x in want if x != "inf"]
        bound = _bound(test, max([abs(x) for x in finite] + [Fraction(0)]))
        for t, (g, e) in enumerate(zip(series, want, strict=True)):
            g_inf = isinstance(g, str) and g.strip().lower() in ("inf", "infinity")
            if e == "inf" or g_inf:
                if not (e == "inf" and g_inf):
                    return Verdict(tc, "bounds", False, f"bounds.{name}[{t}] = {echo(g)}, expected {e}")
                continue
            v = _num(g)
            if v is None or abs(v - Fraction(Decimal(e))) > bound:
                return Verdict(
                    tc, "bounds", False, f"bounds.{name}[{t}] = {echo(g)}, expected {e} (tolerance {_g(bound)})"
                )
    return Verdict(tc, "bounds", True)


def _complex(x: Any) -> complex | None:
    """A state entry as a complex float (None if not a number, or beyond the float64 range: a state's
    entries are at most 1 in modulus, so such a value fails the test whatever it is)."""
    parts = [_num(p) for p in x] if isinstance(x, list) and len(x) == 2 else [_num(x), Fraction(0)]
    if any(p is None or not fits_float64(p) for p in parts):
        return None
    re, im = (float(p) for p in parts if p is not None)
    return complex(re, im)


def judge_hhl(test: dict[str, Any], got: Any) -> Verdict:
    """The HHL state (up to a global phase) and success probability (HHL-2), each with ORC-3's rule."""
    tc = test["tcId"]
    exp = test["expected"]["hhl"]
    if not isinstance(got, dict):
        return Verdict(tc, "hhl", False, "hhl must be an object with 'state' and/or 'success_probability'")
    rel = float(parse_exact(test["tolerance"]["rel"]))
    absol = float(parse_exact(test["tolerance"].get("abs", "0")))
    if "success_probability" in got:
        g, e = _num(got["success_probability"]), Fraction(Decimal(exp["success_probability"]))
        if g is None or abs(g - e) > absol + rel * e:
            return Verdict(
                tc,
                "hhl",
                False,
                f"hhl.success_probability = {echo(got['success_probability'])}, expected {exp['success_probability']}",
            )
    if "state" in got:
        want = [float(Decimal(x)) for x in exp["state"]]
        state = got["state"]
        if not isinstance(state, list) or len(state) != len(want):
            n = len(state) if isinstance(state, list) else "no"
            return Verdict(
                tc, "hhl", False, f"hhl.state has {n} entries, expected 2^k = {len(want)} (dilated, padded register)"
            )
        vals = [_complex(x) for x in state]
        if any(v is None for v in vals):
            return Verdict(tc, "hhl", False, "hhl.state entries must be numbers or [re, im] pairs within the "
                                             "float64 range")
        cv = [v for v in vals if v is not None]
        overlap = sum(w * v for w, v in zip(want, cv, strict=True))
        phase = overlap / abs(overlap) if abs(overlap) else 1.0
        bound = absol + rel * max(abs(w) for w in want)
        for i, (w, v) in enumerate(zip(want, cv, strict=True)):
            if abs(v / phase - w) > bound:
                return Verdict(
                    tc,
                    "hhl",
                    False,
                    (
                        f"hhl.state[{i}] = {v / phase:.17g} (after removing the global phase), expected {exp['state'][i]} "
                        f"(tolerance {bound:.3g})"
                    ),
                )
    return Verdict(tc, "hhl", True)


def judge_field(test: dict[str, Any], name: str, got: Any) -> Verdict:
    if name == "hhl":
        return judge_hhl(test, got)
    if name == "matrix":
        return judge_matrix(test, got)
    if name == "regime":
        return judge_regime(test, got)
    if name == "bounds":
        return judge_bounds(test, got)
    return judge_rows(test, name, got)
