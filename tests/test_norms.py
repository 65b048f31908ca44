"""Certified norm bounds h ≥ ‖H‖₂ (REG-1; docs/theory/bounds.md, "Certified norm bounds at scale").

Expected values never come from qsgd_ref.theory.norms: the true ‖H‖₂² is enclosed in a rigorous
ball (the largest root of the characteristic polynomial of the exact integer Gram matrix, isolated
by python-flint), or is a closed form (diagonal, rank one, the tridiagonal (1, −2, 1) stencil,
evaluated in mpmath at 50 digits), or an exact 2 × 2 eigenvalue inequality. Each bound must be at
least the norm (rigorously) and within a stated relative gap of it.
"""

from __future__ import annotations

import json
import math
import time
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
import scipy.linalg as sla
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.balls import arb_prec, ball_interval
from qsgd_ref.problem import ExactMatrix, make_problem
from qsgd_ref.theory import norms
from qsgd_ref.theory.norms import EXACT, FALLBACK, VERIFIED, certifies, norm_upper
from qsgd_ref.theory.regimes import classify

#: The verified method's bound may exceed the norm by this relative amount at most (it is about
#: k² · 1.1e-16 for a k × k Gram matrix; 1e-8 covers k up to the 4000 limit with room).
GAP = Fraction(1, 10**8)


def norm_squared_ball(a: ExactMatrix) -> tuple[Fraction, Fraction]:
    """[lo, hi] ∋ ‖a‖₂²: the largest eigenvalue of the exact Gram matrix, as the largest real root of
    its characteristic polynomial over the integers (flint, 300-bit balls)."""
    d = a.dense()
    if d.shape[0] > d.shape[1]:
        d = d.T
    den = math.lcm(1, *(x.denominator for x in d.ravel()))
    ints = [[int(x * den) for x in row] for row in d]
    gram = [[sum(x * y for x, y in zip(ri, rj)) for rj in ints] for ri in ints]
    with arb_prec(300):
        roots = flint.fmpz_mat(gram).charpoly().complex_roots()
        intervals = [ball_interval(z.real) for z, _ in roots]
    lo = max(x for x, _ in intervals)
    hi = max(y for _, y in intervals)
    return lo / den**2, hi / den**2


def assert_certified_and_tight(value: Fraction, lo: Fraction, hi: Fraction, gap: Fraction = GAP, what: str = "") -> None:
    """‖H‖² ∈ [lo, hi]: the bound must satisfy value² ≥ hi (so value ≥ ‖H‖, rigorously) and
    value² ≤ (1 + gap)² lo (so value ≤ (1 + gap)‖H‖)."""
    assert value * value >= hi, f"{what}: bound {float(value)!r} below the norm √{float(hi)!r}"
    assert value * value <= (1 + gap) ** 2 * lo, f"{what}: bound {float(value)!r} above (1 + {float(gap)})·√{float(lo)!r}"


@st.composite
def sparse_matrices(draw: st.DrawFn) -> ExactMatrix:
    """n × n^ℓ (ℓ = 0 … 3) exact matrices, optionally transposed, of drawn density, denominator and magnitude."""
    ell = draw(st.integers(0, 3), label="ℓ")
    n = draw(st.integers(2, 4 if ell == 3 else 5), label="n")
    shape = (n, n**ell)
    if draw(st.booleans(), label="tall (transposed)"):
        shape = (shape[1], shape[0])
    density = draw(st.sampled_from([0.05, 0.2, 0.5, 1.0]), label="density")
    den = draw(st.sampled_from([1, 3, 97, 2**20, 10**6 + 3]), label="denominator")
    exponent = draw(st.integers(-60, 60), label="magnitude exponent (base 2)")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < density
    mask.flat[rng.integers(mask.size)] = True  # never the zero matrix
    values = rng.integers(-1000, 1001, size=shape)
    scale = Fraction(2) ** exponent
    entries = [(int(r), int(c), Fraction(int(values[r, c]) or 1, den) * scale) for r, c in zip(*np.nonzero(mask))]
    return ExactMatrix.from_entries(shape, entries)


@pytest.mark.clause("REG-1")
@given(a=sparse_matrices(), method=st.sampled_from([None, VERIFIED]))
def test_bound_is_at_least_the_norm_and_within_the_gap(a, method):
    """Automatic choice and the forced verified method, against the rigorous ball of ‖a‖₂²."""
    got = norm_upper(a, method=method)
    lo, hi = norm_squared_ball(a)
    assert_certified_and_tight(got.value, lo, hi, what=f"{a!r} by {got.method}")
    if min(a.shape) == 1:
        assert got.method == EXACT  # a vector: its exact sum of squares
        assert got.value**2 >= lo and got.value**2 <= lo * (1 + Fraction(1, 10**14))
    else:
        assert got.method == (VERIFIED if method == VERIFIED else EXACT)
    assert not got.reason


