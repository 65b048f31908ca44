"""Shared assertions for numeric results, phrased in the spec's terms and reporting in tolerance units.

``assert_close(got, expected, *, eps_units=k | tol=x, scale=s, atol=a, what=...)`` passes iff every
entry satisfies

    |got − expected| ≤ k · eps · s + a        (eps_units=k, eps = float64 machine epsilon 2⁻⁵²)
    |got − expected| ≤ x · s + a              (tol=x)

with ``s`` a scalar or an array of per-entry scales (broadcast to the shape of ``got``) — the
semantics of ORC-3 (abs + rel · S) with the scale spelled out. On failure it names the worst entry
(largest error in tolerance units), its index, its error in units of its tolerance, the tolerance
itself and how many entries are outside, e.g.::

    M_N of LIFT-2: entry [3, 17] off by 4.1e3 × tol (tol = 8 eps · 2.3): got 1.0000000000167,
    expected 1.0, |got − expected| = 1.7e-11; 1 of 120 entries outside tol

Entries may be float, int, complex or numpy numbers (compared in float64 / complex128, as the
ad-hoc expressions they replace did), or exact and high-precision numbers — ``Fraction``,
``Decimal``, decimal or "p/q" strings, mpmath ``mpf``, python-flint ``arb`` (its midpoint), ``fmpq``,
``fmpz``, SymPy rationals — which are compared exactly, as rationals (each number taken at its exact
value). Shapes must be equal (no broadcasting of ``expected``); NaN never passes; an empty
comparison fails (a check of nothing cannot fail).

``assert_exact_equal(got, expected, *, what=...)`` is exact equality of rationals entry by entry; it
reports the first differing entry. Balls with a radius are refused (they are not exact numbers).

SciPy sparse matrices are compared as dense arrays.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp

EPS = float(np.finfo(float).eps)

__all__ = ["EPS", "assert_close", "assert_exact_equal"]


# --------------------------------------------------------------------------------------------------
# conversions


def _dense(x: Any) -> np.ndarray:
    """An ndarray of the values (object dtype kept for exact numbers); sparse matrices made dense."""
    if sp.issparse(x):
        x = x.toarray()
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufcO":  # strings, bytes, ...: exact path
        arr = np.asarray(x, dtype=object)
    return arr


def _is_float_array(a: np.ndarray) -> bool:
    return a.dtype.kind in "biufc"


def _exact_value(x: Any, *, ball: str = "mid") -> Fraction | None:
    """The exact rational value of one number (None for NaN / infinities).

    ``ball="mid"`` takes an arb's midpoint; ``ball="refuse"`` refuses an arb of nonzero radius.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool | np.bool_):
        return Fraction(int(x))
    if isinstance(x, Integral | np.integer):
        return Fraction(int(x))
    if isinstance(x, float | np.floating):
        return Fraction(float(x)) if math.isfinite(x) else None
    if isinstance(x, Decimal):
        return Fraction(x) if x.is_finite() else None
    if isinstance(x, str):
        s = x.strip()
        if s.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            return None
        return Fraction(s)
    cls = type(x).__name__
    module = type(x).__module__ or ""
    if module.startswith("mpmath") and cls == "mpf":
        import mpmath

        if not mpmath.isfinite(x):
            return None
        p, q = mpmath.libmp.to_rational(x._mpf_)
        return Fraction(int(p), int(q))
    if module.startswith("flint"):
        if cls == "arb":
            if not x.is_finite():
                return None
            if ball == "refuse" and not x.is_exact():
                raise TypeError(f"a ball of radius {x.rad()}, not an exact number: {x}")
            man, exp = x.mid().man_exp()
            man, exp = int(man), int(exp)
            return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
        if cls == "fmpq":
            return Fraction(int(x.p), int(x.q))
        if cls == "fmpz":
            return Fraction(int(x))
    if module.startswith("sympy") and getattr(x, "is_Rational", False):
        return Fraction(int(x.p), int(x.q))
    raise TypeError(f"cannot compare a {module}.{cls} ({x!r}) as a number")


