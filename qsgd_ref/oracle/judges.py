"""Field judges of the verifier (clauses ORC-3, ORC-4): tolerance rules, first differing entry, cause hints.

Each judge compares one provided check of a test (a field, or a part of one: a bound series, the HHL
state) with the expected value. Values are compared exactly (the provided decimal text or binary
double is taken exactly). The tolerance rule is per block (ORC-3): an entry passes when
|got − expected| ≤ abs + rel · S with S the largest |expected| entry of *its* block — a block (j, k)
of M_N, a level j of c, of ŷ or of the Eq. 6 solution, one F_ℓ of a loss map — so a small block is
judged against its own scale, not against the largest entry of the whole field. Failures are
reported in tolerance units. Bound series are judged as upper bounds (ORC-3's upper-bound rule),
regime numbers against certified intervals.

The hint texts live in the vector files (their "hints" object, keyed by cause); a judge only
recognises a cause and names its key.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Context as DecimalContext
from decimal import Decimal
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.inputs import echo
from qsgd_ref.base.precision import NotExact, fits_float64, format_decimal, parse_exact, short_decimal
from qsgd_ref.base.results import Result

#: the largest float32
_FLOAT32_MAX = Fraction(float(np.finfo(np.float32).max))
#: spellings of an infinite bound (any case, surrounding blanks ignored)
INFINITE = ("inf", "infinity")
#: a decimal numeral (as in the vector schemas)
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: exponent range of the bound comparisons
MAX_EMAX, MIN_EMIN = 999_999_999_999_999_999, -999_999_999_999_999_999


@dataclass(frozen=True)
class Verdict(Result):
    """The judgement of one check (a field, or a part of one such as ``bounds.BND-1``) of one test."""

    tc_id: int
    field: str
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class Context:
    """What a judge sees: the test and its file's hint texts (keyed by cause)."""

    test: dict[str, Any]
    hints: dict[str, str] = field(default_factory=dict)

    @property
    def tc(self) -> int:
        return int(self.test["tcId"])

    @property
    def expected(self) -> dict[str, Any]:
        return dict(self.test["expected"])

    def tolerance(self) -> tuple[Fraction, Fraction]:
        """(abs, rel) of the test."""
        tol = self.test["tolerance"]
        return parse_exact(tol.get("abs", "0")), parse_exact(tol["rel"])

    def bound(self, scale: Fraction) -> Fraction:
        a, r = self.tolerance()
        return a + r * scale

    def hint_lines(self, keys: Sequence[str]) -> str:
        seen: list[str] = []
        for k in keys:
            if k not in seen:
                seen.append(k)
        return "".join(f"\n      hint: {self.hints.get(k, k)}" for k in seen)

    def fail(self, check: str, message: str, hints: Sequence[str] = ()) -> Verdict:
        return Verdict(self.tc, check, False, message + self.hint_lines(hints))

    def ok(self, check: str) -> Verdict:
        return Verdict(self.tc, check, True)


def _num(x: Any) -> Fraction | None:
    try:
        return parse_exact(x)
    except NotExact:
        return None


def _dec(x: str) -> Fraction:
    return Fraction(Decimal(x))


def _is_inf(x: Any) -> bool:
    return isinstance(x, str) and x.strip().lower() in INFINITE


def _is_float32(x: Fraction) -> bool:
    if abs(x) > _FLOAT32_MAX:
        return False
    f = np.float32(float(x))
    return bool(np.isfinite(f)) and Fraction(float(f)) == x


def _short(x: Fraction) -> str:
    """A provided value as given: a double by its shortest round-trip text, any other number with
    17 significant digits (at any magnitude)."""
    if fits_float64(x) and Fraction(float(x)) == x:
        return repr(float(x))
    return format_decimal(x, 17)


def _g(x: Fraction) -> str:
    """3 significant digits at any magnitude (differences and tolerances in messages)."""
    return short_decimal(x, 3)


def units(diff: Fraction, bound: Fraction) -> str:
    """A difference in tolerance units ("off by 4.1e3 tol"); with a zero tolerance, the difference itself."""
    if bound == 0:
        return f"off by {_g(diff)} (tolerance 0)"
    return f"off by {_g(diff / bound)} tol"


# --------------------------------------------------------------------------------------------- levels


def level_sizes(n: int, order: int, basis: str = "kronecker") -> list[int]:
    """The sizes of levels 1 … N: n^j (Kronecker basis) or C(n+j−1, j) (monomial basis, LIFT-4)."""
    if basis == "monomial":
        return [comb(n + j - 1, j) for j in range(1, order + 1)]
    return [n**j for j in range(1, order + 1)]


def _offsets(sizes: list[int]) -> list[int]:
    return [0, *itertools.accumulate(sizes)]


def _through(n: int, j: int, basis: str) -> int:
    """The number of positions in levels 1 … j: Σ_i n^i, or C(n+j, j) − 1 in the monomial basis."""
    if basis == "monomial":
        return comb(n + j, min(n, j)) - 1
    return j if n == 1 else (n ** (j + 1) - n) // (n - 1)


