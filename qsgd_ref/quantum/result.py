"""Results of the quantum pipeline (clause HHL-4): the normalised state, its norm, the success
probability and the resources are kept apart, and the error of u(T) is split into a budget."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qsgd_ref.base.results import Result, jsonable


@dataclass(frozen=True)
class ErrorBudget:
    """Upper estimate of ‖u_T(estimate) − u(T)‖₂ as a sum of three parts:

    * ``carleman_truncation``: ‖ŷ₁(T) − u(T)‖₂ between the Carleman and the exact iteration
      (both at ``dps`` digits: measured, not a bound);
    * ``hhl_clock``: ‖download of the twin's exact finite-clock state − ŷ₁(T)‖₂ (infinite shots);
    * ``shot_noise``: 3 × the delta-method standard error of the sampled download (0 without shots);
    * ``rounding``: float64 allowance, 1e-9 (1 + ‖u(T)‖₂).
    """

    carleman_truncation: float
    hhl_clock: float
    shot_noise: float
    rounding: float

    @property
    def total(self) -> float:
        return self.carleman_truncation + self.hhl_clock + self.shot_noise + self.rounding


@dataclass(frozen=True)
class HHLResult(Result):
    """The quantum pipeline's result (HHL-4): the post-selected state, its norm and success
    probability, fidelity against the exact normalised solution, the resources, the clock, the
    downloaded u(T) with its standard errors, and the error budget."""

    state: np.ndarray  # post-selected, normalised system state (padded, dilated encoding)
    state_norm: float  # ‖L⁻¹ b‖₂ implied by the success probability (HHL-2: √p ‖b‖ / C)
    success_probability: float
    fidelity: float
    twin_deviation: float  # max |Aer amplitude − twin amplitude| (un-normalised, post-selected)
    resources: dict[str, Any]
    clock: dict[str, Any]
    u_T: list[float] | None
    u_T_stderr: list[float] | None
    u_T_exact: list[float]
    u_T_carleman: list[float]
    budget: ErrorBudget
    shots: int | None
    flags: list[str] = field(default_factory=list)
    simulator: str = "blockwise"

    def summary(self) -> list[str]:
        lines = [f"HHL: fidelity {self.fidelity:.6f}, success probability {self.success_probability:.4g}, "
                 f"{self.clock.get('bits')} clock qubits, {self.resources.get('qubits')} qubits, "
                 f"{self.resources.get('cx'):,} CX ({self.resources.get('method')})"]
        if self.u_T is not None:
            lines.append(f"  u(T) = {self.u_T} ({'statevector' if self.shots is None else f'{self.shots} shots'}); "
                         f"exact {self.u_T_exact}; error budget {self.budget.total:.3g}")
        lines += [f"  flag: {f}" for f in self.flags]
        return lines

    def to_json(self) -> dict[str, Any]:
        exact = np.array(self.u_T_exact)
        carl = np.array(self.u_T_carleman)
        err_exact = None if self.u_T is None else float(np.linalg.norm(np.array(self.u_T) - exact))
        err_carl = None if self.u_T is None else float(np.linalg.norm(np.array(self.u_T) - carl))
        counted = self.resources.get("transpiled") or self.resources
        doc: dict[str, Any] = jsonable({
            "fidelity": self.fidelity,
            "success_probability": self.success_probability,
            "state_norm": self.state_norm,
            "twin_deviation": self.twin_deviation,
            **{k: counted[k] for k in ("qubits", "depth", "cx")},
            "cx_method": counted["method"],
            "resources": self.resources,
            "simulator": self.simulator,
            "clock": self.clock,
            "shots": self.shots,
            "u_T": self.u_T,
            "u_T_stderr": self.u_T_stderr,
            "u_T_exact": self.u_T_exact,
            "u_T_carleman": self.u_T_carleman,
            "error_vs_exact": err_exact,
            "error_vs_carleman": err_carl,
            "error_budget": {**asdict(self.budget), "total": self.budget.total},
            "within_budget": None if err_exact is None else err_exact <= self.budget.total,
            "flags": self.flags,
        })
        return doc


@dataclass(frozen=True)
class HHLEstimate(Result):
    """The work of an HHL run stated before it is done (HHL-4): the system (dimension, dilated,
    system qubits), the clock chosen (bits, t, c₀, the rule), qubits, the bytes of one state vector,
    the estimated peak memory and time (the simulation, plus the transpiled count when
    ``count_resources``), the flop rate measured to estimate it, and the analytic counts."""

    system_dimension: int
    dilated: bool
    system_qubits: int
    clock_bits: int
    qubits: int
    statevector_bytes: int
    peak_bytes: int
    seconds: float
    simulation_seconds: float
    resources_seconds: float
    planning_seconds: float
    flop_rate: float
    count_resources: bool
    resources: dict[str, Any]
    clock: dict[str, Any]
    shots: int | None

    def line(self) -> str:
        """One line: qubits, state-vector memory, estimated peak memory and time, CX."""
        from qsgd_ref.base.limits import human_bytes

        extra = (f" (of which the transpiled resource count ≈ {self.resources_seconds:.0f} s)"
                 if self.count_resources else "")
        return (f"{self.qubits} qubits ({self.system_qubits} system, {self.clock_bits} clock, 1 ancilla), "
                f"state vector {human_bytes(self.statevector_bytes)}, estimated peak memory "
                f"{human_bytes(self.peak_bytes)} and time {self.seconds:.1f} s{extra}; "
                f"{self.resources['cx']:,} CX by the stated synthesis")

    def over_time(self, max_seconds: float) -> str | None:
        """Why the run would exceed ``max_seconds``, or None."""
        if self.seconds <= max_seconds:
            return None
        part = (f" (of which the transpiled resource count of {self.resources['cx']:,} CX ≈ "
                f"{self.resources_seconds:.0f} s)" if self.count_resources else "")
        return (f"{self.qubits} qubits would need an estimated {self.seconds:.0f} s{part}, over the time budget of "
                f"{max_seconds:g} s")

    def over_memory(self, max_bytes: int) -> str | None:
        """Why the run would exceed ``max_bytes``, or None."""
        from qsgd_ref.base.limits import human_bytes

        if self.peak_bytes <= max_bytes:
            return None
        part = " (the transpiled resource count included)" if self.count_resources else ""
        return (f"{self.qubits} qubits would need an estimated {human_bytes(self.peak_bytes)}{part}, over the memory "
                f"budget of {human_bytes(max_bytes)}")

    def summary(self) -> list[str]:
        return [f"HHL estimate: {self.line()}"]
