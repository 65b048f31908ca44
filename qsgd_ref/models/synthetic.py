"""Seeded synthetic model problems (clause MOD-11): small least-squares, logistic and quadratic-network
problems whose data are exact rationals drawn reproducibly, for ``qsgd-ref model``.

With ``rng = numpy.random.default_rng(seed)``, every array is drawn by one call
``rng.integers(-d, d + 1, size=shape)`` (row-major) and divided by d, in the order the functions below
list, so every datum is a rational k/d in [−1, 1]:

* data: X (m × n, d = 4), then y (least squares: m values, d = 4; logistic: m labels
  2·rng.integers(0, 2, size=m) − 1 ∈ {−1, +1}); the network draws X (m × d_in, d = 4), Y (m × c, d = 4)
  and its fixed output weights A (c × h) as signs 2·rng.integers(0, 2, size=(c, h)) − 1;
* θ*: zero, given, or ``"random"`` (n values, d = 8), drawn after the data;
* u(0) = s·v with v drawn last (n values, d = 8) and s the stated scale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.least_squares import least_squares_problem
from qsgd_ref.models.logistic import logistic_problem
from qsgd_ref.models.quadnet import QuadNet, quadnet_problem
from qsgd_ref.problem import Problem

#: θ* given as "zero", "random" or explicit values
ThetaStar = str | Sequence[Fraction]
#: largest samples·n^(q+1) of the logistic derivative tensors (about a second of exact arithmetic)
MAX_LOGISTIC_WORK = 200_000
#: largest number of trained weights h·d of the network (its exact quartic loss is expanded symbolically)
MAX_QUADNET_WEIGHTS = 12


def _grid(rng: np.random.Generator, shape: tuple[int, ...], d: int) -> np.ndarray:
    """Rationals k/d, k uniform on −d … d, as an object array of Fractions."""
    k = rng.integers(-d, d + 1, size=shape)
    return np.asarray(np.vectorize(lambda v: Fraction(int(v), d), otypes=[object])(k))


def _signs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return np.asarray(2 * rng.integers(0, 2, size=shape) - 1)


def _theta_star(rng: np.random.Generator, theta_star: ThetaStar, n: int) -> list[Fraction]:
    if isinstance(theta_star, str):
        if theta_star == "zero":
            return [Fraction(0)] * n
        if theta_star == "random":
            return list(_grid(rng, (n,), 8))
        raise InputError("theta_star", f"must be 'zero', 'random' or {n} numbers, got {theta_star!r}")
    values = [Fraction(v) for v in theta_star]
    if len(values) != n:
        raise InputError("theta_star", f"needs n = {n} values, got {len(values)}")
    return values


def _u0(rng: np.random.Generator, scale: Fraction, n: int) -> list[Fraction]:
    return [Fraction(scale) * v for v in _grid(rng, (n,), 8)]


def _record(problem: Problem, info: dict[str, Any]) -> Problem:
    return dataclasses.replace(problem, meta={**problem.meta, **info})


def _describe(seed: int, star: ThetaStar, scale: Fraction) -> dict[str, Any]:
    return {"seed": seed, "theta_star_choice": star if isinstance(star, str) else "given",
            "u0_scale": str(Fraction(scale)), "data": "MOD-11: seeded rationals k/d (numpy default_rng(seed).integers)"}


def seeded_least_squares(samples: int, dim: int, seed: int, eta: Fraction, steps: int, order: int,
                         theta_star: ThetaStar = "zero", u0_scale: Fraction = Fraction(1, 2)) -> Problem:
    """Least squares (MOD-8) on X (samples × dim) and y drawn with ``seed`` (MOD-11).

    >>> print(seeded_least_squares(4, 2, 0, Fraction(1, 10), steps=3, order=1))
    least-squares: n = 2, degree q = 1, time-independent, T = 3, N = 1, lifted dimension D = 2
    """
    rng = np.random.default_rng(seed)
    X, y = _grid(rng, (samples, dim), 4), _grid(rng, (samples,), 4)
    star = _theta_star(rng, theta_star, dim)
    p = least_squares_problem(X, y, star, _u0(rng, u0_scale, dim), eta, steps=steps, order=order)
    return _record(p, {"samples": samples, **_describe(seed, theta_star, u0_scale)})


def seeded_logistic(samples: int, dim: int, seed: int, eta: Fraction, degree: int, steps: int, order: int,
                    theta_star: ThetaStar = "zero", u0_scale: Fraction = Fraction(1, 2)) -> Problem:
    """The logistic loss (MOD-8) Taylor-truncated at ``degree``, on X and labels y drawn with ``seed`` (MOD-11).

    >>> print(seeded_logistic(4, 2, 0, Fraction(1, 10), degree=3, steps=3, order=2))
    logistic: n = 2, degree q = 3, time-independent, T = 3, N = 2, lifted dimension D = 6
    """
    work = samples * dim ** (degree + 1)
    if degree < 1 or work > MAX_LOGISTIC_WORK:
        raise InputError("degree", f"must be ≥ 1 with samples·n^(degree+1) ≤ {MAX_LOGISTIC_WORK:,}, "
                         f"got degree {degree} (samples·n^(degree+1) = {work:,})")
    rng = np.random.default_rng(seed)
    X, y = _grid(rng, (samples, dim), 4), _signs(rng, (samples,))
    star = _theta_star(rng, theta_star, dim)
    p = logistic_problem(X, [int(v) for v in y], star, _u0(rng, u0_scale, dim), eta, degree, steps=steps, order=order)
    return _record(p, {"samples": samples, **_describe(seed, theta_star, u0_scale)})


def seeded_quadnet(samples: int, inputs: int, hidden: int, outputs: int, seed: int, eta: Fraction, steps: int,
                   order: int, theta_star: ThetaStar = "random", u0_scale: Fraction = Fraction(1, 2)) -> Problem:
    """The quadratic-activation network (MOD-2), exact q = 3 map, on data drawn with ``seed`` (MOD-11).

    >>> print(seeded_quadnet(3, 2, 1, 1, 0, Fraction(1, 10), steps=3, order=2))
    quadnet: n = 2, degree q = 3, time-independent, T = 3, N = 2, lifted dimension D = 6
    """
    if hidden * inputs > MAX_QUADNET_WEIGHTS:
        raise InputError("hidden", f"hidden·inputs (the trained weights n) must be ≤ {MAX_QUADNET_WEIGHTS}, "
                         f"got {hidden}·{inputs} = {hidden * inputs}")
    rng = np.random.default_rng(seed)
    X, Y = _grid(rng, (samples, inputs), 4), _grid(rng, (samples, outputs), 4)
    A = _signs(rng, (outputs, hidden))
    net = QuadNet(X.astype(float), Y.astype(float), A.astype(float))  # k/4 and ±1 are exact in float64
    n = net.n
    star = _theta_star(rng, theta_star, n)
    p = quadnet_problem(net, star, _u0(rng, u0_scale, n), eta, steps=steps, order=order)
    return _record(p, {"outputs": outputs, **_describe(seed, theta_star, u0_scale)})
