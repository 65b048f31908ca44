"""Download of a sparse block of the HHL solution from measurement samples (clause DNL-1).

The post-selected system register holds y/‖y‖. For a set of wanted indices W and a reference
index r whose amplitude y_r is known classically (sign and value), the estimate is
    û_i = s_i · sqrt(N_i / N_r) · |y_r|,
with N_i the counts of basis state i (computational-basis measurement) and the sign
s_i = sign(y_r) · sign(N⁺ − N⁻) from an interference measurement: a CX chain makes i and r differ
in one bit p, a Hadamard on p maps their amplitudes to (a_lo ± a_hi)/√2, and the counts of the
two outcomes compare |a_lo + a_hi|² with |a_lo − a_hi|². By the delta method the standard error is
½ |û_i| sqrt(1/N_i + 1/N_r), i.e. ∝ 1/√shots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit

#: counts of the post-selected system register: basis state (int) -> count
Counts = dict[int, float]


def interference_circuit(k: int, i: int, r: int) -> tuple[QuantumCircuit, int, int]:
    """Circuit on k system qubits mixing basis states i and r; returns (circuit, lo, hi') where the
    outcome lo has probability ∝ |a_lo + a_hi|²/2 and hi' ∝ |a_lo − a_hi|²/2 (lo = the one of i, r
    with bit p = 0)."""
    diff = i ^ r
    bits = [b for b in range(k) if diff >> b & 1]
    p = bits[0]
    hi = i if (i >> p) & 1 else r
    lo = i ^ r ^ hi
    qc = QuantumCircuit(k, name=f"interfere({i},{r})")
    for b in bits[1:]:
        qc.cx(p, b)
    qc.h(p)
    return qc, lo, lo | (1 << p)


@dataclass(frozen=True)
class Download:
    """Estimated entries, their standard errors, and the counts used."""

    indices: tuple[int, ...]
    values: np.ndarray
    stderr: np.ndarray
    signs_resolved: np.ndarray  # False where the interference counts tied


def estimate(
    indices: Sequence[int],
    ref: int,
    ref_value: float,
    counts: Counts,
    sign_counts: Sequence[tuple[float, float]],
    *,
    statevector: bool = False,
) -> Download:
    """û from magnitude counts and, per wanted index, (N_lo, N_hi') of its interference run.

    With ``statevector`` the counts are probabilities (infinitely many shots) and the errors are 0."""
    n_r = counts.get(ref, 0)
    vals, errs, ok = [], [], []
    for j, i in enumerate(indices):
        n_i = counts.get(i, 0)
        if i == ref:
            vals.append(ref_value)
            errs.append(0.0)
            ok.append(True)
            continue
        if n_r == 0:
            vals.append(0.0)
            errs.append(float("inf"))
            ok.append(False)
            continue
        n_plus, n_minus = sign_counts[j]
        rel = 1.0 if n_plus >= n_minus else -1.0  # sign(a_lo · a_hi) = sign(a_i · a_r)
        vals.append(float(np.sign(ref_value) * rel * np.sqrt(n_i / n_r) * abs(ref_value)))
        m = max(n_i, 1)
        errs.append(0.0 if statevector else float(0.5 * abs(ref_value) * np.sqrt(m / n_r) * np.sqrt(1 / m + 1 / n_r)))
        ok.append(bool(n_plus != n_minus))
    return Download(tuple(indices), np.array(vals), np.array(errs), np.array(ok))


def download(
    indices: Sequence[int],
    ref: int,
    ref_value: float,
    k: int,
    sampler: Callable[[QuantumCircuit | None], Counts],
    *,
    statevector: bool = False,
) -> Download:
    """Run the magnitude measurement and one interference measurement per wanted index.

    ``sampler(extra)`` returns post-selected counts of the system register after appending
    ``extra`` (None: plain computational-basis measurement)."""
    counts = sampler(None)
    sign_counts: list[tuple[float, float]] = []
    for i in indices:
        if i == ref:
            sign_counts.append((1, 0))
            continue
        qc, lo, hi = interference_circuit(k, i, ref)
        c = sampler(qc)
        sign_counts.append((c.get(lo, 0), c.get(hi, 0)))
    return estimate(indices, ref, ref_value, counts, sign_counts, statevector=statevector)