def _exact_array(a: np.ndarray, what: str, *, ball: str = "mid") -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        try:
            out[idx] = _exact_value(a[idx], ball=ball)
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            raise AssertionError(f"{what}: {_where(idx)} is not an exact number: {exc}") from None
    return out


def _plain(x: Any) -> bool:
    """A Python or numpy int/float: the float path may use it as is."""
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


# --------------------------------------------------------------------------------------------------
# formatting


def _g(x: float) -> str:
    """Two significant digits, exponent without '+' or leading zeros: 4.1e3, 2.3, 1e-12."""
    if not math.isfinite(x):
        return str(x)
    r = float(f"{x:.2g}")
    if r == 0 or 1e-3 <= abs(r) < 1e3:
        return f"{r:g}"
    mant, exp = f"{r:.1e}".split("e")
    return f"{mant.removesuffix('.0')}e{int(exp)}"


def _index(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]"


def _where(idx: tuple[int, ...]) -> str:
    return "value" if idx == () else f"entry {_index(idx)}"


def _show(x: Any) -> str:
    """A number as the test sees it: floats by repr, rationals as p/q or to 30 significant digits."""
    if isinstance(x, Fraction):
        if x.denominator < 10**6:
            return str(x)
        with localcontext() as ctx:
            ctx.prec = 30
            return str(Decimal(x.numerator) / Decimal(x.denominator))
    if isinstance(x, np.generic):
        x = x.item()
    return repr(x)


def _tol_text(unit_text: str, scale: Any, atol: Any) -> str:
    text = f"{unit_text} · {_g(float(scale))}"
    if atol:
        text += f" + {float(_exact_value(atol) or 0):g}"
    return text


# --------------------------------------------------------------------------------------------------
# assert_close


def assert_close(
    got: Any,
    expected: Any,
    *,
    eps_units: float | None = None,
    tol: float | str | Fraction | None = None,
    scale: Any = 1.0,
    atol: float | str | Fraction = 0.0,
    what: str,
) -> None:
    """Assert |got − expected| ≤ (k·eps or tol) · scale + atol entry by entry (see the module docstring).

    ``what`` names the compared quantity in the spec's terms ("ŷ_1(t) of LIFT-2 at t = 3").
    """
    if (eps_units is None) == (tol is None):
        raise TypeError("assert_close: give exactly one of eps_units (multiples of eps) and tol")
    if not what:
        raise TypeError("assert_close: name the compared quantity with what=")
    g, e = _dense(got), _dense(expected)
    if g.shape != e.shape:
        raise AssertionError(f"{what}: shape {g.shape} differs from the expected {e.shape}")
    if g.size == 0:
        raise AssertionError(f"{what}: nothing compared (empty)")
    s = _dense(scale)
    try:
        s = np.broadcast_to(s, g.shape)
    except ValueError:
        raise TypeError(f"assert_close: scale of shape {s.shape} does not broadcast to {g.shape}") from None
    unit_text = f"{eps_units:g} eps" if eps_units is not None else f"{float(_exact_value(tol) or 0):g}"
    if _is_float_array(g) and _is_float_array(e) and _is_float_array(s) and _plain(atol) \
            and (tol is None or _plain(tol)):
        _close_float(g, e, s, eps_units, tol, atol, unit_text, what)
    else:
        _close_exact(g, e, s, eps_units, tol, atol, unit_text, what)


def _close_float(g, e, s, eps_units, tol, atol, unit_text, what) -> None:
    kind = np.complex128 if "c" in (g.dtype.kind, e.dtype.kind) else np.float64
    g, e, s = g.astype(kind), e.astype(kind), s.astype(np.float64)
    if np.any(s < 0) or np.any(np.isnan(s)) or atol < 0 or (tol is not None and tol < 0):
        raise ValueError(f"assert_close ({what}): scale, tol and atol must be ≥ 0")
    unit = eps_units * EPS if eps_units is not None else float(tol)
    bound = unit * s + atol
    with np.errstate(invalid="ignore"):  # inf − inf: NaN, which fails below
        err = np.abs(g - e)
    ok = err <= bound  # NaN compares False: never passes
    if ok.all():
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(bound > 0, err / bound, np.where(err > 0, np.inf, 0.0))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)  # passing entries have ratio ≤ 1 < failing ones
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), g.shape))
    _fail(what, idx, float(ratio[idx]), _tol_text(unit_text, s[idx], atol), g[idx], e[idx], err[idx],
          int((~ok).sum()), g.size)