def level_of(index: int, n: int, basis: str = "kronecker") -> int:
    """The level j holding position ``index`` of a lifted vector of any order (levels 1, 2, … of sizes
    n^j, or C(n+j−1, j) in the monomial basis): the smallest j with index < the positions through
    level j, by bisection on j (so an index of 10^18 costs about 60 steps, whatever n)."""
    lo, hi = 1, 1
    while _through(n, hi, basis) <= index:
        lo, hi = hi + 1, 2 * hi
    while lo < hi:
        mid = (lo + hi) // 2
        if _through(n, mid, basis) > index:
            hi = mid
        else:
            lo = mid + 1
    return lo


# ----------------------------------------------------------------------------------------------- rows


def _rows_exp(rows: list[list[str]]) -> list[list[Fraction]]:
    return [[_dec(x) for x in r] for r in rows]


def _max_diff(a: list[list[Fraction]], b: list[list[Fraction]]) -> Fraction | None:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=True)):
        return None
    return max([abs(x - y) for r, s in zip(a, b, strict=True) for x, y in zip(r, s, strict=True)] + [Fraction(0)])


def _parse_rows(name: str, got: Any) -> tuple[list[list[Fraction]] | None, str]:
    if not isinstance(got, list) or not all(isinstance(r, list) for r in got):
        return None, f"{name} must be a list of rows"
    out = []
    for t, r in enumerate(got):
        row = []
        for i, x in enumerate(r):
            v = _num(x)
            if v is None:
                return None, f"{name}[{t}][{i}] = {echo(x)} is not a finite number"
            row.append(v)
        out.append(row)
    return out, ""


def judge_rows(ctx: Context, name: str, got: Any) -> Verdict:
    """A field of rows t = 0 … T (``exact``, ``carleman``, ``scheme_difference``) or of the Eq. 6 blocks
    (``eq6``, T + 1 + p rows of D entries, judged per level j). Where the test stores only some rows
    (expected ``times``), the results still give every row and the stored ones are compared."""
    exp_doc = ctx.expected
    exp = _rows_exp(exp_doc[name])
    prob = ctx.test["problem"]
    steps, idle = int(prob["steps"]), int(ctx.test.get("idle", 0))
    n, order = len(prob["u0"]), int(prob["order"])
    times = list(exp_doc.get("times", range(len(exp))))
    want = steps + 1 + (idle if name == "eq6" else 0)
    what = "T+1+p" if name == "eq6" else "T+1"
    vals, err = _parse_rows(name, got)
    if vals is None:
        return ctx.fail(name, err)
    if len(vals) != want:
        hints: list[str] = []
        if name == "eq6" and idle and len(vals) == steps + 1:
            hints.append("idle-ignored")
        elif abs(len(vals) - want) == 1:
            hints.append("row-count")
        return ctx.fail(name, f"{name} has {len(vals)} rows, expected {what} = {want} (T = {steps}"
                        + (f", p = {idle}" if name == "eq6" else "") + ")", hints)
    width = lifted_dimension(n, order) if name == "eq6" else n
    for t, r in enumerate(vals):
        if len(r) != width:
            return ctx.fail(name, f"{name}[{t}] has {len(r)} entries, expected {width}")
    offsets = _offsets(level_sizes(n, order)) if name == "eq6" else [0, n]
    picked = [vals[t] for t in times]
    scales = [max([abs(x) for r in exp for x in r[offsets[j - 1]:offsets[j]]] + [Fraction(0)])
              for j in range(1, len(offsets))]
    bounds = [ctx.bound(s) for s in scales]
    bad = []
    for row, (t, r) in enumerate(zip(times, picked, strict=True)):
        for j in range(1, len(offsets)):
            for i in range(offsets[j - 1], offsets[j]):
                d = abs(r[i] - exp[row][i])
                if d > bounds[j - 1]:
                    bad.append((t, row, i, j, d))
    if not bad:
        return ctx.ok(name)
    t, row, i, j, diff = bad[0]
    where = f"{name}[{t}][{i}]" + (f" (level j = {j})" if name == "eq6" else "")
    blocks = len({b[3] for b in bad})
    msg = (f"{where} = {_short(picked[row][i])}, expected {exp_doc[name][row][i]}: {units(diff, bounds[j - 1])} "
           f"(tolerance {_g(bounds[j - 1])} = abs + rel · {_g(scales[j - 1])}, the largest |expected| "
           f"{'of level ' + str(j) if name == 'eq6' else 'of ' + name}); {len(bad)} "
           f"{'entry differs' if len(bad) == 1 else 'entries differ'}"
           + (f" in {blocks} levels" if name == "eq6" and blocks > 1 else ""))
    return ctx.fail(name, msg, _row_hints(ctx, name, vals, times, exp, bounds, scales))


def _row_hints(ctx: Context, name: str, vals: list[list[Fraction]], times: list[int], exp: list[list[Fraction]],
               bounds: list[Fraction], scales: list[Fraction]) -> list[str]:
    hints = []
    picked = [vals[t] for t in times]
    bound, scale = min(bounds), max(scales)
    for trap, fields in ctx.test.get("traps", {}).items():
        if name in fields:
            d = _max_diff(picked, _rows_exp(fields[name]))
            if d is not None and d <= max(bound, scale * Fraction(1, 10**20)):
                hints.append(trap)
    exp_doc = ctx.expected
    if name == "carleman" and "exact" in exp_doc:
        d_exact = _max_diff(picked, _rows_exp(exp_doc["exact"]))
        d_trunc = _max_diff(picked, exp)
        if d_exact is not None and d_trunc is not None and d_exact * 2 < d_trunc:
            hints.append("keep-dropped")
    if hints:  # a known wrong answer explains it: no guessing about precision
        return hints
    if times == list(range(len(vals))) and len(vals) > 1:
        ahead = _max_diff(vals[:-1], exp[1:])
        behind = _max_diff(vals[1:], exp[:-1])
        if ahead is not None and ahead <= bound:
            hints.append("one-step-too-many")
        elif behind is not None and behind <= bound:
            hints.append("one-step-too-few")
    _precision_hints(hints, [x for r in picked for x in r], _max_diff(picked, exp), scale, [x for r in exp for x in r])
    return hints


