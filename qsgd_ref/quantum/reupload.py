"""The paper's re-upload scheme (clause RUP-1): K steps per HHL solve, download, keep the largest
entries, re-upload; optionally m classical steps after each download."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import DEFAULT_DPS
from qsgd_ref.base.results import Result
from qsgd_ref.base.sparsify import keep_largest
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import map_step, map_terms
from qsgd_ref.quantum.pipeline import exact_and_carleman, hhl


def _classical_step(problem: Problem, t: int, u: np.ndarray) -> np.ndarray:
    """One float64 step u + Σ_ℓ F_ℓ(t) u^{⊗ℓ} of the map (MAP-1) by :func:`~qsgd_ref.problem.iterate.map_step`."""
    return np.array(map_step(map_terms(problem.map_at(t), problem.n, float), [float(x) for x in u]))


def _segment(problem: Problem, t0: int, steps: int, u: np.ndarray) -> Problem:
    maps = problem.maps if not problem.time_dependent else problem.maps[t0 : t0 + steps]
    u0 = np.array([Fraction(float(x)) for x in u], dtype=object)
    return dataclasses.replace(problem, u0=u0, maps=maps, steps=steps)


@dataclass(frozen=True)
class Segment(Result):
    """One HHL solve of the scheme: steps t0 … t0 + steps, the downloaded and the kept u (None when
    the download could not run), the segment's error against its exact iteration, and the run's figures."""

    t0: int
    steps: int
    u_download: list[float] | None
    u_kept: list[float] | None
    error_vs_exact_segment: float | None
    fidelity: float
    success_probability: float
    clock_bits: int
    flags: list[str]


@dataclass(frozen=True)
class Reupload(Result):
    """The re-upload scheme's run (RUP-1): its segments, the final u, the exact u(T) and the distance."""

    segments: list[Segment]
    u_T: list[float]
    u_T_exact: list[float]
    error_vs_exact: float
    reached: int

    def summary(self) -> list[str]:
        return [f"re-upload: {len(self.segments)} segments to t = {self.reached}; ‖u − u(T)‖₂ = {self.error_vs_exact:.3g}"]


def reupload(problem: Problem, *, segment: int, keep: int, classical_steps: int = 0,
             shots: int | None = None, seed: int = 0, clock_bits: int | None = None,
             dps: int = DEFAULT_DPS) -> Reupload:
    """Run the scheme up to the problem's horizon; returns the segments and the final estimate."""
    if segment < 1:
        raise InputError("segment", f"must be ≥ 1, got {segment}")
    if not 1 <= keep <= problem.n:
        raise InputError("keep", f"must be in [1, {problem.n}], got {keep}")
    if classical_steps < 0:
        raise InputError("classical_steps", f"must be ≥ 0, got {classical_steps}")
    u = problem.u0_float()
    t = 0
    segments: list[Segment] = []
    while t < problem.steps:
        k = min(segment, problem.steps - t)
        sub = _segment(problem, t, k, u)
        res = hhl(sub, clock_bits=clock_bits, shots=shots, seed=seed + t, dps=dps, count_resources=False)
        exact_seg, _ = exact_and_carleman(sub, dps)
        if res.u_T is None:
            segments.append(Segment(t, k, None, None, None, res.fidelity, res.success_probability,
                                    res.clock["bits"], res.flags))
            break
        est = np.array(res.u_T)
        u = keep_largest(est, keep)
        t += k
        segments.append(Segment(t - k, k, est.tolist(), u.tolist(), float(np.linalg.norm(est - exact_seg)),
                                res.fidelity, res.success_probability, res.clock["bits"], res.flags))
        for _ in range(min(classical_steps, problem.steps - t)):
            u = _classical_step(problem, t, u)
            t += 1
    exact_T, _ = exact_and_carleman(problem, dps)
    return Reupload(segments, u.tolist(), exact_T.tolist(), float(np.linalg.norm(u - exact_T)), t)
