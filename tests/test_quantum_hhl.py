"""HHL: dilation (HHL-1), the finite-clock output against its classical twin (HHL-2), clock sizing (HHL-3)."""

from __future__ import annotations

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.quantum.clock import make_clock
from qsgd_ref.quantum.dilation import encode
from qsgd_ref.quantum.hhl import aer_statevector, hhl_circuit, postselect
from qsgd_ref.quantum.twin import choose_clock, twin

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


@pytest.mark.clause("HHL-2")
@settings(max_examples=examples(6))
@given(data=system(max_m=2), bits=st.integers(3, 4))
def test_aer_statevector_equals_twin(data: tuple[np.ndarray, np.ndarray, np.ndarray], bits: int) -> None:
    L, b, _ = data
    enc = encode(L, b)
    clk = make_clock(enc.eigenvalues, bits)
    sv = aer_statevector(hhl_circuit(enc, clk))
    out, p = postselect(sv, enc, clk)
    tw = twin(enc, clk)
    assert_close(out, tw.unnormalised, tol=TOL, what="post-selected Aer state against the twin")
    assert_close(p, tw.success_probability, tol=TOL, what="success probability against the twin")
    anc = float(np.sum(np.abs(np.asarray(sv).reshape(2, -1)[1]) ** 2))
    assert_close(anc, tw.ancilla_probability, tol=TOL, what="ancilla probability against the twin")


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


@pytest.mark.clause("HHL-3")
@settings(max_examples=examples(8))
@given(data=system(max_m=4))
def test_chosen_clock_reaches_target_and_scales_spectrum(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    L, b, sig = data
    enc = encode(L, b)
    clk, rule = choose_clock(enc)
    top = np.max(np.abs(enc.eigenvalues)) * clk.time * clk.size / (2 * np.pi)
    assert_close(top, clk.size // 2 - 2, tol=1e-9, what="largest |λ| in clock bins (k_max)")
    assert twin(enc, clk).fidelity >= 0.999, rule
    # the κ rule is a lower bound on the clock; above it the choice is minimal
    start = 1 + int(np.ceil(np.log2(enc.kappa + 2)))
    assert clk.bits >= max(3, start)
    if clk.bits > max(3, start):
        assert twin(enc, make_clock(enc.eigenvalues, clk.bits - 1)).fidelity < 0.999


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