def _precision_hints(hints: list[str], values: list[Fraction], diff: Fraction | None, scale: Fraction,
                     expected: list[Fraction] | None = None) -> None:
    """float32 when every value is a float32 number (and the expected ones are not all), or an error of
    single-precision size."""
    all32 = bool(values) and all(_is_float32(x) for x in values) and not all(x.denominator == 1 for x in values)
    if all32 and not (expected and all(_is_float32(x) for x in expected)):
        hints.append("float32")
    elif diff is not None and scale and Fraction(1, 10**9) <= diff / scale <= Fraction(1, 10**6):
        hints.append("single-precision")


# ------------------------------------------------------------------------------------- sparse matrices


Sparse = dict[tuple[int, int], Fraction]


def _triplet_dict(entries: Any, width: int, where: str) -> tuple[Sparse | None, str]:
    """{(row, col): value} of a list of [row, col, value] (width 3) or [row, value] (width 2, col 0);
    a position given twice is refused (the guide: each non-zero once)."""
    out: Sparse = {}
    if not isinstance(entries, list):
        return None, f"{where} must be a list of {'triplets [row, col, value]' if width == 3 else 'pairs [row, value]'}"
    for e in entries:
        if not isinstance(e, list) or len(e) != width:
            return None, f"{where} entry {echo(e)} must have {width} items"
        idx = [_num(x) for x in e[:-1]]
        ints = [int(x) for x in idx if x is not None and x >= 0 and x.denominator == 1]
        if len(ints) != len(idx):
            return None, f"{where} entry {echo(e)} has a bad index (0-based non-negative integers)"
        v = _num(e[-1])
        if v is None:
            return None, f"{where} entry {echo(e)}: value is not a finite number"
        key = (ints[0], ints[1] if width == 3 else 0)
        if key in out:
            return None, f"{where} entry {echo(list(key) if width == 3 else key[0])} appears twice (give each entry once)"
        out[key] = v
    return out, ""


def _exp_sparse(entries: list[list[Any]], width: int) -> Sparse:
    return {(int(e[0]), int(e[1]) if width == 3 else 0): _dec(e[-1]) for e in entries}


def _shifted(g: Sparse, by: int, vector: bool) -> Sparse:
    return {(r + by, c if vector else c + by): v for (r, c), v in g.items()}


@dataclass(frozen=True)
class _Blocks:
    """Level offsets of the rows and columns of a lifted matrix (Kronecker or monomial basis)."""

    n: int
    order: int
    basis: str = "kronecker"

    @property
    def offsets(self) -> list[int]:
        return _offsets(level_sizes(self.n, self.order, self.basis))

    def of(self, r: int, c: int, vector: bool) -> tuple[int, int]:
        return level_of(r, self.n, self.basis), 0 if vector else level_of(c, self.n, self.basis)

    def scales(self, e: Sparse, vector: bool) -> dict[tuple[int, int], Fraction]:
        out: dict[tuple[int, int], Fraction] = {}
        for (r, c), v in e.items():
            key = self.of(r, c, vector)
            out[key] = max(out.get(key, Fraction(0)), abs(v))
        return out


def _compare(ctx: Context, g: Sparse, e: Sparse, blocks: _Blocks, vector: bool) -> list[tuple[Fraction, tuple[int, int], tuple[int, int], Fraction]]:
    """Entries beyond their block's tolerance: (|diff|, position, block, tolerance), row-major."""
    scales = blocks.scales(e, vector)
    bad = []
    for key in sorted(set(g) | set(e)):
        blk = blocks.of(key[0], key[1], vector)
        bound = ctx.bound(scales.get(blk, Fraction(0)))
        d = abs(g.get(key, Fraction(0)) - e.get(key, Fraction(0)))
        if d > bound:
            bad.append((d, key, blk, bound))
    return bad


