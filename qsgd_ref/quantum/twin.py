"""The classical twin of the finite-clock HHL circuit (clause HHL-2) and the clock choice (HHL-3).

For A = Σ λ_i |u_i⟩⟨u_i| and rhs = Σ β_i |u_i⟩, QPE gives |u_i⟩ Σ_k α_k(φ_i) |k⟩ with
α_k(φ) = 2^(−c) Σ_j e^{2πi j (φ − k/2^c)}, φ_i = λ_i t / 2π. After the rotation, the uncomputation
and post-selection of ancilla = 1 and clock = 0 the system holds
    Σ_i β_i g(λ_i) |u_i⟩,   g(λ) = Σ_k |α_k(φ)|² f(k),
whose squared norm is the success probability (leakage into neighbouring bins included).
Without the clock post-selection the ancilla = 1 probability is Σ_i |β_i|² Σ_k |α_k(φ_i)|² f(k)².

The rotation constant (HHL-3): with f(k') = sign(k') min(1, c₀/|k'|), g is affine in c₀ on each
interval m ≤ c₀ ≤ m + 1 (the bins |k'| ≤ m are clamped, the others are not), so the success
probability and the numerator and denominator of the fidelity are quadratics in c₀ there;
:func:`best_rotation` maximises the success probability subject to the fidelity target exactly,
interval by interval, and certifies the result with :func:`twin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qsgd_ref.quantum.clock import MAX_CLOCK, Clock, check_clock_bits, clock_lower_bound, make_clock
from qsgd_ref.quantum.dilation import Encoded

#: Default fidelity the clock choice certifies (HHL-3).
TARGET_FIDELITY = 0.999
#: Grid points per clock bin where a u_T tolerance is checked (besides the exact candidates).
U_GRID = 8
#: The twin certifies fidelity ≥ target + MARGIN, so that a simulated state (which agrees with the
#: twin to about 1e-10, HHL-2) also meets the target.
MARGIN = 1e-8
#: At most this many bins j are tried for the smallest |λ| (time_candidates).
MAX_BIN_CANDIDATES = 16


def qpe_weights(clock: Clock, lam: np.ndarray) -> np.ndarray:
    """|α_k(φ)|² for each eigenvalue (rows) and clock value k (columns).

    α_k(φ) = 2^(−c) Σ_j e^{2πij(φ − k/N)}, N = 2^c, is a geometric sum: with δ = φ − k/N reduced to
    [−½, ½), |α_k|² = sin²(πNδ) / (N² sin²(πδ)) (the Fejér kernel), and 1 at δ = 0. Computed so, in
    O(N) per eigenvalue; tests/test_quantum_hhl.py checks it against the sum written out."""
    n = clock.size
    phi = np.asarray(lam, dtype=float) * clock.time / (2 * np.pi)
    delta = phi[:, None] - np.arange(n)[None, :] / n
    delta -= np.rint(delta)
    den = n * np.sin(np.pi * delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (np.sin(np.pi * n * delta) / den) ** 2
    return np.asarray(np.where(np.abs(den) < 1e-300, 1.0, w), dtype=float)


@dataclass(frozen=True)
class TwinOutput:
    """Exact post-selected output: ``state`` (normalised), ``success_probability``
    (ancilla = 1 and clock = 0), ``ancilla_probability`` (ancilla = 1 alone), ``fidelity``
    |⟨ideal|state⟩|² against the normalised A⁻¹ rhs."""

    state: np.ndarray
    success_probability: float
    ancilla_probability: float
    fidelity: float
    unnormalised: np.ndarray


def twin(enc: Encoded, clock: Clock, weights: np.ndarray | None = None) -> TwinOutput:
    """The state the circuit of :func:`qsgd_ref.quantum.hhl.hhl_circuit` outputs, computed exactly
    (``weights``: :func:`qpe_weights` of this clock's c and t, if already computed)."""
    lam, U = enc.eigh
    beta = U.conj().T @ enc.rhs
    w = qpe_weights(clock, lam) if weights is None else weights
    f = clock.amplitudes()
    g = w @ f
    out = U @ (beta * g)
    p = float(np.vdot(out, out).real)
    anc = float(np.sum(np.abs(beta) ** 2 * (w @ f**2)))
    ideal = enc.normalised_solution
    state = out / np.sqrt(p) if p > 0 else out
    fid = float(abs(np.vdot(ideal, state)) ** 2) if p > 0 else 0.0
    return TwinOutput(state, p, anc, fid, out)


@dataclass(frozen=True)
class UCheck:
    """A tolerance on entries read from the output (the pipeline's u_T criterion, HHL-3): the
    download ``refv · sign(Re r_i) |r_i|``, r_i = y_i / y_ref, of the entries ``indices`` relative to
    the entry ``ref`` whose value ``refv`` is known, must lie within ``tol`` of ``target`` (2-norm)."""

    indices: Sequence[int]
    ref: int
    refv: float
    target: np.ndarray
    tol: float


@dataclass(frozen=True)
class Rotation:
    """The rotation constant chosen for one clock size: the clock, the twin's success probability
    and fidelity there (certified by :func:`twin`), and the same at c₀ → 0⁺ (no bin clamped)."""

    clock: Clock
    success_probability: float
    fidelity: float
    unclamped_fidelity: float


def _pieces(enc: Encoded, clock: Clock) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, w, λ, W) with g(λ_i) = a[i, m] c₀ + b[i, m] for m ≤ c₀ ≤ m + 1, m = 0 … 2^(c−1) − 1;
    w = |β|², W the QPE weights."""
    lam, U = enc.eigh
    beta = U.conj().T @ enc.rhs
    W = qpe_weights(clock, lam)
    n, half = clock.size, clock.size // 2
    d = np.arange(1, half + 1)
    plus = np.zeros((len(lam), half))
    plus[:, : half - 1] = W[:, 1:half]  # k' = +d (there is no k' = +2^(c−1))
    D = plus - W[:, n - d]  # column d − 1: weight at k' = d minus weight at k' = −d
    zero = np.zeros((len(lam), 1))
    b = np.hstack([zero, np.cumsum(D, axis=1)])[:, :half]  # Σ_{d ≤ m} D_d (clamped bins)
    cs = np.cumsum(D / d, axis=1)
    a = (cs[:, -1:] - np.hstack([zero, cs]))[:, :half]  # Σ_{d > m} D_d / d
    return a, b, np.abs(beta) ** 2, lam, W


def time_candidates(enc: Encoded, bits: int) -> list[int | None]:
    """The scalings t tried at ``bits`` clock qubits (HHL-3): None for the largest |λ| on
    k_max = 2^(c−1) − 2, and j for the smallest |λ| exactly on bin j, for the j ≥ 1 that keep the
    largest on j κ ≤ 2^(c−1) − 1 (inside the signed range): all of them up to MAX_BIN_CANDIDATES,
    else that many spread evenly from 1 to the largest."""
    top = int(np.floor((2 ** (bits - 1) - 1) / enc.kappa * (1 + 1e-12)))
    js = range(1, top + 1) if top <= MAX_BIN_CANDIDATES else np.unique(
        np.rint(np.linspace(1, top, MAX_BIN_CANDIDATES)).astype(int))
    return [None, *(int(j) for j in js)]


def best_rotation(enc: Encoded, bits: int, target: float = TARGET_FIDELITY,
                  u_check: UCheck | None = None) -> Rotation | None:
    """The scaling t and rotation constant c₀ that maximise the twin's success probability at
    ``bits`` clock qubits subject to the twin fidelity ≥ ``target`` (and, with ``u_check``, the
    download tolerance); None if none reaches the target (clause HHL-3). t runs over
    :func:`time_candidates`, c₀ over all positive reals (:func:`_best_c0`)."""
    check_clock_bits(bits)
    best: Rotation | None = None
    for j in time_candidates(enc, bits):
        r = _best_c0(enc, make_clock(enc.eigenvalues, bits, 1.0, min_bin=j), target, u_check)
        if r is not None and (best is None or r.success_probability > best.success_probability):
            best = r
    return best


def _best_c0(enc: Encoded, base: Clock, target: float, u_check: UCheck | None) -> Rotation | None:
    """The c₀ maximising the success probability at the clock ``base`` (its c₀ ignored), subject to
    the fidelity ≥ ``target`` (and ``u_check``); None if no c₀ qualifies.

    On m ≤ c₀ ≤ m + 1: p(c₀) = Σ w g², the overlap o(c₀) = Σ w g/λ, and fidelity = o²/(S p) with
    S = Σ w/λ²; fidelity ≥ F ⇔ q(c₀) = o² − F S p ≥ 0, a quadratic. p is a convex quadratic, so its
    maximum over a feasible stretch is at an end: an interval end or a root of q (moved 1e-7 inside).
    With ``u_check`` the candidates are also those on a grid of U_GRID points per bin. The winner is
    certified by :func:`twin` (the next candidate is taken if the twin disagrees)."""
    bits = base.bits
    a, b, w, lam, W = _pieces(enc, base)
    half = base.size // 2
    wl = w / lam
    S = float(np.sum(w / lam**2))
    A1, B1 = wl @ a, wl @ b
    A2, B2, C2 = w @ a**2, w @ (a * b), w @ b**2
    target += MARGIN
    qa, qb, qc = A1**2 - target * S * A2, 2 * (A1 * B1 - target * S * B2), B1**2 - target * S * C2
    ms: list[np.ndarray] = [np.arange(half), np.arange(1, half)]
    c0s: list[np.ndarray] = [np.arange(half) + 1.0, np.arange(1, half, dtype=float)]
    disc = qb**2 - 4 * qa * qc
    ok = (disc >= 0) & (qa != 0)
    for sgn in (-1.0, 1.0):
        root = np.full(half, np.nan)
        root[ok] = (-qb[ok] + sgn * np.sqrt(disc[ok])) / (2 * qa[ok])
        lin = (qa == 0) & (qb != 0)
        root[lin] = -qc[lin] / qb[lin]
        for nudge in (1 - 1e-7, 1 + 1e-7):
            r = root * nudge
            inside = np.isfinite(r) & (r > np.arange(half)) & (r < np.arange(half) + 1) & (r > 0)
            ms.append(np.flatnonzero(inside))
            c0s.append(r[inside])
    if u_check is not None:
        grid = np.arange(1, U_GRID) / U_GRID
        ms.append(np.repeat(np.arange(half), len(grid)))
        c0s.append((np.arange(half)[:, None] + grid[None, :]).ravel())
    m = np.concatenate(ms)
    c0 = np.concatenate(c0s)
    p = A2[m] * c0**2 + 2 * B2[m] * c0 + C2[m]
    q = qa[m] * c0**2 + qb[m] * c0 + qc[m]
    feasible = (q > 0) & (p > 0)
    if u_check is not None and feasible.any():
        sel = np.flatnonzero(feasible)
        feasible[sel] = _u_errors(enc, a, b, u_check, m[sel], c0[sel]) <= u_check.tol
    # the fidelity at c₀ → 0⁺ (interval 0: nothing clamped, fidelity independent of c₀)
    unclamped = float(A1[0] ** 2 / (S * A2[0])) if A2[0] > 0 else 0.0
    for i in np.argsort(-np.where(feasible, p, -np.inf)):
        if not feasible[i]:
            return None
        clk = Clock(bits, base.time, float(c0[i]))
        out = twin(enc, clk, W)
        if out.fidelity >= target:  # certified by the twin itself, not by the quadratics
            return Rotation(clk, out.success_probability, out.fidelity, unclamped)
    return None


def _u_errors(enc: Encoded, a: np.ndarray, b: np.ndarray, u: UCheck, m: np.ndarray, c0: np.ndarray) -> np.ndarray:
    """‖download − target‖₂ at each (interval m, c₀) for the affine output y(c₀) = V (β ∘ (a c₀ + b))."""
    lam, V = enc.eigh
    beta = V.conj().T @ enc.rhs
    rows = V[[*u.indices, u.ref]]
    X, Y = rows @ (beta[:, None] * a), rows @ (beta[:, None] * b)
    y = X[:, m] * c0 + Y[:, m]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = y[:-1] / y[-1]
    est = u.refv * np.where(r.real >= 0, 1.0, -1.0) * np.abs(r)
    err = np.linalg.norm(est - np.asarray(u.target)[:, None], axis=0)
    return np.where(np.isfinite(err), err, np.inf)


def choose_clock(enc: Encoded, target_fidelity: float = TARGET_FIDELITY, eps: float = 1.0,
                 max_bits: int = MAX_CLOCK, u_check: UCheck | None = None) -> tuple[Clock, str]:
    """Clock sizing (clause HHL-3): from the κ rule c ≥ 1 + log2(κ/ε + 2), the smallest c at which
    a rotation constant reaches ``target_fidelity`` (and ``u_check``), with c₀ maximising the
    success probability there (:func:`best_rotation`); then one more qubit at a time while it raises
    the best success probability by more than it adds to the CX count of the construction
    (p(c+1)/p(c) > cx(c+1)/cx(c), :func:`cx_growth`), up to ``max_bits``. Without any feasible c,
    the largest clock with the conservative c₀, and the reason."""
    start = clock_lower_bound(enc.kappa, eps)
    c = start
    best = best_rotation(enc, c, target_fidelity, u_check)
    while best is None and c < max_bits:
        c += 1
        best = best_rotation(enc, c, target_fidelity, u_check)
    if best is None:
        clk = make_clock(enc.eigenvalues, max_bits)
        return clk, (f"kappa rule gave {start}; no rotation constant reaches fidelity {target_fidelity}"
                     + (" and the u_T tolerance" if u_check else "") + f" up to {max_bits} clock qubits; "
                     f"conservative c0 = {clk.c0:g} (twin fidelity {twin(enc, clk).fidelity:.6f})")
    first = best
    while best.clock.bits < max_bits:
        nxt = best_rotation(enc, best.clock.bits + 1, target_fidelity, u_check)
        if nxt is None or nxt.success_probability <= best.success_probability * cx_growth(enc.qubits, best.clock.bits):
            break
        best = nxt
    return best.clock, (f"kappa rule gave {start}; first clock reaching fidelity {target_fidelity}"
                        + (" and the u_T tolerance" if u_check else "")
                        + f": {first.clock.bits} (p = {first.success_probability:.4g}); chosen {best.clock.bits} "
                        f"with c0 = {best.clock.c0:.6g} (twin fidelity {best.fidelity:.6f}, "
                        f"success probability {best.success_probability:.4g})")


def cx_growth(system_qubits: int, bits: int) -> float:
    """cx(c + 1)/cx(c) for the analytic CX count of the construction (HHL-4)."""
    from qsgd_ref.quantum.resources import construction_cx

    return construction_cx(system_qubits, bits + 1) / construction_cx(system_qubits, bits)
