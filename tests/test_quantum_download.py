"""Sparse download (DNL-1): exact at infinitely many shots; error ∝ 1/√shots over seeds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from assertions import assert_close
from hypothesis import given
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qsgd_ref.quantum.download import Counts, download


def exact_sampler(y: np.ndarray) -> Callable[[QuantumCircuit | None], Counts]:
    v = y / np.linalg.norm(y)

    def sample(extra: QuantumCircuit | None) -> Counts:
        w = v if extra is None else Operator(extra).data @ v
        return {i: float(abs(a) ** 2) for i, a in enumerate(w)}
    return sample


def multinomial_sampler(y: np.ndarray, shots: int, rng: np.random.Generator) -> Callable[[QuantumCircuit | None], Counts]:
    exact = exact_sampler(y)

    def sample(extra: QuantumCircuit | None) -> Counts:
        p = exact(extra)
        probs = np.array([p[i] for i in range(len(y))])
        n = rng.multinomial(shots, probs / probs.sum())
        return {i: int(c) for i, c in enumerate(n) if c}
    return sample


@st.composite
def real_state(draw: st.DrawFn) -> tuple[np.ndarray, list[int], int]:
    k = draw(st.integers(2, 4), label="qubits")
    vals = draw(st.lists(st.floats(0.05, 1.0), min_size=2**k, max_size=2**k), label="magnitudes")
    signs = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=2**k, max_size=2**k), label="signs")
    y = np.array(vals) * np.array(signs)
    wanted = draw(st.lists(st.integers(0, 2**k - 1), min_size=1, max_size=3, unique=True), label="wanted")
    ref = draw(st.integers(0, 2**k - 1), label="reference")
    return y, wanted, ref


@pytest.mark.clause("DNL-1")
@given(data=real_state())
def test_download_is_exact_with_probabilities(data: tuple[np.ndarray, list[int], int]) -> None:
    y, wanted, ref = data
    k = int(np.log2(len(y)))
    dl = download(wanted, ref, float(y[ref]), k, exact_sampler(y), statevector=True)
    assert_close(dl.values, y[wanted], tol=1e-12, scale=np.max(np.abs(y)), what="downloaded entries at infinite shots")
    assert dl.signs_resolved.all()


@pytest.mark.clause("DNL-1")
def test_download_error_scales_as_inverse_sqrt_shots() -> None:
    """RMS error over 60 independent seeds at S and 16 S shots: the ratio is close to 4, and about
    99.7 % of the errors lie within 3 reported standard errors."""
    y = np.array([0.6, -0.3, 0.2, 0.5, -0.4, 0.1, 0.25, -0.15])
    wanted, ref = [1, 4, 6], 0
    rms, inside, total = [], 0, 0
    for shots in (2_000, 32_000):
        errs = []
        for seed in range(60):
            rng = np.random.default_rng(seed)
            dl = download(wanted, ref, float(y[ref]), 3, multinomial_sampler(y, shots, rng))
            e = dl.values - y[wanted]
            errs.append(e)
            inside += int(np.sum(np.abs(e) <= 3 * dl.stderr))
            total += len(e)
        rms.append(float(np.sqrt(np.mean(np.square(errs)))))
    ratio = rms[0] / rms[1]
    assert 3.0 <= ratio <= 5.3, (rms, ratio)  # √16 = 4; 60 seeds × 3 entries give ≈ ±15 % spread
    assert inside / total >= 0.95, inside / total