def judge_lifted(ctx: Context, check: str, got: Any, exp_doc: dict[str, Any], basis: str = "kronecker",
                 traps: dict[str, Any] | None = None) -> Verdict:
    """A lifted matrix {M, c, D?} in the canonical (or monomial) basis: M per block (j, k), c per level
    j, each against its own scale; D, when given, must be the expected dimension (ORC-3)."""
    prob = ctx.test["problem"]
    n, order = len(prob["u0"]), int(prob["order"])
    d = int(exp_doc["D"])
    blocks = _Blocks(n, order, basis)
    if not isinstance(got, dict) or "M" not in got:
        return ctx.fail(check, f"{check} must be an object with 'M' (triplets) and 'c' (pairs; absent means zero)")
    if "D" in got and _num(got["D"]) != d:
        return ctx.fail(check, f"{check}.D = {echo(got['D'])}, expected {d} (Σ_j {'C(n+j−1, j)' if basis == 'monomial' else 'n^j'} "
                        f"over j = 1 … N = {order})", ["wrong-D"])
    parsed: dict[str, Sparse] = {}
    for part, width in (("M", 3), ("c", 2)):
        g, err = _triplet_dict(got.get(part, []), width, f"{check}.{part}")
        if g is None:
            return ctx.fail(check, err)
        parsed[part] = g
    exp = {"M": _exp_sparse(exp_doc["M"], 3), "c": _exp_sparse(exp_doc["c"], 2)}
    one_based = _one_based(ctx, parsed, exp, blocks)
    for part in ("M", "c"):
        for r, c in sorted(parsed[part]):
            if r >= d or (part == "M" and c >= d):
                lvl = level_of(max(r, c), n, basis)
                if one_based:
                    return ctx.fail(check, f"{check}.{part} entry [{r}{', ' + str(c) if part == 'M' else ''}] lies "
                                    f"outside the D × D matrix (D = {d}, indices 0 … {d - 1})", ["one-based"])
                return ctx.fail(check, f"{check}.{part} entry [{r}{', ' + str(c) if part == 'M' else ''}] lies "
                                f"outside the D × D truncated matrix (D = {d}, N = {order}): it belongs to level "
                                f"{lvl} > N", ["keep-dropped"])
    msgs: list[str] = []
    hints: list[str] = ["one-based"] if one_based else []
    for part in ("M", "c"):
        vector = part == "c"
        g, e = parsed[part], exp[part]
        bad = _compare(ctx, g, e, blocks, vector)
        if not bad:
            continue
        diff, (r, c), (j, k), bound = bad[0]
        gv = g.get((r, c), Fraction(0))
        e_str = {(int(x[0]), int(x[1]) if not vector else 0): x[-1] for x in exp_doc[part]}
        off = blocks.offsets
        if vector:
            pos = f"level {j} entry [{r - off[j - 1]}] (c[{r}])"
        else:
            pos = f"block ({j}, {k}) entry [{r - off[j - 1]}, {c - off[k - 1]}] (M[{r}, {c}])"
        nblocks = len({b[2] for b in bad})
        scale = max([abs(v) for key, v in e.items() if blocks.of(key[0], key[1], vector) == (j, k)] + [Fraction(0)])
        msgs.append(f"{check}.{part} {pos} = {_short(gv)}, expected {e_str.get((r, c), '0')}: {units(diff, bound)} "
                    f"(tolerance {_g(bound)} = abs + rel · {_g(scale)}, the largest |expected| of this "
                    f"{'level' if vector else 'block'}); {len(bad)} {'entry' if len(bad) == 1 else 'entries'} in "
                    f"{nblocks} {'level' if vector else 'block'}{'s' if nblocks > 1 else ''} differ")
        hints += _matrix_hints(part, g, e, bound, scale, traps or {})
        if vector and e and not any(g.values()):
            hints.append("dropped-c")
    if msgs:
        return ctx.fail(check, "\n    ".join(msgs), hints)
    return ctx.ok(check)


def _one_based(ctx: Context, g: dict[str, Sparse], e: dict[str, Sparse], blocks: _Blocks) -> bool:
    """Whether the matrix, with every index lowered by one, is the expected one (1-based indices)."""
    if not g["M"] or min(min(r, c) for r, c in g["M"]) < 1 or any(r < 1 for r, _ in g["c"]):
        return False
    for part, vector in (("M", False), ("c", True)):
        if _compare(ctx, _shifted(g[part], -1, vector), e[part], blocks, vector):
            return False
    return True


def _matrix_hints(part: str, g: Sparse, e: Sparse, bound: Fraction, scale: Fraction,
                  traps: dict[str, Any]) -> list[str]:
    """The traps (name -> {M, c}) this part matches, and the precision hints."""
    hints = []
    width = 3 if part == "M" else 2
    for trap, doc in traps.items():
        if not isinstance(doc, dict) or part not in doc:
            continue
        t = _exp_sparse(doc[part], width)
        if t == e:
            continue
        tb = max(bound, scale * Fraction(1, 10**20))
        if all(abs(g.get(k, Fraction(0)) - t.get(k, Fraction(0))) <= tb for k in set(g) | set(t)):
            hints.append(trap)
    if hints:
        return hints
    diff = max([abs(g.get(k, Fraction(0)) - e.get(k, Fraction(0))) for k in set(g) | set(e)] + [Fraction(0)])
    _precision_hints(hints, list(g.values()), diff, max([abs(v) for v in e.values()] + [Fraction(0)]), list(e.values()))
    return hints


def _field_traps(ctx: Context, name: str) -> dict[str, Any]:
    """trap name -> its value of field ``name`` (those traps that have one)."""
    return {trap: fields[name] for trap, fields in ctx.test.get("traps", {}).items()
            if isinstance(fields, dict) and name in fields}


