"""Minibatch SGD: the noise numbers (SGD-1), the sure and in-expectation bound (SGD-2) and the
high-probability bound (SGD-3).

Expected values are computed independently of qsgd_ref.theory.sgd: the noise moments by enumerating
every batch; the exact expectation of the error by enumerating every sequence of batches of tiny
problems (exact rationals, square roots at 50 digits); and, on a logistic model with many samples,
the 30-digit error of many seeded SGD runs (MOD-6), judged with stated statistical tests.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.base.errors import InputError
from qsgd_ref.carleman import exact
from qsgd_ref.models.logistic import logistic_map
from qsgd_ref.models.sgd import batches, sgd_problem
from qsgd_ref.problem import make_problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.theory.sgd import sgd_bounds, sgd_noise
from qsgd_ref.theory.table import bounds
from qsgd_ref.trajectories.iteration import carleman_trajectory, error_trajectory, exact_trajectory

#: significance level of every statistical test below
ALPHA = Fraction(1, 100)


def up(text: str) -> Fraction:
    """A reported decimal upper bound as an exact rational."""
    return Fraction(Decimal(text))


def binomial_tail(trials: int, k: int, p: Fraction) -> Fraction:
    """P(Bin(trials, p) ≥ k), exactly."""
    return sum((math.comb(trials, j) * p**j * (1 - p) ** (trials - j) for j in range(k, trials + 1)), Fraction(0))


# --------------------------------------------------------------------------------------------------
# per-sample maps drawn by Hypothesis (each draw labelled)


@st.composite
def sample_maps(draw: st.DrawFn) -> tuple[list[dict[int, list]], int, list[Fraction], int, int]:
    """(per-sample maps, batch b, u(0), order N, horizon T) of a tiny SGD problem: n ≤ 2, m ≤ 4, T ≤ 3.

    Hypotheses of SGD-2/SGD-3: any per-sample maps, any b ≤ m, any u(0) — no regime is assumed."""
    n = draw(st.integers(1, 2), label="n")
    m = draw(st.integers(2, 4), label="samples m")
    b = draw(st.integers(1, m), label="batch b")
    degrees = draw(st.sets(st.sampled_from([0, 2, 3]), max_size=2), label="degrees besides 1")
    order = draw(st.integers(1, 3 if n == 1 else 2), label="order N")
    steps = draw(st.integers(1, 3), label="T")
    maps = []
    for i in range(m):
        fmap: dict[int, list] = {}
        for ell in sorted({1, *degrees}):
            cols = n**ell
            vals = [Fraction(draw(st.integers(-4, 4), label=f"F_{ell}^({i}) entry {k}"), 8) for k in range(n * cols)]
            if ell == 1:
                vals = [v - (Fraction(1, 2) if k % (n + 1) == 0 else 0) for k, v in enumerate(vals)]  # some contraction
            fmap[ell] = vals if ell == 0 else [vals[r * cols:(r + 1) * cols] for r in range(n)]
        maps.append(fmap)
    u0 = [Fraction(draw(st.integers(-4, 4), label=f"u0[{i}]"), 8) for i in range(n)]
    return maps, b, u0, order, steps


def _mean_map(maps: list[dict[int, list]], idx: tuple[int, ...]) -> dict[int, np.ndarray]:
    return {ell: sum((np.array(maps[i][ell], dtype=object) for i in idx), start=np.array(0, dtype=object)) / len(idx)
            for ell in maps[0]}


def _frob2(a: np.ndarray) -> Fraction:
    return sum((x * x for x in np.ravel(a)), Fraction(0))


# --------------------------------------------------------------------------------------------------
# SGD-1: the noise numbers against an enumeration of every batch


@pytest.mark.clause("SGD-1")
@settings(max_examples=examples(15))
@given(case=sample_maps())
def test_noise_numbers_against_every_batch(case):
    """v_ℓ equals the exact mean of ‖Ξ_ℓ‖_F² over all batches; ‖Ξ_ℓ‖_F ≤ c_ℓ for each; swapping one
    sample moves ‖Ξ_ℓ‖_F by at most D_ℓ/b."""
    maps, b, u0, _, _ = case
    m = len(maps)
    noise = sgd_noise(maps, b, u0)
    full = _mean_map(maps, tuple(range(m)))
    subsets = list(itertools.combinations(range(m), b))
    for ell in maps[0]:
        xi = {s: _mean_map(maps, s)[ell] - full[ell] for s in subsets}
        sq = {s: _frob2(x) for s, x in xi.items()}
        assert sum(sq.values(), Fraction(0)) / len(subsets) == noise.variance.get(ell, 0)
        assert max(sq.values()) <= noise.max_deviation_sq.get(ell, 0)
        if b == 1:  # the batches are the samples: c² is attained
            assert max(sq.values()) == noise.max_deviation_sq[ell]
        d = math.sqrt(noise.diameter_sq.get(ell, 0)) / b
        for s, s2 in itertools.combinations(subsets, 2):
            if len(set(s) ^ set(s2)) == 2:
                assert abs(math.sqrt(sq[s]) - math.sqrt(sq[s2])) <= d * (1 + 1e-12) + 1e-15


@pytest.mark.clause("SGD-1")
def test_noise_inputs_refused_by_name():
    with pytest.raises(InputError, match="^batch: "):
        sgd_noise([{1: [["-1/2"]]}], 2, ["1"])
    with pytest.raises(InputError, match="^samples: "):
        sgd_noise([], 1, ["1"])
    with pytest.raises(InputError, match=r"^samples\[1\]\.F\[1\]"):
        sgd_noise([{1: [["-1/2"]]}, {1: [["x"]]}], 1, ["1"])
    with pytest.raises(InputError, match="^delta: "):
        sgd_bounds([{1: [["-1/2"]]}], 1, ["1"], steps=2, order=1, delta=1)
    with pytest.raises(InputError, match="^levels: "):
        sgd_bounds([{1: [["-1/2"]]}], 1, ["1"], steps=2, order=1, levels=0)


# --------------------------------------------------------------------------------------------------
# SGD-2 and SGD-3 exactly, by enumerating every sequence of batches of tiny problems


def _errors_exact(maps, sequence, u0, order, steps) -> list[mpmath.mpf]:
    """‖u(t) − ŷ_1(t)‖₂ for t = 0 … T of one batch sequence: exact rationals (the oracles
    problem.iterate and carleman.exact.lifted_iteration), square root at 50 digits."""
    p = make_problem(F_steps=[_mean_map(maps, s) for s in sequence], u0=u0, steps=steps, order=order)
    us = iterate(p, Fraction)
    ys = exact.lifted_iteration(p, Fraction)
    with mpmath.workdps(50):
        return [mpmath.sqrt(mpmath.mpf(sum(((a - c) ** 2 for a, c in zip(u, y[:p.n])), Fraction(0)).numerator)
                            / sum(((a - c) ** 2 for a, c in zip(u, y[:p.n])), Fraction(0)).denominator)
                for u, y in zip(us, ys)]


@pytest.mark.slow  # 1-3 s: up to 216 exact trajectories per example
@pytest.mark.clause("SGD-2", "SGD-3")
@settings(max_examples=examples(10))
@given(case=sample_maps(), delta=st.sampled_from([Fraction(1, 10), Fraction(1, 2)]))
def test_bounds_against_the_exact_distribution(case, delta):
    """Every sequence of batches (C(m,b)^T of them, equally likely): the error never exceeds the sure
    bound; its exact mean never exceeds the SGD-2 bound; and the probability that some step's noise
    leaves SGD-3's thresholds, or that the error leaves its bound, is at most δ."""
    maps, b, u0, order, steps = case
    res = sgd_bounds(maps, b, u0, steps=steps, order=order, delta=delta)
    m = len(maps)
    subsets = list(itertools.combinations(range(m), b))
    sequences = list(itertools.product(subsets, repeat=steps))
    full = _mean_map(maps, tuple(range(m)))
    tau = {ell: up(x) for ell, x in res.thresholds.items()}
    errors = [_errors_exact(maps, seq, u0, order, steps) for seq in sequences]
    with mpmath.workdps(50):
        for t in range(steps + 1):
            column = [e[t] for e in errors]
            assert max(column) <= mpmath.mpf(up(res.sure[t]).numerator) / up(res.sure[t]).denominator
            mean = mpmath.fsum(column) / len(column)
            bound = up(res.expectation[t])
            assert mean <= mpmath.mpf(bound.numerator) / bound.denominator, (t, mean, bound)
        hp = [mpmath.mpf(up(x).numerator) / up(x).denominator for x in res.high_probability]
        bad_noise = bad_error = 0
        for seq, err in zip(sequences, errors):
            zeta2 = [{ell: _frob2(_mean_map(maps, s)[ell] - full[ell]) for ell in full} for s in seq]
            bad_noise += any(z[ell] > tau.get(ell, 0) ** 2 for z in zeta2 for ell in z)
            bad_error += any(e > h for e, h in zip(err, hp))
    assert Fraction(bad_noise, len(sequences)) <= delta
    assert Fraction(bad_error, len(sequences)) <= delta