def _reference_exact(m: np.ndarray) -> Fraction:
    """The exact method as it stood before this module (Gaussian elimination in Fractions on the
    dense Gram matrix of the rows), kept here as a second implementation of the same decision."""
    gram = [[sum((x * y for x, y in zip(m[i], m[k])), Fraction(0)) for k in range(m.shape[0])] for i in range(m.shape[0])]
    est = float(np.linalg.norm(m.astype(float), 2)) ** 2
    margin = 1e-12
    while True:
        s2 = Fraction(est * (1 + margin) + 1e-300)
        a = [[(s2 if i == k else 0) - gram[i][k] for k in range(len(gram))] for i in range(len(gram))]
        ok = True
        for p in range(len(a)):
            if a[p][p] <= 0:
                ok = False
                break
            for i in range(p + 1, len(a)):
                f = a[i][p] / a[p][p]
                for k in range(p, len(a)):
                    a[i][k] -= f * a[p][k]
        if ok:
            return norms._sqrt_upper(s2)
        margin *= 16


@pytest.mark.clause("REG-1")
@given(a=sparse_matrices())
def test_exact_method_decides_as_the_fraction_elimination_it_replaced(a):
    """Fraction-free elimination over the integers decides the same inequality s²I − G ≻ 0 as
    Gaussian elimination in Fractions, so the exact method accepts the same s² and returns the same
    rational (the square-root step is shared; tests/test_oracle_corpus.py checks that the committed
    corpus, made before the change, regenerates byte for byte)."""
    d = a.dense()
    if min(a.shape) == 1 or d.shape[0] > d.shape[1]:
        return  # vectors and tall matrices: the reference works on wide matrices only
    if max(abs(x) for x in d.ravel()) > 2**100 or max(abs(x) for x in d.ravel()) < Fraction(1, 2**100):
        return  # the reference has no scaling for extreme magnitudes
    assert norm_upper(a, method=EXACT).value == _reference_exact(d)


# ------------------------------------------------------------------------------------------- (b)


def _laplacian(n: int, a: Fraction) -> ExactMatrix:
    """I + a·tridiag(1, −2, 1)."""
    entries = [(i, i, 1 - 2 * a) for i in range(n)]
    entries += [(i, i + 1, a) for i in range(n - 1)] + [(i + 1, i, a) for i in range(n - 1)]
    return ExactMatrix.from_entries((n, n), entries)


@pytest.mark.clause("REG-1")
@pytest.mark.parametrize("n, method", [(50, None), (50, VERIFIED), (1000, None)])
def test_stencil_norm_against_its_closed_form(n, method):
    """‖I + a(1, −2, 1)‖₂ = max_j |1 − 4a sin²(jπ/(2(n+1)))| (symmetric: the norm is the largest |eigenvalue|)."""
    a = Fraction(1, 5)
    got = norm_upper(_laplacian(n, a), method=method)
    with mpmath.workdps(50):
        exact = max(abs(1 - 4 * mpmath.mpf(a.numerator) / a.denominator * mpmath.sin(j * mpmath.pi / (2 * (n + 1))) ** 2)
                    for j in (1, n))  # the eigenvalues are monotone in j: the extremes are j = 1 and j = n
        assert mpmath.mpf(got.value.numerator) / got.value.denominator >= exact
    assert_close(got.value, exact, tol=1e-8, scale=exact, what=f"stencil norm, n = {n}")
    assert got.method == (EXACT if n <= norms.EXACT_MAX_SIDE and method is None else VERIFIED)


