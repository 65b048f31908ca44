"""The forced viscous Burgers equation as a time-dependent quadratic map (clause MOD-10).

The standard benchmark of quantum Carleman methods, in the configuration of the numerical section
of J.-P. Liu, H. Ø. Kolden, H. K. Krovi, N. F. Loureiro, K. Trivisa and A. M. Childs, "Efficient
quantum algorithm for dissipative nonlinear differential equations", PNAS 118 (35) e2026805118
(2021), arXiv:2011.03185. The parameters below were checked against the authors' published script
``carleman_burgers.m`` (github.com/hermankolden/CarlemanBurgers, whose README states that it
reproduces the paper's results):

    u_t + u u_x = ν u_xx + f(x, t),   x ∈ [−L0/2, L0/2], L0 = 1,   u = 0 at x = ±1/2

* grid: ``nx`` points x_i = −1/2 + i·dx, i = 0 … nx − 1, both end points included, dx = 1/(nx − 1);
* time: ``nt`` points t_k = k·dt on [0, T_end], dt = T_end/(nt − 1); explicit Euler,
  u(k+1) = u(k) + dt (F_0(t_k) + F_1 u(k) + F_2 u(k)⊗u(k)), so the problem has nt − 1 steps;
* U0 = 1/√(nx − 1) (initial maximum velocity), ν = U0·L0/Re0 (Re0 the target Reynolds number);
* u(0)_i = −U0 sin(2π x_i);
* F_1 = ν·(u_{i+1} − 2u_i + u_{i−1})/dx² and (F_2 u⊗u)_i = −(u_{i+1}² − u_{i−1}²)/(4dx) (central
  differences of u_xx and of (u²/2)_x) on the interior rows; the two Dirichlet boundary rows
  (i = 0 and i = nx − 1) of F_1 and F_2 are zero;
* source f(x, t) = U0 exp(−(x − L0/4)²/(2(L0/32)²)) cos(2πt), on every row: the published script
  keeps the boundary rows of F_0 (it does not zero them), so the boundary values move by dt·f there,
  at most U0·e^{−32} ≈ 3.3e−15 per unit time.

The map of the problem is dt times these (MAP-1 with q = 2): F_1 and F_2 are shared by every step
(one object each), F_0 is one n-vector per step, and steps whose source values are equal as real
numbers (cos(2πt) repeats) share one F_0 object.

Exactness. dx, dt and the entries ±dt/(4dx) of F_2 are rational and stored exactly. U0, ν, the
exponentials, sines and cosines are irrational in general, so each entry of F_1, F_0 and u(0) is the
float64 nearest to its real value (round half to even), taken exactly as a rational. The nearest
double is certified: the real value is enclosed in a python-flint (arb) ball and both ends of the
ball must round to the same double (else the precision is raised). A float64 code that builds the
map by evaluating the formulas in float64 gets the same values up to a few units in the last place;
a different rounding convention gives a different (equally valid) map.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import flint

from qsgd_ref.base.balls import arb_prec, ball
from qsgd_ref.base.errors import InputError
from qsgd_ref.problem import MAX_STEPS, ExactMatrix, Problem, make_problem
from qsgd_ref.problem.model import check_horizon

#: the published configuration (PNAS 2021, numerical section)
DEFAULT_NX = 16
DEFAULT_NT = 4000
DEFAULT_REYNOLDS = 20
DEFAULT_T_END = 3
#: largest grid accepted (F_2 has nx² columns; the budget of the lifted vector is checked too)
MAX_NX = 100_000
CITATION = ("J.-P. Liu, H. Ø. Kolden, H. K. Krovi, N. F. Loureiro, K. Trivisa, A. M. Childs, Efficient quantum "
            "algorithm for dissipative nonlinear differential equations, PNAS 118 (35) e2026805118 (2021), "
            "numerical section (arXiv:2011.03185); configuration as in the authors' script carleman_burgers.m "
            "(github.com/hermankolden/CarlemanBurgers)")

#: arb working precision (bits) of the first attempt at certifying a rounding, and the last
_PREC = 128
_MAX_PREC = 1 << 14


class _Uncertified(ArithmeticError):
    """A ball straddles a rounding boundary of float64."""


def _dyadic_to_float(x: flint.arb) -> float:
    """An exact arb (a dyadic m·2^e) rounded to the nearest float64 (Python's int division is correctly rounded)."""
    man, exp = x.man_exp()
    m, e = int(man), int(exp)
    return float(m * 2**e) if e >= 0 else m / 2**-e


def _nearest_double(x: flint.arb) -> float:
    """The float64 nearest to every value in the ball, or :class:`_Uncertified`."""
    if not x.is_finite():
        raise _Uncertified
    lo, hi = _dyadic_to_float(x.lower()), _dyadic_to_float(x.upper())
    if lo != hi:
        raise _Uncertified
    return lo + 0.0  # −0.0 → 0.0


def _exact(x: Any, field: str) -> Fraction:
    try:
        return Fraction(x) if not isinstance(x, float) else Fraction(repr(x))
    except (TypeError, ValueError):
        raise InputError(field, f"must be a number, got {x!r}") from None


def _check(nx: int, nt: int, reynolds: Fraction, t_end: Fraction, order: int) -> None:
    for field, value, lo, hi in (("nx", nx, 3, MAX_NX), ("nt", nt, 2, MAX_STEPS + 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise InputError(field, f"must be an integer between {lo} and {hi:,}, got {value!r}")
    if reynolds <= 0:
        raise InputError("reynolds", f"must be > 0, got {reynolds}")
    if t_end <= 0:
        raise InputError("t_end", f"must be > 0, got {t_end}")
    if isinstance(order, bool) or not isinstance(order, int):
        raise InputError("order", f"must be a positive integer, got {order!r}")
    check_horizon(nt - 1, order, nx, nt - 1)


def burgers_problem(order: int, *, nx: int = DEFAULT_NX, nt: int = DEFAULT_NT,
                    reynolds: Fraction | int | str = DEFAULT_REYNOLDS, t_end: Fraction | int | str = DEFAULT_T_END,
                    name: str = "burgers") -> Problem:
    """The explicit-Euler map of the forced viscous Burgers equation (MOD-10), truncated at ``order``.

    Defaults are the published configuration (nx = 16, nt = 4000, Re0 = 20, T_end = 3): n = nx,
    T = nt − 1 steps, F = {1: dt·F_1, 2: dt·F_2} shared by all steps and one F_0 per step.

    >>> p = burgers_problem(2, nt=50)
    >>> print(p)
    burgers: n = 16, degree q = 2, time-dependent (49 maps), T = 49, N = 2, lifted dimension D = 272
    >>> p.map_at(0)[2].nnz, p.map_at(0)[1].nnz, p.map_at(0)[1] is p.map_at(48)[1]
    (28, 42, True)
    """
    re0 = _exact(reynolds, "reynolds")
    tend = _exact(t_end, "t_end")
    _check(nx, nt, re0, tend, order)
    h = nx - 1                                  # 1/dx
    dt = tend / (nt - 1)
    xs = [Fraction(-1, 2) + Fraction(i, h) for i in range(nx)]
    interior = range(1, nx - 1)
    adv = dt * h / 4                            # dt/(4 dx), exact
    F2 = ExactMatrix.from_entries((nx, nx * nx), [e for i in interior for e in (
        (i, (i - 1) * (nx + 1), adv), (i, (i + 1) * (nx + 1), -adv))])

    prec = _PREC
    while True:
        try:
            with arb_prec(prec):
                F1, u0, f0_steps = _rounded_parts(nx, nt, h, dt, re0, tend, xs)
            break
        except _Uncertified:
            prec *= 2
            if prec > _MAX_PREC:  # pragma: no cover - only a value on a rounding tie at every precision
                raise ArithmeticError(f"cannot certify float64 rounding at {_MAX_PREC} bits") from None

    meta = _meta(nx, nt, h, dt, re0, tend)
    return make_problem(F={1: F1, 2: F2}, F_steps=f0_steps, u0=u0, steps=nt - 1, order=order, name=name, meta=meta)


def _rounded_parts(nx: int, nt: int, h: int, dt: Fraction, re0: Fraction, tend: Fraction,
                   xs: list[Fraction]) -> tuple[ExactMatrix, list[Fraction], list[dict[int, ExactMatrix]]]:
    """F_1, u(0) and the per-step {0: F_0(t_k)}, each irrational entry the certified nearest float64."""
    u_0 = flint.arb(h).rsqrt()                  # U0 = 1/√(nx − 1)
    diff = ball(dt * h * h / re0) * u_0         # dt·ν/dx² = dt·U0·(nx − 1)²/Re0
    a, d = Fraction(_nearest_double(diff)), Fraction(_nearest_double(-2 * diff))
    F1 = ExactMatrix.from_entries((nx, nx), [e for i in range(1, nx - 1)
                                             for e in ((i, i - 1, a), (i, i, d), (i, i + 1, a))])
    u0 = [Fraction(_nearest_double(-u_0 * ball(2 * x).sin_pi())) for x in xs]
    # dt·U0·exp(−(x − 1/4)²/(2(1/32)²)) = dt·U0·exp(−512 (x − 1/4)²)
    shape = [ball(dt) * u_0 * ball(-512 * (x - Fraction(1, 4)) ** 2).exp() for x in xs]
    by_phase: dict[Fraction, ExactMatrix] = {}
    steps: list[dict[int, ExactMatrix]] = []
    for k in range(nt - 1):
        r = (2 * k * tend / (nt - 1)) % 2       # cos(2π t_k) = cos(π r) = cos(π (2 − r))
        r = min(r, 2 - r)
        f0 = by_phase.get(r)
        if f0 is None:
            c = ball(r).cos_pi()
            f0 = ExactMatrix.from_entries((nx, 1), [(i, 0, Fraction(_nearest_double(s * c))) for i, s in enumerate(shape)])
            by_phase[r] = f0
        steps.append({0: f0})
    return F1, u0, steps


def _meta(nx: int, nt: int, h: int, dt: Fraction, re0: Fraction, tend: Fraction) -> dict[str, Any]:
    u0f = (nx - 1) ** -0.5
    nu = u0f / float(re0)
    return {
        "model": "burgers",
        "citation": CITATION,
        "equation": "u_t + u u_x = nu u_xx + f(x, t) on [-1/2, 1/2] (L0 = 1), Dirichlet u = 0 at x = -1/2 and x = 1/2",
        "nx": nx,
        "nt": nt,
        "reynolds": str(re0),
        "t_end": str(tend),
        "grid": f"x_i = -1/2 + i*dx, i = 0 ... {nx - 1} (both end points included)",
        "dx": str(Fraction(1, h)),
        "dt": str(dt),
        "time_points": f"t_k = k*dt, k = 0 ... {nt - 1}; step k (u(k) -> u(k+1)) uses F_0(t_k)",
        "U0": f"1/sqrt({h}) = {u0f!r}",
        "nu": f"U0*L0/Re0 = {nu!r}",
        "u0": "u(0)_i = -U0 sin(2 pi x_i)",
        "F0": "dt*U0*exp(-(x_i - 1/4)^2/(2*(1/32)^2))*cos(2 pi t_k), every row i (boundary rows kept, as published)",
        "F1": "dt*nu*(u_{i+1} - 2 u_i + u_{i-1})/dx^2 on the interior rows",
        "F2": "-dt*(u_{i+1}^2 - u_{i-1}^2)/(4 dx) on the interior rows: entries +-dt/(4 dx) at columns (i-1)(n+1), (i+1)(n+1)",
        "boundary_rows_zeroed": {"F1": [0, nx - 1], "F2": [0, nx - 1], "F0": []},
        "cfl_advective": f"U0*dt/dx = {u0f * float(dt) * h:.6g}",
        "cfl_diffusive": f"2*nu*dt/dx^2 = {2 * nu * float(dt) * h * h:.6g}",
        "truncated": False,
        "map_exact": False,
        "coefficients": "float64-rounded",
        "rounding": ("dx, dt and F_2 are exact rationals; every entry of F_1, F_0 and u0 is the float64 nearest to "
                     "its real value (round half to even, certified from python-flint arb enclosures), taken "
                     "exactly as a rational"),
    }