def _close_exact(g, e, s, eps_units, tol, atol, unit_text, what) -> None:
    ge, ee = _exact_array(g, what), _exact_array(e, what)
    se = _exact_array(np.asarray(s, dtype=object), what + " (scale)")
    unit = Fraction(eps_units) * Fraction(EPS) if eps_units is not None else _exact_value(tol)
    a = _exact_value(atol)
    if unit is None or a is None or unit < 0 or a < 0:
        raise ValueError(f"assert_close ({what}): tol and atol must be finite and ≥ 0")
    worst: tuple[float, tuple[int, ...], Any, Fraction | None] | None = None
    bad = 0
    for idx in np.ndindex(g.shape):
        sc = se[idx]
        if sc is None or sc < 0:
            raise ValueError(f"assert_close ({what}): scale must be finite and ≥ 0 (entry {_index(idx)})")
        bound = unit * sc + a
        x, y = ge[idx], ee[idx]
        if x is None or y is None:  # NaN or infinite: never close
            err, ratio = None, math.inf
        else:
            err = abs(x - y)
            if err <= bound:
                continue
            try:
                ratio = float(err / bound) if bound > 0 else math.inf
            except OverflowError:
                ratio = math.inf
        bad += 1
        if worst is None or ratio > worst[0]:
            worst = (ratio, idx, sc, err)
    if worst is None:
        return
    ratio, idx, sc, err = worst
    _fail(what, idx, ratio, _tol_text(unit_text, sc, atol), g[idx], e[idx], err, bad, g.size)


def _fail(what, idx, ratio, tol_text, got, expected, err, bad, size) -> None:
    diff = "undefined" if err is None or (isinstance(err, float) and math.isnan(err)) else _g(float(err))
    raise AssertionError(
        f"{what}: {_where(idx)} off by {_g(ratio)} × tol (tol = {tol_text}): got {_show(got)}, "
        f"expected {_show(expected)}, |got − expected| = {diff}; {bad} of {size} entries outside tol"
    )


# --------------------------------------------------------------------------------------------------
# assert_exact_equal


def assert_exact_equal(got: Any, expected: Any, *, what: str) -> None:
    """Assert exact equality of rational values entry by entry; report the first differing entry.

    Floats count at their exact binary value (so a dyadic float may equal a Fraction); a ball of
    nonzero radius, NaN or an infinity is refused.
    """
    if not what:
        raise TypeError("assert_exact_equal: name the compared quantity with what=")
    g, e = _dense(got), _dense(expected)
    if g.shape != e.shape:
        raise AssertionError(f"{what}: shape {g.shape} differs from the expected {e.shape}")
    if g.size == 0:
        raise AssertionError(f"{what}: nothing compared (empty)")
    ge = _exact_array(g.astype(object), what, ball="refuse")
    ee = _exact_array(e.astype(object), what, ball="refuse")
    differing = [idx for idx in np.ndindex(g.shape) if ge[idx] is None or ee[idx] is None or ge[idx] != ee[idx]]
    if not differing:
        return
    idx = differing[0]
    x, y = ge[idx], ee[idx]
    if x is None or y is None:
        detail = ""
    else:
        d = x - y
        detail = f", difference {d if d.denominator < 10**6 else _g(float(d))}"
    raise AssertionError(
        f"{what}: {_where(idx)} differs: got {_show(g[idx])}, expected {_show(e[idx])}{detail}; "
        f"{len(differing)} of {g.size} entries differ"
    )
