"""Truncation error of minibatch SGD (clauses SGD-1 … SGD-3; proofs in docs/theory/sgd.md).

Step t of minibatch SGD uses the map of the minibatch loss, F_ℓ(t) = (1/b) Σ_{i∈B_t} F_ℓ^{(i)}, with
F^{(i)} the map of sample i's loss and B_0, …, B_{T−1} independent uniform b-subsets of the m samples
(MOD-6). With the full-batch map F̄ = (1/m) Σ_i F^{(i)} and X_i = F^{(i)} − F̄, the noise of a step
is Ξ_ℓ(t) = F_ℓ(t) − F̄_ℓ = (1/b) Σ_{i∈B_t} X_i^{ℓ}, and ‖H_ℓ(t)‖₂ ≤ h̄_ℓ + ζ_ℓ(t) with
h̄_ℓ ≥ ‖H̄_ℓ‖₂ and ζ_ℓ(t) = ‖Ξ_ℓ(t)‖_F. The noise numbers (SGD-1), exact rationals:

* v_ℓ = (m − b)/(b(m − 1)) · (1/m) Σ_i ‖X_i^ℓ‖_F² = E ζ_ℓ²  (finite-population variance);
* c_ℓ² = max_i ‖X_i^ℓ‖_F²  (ζ_ℓ ≤ c_ℓ surely: Ξ_ℓ is an average of the X_i; 0 when b = m);
* D_ℓ² = max_{i,j} ‖F^{(i)}_ℓ − F^{(j)}_ℓ‖_F²  (one swapped sample moves ζ_ℓ by at most D_ℓ/b).

Bounds on ‖u(t) − ŷ_1(t)‖₂, each the upper end of an arb ball:

* sure: BND-1 with h̄_ℓ + c_ℓ (holds for every draw);
* high probability (SGD-3): with probability ≥ 1 − δ, BND-1 with h̄_ℓ + τ_ℓ,
  τ_ℓ = min(c_ℓ, √v_ℓ + D_ℓ √(ln(T·|Λ|/δ)/(2b))), Λ the degrees with noise;
* expectation (SGD-2): E‖u(t) − ŷ_1(t)‖₂ ≤ ẽ_1(t), a majorant in which level j's coefficients are
  those of (Σ_ℓ h_ℓ^{(j)} x^ℓ)^j with the moment-order-j norms h_ℓ^{(j)} = h̄_ℓ + s_ℓ(j),
  s_ℓ(A) = √v_ℓ (A ≤ 2), (c_ℓ^{A−2} v_ℓ)^{1/A} (A > 2), closed at moment order K by the sure majorant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import parse_exact
from qsgd_ref.base.results import Result
from qsgd_ref.problem import ExactMatrix, Map, make_problem
from qsgd_ref.theory.majorant import level_coefficients, majorant
from qsgd_ref.theory.norms import map_norm_bounds, norm2_upper

#: D_ℓ is computed over all pairs of samples up to this many samples; beyond, D_ℓ ≤ 2c_ℓ is used.
MAX_PAIRS_SAMPLES = 400
#: Significant digits of the reported bounds (rounded up).
DIGITS = 6

Entries = dict[tuple[int, int], Fraction]


@dataclass(frozen=True)
class SgdNoise(Result):
    """The noise numbers of SGD-1 for m samples and batch b, per degree ℓ (exact rationals):
    ``mean_norms`` h̄_ℓ ≥ ‖H̄_ℓ‖₂ of the full-batch map (H̄_1 = I + F̄_1), ``variance`` v_ℓ = E‖Ξ_ℓ‖_F²,
    ``max_deviation_sq`` c_ℓ² (‖Ξ_ℓ‖_F ≤ c_ℓ surely) and ``diameter_sq`` D_ℓ²."""

    samples: int
    batch: int
    mean_norms: dict[int, Fraction]
    variance: dict[int, Fraction]
    max_deviation_sq: dict[int, Fraction]
    diameter_sq: dict[int, Fraction]
    diameter_method: str

    def summary(self) -> list[str]:
        lines = [f"minibatch noise: m = {self.samples} samples, batch b = {self.batch}"]
        for ell in sorted(self.mean_norms):
            lines.append(f"  ℓ = {ell}: h̄ ≤ {float(self.mean_norms[ell]):.6g}, E‖Ξ‖_F² = "
                         f"{float(self.variance.get(ell, 0)):.6g}, max ‖X_i‖_F = "
                         f"{math.sqrt(float(self.max_deviation_sq.get(ell, 0))):.6g}")
        return lines


def _entries(a: ExactMatrix) -> Entries:
    return {(r, c): v for r, c, v in a.entries()}


def _sample_maps(samples: Sequence[Any], u0: Sequence[Any]) -> tuple[list[Map], np.ndarray]:
    """Each sample's map as exact matrices (checked as a problem's map would be), and the exact u(0)."""
    if isinstance(samples, str | bytes) or len(samples) == 0:
        raise InputError("samples", "must be a non-empty sequence of per-sample maps")
    maps: list[Map] = []
    exact_u0 = make_problem(F={}, u0=u0, steps=1, order=1).u0
    for i, s in enumerate(samples):
        try:
            maps.append(make_problem(F=s, u0=exact_u0, steps=1, order=1).map_at(0))
        except InputError as exc:
            raise InputError(f"samples[{i}].{exc.field}", exc.reason) from None
    return maps, exact_u0


def _square_norm(a: Entries) -> Fraction:
    return sum((v * v for v in a.values()), Fraction(0))


def _difference(a: Entries, b: Entries) -> Entries:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, Fraction(0)) - v
    return out


def sgd_noise(samples: Sequence[Any], batch: int, u0: Sequence[Any]) -> SgdNoise:
    """The noise numbers of SGD-1 from the per-sample maps (any form ``make_problem`` accepts).

    >>> from fractions import Fraction as Fr
    >>> s = sgd_noise([{1: [[Fr(-1, 2)]]}, {1: [[Fr(-1, 4)]]}], 1, ["1/2"])
    >>> s.mean_norms[1], s.variance[1], s.max_deviation_sq[1], s.diameter_sq[1]
    (Fraction(5, 8), Fraction(1, 64), Fraction(1, 64), Fraction(1, 16))
    """
    maps, exact_u0 = _sample_maps(samples, u0)
    n, m = len(exact_u0), len(maps)
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= m:
        raise InputError("batch", f"must be an integer between 1 and the number of samples {m}, got {batch!r}")
    degrees = sorted({ell for fmap in maps for ell in fmap})
    shapes = {ell: (n, n**ell) for ell in degrees}
    per = {ell: [_entries(fmap[ell]) if ell in fmap else {} for fmap in maps] for ell in degrees}
    mean_map: Map = {}
    variance: dict[int, Fraction] = {}
    max_dev: dict[int, Fraction] = {}
    diam: dict[int, Fraction] = {}
    pairs = m <= MAX_PAIRS_SAMPLES
    for ell in degrees:
        total: Entries = {}
        for e in per[ell]:
            for k, v in e.items():
                total[k] = total.get(k, Fraction(0)) + v
        mean = {k: v / m for k, v in total.items() if v}
        mean_map[ell] = ExactMatrix.from_entries(shapes[ell], [(r, c, v) for (r, c), v in mean.items()])
        devs = [_square_norm(_difference(e, mean)) for e in per[ell]]
        sigma2 = sum(devs, Fraction(0)) / m
        variance[ell] = Fraction(0) if batch == m else Fraction(m - batch, batch * (m - 1)) * sigma2
        max_dev[ell] = Fraction(0) if batch == m else max(devs)
        if batch == m:
            diam[ell] = Fraction(0)
        elif pairs:
            diam[ell] = max((_square_norm(_difference(per[ell][i], per[ell][j]))
                             for i in range(m) for j in range(i + 1, m)), default=Fraction(0))
        else:
            diam[ell] = 4 * max_dev[ell]
    h = {ell: b.value for ell, b in map_norm_bounds(mean_map, n).items()}
    return SgdNoise(m, batch, h, variance, max_dev, diam,
                    "all pairs" if pairs or batch == m else f"2·c (more than {MAX_PAIRS_SAMPLES} samples)")


@dataclass(frozen=True)
class SgdBounds(Result):
    """Bounds on ‖u(t) − ŷ_1(t)‖₂ for minibatch SGD, t = 0 … T, as decimal strings rounded up:
    ``sure`` (every draw), ``expectation`` (of the error, SGD-2) and ``high_probability`` (with
    probability ≥ 1 − ``delta`` simultaneously for all t, SGD-3); ``thresholds`` τ_ℓ of SGD-3,
    ``levels`` the moment order K of SGD-2's closure, ``noise`` the numbers of SGD-1."""

    steps: int
    order: int
    delta: Fraction
    levels: int
    noise: SgdNoise
    sure: list[str]
    expectation: list[str]
    high_probability: list[str]
    thresholds: dict[int, str]

    def summary(self) -> list[str]:
        return [f"minibatch SGD (m = {self.noise.samples}, b = {self.noise.batch}), T = {self.steps}, "
                f"N = {self.order}: bounds on ‖u(T) − ŷ_1(T)‖₂",
                f"  sure: {self.sure[-1]}",
                f"  in expectation (SGD-2, K = {self.levels}): {self.expectation[-1]}",
                f"  with probability ≥ 1 − {self.delta} (SGD-3): {self.high_probability[-1]}"]