@pytest.mark.clause("REG-1")
@pytest.mark.parametrize("method", [None, VERIFIED])
@pytest.mark.parametrize("scale", [Fraction(1), Fraction(10) ** 200, Fraction(1, 10**200)], ids=["1", "1e200", "1e-200"])
def test_exactly_known_norms_at_any_magnitude(method, scale):
    """Diagonal (norm max|d|), rank one v wᵀ (‖v‖‖w‖, rational here) and an orthogonal-rows matrix,
    scaled by 1 and 10^±200: no overflow or underflow may corrupt the certificate."""
    cases = {
        "diagonal": (ExactMatrix.from_dense([[Fraction(-7, 3), 0, 0], [0, Fraction(1, 2), 0], [0, 0, 2]]), Fraction(7, 3)),
        # v = (3, 4)/5 · 2, w = (5, 12, 0)/13: ‖v‖‖w‖ = 2
        "rank one": (ExactMatrix.from_dense([[Fraction(6 * 5, 5 * 13), Fraction(6 * 12, 5 * 13), 0],
                                             [Fraction(8 * 5, 5 * 13), Fraction(8 * 12, 5 * 13), 0]]), Fraction(2)),
        "orthogonal rows": (ExactMatrix.from_dense([[Fraction(3, 5), Fraction(4, 5)], [Fraction(-4, 5), Fraction(3, 5)]]),
                            Fraction(1)),
    }
    for name, (a, norm) in cases.items():
        scaled = ExactMatrix.from_entries(a.shape, [(r, c, v * scale) for r, c, v in a.entries()])
        got = norm_upper(scaled, method=method)
        exact = norm * scale
        assert got.value >= exact, name
        assert got.value <= exact * (1 + GAP), name


@pytest.mark.clause("REG-1")
@pytest.mark.parametrize("method", [None, VERIFIED])
def test_entries_200_orders_apart_are_bounded_together(method):
    """[[1, ε], [0, 1]] with ε = 10⁻²⁰⁰: the verified method splits ε off (its float square would
    underflow); ‖·‖² = λ_max of [[1 + ε², ε], [ε, 1]] = (t + √(t² − 4))/2, t = 2 + ε², checked exactly."""
    eps = Fraction(1, 10**200)
    got = norm_upper(ExactMatrix.from_dense([[1, eps], [0, 1]]), method=method)
    t, det = 2 + eps * eps, Fraction(1)
    q = 2 * got.value**2 - t  # s² ≥ λ_max ⇔ 2s² − t ≥ √(t² − 4 det)
    assert q >= 0 and q * q >= t * t - 4 * det
    assert got.value <= 1 + GAP


@pytest.mark.clause("REG-1")
def test_zero_matrix_and_single_entries():
    assert norm_upper(ExactMatrix.zeros((3, 9))) == norms.NormBound(Fraction(0), EXACT)
    for shape, (r, c) in [((4, 4), (2, 1)), ((3, 27), (0, 26)), ((40, 40), (39, 0))]:
        for method in (None, VERIFIED):
            got = norm_upper(ExactMatrix.from_entries(shape, [(r, c, Fraction(-5, 7))]), method=method)
            assert Fraction(5, 7) <= got.value <= Fraction(5, 7) * (1 + GAP)
    vec = ExactMatrix.from_entries((4, 1), [(0, 0, Fraction(3)), (3, 0, Fraction(-4))])
    assert norm_upper(vec) == norms.NormBound(Fraction(5), EXACT)  # exact sum of squares, exact root


def _one_inf(a: ExactMatrix) -> Fraction:
    d = a.dense()
    return max(sum(abs(x) for x in row) for row in d) * max(sum(abs(x) for x in col) for col in d.T)


@pytest.mark.clause("REG-1")
def test_fallback_beyond_the_size_limit_says_why(monkeypatch):
    """A 40 × 40 matrix with the verified method's limit lowered to 4: √(‖·‖₁‖·‖∞), with the reason."""
    monkeypatch.setattr(norms, "VERIFIED_MAX_SIDE", 4)
    a = _laplacian(40, Fraction(1, 3))
    got = norm_upper(a)
    assert got.method == FALLBACK and "above the verified method's 4" in got.reason
    product = _one_inf(a)  # ‖·‖₁ = ‖·‖∞ = |1 − 2a| + 2|a| = 1 here
    assert got.value**2 >= product and got.value**2 <= product * (1 + Fraction(1, 10**12))
    lo, hi = norm_squared_ball(a)
    assert got.value**2 >= hi


@pytest.mark.clause("REG-1")
def test_fallback_over_the_memory_budget_and_in_a_foreign_float_environment(monkeypatch):
    a = _laplacian(40, Fraction(1, 3))
    monkeypatch.setenv("QSGD_REF_MEMORY_BUDGET", "1000")
    got = norm_upper(a)
    assert got.method == FALLBACK and "memory budget" in got.reason
    monkeypatch.delenv("QSGD_REF_MEMORY_BUDGET")
    monkeypatch.setattr(norms, "_float_environment_problem", lambda: "subnormal numbers are flushed to zero")
    got = norm_upper(a)
    assert got.method == FALLBACK and got.reason == "subnormal numbers are flushed to zero"
    assert got.value**2 >= _one_inf(a)


