"""HHL: dilation (HHL-1), the finite-clock output against its classical twin (HHL-2), the clock and the
rotation constant (HHL-3); the simulator without transpilation against qiskit-aer."""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.problem import make_problem
from qsgd_ref.quantum.clock import Clock, make_clock
from qsgd_ref.quantum.dilation import encode
from qsgd_ref.quantum.hhl import ClockFourier, aer_statevector, hhl_circuit, postselect, simulate
from qsgd_ref.quantum.resources import construction_cx
from qsgd_ref.quantum.twin import _pieces, best_rotation, choose_clock, qpe_weights, time_candidates, twin
from qsgd_ref.system.eq6 import eq6_system

TOL = 1e-10


def orthogonal(rng: np.random.Generator, m: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(m, m)))
    return q * np.sign(np.diag(r))


@st.composite
def system(draw: st.DrawFn, max_m: int = 4, hermitian: bool | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L = Q₁ diag(σ) Q₂ᵀ (or Q Λ Qᵀ with signed Λ) with chosen σ ∈ [1, 8], and b."""
    m = draw(st.integers(1, max_m), label="m")
    herm = draw(st.booleans(), label="hermitian") if hermitian is None else hermitian
    sig = np.array(draw(st.lists(st.floats(1.0, 8.0), min_size=m, max_size=m), label="sigma"))
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if herm:
        signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=m, max_size=m), label="signs"))
        q = orthogonal(rng, m)
        L = q @ np.diag(sig * signs) @ q.T
        L = (L + L.T) / 2
    else:
        L = orthogonal(rng, m) @ np.diag(sig) @ orthogonal(rng, m).T
    b = rng.normal(size=m)
    b[0] += 1.0  # b ≠ 0
    return L, b, sig


@pytest.mark.clause("HHL-1")
@given(data=system(hermitian=False))
def test_dilation_spectrum_and_solution(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    L, b, sig = data
    enc = encode(L, b, dilate=True)
    m = L.shape[0]
    assert enc.dilated and 2**enc.qubits >= 2 * m
    expected = np.sort(np.concatenate([sig, -sig, np.full(2**enc.qubits - 2 * m, sig.max())]))
    assert_close(enc.eigenvalues, expected, tol=TOL, scale=sig.max(), what="spectrum of the dilation (±σ, padding)")
    assert_close(enc.kappa, sig.max() / sig.min(), tol=TOL, scale=enc.kappa, what="κ of the dilation")
    y = enc.solution() * enc.rhs_norm
    x = np.linalg.solve(L, b)
    assert_close(y[:m], np.zeros(m), tol=TOL, scale=np.linalg.norm(x), what="upper half of the dilated solution")
    assert_close(y[enc.solution_slice], x, tol=TOL, scale=np.linalg.norm(x), what="solution slice against L⁻¹b")


@pytest.mark.clause("HHL-1")
def test_hermitian_is_not_dilated_and_bad_input_names_field() -> None:
    A = np.diag([1.0, -2.0, 3.0])
    enc = encode(A, np.ones(3))
    assert not enc.dilated and enc.qubits == 2
    with pytest.raises(ValueError, match="^b:"):
        encode(A, np.zeros(3))
    with pytest.raises(ValueError, match="^L:"):
        encode(np.diag([1.0, 0.0]), np.ones(2))


def check_aer_twin_blockwise(enc, clk) -> None:
    """Aer's statevector, the blockwise simulation and the twin agree to TOL (HHL-2)."""
    qc = hhl_circuit(enc, clk)
    sv = aer_statevector(qc)
    assert_close(simulate(qc), sv, tol=TOL, what="blockwise simulation against Aer (whole state)")
    out, p = postselect(sv, enc, clk)
    tw = twin(enc, clk)
    assert_close(out, tw.unnormalised, tol=TOL, what="post-selected Aer state against the twin")
    assert_close(p, tw.success_probability, tol=TOL, what="success probability against the twin")
    anc = float(np.sum(np.abs(np.asarray(sv).reshape(2, -1)[1]) ** 2))
    assert_close(anc, tw.ancilla_probability, tol=TOL, what="ancilla probability against the twin")


@pytest.mark.clause("HHL-2")
@settings(max_examples=examples(6))
@given(data=system(max_m=2), bits=st.integers(3, 4), c0=st.floats(0.25, 6.0))
def test_aer_statevector_equals_twin(data: tuple[np.ndarray, np.ndarray, np.ndarray], bits: int, c0: float) -> None:
    L, b, _ = data
    enc = encode(L, b)
    check_aer_twin_blockwise(enc, make_clock(enc.eigenvalues, bits, c0))


@pytest.mark.clause("HHL-2")
@pytest.mark.parametrize("inverse", [False, True])
def test_clock_fourier_by_fft_equals_qiskits_qft(inverse: bool) -> None:
    """simulate() applies ClockFourier as an FFT; against Operator(QFTGate) on 3 of 5 qubits of a random state."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import QFTGate
    from qiskit.quantum_info import Operator

    rng = np.random.default_rng(5)
    psi = rng.normal(size=32) + 1j * rng.normal(size=32)
    psi /= np.linalg.norm(psi)
    qc = QuantumCircuit(5)
    qc.append(ClockFourier(3, inverse=inverse), [1, 2, 4])
    ref = QuantumCircuit(5)
    gate = QFTGate(3)
    ref.append(gate.inverse() if inverse else gate, [1, 2, 4])
    assert_close(simulate(qc, psi), Operator(ref).data @ psi, tol=1e-13, what="FFT QFT against Qiskit's QFTGate")


@st.composite
def pair_problem(draw: st.DrawFn) -> tuple:
    """An n = 2, N = 2 problem (F_1, F_2, maybe F_0, T ∈ {1, 2}) with small rational entries."""
    def entry(label: str, lo: int = -6, hi: int = 6) -> Fr:
        return Fr(draw(st.integers(lo, hi), label=label), 20)

    F = {1: [[entry(f"F1[{i}][{j}]") for j in range(2)] for i in range(2)],
         2: [[entry(f"F2[{i}][{j}]", -3, 3) for j in range(4)] for i in range(2)]}
    if draw(st.booleans(), label="F0"):
        F[0] = [entry("F0[0]", -2, 2), entry("F0[1]", -2, 2)]
    u0 = [entry("u0[0]", 1, 12), entry("u0[1]", -12, 12)]
    return make_problem(F=F, u0=u0, steps=draw(st.integers(1, 2), label="T"), order=2)


@pytest.mark.clause("HHL-2")
@settings(max_examples=examples(5))
@given(problem=pair_problem(), bits=st.integers(3, 4), min_bin=st.sampled_from([None, 1, 2]))
def test_aer_equals_twin_on_pair_eq6_systems(problem, bits: int, min_bin) -> None:
    """The dilated Eq. 6 system of an n = 2, N = 2 problem (5 or 6 system qubits): Aer, blockwise
    simulation and twin agree, for the clock of either scaling of HHL-3 and the c₀ that maximises p."""
    system = eq6_system(problem)
    enc = encode(system.matrix, system.rhs)
    assert enc.qubits in (5, 6)
    if min_bin is not None and min_bin not in time_candidates(enc, bits):
        min_bin = None
    clk = make_clock(enc.eigenvalues, bits, 1.0, min_bin=min_bin)
    best = best_rotation(enc, bits, 0.5)
    check_aer_twin_blockwise(enc, clk if best is None else Clock(bits, clk.time, best.clock.c0))


@pytest.mark.clause("HHL-2")
@given(bits=st.integers(3, 6), data=st.data())
def test_twin_is_exact_inverse_on_bin_centred_spectrum(bits: int, data: st.DataObject) -> None:
    """Eigenvalues placed exactly on clock bins: QPE is exact, so the output is C · A⁻¹ rhs."""
    half = 2 ** (bits - 1)
    ks = data.draw(st.lists(st.integers(1, half - 2), min_size=2, max_size=4), label="bins")
    signs = data.draw(st.lists(st.sampled_from([-1, 1]), min_size=len(ks), max_size=len(ks)), label="signs")
    kmax = half - 2
    ks[0] = kmax  # the largest |λ| sits on k_max, which fixes t as make_clock does
    lam = np.array([s * k for s, k in zip(signs, ks)], dtype=float)
    m = len(lam)
    size = 2 ** int(np.ceil(np.log2(m)))
    lam_full = np.concatenate([lam, np.full(size - m, float(kmax))])
    q = orthogonal(np.random.default_rng(bits), size)
    A = q @ np.diag(lam_full) @ q.T
    rhs = q[:, :m] @ np.ones(m)
    enc = encode((A + A.T) / 2, rhs)
    clk = make_clock(enc.eigenvalues, bits)
    tw = twin(enc, clk)
    ideal = np.linalg.solve(enc.A, enc.rhs)
    assert_close(tw.unnormalised, clk.scale * ideal, tol=1e-9, what="twin output against C · A⁻¹ rhs")
    assert tw.fidelity >= 1 - 1e-12


@pytest.mark.clause("HHL-2")
@settings(max_examples=examples(10))
@given(bits=st.integers(3, 6), lam=st.lists(st.floats(-40.0, 40.0), min_size=1, max_size=4), time=st.floats(0.1, 2.0))
def test_qpe_weights_equal_the_literal_sum(bits: int, lam: list[float], time: float) -> None:
    """|α_k(φ)|² in closed form (Fejér kernel) against the double sum of HHL-2 written out; rows sum to 1."""
    clk = Clock(bits, time, 1.0)
    size = 2**bits
    literal = np.array([[abs(sum(np.exp(2j * np.pi * j * (x * time / (2 * np.pi) - k / size)) for j in range(size)) / size) ** 2
                         for k in range(size)] for x in lam])
    w = qpe_weights(clk, np.array(lam))
    assert_close(w, literal, tol=1e-12, what="QPE weights in closed form")
    assert_close(w.sum(axis=1), np.ones(len(lam)), tol=1e-12, what="Σ_k |α_k|²")


@pytest.mark.clause("HHL-3")
@settings(max_examples=examples(8))
@given(data=system(max_m=4), bits=st.integers(3, 6), c0=st.floats(0.01, 40.0))
def test_output_is_affine_in_c0_between_bins(data: tuple[np.ndarray, np.ndarray, np.ndarray], bits: int, c0: float) -> None:
    """g(λ_i) = a[i, m] c₀ + b[i, m] for m = ⌊c₀⌋ (all bins clamped beyond 2^(c−1)), against Σ_k |α_k|² f(k)."""
    L, b, _ = data
    enc = encode(L, b)
    clk = make_clock(enc.eigenvalues, bits, c0)
    a, bb, _, lam, _ = _pieces(enc, clk)
    m = min(int(np.floor(c0)), clk.size // 2 - 1)
    c = min(c0, clk.size // 2)
    g = qpe_weights(clk, lam) @ clk.amplitudes()
    assert_close(a[:, m] * c + bb[:, m], g, tol=1e-12, what="piecewise-affine g(λ) against the weights")


def brute_force(enc, bits: int, target: float) -> float:
    """The largest twin success probability at fidelity ≥ target over every scaling of
    time_candidates and c₀ on a grid of 1/16 bin (the twin evaluated directly, point by point)."""
    best = 0.0
    for j in time_candidates(enc, bits):
        base = make_clock(enc.eigenvalues, bits, 1.0, min_bin=j)
        for c0 in np.arange(1, 16 * (base.size // 2) + 1) / 16:
            out = twin(enc, Clock(bits, base.time, float(c0)))
            if out.fidelity >= target:
                best = max(best, out.success_probability)
    return best


@pytest.mark.clause("HHL-3")
@settings(max_examples=examples(6))
@given(data=system(max_m=4), bits=st.integers(3, 5))
def test_rotation_maximises_success_probability_at_target(data: tuple[np.ndarray, np.ndarray, np.ndarray], bits: int) -> None:
    """The chosen (t, c₀) is certified by the twin (fidelity ≥ target) and no grid point does better."""
    L, b, _ = data
    enc = encode(L, b)
    target = 0.99
    r = best_rotation(enc, bits, target)
    grid = brute_force(enc, bits, target)
    if r is None:
        assert grid == 0.0
        return
    out = twin(enc, r.clock)
    assert out.fidelity >= target
    assert_close(out.success_probability, r.success_probability, tol=1e-12, what="reported p against the twin")
    assert r.success_probability >= grid * (1 - 1e-6), (r.success_probability, grid)


@pytest.mark.clause("HHL-3")
@settings(max_examples=examples(8))
@given(data=system(max_m=4))
def test_chosen_clock_follows_the_rule(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """HHL-3: the first clock size at which some c₀ reaches the target, then one qubit more only while
    the best success probability grows by more than the construction's CX count."""
    L, b, _ = data
    enc = encode(L, b)
    clk, rule = choose_clock(enc)
    assert twin(enc, clk).fidelity >= 0.999, rule
    start = 1 + int(np.ceil(np.log2(enc.kappa + 2)))
    sizes = range(max(3, start), clk.bits + 2)
    best = {c: best_rotation(enc, c) for c in sizes}
    first = min(c for c in sizes if best[c] is not None)
    assert clk.bits >= first
    for c in range(first, clk.bits + 1):
        r = best[c]
        assert r is not None
        growth = construction_cx(enc.qubits, c + 1) / construction_cx(enc.qubits, c)
        nxt = best[c + 1] if c + 1 in best else None
        grew = nxt is not None and nxt.success_probability > r.success_probability * growth
        assert grew == (c < clk.bits), (c, clk.bits, rule)
    assert_close(twin(enc, clk).success_probability, best[clk.bits].success_probability, tol=1e-12,
                 what="p of the chosen clock")


@pytest.mark.clause("HHL-2", "HHL-3")
def test_negative_eigenvalues_solved_with_signed_clock() -> None:
    """A Hermitian system with eigenvalues of both signs: the Aer output has fidelity ≥ 0.999."""
    q = orthogonal(np.random.default_rng(7), 4)
    A = q @ np.diag([-3.0, -1.0, 1.5, 4.0]) @ q.T
    b = np.array([1.0, -2.0, 0.5, 1.0])
    enc = encode((A + A.T) / 2, b)
    clk, _ = choose_clock(enc)
    out, p = postselect(aer_statevector(hhl_circuit(enc, clk)), enc, clk)
    x = np.linalg.solve(A, b)
    fid = abs(np.vdot(x / np.linalg.norm(x), out / np.sqrt(p))) ** 2
    assert fid >= 0.999