def _smaller(a: flint.arb, b: flint.arb) -> flint.arb:
    """Of two balls each bounding the same quantity from above, the one with the smaller upper end."""
    return a if a.upper() <= b.upper() else b


def _moment_norm(v: flint.arb, c: flint.arb, order: int) -> flint.arb:
    """s(A) ≥ ‖ζ‖_{L^A} for 0 ≤ ζ ≤ c with E ζ² ≤ v (SGD-2's lemma)."""
    if v == 0:
        return flint.arb(0)
    if order <= 2:
        return v.sqrt()
    return _smaller(c, (c ** (order - 2) * v) ** (flint.arb(1) / order))


def sgd_bounds(samples: Sequence[Any], batch: int, u0: Sequence[Any], *, steps: int, order: int,
               delta: Fraction | str | float = Fraction(1, 20), levels: int | None = None,
               prec: int = 128) -> SgdBounds:
    """The sure, in-expectation (SGD-2) and high-probability (SGD-3) bounds on the truncation error
    of minibatch SGD with the given per-sample maps, batch size, u(0), horizon T and order N.

    ``levels`` is the moment order K at which SGD-2's moment recursion is closed (default q·N).

    >>> import qsgd_ref
    >>> from fractions import Fraction as Fr
    >>> samples = [{0: [Fr(1, 16)], 1: [[Fr(-1, 2)]], 2: [[Fr(1, 8)]]},
    ...            {0: [Fr(-1, 16)], 1: [[Fr(-1, 4)]], 2: [[Fr(1, 4)]]},
    ...            {1: [[Fr(-3, 8)]], 2: [[Fr(1, 8)]]}]
    >>> b = qsgd_ref.sgd_bounds(samples, 2, ["1/2"], steps=4, order=2)
    >>> print(b)
    minibatch SGD (m = 3, b = 2), T = 4, N = 2: bounds on ‖u(T) − ŷ_1(T)‖₂
      sure: 0.0473223
      in expectation (SGD-2, K = 4): 0.0150991
      with probability ≥ 1 − 1/20 (SGD-3): 0.0473223
    """
    noise = sgd_noise(samples, batch, u0)
    for field, value, lo in (("steps", steps, 0), ("order", order, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise InputError(field, f"must be an integer ≥ {lo}, got {value!r}")
    d = parse_exact(delta) if not isinstance(delta, Fraction) else delta
    if not 0 < d < 1:
        raise InputError("delta", f"must lie in (0, 1), got {delta}")
    q = max([1, *(ell for ell in set(noise.mean_norms) | set(noise.max_deviation_sq)
                  if noise.mean_norms.get(ell) or noise.max_deviation_sq.get(ell))])
    k_levels = q * order if levels is None else levels
    if isinstance(k_levels, bool) or not isinstance(k_levels, int) or k_levels < 1:
        raise InputError("levels", f"must be a positive integer, got {levels!r}")
    r = norm2_upper(_sample_maps(samples[:1], u0)[1])
    noisy = [ell for ell, x in noise.diameter_sq.items() if x]
    with arb_prec(prec):
        hbar = {ell: ball(x) for ell, x in noise.mean_norms.items()}
        c = {ell: ball(x).sqrt() for ell, x in noise.max_deviation_sq.items()}
        v = {ell: ball(x) for ell, x in noise.variance.items()}
        dd = {ell: ball(x).sqrt() for ell, x in noise.diameter_sq.items()}
        degrees = sorted(set(hbar) | set(c))
        zero = flint.arb(0)
        sure_h = {ell: hbar.get(ell, zero) + c.get(ell, zero) for ell in degrees}
        rb = ball(r)
        v_sure, d_sure = majorant([sure_h], rb, order, steps)
        if noisy and steps:
            log_term = ((ball(Fraction(steps * len(noisy))) / ball(d)).log() / (2 * batch)).sqrt()
            tau = {ell: _smaller(c[ell], v[ell].sqrt() + dd[ell] * log_term) if ell in noisy else zero
                   for ell in degrees}
        else:
            tau = {ell: zero for ell in degrees}
        hp_h = {ell: hbar.get(ell, zero) + tau.get(ell, zero) for ell in degrees}
        _, d_hp = majorant([hp_h], rb, order, steps)
        moment_h = {a: {ell: hbar.get(ell, zero) + _moment_norm(v.get(ell, zero), c.get(ell, zero), a)
                        for ell in degrees} for a in range(1, max(order, k_levels) + 1)}
        expect = _expectation(moment_h, v_sure, d_sure, rb, order, k_levels, steps)
        out = SgdBounds(
            steps=steps, order=order, delta=d, levels=k_levels, noise=noise,
            sure=[upper_decimal(row[0], DIGITS) for row in d_sure],
            expectation=[upper_decimal(x, DIGITS) for x in expect],
            high_probability=[upper_decimal(row[0], DIGITS) for row in d_hp],
            thresholds={ell: upper_decimal(tau[ell], DIGITS) for ell in degrees},
        )
    return out


def _expectation(moment_h: dict[int, dict[int, flint.arb]], v_sure: list[flint.arb], d_sure: list[list[flint.arb]],
                 r: flint.arb, order: int, k_levels: int, steps: int) -> list[flint.arb]:
    """ẽ_1(t), t = 0 … T, of SGD-2: the error recursion with level-j coefficients at moment order j,
    the moments μ_k ≥ E‖u(t)‖^k (k ≤ K) by the same rule, closed above K by ‖u(t)‖ ≤ v̂(t) (sure)."""
    top = max(order, k_levels)
    beta = {a: level_coefficients(moment_h[a], a)[a] for a in range(1, top + 1)}
    one = flint.arb(1)
    mu = [one] + [r**k for k in range(1, k_levels + 1)]
    err = [flint.arb(0)] * order
    out = [flint.arb(0)]
    for t in range(steps):
        vs = v_sure[t]

        def moment(k: int, mu: list[flint.arb] = mu, vs: flint.arb = vs) -> flint.arb:
            """An upper bound on E‖u(t)‖^k."""
            if k <= k_levels:
                return _smaller(mu[k], vs**k) if k else one
            return _smaller(vs ** (k - k_levels) * mu[k_levels], vs**k)

        new_err = []
        for j in range(1, order + 1):
            row = beta[j]
            acc = flint.arb(0)
            for k in range(1, len(row)):
                acc += row[k] * (err[k - 1] if k <= order else moment(k))
            new_err.append(_smaller(acc, d_sure[t + 1][j - 1]))
        mu = [one] + [sum((beta[k][i] * moment(i) for i in range(len(beta[k]))), flint.arb(0))
                      for k in range(1, k_levels + 1)]
        err = new_err
        out.append(err[0])
    return out