@pytest.mark.clause("REG-1")
def test_forced_fallback_and_unknown_methods():
    a = _laplacian(5, Fraction(1, 3))
    got = norm_upper(a, method=FALLBACK)
    assert (got.method, got.reason) == (FALLBACK, "requested") and got.value**2 >= _one_inf(a)
    with pytest.raises(ValueError, match="method must be one of"):
        norm_upper(a, method="power iteration")


# ------------------------------------------------------------------------------------------- (c)


def _plain_cholesky_accepts(gram: np.ndarray, s2: Fraction) -> bool:
    """The uncertified test: does float Cholesky of fl(s²)I − G_f run to completion?"""
    try:
        sla.cholesky(float(s2) * np.eye(gram.shape[0]) - gram)
    except np.linalg.LinAlgError:
        return False
    return True


@pytest.mark.clause("REG-1")
def test_gram_rounding_would_fool_a_plain_cholesky_but_not_the_certificate():
    """Row 0 = (1, x, …, x) with 100 copies of x = (11/16)·2⁻²⁶: each x² is below half an ulp of 1,
    so the float Gram entry stays 1 while the exact one is 1 + 100x² ≈ 1 + 1.05·10⁻¹⁴. With
    s² = λ_max(1 − 10⁻¹⁵) the plain float test accepts; the certificate must not."""
    x = Fraction(11, 16) / 2**26
    entries = [(0, 0, Fraction(1))] + [(0, j, x) for j in range(1, 101)] + [(1, 101, Fraction(1, 2))]
    a = ExactMatrix.from_entries((2, 102), entries)
    lam = 1 + 100 * x * x  # the rows are orthogonal: G = diag(1 + 100x², 1/4)
    s2 = lam * (1 - Fraction(1, 10**15))
    hf = a.to_csr()
    gram = (hf @ hf.T).toarray()
    assert gram[0, 0] == 1.0 and _plain_cholesky_accepts(gram, s2)
    assert not certifies(a, s2)
    assert certifies(a, lam * (1 + Fraction(1, 10**12)))  # a true bound just above is certified
    assert_certified_and_tight(norm_upper(a, method=VERIFIED).value, lam, lam)


@pytest.mark.clause("REG-1")
@pytest.mark.parametrize("seed", range(4))
def test_certifies_refuses_just_below_and_accepts_just_above_the_norm(seed):
    """Integer H (30 × 30), so G = HHᵀ is exact in floats and only the factorisation rounds. Just
    below: s² = ρ(1 − 10⁻¹⁵) with ρ the exact Rayleigh quotient of G at the float top eigenvector
    (ρ ≤ λ_max, so s² < λ_max rigorously, and ρ ≥ λ_max(1 − 10⁻²⁰) in practice); just above:
    the upper end of the 300-bit ball of λ_max times 1 + 10⁻⁹. (On these the plain float Cholesky
    is not fooled either: the Gram-rounding case above is the one that fools it.)"""
    rng = np.random.default_rng(seed)
    h = rng.integers(-3, 4, size=(30, 30))
    a = ExactMatrix.from_dense(h.astype(object))
    _, vecs = np.linalg.eigh((h @ h.T).astype(float))
    x = [Fraction(float(v)) for v in vecs[:, -1]]
    hx = [sum(int(h[i, j]) * x[i] for i in range(30)) for j in range(30)]
    rayleigh = sum(v * v for v in hx) / sum(v * v for v in x)
    lo, hi = norm_squared_ball(a)
    assert rayleigh <= hi and rayleigh >= lo * (1 - Fraction(1, 10**20))
    assert not certifies(a, rayleigh * (1 - Fraction(1, 10**15)))
    assert certifies(a, hi * (1 + Fraction(1, 10**9)))


# ------------------------------------------------------------------------------------------- (d)


@pytest.mark.clause("REG-1", "MAP-3")
def test_each_distinct_map_is_bounded_once(monkeypatch):
    """A time-dependent problem: F_1 and F_2 shared by all T steps, a new F_0 each step, and in a
    second copy F_2 repeated as equal but distinct objects: two matrix bounds and T vector norms."""
    calls: list[tuple[int, int]] = []
    real = norms.norm_upper

    def counting(a, **kw):
        calls.append(a.shape)
        return real(a, **kw)

    monkeypatch.setattr(norms, "norm_upper", counting)
    steps, n = 40, 3
    f1 = [["-1/2", "1/10", 0], [0, "-1/3", 0], [0, "1/10", "-1/4"]]
    f2 = {"shape": [n, n * n], "entries": [[0, 4, "1/10"], [2, 8, "-1/20"]]}
    f0 = [{0: [Fraction(t + 1, 1000), 0, Fraction(-1, 1000)]} for t in range(steps)]
    shared = make_problem(F={1: f1, 2: f2}, F_steps=f0, u0=["1/4", 0, "1/8"], steps=steps, order=2)
    copies = make_problem(F_steps=[{1: f1, 2: f2, **m} for m in f0], u0=["1/4", 0, "1/8"], steps=steps, order=2)
    assert shared.maps[0][2] is shared.maps[-1][2] and copies.maps[0][2] is not copies.maps[-1][2]
    results = []
    for p in (shared, copies):
        calls.clear()
        results.append(norms.problem_norms(p))
        assert sorted(calls).count((n, n)) == 1 and calls.count((n, n * n)) == 1  # I + F_1 and F_2
        assert calls.count((n, 1)) == steps  # one F_0 per step
        assert len(calls) == steps + 2
    assert results[0] == results[1]
    assert all(h[1] == results[0][0][1] and h[2] == results[0][0][2] for h in results[0])