@pytest.mark.clause("SGD-2", "BND-1")
@given(case=sample_maps())
def test_without_noise_every_bound_is_the_majorant(case):
    """b = m: one batch, no noise (SGD-1: c = v = D = 0); all three bounds equal BND-1 of the
    full-batch problem, computed by the bound table."""
    maps, _, u0, order, steps = case
    res = sgd_bounds(maps, len(maps), u0, steps=steps, order=order)
    full = make_problem(F=_mean_map(maps, tuple(range(len(maps)))), u0=u0, steps=steps, order=order)
    table = bounds(full, digits=6).bounds["majorant"]
    assert res.sure == res.expectation == res.high_probability == table
    assert set(res.thresholds.values()) <= {"0"}


# --------------------------------------------------------------------------------------------------
# a logistic model with many samples: seeded SGD runs (MOD-6), statistical tests


M, N_DIM, BATCH, STEPS, ORDER, SEEDS = 24, 2, 4, 8, 2, 120
ETA = Fraction(1, 4)
U0 = ["1/4", "-1/8"]


@pytest.fixture(scope="module")
def logistic_runs():
    """Per-sample maps of a seeded logistic model (MOD-8 at θ* = 0: exact rationals, degree 3) and the
    30-digit error trajectories of SEEDS seeded SGD runs; the minibatch map of each step is the mean
    of the per-sample maps, checked once against logistic_map of the batch itself."""
    rng = np.random.default_rng(1)
    X = [[Fraction(int(v), 4) for v in row] for row in rng.integers(-4, 5, size=(M, N_DIM))]
    y = [int(v) for v in 2 * rng.integers(0, 2, size=M) - 1]
    samples = [logistic_map([X[i]], [y[i]], [0] * N_DIM, ETA, 3)[0] for i in range(M)]

    def minibatch(idx):
        return {ell: sum((samples[i][ell] for i in idx), start=0 * samples[0][ell]) / len(idx) for ell in samples[0]}

    direct, _ = logistic_map([X[i] for i in (0, 3, 5)], [y[i] for i in (0, 3, 5)], [0] * N_DIM, ETA, 3)
    assert all((minibatch([0, 3, 5])[ell] == direct[ell]).all() for ell in direct)
    errors, noise = [], []
    full = minibatch(range(M))
    for seed in range(SEEDS):
        p = sgd_problem(minibatch, M, BATCH, STEPS, seed, U0, ORDER)
        ex, ca = exact_trajectory(p, 30), carleman_trajectory(p, 30)
        errors.append([float(e) for e in error_trajectory(ex, ca, 30)])
        noise.append([{ell: float(np.sqrt(float(_frob2(minibatch(bt)[ell] - full[ell])))) for ell in full}
                      for bt in batches(M, BATCH, STEPS, seed)])
    return samples, np.array(errors), noise