def judge_matrix_steps(ctx: Context, got: Any) -> Verdict:
    """The per-step matrices of a time-dependent problem: a list of {t, M, c}; each stored step is
    judged like ``matrix`` (per block)."""
    exp = ctx.expected["matrix_steps"]
    if not isinstance(got, list) or not all(isinstance(x, dict) for x in got):
        return ctx.fail("matrix_steps", "matrix_steps must be a list of {t, M, c} objects, one per step t = 0 … T−1")
    by_t: dict[int, Any] = {}
    for x in got:
        given = _num(x.get("t"))
        if given is None or given.denominator != 1 or not 0 <= given < int(ctx.test["problem"]["steps"]):
            return ctx.fail("matrix_steps", f"matrix_steps entry with t = {echo(x.get('t'))}: t must be a step 0 … T−1")
        if int(given) in by_t:
            return ctx.fail("matrix_steps", f"matrix_steps gives step t = {int(given)} twice")
        by_t[int(given)] = x
    for step in exp["steps"]:
        t = int(step["t"])
        if t not in by_t:
            return ctx.fail("matrix_steps", f"matrix_steps lacks step t = {t} (M_N({t}), c({t}) of the map of step {t})")
        traps: dict[str, Any] = {name: next((s for s in doc["steps"] if int(s["t"]) == t), {})
                 for name, doc in _field_traps(ctx, "matrix_steps").items()}
        v = judge_lifted(ctx, f"matrix_steps[t={t}]", by_t[t], {"D": exp["D"], "M": step["M"], "c": step["c"]},
                         traps=traps)
        if not v.passed:
            return Verdict(ctx.tc, "matrix_steps", False, v.message)
    return ctx.ok("matrix_steps")


# ------------------------------------------------------------------------------------ regime, numbers


def judge_regime(ctx: Context, got: Any) -> Verdict:
    """The regime name must equal the classifier's (REG-*), exactly."""
    exp = ctx.expected["regime"]
    if got == exp:
        return ctx.ok("regime")
    return ctx.fail("regime", f"regime = {echo(got)}, expected {exp!r}")


def _interval(x: Any) -> tuple[Fraction, Fraction | None]:
    """[lo, hi] of an expected interval (hi None: +∞); a lone "inf" is [∞, ∞] (lo None is not used)."""
    lo, hi = x
    return _dec(lo), None if hi == "inf" else _dec(hi)


def judge_regime_numbers(ctx: Context, got: Any) -> Verdict:
    """γ, δ, R_d, r and the h_ℓ against their certified intervals [lo, hi] (REG-1): a number that is an
    upper bound (h_ℓ, r, δ, R_d) must be ≥ lo and ≤ hi + tolerance, γ (a lower bound) ≤ hi and
    ≥ lo − tolerance; R_d "inf" matches only an infinite interval. Tolerances are relative to hi
    (for γ and δ to max(1, h_1), their scale)."""
    exp = ctx.expected["regime_numbers"]
    if not isinstance(got, dict):
        return ctx.fail("regime_numbers", "regime_numbers must be an object {h: {ℓ: value}, r, gamma, delta, R_d}")
    h_got = got.get("h", {})
    if not isinstance(h_got, dict):
        return ctx.fail("regime_numbers", "regime_numbers.h must be an object {ℓ: h_ℓ}")
    for ell in sorted(h_got, key=str):
        if str(ell) not in exp["h"]:
            return ctx.fail("regime_numbers", f"regime_numbers.h has ℓ = {echo(ell)}: the map has no F_{echo(ell)}")
    h1_hi = _interval(exp["h"]["1"])[1] or Fraction(1)
    items: list[tuple[str, Any, Any, str]] = [(f"h_{ell}", h_got.get(ell, "0" if iv == ["0", "0"] else None), iv, "upper")
                                              for ell, iv in sorted(exp["h"].items(), key=lambda x: int(x[0]))]
    items += [(name, got.get(name), exp[name], "lower" if name == "gamma" else "upper")
              for name in ("r", "gamma", "delta", "R_d")]
    for name, value, iv, kind in items:
        if value is None:
            return ctx.fail("regime_numbers", f"regime_numbers lacks {name}")
        if iv == "inf":
            if _is_inf(value):
                continue
            return ctx.fail("regime_numbers", f"regime_numbers.{name} = {echo(value)}, expected inf (γ ≤ 0 is certain)",
                            _rounding_hint(ctx, got))
        lo, hi = _interval(iv)
        if _is_inf(value):
            if hi is None:
                continue
            return ctx.fail("regime_numbers", f"regime_numbers.{name} = inf, expected a value in [{iv[0]}, {iv[1]}]")
        v = _num(value)
        if v is None:
            return ctx.fail("regime_numbers", f"regime_numbers.{name} = {echo(value)} is not a number")
        scale = max(Fraction(1), h1_hi) if name in ("gamma", "delta") else (hi if hi is not None else lo)
        tol = ctx.bound(abs(scale))
        if kind == "upper":
            if v < lo:
                return ctx.fail("regime_numbers", f"regime_numbers.{name} = {_short(v)} is below the certified interval "
                                f"[{iv[0]}, {iv[1]}] of its true value: it is not an upper bound (by "
                                f"{_g(lo - v)})", ["norm-rounded-down"])
            if hi is not None and v > hi + tol:
                return ctx.fail("regime_numbers", f"regime_numbers.{name} = {_short(v)} lies above the certified "
                                f"interval [{iv[0]}, {iv[1]}]: {units(v - hi, tol)} looser than the true value")
        else:
            if hi is not None and v > hi:
                return ctx.fail("regime_numbers", f"regime_numbers.{name} = {_short(v)} is above the certified interval "
                                f"[{iv[0]}, {iv[1]}] (γ = 1 − h_1 must come from an h_1 rounded up)",
                                ["norm-rounded-down"])
            if v < lo - tol:
                return ctx.fail("regime_numbers", f"regime_numbers.{name} = {_short(v)} lies below the certified "
                                f"interval [{iv[0]}, {iv[1]}]: {units(lo - v, tol)}")
    return ctx.ok("regime_numbers")