@pytest.mark.clause("REG-1", "REG-5")
def test_classify_reports_the_method_behind_each_norm(monkeypatch):
    p = make_problem(F={0: ["1/100", 0], 1: [["-1/2", 0], [0, "-1/3"]], 2: [["1/10", 0, 0, 0], [0, 0, 0, "1/10"]]},
                     u0=["1/4", "1/4"], steps=3, order=2)
    k = classify(p)
    assert k.norm_methods == {"0": EXACT, "1": EXACT, "2": EXACT}
    assert json.loads(json.dumps(k.to_json()))["norm_methods"] == k.norm_methods
    monkeypatch.setattr(norms, "EXACT_MAX_SIDE", 1)
    monkeypatch.setattr(norms, "VERIFIED_MAX_SIDE", 1)
    k2 = classify(p)
    reason = "the Gram matrix would be 2 × 2, above the verified method's 1"
    assert k2.norm_methods == {"0": EXACT, "1": f"{FALLBACK} ({reason})", "2": f"{FALLBACK} ({reason})"}
    assert f"h_1 by {FALLBACK} ({reason})" in str(k2)
    assert k2.norms["1"] >= 2 / 3 and k2.norms["2"] >= 1 / 10  # still bounds: ‖I + F_1‖ = 2/3, ‖F_2‖ = 1/10


# ------------------------------------------------------------------------------------------- (e)


def _n1000_problem_file(path) -> None:
    """n = 1000, five non-zeros per row in F_1 (diagonal −1/2 and four off-diagonal entries of size
    at most 1/40) and in F_2 (1000 × 10⁶), seeded."""
    rng = np.random.default_rng(2024)
    n = 1000
    f1, f2 = [], []
    for i in range(n):
        f1.append((i, i, Fraction(-1, 2)))
        others = rng.choice(np.delete(np.arange(n), i), size=4, replace=False)
        f1 += [(i, int(j), Fraction(int(rng.integers(-5, 6)) or 1, 200)) for j in others]
        f2 += [(i, int(j), Fraction(int(rng.integers(-9, 10)) or 1, 100)) for j in rng.choice(n * n, size=5, replace=False)]
    p = make_problem(F={1: ExactMatrix.from_entries((n, n), f1), 2: ExactMatrix.from_entries((n, n * n), f2)},
                     u0=[Fraction(1, 1000)] * n, steps=10, order=2)
    path.write_text(json.dumps(p.to_json(schema="qsgd-ref.problem.v2")))


@pytest.mark.slow  # 1.5 s alone (single-threaded BLAS), 6-16 s under load: the dense eigensolve of the mode report dominates
@pytest.mark.clause("REG-1", "REG-5")
def test_classify_at_n_1000_with_sparse_F1_and_F2(tmp_path, cli):
    path = tmp_path / "n1000.json"
    _n1000_problem_file(path)
    start = time.perf_counter()
    run = cli("classify", path)
    elapsed = time.perf_counter() - start
    assert run.status == 0, run.err
    out = json.loads(run.out)
    assert out["norm_methods"] == {"1": VERIFIED, "2": VERIFIED}
    assert math.isfinite(out["gamma"]) and out["gamma"] > 0 and out["R_d"] is not None and math.isfinite(out["R_d"])
    # a second method: float64 SVD norms of the same matrices
    from qsgd_ref.problem import load_problem
    p = load_problem(path)
    h1 = float(np.linalg.norm(p.maps[0][1].plus_identity().to_csr().toarray(), 2))
    assert_close(out["norms"]["1"], h1, tol=1e-8, scale=h1, what="h_1 against a dense float SVD")
    assert out["norms"]["1"] >= h1 * (1 - 1e-14)
    print(f"qsgd-ref classify, n = 1000: {elapsed:.2f} s")
