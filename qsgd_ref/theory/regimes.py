"""Dissipation regimes of a discrete polynomial map (clauses REG-1 … REG-7).

:func:`classify` returns data — the regime, the numbers behind it, what it promises and the reasons —
and never raises for an out-of-regime problem. Definitions and proofs: docs/theory/regimes.md.

* REG-1 numbers: h_ℓ ≥ ‖H_ℓ‖₂ (certified rational upper bounds, supremum over the steps),
  r ≥ ‖u(0)‖₂, γ = 1 − h_1, δ = max(h_1 − 1, 0), R_d(s) = (Σ_{ℓ≥2} h_ℓ s^{ℓ−1} + h_0/s)/γ for a radius
  s ≥ r (null when γ ≤ 0: R_d = ∞).
* REG-6 the radius: s ≥ r minimising R_d(s) (:mod:`qsgd_ref.theory.scale`).
* REG-2 fully dissipative: γ > 0 and R_d(s) < 1; promise: v(t) ≤ s for every t.
* REG-3 almost dissipative: not fully, no divergent mode of I + F_1, and the majorant stays in the
  envelope v(t) ≤ e·(r + h_0 t) on [0, T] (decided in arb balls); promise: BND-6 on [0, T]
  (:mod:`qsgd_ref.theory.horizon`).
* REG-4 gradient descent: for symmetric F_1 = −ηH, ‖I + F_1‖₂ < 1 ⇔ spec(ηH) ⊂ (0, 2); modes with
  ηλ ∈ {0, 2} are marginal, outside [0, 2] divergent.
* REG-7 the same numbers in the eigenbasis of F_1 and in a Lyapunov weight (non-normal F_1 only,
  :mod:`qsgd_ref.theory.weighted`).

The numbers are decided exactly (rationals, at any magnitude); the report holds them as floats, and a
number beyond the float64 range (exact input such as 1e400 is legitimate) is shown as ±inf with a
note saying so. The eigenvalues of I + F_1 are computed in float64: an F_1 entry beyond its range is
refused with an InputError naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.balls import upper_decimal
from qsgd_ref.base.precision import fits_float64, format_decimal, short_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.closed_forms import sup_norms
from qsgd_ref.theory.horizon import LAMBDA_MAX_LOG2, envelope_holds, horizon_bound
from qsgd_ref.theory.norms import FALLBACK, norm_methods, problem_norm_bounds, r_upper
from qsgd_ref.theory.scale import Scale, optimal_scale
from qsgd_ref.theory.weighted import EIGENBASIS, LYAPUNOV, weighted_views

FULLY, ALMOST, NOT = "fully dissipative", "almost dissipative", "not dissipative"
#: Eigenvalues within this distance of the unit circle (or ηλ of 0 or 2) count as marginal.
MARGINAL_TOL = 1e-9


def _modes(problem: Problem) -> tuple[np.ndarray, bool]:
    """Eigenvalues of I + F_1 of every distinct F_1 (concatenated; a map shared by many steps counts
    once) and whether every F_1 is symmetric."""
    eigs, symmetric = [], True
    seen: set[int] = set()  # one eigensolve per distinct F_1 object
    for m in problem.maps:
        f1 = m.get(1)
        if id(f1) in seen:
            continue
        seen.add(id(f1))
        a = np.eye(problem.n) + (f1.to_csr().toarray() if f1 is not None else 0.0)
        sym = f1 is None or all(f1[c, r] == v for r, c, v in f1.entries())
        symmetric = symmetric and sym
        eigs.append(np.linalg.eigvalsh(a) if sym else np.linalg.eigvals(a))
    return np.concatenate(eigs), symmetric


@dataclass(frozen=True)
class GradientDescentView(Result):
    """REG-4: the spectrum of ηH = −F_1 (symmetric F_1 only) and its mode counts."""

    eta_hessian_eigenvalues: list[float]
    in_open_0_2: bool
    dissipative_modes: int
    marginal_modes: int
    divergent_modes: int


@dataclass(frozen=True)
class RegimePromise(Result):
    """What the regime promises, named (REG-2 or REG-3 through BND-6): the ``bound`` and the
    interval it ``holds_for``, its ``growth`` in t, ``state_bound`` (‖u(t)‖₂ ≤ it on that interval)
    and ``error_bound`` (‖u(t) − ŷ_1(t)‖₂ ≤ it there); for REG-3 also the amplification Λ of BND-6 (None
    when unbounded: no F_ℓ with ℓ ≥ 2) and the horizon number x_T of its closed-form corollary (None
    when 1 + γT ≤ 0). Floats are rounded up."""

    clause: str
    bound: str
    growth: str
    holds_for: str
    state_bound: float
    error_bound: float
    amplification: float | None = None
    horizon_number: float | None = None


@dataclass(frozen=True)
class BasisView(Result):
    """The regime numbers in the coordinates z = R u (REG-7): the eigenbasis of F_1 (R = V⁻¹) or a
    Lyapunov weight (‖x‖_P = ‖Rx‖₂, P = RᵀR). ``kappa`` ≥ ‖R‖₂‖R⁻¹‖₂ (κ(V) for the eigenbasis) and
    ``norm_R_inv`` ≥ ‖R⁻¹‖₂ (the factor of BND-8) are certified; γ, δ, R_d (at ``s``, REG-6), r_z and
    the norms are those of the transformed map; ``regime`` is the verdict of REG-2/REG-3 in these
    coordinates, whose promise holds for ‖z‖ and so for ‖u‖ ≤ ‖R⁻¹‖₂‖z‖."""

    kind: str
    kappa: float
    norm_R_inv: float
    regime: str
    gamma: float
    delta: float
    R_d: float | None
    s: float
    r: float
    norms: dict[str, float]
    detail: str
    reasons: list[str]


@dataclass(frozen=True)
class Regime(Result):
    """The regime of a problem with the numbers behind it and the reasons (REG-1 … REG-7).

    ``R_d`` is R_d(s) at the radius ``s`` ≥ r of REG-6 (chosen by ``s_method``; ``R_d_at_r`` is R_d(r));
    None when it is infinite (γ ≤ 0, or s = 0 with F_0 ≠ 0); ``norms`` maps ℓ to the certified
    h_ℓ ≥ ‖H_ℓ‖₂ (as floats) and ``norm_methods`` ℓ to the method that certified it ("exact",
    "verified Cholesky", or the fallback "√(‖·‖₁‖·‖∞)" with its reason; several joined by "; " when
    the steps of a time-dependent problem differ); modes are [real, imaginary] pairs. ``promise``
    names the bound the regime guarantees and its growth (None when not dissipative). ``eigenbasis``
    and ``lyapunov`` are the numbers in those coordinates (REG-7; None with the reason in ``notes``);
    ``regime`` is the best verdict of the 2-norm and those views, and ``regime_basis`` says which
    ("2-norm", "eigenbasis" or "lyapunov"); γ, δ, R_d, s and the norms are always the 2-norm ones.
    ``notes`` also names every number shown as ±inf because its exact value is beyond the float64 range.
    """

    regime: str
    regime_basis: str
    gamma: float
    delta: float
    R_d: float | None
    r: float
    s: float
    s_method: str
    R_d_at_r: float | None
    norms: dict[str, float]
    norm_methods: dict[str, str]
    norm_I_plus_F1: float
    spectral_radius_I_plus_F1: float
    marginal_modes: list[list[float]]
    divergent_modes: list[list[float]]
    gradient_descent: GradientDescentView | None
    eigenbasis: BasisView | None
    lyapunov: BasisView | None
    promise: RegimePromise | None
    time_dependent: bool
    steps: int
    reasons: list[str]
    notes: list[str] = dataclass_field(default_factory=list)

    def summary(self) -> list[str]:
        rd = "∞" if self.R_d is None else f"{self.R_d:.6g}"
        where = "" if self.regime_basis == "2-norm" else f" (in the {self.regime_basis} coordinates)"
        lines = [f"{self.regime}{where}: γ = 1 − ‖I + F_1‖₂ = {self.gamma:.6g}, R_d = {rd} at s = {self.s:.6g}, "
                 f"δ = {self.delta:.6g}, ρ(I + F_1) = {self.spectral_radius_I_plus_F1:.6g}, r = {self.r:.6g}, "
                 f"T = {self.steps}"]
        if self.promise is not None:
            lines.append(f"  promise ({self.promise.clause}, {self.promise.holds_for}): {self.promise.bound}; "
                         f"growth: {self.promise.growth}")
        lines += [f"  reason: {reason}" for reason in self.reasons]
        for view in (self.eigenbasis, self.lyapunov):
            if view is not None:
                vrd = "∞" if view.R_d is None else f"{view.R_d:.6g}"
                lines.append(f"  {view.kind}: {view.regime}, γ = {view.gamma:.6g}, R_d = {vrd}, "
                             f"κ ≤ {view.kappa:.6g}")
        lines += [f"  h_{ell} by {how}" for ell, how in self.norm_methods.items() if FALLBACK in how]
        lines += [f"  note: {note}" for note in self.notes]
        return lines


def gradient_descent_view(problem: Problem, modes: tuple[np.ndarray, bool] | None = None) -> GradientDescentView | None:
    """REG-4: the spectrum of ηH = −F_1 (symmetric F_1 only) and its mode counts; ``modes`` is
    ``_modes(problem)`` when the caller has it already (one eigensolve per F_1, not two)."""
    eigs, symmetric = _modes(problem) if modes is None else modes
    if not symmetric:
        return None
    eta_h = np.sort(1.0 - eigs.real)
    marginal = np.abs(eta_h) <= MARGINAL_TOL
    marginal |= np.abs(eta_h - 2) <= MARGINAL_TOL
    divergent = ((eta_h < 0) | (eta_h > 2)) & ~marginal
    return GradientDescentView(
        eta_hessian_eigenvalues=[float(x) for x in eta_h],
        in_open_0_2=not bool(np.any(marginal | divergent)),  # the float spectrum of an exact 0 may be 1e-16
        dissipative_modes=int(np.sum(~marginal & ~divergent)),
        marginal_modes=int(np.sum(marginal)),
        divergent_modes=int(np.sum(divergent)),
    )


@dataclass(frozen=True)
class _Verdict:
    regime: str
    scale: Scale
    reasons: list[str]
    promise: RegimePromise | None


def _verdict(h: dict[int, Fraction], r: Fraction, steps: int, order: int, f0: bool,
             divergent: str | None) -> _Verdict:
    """REG-2 / REG-3 from the sup norms h and r (``divergent``: why REG-3's structural condition fails)."""
    gamma = 1 - h.get(1, Fraction(0))
    scale = optimal_scale(h, r)
    reasons: list[str] = []
    if gamma <= 0:
        reasons.append(f"γ = 1 − ‖I + F_1‖₂ = {_text(gamma)} ≤ 0 (no strict linear contraction)")
    elif scale.R_d is not None and scale.R_d >= 1:
        reasons.append(f"R_d = {_text(scale.R_d)} ≥ 1 at the best radius s = {_text(scale.s)} "
                       "(nonlinearity and F_0 outweigh the dissipation γ)")
    if gamma > 0 and scale.R_d is not None and scale.R_d < 1:
        contraction = 1 - gamma * (1 - scale.R_d)
        decay = f"; with F_0 = 0 also v(t) ≤ r·{_text(contraction)}^t" if not f0 else ""
        promise = RegimePromise(
            clause="REG-2", holds_for="every t ≥ 0",
            bound=f"‖u(t)‖₂ ≤ v(t) ≤ s and ‖u(t) − ŷ_1(t)‖₂ ≤ d_1(t) ≤ v(t) ≤ s = {_text(scale.s)}{decay}",
            growth="bounded uniformly in t" + ("" if f0 else " (geometric decay)"),
            state_bound=_up(scale.s), error_bound=_up(scale.s))
        return _Verdict(FULLY, scale, reasons, promise)
    if divergent is not None:
        return _Verdict(NOT, scale, reasons + [divergent], None)
    hb = horizon_bound(h, r, steps, order, f0)
    if hb is None:
        t_out = envelope_holds(h, r, steps)
        reasons.append(f"the majorant v(t) leaves the envelope e·(r + h_0 t) at t = {t_out} ≤ T (REG-3)")
        return _Verdict(NOT, scale, reasons, None)
    lam = None if hb.amplification >= Fraction(2) ** LAMBDA_MAX_LOG2 else _up(hb.amplification, down=True)
    x_t = None if hb.horizon_number is None else _ball_up(hb.horizon_number)
    q = max([1, *(ell for ell, x in h.items() if x)])
    c_text = "t·" if f0 else ""
    corollary = (f"; x_T = T·G_T/(1 + γT) = {x_t:.6g} ≤ 1, so Λ ≥ x_T^(−1/(q−1)) and the bound is at most "
                 f"{c_text}e(r + h_0 t)·x_T^(N/(q−1)), polynomial in T"
                 if x_t is not None and x_t <= 1 and q >= 2 else "")
    promise = RegimePromise(
        clause="REG-3 (BND-6)", holds_for=f"0 ≤ t ≤ T = {steps}",
        bound=(f"‖u(t)‖₂ ≤ v(t) ≤ e·(r + h_0 t) and ‖u(t) − ŷ_1(t)‖₂ ≤ {c_text}e·(r + h_0 t)·Λ^(−N) with "
               f"Λ = {'∞' if lam is None else f'{lam:.6g}'}{corollary}"),
        growth=("polynomial in t: degree " + ("2 (F_0 ≠ 0: the factor t(r + h_0 t))" if f0 else "0 (bounded)")
                + ", geometric in N with ratio 1/Λ"),
        state_bound=_ball_up(hb.envelope_at_T), error_bound=_ball_up(hb.bound_at_T),
        amplification=lam, horizon_number=x_t)
    return _Verdict(ALMOST, scale, reasons, promise)


def _views(problem: Problem, steps: int, divergent: str | None,
           notes: list[str]) -> dict[str, tuple[BasisView, _Verdict, Fraction] | None]:
    """REG-7: the eigenbasis and Lyapunov views with their verdicts and ‖R⁻¹‖₂ (None with a note)."""
    out: dict[str, tuple[BasisView, _Verdict, Fraction] | None] = {}
    f0 = any(m.get(0) is not None and not m[0].is_zero() for m in problem.maps)
    views = weighted_views(problem)
    why = [w for w in views.values() if isinstance(w, str)]
    if len(why) == len(views) and len(set(why)) == 1:
        notes.append(f"eigenbasis and lyapunov views not computed: {why[0]}")
    for kind, w in views.items():
        if isinstance(w, str):
            if len(set(why)) > 1 or len(why) < len(views):
                notes.append(f"{kind} view not computed: {w}")
            out[kind] = None
            continue
        h = sup_norms(w.values())
        v = _verdict(h, w.r, steps, problem.order, f0, divergent)
        g = 1 - h.get(1, Fraction(0))
        view = BasisView(
            kind=kind, kappa=_up(w.kappa), norm_R_inv=_up(w.norm_Rinv), regime=v.regime, gamma=_near(g),
            delta=_near(max(-g, Fraction(0))), R_d=None if v.scale.R_d is None else _near(v.scale.R_d),
            s=_near(v.scale.s), r=_near(w.r), norms={str(ell): _near(x) for ell, x in sorted(h.items())},
            detail=w.basis.detail, reasons=v.reasons)
        out[kind] = (view, v, w.norm_Rinv)
    return out


_RANK = {NOT: 0, ALMOST: 1, FULLY: 2}


def _view(item: tuple[BasisView, _Verdict, Fraction] | None) -> BasisView | None:
    return None if item is None else item[0]


def _through(kind: str, v: _Verdict, norm_rinv: Fraction) -> RegimePromise | None:
    """A view's promise carried back to u = R⁻¹z (every bound times ‖R⁻¹‖₂)."""
    p = v.promise
    if p is None:
        return None
    factor = _up(norm_rinv)

    def times(x: float) -> float:
        return _up(Fraction(x) * norm_rinv) if math.isfinite(x) else math.inf

    return RegimePromise(
        clause=f"{p.clause} in the {kind} coordinates z = Ru (REG-7)", holds_for=p.holds_for,
        bound=(f"for z = Ru: {p.bound.replace('‖u(t)‖₂', '‖z(t)‖₂').replace('u(t) − ŷ_1(t)', 'z(t) − ŷ^z_1(t)')}; "
               f"for u every bound times ‖R⁻¹‖₂ ≤ {factor:.6g}"), growth=p.growth,
        state_bound=times(p.state_bound), error_bound=times(p.error_bound),
        amplification=p.amplification, horizon_number=p.horizon_number)


def classify(problem: Problem) -> Regime:
    """The regime of ``problem`` with its numbers and reasons (REG-1 … REG-7); never raises (REG-5).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> r = qsgd_ref.classify(p)
    >>> print(r)  # doctest: +ELLIPSIS
    fully dissipative: γ = 1 − ‖I + F_1‖₂ = 0.5, R_d = 0.25 at s = 0.5, δ = 0, ρ(I + F_1) = 0.5, r = 0.5, T = 3
      promise (REG-2, every t ≥ 0): ‖u(t)‖₂ ≤ v(t) ≤ s and ... ≤ s = 0.5; with F_0 = 0 also v(t) ≤ r·0.625^t; ...
    >>> r.regime, r.R_d
    ('fully dissipative', 0.25)
    """
    bounds = problem_norm_bounds(problem)
    h = sup_norms([{ell: b.value for ell, b in step.items()} for step in bounds])
    r = r_upper(problem)
    h1 = h.get(1, Fraction(0))
    gamma = 1 - h1
    modes = _modes(problem)
    eigs = modes[0]
    radius = float(np.max(np.abs(eigs)))
    marginal = [complex(x) for x in eigs if abs(abs(x) - 1) <= MARGINAL_TOL]
    divergent = [complex(x) for x in eigs if abs(x) > 1 + MARGINAL_TOL]
    delta = max(h1 - 1, Fraction(0))
    f0 = any(b.get(0) is not None for b in bounds)
    why_divergent = (f"{len(divergent)} divergent mode(s) of I + F_1 (largest |λ| = {radius:.6g} > 1): "
                     "REG-3 needs every mode dissipative or marginal" if divergent else None)
    v = _verdict(h, r, problem.steps, problem.order, f0, why_divergent)
    notes: list[str] = []
    views = _views(problem, problem.steps, why_divergent, notes)
    regime, basis, promise, reasons = v.regime, "2-norm", v.promise, list(v.reasons)
    better = [(kind, item[1].regime, _through(kind, item[1], item[2])) for kind, item in views.items()
              if item is not None and _RANK[item[1].regime] > _RANK[regime]]
    if better:  # a better verdict in a view is a theorem too (REG-7): the best one, then the smaller error bound
        basis, regime, promise = min(better, key=lambda b: (-_RANK[b[1]], b[2].error_bound if b[2] else math.inf))
    if basis != "2-norm":
        reasons.append(f"{regime} in the {basis} coordinates (REG-7), not in the 2-norm")
    shown = _Shown(notes)
    return Regime(
        regime=regime,
        regime_basis=basis,
        gamma=shown("γ", gamma),
        delta=shown("δ", delta),
        R_d=shown("R_d", v.scale.R_d) if v.scale.R_d is not None else None,
        r=shown("r", r),
        s=shown("s", v.scale.s),
        s_method=v.scale.method,
        R_d_at_r=shown("R_d(r)", v.scale.R_d_at_r) if v.scale.R_d_at_r is not None else None,
        norms={str(ell): shown(f"h_{ell}", x) for ell, x in sorted(h.items())},
        norm_methods=norm_methods(bounds),
        norm_I_plus_F1=shown("‖I + F_1‖₂", h1),
        spectral_radius_I_plus_F1=radius,
        marginal_modes=[[x.real, x.imag] for x in marginal],
        divergent_modes=[[x.real, x.imag] for x in divergent],
        gradient_descent=gradient_descent_view(problem, modes),
        eigenbasis=_view(views.get(EIGENBASIS)),
        lyapunov=_view(views.get(LYAPUNOV)),
        promise=promise,
        time_dependent=problem.time_dependent,
        steps=problem.steps,
        reasons=reasons,
        notes=notes,
    )


def _up(x: Fraction, down: bool = False) -> float:
    """x as a float rounded up (down with ``down``); ±inf beyond the float64 range."""
    if not fits_float64(x):
        return math.inf if x > 0 else -math.inf
    f = float(x)
    if down:
        return f if Fraction(f) <= x else math.nextafter(f, -math.inf)
    return f if Fraction(f) >= x else math.nextafter(f, math.inf)


def _near(x: Fraction) -> float:
    """x as the nearest float (±inf beyond the float64 range)."""
    return float(x) if fits_float64(x) else (math.inf if x > 0 else -math.inf)


def _ball_up(x: Any) -> float:
    """The upper end of an arb ball as a float rounded up."""
    text = upper_decimal(x, 17)
    return math.inf if text == "inf" else _up(Fraction(Decimal(text)))


def _text(x: Fraction | float | mpmath.mpf) -> str:
    """A number for a reason, 6 significant digits, at any magnitude."""
    if isinstance(x, float):
        return f"{x:.6g}"
    return short_decimal(x, 6) if isinstance(x, Fraction) else format_decimal(x, 6)


class _Shown:
    """Exact numbers as the report's floats; one beyond the float64 range becomes ±inf, with a note."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes

    def __call__(self, name: str, x: Fraction) -> float:
        if fits_float64(x):
            return float(x)
        self.notes.append(f"{name} = {format_decimal(x, 6)} is beyond the float64 range: shown as "
                          f"{'-' if x < 0 else ''}inf")
        return -math.inf if x < 0 else math.inf
