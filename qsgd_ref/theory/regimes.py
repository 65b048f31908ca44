"""Dissipation regimes of a discrete polynomial map (clauses REG-1 … REG-4).

:func:`classify` returns data — the regime, the numbers behind it and the reasons — and never
raises for an out-of-regime problem. Definitions and their justification: docs/theory/regimes.md.

* REG-1 numbers: h_ℓ ≥ ‖H_ℓ‖₂ (certified rational upper bounds, supremum over the steps),
  r ≥ ‖u(0)‖₂, γ = 1 − h_1, R_d = (Σ_{ℓ≥2} h_ℓ r^{ℓ−1} + h_0/r)/γ (reported as null when γ ≤ 0: R_d = ∞).
* REG-2 fully dissipative: γ > 0 and R_d < 1.
* REG-3 almost dissipative: not fully, δT ≤ 1 with δ = max(h_1 − 1, 0), and the majorant
  v(t) ≤ e·r on [0, T].
* REG-4 gradient descent: for symmetric F_1 = −ηH, ‖I + F_1‖₂ < 1 ⇔ spec(ηH) ⊂ (0, 2); modes with
  ηλ ∈ {0, 2} are marginal, outside [0, 2] divergent.

The numbers are decided exactly (rationals, at any magnitude); the report holds them as floats, and a
number beyond the float64 range (exact input such as 1e400 is legitimate) is shown as ±inf with a
note saying so. The eigenvalues of I + F_1 are computed in float64: an F_1 entry beyond its range is
refused with an InputError naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import fits_float64, format_decimal, fraction_to_mpf, short_decimal
from qsgd_ref.base.results import Result
from qsgd_ref.problem import Problem
from qsgd_ref.theory.closed_forms import sup_norms
from qsgd_ref.theory.majorant import majorant
from qsgd_ref.theory.norms import FALLBACK, norm_methods, problem_norm_bounds, r_upper

FULLY, ALMOST, NOT = "fully dissipative", "almost dissipative", "not dissipative"
#: Eigenvalues within this distance of the unit circle (or ηλ of 0 or 2) count as marginal.
MARGINAL_TOL = 1e-9
#: The eigenbasis variant forms V^{⊗ℓ} densely: only when n^{ℓ+1} stays below this.
EIGENBASIS_MAX_ENTRIES = 2**22


def reynolds(h: dict[int, Fraction], r: Fraction) -> Fraction | None:
    """R_d of REG-1 (None when γ ≤ 0, i.e. R_d = ∞); with r = 0 the F_0 term is ∞ unless F_0 = 0."""
    gamma = 1 - h.get(1, Fraction(0))
    if gamma <= 0:
        return None
    nonlinear = sum((x * r ** (ell - 1) for ell, x in h.items() if ell >= 2), Fraction(0))
    if h.get(0):
        if r == 0:
            return None
        nonlinear += h[0] / r
    return nonlinear / gamma


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
class EigenbasisView(Result):
    """R_d in the eigenbasis of F_1 = V D V⁻¹, with the condition number κ(V) of the basis."""

    kappa_V: float
    gamma: float
    R_d: float | None


@dataclass(frozen=True)
class Regime(Result):
    """The regime of a problem with the numbers behind it and the reasons (REG-1 … REG-5).

    ``R_d`` is None when it is infinite (γ ≤ 0, or u(0) = 0 with F_0 ≠ 0); ``norms`` maps ℓ to the
    certified h_ℓ ≥ ‖H_ℓ‖₂ (as floats) and ``norm_methods`` ℓ to the method that certified it
    ("exact", "verified Cholesky", or the fallback "√(‖·‖₁‖·‖∞)" with its reason; several joined
    by "; " when the steps of a time-dependent problem differ); modes are [real, imaginary] pairs.
    ``notes`` names every number shown as ±inf because its exact value is beyond the float64 range.
    """

    regime: str
    gamma: float
    delta: float
    R_d: float | None
    r: float
    norms: dict[str, float]
    norm_methods: dict[str, str]
    norm_I_plus_F1: float
    spectral_radius_I_plus_F1: float
    marginal_modes: list[list[float]]
    divergent_modes: list[list[float]]
    gradient_descent: GradientDescentView | None
    eigenbasis: EigenbasisView | None
    time_dependent: bool
    steps: int
    reasons: list[str]
    notes: list[str] = dataclass_field(default_factory=list)

    def summary(self) -> list[str]:
        rd = "∞" if self.R_d is None else f"{self.R_d:.6g}"
        lines = [f"{self.regime}: γ = 1 − ‖I + F_1‖₂ = {self.gamma:.6g}, R_d = {rd}, δ = {self.delta:.6g}, "
                 f"ρ(I + F_1) = {self.spectral_radius_I_plus_F1:.6g}, r = {self.r:.6g}, T = {self.steps}"]
        lines += [f"  reason: {reason}" for reason in self.reasons]
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


def eigenbasis_variant(problem: Problem) -> EigenbasisView | None:
    """R_d in the eigenbasis of F_1 = V D V⁻¹ (time-independent, real diagonalisable F_1), with κ(V)."""
    if problem.time_dependent or 1 not in problem.maps[0]:
        return None
    n = problem.n
    if any(n ** (ell + 1) > EIGENBASIS_MAX_ENTRIES for ell in problem.maps[0]):
        return None  # V^{⊗ℓ} would be dense and too large; the variant is for small n
    try:
        with np.errstate(all="ignore"):
            view = _eigenbasis(problem)
    except (InputError, np.linalg.LinAlgError):
        return None  # an entry beyond the float64 range, or a float64 overflow inside: the variant is float64 only
    return view if view is None or all(math.isfinite(x) for x in (view.kappa_V, view.gamma, view.R_d or 0.0)) else None


def _eigenbasis(problem: Problem) -> EigenbasisView | None:
    f1 = problem.maps[0][1].to_csr().toarray()
    vals, vecs = np.linalg.eig(f1)
    if np.max(np.abs(vals.imag)) > 0 or np.linalg.cond(vecs) > 1e12:
        return None
    vecs, vinv = vecs.real, np.linalg.inv(vecs.real)
    h = {1: float(np.max(np.abs(1 + vals.real)))}
    for ell, a in problem.maps[0].items():
        if ell != 1:
            fa = a.to_csr().toarray()
            right = vecs if ell == 1 else np.ones((1, 1))
            for _ in range(ell):
                right = np.kron(right, vecs)
            h[ell] = float(np.linalg.norm(vinv @ fa @ (right if ell else np.ones((1, 1))), 2))
    r = float(np.linalg.norm(vinv @ problem.u0_float()))
    gamma = 1 - h[1]
    nonlin = sum(x * r ** (ell - 1) for ell, x in h.items() if ell >= 2) + (h.get(0, 0.0) / r if r else 0.0)
    return EigenbasisView(kappa_V=float(np.linalg.cond(vecs)), gamma=gamma,
                          R_d=nonlin / gamma if gamma > 0 else None)


def classify(problem: Problem) -> Regime:
    """The regime of ``problem`` with its numbers and reasons (REG-1 … REG-4); never raises (REG-5).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2)
    >>> r = qsgd_ref.classify(p)
    >>> print(r)
    fully dissipative: γ = 1 − ‖I + F_1‖₂ = 0.5, R_d = 0.25, δ = 0, ρ(I + F_1) = 0.5, r = 0.5, T = 3
    >>> r.regime, r.R_d
    ('fully dissipative', 0.25)
    """
    bounds = problem_norm_bounds(problem)
    h = sup_norms([{ell: b.value for ell, b in step.items()} for step in bounds])
    r = r_upper(problem)
    h1 = h.get(1, Fraction(0))
    gamma = 1 - h1
    rd = reynolds(h, r)
    modes = _modes(problem)
    eigs = modes[0]
    radius = float(np.max(np.abs(eigs)))
    marginal = [complex(x) for x in eigs if abs(abs(x) - 1) <= MARGINAL_TOL]
    divergent = [complex(x) for x in eigs if abs(x) > 1 + MARGINAL_TOL]
    delta = max(h1 - 1, Fraction(0))
    reasons: list[str] = []
    if gamma <= 0:
        reasons.append(f"γ = 1 − ‖I + F_1‖₂ = {_text(gamma)} ≤ 0 (no strict linear contraction)")
    elif rd is not None and rd >= 1:
        reasons.append(f"R_d = {_text(rd)} ≥ 1 (nonlinearity and F_0 outweigh the dissipation γ)")
    if gamma > 0 and rd is not None and rd < 1:
        regime = FULLY
    else:
        vmax, bound = _majorant_peak(h, r, problem.steps)
        bounded = vmax <= bound
        if delta * problem.steps > 1:
            reasons.append(f"δT = {_text(delta * problem.steps)} > 1 (linear growth (1+δ)^T is not O(1))")
        if not bounded:
            reasons.append(f"the majorant v(t) reaches {_text(vmax)} > e·r = {_text(bound)} on [0, T]")
        regime = ALMOST if delta * problem.steps <= 1 and bounded else NOT
    notes: list[str] = []
    shown = _Shown(notes)
    return Regime(
        regime=regime,
        gamma=shown("γ", gamma),
        delta=shown("δ", delta),
        R_d=shown("R_d", rd) if rd is not None else None,
        r=shown("r", r),
        norms={str(ell): shown(f"h_{ell}", x) for ell, x in sorted(h.items())},
        norm_methods=norm_methods(bounds),
        norm_I_plus_F1=shown("‖I + F_1‖₂", h1),
        spectral_radius_I_plus_F1=radius,
        marginal_modes=[[x.real, x.imag] for x in marginal],
        divergent_modes=[[x.real, x.imag] for x in divergent],
        gradient_descent=gradient_descent_view(problem, modes),
        eigenbasis=eigenbasis_variant(problem),
        time_dependent=problem.time_dependent,
        steps=problem.steps,
        reasons=reasons,
        notes=notes,
    )


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


def _majorant_peak(h: dict[int, Fraction], r: Fraction, steps: int) -> tuple[Any, Any]:
    """(max_t v(t), e·r) of the scalar majorant with order 1 (REG-3): in float64, or, when a number is
    beyond its range or v(t) leaves it, in 53-bit mpmath numbers (the same rounding, no overflow)."""
    if all(fits_float64(x) for x in (*h.values(), r)):
        with np.errstate(all="ignore"):
            vs, _ = majorant([{ell: float(x) for ell, x in h.items()}], float(r), 1, steps)
        if all(math.isfinite(v) for v in vs):
            return max(vs), math.e * float(r) + 1e-300
    with mpmath.workprec(53):
        vs, _ = majorant([{ell: fraction_to_mpf(x) for ell, x in h.items()}], fraction_to_mpf(r), 1, steps)
        return max(vs), mpmath.e * fraction_to_mpf(r)