def _rounding_hint(ctx: Context, got: dict[str, Any]) -> list[str]:
    h1 = got.get("h", {}).get("1") if isinstance(got.get("h"), dict) else None
    v = _num(h1) if h1 is not None else None
    lo = _interval(ctx.expected["regime_numbers"]["h"]["1"])[0]
    return ["norm-rounded-down"] if v is not None and v < lo else []


# ---------------------------------------------------------------------------------------------- bounds


#: Decimal context of the bound comparisons: values of any exponent (a majorant over hundreds of steps
#: reaches 10^7000), compared exactly; ref ± tol formed at 60 digits
_BIG = DecimalContext(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _big(x: Any) -> Decimal | None:
    """A bound value as a Decimal, exactly (decimal strings and JSON numbers at any exponent, doubles
    exactly, "p/q" at 60 digits); None if it is not a finite number."""
    if isinstance(x, bool):
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int | float):
        return Decimal(x) if np.isfinite(x) else None
    if isinstance(x, str) and _DECIMAL_TEXT.match(x.strip()):
        try:
            return Decimal(x.strip())
        except ArithmeticError:
            return None
    v = _num(x)
    return None if v is None else _BIG.divide(Decimal(v.numerator), Decimal(v.denominator))


def judge_series(ctx: Context, group: str, name: str, got: Any) -> Verdict:
    """One bound series (``bounds.BND-1`` … or ``cond_bounds.COND-1`` …) by the upper-bound rule of ORC-3:
    each value must be at most the reference bound + tolerance (abs + rel·|reference value|) and at
    least the quantity it bounds (the error ‖u(t) − ŷ_1(t)‖₂, or κ(L)) — or equal to the reference
    within the tolerance; "inf" (any case) only where the reference is "inf". Values of any magnitude
    are compared exactly (as decimals)."""
    check = f"{group}.{name}"
    exp_doc = ctx.expected
    want = exp_doc[group][name]
    cond = group == "cond_bounds"
    if cond:
        want, errs = [want], [Decimal(exp_doc["kappa"])]
        got = [got]
    else:
        errs = [Decimal(x) for x in exp_doc["error"]]
    steps = int(ctx.test["problem"]["steps"])
    times = list(exp_doc.get("times", range(steps + 1))) if not cond else [0]
    if not isinstance(got, list) or (not cond and len(got) != steps + 1):
        n_got = len(got) if isinstance(got, list) else "no"
        return ctx.fail(check, f"{check} has {n_got} values, expected T+1 = {steps + 1}")
    what = "κ(L)" if cond else "the error ‖u(t) − ŷ_1(t)‖₂"
    a, r = (Decimal(x.numerator) / Decimal(x.denominator) for x in ctx.tolerance())
    for row, t in enumerate(times):
        g, e = got[t], want[row]
        at = check if cond else f"{check}[{t}]"
        if e == "inf" or _is_inf(g):
            if e == "inf" and _is_inf(g):
                continue
            if e == "inf":
                return ctx.fail(check, f"{at} = {echo(g)}, expected inf (the form gives no bound here)")
            return ctx.fail(check, f"{at} = inf, expected {e}: the reference bound is finite")
        v = _big(g)
        if v is None:
            return ctx.fail(check, f"{at} = {echo(g)} is not a finite number")
        ref = Decimal(e)
        tol = _BIG.add(a, _BIG.multiply(r, ref.copy_abs()))
        if v > _BIG.add(ref, tol):
            over = _BIG.subtract(v, ref)
            shown = f"off by {_BIG.divide(over, tol):.3g} tol" if tol else f"off by {over:.3g} (tolerance 0)"
            return ctx.fail(check, f"{at} = {_BIG.plus(v):.17g} is looser than the reference bound {e}: {shown} "
                            "(a valid bound must be no looser than the reference + tolerance)",
                            ["per-step-norms"] if "TimeDependent" in ctx.test["flags"] else [])
        if v < errs[row] and _BIG.subtract(v, ref).copy_abs() > tol:
            return ctx.fail(check, f"{at} = {_BIG.plus(v):.17g} is below {what} = {errs[row]:.6g}: "
                            "not an upper bound", ["not-an-upper-bound"])
    return ctx.ok(check)


def judge_not_applicable(ctx: Context, group: str, name: str) -> Verdict:
    """A provided series that the test does not list: not applicable (with the reason) or unknown."""
    check = f"{group}.{name}"
    missing = ctx.expected.get("not_applicable", {})
    if name in missing:
        # at a marginal problem (h_1 = 1 exactly) a series that needs h_1 < 1 or ρ(m) < 1 is the symptom
        hints = ["norm-rounded-down"] if "MarginalNorm" in ctx.test["flags"] else []
        return ctx.fail(check, f"{check} does not apply: {missing[name]}", hints)
    known = sorted(ctx.expected.get(group, {}))
    return ctx.fail(check, f"{check} is not a series of this test (its series: {', '.join(known) or 'none'}; "
                    "series are named by their clause ID)")