@pytest.mark.slow  # about 2 s: 120 seeded runs at 30 digits
@pytest.mark.clause("SGD-2", "MOD-6")
def test_expectation_bound_against_seeded_runs(logistic_runs):
    """H0 (SGD-2): E‖u(t) − ŷ_1(t)‖ ≤ B(t). The errors lie in [0, R(t)] (R the sure bound), so by
    Hoeffding P(mean − E ≥ R√(ln(1/α)/(2S))) ≤ α: H0 is rejected at level α = 0.01 only if the mean
    exceeds B + that margin. Every seed is also checked against the sure bound."""
    samples, errors, _ = logistic_runs
    res = sgd_bounds(samples, BATCH, U0, steps=STEPS, order=ORDER)
    sure = np.array([float(up(x)) for x in res.sure])
    expect = np.array([float(up(x)) for x in res.expectation])
    assert np.all(errors <= sure * (1 + 1e-12))
    margin = sure * math.sqrt(math.log(1 / float(ALPHA)) / (2 * SEEDS))
    assert np.all(errors.mean(axis=0) <= expect + margin)
    assert np.all(expect <= sure)
    assert expect[-1] < sure[-1] / 10  # the expectation bound is far below the sure one here


@pytest.mark.slow
@pytest.mark.clause("SGD-3", "MOD-6")
def test_high_probability_failure_frequency(logistic_runs):
    """H0 (SGD-3): P(some ‖Ξ_ℓ(t)‖_F > τ_ℓ) ≤ δ, and the same for the error bound. With k failures in
    S seeds, H0 is rejected at level 0.01 when P(Bin(S, δ) ≥ k) < 0.01. The same test applied to the
    threshold √v_ℓ alone (no deviation term: not a claim of SGD-3) rejects it — the test has power."""
    samples, errors, noise = logistic_runs
    delta = Fraction(1, 20)
    res = sgd_bounds(samples, BATCH, U0, steps=STEPS, order=ORDER, delta=delta)
    tau = {ell: float(up(x)) for ell, x in res.thresholds.items()}
    hp = np.array([float(up(x)) for x in res.high_probability])
    noise_fail = sum(any(z[ell] > tau[ell] for z in run for ell in z) for run in noise)
    error_fail = int(np.sum(np.any(errors > hp * (1 + 1e-12), axis=1)))
    assert binomial_tail(SEEDS, noise_fail, delta) >= ALPHA
    assert binomial_tail(SEEDS, error_fail, delta) >= ALPHA
    rms = {ell: math.sqrt(float(v)) for ell, v in res.noise.variance.items()}
    naive_fail = sum(any(z[ell] > rms[ell] for z in run for ell in z if rms[ell] > 0) for run in noise)
    assert binomial_tail(SEEDS, naive_fail, delta) < ALPHA, naive_fail