def judge_kappa(ctx: Context, got: Any) -> Verdict:
    """κ(L) of the test's Eq. 6 system (SYS-3), relative to itself."""
    e = _dec(ctx.expected["kappa"])
    v = _num(got)
    if v is None:
        return ctx.fail("kappa", f"kappa = {echo(got)} is not a number")
    tol = ctx.bound(e)
    if abs(v - e) > tol:
        hints = [trap for trap, value in _field_traps(ctx, "kappa").items() if abs(v - _dec(value)) <= max(tol, e / 10**20)]
        return ctx.fail("kappa", f"kappa = {_short(v)}, expected {ctx.expected['kappa']}: {units(abs(v - e), tol)}"
                        + (" (κ(L) ≥ 1 always)" if v < 1 else ""), hints)
    return ctx.ok("kappa")


# ------------------------------------------------------------------------------------------------- hhl


def _complex(x: Any) -> complex | None:
    """A state entry as a complex float (None if not a number, or beyond the float64 range: a state's
    entries are at most 1 in modulus, so such a value fails the test whatever it is)."""
    parts = [_num(p) for p in x] if isinstance(x, list) and len(x) == 2 else [_num(x), Fraction(0)]
    if any(p is None or not fits_float64(p) for p in parts):
        return None
    re, im = (float(p) for p in parts if p is not None)
    return complex(re, im)


def _phase_distance(want: list[float], got: list[complex]) -> tuple[float, complex]:
    overlap = sum(w * v for w, v in zip(want, got, strict=True))
    phase = overlap / abs(overlap) if abs(overlap) else 1.0
    return max((abs(v / phase - w) for w, v in zip(want, got, strict=True)), default=0.0), phase


def judge_hhl_state(ctx: Context, got: Any) -> Verdict:
    """The post-selected state on all 2^k entries, up to a global phase (HHL-2)."""
    exp = ctx.expected["hhl"]
    want = [float(Decimal(x)) for x in exp["state"]]
    absol, rel = (float(x) for x in ctx.tolerance())
    system = ctx.test.get("system", {})
    if not isinstance(got, list) or len(got) != len(want):
        n = len(got) if isinstance(got, list) else "no"
        hints = [trap for trap, doc in ctx.test.get("traps", {}).items()
                 if isinstance(got, list) and doc.get("qubits") is not None and len(got) == 2 ** int(doc["qubits"])]
        return ctx.fail("hhl.state", f"hhl.state has {n} entries, expected 2^k = {len(want)} (k = {system.get('qubits', '?')} "
                        f"qubits: the {'dilated' if system.get('dilated', True) else 'undilated'} system of "
                        f"{system.get('size', '?')} rows padded to a power of two)", hints)
    vals = [_complex(x) for x in got]
    if any(v is None for v in vals):
        return ctx.fail("hhl.state", "hhl.state entries must be numbers or [re, im] pairs within the float64 range")
    cv = [v for v in vals if v is not None]
    bound = absol + rel * max(abs(w) for w in want)
    _, phase = _phase_distance(want, cv)
    for i, (w, v) in enumerate(zip(want, cv, strict=True)):
        if abs(v / phase - w) > bound:
            hints = []
            for trap, doc in ctx.test.get("traps", {}).items():
                tstate = doc.get("hhl", {}).get("state") if isinstance(doc, dict) else None
                if tstate and len(tstate) == len(cv):
                    d, _ = _phase_distance([float(Decimal(x)) for x in tstate], cv)
                    if d <= max(bound, 1e-9):
                        hints.append(trap)
            diff = abs(v / phase - w)
            return ctx.fail("hhl.state", f"hhl.state[{i}] = {v / phase:.17g} (after removing the global phase), expected "
                            f"{exp['state'][i]}: off by {diff / bound if bound else diff:.3g} tol (tolerance {bound:.3g})",
                            hints)
    return ctx.ok("hhl.state")


def judge_hhl_probability(ctx: Context, got: Any) -> Verdict:
    e_text = ctx.expected["hhl"]["success_probability"]
    g, e = _num(got), _dec(e_text)
    tol = ctx.bound(e)
    if g is None or abs(g - e) > tol:
        shown = echo(got) if g is None else f"{_short(g)}: {units(abs(g - e), tol)}"
        hints = [trap for trap, doc in ctx.test.get("traps", {}).items() if g is not None
                 and "success_probability" in doc.get("hhl", {})
                 and abs(g - _dec(doc["hhl"]["success_probability"])) <= max(tol, e / 10**20)]
        return ctx.fail("hhl.success_probability", f"hhl.success_probability = {shown}, expected {e_text}", hints)
    return ctx.ok("hhl.success_probability")


# ------------------------------------------------------------------------------------ tables and maps


def _table_blocks(doc: Any) -> dict[tuple[int, int], tuple[bool, list[tuple[int, tuple[str, ...], bool]]]] | str:
    if not isinstance(doc, dict) or not isinstance(doc.get("blocks"), list):
        return "table must be an FMT-3 object with 'blocks'"
    out: dict[tuple[int, int], tuple[bool, list[tuple[int, tuple[str, ...], bool]]]] = {}
    for i, b in enumerate(doc["blocks"]):
        try:
            key = (int(b["j"]), int(b["k"]))
            entries = sorted((int(e["eta_order"]), tuple(str(f) for f in e["factors"]), bool(e["discrete_only"]))
                             for e in b["entries"])
            dropped = bool(b.get("dropped", False))
        except (KeyError, TypeError, ValueError):
            return f"table.blocks[{i}] must have j, k, dropped and entries [{{eta_order, factors, discrete_only}}]"
        if key in out:
            return f"table gives block ({key[0]}, {key[1]}) twice"
        out[key] = (dropped, entries)
    return out


def judge_table(ctx: Context, got: Any) -> Verdict:
    """An η-order correction table (FMT-3): the same non-zero blocks, each with the same compositions
    (η order, factors in tensor order, discrete_only) — in any order within a block."""
    exp = _table_blocks(ctx.expected["table"])
    g = _table_blocks(got)
    assert not isinstance(exp, str)
    if isinstance(g, str):
        return ctx.fail("table", g)
    for key in sorted(set(exp) | set(g)):
        if key not in g:
            return ctx.fail("table", f"table lacks block ({key[0]}, {key[1]}) ({len(exp[key][1])} compositions)")
        if key not in exp:
            return ctx.fail("table", f"table has block ({key[0]}, {key[1]}), which is zero or outside the table",
                            ["keep-dropped"] if key[1] > int(ctx.test["table_request"]["order"]) else [])
        (d_e, e_e), (d_g, e_g) = exp[key], g[key]
        if d_e != d_g:
            return ctx.fail("table", f"table block ({key[0]}, {key[1]}): dropped = {d_g}, expected {d_e} (k > N)")
        if e_e != e_g:
            missing = [x for x in e_e if x not in e_g]
            extra = [x for x in e_g if x not in e_e]
            what = (f"missing {_term(missing[0])}" if missing else f"unexpected {_term(extra[0])}")
            hints = ["continuous"] if not ctx.test["table_request"]["continuous"] and missing and \
                all(x[0] >= 2 for x in missing) else []
            return ctx.fail("table", f"table block ({key[0]}, {key[1]}) has {len(e_g)} compositions, expected "
                            f"{len(e_e)}: {what} ({len(missing)} missing, {len(extra)} unexpected)", hints)
    return ctx.ok("table")


def _term(t: tuple[int, tuple[str, ...], bool]) -> str:
    return f"{' ⊗ '.join(t[1])} (η order {t[0]}{', discrete only' if t[2] else ''})"


def judge_map(ctx: Context, got: Any) -> Verdict:
    """The F_ℓ of a loss (MAP-2) as {ℓ: [[row, col, value], …]}, each F_ℓ judged against its own scale."""
    exp = ctx.expected["map"]
    n = int(ctx.test["loss"]["n"])
    if not isinstance(got, dict):
        return ctx.fail("map", "map must be an object {ℓ: [[row, col, value], …]} (F_0 with col 0)")
    for ell in sorted(set(got) | set(exp), key=lambda x: int(x) if str(x).isdigit() else 10**9):
        if str(ell) not in exp:
            entries, _ = _triplet_dict(got[ell], 3, f"map.{ell}")
            if entries and any(entries.values()):
                return ctx.fail("map", f"map has F_{echo(ell)}, beyond the degree q = {ctx.test['loss']['degree']} of the map")
            continue
        g, err = _triplet_dict(got.get(ell, []), 3, f"map.{ell}")
        if g is None:
            return ctx.fail("map", err)
        width = n ** int(ell) if int(ell) else 1
        for r, c in g:
            if r >= n or c >= width:
                return ctx.fail("map", f"map.{ell} entry [{r}, {c}] lies outside F_{ell} ({n} × {width}; 0-based)")
        e = _exp_sparse(exp[ell], 3)
        scale = max([abs(v) for v in e.values()] + [Fraction(0)])
        bound = ctx.bound(scale)
        bad = [(abs(g.get(k, Fraction(0)) - e.get(k, Fraction(0))), k) for k in sorted(set(g) | set(e))
               if abs(g.get(k, Fraction(0)) - e.get(k, Fraction(0))) > bound]
        if bad:
            d, (r, c) = max(bad, key=lambda b: b[0])
            e_str = {(int(x[0]), int(x[1])): x[-1] for x in exp[ell]}
            return ctx.fail("map", f"map.{ell} entry [{r}, {c}] = {_short(g.get((r, c), Fraction(0)))}, expected "
                            f"{e_str.get((r, c), '0')}: {units(d, bound)}; {len(bad)} entries of F_{ell} differ")
    return ctx.ok("map")


# ---------------------------------------------------------------------------------------------- entry


def judge_check(ctx: Context, check: str, got: Any) -> Verdict:
    """Judge one check (a field, or ``group.part``) of a test."""
    if "." in check:
        group, part = check.split(".", 1)
        if group == "hhl":
            return judge_hhl_state(ctx, got) if part == "state" else judge_hhl_probability(ctx, got)
        return judge_series(ctx, group, part, got)
    if check in ("matrix", "monomial"):
        return judge_lifted(ctx, check, got, ctx.expected[check], "monomial" if check == "monomial" else "kronecker",
                            _field_traps(ctx, check))
    if check == "matrix_steps":
        return judge_matrix_steps(ctx, got)
    if check == "regime":
        return judge_regime(ctx, got)
    if check == "regime_numbers":
        return judge_regime_numbers(ctx, got)
    if check == "kappa":
        return judge_kappa(ctx, got)
    if check == "table":
        return judge_table(ctx, got)
    if check == "map":
        return judge_map(ctx, got)
    return judge_rows(ctx, check, got)
